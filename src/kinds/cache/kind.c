/* kind.c: the cache kind: a Redis cache: memory, eviction, TTLs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"
#include "kinds/cache/cache.h"
#include "redact.h"
#include "units.h"

static const struct metric_def cache_metrics[] = {
    {"used_memory", MU_BYTES, true},
    {"maxmemory", MU_BYTES, true},
    {"used_ratio", MU_RATIO, true},
    {"maxmemory_policy", MU_TEXT, true},
    {"evicted_keys", MU_COUNTER, true},
    {"evicted_per_s", MU_PER_SECOND, true},
    {"expired_per_s", MU_PER_SECOND, true},
    {"hit_ratio", MU_RATIO, true},
    /* beyond the contract */
    {"connected_clients", MU_COUNT, false},
    {"rejected_connections", MU_COUNTER, false},
    {"keys", MU_COUNT, false},
    {"expires", MU_COUNT, false},
    {"mem_fragmentation_ratio", MU_FACTOR, false},
    {"role", MU_TEXT, false},
    {"master_link_status", MU_TEXT, false},
    {"paused", MU_BOOL, false},       /* cache.pause_key is set; null without one */
    {"paused_since", MU_TEXT, false}, /* since when synctop has seen it set */
    {"paused_for_s", MU_SECONDS, false},
    {0},
};

/* The options of its metrics' thresholds, and their bounds (kind.h). */
static const struct metric_extra cache_extras[] = {
    {.metric = "used_memory", .max_metric = "maxmemory"},
    {.metric = "used_ratio", .warn_opt = "cache.used_warn", .crit_opt = "cache.used_crit"},
    {.metric = "evicted_per_s", .warn_opt = "cache.evicted_warn", .crit_opt = "cache.evicted_crit"},
    {0},
};

static void cache_target(const struct stage_cfg *st, char *buf, size_t n)
{
	/* host:port/db or the socket path, without any password */
	char *r = redact_url(st->conn && st->conn->url ? st->conn->url : "");
	const char *p = strstr(r, "://") ? strstr(r, "://") + 3 : r;
	const char *at = strrchr(p, '@');
	strlcpy_safe(buf, at ? at + 1 : p, n);
	free(r);
}

static void cache_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	double used = 0, max = 0, ratio, rate, paused_for;
	bool paused = false;
	char u[32], mx[32];
	metric_num(m, "used_memory", &used);
	metric_num(m, "maxmemory", &max);
	format_size(used, u, sizeof u);
	format_size(max, mx, sizeof mx);
	buf[0] = '\0';
	if (metric_bool(m, "paused", &paused) && paused) {
		char d[32] = "";
		if (metric_num(m, "paused_for_s", &paused_for))
			format_duration(paused_for, d, sizeof d);
		snappendf(buf, n, "paused%s%s, ", *d ? " " : "", d);
	}
	char pct[16];
	if (metric_num(m, "used_ratio", &ratio)) {
		human_ratio(ratio, pct, sizeof pct);
		snappendf(buf, n, "mem %s of %s (%s)", u, mx, pct);
	} else {
		snappendf(buf, n, "mem %s, no maxmemory", u);
	}
	const char *policy = metric_str(m, "maxmemory_policy");
	if (policy)
		snappendf(buf, n, ", %s", policy);
	if (metric_num(m, "evicted_per_s", &rate)) {
		char r[32];
		human_rate(rate, r, sizeof r);
		snappendf(buf, n, ", evicting %s", r);
	}
	int64_t keys = 0;
	if (metric_int(m, "keys", &keys)) {
		char k[32];
		human_count((double)keys, k, sizeof k);
		snappendf(buf, n, ", %s keys", k);
	}
	if (metric_num(m, "hit_ratio", &ratio)) {
		human_ratio(ratio, pct, sizeof pct);
		snappendf(buf, n, ", hits %s", pct);
	}
}

/* The on-demand key sample needs a key prefix. */
static bool cache_sample_ready(const struct stage_cfg *st, char *buf, size_t n)
{
	const struct cache_opts *o = cache_opts(st);
	if (!o->key_prefix) {
		strlcpy_safe(
		    buf, "no cache.key_prefix for this stage: set one (e.g. session:) to sample its keys", n);
		return false;
	}
	snprintf(buf, n, "up to %" PRId64 " keys of %s*", o->sample_keys, o->key_prefix);
	return true;
}

const struct kind cache_kind = {
    .name = "cache",
    .canary_stuck = "canary.cache_key not in the cache",
    .conn = CONN_REDIS,
    .options = cache_options,
    .opts_size = sizeof(struct cache_opts),
    .metrics = cache_metrics,
    .main_metric = "used_memory",
#ifdef HAVE_REDIS
    .probe = &cache_probe,
#endif
    .sample_ready = cache_sample_ready,
    .sample_help = "the keys of a cache stage",
    .target = cache_target,
    .evaluate = cache_rules,
    .rules = cache_rule_defs,
    .figures = cache_figures,
    .actions = ACTION_BIT(ACTION_PAUSE) | ACTION_BIT(ACTION_RESUME),
    .extras = cache_extras,
};
