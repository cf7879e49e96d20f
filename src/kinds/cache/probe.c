/* probe.c: the cache stage: a Redis server's memory against maxmemory, its eviction policy, evictions. */
/* needs: redis */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/redis.h"
#include "kinds/cache/cache.h"
#include "kinds/probe.h"
#include "kinds/cache/parse.h"
#include "sanitize.h"

/* Below this, mem_fragmentation_ratio says more about the allocator's floor than about
   fragmentation (13.7 at 900 KB used, measured here). */
#define FRAGMENTATION_MIN_BYTES (64LL << 20)

/* The INFO fields read, each checked: a value that does not parse makes the stage unknown
   with the field named, never a figure made up of it. */
enum { F_USED, F_MAX, F_EVICTED, F_CLIENTS, F_REJECTED, F_HITS, F_MISSES, F_EXPIRED, F__N };
static const char *const count_fields[F__N] = {
    "used_memory",          "maxmemory",     "evicted_keys",    "connected_clients",
    "rejected_connections", "keyspace_hits", "keyspace_misses", "expired_keys",
};

static enum probe_result cache_poll(const struct probe_ctx *ctx, struct sample *out)
{
	/* INFO alone: managed services block CONFIG, and an ACL user may be allowed nothing else.
	   Once a round for every cache stage of the connection (redis_info_round). */
	bool broken;
	const char *text =
	    redis_info_round(ctx->session, ctx->round, ctx->deadline, out->err, sizeof out->err, &broken);
	if (!text)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	json_t *info = redis_info_parse(text);

	int64_t v[F__N];
	bool has[F__N];
	char why[200];
	int got = 0;
	for (int i = 0; i < F__N && got >= 0; i++) {
		got = redis_info_count(info, count_fields[i], &v[i], why, sizeof why);
		has[i] = got > 0;
	}
	double frag = 0;
	int frag_has =
	    got < 0 ? 0 : redis_info_ratio(info, "mem_fragmentation_ratio", &frag, why, sizeof why);
	if (got < 0 || frag_has < 0) {
		json_decref(info);
		sample_set_error(out, "%s", why);
		return PROBE_FAILED;
	}

	json_t *m = out->metrics;
	for (int i = F_USED; i <= F_REJECTED; i++)
		if (has[i])
			json_object_set_new(m, count_fields[i], json_integer((json_int_t)v[i]));
	json_object_set(m, "keys", json_object_get(info, "keys"));
	json_object_set(m, "expires", json_object_get(info, "expires"));
	if (has[F_USED] && has[F_MAX] && v[F_MAX] > 0)
		json_object_set_new(m, "used_ratio", json_real((double)v[F_USED] / (double)v[F_MAX]));
	const char *policy = json_string_value(json_object_get(info, "maxmemory_policy"));
	if (policy)
		json_object_set_new(m, "maxmemory_policy", json_string(policy));
	if (has[F_HITS] && has[F_MISSES] && v[F_HITS] + (double)v[F_MISSES] > 0)
		json_object_set_new(m, "hit_ratio",
		                    json_real((double)v[F_HITS] / ((double)v[F_HITS] + (double)v[F_MISSES])));
	if (has[F_USED] && v[F_USED] >= FRAGMENTATION_MIN_BYTES && frag_has > 0)
		json_object_set_new(m, "mem_fragmentation_ratio", json_real(frag));
	const char *role = json_string_value(json_object_get(info, "role"));
	if (role)
		json_object_set_new(m, "role", json_string(role));
	const char *link = json_string_value(json_object_get(info, "master_link_status"));
	if (link)
		json_object_set_new(m, "master_link_status", json_string(link));

	out->raw = json_object();
	if (has[F_EXPIRED])
		json_object_set_new(out->raw, "expired_keys", json_real((double)v[F_EXPIRED]));
	if (has[F_EVICTED])
		json_object_set_new(out->raw, "evicted_keys", json_real((double)v[F_EVICTED]));
	json_decref(info);

	/* The pause flag (cache.pause_key), when there is one: EXISTS, after INFO. */
	char *flag_err = NULL;
	if (!cache_pause_poll(ctx, m, &flag_err, &broken)) {
		sample_set_error(out, "%s", flag_err);
		free(flag_err);
		return PROBE_BROKEN;
	}
	if (flag_err) {
		out->detail = json_pack("{s:o}", "pause_error", json_string_clean(flag_err));
		free(flag_err);
	}
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

/* The MATCH pattern for keys starting with prefix: glob characters escaped, then '*'. */
static char *match_pattern(const char *prefix)
{
	char *out = xmalloc(strlen(prefix) * 2 + 2), *o = out;
	for (const char *p = prefix; *p; p++) {
		if (strchr("*?[]\\^", *p))
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '*';
	*o = '\0';
	return out;
}

/* On demand only: a bounded SCAN of the keys under cache.key_prefix, and their TTLs. */
static enum probe_result cache_sample(const struct probe_ctx *ctx, json_t **result, char *err, size_t n)
{
	const struct cache_opts *st = cache_opts(ctx->st);
	if (!st->key_prefix) {
		snprintf(err, n, "cache.key_prefix is not set: nothing to sample");
		return PROBE_FAILED;
	}
	bool broken;
	if (!redis_select_url_db(ctx->session, ctx->st->conn->url, ctx->deadline, err, n, &broken))
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	char *pattern = match_pattern(st->key_prefix);
	char cursor[32] = "0";
	int64_t sampled = 0, with_ttl = 0, without_ttl = 0, calls = 0;
	bool complete = false, out_of_time = false;
	enum probe_result res = PROBE_OK;
	while (sampled < st->sample_keys) {
		if (now_mono() > ctx->deadline - 0.05) {
			out_of_time = true;
			break;
		}
		const char *argv[6] = {"SCAN", cursor, "MATCH", pattern, "COUNT", "100"};
		redisReply *r = redis_call(ctx->session, ctx->deadline, 6, argv, err, n, &broken);
		calls++;
		if (!r) {
			res = broken ? PROBE_BROKEN : PROBE_FAILED;
			break;
		}
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_ARRAY) {
			snprintf(err, n, "SCAN answered with something unexpected");
			freeReplyObject(r);
			res = PROBE_FAILED;
			break;
		}
		strlcpy_safe(cursor, r->element[0]->str, sizeof cursor);
		size_t count = r->element[1]->elements;
		if ((int64_t)count > st->sample_keys - sampled)
			count = (size_t)(st->sample_keys - sampled);
		const char **keys = xcalloc(count + 1, sizeof *keys);
		redisReply **ttls = xcalloc(count + 1, sizeof *ttls);
		for (size_t i = 0; i < count; i++)
			keys[i] = r->element[1]->element[i]->str;
		bool ok = count == 0 || redis_call_each(ctx->session, ctx->deadline, "TTL", count, keys, ttls,
		                                        err, n, &broken);
		for (size_t i = 0; ok && i < count; i++) {
			if (ttls[i]->type == REDIS_REPLY_INTEGER && ttls[i]->integer != -2) {
				sampled++;
				if (ttls[i]->integer >= 0)
					with_ttl++;
				else
					without_ttl++;
			}
			freeReplyObject(ttls[i]);
		}
		free(keys);
		free(ttls);
		freeReplyObject(r);
		if (!ok) {
			res = broken ? PROBE_BROKEN : PROBE_FAILED;
			break;
		}
		if (!strcmp(cursor, "0")) {
			complete = true;
			break;
		}
	}
	free(pattern);
	if (res != PROBE_OK)
		return res;
	*result = json_pack("{s:s, s:I, s:I, s:I, s:I, s:b, s:b, s:I}", "prefix", st->key_prefix, "sampled",
	                    (json_int_t)sampled, "with_ttl", (json_int_t)with_ttl, "without_ttl",
	                    (json_int_t)without_ttl, "limit", (json_int_t)st->sample_keys, "complete",
	                    complete, "out_of_time", out_of_time, "scan_calls", (json_int_t)calls);
	return PROBE_OK;
}

const struct probe cache_probe = {
    .poll = cache_poll,
    .derive = cache_derive,
    .sample = cache_sample,
    .actions = cache_actions,
    .canary = &cache_canary,
};
