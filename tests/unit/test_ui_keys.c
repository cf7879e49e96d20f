/* test_ui_keys.c: key sequences on a constructed snapshot, without a terminal: what each key
   changed (ui_key's result) and the screen state it left; 1,000 pipelines all reachable. */
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
#include "kinds/kind.h"
#include "ui/layout.h"
#include "ui/select.h"
#include "ui_fixture.h"

struct ui_fx_state {
	struct config *cfg;
	struct ui ui;
};

static int setup(void **state)
{
	struct ui_fx_state *f = xcalloc(1, sizeof *f);
	f->cfg = fixture_config(UI_FX_INI);
	ui_fx_init(&f->ui, f->cfg, ui_fx_fill, 24, 80);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct ui_fx_state *f = *state;
	ui_fx_free(&f->ui);
	config_free(f->cfg);
	free(f);
	return 0;
}

/* The selection as "pipeline/kind". */
static const char *sel(const struct ui *ui)
{
	static char buf[160];
	const struct stage_view *sv;
	const struct pipeline_view *pv = ui_selected(ui, &sv);
	snprintf(buf, sizeof buf, "%s/%s", pv ? pv->cfg->name : "-", sv ? sv->cfg->kind->name : "-");
	return buf;
}

/* The visible pipelines, in order, as "a b c". */
static const char *shown(const struct ui *ui)
{
	static char buf[256];
	size_t *order, n = ui_visible(ui, &order);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snappendf(buf, sizeof buf, "%s%s", i ? " " : "", ui->snap.pipes[order[i]].cfg->name);
	free(order);
	return buf;
}

static void test_starts_worst_first(void **state)
{
	struct ui_fx_state *f = *state;
	assert_int_equal(f->ui.snap.status, ST_CRIT);
	assert_string_equal(shown(&f->ui), "products invoices audit orders");
	assert_string_equal(sel(&f->ui), "products/outbox");
	assert_false(f->ui.sel_chosen);
}

static void test_move_j_k_tab(void **state)
{
	struct ui_fx_state *f = *state;
	struct ui_change c;
	assert_int_equal(ui_fx_keys(&f->ui, "j", &c), UI_REDRAW);
	assert_string_equal(sel(&f->ui), "products/slot");
	assert_true(f->ui.sel_chosen);
	ui_fx_keys(&f->ui, "j", NULL); /* across panes */
	assert_string_equal(sel(&f->ui), "invoices/outbox");
	ui_fx_keys(&f->ui, "<Down><Down><Down><Down>", NULL); /* stops at the last stage */
	assert_string_equal(sel(&f->ui), "orders/outbox");
	ui_fx_keys(&f->ui, "k", NULL);
	assert_string_equal(sel(&f->ui), "audit/outbox");
	ui_fx_keys(&f->ui, "<Up><Up><Up><Up><Up><Up>", NULL); /* stops at the first */
	assert_string_equal(sel(&f->ui), "products/outbox");
	ui_fx_keys(&f->ui, "<Tab>", NULL);
	assert_string_equal(sel(&f->ui), "invoices/outbox");
	ui_fx_keys(&f->ui, "<BTab><BTab>", NULL); /* wraps to the last pipeline */
	assert_string_equal(sel(&f->ui), "orders/outbox");
	/* A page is the screen's rows less 4 (20 stages here): from the top, the last stage. */
	ui_fx_keys(&f->ui, "<Tab><PgDn>", NULL);
	assert_string_equal(sel(&f->ui), "orders/outbox");
	ui_fx_keys(&f->ui, "<PgUp>", NULL);
	assert_string_equal(sel(&f->ui), "products/outbox");
	assert_int_equal(f->ui.view, VIEW_MAIN);
}

static void test_enter_esc_detail(void **state)
{
	struct ui_fx_state *f = *state;
	struct ui_change c;
	ui_fx_keys(&f->ui, "j", NULL);
	assert_int_equal(ui_fx_keys(&f->ui, "<Enter>", &c), UI_REDRAW | UI_VIEW);
	assert_int_equal(f->ui.view, VIEW_DETAIL);
	assert_string_equal(sel(&f->ui), "products/slot");
	/* In the detail, j and k scroll it (never below 0); Tab goes to the next pipeline. */
	ui_fx_keys(&f->ui, "jjj", NULL);
	assert_int_equal(f->ui.detail_scroll, 3);
	ui_fx_keys(&f->ui, "<PgUp>", NULL);
	assert_int_equal(f->ui.detail_scroll, 0);
	assert_string_equal(sel(&f->ui), "products/slot");
	ui_fx_keys(&f->ui, "jj<Tab>", NULL);
	assert_int_equal(f->ui.detail_scroll, 0);
	assert_string_equal(sel(&f->ui), "invoices/outbox");
	assert_int_equal(f->ui.view, VIEW_DETAIL);
	/* Enter means nothing in the detail view. */
	assert_int_equal(ui_fx_keys(&f->ui, "<Enter>", &c), 0);
	assert_int_equal(ui_fx_keys(&f->ui, "<Esc>", &c), UI_REDRAW | UI_VIEW);
	assert_int_equal(f->ui.view, VIEW_MAIN);
	assert_string_equal(sel(&f->ui), "invoices/outbox");
	/* Esc on the main view without a filter changes nothing but says redraw. */
	assert_int_equal(ui_fx_keys(&f->ui, "<Esc>", &c), UI_REDRAW);
	assert_int_equal(f->ui.view, VIEW_MAIN);
}

static void test_quit_and_help(void **state)
{
	struct ui_fx_state *f = *state;
	struct ui_change c;
	assert_int_equal(ui_fx_keys(&f->ui, "?", &c), UI_REDRAW | UI_VIEW);
	assert_true(f->ui.help);
	/* In the help, j/k and PgDn scroll it; q closes it, not the program. */
	ui_fx_keys(&f->ui, "jj<PgDn>k", NULL);
	assert_int_equal(f->ui.help_scroll, 1 + 1 + 20 - 1);
	assert_string_equal(sel(&f->ui), "products/outbox");
	assert_int_equal(ui_fx_keys(&f->ui, "q", &c), UI_REDRAW | UI_VIEW);
	assert_false(f->ui.help);
	ui_fx_keys(&f->ui, "<F1>", NULL);
	assert_true(f->ui.help);
	assert_int_equal(f->ui.help_scroll, 0); /* opened again from the top */
	assert_int_equal(ui_fx_keys(&f->ui, "<Esc>", &c), UI_REDRAW | UI_VIEW);
	assert_false(f->ui.help);
	assert_int_equal(f->ui.view, VIEW_MAIN);
	/* q goes back one level: the help over the detail view closes to the detail, the detail
	   to the pipelines; only there does q quit. */
	ui_fx_keys(&f->ui, "<Enter>?", NULL);
	assert_true(f->ui.help);
	assert_int_equal(ui_fx_keys(&f->ui, "q", &c), UI_REDRAW | UI_VIEW);
	assert_false(f->ui.help);
	assert_int_equal(f->ui.view, VIEW_DETAIL);
	assert_int_equal(ui_fx_keys(&f->ui, "q", &c), UI_REDRAW | UI_VIEW);
	assert_int_equal(f->ui.view, VIEW_MAIN);
	assert_string_equal(sel(&f->ui), "products/outbox");
	assert_int_equal(ui_fx_keys(&f->ui, "q", &c), UI_REDRAW | UI_QUIT);
	/* Ctrl-C quits from anywhere, the detail view and the help included. */
	ui_fx_keys(&f->ui, "<Enter>", NULL);
	assert_int_equal(ui_fx_keys(&f->ui, "\x03", &c), UI_REDRAW | UI_QUIT);
	ui_fx_keys(&f->ui, "?", NULL);
	assert_int_equal(ui_fx_keys(&f->ui, "\x03", &c), UI_REDRAW | UI_QUIT);
	/* On the wallboard q quits. */
	f->ui.help = false;
	f->ui.view = VIEW_WALLBOARD;
	assert_int_equal(ui_fx_keys(&f->ui, "q", &c), UI_REDRAW | UI_QUIT);
}

static void test_filter(void **state)
{
	struct ui_fx_state *f = *state;
	struct ui_change c;
	f->ui.scroll = 7;
	assert_int_equal(ui_fx_keys(&f->ui, "/", &c), UI_REDRAW);
	assert_true(f->ui.filter_editing);
	/* Live: the panes follow what is typed; the prompt owns every key (q, j are text). */
	ui_fx_keys(&f->ui, "in", NULL);
	assert_string_equal(f->ui.filter, "in"); /* invoices, and audit on billing */
	assert_string_equal(shown(&f->ui), "invoices audit");
	ui_fx_keys(&f->ui, "v", NULL);
	assert_string_equal(shown(&f->ui), "invoices");
	assert_string_equal(sel(&f->ui), "invoices/outbox");
	ui_fx_keys(&f->ui, "q", NULL);
	assert_string_equal(f->ui.filter_edit, "invq");
	assert_string_equal(shown(&f->ui), "");
	assert_string_equal(sel(&f->ui), "-/-");
	ui_fx_keys(&f->ui, "<BS><BS><BS><BS>shop", NULL);
	/* "shop": the connection name of orders and products. */
	assert_string_equal(shown(&f->ui), "products orders");
	assert_int_equal(ui_fx_keys(&f->ui, "<Enter>", &c), UI_REDRAW);
	assert_false(f->ui.filter_editing);
	assert_string_equal(f->ui.filter, "shop");
	assert_int_equal(f->ui.scroll, 0);
	/* Kept: Esc clears it. */
	ui_fx_keys(&f->ui, "j", NULL);
	assert_string_equal(sel(&f->ui), "products/slot");
	ui_fx_keys(&f->ui, "<Esc>", NULL);
	assert_string_equal(f->ui.filter, "");
	assert_string_equal(shown(&f->ui), "products invoices audit orders");
	assert_string_equal(sel(&f->ui), "products/slot");
	/* Esc in the prompt drops what was typed and the filter. */
	ui_fx_keys(&f->ui, "/slot", NULL); /* a stage kind */
	assert_string_equal(shown(&f->ui), "products invoices");
	ui_fx_keys(&f->ui, "<Esc>", NULL);
	assert_false(f->ui.filter_editing);
	assert_string_equal(f->ui.filter, "");
	assert_string_equal(shown(&f->ui), "products invoices audit orders");
	/* The prompt starts from the filter kept, and holds at most 63 characters. */
	ui_fx_keys(&f->ui, "/aud<Enter>/", NULL);
	assert_string_equal(f->ui.filter_edit, "aud");
	for (int i = 0; i < 70; i++)
		ui_fx_keys(&f->ui, "x", NULL);
	assert_int_equal(strlen(f->ui.filter_edit), 63);
}

static void test_sort_freeze_interval(void **state)
{
	struct ui_fx_state *f = *state;
	struct ui_change c;
	assert_int_equal(ui_fx_keys(&f->ui, "s", &c), UI_REDRAW);
	assert_false(f->ui.sort_worst);
	assert_string_equal(f->ui.message, "pipelines in config order");
	assert_true(f->ui.message_until == UI_FX_NOW + 3.0);
	assert_string_equal(shown(&f->ui), "orders products invoices audit");
	ui_fx_keys(&f->ui, "s", NULL);
	assert_string_equal(f->ui.message, "pipelines sorted worst first");
	assert_string_equal(shown(&f->ui), "products invoices audit orders");

	assert_int_equal(ui_fx_keys(&f->ui, " ", &c), UI_REDRAW);
	assert_true(f->ui.frozen);
	assert_int_equal(ui_fx_keys(&f->ui, " ", &c), UI_REDRAW | UI_RESNAP); /* live again: snapshot now */
	assert_false(f->ui.frozen);

	assert_true(f->ui.interval == 2.0);
	ui_fx_keys(&f->ui, "+", NULL);
	assert_true(f->ui.interval == 5.0);
	assert_string_equal(f->ui.message, "polling every 5s");
	ui_fx_keys(&f->ui, "=--", NULL);
	assert_true(f->ui.interval == 2.0);
	ui_fx_keys(&f->ui, "----", NULL);
	assert_true(f->ui.interval == 0.25);
	assert_string_equal(f->ui.message, "polling every 250ms");
	ui_fx_keys(&f->ui, "-", NULL); /* the shortest step stays */
	assert_true(f->ui.interval == 0.25);
}

static void test_writes_refused(void **state)
{
	struct ui_fx_state *f = *state;
	struct ui_change c;
	/* A write that no stage of the pipeline has says so, and sends nothing. */
	assert_int_equal(ui_fx_keys(&f->ui, "F", &c), UI_REDRAW);
	assert_string_equal(f->ui.message,
	                    "force an index refresh (F): the outbox stage has no refresh action");
	/* Read-only: refused with a word. */
	f->ui.read_only = true;
	assert_int_equal(ui_fx_keys(&f->ui, "p", &c), UI_REDRAW);
	assert_string_equal(f->ui.message, "read-only: p is not allowed here");
	/* The wallboard: q only; writes and everything else change nothing but a one-line hint. */
	f->ui.view = VIEW_WALLBOARD;
	f->ui.message[0] = '\0';
	assert_int_equal(ui_fx_keys(&f->ui, "T", &c), UI_REDRAW);
	assert_string_equal(f->ui.message, "wallboard: read-only; q quits");
	f->ui.message[0] = '\0';
	assert_int_equal(ui_fx_keys(&f->ui, "j/s<Enter>?Z", &c), UI_REDRAW);
	assert_string_equal(f->ui.message, "wallboard: read-only; q quits");
	assert_false(f->ui.help);
	assert_false(f->ui.filter_editing);
	assert_true(f->ui.sort_worst);
	assert_string_equal(sel(&f->ui), "products/outbox");
	assert_int_equal(ui_fx_keys(&f->ui, "q", &c), UI_REDRAW | UI_QUIT);
	/* Unbound keys anywhere: nothing. */
	f->ui.view = VIEW_MAIN;
	assert_int_equal(ui_fx_keys(&f->ui, "Z", &c), 0);
}

static void test_sample_keys_needs_a_cache_stage(void **state)
{
	struct ui_fx_state *f = *state;
	struct ui_change c;
	assert_int_equal(ui_fx_keys(&f->ui, "t", &c), UI_REDRAW);
	assert_int_equal(c.request.kind, UI_REQ_NONE);
#ifdef HAVE_REDIS
	assert_string_equal(f->ui.message, "t samples the keys of a cache stage: select one");
#else
	assert_string_equal(f->ui.message, "t samples nothing in this build of synctop");
#endif
}

#ifdef HAVE_REDIS
static void test_sample_keys_request(void **state)
{
	(void)state;
	struct config *cfg = fixture_config("[redis sessions]\nurl = redis://cache.internal:6379/0\n"
	                                    "[redis other]\nurl = redis://other.internal:6379/0\n"
	                                    "[pipeline web]\ncache = sessions\ncache.key_prefix = session:\n"
	                                    "cache.sample_keys = 500\n"
	                                    "[pipeline jobs]\ncache = other\n");
	struct ui ui;
	ui_fx_init(&ui, cfg, NULL, 24, 80);
	struct ui_change c;
	/* The request goes back to the caller; the notice waits until the poller took it. */
	assert_int_equal(ui_fx_keys(&ui, "t", &c), UI_REDRAW | UI_REQUEST);
	assert_int_equal(c.request.kind, UI_REQ_SAMPLE);
	assert_ptr_equal(c.request.stage, &cfg->pipelines[0].stages[0]);
	assert_string_equal(ui.message, "");
	ui_request_taken(&ui, &c.request, UI_FX_NOW);
	assert_string_equal(ui.message,
	                    "sampling up to 500 keys of session:*; the detail view shows the result");
	/* A cache stage without a key prefix: a word, no request. */
	assert_int_equal(ui_fx_keys(&ui, "jt", &c), UI_REDRAW);
	assert_int_equal(c.request.kind, UI_REQ_NONE);
	assert_string_equal(ui.message,
	                    "no cache.key_prefix for this stage: set one (e.g. session:) to sample its keys");
	ui_fx_free(&ui);
	config_free(cfg);
}
#endif

/* 1,000 pipelines: every one is reachable (the screen code kept only 256 of them). */
static void test_thousand_pipelines(void **state)
{
	(void)state;
	struct config *cfg = ui_fx_thousand();
	assert_int_equal(cfg->n_pipelines, 1000);
	struct ui ui;
	ui_fx_init(&ui, cfg, NULL, 24, 80);
	size_t *order, n = ui_visible(&ui, &order);
	free(order);
	assert_int_equal(n, 1000);
	assert_string_equal(sel(&ui), "p0001/outbox");
	/* Shift-Tab from the first wraps to the last: p1000, not p0256. */
	ui_fx_keys(&ui, "<BTab>", NULL);
	assert_string_equal(sel(&ui), "p1000/outbox");
	struct row *rows;
	size_t selected, n_rows = main_rows(&ui, 22, &rows, &selected);
	assert_int_equal(n_rows, 3000); /* top, stage, bottom each */
	assert_int_equal(selected, 2998);
	assert_int_equal(rows[selected].kind, ROW_STAGE);
	assert_int_equal(rows[selected].pipe, 999);
	free(rows);
	assert_int_equal(main_scroll(0, selected, n_rows, 22), 2977); /* the last screen but its border */
	/* Paging down from the top reaches it too: 50 pages of 20 stages. */
	ui_fx_keys(&ui, "<Tab>", NULL);
	assert_string_equal(sel(&ui), "p0001/outbox");
	for (int i = 0; i < 49; i++)
		ui_fx_keys(&ui, "<PgDn>", NULL);
	assert_string_equal(sel(&ui), "p0981/outbox");
	ui_fx_keys(&ui, "<PgDn>", NULL);
	assert_string_equal(sel(&ui), "p1000/outbox");
	/* A filter counts them all: "p09" matches p0900..p0999. */
	ui_fx_keys(&ui, "/p09<Enter>", NULL);
	n = ui_visible(&ui, &order);
	assert_int_equal(n, 100);
	assert_string_equal(ui.snap.pipes[order[99]].cfg->name, "p0999");
	free(order);
	ui_fx_free(&ui);
	config_free(cfg);
}

/* The row of main_rows() a screen row shows: below the header, above the footer's rows,
   offset by the scroll. */
static void test_main_row_at(void **state)
{
	(void)state;
	assert_int_equal(MAIN_TOP, 1);
	assert_int_equal(main_row_at(1, 0, 10, 5), 0);
	assert_int_equal(main_row_at(5, 0, 10, 5), 4);
	assert_int_equal(main_row_at(6, 0, 10, 5), -1); /* below the panes */
	assert_int_equal(main_row_at(0, 0, 10, 5), -1); /* the header */
	assert_int_equal(main_row_at(-1, 0, 10, 5), -1);
	assert_int_equal(main_row_at(2, 8, 10, 5), 9);  /* scrolled by 8 */
	assert_int_equal(main_row_at(3, 8, 10, 5), -1); /* past the last row */
}

/* The screen row of pipeline pipe's row of that kind and index, as drawn (scroll applied). */
static int screen_row_of(const struct ui *ui, const char *pipe, enum row_kind kind, size_t index)
{
	struct row *rows;
	size_t selected;
	size_t n = main_rows(ui, main_height(ui), &rows, &selected);
	int y = -1;
	for (size_t i = 0; i < n && y < 0; i++)
		if (rows[i].kind == kind && rows[i].index == index &&
		    !strcmp(ui->snap.pipes[rows[i].pipe].cfg->name, pipe))
			y = MAIN_TOP + (int)i - ui->scroll;
	free(rows);
	return y;
}

static unsigned mouse(struct ui *ui, enum ui_mouse_what what, int y)
{
	struct ui_mouse m = {what, y, 5};
	return ui_mouse(ui, &m, UI_FX_NOW).what;
}

/* A click selects the stage under it, a double click opens it; the wheel moves the selection
   on the pipelines and scrolls the detail view and the help; nothing else takes the mouse. */
static void test_mouse(void **state)
{
	struct ui_fx_state *f = *state;
	struct ui *ui = &f->ui;
	assert_int_equal(main_height(ui), 22); /* 24 rows: the header, the footer */
	/* tests/screens/main-80x24.txt: invoices' slot on screen row 13 (its 14th line) */
	assert_int_equal(screen_row_of(ui, "invoices", ROW_STAGE, 1), 13);
	assert_int_equal(mouse(ui, MOUSE_CLICK, 13), UI_REDRAW);
	assert_string_equal(sel(ui), "invoices/slot");
	assert_int_equal(ui->view, VIEW_MAIN);
	/* A pane's title: its pipeline, from its first stage. */
	assert_int_equal(mouse(ui, MOUSE_CLICK, screen_row_of(ui, "audit", ROW_TOP, 0)), UI_REDRAW);
	assert_string_equal(sel(ui), "audit/outbox");
	/* The header and the footer: nothing. */
	assert_int_equal(mouse(ui, MOUSE_CLICK, 0), 0);
	assert_int_equal(mouse(ui, MOUSE_CLICK, 23), 0);
	assert_string_equal(sel(ui), "audit/outbox");
	/* Scrolled past products' 10 rows, screen row 2 shows invoices' outbox. */
	ui->scroll = 10;
	assert_int_equal(mouse(ui, MOUSE_CLICK, 2), UI_REDRAW);
	assert_string_equal(sel(ui), "invoices/outbox");
	ui->scroll = 0;
	/* A double click selects and opens. */
	assert_int_equal(mouse(ui, MOUSE_DOUBLE, screen_row_of(ui, "products", ROW_STAGE, 1)),
	                 UI_REDRAW | UI_VIEW);
	assert_int_equal(ui->view, VIEW_DETAIL);
	assert_string_equal(sel(ui), "products/slot");
	/* The detail view: the wheel scrolls it 3 lines a notch; a click does nothing. */
	assert_int_equal(mouse(ui, MOUSE_WHEEL_DOWN, 5), UI_REDRAW);
	mouse(ui, MOUSE_WHEEL_DOWN, 5);
	assert_int_equal(ui->detail_scroll, 6);
	mouse(ui, MOUSE_WHEEL_UP, 5);
	assert_int_equal(ui->detail_scroll, 3);
	mouse(ui, MOUSE_WHEEL_UP, 5);
	mouse(ui, MOUSE_WHEEL_UP, 5);
	assert_int_equal(ui->detail_scroll, 0);
	assert_int_equal(mouse(ui, MOUSE_CLICK, 12), 0);
	assert_string_equal(sel(ui), "products/slot");
	/* The help over it: the wheel scrolls the help. */
	ui_fx_keys(ui, "?", NULL);
	mouse(ui, MOUSE_WHEEL_DOWN, 5);
	assert_int_equal(ui->help_scroll, 3);
	assert_int_equal(ui->detail_scroll, 0);
	ui_fx_keys(ui, "qq", NULL);
	assert_int_equal(ui->view, VIEW_MAIN);
	/* The pipelines: the wheel moves the selection a stage a notch. */
	assert_int_equal(mouse(ui, MOUSE_WHEEL_DOWN, 5), UI_REDRAW);
	assert_string_equal(sel(ui), "invoices/outbox");
	mouse(ui, MOUSE_WHEEL_UP, 5);
	assert_string_equal(sel(ui), "products/slot");
	/* Two clicks on a row within 0.4 s: a double click (the terminal reports presses). */
	struct ui_mouse m = {MOUSE_CLICK, 13, 5};
	assert_int_equal(ui_mouse(ui, &m, 1000.0).what, UI_REDRAW);
	assert_string_equal(sel(ui), "invoices/slot");
	assert_int_equal(ui_mouse(ui, &m, 1000.4).what, UI_REDRAW | UI_VIEW);
	assert_int_equal(ui->view, VIEW_DETAIL);
	ui_fx_keys(ui, "q", NULL);
	/* Slower, or on another row: two clicks. */
	ui_mouse(ui, &m, 2000.0);
	assert_int_equal(ui_mouse(ui, &m, 2000.5).what, UI_REDRAW);
	m.y = 12;
	assert_int_equal(ui_mouse(ui, &m, 2000.6).what, UI_REDRAW);
	assert_int_equal(ui->view, VIEW_MAIN);
	assert_string_equal(sel(ui), "invoices/outbox");
	move_selection(ui, -1, false);
	/* The filter prompt, the dialog, a terminal too small, the wallboard: no mouse. */
	ui_fx_keys(ui, "/", NULL);
	assert_int_equal(mouse(ui, MOUSE_CLICK, 12), 0);
	ui_fx_keys(ui, "<Esc>", NULL);
	ui->rows = TERM_MIN_ROWS - 1;
	assert_int_equal(mouse(ui, MOUSE_CLICK, 12), 0);
	ui->rows = 24;
	ui->view = VIEW_WALLBOARD;
	assert_int_equal(mouse(ui, MOUSE_WHEEL_DOWN, 12), 0);
	assert_int_equal(mouse(ui, MOUSE_CLICK, 12), 0);
	assert_string_equal(sel(ui), "products/slot");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_starts_worst_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_move_j_k_tab, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_enter_esc_detail, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quit_and_help, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sort_freeze_interval, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_writes_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sample_keys_needs_a_cache_stage, setup, teardown),
#ifdef HAVE_REDIS
	    cmocka_unit_test(test_sample_keys_request),
#endif
	    cmocka_unit_test(test_thousand_pipelines),
	    cmocka_unit_test(test_main_row_at),
	    cmocka_unit_test_setup_teardown(test_mouse, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
