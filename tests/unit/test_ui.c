/* test_ui.c: the pure parts of the screen: sparklines, the key table, the footer, text and layout. */
#include <curses.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ui/keys.h"
#include "ui/layout.h"
#include "ui/spark.h"
#include "ui/text.h"

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
		/* A write is never allowed read-only: the writes are the action table's keys. */
		if (!a->read_only_safe)
			assert_int_equal(a->action, ACT_ACTION);
		assert_false(a->reserved);
		/* A code is bound once in a view: --replay's time cursor (VIEW_REPLAY) takes space,
		   + and - over freeze and interval, which a replay has no use for. */
		for (const struct ui_key *b = a + 1; b->label; b++)
			for (int i = 0; (a->views & b->views) && a->codes[i]; i++)
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
	assert_int_equal(ui_key_write(k), ACTION_REPLAY);
	assert_int_equal(ui_key_lookup('/', VIEW_WALLBOARD, NULL), ACT_NONE);
	assert_int_equal(ui_key_lookup('Z', VIEW_MAIN, &k), ACT_NONE);
	assert_null(k);
	/* Live, space freezes; in a replay it plays, and n is the cursor's alone. */
	assert_int_equal(ui_key_lookup(' ', VIEW_MAIN, NULL), ACT_FREEZE);
	assert_int_equal(ui_key_replay(' '), ACT_REPLAY_PLAY);
	assert_int_equal(ui_key_replay('+'), ACT_REPLAY_FASTER);
	assert_int_equal(ui_key_replay('4'), ACT_REPLAY_SPEED);
	assert_int_equal(ui_key_replay(KEY_LEFT), ACT_REPLAY_BACK);
	assert_int_equal(ui_key_lookup('n', VIEW_MAIN, NULL), ACT_NONE);
	assert_int_equal(ui_key_replay('n'), ACT_REPLAY_NEXT_CHANGE);
	assert_int_equal(ui_key_replay('j'), ACT_NONE);
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
	/* In the detail view and the help q goes back, as Esc does: one item for both. */
	ui_keys_footer(VIEW_DETAIL, false, buf, sizeof buf, 200);
	assert_string_equal(buf, "q/Esc back  ? help  Space freeze  +/- interval  j/k move  Tab next");
	ui_keys_footer(VIEW_HELP, false, buf, sizeof buf, 200);
	assert_string_equal(buf, "q/Esc back  ? help  j/k move");
}

static void test_text_width(void **state)
{
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("hello"), 5);
	assert_int_equal(text_width("h\xc3\xa9llo"), 5);             /* é: two bytes, one column */
	assert_int_equal(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* 日本: two columns each */
	assert_int_equal(text_width("\xe2\x94\x80\xe2\x96\x81"), 2); /* a box line and a spark */
	assert_int_equal(text_width("a\xff"
	                            "b"),
	                 3); /* an invalid byte: one column */
}

/* text_fit as a UTF-8 string, and the columns it used. */
static int fit(const char *s, int width, char *out, size_t n)
{
	wchar_t w[128];
	size_t count;
	int used = text_fit(s, width, w, ARRAY_LEN(w), &count);
	assert_int_equal(wcslen(w), count);
	assert_true(wcstombs(out, w, n) != (size_t)-1);
	return used;
}

static void test_text_fit(void **state)
{
	char out[128];
	assert_int_equal(fit("abc", 5, out, sizeof out), 3);
	assert_string_equal(out, "abc");
	/* Clipped: the last column says so. */
	assert_int_equal(fit("hello world", 5, out, sizeof out), 5);
	assert_string_equal(out, "hell~");
	assert_int_equal(fit("hello", 5, out, sizeof out), 5); /* exactly fits: no mark */
	assert_string_equal(out, "hello");
	/* Tabs and line breaks are spaces; invalid bytes and control characters are '?'. */
	assert_int_equal(fit("a\tb\nc", 10, out, sizeof out), 5);
	assert_string_equal(out, "a b c");
	assert_int_equal(fit("a\xff\x01z", 10, out, sizeof out), 4);
	assert_string_equal(out, "a??z");
	/* Wide characters never straddle the edge: 日本語 in 4 columns is 日~, in 5 it is 日本. */
	assert_int_equal(fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, out, sizeof out), 4);
	assert_string_equal(out, "\xe6\x97\xa5~");
	assert_int_equal(fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, out, sizeof out), 4);
	assert_string_equal(out, "\xe6\x97\xa5\xe6\x9c\xac");
	assert_int_equal(fit("abc", 0, out, sizeof out), 0);
	assert_string_equal(out, "");
	/* A small buffer: at most n - 1 characters, always terminated. */
	wchar_t w[4];
	size_t count;
	assert_int_equal(text_fit("abcdef", 10, w, ARRAY_LEN(w), &count), 3);
	assert_int_equal(count, 3);
	assert_true(w[3] == 0);
}

static void test_wrap_text(void **state)
{
	char **lines;
	size_t n = wrap_text("the quick brown fox jumps", 10, &lines);
	assert_int_equal(n, 3);
	assert_string_equal(lines[0], "the quick");
	assert_string_equal(lines[1], "brown fox");
	assert_string_equal(lines[2], "jumps");
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	/* No space to break at: cut at the width, which is never below 8. */
	n = wrap_text("abcdefghijkl", 3, &lines);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "abcdefgh");
	assert_string_equal(lines[1], "ijkl");
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	assert_int_equal(wrap_text("", 10, &lines), 0);
	assert_null(lines);
}

static void test_words_and_clock(void **state)
{
	assert_string_equal(status_word(ST_OK), "OK");
	assert_string_equal(status_word(ST_UNKNOWN), "UNKNOWN");
	assert_string_equal(status_word(ST_WARN), "WARN");
	assert_string_equal(status_word(ST_CRIT), "CRIT");
	char buf[16];
	clock_text(1795000100.0, buf, sizeof buf); /* TZ=UTC (main) */
	assert_string_equal(buf, "11:08:20");
	clock_text(1795000100.9, buf, sizeof buf); /* whole seconds */
	assert_string_equal(buf, "11:08:20");
}

static const char *metric(enum metric_unit u, const char *name, const char *json)
{
	static char buf[128];
	json_t *v = json ? json_loads(json, JSON_DECODE_ANY, NULL) : NULL;
	if (json)
		assert_non_null(v);
	metric_text(u, name, v, 1795000100.0, buf, sizeof buf);
	json_decref(v);
	return buf;
}

/* Each value in the form of its unit, once; the raw value only where it adds something. */
static void test_metric_text(void **state)
{
	assert_string_equal(metric(MU_COUNT, "pending", NULL), "-");
	assert_string_equal(metric(MU_COUNT, "pending", "null"), "-");
	assert_string_equal(metric(MU_TEXT, "wal_status", "\"reserved\""), "reserved");
	assert_string_equal(metric(MU_BOOL, "active", "false"), "no");
	assert_string_equal(metric(MU_BOOL, "active", "true"), "yes");
	assert_string_equal(metric(MU_COUNT, "pending", "1284"), "1,284");
	assert_string_equal(metric(MU_BYTES, "retained_bytes", "1048576"), "1.0 MiB (1,048,576 bytes)");
	assert_string_equal(metric(MU_BYTES, "confirmed_lag_bytes", "1000"), "1000 B");
	assert_string_equal(metric(MU_SECONDS, "oldest_pending_age_s", "600.0"), "10m00s");
	assert_string_equal(metric(MU_PER_SECOND, "inflow_per_s", "4.24"), "4.24/s");
	assert_string_equal(metric(MU_RATIO, "used_ratio", "1.0"), "100%");
	assert_string_equal(metric(MU_RATIO, "used_ratio", "0.98"), "98%");
	assert_string_equal(metric(MU_FACTOR, "mem_fragmentation_ratio", "1.523"), "1.52");
	assert_string_equal(metric(MU_COUNT, "lucene_docs", "2.5"), "2.5"); /* not a count */
	/* an epoch: the clock (TZ=UTC) and how long before now */
	assert_string_equal(metric(MU_COUNT, "newest_doc_epoch", "1794999848.0"), "11:04:08 (4m12s ago)");
	assert_string_equal(metric(MU_LIST, "partitions", "[1, 2]"), "[1,2]");
}

/* A value with no metric_def reads in the unit its name says. */
static void test_unit_by_name(void **state)
{
	(void)state;
	assert_int_equal(unit_by_name("retained_bytes"), MU_BYTES);
	assert_int_equal(unit_by_name("confirmed_lag_bytes"), MU_BYTES);
	assert_int_equal(unit_by_name("drain_per_s"), MU_PER_SECOND);
	assert_int_equal(unit_by_name("hit_ratio"), MU_RATIO);
	assert_int_equal(unit_by_name("lag_s"), MU_SECONDS);
	assert_int_equal(unit_by_name("attempts"), MU_COUNT);
	assert_int_equal(unit_by_name("s"), MU_COUNT);
}

/* Where a scrolled view is, counted from 1; nothing when all of it shows. */
static void test_scroll_text(void **state)
{
	(void)state;
	char buf[64];
	scroll_text(0, 18, 45, buf, sizeof buf);
	assert_string_equal(buf, "lines 1-18 of 45");
	scroll_text(27, 18, 45, buf, sizeof buf);
	assert_string_equal(buf, "lines 28-45 of 45");
	scroll_text(30, 18, 45, buf, sizeof buf);
	assert_string_equal(buf, "lines 31-45 of 45");
	scroll_text(0, 45, 45, buf, sizeof buf);
	assert_string_equal(buf, "");
	scroll_text(0, 20, 0, buf, sizeof buf);
	assert_string_equal(buf, "");
}

/* The columns are laid out for the widest figures of the last minute: "not shrinking" coming
   and going from one poll to the next moves no column. */
static void test_figures_held(void **state)
{
	(void)state;
	int hold = 0;
	double at = 0;
	assert_int_equal(figures_held(43, 1000, &hold, &at), 43);
	assert_int_equal(figures_held(58, 1001, &hold, &at), 58); /* wider: at once */
	assert_int_equal(figures_held(43, 1002, &hold, &at), 58); /* narrower: held */
	assert_int_equal(figures_held(43, 1001 + FIGURES_HOLD_S - 1, &hold, &at), 58);
	assert_int_equal(figures_held(58, 1040, &hold, &at), 58); /* reached again: held anew */
	assert_int_equal(figures_held(43, 1040 + FIGURES_HOLD_S - 1, &hold, &at), 58);
	assert_int_equal(figures_held(43, 1040 + FIGURES_HOLD_S, &hold, &at), 43); /* a minute on */
	assert_int_equal(hold, 43);
	assert_true(at == 1040 + FIGURES_HOLD_S);
	/* A replay's cursor going back a minute or more lets it go too. */
	assert_int_equal(figures_held(58, 2000, &hold, &at), 58);
	assert_int_equal(figures_held(30, 2000 - FIGURES_HOLD_S, &hold, &at), 30);
}

static void test_columns_layout(void **state)
{
	/* 80 columns (76 inside the pane; kind 9, status and its age 14): the figures want 43;
	   only the connection fits beside. */
	struct columns c = columns_layout(76, 9, 7, 21, 43);
	assert_int_equal(c.spark, 0);
	assert_int_equal(c.target, 0);
	assert_int_equal(c.conn, 7);
	assert_int_equal(c.figures, 43);
	/* wanting 50, nothing fits beside them */
	c = columns_layout(76, 9, 7, 21, 50);
	assert_int_equal(c.spark + c.target + c.conn, 0);
	assert_int_equal(c.figures, 51);
	/* 200 columns: everything, the age of the latest sample, and the sparkline grows
	   (up to SPARK_MAX_W) with what the figures do not want. */
	c = columns_layout(196, 9, 7, 21, 50);
	assert_int_equal(c.spark, SPARK_MAX_W);
	assert_int_equal(c.target, 21);
	assert_int_equal(c.conn, 7);
	assert_int_equal(c.polled, POLLED_W);
	assert_int_equal(c.figures, 196 - 25 - 49 - 22 - 8 - 10);
	/* A long target gives way to a short connection name; the spark takes the 2 left. */
	c = columns_layout(116, 9, 7, 24, 64);
	assert_int_equal(c.spark, SPARK_W + 2);
	assert_int_equal(c.target, 0);
	assert_int_equal(c.conn, 7);
	assert_int_equal(c.polled, 0);
	assert_int_equal(c.figures, 64);
	/* 120 columns, the figures of the fixture's products outbox with its key (68): they
	   keep their width, the connection goes, the sparkline stays and takes the rest. */
	c = columns_layout(116, 9, 7, 21, 68);
	assert_int_equal(c.spark, SPARK_W + 6);
	assert_int_equal(c.target + c.conn + c.polled, 0);
	assert_int_equal(c.figures, 68);
	/* The figures want at least FIGURES_MIN and at most FIGURES_WANT_MAX. */
	c = columns_layout(82, 9, 4, 6, 10);
	assert_int_equal(c.spark, SPARK_W + 3);
	assert_int_equal(c.target, 6);
	assert_int_equal(c.conn, 0);
	assert_int_equal(c.figures, FIGURES_MIN);
	c = columns_layout(160, 9, 4, 6, 100);
	assert_int_equal(c.spark, SPARK_W);
	assert_int_equal(c.target, 6);
	assert_int_equal(c.conn, 4);
	assert_int_equal(c.polled, POLLED_W);
	assert_int_equal(c.figures, FIGURES_WANT_MAX);
	/* A target of 40 (a consumer group and its topic): 24 columns of it at 120, all of it at
	   200, before the sparkline grows. */
	c = columns_layout(116, 9, 4, 40, 49);
	assert_int_equal(c.target, TARGET_W);
	assert_int_equal(c.spark, SPARK_W);
	c = columns_layout(196, 9, 4, 40, 70);
	assert_int_equal(c.target, 40);
	assert_int_equal(c.polled, POLLED_W);
	assert_int_equal(c.spark, SPARK_W + (196 - 25 - 17 - 41 - 5 - 10 - 70));
	assert_int_equal(c.figures, 70);
	/* Too narrow for anything: the figures take what is left, never less than 0. */
	c = columns_layout(10, 9, 4, 6, 10);
	assert_int_equal(c.figures, 0);
	assert_int_equal(c.spark + c.target + c.conn, 0);
}

static void test_main_scroll(void **state)
{
	assert_int_equal(main_scroll(0, 5, 100, 10), 0);    /* in view: stays */
	assert_int_equal(main_scroll(0, 15, 100, 10), 6);   /* below: the last row shown */
	assert_int_equal(main_scroll(50, 10, 100, 10), 9);  /* above: its pane's title too */
	assert_int_equal(main_scroll(0, 0, 100, 10), 0);    /* the first row */
	assert_int_equal(main_scroll(95, 99, 100, 10), 90); /* never past the end */
	assert_int_equal(main_scroll(3, 2, 5, 10), 0);      /* fewer rows than the screen */
	assert_int_equal(main_scroll(0, 2999, 3000, 22), 2978);
}

static void test_wall_layout(void **state)
{
	(void)state;
	int y, x, h, wd;
	/* 80x24, four pipelines: 2 tiles a row of 40, 2 rows of 11 under the header. */
	struct wall w = wall_layout(24, 80, 4);
	assert_int_equal(w.per_row, 2);
	assert_int_equal(w.tile_rows, 2);
	assert_int_equal(w.per_page, 4);
	assert_int_equal(w.pages, 1);
	wall_tile(&w, 3, &y, &x, &h, &wd);
	assert_int_equal(y, 12);
	assert_int_equal(x, 40);
	assert_int_equal(h, 11);
	assert_int_equal(wd, 40);
	/* 120x40: tiles of 60x19; 200x50: one row of four tall tiles, 50x48. */
	w = wall_layout(40, 120, 4);
	assert_int_equal(w.per_row, 2);
	assert_int_equal(w.tile_rows, 2);
	w = wall_layout(50, 200, 4);
	assert_int_equal(w.per_row, 4);
	assert_int_equal(w.tile_rows, 1);
	wall_tile(&w, 3, &y, &x, &h, &wd);
	assert_int_equal(y, 1);
	assert_int_equal(x, 150);
	assert_int_equal(h, 48);
	assert_int_equal(wd, 50);
	/* Seven at 200x50: the grid whose tiles are closest to square, 4 a row, 2 rows. */
	w = wall_layout(50, 200, 7);
	assert_int_equal(w.per_row, 4);
	assert_int_equal(w.tile_rows, 2);
	/* One pipeline: the whole screen. */
	w = wall_layout(24, 80, 1);
	wall_tile(&w, 0, &y, &x, &h, &wd);
	assert_int_equal(h, 22);
	assert_int_equal(wd, 80);
	/* 1,000 pipelines: pages of 8 of the smallest tiles (40x5). */
	w = wall_layout(24, 80, 1000);
	assert_int_equal(w.per_row, 2);
	assert_int_equal(w.tile_rows, 4);
	assert_int_equal(w.per_page, 8);
	assert_int_equal(w.pages, 125);
	/* The smallest screen: pages of 2x2. */
	w = wall_layout(15, 60, 10);
	assert_int_equal(w.per_page, 4);
	assert_int_equal(w.pages, 3);
	w = wall_layout(24, 80, 0);
	assert_int_equal(w.pages, 0);
	assert_int_equal(w.per_page, 0);
	assert_int_equal(wall_pages(&w, 0, 0), 0);
}

/* Pages never hide a pipeline not OK: those lead every page; the OK ones take turns. */
static void test_wall_pages(void **state)
{
	(void)state;
	size_t idx[8];
	struct wall w = wall_layout(24, 80, 20); /* pages of 8 */
	assert_int_equal(w.per_page, 8);
	/* 2 not OK: 18 OK in 6 slots a page, 3 pages; the last page has what is left. */
	assert_int_equal(wall_pages(&w, 20, 2), 3);
	assert_int_equal(wall_page(&w, 20, 2, 0, idx), 8);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 1);
	assert_int_equal(idx[2], 2);
	assert_int_equal(wall_page(&w, 20, 2, 2, idx), 8);
	assert_int_equal(idx[1], 1);
	assert_int_equal(idx[2], 14);
	assert_int_equal(idx[7], 19);
	assert_int_equal(wall_page(&w, 20, 2, 3, idx), 8); /* modulo the pages: the first again */
	assert_int_equal(idx[2], 2);
	/* 10 not OK fill pages by themselves: every tile takes turns, worst first. */
	assert_int_equal(wall_pages(&w, 20, 10), 3);
	assert_int_equal(wall_page(&w, 20, 10, 2, idx), 4);
	assert_int_equal(idx[0], 16);
	/* All fit: one page. */
	w = wall_layout(24, 80, 4);
	assert_int_equal(wall_pages(&w, 4, 4), 1);
	assert_int_equal(wall_page(&w, 4, 1, 0, idx), 4);
	assert_int_equal(idx[3], 3);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	if (!setlocale(LC_ALL, "C.UTF-8"))
		fail_msg("the C.UTF-8 locale is needed for the display width tests");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spark_scale),   cmocka_unit_test(test_spark_window_and_gaps),
	    cmocka_unit_test(test_spark_bounded), cmocka_unit_test(test_keys_unique_and_documented),
	    cmocka_unit_test(test_key_lookup),    cmocka_unit_test(test_footer),
	    cmocka_unit_test(test_text_width),    cmocka_unit_test(test_text_fit),
	    cmocka_unit_test(test_wrap_text),     cmocka_unit_test(test_words_and_clock),
	    cmocka_unit_test(test_metric_text),   cmocka_unit_test(test_unit_by_name),
	    cmocka_unit_test(test_scroll_text),   cmocka_unit_test(test_columns_layout),
	    cmocka_unit_test(test_figures_held),  cmocka_unit_test(test_main_scroll),
	    cmocka_unit_test(test_wall_layout),   cmocka_unit_test(test_wall_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
