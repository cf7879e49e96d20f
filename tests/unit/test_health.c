/* test_health.c: a whole snapshot evaluated: statuses, exit codes, stages not polled or failed
   (each kind's rules: tests/unit/kinds/KIND/test_rules.c). */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "fixture.h"
#include "health.h"

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
#define NO_SLOTS  "{\"slots\": []}"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_all_ok, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_and_ordering, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_never_polled, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
