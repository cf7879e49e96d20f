/* layout.c: where things go on the screen, pure (no curses): column widths, rows, scrolling, tiles. */
#include "ui/layout.h"

#include <stdlib.h>
#include <string.h>

#include "kinds/kind.h"
#include "report.h"
#include "ui/select.h"
#include "ui/text.h"
#include "util.h"

/* The figures are what an operator reads: optional columns are added only while the
   figures keep the width they want (up to FIGURES_WANT_MAX). Each is tried in turn,
   sparkline, then target, then connection: one that does not fit is skipped, so a long
   target can give way to a short connection name. */
int kind_column_width(void)
{
	size_t w = 0;
	for (const struct kind *const *k = kinds; *k; k++)
		if (strlen((*k)->name) > w)
			w = strlen((*k)->name);
	return (int)w;
}

struct columns columns_layout(int inner, int conn_w, int target_w, int fig_want)
{
	struct columns c = {0, 0, 0, 0};
	int left = inner - (kind_column_width() + 1 + STATE_W + 1);
	int want = fig_want < FIGURES_MIN        ? FIGURES_MIN
	           : fig_want > FIGURES_WANT_MAX ? FIGURES_WANT_MAX
	                                         : fig_want;
	if (left - (SPARK_W + 1) >= want) {
		c.spark = SPARK_W;
		left -= SPARK_W + 1;
	}
	if (left - (target_w + 1) >= want) {
		c.target = target_w;
		left -= target_w + 1;
	}
	if (left - (conn_w + 1) >= want) {
		c.conn = conn_w;
		left -= conn_w + 1;
	}
	c.figures = left > 0 ? left : 0;
	return c;
}

int widest_figures(const struct ui *ui)
{
	int w = 0;
	char fig[512];
	for (size_t i = 0; i < ui->snap.n_pipes; i++)
		for (size_t j = 0; j < ui->snap.pipes[i].n_stages; j++) {
			stage_figures(&ui->snap.pipes[i].stages[j], fig, sizeof fig);
			int l = text_width(fig);
			if (l > w)
				w = l;
		}
	return w;
}

int widest_conn(const struct ui *ui)
{
	int w = 4;
	for (size_t i = 0; i < ui->cfg->n_conns; i++)
		if ((int)strlen(ui->cfg->conns[i].name) > w)
			w = (int)strlen(ui->cfg->conns[i].name);
	return w > 16 ? 16 : w;
}

int widest_target(const struct ui *ui)
{
	int w = 6;
	char buf[256];
	for (size_t i = 0; i < ui->cfg->n_pipelines; i++)
		for (size_t j = 0; j < ui->cfg->pipelines[i].n_stages; j++) {
			int l = text_width(stage_target(&ui->cfg->pipelines[i].stages[j], buf, sizeof buf));
			if (l > w)
				w = l;
		}
	return w > 24 ? 24 : w;
}

/* Rows of one pipeline's pane: its borders, its stages, its first diagnoses (each with its
   next line) and a "more" line. */
static size_t pane_rows(const struct pipeline_view *pv)
{
	size_t d = pv->n_diags < DIAGS_SHOWN ? pv->n_diags : DIAGS_SHOWN;
	return 2 + pv->n_stages + 2 * d + (pv->n_diags > DIAGS_SHOWN ? 1 : 0);
}

size_t main_rows(const struct ui *ui, struct row **rows_out, size_t *selected)
{
	size_t *order, n = ui_visible(ui, &order), max = 0, k = 0;
	for (size_t i = 0; i < n; i++)
		max += pane_rows(&ui->snap.pipes[order[i]]);
	struct row *rows = xmalloc((max > 0 ? max : 1) * sizeof *rows);
	*selected = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pipeline_view *pv = &ui->snap.pipes[order[i]];
		rows[k++] = (struct row){ROW_TOP, order[i], 0};
		for (size_t j = 0; j < pv->n_stages; j++) {
			if (!strcmp(pv->cfg->name, ui->sel_pipe) && j == ui->sel_stage)
				*selected = k;
			rows[k++] = (struct row){ROW_STAGE, order[i], j};
		}
		for (size_t j = 0; j < pv->n_diags && j < DIAGS_SHOWN; j++) {
			rows[k++] = (struct row){ROW_DIAG, order[i], j};
			rows[k++] = (struct row){ROW_NEXT, order[i], j};
		}
		if (pv->n_diags > DIAGS_SHOWN)
			rows[k++] = (struct row){ROW_MORE, order[i], pv->n_diags - DIAGS_SHOWN};
		rows[k++] = (struct row){ROW_BOTTOM, order[i], 0};
	}
	free(order);
	*rows_out = rows;
	return k;
}

int main_scroll(int scroll, size_t selected, size_t n_rows, int height)
{
	int sel = (int)selected, n = (int)n_rows;
	if (sel - 1 < scroll)
		scroll = sel > 0 ? sel - 1 : 0;
	if (sel >= scroll + height)
		scroll = sel - height + 1;
	if (scroll > n - height)
		scroll = n - height > 0 ? n - height : 0;
	return scroll;
}

int main_height(const struct ui *ui)
{
	/* As draw_main: the scope's hint, or the action's line, takes the row above the footer. */
	bool flow_line = ui->scope_editing || (ui->flow && ui->flow->state != FLOW_IDLE);
	return ui->rows - 2 - (flow_line ? 1 : 0);
}

long main_row_at(int y, int scroll, size_t n_rows, int height)
{
	long r = (long)y - MAIN_TOP;
	if (r < 0 || r >= height || scroll < 0 || scroll + r >= (long)n_rows)
		return -1;
	return scroll + r;
}

struct wall wall_layout(int rows, int cols, size_t n, size_t n_bad)
{
	struct wall w;
	w.per_row = cols / TILE_MIN_W > 0 ? cols / TILE_MIN_W : 1;
	if ((size_t)w.per_row > n)
		w.per_row = n > 0 ? (int)n : 1;
	w.tile_w = cols / w.per_row;
	w.tile_rows = ((int)n + w.per_row - 1) / w.per_row;
	int max_tile_rows = (rows - 2) / TILE_H;
	/* Leave room for the cycling detail when something is wrong. */
	if (n_bad > 0 && max_tile_rows > 1 && w.tile_rows >= max_tile_rows)
		max_tile_rows--;
	if (w.tile_rows > max_tile_rows)
		w.tile_rows = max_tile_rows;
	size_t room = (size_t)w.tile_rows * (size_t)w.per_row;
	w.shown = n < room ? n : room;
	int top = 1 + w.tile_rows * TILE_H + (w.shown < n ? 1 : 0);
	w.cycle_top = n_bad > 0 && top < rows - 2 ? top : 0;
	return w;
}
