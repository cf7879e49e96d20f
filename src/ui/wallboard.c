/* wallboard.c: read-only status tiles, worst first, and the detail of each non-ok pipeline in turn. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "ui/chrome.h"
#include "ui/draw.h"
#include "ui/layout.h"
#include "ui/select.h"
#include "ui/text.h"
#include "kinds/kind.h"
#include "units.h"

/* What a tile says in words: the worst diagnosis, else why a stage is unknown, else all is well. */
static void tile_words(const struct pipeline_view *pv, char *buf, size_t n)
{
	if (pv->n_diags > 0) {
		snprintf(buf, n, "%s: %s", pv->diags[0].rule, pv->diags[0].evidence);
		return;
	}
	for (size_t j = 0; j < pv->n_stages; j++) {
		if (pv->stages[j].status != ST_OK) {
			snprintf(buf, n, "%s: %s", pv->stages[j].cfg->kind->name, pv->stages[j].reason);
			return;
		}
	}
	if (pv->n_stages == 1)
		snprintf(buf, n, "its stage is in sync");
	else
		snprintf(buf, n, "all %zu stages in sync", pv->n_stages);
}

static void draw_tile(struct ui *ui, int y, int x, int w, const struct pipeline_view *pv)
{
	const struct theme *th = &ui->theme;
	int border = theme_attr(th, ROLE_BORDER), st = theme_attr(th, status_role(pv->status));
	put_text(y, x, th->g.tl, 1, border, false);
	put_text(y + TILE_H - 1, x, th->g.bl, 1, border, false);
	put_text(y, x + w - 1, th->g.tr, 1, border, false);
	put_text(y + TILE_H - 1, x + w - 1, th->g.br, 1, border, false);
	for (int i = 1; i < w - 1; i++) {
		put_text(y, x + i, th->g.h, 1, border, false);
		put_text(y + TILE_H - 1, x + i, th->g.h, 1, border, false);
	}
	for (int r = 1; r < TILE_H - 1; r++) {
		put_text(y + r, x, th->g.v, 1, border, false);
		put_text(y + r, x + w - 1, th->g.v, 1, border, false);
	}
	char title[160];
	snprintf(title, sizeof title, " %s ", pv->cfg->name);
	put_text(y, x + 2, title, w - 4, A_BOLD, false);
	/* The status as a block: readable from across the room, and in monochrome (reverse). */
	char big[32];
	snprintf(big, sizeof big, "  %s  ", status_word(pv->status));
	put_text(y + 1, x + 2, big, w - 4, st | A_REVERSE | A_BOLD, false);
	char text[1024], **lines;
	tile_words(pv, text, sizeof text);
	size_t n = wrap_text(text, w - 4, &lines);
	for (size_t i = 0; i < n; i++) {
		if (i < TILE_H - 3)
			put_text(y + 2 + (int)i, x + 2, lines[i], w - 4, 0, false);
		free(lines[i]);
	}
	free(lines);
}

/* The detail of one non-ok pipeline: its stages' figures and its diagnoses' next steps. */
static void draw_cycle(struct ui *ui, int top, int height, const struct pipeline_view *pv)
{
	const struct theme *th = &ui->theme;
	int y = top;
	char buf[1024];
	snprintf(buf, sizeof buf, "%s  %s", pv->cfg->name, status_word(pv->status));
	put_text(y++, 1, buf, ui->cols - 2, theme_attr(th, status_role(pv->status)) | A_BOLD, false);
	for (size_t j = 0; j < pv->n_stages && y < top + height; j++) {
		const struct stage_view *sv = &pv->stages[j];
		char fig[512], age[32];
		stage_figures(sv, fig, sizeof fig);
		format_age(sv->since, ui->clock, age, sizeof age);
		snprintf(buf, sizeof buf, "%-9s %-7s %-6s %s", sv->cfg->kind->name, status_word(sv->status),
		         age, fig);
		put_text(y++, 3, buf, ui->cols - 4, 0, false);
	}
	for (size_t i = 0; i < pv->n_diags && y < top + height; i++) {
		const struct diagnosis *d = &pv->diags[i];
		snprintf(buf, sizeof buf, "%s %s: %s", status_word(d->severity), d->rule, d->symptom);
		put_text(y++, 3, buf, ui->cols - 4, theme_attr(th, status_role(d->severity)), false);
		char **lines;
		snprintf(buf, sizeof buf, "next: %s", d->next);
		size_t n = wrap_text(buf, ui->cols - 8, &lines);
		for (size_t k = 0; k < n; k++) {
			if (y < top + height)
				put_text(y++, 5, lines[k], ui->cols - 6, 0, false);
			free(lines[k]);
		}
		free(lines);
	}
}

void draw_wallboard(struct ui *ui)
{
	draw_header(ui, "wallboard");
	char foot[160];
	snprintf(foot, sizeof foot,
	         "read-only wallboard: the detail of each pipeline not OK shows in turn   q quit");
	put_text(ui->rows - 1, 0, foot, ui->cols, theme_attr(&ui->theme, ROLE_DIM), true);
	if (!ui->have_snap || ui->snap.n_pipes == 0) {
		put_text(2, 2, "no pipelines configured", ui->cols - 4, 0, false);
		return;
	}
	size_t *order;
	bool saved = ui->sort_worst;
	ui->sort_worst = true; /* the wallboard is always worst first */
	size_t n = ui_visible(ui, &order);
	ui->sort_worst = saved;

	/* The pipelines not OK: their details show in turn below the tiles. */
	size_t *bad = xmalloc((n > 0 ? n : 1) * sizeof *bad), n_bad = 0;
	for (size_t i = 0; i < n; i++)
		if (ui->snap.pipes[order[i]].status != ST_OK)
			bad[n_bad++] = order[i];
	struct wall w = wall_layout(ui->rows, ui->cols, n, n_bad);
	size_t shown = 0;
	for (int r = 0; r < w.tile_rows; r++)
		for (int c = 0; c < w.per_row && shown < w.shown; c++, shown++)
			draw_tile(ui, 1 + r * TILE_H, c * w.tile_w, w.tile_w, &ui->snap.pipes[order[shown]]);
	if (w.shown < n) {
		char more[64];
		snprintf(more, sizeof more, "+%zu more pipelines", n - w.shown);
		put_text(1 + w.tile_rows * TILE_H, 1, more, ui->cols - 2, A_BOLD, false);
	}
	if (w.cycle_top > 0)
		draw_cycle(ui, w.cycle_top, ui->rows - 1 - w.cycle_top,
		           &ui->snap.pipes[bad[ui->wb_cycle % n_bad]]);
	free(bad);
	free(order);
}
