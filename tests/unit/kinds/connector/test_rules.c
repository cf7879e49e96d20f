/* test_rules.c: the connector rules on hand-made samples (the stage after it, a search
   index, says nothing): statuses, and the exact evidence an operator reads. */
/* needs: search */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "../../fixture.h"
#include "health.h"

static const char *const INI = "[connect workers]\nurl = http://connect:8083\n"
                               "[search es]\nurl = http://es:9200\n"
                               "[pipeline p]\n"
                               "connector = workers\nconnector.name = products-sink\n"
                               "search = es\nsearch.index = products\n"
                               "search.missing_warn = 5\nsearch.missing_crit = 50\n";

static int setup(void **state)
{
	*state = fixture_open(INI);
	return 0;
}

static int teardown(void **state)
{
	fixture_close(*state);
	return 0;
}

#define CONNECTOR(f) (&(f)->snap.pipes[0].stages[0])
#define SEARCH(f)    (&(f)->snap.pipes[0].stages[1])
#define SEARCH_OK                                                                                            \
	"{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true, \"docs\": 100, "  \
	"\"index_total\": 100, \"indexing_failed\": 0, \"indexing_failed_new\": 0}"
#define CONNECTOR_OK "{\"state\": \"RUNNING\", \"tasks\": 1, \"tasks_running\": 1, \"tasks_failed\": 0}"

/* The connector sample (and its detail, when not NULL), a quiet search stage, evaluated. */
static const struct pipeline_view *eval(struct fx *f, const char *metrics, const char *detail)
{
	fixture_sample(CONNECTOR(f), metrics, NULL, 0);
	if (detail)
		fixture_detail(CONNECTOR(f), detail);
	fixture_sample(SEARCH(f), SEARCH_OK, NULL, 0);
	health_evaluate(&f->snap);
	assert_int_equal(SEARCH(f)->status, ST_OK);
	return &f->snap.pipes[0];
}

static void test_connector_task_failed(void **state)
{
	struct fx *f = *state;
	fixture_sample(CONNECTOR(f),
	               "{\"state\": \"RUNNING\", \"tasks\": 2, \"tasks_running\": 1, \"tasks_failed\": 1}",
	               NULL, 0);
	fixture_detail(CONNECTOR(f),
	               "{\"task_states\": [{\"id\": 0, \"state\": \"RUNNING\", \"trace\": null},"
	               " {\"id\": 1, \"state\": \"FAILED\", \"trace\": \"java.io.IOException: boom\"}]}");
	fixture_sample(SEARCH(f), SEARCH_OK, NULL, 0);
	health_evaluate(&f->snap);
	assert_int_equal(CONNECTOR(f)->status, ST_CRIT);
	assert_string_equal(CONNECTOR(f)->reason, "1 of 2 tasks FAILED");
	const struct diagnosis *d = fixture_diag(&f->snap.pipes[0], "connector-task-failed");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(d->evidence,
	                    "products-sink: 1 of 2 tasks FAILED: task 1 (java.io.IOException: boom)");
	assert_non_null(strstr(d->next, "restart?includeTasks=true&onlyFailed=true"));
	assert_string_equal(action_json_name(d->action), "restart");
	assert_int_equal(SEARCH(f)->status, ST_OK);
}

static void test_connector_paused_and_failed(void **state)
{
	struct fx *f = *state;
	fixture_sample(CONNECTOR(f),
	               "{\"state\": \"PAUSED\", \"tasks\": 2, \"tasks_running\": 0, \"tasks_failed\": 0,"
	               " \"paused_since\": \"2026-11-22T10:00:00Z\", \"paused_for_s\": 130.0}",
	               NULL, 0);
	fixture_sample(SEARCH(f), SEARCH_OK, NULL, 0);
	health_evaluate(&f->snap);
	assert_int_equal(CONNECTOR(f)->status, ST_WARN);
	const struct diagnosis *d = fixture_diag(&f->snap.pipes[0], "worker-paused");
	assert_non_null(d);
	assert_string_equal(
	    d->evidence,
	    "connector products-sink has been PAUSED for at least 2m10s (seen since 2026-11-22T10:00:00Z)");
	assert_string_equal(action_json_name(d->action), "resume");

	fixture_sample(CONNECTOR(f),
	               "{\"state\": \"FAILED\", \"tasks\": 0, \"tasks_running\": 0, \"tasks_failed\": 0}",
	               NULL, 0);
	fixture_detail(CONNECTOR(f),
	               "{\"task_states\": [], \"connector_trace\": \"org.x.ConfigException: bad url\"}");
	health_evaluate(&f->snap);
	assert_int_equal(CONNECTOR(f)->status, ST_CRIT);
	assert_string_equal(fixture_diag(&f->snap.pipes[0], "connector-task-failed")->evidence,
	                    "connector products-sink is FAILED: org.x.ConfigException: bad url");
}

/* ---- connector-task-failed ---- */

static void test_task_failed_lists_every_failed_task(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"state\": \"RUNNING\", \"tasks\": 3, \"tasks_running\": 1, \"tasks_failed\": 2}",
	         "{\"task_states\": [{\"id\": 0, \"state\": \"FAILED\", \"trace\": \"a.B: x\"},"
	         " {\"id\": 1, \"state\": \"RUNNING\", \"trace\": null},"
	         " {\"id\": 2, \"state\": \"FAILED\", \"trace\": null}]}");
	assert_int_equal(CONNECTOR(f)->status, ST_CRIT);
	assert_string_equal(CONNECTOR(f)->reason, "2 of 3 tasks FAILED");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "connector-task-failed");
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(action_json_name(d->action), "restart");
	assert_string_equal(d->symptom, "the connector says RUNNING, but part of its work has stopped: the "
	                                "partitions of the failed tasks are not copied");
	assert_string_equal(d->evidence, "products-sink: 2 of 3 tasks FAILED: task 0 (a.B: x), task 2");
	assert_string_equal(d->next, "restart the failed tasks (POST "
	                             "/connectors/products-sink/restart?includeTasks=true&onlyFailed=true): "
	                             "a plain connector restart does not restart tasks");
}

static void test_connector_failed_without_trace(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"state\": \"FAILED\", \"tasks\": 1, \"tasks_running\": 0, \"tasks_failed\": 1}",
	         "{\"task_states\": [{\"id\": 0, \"state\": \"FAILED\", \"trace\": null}]}");
	assert_int_equal(CONNECTOR(f)->status, ST_CRIT);
	assert_string_equal(CONNECTOR(f)->reason, "connector FAILED");
	/* The connector's failure says it all: no second line for its task. */
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "connector-task-failed");
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(action_json_name(d->action), "restart");
	assert_string_equal(d->symptom, "the connector has failed: nothing flows through it");
	assert_string_equal(d->evidence, "connector products-sink is FAILED");
	assert_string_equal(d->next,
	                    "read the worker's log, fix the cause, then restart the connector and its "
	                    "tasks (POST /connectors/products-sink/restart?includeTasks=true)");
}

static void test_task_failed_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"state\": \"RUNNING\", \"tasks\": 2, \"tasks_running\": 2, \"tasks_failed\": 0}",
	         "{\"task_states\": [{\"id\": 0, \"state\": \"RUNNING\", \"trace\": null},"
	         " {\"id\": 1, \"state\": \"RUNNING\", \"trace\": null}]}");
	assert_int_equal(CONNECTOR(f)->status, ST_OK);
	assert_string_equal(CONNECTOR(f)->reason, "");
	assert_int_equal(pv->n_diags, 0);
}

/* ---- worker-paused ---- */

static void test_stopped_is_paused(void **state)
{
	struct fx *f = *state;
	/* Seen STOPPED on the first poll: since when is not known yet. */
	const struct pipeline_view *pv =
	    eval(f,
	         "{\"state\": \"STOPPED\", \"tasks\": 0, \"tasks_running\": 0, \"tasks_failed\": 0,"
	         " \"paused_since\": null, \"paused_for_s\": null}",
	         NULL);
	assert_int_equal(CONNECTOR(f)->status, ST_WARN);
	assert_string_equal(CONNECTOR(f)->reason, "connector STOPPED");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "worker-paused");
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(action_json_name(d->action), "resume");
	assert_string_equal(d->symptom,
	                    "the connector is STOPPED: nothing flows until it is resumed, and the "
	                    "pause outlives restarts");
	assert_string_equal(d->evidence,
	                    "connector products-sink has been STOPPED for at least 0s (seen since ?)");
	assert_string_equal(d->next, "if nobody meant it to last, resume it (PUT "
	                             "/connectors/products-sink/resume); ask first who paused it");
}

static void test_paused_near_miss(void **state)
{
	struct fx *f = *state;
	/* A connector being moved between workers is not paused: a status, no diagnosis. */
	const struct pipeline_view *pv = eval(
	    f, "{\"state\": \"UNASSIGNED\", \"tasks\": 1, \"tasks_running\": 0, \"tasks_failed\": 0}", NULL);
	assert_int_equal(CONNECTOR(f)->status, ST_WARN);
	assert_string_equal(CONNECTOR(f)->reason, "connector UNASSIGNED");
	assert_int_equal(pv->n_diags, 0);
	pv = eval(f, "{\"state\": \"RESTARTING\", \"tasks\": 1, \"tasks_running\": 0, \"tasks_failed\": 0}",
	          NULL);
	assert_int_equal(CONNECTOR(f)->status, ST_WARN);
	assert_string_equal(CONNECTOR(f)->reason, "connector RESTARTING");
	assert_int_equal(pv->n_diags, 0);
}

/* ---- a running connector with no task ---- */

static void test_running_without_tasks(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, "{\"state\": \"RUNNING\", \"tasks\": 0, \"tasks_running\": 0, \"tasks_failed\": 0}", NULL);
	assert_int_equal(CONNECTOR(f)->status, ST_WARN);
	assert_string_equal(CONNECTOR(f)->reason, "connector RUNNING with no tasks");
	assert_int_equal(pv->n_diags, 0);
	/* One task is enough. */
	pv = eval(f, CONNECTOR_OK, NULL);
	assert_int_equal(CONNECTOR(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* No state read (the connector not found answers an error; a null state says nothing). */
static void test_no_state(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, "{\"state\": null, \"tasks\": null, \"tasks_running\": null, \"tasks_failed\": null}", NULL);
	assert_int_equal(CONNECTOR(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_connector_task_failed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connector_paused_and_failed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_task_failed_lists_every_failed_task, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connector_failed_without_trace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_task_failed_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stopped_is_paused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_paused_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_running_without_tasks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_state, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
