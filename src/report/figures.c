/* figures.c: the key figures of a stage on one line, shared by the text report and the screen. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "units.h"

static void rate(char *buf, size_t n, const json_t *m, const char *name, const char *label)
{
	double v;
	if (metric_num(m, name, &v))
		snappendf(buf, n, ", %s %.1f/s", label, v);
}

static void outbox_figures(const json_t *m, char *buf, size_t n)
{
	int64_t pending = 0, failed;
	double age = 0;
	bool capped = false;
	char cnt[32], a[32];
	metric_int(m, "pending", &pending);
	metric_bool(m, "pending_capped", &capped);
	metric_num(m, "oldest_pending_age_s", &age);
	format_count(pending, cnt, sizeof cnt);
	format_duration(age, a, sizeof a);
	snprintf(buf, n, "%s%s pending", capped ? ">=" : "", cnt);
	if (pending > 0)
		snappendf(buf, n, ", oldest %s", a);
	if (metric_int(m, "failed", &failed)) {
		format_count(failed, cnt, sizeof cnt);
		snappendf(buf, n, ", %s failed", cnt);
	}
	rate(buf, n, m, "drain_per_s", "drain");
	rate(buf, n, m, "inflow_per_s", "inflow");
}

static void slot_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	const char *name = metric_str(m, "slot_name");
	size_t count = json_array_size(json_object_get(sv->cur.detail, "slots"));
	if (!name) {
		snprintf(buf, n, "no logical replication slots");
		return;
	}
	bool active = false;
	double retained = 0;
	char size[32];
	metric_bool(m, "active", &active);
	metric_num(m, "retained_bytes", &retained);
	format_size(retained, size, sizeof size);
	const char *ws = metric_str(m, "wal_status");
	snprintf(buf, n, "%s %s, %s retained, wal %s", name, active ? "active" : "inactive", size,
	         ws ? ws : "?");
	if (count > 1)
		snappendf(buf, n, " (worst of %zu slots)", count);
}

static void kafka_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	int64_t lag = 0, max_lag = 0, parts = 0, no_commit = 0;
	double lag_s;
	char c[32];
	metric_int(m, "lag", &lag);
	metric_int(m, "max_partition_lag", &max_lag);
	metric_int(m, "partitions", &parts);
	metric_int(sv->cur.detail, "no_commit_partitions", &no_commit);
	format_count(lag, c, sizeof c);
	snprintf(buf, n, "lag %s", c);
	if (metric_num(m, "lag_s", &lag_s) && lag_s > 0) {
		char d[32];
		format_duration(lag_s, d, sizeof d);
		snappendf(buf, n, " (%s behind)", d);
	}
	format_count(max_lag, c, sizeof c);
	snappendf(buf, n, ", max %s, %" PRId64 " partitions", c, parts);
	if (no_commit > 0)
		snappendf(buf, n, " (%" PRId64 " uncommitted)", no_commit);
	const char *ev = metric_str(m, "evaluation");
	snappendf(buf, n, ", %s", ev ? ev : "evaluating");
	const char *state = metric_str(m, "group_state");
	int64_t members;
	if (state)
		snappendf(buf, n, ", %s", state);
	if (metric_int(m, "members", &members))
		snappendf(buf, n, ", %" PRId64 " members", members);
}

static void cache_figures(const json_t *m, char *buf, size_t n)
{
	double used = 0, max = 0, ratio, rate;
	char u[32], mx[32];
	metric_num(m, "used_memory", &used);
	metric_num(m, "maxmemory", &max);
	format_size(used, u, sizeof u);
	format_size(max, mx, sizeof mx);
	if (metric_num(m, "used_ratio", &ratio))
		snprintf(buf, n, "mem %s of %s (%.0f%%)", u, mx, ratio * 100);
	else
		snprintf(buf, n, "mem %s, no maxmemory", u);
	const char *policy = metric_str(m, "maxmemory_policy");
	if (policy)
		snappendf(buf, n, ", %s", policy);
	if (metric_num(m, "evicted_per_s", &rate))
		snappendf(buf, n, ", evicting %.1f/s", rate);
	int64_t keys = 0;
	if (metric_int(m, "keys", &keys)) {
		char k[32];
		format_count(keys, k, sizeof k);
		snappendf(buf, n, ", %s keys", k);
	}
	if (metric_num(m, "hit_ratio", &ratio))
		snappendf(buf, n, ", hits %.0f%%", ratio * 100);
}

/* "1,204 docs, 3 missing of 1,207, health green, refresh 1s (default), 1.0 refresh/s". */
static void search_figures(const json_t *m, char *buf, size_t n)
{
	int64_t docs = 0, missing, source, failed;
	char c[32];
	metric_int(m, "docs", &docs);
	format_count(docs, c, sizeof c);
	snprintf(buf, n, "%s docs", c);
	if (metric_int(m, "missing_docs", &missing) && metric_int(m, "source_docs", &source)) {
		char s[32];
		format_count(source, s, sizeof s);
		if (missing >= 0) {
			format_count(missing, c, sizeof c);
			snappendf(buf, n, ", %s missing of %s", c, s);
		} else {
			format_count(-missing, c, sizeof c);
			snappendf(buf, n, ", %s more than the %s rows", c, s);
		}
	}
	const char *health = metric_str(m, "health");
	if (health)
		snappendf(buf, n, ", health %s", health);
	const char *ri = metric_str(m, "refresh_interval");
	bool explicit_ = false, idle = false;
	metric_bool(m, "refresh_explicit", &explicit_);
	if (ri && !strcmp(ri, "-1"))
		snappendf(buf, n, ", refresh OFF");
	else if (ri)
		snappendf(buf, n, ", refresh %s%s", ri, explicit_ ? "" : " (default)");
	if (metric_bool(m, "search_idle", &idle) && idle)
		snappendf(buf, n, ", search-idle");
	rate(buf, n, m, "refresh_per_s", "refresh");
	double lag;
	if (metric_num(m, "freshness_lag_s", &lag)) {
		char d[32];
		format_duration(lag, d, sizeof d);
		snappendf(buf, n, ", newest %s behind", d);
	}
	if (metric_int(m, "indexing_failed", &failed) && failed > 0) {
		format_count(failed, c, sizeof c);
		snappendf(buf, n, ", %s rejected", c);
	}
}

/* "RUNNING, 1 of 2 tasks running, 1 FAILED" or "PAUSED for 2m10s". */
static void connector_figures(const json_t *m, char *buf, size_t n)
{
	const char *state = metric_str(m, "state");
	int64_t tasks = 0, running = 0, failed = 0;
	double paused;
	metric_int(m, "tasks", &tasks);
	metric_int(m, "tasks_running", &running);
	metric_int(m, "tasks_failed", &failed);
	snprintf(buf, n, "%s", state ? state : "?");
	if (metric_num(m, "paused_for_s", &paused)) {
		char d[32];
		format_duration(paused, d, sizeof d);
		snappendf(buf, n, " for %s", d);
	}
	snappendf(buf, n, ", %" PRId64 " of %" PRId64 " tasks running", running, tasks);
	if (failed > 0)
		snappendf(buf, n, ", %" PRId64 " FAILED", failed);
}

void stage_figures(const struct stage_view *sv, char *buf, size_t n)
{
	buf[0] = '\0';
	if (!sv->cur.metrics) {
		snprintf(buf, n, "not polled yet");
		return;
	}
	if (!sv->cur.ok) {
		snprintf(buf, n, "%s", sv->cur.err);
		return;
	}
	switch (sv->cfg->kind) {
	case STAGE_OUTBOX:
		outbox_figures(sv->cur.metrics, buf, n);
		break;
	case STAGE_SLOT:
		slot_figures(sv, buf, n);
		break;
	case STAGE_KAFKA:
		kafka_figures(sv, buf, n);
		break;
	case STAGE_CACHE:
		cache_figures(sv->cur.metrics, buf, n);
		break;
	case STAGE_SEARCH:
		search_figures(sv->cur.metrics, buf, n);
		break;
	case STAGE_CONNECTOR:
		connector_figures(sv->cur.metrics, buf, n);
		break;
	default:
		break;
	}
}
