/* layout.h: where things go on the screen, pure (no curses): column widths, rows, scrolling, tiles. */
#ifndef SYNCTOP_UI_LAYOUT_H
#define SYNCTOP_UI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/view.h"

#define STATUS_W         7                      /* "UNKNOWN" */
#define AGE_W            6                      /* "10m00s": how long a status has held */
#define STATE_W          (STATUS_W + 1 + AGE_W) /* "UNKNOWN 10m00s": a stage's status column */
#define SPARK_W          16
#define SPARK_MAX_W      48 /* a wide terminal's sparkline: more of the history */
#define POLLED_W         9  /* "1h02m ago": the age of the stage's latest sample */
#define TARGET_W         24 /* a target's column, unless the terminal has room for all of it */
#define TARGET_MAX_W     64
#define FIGURES_MIN      30
#define FIGURES_WANT_MAX 96
#define FIGURES_HOLD_S   60 /* the columns keep the room of figures this wide this long */
#define DIAGS_SHOWN      1  /* diagnoses under each pane at least (when they do not all fit) */
#define TILE_MIN_W       30 /* the wallboard's tiles: the smallest; they grow to fill the screen */
#define TILE_MIN_H       5  /* borders, the status, two lines of headline */

/* The width of the kind column: the longest kind name among the config's stages ("connector"
   when a pipeline has a connector stage), at least 4. */
int kind_column_width(const struct ui *ui);

/* Column widths of a stage line; 0 = dropped. Figures take what is left. */
struct columns {
	int kind, conn, target, spark, figures, polled;
};

/* The columns of a stage line inner columns wide (inside the pane's borders), given the
   widest kind name, connection name, target and figures text. The target takes TARGET_W at
   most, and its whole width on a terminal wide enough. */
struct columns columns_layout(int inner, int kind_w, int conn_w, int target_w, int fig_want);
/* The figures' width to lay the columns out for, given the widest now (want) at wall time now:
   the widest of the last FIGURES_HOLD_S, held in *hold and *at (the time it was last reached).
   A figure that comes and goes from one poll to the next ("not shrinking") would otherwise
   take the connection and target columns away and give them back, moving every line. */
int figures_held(int want, double now, int *hold, double *at);
/* The widest figures text of the stages in the snapshot read (an error is not), with the
   keys of their actions. */
int widest_figures(const struct ui *ui);
/* The widest connection name (4 to 16) and stage target (6 to TARGET_MAX_W) of the config. */
int widest_conn(const struct ui *ui);
int widest_target(const struct ui *ui);

enum row_kind { ROW_TOP, ROW_STAGE, ROW_DIAG, ROW_NEXT, ROW_MORE, ROW_BOTTOM };

struct row {
	enum row_kind kind;
	size_t pipe, index; /* pipe: index into snap.pipes; index: stage or diagnosis (ROW_DIAG and
	                       its ROW_NEXT, the diagnosis's next line; ROW_MORE: how
	                       many more diagnoses) */
};

/* The rows of the main view, every visible pipeline's pane in order: *rows receives a new
   array (free it), *selected the row of the selected stage (0 if none). Returns how many.
   Each pane shows as many of its diagnoses (worst first) as diag_cap allows in height rows. */
size_t main_rows(const struct ui *ui, int height, struct row **rows, size_t *selected);
/* How many diagnoses each pane shows (SIZE_MAX: all) so that n panes, of n_stages[i] stages
   and n_diags[i] diagnoses, fit in height rows: every one when they fit, else the most per
   pane that fits (a "+N more" line under the rest), never fewer than DIAGS_SHOWN. */
size_t diag_cap(const size_t *n_stages, const size_t *n_diags, size_t n, int height);

/* Item 1 of issue 17: the age of a stage's latest sample when it is older than two intervals
   (its figures are stale), else -1; never polled is not stale (the first poll runs). */
double stage_stale_age(const struct stage_view *sv, double clock, double interval);
/* How many stages of the snapshot are stale at clock. */
size_t count_stale(const struct ui *ui);
/* Cuts figures text ("137 pending, oldest 10m00s, 5 failed") to width columns by dropping
   whole figures from the end, never the first one; returns the width left. */
int fit_figures(char *fig, int width);
/* Item 4: the pipelines the filter hides, by status: "2 hidden, 1 crit" ("" when none). */
void hidden_summary(const struct ui *ui, char *buf, size_t n);
/* Which of n header pieces (widths w, priorities prio: lower first) are kept in avail
   columns, with sep columns between kept ones: each in priority order if it fits whole. */
void header_fit(const int *w, const int *prio, size_t n, int avail, int sep, bool *keep);
/* The first row shown, from the current one, so that the selected row shows (with its
   pane's title when there is room) and no screen is left half empty. */
int main_scroll(int scroll, size_t selected, size_t n_rows, int height);

/* Issue 17, item 11 (the mouse): the screen row of the main view's first pane row (draw_main's
   top), the rows the panes have (the header, the footer and a flow line taken), and the index
   into main_rows() of what screen row y shows with the view scrolled to scroll: -1 for none. */
#define MAIN_TOP 1
int main_height(const struct ui *ui);
long main_row_at(int y, int scroll, size_t n_rows, int height);

/* The wallboard on a rows x cols screen (its header and footer lines excluded): n tiles
   filling the screen, as large as they go (a tile's cells are twice as tall as wide, so the
   grid keeps them closest to square); when n do not fit at the smallest size, pages of
   per_page tiles each, shown in turn. */
struct wall {
	int per_row, tile_rows; /* the grid of one page */
	size_t per_page, pages; /* pages of per_page tiles: 0 with no tile, 1 when all fit */
	int top, height, width; /* the area the tiles share */
};
struct wall wall_layout(int rows, int cols, size_t n);
/* The pages of n tiles whose first n_bad are not OK: those stay on every page while the OK
   ones take turns in the slots left; when they fill a page by themselves, every tile takes
   turns. The number of pages (0 with no tile). */
size_t wall_pages(const struct wall *w, size_t n, size_t n_bad);
/* The tiles of page (modulo the pages) as indexes into the n: idx receives up to
   w->per_page; returns how many. */
size_t wall_page(const struct wall *w, size_t n, size_t n_bad, size_t page, size_t *idx);
/* Where the i-th tile of a page goes: the grid's cells share the area to the last column
   and row. */
void wall_tile(const struct wall *w, size_t i, int *y, int *x, int *h, int *wd);

#endif
