/* health.c: thresholds and runbook rules turn samples into statuses and diagnoses. Pure. */
#include "health.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health_priv.h"
#include "units.h"

void raise_status(struct stage_view *sv, enum status s, const char *fmt, ...)
{
	if (s <= sv->status && sv->reason[0])
		return;
	sv->status = status_worst(sv->status, s);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sv->reason, sizeof sv->reason, fmt, ap);
	va_end(ap);
}

enum status level(double v, double warn, double crit)
{
	if (v >= crit)
		return ST_CRIT;
	if (v >= warn)
		return ST_WARN;
	return ST_OK;
}

struct diagnosis *add_diag(struct pipeline_view *pv, const struct stage_view *sv, const char *rule,
                           enum status sev, const char *action)
{
	pv->diags = xrealloc(pv->diags, (pv->n_diags + 1) * sizeof *pv->diags);
	struct diagnosis *d = &pv->diags[pv->n_diags++];
	memset(d, 0, sizeof *d);
	d->rule = rule;
	d->severity = sev;
	d->stage = sv->cfg;
	d->action = action;
	return d;
}

/* worker-paused: the worker's row in outbox.control_table says paused. */
static void eval_worker_paused(struct pipeline_view *pv, struct stage_view *sv)
{
	const struct stage_cfg *st = sv->cfg;
	const json_t *m = sv->cur.metrics;
	bool paused = false;
	if (!metric_bool(m, "worker_paused", &paused) || !paused)
		return;
	double for_s = 0;
	char d_s[32];
	metric_num(m, "paused_for_s", &for_s);
	format_duration(for_s, d_s, sizeof d_s);
	const char *since = metric_str(m, "paused_since");
	raise_status(sv, ST_WARN, "worker %s paused for %s", st->worker, d_s);
	struct diagnosis *d = add_diag(pv, sv, "worker-paused", ST_WARN, "resume");
	snprintf(d->symptom, sizeof d->symptom,
	         "the outbox relay is paused: events wait in the outbox, and the pause outlives restarts");
	snprintf(d->evidence, sizeof d->evidence, "%s.paused = true for worker %s, since %s (%s)",
	         st->control_table, st->worker, since ? since : "?", d_s);
	snprintf(d->next, sizeof d->next,
	         "if the pause is over, resume the worker (UPDATE %s SET paused = false WHERE "
	         "name = '%s'); ask first who paused it",
	         st->control_table, st->worker);
}

static void eval_outbox(struct pipeline_view *pv, struct stage_view *sv)
{
	const struct stage_cfg *st = sv->cfg;
	const json_t *m = sv->cur.metrics;
	int64_t pending = 0, failed = 0;
	double oldest = 0, drain, inflow, prev_oldest;
	bool capped = false;
	metric_int(m, "pending", &pending);
	metric_num(m, "oldest_pending_age_s", &oldest);
	metric_bool(m, "pending_capped", &capped);
	bool have_failed = metric_int(m, "failed", &failed);
	bool have_drain = metric_num(m, "drain_per_s", &drain);
	bool have_inflow = metric_num(m, "inflow_per_s", &inflow);

	char cnt[32], age[32], warn_s[32], crit_s[32];
	format_count(pending, cnt, sizeof cnt);
	format_duration(oldest, age, sizeof age);
	const char *more = capped ? "+" : "";

	enum status ps = level((double)pending, (double)st->pending_warn, (double)st->pending_crit);
	if (ps != ST_OK)
		raise_status(sv, ps, "%s%s rows pending (%s at %" PRId64 ")", cnt, more,
		             ps == ST_CRIT ? "crit" : "warn",
		             ps == ST_CRIT ? st->pending_crit : st->pending_warn);
	enum status as = pending > 0 ? level(oldest, st->oldest_warn_s, st->oldest_crit_s) : ST_OK;
	if (as != ST_OK) {
		format_duration(as == ST_CRIT ? st->oldest_crit_s : st->oldest_warn_s, crit_s, sizeof crit_s);
		raise_status(sv, as, "oldest pending row is %s old (%s at %s)", age,
		             as == ST_CRIT ? "crit" : "warn", crit_s);
	}

	/* worker-stalled: rows wait, nothing drains, and work keeps arriving or ageing. */
	bool stalled = false;
	/* A relay that drains in batches shows 0/s over a short window: only rows older than
	   the warn age make a zero drain a stall. */
	if (pending > 0 && have_drain && drain == 0.0 && oldest >= st->oldest_warn_s &&
	    ((have_inflow && inflow > 0) ||
	     (metric_num(sv->prev.metrics, "oldest_pending_age_s", &prev_oldest) && oldest > prev_oldest))) {
		stalled = true;
		double window = sv->cur.mono - sv->prev.mono;
		if (window >= 0.5) /* timer jitter: 984ms reads as the 1s it is */
			window = round(window);
		format_duration(window, warn_s, sizeof warn_s);
		raise_status(sv, ST_CRIT, "nothing drained over %s with %s rows pending", warn_s, cnt);
		struct diagnosis *d = add_diag(pv, sv, "worker-stalled", ST_CRIT, "resume");
		snprintf(d->symptom, sizeof d->symptom, "the outbox relay is not draining %s", st->table);
		snprintf(d->evidence, sizeof d->evidence,
		         "%s%s rows pending, oldest %s, drained 0/s over the last %s, inflow %.1f/s", cnt,
		         more, age, warn_s, have_inflow ? inflow : 0.0);
		bool paused = false;
		if (metric_bool(m, "worker_paused", &paused) && paused)
			snprintf(
			    d->next, sizeof d->next,
			    "the relay is paused (%s.paused = true for worker %s): resume it if the pause is "
			    "over",
			    st->control_table, st->worker);
		else
			snprintf(d->next, sizeof d->next,
			         "the relay is down, stuck or paused: check its process and logs%s%s; resume "
			         "it, or "
			         "replay the rows",
			         *st->control_table ? ", and the control table " : "", st->control_table);
	}
	eval_worker_paused(pv, sv);
	if (!stalled && as != ST_OK) {
		struct diagnosis *d = add_diag(pv, sv, "outbox-backlog", as, "replay");
		snprintf(d->symptom, sizeof d->symptom,
		         "records are in PostgreSQL but not yet in the secondary stores");
		snprintf(d->evidence, sizeof d->evidence, "%s%s rows pending in %s, oldest %s", cnt, more,
		         st->table, age);
		if (have_drain)
			snappendf(d->evidence, sizeof d->evidence, ", draining %.1f/s, inflow %.1f/s", drain,
			          have_inflow ? inflow : 0.0);
		snprintf(
		    d->next, sizeof d->next,
		    "check that the outbox worker runs and keeps up (and the CDC consumer lag); replay the "
		    "rows once it does");
	}

	if (have_failed && failed > 0) {
		enum status fs = level((double)failed, (double)st->failed_warn, (double)st->failed_crit);
		if (fs != ST_OK) {
			char fc[32];
			format_count(failed, fc, sizeof fc);
			raise_status(sv, fs, "%s rows failed", fc);
			struct diagnosis *d = add_diag(pv, sv, "poison-rows", fs, "replay");
			snprintf(d->symptom, sizeof d->symptom,
			         "outbox rows keep failing and will not be delivered");
			snprintf(d->evidence, sizeof d->evidence,
			         "%s pending rows have %s >= %" PRId64 " or an error in %s", fc,
			         *st->attempts_column ? st->attempts_column : "attempts", st->max_attempts,
			         *st->error_column ? st->error_column : "(no error column)");
			snprintf(d->next, sizeof d->next,
			         "read the recorded errors (SELECT %s, %s FROM %s WHERE %s IS NOT NULL), fix "
			         "the cause, "
			         "then replay the failed rows",
			         st->id_column, *st->error_column ? st->error_column : "*", st->table,
			         *st->error_column ? st->error_column : st->id_column);
		}
	}

	const char *hint = metric_str(sv->cur.raw, "index_hint");
	if (hint) {
		int64_t rows = 0;
		metric_int(sv->cur.raw, "table_rows", &rows);
		char rc[32];
		format_count(rows, rc, sizeof rc);
		raise_status(sv, ST_WARN, "no index serves the pending predicate");
		struct diagnosis *d = add_diag(pv, sv, "outbox-no-index", ST_WARN, NULL);
		snprintf(d->symptom, sizeof d->symptom,
		         "each poll (and the relay) scans the whole outbox table to find pending rows");
		snprintf(d->evidence, sizeof d->evidence,
		         "the plan of the pending count is a sequential scan of %s (about %s rows)",
		         st->table, rc);
		snprintf(d->next, sizeof d->next, "create a partial index: %s", hint);
	}
}

static void eval_slot_entry(struct pipeline_view *pv, struct stage_view *sv, json_t *s)
{
	const struct stage_cfg *st = sv->cfg;
	const char *name = metric_str(s, "slot_name");
	const char *ws = metric_str(s, "wal_status");
	bool active = true;
	double retained = 0, max_keep = -1, safe;
	metric_bool(s, "active", &active);
	metric_num(s, "retained_bytes", &retained);
	metric_num(s, "max_slot_wal_keep_size", &max_keep);
	char size[32], lim[32];
	format_size(retained, size, sizeof size);

	if (ws && (!strcmp(ws, "lost") || !strcmp(ws, "unreserved"))) {
		raise_status(sv, ST_CRIT, "slot %s: wal_status %s", name, ws);
		struct diagnosis *d = add_diag(pv, sv, "slot-wal-at-risk", ST_CRIT, NULL);
		snprintf(d->symptom, sizeof d->symptom, "replication slot %s %s", name,
		         !strcmp(ws, "lost") ? "has lost WAL it needs: its consumer cannot resume"
		                             : "is about to lose the WAL it needs");
		snprintf(d->evidence, sizeof d->evidence, "wal_status = %s, %s retained", ws, size);
		snprintf(
		    d->next, sizeof d->next,
		    "restart the CDC consumer at once; a lost slot must be dropped and re-created, and the "
		    "target re-snapshotted");
		return;
	}
	if (max_keep > 0 && retained >= 0.8 * max_keep) {
		format_size(max_keep, lim, sizeof lim);
		raise_status(sv, ST_WARN, "slot %s retains %s of max_slot_wal_keep_size %s", name, size, lim);
		struct diagnosis *d = add_diag(pv, sv, "slot-wal-at-risk", ST_WARN, NULL);
		snprintf(d->symptom, sizeof d->symptom, "replication slot %s is near its WAL limit", name);
		snprintf(d->evidence, sizeof d->evidence, "%s retained of max_slot_wal_keep_size %s", size,
		         lim);
		if (metric_num(s, "safe_wal_size", &safe)) {
			format_size(safe, lim, sizeof lim);
			snappendf(d->evidence, sizeof d->evidence, " (%s left before invalidation)", lim);
		}
		snprintf(d->next, sizeof d->next,
		         "get the consumer reading again before the slot is invalidated");
	}
	enum status rs = level(retained, (double)st->retained_warn, (double)st->retained_crit);
	if (rs != ST_OK)
		raise_status(sv, rs, "slot %s retains %s of WAL", name, size);
	if (!active && retained > 0) {
		enum status sev = rs == ST_CRIT ? ST_CRIT : ST_WARN;
		raise_status(sv, sev, "slot %s is inactive and retains %s of WAL", name, size);
		struct diagnosis *d = add_diag(pv, sv, "slot-inactive", sev, NULL);
		snprintf(d->symptom, sizeof d->symptom, "no consumer reads replication slot %s", name);
		snprintf(d->evidence, sizeof d->evidence,
		         "active = false, wal_status = %s, %s of WAL retained", ws ? ws : "?", size);
		snprintf(d->next, sizeof d->next,
		         "the CDC connector (e.g. Debezium) is down: restart it; if the slot is abandoned, "
		         "drop it "
		         "(SELECT pg_drop_replication_slot('%s')) before the disk fills",
		         name);
	}
}

static void eval_slot(struct pipeline_view *pv, struct stage_view *sv)
{
	json_t *slots = json_object_get(sv->cur.detail, "slots");
	size_t i;
	json_t *s;
	json_array_foreach(slots, i, s) eval_slot_entry(pv, sv, s);
	if (json_array_size(slots) == 0)
		snprintf(sv->reason, sizeof sv->reason, "no logical replication slots");
}

/* "orders/0" of the partition with the largest lag, or "" (partition_lags is sorted by lag). */
static void worst_partition(const json_t *m, char *buf, size_t n)
{
	json_t *top = json_array_get(json_object_get(m, "partition_lags"), 0);
	int64_t part = 0;
	buf[0] = '\0';
	if (top && metric_str(top, "topic") && metric_int(top, "partition", &part))
		snprintf(buf, n, "%s/%" PRId64, metric_str(top, "topic"), part);
}

static void eval_kafka(struct pipeline_view *pv, struct stage_view *sv)
{
	const struct stage_cfg *st = sv->cfg;
	const json_t *m = sv->cur.metrics;
	int64_t lag = 0, max_lag = 0, no_commit = 0, parts = 0;
	double lag_s;
	metric_int(m, "lag", &lag);
	metric_int(m, "max_partition_lag", &max_lag);
	metric_int(m, "partitions", &parts);
	metric_int(sv->cur.detail, "no_commit_partitions", &no_commit);
	const char *ev = metric_str(m, "evaluation");
	char lc[32], worst[160], win[32], behind[64] = "";
	format_count(lag, lc, sizeof lc);
	worst_partition(m, worst, sizeof worst);
	format_duration(st->window_s, win, sizeof win);
	if (metric_num(m, "lag_s", &lag_s) && lag_s > 0) {
		char d[32];
		format_duration(lag_s, d, sizeof d);
		snprintf(behind, sizeof behind, ", about %s behind", d);
	}

	enum status ls = level((double)lag, (double)st->lag_warn, (double)st->lag_crit);
	if (ls != ST_OK)
		raise_status(sv, ls, "lag %s messages (%s at %" PRId64 ")", lc,
		             ls == ST_CRIT ? "crit" : "warn", ls == ST_CRIT ? st->lag_crit : st->lag_warn);

	const char *rule = NULL, *action = NULL;
	enum status sev = ST_OK;
	if (ev && (!strcmp(ev, "STALL") || !strcmp(ev, "STOP") || !strcmp(ev, "REWIND"))) {
		sev = ST_CRIT;
		rule = !strcmp(ev, "STALL")  ? "kafka-stall"
		       : !strcmp(ev, "STOP") ? "kafka-stop"
		                             : "kafka-rewind";
		action = !strcmp(ev, "REWIND") ? NULL : "resume";
	} else if (ev && !strcmp(ev, "WARN")) {
		sev = ST_WARN;
		rule = "cdc-lagging";
		action = "resume";
	}
	if (rule) {
		raise_status(sv, sev, "consumer %s: %s", st->group, ev);
		struct diagnosis *d = add_diag(pv, sv, rule, sev, action);
		if (!strcmp(rule, "kafka-stall")) {
			snprintf(d->symptom, sizeof d->symptom, "consumer group %s is not moving", st->group);
			snprintf(d->evidence, sizeof d->evidence,
			         "lag %s (max %" PRId64
			         " on %s), committed offsets unchanged over the last %s%s",
			         lc, max_lag, worst, win, behind);
			snprintf(d->next, sizeof d->next,
			         "the consumer is stuck: look in its logs for a message it cannot process or "
			         "a sink "
			         "that hangs; restart or resume it");
		} else if (!strcmp(rule, "kafka-stop")) {
			snprintf(d->symptom, sizeof d->symptom,
			         "consumer group %s has stopped: no commits while messages arrive",
			         st->group);
			snprintf(d->evidence, sizeof d->evidence,
			         "committed offsets unchanged for longer than %s while the topics grew; lag "
			         "%s (max %" PRId64 " on %s)%s",
			         win, lc, max_lag, worst, behind);
			snprintf(d->next, sizeof d->next,
			         "the consumer is down or has left the group: restart it (a Kafka Connect "
			         "sink: restart "
			         "its failed tasks)");
		} else if (!strcmp(rule, "kafka-rewind")) {
			snprintf(d->symptom, sizeof d->symptom, "consumer group %s went back in its topics",
			         st->group);
			snprintf(d->evidence, sizeof d->evidence,
			         "a committed offset went down within the last %s; lag %s", win, lc);
			snprintf(d->next, sizeof d->next,
			         "someone reset the group's offsets, or a consumer restarted from an old "
			         "checkpoint: "
			         "messages are being processed again, so the sinks must be idempotent");
		} else {
			snprintf(d->symptom, sizeof d->symptom,
			         "data downstream of consumer group %s is getting staler", st->group);
			snprintf(d->evidence, sizeof d->evidence,
			         "offsets advance but the lag grew at every poll over the last %s: lag %s "
			         "(max %" PRId64 " on %s)%s",
			         win, lc, max_lag, worst, behind);
			snprintf(
			    d->next, sizeof d->next,
			    "the consumer is slower than the producers: scale it out (more partitions and "
			    "members) or find what slows its sink");
		}
	}
	if (no_commit > 0) {
		raise_status(sv, ST_WARN, "%" PRId64 " of %" PRId64 " partitions have no committed offset",
		             no_commit, parts);
		struct diagnosis *d = add_diag(pv, sv, "kafka-no-commits", ST_WARN, NULL);
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
}

/* "; sample of session:*: 20 of 1,000 keys without a TTL" from the last key sample (key t). */
static void append_key_sample(struct diagnosis *d, const struct stage_view *sv)
{
	const json_t *ks = json_object_get(sv->cur.detail, "key_sample");
	int64_t sampled, without;
	const char *prefix = json_string_value(json_object_get(ks, "prefix"));
	if (!prefix || !metric_int(ks, "sampled", &sampled) || !metric_int(ks, "without_ttl", &without))
		return;
	char a[32], b[32];
	format_count(without, a, sizeof a);
	format_count(sampled, b, sizeof b);
	snappendf(d->evidence, sizeof d->evidence, "; sample of %s*: %s of %s keys without a TTL", prefix, a,
	          b);
}

static void eval_cache(struct pipeline_view *pv, struct stage_view *sv)
{
	const struct stage_cfg *st = sv->cfg;
	const json_t *m = sv->cur.metrics;
	double ratio = -1, evicted_rate = 0, used = 0, max = 0;
	int64_t keys = 0, expires = 0, evicted = 0;
	bool have_ratio = metric_num(m, "used_ratio", &ratio);
	bool have_rate = metric_num(m, "evicted_per_s", &evicted_rate);
	metric_num(m, "used_memory", &used);
	metric_num(m, "maxmemory", &max);
	metric_int(m, "keys", &keys);
	metric_int(m, "expires", &expires);
	metric_int(m, "evicted_keys", &evicted);
	const char *policy = metric_str(m, "maxmemory_policy");
	char u[32], mx[32];
	format_size(used, u, sizeof u);
	format_size(max, mx, sizeof mx);

	/* A full allkeys-* cache is a cache doing its job (Redis even sits a little over
   maxmemory): memory levels matter where full means failing writes or evicted sessions. */
	bool evicts_anything = policy && !strncmp(policy, "allkeys-", 8);
	if (have_ratio && !evicts_anything) {
		enum status rs = level(ratio, st->used_warn, st->used_crit);
		if (rs != ST_OK)
			raise_status(sv, rs, "memory %.0f%% of maxmemory (%s of %s)", ratio * 100, u, mx);
	}
	if (have_ratio && policy && !strcmp(policy, "noeviction") && ratio >= st->used_warn) {
		raise_status(sv, ST_CRIT, "noeviction at %.0f%% of maxmemory: writes will fail", ratio * 100);
		struct diagnosis *d = add_diag(pv, sv, "cache-noeviction-full", ST_CRIT, NULL);
		snprintf(d->symptom, sizeof d->symptom,
		         "writes to the cache are about to fail with OOM errors");
		snprintf(d->evidence, sizeof d->evidence,
		         "maxmemory-policy noeviction, %s used of %s (%.0f%%)", u, mx, ratio * 100);
		snprintf(d->next, sizeof d->next,
		         "raise maxmemory, or switch to an evicting policy (allkeys-lru for a cache; for "
		         "sessions, "
		         "volatile-lru with a TTL on every session)");
	}
	if (max == 0) {
		raise_status(sv, ST_WARN, "maxmemory 0: no limit");
		struct diagnosis *d = add_diag(pv, sv, "cache-unbounded", ST_WARN, NULL);
		snprintf(d->symptom, sizeof d->symptom,
		         "the cache may grow until the host runs out of memory");
		snprintf(d->evidence, sizeof d->evidence, "maxmemory is 0 (unlimited), %s used", u);
		snprintf(d->next, sizeof d->next,
		         "set maxmemory below the host's memory, with an eviction policy");
	}
	if (policy && !strncmp(policy, "volatile-", 9) && keys > 0 && expires * 2 < keys) {
		raise_status(sv, ST_WARN, "%s but most keys have no TTL", policy);
		struct diagnosis *d = add_diag(pv, sv, "cache-volatile-no-ttl", ST_WARN, NULL);
		snprintf(d->symptom, sizeof d->symptom,
		         "little can be evicted: writes will fail once memory is full");
		snprintf(d->evidence, sizeof d->evidence,
		         "maxmemory-policy %s evicts only keys with a TTL: %" PRId64 " of %" PRId64
		         " keys have one",
		         policy, expires, keys);
		append_key_sample(d, sv);
		snprintf(d->next, sizeof d->next, "give the keys a TTL, or use an allkeys-* policy");
	}
	enum status es = have_rate ? level(evicted_rate, st->evicted_warn, st->evicted_crit) : ST_OK;
	if (es != ST_OK) {
		raise_status(sv, es, "evicting %.1f keys/s", evicted_rate);
		struct diagnosis *d = add_diag(pv, sv, "cache-evicting", es, NULL);
		snprintf(
		    d->symptom, sizeof d->symptom,
		    "keys are being evicted: a session missing from Redis though its PostgreSQL row exists");
		snprintf(d->evidence, sizeof d->evidence,
		         "%.1f keys/s evicted (%" PRId64 " since start), %s of %s used, policy %s",
		         evicted_rate, evicted, u, mx, policy ? policy : "?");
		append_key_sample(d, sv);
		snprintf(
		    d->next, sizeof d->next,
		    "raise maxmemory or change the eviction policy (keep sessions out of allkeys-* eviction, "
		    "or in their own Redis)");
	}
}

static void eval_stage(struct pipeline_view *pv, struct stage_view *sv)
{
	sv->status = ST_OK;
	sv->reason[0] = '\0';
	if (!sv->cur.metrics) {
		raise_status(sv, ST_UNKNOWN, "not polled yet");
		return;
	}
	if (!sv->cur.ok) {
		raise_status(sv, ST_UNKNOWN, "%s", sv->cur.err);
		return;
	}
	switch (sv->cfg->kind) {
	case STAGE_OUTBOX:
		eval_outbox(pv, sv);
		break;
	case STAGE_SLOT:
		eval_slot(pv, sv);
		break;
	case STAGE_KAFKA:
		eval_kafka(pv, sv);
		break;
	case STAGE_CACHE:
		eval_cache(pv, sv);
		break;
	case STAGE_SEARCH:
		eval_search(pv, sv);
		break;
	case STAGE_CONNECTOR:
		eval_connector(pv, sv);
		break;
	default:
		break;
	}
}

/* Worst first; rules of equal severity keep the order they were found in (stable). */
static void sort_diags(struct diagnosis *d, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct diagnosis key = d[i];
		size_t j = i;
		for (; j > 0 && d[j - 1].severity < key.severity; j--)
			d[j] = d[j - 1];
		d[j] = key;
	}
}

void health_evaluate(struct snapshot *snap)
{
	snap->status = ST_OK;
	for (size_t i = 0; i < snap->n_pipes; i++) {
		struct pipeline_view *pv = &snap->pipes[i];
		free(pv->diags);
		pv->diags = NULL;
		pv->n_diags = 0;
		pv->status = ST_OK;
		for (size_t j = 0; j < pv->n_stages; j++) {
			eval_stage(pv, &pv->stages[j]);
			pv->status = status_worst(pv->status, pv->stages[j].status);
		}
		sort_diags(pv->diags, pv->n_diags);
		snap->status = status_worst(snap->status, pv->status);
	}
}
