/* draw_main.c: the header, the footer and the pipeline panes of the main view. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "ui/spark.h"
#include "ui/view.h"
#include "units.h"
#include "kinds/kind.h"

#define KIND_W      9 /* "connector" */
#define STATUS_W    7 /* "UNKNOWN" */
#define SPARK_W     16
#define FIGURES_MIN 30
#define DIAGS_SHOWN 2

static const char *status_word(enum status s)
{
	static const char *const words[] = {
	    [ST_OK] = "OK", [ST_UNKNOWN] = "UNKNOWN", [ST_WARN] = "WARN", [ST_CRIT] = "CRIT"};
	return words[s];
}

static void clock_text(double wall, char *buf, size_t n)
{
	time_t t = (time_t)wall;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, n, "%H:%M:%S", &tm);
}

void draw_header(struct ui *ui, const char *mode)
{
	const struct theme *th = &ui->theme;
	/* The right end first: the overall status (and on the wallboard a clock, so a frozen
	   screen shows) must survive any width; the left side is clipped to what remains. */
	char right[48] = "", when[16];
	if (ui->view == VIEW_WALLBOARD) {
		clock_text(now_wall(), when, sizeof when);
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
		size_t order[256];
		size_t n = ui_visible(ui, order, ARRAY_LEN(order));
		char f[128];
		snprintf(f, sizeof f, "  filter \"%s\": %zu of %zu", ui->filter, n, ui->snap.n_pipes);
		right = text_width(f);
		if (right < ui->cols / 2)
			put_text(y, ui->cols - right, f, right, A_BOLD, false);
		else
			right = 0;
	}
	ui_keys_footer(view, ui->read_only, buf, sizeof buf, ui->cols - right);
	put_text(y, 0, buf, ui->cols - right, theme_attr(&ui->theme, ROLE_DIM), true);
}

/* Column widths of a stage line; 0 = dropped. Figures take what is left. */
struct columns {
	int conn, target, spark, figures;
};

/* The figures are what an operator reads: optional columns are added only while the
   figures keep the width they want (up to FIGURES_WANT_MAX). Each is tried in turn,
   sparkline, then target, then connection: one that does not fit is skipped, so a long
   target can give way to a short connection name. */
#define FIGURES_WANT_MAX 64
static struct columns layout(int inner, int conn_w, int target_w, int fig_want)
{
	struct columns c = {0, 0, 0, 0};
	int left = inner - (KIND_W + 1 + STATUS_W + 1);
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

/* The widest figures text of the stages shown. */
static int widest_figures(const struct ui *ui)
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

enum row_kind { ROW_TOP, ROW_STAGE, ROW_DIAG, ROW_MORE, ROW_BOTTOM };

struct row {
	enum row_kind kind;
	size_t pipe, index; /* pipe: index into snap.pipes; index: stage or diagnosis */
};

static size_t build_rows(const struct ui *ui, struct row *rows, size_t max, size_t *selected)
{
	size_t order[256], n = ui_visible(ui, order, ARRAY_LEN(order)), k = 0;
	*selected = 0;
	for (size_t i = 0; i < n && k + 4 < max; i++) {
		const struct pipeline_view *pv = &ui->snap.pipes[order[i]];
		rows[k++] = (struct row){ROW_TOP, order[i], 0};
		for (size_t j = 0; j < pv->n_stages && k < max; j++) {
			if (!strcmp(pv->cfg->name, ui->sel_pipe) && j == ui->sel_stage)
				*selected = k;
			rows[k++] = (struct row){ROW_STAGE, order[i], j};
		}
		for (size_t j = 0; j < pv->n_diags && j < DIAGS_SHOWN && k < max; j++)
			rows[k++] = (struct row){ROW_DIAG, order[i], j};
		if (pv->n_diags > DIAGS_SHOWN && k < max)
			rows[k++] = (struct row){ROW_MORE, order[i], pv->n_diags - DIAGS_SHOWN};
		if (k < max)
			rows[k++] = (struct row){ROW_BOTTOM, order[i], 0};
	}
	return k;
}

static void draw_border_line(struct ui *ui, int y, const struct pipeline_view *pv, bool top)
{
	const struct theme *th = &ui->theme;
	int border = theme_attr(th, ROLE_BORDER);
	int w = ui->cols;
	put_text(y, 0, top ? th->g.tl : th->g.bl, 1, border, false);
	for (int x = 1; x < w - 1; x++)
		put_text(y, x, th->g.h, 1, border, false);
	put_text(y, w - 1, top ? th->g.tr : th->g.br, 1, border, false);
	if (!top)
		return;
	char title[160];
	snprintf(title, sizeof title, " %s ", pv->cfg->name);
	int tw = put_text(y, 2, title, w - 14, A_BOLD, false);
	(void)tw;
	char st[16];
	snprintf(st, sizeof st, " %s ", status_word(pv->status));
	int sw = (int)strlen(st);
	put_text(y, w - 2 - sw, st, sw, theme_attr(th, status_role(pv->status)) | A_BOLD, false);
}

static int widest_conn(const struct ui *ui)
{
	int w = 4;
	for (size_t i = 0; i < ui->cfg->n_conns; i++)
		if ((int)strlen(ui->cfg->conns[i].name) > w)
			w = (int)strlen(ui->cfg->conns[i].name);
	return w > 16 ? 16 : w;
}

static int widest_target(const struct ui *ui)
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
	x += put_text(y, x, sv->cfg->kind->name, KIND_W, sel | A_BOLD, true) + 1;
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
	x += put_text(y, x, status_word(sv->status), STATUS_W, sel | theme_attr(th, status_role(sv->status)),
	              true) +
	     1;
	char fig[512];
	stage_figures(sv, fig, sizeof fig);
	x += put_text(y, x, fig, c->figures, sel, true) + 1;
	if (c->spark) {
		char spark[SPARK_W * 4 + 1];
		spark_render(sv->series, sv->n_series, SPARK_W, th->g.spark, spark, sizeof spark);
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
	x += put_text(y, x, d->rule, inner - (x - 2), A_BOLD, false) + 2;
	put_text(y, x, d->evidence, ui->cols - 2 - x, 0, false);
}

void draw_main(struct ui *ui)
{
	draw_header(ui, NULL);
	draw_footer(ui, VIEW_MAIN);
	int top = 1, height = ui->rows - 2;
	if (!ui->have_snap || ui->snap.n_pipes == 0) {
		put_text(top + 1, 2,
		         "no pipelines configured: add a [pipeline NAME] section (see synctop.conf(5))",
		         ui->cols - 4, 0, false);
		return;
	}
	static struct row rows[4096];
	size_t selected;
	size_t n = build_rows(ui, rows, ARRAY_LEN(rows), &selected);
	if (n == 0) {
		put_text(top + 1, 2, "no pipeline matches the filter (Esc clears it)", ui->cols - 4, 0,
		         false);
		return;
	}
	/* Keep the selection in view, with its pane's title when there is room. */
	int sel = (int)selected;
	if (sel - 1 < ui->scroll)
		ui->scroll = sel > 0 ? sel - 1 : 0;
	if (sel >= ui->scroll + height)
		ui->scroll = sel - height + 1;
	if (ui->scroll > (int)n - height)
		ui->scroll = (int)n - height > 0 ? (int)n - height : 0;

	struct columns c = layout(ui->cols - 4, widest_conn(ui), widest_target(ui), widest_figures(ui));
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
}
