/* test_ui_clip.c: keys c and C on a constructed snapshot, without a terminal: the OSC 52 bytes
   carry exactly the markdown of that pipeline (or all), the notices (copied, off, too large,
   nothing to copy), and where the keys work (not the wallboard, not the help). */
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
#include "ui/clip.h"
#include "ui/select.h"
#include "ui_fixture.h"
#include "util.h"

/* The markdown ui_clip_markdown writes, malloc'd. */
static char *markdown_of(const struct ui *ui, const struct pipeline_view *pv)
{
	char *md = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&md, &n);
	assert_non_null(f);
	ui_clip_markdown(f, ui, pv);
	assert_int_equal(fclose(f), 0);
	return md;
}

/* base64 back to bytes, for the check: the payload of a plain sequence. */
static char *payload(const char *seq, size_t len)
{
	assert_true(len >= 8);
	assert_memory_equal(seq, "\033]52;c;", 7);
	assert_int_equal(seq[len - 1], '\a');
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *b = seq + 7;
	size_t nb = len - 8, o = 0;
	char *out = xmalloc(nb / 4 * 3 + 1);
	for (size_t i = 0; i + 4 <= nb; i += 4) {
		unsigned long v = 0;
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			const char *p = strchr(abc, b[i + k]);
			if (b[i + k] == '=') {
				pad++;
				p = abc;
			}
			assert_non_null(p);
			v = v << 6 | (unsigned long)(p - abc);
		}
		out[o++] = (char)(v >> 16);
		if (pad < 2)
			out[o++] = (char)(v >> 8 & 0xff);
		if (pad < 1)
			out[o++] = (char)(v & 0xff);
	}
	out[o] = '\0';
	return out;
}

static void no_control(const char *md)
{
	for (const unsigned char *p = (const unsigned char *)md; *p; p++)
		if (*p != '\n' && (*p < 32 || *p == 127))
			fail_msg("control character %#x at byte %zu", *p,
			         (size_t)(p - (const unsigned char *)md));
}

/* c: the selected pipeline (products, worst first), its markdown whole in the sequence. */
static void test_copy_selected(void **state)
{
	(void)state;
	struct config *cfg = fixture_config(UI_FX_INI);
	struct ui ui;
	ui_fx_init(&ui, cfg, ui_fx_fill, 24, 80);
	struct ui_change c;
	assert_int_equal(ui_fx_keys(&ui, "c", &c), UI_REDRAW | UI_CLIPBOARD);
	assert_false(c.copy_all);
	const struct pipeline_view *pv = ui_selected(&ui, NULL);
	assert_string_equal(pv->cfg->name, "products");
	char *md = markdown_of(&ui, pv);
	size_t len;
	char *seq = ui_clip(&ui, false, OSC52_PLAIN, UI_FX_NOW, &len);
	assert_non_null(seq);
	char *got = payload(seq, len);
	assert_string_equal(got, md);
	/* What --once --format markdown --pipeline products says, less the time it took. */
	assert_non_null(strstr(md, "# synctop snapshot of staging: CRIT\n"));
	assert_non_null(strstr(md, "\n## Pipeline products: CRIT\n"));
	assert_null(strstr(md, "Pipeline orders"));
	assert_null(strstr(md, "Time taken"));
	assert_non_null(strstr(md, "\n- Window observed: "));
	no_control(md);
	char want[160], count[32];
	format_count((int64_t)strlen(md), count, sizeof count);
	snprintf(want, sizeof want,
	         "copied products (%s bytes) to the clipboard via OSC 52, if your terminal allows it", count);
	assert_string_equal(ui.message, want);
	assert_true(ui.message_until > UI_FX_NOW);
	free(got);
	free(seq);
	free(md);
	/* Tab to the next pipeline: c copies that one. */
	ui_fx_keys(&ui, "<Tab>", NULL);
	pv = ui_selected(&ui, NULL);
	assert_string_not_equal(pv->cfg->name, "products");
	seq = ui_clip(&ui, false, OSC52_TMUX, UI_FX_NOW, &len);
	assert_non_null(seq);
	md = markdown_of(&ui, pv);
	char *plain_end = memchr(seq, '\a', len);
	assert_non_null(plain_end);
	got = payload(seq, (size_t)(plain_end - seq) + 1);
	assert_string_equal(got, md);
	assert_non_null(strstr(ui.message, " via OSC 52 (tmux), "));
	free(got);
	free(seq);
	free(md);
	ui_fx_free(&ui);
	config_free(cfg);
}

/* C: every pipeline, in config order, whatever the filter shows. */
static void test_copy_all(void **state)
{
	(void)state;
	struct config *cfg = fixture_config(UI_FX_INI);
	struct ui ui;
	ui_fx_init(&ui, cfg, ui_fx_fill, 24, 80);
	ui_fx_keys(&ui, "/ord<Enter>", NULL);
	struct ui_change c;
	assert_int_equal(ui_fx_keys(&ui, "C", &c), UI_REDRAW | UI_CLIPBOARD);
	assert_true(c.copy_all);
	size_t len;
	char *seq = ui_clip(&ui, true, OSC52_PLAIN, UI_FX_NOW, &len);
	assert_non_null(seq);
	char *got = payload(seq, len), *md = markdown_of(&ui, NULL);
	assert_string_equal(got, md);
	const char *o = strstr(md, "## Pipeline orders"), *p = strstr(md, "## Pipeline products"),
	           *i = strstr(md, "## Pipeline invoices"), *a = strstr(md, "## Pipeline audit");
	assert_true(o && p && i && a && o < p && p < i && i < a);
	no_control(md);
	assert_non_null(strstr(ui.message, "copied all 4 pipelines ("));
	free(got);
	free(md);
	free(seq);
	ui_fx_free(&ui);
	config_free(cfg);
}

/* clipboard = false: nothing to send, the footer says it is off. */
static void test_clipboard_off(void **state)
{
	(void)state;
	size_t n = strlen(UI_FX_INI) + 64;
	char *ini = xmalloc(n);
	snprintf(ini, n, "[synctop]\nclipboard = false\n%s", UI_FX_INI + strlen("[synctop]\n"));
	struct config *cfg = fixture_config(ini);
	free(ini);
	assert_false(cfg->clipboard);
	struct ui ui;
	ui_fx_init(&ui, cfg, ui_fx_fill, 24, 80);
	size_t len = 99;
	assert_null(ui_clip(&ui, false, OSC52_PLAIN, UI_FX_NOW, &len));
	assert_int_equal(len, 0);
	assert_string_equal(ui.message, "c: the clipboard is off (clipboard = false in the config)");
	assert_null(ui_clip(&ui, true, OSC52_PLAIN, UI_FX_NOW, &len));
	assert_string_equal(ui.message, "C: the clipboard is off (clipboard = false in the config)");
	ui_fx_free(&ui);
	config_free(cfg);
}

/* 1,000 pipelines are over the cap: nothing is sent cut short, the notice gives both sizes. */
static void test_too_large(void **state)
{
	(void)state;
	struct config *cfg = ui_fx_thousand();
	struct ui ui;
	ui_fx_init(&ui, cfg, NULL, 24, 80);
	char *md = markdown_of(&ui, NULL);
	size_t n = strlen(md);
	assert_true(n > OSC52_MAX_TEXT);
	size_t len = 99;
	assert_null(ui_clip(&ui, true, OSC52_PLAIN, UI_FX_NOW, &len));
	assert_int_equal(len, 0);
	char want[160];
	snprintf(want, sizeof want,
	         "snapshot too large for the clipboard (%zu kB, limit 75 kB): use --once --format markdown",
	         (n + 999) / 1000);
	assert_string_equal(ui.message, want);
	/* One of them fits. */
	char *seq = ui_clip(&ui, false, OSC52_PLAIN, UI_FX_NOW, &len);
	assert_non_null(seq);
	assert_non_null(strstr(ui.message, "copied p0001 ("));
	free(seq);
	free(md);
	ui_fx_free(&ui);
	config_free(cfg);
}

/* A server's text with escape sequences (an OSC 52 of its own, a colour) reaches the
   clipboard as text: md() cleans every cell (markdown.c), nothing but newlines is a control. */
static void test_hostile_text(void **state)
{
	(void)state;
	struct config *cfg = fixture_config(UI_FX_INI);
	struct ui ui;
	ui_fx_init(&ui, cfg, ui_fx_fill, 24, 80);
	struct pipeline_view *pv = NULL; /* the selected one, writable */
	for (size_t i = 0; i < ui.snap.n_pipes; i++)
		if (&ui.snap.pipes[i] == ui_selected(&ui, NULL))
			pv = &ui.snap.pipes[i];
	assert_non_null(pv);
	pv->stages[0].status = ST_CRIT;
	strlcpy_safe(pv->stages[0].reason, "evil\033]52;c;ZXZpbA==\a \033[31mred\r\x7f\x9b end",
	             sizeof pv->stages[0].reason);
	assert_true(pv->n_diags > 0);
	strlcpy_safe(pv->diags[0].evidence, "line one\nline two\033P", sizeof pv->diags[0].evidence);
	size_t len;
	char *seq = ui_clip(&ui, false, OSC52_PLAIN, UI_FX_NOW, &len);
	assert_non_null(seq);
	char *got = payload(seq, len);
	no_control(got);
	assert_null(strstr(got, "\xc2\x9b")); /* nor C1 controls as UTF-8 */
	assert_non_null(strstr(got, "evil"));
	assert_non_null(strstr(got, "end |"));
	assert_non_null(strstr(got, "line one"));
	free(got);
	free(seq);
	ui_fx_free(&ui);
	config_free(cfg);
}

/* The wallboard takes no c (read-only, q only); the help does nothing with it; the detail
   view copies its pipeline. */
static void test_where(void **state)
{
	(void)state;
	struct config *cfg = fixture_config(UI_FX_INI);
	struct ui ui;
	ui_fx_init(&ui, cfg, ui_fx_fill, 24, 80);
	ui.view = VIEW_WALLBOARD;
	assert_int_equal(ui_fx_keys(&ui, "c", NULL), UI_REDRAW);
	assert_string_equal(ui.message, "wallboard: read-only; q quits");
	ui.view = VIEW_MAIN;
	ui.read_only = true; /* copying writes nothing: read-only mode keeps it */
	assert_int_equal(ui_fx_keys(&ui, "?", NULL) & UI_VIEW, UI_VIEW);
	assert_int_equal(ui_fx_keys(&ui, "c", NULL), 0);
	assert_int_equal(ui_fx_keys(&ui, "?<Enter>c", NULL) & UI_CLIPBOARD, UI_CLIPBOARD);
	assert_int_equal(ui.view, VIEW_DETAIL);
	ui_fx_free(&ui);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copy_selected), cmocka_unit_test(test_copy_all),
	    cmocka_unit_test(test_clipboard_off), cmocka_unit_test(test_too_large),
	    cmocka_unit_test(test_hostile_text),  cmocka_unit_test(test_where),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
