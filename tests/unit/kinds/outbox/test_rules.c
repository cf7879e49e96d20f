/* test_rules.c: the outbox rules on hand-made samples, each a firing case and a near miss. */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "../../fixture.h"
#include "health.h"
#include "kinds/outbox/outbox.h"

/* The defaults: pending warn 1000 / crit 10000, oldest warn 60s / crit 5m, failed warn 1 /
   crit 100, max_attempts 5, control table outbox_worker, worker relay. */
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

/* The same pipeline whose worker's flag is read by the user's statements. */
static int setup_statements(void **state)
{
	*state = fixture_open("[postgres shop]\n"
	                      "conninfo = host=db.internal dbname=shop\n"
	                      "[pipeline products]\n"
	                      "outbox = shop\n"
	                      "outbox.table = public.outbox\n"
	                      "outbox.pause_sql = UPDATE relay_ctl SET enabled = false\n"
	                      "outbox.resume_sql = UPDATE relay_ctl SET enabled = true\n"
	                      "outbox.paused_sql = SELECT NOT enabled FROM relay_ctl\n"
	                      "slot = shop\n");
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

/* The outbox sample given, a slot stage with nothing to say, evaluated. */
static const struct pipeline_view *eval(struct fx *f, const char *outbox, const char *prev, double dt)
{
	fixture_sample(OUTBOX(f), outbox, prev, dt);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), NO_SLOTS);
	health_evaluate(&f->snap);
	assert_int_equal(SLOT(f)->status, ST_OK);
	return &f->snap.pipes[0];
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
	assert_int_equal(pv->diags[0].action, ACTION_NONE); /* a replay would not help a backlog */
	assert_string_equal(pv->diags[0].evidence, "137 rows pending in public.outbox, oldest 10m00s");
	const struct diagnosis *d = fixture_diag(pv, "poison-rows");
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
	assert_int_equal(pv->diags[0].action, ACTION_NONE); /* stalled, not paused */
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
	assert_null(fixture_diag(&f->snap.pipes[0], "worker-stalled"));
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
	const struct diagnosis *d = fixture_diag(&f->snap.pipes[0], "outbox-no-index");
	assert_non_null(d);
	assert_string_equal(d->next,
	                    "create a partial index: CREATE INDEX CONCURRENTLY ON \"public\".\"outbox\" "
	                    "(\"created_at\") WHERE NOT processed;");
	assert_string_equal(
	    d->evidence,
	    "the plan of the pending count is a sequential scan of public.outbox (about 60,000 rows)");
}

/* ---- pending: a status level, no diagnosis of its own ---- */

static void test_pending_levels(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, "{\"pending\": 1000, \"pending_capped\": false, \"oldest_pending_age_s\": 5.0, \"failed\": 0}",
	    NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_string_equal(OUTBOX(f)->reason, "1,000 rows pending (warn at 1000)");
	assert_int_equal(pv->n_diags, 0);

	pv = eval(f, "{\"pending\": 100000, \"pending_capped\": true, \"oldest_pending_age_s\": 5.0}", NULL,
	          0);
	assert_int_equal(OUTBOX(f)->status, ST_CRIT);
	assert_string_equal(OUTBOX(f)->reason, "100,000+ rows pending (crit at 10000)");
	assert_int_equal(pv->n_diags, 0);
}

static void test_pending_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, "{\"pending\": 999, \"pending_capped\": false, \"oldest_pending_age_s\": 5.0, \"failed\": 0}",
	    NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	assert_string_equal(OUTBOX(f)->reason, "");
	assert_int_equal(pv->n_diags, 0);
}

/* ---- outbox-backlog ---- */

static void test_backlog_warn_at_oldest_warn(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f,
	         "{\"pending\": 5, \"pending_capped\": false, \"oldest_pending_age_s\": 60.0, \"failed\": 0,"
	         " \"drain_per_s\": 2.0, \"inflow_per_s\": 3.0}",
	         NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_string_equal(OUTBOX(f)->reason, "oldest pending row is 1m00s old (warn at 1m00s)");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "outbox-backlog");
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->evidence,
	                    "5 rows pending in public.outbox, oldest 1m00s, draining 2/s, inflow 3/s");
}

static void test_backlog_near_miss(void **state)
{
	struct fx *f = *state;
	/* Just under the warn age. */
	const struct pipeline_view *pv =
	    eval(f,
	         "{\"pending\": 5, \"pending_capped\": false, \"oldest_pending_age_s\": 59.9, \"failed\": 0,"
	         " \"drain_per_s\": 2.0, \"inflow_per_s\": 3.0}",
	         NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	assert_null(fixture_diag(pv, "outbox-backlog"));
	/* An old age with nothing pending is no backlog. */
	pv = eval(f, "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 600.0}", NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- worker-stalled ---- */

/* No inflow, but the oldest row grew older since the last poll; timer jitter reads as 1s. */
static void test_stalled_by_ageing(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f,
	    "{\"pending\": 12, \"pending_capped\": false, \"oldest_pending_age_s\": 252.0, \"failed\": 0,"
	    " \"drain_per_s\": 0.0, \"inflow_per_s\": 0.0}",
	    "{\"pending\": 12, \"pending_capped\": false, \"oldest_pending_age_s\": 251.0}", 0.984);
	assert_int_equal(OUTBOX(f)->status, ST_CRIT);
	assert_string_equal(OUTBOX(f)->reason, "nothing drained over 1s with 12 rows pending");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "worker-stalled");
	assert_int_equal(d->severity, ST_CRIT);
	assert_int_equal(d->action, ACTION_NONE); /* not paused: resume would not help */
	assert_string_equal(d->symptom, "the outbox relay is not draining public.outbox");
	assert_string_equal(d->evidence,
	                    "12 rows pending, oldest 4m12s, drained 0/s over the last 1s, inflow 0/s");
	assert_string_equal(d->next, "the relay is down or stuck: check its process and logs, and the "
	                             "control table outbox_worker; the rows go once it runs");
}

static void test_stalled_near_miss(void **state)
{
	struct fx *f = *state;
	/* Rows arrive and none drain, but none is older than the warn age: a relay that drains in
	   batches. Only the pending level speaks. */
	const struct pipeline_view *pv = eval(
	    f,
	    "{\"pending\": 1284, \"pending_capped\": false, \"oldest_pending_age_s\": 59.0, \"failed\": 0,"
	    " \"drain_per_s\": 0.0, \"inflow_per_s\": 4.2}",
	    "{\"pending\": 1280, \"pending_capped\": false, \"oldest_pending_age_s\": 58.0}", 1.0);
	assert_null(fixture_diag(pv, "worker-stalled"));
	assert_int_equal(pv->n_diags, 0);
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_string_equal(OUTBOX(f)->reason, "1,284 rows pending (warn at 1000)");

	/* Old rows, no inflow, and the oldest did not age since the last poll: a backlog, not a
	   stall. */
	pv = eval(
	    f,
	    "{\"pending\": 12, \"pending_capped\": false, \"oldest_pending_age_s\": 252.0, \"failed\": 0,"
	    " \"drain_per_s\": 0.0, \"inflow_per_s\": 0.0}",
	    "{\"pending\": 12, \"pending_capped\": false, \"oldest_pending_age_s\": 252.0}", 2.0);
	assert_null(fixture_diag(pv, "worker-stalled"));
	assert_int_equal(pv->n_diags, 1);
	assert_string_equal(pv->diags[0].rule, "outbox-backlog");
	assert_int_equal(pv->diags[0].severity, ST_WARN);
	assert_string_equal(pv->diags[0].evidence,
	                    "12 rows pending in public.outbox, oldest 4m12s, draining 0/s, inflow 0/s");
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
}

/* Stalled because paused: the stall says so, and the pause has its own line. */
static void test_stalled_while_paused(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f,
	         "{\"pending\": 40, \"pending_capped\": false, \"oldest_pending_age_s\": 90.0, \"failed\": 0,"
	         " \"drain_per_s\": 0.0, \"inflow_per_s\": 1.5, \"worker_paused\": true,"
	         " \"paused_since\": \"2026-11-22T10:00:00Z\", \"paused_for_s\": 95.0}",
	         "{\"pending\": 37, \"pending_capped\": false, \"oldest_pending_age_s\": 88.0}", 2.0);
	/* The pause is the headline; the stall follows from it (src/cause.c), so nothing is crit. */
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_string_equal(OUTBOX(f)->reason, "nothing drained over 2s with 40 rows pending (follows "
	                                       "from outbox: worker-paused)");
	assert_int_equal(pv->n_diags, 2);
	assert_string_equal(pv->diags[0].rule, "worker-paused");
	assert_int_equal(pv->diags[0].severity, ST_WARN);
	assert_int_equal(pv->diags[0].action, ACTION_RESUME);
	assert_string_equal(pv->diags[1].rule, "worker-stalled");
	assert_int_equal(pv->diags[1].severity, ST_WARN);
	assert_string_equal(pv->diags[1].because, "outbox: worker-paused");
	assert_string_equal(pv->diags[1].evidence,
	                    "40 rows pending, oldest 1m30s, drained 0/s over the last 2s, inflow 1.5/s");
	assert_string_equal(pv->diags[1].next, "follows from outbox: worker-paused, which comes first (key "
	                                       "u: resume the worker); this clears once it is fixed");
}

/* ---- worker-paused ---- */

static void test_worker_paused(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f,
	    "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0, \"failed\": 0,"
	    " \"worker_paused\": true, \"paused_since\": \"2026-11-22T10:00:00Z\", \"paused_for_s\": 130.0}",
	    NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_string_equal(OUTBOX(f)->reason, "worker relay paused for 2m10s");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "worker-paused");
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(action_json_name(d->action), "resume");
	assert_string_equal(
	    d->evidence, "outbox_worker.paused = true for worker relay, since 2026-11-22T10:00:00Z (2m10s)");
	assert_string_equal(d->next,
	                    "if the pause is over, resume the worker (UPDATE outbox_worker SET paused "
	                    "= false WHERE name = 'relay'); ask first who paused it");
}

/* With outbox.paused_sql: since when synctop saw it, and the fix runs outbox.resume_sql. */
static void test_worker_paused_statements(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f,
	    "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0, \"failed\": 0,"
	    " \"worker_paused\": true, \"paused_since\": \"2026-11-22T10:00:00Z\", \"paused_for_s\": 130.0}",
	    NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_string_equal(OUTBOX(f)->reason, "worker relay paused for 2m10s");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "worker-paused");
	assert_string_equal(action_json_name(d->action), "resume");
	assert_string_equal(d->evidence, "outbox.paused_sql says paused for worker relay, for at least 2m10s "
	                                 "(seen since 2026-11-22T10:00:00Z)");
	assert_string_equal(d->next,
	                    "if the pause is over, resume the worker (key u, or synctop action resume "
	                    "products: runs outbox.resume_sql); ask first who paused it");

	/* stalled while paused, and stalled while running */
	pv =
	    eval(f,
	         "{\"pending\": 40, \"pending_capped\": false, \"oldest_pending_age_s\": 90.0, \"failed\": 0,"
	         " \"drain_per_s\": 0.0, \"inflow_per_s\": 1.5, \"worker_paused\": true,"
	         " \"paused_since\": \"2026-11-22T10:00:00Z\", \"paused_for_s\": 95.0}",
	         "{\"pending\": 37, \"pending_capped\": false, \"oldest_pending_age_s\": 88.0}", 2.0);
	assert_string_equal(pv->diags[0].rule, "worker-paused");
	assert_string_equal(pv->diags[1].rule, "worker-stalled");
	assert_string_equal(pv->diags[1].because, "outbox: worker-paused");
	pv =
	    eval(f,
	         "{\"pending\": 40, \"pending_capped\": false, \"oldest_pending_age_s\": 90.0, \"failed\": 0,"
	         " \"drain_per_s\": 0.0, \"inflow_per_s\": 1.5, \"worker_paused\": false}",
	         "{\"pending\": 37, \"pending_capped\": false, \"oldest_pending_age_s\": 88.0}", 2.0);
	assert_int_equal(pv->n_diags, 1);
	assert_string_equal(pv->diags[0].rule, "worker-stalled");
	assert_int_equal(pv->diags[0].action, ACTION_NONE);
	assert_string_equal(pv->diags[0].next,
	                    "the relay is down or stuck: check its process and logs, and what "
	                    "outbox.paused_sql reads; the rows go once it runs");
}

static void test_worker_paused_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f,
	         "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0, \"failed\": 0,"
	         " \"worker_paused\": false, \"paused_since\": null, \"paused_for_s\": null}",
	         NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- poison-rows ---- */

static void test_poison_rows_levels(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, "{\"pending\": 1, \"pending_capped\": false, \"oldest_pending_age_s\": 2.0, \"failed\": 1}",
	    NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_string_equal(OUTBOX(f)->reason, "1 rows failed");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "poison-rows");
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(action_json_name(d->action), "replay");
	assert_string_equal(d->action_scope, "failed");
	assert_string_equal(d->evidence, "1 pending rows have attempts >= 5 or an error in last_error");
	assert_string_equal(d->next,
	                    "read the recorded errors (SELECT id, last_error FROM public.outbox WHERE "
	                    "last_error IS NOT NULL), fix the cause, then replay the failed rows");

	/* 99 is still warn, 100 is crit. */
	pv = eval(
	    f, "{\"pending\": 99, \"pending_capped\": false, \"oldest_pending_age_s\": 2.0, \"failed\": 99}",
	    NULL, 0);
	assert_int_equal(pv->diags[0].severity, ST_WARN);
	pv = eval(
	    f,
	    "{\"pending\": 100, \"pending_capped\": false, \"oldest_pending_age_s\": 2.0, \"failed\": 100}",
	    NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_CRIT);
	assert_string_equal(OUTBOX(f)->reason, "100 rows failed");
	assert_string_equal(pv->diags[0].rule, "poison-rows");
	assert_int_equal(pv->diags[0].severity, ST_CRIT);
}

/* The demo's fault: three poisoned rows, two hours old, in an outbox that drains its inflow.
   pending and its age count only deliverable rows (probe.c): poison-rows alone, naming the
   first ids and the first error. */
static void test_poison_rows_are_not_backlog(void **state)
{
	struct fx *f = *state;
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 2, \"pending_capped\": false, \"oldest_pending_age_s\": 0.4,"
	               " \"failed\": 4, \"oldest_failed_age_s\": 7205.0, \"drain_per_s\": 5.0,"
	               " \"inflow_per_s\": 5.0, \"growth_per_s\": 0.0, \"empty_in_s\": null}",
	               "{\"pending\": 2, \"pending_capped\": false, \"oldest_pending_age_s\": 0.4}", 1.0);
	fixture_detail(OUTBOX(f), "{\"first_poison_rows\": ["
	                          "{\"id\": \"101\", \"attempts\": 5, \"last_error\": \"record too large\"},"
	                          "{\"id\": \"102\", \"attempts\": 5, \"last_error\": null},"
	                          "{\"id\": \"103\", \"attempts\": null, \"last_error\": \"timeout\"},"
	                          "{\"id\": \"104\", \"attempts\": 5, \"last_error\": \"x\"}]}");
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), NO_SLOTS);
	health_evaluate(&f->snap);
	const struct pipeline_view *pv = &f->snap.pipes[0];
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_string_equal(OUTBOX(f)->reason, "4 rows failed");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "poison-rows");
	assert_string_equal(d->evidence,
	                    "4 pending rows have attempts >= 5 or an error in last_error, the oldest "
	                    "2h00m old; first ids 101 (5 attempts), 102 (5 attempts), 103, ...; first "
	                    "error: record too large");
}

static void test_poison_rows_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, "{\"pending\": 1, \"pending_capped\": false, \"oldest_pending_age_s\": 2.0, \"failed\": 0}",
	    NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- outbox-no-index ---- */

static void test_no_index_near_miss(void **state)
{
	struct fx *f = *state;
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 3, \"pending_capped\": false, \"oldest_pending_age_s\": 1.0}", NULL, 0);
	/* The plan was read and an index serves it: no hint. */
	fixture_raw(OUTBOX(f), "{\"max_id\": 60000, \"table_rows\": 60000}");
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), NO_SLOTS);
	health_evaluate(&f->snap);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	assert_null(fixture_diag(&f->snap.pipes[0], "outbox-no-index"));
	assert_int_equal(f->snap.pipes[0].n_diags, 0);
}

/* ---- the window's verdict on the drain (drain.c, src/window.c) ---- */

/* As eval, but what the verdict rests on (evaluated_s, lag_from, consumed, produced), written
   among the metrics for brevity, goes to the sample's raw, where drain.c leaves it. */
static const struct pipeline_view *eval_window(struct fx *f, const char *outbox, const char *prev, double dt)
{
	static const char *const keys[] = {"evaluated_s", "lag_from", "consumed", "produced"};
	fixture_sample(OUTBOX(f), outbox, prev, dt);
	json_t *raw = json_object();
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		json_t *v = json_object_get(OUTBOX(f)->cur.metrics, keys[i]);
		if (v) {
			json_object_set(raw, keys[i], v);
			json_object_del(OUTBOX(f)->cur.metrics, keys[i]);
		}
	}
	char *text = json_dumps(raw, 0);
	fixture_raw(OUTBOX(f), text);
	free(text);
	json_decref(raw);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), NO_SLOTS);
	health_evaluate(&f->snap);
	return &f->snap.pipes[0];
}

/* STALL: nothing processed over the window while rows arrived; the rows are young (the two-poll
   test would wait for the warn age). 1.976s of polls reads as the 2s it is (timer jitter). */
static void test_window_stall(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval_window(
	    f,
	    "{\"pending\": 15, \"pending_capped\": false, \"oldest_pending_age_s\": 3.0, \"failed\": 0,"
	    " \"drain_per_s\": 0.0, \"inflow_per_s\": 5.0, \"evaluation\": \"STALL\", \"evaluated_s\": 1.976,"
	    " \"lag_from\": 5, \"consumed\": 0, \"produced\": 10, \"growth_per_s\": 5.0, \"empty_in_s\": "
	    "null}",
	    "{\"pending\": 10, \"pending_capped\": false, \"oldest_pending_age_s\": 2.0}", 1.0);
	assert_int_equal(OUTBOX(f)->status, ST_CRIT);
	assert_string_equal(OUTBOX(f)->reason, "nothing drained over 2s with 15 rows pending");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "worker-stalled");
	assert_int_equal(d->severity, ST_CRIT);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->evidence, "15 rows pending, oldest 3s, nothing processed over the last 2s "
	                                 "while 10 rows arrived");
	assert_string_equal(d->next, "the relay is down or stuck: check its process and logs, and the "
	                             "control table outbox_worker; the rows go once it runs");
}

/* STOP: still for longer than the window (10s by default), because paused. */
static void test_window_stop_paused(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval_window(
	    f,
	    "{\"pending\": 140, \"pending_capped\": false, \"oldest_pending_age_s\": 28.0, \"failed\": 0,"
	    " \"drain_per_s\": 0.0, \"inflow_per_s\": 5.0, \"evaluation\": \"STOP\", \"evaluated_s\": 25.0,"
	    " \"lag_from\": 15, \"consumed\": 0, \"produced\": 125, \"worker_paused\": true,"
	    " \"paused_since\": \"2026-11-22T10:00:00Z\", \"paused_for_s\": 28.0}",
	    "{\"pending\": 135, \"pending_capped\": false, \"oldest_pending_age_s\": 27.0}", 1.0);
	/* The pause is the headline, the stall its consequence (src/cause.c). */
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_string_equal(OUTBOX(f)->reason, "nothing drained over 25s with 140 rows pending (follows "
	                                       "from outbox: worker-paused)");
	assert_int_equal(pv->n_diags, 2);
	assert_string_equal(pv->diags[0].rule, "worker-paused");
	assert_string_equal(action_json_name(pv->diags[0].action), "resume");
	assert_string_equal(pv->diags[1].rule, "worker-stalled");
	assert_string_equal(pv->diags[1].because, "outbox: worker-paused");
	assert_string_equal(pv->diags[1].evidence,
	                    "140 rows pending, oldest 28s, nothing processed for at least 25s (longer "
	                    "than the 10s window) while 125 rows arrived");
}

/* Near misses: the window saw rows processed (OK), or a replay put processed rows back
   (REWIND): no stall, even where the two-poll test would have fired (old rows, a zero drain
   between two polls, inflow); nothing pending: no stall either. */
static void test_window_stall_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval_window(
	    f,
	    "{\"pending\": 12, \"pending_capped\": false, \"oldest_pending_age_s\": 61.0, \"failed\": 0,"
	    " \"drain_per_s\": 0.0, \"inflow_per_s\": 4.0, \"evaluation\": \"OK\", \"evaluated_s\": 10.0,"
	    " \"lag_from\": 14, \"consumed\": 40, \"produced\": 38, \"growth_per_s\": -0.2,"
	    " \"empty_in_s\": 60.0}",
	    "{\"pending\": 8, \"pending_capped\": false, \"oldest_pending_age_s\": 60.0}", 1.0);
	assert_null(fixture_diag(pv, "worker-stalled"));
	assert_int_equal(pv->n_diags, 1);
	assert_string_equal(pv->diags[0].rule, "outbox-backlog");
	assert_string_equal(pv->diags[0].evidence, "12 rows pending in public.outbox, oldest 1m01s, "
	                                           "draining 0/s, inflow 4/s, empty in ~1m");
	pv = eval_window(
	    f,
	    "{\"pending\": 12, \"pending_capped\": false, \"oldest_pending_age_s\": 30.0, \"failed\": 0,"
	    " \"drain_per_s\": 0.0, \"inflow_per_s\": 4.0, \"evaluation\": \"REWIND\","
	    " \"evaluated_s\": 10.0}",
	    "{\"pending\": 8, \"pending_capped\": false, \"oldest_pending_age_s\": 29.0}", 1.0);
	assert_int_equal(pv->n_diags, 0);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	pv = eval_window(
	    f,
	    "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0, \"failed\": 0,"
	    " \"evaluation\": \"IDLE\", \"evaluated_s\": 10.0}",
	    NULL, 0);
	assert_int_equal(pv->n_diags, 0);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
}

/* WARN: rows are processed, but the backlog grew across the whole window. */
static void test_falling_behind(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval_window(
	    f,
	    "{\"pending\": 80, \"pending_capped\": false, \"oldest_pending_age_s\": 12.0, \"failed\": 0,"
	    " \"drain_per_s\": 10.0, \"inflow_per_s\": 16.0, \"evaluation\": \"WARN\", \"evaluated_s\": 10.0,"
	    " \"lag_from\": 20, \"consumed\": 100, \"produced\": 160, \"growth_per_s\": 6.0,"
	    " \"empty_in_s\": null}",
	    "{\"pending\": 74, \"pending_capped\": false, \"oldest_pending_age_s\": 11.0}", 1.0);
	assert_int_equal(OUTBOX(f)->status, ST_WARN);
	assert_string_equal(OUTBOX(f)->reason, "the relay falls behind: backlog 20 -> 80 rows over 10s");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "outbox-falling-behind");
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(
	    d->symptom, "the outbox relay processes rows more slowly than they arrive: the backlog grows");
	assert_string_equal(d->evidence, "backlog grew from 20 to 80 rows over the last 10s while 100 were "
	                                 "processed and 160 arrived; oldest 12s, growing 6/s");
	assert_string_equal(d->next,
	                    "the relay is slower than the inflow: find what slows it (the broker, the "
	                    "database, its batch size) or run more relays; the backlog shrinks only once "
	                    "it keeps up");

	/* Old rows too: the one diagnosis takes the oldest row's level, no separate backlog. */
	pv = eval_window(
	    f,
	    "{\"pending\": 800, \"pending_capped\": false, \"oldest_pending_age_s\": 400.0, \"failed\": 0,"
	    " \"evaluation\": \"WARN\", \"evaluated_s\": 10.0, \"lag_from\": 700, \"consumed\": 100,"
	    " \"produced\": 200, \"growth_per_s\": 10.0, \"empty_in_s\": null}",
	    NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_CRIT);
	assert_int_equal(pv->n_diags, 1);
	assert_string_equal(pv->diags[0].rule, "outbox-falling-behind");
	assert_int_equal(pv->diags[0].severity, ST_CRIT);
}

static void test_falling_behind_near_miss(void **state)
{
	struct fx *f = *state;
	/* The backlog is higher than a window ago, but the window did not find it growing across
	   the whole window (OK): no finding, and young rows are no backlog. */
	const struct pipeline_view *pv = eval_window(
	    f,
	    "{\"pending\": 80, \"pending_capped\": false, \"oldest_pending_age_s\": 12.0, \"failed\": 0,"
	    " \"drain_per_s\": 10.0, \"inflow_per_s\": 16.0, \"evaluation\": \"OK\", \"evaluated_s\": 10.0,"
	    " \"lag_from\": 20, \"consumed\": 100, \"produced\": 160, \"growth_per_s\": 6.0,"
	    " \"empty_in_s\": null}",
	    NULL, 0);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* Time to empty: the backlog's evidence and the figures line. */
static void test_time_to_empty(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval_window(
	    f,
	    "{\"pending\": 1800, \"pending_capped\": false, \"oldest_pending_age_s\": 90.0, \"failed\": 2,"
	    " \"drain_per_s\": 9.0, \"inflow_per_s\": 4.0, \"evaluation\": \"OK\", \"evaluated_s\": 10.0,"
	    " \"growth_per_s\": -5.0, \"empty_in_s\": 360.0}",
	    NULL, 0);
	const struct diagnosis *d = fixture_diag(pv, "outbox-backlog");
	assert_non_null(d);
	assert_string_equal(d->evidence, "1,800 rows pending in public.outbox, oldest 1m30s, draining "
	                                 "9/s, inflow 4/s, empty in ~6m");
	char buf[256];
	outbox_kind.figures(OUTBOX(f), buf, sizeof buf);
	assert_string_equal(buf, "1,800 pending, oldest 1m30s, 2 failed, drain 9/s, inflow 4/s, "
	                         "empty in ~6m");

	pv =
	    eval_window(f,
	                "{\"pending\": 1800, \"pending_capped\": false, \"oldest_pending_age_s\": 90.0,"
	                " \"failed\": 0, \"drain_per_s\": 1.0, \"inflow_per_s\": 5.2, \"evaluation\": \"OK\","
	                " \"evaluated_s\": 10.0, \"growth_per_s\": 4.2, \"empty_in_s\": null}",
	                NULL, 0);
	assert_string_equal(fixture_diag(pv, "outbox-backlog")->evidence,
	                    "1,800 rows pending in public.outbox, oldest 1m30s, draining 1/s, inflow "
	                    "5.2/s, growing 4.2/s");
	outbox_kind.figures(OUTBOX(f), buf, sizeof buf);
	assert_string_equal(buf, "1,800 pending, oldest 1m30s, 0 failed, drain 1/s, inflow 5.2/s, "
	                         "growing 4.2/s");

	/* Near misses: steady, and nothing pending. */
	pv = eval_window(f,
	                 "{\"pending\": 1800, \"pending_capped\": false, \"oldest_pending_age_s\": 90.0,"
	                 " \"failed\": 0, \"growth_per_s\": 0.0, \"empty_in_s\": null}",
	                 NULL, 0);
	outbox_kind.figures(OUTBOX(f), buf, sizeof buf);
	assert_string_equal(buf, "1,800 pending, oldest 1m30s, 0 failed, not shrinking");
	pv = eval_window(f,
	                 "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0,"
	                 " \"failed\": 0, \"growth_per_s\": -3.0, \"empty_in_s\": 0.0}",
	                 NULL, 0);
	outbox_kind.figures(OUTBOX(f), buf, sizeof buf);
	assert_string_equal(buf, "0 pending, 0 failed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_backlog_and_poison, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_worker_stalled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slow_but_draining_is_not_stalled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_index, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pending_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backlog_warn_at_oldest_warn, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backlog_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stalled_by_ageing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stalled_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stalled_while_paused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_worker_paused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_worker_paused_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_poison_rows_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_poison_rows_are_not_backlog, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_poison_rows_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_index_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_window_stall, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_window_stop_paused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_window_stall_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_falling_behind, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_falling_behind_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_time_to_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_worker_paused_statements, setup_statements, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
