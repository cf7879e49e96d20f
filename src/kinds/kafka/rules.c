/* rules.c: the consumer-group rules, over the evaluation window. Pure. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kinds/kafka/kafka.h"
#include "rules.h"
#include "units.h"

/* "orders/0" of the partition with the largest lag, or "" (partition_lags is sorted by lag). */
static void worst_partition(const json_t *m, char *buf, size_t n)
{
	json_t *top = json_array_get(json_object_get(m, "partition_lags"), 0);
	int64_t part = 0;
	buf[0] = '\0';
	if (top && metric_str(top, "topic") && metric_int(top, "partition", &part))
		snprintf(buf, n, "%s/%" PRId64, metric_str(top, "topic"), part);
}

/* " (next: search on es, products)": the stage after sv in its pipeline, which the group
   feeds (a search indexer, a cache writer: not necessarily CDC), or "" when sv is the last. */
static void downstream(const struct pipeline_view *pv, const struct stage_view *sv, char *buf, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i + 1 < pv->n_stages; i++)
		if (&pv->stages[i] == sv) {
			const struct stage_cfg *next = pv->stages[i + 1].cfg;
			char target[256];
			stage_target(next, target, sizeof target);
			snprintf(buf, n, " (next: %s on %s%s%s)", next->kind->name, next->conn->name,
			         *target ? ", " : "", target);
		}
}

void kafka_rules(struct pipeline_view *pv, struct stage_view *sv)
{
	const struct kafka_opts *st = kafka_opts(sv->cfg);
	const json_t *m = sv->cur.metrics;
	int64_t lag = 0, max_lag = 0, no_commit = 0, parts = 0;
	double lag_s;
	metric_int(m, "lag", &lag);
	metric_int(m, "max_partition_lag", &max_lag);
	metric_int(m, "partitions", &parts);
	metric_int(sv->cur.detail, "no_commit_partitions", &no_commit);
	const char *ev = metric_str(m, "evaluation");
	char lc[32], worst[160], win[32], seen[48] = "", behind[64] = "";
	format_count(lag, lc, sizeof lc);
	worst_partition(m, worst, sizeof worst);
	format_duration(st->window_s, win, sizeof win);
	/* The span of polls the verdict rests on, not the configured window. */
	double span;
	if (metric_num(m, "evaluated_s", &span)) {
		char d[32];
		format_duration(span, d, sizeof d);
		snprintf(seen, sizeof seen, "the last %s", d);
	} else {
		snprintf(seen, sizeof seen, "the %s window", win);
	}
	if (metric_num(m, "lag_s", &lag_s) && lag_s > 0) {
		char d[32];
		format_duration(lag_s, d, sizeof d);
		snprintf(behind, sizeof behind, ", about %s behind", d);
	}

	enum status ls = level((double)lag, (double)st->lag_warn, (double)st->lag_crit);
	if (ls != ST_OK)
		raise_status(sv, ls, "lag %s messages (%s at %" PRId64 ")", lc,
		             ls == ST_CRIT ? "crit" : "warn", ls == ST_CRIT ? st->lag_crit : st->lag_warn);

	const char *rule = NULL;
	enum action action = ACTION_NONE;
	enum status sev = ST_OK;
	if (ev && (!strcmp(ev, "STALL") || !strcmp(ev, "STOP") || !strcmp(ev, "REWIND"))) {
		sev = ST_CRIT;
		rule = !strcmp(ev, "STALL")  ? "kafka-stall"
		       : !strcmp(ev, "STOP") ? "kafka-stop"
		                             : "kafka-rewind";
		action = !strcmp(ev, "REWIND") ? ACTION_NONE : ACTION_RESUME;
	} else if (ev && !strcmp(ev, "WARN")) {
		sev = ST_WARN;
		rule = "kafka-lagging";
		action = ACTION_RESUME;
	}
	if (rule) {
		raise_status(sv, sev, "consumer %s: %s", st->group, ev);
		struct diagnosis *d = add_diag(pv, sv, rule, sev, action);
		if (!strcmp(rule, "kafka-stall")) {
			snprintf(d->symptom, sizeof d->symptom, "consumer group %s is not moving", st->group);
			snprintf(d->evidence, sizeof d->evidence,
			         "lag %s messages (max %" PRId64
			         " on %s)%s; committed offsets unchanged over %s",
			         lc, max_lag, worst, behind, seen);
			snprintf(d->next, sizeof d->next,
			         "the consumer is stuck: look in its logs for a message it cannot process or "
			         "a sink "
			         "that hangs; restart or resume it");
		} else if (!strcmp(rule, "kafka-stop")) {
			snprintf(d->symptom, sizeof d->symptom,
			         "consumer group %s has stopped: no commits while messages arrive",
			         st->group);
			snprintf(d->evidence, sizeof d->evidence,
			         "committed offsets unchanged over %s (longer than the %s window) while the "
			         "topics grew; lag %s messages (max %" PRId64 " on %s)%s",
			         seen, win, lc, max_lag, worst, behind);
			snprintf(d->next, sizeof d->next,
			         "the consumer is down or has left the group: restart it (a Kafka Connect "
			         "sink: restart "
			         "its failed tasks)");
		} else if (!strcmp(rule, "kafka-rewind")) {
			snprintf(d->symptom, sizeof d->symptom, "consumer group %s went back in its topics",
			         st->group);
			snprintf(d->evidence, sizeof d->evidence,
			         "a committed offset went down within %s; lag %s messages", seen, lc);
			snprintf(d->next, sizeof d->next,
			         "someone reset the group's offsets, or a consumer restarted from an old "
			         "checkpoint: "
			         "messages are being processed again, so the sinks must be idempotent");
		} else {
			int64_t from = 0, consumed = 0;
			char fc[32] = "", cc[32] = "";
			if (metric_int(m, "lag_from", &from) && metric_int(m, "consumed", &consumed)) {
				format_count(from, fc, sizeof fc);
				format_count(consumed, cc, sizeof cc);
			}
			char next[300];
			downstream(pv, sv, next, sizeof next);
			snprintf(d->symptom, sizeof d->symptom,
			         "data downstream of consumer group %s%s is getting staler", st->group, next);
			if (*fc)
				snprintf(
				    d->evidence, sizeof d->evidence,
				    "lag grew from %s to %s messages over %s while %s were consumed: the "
				    "inflow is faster (max %" PRId64 " on %s)%s",
				    fc, lc, seen, cc, max_lag, worst, behind);
			else
				snprintf(d->evidence, sizeof d->evidence,
				         "offsets advance but the lag grew across %s: lag %s messages (max "
				         "%" PRId64 " on %s)%s",
				         seen, lc, max_lag, worst, behind);
			snprintf(
			    d->next, sizeof d->next,
			    "the consumer is slower than the producers: scale it out (more partitions and "
			    "members) or find what slows its sink");
		}
	}
	if (no_commit > 0) {
		raise_status(sv, ST_WARN, "%" PRId64 " of %" PRId64 " partitions have no committed offset",
		             no_commit, parts);
		struct diagnosis *d = add_diag(pv, sv, "kafka-no-commits", ST_WARN, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom,
		         "consumer group %s has no committed offset on %" PRId64 " partition%s", st->group,
		         no_commit, no_commit == 1 ? "" : "s");
		snprintf(d->evidence, sizeof d->evidence,
		         "%" PRId64 " of %" PRId64
		         " partitions of %s: no commit, so no lag is known there (not an "
		         "infinite lag)",
		         no_commit, parts, st->topics ? "the topics" : "the group's topics");
		snprintf(
		    d->next, sizeof d->next,
		    "a new group, or a consumer that never commits: check its group.id, its assignment and "
		    "that it commits (enable.auto.commit or explicit commits)");
	}
	if (ev && !strcmp(ev, "IDLE") && !sv->reason[0])
		snprintf(sv->reason, sizeof sv->reason, "idle: no new messages, nothing to consume");
	/* A lag with no verdict: the polls so far (a --once's two) do not span the window. */
	if (!ev && lag > 0 && !sv->reason[0])
		snprintf(sv->reason, sizeof sv->reason,
		         "lag %s, not judged: the polls so far span less than kafka.window (%s), too "
		         "short to tell a slow consumer from a stalled one",
		         lc, win);
}
