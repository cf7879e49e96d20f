/* test_window.c: the search stage's drift window (missing_docs_floor, indexing_failed_new). */
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kinds/search/search.h"

/* One poll at monotonic time now with the figures of a JSON text; returns its metrics. */
static json_t *poll_at(json_t **memo, double span, double now, const char *metrics)
{
	json_error_t e;
	json_t *m = json_loads(metrics, 0, &e);
	assert_non_null(m);
	search_window_update(memo, span, now, m);
	return m;
}

static int64_t floor_of(const json_t *m)
{
	int64_t v = -999;
	assert_true(metric_int(m, "missing_docs_floor", &v));
	return v;
}

/* Documents in flight come and go; the floor is what stayed missing the whole window. */
static void test_floor_over_the_window(void **state)
{
	(void)state;
	json_t *memo = NULL, *m;
	m = poll_at(&memo, 30, 100, "{\"missing_docs\": 5}");
	assert_int_equal(floor_of(m), 5);
	json_decref(m);
	m = poll_at(&memo, 30, 110, "{\"missing_docs\": 3}");
	assert_int_equal(floor_of(m), 3);
	json_decref(m);
	m = poll_at(&memo, 30, 120, "{\"missing_docs\": 4}");
	assert_int_equal(floor_of(m), 3);
	json_decref(m);
	/* 35 s after the 3: it left the window; 4 (25 s old) and 6 remain */
	m = poll_at(&memo, 30, 145, "{\"missing_docs\": 6}");
	assert_int_equal(floor_of(m), 4);
	assert_int_equal(json_array_size(memo), 2);
	json_decref(m);
	json_decref(memo);
}

/* A poll exactly one span old still counts; a little older does not. */
static void test_span_edge(void **state)
{
	(void)state;
	json_t *memo = NULL, *m;
	json_decref(poll_at(&memo, 30, 0, "{\"missing_docs\": 1}"));
	m = poll_at(&memo, 30, 30, "{\"missing_docs\": 9}");
	assert_int_equal(floor_of(m), 1);
	json_decref(m);
	m = poll_at(&memo, 30, 30.5, "{\"missing_docs\": 9}");
	assert_int_equal(floor_of(m), 9);
	json_decref(m);
	json_decref(memo);
}

/* A poll without a figure breaks the run: the floor starts again after it, and a poll
   without a figure gets no floor at all. */
static void test_unknown_breaks_the_run(void **state)
{
	(void)state;
	json_t *memo = NULL, *m;
	json_decref(poll_at(&memo, 30, 0, "{\"missing_docs\": 2}"));
	m = poll_at(&memo, 30, 1, "{\"missing_docs\": null}");
	assert_null(json_object_get(m, "missing_docs_floor"));
	json_decref(m);
	m = poll_at(&memo, 30, 2, "{\"missing_docs\": 7}");
	assert_int_equal(floor_of(m), 7);
	json_decref(m);
	/* more documents than rows: the floor is the least negative figure's side too */
	m = poll_at(&memo, 30, 3, "{\"missing_docs\": -4}");
	assert_int_equal(floor_of(m), -4);
	json_decref(m);
	json_decref(memo);
}

/* Rejected documents counted since the oldest poll of the window; none once it has passed. */
static void test_indexing_failed_new(void **state)
{
	(void)state;
	json_t *memo = NULL, *m;
	int64_t v = -1;
	m = poll_at(&memo, 30, 0, "{\"indexing_failed\": 10}");
	assert_true(metric_int(m, "indexing_failed_new", &v));
	assert_int_equal(v, 0);
	json_decref(m);
	m = poll_at(&memo, 30, 10, "{\"indexing_failed\": 12}");
	assert_true(metric_int(m, "indexing_failed_new", &v));
	assert_int_equal(v, 2);
	json_decref(m);
	m = poll_at(&memo, 30, 50, "{\"indexing_failed\": 15}");
	assert_true(metric_int(m, "indexing_failed_new", &v));
	assert_int_equal(v, 0); /* the 10 and the 12 left the window */
	json_decref(m);
	/* a counter that went back (a recreated index) is no rise */
	m = poll_at(&memo, 30, 51, "{\"indexing_failed\": 1}");
	assert_true(metric_int(m, "indexing_failed_new", &v));
	assert_int_equal(v, 0);
	json_decref(m);
	json_decref(memo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_floor_over_the_window),
	    cmocka_unit_test(test_span_edge),
	    cmocka_unit_test(test_unknown_breaks_the_run),
	    cmocka_unit_test(test_indexing_failed_new),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
