/* rules.c: the rules of the connector stage (RUNBOOK.md: connector-task-failed,
   worker-paused). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kinds/connector/connector.h"
#include "rules.h"
#include "units.h"

/* "0 (org.apache.kafka.connect.errors.ConnectException: ...), 2" from the task list. */
static void failed_tasks(const json_t *detail, char *buf, size_t n)
{
	buf[0] = '\0';
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(detail, "task_states"), i, t)
	{
		const char *state = json_string_value(json_object_get(t, "state"));
		if (!state || strcmp(state, "FAILED"))
			continue;
		const char *trace = json_string_value(json_object_get(t, "trace"));
		snappendf(buf, n, "%stask %" PRId64 "%s%s%s", buf[0] ? ", " : "",
		          (int64_t)json_integer_value(json_object_get(t, "id")), trace ? " (" : "",
		          trace ? trace : "", trace ? ")" : "");
	}
}

void connector_rules(struct pipeline_view *pv, struct stage_view *sv)
{
	const json_t *m = sv->cur.metrics;
	const char *name = connector_opts(sv->cfg)->connector_name;
	const char *state = metric_str(m, "state");
	int64_t failed = 0, running = 0, tasks = 0;
	metric_int(m, "tasks_failed", &failed);
	metric_int(m, "tasks_running", &running);
	metric_int(m, "tasks", &tasks);
	if (!state)
		return;
	if (!strcmp(state, "FAILED")) {
		raise_status(sv, ST_CRIT, "connector FAILED");
		struct diagnosis *d = add_diag(pv, sv, "connector-task-failed", ST_CRIT, ACTION_RESTART);
		snprintf(d->symptom, sizeof d->symptom, "the connector has failed: nothing flows through it");
		const char *trace = json_string_value(json_object_get(sv->cur.detail, "connector_trace"));
		snprintf(d->evidence, sizeof d->evidence, "connector %s is FAILED%s%s", name,
		         trace ? ": " : "", trace ? trace : "");
		snprintf(d->next, sizeof d->next,
		         "read the worker's log, fix the cause, then restart the connector and its tasks "
		         "(POST /connectors/%s/restart?includeTasks=true)",
		         name);
	} else if (failed > 0) {
		raise_status(sv, ST_CRIT, "%" PRId64 " of %" PRId64 " tasks FAILED", failed, tasks);
		struct diagnosis *d = add_diag(pv, sv, "connector-task-failed", ST_CRIT, ACTION_RESTART);
		snprintf(
		    d->symptom, sizeof d->symptom,
		    "the connector says %s, but part of its work has stopped: the partitions of the failed "
		    "tasks are not copied",
		    state);
		char list[400];
		failed_tasks(sv->cur.detail, list, sizeof list);
		snprintf(d->evidence, sizeof d->evidence, "%s: %" PRId64 " of %" PRId64 " tasks FAILED: %s",
		         name, failed, tasks, list);
		snprintf(d->next, sizeof d->next,
		         "restart the failed tasks (POST "
		         "/connectors/%s/restart?includeTasks=true&onlyFailed=true): a "
		         "plain connector restart does not restart tasks",
		         name);
	}
	if (!strcmp(state, "PAUSED") || !strcmp(state, "STOPPED")) {
		double since = 0;
		metric_num(m, "paused_for_s", &since);
		char d_s[32];
		format_duration(since, d_s, sizeof d_s);
		raise_status(sv, ST_WARN, "connector %s", state);
		struct diagnosis *d = add_diag(pv, sv, "worker-paused", ST_WARN, ACTION_RESUME);
		diag_since_from(d, sv, "paused_for_s", true);
		snprintf(
		    d->symptom, sizeof d->symptom,
		    "the connector is %s: nothing flows until it is resumed, and the pause outlives restarts",
		    state);
		snprintf(d->evidence, sizeof d->evidence,
		         "connector %s has been %s for at least %s (seen since %s)", name, state, d_s,
		         metric_str(m, "paused_since") ? metric_str(m, "paused_since") : "?");
		snprintf(d->next, sizeof d->next,
		         "if nobody meant it to last, resume it (PUT /connectors/%s/resume); ask first who "
		         "paused it",
		         name);
	} else if (!strcmp(state, "UNASSIGNED") || !strcmp(state, "RESTARTING")) {
		raise_status(sv, ST_WARN, "connector %s", state);
	} else if (!strcmp(state, "RUNNING") && tasks == 0) {
		raise_status(sv, ST_WARN, "connector RUNNING with no tasks");
	}
}
