/* probe.c: the connector stage: a Kafka Connect connector's state and its tasks' (a FAILED
   task under a RUNNING connector is the runbook's connector-task-failed; PAUSED is a pause in
   force, and since when synctop has seen it). */
/* needs: search */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"
#include "kinds/connector/connector.h"
#include "kinds/probe.h"
#include "sanitize.h"
#include "units.h"
#include "util.h"

/* The first line of a Java stack trace: the exception and its message. */
static json_t *trace_head(const char *trace)
{
	if (!trace)
		return json_null();
	size_t n = strcspn(trace, "\n");
	char head[304]; /* 300 bytes, whole characters (json_stringn refuses a cut one) */
	return json_string(text_clean(head, sizeof head, trace, n > 300 ? 300 : n));
}

/* The worker's version (GET /), read on the first poll and then every VERSION_EVERY polls
   (every 10 while it cannot be read), beside the status (at once): the stop action needs
   Connect 3.5, the restart of tasks 3.0. Its failure fails nothing. */
#define VERSION_EVERY 60
struct connector_aux {
	char version[64]; /* "" while unknown */
	unsigned long next_poll;
};

static enum probe_result connector_poll(const struct probe_ctx *ctx, struct sample *out)
{
	const struct connector_opts *st = connector_opts(ctx->st);
	struct connector_aux *ax = *ctx->aux;
	if (!ax)
		ax = *ctx->aux = xcalloc(1, sizeof *ax);
	char *name = http_escape_segment(st->connector_name);
	char path[600];
	snprintf(path, sizeof path, "/connectors/%s/status", name);
	free(name);
	struct http_call calls[2] = {{.method = "GET", .path = path, .after = -1},
	                             {.method = "GET", .path = "/", .after = -1}};
	bool version_due = ctx->poll_no >= ax->next_poll;
	if (http_json_all(ctx->session, calls, version_due ? 2 : 1, ctx->deadline) == 0) {
		sample_set_error(out, "%s", calls[0].err);
		json_decref(calls[1].json); /* the version may have come before the status failed */
		return PROBE_FAILED;
	}
	enum probe_result r = connector_read(calls[0].json, path, ctx->memo, out);
	json_decref(calls[0].json);
	if (r == PROBE_OK && version_due) {
		const char *v = json_string_value(json_object_get(calls[1].json, "version"));
		if (v)
			text_clean(ax->version, sizeof ax->version, v, strlen(v));
		else
			ax->version[0] = '\0';
		ax->next_poll = ctx->poll_no + (v ? VERSION_EVERY : 10);
	}
	json_decref(calls[1].json);
	if (r == PROBE_OK && ax->version[0])
		json_object_set_new(out->metrics, "worker_version", json_string(ax->version));
	return r;
}

enum probe_result connector_read(const json_t *j, const char *path, json_t **memo, struct sample *out)
{
	const char *state = json_string_value(json_object_get(json_object_get(j, "connector"), "state"));
	if (!state) {
		sample_set_error(out, "the answer to GET %s has no connector.state", path);
		return PROBE_FAILED;
	}
	json_t *m = out->metrics;
	json_object_set_new(m, "state", json_string(state));
	json_t *worker = json_object_get(json_object_get(j, "connector"), "worker_id");
	if (json_is_string(worker))
		json_object_set(m, "worker_id", worker);
	json_t *type = json_object_get(j, "type");
	if (json_is_string(type))
		json_object_set(m, "type", type);

	json_int_t running = 0, failed = 0;
	json_t *list = json_array(), *task;
	size_t i;
	json_array_foreach(json_object_get(j, "tasks"), i, task)
	{
		const char *ts = json_string_value(json_object_get(task, "state"));
		running += ts && !strcmp(ts, "RUNNING");
		failed += ts && !strcmp(ts, "FAILED");
		json_array_append_new(
		    list, json_pack("{s:O?, s:s?, s:O?, s:o}", "id", json_object_get(task, "id"), "state", ts,
		                    "worker_id", json_object_get(task, "worker_id"), "trace",
		                    trace_head(json_string_value(json_object_get(task, "trace")))));
	}
	json_object_set_new(m, "tasks", json_integer((json_int_t)json_array_size(list)));
	json_object_set_new(m, "tasks_running", json_integer(running));
	json_object_set_new(m, "tasks_failed", json_integer(failed));
	out->detail = json_object();
	json_object_set_new(out->detail, "task_states", list);
	const char *trace = json_string_value(json_object_get(json_object_get(j, "connector"), "trace"));
	if (trace)
		json_object_set_new(out->detail, "connector_trace", trace_head(trace));

	/* Kafka Connect does not say since when a connector is paused: since synctop saw it. */
	double wall = now_wall();
	if (!strcmp(state, "PAUSED") || !strcmp(state, "STOPPED")) {
		if (!*memo)
			*memo = json_real(wall);
		double since = json_real_value(*memo);
		char iso[32];
		iso8601(since, iso, sizeof iso);
		json_object_set_new(m, "paused_since", json_string(iso));
		json_object_set_new(m, "paused_for_s", json_real(wall - since));
	} else if (*memo) {
		json_decref(*memo);
		*memo = NULL;
	}
	return PROBE_OK;
}

const struct probe connector_probe = {
    .poll = connector_poll,
    .aux_close = free,
    .actions = connector_actions,
};
