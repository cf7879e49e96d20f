/* chrome.c: what every view draws with: text put on the screen, the header and the footer (curses). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/kind.h"
#include "ui/action_ui.h"
#include "ui/chrome.h"
#include "ui/layout.h"
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

/* The header's left side, its pieces in order; where they do not all fit, whole pieces go,
   the least needed first (header_fit): the mode, what a filter hides and stale figures stay,
   then the environment, the badges, the interval, the first poll, the name. No time of the
   last complete round: one backend that hangs would hold it back (the stages say their age). */
enum { HP_NAME, HP_MODE, HP_ENV, HP_RO, HP_FROZEN, HP_EVERY, HP_FIRST, HP_STALE, HP_HIDDEN, HP_N };
#define ENV_BADGE_MAX 24 /* a long environment label is cut to this, never the rest */

static void draw_header_left(struct ui *ui, const char *mode, int end)
{
	const struct theme *th = &ui->theme;
	static const int prio[HP_N] = {
	    [HP_NAME] = 6,  [HP_MODE] = 0,  [HP_ENV] = 2,   [HP_RO] = 2,    [HP_FROZEN] = 2,
	    [HP_EVERY] = 3, [HP_FIRST] = 3, [HP_STALE] = 1, [HP_HIDDEN] = 1};
	char text[HP_N][96], d[32];
	int attr[HP_N], gap[HP_N], w[HP_N];
	memset(text, 0, sizeof text);
	for (int i = 0; i < HP_N; i++) {
		attr[i] = 0;
		gap[i] = 2;
	}
	snprintf(text[HP_NAME], sizeof text[HP_NAME], "synctop " PACKAGE_VERSION);
	attr[HP_NAME] = A_BOLD;
	gap[HP_NAME] = 1;
	if (mode) {
		snprintf(text[HP_MODE], sizeof text[HP_MODE], "%s", mode);
		attr[HP_MODE] = A_BOLD;
		gap[HP_MODE] = 1;
	}
	if (ui->cfg->environment && *ui->cfg->environment) {
		snprintf(text[HP_ENV], sizeof text[HP_ENV], " %s ", ui->cfg->environment);
		attr[HP_ENV] = theme_attr(th, ROLE_ENV);
		gap[HP_ENV] = 1;
	}
	if (ui->read_only) {
		snprintf(text[HP_RO], sizeof text[HP_RO], " READ-ONLY ");
		attr[HP_RO] = theme_attr(th, ROLE_BADGE);
		gap[HP_RO] = 1;
	}
	if (ui->frozen) {
		snprintf(text[HP_FROZEN], sizeof text[HP_FROZEN], " FROZEN ");
		attr[HP_FROZEN] = theme_attr(th, ROLE_BADGE) | A_BOLD;
		gap[HP_FROZEN] = 1;
	}
	format_duration(ui->interval, d, sizeof d);
	snprintf(text[HP_EVERY], sizeof text[HP_EVERY], "every %s", d);
	if (ui->last_complete <= 0)
		snprintf(text[HP_FIRST], sizeof text[HP_FIRST], "first poll running");
	size_t stale = ui->have_snap ? count_stale(ui) : 0;
	if (stale) {
		snprintf(text[HP_STALE], sizeof text[HP_STALE], "%zu stale", stale);
		attr[HP_STALE] = theme_attr(th, status_role(ST_WARN)) | A_BOLD;
	}
	if (ui->have_snap && ui->filter[0] && ui->view != VIEW_WALLBOARD) {
		hidden_summary(ui, text[HP_HIDDEN], sizeof text[HP_HIDDEN]);
		enum status worst = ST_OK;
		for (size_t i = 0; i < ui->snap.n_pipes; i++)
			if (!filter_match(&ui->snap.pipes[i], ui->filter))
				worst = status_worst(worst, ui->snap.pipes[i].status);
		attr[HP_HIDDEN] = (worst != ST_OK ? theme_attr(th, status_role(worst)) : 0) | A_BOLD;
	}
	int total = 0;
	for (int i = 0; i < HP_N; i++) {
		w[i] = text[i][0] ? text_width(text[i]) + gap[i] : 0;
		total += w[i];
	}
	/* A long environment label is whole only when everything fits beside it. */
	if (total > end + 1 && w[HP_ENV] > ENV_BADGE_MAX + gap[HP_ENV])
		w[HP_ENV] = ENV_BADGE_MAX + gap[HP_ENV];
	bool keep[HP_N];
	header_fit(w, prio, HP_N, end + 1, 0, keep); /* the last piece's gap may reach the right end */
	int x = 0;
	for (int i = 0; i < HP_N; i++)
		if (keep[i]) {
			put_text(0, x, text[i], w[i] - gap[i], attr[i], false);
			x += w[i];
		}
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

	draw_header_left(ui, mode ? mode : ui->replay[0] ? ui->replay : NULL, end);
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
	if (ui->replay[0] && view != VIEW_HELP)
		strlcpy_safe(
		    buf,
		    "q quit  ? help  Space play  ./, step  +/- speed  n/N change  g/G ends  Enter detail",
		    sizeof buf);
	else
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
