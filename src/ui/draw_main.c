/* draw_main.c: the pipeline panes of the main view. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "report.h"
#include "ui/action_ui.h"
#include "ui/chrome.h"
#include "ui/draw.h"
#include "ui/layout.h"
#include "ui/spark.h"
#include "ui/text.h"
#include "kinds/kind.h"
#include "units.h"

static void draw_border_line(struct ui *ui, int y, const struct pipeline_view *pv, bool top)
{
	const struct theme *th = &ui->theme;
	int border = theme_attr(th, ROLE_BORDER);
	int w = ui->cols;
	put_text(y, 0, top ? th->g.tl : th->g.bl, 1, border, false);
	for (int x = 1; x < w - 1; x++)
		put_text(y, x, th->g.h, 1, border, false);
	put_text(y, w - 1, top ? th->g.tr : th->g.br, 1, border, false);
	if (!top) {
		/* The passive freshness, and the canary's last times and trend (canary.h). */
		char text[600] = "", spark[CANARY_TREND * 4 + 1] = "";
		double fresh;
		if (pipeline_freshness(pv, &fresh))
			snprintf(text, sizeof text, " freshness %.1fs ", fresh);
		const struct canary_state *c = &pv->canary;
		bool lost = c->phase == CANARY_INFLIGHT && c->lost;
		if (pv->cfg->canary.on) {
			char line[320];
			canary_line(c, ui->clock, line, sizeof line);
			if (c->n_trend > 1)
				spark_render(c->trend, (int)c->n_trend, (int)c->n_trend, th->g.spark, spark,
				             sizeof spark);
			snappendf(text, sizeof text, "%s%s%s%s ", *text ? "\xc2\xb7 " : " ", line,
			          *spark ? " " : "", spark);
		}
		if (*text)
			put_text(y, 2, text, w - 4,
			         lost ? theme_attr(th, status_role(ST_CRIT)) | (int)A_BOLD
			              : theme_attr(th, ROLE_DIM),
			         false);
		return;
	}
	char title[160];
	snprintf(title, sizeof title, " %s ", pv->cfg->name);
	int tw = put_text(y, 2, title, w - 14, A_BOLD, false);
	(void)tw;
	char st[16];
	snprintf(st, sizeof st, " %s ", status_word(pv->status));
	int sw = (int)strlen(st);
	put_text(y, w - 2 - sw, st, sw, theme_attr(th, status_role(pv->status)) | A_BOLD, false);
}

static void draw_stage_line(struct ui *ui, int y, const struct stage_view *sv, const struct columns *c,
                            bool selected)
{
	const struct theme *th = &ui->theme;
	int border = theme_attr(th, ROLE_BORDER);
	int sel = selected ? A_REVERSE : 0;
	put_text(y, 0, th->g.v, 1, border, false);
	put_text(y, ui->cols - 1, th->g.v, 1, border, false);
	int x = 2;
	if (selected)
		put_text(y, 1, " ", ui->cols - 2, sel, true);
	x += put_text(y, x, sv->cfg->kind->name, c->kind, sel | A_BOLD, true) + 1;
	if (c->conn) {
		/* A connection that skips the TLS check is marked wherever it shows: "es!" */
		char name[96];
		bool insecure = sv->cfg->conn->insecure;
		snprintf(name, sizeof name, "%s%s", sv->cfg->conn->name, insecure ? "!" : "");
		x += put_text(y, x, name, c->conn,
		              sel | (insecure ? theme_attr(th, status_role(ST_WARN)) | A_BOLD : 0), true) +
		     1;
	}
	if (c->target) {
		char buf[256];
		x += put_text(y, x, stage_target(sv->cfg, buf, sizeof buf), c->target, sel, true) + 1;
	}
	/* "CRIT  4m12s": the status and how long it has held (track.h), in one column. */
	char age[32];
	format_age(sv->since, ui->clock, age, sizeof age);
	put_text(y, x, status_word(sv->status), STATUS_W, sel | theme_attr(th, status_role(sv->status)),
	         true);
	put_text(y, x + STATUS_W + 1, age, AGE_W, sel, true);
	x += STATE_W + 1;
	char fig[512], keys[64] = "";
	stage_figures(sv, fig, sizeof fig);
	if (!ui->read_only)
		ui_action_keys(sv, false, keys, sizeof keys);
	/* Older than two intervals (a backend that hangs): the figures dim, their age first. */
	double stale = stage_stale_age(sv, ui->clock, ui->interval);
	char pre[96] = "";
	if (keys[0]) /* the keys of the actions that apply to the stage now, first: clipping spares them */
		snprintf(pre, sizeof pre, "[%s] ", keys);
	if (stale >= 0) {
		char d[32];
		format_duration(floor(stale), d, sizeof d);
		snappendf(pre, sizeof pre, "stale %s  ", d);
	}
	/* Whole figures are dropped from the end rather than a word cut. An error is prose, one
	   line: it takes the rest of the row, over the sample's age and the sparkline. */
	int fw = c->figures;
	if (!sv->cur.ok)
		fw += (c->polled ? c->polled + 1 : 0) + (c->spark ? c->spark + 1 : 0);
	else
		fit_figures(fig, fw - text_width(pre));
	int fx = x;
	x += put_text(y, x, pre, fw, sel | (stale >= 0 ? theme_attr(th, ROLE_DIM) : 0), false);
	put_text(y, x, fig, fw - (x - fx), sel | (stale >= 0 ? theme_attr(th, ROLE_DIM) : 0), true);
	x = fx + c->figures + 1;
	if (!sv->cur.ok)
		return;
	if (c->polled) {
		char when[24] = "", ago[32] = "";
		if (sv->cur.wall > 0) { /* right-aligned: apart from the figures' last word */
			format_age(sv->cur.wall, ui->clock, when, sizeof when);
			snprintf(ago, sizeof ago, "%*s ago", c->polled - 4, when);
		}
		x += put_text(y, x, ago, c->polled, sel | theme_attr(th, ROLE_DIM), true) + 1;
	}
	if (c->spark) {
		char spark[SPARK_MAX_W * 4 + 1];
		spark_render(sv->series, sv->n_series, c->spark, th->g.spark, spark, sizeof spark);
		put_text(y, x, spark, c->spark, sel | theme_attr(th, status_role(sv->status)), true);
	}
}

static void draw_diag_line(struct ui *ui, int y, const struct diagnosis *d)
{
	const struct theme *th = &ui->theme;
	int border = theme_attr(th, ROLE_BORDER);
	put_text(y, 0, th->g.v, 1, border, false);
	put_text(y, ui->cols - 1, th->g.v, 1, border, false);
	int inner = ui->cols - 4, x = 2;
	x += put_text(y, x, status_word(d->severity), STATUS_W, theme_attr(th, status_role(d->severity)),
	              true) +
	     1;
	/* A consequence (cause.h) is dim: the headline above it is what to act on. */
	int dim = d->because[0] ? theme_attr(th, ROLE_DIM) : 0;
	x += put_text(y, x, d->rule, inner - (x - 2), dim ? dim : (int)A_BOLD, false) + 2;
	put_text(y, x, d->evidence, ui->cols - 2 - x, dim, false);
}

/* The diagnosis's next line, under it, with the key that fixes it when it applies now. */
static void draw_next_line(struct ui *ui, int y, const struct pipeline_view *pv, const struct diagnosis *d)
{
	const struct theme *th = &ui->theme;
	int border = theme_attr(th, ROLE_BORDER);
	put_text(y, 0, th->g.v, 1, border, false);
	put_text(y, ui->cols - 1, th->g.v, 1, border, false);
	char next[600];
	ui_diag_next(pv, d, next, sizeof next, ui->read_only);
	put_text(y, 2 + STATUS_W + 1, next, ui->cols - 4 - STATUS_W - 1,
	         d->because[0] ? theme_attr(th, ROLE_DIM) : 0, false);
}

void draw_main(struct ui *ui)
{
	draw_header(ui, NULL);
	draw_footer(ui, VIEW_MAIN);
	int top = 1, height = ui->rows - 2 - draw_flow_line(ui);
	if (!ui->have_snap || ui->snap.n_pipes == 0) {
		put_text(top + 1, 2,
		         "no pipelines configured: add a [pipeline NAME] section (see synctop.conf(5))",
		         ui->cols - 4, 0, false);
		return;
	}
	struct row *rows;
	size_t selected;
	size_t n = main_rows(ui, height, &rows, &selected);
	if (n == 0) {
		free(rows);
		put_text(top + 1, 2, "no pipeline matches the filter (Esc clears it)", ui->cols - 4, 0,
		         false);
		return;
	}
	/* Keep the selection in view, with its pane's title when there is room. */
	ui->scroll = main_scroll(ui->scroll, selected, n, height);
	int sel = (int)selected;

	int fig_want = figures_held(widest_figures(ui), ui->clock, &ui->fig_hold, &ui->fig_hold_at);
	struct columns c =
	    columns_layout(ui->cols - 4, kind_column_width(ui), widest_conn(ui), widest_target(ui), fig_want);
	for (int r = 0; r < height && ui->scroll + r < (int)n; r++) {
		const struct row *row = &rows[ui->scroll + r];
		const struct pipeline_view *pv = &ui->snap.pipes[row->pipe];
		int y = top + r;
		switch (row->kind) {
		case ROW_TOP:
		case ROW_BOTTOM:
			draw_border_line(ui, y, pv, row->kind == ROW_TOP);
			break;
		case ROW_STAGE:
			draw_stage_line(ui, y, &pv->stages[row->index], &c, ui->scroll + r == sel);
			break;
		case ROW_DIAG:
			draw_diag_line(ui, y, &pv->diags[row->index]);
			break;
		case ROW_NEXT:
			draw_next_line(ui, y, pv, &pv->diags[row->index]);
			break;
		case ROW_MORE: {
			char more[96];
			snprintf(more, sizeof more, "+%zu more diagnoses: Enter on a stage shows them",
			         row->index);
			put_text(y, 0, ui->theme.g.v, 1, theme_attr(&ui->theme, ROLE_BORDER), false);
			put_text(y, ui->cols - 1, ui->theme.g.v, 1, theme_attr(&ui->theme, ROLE_BORDER),
			         false);
			put_text(y, 2, more, ui->cols - 4, theme_attr(&ui->theme, ROLE_DIM), false);
			break;
		}
		}
	}
	free(rows);
}
