/* layout.c: where things go on the screen, pure (no curses): column widths, rows, scrolling, tiles. */
#include "ui/layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/kind.h"
#include "report.h"
#include "ui/action_ui.h"
#include "ui/select.h"
#include "ui/text.h"
#include "util.h"

/* The figures are what an operator reads: optional columns are added only while the
   figures keep the width they want (up to FIGURES_WANT_MAX). Each is tried in turn,
   sparkline, then target, then connection: one that does not fit is skipped, so a long
   target can give way to a short connection name. */
int kind_column_width(const struct ui *ui)
{
	size_t w = 4;
	for (size_t i = 0; i < ui->cfg->n_pipelines; i++)
		for (size_t j = 0; j < ui->cfg->pipelines[i].n_stages; j++)
			if (strlen(ui->cfg->pipelines[i].stages[j].kind->name) > w)
				w = strlen(ui->cfg->pipelines[i].stages[j].kind->name);
	return (int)w;
}

struct columns columns_layout(int inner, int kind_w, int conn_w, int target_w, int fig_want)
{
	struct columns c = {kind_w, 0, 0, 0, 0, 0};
	int left = inner - (kind_w + 1 + STATE_W + 1);
	int want = fig_want < FIGURES_MIN        ? FIGURES_MIN
	           : fig_want > FIGURES_WANT_MAX ? FIGURES_WANT_MAX
	                                         : fig_want;
	if (left - (SPARK_W + 1) >= want) {
		c.spark = SPARK_W;
		left -= SPARK_W + 1;
	}
	int target_base = target_w > TARGET_W ? TARGET_W : target_w;
	if (left - (target_base + 1) >= want) {
		c.target = target_base;
		left -= target_base + 1;
	}
	if (left - (conn_w + 1) >= want) {
		c.conn = conn_w;
		left -= conn_w + 1;
	}
	/* A wide terminal: the age of each stage's latest sample, and more of the history. */
	if (c.spark && left - (POLLED_W + 1) >= want) {
		c.polled = POLLED_W;
		left -= POLLED_W + 1;
	}
	/* Then the whole target (a consumer group and its topic), never cut where there is room. */
	if (c.target && target_w > c.target && left > want) {
		int grow = left - want < target_w - c.target ? left - want : target_w - c.target;
		c.target += grow;
		left -= grow;
	}
	if (c.spark && left > want) {
		int grow = left - want < SPARK_MAX_W - SPARK_W ? left - want : SPARK_MAX_W - SPARK_W;
		c.spark += grow;
		left -= grow;
	}
	c.figures = left > 0 ? left : 0;
	return c;
}

int figures_held(int want, double now, int *hold, double *at)
{
	/* fabs: a replay's clock goes back when the cursor does. */
	if (want >= *hold || fabs(now - *at) >= FIGURES_HOLD_S) {
		*hold = want;
		*at = now;
	}
	return *hold;
}

int widest_figures(const struct ui *ui)
{
	int w = 0;
	char fig[512], keys[64];
	for (size_t i = 0; i < ui->snap.n_pipes; i++)
		for (size_t j = 0; j < ui->snap.pipes[i].n_stages; j++) {
			const struct stage_view *sv = &ui->snap.pipes[i].stages[j];
			/* An error is prose, cut where it must: it does not push columns away. */
			if (!sv->cur.ok)
				continue;
			stage_figures(sv, fig, sizeof fig);
			keys[0] = '\0';
			if (!ui->read_only)
				ui_action_keys(sv, false, keys, sizeof keys);
			int l = text_width(fig) + (keys[0] ? text_width(keys) + 3 : 0); /* "[R] " */
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
	return w > TARGET_MAX_W ? TARGET_MAX_W : w;
}

/* Rows of one pipeline's pane: its borders, its stages, its first cap diagnoses (each with
   its next line) and a "more" line. */
static size_t pane_rows(size_t n_stages, size_t n_diags, size_t cap)
{
	size_t d = n_diags < cap ? n_diags : cap;
	return 2 + n_stages + 2 * d + (n_diags > cap ? 1 : 0);
}

size_t diag_cap(const size_t *n_stages, const size_t *n_diags, size_t n, int height)
{
	size_t most = 0;
	for (size_t i = 0; i < n; i++)
		if (n_diags[i] > most)
			most = n_diags[i];
	/* The largest cap whose panes fit; all of them (most) first. */
	for (size_t cap = most; cap > DIAGS_SHOWN; cap--) {
		size_t total = 0;
		for (size_t i = 0; i < n; i++)
			total += pane_rows(n_stages[i], n_diags[i], cap);
		if (height >= 0 && total <= (size_t)height)
			return cap == most ? SIZE_MAX : cap;
	}
	return most <= DIAGS_SHOWN ? SIZE_MAX : DIAGS_SHOWN;
}

size_t main_rows(const struct ui *ui, int height, struct row **rows_out, size_t *selected)
{
	size_t *order, n = ui_visible(ui, &order), max = 0, k = 0;
	size_t *ns = xmalloc((n > 0 ? n : 1) * sizeof *ns), *nd = xmalloc((n > 0 ? n : 1) * sizeof *nd);
	for (size_t i = 0; i < n; i++) {
		ns[i] = ui->snap.pipes[order[i]].n_stages;
		nd[i] = ui->snap.pipes[order[i]].n_diags;
	}
	size_t cap = diag_cap(ns, nd, n, height);
	free(ns);
	free(nd);
	for (size_t i = 0; i < n; i++)
		max += pane_rows(ui->snap.pipes[order[i]].n_stages, ui->snap.pipes[order[i]].n_diags, cap);
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
		/* health.c sorts them worst first */
		for (size_t j = 0; j < pv->n_diags && j < cap; j++) {
			rows[k++] = (struct row){ROW_DIAG, order[i], j};
			rows[k++] = (struct row){ROW_NEXT, order[i], j};
		}
		if (pv->n_diags > cap)
			rows[k++] = (struct row){ROW_MORE, order[i], pv->n_diags - cap};
		rows[k++] = (struct row){ROW_BOTTOM, order[i], 0};
	}
	free(order);
	*rows_out = rows;
	return k;
}

double stage_stale_age(const struct stage_view *sv, double clock, double interval)
{
	if (sv->cur.wall <= 0 || !(clock > 0))
		return -1;
	double age = clock - sv->cur.wall;
	return age > 2 * interval ? age : -1;
}

size_t count_stale(const struct ui *ui)
{
	size_t n = 0;
	for (size_t i = 0; i < ui->snap.n_pipes; i++)
		for (size_t j = 0; j < ui->snap.pipes[i].n_stages; j++)
			if (stage_stale_age(&ui->snap.pipes[i].stages[j], ui->clock, ui->interval) >= 0)
				n++;
	return n;
}

int fit_figures(char *fig, int width)
{
	int w = text_width(fig);
	while (w > width) {
		char *cut = strrchr(fig, ',');
		if (!cut)
			break;
		*cut = '\0';
		w = text_width(fig);
	}
	return width - w;
}

void hidden_summary(const struct ui *ui, char *buf, size_t n)
{
	if (n)
		buf[0] = '\0';
	size_t *order, shown = ui_visible(ui, &order);
	free(order);
	if (shown >= ui->snap.n_pipes)
		return;
	size_t by[ST_CRIT + 1] = {0};
	for (size_t i = 0; i < ui->snap.n_pipes; i++)
		if (!filter_match(&ui->snap.pipes[i], ui->filter))
			by[ui->snap.pipes[i].status]++;
	snprintf(buf, n, "%zu hidden", ui->snap.n_pipes - shown);
	/* The worst first; ok ones are only counted. */
	static const enum status worst[] = {ST_CRIT, ST_WARN, ST_UNKNOWN};
	for (size_t i = 0; i < ARRAY_LEN(worst); i++)
		if (by[worst[i]])
			snappendf(buf, n, ", %zu %s", by[worst[i]], status_name(worst[i]));
}

void header_fit(const int *w, const int *prio, size_t n, int avail, int sep, bool *keep)
{
	int used = 0;
	bool any = false;
	for (size_t i = 0; i < n; i++)
		keep[i] = false;
	for (int p = 0;; p++) {
		bool more = false;
		for (size_t i = 0; i < n; i++) {
			if (prio[i] > p)
				more = true;
			if (prio[i] != p || w[i] <= 0)
				continue;
			int need = w[i] + (any ? sep : 0);
			if (used + need <= avail) {
				keep[i] = true;
				used += need;
				any = true;
			}
		}
		if (!more)
			break;
	}
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
