/* test_parse.c: the timeseries stage's InfluxQL (identifiers, the statements of a poll) and its
   reading of /query answers: inline bodies for each rule of the parser, then the answers
   recorded from influxd 1.6 (tests/fixtures/influxdb/), with exact figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../json_fixture.h"
#include "kinds/timeseries/timeseries.h"

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return j;
}

static json_t *fixture(const char *name)
{
	return json_fixture("influxdb", name);
}

/* timeseries_parse of text (inline) or of a fixture: its result, *a and why. */
static bool read_answer(json_t *j, struct ts_answer *a, char *why, size_t n)
{
	why[0] = '\0';
	bool ok = timeseries_parse(j, a, why, n);
	json_decref(j);
	return ok;
}

static void test_ident(void **state)
{
	(void)state;
	char *s = timeseries_ident("orders");
	assert_string_equal(s, "\"orders\"");
	free(s);
	s = timeseries_ident("we\"ird\\m x");
	assert_string_equal(s, "\"we\\\"ird\\\\m x\"");
	free(s);
	s = timeseries_ident("");
	assert_string_equal(s, "\"\"");
	free(s);
}

static void test_query(void **state)
{
	(void)state;
	struct timeseries_opts o = {
	    .database = "shop", .measurement = "orders", .window_s = 60, .baseline_s = 900};
	char *q = timeseries_query(&o);
	assert_string_equal(q, "SELECT * FROM \"orders\" ORDER BY time DESC LIMIT 1; "
	                       "SELECT count(*) FROM \"orders\" WHERE time > now() - 60s; "
	                       "SELECT count(*) FROM \"orders\" WHERE time > now() - 900s");
	free(q);
	o.retention_policy = "one week";
	o.window_s = 90.4; /* InfluxQL durations are whole: rounded */
	q = timeseries_query(&o);
	assert_string_equal(q, "SELECT * FROM \"one week\".\"orders\" ORDER BY time DESC LIMIT 1; "
	                       "SELECT count(*) FROM \"one week\".\"orders\" WHERE time > now() - 90s; "
	                       "SELECT count(*) FROM \"one week\".\"orders\" WHERE time > now() - 900s");
	free(q);
}

static void test_fixtures(void **state)
{
	(void)state;
	struct ts_answer a;
	char why[256];
	assert_true(read_answer(fixture("points.json"), &a, why, sizeof why));
	assert_true(a.have_newest);
	assert_true(a.newest_ms == 1796389004000.0);
	assert_int_equal(a.recent, 44);   /* count_amount 44, count_count null */
	assert_int_equal(a.baseline, 54); /* the larger of 54 and 3 */

	assert_true(read_answer(fixture("empty.json"), &a, why, sizeof why));
	assert_false(a.have_newest);
	assert_int_equal(a.recent, 0);
	assert_int_equal(a.baseline, 0);

	assert_false(read_answer(fixture("no-database.json"), &a, why, sizeof why));
	assert_string_equal(why, "statement 1: not executed");

	assert_false(read_answer(fixture("parse-error.json"), &a, why, sizeof why));
	assert_string_equal(why, "error parsing query: found s, expected ; at line 1, char 106");
}

static void test_shapes(void **state)
{
	(void)state;
	struct ts_answer a;
	char why[256];
	assert_false(read_answer(parse("{\"results\":[{\"statement_id\":0},{\"statement_id\":1}]}"), &a, why,
	                         sizeof why));
	assert_string_equal(why, "the answer has no results array of 3 statements");
	assert_false(read_answer(parse("{\"x\":1}"), &a, why, sizeof why));
	assert_string_equal(why, "the answer has no results array of 3 statements");
	/* An error without text still says something (found by fuzz_timeseries). */
	assert_false(read_answer(parse("{\"error\":\"\"}"), &a, why, sizeof why));
	assert_string_equal(why, "an error without a reason");
	assert_false(read_answer(parse("{\"results\":[{},{\"error\":\"\"},{}]}"), &a, why, sizeof why));
	assert_string_equal(why, "statement 2: an error without a reason");
	/* A later statement's error is named by its number. */
	assert_false(read_answer(parse("{\"results\":[{},{},{\"error\":\"boom\"}]}"), &a, why, sizeof why));
	assert_string_equal(why, "statement 3: boom");
	/* The newest point's time must be a number (epoch=ms), not RFC 3339. */
	assert_false(
	    read_answer(parse("{\"results\":[{\"series\":[{\"values\":[[\"2026-12-04T00:00:00Z\",1]]}]},"
	                      "{},{}]}"),
	                &a, why, sizeof why));
	assert_string_equal(why, "statement 1: the newest point's time is not a number (epoch=ms)");
	/* A series without values. */
	assert_false(
	    read_answer(parse("{\"results\":[{},{\"series\":[{\"name\":\"m\"}]},{}]}"), &a, why, sizeof why));
	assert_string_equal(why, "statement 2: the answer has no series[0].values[0] row");
	/* A count that is not a whole number of points. */
	assert_false(read_answer(parse("{\"results\":[{},{},{\"series\":[{\"values\":[[0,3,\"x\"]]}]}]}"), &a,
	                         why, sizeof why));
	assert_string_equal(why, "statement 3: count column 3 is not a count");
	assert_false(read_answer(parse("{\"results\":[{},{\"series\":[{\"values\":[[0,-1]]}]},{}]}"), &a, why,
	                         sizeof why));
	assert_string_equal(why, "statement 2: count column 2 is not a count");
	/* Counts: the largest per-field count; nulls skipped. */
	assert_true(read_answer(parse("{\"results\":[{\"series\":[{\"values\":[[1000,1]]}]},"
	                              "{\"series\":[{\"values\":[[0,null,7,2]]}]},"
	                              "{\"series\":[{\"values\":[[0,9,null]]}]}]}"),
	                        &a, why, sizeof why));
	assert_true(a.have_newest);
	assert_true(a.newest_ms == 1000.0);
	assert_int_equal(a.recent, 7);
	assert_int_equal(a.baseline, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ident),
	    cmocka_unit_test(test_query),
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
