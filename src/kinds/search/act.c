/* act.c: the search stage's actions: force a refresh of the index (F) and restore its default
   refresh interval (I): previewed, pinned to the indices' uuids, applied, read back. */
/* needs: search */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"
#include "backend/http_error.h"
#include "kinds/act.h"
#include "kinds/search/parse.h"
#include "kinds/search/search.h"
#include "sanitize.h"
#include "util.h"

/* At most one refresh per index (connection and index) per this many seconds, in this process,
   whatever the key repeat: the ES docs call refresh resource-intensive. */
#define REFRESH_EVERY_S 5.0

#define RESTORE_BODY "{\"index\":{\"refresh_interval\":null}}"
#define DEFAULT_NOTE "1s unless index.search.idle.after applies"

/* ------------------------------------------------------------------------------------------
   The rate limit: the time of the last refresh sent per connection and index.
   ------------------------------------------------------------------------------------------ */
static pthread_mutex_t rl_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char key[384];
	double at; /* monotonic; 0: free */
} rl[32];

static void rl_key(const struct probe_ctx *ctx, char *key, size_t n)
{
	snprintf(key, n, "%s\x1f%s", ctx->st->conn->name, search_opts(ctx->st)->index);
}

/* Seconds since the last refresh of key within REFRESH_EVERY_S, or -1 (none that recent). */
static double rl_since_locked(const char *key, double now)
{
	for (size_t i = 0; i < sizeof rl / sizeof rl[0]; i++)
		if (rl[i].at > 0 && now - rl[i].at < REFRESH_EVERY_S && !strcmp(rl[i].key, key))
			return now - rl[i].at;
	return -1;
}

static double rl_since(const char *key)
{
	pthread_mutex_lock(&rl_mu);
	double ago = rl_since_locked(key, now_mono());
	pthread_mutex_unlock(&rl_mu);
	return ago;
}

/* True, the refresh of key recorded as sent now, when none was within REFRESH_EVERY_S; false
   with how long ago it was otherwise. */
static bool rl_claim(const char *key, double *ago)
{
	pthread_mutex_lock(&rl_mu);
	double now = now_mono();
	*ago = rl_since_locked(key, now);
	bool ok = *ago < 0;
	if (ok) {
		size_t slot = 0; /* the same key's entry, else the oldest */
		for (size_t i = 0; i < sizeof rl / sizeof rl[0]; i++) {
			if (!strcmp(rl[i].key, key)) {
				slot = i;
				break;
			}
			if (rl[i].at < rl[slot].at)
				slot = i;
		}
		strlcpy_safe(rl[slot].key, key, sizeof rl[slot].key);
		rl[slot].at = now;
	}
	pthread_mutex_unlock(&rl_mu);
	return ok;
}

/* ------------------------------------------------------------------------------------------
   Reading the index: its settings (uuids, refresh_interval) and its refresh count.
   ------------------------------------------------------------------------------------------ */
struct index_state {
	struct search_figures f; /* refresh_interval, refresh_explicit, search_idle_after, refresh_total */
	json_t *uuids;           /* {"products": "uuid"} */
	json_t *detail;          /* [{index, refresh_interval, explicit, search_idle_after}] */
};

static void index_state_free(struct index_state *s)
{
	json_decref(s->uuids);
	json_decref(s->detail);
	s->uuids = s->detail = NULL;
}

/* The configured index as a path segment (free it). */
static char *index_segment(const struct probe_ctx *ctx)
{
	return http_escape_segment(search_opts(ctx->st)->index);
}

/* GET /{index}/_settings, and with stats GET /{index}/_stats/refresh: false with err. */
static bool read_index(const struct probe_ctx *ctx, bool stats, struct index_state *s, char *err, size_t n)
{
	memset(s, 0, sizeof *s);
	search_figures_init(&s->f);
	const char *name = search_opts(ctx->st)->index;
	char *ix = index_segment(ctx);
	char *path = xasprintf("/%s/_settings?include_defaults=true&filter_path=*.settings.index.uuid,"
	                       "*.settings.index.refresh_interval,*.settings.index.search.idle.after,"
	                       "*.defaults.index.refresh_interval,*.defaults.index.search.idle.after",
	                       ix);
	json_t *j = http_json(ctx->session, "GET", path, NULL, ctx->deadline, err, n);
	free(path);
	bool ok = j && search_parse_settings(j, &s->f, err, n);
	if (ok) {
		s->uuids = search_index_uuids(j);
		s->detail = search_settings_detail(j);
		if (s->f.n_indices == 0) {
			snprintf(err, n, "GET /%s/_settings names no index: nothing is called %s", ix, name);
			ok = false;
		}
	}
	json_decref(j);
	if (ok && stats) {
		path = xasprintf("/%s/_stats/refresh", ix);
		j = http_json(ctx->session, "GET", path, NULL, ctx->deadline, err, n);
		ok = j && search_parse_stats(j, &s->f, err, n);
		if (ok && !s->f.refresh_total.known) {
			snprintf(err, n, "GET /%s/_stats/refresh has no _all.primaries.refresh.total", ix);
			ok = false;
		}
		json_decref(j);
		free(path);
	}
	free(ix);
	if (!ok)
		index_state_free(s);
	return ok;
}

/* The preview's common part: target, and the pin of the indices behind the name. */
static json_t *preview_base(const struct probe_ctx *ctx, const struct index_state *s)
{
	json_t *p = json_object();
	char target[512];
	snprintf(target, sizeof target, "index %s on %s", search_opts(ctx->st)->index, ctx->st->conn->name);
	json_object_set_new(p, "target", json_string_clean(target));
	json_object_set_new(p, "lines", json_array());
	json_t *pin = json_object();
	json_object_set(pin, "uuids", s->uuids);
	json_object_set_new(p, "pin", pin);
	return p;
}

static void add_line(json_t *preview, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void add_line(json_t *preview, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	json_array_append_new(json_object_get(preview, "lines"), json_string_clean(line));
}

/* "refresh_interval 1s (the default)", or per index when several stand behind the name. */
static void interval_lines(json_t *preview, const char *label, const struct index_state *s)
{
	if (json_array_size(s->detail) == 1) {
		const json_t *row = json_array_get(s->detail, 0);
		const char *ri = json_string_value(json_object_get(row, "refresh_interval"));
		add_line(preview, "%srefresh_interval %s (%s)", label, ri ? ri : "unknown",
		         json_is_true(json_object_get(row, "explicit")) ? "set on the index" : "the default");
		return;
	}
	size_t i;
	const json_t *row;
	json_array_foreach(s->detail, i, row)
	{
		const char *ri = json_string_value(json_object_get(row, "refresh_interval"));
		add_line(preview, "%sindex %s: refresh_interval %s (%s)", label,
		         json_string_value(json_object_get(row, "index")), ri ? ri : "unknown",
		         json_is_true(json_object_get(row, "explicit")) ? "set on the index" : "the default");
	}
}

/* Whether the indices behind the name are still those the preview pinned: false with what
   changed in why. */
static bool pin_holds(const json_t *pin, const struct index_state *s, char *why, size_t n)
{
	const json_t *was = json_object_get(pin, "uuids");
	if (json_is_object(was) && json_equal(was, s->uuids))
		return true;
	char *a = json_dumps(was, JSON_COMPACT | JSON_SORT_KEYS);
	char *b = json_dumps(s->uuids, JSON_COMPACT | JSON_SORT_KEYS);
	snprintf(why, n, "the indices behind the name changed since the preview (uuids %s, now %s)",
	         a ? a : "none", b ? b : "none");
	free(a);
	free(b);
	text_clean_inplace(why, n);
	return false;
}

static const json_t *pin_of(const json_t *preview, char *err, size_t n)
{
	const json_t *pin = json_object_get(preview, "pin");
	if (!json_is_object(pin))
		snprintf(err, n, "the preview has no pin (nothing was sent)");
	return json_is_object(pin) ? pin : NULL;
}

/* ------------------------------------------------------------------------------------------
   refresh (F): POST /{index}/_refresh
   ------------------------------------------------------------------------------------------ */
static enum probe_result refresh_preview(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                         char *err, size_t n)
{
	(void)scope;
	struct index_state s;
	if (!read_index(ctx, true, &s, err, n))
		return PROBE_FAILED;
	char *ix = index_segment(ctx);
	json_t *p = preview_base(ctx, &s);
	bool off = !strcmp(s.f.refresh_interval, "-1");
	char summary[512];
	if (off)
		snprintf(
		    summary, sizeof summary,
		    "POST /%s/_refresh: a one-off refresh (refresh_interval is -1); refresh_total %" PRId64,
		    ix, s.f.refresh_total.v);
	else
		snprintf(summary, sizeof summary,
		         "POST /%s/_refresh: refresh_interval %s; refresh_total %" PRId64, ix,
		         s.f.refresh_interval, s.f.refresh_total.v);
	json_object_set_new(p, "summary", json_string_clean(summary));
	add_line(p, "POST /%s/_refresh", ix);
	interval_lines(p, "", &s);
	if (off)
		add_line(p, "refresh_interval is -1: periodic refresh is off, so this refresh is one-off "
		            "(documents indexed after it stay invisible); I (restore-refresh) puts the "
		            "default back");
	add_line(p, "refresh_total %" PRId64 ": the read-back waits for it to go up", s.f.refresh_total.v);
	json_object_set_new(json_object_get(p, "pin"), "refresh_total",
	                    json_integer((json_int_t)s.f.refresh_total.v));
	char key[384];
	rl_key(ctx, key, sizeof key);
	double ago = rl_since(key);
	if (ago >= 0) {
		char why[128];
		snprintf(why, sizeof why, "refreshed %.1fs ago; at most one refresh per %g s", ago,
		         REFRESH_EVERY_S);
		json_object_set_new(p, "refuse", json_string(why));
	}
	free(ix);
	index_state_free(&s);
	*out = p;
	return PROBE_OK;
}

/* {"changed": why, "preview": a new preview} (the target moved: nothing was applied). */
static enum probe_result changed(const struct probe_ctx *ctx, const char *why,
                                 enum probe_result (*preview)(const struct probe_ctx *, const char *,
                                                              json_t **, char *, size_t),
                                 json_t **out, char *err, size_t n)
{
	json_t *np = NULL;
	if (preview(ctx, "", &np, err, n) != PROBE_OK)
		np = NULL;
	*out = json_pack("{s:s, s:o*}", "changed", why, "preview", np);
	return PROBE_OK;
}

static enum probe_result refresh_apply(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                       json_t **out, char *err, size_t n)
{
	(void)scope;
	const json_t *pin = pin_of(preview, err, n);
	if (!pin)
		return PROBE_FAILED;
	struct index_state s;
	if (!read_index(ctx, false, &s, err, n)) {
		snappendf(err, n, " (nothing was sent)");
		return PROBE_FAILED;
	}
	char why[1024];
	bool holds = pin_holds(pin, &s, why, sizeof why);
	index_state_free(&s);
	if (!holds)
		return changed(ctx, why, refresh_preview, out, err, n);
	char key[384];
	double ago;
	rl_key(ctx, key, sizeof key);
	if (!rl_claim(key, &ago)) {
		snprintf(err, n, "refreshed %.1fs ago; at most one refresh per %g s (nothing was sent)", ago,
		         REFRESH_EVERY_S);
		return PROBE_FAILED;
	}
	char *ix = index_segment(ctx);
	char sent[512];
	snprintf(sent, sizeof sent, "POST /%s/_refresh", ix);
	free(ix);
	struct http_response r;
	if (!http_request(ctx->session, "POST", sent + 5, NULL, ctx->deadline, &r, err, n)) {
		snappendf(err, n, " (the refresh may or may not have run)");
		return PROBE_FAILED;
	}
	json_t *body = json_loadb(r.body, r.len, 0, NULL);
	char line[1024];
	const json_t *shards = search_refresh_shards(body, line, sizeof line);
	enum probe_result res = PROBE_FAILED;
	if (r.status != 200) {
		char reason[512] = "";
		if (!shards && !http_error_reason(r.body, reason, sizeof reason))
			snprintf(reason, sizeof reason, "no reason given");
		snprintf(err, n, "HTTP %ld%s from %s: %s", r.status,
		         r.status == 503 ? " (no shard copy could refresh)" : "", sent,
		         shards ? line : reason);
	} else if (!shards) {
		snprintf(
		    err, n,
		    "the answer to %s has no _shards with total, successful and failed (it may have run)",
		    sent);
	} else {
		*out = json_object();
		json_object_set_new(*out, "sent", json_string(sent));
		json_object_set(*out, "answer", (json_t *)shards);
		json_object_set(*out, "affected", json_object_get(shards, "successful"));
		json_object_set_new(*out, "shards", json_string_clean(line));
		json_object_set_new(*out, "readback",
		                    json_pack("{s:O, s:s}", "refresh_total",
		                              json_object_get(pin, "refresh_total"), "shards", line));
		json_clean_tree(*out);
		res = PROBE_OK;
	}
	text_clean_inplace(err, n);
	json_decref(body);
	http_response_free(&r);
	return res;
}

static enum probe_result refresh_readback(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                          char *err, size_t n)
{
	const json_t *rb = json_object_get(applied, "readback");
	const json_t *before = json_object_get(rb, "refresh_total");
	if (!json_is_integer(before)) {
		snprintf(err, n, "the refresh's result has no refresh_total to compare with");
		return PROBE_FAILED;
	}
	struct index_state s;
	if (!read_index(ctx, true, &s, err, n))
		return PROBE_FAILED;
	int64_t was = (int64_t)json_integer_value(before), now = s.f.refresh_total.v;
	const char *shards = json_string_value(json_object_get(rb, "shards"));
	char seen[1024];
	if (now > was)
		snprintf(seen, sizeof seen, "refresh_total %" PRId64 ", up from %" PRId64 "%s%s", now, was,
		         shards ? "; " : "", shards ? shards : "");
	else
		snprintf(seen, sizeof seen, "refresh_total still %" PRId64, now);
	*out = json_pack("{s:b, s:o, s:I}", "confirmed", now > was, "seen", json_string_clean(seen),
	                 "refresh_total", (json_int_t)now);
	index_state_free(&s);
	return PROBE_OK;
}

/* ------------------------------------------------------------------------------------------
   restore-refresh (I): PUT /{index}/_settings {"index":{"refresh_interval":null}}
   ------------------------------------------------------------------------------------------ */
static bool restore_offered(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	(void)st;
	return search_refresh_off(cur ? cur->metrics : NULL, why, n);
}

/* How many indices behind the name the PUT changes: those that set refresh_interval. */
static int64_t explicit_count(const struct index_state *s)
{
	int64_t k = 0;
	size_t i;
	const json_t *row;
	json_array_foreach(s->detail, i, row)
	{
		if (json_is_true(json_object_get(row, "explicit")))
			k++;
	}
	return k;
}

static enum probe_result restore_preview(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                         char *err, size_t n)
{
	(void)scope;
	struct index_state s;
	if (!read_index(ctx, false, &s, err, n))
		return PROBE_FAILED;
	char *ix = index_segment(ctx);
	json_t *p = preview_base(ctx, &s);
	const char *idle = s.f.search_idle_after[0] ? s.f.search_idle_after : "30s";
	char summary[512];
	snprintf(summary, sizeof summary, "refresh_interval %s -> null, the default (%s)",
	         s.f.refresh_interval[0] ? s.f.refresh_interval : "unknown", DEFAULT_NOTE);
	json_object_set_new(p, "summary", json_string_clean(summary));
	add_line(p, "PUT /%s/_settings %s", ix, RESTORE_BODY);
	interval_lines(p, "now: ", &s);
	add_line(p,
	         "new: refresh_interval null, the default: %s (an index not searched for %s skips "
	         "its periodic refreshes until the next search)",
	         DEFAULT_NOTE, idle);
	json_object_set_new(p, "count", json_integer((json_int_t)explicit_count(&s)));
	json_object_set_new(json_object_get(p, "pin"), "refresh_interval", json_string(s.f.refresh_interval));
	if (strcmp(s.f.refresh_interval, "-1")) {
		char why[256];
		snprintf(why, sizeof why, "refresh_interval is %s, not -1: nothing to restore",
		         s.f.refresh_interval[0] ? s.f.refresh_interval : "unknown");
		json_object_set_new(p, "refuse", json_string_clean(why));
	}
	free(ix);
	index_state_free(&s);
	*out = p;
	return PROBE_OK;
}

static enum probe_result restore_apply(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                       json_t **out, char *err, size_t n)
{
	(void)scope;
	const json_t *pin = pin_of(preview, err, n);
	if (!pin)
		return PROBE_FAILED;
	struct index_state s;
	if (!read_index(ctx, false, &s, err, n)) {
		snappendf(err, n, " (nothing was sent)");
		return PROBE_FAILED;
	}
	char why[1024];
	bool holds = pin_holds(pin, &s, why, sizeof why);
	if (holds && strcmp(s.f.refresh_interval, "-1")) {
		snprintf(why, sizeof why, "refresh_interval is now %s, no longer -1", s.f.refresh_interval);
		text_clean_inplace(why, sizeof why);
		holds = false;
	}
	int64_t count = explicit_count(&s);
	index_state_free(&s);
	if (!holds)
		return changed(ctx, why, restore_preview, out, err, n);
	char *ix = index_segment(ctx);
	char *path = xasprintf("/%s/_settings", ix);
	free(ix);
	json_t *answer = http_json(ctx->session, "PUT", path, RESTORE_BODY, ctx->deadline, err, n);
	char sent[512];
	snprintf(sent, sizeof sent, "PUT %s %s", path, RESTORE_BODY);
	free(path);
	if (!answer) {
		text_clean_inplace(err, n);
		return PROBE_FAILED;
	}
	*out = json_pack("{s:s, s:o, s:I, s:{s:s}}", "sent", sent, "answer", answer, "affected",
	                 (json_int_t)count, "readback", "refresh_interval", "-1");
	json_clean_tree(*out);
	return PROBE_OK;
}

static enum probe_result restore_readback(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                          char *err, size_t n)
{
	(void)applied;
	struct index_state s;
	if (!read_index(ctx, false, &s, err, n))
		return PROBE_FAILED;
	const char *ri = s.f.refresh_interval;
	bool on = ri[0] && strcmp(ri, "-1");
	char seen[256];
	if (on)
		snprintf(seen, sizeof seen, "refresh_interval %s (%s), no longer -1", ri,
		         s.f.refresh_explicit ? "set on the index" : "the default");
	else
		snprintf(seen, sizeof seen, "refresh_interval still %s", ri[0] ? ri : "unknown");
	*out = json_pack("{s:b, s:o, s:s}", "confirmed", on, "seen", json_string_clean(seen),
	                 "refresh_interval", ri);
	json_clean_tree(*out);
	index_state_free(&s);
	return PROBE_OK;
}

const struct kind_action search_actions[] = {
    {
        .action = ACTION_REFRESH,
        .preview = refresh_preview,
        .apply = refresh_apply,
        .readback = refresh_readback,
        .does = "POST /{index}/_refresh, at most once per index per 5 s; shows _shards total, "
                "successful and failed",
    },
    {
        .action = ACTION_RESTORE_REFRESH,
        .offered = restore_offered,
        .preview = restore_preview,
        .apply = restore_apply,
        .readback = restore_readback,
        .does = "PUT /{index}/_settings {\"index\":{\"refresh_interval\":null}}: the default refresh "
                "interval again; offered only when refresh_interval is -1",
    },
    {.action = ACTION_NONE},
};
