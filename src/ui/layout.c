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

struct wall wall_layout(int rows, int cols, size_t n)
{
	struct wall w = {1, 0, 0, 0, 1, rows - 2 > 0 ? rows - 2 : 0, cols > 0 ? cols : 0};
	if (n == 0)
		return w;
	int max_per_row = w.width / TILE_MIN_W > 0 ? w.width / TILE_MIN_W : 1;
	int max_rows = w.height / TILE_MIN_H > 0 ? w.height / TILE_MIN_H : 1;
	int best = -1;
	for (int pr = 1; pr <= max_per_row && (size_t)pr <= n; pr++) {
		int tr = (int)((n + (size_t)pr - 1) / (size_t)pr);
		if (tr > max_rows)
			continue;
		int tw = w.width / pr, th = w.height / tr;
		int score = tw < 2 * th ? tw : 2 * th; /* the shorter side, in columns */
		if (score > best) {
			best = score;
			w.per_row = pr;
			w.tile_rows = tr;
		}
	}
	if (best < 0) { /* too many for one screen: full pages of the smallest tiles */
		w.per_row = max_per_row;
		w.tile_rows = max_rows;
	}
	w.per_page = (size_t)w.per_row * (size_t)w.tile_rows;
	w.pages = (n + w.per_page - 1) / w.per_page;
	return w;
}

void wall_tile(const struct wall *w, size_t i, int *y, int *x, int *h, int *wd)
{
	int r = (int)(i / (size_t)w->per_row), c = (int)(i % (size_t)w->per_row);
	int rows = w->tile_rows > 0 ? w->tile_rows : 1;
	*x = c * w->width / w->per_row;
	*wd = (c + 1) * w->width / w->per_row - *x;
	*y = w->top + r * w->height / rows;
	*h = w->top + (r + 1) * w->height / rows - *y;
}

size_t wall_pages(const struct wall *w, size_t n, size_t n_bad)
{
	if (n == 0 || w->per_page == 0)
		return 0;
	if (n_bad >= w->per_page || n <= w->per_page)
		return w->pages;
	size_t slots = w->per_page - n_bad;
	return (n - n_bad + slots - 1) / slots;
}

size_t wall_page(const struct wall *w, size_t n, size_t n_bad, size_t page, size_t *idx)
{
	size_t pages = wall_pages(w, n, n_bad), k = 0;
	if (pages == 0)
		return 0;
	page %= pages;
	if (n_bad >= w->per_page || n <= w->per_page) {
		for (size_t i = page * w->per_page; i < n && k < w->per_page; i++)
			idx[k++] = i;
		return k;
	}
	for (size_t i = 0; i < n_bad; i++)
		idx[k++] = i;
	for (size_t i = n_bad + page * (w->per_page - n_bad); i < n && k < w->per_page; i++)
		idx[k++] = i;
	return k;
}
