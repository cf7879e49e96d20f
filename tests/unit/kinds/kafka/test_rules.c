/* test_rules.c: the consumer-group rules on hand-made samples (each verdict firing and a near
   miss), and the verdict itself computed over the window from a run of samples (kafka-stop). */
/* needs: kafka */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "../../fixture.h"
#include "health.h"
#include "kinds/kind.h"
#include "kinds/probe.h"

/* The defaults: window 10s, lag warn 1000 / crit 100000. */
static const char *const INI = "[kafka main]\nbrokers = kafka.internal:9092\n"
                               "[pipeline orders]\n"
                               "kafka = main\nkafka.group = orders-indexer\n";

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

#define KAFKA(f) (&(f)->snap.pipes[0].stages[0])

/* 500 behind, 300 of it on orders/3, about 2m05s, over 9.5s of polls (320 behind at their start,
   180 consumed since); the verdict is spliced in. */
#define LAGGING(ev)                                                                                          \
	"{\"lag\": 500, \"max_partition_lag\": 300, \"partitions\": 4, \"evaluation\": " ev ","              \
	" \"evaluated_s\": 9.5, \"lag_from\": 320, \"consumed\": 180,"                                       \
	" \"lag_s\": 125.0, \"partition_lags\": [{\"topic\": \"orders\", \"partition\": 3, \"lag\": 300},"   \
	" {\"topic\": \"orders\", \"partition\": 1, \"lag\": 200}]}"

static const struct pipeline_view *eval(struct fx *f, const char *metrics, const char *detail)
{
	fixture_sample(KAFKA(f), metrics, NULL, 0);
	fixture_detail(KAFKA(f), detail ? detail : "{\"no_commit_partitions\": 0}");
	health_evaluate(&f->snap);
	return &f->snap.pipes[0];
}

/* ---- the lag levels: a status, no diagnosis of their own ---- */

static void test_lag_levels(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"lag\": 1000, \"max_partition_lag\": 1000, \"partitions\": 1, \"evaluation\": \"OK\"}",
	         NULL);
	assert_int_equal(KAFKA(f)->status, ST_WARN);
	assert_string_equal(KAFKA(f)->reason, "lag 1,000 messages (warn at 1000)");
	assert_int_equal(pv->n_diags, 0);
	pv = eval(
	    f, "{\"lag\": 100000, \"max_partition_lag\": 100000, \"partitions\": 1, \"evaluation\": \"OK\"}",
	    NULL);
	assert_int_equal(KAFKA(f)->status, ST_CRIT);
	assert_string_equal(KAFKA(f)->reason, "lag 100,000 messages (crit at 100000)");
	assert_int_equal(pv->n_diags, 0);
}

static void test_lag_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, "{\"lag\": 999, \"max_partition_lag\": 999, \"partitions\": 1, \"evaluation\": \"OK\"}", NULL);
	assert_int_equal(KAFKA(f)->status, ST_OK);
	assert_string_equal(KAFKA(f)->reason, "");
	assert_int_equal(pv->n_diags, 0);
}

/* A lag with no verdict yet (a --once's two polls, shorter than the window) says why there is
   none; with a verdict, or no lag, it says nothing of the kind. */
static void test_lag_not_judged(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, "{\"lag\": 12, \"max_partition_lag\": 12, \"partitions\": 1, \"evaluation\": null}", NULL);
	assert_int_equal(KAFKA(f)->status, ST_OK);
	assert_string_equal(KAFKA(f)->reason,
	                    "lag 12, not judged: the polls so far span less than kafka.window (10s), "
	                    "too short to tell a slow consumer from a stalled one");
	assert_int_equal(pv->n_diags, 0);
	eval(f, "{\"lag\": 0, \"max_partition_lag\": 0, \"partitions\": 1, \"evaluation\": null}", NULL);
	assert_string_equal(KAFKA(f)->reason, "");
}

/* ---- kafka-stall ---- */

static void test_stall(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, LAGGING("\"STALL\""), NULL);
	assert_int_equal(KAFKA(f)->status, ST_CRIT);
	assert_string_equal(KAFKA(f)->reason, "consumer orders-indexer: STALL");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "kafka-stall");
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(action_json_name(d->action), "resume");
	assert_string_equal(d->symptom, "consumer group orders-indexer is not moving");
	assert_string_equal(d->evidence, "lag 500 messages (max 300 on orders/3), about 2m05s behind; "
	                                 "committed offsets unchanged over the last 9.5s");
}

/* Not enough polls to cover the window yet: no verdict, whatever the lag. */
static void test_stall_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, LAGGING("null"), NULL);
	assert_int_equal(KAFKA(f)->status, ST_OK);
	assert_string_equal(KAFKA(f)->reason,
	                    "lag 500, not judged: the polls so far span less than kafka.window (10s), "
	                    "too short to tell a slow consumer from a stalled one");
	assert_int_equal(pv->n_diags, 0);
}

/* ---- kafka-stop ---- */

static void test_stop(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, LAGGING("\"STOP\""), NULL);
	assert_int_equal(KAFKA(f)->status, ST_CRIT);
	assert_string_equal(KAFKA(f)->reason, "consumer orders-indexer: STOP");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "kafka-stop");
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(action_json_name(d->action), "resume");
	assert_string_equal(d->symptom,
	                    "consumer group orders-indexer has stopped: no commits while messages arrive");
	assert_string_equal(
	    d->evidence, "committed offsets unchanged over the last 9.5s (longer than the 10s window) "
	                 "while the topics grew; lag 500 messages (max 300 on orders/3), about 2m05s behind");
}

/* ---- kafka-rewind ---- */

static void test_rewind(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, LAGGING("\"REWIND\""), NULL);
	assert_int_equal(KAFKA(f)->status, ST_CRIT);
	assert_string_equal(KAFKA(f)->reason, "consumer orders-indexer: REWIND");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "kafka-rewind");
	assert_int_equal(d->severity, ST_CRIT);
	assert_int_equal(d->action, ACTION_NONE); /* nothing to resume: the group moves, backwards */
	assert_string_equal(d->symptom, "consumer group orders-indexer went back in its topics");
	assert_string_equal(d->evidence,
	                    "a committed offset went down within the last 9.5s; lag 500 messages");
}

/* ---- kafka-lagging ---- */

static void test_lagging(void **state)
{
	struct fx *f = *state;
	/* Without lag_s (the history does not reach back far enough): no "behind"; without the
	   figures of the window, the configured window is named as such. */
	const struct pipeline_view *pv =
	    eval(f,
	         "{\"lag\": 500, \"max_partition_lag\": 300, \"partitions\": 4, \"evaluation\": \"WARN\","
	         " \"lag_s\": null, \"partition_lags\": [{\"topic\": \"orders\", \"partition\": 3, \"lag\": "
	         "300}]}",
	         NULL);
	assert_int_equal(KAFKA(f)->status, ST_WARN);
	assert_string_equal(KAFKA(f)->reason, "consumer orders-indexer: WARN");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "kafka-lagging");
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(action_json_name(d->action), "resume");
	assert_string_equal(d->symptom, "data downstream of consumer group orders-indexer is getting staler");
	assert_string_equal(d->evidence, "offsets advance but the lag grew across the 10s window: lag 500 "
	                                 "messages (max 300 on orders/3)");
	/* With them: from how much to how much, over the polls actually seen. */
	pv = eval(f, LAGGING("\"WARN\""), NULL);
	assert_int_equal(pv->n_diags, 1);
	assert_string_equal(pv->diags[0].rule, "kafka-lagging");
	assert_string_equal(pv->diags[0].evidence,
	                    "lag grew from 320 to 500 messages over the last 9.5s while 180 were consumed: "
	                    "the inflow is faster (max 300 on orders/3), about 2m05s behind");
}

#ifdef HAVE_SEARCH
/* The group feeds the stage after it (here a search indexer, no CDC consumer): the symptom
   names it. */
static void test_lagging_names_downstream(void **state)
{
	(void)state;
	struct fx *f = fixture_open("[kafka main]\nbrokers = kafka.internal:9092\n"
	                            "[search es]\nurl = http://es.internal:9200\n"
	                            "[pipeline products]\n"
	                            "kafka = main\nkafka.group = products-indexer\n"
	                            "search = es\nsearch.index = products\n");
	const struct pipeline_view *pv = eval(f, LAGGING("\"WARN\""), NULL);
	const struct diagnosis *d = fixture_diag(pv, "kafka-lagging");
	assert_non_null(d);
	assert_string_equal(d->symptom, "data downstream of consumer group products-indexer (next: search "
	                                "on es, products) is getting staler");
	fixture_close(f);
}
#endif

/* Commits advance and the lag did not grow across the window: OK. */
static void test_lagging_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, LAGGING("\"OK\""), NULL);
	assert_int_equal(KAFKA(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* IDLE: caught up with nothing arriving; said in the reason, not a finding. */
static void test_idle(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, "{\"lag\": 0, \"max_partition_lag\": 0, \"partitions\": 4, \"evaluation\": \"IDLE\"}", NULL);
	assert_int_equal(KAFKA(f)->status, ST_OK);
	assert_string_equal(KAFKA(f)->reason, "idle: no new messages, nothing to consume");
	assert_int_equal(pv->n_diags, 0);
}

/* ---- kafka-no-commits ---- */

static void test_no_commits(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"lag\": 0, \"max_partition_lag\": 0, \"partitions\": 4, \"evaluation\": \"OK\"}",
	         "{\"no_commit_partitions\": 1}");
	assert_int_equal(KAFKA(f)->status, ST_WARN);
	assert_string_equal(KAFKA(f)->reason, "1 of 4 partitions have no committed offset");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "kafka-no-commits");
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->symptom,
	                    "consumer group orders-indexer has no committed offset on 1 partition");
	assert_string_equal(d->evidence,
	                    "1 of 4 partitions of the group's topics: no commit, so no lag is known "
	                    "there (not an infinite lag)");
	pv = eval(f, "{\"lag\": 0, \"max_partition_lag\": 0, \"partitions\": 4, \"evaluation\": \"OK\"}",
	          "{\"no_commit_partitions\": 3}");
	assert_string_equal(pv->diags[0].symptom,
	                    "consumer group orders-indexer has no committed offset on 3 partitions");
}

static void test_no_commits_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"lag\": 0, \"max_partition_lag\": 0, \"partitions\": 4, \"evaluation\": \"OK\"}",
	         "{\"no_commit_partitions\": 0}");
	assert_int_equal(KAFKA(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- the verdict over the window, from samples (the probe's derive, as the poller runs it) ---- */

/* A poll of one partition, orders/0, at mono seconds: committed c, end e. */
static void poll_at(struct sample *s, double mono, int64_t c, int64_t e)
{
	char metrics[512], raw[256];
	kind_sample_prepare(kind_by_name("kafka", 5), s);
	snprintf(metrics, sizeof metrics,
	         "{\"lag\": %lld, \"max_partition_lag\": %lld, \"partitions\": 1, \"partition_lags\":"
	         " [{\"topic\": \"orders\", \"partition\": 0, \"lag\": %lld}]}",
	         (long long)(e - c), (long long)(e - c), (long long)(e - c));
	snprintf(raw, sizeof raw, "{\"keys\": [\"orders/0\"], \"c\": [%lld], \"e\": [%lld]}", (long long)c,
	         (long long)e);
	json_t *m = json_loads(metrics, 0, NULL);
	assert_non_null(m);
	json_object_update(s->metrics, m);
	json_decref(m);
	s->raw = json_loads(raw, 0, NULL);
	assert_non_null(s->raw);
	s->detail = json_loads("{\"no_commit_partitions\": 0}", 0, NULL);
	s->mono = mono;
	s->wall = 1795000000.0 + mono;
}

/* The stage's view after polls 0..i, evaluated. */
static const struct pipeline_view *view_at(struct fx *f, struct sample *polls, int i)
{
	struct stage_view *sv = KAFKA(f);
	sample_clear(&sv->cur);
	sample_clear(&sv->prev);
	sample_copy(&sv->cur, &polls[i]);
	sample_copy(&sv->prev, &polls[i - 1]);
	sv->n_samples = 2;
	health_evaluate(&f->snap);
	return &f->snap.pipes[0];
}

/* Messages keep arriving (10 every 5s), the group commits nothing. The window is 10s. */
static void test_stop_over_the_window(void **state)
{
	struct fx *f = *state;
	const struct stage_cfg *st = KAFKA(f)->cfg;
	assert_non_null(st->kind->probe); /* this test is built with Kafka only */
	assert_non_null(st->kind->probe->derive);
	struct sample polls[4];
	for (int i = 0; i < 4; i++)
		poll_at(&polls[i], 5.0 * i, 10, 10 + 10 * i);
	for (int i = 1; i < 4; i++)
		st->kind->probe->derive(st, &polls[i - 1], &polls[i]);

	/* 5s of a 10s window: no verdict yet, though 10 messages wait (the near miss). */
	const struct pipeline_view *pv = view_at(f, polls, 1);
	assert_true(json_is_null(json_object_get(polls[1].metrics, "evaluation")));
	assert_int_equal(KAFKA(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);

	/* The window covered, nothing committed: stalled, not yet stopped. */
	pv = view_at(f, polls, 2);
	assert_string_equal(json_string_value(json_object_get(polls[2].metrics, "evaluation")), "STALL");
	assert_int_equal(pv->n_diags, 1);
	assert_string_equal(pv->diags[0].rule, "kafka-stall");
	assert_string_equal(pv->diags[0].evidence, "lag 20 messages (max 20 on orders/0), about 9.5s behind; "
	                                           "committed offsets unchanged over the last 10s");

	/* Standing still for longer than the window while the topic grew: stopped. */
	pv = view_at(f, polls, 3);
	assert_string_equal(json_string_value(json_object_get(polls[3].metrics, "evaluation")), "STOP");
	assert_int_equal(KAFKA(f)->status, ST_CRIT);
	assert_string_equal(KAFKA(f)->reason, "consumer orders-indexer: STOP");
	assert_int_equal(pv->n_diags, 1);
	assert_string_equal(pv->diags[0].rule, "kafka-stop");
	/* Over the 15s the offsets have stood still (all the history), not the 10s window. */
	assert_string_equal(pv->diags[0].evidence,
	                    "committed offsets unchanged over the last 15s (longer than the 10s window) "
	                    "while the topics grew; lag 30 messages (max 30 on orders/0), about 15s behind");
	for (int i = 0; i < 4; i++)
		sample_clear(&polls[i]);
}

/* The same, but the group commits everything at every poll: OK all along. */
static void test_stop_over_the_window_near_miss(void **state)
{
	struct fx *f = *state;
	const struct stage_cfg *st = KAFKA(f)->cfg;
	assert_non_null(st->kind->probe);
	struct sample polls[4];
	for (int i = 0; i < 4; i++)
		poll_at(&polls[i], 5.0 * i, 10 + 10 * i, 10 + 10 * i);
	for (int i = 1; i < 4; i++)
		st->kind->probe->derive(st, &polls[i - 1], &polls[i]);
	const struct pipeline_view *pv = view_at(f, polls, 3);
	assert_string_equal(json_string_value(json_object_get(polls[3].metrics, "evaluation")), "OK");
	assert_int_equal(KAFKA(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
	for (int i = 0; i < 4; i++)
		sample_clear(&polls[i]);
}

/* The demo's lagging indexer through the probe's derive: 5 messages/s in, 3/s committed in
   batches every 2 s, polled every second; window 6s (set below). Its lag is a rising sawtooth
   (10 15 14 19 18 23 22): kafka-lagging once the window is covered, at the 7th poll. */
static void test_falling_behind_over_the_window(void **state)
{
	(void)state;
	struct fx *f = fixture_open("[kafka main]\nbrokers = kafka.internal:9092\n"
	                            "[pipeline orders]\n"
	                            "kafka = main\nkafka.group = orders-indexer\nkafka.window = 6s\n");
	const struct stage_cfg *st = KAFKA(f)->cfg;
	assert_non_null(st->kind->probe);
	static const int64_t c[] = {90, 90, 96, 96, 102, 102, 108};
	struct sample polls[7];
	for (int i = 0; i < 7; i++)
		poll_at(&polls[i], i, c[i], 100 + 5 * i);
	for (int i = 1; i < 7; i++)
		st->kind->probe->derive(st, &polls[i - 1], &polls[i]);
	/* 5s of polls: no verdict yet (the near miss). */
	const struct pipeline_view *pv = view_at(f, polls, 5);
	assert_true(json_is_null(json_object_get(polls[5].metrics, "evaluation")));
	assert_int_equal(pv->n_diags, 0);
	pv = view_at(f, polls, 6);
	assert_string_equal(json_string_value(json_object_get(polls[6].metrics, "evaluation")), "WARN");
	assert_int_equal(KAFKA(f)->status, ST_WARN);
	assert_int_equal(pv->n_diags, 1);
	assert_string_equal(pv->diags[0].rule, "kafka-lagging");
	assert_string_equal(pv->diags[0].evidence,
	                    "lag grew from 10 to 22 messages over the last 6s while 18 were consumed: the "
	                    "inflow is faster (max 22 on orders/0), about 4.2s behind");
	for (int i = 0; i < 7; i++)
		sample_clear(&polls[i]);
	fixture_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lag_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lag_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lag_not_judged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stall, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stall_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rewind, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lagging, setup, teardown),
#ifdef HAVE_SEARCH
	    cmocka_unit_test(test_lagging_names_downstream),
#endif
	    cmocka_unit_test_setup_teardown(test_lagging_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_idle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_commits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_commits_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_over_the_window, setup, teardown),
	    cmocka_unit_test(test_falling_behind_over_the_window),
	    cmocka_unit_test_setup_teardown(test_stop_over_the_window_near_miss, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
