/* test_rules.c: the graph stage's rules (the generic copy-missing and copy-stale of
   kinds/copy.c) on hand-made samples, the outbox before it quiet or holding rows on their way:
   statuses, the exact evidence, a near miss of each; its figures, target and config checks. */
/* needs: search */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../config_text.h"
#include "../../fixture.h"
#include "health.h"
#include "kinds/graph/graph.h"

#define HTTP  "[http neo]\nurl = http://neo4j:7474\n"
#define GRAPH "graph = neo\ngraph.count = MATCH (p:Product) RETURN count(p)\n"
static const char *const INI =
    PG HTTP "[pipeline recs]\noutbox = shop\n" GRAPH "graph.source_count = SELECT count(*) FROM products\n"
            "graph.missing_warn = 5\ngraph.missing_crit = 50\n"
            "graph.missing_window = 30s\n";

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

#define OUTBOX(f) (&(f)->snap.pipes[0].stages[0])
#define GRAPHS(f) (&(f)->snap.pipes[0].stages[1])

/* The graph's sample after an outbox holding `pending` rows, evaluated. */
static const struct pipeline_view *eval(struct fx *f, int pending, const char *metrics)
{
	char o[128];
	snprintf(o, sizeof o, "{\"pending\": %d, \"failed\": 0}", pending);
	fixture_sample(OUTBOX(f), o, NULL, 0);
	fixture_sample(GRAPHS(f), metrics, NULL, 0);
	health_evaluate(&f->snap);
	return &f->snap.pipes[0];
}

static void test_missing(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, 0,
	         "{\"count\": 1190, \"source_count\": 1210, \"missing\": 20, \"missing_floor\": 12, "
	         "\"missing_span_s\": 30}");
	assert_int_equal(GRAPHS(f)->status, ST_WARN);
	assert_string_equal(GRAPHS(f)->reason, "20 nodes missing from the graph neo4j");
	const struct diagnosis *d = fixture_diag(pv, "copy-missing");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_REPLAY);
	assert_string_equal(d->action_scope, "created:1h..");
	assert_string_equal(d->evidence,
	                    "source 1,210 rows, nodes 1,190: 20 missing, at least 12 throughout the last "
	                    "30s; 0 on their way");
	char buf[128];
	graph_kind.figures(GRAPHS(f), buf, sizeof buf);
	assert_string_equal(buf, "1,190 nodes, 20 missing of 1,210 rows");
	graph_kind.target(GRAPHS(f)->cfg, buf, sizeof buf);
	assert_string_equal(buf, "neo4j");

	/* Crit from 50 lost. */
	pv = eval(f, 0,
	          "{\"count\": 1000, \"source_count\": 1060, \"missing\": 60, \"missing_floor\": 60, "
	          "\"missing_span_s\": 30}");
	assert_int_equal(fixture_diag(pv, "copy-missing")->severity, ST_CRIT);
}

static void test_missing_in_flight(void **state)
{
	struct fx *f = *state;
	/* 12 missing throughout, 8 of them still pending in the outbox: 4 lost, under 5. */
	const struct pipeline_view *pv =
	    eval(f, 8,
	         "{\"count\": 1190, \"source_count\": 1202, \"missing\": 12, \"missing_floor\": 12, "
	         "\"missing_span_s\": 30}");
	assert_int_equal(GRAPHS(f)->status, ST_OK);
	assert_null(fixture_diag(pv, "copy-missing"));
	/* 7 pending: 5 lost, warn. */
	pv = eval(f, 7,
	          "{\"count\": 1190, \"source_count\": 1202, \"missing\": 12, \"missing_floor\": 12, "
	          "\"missing_span_s\": 30}");
	assert_int_equal(GRAPHS(f)->status, ST_WARN);
	assert_non_null(fixture_diag(pv, "copy-missing"));
}

static void test_too_many_and_short_window(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, 0,
	         "{\"count\": 1210, \"source_count\": 1200, \"missing\": -10, \"missing_floor\": -9, "
	         "\"missing_span_s\": 4}");
	assert_int_equal(GRAPHS(f)->status, ST_WARN);
	assert_string_equal(GRAPHS(f)->reason, "10 more nodes than source rows");
	const struct diagnosis *d = fixture_diag(pv, "copy-missing");
	assert_non_null(d);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->evidence,
	                    "source 1,200 rows, nodes 1,210: 10 too many, at least 9 throughout the 4s "
	                    "seen so far (of graph.missing_window 30s: too short to tell nodes on "
	                    "their way from lost ones)");
}

static void test_stale(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, 0, "{\"count\": 10, \"freshness_lag_s\": 45}");
	assert_int_equal(GRAPHS(f)->status, ST_WARN);
	assert_string_equal(GRAPHS(f)->reason, "newest copy 45s behind the source");
	const struct diagnosis *d = fixture_diag(pv, "copy-stale");
	assert_non_null(d);
	assert_string_equal(d->evidence,
	                    "the newest source row is 45s newer than the newest of the graph neo4j");
	assert_string_equal(d->symptom, "the graph neo4j shows old data after an update");
	pv = eval(f, 0, "{\"count\": 10, \"freshness_lag_s\": 300}");
	assert_int_equal(fixture_diag(pv, "copy-stale")->severity, ST_CRIT);
	/* Near miss: 29.9 s. */
	pv = eval(f, 0, "{\"count\": 10, \"freshness_lag_s\": 29.9}");
	assert_int_equal(GRAPHS(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

static void test_checks(void **state)
{
	(void)state;
	expect_error(PG HTTP "[pipeline p]\ngraph = neo\n",
	             "6: the graph stage needs graph.count (Cypher answering one count)");
	expect_error(PG HTTP "[pipeline p]\n" GRAPH "graph.freshness = MATCH (p) RETURN 1\n",
	             "6: graph.freshness and graph.source_freshness go together: set both or neither");
	expect_error(HTTP "[pipeline p]\n" GRAPH "graph.source_count = SELECT 1\n",
	             "4: graph.source_count and graph.source_freshness run on a postgres connection: set "
	             "graph.source = CONNECTION (or give the pipeline an outbox stage)");
	expect_error(PG HTTP "[pipeline p]\n" GRAPH "graph.source = shop\n",
	             "6: graph.source is set but neither graph.source_count nor graph.source_freshness is");
	expect_error(PG HTTP "[pipeline p]\n" GRAPH "graph.source = neo\ngraph.source_count = SELECT 1\n",
	             "6: graph.source needs a postgres connection; 'neo' is a http connection");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_in_flight, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_and_short_window, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
	    cmocka_unit_test(test_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
