/* cache.c: the cache stage: a Redis server's memory against maxmemory, its eviction policy, evictions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/redis.h"
#include "probe.h"
#include "redis_info.h"

static const char *const cache_metrics[] = {
    "used_memory",
    "maxmemory",
    "used_ratio",
    "maxmemory_policy",
    "evicted_keys",
    "evicted_per_s",
    "expired_per_s",
    "hit_ratio",
    "connected_clients",
    "rejected_connections",
    "keys",
    "expires",
    "mem_fragmentation_ratio",
    "role",
    "master_link_status",
    NULL,
};

/* Below this, mem_fragmentation_ratio says more about the allocator's floor than about
   fragmentation (13.7 at 900 KB used, measured here). */
#define FRAGMENTATION_MIN_BYTES (64LL << 20)

static bool num_of(json_t *info, const char *field, double *out)
{
	const char *v = json_string_value(json_object_get(info, field));
	char *end;
	if (!v || !*v)
		return false;
	*out = strtod(v, &end);
	return *end == '\0';
}

static void set_int(json_t *m, json_t *info, const char *field)
{
	double v;
	if (num_of(info, field, &v))
		json_object_set_new(m, field, json_integer((json_int_t)v));
}

static enum probe_result cache_poll(const struct probe_ctx *ctx, struct sample *out)
{
	/* INFO alone: managed services block CONFIG, and an ACL user may be allowed nothing else. */
	const char *argv[1] = {"INFO"};
	bool broken;
	redisReply *r = redis_call(ctx->session, ctx->deadline, 1, argv, out->err, sizeof out->err, &broken);
	if (!r)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) {
		freeReplyObject(r);
		sample_set_error(out, "INFO answered with something that is not text");
		return PROBE_FAILED;
	}
	json_t *info = redis_info_parse(r->str);
	freeReplyObject(r);

	json_t *m = out->metrics;
	double used = 0, max = 0, hits, misses, frag;
	set_int(m, info, "used_memory");
	set_int(m, info, "maxmemory");
	set_int(m, info, "evicted_keys");
	set_int(m, info, "connected_clients");
	set_int(m, info, "rejected_connections");
	json_object_set(m, "keys", json_object_get(info, "keys"));
	json_object_set(m, "expires", json_object_get(info, "expires"));
	if (num_of(info, "used_memory", &used) && num_of(info, "maxmemory", &max) && max > 0)
		json_object_set_new(m, "used_ratio", json_real(used / max));
	const char *policy = json_string_value(json_object_get(info, "maxmemory_policy"));
	if (policy)
		json_object_set_new(m, "maxmemory_policy", json_string(policy));
	if (num_of(info, "keyspace_hits", &hits) && num_of(info, "keyspace_misses", &misses) &&
	    hits + misses > 0)
		json_object_set_new(m, "hit_ratio", json_real(hits / (hits + misses)));
	if (used >= (double)FRAGMENTATION_MIN_BYTES && num_of(info, "mem_fragmentation_ratio", &frag))
		json_object_set_new(m, "mem_fragmentation_ratio", json_real(frag));
	const char *role = json_string_value(json_object_get(info, "role"));
	if (role)
		json_object_set_new(m, "role", json_string(role));
	const char *link = json_string_value(json_object_get(info, "master_link_status"));
	if (link)
		json_object_set_new(m, "master_link_status", json_string(link));

	double expired = 0, evicted = 0;
	out->raw = json_object();
	if (num_of(info, "expired_keys", &expired))
		json_object_set_new(out->raw, "expired_keys", json_real(expired));
	if (num_of(info, "evicted_keys", &evicted))
		json_object_set_new(out->raw, "evicted_keys", json_real(evicted));
	json_decref(info);
	return PROBE_OK;
}

/* evicted_per_s and expired_per_s from the counters of two polls (null after a restart). */
static void cache_derive(const struct stage_cfg *st, const struct sample *prev, struct sample *cur)
{
	(void)st;
	double dt = cur->mono - prev->mono, a, b, rate;
	static const char *const counters[][2] = {{"evicted_keys", "evicted_per_s"},
	                                          {"expired_keys", "expired_per_s"}};
	for (size_t i = 0; i < 2; i++)
		if (metric_num(prev->raw, counters[i][0], &a) && metric_num(cur->raw, counters[i][0], &b) &&
		    rate_per_s(a, b, dt, &rate))
			json_object_set_new(cur->metrics, counters[i][1], json_real(rate));
}

const struct probe cache_probe = {
    .name = "cache",
    .kind = STAGE_CACHE,
    .metrics = cache_metrics,
    .main_metric = "used_memory",
    .poll = cache_poll,
    .derive = cache_derive,
};
