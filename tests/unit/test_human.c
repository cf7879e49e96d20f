/* test_human.c: the figures in human form (human.c): counts, numbers, percentages, rates, by unit. */
#include "util.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "human.h"

typedef void (*fmt_fn)(double v, char *buf, size_t n);

static void shows(fmt_fn f, const char *what, double v, const char *want)
{
	char buf[64];
	memset(buf, 'x', sizeof buf);
	f(v, buf, sizeof buf);
	if (strcmp(buf, want))
		fail_msg("%s(%.17g) = \"%s\", want \"%s\"", what, v, buf, want);
}

static void value_shows(enum metric_unit u, double v, const char *want)
{
	char buf[64];
	human_value(u, v, buf, sizeof buf);
	if (strcmp(buf, want))
		fail_msg("human_value(%d, %.17g) = \"%s\", want \"%s\"", (int)u, v, buf, want);
}

static void test_count(void **state)
{
	(void)state;
	shows(human_count, "human_count", 0, "0");
	shows(human_count, "human_count", 999, "999");
	shows(human_count, "human_count", 1000, "1,000");
	shows(human_count, "human_count", 1234567, "1,234,567");
	shows(human_count, "human_count", 100000, "100,000");
	shows(human_count, "human_count", -1234, "-1,234");
	shows(human_count, "human_count", -999, "-999");
	shows(human_count, "human_count", -0.4, "0");
	shows(human_count, "human_count", 999.6, "1,000");
	shows(human_count, "human_count", 9007199254740992.0, "9,007,199,254,740,992");
	shows(human_count, "human_count", NAN, "-");
	shows(human_count, "human_count", INFINITY, "-");
}

static void test_number(void **state)
{
	(void)state;
	shows(human_number, "human_number", 0, "0");
	shows(human_number, "human_number", 0.5, "0.5");
	shows(human_number, "human_number", 2.5, "2.5");
	shows(human_number, "human_number", 6.0, "6");
	shows(human_number, "human_number", 1.523, "1.52");
	shows(human_number, "human_number", 12.34, "12.3");
	shows(human_number, "human_number", 0.01234, "0.0123");
	shows(human_number, "human_number", 123.4, "123");
	shows(human_number, "human_number", 1234.6, "1,235");
	shows(human_number, "human_number", 1234567.8, "1,234,568");
	/* rounding into the next decade keeps three significant digits */
	shows(human_number, "human_number", 9.996, "10");
	shows(human_number, "human_number", 99.96, "100");
	shows(human_number, "human_number", 0.99996, "1");
	shows(human_number, "human_number", 999.6, "1,000");
	shows(human_number, "human_number", -2.5, "-2.5");
	shows(human_number, "human_number", -1234.6, "-1,235");
	shows(human_number, "human_number", -0.0000001, "0");
	shows(human_number, "human_number", 1e-9, "0");
	shows(human_number, "human_number", NAN, "-");
	shows(human_number, "human_number", -INFINITY, "-");
}

static void test_ratio(void **state)
{
	(void)state;
	shows(human_ratio, "human_ratio", 0, "0%");
	shows(human_ratio, "human_ratio", 0.98, "98%");
	shows(human_ratio, "human_ratio", 1.0, "100%");
	shows(human_ratio, "human_ratio", 0.5, "50%");
	shows(human_ratio, "human_ratio", 0.123, "12%");
	shows(human_ratio, "human_ratio", 0.05, "5%");
	shows(human_ratio, "human_ratio", 0.005, "0.5%");
	shows(human_ratio, "human_ratio", 0.0123, "1.2%");
	/* not full, not empty: never rounded to 100% or to 0% */
	shows(human_ratio, "human_ratio", 0.9997, "99.9%");
	shows(human_ratio, "human_ratio", 0.996, "99.6%");
	shows(human_ratio, "human_ratio", 0.0001, "<0.1%");
	shows(human_ratio, "human_ratio", 1.5, "150%");
	shows(human_ratio, "human_ratio", -0.02, "-2%");
	shows(human_ratio, "human_ratio", NAN, "-");
}

static void test_rate(void **state)
{
	(void)state;
	shows(human_rate, "human_rate", 0, "0/s");
	shows(human_rate, "human_rate", 0.5, "0.5/s");
	shows(human_rate, "human_rate", 6.0, "6/s");
	shows(human_rate, "human_rate", 1234.6, "1,235/s");
	shows(human_rate, "human_rate", -3.25, "-3.25/s");
	shows(human_rate, "human_rate", NAN, "-");
}

/* Each unit of struct metric_def in its form; sizes at the unit boundaries. */
static void test_value_by_unit(void **state)
{
	(void)state;
	value_shows(MU_COUNT, 1234567, "1,234,567");
	value_shows(MU_COUNTER, 1000, "1,000");
	value_shows(MU_SECONDS, 600, "10m00s");
	value_shows(MU_SECONDS, 0.85, "850ms");
	value_shows(MU_BYTES, 0, "0 B");
	value_shows(MU_BYTES, 1023, "1023 B");
	value_shows(MU_BYTES, 1024, "1.0 KiB");
	value_shows(MU_BYTES, 1048575, "1.0 MiB");
	value_shows(MU_BYTES, 1048576, "1.0 MiB");
	value_shows(MU_BYTES, 900000000, "858 MiB");
	value_shows(MU_BYTES, 1073741824, "1.0 GiB");
	value_shows(MU_BYTES, -2048, "-2.0 KiB");
	value_shows(MU_RATIO, 0.98, "98%");
	value_shows(MU_PER_SECOND, 2.5, "2.5/s");
	value_shows(MU_FACTOR, 1.523, "1.52");
	value_shows(MU_COUNT, NAN, "-");
	value_shows(MU_BYTES, NAN, "-");
	value_shows(MU_SECONDS, INFINITY, "-");
	value_shows(MU_RATIO, NAN, "-");
}

/* A short buffer takes what fits, terminated. */
static void test_truncates(void **state)
{
	(void)state;
	char buf[4];
	human_count(1234567, buf, sizeof buf);
	assert_string_equal(buf, "1,2");
	human_ratio(0.98, buf, 3);
	assert_string_equal(buf, "98");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_count),         cmocka_unit_test(test_number),
	    cmocka_unit_test(test_ratio),         cmocka_unit_test(test_rate),
	    cmocka_unit_test(test_value_by_unit), cmocka_unit_test(test_truncates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
