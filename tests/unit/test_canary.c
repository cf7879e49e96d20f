/* test_canary.c: the end-to-end canary: its options, its state machine (idle, in flight hop by
   hop, done, lost), its pane line, the canary-lost rule (firing and near miss), and the --serve
   write executor that runs the canary alone (every action refused). */
/* needs: postgres */
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "canary.h"
#include "canary_rule.h"
#include "config.h"
#include "config_file.h"
#include "config_text.h"
#include "exec.h"
#include "poller.h"
#include "report.h"
#include "request.h"

#define CANARY_CONF                                                                                          \
	PG "[pipeline products]\noutbox = shop\ncanary = true\ncanary.interval = 10s\ncanary.timeout = 1m\n"

static void test_options(void **state)
{
	(void)state;
	struct config *cfg = load_ok(PG "[pipeline products]\noutbox = shop\n");
	const struct canary_cfg *c = &cfg->pipelines[0].canary;
	assert_false(c->on);
	assert_true(c->interval_s == 30);
	assert_true(c->timeout_s == 120);
	assert_null(c->insert);
	assert_null(c->cleanup);
	unlink(cfg->path);
	config_free(cfg);

	cfg = load_ok(CANARY_CONF
	              "canary.insert = INSERT INTO o (k) VALUES ($1) RETURNING id\ncanary.cleanup =\n");
	c = &cfg->pipelines[0].canary;
	assert_true(c->on);
	assert_true(c->interval_s == 10);
	assert_true(c->timeout_s == 60);
	assert_string_equal(c->insert, "INSERT INTO o (k) VALUES ($1) RETURNING id");
	assert_string_equal(c->cleanup, "");
	assert_int_equal(cfg->pipelines[0].canary_line, 5);
	unlink(cfg->path);
	config_free(cfg);
}

static void test_list_options(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	config_list_options(out);
	fclose(out);
	assert_non_null(strstr(buf, "\npipeline\tcanary\tbool\tfalse\t"));
	assert_non_null(strstr(buf, "\npipeline\tcanary.interval\tduration\t30s\t"));
	assert_non_null(strstr(buf, "\npipeline\tcanary.timeout\tduration\t2m\t"));
	assert_non_null(strstr(buf, "\npipeline\tcanary.insert\tstr\t-\t"));
	assert_non_null(strstr(buf, "\npipeline\tcanary.cleanup\tstr\t-\t"));
	assert_non_null(strstr(buf, "\npipeline\tcanary.cache_key\tstr\t-\t"));
	free(buf);
}

static void test_option_errors(void **state)
{
	(void)state;
	expect_error(PG "[pipeline products]\noutbox = shop\ncanary = maybe\n",
	             "5: bad value 'maybe' for canary: expected true or false");
	expect_error(PG "[pipeline products]\noutbox = shop\ncanary.interval = 0s\n",
	             "5: bad value '0s' for canary.interval: must be at least 1s");
	expect_error(
	    PG "[pipeline products]\nslot = shop\ncanary = true\n",
	    "5: canary = true in [pipeline products]: its first stage (slot) cannot insert a marker; "
	    "the canary needs a first stage whose kind takes canary.insert");
	expect_error(
	    PG "[pipeline products]\noutbox = shop\ncanary.intervall = 1s\n",
	    "5: unknown key 'canary.intervall' in [pipeline products] (did you mean 'canary.interval'?)");
}

static struct config *canary_cfg(void)
{
	struct config *cfg = load_ok(CANARY_CONF);
	unlink(cfg->path);
	return cfg;
}

static void test_state_machine(void **state)
{
	(void)state;
	struct config *cfg = canary_cfg();
	const struct pipeline *pl = &cfg->pipelines[0];
	struct canary_state c;
	char line[320];

	canary_init(&c, pl, "read-only: --once");
	assert_int_equal(c.phase, CANARY_OFF);
	assert_string_equal(canary_line(&c, 1000, line, sizeof line), "canary off (read-only: --once)");
	assert_false(canary_due(&c, &pl->canary, 1000));

	canary_init(&c, pl, NULL);
	assert_int_equal(c.phase, CANARY_IDLE);
	assert_int_equal(c.n_hops, 1);
	assert_string_equal(canary_hop_name(&c, 0), "outbox");
	assert_true(canary_due(&c, &pl->canary, 1000)); /* the first at once */
	assert_string_equal(canary_line(&c, 1000, line, sizeof line), "canary: waiting");

	canary_inserted(&c, "synctop-canary-h-1-1", 42, 1000.0);
	assert_int_equal(c.phase, CANARY_INFLIGHT);
	assert_false(canary_due(&c, &pl->canary, 2000)); /* one marker in flight at most */
	assert_string_equal(canary_line(&c, 1000.5, line, sizeof line), "canary: first marker in flight");
	assert_false(canary_expire(&c, &pl->canary, 1059.9)); /* near miss: 59.9 s of 60 */
	assert_true(canary_seen(&c, 1001.8));
	assert_int_equal(c.phase, CANARY_IDLE);
	assert_true(c.last_total_s > 1.79 && c.last_total_s < 1.81);
	assert_string_equal(canary_line(&c, 1002, line, sizeof line), "canary 1.8s: outbox 1.8");
	assert_int_equal(c.n_trend, 1);
	assert_false(canary_due(&c, &pl->canary, 1011.7)); /* 9.9 s after the end: not yet */
	assert_true(canary_due(&c, &pl->canary, 1011.8));

	/* Lost: 60 s after the insert, still awaited; a late arrival completes it. */
	canary_inserted(&c, "synctop-canary-h-1-2", 43, 1020.0);
	assert_true(canary_expire(&c, &pl->canary, 1080.0));
	assert_false(canary_expire(&c, &pl->canary, 1090.0)); /* counted once */
	assert_int_equal(c.lost_count, 1);
	assert_false(canary_due(&c, &pl->canary, 2000));
	assert_string_equal(canary_line(&c, 1140, line, sizeof line),
	                    "canary lost at outbox: inserted 2m00s ago, not seen since");
	assert_true(canary_seen(&c, 1150));
	assert_false(c.lost);
	assert_int_equal(c.done, 2);
	assert_int_equal(c.n_trend, 2);
	assert_true(c.trend[1] == 130);

	/* A failed insert: the next attempt waits canary.interval. */
	canary_failed(&c, "permission denied for table outbox", true, 1200);
	assert_false(canary_due(&c, &pl->canary, 1209));
	assert_true(canary_due(&c, &pl->canary, 1210));
	assert_string_equal(canary_line(&c, 1200, line, sizeof line),
	                    "canary 130s: outbox 130 (permission denied for table outbox)");
	config_free(cfg);
}

static void test_rule(void **state)
{
	(void)state;
	struct config *cfg = canary_cfg();
	const struct pipeline *pl = &cfg->pipelines[0];
	struct stage_view sv = {.cfg = &pl->stages[0]};
	struct pipeline_view pv = {.cfg = pl, .stages = &sv, .n_stages = 1};
	canary_init(&pv.canary, pl, NULL);
	canary_inserted(&pv.canary, "synctop-canary-h-1-1", 42, 1000.0);

	/* Near miss: in flight for 59 s of canary.timeout's 60: nothing. */
	canary_expire(&pv.canary, &pl->canary, 1059);
	canary_evaluate(&pv, 1059);
	assert_int_equal(pv.n_diags, 0);
	assert_int_equal(sv.status, ST_OK);

	canary_expire(&pv.canary, &pl->canary, 1120);
	canary_evaluate(&pv, 1120);
	assert_int_equal(pv.n_diags, 1);
	const struct diagnosis *d = &pv.diags[0];
	assert_string_equal(d->rule, "canary-lost");
	assert_int_equal(d->severity, ST_CRIT);
	assert_ptr_equal(d->stage, &pl->stages[0]);
	assert_string_equal(d->symptom,
	                    "canary lost at outbox: inserted 2m00s ago, not processed by the relay");
	assert_string_equal(d->evidence,
	                    "marker synctop-canary-h-1-1 (row 42) inserted 2m00s ago; not seen at outbox");
	assert_int_equal(sv.status, ST_CRIT);
	assert_string_equal(sv.reason, "canary lost at outbox");
	free(pv.diags);
	config_free(cfg);
}

/* --serve's executor runs the canary alone: the poller refuses every action, and so does the
   executor itself. */
static void test_canary_only_executor(void **state)
{
	(void)state;
	struct config *cfg = canary_cfg();
	struct poller *p = poller_new(cfg);
	poller_attach_executor(p, executor_new_canary(cfg));
	assert_false(poller_can_write(p));
	struct request req = {
	    .op = REQ_ACTION, .stage = &cfg->pipelines[0].stages[0], .action = ACTION_REPLAY};
	char why[256] = "";
	assert_int_equal(poller_submit(p, &req, why, sizeof why), 0);
	assert_string_equal(why,
	                    "read-only: replay on products/outbox is not allowed here (no write executor)");
	poller_free(p);

	struct executor *ex = executor_new_canary(cfg);
	assert_false(executor_takes_actions(ex));
	struct probe_ctx ctx = {.cfg = cfg, .st = &cfg->pipelines[0].stages[0]};
	json_t *res = NULL;
	char err[256];
	assert_int_equal(executor_run(ex, &ctx, &req, &res, err, sizeof err), PROBE_FAILED);
	assert_null(res);
	assert_string_equal(err, "read-only: this write executor runs the canary alone (nothing was sent)");
	executor_free(ex);
	ex = executor_new(cfg);
	assert_true(executor_takes_actions(ex));
	executor_free(ex);
	config_free(cfg);
}

#ifdef HAVE_SEARCH
/* Passive freshness: the last stage that knows its lag behind the source's newest row. */
static void test_freshness(void **state)
{
	(void)state;
	struct config *cfg =
	    load_ok(PG "[search es]\nurl = http://127.0.0.1:1\n[pipeline products]\noutbox = shop\n"
	               "search = es\nsearch.index = products\nsearch.freshness_field = updated_at\n"
	               "search.source_freshness = SELECT max(updated_at) FROM products\n");
	unlink(cfg->path);
	const struct pipeline *pl = &cfg->pipelines[0];
	struct stage_view sv[2] = {{.cfg = &pl->stages[0]}, {.cfg = &pl->stages[1]}};
	struct pipeline_view pv = {.cfg = pl, .stages = sv, .n_stages = 2};
	double lag = -1;
	assert_false(pipeline_freshness(&pv, &lag)); /* not polled yet */
	sv[1].cur.metrics = json_pack("{s:n}", "freshness_lag_s");
	sv[1].cur.ok = true;
	assert_false(pipeline_freshness(&pv, &lag)); /* polled, not known (null) */
	json_object_set_new(sv[1].cur.metrics, "freshness_lag_s", json_real(3.25));
	assert_true(pipeline_freshness(&pv, &lag));
	assert_true(lag == 3.25);
	sv[1].cur.ok = false; /* a failed poll knows nothing */
	assert_false(pipeline_freshness(&pv, &lag));
	json_decref(sv[1].cur.metrics);
	config_free(cfg);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_options),       cmocka_unit_test(test_list_options),
	    cmocka_unit_test(test_option_errors), cmocka_unit_test(test_state_machine),
	    cmocka_unit_test(test_rule),          cmocka_unit_test(test_canary_only_executor),
#ifdef HAVE_SEARCH
	    cmocka_unit_test(test_freshness),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
