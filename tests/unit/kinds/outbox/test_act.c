/* test_act.c: the outbox actions' pure parts: when pause and resume are offered, which scopes replay takes.
 */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../fixture.h"
#include "kinds/act.h"
#include "kinds/outbox/outbox.h"

static const char *const INI = "[postgres shop]\n"
                               "conninfo = host=db.internal dbname=shop\n"
                               "[pipeline products]\n"
                               "outbox = shop\n"
                               "outbox.table = public.outbox\n"
                               "[pipeline bare]\n"
                               "outbox = shop\n"
                               "outbox.attempts_column =\n"
                               "outbox.error_column =\n"
                               "outbox.control_table =\n"
                               "[pipeline stmts]\n"
                               "outbox = shop\n"
                               "outbox.control_table =\n"
                               "outbox.worker = indexer\n"
                               "outbox.pause_sql = UPDATE relay_ctl SET enabled = false\n"
                               "outbox.resume_sql = UPDATE relay_ctl SET enabled = true\n"
                               "outbox.paused_sql = SELECT NOT enabled FROM relay_ctl\n";

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
#define BARE(f)   (&(f)->cfg->pipelines[1].stages[0])
#define STMTS(f)  (&(f)->snap.pipes[2].stages[0])

static void test_pause_resume_offered(void **state)
{
	struct fx *f = *state;
	const struct stage_cfg *st = OUTBOX(f)->cfg;
	char why[128];
	/* no sample yet: offered, the preview reads the row */
	assert_true(stage_action_offered(st, NULL, ACTION_PAUSE, why, sizeof why));
	assert_true(stage_action_offered(st, NULL, ACTION_RESUME, why, sizeof why));

	fixture_sample(OUTBOX(f), "{\"pending\": 0, \"worker_paused\": false}", NULL, 0);
	assert_true(stage_action_offered(st, &OUTBOX(f)->cur, ACTION_PAUSE, why, sizeof why));
	assert_false(stage_action_offered(st, &OUTBOX(f)->cur, ACTION_RESUME, why, sizeof why));
	assert_string_equal(why, "not paused");

	fixture_sample(OUTBOX(f), "{\"pending\": 0, \"worker_paused\": true, \"paused_for_s\": 2820.0}", NULL,
	               0);
	assert_false(stage_action_offered(st, &OUTBOX(f)->cur, ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "already paused");
	assert_true(stage_action_offered(st, &OUTBOX(f)->cur, ACTION_RESUME, why, sizeof why));

	/* the probe found no row (or no table): nothing to flip */
	fixture_sample(OUTBOX(f), "{\"pending\": 0}", NULL, 0);
	assert_false(stage_action_offered(st, &OUTBOX(f)->cur, ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "no row for worker relay in outbox_worker");
	assert_false(stage_action_offered(st, &OUTBOX(f)->cur, ACTION_RESUME, why, sizeof why));
	assert_string_equal(why, "no row for worker relay in outbox_worker");

	assert_false(stage_action_offered(BARE(f), NULL, ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "no pause flag: outbox.control_table is empty");
	assert_false(stage_action_offered(BARE(f), NULL, ACTION_RESUME, why, sizeof why));
	assert_string_equal(why, "no pause flag: outbox.control_table is empty");

	/* replay is offered whatever the sample says: a time range can be replayed any time */
	assert_true(stage_action_offered(st, &OUTBOX(f)->cur, ACTION_REPLAY, why, sizeof why));
	assert_false(stage_action_offered(st, NULL, ACTION_RESTART, why, sizeof why));
	assert_string_equal(why, "the outbox stage has no restart action");
}

/* With the user's statements the control table is not needed: offered from worker_paused,
   which the probe reads with outbox.paused_sql. */
static void test_statements_offered(void **state)
{
	struct fx *f = *state;
	const struct stage_cfg *st = STMTS(f)->cfg;
	char why[128];
	assert_true(outbox_by_statements(outbox_opts(st)));
	assert_false(outbox_by_statements(outbox_opts(BARE(f))));
	assert_true(stage_action_offered(st, NULL, ACTION_PAUSE, why, sizeof why));
	assert_true(stage_action_offered(st, NULL, ACTION_RESUME, why, sizeof why));

	fixture_sample(STMTS(f), "{\"pending\": 0, \"worker_paused\": false}", NULL, 0);
	assert_true(stage_action_offered(st, &STMTS(f)->cur, ACTION_PAUSE, why, sizeof why));
	assert_false(stage_action_offered(st, &STMTS(f)->cur, ACTION_RESUME, why, sizeof why));
	assert_string_equal(why, "not paused");

	fixture_sample(STMTS(f), "{\"pending\": 0, \"worker_paused\": true, \"paused_for_s\": 60.0}", NULL,
	               0);
	assert_false(stage_action_offered(st, &STMTS(f)->cur, ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "already paused");
	assert_true(stage_action_offered(st, &STMTS(f)->cur, ACTION_RESUME, why, sizeof why));

	/* paused_sql failed or answered no boolean: neither is offered */
	fixture_sample(STMTS(f), "{\"pending\": 0}", NULL, 0);
	assert_false(stage_action_offered(st, &STMTS(f)->cur, ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "outbox.paused_sql did not say whether worker indexer is paused");
	assert_false(stage_action_offered(st, &STMTS(f)->cur, ACTION_RESUME, why, sizeof why));
	assert_string_equal(why, "outbox.paused_sql did not say whether worker indexer is paused");
}

/* The stage check: the three statements all or none, naming what is missing. */
static void test_statements_check(void **state)
{
	struct fx *f = *state;
	const struct stage_cfg *st = STMTS(f)->cfg;
	char msg[512];
	assert_non_null(st->kind->check);
	assert_true(st->kind->check((struct stage_cfg *)st, NULL, f->cfg, msg, sizeof msg));
	assert_true(st->kind->check(BARE(f), NULL, f->cfg, msg, sizeof msg));

	struct outbox_opts o = *outbox_opts(st);
	struct stage_cfg partial = *st;
	partial.opts = &o;
	o.resume_sql = NULL;
	assert_false(st->kind->check(&partial, NULL, f->cfg, msg, sizeof msg));
	assert_string_equal(msg, "outbox.pause_sql, outbox.resume_sql and outbox.paused_sql go together: set "
	                         "all three or none (outbox.resume_sql is missing)");
	assert_false(outbox_by_statements(&o));
	o.pause_sql = NULL;
	assert_false(st->kind->check(&partial, NULL, f->cfg, msg, sizeof msg));
	assert_string_equal(msg, "outbox.pause_sql, outbox.resume_sql and outbox.paused_sql go together: set "
	                         "all three or none (outbox.pause_sql and outbox.resume_sql are missing)");
	o.paused_sql = NULL;
	assert_true(st->kind->check(&partial, NULL, f->cfg, msg, sizeof msg));
}

static void test_scopes(void **state)
{
	struct fx *f = *state;
	const struct stage_cfg *st = OUTBOX(f)->cfg;
	char why[256];
	assert_true(stage_action_scope_ok(st, ACTION_REPLAY, "failed", why, sizeof why));
	assert_true(
	    stage_action_scope_ok(st, ACTION_REPLAY, "ids:1-20,type:product.updated", why, sizeof why));
	assert_true(stage_action_scope_ok(st, ACTION_REPLAY, "created:15m..", why, sizeof why));
	assert_false(stage_action_scope_ok(st, ACTION_REPLAY, "", why, sizeof why));
	assert_string_equal(why, "replay needs a scope: failed, ids:FROM-TO or created:FROM..TO, optionally "
	                         "followed by ,type:EVENT_TYPE");
	assert_false(stage_action_scope_ok(st, ACTION_REPLAY, "ids:9-1", why, sizeof why));
	assert_string_equal(why, "ids: FROM (9) is above TO (1)");
	/* with neither an attempts nor an error column no row is failed: said before anything runs */
	assert_false(stage_action_scope_ok(BARE(f), ACTION_REPLAY, "failed", why, sizeof why));
	assert_string_equal(why, "scope failed: no row counts as failed here (outbox.attempts_column and "
	                         "outbox.error_column are both empty)");
	assert_true(stage_action_scope_ok(BARE(f), ACTION_REPLAY, "ids:1-2", why, sizeof why));
	/* pause and resume take none */
	assert_true(stage_action_scope_ok(st, ACTION_PAUSE, "", why, sizeof why));
	assert_false(stage_action_scope_ok(st, ACTION_RESUME, "failed", why, sizeof why));
	assert_string_equal(why, "resume takes no --scope");
}

/* Every action of the kind's set has its steps, and says what it does. */
static void test_table(void **state)
{
	struct fx *f = *state;
	const struct stage_cfg *st = OUTBOX(f)->cfg;
	const enum action all[] = {ACTION_REPLAY, ACTION_PAUSE, ACTION_RESUME};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		const struct kind_action *ka = stage_action(st, all[i]);
		assert_non_null(ka);
		assert_non_null(ka->preview);
		assert_non_null(ka->apply);
		assert_non_null(ka->readback);
		assert_non_null(ka->does);
	}
	assert_non_null(stage_action(st, ACTION_REPLAY)->scope_check);
	assert_null(stage_action(st, ACTION_PAUSE)->scope_check);
	assert_null(stage_action(st, ACTION_REFRESH));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_pause_resume_offered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_statements_offered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_statements_check, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scopes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_table, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
