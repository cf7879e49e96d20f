/* test_evaluate.c: the Burrow-style verdicts and the lag-in-seconds estimate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kinds/kafka/evaluate.h"

/* Two partitions; points every 2 s; window 10 s unless said. */
#define P(t_, c0, e0, c1, e1)                                                                                \
	{                                                                                                    \
		.t = (t_), .committed = (const int64_t[]){c0, c1}, .end = (const int64_t[])                  \
		{                                                                                            \
			e0, e1                                                                               \
		}                                                                                            \
	}

static void test_not_enough(void **state)
{
	const struct kafka_point one[] = {P(0, 10, 20, 5, 5)};
	assert_int_equal(kafka_evaluate(one, 1, 2, 10), KE_NONE);
	/* Lag, but only 4 s of a 10 s window: no verdict yet. */
	const struct kafka_point short_[] = {P(0, 10, 20, 5, 5), P(2, 10, 22, 5, 5), P(4, 10, 24, 5, 5)};
	assert_int_equal(kafka_evaluate(short_, 3, 2, 10), KE_NONE);
}

static void test_idle_and_ok(void **state)
{
	const struct kafka_point idle[] = {P(0, 20, 20, 5, 5), P(2, 20, 20, 5, 5)};
	assert_int_equal(kafka_evaluate(idle, 2, 2, 10), KE_IDLE);
	/* Caught up while messages flow: OK, even before the window is full. */
	const struct kafka_point ok[] = {P(0, 20, 20, 5, 5), P(2, 25, 25, 5, 5)};
	assert_int_equal(kafka_evaluate(ok, 2, 2, 10), KE_OK);
	assert_string_equal(kafka_eval_name(KE_IDLE), "IDLE");
	assert_null(kafka_eval_name(KE_NONE));
}

static void test_rewind(void **state)
{
	const struct kafka_point pts[] = {P(0, 60, 100, 5, 5), P(1, 40, 100, 5, 5)};
	assert_int_equal(kafka_evaluate(pts, 2, 2, 10), KE_REWIND);
	/* A rewind older than the window is forgiven. */
	const struct kafka_point old[] = {P(0, 60, 100, 5, 5), P(1, 40, 100, 5, 5), P(20, 50, 100, 5, 5),
	                                  P(30, 60, 100, 5, 5)};
	assert_int_equal(kafka_evaluate(old, 4, 2, 10), KE_OK);
}

static void test_stall_then_stop(void **state)
{
	/* Messages arrive, the group commits nothing: STALL once the window is covered... */
	const struct kafka_point stall[] = {P(0, 10, 20, 5, 5), P(5, 10, 30, 5, 5), P(10, 10, 40, 5, 5)};
	assert_int_equal(kafka_evaluate(stall, 3, 2, 10), KE_STALL);
	/* ... STOP once it has stood still for longer than the window. */
	const struct kafka_point stop[] = {P(0, 10, 20, 5, 5), P(5, 10, 30, 5, 5), P(10, 10, 40, 5, 5),
	                                   P(15, 10, 50, 5, 5)};
	assert_int_equal(kafka_evaluate(stop, 4, 2, 10), KE_STOP);
	/* Standing still on an old backlog with no new messages stays STALL. */
	const struct kafka_point stuck[] = {P(0, 10, 20, 5, 5), P(5, 10, 20, 5, 5), P(10, 10, 20, 5, 5),
	                                    P(15, 10, 20, 5, 5)};
	assert_int_equal(kafka_evaluate(stuck, 4, 2, 10), KE_STALL);
	/* Two polls exactly a window apart (--once-window = window): STALL, not STOP. */
	const struct kafka_point once[] = {P(0, 60, 100, 5, 5), P(2.02, 60, 130, 5, 5)};
	assert_int_equal(kafka_evaluate(once, 2, 2, 2), KE_STALL);
}

static void test_warn_slow(void **state)
{
	/* Commits advance, but the lag grows at every poll: slow. */
	const struct kafka_point slow[] = {P(0, 10, 20, 5, 5), P(5, 15, 30, 5, 5), P(10, 20, 40, 5, 5)};
	assert_int_equal(kafka_evaluate(slow, 3, 2, 10), KE_WARN);
	/* Commits advance and the lag shrinks once: OK. */
	const struct kafka_point fine[] = {P(0, 10, 20, 5, 5), P(5, 15, 30, 5, 5), P(10, 30, 40, 5, 5)};
	assert_int_equal(kafka_evaluate(fine, 3, 2, 10), KE_OK);
}

static void test_no_commits_are_not_lag(void **state)
{
	/* Partition 1 never committed: its end offset is not lag, and lag 0 elsewhere is IDLE. */
	const struct kafka_point pts[] = {P(0, 20, 20, -1, 500), P(2, 20, 20, -1, 500)};
	assert_int_equal(kafka_evaluate(pts, 2, 2, 10), KE_IDLE);
}

static void test_lag_seconds(void **state)
{
	/* End offsets 100 at t=0, 110 at t=10: offset 105 arrived at about t=6 (offset 105 is the 6th new).
	 */
	const struct kafka_point pts[] = {P(0, 100, 100, 5, 5), P(10, 100, 110, 5, 5), P(20, 105, 120, 5, 5)};
	assert_float_equal(kafka_lag_seconds(pts, 3, 2), 14.0, 1e-9);
	/* No lag: 0. */
	const struct kafka_point none[] = {P(0, 5, 5, 5, 5)};
	assert_float_equal(kafka_lag_seconds(none, 1, 2), 0.0, 0);
	/* The committed message is older than the history: not known. */
	const struct kafka_point old[] = {P(0, 50, 100, 5, 5), P(10, 50, 110, 5, 5)};
	assert_float_equal(kafka_lag_seconds(old, 2, 2), -1.0, 0);
}

/* The edges of the window (10 s): polls must span 90% of it before a lag is judged; a poll up
   to 25% older than the window still counts as inside it. */
static void test_window_edges(void **state)
{
	/* 8.9 s of polls: no verdict yet; 9 s: stalled. */
	const struct kafka_point short_[] = {P(0, 10, 20, 5, 5), P(4.45, 10, 25, 5, 5), P(8.9, 10, 30, 5, 5)};
	assert_int_equal(kafka_evaluate(short_, 3, 2, 10), KE_NONE);
	const struct kafka_point enough[] = {P(0, 10, 20, 5, 5), P(4.5, 10, 25, 5, 5), P(9, 10, 30, 5, 5)};
	assert_int_equal(kafka_evaluate(enough, 3, 2, 10), KE_STALL);
	/* Standing still since t=0: at 12.5 s that poll is still inside the window (STALL); at
	   12.6 s it is older than the window, so the group has stood still for longer (STOP). */
	const struct kafka_point edge[] = {P(0, 10, 20, 5, 5), P(3, 10, 30, 5, 5), P(6, 10, 40, 5, 5),
	                                   P(9, 10, 50, 5, 5), P(12.5, 10, 60, 5, 5)};
	assert_int_equal(kafka_evaluate(edge, 5, 2, 10), KE_STALL);
	const struct kafka_point past[] = {P(0, 10, 20, 5, 5), P(3, 10, 30, 5, 5), P(6, 10, 40, 5, 5),
	                                   P(9, 10, 50, 5, 5), P(12.6, 10, 60, 5, 5)};
	assert_int_equal(kafka_evaluate(past, 5, 2, 10), KE_STOP);
}

/* WARN needs the lag to grow between every two polls: one flat step is OK. */
static void test_warn_needs_growth_at_every_poll(void **state)
{
	const struct kafka_point flat[] = {P(0, 10, 20, 5, 5), P(5, 15, 30, 5, 5), P(10, 20, 35, 5, 5)};
	assert_int_equal(kafka_evaluate(flat, 3, 2, 10), KE_OK);
	const struct kafka_point grew[] = {P(0, 10, 20, 5, 5), P(5, 15, 30, 5, 5), P(10, 20, 36, 5, 5)};
	assert_int_equal(kafka_evaluate(grew, 3, 2, 10), KE_WARN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_enough),
	    cmocka_unit_test(test_idle_and_ok),
	    cmocka_unit_test(test_rewind),
	    cmocka_unit_test(test_stall_then_stop),
	    cmocka_unit_test(test_warn_slow),
	    cmocka_unit_test(test_no_commits_are_not_lag),
	    cmocka_unit_test(test_lag_seconds),
	    cmocka_unit_test(test_window_edges),
	    cmocka_unit_test(test_warn_needs_growth_at_every_poll),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
