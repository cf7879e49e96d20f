/* chrome.c: what every view draws with: text put on the screen, the header and the footer (curses). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/kind.h"
#include "ui/action_ui.h"
#include "ui/chrome.h"
#include "ui/select.h"
#include "ui/text.h"
#include "units.h"

int put_text(int y, int x, const char *s, int width, int attr, bool pad)
{
	if (width <= 0 || y < 0 || x < 0)
		return 0;
	wchar_t small[256], *w = small;
	size_t len = strlen(s), n;
	if (len >= ARRAY_LEN(small))
		w = xmalloc((len + 1) * sizeof *w);
	int used = text_fit(s, width, w, len + 1, &n);
	attron(attr);
	move(y, x);
	for (size_t i = 0; i < n; i++)
		addnwstr(&w[i], 1);
	while (pad && used < width) {
		addch(' ');
		used++;
	}
	attroff(attr);
	if (w != small)
		free(w);
	return used;
}

void draw_header(struct ui *ui, const char *mode)
{
	const struct theme *th = &ui->theme;
	/* The right end first: the overall status (and on the wallboard a clock, so a frozen
	   screen shows) must survive any width; the left side is clipped to what remains. */
	char right[48] = "", when[16];
	if (ui->view == VIEW_WALLBOARD) {
		clock_text(ui->clock, when, sizeof when);
		snprintf(right, sizeof right, "%s  ", when);
	}
	const char *st = ui->have_snap ? status_word(ui->snap.status) : "";
	int rw = text_width(right) + (int)strlen(st);
	int rx = put_text(0, ui->cols - rw, right, rw, A_BOLD, false);
	put_text(0, ui->cols - rw + rx, st, (int)strlen(st),
	         theme_attr(th, status_role(ui->snap.status)) | A_BOLD, false);
	int end = ui->cols - rw - 1;

	int x = put_text(0, 0, "synctop " PACKAGE_VERSION " ", end, A_BOLD, false);
	if (mode) {
		x += put_text(0, x, mode, end - x, A_BOLD, false);
		x += put_text(0, x, " ", end - x, 0, false);
	}
	const char *env = ui->cfg->environment && *ui->cfg->environment ? ui->cfg->environment : NULL;
	if (env) {
		char badge[80];
		snprintf(badge, sizeof badge, " %s ", env);
		x += put_text(0, x, badge, end - x, theme_attr(th, ROLE_ENV), false);
		x += put_text(0, x, " ", end - x, 0, false);
	}
	if (ui->read_only) {
		x += put_text(0, x, " READ-ONLY ", end - x, theme_attr(th, ROLE_BADGE), false);
		x += put_text(0, x, " ", end - x, 0, false);
	}
	if (ui->frozen) {
		x += put_text(0, x, " FROZEN ", end - x, theme_attr(th, ROLE_BADGE) | A_BOLD, false);
		x += put_text(0, x, " ", end - x, 0, false);
	}
	char buf[128], d[32];
	format_duration(ui->interval, d, sizeof d);
	if (ui->last_complete > 0) {
		clock_text(ui->last_complete, when, sizeof when);
		snprintf(buf, sizeof buf, "every %s  last poll %s", d, when);
	} else {
		snprintf(buf, sizeof buf, "every %s  first poll running", d);
	}
	put_text(0, x, buf, end - x, 0, false);
}

void draw_footer(struct ui *ui, unsigned view)
{
	int y = ui->rows - 1;
	char buf[256];
	if (ui->scope_editing) {
		char line[512];
		snprintf(line, sizeof line, "%s scope on %s/%s: %s_   (Enter previews, Esc cancels)",
		         action_json_name(ui->scope_action), ui->scope_pipe->name,
		         ui->scope_stage->kind->name, ui->scope_edit);
		put_text(y, 0, line, ui->cols, A_BOLD, true);
		return;
	}
	if (ui->filter_editing) {
		snprintf(buf, sizeof buf, "/%s_   (Enter keeps it, Esc clears it)", ui->filter_edit);
		put_text(y, 0, buf, ui->cols, A_BOLD, true);
		return;
	}
	if (ui->message[0]) {
		put_text(y, 0, ui->message, ui->cols, A_BOLD, true);
		return;
	}
	int right = 0;
	if (ui->filter[0] && view == VIEW_MAIN) {
		size_t *order;
		size_t n = ui_visible(ui, &order);
		free(order);
		char f[128];
		snprintf(f, sizeof f, "  filter \"%s\": %zu of %zu", ui->filter, n, ui->snap.n_pipes);
		right = text_width(f);
		if (right < ui->cols / 2)
			put_text(y, ui->cols - right, f, right, A_BOLD, false);
		else
			right = 0;
	}
	/* The actions that apply now come first: "F refresh  q quit  ? help ..." */
	int x = 0;
	const struct stage_view *sv = NULL;
	const struct pipeline_view *pv = NULL;
	if (!ui->read_only && (view == VIEW_MAIN || view == VIEW_DETAIL) && ui->have_snap)
		pv = ui_selected(ui, &sv);
	char acts[128] = "";
	if (pv)
		ui_action_footer(pv, sv, acts, sizeof acts);
	if (acts[0]) {
		snappendf(acts, sizeof acts, "  ");
		x = put_text(y, 0, acts, ui->cols - right, A_BOLD, false);
	}
	ui_keys_footer(view, ui->read_only, buf, sizeof buf, ui->cols - right - x);
	put_text(y, x, buf, ui->cols - right - x, theme_attr(&ui->theme, ROLE_DIM), true);
}

int draw_flow_line(struct ui *ui)
{
	if (ui->scope_editing) { /* the scope's forms, or why the one typed was refused */
		put_text(ui->rows - 2, 0, ui->scope_hint, ui->cols, theme_attr(&ui->theme, ROLE_DIM), true);
		return 1;
	}
	const struct act_flow *f = ui->flow;
	if (!f || f->state == FLOW_IDLE)
		return 0;
	int attr = A_BOLD;
	if (f->state == FLOW_DONE)
		attr |= theme_attr(&ui->theme, status_role(f->result == AUDIT_CONFIRMED ? ST_OK
		                                           : f->result == AUDIT_REFUSED ? ST_WARN
		                                                                        : ST_CRIT));
	put_text(ui->rows - 2, 0, f->line, ui->cols, attr, true);
	return 1;
}
