/* test_rules.c: the search rules on hand-made samples (the stage before it, a connector,
   says nothing): statuses, and the exact evidence an operator reads. */
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

/* The search sample, a quiet connector stage, evaluated. */
static const struct pipeline_view *eval(struct fx *f, const char *metrics)
{
	fixture_sample(CONNECTOR(f), CONNECTOR_OK, NULL, 0);
	fixture_sample(SEARCH(f), metrics, NULL, 0);
	health_evaluate(&f->snap);
	assert_int_equal(CONNECTOR(f)->status, ST_OK);
	return &f->snap.pipes[0];
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
	    fixture_diag(pv, "search-refresh-disabled")->evidence,
	    "index.refresh_interval is -1 on products: 30 documents visible, 130 index operations so far");
	assert_int_equal(fixture_diag(pv, "search-unhealthy")->severity, ST_WARN);
	assert_string_equal(fixture_diag(pv, "search-unhealthy")->evidence,
	                    "health yellow for products, 1 unassigned shards");
	assert_int_equal(fixture_diag(pv, "search-indexing-failed")->severity, ST_CRIT);
	/* 60 documents missing throughout, but refresh is off (and the index rejects some): the
	   count cannot move, so that is what to fix first, not a loss to replay. */
	assert_null(fixture_diag(pv, "dual-write-loss"));
	/* the floor decides: 100 missing now, but only 3 throughout the window: in flight */
	fixture_sample(
	    SEARCH(f),
	    "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true, \"docs\": 30,"
	    " \"source_docs\": 130, \"missing_docs\": 100, \"missing_docs_floor\": 3}",
	    NULL, 0);
	health_evaluate(&f->snap);
	assert_null(fixture_diag(&f->snap.pipes[0], "dual-write-loss"));
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
	assert_non_null(fixture_diag(&f->snap.pipes[0], "search-idle"));
	/* explicit refresh: search-idle shards still refresh on schedule */
	fixture_sample(SEARCH(f),
	               "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	               " \"search_idle\": true, \"docs\": 10, \"freshness_lag_s\": 400.0}",
	               NULL, 0);
	health_evaluate(&f->snap);
	assert_null(fixture_diag(&f->snap.pipes[0], "search-idle"));
	const struct diagnosis *d = fixture_diag(&f->snap.pipes[0], "search-stale");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_CRIT); /* 6m40s >= freshness_crit 5m */
}

/* ---- search-unhealthy ---- */

static void test_unhealthy_red(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"red\", \"unassigned_shards\": 2, \"refresh_interval\": \"1s\","
	            " \"refresh_explicit\": true, \"docs\": 100}");
	assert_int_equal(SEARCH(f)->status, ST_CRIT);
	assert_string_equal(SEARCH(f)->reason, "health red");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "search-unhealthy");
	assert_int_equal(d->severity, ST_CRIT);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->symptom, "some primary shards of the index are unassigned: searches miss "
	                                "documents and writes to them fail");
	assert_string_equal(d->evidence, "health red for products, 2 unassigned shards");
	/* Without the shard count. */
	pv = eval(f, "{\"health\": \"red\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true}");
	assert_string_equal(pv->diags[0].evidence, "health red for products");
}

static void test_unhealthy_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, SEARCH_OK);
	assert_int_equal(SEARCH(f)->status, ST_OK);
	assert_string_equal(SEARCH(f)->reason, "");
	assert_int_equal(pv->n_diags, 0);
}

/* ---- search-refresh-disabled ---- */

static void test_refresh_disabled(void **state)
{
	struct fx *f = *state;
	/* Refresh off outranks search-idle: only one line. */
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"green\", \"refresh_interval\": \"-1\", \"refresh_explicit\": false,"
	            " \"search_idle\": true, \"docs\": 30, \"index_total\": 130}");
	assert_int_equal(SEARCH(f)->status, ST_CRIT);
	assert_string_equal(SEARCH(f)->reason, "refresh disabled (refresh_interval -1)");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "search-refresh-disabled");
	assert_int_equal(d->severity, ST_CRIT);
	/* The fix is restoring the interval (I); a refresh (F) is one-off. */
	assert_string_equal(action_json_name(d->action), "restore-refresh");
	assert_string_equal(d->symptom, "new and updated documents never become visible in search");
	assert_string_equal(d->next,
	                    "usually left over from a bulk load: set it back (PUT /products/_settings "
	                    "{\"index\":{\"refresh_interval\":null}}); a forced refresh only shows what is "
	                    "indexed so far");
}

static void test_refresh_disabled_near_miss(void **state)
{
	struct fx *f = *state;
	/* A long interval is not a disabled one. */
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"green\", \"refresh_interval\": \"30s\", \"refresh_explicit\": true,"
	            " \"docs\": 30, \"index_total\": 130}");
	assert_int_equal(SEARCH(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- search-idle ---- */

static void test_search_idle_evidence(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": false,"
	            " \"search_idle\": true, \"search_idle_after\": \"45s\", \"docs\": 10}");
	assert_int_equal(SEARCH(f)->status, ST_WARN);
	assert_string_equal(SEARCH(f)->reason, "search-idle: scheduled refreshes skipped");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "search-idle");
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(action_json_name(d->action), "refresh");
	assert_string_equal(d->evidence,
	                    "index.refresh_interval is not set on products (default 1s) and a shard "
	                    "is search-idle: no search for index.search.idle.after (45s), so "
	                    "scheduled refreshes are skipped");
}

static void test_search_idle_near_miss(void **state)
{
	struct fx *f = *state;
	/* The default interval, but every shard was searched lately. */
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": false,"
	            " \"search_idle\": false, \"search_idle_after\": \"30s\", \"docs\": 10}");
	assert_int_equal(SEARCH(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- search-indexing-failed ---- */

static void test_indexing_failed(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	            " \"docs\": 100, \"indexing_failed\": 3, \"indexing_failed_new\": 1}");
	assert_int_equal(SEARCH(f)->status, ST_CRIT);
	assert_string_equal(SEARCH(f)->reason, "1 documents rejected in the last 30s");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "search-indexing-failed");
	assert_int_equal(d->severity, ST_CRIT);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->evidence,
	                    "indexing.index_failed rose by 1 in the last 30s (3 in all) on products");
	/* A window that saw 1s of it (a --once) says 1s, not the 30s configured. */
	pv = eval(f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	             " \"docs\": 100, \"indexing_failed\": 5, \"indexing_failed_new\": 2,"
	             " \"indexing_failed_span_s\": 1.02}");
	assert_string_equal(pv->diags[0].evidence,
	                    "indexing.index_failed rose by 2 in the last 1s (5 in all) on products");
}

static void test_indexing_failed_near_miss(void **state)
{
	struct fx *f = *state;
	/* Failures, but none within the window: old news. */
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	            " \"docs\": 100, \"indexing_failed\": 3, \"indexing_failed_new\": 0}");
	assert_int_equal(SEARCH(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- dual-write-loss, both ways (search.missing_warn 5 here) ---- */

static void test_missing_at_warn(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	            " \"docs\": 100, \"source_docs\": 107, \"missing_docs\": 7, \"missing_docs_floor\": 5,"
	            " \"missing_docs_span_s\": 29.6}");
	assert_int_equal(SEARCH(f)->status, ST_WARN);
	assert_string_equal(SEARCH(f)->reason, "7 documents missing from the index");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "dual-write-loss");
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(action_json_name(d->action), "replay");
	assert_string_equal(d->action_scope, "created:1h..");
	assert_string_equal(
	    d->symptom, "rows in PostgreSQL have no document in the index: a product missing from search");
	assert_string_equal(
	    d->evidence,
	    "source 107 rows, index 100 documents: 7 missing, at least 5 throughout the last 30s");
}

static void test_missing_near_miss(void **state)
{
	struct fx *f = *state;
	/* 7 missing now, but only 4 throughout the window: under missing_warn. */
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	            " \"docs\": 100, \"source_docs\": 107, \"missing_docs\": 7, \"missing_docs_floor\": 4}");
	assert_int_equal(SEARCH(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
	/* No floor yet (the first poll with a count): nothing to say. */
	pv = eval(
	    f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	       " \"docs\": 100, \"source_docs\": 207, \"missing_docs\": 107, \"missing_docs_floor\": null}");
	assert_int_equal(SEARCH(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

static void test_too_many_documents(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	            " \"docs\": 108, \"source_docs\": 100, \"missing_docs\": -8, \"missing_docs_floor\": -5,"
	            " \"missing_docs_span_s\": 31}");
	assert_int_equal(SEARCH(f)->status, ST_WARN);
	assert_string_equal(SEARCH(f)->reason, "8 more documents than source rows");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "dual-write-loss");
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_NONE); /* a replay adds nothing: the rows are gone */
	assert_string_equal(d->symptom,
	                    "the index holds documents whose rows are gone: deleted products still found");
	assert_string_equal(
	    d->evidence,
	    "source 100 rows, index 108 documents: 8 too many, at least 5 throughout the last 30s");
	/* However many too many: warn, never crit. */
	pv = eval(
	    f,
	    "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	    " \"docs\": 1100, \"source_docs\": 100, \"missing_docs\": -1000, \"missing_docs_floor\": -1000}");
	assert_int_equal(SEARCH(f)->status, ST_WARN);
	assert_int_equal(pv->diags[0].severity, ST_WARN);
}

/* A window shorter than search.missing_window (a --once's 1s) says so: the span it saw. */
static void test_missing_short_window(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	            " \"docs\": 100, \"source_docs\": 160, \"missing_docs\": 60, \"missing_docs_floor\": 55,"
	            " \"missing_docs_span_s\": 0.98}");
	assert_int_equal(SEARCH(f)->status, ST_CRIT);
	assert_string_equal(pv->diags[0].evidence,
	                    "source 160 rows, index 100 documents: 60 missing, at least 55 throughout the "
	                    "1s seen so far (of search.missing_window 30s: too short to tell documents on "
	                    "their way from lost ones)");
}

static void test_too_many_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	       " \"docs\": 108, \"source_docs\": 100, \"missing_docs\": -8, \"missing_docs_floor\": -4}");
	assert_int_equal(SEARCH(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- the source SQL failed: a warn status, no diagnosis ---- */

static void test_source_error(void **state)
{
	struct fx *f = *state;
	fixture_sample(CONNECTOR(f), CONNECTOR_OK, NULL, 0);
	fixture_sample(SEARCH(f), SEARCH_OK, NULL, 0);
	fixture_detail(SEARCH(f),
	               "{\"source_error\": \"search.source_count: relation \\\"products\\\" does not "
	               "exist\"}");
	health_evaluate(&f->snap);
	assert_int_equal(SEARCH(f)->status, ST_WARN);
	assert_string_equal(SEARCH(f)->reason, "search.source_count: relation \"products\" does not exist");
	assert_int_equal(f->snap.pipes[0].n_diags, 0);
}

/* ---- search-stale: a stage with search.freshness_field (its SQL needs PostgreSQL, so the
   test needs a synctop built with it) ---- */

#ifdef HAVE_POSTGRES
static const char *const INI_FRESH = "[postgres shop]\nconninfo = host=db.internal dbname=shop\n"
                                     "[search es]\nurl = http://es:9200\n"
                                     "[pipeline p]\n"
                                     "search = es\nsearch.index = products\nsearch.source = shop\n"
                                     "search.freshness_field = updated_at\n"
                                     "search.source_freshness = SELECT max(updated_at) FROM products\n";

/* The only stage of a fresh config, its sample given, evaluated. */
static const struct diagnosis *stale(struct fx *g, const char *metrics)
{
	struct stage_view *sv = &g->snap.pipes[0].stages[0];
	fixture_sample(sv, metrics, NULL, 0);
	health_evaluate(&g->snap);
	return g->snap.pipes[0].n_diags ? &g->snap.pipes[0].diags[0] : NULL;
}

static void test_stale(void **state)
{
	(void)state;
	struct fx g = {.cfg = fixture_config(INI_FRESH)};
	fixture_snapshot(&g.snap, g.cfg, 1795000000.0);
	const struct stage_view *sv = &g.snap.pipes[0].stages[0];
	const struct diagnosis *d = stale(&g, "{\"health\": \"green\", \"refresh_interval\": \"1s\","
	                                      " \"refresh_explicit\": true, \"freshness_lag_s\": 30.0}");
	assert_int_equal(sv->status, ST_WARN);
	assert_string_equal(sv->reason, "newest document 30s behind the source");
	assert_int_equal(g.snap.pipes[0].n_diags, 1);
	assert_non_null(d);
	assert_string_equal(d->rule, "search-stale");
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(action_json_name(d->action), "refresh");
	assert_string_equal(d->symptom, "search shows old data after an update");
	assert_string_equal(d->evidence,
	                    "the newest source row is 30s newer than the newest updated_at in products");
	d = stale(&g, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	              " \"freshness_lag_s\": 300.0}");
	assert_int_equal(sv->status, ST_CRIT);
	assert_string_equal(sv->reason, "newest document 5m00s behind the source");
	assert_int_equal(d->severity, ST_CRIT);
	/* The near miss: just under freshness_warn. */
	d = stale(&g, "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	              " \"freshness_lag_s\": 29.9}");
	assert_int_equal(sv->status, ST_OK);
	assert_null(d);
	snapshot_free(&g.snap);
	config_free(g.cfg);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_search_refresh_off_and_drift, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search_idle_and_stale, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unhealthy_red, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unhealthy_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refresh_disabled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refresh_disabled_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search_idle_evidence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search_idle_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_indexing_failed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_indexing_failed_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_at_warn, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_documents, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_short_window, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_source_error, setup, teardown),
#ifdef HAVE_POSTGRES
	    cmocka_unit_test(test_stale),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
