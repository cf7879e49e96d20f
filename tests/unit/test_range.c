/* test_range.c: monitoring-plugin ranges (parse, alert, format), perfdata numbers and labels. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "range.h"
#include "report.h"

static struct range parse_ok(const char *s, enum metric_unit u)
{
	struct range r;
	char why[256] = "";
	if (!range_parse(s, u, &r, why, sizeof why))
		fail_msg("range '%s' refused: %s", s, why);
	return r;
}

/* The examples of the guideline's table, each at and around its ends. */
static void test_guideline_table(void **state)
{
	(void)state;
	/* 10: < 0 or > 10 (outside {0 .. 10}) */
	struct range r = parse_ok("10", MU_COUNT);
	assert_true(r.start == 0 && r.end == 10 && !r.inside);
	assert_true(range_alerts(&r, -1));
	assert_true(range_alerts(&r, -0.001));
	assert_false(range_alerts(&r, 0));
	assert_false(range_alerts(&r, 5));
	assert_false(range_alerts(&r, 10));
	assert_true(range_alerts(&r, 10.001));
	assert_true(range_alerts(&r, 11));
	/* 10: < 10 (outside {10 .. inf}) */
	r = parse_ok("10:", MU_COUNT);
	assert_true(r.start == 10 && isinf(r.end) && r.end > 0 && !r.inside);
	assert_true(range_alerts(&r, 9.999));
	assert_true(range_alerts(&r, -5));
	assert_false(range_alerts(&r, 10));
	assert_false(range_alerts(&r, 1e18));
	/* ~:10: > 10 (outside {-inf .. 10}) */
	r = parse_ok("~:10", MU_COUNT);
	assert_true(isinf(r.start) && r.start < 0 && r.end == 10 && !r.inside);
	assert_false(range_alerts(&r, -1e18));
	assert_false(range_alerts(&r, 10));
	assert_true(range_alerts(&r, 10.5));
	/* 10:20: < 10 or > 20 (outside {10 .. 20}) */
	r = parse_ok("10:20", MU_COUNT);
	assert_true(range_alerts(&r, 9));
	assert_false(range_alerts(&r, 10));
	assert_false(range_alerts(&r, 15));
	assert_false(range_alerts(&r, 20));
	assert_true(range_alerts(&r, 21));
	/* @10:20: >= 10 and <= 20 (inside {10 .. 20}) */
	r = parse_ok("@10:20", MU_COUNT);
	assert_true(r.inside);
	assert_false(range_alerts(&r, 9.99));
	assert_true(range_alerts(&r, 10));
	assert_true(range_alerts(&r, 15));
	assert_true(range_alerts(&r, 20));
	assert_false(range_alerts(&r, 20.01));
}

/* Floats, negatives, @ with one end, ~ with an open end, and start 0 written or left out. */
static void test_more_forms(void **state)
{
	(void)state;
	struct range r = parse_ok("0.5:1.5", MU_FACTOR);
	assert_true(r.start == 0.5 && r.end == 1.5);
	assert_true(range_alerts(&r, 0.49));
	assert_false(range_alerts(&r, 1.5));
	r = parse_ok("-5:-1", MU_PER_SECOND);
	assert_true(r.start == -5 && r.end == -1);
	assert_true(range_alerts(&r, 0));
	assert_false(range_alerts(&r, -3));
	r = parse_ok("@5", MU_COUNT); /* inside {0 .. 5} */
	assert_true(range_alerts(&r, 0) && range_alerts(&r, 5));
	assert_false(range_alerts(&r, -1) || range_alerts(&r, 6));
	r = parse_ok(":10", MU_COUNT); /* an empty start is 0 */
	assert_true(r.start == 0 && r.end == 10);
	r = parse_ok("~:", MU_COUNT); /* never alerts; @~: always does */
	assert_false(range_alerts(&r, -1e300) || range_alerts(&r, 0) || range_alerts(&r, 1e300));
	r = parse_ok("@~:", MU_COUNT);
	assert_true(range_alerts(&r, -1e300) && range_alerts(&r, 0) && range_alerts(&r, 1e300));
	r = parse_ok("@2:", MU_COUNT); /* at or above 2: the config's own words */
	assert_false(range_alerts(&r, 1.999));
	assert_true(range_alerts(&r, 2));
}

/* Each end in the metric's perfdata unit: durations in seconds, sizes in bytes, ratios in percent. */
static void test_units(void **state)
{
	(void)state;
	struct range r = parse_ok("5m", MU_SECONDS);
	assert_true(r.start == 0 && r.end == 300);
	r = parse_ok("@1m:1h30m", MU_SECONDS);
	assert_true(r.inside && r.start == 60 && r.end == 5400);
	r = parse_ok("~:1.5s", MU_SECONDS);
	assert_true(r.end == 1.5);
	r = parse_ok("90", MU_SECONDS); /* a bare number is seconds */
	assert_true(r.end == 90);
	r = parse_ok("1GiB", MU_BYTES);
	assert_true(r.end == 1073741824.0);
	r = parse_ok("512MB:2GB", MU_BYTES);
	assert_true(r.start == 512e6 && r.end == 2e9);
	r = parse_ok("80%", MU_RATIO);
	assert_true(r.end == 80);
	r = parse_ok("@0:90%", MU_RATIO);
	assert_true(r.inside && r.start == 0 && r.end == 90);
	r = parse_ok("95", MU_RATIO);
	assert_true(r.end == 95);
}

static void refused(const char *s, enum metric_unit u, const char *want)
{
	struct range r = {.start = 7, .end = 8};
	char why[256] = "";
	if (range_parse(s, u, &r, why, sizeof why))
		fail_msg("range '%s' accepted", s);
	assert_string_equal(why, want);
	assert_true(r.start == 7 && r.end == 8); /* untouched */
}

static void test_rejects(void **state)
{
	(void)state;
	refused("", MU_COUNT, "it is empty (give [@][start:][end], e.g. 10, 10:, ~:10, @10:20)");
	refused("@", MU_COUNT, "it is empty (give [@][start:][end], e.g. 10, 10:, ~:10, @10:20)");
	refused(":", MU_COUNT, "it is empty (give [@][start:][end], e.g. 10, 10:, ~:10, @10:20)");
	refused("20:10", MU_COUNT, "its start is above its end");
	refused("@5:-5", MU_COUNT, "its start is above its end");
	refused("abc", MU_COUNT, "'abc' is not a number");
	refused("10:20:30", MU_COUNT, "'20:30' is not a number");
	refused("~", MU_COUNT, "'~' is not a number");
	refused("x:10", MU_COUNT, "its start 'x' is not a number (nor ~, no start)");
	refused("1e3", MU_COUNT, "'1e3' is not a number");
	refused("inf", MU_COUNT, "'inf' is not a number");
	refused("nan:", MU_COUNT, "its start 'nan' is not a number (nor ~, no start)");
	refused("0x10", MU_COUNT, "'0x10' is not a number");
	refused("+5", MU_COUNT, "'+5' is not a number");
	refused("--5", MU_COUNT, "'--5' is not a number");
	refused(" 5", MU_COUNT, "' 5' is not a number");
	refused("5m", MU_COUNT, "'5m' is not a number"); /* a duration is for seconds */
	refused("1GiB", MU_SECONDS, "'1GiB' is not a number of seconds or a duration such as 5m");
	refused("5m", MU_BYTES, "'5m' is not a number of bytes or a size such as 1GiB");
	refused("80%%", MU_RATIO, "'80%%' is not a percentage such as 80 or 80%");
	refused("80%", MU_COUNT, "'80%' is not a number"); /* % only for a ratio */
}

static void formats(const char *in, enum metric_unit u, const char *want)
{
	char buf[96];
	struct range r = parse_ok(in, u);
	assert_string_equal(range_format(&r, buf, sizeof buf), want);
	/* what it writes reads back as the same range */
	struct range back = parse_ok(buf, u);
	assert_true(back.start == r.start && back.end == r.end && back.inside == r.inside);
}

static void test_format(void **state)
{
	(void)state;
	formats("10", MU_COUNT, "10");
	formats("10:", MU_COUNT, "10:");
	formats("~:10", MU_COUNT, "~:10");
	formats("10:20", MU_COUNT, "10:20");
	formats("@10:20", MU_COUNT, "@10:20");
	formats("0:10", MU_COUNT, "10");
	formats("@0:90%", MU_RATIO, "@90");
	formats("0:", MU_COUNT, "0:");
	formats("~:", MU_COUNT, "~:");
	formats("@~:", MU_COUNT, "@~:");
	formats("-5:-1", MU_COUNT, "-5:-1");
	formats("0.5:1.25", MU_FACTOR, "0.5:1.25");
	formats("@1m:", MU_SECONDS, "@60:");
	formats("1GiB", MU_BYTES, "1073741824");
	formats("1TB", MU_BYTES, "1000000000000");
}

static void test_perf_number(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(perf_number(1284, buf, sizeof buf), "1284");
	assert_string_equal(perf_number(0.25, buf, sizeof buf), "0.25");
	assert_string_equal(perf_number(-3.5, buf, sizeof buf), "-3.5");
	assert_string_equal(perf_number(1.0 / 3, buf, sizeof buf), "0.333333");
	assert_string_equal(perf_number(1e12, buf, sizeof buf), "1000000000000"); /* never 1e+12 */
	assert_string_equal(perf_number(10737418240.0, buf, sizeof buf), "10737418240");
	assert_string_equal(perf_number(-0.0, buf, sizeof buf), "0");
	assert_string_equal(perf_number(0.8 * 100, buf, sizeof buf), "80");
	assert_string_equal(perf_number(0.07 * 100, buf, sizeof buf), "7");
	assert_string_equal(perf_number(1e-9, buf, sizeof buf), "0"); /* never 1e-09 */
	assert_string_equal(perf_number(-1e-9, buf, sizeof buf), "0");
	assert_string_equal(perf_number(NAN, buf, sizeof buf), "U");
	assert_true(perf_scale(MU_RATIO) == 100 && perf_scale(MU_SECONDS) == 1 && perf_scale(MU_COUNT) == 1);
}

/* Quoted when it holds a space, '=' or a quote (a quote doubled); control characters cleaned. */
static void test_label(void **state)
{
	(void)state;
	char buf[128];
	assert_string_equal(nagios_label("products/outbox/pending", buf, sizeof buf),
	                    "products/outbox/pending");
	assert_string_equal(nagios_label("my shop/outbox/pending", buf, sizeof buf),
	                    "'my shop/outbox/pending'");
	assert_string_equal(nagios_label("a=b/cache/keys", buf, sizeof buf), "'a=b/cache/keys'");
	assert_string_equal(nagios_label("it's/slot/lag", buf, sizeof buf), "'it''s/slot/lag'");
	assert_string_equal(nagios_label("''", buf, sizeof buf), "''''''");
	assert_string_equal(nagios_label("a\nb", buf, sizeof buf), "'a b'");     /* a newline is a space */
	assert_string_equal(nagios_label("a\x01z", buf, sizeof buf), "a\\x01z"); /* other controls escaped */
	assert_string_equal(nagios_label("p.q-r_s/x/y", buf, sizeof buf), "p.q-r_s/x/y");
	/* cut to the buffer, still closed by its quote */
	char small[8];
	assert_string_equal(nagios_label("a b c d e f", small, sizeof small), "'a b '");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_guideline_table), cmocka_unit_test(test_more_forms),
	    cmocka_unit_test(test_units),           cmocka_unit_test(test_rejects),
	    cmocka_unit_test(test_format),          cmocka_unit_test(test_perf_number),
	    cmocka_unit_test(test_label),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
