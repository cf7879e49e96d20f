/* test_units.c: durations and sizes, parsed and formatted. */
#include "util.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "units.h"

static void duration_ok(const char *s, double want)
{
	double v = -1;
	if (!parse_duration(s, &v))
		fail_msg("parse_duration(\"%s\") failed", s);
	if (fabs(v - want) > 1e-9)
		fail_msg("parse_duration(\"%s\") = %g, want %g", s, v, want);
}

static void duration_bad(const char *s)
{
	double v = 42;
	if (parse_duration(s, &v))
		fail_msg("parse_duration(\"%s\") accepted: %g", s ? s : "(null)", v);
	assert_true(v == 42); /* left alone */
}

static void test_parse_duration_units(void **state)
{
	(void)state;
	duration_ok("250ms", 0.25);
	duration_ok("2s", 2);
	duration_ok("5m", 300);
	duration_ok("1h", 3600);
	duration_ok("1d", 86400);
	duration_ok("1m30s", 90);
	duration_ok("1h30m", 5400);
	duration_ok("1h0m5s", 3605);
	duration_ok("1s500ms", 1.5);
	duration_ok("1.5s", 1.5);
	duration_ok(".5s", 0.5);
	duration_ok("0s", 0);
}

static void test_parse_duration_bare(void **state)
{
	(void)state;
	duration_ok("2", 2);
	duration_ok("0.1", 0.1);
	duration_ok("3600", 3600);
}

static void test_parse_duration_rejects(void **state)
{
	(void)state;
	duration_bad(NULL);
	duration_bad("");
	duration_bad("-1s");
	duration_bad("-1");
	duration_bad("+1s");
	duration_bad("1e3");
	duration_bad("1e3s");
	duration_bad("inf");
	duration_bad("nan");
	duration_bad("0x10");
	duration_bad("s");
	duration_bad(".");
	duration_bad("1.2.3s");
	duration_bad("1x");
	duration_bad("1 s");
	duration_bad(" 1s");
	duration_bad("1s ");
	duration_bad("1m30");  /* a bare number only alone */
	duration_bad("30s1m"); /* units from large to small */
	duration_bad("1s1s");
	duration_bad("5 minutes");
	duration_bad("2S");
	duration_bad("1000000000000000000000000000000000000000000000000000000000000000000000000s");
}

static void size_ok(const char *s, int64_t want)
{
	int64_t v = -1;
	if (!parse_size(s, &v))
		fail_msg("parse_size(\"%s\") failed", s);
	if (v != want)
		fail_msg("parse_size(\"%s\") = %lld, want %lld", s, (long long)v, (long long)want);
}

static void size_bad(const char *s)
{
	int64_t v = 42;
	if (parse_size(s, &v))
		fail_msg("parse_size(\"%s\") accepted: %lld", s ? s : "(null)", (long long)v);
	assert_int_equal(v, 42);
}

static void test_parse_size_units(void **state)
{
	(void)state;
	size_ok("512", 512);
	size_ok("0", 0);
	size_ok("512B", 512);
	size_ok("64kB", 64000);
	size_ok("64KB", 64000);
	size_ok("64KiB", 65536);
	size_ok("10MB", 10000000);
	size_ok("10MiB", 10485760);
	size_ok("1GiB", 1073741824);
	size_ok("1gib", 1073741824);
	size_ok("1GIB", 1073741824);
	size_ok("1GB", 1000000000);
	size_ok("2TB", 2000000000000LL);
	size_ok("1TiB", 1099511627776LL);
	size_ok("1PB", 1000000000000000LL);
	size_ok("1.5GiB", 1610612736);
	size_ok("10 MB", 10000000);
}

static void test_parse_size_rejects(void **state)
{
	(void)state;
	size_bad(NULL);
	size_bad("");
	size_bad("-1");
	size_bad("-1GiB");
	size_bad("1.5");
	size_bad("MB");
	size_bad("10XB");
	size_bad("10M");
	size_bad("1e3");
	size_bad("0x10");
	size_bad("10 M B");
	size_bad("99999999PiB");
	size_bad("99999999999999999999");
}

static void fmt_duration(double s, const char *want)
{
	char buf[32];
	format_duration(s, buf, sizeof buf);
	if (strcmp(buf, want) != 0)
		fail_msg("format_duration(%g) = \"%s\", want \"%s\"", s, buf, want);
}

static void test_format_duration(void **state)
{
	(void)state;
	fmt_duration(0, "0s");
	fmt_duration(0.0004, "0s");
	fmt_duration(0.85, "850ms");
	fmt_duration(0.0012, "1ms");
	fmt_duration(0.9996, "1s");
	fmt_duration(1.5, "1.5s");
	fmt_duration(2, "2s");
	fmt_duration(9.96, "10s");
	fmt_duration(42.4, "42s");
	fmt_duration(59.6, "1m00s");
	fmt_duration(252, "4m12s");
	fmt_duration(3599, "59m59s");
	fmt_duration(3600, "1h00m");
	fmt_duration(7380, "2h03m");
	fmt_duration(86399, "23h59m");
	fmt_duration(3 * 86400 + 4 * 3600 + 59, "3d04h");
	fmt_duration(-5, "-5s");
	fmt_duration(-0.25, "-250ms");
	fmt_duration(NAN, "-");
	fmt_duration(INFINITY, "-");
}

static void test_format_duration_huge(void **state)
{
	(void)state;
	char buf[16];
	format_duration(1e300, buf, sizeof buf); /* absurd, but never an overflow */
	assert_true(strlen(buf) < sizeof buf);
	assert_true(buf[0] >= '1' && buf[0] <= '9');
}

static void test_format_duration_truncates(void **state)
{
	(void)state;
	char buf[4] = "xxx";
	format_duration(252, buf, sizeof buf);
	assert_string_equal(buf, "4m1");
	format_duration(252, buf, 0); /* n = 0 writes nothing */
	assert_string_equal(buf, "4m1");
}

static void fmt_size(double b, const char *want)
{
	char buf[32];
	format_size(b, buf, sizeof buf);
	if (strcmp(buf, want) != 0)
		fail_msg("format_size(%g) = \"%s\", want \"%s\"", b, buf, want);
}

static void test_format_size(void **state)
{
	(void)state;
	fmt_size(0, "0 B");
	fmt_size(512, "512 B");
	fmt_size(1023.4, "1023 B");
	fmt_size(1024, "1.0 KiB");
	fmt_size(1536, "1.5 KiB");
	fmt_size(1.2 * 1073741824.0, "1.2 GiB");
	fmt_size(12.3 * 1073741824.0, "12 GiB");
	fmt_size(1048575, "1.0 MiB"); /* never "1024 KiB" */
	fmt_size(10.0 * 1073741824.0, "10 GiB");
	fmt_size(-2048, "-2.0 KiB");
	fmt_size(9.2e18, "8.0 EiB");
	fmt_size(NAN, "-");
	fmt_size(-INFINITY, "-");
}

/* Found by tests/fuzz/fuzz_units.c: a time out of time_t's range was cast (undefined). */
static void test_iso8601_range(void **state)
{
	(void)state;
	char buf[32];
	iso8601(1795000000.0, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-18T11:06:40Z");
	iso8601(253402300799.0, buf, sizeof buf);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	iso8601(8.64e66, buf, sizeof buf);
	assert_string_equal(buf, "-");
	iso8601(-1e300, buf, sizeof buf);
	assert_string_equal(buf, "-");
	iso8601(NAN, buf, sizeof buf);
	assert_string_equal(buf, "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_duration_units),
	    cmocka_unit_test(test_parse_duration_bare),
	    cmocka_unit_test(test_parse_duration_rejects),
	    cmocka_unit_test(test_parse_size_units),
	    cmocka_unit_test(test_parse_size_rejects),
	    cmocka_unit_test(test_format_duration),
	    cmocka_unit_test(test_format_duration_truncates),
	    cmocka_unit_test(test_format_duration_huge),
	    cmocka_unit_test(test_format_size),
	    cmocka_unit_test(test_iso8601_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
