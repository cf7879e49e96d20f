/* test_health_http.c: the rules of the stages read over HTTP (connector, search), from
   hand-made samples: statuses, and the exact evidence an operator reads. */
/* needs: search */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "health.h"

static const char *const INI = "[connect workers]\nurl = http://connect:8083\n"
                               "[search es]\nurl = http://es:9200\n"
                               "[pipeline p]\n"
                               "connector = workers\nconnector.name = products-sink\n"
                               "search = es\nsearch.index = products\n"
                               "search.missing_warn = 5\nsearch.missing_crit = 50\n";

struct fx {
	struct config *cfg;
	struct snapshot snap;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	f->cfg = fixture_config(INI);
	fixture_snapshot(&f->snap, f->cfg, 1795000000.0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	snapshot_free(&f->snap);
	config_free(f->cfg);
	free(f);
	return 0;
}

#define CONNECTOR(f) (&(f)->snap.pipes[0].stages[0])
#define SEARCH(f)    (&(f)->snap.pipes[0].stages[1])
#define SEARCH_OK                                                                                            \
	"{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true, \"docs\": 100, "  \
	"\"index_total\": 100, \"indexing_failed\": 0, \"indexing_failed_new\": 0}"

static const struct diagnosis *find(const struct pipeline_view *pv, const char *rule)
{
	for (size_t i = 0; i < pv->n_diags; i++)
		if (!strcmp(pv->diags[i].rule, rule))
			return &pv->diags[i];
	return NULL;
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
	const struct diagnosis *d = find(&f->snap.pipes[0], "connector-task-failed");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(d->evidence,
	                    "products-sink: 1 of 2 tasks FAILED: task 1 (java.io.IOException: boom)");
	assert_non_null(strstr(d->next, "restart?includeTasks=true&onlyFailed=true"));
	assert_string_equal(d->action, "restart");
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
	const struct diagnosis *d = find(&f->snap.pipes[0], "worker-paused");
	assert_non_null(d);
	assert_string_equal(
	    d->evidence,
	    "connector products-sink has been PAUSED for at least 2m10s (seen since 2026-11-22T10:00:00Z)");
	assert_string_equal(d->action, "resume");

	fixture_sample(CONNECTOR(f),
	               "{\"state\": \"FAILED\", \"tasks\": 0, \"tasks_running\": 0, \"tasks_failed\": 0}",
	               NULL, 0);
	fixture_detail(CONNECTOR(f),
	               "{\"task_states\": [], \"connector_trace\": \"org.x.ConfigException: bad url\"}");
	health_evaluate(&f->snap);
	assert_int_equal(CONNECTOR(f)->status, ST_CRIT);
	assert_string_equal(find(&f->snap.pipes[0], "connector-task-failed")->evidence,
	                    "connector products-sink is FAILED: org.x.ConfigException: bad url");
}

static void test_search_refresh_off_and_drift(void **state)
{
	struct fx *f = *state;
	fixture_sample(CONNECTOR(f),
	               "{\"state\": \"RUNNING\", \"tasks\": 1, \"tasks_running\": 1, \"tasks_failed\": 0}",
	               NULL, 0);
	fixture_sample(
	    SEARCH(f),
	    "{\"health\": \"yellow\", \"unassigned_shards\": 1, \"refresh_interval\": \"-1\","
	    " \"refresh_explicit\": true, \"docs\": 30, \"index_total\": 130, \"source_docs\": 130,"
	    " \"missing_docs\": 100, \"missing_docs_floor\": 60, \"indexing_failed\": 3,"
	    " \"indexing_failed_new\": 2}",
	    NULL, 0);
	health_evaluate(&f->snap);
	const struct pipeline_view *pv = &f->snap.pipes[0];
	assert_int_equal(SEARCH(f)->status, ST_CRIT);
	assert_string_equal(
	    find(pv, "search-refresh-disabled")->evidence,
	    "index.refresh_interval is -1 on products: 30 documents visible, 130 index operations so far");
	assert_int_equal(find(pv, "search-unhealthy")->severity, ST_WARN);
	assert_string_equal(find(pv, "search-unhealthy")->evidence,
	                    "health yellow for products, 1 unassigned shards");
	assert_int_equal(find(pv, "search-indexing-failed")->severity, ST_CRIT);
	const struct diagnosis *d = find(pv, "dual-write-loss");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_CRIT); /* floor 60 >= missing_crit 50 */
	assert_string_equal(
	    d->evidence,
	    "source 130 rows, index 30 documents: 100 missing, at least 60 throughout the last 30s");
	/* the floor decides: 100 missing now, but only 3 throughout the window: in flight */
	fixture_sample(
	    SEARCH(f),
	    "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true, \"docs\": 30,"
	    " \"source_docs\": 130, \"missing_docs\": 100, \"missing_docs_floor\": 3}",
	    NULL, 0);
	health_evaluate(&f->snap);
	assert_null(find(&f->snap.pipes[0], "dual-write-loss"));
	assert_int_equal(SEARCH(f)->status, ST_OK);
}

static void test_search_idle_and_stale(void **state)
{
	struct fx *f = *state;
	fixture_sample(CONNECTOR(f),
	               "{\"state\": \"RUNNING\", \"tasks\": 1, \"tasks_running\": 1, \"tasks_failed\": 0}",
	               NULL, 0);
	fixture_sample(SEARCH(f),
	               "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": false,"
	               " \"search_idle\": true, \"search_idle_after\": \"30s\", \"docs\": 10}",
	               NULL, 0);
	health_evaluate(&f->snap);
	assert_int_equal(SEARCH(f)->status, ST_WARN);
	assert_non_null(find(&f->snap.pipes[0], "search-idle"));
	/* explicit refresh: search-idle shards still refresh on schedule */
	fixture_sample(SEARCH(f),
	               "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	               " \"search_idle\": true, \"docs\": 10, \"freshness_lag_s\": 400.0}",
	               NULL, 0);
	health_evaluate(&f->snap);
	assert_null(find(&f->snap.pipes[0], "search-idle"));
	const struct diagnosis *d = find(&f->snap.pipes[0], "search-stale");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_CRIT); /* 6m40s >= freshness_crit 5m */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_connector_task_failed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connector_paused_and_failed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search_refresh_off_and_drift, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search_idle_and_stale, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
