/* wallboard.c: read-only status tiles filling the screen, worst first, in pages when they do not fit. */
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

/* The status word in block letters, 5 rows of 5 columns a letter: the words are OK, WARN,
   CRIT and UNKNOWN, so these letters are all it needs. */
#define BIG_H 5
static const struct {
	char c;
	const char *rows[BIG_H];
} big_letters[] = {
    {'O', {" ### ", "#   #", "#   #", "#   #", " ### "}},
    {'K', {"#   #", "#  # ", "###  ", "#  # ", "#   #"}},
    {'W', {"#   #", "#   #", "# # #", "## ##", "#   #"}},
    {'A', {" ### ", "#   #", "#####", "#   #", "#   #"}},
    {'R', {"#### ", "#   #", "#### ", "#  # ", "#   #"}},
    {'N', {"#   #", "##  #", "# # #", "#  ##", "#   #"}},
    {'C', {" ####", "#    ", "#    ", "#    ", " ####"}},
    {'I', {"#####", "  #  ", "  #  ", "  #  ", "#####"}},
    {'T', {"#####", "  #  ", "  #  ", "  #  ", "  #  "}},
    {'U', {"#   #", "#   #", "#   #", "#   #", " ### "}},
};

static int big_width(const char *word)
{
	return (int)strlen(word) * 6 - 1;
}

/* Draws word in block letters at (y, x), each block k x k cells: k * BIG_H rows,
   k * big_width(word) columns. */
static void draw_big(const struct theme *th, int y, int x, int k, const char *word, int attr)
{
	const char *block = th->ascii ? "#" : "█";
	for (size_t i = 0; word[i]; i++)
		for (size_t l = 0; l < ARRAY_LEN(big_letters); l++) {
			if (big_letters[l].c != word[i])
				continue;
			for (int r = 0; r < BIG_H * k; r++)
				for (int c = 0; c < 5 * k; c++)
					if (big_letters[l].rows[r / k][c / k] == '#')
						put_text(y + r, x + ((int)i * 6) * k + c, block, 1, attr,
						         false);
		}
}

/* One tile filling its cell: the name on the border, the status word as large as the tile
   allows (block letters, else a reverse block), then the headline, the next step of the
   worst diagnosis and the other diagnoses, wrapped, as many lines as fit. */
/* The largest scale (up to 3) of block letters for word in a tile h x w that leaves two
   lines of headline under it; 0: they do not fit. */
static int big_scale(const char *word, int h, int w)
{
	int k = 0;
	while (k < 3 && (k + 1) * big_width(word) <= w - 4 && (k + 1) * BIG_H + 3 <= h - 2)
		k++;
	return k;
}

/* k: the scale of the status word's block letters (0: a reverse block instead). */
static void draw_tile(struct ui *ui, int y, int x, int h, int w, int k, const struct pipeline_view *pv)
{
	const struct theme *th = &ui->theme;
	int border = theme_attr(th, ROLE_BORDER), st = theme_attr(th, status_role(pv->status));
	put_text(y, x, th->g.tl, 1, border, false);
	put_text(y + h - 1, x, th->g.bl, 1, border, false);
	put_text(y, x + w - 1, th->g.tr, 1, border, false);
	put_text(y + h - 1, x + w - 1, th->g.br, 1, border, false);
	for (int i = 1; i < w - 1; i++) {
		put_text(y, x + i, th->g.h, 1, border, false);
		put_text(y + h - 1, x + i, th->g.h, 1, border, false);
	}
	for (int r = 1; r < h - 1; r++) {
		put_text(y + r, x, th->g.v, 1, border, false);
		put_text(y + r, x + w - 1, th->g.v, 1, border, false);
	}
	char title[160];
	snprintf(title, sizeof title, " %s ", pv->cfg->name);
	put_text(y, x + 2, title, w - 4, A_BOLD, false);

	int iw = w - 4, row = y + 1, end = y + h - 1;
	const char *word = status_word(pv->status);
	/* Block letters when they fit with a line of headline under them; a reverse block
	   otherwise (readable from across the room, and in monochrome). */
	if (k > 0) {
		draw_big(th, row, x + 2, k, word, (st & ~A_REVERSE) | A_BOLD);
		row += k * BIG_H + 1;
	} else {
		char big[32];
		snprintf(big, sizeof big, "  %s  ", word);
		put_text(row++, x + 2, big, iw, st | A_REVERSE | A_BOLD, false);
	}
	char text[1024];
	tile_words(pv, text, sizeof text);
	for (size_t d = 0; d <= pv->n_diags && row < end; d++) {
		int attr = A_BOLD;
		if (d == 1 && pv->n_diags > 0) {
			snprintf(text, sizeof text, "next: %s", pv->diags[0].next);
			attr = 0;
		} else if (d > 1) {
			const struct diagnosis *g = &pv->diags[d - 1];
			snprintf(text, sizeof text, "%s %s: %s", status_word(g->severity), g->rule,
			         g->evidence);
			attr = theme_attr(th, status_role(g->severity));
		}
		char **lines;
		size_t n = wrap_text(text, iw, &lines);
		for (size_t i = 0; i < n; i++) {
			if (row < end)
				put_text(row++, x + 2, lines[i], iw, attr, false);
			free(lines[i]);
		}
		free(lines);
	}
}

/* The header in the environment's colour from edge to edge (production's red shows across
   the room), over what draw_header drew in the default colours; badges and the status keep
   theirs. Only with colour: without it the header stays as it is. */
static void paint_env_bar(struct ui *ui)
{
	if (!ui->theme.color || !ui->cfg->environment || !*ui->cfg->environment)
		return;
	int env = theme_attr(&ui->theme, ROLE_ENV);
	short pair = (short)PAIR_NUMBER(env);
	for (int x = 0; x < ui->cols; x++) {
		cchar_t cc;
		wchar_t wch[CCHARW_MAX + 1];
		attr_t a;
		short p;
		if (mvin_wch(0, x, &cc) == ERR || getcchar(&cc, wch, &a, &p, NULL) == ERR || p != 0)
			continue;
		if (setcchar(&cc, wch, (a & ~A_COLOR) | (attr_t)(env & ~A_COLOR), pair, NULL) == OK)
			mvadd_wch(0, x, &cc);
	}
}

/* The footer: a notice (the hint a key gets), else what the wallboard is, its page, and
   how many pipelines not OK are on no tile of this page, by status (only when they fill
   pages by themselves: else they are on every page). */
static void wall_footer(struct ui *ui, size_t page, size_t pages, const size_t *order, size_t n,
                        const size_t *idx, size_t count)
{
	int y = ui->rows - 1;
	if (ui->message[0]) {
		put_text(y, 0, ui->message, ui->cols, A_BOLD, true);
		return;
	}
	char buf[256], d[32];
	int x = put_text(y, 0, pages <= 1 ? "read-only wallboard   q quit" : "q quit", ui->cols,
	                 theme_attr(&ui->theme, ROLE_DIM), false);
	if (pages <= 1)
		return;
	format_duration(ui->opts.wallboard_cycle_s > 0 ? ui->opts.wallboard_cycle_s : 10.0, d, sizeof d);
	snprintf(buf, sizeof buf, "   page %zu of %zu, every %s", page + 1, pages, d);
	x += put_text(y, x, buf, ui->cols - x, A_BOLD, false);
	size_t off[4] = {0, 0, 0, 0}; /* by enum status */
	for (size_t i = 0, k = 0; i < n; i++) {
		if (k < count && idx[k] == i) {
			k++;
			continue;
		}
		off[ui->snap.pipes[order[i]].status]++;
	}
	static const enum status shown[] = {ST_CRIT, ST_WARN, ST_UNKNOWN};
	bool said = false;
	for (size_t s = 0; s < ARRAY_LEN(shown); s++) {
		if (!off[shown[s]])
			continue;
		snprintf(buf, sizeof buf, "%s%zu %s", said ? ", " : "   other pages: ", off[shown[s]],
		         status_word(shown[s]));
		x += put_text(y, x, buf, ui->cols - x, theme_attr(&ui->theme, status_role(shown[s])) | A_BOLD,
		              false);
		said = true;
	}
}

void draw_wallboard(struct ui *ui)
{
	draw_header(ui, "wallboard");
	paint_env_bar(ui);
	if (!ui->have_snap || ui->snap.n_pipes == 0) {
		wall_footer(ui, 0, 0, NULL, 0, NULL, 0);
		put_text(2, 2, "no pipelines configured", ui->cols - 4, 0, false);
		return;
	}
	size_t *order;
	bool saved = ui->sort_worst;
	ui->sort_worst = true; /* worst first: the pipelines not OK lead, and stay on every page */
	size_t n = ui_visible(ui, &order);
	ui->sort_worst = saved;
	size_t n_bad = 0;
	while (n_bad < n && ui->snap.pipes[order[n_bad]].status != ST_OK)
		n_bad++;

	struct wall w = wall_layout(ui->rows, ui->cols, n);
	size_t pages = wall_pages(&w, n, n_bad), page = pages > 0 ? ui->wb_cycle % pages : 0;
	size_t *idx = xmalloc((w.per_page > 0 ? w.per_page : 1) * sizeof *idx);
	size_t count = wall_page(&w, n, n_bad, page, idx);
	/* Each status word as large as its tile allows, but never larger than a worse one's
	   before it: the eye goes to the worst. */
	int k = 3, y, x, h, wd;
	for (size_t i = 0; i < count; i++) {
		wall_tile(&w, i, &y, &x, &h, &wd);
		int ki = big_scale(status_word(ui->snap.pipes[order[idx[i]]].status), h, wd);
		k = ki < k ? ki : k;
		draw_tile(ui, y, x, h, wd, k, &ui->snap.pipes[order[idx[i]]]);
	}
	wall_footer(ui, page, pages, order, n, idx, count);
	free(idx);
	free(order);
}
