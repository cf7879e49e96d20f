/* test_sanitize.c: server text made safe (one line, no control character, valid UTF-8), numbers
   range-checked, and the reports keeping an error whose bytes are not UTF-8 (issue 12, 8, 9, 11). */
/* needs: postgres */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "fixture.h"
#include "health.h"
#include "report.h"
#include "sanitize.h"

static const char *clean(const char *s)
{
	static char buf[512];
	return text_clean(buf, sizeof buf, s, strlen(s));
}

static void test_controls(void **state)
{
	/* an OSC retitle and a screen clear become visible text, not a terminal's command */
	assert_string_equal(clean("a\x1b]0;pwned\x07z"), "a\\x1B]0;pwned\\x07z");
	assert_string_equal(clean("\x1b[2J\x1b[H"), "\\x1B[2J\\x1B[H");
	/* line breaks and tabs: one space a run, the error stays on one line */
	assert_string_equal(clean("ERROR: x\r\nDETAIL: y\n\n\tz"), "ERROR: x DETAIL: y z");
	assert_string_equal(clean("cr\ronly"), "cr only");
	/* other C0 controls, DEL, and C1 controls (U+009B is a CSI on some terminals) */
	assert_string_equal(clean("\x01\x08\x7f"), "\\x01\\x08\\x7F");
	assert_string_equal(clean("a\xc2\x9b"
	                          "31mb\xc2\x80"),
	                    "a\\x9B31mb\\x80");
	/* printable UTF-8 passes as it is */
	assert_string_equal(clean("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
	                    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_true(text_is_clean("caf\xc3\xa9"));
	assert_false(text_is_clean("a\x1b"));
	assert_false(text_is_clean("a\n"));
}

static void test_invalid_utf8(void **state)
{
	/* stray bytes, a cut sequence, an overlong '/', a surrogate: each bad byte is U+FFFD */
	assert_string_equal(clean("a\xff"
	                          "b"),
	                    "a\xef\xbf\xbd"
	                    "b");
	assert_string_equal(clean("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(clean("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(clean("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_false(text_is_clean("a\xff"));
	/* a JSON string of it exists (json_string refuses it) and is exactly that */
	assert_null(json_string("bad \xff\xfe"));
	json_t *j = json_string_clean("bad \xff\xfe");
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "bad \xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);
	assert_true(json_is_null(json_string_clean(NULL)));
}

static void test_truncation(void **state)
{
	char buf[8];
	/* never a cut character nor a cut escape */
	assert_string_equal(text_clean(buf, sizeof buf, "abcdef\xc3\xa9", 8), "abcdef");
	assert_string_equal(text_clean(buf, sizeof buf, "abcd\x1b", 5), "abcd");
	assert_string_equal(text_clean(buf, 1, "abc", 3), "");
	char in[16] = "x\x1b[2Jy";
	text_clean_inplace(in, sizeof in);
	assert_string_equal(in, "x\\x1B[2Jy");
}

static void test_tree(void **state)
{
	json_t *t =
	    json_pack("{s:s, s:[s, {s:s}], s:i}", "a", "ok", "list", "x\x1b[2J", "trace", "l1\nl2", "n", 3);
	json_object_set_new(t, "bad", json_stringn_nocheck("q\xff", 2));
	json_clean_tree(t);
	assert_string_equal(json_string_value(json_object_get(t, "a")), "ok");
	json_t *list = json_object_get(t, "list");
	assert_string_equal(json_string_value(json_array_get(list, 0)), "x\\x1B[2J");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "trace")), "l1 l2");
	assert_string_equal(json_string_value(json_object_get(t, "bad")), "q\xef\xbf\xbd");
	assert_int_equal(json_integer_value(json_object_get(t, "n")), 3);
	json_decref(t);
}

static void test_i64(void **state)
{
	int64_t v = 7;
	assert_true(i64_of_double(130.0, &v));
	assert_int_equal(v, 130);
	assert_true(i64_of_double(-9223372036854775808.0, &v));
	assert_true(v == INT64_MIN);
	assert_true(i64_of_double(9223372036854774784.0, &v)); /* the largest double below 2^63 */
	assert_true(v == INT64_C(9223372036854774784));
	v = 7;
	assert_false(i64_of_double(9223372036854775808.0, &v));
	assert_false(i64_of_double(1e300, &v));
	assert_false(i64_of_double(-1e300, &v));
	assert_false(i64_of_double(NAN, &v));
	assert_false(i64_of_double(INFINITY, &v));
	assert_false(i64_of_double(-INFINITY, &v));
	assert_int_equal(v, 7); /* untouched on refusal */
}

/* The reports: an error with bytes that are not UTF-8 keeps its key, with U+FFFD (case 9);
   no control character reaches the JSON or the text (case 8). */
static void test_reports_keep_the_error(void **state)
{
	struct config *cfg =
	    fixture_config("[postgres shop]\nconninfo = host=db dbname=shop\n"
	                   "[pipeline products]\noutbox = shop\noutbox.table = public.outbox\n");
	struct snapshot snap;
	fixture_snapshot(&snap, cfg, 1795341600.0);
	fixture_error(&snap.pipes[0].stages[0],
	              "relation \xff\xfe \x1b]0;pwned\x07 \x1b[2J does not\r\nexist");
	health_evaluate(&snap);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_json(f, &snap);
	fclose(f);
	json_t *root = json_loads(buf, 0, NULL);
	assert_non_null(root);
	json_t *st = json_array_get(
	    json_object_get(json_array_get(json_object_get(root, "pipelines"), 0), "stages"), 0);
	const char *want = "relation \xef\xbf\xbd\xef\xbf\xbd \\x1B]0;pwned\\x07 \\x1B[2J does not exist";
	assert_string_equal(json_string_value(json_object_get(st, "error")), want);
	assert_string_equal(json_string_value(json_object_get(st, "reason")), want);
	json_decref(root);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	report_text(f, &snap);
	fclose(f);
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++)
		if (*p != '\n')
			assert_true(*p >= 0x20 && *p != 0x7f);
	assert_non_null(strstr(buf, want));
	free(buf);
	snapshot_free(&snap);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_controls),   cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_truncation), cmocka_unit_test(test_tree),
	    cmocka_unit_test(test_i64),        cmocka_unit_test(test_reports_keep_the_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
