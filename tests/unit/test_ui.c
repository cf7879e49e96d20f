/* test_ui.c: the pure parts of the screen: sparklines, the key table, the footer. */
#include <curses.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ui/keys.h"
#include "ui/spark.h"

static const char *const LV[] = {"0", "1", "2", "3", "4", "5", "6", "7"};

static void test_spark_scale(void **state)
{
	char buf[64];
	const double s[] = {0, 1, 2, 3, 4, 5, 6, 7};
	spark_render(s, 8, 8, LV, buf, sizeof buf);
	assert_string_equal(buf, "01234567");
	/* Scaled from 0 to the highest shown: 700 is the top, 350 half way. */
	const double t[] = {0, 350, 700};
	spark_render(t, 3, 3, LV, buf, sizeof buf);
	assert_string_equal(buf, "047");
}

static void test_spark_window_and_gaps(void **state)
{
	char buf[64];
	const double s[] = {100, 0, NAN, 7, 7};
	/* Only the last 4 values, a gap where a poll failed. */
	spark_render(s, 5, 4, LV, buf, sizeof buf);
	assert_string_equal(buf, "0 77");
	/* Fewer values than columns: right-aligned, newest in the last column. */
	spark_render(s + 3, 2, 5, LV, buf, sizeof buf);
	assert_string_equal(buf, "   77");
	/* A flat zero series stays at the bottom, and nothing at all is blank. */
	const double z[] = {0, 0, 0};
	spark_render(z, 3, 3, LV, buf, sizeof buf);
	assert_string_equal(buf, "000");
	spark_render(z, 0, 3, LV, buf, sizeof buf);
	assert_string_equal(buf, "   ");
	/* Negative values scale from the lowest. */
	const double neg[] = {-7, 0};
	spark_render(neg, 2, 2, LV, buf, sizeof buf);
	assert_string_equal(buf, "07");
}

static void test_spark_bounded(void **state)
{
	char buf[8];
	const double s[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	spark_render(s, 10, 10, LV, buf, sizeof buf); /* never overflows a small buffer */
	assert_int_equal(strlen(buf), 7);
}

static void test_keys_unique_and_documented(void **state)
{
	for (const struct ui_key *a = ui_keys; a->label; a++) {
		assert_non_null(a->help);
		assert_true(a->help[0] != '\0');
		assert_true(a->codes[0] != 0);
		/* A write is never allowed read-only; only reserved writes exist today. */
		if (!a->read_only_safe)
			assert_true(a->reserved);
		for (const struct ui_key *b = a + 1; b->label; b++)
			for (int i = 0; a->codes[i]; i++)
				for (int j = 0; b->codes[j]; j++)
					if (a->codes[i] == b->codes[j])
						fail_msg("key code %d bound to both '%s' and '%s'",
						         a->codes[i], a->label, b->label);
	}
}

static void test_key_lookup(void **state)
{
	const struct ui_key *k;
	assert_int_equal(ui_key_lookup('j', VIEW_MAIN, &k), ACT_DOWN);
	assert_string_equal(k->label, "Down, j");
	assert_int_equal(ui_key_lookup(KEY_UP, VIEW_DETAIL, NULL), ACT_UP);
	assert_int_equal(ui_key_lookup('q', VIEW_WALLBOARD, NULL), ACT_QUIT);
	/* The wallboard knows no other key: a write key finds its row but no action there. */
	assert_int_equal(ui_key_lookup('R', VIEW_WALLBOARD, &k), ACT_NONE);
	assert_non_null(k);
	assert_true(k->reserved);
	assert_int_equal(ui_key_lookup('/', VIEW_WALLBOARD, NULL), ACT_NONE);
	assert_int_equal(ui_key_lookup('Z', VIEW_MAIN, &k), ACT_NONE);
	assert_null(k);
}

static void test_footer(void **state)
{
	char buf[256];
	ui_keys_footer(VIEW_MAIN, false, buf, sizeof buf, 200);
	assert_string_equal(
	    buf, "q quit  ? help  Enter detail  Esc back  / filter  s sort  Space freeze  +/- interval  "
	         "j/k move  Tab next");
	ui_keys_footer(VIEW_MAIN, false, buf, sizeof buf, 30); /* whole items only */
	assert_string_equal(buf, "q quit  ? help  Enter detail");
	ui_keys_footer(VIEW_WALLBOARD, true, buf, sizeof buf, 200);
	assert_string_equal(buf, "q quit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spark_scale),   cmocka_unit_test(test_spark_window_and_gaps),
	    cmocka_unit_test(test_spark_bounded), cmocka_unit_test(test_keys_unique_and_documented),
	    cmocka_unit_test(test_key_lookup),    cmocka_unit_test(test_footer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
