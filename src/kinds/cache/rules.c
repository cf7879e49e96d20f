/* rules.c: the Redis rules: memory, eviction, unbounded and TTL-less caches, a worker paused by its flag
   key. Pure. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "human.h"
#include "kinds/cache/cache.h"
#include "rules.h"
#include "sanitize.h"
#include "units.h"

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

/* worker-paused: cache.pause_key is set, so the worker watching it holds (RUNBOOK.md). */
static void pause_rule(struct pipeline_view *pv, struct stage_view *sv)
{
	const json_t *m = sv->cur.metrics;
	const char *key = cache_opts(sv->cfg)->pause_key;
	bool paused = false;
	char k[200];
	if (!key)
		return;
	text_clean(k, sizeof k, key, strlen(key));
	const char *unreadable = json_string_value(json_object_get(sv->cur.detail, "pause_error"));
	if (unreadable) {
		raise_status(sv, ST_WARN, "cannot tell whether the worker is paused: %s", unreadable);
		return;
	}
	if (!metric_bool(m, "paused", &paused) || !paused)
		return;
	double since = 0;
	metric_num(m, "paused_for_s", &since);
	const char *since_iso = metric_str(m, "paused_since");
	char d_s[32];
	format_duration(since, d_s, sizeof d_s);
	raise_status(sv, ST_WARN, "worker paused for %s (key %s)", d_s, k);
	struct diagnosis *d = add_diag(pv, sv, "worker-paused", ST_WARN, ACTION_RESUME);
	diag_since_from(d, sv, "paused_for_s", true);
	snprintf(d->symptom, sizeof d->symptom,
	         "the worker is paused by its flag key: nothing flows until the key is deleted");
	snprintf(d->evidence, sizeof d->evidence, "key %s on %s has been set for at least %s (seen since %s)",
	         k, sv->cfg->conn->name, d_s, since_iso ? since_iso : "?");
	snprintf(d->next, sizeof d->next, "resume it: key u, or synctop action resume %s", pv->cfg->name);
}

void cache_rules(struct pipeline_view *pv, struct stage_view *sv)
{
	const struct cache_opts *st = cache_opts(sv->cfg);
	const json_t *m = sv->cur.metrics;
	double ratio = -1, evicted_rate = 0, used = 0, max = 0;
	int64_t keys = 0, expires = 0, evicted = 0;
	bool have_ratio = metric_num(m, "used_ratio", &ratio);
	bool have_rate = metric_num(m, "evicted_per_s", &evicted_rate);
	metric_num(m, "used_memory", &used);
	bool have_max = metric_num(m, "maxmemory", &max);
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
		char pct[16];
		human_ratio(ratio, pct, sizeof pct);
		if (rs != ST_OK)
			raise_status(sv, rs, "memory %s of maxmemory (%s of %s)", pct, u, mx);
	}
	if (have_ratio && policy && !strcmp(policy, "noeviction") && ratio >= st->used_warn) {
		char pct[16];
		human_ratio(ratio, pct, sizeof pct);
		raise_status(sv, ST_CRIT, "noeviction at %s of maxmemory: writes will fail", pct);
		struct diagnosis *d = add_diag(pv, sv, "cache-noeviction-full", ST_CRIT, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom,
		         "writes to the cache are about to fail with OOM errors");
		snprintf(d->evidence, sizeof d->evidence, "maxmemory-policy noeviction, %s used of %s (%s)",
		         u, mx, pct);
		snprintf(d->next, sizeof d->next,
		         "raise maxmemory, or switch to an evicting policy (allkeys-lru for a cache; for "
		         "sessions, "
		         "volatile-lru with a TTL on every session)");
	}
	if (have_max && max == 0) { /* not reported (a proxy hiding it) is not "unlimited" */
		raise_status(sv, ST_WARN, "maxmemory 0: no limit");
		struct diagnosis *d = add_diag(pv, sv, "cache-unbounded", ST_WARN, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom,
		         "the cache may grow until the host runs out of memory");
		snprintf(d->evidence, sizeof d->evidence, "maxmemory is 0 (unlimited), %s used", u);
		snprintf(d->next, sizeof d->next,
		         "set maxmemory below the host's memory, with an eviction policy");
	}
	if (policy && !strncmp(policy, "volatile-", 9) && keys > 0 && expires * 2 < keys) {
		raise_status(sv, ST_WARN, "%s but most keys have no TTL", policy);
		struct diagnosis *d = add_diag(pv, sv, "cache-volatile-no-ttl", ST_WARN, ACTION_NONE);
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
		char er[32], ev[32];
		human_number(evicted_rate, er, sizeof er);
		human_count((double)evicted, ev, sizeof ev);
		raise_status(sv, es, "evicting %s keys/s", er);
		struct diagnosis *d = add_diag(pv, sv, "cache-evicting", es, ACTION_NONE);
		snprintf(
		    d->symptom, sizeof d->symptom,
		    "keys are being evicted: a session missing from Redis though its PostgreSQL row exists");
		snprintf(d->evidence, sizeof d->evidence,
		         "%s keys/s evicted (%s since start), %s of %s used, policy %s", er, ev, u, mx,
		         policy ? policy : "?");
		append_key_sample(d, sv);
		snprintf(
		    d->next, sizeof d->next,
		    "raise maxmemory or change the eviction policy (keep sessions out of allkeys-* eviction, "
		    "or in their own Redis)");
	}
	pause_rule(pv, sv);
}
