/* act.c: pause and resume a worker through its HTTP admin API (worker.pause, worker.resume),
   read back through worker.state. */
/* needs: search */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"
#include "kinds/worker/worker.h"
#include "sanitize.h"
#include "units.h"
#include "util.h"

/* The request that pauses (or resumes) as shown and audited: "POST /admin/pause", cleaned. */
static void request_line(const struct worker_opts *o, bool pause, char *buf, size_t n)
{
	const char *spec = pause ? o->pause : o->resume;
	char method[16], why[200];
	const char *path;
	if (!spec || !worker_request_parse(spec, method, sizeof method, &path, why, sizeof why)) {
		buf[0] = '\0';
		return;
	}
	char clean[600];
	text_clean(clean, sizeof clean, path, strlen(path));
	snprintf(buf, n, "%s %s", method, clean);
}

/* "worker on relay (/admin/state)" */
static void target_of(const struct probe_ctx *ctx, char *buf, size_t n)
{
	char path[300];
	const char *state = worker_opts(ctx->st)->state;
	text_clean(path, sizeof path, state, strlen(state));
	snprintf(buf, n, "worker on %s (%s)", ctx->st->conn->name, path);
}

/* ---- offered: pause when not paused, resume when paused ---- */

static bool offered(const struct stage_cfg *st, const struct sample *cur, bool pause, char *why, size_t n)
{
	const struct worker_opts *o = worker_opts(st);
	if (!o->pause || !o->resume) {
		snprintf(why, n, "no worker.pause and worker.resume: this stage only watches");
		return false;
	}
	bool paused;
	if (!cur || !metric_bool(cur->metrics, "paused", &paused))
		return true; /* not read yet: the preview reads it */
	if (paused == pause) {
		snprintf(why, n, pause ? "already paused" : "not paused");
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

/* ---- preview: GET worker.state; pinned: paused as read ---- */

static enum probe_result state_preview(const struct probe_ctx *ctx, bool pause, json_t **out, char *err,
                                       size_t n)
{
	const struct worker_opts *o = worker_opts(ctx->st);
	char target[400], req[640], s[1200], why[512];
	target_of(ctx, target, sizeof target);
	if (!o->pause || !o->resume) {
		*out = json_pack("{s:o, s:s}", "target", json_string_clean(target), "refuse",
		                 "no worker.pause and worker.resume: this stage only watches");
		return PROBE_OK;
	}
	int paused = worker_state_read(ctx, why, sizeof why);
	if (paused == -2) {
		strlcpy_safe(err, why, n);
		return PROBE_FAILED;
	}
	request_line(o, pause, req, sizeof req);
	json_t *p = json_object();
	json_object_set_new(p, "target", json_string_clean(target));
	json_object_set_new(p, "count", json_integer(1));
	json_t *lines = json_array();
	snprintf(s, sizeof s, "will send: %s", req);
	if (o->body)
		snappendf(s, sizeof s, " with body %s", o->body);
	snappendf(s, sizeof s, " (any 2xx answer)");
	json_array_append_new(lines, json_string_clean(s));
	if (paused < 0) {
		snprintf(s, sizeof s, "cannot tell whether the worker is paused: %s", why);
		json_object_set_new(p, "refuse", json_string_clean(s));
		json_object_set_new(p, "summary", json_string_clean(s));
		json_object_set_new(p, "lines", lines);
		*out = p;
		return PROBE_OK;
	}
	char field[200];
	text_clean(field, sizeof field, o->paused_field, strlen(o->paused_field));
	snprintf(s, sizeof s, "now: %s (%s is %s)", paused ? "paused" : "running", field,
	         paused ? "true" : "false");
	json_t *since = paused ? *ctx->memo : NULL;
	if (json_is_number(since)) {
		char iso[32];
		iso8601(json_number_value(since), iso, sizeof iso);
		snappendf(s, sizeof s, ", seen paused since %s", iso);
	}
	json_array_append_new(lines, json_string_clean(s));
	json_object_set_new(p, "lines", lines);
	json_object_set_new(p, "pin",
	                    json_pack("{s:o, s:b}", "state", json_string_clean(o->state), "paused", paused));
	if (pause == (paused == 1)) {
		json_object_set_new(p, "refuse", json_string(pause ? "already paused" : "not paused"));
		snprintf(s, sizeof s, "the worker is %s: nothing to do", paused ? "paused" : "running");
	} else {
		snprintf(s, sizeof s, "the worker is %s: %s %s it", paused ? "paused" : "running", req,
		         pause ? "pauses" : "resumes");
	}
	json_object_set_new(p, "summary", json_string_clean(s));
	*out = p;
	return PROBE_OK;
}

static enum probe_result pause_preview(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                       char *err, size_t n)
{
	(void)scope;
	return state_preview(ctx, true, out, err, n);
}

static enum probe_result resume_preview(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                        char *err, size_t n)
{
	(void)scope;
	return state_preview(ctx, false, out, err, n);
}

/* ---- apply: the pin still holds, then METHOD PATH [body] ---- */

/* An answer's body as shown: at most 200 bytes, whole characters, cleaned. */
static json_t *answer_of(const struct http_response *r)
{
	char body[208], s[260];
	size_t len = r->len > 200 ? 200 : r->len;
	text_clean(body, sizeof body, r->body, len);
	snprintf(s, sizeof s, "HTTP %ld%s%s%s", r->status, body[0] ? ": " : "", body,
	         r->len > 200 ? "..." : "");
	return json_string_clean(s);
}

static enum probe_result state_apply(const struct probe_ctx *ctx, bool pause, const json_t *preview,
                                     json_t **out, char *err, size_t n)
{
	const struct worker_opts *o = worker_opts(ctx->st);
	const json_t *pin = json_object_get(preview, "pin");
	const char *pinned_state = json_string_value(json_object_get(pin, "state"));
	const json_t *was = json_object_get(pin, "paused");
	json_t *state = json_string_clean(o->state);
	bool same = pinned_state && !strcmp(pinned_state, json_string_value(state));
	json_decref(state);
	char method[16], why[512], req[640];
	const char *path;
	const char *spec = pause ? o->pause : o->resume;
	if (!same || !json_is_boolean(was) || !spec ||
	    !worker_request_parse(spec, method, sizeof method, &path, why, sizeof why)) {
		snprintf(err, n, "the preview does not pin this stage's worker.state (nothing was sent)");
		return PROBE_FAILED;
	}
	request_line(o, pause, req, sizeof req);
	int paused = worker_state_read(ctx, why, sizeof why);
	if (paused == -2) {
		snprintf(err, n, "%s (nothing was sent)", why);
		return PROBE_FAILED;
	}
	if (paused != (json_is_true(was) ? 1 : 0)) {
		json_t *np = NULL;
		enum probe_result r = state_preview(ctx, pause, &np, err, n);
		if (r != PROBE_OK)
			return r;
		snprintf(why, sizeof why, "the worker is %s since the preview",
		         paused < 0 ? "no longer readable"
		         : paused   ? "paused"
		                    : "running");
		*out =
		    json_pack("{s:o, s:o, s:i}", "changed", json_string(why), "preview", np, "affected", 0);
		return PROBE_OK;
	}
	struct http_response r;
	if (!http_request(ctx->session, method, path, o->body ? o->body : "", ctx->deadline, &r, why,
	                  sizeof why)) {
		snprintf(err, n, "%s: no answer, so the worker may or may not have %s (%s)", req,
		         pause ? "paused" : "resumed", why);
		return PROBE_FAILED;
	}
	json_t *answer = answer_of(&r);
	if (r.status < 200 || r.status > 299) {
		snprintf(err, n,
		         "%s answered %s (the worker refused; nothing was applied, as far as it said)", req,
		         json_string_value(answer));
		json_decref(answer);
		http_response_free(&r);
		return PROBE_FAILED;
	}
	http_response_free(&r);
	if (pause) { /* synctop paused it: the pause starts now */
		if (!json_is_number(*ctx->memo)) {
			json_decref(*ctx->memo);
			*ctx->memo = json_real(now_wall());
		}
	} else {
		json_decref(*ctx->memo);
		*ctx->memo = NULL;
	}
	*out = json_pack("{s:o, s:o, s:i, s:{s:b}}", "sent", json_string_clean(req), "answer", answer,
	                 "affected", 1, "readback", "paused", pause);
	return PROBE_OK;
}

static enum probe_result pause_apply(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                     json_t **out, char *err, size_t n)
{
	(void)scope;
	return state_apply(ctx, true, preview, out, err, n);
}

static enum probe_result resume_apply(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                      json_t **out, char *err, size_t n)
{
	(void)scope;
	return state_apply(ctx, false, preview, out, err, n);
}

/* ---- readback: GET worker.state until paused flips ---- */

static enum probe_result state_readback(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                        char *err, size_t n)
{
	const json_t *want = json_object_get(json_object_get(applied, "readback"), "paused");
	if (!json_is_boolean(want)) {
		snprintf(err, n, "nothing to read back: no expected state");
		return PROBE_FAILED;
	}
	char why[512], seen[900], path[300];
	const struct worker_opts *o = worker_opts(ctx->st);
	int paused = worker_state_read(ctx, why, sizeof why);
	if (paused == -2) {
		strlcpy_safe(err, why, n);
		return PROBE_FAILED;
	}
	text_clean(path, sizeof path, o->state, strlen(o->state));
	if (paused < 0)
		snprintf(seen, sizeof seen, "GET %s: %s", path, why);
	else
		snprintf(seen, sizeof seen, "GET %s says %s", path, paused ? "paused" : "running");
	*out = json_pack("{s:b, s:o}", "confirmed", paused == (json_is_true(want) ? 1 : 0), "seen",
	                 json_string_clean(seen));
	return PROBE_OK;
}

const struct kind_action worker_actions[] = {
    {
        .action = ACTION_PAUSE,
        .offered = pause_offered,
        .preview = pause_preview,
        .apply = pause_apply,
        .readback = state_readback,
        .does = "sends worker.pause (METHOD PATH) to the worker's HTTP API; offered only while it runs",
    },
    {
        .action = ACTION_RESUME,
        .offered = resume_offered,
        .preview = resume_preview,
        .apply = resume_apply,
        .readback = state_readback,
        .does = "sends worker.resume (METHOD PATH) to the worker's HTTP API; offered only while it is paused",
    },
    {.action = ACTION_NONE},
};
