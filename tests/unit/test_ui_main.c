/* test_ui_main.c: the main screen's pure parts of issue 17: diagnoses that fit, stale stages, whole figures,
 * the header. */
/* needs: postgres */
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
#include "ui/input.h"
#include "ui/layout.h"
#include "ui_fixture.h"

/* Every diagnosis while the panes fit; else the most per pane that fits, never below one. */
static void test_diag_cap(void **state)
{
	(void)state;
	/* The fixture's panes worst first: products (2 stages, 3 diagnoses), invoices (2, 1),
	   audit and orders (1, 0): 10 + 6 + 3 + 3 rows with all of them. */
	const size_t st[] = {2, 2, 1, 1}, dg[] = {3, 1, 0, 0};
	assert_int_equal(diag_cap(st, dg, 4, 22), SIZE_MAX);
	assert_int_equal(diag_cap(st, dg, 4, 40), SIZE_MAX);
	assert_int_equal(diag_cap(st, dg, 4, 21), 2); /* 9 + 6 + 3 + 3: two and "+1 more" */
	assert_int_equal(diag_cap(st, dg, 4, 10), 1); /* does not fit at all: the worst of each */
	/* One pane of 8 diagnoses beside one of 1: 19 + 5 rows. */
	const size_t st2[] = {1, 1}, dg2[] = {8, 1};
	assert_int_equal(diag_cap(st2, dg2, 2, 24), SIZE_MAX);
	assert_int_equal(diag_cap(st2, dg2, 2, 23), 7); /* 2 + 1 + 14 + 1 = 18, + 5 */
	assert_int_equal(diag_cap(st2, dg2, 2, 22), 6);
	assert_int_equal(diag_cap(st2, dg2, 2, 20), 5);
	/* No diagnosis, or no pane: nothing to cap. */
	const size_t none[] = {0, 0};
	assert_int_equal(diag_cap(st2, none, 2, 3), SIZE_MAX);
	assert_int_equal(diag_cap(NULL, NULL, 0, 22), SIZE_MAX);
}

static int kinds_of(const struct row *rows, size_t n, size_t pipe, enum row_kind kind)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		if (rows[i].pipe == pipe && rows[i].kind == kind)
			k++;
	return k;
}

/* The fixture's products (index 1) shows its 3 diagnoses in 22 rows, 2 and "+1 more" in 21. */
static void test_main_rows_fit(void **state)
{
	(void)state;
	struct config *cfg = fixture_config(UI_FX_INI);
	struct ui ui;
	ui_fx_init(&ui, cfg, ui_fx_fill, 24, 80);
	struct row *rows;
	size_t sel, n = main_rows(&ui, 22, &rows, &sel);
	assert_int_equal(n, 22);
	assert_int_equal(kinds_of(rows, n, 1, ROW_DIAG), 3);
	assert_int_equal(kinds_of(rows, n, 1, ROW_NEXT), 3);
	assert_int_equal(kinds_of(rows, n, 1, ROW_MORE), 0);
	/* worst first, as health.c sorted them: crit, then the warnings */
	assert_int_equal(ui.snap.pipes[1].diags[rows[3].index].severity, ST_CRIT);
	free(rows);
	n = main_rows(&ui, 21, &rows, &sel);
	assert_int_equal(n, 21);
	assert_int_equal(kinds_of(rows, n, 1, ROW_DIAG), 2);
	assert_int_equal(kinds_of(rows, n, 1, ROW_MORE), 1);
	assert_int_equal(rows[7].kind, ROW_MORE);
	assert_int_equal(rows[7].index, 1);
	free(rows);
	ui_fx_free(&ui);
	config_free(cfg);
}

/* Stale: the latest sample older than two intervals; never polled is not. */
static void test_stale(void **state)
{
	(void)state;
	struct stage_view sv;
	memset(&sv, 0, sizeof sv);
	sv.cur.wall = 1000;
	assert_true(stage_stale_age(&sv, 1004, 2) < 0); /* two intervals exactly: not yet */
	assert_true(stage_stale_age(&sv, 1003, 2) < 0);
	assert_true(stage_stale_age(&sv, 1004.5, 2) == 4.5);
	assert_true(stage_stale_age(&sv, 1062, 30) == 62);
	assert_true(stage_stale_age(&sv, 1059, 30) < 0);
	sv.cur.wall = 0;
	assert_true(stage_stale_age(&sv, 5000, 2) < 0);

	struct config *cfg = fixture_config(UI_FX_INI);
	struct ui ui;
	ui_fx_init(&ui, cfg, ui_fx_fill, 24, 80);
	ui.clock = UI_FX_WALL;
	assert_int_equal(count_stale(&ui), 0);
	ui.snap.pipes[1].stages[1].cur.wall = UI_FX_WALL - 62; /* products' slot hangs */
	assert_int_equal(count_stale(&ui), 1);
	ui.clock = UI_FX_WALL + 5; /* and every other stage is 5 s old */
	assert_int_equal(count_stale(&ui), 6);
	ui_fx_free(&ui);
	config_free(cfg);
}

/* Whole figures go from the end; the first one stays even when it does not fit. */
static void test_fit_figures(void **state)
{
	(void)state;
	char f[128];
	strcpy(f, "137 pending, oldest 10m00s, 5 failed, drain 0.5/s, inflow 2.5/s");
	assert_int_equal(fit_figures(f, 80), 17);
	assert_string_equal(f, "137 pending, oldest 10m00s, 5 failed, drain 0.5/s, inflow 2.5/s");
	assert_int_equal(fit_figures(f, 40), 4);
	assert_string_equal(f, "137 pending, oldest 10m00s, 5 failed");
	assert_int_equal(fit_figures(f, 26), 0);
	assert_string_equal(f, "137 pending, oldest 10m00s");
	assert_int_equal(fit_figures(f, 5), -6);
	assert_string_equal(f, "137 pending");
}

/* Pieces in priority order, each whole or not at all. */
static void test_header_fit(void **state)
{
	(void)state;
	const int w[] = {5, 10, 3}, prio[] = {2, 0, 1};
	bool keep[3];
	header_fit(w, prio, 3, 20, 0, keep);
	assert_true(keep[0] && keep[1] && keep[2]);
	header_fit(w, prio, 3, 13, 0, keep);
	assert_true(!keep[0] && keep[1] && keep[2]);
	header_fit(w, prio, 3, 14, 1, keep); /* 10 + 1 + 3: the separator counts */
	assert_true(!keep[0] && keep[1] && keep[2]);
	header_fit(w, prio, 3, 13, 1, keep);
	assert_true(!keep[0] && keep[1] && !keep[2]);
	/* The first does not fit: a smaller one after it still may. */
	header_fit(w, prio, 3, 9, 0, keep);
	assert_true(keep[0] && !keep[1] && keep[2]);
	const int empty[] = {0, 4, 0};
	header_fit(empty, prio, 3, 80, 0, keep);
	assert_true(!keep[0] && keep[1] && !keep[2]);
}

/* What a filter hides, counted by status, the worst first. */
static void test_hidden_summary(void **state)
{
	(void)state;
	struct config *cfg = fixture_config(UI_FX_INI);
	struct ui ui;
	ui_fx_init(&ui, cfg, ui_fx_fill, 24, 80);
	char buf[96];
	hidden_summary(&ui, buf, sizeof buf);
	assert_string_equal(buf, "");
	strcpy(ui.filter, "shop"); /* orders and products */
	hidden_summary(&ui, buf, sizeof buf);
	assert_string_equal(buf, "2 hidden, 1 warn, 1 unknown");
	strcpy(ui.filter, "orders");
	hidden_summary(&ui, buf, sizeof buf);
	assert_string_equal(buf, "3 hidden, 1 crit, 1 warn, 1 unknown");
	strcpy(ui.filter, "products");
	hidden_summary(&ui, buf, sizeof buf);
	assert_string_equal(buf, "3 hidden, 1 warn, 1 unknown"); /* orders is ok: counted only */
	ui_fx_free(&ui);
	config_free(cfg);
}

/* + and - say the interval changed (the loop polls at once); at either end nothing changes. */
static void test_interval_key(void **state)
{
	(void)state;
	struct config *cfg = fixture_config(UI_FX_INI);
	struct ui ui;
	ui_fx_init(&ui, cfg, ui_fx_fill, 24, 80);
	struct ui_change c;
	assert_true(ui.interval == 2);
	assert_true(ui_fx_keys(&ui, "-", &c) & UI_INTERVAL);
	assert_true(ui.interval == 1);
	assert_true(ui_fx_keys(&ui, "+", &c) & UI_INTERVAL);
	assert_true(ui.interval == 2);
	ui_fx_keys(&ui, "---", NULL);
	assert_true(ui.interval == 0.25);
	assert_false(ui_fx_keys(&ui, "-", &c) & UI_INTERVAL);
	assert_true(c.what & UI_REDRAW);
	ui_fx_free(&ui);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diag_cap),     cmocka_unit_test(test_main_rows_fit),
	    cmocka_unit_test(test_stale),        cmocka_unit_test(test_fit_figures),
	    cmocka_unit_test(test_header_fit),   cmocka_unit_test(test_hidden_summary),
	    cmocka_unit_test(test_interval_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
