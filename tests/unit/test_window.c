/* test_window.c: the Burrow-style verdicts over a window and the lag-in-seconds estimate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "window.h"

/* Two lanes; points every 2 s; window 10 s unless said. */
/* The verdict alone. */
#define V(pts, n, lanes, window) (window_evaluate((pts), (n), (lanes), (window)).verdict)

#define P(t_, c0, e0, c1, e1)                                                                                \
	{                                                                                                    \
		.t = (t_), .committed = (const int64_t[]){c0, c1}, .end = (const int64_t[])                  \
		{                                                                                            \
			e0, e1                                                                               \
		}                                                                                            \
	}

static void test_not_enough(void **state)
{
	const struct window_point one[] = {P(0, 10, 20, 5, 5)};
	assert_int_equal(V(one, 1, 2, 10), WV_NONE);
	/* Lag, but only 4 s of a 10 s window: no verdict yet. */
	const struct window_point short_[] = {P(0, 10, 20, 5, 5), P(2, 10, 22, 5, 5), P(4, 10, 24, 5, 5)};
	assert_int_equal(V(short_, 3, 2, 10), WV_NONE);
}

static void test_idle_and_ok(void **state)
{
	const struct window_point idle[] = {P(0, 20, 20, 5, 5), P(2, 20, 20, 5, 5)};
	assert_int_equal(V(idle, 2, 2, 10), WV_IDLE);
	/* Caught up while messages flow: OK, even before the window is full. */
	const struct window_point ok[] = {P(0, 20, 20, 5, 5), P(2, 25, 25, 5, 5)};
	assert_int_equal(V(ok, 2, 2, 10), WV_OK);
	assert_string_equal(window_verdict_name(WV_IDLE), "IDLE");
	assert_null(window_verdict_name(WV_NONE));
}

static void test_rewind(void **state)
{
	const struct window_point pts[] = {P(0, 60, 100, 5, 5), P(1, 40, 100, 5, 5)};
	assert_int_equal(V(pts, 2, 2, 10), WV_REWIND);
	/* A rewind older than the window is forgiven. */
	const struct window_point old[] = {P(0, 60, 100, 5, 5), P(1, 40, 100, 5, 5), P(20, 50, 100, 5, 5),
	                                   P(30, 60, 100, 5, 5)};
	assert_int_equal(V(old, 4, 2, 10), WV_OK);
}

static void test_stall_then_stop(void **state)
{
	/* Messages arrive, the group commits nothing: STALL once the window is covered... */
	const struct window_point stall[] = {P(0, 10, 20, 5, 5), P(5, 10, 30, 5, 5), P(10, 10, 40, 5, 5)};
	assert_int_equal(V(stall, 3, 2, 10), WV_STALL);
	/* ... STOP once it has stood still for longer than the window. */
	const struct window_point stop[] = {P(0, 10, 20, 5, 5), P(5, 10, 30, 5, 5), P(10, 10, 40, 5, 5),
	                                    P(15, 10, 50, 5, 5)};
	assert_int_equal(V(stop, 4, 2, 10), WV_STOP);
	/* Standing still on an old backlog with no new messages stays STALL. */
	const struct window_point stuck[] = {P(0, 10, 20, 5, 5), P(5, 10, 20, 5, 5), P(10, 10, 20, 5, 5),
	                                     P(15, 10, 20, 5, 5)};
	assert_int_equal(V(stuck, 4, 2, 10), WV_STALL);
	/* Two polls exactly a window apart (--once-window = window): STALL, not STOP. */
	const struct window_point once[] = {P(0, 60, 100, 5, 5), P(2.02, 60, 130, 5, 5)};
	assert_int_equal(V(once, 2, 2, 2), WV_STALL);
}

static void test_warn_slow(void **state)
{
	/* Commits advance, but the lag grows at every poll: slow. */
	const struct window_point slow[] = {P(0, 10, 20, 5, 5), P(5, 15, 30, 5, 5), P(10, 20, 40, 5, 5)};
	assert_int_equal(V(slow, 3, 2, 10), WV_WARN);
	/* Commits advance and the lag shrinks once: OK. */
	const struct window_point fine[] = {P(0, 10, 20, 5, 5), P(5, 15, 30, 5, 5), P(10, 30, 40, 5, 5)};
	assert_int_equal(V(fine, 3, 2, 10), WV_OK);
}

static void test_no_commits_are_not_lag(void **state)
{
	/* Partition 1 never committed: its end offset is not lag, and lag 0 elsewhere is IDLE. */
	const struct window_point pts[] = {P(0, 20, 20, -1, 500), P(2, 20, 20, -1, 500)};
	assert_int_equal(V(pts, 2, 2, 10), WV_IDLE);
}

static void test_lag_seconds(void **state)
{
	/* End offsets 100 at t=0, 110 at t=10: offset 105 arrived at about t=6 (offset 105 is the 6th new).
	 */
	const struct window_point pts[] = {P(0, 100, 100, 5, 5), P(10, 100, 110, 5, 5),
	                                   P(20, 105, 120, 5, 5)};
	assert_float_equal(window_lag_seconds(pts, 3, 2), 14.0, 1e-9);
	/* No lag: 0. */
	const struct window_point none[] = {P(0, 5, 5, 5, 5)};
	assert_float_equal(window_lag_seconds(none, 1, 2), 0.0, 0);
	/* The committed message is older than the history: not known. */
	const struct window_point old[] = {P(0, 50, 100, 5, 5), P(10, 50, 110, 5, 5)};
	assert_float_equal(window_lag_seconds(old, 2, 2), -1.0, 0);
}

/* The edges of the window (10 s): polls must span 90% of it before a lag is judged; a poll up
   to 25% older than the window still counts as inside it. */
static void test_window_edges(void **state)
{
	/* 8.9 s of polls: no verdict yet; 9 s: stalled. */
	const struct window_point short_[] = {P(0, 10, 20, 5, 5), P(4.45, 10, 25, 5, 5),
	                                      P(8.9, 10, 30, 5, 5)};
	assert_int_equal(V(short_, 3, 2, 10), WV_NONE);
	const struct window_point enough[] = {P(0, 10, 20, 5, 5), P(4.5, 10, 25, 5, 5), P(9, 10, 30, 5, 5)};
	assert_int_equal(V(enough, 3, 2, 10), WV_STALL);
	/* Standing still since t=0: at 12.5 s that poll is still inside the window (STALL); at
	   12.6 s it is older than the window, so the group has stood still for longer (STOP). */
	const struct window_point edge[] = {P(0, 10, 20, 5, 5), P(3, 10, 30, 5, 5), P(6, 10, 40, 5, 5),
	                                    P(9, 10, 50, 5, 5), P(12.5, 10, 60, 5, 5)};
	assert_int_equal(V(edge, 5, 2, 10), WV_STALL);
	const struct window_point past[] = {P(0, 10, 20, 5, 5), P(3, 10, 30, 5, 5), P(6, 10, 40, 5, 5),
	                                    P(9, 10, 50, 5, 5), P(12.6, 10, 60, 5, 5)};
	assert_int_equal(V(past, 5, 2, 10), WV_STOP);
}

/* WARN looks at the whole window, not at every step: a flat step in a lag that grew is WARN. */
static void test_warn_across_the_window(void **state)
{
	const struct window_point flat[] = {P(0, 10, 20, 5, 5), P(5, 15, 30, 5, 5), P(10, 20, 35, 5, 5)};
	assert_int_equal(V(flat, 3, 2, 10), WV_WARN);
	/* Back where it started: OK. */
	const struct window_point back[] = {P(0, 10, 20, 5, 5), P(5, 15, 30, 5, 5), P(10, 25, 35, 5, 5)};
	assert_int_equal(V(back, 3, 2, 10), WV_OK);
}

/* The demo's lagging indexer: 5 messages/s in, 3/s out, committed in batches every 2 s, polled
   every second with a 6 s window. Its lag is a rising sawtooth (10 15 14 19 18 23 22), never
   growing at every poll: WARN within the one window all the same. */
static void test_warn_batch_commits(void **state)
{
	const struct window_point slow[] = {P(0, 90, 100, 5, 5), P(1, 90, 105, 5, 5),  P(2, 96, 110, 5, 5),
	                                    P(3, 96, 115, 5, 5), P(4, 102, 120, 5, 5), P(5, 102, 125, 5, 5),
	                                    P(6, 108, 130, 5, 5)};
	/* Not before the window is (nearly) covered... */
	assert_int_equal(V(slow, 5, 2, 6), WV_NONE);
	/* ... and at once when it is. */
	struct window_eval ev = window_evaluate(slow, 7, 2, 6);
	assert_int_equal(ev.verdict, WV_WARN);
	assert_float_equal(ev.span, 6.0, 1e-9);
	assert_int_equal(ev.lag_first, 10);
	assert_int_equal(ev.lag_last, 22);
	assert_int_equal(ev.committed_moved, 18);
	assert_int_equal(ev.end_moved, 30);
}

/* Near misses: a consumer keeping up, its lag jittering. */
static void test_warn_near_misses(void **state)
{
	/* The lag touches zero inside the window (10 5 0 5 8 10 13): it keeps up, OK, though it ends
	   higher than it started. */
	const struct window_point zero[] = {P(0, 90, 100, 5, 5),  P(1, 100, 105, 5, 5), P(2, 110, 110, 5, 5),
	                                    P(3, 110, 115, 5, 5), P(4, 112, 120, 5, 5), P(5, 115, 125, 5, 5),
	                                    P(6, 117, 130, 5, 5)};
	assert_int_equal(V(zero, 7, 2, 6), WV_OK);
	/* Never zero, ends 1 higher (10 14 9 13 8 12 11), but no trend: OK. */
	const struct window_point jitter[] = {
	    P(0, 90, 100, 5, 5),  P(1, 91, 105, 5, 5),  P(2, 101, 110, 5, 5), P(3, 102, 115, 5, 5),
	    P(4, 112, 120, 5, 5), P(5, 113, 125, 5, 5), P(6, 119, 130, 5, 5)};
	assert_int_equal(V(jitter, 7, 2, 6), WV_OK);
	/* One high poll between two alike (10 20 11): the trend (+1) is smaller than the scatter. */
	const struct window_point spike[] = {P(0, 90, 100, 5, 5), P(3, 90, 110, 5, 5), P(6, 104, 115, 5, 5)};
	assert_int_equal(V(spike, 3, 2, 6), WV_OK);
	/* The last poll higher (10 20 16): a trend of +6, but a scatter of 4.7 (times 1.5: 7): OK; */
	const struct window_point near[] = {P(0, 90, 100, 5, 5), P(3, 90, 110, 5, 5), P(6, 99, 115, 5, 5)};
	assert_int_equal(V(near, 3, 2, 6), WV_OK);
	/* (10 20 18): a trend of +8 over a scatter of 4 (times 1.5: 6): WARN. */
	const struct window_point rising[] = {P(0, 90, 100, 5, 5), P(3, 90, 110, 5, 5), P(6, 97, 115, 5, 5)};
	assert_int_equal(V(rising, 3, 2, 6), WV_WARN);
	/* A consumer keeping up, committing every 5 s behind a floor of one message in flight: its
	   lag is a sawtooth (1 2 3 4 5 1 2 3 4 5) that ends higher than it started, never zero,
	   over a 9 s window just short of two periods: no trend to speak of, OK. */
	const struct window_point saw[] = {P(0, 99, 100, 5, 5),  P(1, 99, 101, 5, 5),  P(2, 99, 102, 5, 5),
	                                   P(3, 99, 103, 5, 5),  P(4, 99, 104, 5, 5),  P(5, 104, 105, 5, 5),
	                                   P(6, 104, 106, 5, 5), P(7, 104, 107, 5, 5), P(8, 104, 108, 5, 5),
	                                   P(9, 104, 109, 5, 5)};
	assert_int_equal(V(saw, 10, 2, 9), WV_OK);
	/* A relay's backlog of a row or two between its batches (1 2 2 over 2 s, a clean trend)
	   while 10 rows arrived: it grew by a tenth of its inflow, under WARN_MIN_SHARE: OK. */
	const struct window_point batch[] = {P(0, 99, 100, 5, 5), P(1, 104, 106, 5, 5), P(2, 108, 110, 5, 5)};
	assert_int_equal(V(batch, 3, 2, 2), WV_OK);
	/* The same window with a consumer at 60% of its inflow (10 12 14, 10 arrived): WARN. */
	const struct window_point slow[] = {P(0, 90, 100, 5, 5), P(1, 93, 105, 5, 5), P(2, 96, 110, 5, 5)};
	assert_int_equal(V(slow, 3, 2, 2), WV_WARN);
}

/* What a verdict rests on: the span actually observed, the lags and the moves over it. */
static void test_eval_figures(void **state)
{
	const struct window_point slow[] = {P(0, 10, 20, 5, 5), P(5, 15, 30, 5, 5), P(10, 20, 40, 5, 5)};
	struct window_eval ev = window_evaluate(slow, 3, 2, 10);
	assert_int_equal(ev.verdict, WV_WARN);
	assert_float_equal(ev.span, 10.0, 1e-9);
	assert_int_equal(ev.lag_first, 10);
	assert_int_equal(ev.lag_last, 20);
	assert_int_equal(ev.committed_moved, 10);
	assert_int_equal(ev.end_moved, 20);
	/* STOP: the span is how long the committed positions have stood still (15 s), not the window. */
	const struct window_point stop[] = {P(0, 10, 20, 5, 5), P(5, 10, 30, 5, 5), P(10, 10, 40, 5, 5),
	                                    P(15, 10, 50, 5, 5)};
	ev = window_evaluate(stop, 4, 2, 10);
	assert_int_equal(ev.verdict, WV_STOP);
	assert_float_equal(ev.span, 15.0, 1e-9);
	assert_int_equal(ev.end_moved, 30);
	assert_int_equal(ev.committed_moved, 0);
	/* Not enough history: nothing. */
	ev = window_evaluate(stop, 1, 2, 10);
	assert_int_equal(ev.verdict, WV_NONE);
	assert_float_equal(ev.span, 0.0, 0);
}

/* The history a derive keeps: trimmed to keep_s, started by the previous sample, lanes by name. */
static void test_history(void **state)
{
	json_t *prev = json_object(), *cur = json_object();
	window_raw_add(prev, "a", 10, 20);
	window_raw_add(prev, "b", -5, 7);
	window_raw_add(cur, "b", 3, 9);
	window_raw_add(cur, "c", 1, 2);
	struct window_history h;
	assert_true(window_history(prev, 100, cur, 102, 30, &h));
	assert_int_equal(h.n, 2);
	assert_int_equal(h.lanes, 2);
	assert_float_equal(h.pts[0].t, 100, 0);
	/* Lane b was the second of prev and is the first now; c is new (no position then). */
	assert_int_equal(h.pts[0].committed[0], WINDOW_NO_POS);
	assert_int_equal(h.pts[0].end[0], 7);
	assert_int_equal(h.pts[0].committed[1], WINDOW_NO_POS);
	assert_int_equal(h.pts[1].committed[0], 3);
	assert_int_equal(h.pts[1].end[1], 2);
	window_history_free(&h);
	assert_int_equal(json_array_size(json_object_get(cur, "hist")), 2);

	/* The next sample carries the history on; points older than keep_s fall out. */
	json_t *next = json_object();
	window_raw_add(next, "b", 4, 9);
	window_raw_add(next, "c", 2, 2);
	assert_true(window_history(cur, 102, next, 131, 30, &h));
	assert_int_equal(h.n, 2);
	assert_float_equal(h.pts[0].t, 102, 0);
	assert_int_equal(h.pts[1].committed[0], 4);
	window_history_free(&h);
	assert_null(h.pts);

	/* No positions: no history. */
	json_t *none = json_object();
	assert_false(window_history(none, 131, next, 133, 30, &h));
	assert_int_equal(h.n, 0);
	json_decref(prev);
	json_decref(cur);
	json_decref(next);
	json_decref(none);
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
	    cmocka_unit_test(test_warn_across_the_window),
	    cmocka_unit_test(test_warn_batch_commits),
	    cmocka_unit_test(test_warn_near_misses),
	    cmocka_unit_test(test_eval_figures),
	    cmocka_unit_test(test_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
