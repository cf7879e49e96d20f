/* test_cause.c: the root-cause pass (src/cause.c) on whole pipelines: a downstream symptom that
   an upstream finding explains becomes its consequence (at most warn, no action, the next step
   pointing upstream, never the headline); with nothing upstream it stays what it was. */
/* needs: postgres kafka search */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "fixture.h"
#include "health.h"
#include "kinds/kind.h"

/* products: outbox -> kafka -> search (with a freshness check); recommendations: kafka ->
   connector (the group is the connector's). */
static const char *const INI =
    "[postgres shop]\nconninfo = host=db.internal dbname=shop\n"
    "[kafka main]\nbrokers = k:9092\n"
    "[search es]\nurl = http://es:9200\n"
    "[connect workers]\nurl = http://connect:8083\n"
    "[pipeline products]\n"
    "outbox = shop\noutbox.oldest_warn = 5s\noutbox.oldest_crit = 10s\n"
    "kafka = main\nkafka.group = search-indexer\nkafka.topics = shop.products\n"
    "search = es\nsearch.index = products\nsearch.source = shop\n"
    "search.freshness_field = updated_at\n"
    "search.source_freshness = SELECT max(updated_at) FROM products\n"
    "search.freshness_warn = 15s\nsearch.freshness_crit = 1m\n"
    "search.missing_warn = 25\nsearch.missing_crit = 200\nsearch.missing_window = 8s\n"
    "[pipeline recommendations]\n"
    "kafka = main\nkafka.group = connect-products-sink\nkafka.topics = shop.cdc\n"
    "connector = workers\nconnector.name = products-sink\n";

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

#define PRODUCTS(f) (&(f)->snap.pipes[0])
#define OUTBOX(f)   (&(f)->snap.pipes[0].stages[0])
#define KAFKA(f)    (&(f)->snap.pipes[0].stages[1])
#define SEARCH(f)   (&(f)->snap.pipes[0].stages[2])
#define RECO(f)     (&(f)->snap.pipes[1])
#define GROUP(f)    (&(f)->snap.pipes[1].stages[0])
#define SINK(f)     (&(f)->snap.pipes[1].stages[1])

#define OUTBOX_OK                                                                                            \
	"{\"pending\": 3, \"oldest_pending_age_s\": 0.4, \"failed\": 0, \"drain_per_s\": 5.0, "              \
	"\"inflow_per_s\": 5.0}"
#define OUTBOX_STOPPED                                                                                       \
	"{\"pending\": 60, \"oldest_pending_age_s\": 12.0, \"failed\": 0, \"drain_per_s\": 0.0, "            \
	"\"inflow_per_s\": 5.0}"
#define KAFKA_IDLE "{\"lag\": 0, \"partitions\": 1, \"max_partition_lag\": 0, \"evaluation\": \"IDLE\"}"
#define KAFKA_OK   "{\"lag\": 4, \"partitions\": 1, \"max_partition_lag\": 4, \"evaluation\": \"OK\"}"
#define SEARCH_STALE                                                                                         \
	"{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true, "                 \
	"\"freshness_lag_s\": 75.0}"
#define SINK_OK "{\"state\": \"RUNNING\", \"tasks\": 2, \"tasks_running\": 2, \"tasks_failed\": 0}"

/* The products pipeline given its three samples, and recommendations quiet, evaluated. */
static void eval(struct fx *f, const char *outbox, const char *kafka, const char *search)
{
	fixture_sample(OUTBOX(f), outbox, NULL, 0);
	fixture_sample(KAFKA(f), kafka, NULL, 0);
	fixture_sample(SEARCH(f), search, NULL, 0);
	fixture_sample(GROUP(f), KAFKA_OK, NULL, 0);
	fixture_sample(SINK(f), SINK_OK, NULL, 0);
	health_evaluate(&f->snap);
}

/* stop-relay: the relay stopped, so search goes stale; the headline is the relay, the stale
   index a warn consequence that offers no refresh (a refresh would not help). */
static void test_stopped_relay_explains_stale_search(void **state)
{
	struct fx *f = *state;
	eval(f, OUTBOX_STOPPED, KAFKA_IDLE, SEARCH_STALE);
	const struct pipeline_view *pv = PRODUCTS(f);
	assert_int_equal(pv->n_diags, 2);
	assert_string_equal(pv->diags[0].rule, "worker-stalled");
	assert_int_equal(pv->diags[0].severity, ST_CRIT);
	assert_string_equal(pv->diags[0].because, "");
	const struct diagnosis *d = &pv->diags[1];
	assert_string_equal(d->rule, "search-stale");
	assert_int_equal(d->severity, ST_WARN); /* 75s is past freshness_crit 1m: crit on its own */
	assert_string_equal(d->because, "outbox: worker-stalled");
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->next, "follows from outbox: worker-stalled, which comes first; this clears "
	                             "once it is fixed");
	assert_int_equal(SEARCH(f)->status, ST_WARN);
	assert_string_equal(SEARCH(f)->reason,
	                    "newest document 1m15s behind the source (follows from outbox: worker-stalled)");
	assert_int_equal(OUTBOX(f)->status, ST_CRIT);
	assert_int_equal(pv->status, ST_CRIT);
	assert_int_equal(RECO(f)->status, ST_OK);
}

/* pause-relay: paused, so nothing drains: the pause is the headline, the stall its consequence
   on the same stage, and nothing is crit. */
static void test_pause_explains_stall(void **state)
{
	struct fx *f = *state;
	eval(f,
	     "{\"pending\": 60, \"oldest_pending_age_s\": 12.0, \"failed\": 0, \"drain_per_s\": 0.0,"
	     " \"inflow_per_s\": 5.0, \"worker_paused\": true, \"paused_for_s\": 12.0,"
	     " \"paused_since\": \"2026-11-18T08:26:28Z\"}",
	     KAFKA_IDLE, SEARCH_STALE);
	const struct pipeline_view *pv = PRODUCTS(f);
	assert_int_equal(pv->n_diags, 3);
	assert_string_equal(pv->diags[0].rule, "worker-paused");
	assert_string_equal(pv->diags[0].because, "");
	assert_int_equal(pv->diags[0].action, ACTION_RESUME);
	/* The control table keeps paused_at: since is the data's, 12s before the sample. */
	assert_true(pv->diags[0].since == 1795000100.0 - 12.0);
	assert_false(pv->diags[0].since_seen);
	/* Both consequences name the root, the pause, not the stall between them. */
	for (size_t i = 1; i < 3; i++) {
		assert_string_equal(pv->diags[i].because, "outbox: worker-paused");
		assert_int_equal(pv->diags[i].severity, ST_WARN);
		assert_int_equal(pv->diags[i].action, ACTION_NONE);
		assert_string_equal(pv->diags[i].next, "follows from outbox: worker-paused, which comes "
		                                       "first (key u: resume the worker); this clears once "
		                                       "it is fixed");
	}
	assert_non_null(fixture_diag(pv, "worker-stalled"));
	assert_non_null(fixture_diag(pv, "search-stale"));
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_int_equal(pv->status, ST_WARN);
}

/* refresh-off: the index's own refresh explains its staleness, and no document counts as lost
   while the count cannot move. */
static void test_refresh_off_explains_stale_and_no_loss(void **state)
{
	struct fx *f = *state;
	eval(f, OUTBOX_OK, KAFKA_OK,
	     "{\"health\": \"green\", \"refresh_interval\": \"-1\", \"refresh_explicit\": true,"
	     " \"docs\": 500, \"index_total\": 700, \"source_docs\": 700, \"missing_docs\": 200,"
	     " \"missing_docs_floor\": 180, \"missing_docs_span_s\": 8, \"freshness_lag_s\": 75.0}");
	const struct pipeline_view *pv = PRODUCTS(f);
	assert_int_equal(pv->n_diags, 2);
	assert_string_equal(pv->diags[0].rule, "search-refresh-disabled");
	assert_int_equal(pv->diags[0].severity, ST_CRIT);
	assert_string_equal(pv->diags[1].rule, "search-stale");
	assert_string_equal(pv->diags[1].because, "search: search-refresh-disabled");
	assert_string_equal(pv->diags[1].next, "follows from search: search-refresh-disabled, which comes "
	                                       "first (key I: restore the index's default refresh "
	                                       "interval); this clears once it is fixed");
	assert_null(fixture_diag(pv, "dual-write-loss"));
	assert_int_equal(SEARCH(f)->status, ST_CRIT); /* its own root is crit */
}

/* Near miss: nothing upstream, so the stale index is crit on its own, with its refresh. */
static void test_stale_alone_stays_crit(void **state)
{
	struct fx *f = *state;
	eval(f, OUTBOX_OK, KAFKA_OK, SEARCH_STALE);
	const struct pipeline_view *pv = PRODUCTS(f);
	assert_int_equal(pv->n_diags, 1);
	assert_string_equal(pv->diags[0].rule, "search-stale");
	assert_int_equal(pv->diags[0].severity, ST_CRIT);
	assert_string_equal(pv->diags[0].because, "");
	assert_int_equal(pv->diags[0].action, ACTION_REFRESH);
	assert_int_equal(SEARCH(f)->status, ST_CRIT);
}

/* A lost document is one missing beyond what is still on its way: 180 missing throughout the
   window with 170 rows pending is no loss; with 20 pending and 10 of lag it is 150. */
static void test_loss_counts_beyond_in_flight(void **state)
{
	struct fx *f = *state;
	const char *search =
	    "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	    " \"docs\": 500, \"source_docs\": 700, \"missing_docs\": 200,"
	    " \"missing_docs_floor\": 180, \"missing_docs_span_s\": 8}";
	eval(f,
	     "{\"pending\": 170, \"oldest_pending_age_s\": 2.0, \"failed\": 0, \"drain_per_s\": 80.0,"
	     " \"inflow_per_s\": 5.0}",
	     KAFKA_OK, search);
	assert_null(fixture_diag(PRODUCTS(f), "dual-write-loss"));
	assert_int_equal(SEARCH(f)->status, ST_OK);

	eval(f,
	     "{\"pending\": 20, \"oldest_pending_age_s\": 2.0, \"failed\": 0, \"drain_per_s\": 5.0,"
	     " \"inflow_per_s\": 5.0}",
	     "{\"lag\": 10, \"partitions\": 1, \"max_partition_lag\": 10, \"evaluation\": \"OK\"}", search);
	const struct diagnosis *d = fixture_diag(PRODUCTS(f), "dual-write-loss");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN); /* 150: past missing_warn 25, under missing_crit 200 */
	assert_string_equal(d->because, "");
	assert_int_equal(d->action, ACTION_REPLAY);
	assert_string_equal(d->evidence, "source 700 rows, index 500 documents: 200 missing, at least 180 "
	                                 "throughout the last 8s; 30 on their way before the index");
}

/* A yellow index (a replica unassigned, every single-node cluster) holds nothing back: the
   loss is still called one, beside it. */
static void test_yellow_index_does_not_hide_loss(void **state)
{
	struct fx *f = *state;
	eval(f, OUTBOX_OK, KAFKA_OK,
	     "{\"health\": \"yellow\", \"unassigned_shards\": 1, \"refresh_interval\": \"1s\","
	     " \"refresh_explicit\": true, \"docs\": 500, \"source_docs\": 600, \"missing_docs\": 100,"
	     " \"missing_docs_floor\": 100, \"missing_docs_span_s\": 8}");
	const struct diagnosis *d = fixture_diag(PRODUCTS(f), "dual-write-loss");
	assert_non_null(d);
	assert_string_equal(d->because, "");
	assert_string_equal(fixture_diag(PRODUCTS(f), "search-unhealthy")->because, "");
}

/* While the relay is stopped, documents missing are not called lost at all. */
static void test_no_loss_while_relay_stopped(void **state)
{
	struct fx *f = *state;
	eval(f, OUTBOX_STOPPED, KAFKA_IDLE,
	     "{\"health\": \"green\", \"refresh_interval\": \"1s\", \"refresh_explicit\": true,"
	     " \"docs\": 500, \"source_docs\": 700, \"missing_docs\": 200, \"missing_docs_floor\": 180,"
	     " \"missing_docs_span_s\": 8}");
	assert_null(fixture_diag(PRODUCTS(f), "dual-write-loss"));
	assert_int_equal(PRODUCTS(f)->n_diags, 1);
	assert_int_equal(SEARCH(f)->status, ST_OK);
}

/* A consumer group that stopped because its consumer, the connector, has a failed task: the
   task is the headline, the group's stop its consequence. */
static void test_failed_task_explains_stopped_group(void **state)
{
	struct fx *f = *state;
	eval(f, OUTBOX_OK, KAFKA_OK, "{\"health\": \"green\", \"refresh_interval\": \"1s\"}");
	fixture_sample(
	    GROUP(f),
	    "{\"lag\": 900, \"partitions\": 1, \"max_partition_lag\": 900, \"evaluation\": \"STOP\"}", NULL,
	    0);
	fixture_sample(SINK(f),
	               "{\"state\": \"RUNNING\", \"tasks\": 2, \"tasks_running\": 1, \"tasks_failed\": 1}",
	               NULL, 0);
	health_evaluate(&f->snap);
	const struct pipeline_view *pv = RECO(f);
	assert_int_equal(pv->n_diags, 2);
	assert_string_equal(pv->diags[0].rule, "connector-task-failed");
	assert_int_equal(pv->diags[0].severity, ST_CRIT);
	assert_string_equal(pv->diags[1].rule, "kafka-stop");
	assert_string_equal(pv->diags[1].because, "connector: connector-task-failed");
	assert_int_equal(pv->diags[1].severity, ST_WARN);
	assert_string_equal(pv->diags[1].next, "follows from connector: connector-task-failed, which comes "
	                                       "first (key T: restart failed connector tasks); this "
	                                       "clears once it is fixed");
	assert_int_equal(GROUP(f)->status, ST_WARN);
	/* Near miss: the same stop with the connector healthy is the group's own, crit. */
	fixture_sample(SINK(f), SINK_OK, NULL, 0);
	health_evaluate(&f->snap);
	assert_int_equal(RECO(f)->n_diags, 1);
	assert_string_equal(RECO(f)->diags[0].rule, "kafka-stop");
	assert_int_equal(RECO(f)->diags[0].severity, ST_CRIT);
	assert_string_equal(RECO(f)->diags[0].because, "");
}

/* Every rule in every kind's table has what synctop(1) and key ? print. */
static void test_rule_tables_complete(void **state)
{
	(void)state;
	for (const struct kind *const *k = kinds; *k; k++) {
		assert_non_null((*k)->rules);
		for (const struct rule_def *r = (*k)->rules; r->id; r++) {
			assert_non_null(r->severity);
			assert_non_null(r->condition);
			assert_non_null(r->symptom);
			assert_non_null(r->next);
			assert_ptr_equal(kind_rule(*k, r->id), r);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stopped_relay_explains_stale_search, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pause_explains_stall, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refresh_off_explains_stale_and_no_loss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_alone_stays_crit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loss_counts_beyond_in_flight, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_loss_while_relay_stopped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_yellow_index_does_not_hide_loss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_task_explains_stopped_group, setup, teardown),
	    cmocka_unit_test(test_rule_tables_complete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
