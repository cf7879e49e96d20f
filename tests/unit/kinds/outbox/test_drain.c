/* test_drain.c: the outbox drain over a window of polls (drain.c): verdicts, growth, time to empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../fixture.h"
#include "kinds/outbox/outbox.h"

/* The demo's window: 2 s over 1 s polls. */
static const char *const INI = "[postgres shop]\n"
                               "conninfo = host=db.internal dbname=shop\n"
                               "[pipeline products]\n"
                               "outbox = shop\n"
                               "outbox.window = 2s\n";

struct poll {
	double t;
	int64_t max_id, pending, failed;
};

/* Samples of the polls, each derived from the one before as the poller does; the last is
   returned in *last (the others are freed). */
static void run(const struct stage_cfg *st, const struct poll *p, size_t n, struct sample *last)
{
	struct sample prev = {0}, cur = {0};
	for (size_t i = 0; i < n; i++) {
		kind_sample_prepare(&outbox_kind, &cur);
		cur.ok = true;
		cur.mono = p[i].t;
		json_object_set_new(cur.metrics, "pending", json_integer(p[i].pending));
		json_object_set_new(cur.metrics, "failed", json_integer(p[i].failed));
		cur.raw = json_object();
		outbox_positions(cur.raw, p[i].max_id, p[i].pending + p[i].failed, p[i].failed);
		if (i > 0) {
			outbox_window_derive(st, &prev, &cur);
			sample_clear(&prev);
		}
		prev = cur;
		memset(&cur, 0, sizeof cur);
	}
	*last = prev;
}

static const struct stage_cfg *stage(void **state)
{
	return &((struct fx *)*state)->cfg->pipelines[0].stages[0];
}

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

static double num(const struct sample *s, const char *name)
{
	double v = -1;
	assert_true(metric_num(s->metrics, name, &v));
	return v;
}

/* What the verdict rests on, kept in raw. */
static double raw_num(const struct sample *s, const char *name)
{
	double v = -1;
	assert_true(metric_num(s->raw, name, &v));
	assert_null(json_object_get(s->metrics, name));
	return v;
}

/* A relay that stopped right after the poll at t=9, 5 rows a second arriving: STALL once the
   polls since span the 2 s window (t=11), STOP once it stood still for longer (t=12). */
static void test_stopped_relay(void **state)
{
	const struct poll polls[] = {{9, 100, 0, 0}, {10, 105, 5, 0}, {11, 110, 10, 0}, {12, 115, 15, 0}};
	struct sample s;
	run(stage(state), polls, 2, &s); /* one second seen: no verdict yet */
	assert_true(json_is_null(json_object_get(s.metrics, "evaluation")));
	assert_float_equal(num(&s, "growth_per_s"), 5.0, 1e-9);
	sample_clear(&s);
	run(stage(state), polls, 3, &s);
	assert_string_equal(metric_str(s.metrics, "evaluation"), "STALL");
	assert_float_equal(raw_num(&s, "evaluated_s"), 2.0, 1e-9);
	assert_float_equal(raw_num(&s, "produced"), 10, 1e-9);
	assert_float_equal(raw_num(&s, "consumed"), 0, 1e-9);
	assert_float_equal(num(&s, "growth_per_s"), 5.0, 1e-9);
	assert_true(json_is_null(json_object_get(s.metrics, "empty_in_s")));
	sample_clear(&s);
	run(stage(state), polls, 4, &s);
	assert_string_equal(metric_str(s.metrics, "evaluation"), "STOP");
	assert_float_equal(raw_num(&s, "evaluated_s"), 3.0, 1e-9);
	sample_clear(&s);
}

/* Near miss: a relay that drains in batches, every other poll: never a stall. */
static void test_batch_relay(void **state)
{
	const struct poll polls[] = {
	    {0, 100, 0, 0}, {1, 105, 5, 0}, {2, 110, 0, 0}, {3, 115, 5, 0}, {4, 120, 0, 0}, {5, 125, 5, 0},
	};
	for (size_t n = 3; n <= 6; n++) {
		struct sample s;
		run(stage(state), polls, n, &s);
		assert_string_equal(metric_str(s.metrics, "evaluation"), "OK");
		sample_clear(&s);
	}
}

/* Poisoned rows are neither inflow nor drain of the backlog: 3 arrive at t=2 (max id +3,
   failed +3) while the relay drains its inflow: OK, the backlog steady. */
static void test_poison_is_not_backlog(void **state)
{
	const struct poll polls[] = {
	    {0, 100, 2, 0},
	    {1, 105, 2, 0},
	    {2, 113, 2, 3},
	    {3, 118, 2, 3},
	};
	struct sample s;
	run(stage(state), polls, 4, &s);
	assert_string_equal(metric_str(s.metrics, "evaluation"), "OK");
	assert_float_equal(num(&s, "growth_per_s"), 0.0, 1e-9);
	assert_float_equal(raw_num(&s, "consumed"), 10, 1e-9); /* 5 a second over the window, t=1..3 */
	assert_float_equal(raw_num(&s, "produced"), 10, 1e-9); /* 13 inserted, the poisoned 3 not counted */
	sample_clear(&s);
}

/* A draining backlog: from 100 to 80 over 2 s is 10 a second, empty in 8 s; an empty one 0. */
static void test_time_to_empty(void **state)
{
	const struct poll polls[] = {{0, 500, 100, 0}, {1, 505, 90, 0}, {2, 510, 80, 0}, {3, 515, 0, 0}};
	struct sample s;
	run(stage(state), polls, 3, &s);
	assert_float_equal(num(&s, "growth_per_s"), -10.0, 1e-9);
	assert_float_equal(num(&s, "empty_in_s"), 8.0, 1e-9);
	char buf[64];
	assert_string_equal(outbox_drain_text(s.metrics, buf, sizeof buf), "empty in ~8s");
	sample_clear(&s);
	run(stage(state), polls, 4, &s);
	assert_float_equal(num(&s, "empty_in_s"), 0.0, 1e-9);
	assert_string_equal(outbox_drain_text(s.metrics, buf, sizeof buf), "");
	sample_clear(&s);

	/* Two polls (--once): the growth between them; no verdict before the window is covered. */
	const struct poll two[] = {{0, 10000, 3600, 0}, {1, 10005, 3590, 0}};
	run(stage(state), two, 2, &s);
	assert_true(json_is_null(json_object_get(s.metrics, "evaluation")));
	assert_float_equal(num(&s, "empty_in_s"), 359.0, 1e-9);
	assert_string_equal(outbox_drain_text(s.metrics, buf, sizeof buf), "empty in ~6m");
	sample_clear(&s);

	/* Near miss: a count stopped at the cap has no positions: no growth, no verdict. */
	struct sample prev = {0}, cur = {0};
	kind_sample_prepare(&outbox_kind, &prev);
	kind_sample_prepare(&outbox_kind, &cur);
	prev.raw = json_pack("{sI}", "max_id", (json_int_t)500);
	cur.raw = json_pack("{sI}", "max_id", (json_int_t)505);
	cur.mono = 1;
	outbox_window_derive(stage(state), &prev, &cur);
	assert_true(json_is_null(json_object_get(cur.metrics, "growth_per_s")));
	assert_true(json_is_null(json_object_get(cur.metrics, "evaluation")));
	sample_clear(&prev);
	sample_clear(&cur);
}

/* The rough times of "empty in". */
static void test_drain_text(void **state)
{
	(void)state;
	static const struct {
		double empty_in;
		const char *want;
	} cases[] = {
	    {0.2, "empty in ~1s"},     {45, "empty in ~45s"},     {59.4, "empty in ~59s"},
	    {59.6, "empty in ~1m"},    {360, "empty in ~6m"},     {3569, "empty in ~59m"},
	    {3580, "empty in ~1h00m"}, {7500, "empty in ~2h05m"},
	};
	char buf[64];
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		json_t *m = json_pack("{sI sf sf}", "pending", (json_int_t)10, "growth_per_s", -1.0,
		                      "empty_in_s", cases[i].empty_in);
		assert_string_equal(outbox_drain_text(m, buf, sizeof buf), cases[i].want);
		json_decref(m);
	}
	json_t *m = json_pack("{sI sf so}", "pending", (json_int_t)10, "growth_per_s", 0.04, "empty_in_s",
	                      json_null());
	assert_string_equal(outbox_drain_text(m, buf, sizeof buf), "not shrinking");
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stopped_relay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_relay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_poison_is_not_backlog, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_time_to_empty, setup, teardown),
	    cmocka_unit_test(test_drain_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
