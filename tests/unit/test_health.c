/* test_health.c: thresholds and runbook rules, from hand-made samples. */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "health.h"

static const char *const INI = "[postgres shop]\n"
                               "conninfo = host=db.internal dbname=shop\n"
                               "[pipeline products]\n"
                               "outbox = shop\n"
                               "outbox.table = public.outbox\n"
                               "slot = shop\n";

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

#define OUTBOX(f) (&(f)->snap.pipes[0].stages[0])
#define SLOT(f)   (&(f)->snap.pipes[0].stages[1])
#define NO_SLOTS  "{\"slots\": []}"

static const struct diagnosis *find(const struct pipeline_view *pv, const char *rule)
{
	for (size_t i = 0; i < pv->n_diags; i++)
		if (!strcmp(pv->diags[i].rule, rule))
			return &pv->diags[i];
	return NULL;
}

static void test_all_ok(void **state)
{
	struct fx *f = *state;
	fixture_sample(
	    OUTBOX(f),
	    "{\"pending\": 12, \"pending_capped\": false, \"oldest_pending_age_s\": 4.0, \"failed\": 0,"
	    " \"drain_per_s\": 6.0, \"inflow_per_s\": 6.5}",
	    NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), NO_SLOTS);
	health_evaluate(&f->snap);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	assert_int_equal(SLOT(f)->status, ST_OK);
	assert_string_equal(SLOT(f)->reason, "no logical replication slots");
	assert_int_equal(f->snap.status, ST_OK);
	assert_int_equal(f->snap.pipes[0].n_diags, 0);
	assert_int_equal(status_exit_code(f->snap.status), 0);
}

/* The example: 137 pending, the oldest 10 minutes old, 5 failed. */
static void test_backlog_and_poison(void **state)
{
	struct fx *f = *state;
	fixture_sample(
	    OUTBOX(f),
	    "{\"pending\": 137, \"pending_capped\": false, \"oldest_pending_age_s\": 600.0, \"failed\": 5}",
	    NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), NO_SLOTS);
	health_evaluate(&f->snap);
	const struct pipeline_view *pv = &f->snap.pipes[0];
	assert_int_equal(OUTBOX(f)->status, ST_CRIT);
	assert_string_equal(OUTBOX(f)->reason, "oldest pending row is 10m00s old (crit at 5m00s)");
	assert_int_equal(pv->status, ST_CRIT);
	assert_int_equal(status_exit_code(f->snap.status), 2);
	assert_int_equal(pv->n_diags, 2);
	assert_string_equal(pv->diags[0].rule, "outbox-backlog"); /* crit before warn */
	assert_int_equal(pv->diags[0].severity, ST_CRIT);
	assert_string_equal(pv->diags[0].action, "replay");
	assert_string_equal(pv->diags[0].evidence, "137 rows pending in public.outbox, oldest 10m00s");
	const struct diagnosis *d = find(pv, "poison-rows");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(d->evidence, "5 pending rows have attempts >= 5 or an error in last_error");
}

static void test_worker_stalled(void **state)
{
	struct fx *f = *state;
	fixture_sample(
	    OUTBOX(f),
	    "{\"pending\": 1284, \"pending_capped\": false, \"oldest_pending_age_s\": 252.0, \"failed\": 0,"
	    " \"drain_per_s\": 0.0, \"inflow_per_s\": 4.2}",
	    "{\"pending\": 1280, \"pending_capped\": false, \"oldest_pending_age_s\": 251.0}", 1.0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), NO_SLOTS);
	health_evaluate(&f->snap);
	const struct pipeline_view *pv = &f->snap.pipes[0];
	assert_int_equal(OUTBOX(f)->status, ST_CRIT);
	assert_int_equal(pv->n_diags, 1); /* stalled says it all: no separate backlog line */
	assert_string_equal(pv->diags[0].rule, "worker-stalled");
	assert_string_equal(pv->diags[0].action, "resume");
	assert_string_equal(pv->diags[0].evidence,
	                    "1,284 rows pending, oldest 4m12s, drained 0/s over the last 1s, inflow 4.2/s");
}

static void test_slow_but_draining_is_not_stalled(void **state)
{
	struct fx *f = *state;
	fixture_sample(
	    OUTBOX(f),
	    "{\"pending\": 400, \"pending_capped\": false, \"oldest_pending_age_s\": 30.0, \"failed\": 0,"
	    " \"drain_per_s\": 3.0, \"inflow_per_s\": 4.0}",
	    NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), NO_SLOTS);
	health_evaluate(&f->snap);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	assert_null(find(&f->snap.pipes[0], "worker-stalled"));
}

static void test_unknown_and_ordering(void **state)
{
	struct fx *f = *state;
	fixture_error(OUTBOX(f), "cannot connect: connection refused");
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), NO_SLOTS);
	health_evaluate(&f->snap);
	assert_int_equal(OUTBOX(f)->status, ST_UNKNOWN);
	assert_string_equal(OUTBOX(f)->reason, "cannot connect: connection refused");
	assert_int_equal(f->snap.status, ST_UNKNOWN);
	assert_int_equal(status_exit_code(f->snap.status), 3);

	/* The monitoring-plugin order: crit outranks unknown, unknown outranks ok. */
	assert_int_equal(status_worst(ST_CRIT, ST_UNKNOWN), ST_CRIT);
	assert_int_equal(status_worst(ST_WARN, ST_UNKNOWN), ST_WARN);
	assert_int_equal(status_worst(ST_OK, ST_UNKNOWN), ST_UNKNOWN);
	assert_int_equal(status_exit_code(ST_WARN), 1);
}

static void test_never_polled(void **state)
{
	struct fx *f = *state;
	health_evaluate(&f->snap);
	assert_int_equal(OUTBOX(f)->status, ST_UNKNOWN);
	assert_string_equal(OUTBOX(f)->reason, "not polled yet");
}

static void test_slot_inactive(void **state)
{
	struct fx *f = *state;
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0}", NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f),
	               "{\"slots\": [{\"slot_name\": \"debezium\", \"active\": false, \"wal_status\": "
	               "\"reserved\", \"retained_bytes\": 1048576, \"confirmed_lag_bytes\": 1000,"
	               " \"max_slot_wal_keep_size\": -1}]}");
	health_evaluate(&f->snap);
	assert_int_equal(SLOT(f)->status, ST_WARN);
	const struct diagnosis *d = find(&f->snap.pipes[0], "slot-inactive");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(d->evidence, "active = false, wal_status = reserved, 1.0 MiB of WAL retained");
	assert_int_equal(status_exit_code(f->snap.status), 1);
}

static void test_slot_lost_and_large(void **state)
{
	struct fx *f = *state;
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0}", NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f),
	               "{\"slots\": [{\"slot_name\": \"a\", \"active\": true, \"wal_status\": \"lost\","
	               " \"retained_bytes\": null},"
	               " {\"slot_name\": \"b\", \"active\": true, \"wal_status\": \"extended\","
	               " \"retained_bytes\": 21474836480, \"max_slot_wal_keep_size\": -1}]}");
	health_evaluate(&f->snap);
	assert_int_equal(SLOT(f)->status, ST_CRIT);
	const struct diagnosis *d = find(&f->snap.pipes[0], "slot-wal-at-risk");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(d->evidence, "wal_status = lost, 0 B retained");
	assert_null(find(&f->snap.pipes[0], "slot-inactive"));
}

static void test_slot_near_keep_size(void **state)
{
	struct fx *f = *state;
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0}", NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f),
	               "{\"slots\": [{\"slot_name\": \"c\", \"active\": true, \"wal_status\": \"extended\","
	               " \"retained_bytes\": 900000000, \"max_slot_wal_keep_size\": 1000000000,"
	               " \"safe_wal_size\": 100000000}]}");
	health_evaluate(&f->snap);
	const struct diagnosis *d = find(&f->snap.pipes[0], "slot-wal-at-risk");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(SLOT(f)->status, ST_WARN);
}

static void test_no_index(void **state)
{
	struct fx *f = *state;
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 3, \"pending_capped\": false, \"oldest_pending_age_s\": 1.0}", NULL, 0);
	fixture_raw(OUTBOX(f),
	            "{\"max_id\": 60000, \"table_rows\": 60000, \"index_hint\": "
	            "\"CREATE INDEX CONCURRENTLY ON \\\"public\\\".\\\"outbox\\\" (\\\"created_at\\\") "
	            "WHERE NOT processed;\"}");
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), NO_SLOTS);
	health_evaluate(&f->snap);
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	const struct diagnosis *d = find(&f->snap.pipes[0], "outbox-no-index");
	assert_non_null(d);
	assert_string_equal(d->next,
	                    "create a partial index: CREATE INDEX CONCURRENTLY ON \"public\".\"outbox\" "
	                    "(\"created_at\") WHERE NOT processed;");
	assert_string_equal(
	    d->evidence,
	    "the plan of the pending count is a sequential scan of public.outbox (about 60,000 rows)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_all_ok, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backlog_and_poison, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_worker_stalled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slow_but_draining_is_not_stalled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_and_ordering, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_never_polled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_inactive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_lost_and_large, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_near_keep_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_index, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
