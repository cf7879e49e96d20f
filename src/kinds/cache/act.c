/* act.c: pause (SET) and resume (DEL) a worker through the Redis flag key it watches (cache.pause_key). */
/* needs: redis */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/redis.h"
#include "kinds/cache/cache.h"
#include "sanitize.h"
#include "units.h"

/* An argument as shown in a command line ("relay:paused", or "\"a b\"" when it has blanks or
   quotes), on one line and without control characters. */
static void show_arg(char *buf, size_t n, const char *s)
{
	char clean[256];
	text_clean(clean, sizeof clean, s, strlen(s));
	if (*clean && !strpbrk(clean, " \t\"'\\")) {
		strlcpy_safe(buf, clean, n);
		return;
	}
	strlcpy_safe(buf, "\"", n);
	for (const char *p = clean; *p; p++)
		snappendf(buf, n, "%s%c", *p == '"' || *p == '\\' ? "\\" : "", *p);
	snappendf(buf, n, "\"");
}

/* The command pause or resume sends, as shown and audited ("SET relay:paused 1 NX"). */
static void command_line(const struct cache_opts *o, bool pause, char *buf, size_t n)
{
	char k[300], v[300];
	show_arg(k, sizeof k, o->pause_key);
	if (!pause) {
		snprintf(buf, n, "DEL %s", k);
		return;
	}
	show_arg(v, sizeof v, o->pause_value);
	snprintf(buf, n, "SET %s %s NX", k, v);
}

/* One command in the database of the stage's URL: the reply, or NULL with err (*broken: the
   connection must go). */
static redisReply *call(const struct probe_ctx *ctx, int argc, const char **argv, char *err, size_t n,
                        bool *broken)
{
	if (!redis_use_url_db(ctx->session, ctx->st->conn->url, ctx->deadline, err, n, broken))
		return NULL;
	return redis_call(ctx->session, ctx->deadline, argc, argv, err, n, broken);
}

/* Whether key exists: 1 or 0, or -1 with err. */
static int key_exists(const struct probe_ctx *ctx, const char *key, char *err, size_t n, bool *broken)
{
	char e[256];
	redisReply *r = call(ctx, 2, (const char *[]){"EXISTS", key}, e, sizeof e, broken);
	if (!r) {
		snprintf(err, n, "EXISTS of cache.pause_key: %s", e);
		return -1;
	}
	int got = r->type == REDIS_REPLY_INTEGER ? (r->integer > 0) : -1;
	freeReplyObject(r);
	if (got < 0)
		snprintf(err, n, "EXISTS of cache.pause_key answered something that is not a number");
	return got;
}

/* The wall time synctop first saw the flag set (memo "paused_since"), set to now when absent;
   the memo is the cache probe's object, other members left alone. */
static double memo_since(json_t **memo, double now)
{
	if (!json_is_object(*memo)) {
		json_decref(*memo);
		*memo = json_object();
	}
	json_t *since = json_object_get(*memo, "paused_since");
	if (json_is_number(since))
		return json_number_value(since);
	json_object_set_new(*memo, "paused_since", json_real(now));
	return now;
}

static void memo_forget(json_t **memo)
{
	if (json_is_object(*memo))
		json_object_del(*memo, "paused_since");
}

bool cache_pause_poll(const struct probe_ctx *ctx, json_t *m, char **why_out, bool *broken)
{
	const char *key = cache_opts(ctx->st)->pause_key;
	*broken = false;
	if (!key)
		return true;
	char err[300];
	int set = key_exists(ctx, key, err, sizeof err, broken);
	if (set < 0) {
		*why_out = xstrdup(err);
		return !*broken; /* unknown: the flag's metrics stay null, since when is kept */
	}
	json_object_set_new(m, "paused", json_boolean(set));
	if (!set) {
		memo_forget(ctx->memo);
		return true;
	}
	/* Redis does not say since when a key exists: since synctop saw it. */
	double now = now_wall(), since = memo_since(ctx->memo, now);
	char iso[32];
	iso8601(since, iso, sizeof iso);
	json_object_set_new(m, "paused_since", json_string(iso));
	json_object_set_new(m, "paused_for_s", json_real(now - since));
	return true;
}

/* ---- offered: pause when the flag is not set, resume when it is ---- */

static bool offered(const struct stage_cfg *st, const struct sample *cur, bool pause, char *why, size_t n)
{
	const struct cache_opts *o = cache_opts(st);
	if (!o->pause_key) {
		snprintf(why, n, "no cache.pause_key");
		return false;
	}
	bool paused;
	if (!cur || !metric_bool(cur->metrics, "paused", &paused))
		return true; /* not read yet: the preview reads it */
	if (paused == pause) {
		char k[300];
		show_arg(k, sizeof k, o->pause_key);
		snprintf(why, n, pause ? "already paused (key %s is set)" : "not paused (no key %s)", k);
		return false;
	}
	return true;
}

static bool pause_offered(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	return offered(st, cur, true, why, n);
}

static bool resume_offered(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	return offered(st, cur, false, why, n);
}

/* ---- preview: EXISTS and TTL of the key; pinned: whether it existed ---- */

static enum probe_result flag_preview(const struct probe_ctx *ctx, bool pause, json_t **out, char *err,
                                      size_t n)
{
	const struct cache_opts *o = cache_opts(ctx->st);
	if (!o->pause_key) {
		*out = json_pack("{s:s}", "refuse", "no cache.pause_key: this stage pauses no worker");
		return PROBE_OK;
	}
	bool broken;
	int set = key_exists(ctx, o->pause_key, err, n, &broken);
	if (set < 0)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	char k[300], cmd[640], target[400], now_line[160];
	show_arg(k, sizeof k, o->pause_key);
	command_line(o, pause, cmd, sizeof cmd);
	snprintf(target, sizeof target, "key %s on %s", k, ctx->st->conn->name);
	strlcpy_safe(now_line, set ? "now: set" : "now: not set", sizeof now_line);
	if (set) {
		char e[256];
		redisReply *r = call(ctx, 2, (const char *[]){"TTL", o->pause_key}, e, sizeof e, &broken);
		if (!r && broken) {
			snprintf(err, n, "TTL of cache.pause_key: %s", e);
			return PROBE_BROKEN;
		}
		if (r && r->type == REDIS_REPLY_INTEGER && r->integer >= 0) {
			char d[32];
			format_duration((double)r->integer, d, sizeof d);
			snappendf(now_line, sizeof now_line, ", expires by itself in %s", d);
		} else if (r && r->type == REDIS_REPLY_INTEGER && r->integer == -1) {
			snappendf(now_line, sizeof now_line, ", no TTL");
		}
		if (r)
			freeReplyObject(r);
		json_t *since =
		    json_is_object(*ctx->memo) ? json_object_get(*ctx->memo, "paused_since") : NULL;
		if (json_is_number(since)) {
			char iso[32];
			iso8601(json_number_value(since), iso, sizeof iso);
			snappendf(now_line, sizeof now_line, ", seen set since %s", iso);
		}
	}
	json_t *p = json_object();
	json_object_set_new(p, "target", json_string_clean(target));
	json_object_set_new(p, "count", json_integer(1));
	json_t *pin = json_object();
	json_object_set_new(pin, "key", json_string_clean(o->pause_key));
	json_object_set_new(pin, "existed", json_boolean(set));
	json_object_set_new(p, "pin", pin);
	char s[1100];
	snprintf(s, sizeof s, "will send: %s (%s expected)", cmd, pause ? "OK" : "1");
	json_t *lines = json_array();
	json_array_append_new(lines, json_string_clean(s));
	json_array_append_new(lines, json_string_clean(now_line));
	json_object_set_new(p, "lines", lines);
	if (pause == set) { /* nothing to do: refused, and the summary says why */
		snprintf(s, sizeof s,
		         pause ? "already paused: key %s is set" : "not paused: key %s is not set", k);
		json_object_set_new(p, "refuse", json_string_clean(s));
	} else {
		snprintf(s, sizeof s, "key %s is %s: %s %s the worker that watches it", k,
		         set ? "set" : "not set", cmd, pause ? "pauses" : "resumes");
	}
	json_object_set_new(p, "summary", json_string_clean(s));
	*out = p;
	return PROBE_OK;
}

static enum probe_result pause_preview(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                       char *err, size_t n)
{
	(void)scope;
	return flag_preview(ctx, true, out, err, n);
}

static enum probe_result resume_preview(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                        char *err, size_t n)
{
	(void)scope;
	return flag_preview(ctx, false, out, err, n);
}

/* ---- apply: the pin still holds, then SET ... NX (pause) or DEL (resume) ---- */

/* Nothing was applied: the flag is not as previewed. *out says so, with a new preview. */
static enum probe_result changed(const struct probe_ctx *ctx, bool pause, const char *why, json_t **out,
                                 char *err, size_t n)
{
	json_t *np = NULL;
	enum probe_result r = flag_preview(ctx, pause, &np, err, n);
	if (r != PROBE_OK)
		return r;
	*out = json_pack("{s:o, s:o, s:i}", "changed", json_string_clean(why), "preview", np, "affected", 0);
	return PROBE_OK;
}

static enum probe_result flag_apply(const struct probe_ctx *ctx, bool pause, const json_t *preview,
                                    json_t **out, char *err, size_t n)
{
	const struct cache_opts *o = cache_opts(ctx->st);
	const json_t *pin = json_object_get(preview, "pin");
	const char *pinned_key = json_string_value(json_object_get(pin, "key"));
	const json_t *existed = json_object_get(pin, "existed");
	json_t *key = o->pause_key ? json_string_clean(o->pause_key) : NULL;
	bool same = key && pinned_key && !strcmp(pinned_key, json_string_value(key));
	json_decref(key);
	if (!same || !json_is_boolean(existed)) {
		snprintf(err, n, "the preview does not pin this stage's cache.pause_key (nothing was sent)");
		return PROBE_FAILED;
	}
	char k[300], cmd[640], why[400];
	show_arg(k, sizeof k, o->pause_key);
	command_line(o, pause, cmd, sizeof cmd);
	bool broken;
	int set = key_exists(ctx, o->pause_key, err, n, &broken);
	if (set < 0)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	if (set != json_is_true(existed)) {
		snprintf(why, sizeof why, "key %s was %s since the preview", k, set ? "set" : "deleted");
		return changed(ctx, pause, why, out, err, n);
	}
	/* NX: set only while it is still absent, so that a pause set by someone else in between
	   is not overwritten (nor its TTL cleared). */
	const char *set_argv[4] = {"SET", o->pause_key, o->pause_value, "NX"};
	const char *del_argv[2] = {"DEL", o->pause_key};
	char e[256];
	redisReply *r = pause ? redis_call(ctx->session, ctx->deadline, 4, set_argv, e, sizeof e, &broken)
	                      : redis_call(ctx->session, ctx->deadline, 2, del_argv, e, sizeof e, &broken);
	if (!r) {
		if (broken)
			snprintf(err, n,
			         "%s: %s: no answer, so the key may or may not have changed (see EXISTS %s)",
			         cmd, e, k);
		else
			snprintf(err, n, "%s: %s (nothing was applied)", cmd, e);
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	}
	json_t *answer = NULL;
	bool done = false;
	if (pause && r->type == REDIS_REPLY_STATUS) {
		answer = json_string_clean(r->str);
		done = true;
	} else if (pause && r->type == REDIS_REPLY_NIL) {
		snprintf(why, sizeof why, "key %s was set by someone else just before the SET", k);
	} else if (!pause && r->type == REDIS_REPLY_INTEGER) {
		char c[32];
		snprintf(c, sizeof c, "%lld", (long long)r->integer);
		answer = json_string(c);
		done = r->integer > 0;
		if (!done)
			snprintf(why, sizeof why, "key %s was deleted by someone else just before the DEL",
			         k);
	} else {
		snprintf(err, n, "%s answered something unexpected (reply type %d)", cmd, r->type);
		freeReplyObject(r);
		return PROBE_FAILED;
	}
	freeReplyObject(r);
	if (!done) {
		json_decref(answer);
		return changed(ctx, pause, why, out, err, n);
	}
	if (pause)
		memo_since(ctx->memo, now_wall()); /* synctop set it: the pause starts now */
	else
		memo_forget(ctx->memo);
	*out = json_pack("{s:o, s:o, s:i, s:{s:o, s:b}}", "sent", json_string_clean(cmd), "answer", answer,
	                 "affected", 1, "readback", "key", json_string_clean(o->pause_key), "paused", pause);
	return PROBE_OK;
}

static enum probe_result pause_apply(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                     json_t **out, char *err, size_t n)
{
	(void)scope;
	return flag_apply(ctx, true, preview, out, err, n);
}

static enum probe_result resume_apply(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                      json_t **out, char *err, size_t n)
{
	(void)scope;
	return flag_apply(ctx, false, preview, out, err, n);
}

/* ---- readback: EXISTS shows the new state ---- */

static enum probe_result flag_readback(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                       char *err, size_t n)
{
	const struct cache_opts *o = cache_opts(ctx->st);
	const json_t *rb = json_object_get(applied, "readback");
	const json_t *want = json_object_get(rb, "paused");
	if (!o->pause_key || !json_is_boolean(want)) {
		snprintf(err, n, "nothing to read back: no cache.pause_key or no expected state");
		return PROBE_FAILED;
	}
	bool broken;
	int set = key_exists(ctx, o->pause_key, err, n, &broken);
	if (set < 0)
		return broken ? PROBE_BROKEN : PROBE_FAILED;
	char k[300], seen[400];
	show_arg(k, sizeof k, o->pause_key);
	snprintf(seen, sizeof seen, "key %s is %s", k,
	         set ? "set: the worker is paused" : "gone: the worker may run");
	*out =
	    json_pack("{s:b, s:o}", "confirmed", set == json_is_true(want), "seen", json_string_clean(seen));
	return PROBE_OK;
}

const struct kind_action cache_actions[] = {
    {
        .action = ACTION_PAUSE,
        .offered = pause_offered,
        .preview = pause_preview,
        .apply = pause_apply,
        .readback = flag_readback,
        .does = "sets cache.pause_key (SET KEY VALUE NX), the flag the worker watches; offered only while it "
                "is not set",
    },
    {
        .action = ACTION_RESUME,
        .offered = resume_offered,
        .preview = resume_preview,
        .apply = resume_apply,
        .readback = flag_readback,
        .does = "deletes cache.pause_key (DEL KEY), the flag the worker watches; offered only while it is "
                "set",
    },
    {.action = ACTION_NONE},
};
