/* test_rules.c: the replication slot rules on hand-made samples, each a firing case and a near miss. */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "../../fixture.h"
#include "health.h"

/* The defaults: retained warn 1GiB, crit 10GiB. */
static const char *const INI = "[postgres shop]\n"
                               "conninfo = host=db.internal dbname=shop\n"
                               "[pipeline products]\n"
                               "outbox = shop\n"
                               "outbox.table = public.outbox\n"
                               "slot = shop\n";

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
#define SLOT(f)   (&(f)->snap.pipes[0].stages[1])

/* An outbox with nothing to say, the slots given (the detail's "slots" array), evaluated. */
static const struct pipeline_view *eval(struct fx *f, const char *slots)
{
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0}", NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), slots);
	health_evaluate(&f->snap);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	return &f->snap.pipes[0];
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
	const struct diagnosis *d = fixture_diag(&f->snap.pipes[0], "slot-inactive");
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
	const struct diagnosis *d = fixture_diag(&f->snap.pipes[0], "slot-wal-at-risk");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(d->evidence, "wal_status = lost, 0 B retained");
	assert_null(fixture_diag(&f->snap.pipes[0], "slot-inactive"));
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
	const struct diagnosis *d = fixture_diag(&f->snap.pipes[0], "slot-wal-at-risk");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(SLOT(f)->status, ST_WARN);
}

/* ---- slot-inactive ---- */

static void test_slot_inactive_crit(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"debezium\", \"active\": false, \"wal_status\": "
	            "\"extended\", \"retained_bytes\": 10737418240, \"max_slot_wal_keep_size\": -1}]}");
	assert_int_equal(SLOT(f)->status, ST_CRIT);
	assert_string_equal(SLOT(f)->reason, "slot debezium retains 10 GiB of WAL");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "slot-inactive");
	assert_int_equal(d->severity, ST_CRIT); /* retained >= slot.retained_crit */
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->symptom, "no consumer reads replication slot debezium");
	assert_string_equal(d->evidence, "active = false, wal_status = extended, 10 GiB of WAL retained");
	assert_string_equal(d->next,
	                    "the CDC connector (e.g. Debezium) is down: restart it; if the slot is "
	                    "abandoned, drop it (SELECT pg_drop_replication_slot('debezium')) before "
	                    "the disk fills");
}

static void test_slot_inactive_near_miss(void **state)
{
	struct fx *f = *state;
	/* Inactive, but holding back no WAL: nothing to lose yet. */
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"debezium\", \"active\": false, \"wal_status\": "
	            "\"reserved\", \"retained_bytes\": 0, \"max_slot_wal_keep_size\": -1}]}");
	assert_int_equal(SLOT(f)->status, ST_OK);
	assert_string_equal(SLOT(f)->reason, "");
	assert_int_equal(pv->n_diags, 0);
}

/* ---- retained WAL: a status level, no diagnosis of its own ---- */

static void test_slot_retained_levels(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"b\", \"active\": true, \"wal_status\": \"extended\","
	            " \"retained_bytes\": 1073741824, \"max_slot_wal_keep_size\": -1}]}");
	assert_int_equal(SLOT(f)->status, ST_WARN);
	assert_string_equal(SLOT(f)->reason, "slot b retains 1.0 GiB of WAL");
	assert_int_equal(pv->n_diags, 0);
	pv = eval(f, "{\"slots\": [{\"slot_name\": \"b\", \"active\": true, \"wal_status\": \"extended\","
	             " \"retained_bytes\": 10737418240, \"max_slot_wal_keep_size\": -1}]}");
	assert_int_equal(SLOT(f)->status, ST_CRIT);
	assert_string_equal(SLOT(f)->reason, "slot b retains 10 GiB of WAL");
	assert_int_equal(pv->n_diags, 0);
}

static void test_slot_retained_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"b\", \"active\": true, \"wal_status\": \"extended\","
	            " \"retained_bytes\": 1073741823, \"max_slot_wal_keep_size\": -1}]}");
	assert_int_equal(SLOT(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- slot-wal-at-risk ---- */

static void test_slot_wal_unreserved(void **state)
{
	struct fx *f = *state;
	/* wal_status decides alone: no slot-inactive beside it. */
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"a\", \"active\": false, \"wal_status\": \"unreserved\","
	            " \"retained_bytes\": 2097152, \"max_slot_wal_keep_size\": 1048576}]}");
	assert_int_equal(SLOT(f)->status, ST_CRIT);
	assert_string_equal(SLOT(f)->reason, "slot a: wal_status unreserved");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "slot-wal-at-risk");
	assert_int_equal(d->severity, ST_CRIT);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->symptom, "replication slot a is about to lose the WAL it needs");
	assert_string_equal(d->evidence, "wal_status = unreserved, 2.0 MiB retained");
}

static void test_slot_keep_size_at_80_percent(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"c\", \"active\": true, \"wal_status\": \"extended\","
	            " \"retained_bytes\": 800000000, \"max_slot_wal_keep_size\": 1000000000,"
	            " \"safe_wal_size\": 200000000}]}");
	assert_int_equal(SLOT(f)->status, ST_WARN);
	assert_string_equal(SLOT(f)->reason, "slot c retains 763 MiB of max_slot_wal_keep_size 954 MiB");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "slot-wal-at-risk");
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(d->symptom, "replication slot c is near its WAL limit");
	assert_string_equal(
	    d->evidence,
	    "763 MiB retained of max_slot_wal_keep_size 954 MiB (191 MiB left before invalidation)");
}

static void test_slot_keep_size_near_miss(void **state)
{
	struct fx *f = *state;
	/* One byte under 80% of max_slot_wal_keep_size. */
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"c\", \"active\": true, \"wal_status\": \"extended\","
	            " \"retained_bytes\": 799999999, \"max_slot_wal_keep_size\": 1000000000,"
	            " \"safe_wal_size\": 200000001}]}");
	assert_int_equal(SLOT(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_slot_inactive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_lost_and_large, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_near_keep_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_inactive_crit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_inactive_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_retained_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_retained_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_wal_unreserved, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_keep_size_at_80_percent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_keep_size_near_miss, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
