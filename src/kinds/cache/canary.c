/* canary.c: the cache hop of the end-to-end canary (canary.h), with canary.cache_key set: the
   key the marker's event makes exists (EXISTS, in the database of the stage's URL). */
/* needs: redis */
#include <stdio.h>

#include "backend/redis.h"
#include "kinds/cache/cache.h"
#include "kinds/probe.h"

static enum probe_result cache_canary_hop(const struct probe_ctx *ctx, const struct sample *cur,
                                          double polled, json_t *m, bool *seen, char *err, size_t n)
{
	(void)cur;
	(void)polled;
	*seen = false;
	const char *key = json_string_value(json_object_get(m, "cache_key"));
	if (!key)
		return PROBE_OK; /* no canary.cache_key: no hop here (canary.c never asks) */
	bool broken = false;
	char e[256];
	if (!redis_use_url_db(ctx->session, ctx->st->conn->url, ctx->deadline, e, sizeof e, &broken)) {
		snprintf(err, n, "canary: %s", e);
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	}
	redisReply *r =
	    redis_call(ctx->session, ctx->deadline, 2, (const char *[]){"EXISTS", key}, e, sizeof e, &broken);
	if (!r) {
		snprintf(err, n, "canary: EXISTS of canary.cache_key: %s", e);
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	}
	*seen = r->type == REDIS_REPLY_INTEGER && r->integer > 0;
	freeReplyObject(r);
	return PROBE_OK;
}

const struct probe_canary cache_canary = {.hop = cache_canary_hop, .keyed = true};
