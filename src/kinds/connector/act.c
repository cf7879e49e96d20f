/* act.c: the connector's actions over Kafka Connect's REST API: pause, resume, stop, restart tasks. */
/* needs: search */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/http.h"
#include "backend/http_error.h"
#include "kinds/act.h"
#include "kinds/connector/connector.h"
#include "sanitize.h"
#include "units.h"
#include "util.h"

/* The first line of a trace, at most 300 bytes, cleaned, into buf. */
static const char *trace_first(const char *trace, char *buf, size_t n)
{
	size_t len = trace ? strcspn(trace, "\n") : 0;
	return text_clean(buf, n, trace ? trace : "", len);
}

static bool offered_pause(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	return connector_offered(ACTION_PAUSE, cur, why, n);
}

static bool offered_resume(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	return connector_offered(ACTION_RESUME, cur, why, n);
}

static bool offered_stop(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	return connector_offered(ACTION_STOP, cur, why, n);
}

static bool offered_restart(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	return connector_offered(ACTION_RESTART, cur, why, n);
}

/* ---------------------------------------------------------------------------------------
   Requests
   --------------------------------------------------------------------------------------- */

bool connect_worker_version(void *session, double deadline, char *buf, size_t n, char *err, size_t en)
{
	json_t *j = http_json(session, "GET", "/", NULL, deadline, err, en);
	const char *v = json_string_value(json_object_get(j, "version"));
	if (j && !v)
		snprintf(err, en, "the answer to GET / has no version");
	if (v)
		text_clean(buf, n, v, strlen(v));
	json_decref(j);
	return v != NULL;
}

/* "/connectors/NAME" + suffix, NAME percent-encoded. Free with free(). */
static char *cpath(const struct probe_ctx *ctx, const char *suffix)
{
	char *name = http_escape_segment(connector_opts(ctx->st)->connector_name);
	char *p = xasprintf("/connectors/%s%s", name, suffix);
	free(name);
	return p;
}

/* GET /connectors/NAME/status: the answer (with a connector.state), or NULL with err. */
static json_t *get_status(const struct probe_ctx *ctx, char *err, size_t n)
{
	char *path = cpath(ctx, "/status");
	json_t *j = http_json(ctx->session, "GET", path, NULL, ctx->deadline, err, n);
	if (j && !json_is_string(json_object_get(json_object_get(j, "connector"), "state"))) {
		snprintf(err, n, "the answer to GET %s has no connector.state", path);
		json_decref(j);
		j = NULL;
	}
	free(path);
	return j;
}

static const char *status_state(const json_t *status)
{
	return json_string_value(json_object_get(json_object_get(status, "connector"), "state"));
}

static const char *reason_phrase(long code)
{
	switch (code) {
	case 200:
		return "OK";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 409:
		return "Conflict";
	case 500:
		return "Internal Server Error";
	default:
		return "";
	}
}

/* After a 409 (a rebalance under way), the one retry comes this many seconds later. */
#define RETRY_AFTER_S 1

/* What the writes of one apply sent and got: "sent", "answer", "requests". */
struct sent {
	char sent[600];
	char answer[600];
	json_t *requests; /* [{method, path, status}] */
	long status;      /* the last answer's code (0: none) */
	json_t *body;     /* the last answer's JSON body, if any */
	char err[400];    /* why the last request got no answer, or its error message */
};

/* One write (an empty JSON body: a Content-Length for proxies), retried once after 1 s on
   409 (a rebalance) when the deadline leaves time for it (1 s, and 0.25 s for the request:
   the default 2 s timeout does). True when an answer came. */
static bool send_write(const struct probe_ctx *ctx, struct sent *s, const char *method, const char *path)
{
	for (int attempt = 0;; attempt++) {
		struct http_response r;
		json_decref(s->body);
		s->body = NULL;
		s->status = 0;
		snappendf(s->sent, sizeof s->sent, "%s%s %s", s->sent[0] ? ", " : "", method, path);
		if (!http_request(ctx->session, method, path, "", ctx->deadline, &r, s->err, sizeof s->err)) {
			json_array_append_new(s->requests, json_pack("{s:s, s:s, s:n}", "method", method,
			                                             "path", path, "status"));
			snappendf(s->answer, sizeof s->answer, "%sno answer (%s)", s->answer[0] ? ", " : "",
			          s->err);
			return false;
		}
		s->status = r.status;
		s->body = r.len ? json_loadb(r.body, r.len, 0, NULL) : NULL;
		s->err[0] = '\0';
		if (r.status < 200 || r.status > 299)
			http_error_reason(r.body, s->err, sizeof s->err);
		http_response_free(&r);
		json_array_append_new(s->requests, json_pack("{s:s, s:s, s:I}", "method", method, "path",
		                                             path, "status", (json_int_t)s->status));
		snappendf(s->answer, sizeof s->answer, "%s%ld %s", s->answer[0] ? ", " : "", s->status,
		          reason_phrase(s->status));
		if (s->status != 409 || attempt > 0)
			return true;
		if (ctx->deadline - now_mono() < RETRY_AFTER_S + 0.25) {
			snappendf(s->answer, sizeof s->answer,
			          " (a rebalance was under way; no time left to retry)");
			return true;
		}
		snappendf(s->answer, sizeof s->answer, " (a rebalance was under way: retried after 1 s)");
		struct timespec ts = {RETRY_AFTER_S, 0};
		while (nanosleep(&ts, &ts) != 0)
			;
	}
}

static void sent_free(struct sent *s)
{
	json_decref(s->requests);
	json_decref(s->body);
}

/* The apply's failure, nothing changed as far as the worker said: err. */
static enum probe_result write_failed(struct sent *s, bool answered, char *err, size_t n)
{
	if (!answered)
		snprintf(err, n,
		         "%s: no answer (%s): whether the worker applied it is unknown; read its status",
		         s->sent, s->err);
	else
		snprintf(err, n, "%s answered %s%s%s: nothing was changed", s->sent, s->answer,
		         s->err[0] ? ": " : "", s->err);
	return PROBE_FAILED;
}

/* ---------------------------------------------------------------------------------------
   The preview: what would change, pinned
   --------------------------------------------------------------------------------------- */

static const char *want_state(enum action a)
{
	return a == ACTION_PAUSE ? "PAUSED" : a == ACTION_STOP ? "STOPPED" : "RUNNING";
}

/* "RUNNING, 1 of 2 tasks RUNNING, 1 FAILED". */
static void state_line(const json_t *status, char *buf, size_t n)
{
	json_t *tasks = connector_status_tasks(status, NULL),
	       *failed = connector_status_tasks(status, "FAILED");
	json_t *running = connector_status_tasks(status, "RUNNING");
	snprintf(buf, n, "%s, %zu of %zu task%s RUNNING", status_state(status), json_array_size(running),
	         json_array_size(tasks), json_array_size(tasks) == 1 ? "" : "s");
	if (json_array_size(failed))
		snappendf(buf, n, ", %zu FAILED", json_array_size(failed));
	json_decref(tasks);
	json_decref(failed);
	json_decref(running);
}

/* The preview's head: target, the state line and each task's (a FAILED one with the first
   line of its trace), the pin of the state seen. */
static json_t *preview_head(const struct probe_ctx *ctx, const json_t *status)
{
	const char *name = connector_opts(ctx->st)->connector_name, *state = status_state(status);
	const char *worker =
	    json_string_value(json_object_get(json_object_get(status, "connector"), "worker_id"));
	char buf[1024], first[304];
	json_t *lines = json_array(), *tasks = connector_status_tasks(status, NULL), *t;
	size_t i;
	snprintf(buf, sizeof buf, "connector %s on %s", name, ctx->st->conn->name);
	json_t *p = json_pack("{s:s, s:o, s:{s:s}}", "target", buf, "lines", lines, "pin", "state", state);
	snprintf(buf, sizeof buf, "connector %s: %s%s%s", name, state, worker ? " on " : "",
	         worker ? worker : "");
	json_array_append_new(lines, json_string_clean(buf));
	json_array_foreach(tasks, i, t)
	{
		const char *ts = json_string_value(json_object_get(t, "state"));
		const char *tw = json_string_value(json_object_get(t, "worker_id"));
		const char *trace = json_string_value(json_object_get(t, "trace"));
		snprintf(buf, sizeof buf, "task %" JSON_INTEGER_FORMAT ": %s%s%s%s%s",
		         json_integer_value(json_object_get(t, "id")), ts, tw ? " on " : "", tw ? tw : "",
		         trace ? ": " : "", trace ? trace_first(trace, first, sizeof first) : "");
		json_array_append_new(lines, json_string_clean(buf));
	}
	json_decref(tasks);
	return p;
}

static void add_line(json_t *p, const char *line)
{
	json_array_append_new(json_object_get(p, "lines"), json_string_clean(line));
}

/* pause, resume, stop: one PUT; refused unless the state allows it (stop: and the version). */
static void preview_state(const struct probe_ctx *ctx, enum action a, json_t *p, const json_t *status,
                          const char *version, const char *verr)
{
	const char *name = connector_opts(ctx->st)->connector_name, *state = status_state(status);
	const char *verb = a == ACTION_PAUSE ? "pause" : a == ACTION_RESUME ? "resume" : "stop";
	char buf[1024], st_line[200], refuse[400] = "", suffix[16];
	state_line(status, st_line, sizeof st_line);
	snprintf(buf, sizeof buf, "%s connector %s: %s", verb, name, st_line);
	json_object_set_new(p, "summary", json_string_clean(buf));
	json_object_set_new(p, "count", json_integer(1));
	snprintf(suffix, sizeof suffix, "/%s", verb);
	char *path = cpath(ctx, suffix);
	snprintf(buf, sizeof buf, "will send: PUT %s (%s expected)", path, a == ACTION_STOP ? "204" : "202");
	free(path);
	add_line(p, buf);
	json_t *failed = connector_status_tasks(status, "FAILED");
	if (a == ACTION_PAUSE) {
		if (strcmp(state, "RUNNING"))
			snprintf(refuse, sizeof refuse, "the connector is %s, not RUNNING: nothing to pause",
			         state);
		add_line(p,
		         "a Connect pause persists across worker restarts: the connector stays PAUSED until "
		         "it is resumed");
		if (json_array_size(failed))
			add_line(p, "FAILED tasks do not become PAUSED: they stay FAILED until restarted");
	} else if (a == ACTION_RESUME) {
		if (strcmp(state, "PAUSED") && strcmp(state, "STOPPED"))
			snprintf(refuse, sizeof refuse, "not paused: the connector is %s", state);
		else if (!strcmp(state, "STOPPED"))
			add_line(p, "a STOPPED connector's tasks start afresh");
	} else {
		int ok = connect_version_at_least(version, 3, 5);
		json_object_set_new(json_object_get(p, "pin"), "version",
		                    version ? json_string(version) : json_null());
		if (ok < 0)
			snprintf(
			    refuse, sizeof refuse,
			    "the worker's Kafka Connect version is unknown (%s): stop needs 3.5 or later",
			    verr && *verr ? verr : "?");
		else if (!ok)
			snprintf(refuse, sizeof refuse,
			         "Kafka Connect %s has no stop (it came with 3.5): pause instead", version);
		else if (!strcmp(state, "STOPPED"))
			snprintf(refuse, sizeof refuse, "the connector is already STOPPED");
		add_line(p, "a stopped connector's tasks shut down; like a pause, a stop persists across "
		            "worker restarts until it is resumed");
	}
	json_decref(failed);
	if (refuse[0])
		json_object_set_new(p, "refuse", json_string_clean(refuse));
}

/* restart: the FAILED tasks (and the connector, when it is FAILED), their traces. */
static void preview_restart_of(const struct probe_ctx *ctx, json_t *p, const json_t *status,
                               const char *version)
{
	const char *name = connector_opts(ctx->st)->connector_name, *state = status_state(status);
	const json_t *conn = json_object_get(status, "connector");
	char buf[1024], list[300] = "";
	json_t *failed = connector_status_tasks(status, "FAILED"), *ids = json_array(),
	       *traces = json_array();
	json_t *t;
	size_t i;
	bool conn_failed = !strcmp(state, "FAILED");
	bool per_task = connect_version_at_least(version, 3, 0) == 0;
	json_array_foreach(failed, i, t)
	{
		json_int_t id = json_integer_value(json_object_get(t, "id"));
		json_array_append_new(ids, json_integer(id));
		snappendf(list, sizeof list, "%s%" JSON_INTEGER_FORMAT, list[0] ? ", " : "", id);
		const char *trace = json_string_value(json_object_get(t, "trace"));
		json_array_append_new(traces, json_pack("{s:I, s:O?, s:o}", "task", id, "worker_id",
		                                        json_object_get(t, "worker_id"), "trace",
		                                        connector_trace_lines(trace, 200)));
	}
	const char *ctrace = json_string_value(json_object_get(conn, "trace"));
	if (conn_failed && ctrace)
		json_array_append_new(traces, json_pack("{s:n, s:O?, s:o}", "task", "worker_id",
		                                        json_object_get(conn, "worker_id"), "trace",
		                                        connector_trace_lines(ctrace, 200)));
	size_t nf = json_array_size(ids), count = nf + conn_failed;
	json_t *pin = json_object_get(p, "pin");
	json_object_set_new(pin, "failed", ids);
	json_object_set_new(pin, "connector_failed", json_boolean(conn_failed));
	json_object_set_new(pin, "version", version ? json_string(version) : json_null());
	json_object_set_new(pin, "per_task", json_boolean(per_task));
	json_object_set_new(p, "traces", traces);
	json_object_set_new(p, "count", json_integer((json_int_t)count));
	if (!count) {
		char st_line[200];
		state_line(status, st_line, sizeof st_line);
		snprintf(buf, sizeof buf, "no failed task: connector %s is %s", name, st_line);
		json_object_set_new(p, "refuse", json_string_clean(buf));
		json_decref(failed);
		return;
	}
	if (nf)
		snprintf(buf, sizeof buf, "restart %s%zu FAILED task%s (%s) of %s",
		         conn_failed ? "the FAILED connector and " : "", nf, nf == 1 ? "" : "s", list, name);
	else
		snprintf(buf, sizeof buf, "restart the FAILED connector %s", name);
	json_object_set_new(p, "summary", json_string_clean(buf));
	if (per_task) {
		char *path;
		if (conn_failed) {
			path = cpath(ctx, "/restart");
			snprintf(buf, sizeof buf, "will send: POST %s (the connector instance)", path);
			add_line(p, buf);
			free(path);
		}
		json_array_foreach(ids, i, t)
		{
			char suffix[64];
			snprintf(suffix, sizeof suffix, "/tasks/%" JSON_INTEGER_FORMAT "/restart",
			         json_integer_value(t));
			path = cpath(ctx, suffix);
			snprintf(buf, sizeof buf, "will send: POST %s (204 expected)", path);
			add_line(p, buf);
			free(path);
		}
		snprintf(buf, sizeof buf,
		         "Kafka Connect %s predates restart?includeTasks (3.0): one restart per task",
		         version);
	} else {
		char *path = cpath(ctx, "/restart?includeTasks=true&onlyFailed=true");
		snprintf(buf, sizeof buf,
		         "will send: POST %s (202 expected; retried once after 1 s on a 409)", path);
		free(path);
	}
	add_line(p, buf);
	add_line(
	    p, "the restart is asynchronous: the tasks go RESTARTING, then RUNNING (read back each second)");
	/* Each trace in full, before the restart (the pane and the lines above show first lines). */
	json_t *tr;
	json_array_foreach(traces, i, tr)
	{
		const json_t *task = json_object_get(tr, "task");
		if (json_is_integer(task))
			snprintf(buf, sizeof buf, "trace of task %" JSON_INTEGER_FORMAT ":",
			         json_integer_value(task));
		else
			snprintf(buf, sizeof buf, "trace of the connector:");
		add_line(p, buf);
		size_t k;
		json_t *ln;
		json_array_foreach(json_object_get(tr, "trace"), k, ln)
		{
			snprintf(buf, sizeof buf, "  %s", json_string_value(ln) ? json_string_value(ln) : "");
			add_line(p, buf);
		}
	}
	json_decref(failed);
}

/* The preview of action a from a status answer (and, for stop and restart, the worker's
   version: NULL when unknown, why in verr). */
static json_t *build_preview(const struct probe_ctx *ctx, enum action a, const json_t *status,
                             const char *version, const char *verr)
{
	json_t *p = preview_head(ctx, status);
	if (a == ACTION_RESTART)
		preview_restart_of(ctx, p, status, version);
	else
		preview_state(ctx, a, p, status, version, verr);
	return p;
}

/* The version for actions that need it: into buf (n) or "" with why in verr. */
static const char *version_for(const struct probe_ctx *ctx, enum action a, char *buf, size_t n, char *verr,
                               size_t en)
{
	buf[0] = verr[0] = '\0';
	if (a != ACTION_STOP && a != ACTION_RESTART)
		return NULL;
	return connect_worker_version(ctx->session, ctx->deadline, buf, n, verr, en) ? buf : NULL;
}

static enum probe_result act_preview(const struct probe_ctx *ctx, enum action a, json_t **out, char *err,
                                     size_t n)
{
	json_t *status = get_status(ctx, err, n);
	if (!status)
		return PROBE_FAILED;
	char version[64], verr[300];
	const char *v = version_for(ctx, a, version, sizeof version, verr, sizeof verr);
	*out = build_preview(ctx, a, status, v, verr);
	json_decref(status);
	return PROBE_OK;
}

static enum probe_result preview_pause(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                       char *err, size_t n)
{
	return act_preview(ctx, ACTION_PAUSE, out, err, n);
}

static enum probe_result preview_resume(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                        char *err, size_t n)
{
	return act_preview(ctx, ACTION_RESUME, out, err, n);
}

static enum probe_result preview_stop(const struct probe_ctx *ctx, const char *scope, json_t **out, char *err,
                                      size_t n)
{
	return act_preview(ctx, ACTION_STOP, out, err, n);
}

static enum probe_result preview_restart(const struct probe_ctx *ctx, const char *scope, json_t **out,
                                         char *err, size_t n)
{
	return act_preview(ctx, ACTION_RESTART, out, err, n);
}

/* ---------------------------------------------------------------------------------------
   Apply: re-read, compare with the pin, write
   --------------------------------------------------------------------------------------- */

/* The apply's answer when the pinned target moved: nothing sent, the new preview. */
static json_t *changed(const struct probe_ctx *ctx, enum action a, const json_t *status, const json_t *pin,
                       const char *what)
{
	const char *v = json_string_value(json_object_get(pin, "version"));
	return json_pack("{s:s, s:o}", "changed", what, "preview", build_preview(ctx, a, status, v, ""));
}

/* pause, resume, stop: the state must be the one previewed. */
static enum probe_result apply_state(const struct probe_ctx *ctx, enum action a, const json_t *preview,
                                     json_t **out, char *err, size_t n)
{
	const json_t *pin = json_object_get(preview, "pin");
	const char *was = json_string_value(json_object_get(pin, "state"));
	if (!was) {
		snprintf(err, n, "the preview has no pinned state (nothing was sent)");
		return PROBE_FAILED;
	}
	json_t *status = get_status(ctx, err, n);
	if (!status)
		return PROBE_FAILED;
	const char *now = status_state(status);
	if (strcmp(now, was)) {
		char what[300];
		snprintf(what, sizeof what, "connector %s is now %s (it was %s at the preview)",
		         connector_opts(ctx->st)->connector_name, now, was);
		*out = changed(ctx, a, status, pin, what);
		json_decref(status);
		return PROBE_OK;
	}
	json_decref(status);
	struct sent s = {.requests = json_array()};
	char *path = cpath(ctx, a == ACTION_PAUSE ? "/pause" : a == ACTION_RESUME ? "/resume" : "/stop");
	bool answered = send_write(ctx, &s, "PUT", path);
	free(path);
	enum probe_result r = PROBE_OK;
	if (!answered || s.status < 200 || s.status > 299) {
		r = write_failed(&s, answered, err, n);
	} else {
		*out =
		    json_pack("{s:s, s:s, s:I, s:O, s:{s:s}}", "sent", s.sent, "answer", s.answer, "affected",
		              (json_int_t)1, "requests", s.requests, "readback", "want", want_state(a));
	}
	sent_free(&s);
	return r;
}

static enum probe_result apply_pause(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                     json_t **out, char *err, size_t n)
{
	return apply_state(ctx, ACTION_PAUSE, preview, out, err, n);
}

static enum probe_result apply_resume(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                      json_t **out, char *err, size_t n)
{
	return apply_state(ctx, ACTION_RESUME, preview, out, err, n);
}

static enum probe_result apply_stop(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                    json_t **out, char *err, size_t n)
{
	return apply_state(ctx, ACTION_STOP, preview, out, err, n);
}

/* Whether two arrays of task ids hold the same ids in the same order (both from status
   answers, in the worker's order). */
static bool same_ids(const json_t *a, const json_t *b)
{
	if (json_array_size(a) != json_array_size(b))
		return false;
	for (size_t i = 0; i < json_array_size(a); i++)
		if (json_integer_value(json_array_get(a, i)) != json_integer_value(json_array_get(b, i)))
			return false;
	return true;
}

/* The ids of a status's FAILED tasks. */
static json_t *failed_ids(const json_t *status)
{
	json_t *failed = connector_status_tasks(status, "FAILED"), *ids = json_array(), *t;
	size_t i;
	json_array_foreach(failed, i, t) json_array_append(ids, json_object_get(t, "id"));
	json_decref(failed);
	return ids;
}

/* One POST per task (and first the connector instance, when it is FAILED): how many answered 2xx. */
static int restart_per_task(const struct probe_ctx *ctx, struct sent *s, const json_t *ids, bool conn_failed)
{
	int done = 0;
	if (conn_failed) {
		char *path = cpath(ctx, "/restart");
		done += send_write(ctx, s, "POST", path) && s->status >= 200 && s->status <= 299;
		free(path);
	}
	size_t i;
	json_t *id;
	json_array_foreach(ids, i, id)
	{
		char suffix[64];
		snprintf(suffix, sizeof suffix, "/tasks/%" JSON_INTEGER_FORMAT "/restart",
		         json_integer_value(id));
		char *path = cpath(ctx, suffix);
		done += send_write(ctx, s, "POST", path) && s->status >= 200 && s->status <= 299;
		free(path);
	}
	return done;
}

/* The instances a 202 restart answer shows RESTARTING: "task 1 RESTARTING" into buf; their number. */
static int restarting(const json_t *body, char *buf, size_t n)
{
	int k = 0;
	buf[0] = '\0';
	if (!strcmp(status_state(body) ? status_state(body) : "", "RESTARTING")) {
		snappendf(buf, n, "connector RESTARTING");
		k++;
	}
	json_t *tasks = connector_status_tasks(body, "RESTARTING"), *t;
	size_t i;
	json_array_foreach(tasks, i, t)
	{
		snappendf(buf, n, "%stask %" JSON_INTEGER_FORMAT " RESTARTING", k ? ", " : "",
		          json_integer_value(json_object_get(t, "id")));
		k++;
	}
	json_decref(tasks);
	return k;
}

static enum probe_result apply_restart(const struct probe_ctx *ctx, const char *scope, const json_t *preview,
                                       json_t **out, char *err, size_t n)
{
	const json_t *pin = json_object_get(preview, "pin");
	const json_t *ids = json_object_get(pin, "failed");
	bool conn_failed = json_is_true(json_object_get(pin, "connector_failed"));
	if (!json_is_array(ids)) {
		snprintf(err, n, "the preview has no pinned tasks (nothing was sent)");
		return PROBE_FAILED;
	}
	json_t *status = get_status(ctx, err, n);
	if (!status)
		return PROBE_FAILED;
	json_t *now_ids = failed_ids(status);
	bool now_conn = !strcmp(status_state(status), "FAILED");
	if (!same_ids(ids, now_ids) || now_conn != conn_failed) {
		char what[400], was[160] = "", is[160] = "";
		size_t i;
		json_t *id;
		json_array_foreach(ids, i, id)
		    snappendf(was, sizeof was, " %" JSON_INTEGER_FORMAT, json_integer_value(id));
		json_array_foreach(now_ids, i, id)
		    snappendf(is, sizeof is, " %" JSON_INTEGER_FORMAT, json_integer_value(id));
		snprintf(what, sizeof what,
		         "the failed tasks of %s are now [%s ]%s (they were [%s ]%s at the preview)",
		         connector_opts(ctx->st)->connector_name, is,
		         now_conn ? " with the connector FAILED" : "", was,
		         conn_failed ? " with the connector FAILED" : "");
		*out = changed(ctx, ACTION_RESTART, status, pin, what);
		json_decref(now_ids);
		json_decref(status);
		return PROBE_OK;
	}
	json_decref(now_ids);
	json_decref(status);

	struct sent s = {.requests = json_array()};
	int affected = 0;
	bool answered = true;
	char extra[300] = "";
	if (json_is_true(json_object_get(pin, "per_task"))) {
		affected = restart_per_task(ctx, &s, ids, conn_failed);
	} else {
		char *path = cpath(ctx, "/restart?includeTasks=true&onlyFailed=true");
		answered = send_write(ctx, &s, "POST", path);
		free(path);
		if (answered && s.status == 202) {
			affected = restarting(s.body, extra, sizeof extra);
		} else if (answered && (s.status == 200 || s.status == 204)) {
			/* A worker older than 3.0 ignores includeTasks and restarts the connector
			   instance only: one restart per task, then. */
			snprintf(extra, sizeof extra,
			         "the worker ignored includeTasks (older than 3.0): one restart per task");
			affected = restart_per_task(ctx, &s, ids, false);
		}
	}
	/* Failed, nothing changed, only when no request was taken (no 2xx answer); unknown
	   when one got no answer. */
	bool any_2xx = false, any_lost = !answered;
	size_t i;
	json_t *q;
	json_array_foreach(s.requests, i, q)
	{
		json_int_t code = json_integer_value(json_object_get(q, "status"));
		any_2xx |= code >= 200 && code <= 299;
		any_lost |= json_is_null(json_object_get(q, "status"));
	}
	enum probe_result r = PROBE_OK;
	if (!any_2xx) {
		r = write_failed(&s, !any_lost, err, n);
	} else {
		char at[32];
		iso8601(now_wall(), at, sizeof at);
		if (extra[0])
			snappendf(s.answer, sizeof s.answer, ": %s", extra);
		*out =
		    json_pack("{s:s, s:s, s:I, s:O, s:{s:O, s:b, s:s}}", "sent", s.sent, "answer", s.answer,
		              "affected", (json_int_t)affected, "requests", s.requests, "readback", "failed",
		              ids, "connector_failed", conn_failed, "restarted_at", at);
	}
	sent_free(&s);
	return r;
}

/* ---------------------------------------------------------------------------------------
   Read-back
   --------------------------------------------------------------------------------------- */

static enum probe_result readback_state(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                        char *err, size_t n)
{
	const char *want = json_string_value(json_object_get(json_object_get(applied, "readback"), "want"));
	json_t *status = get_status(ctx, err, n);
	if (!status)
		return PROBE_FAILED;
	const char *state = status_state(status);
	char seen[600];
	snprintf(seen, sizeof seen, "connector %s %s", connector_opts(ctx->st)->connector_name, state);
	json_t *tasks = connector_status_tasks(status, NULL), *t;
	size_t i;
	json_array_foreach(tasks, i, t) snappendf(
	    seen, sizeof seen, "%stask %" JSON_INTEGER_FORMAT " %s", i ? ", " : " (",
	    json_integer_value(json_object_get(t, "id")), json_string_value(json_object_get(t, "state")));
	if (json_array_size(tasks))
		snappendf(seen, sizeof seen, ")");
	json_t *failed = connector_status_tasks(status, "FAILED");
	if (json_array_size(failed) && want && !strcmp(want, "PAUSED"))
		snappendf(seen, sizeof seen, "; FAILED tasks stay FAILED");
	*out = json_pack("{s:b, s:s}", "confirmed", want && !strcmp(state, want), "seen", seen);
	json_decref(failed);
	json_decref(tasks);
	json_decref(status);
	return PROBE_OK;
}

static enum probe_result readback_restart(const struct probe_ctx *ctx, const json_t *applied, json_t **out,
                                          char *err, size_t n)
{
	const json_t *rb = json_object_get(applied, "readback");
	json_t *status = get_status(ctx, err, n);
	if (!status)
		return PROBE_FAILED;
	const char *state = status_state(status);
	/* A restarted instance takes the connector's target state: RUNNING, or PAUSED when paused. */
	bool paused = !strcmp(state, "PAUSED");
	bool ok = true;
	char seen[600] = "";
	if (json_is_true(json_object_get(rb, "connector_failed"))) {
		ok = !strcmp(state, "RUNNING") || paused;
		snappendf(seen, sizeof seen, "connector %s", state);
	}
	json_t *tasks = connector_status_tasks(status, NULL), *id, *t;
	size_t i, j;
	json_array_foreach(json_object_get(rb, "failed"), i, id)
	{
		const char *ts = "absent";
		json_array_foreach(tasks, j, t) if (json_equal(json_object_get(t, "id"), id)) ts =
		    json_string_value(json_object_get(t, "state"));
		ok &= !strcmp(ts, "RUNNING") || (paused && !strcmp(ts, "PAUSED"));
		snappendf(seen, sizeof seen, "%stask %" JSON_INTEGER_FORMAT " %s", seen[0] ? ", " : "",
		          json_integer_value(id), ts);
	}
	const char *at = json_string_value(json_object_get(rb, "restarted_at"));
	if (at)
		snappendf(seen, sizeof seen, " (restart sent at %s)", at);
	*out = json_pack("{s:b, s:s}", "confirmed", ok, "seen", seen);
	json_decref(tasks);
	json_decref(status);
	return PROBE_OK;
}

const struct kind_action connector_actions[] = {
    {ACTION_PAUSE, offered_pause, NULL, preview_pause, apply_pause, readback_state,
     "pauses the connector and its tasks (PUT /connectors/NAME/pause); the pause persists across worker "
     "restarts; FAILED tasks stay FAILED"},
    {ACTION_RESUME, offered_resume, NULL, preview_resume, apply_resume, readback_state,
     "resumes a PAUSED or STOPPED connector (PUT /connectors/NAME/resume)"},
    {ACTION_STOP, offered_stop, NULL, preview_stop, apply_stop, readback_state,
     "stops the connector and shuts its tasks down (PUT /connectors/NAME/stop; Kafka Connect 3.5 or later)"},
    {ACTION_RESTART, offered_restart, NULL, preview_restart, apply_restart, readback_restart,
     "restarts the FAILED tasks only (POST /connectors/NAME/restart?includeTasks=true&onlyFailed=true, one "
     "retry after a 409; one POST per task before Connect 3.0)"},
    {.action = ACTION_NONE},
};
