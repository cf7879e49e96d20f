/* redraw.c: how long the main screen takes to redraw at 100 pipelines (issue 18, item 5: under
   5 ms), against the same screen at 1 pipeline, in the same go.

   The real drawing code (ui_draw: the layout, every pane, curses' diff and its output) draws
   into a virtual terminal (newterm on /dev/null, TERM=xterm, COLSxROWS), as tests/unit/
   test_screen.c does, over a snapshot built through the real parser and health_evaluate: each
   pipeline an outbox and a slot, every other one a cache as well (2-3 stages), one in ten
   behind (CRIT, with its diagnoses), each outbox with a sparkline. The frames are drawn at
   wall clocks a second apart, back and forth (every age on the screen changes, as at each
   poll, and no sample grows stale). Two modes: "redraw" (what a poll costs: curses sends what changed) and
   "repaint" (clearok: every cell sent, as after a resize or Ctrl-L). The two sizes alternate in blocks of 10
   frames, FRAMES frames each. Prints the median and p99 per frame, in ms.

     make bench/redraw && bench/redraw [-n FRAMES] [-p PIPELINES] [-s COLSxROWS]
     (default: 500 frames, 100 pipelines, 200x50)

   Not built by make nor make check (EXTRA_PROGRAMS); bench/redraw.sh builds and runs it. */
#include <curses.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <cmocka.h>

#include "config_file.h"
#include "fixture.h"
#include "health.h"
#include "kinds/kind.h"
#include "ui/draw.h"
#include "ui/theme.h"
#include "ui_fixture.h"
#include "util.h"

#define OUTBOX_OK                                                                                            \
	"{\"pending\": 2, \"pending_capped\": false, \"oldest_pending_age_s\": 0.4, \"failed\": 0,"          \
	" \"drain_per_s\": 6.0, \"inflow_per_s\": 6.0}"
#define OUTBOX_BEHIND                                                                                        \
	"{\"pending\": 137, \"pending_capped\": false, \"oldest_pending_age_s\": 600.0, \"failed\": 5,"      \
	" \"drain_per_s\": 0.5, \"inflow_per_s\": 2.5}"
#define SLOT_OK                                                                                              \
	"{\"slot_name\": \"cdc\", \"active\": true, \"wal_status\": \"reserved\","                           \
	" \"retained_bytes\": 1048576, \"confirmed_lag_bytes\": 1000}"
#define CACHE_OK                                                                                             \
	"{\"used_memory\": 10485760, \"maxmemory\": 1073741824, \"used_ratio\": 0.0098,"                     \
	" \"maxmemory_policy\": \"allkeys-lru\", \"evicted_keys\": 0, \"evicted_per_s\": 0,"                 \
	" \"expired_per_s\": 0.25, \"hit_ratio\": 0.913, \"connected_clients\": 12,"                         \
	" \"rejected_connections\": 0, \"keys\": 1234, \"expires\": 1000, \"role\": \"master\"}"

static void fill(struct snapshot *snap)
{
	static const double spark[] = {3, 1, 0, 2, 5, 0, 1, 2};
	for (size_t i = 0; i < snap->n_pipes; i++) {
		struct pipeline_view *pv = &snap->pipes[i];
		for (size_t j = 0; j < pv->n_stages; j++) {
			struct stage_view *sv = &pv->stages[j];
			const char *kind = sv->cfg->kind->name;
			if (!strcmp(kind, "outbox")) {
				fixture_sample(sv, i % 10 == 9 ? OUTBOX_BEHIND : OUTBOX_OK, NULL, 0);
				sv->series = xcalloc(ARRAY_LEN(spark), sizeof *sv->series);
				memcpy(sv->series, spark, sizeof spark);
				sv->n_series = (int)ARRAY_LEN(spark);
			} else if (!strcmp(kind, "slot")) {
				fixture_sample(sv, SLOT_OK, NULL, 0);
			} else {
				fixture_sample(sv, CACHE_OK, NULL, 0);
			}
		}
	}
	health_evaluate(snap);
	for (size_t i = 0; i < snap->n_pipes; i++)
		for (size_t j = 0; j < snap->pipes[i].n_stages; j++)
			snap->pipes[i].stages[j].since = UI_FX_WALL - 60.0 * (double)(i + j);
}

/* The config of n pipelines (outbox + slot, every other one + cache). */
static struct config *bench_config(int n)
{
	size_t cap = 256 + (size_t)n * 160;
	char *ini = xmalloc(cap);
	snprintf(
	    ini, cap,
	    "[synctop]\nenvironment = bench\n[postgres shop]\nconninfo = host=db.internal dbname=shop\n");
#ifdef HAVE_REDIS
	snappendf(ini, cap, "[redis sessions]\nurl = redis://cache.internal:6379/0\n");
#endif
	for (int i = 1; i <= n; i++) {
		snappendf(ini, cap, "[pipeline p%04d]\noutbox = shop\noutbox.table = public.outbox_%d\n", i,
		          i);
		snappendf(ini, cap, "slot = shop\nslot.names = cdc\n");
#ifdef HAVE_REDIS
		if (i % 2 == 0)
			snappendf(ini, cap, "cache = sessions\ncache.key_prefix = p%d:\n", i);
#endif
	}
	struct config *cfg = fixture_config(ini);
	free(ini);
	return cfg;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts v and returns its median; *p99 its 99th percentile (nearest rank). */
static double stats(double *v, int n, double *p99)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	int r = (99 * n + 99) / 100; /* ceil(0.99 n), 1-based */
	*p99 = v[r - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The top rows of the screen as drawn, trailing blanks dropped: what was measured. */
static void show_rows(int n, int cols)
{
	wchar_t *row = xcalloc((size_t)cols + 1, sizeof *row);
	for (int y = 0; y < n; y++) {
		if (mvinnwstr(y, 0, row, cols) == ERR)
			row[0] = 0;
		size_t len = wcslen(row);
		while (len && row[len - 1] == L' ')
			row[--len] = 0;
		printf("  |%ls\n", row);
	}
	free(row);
}

struct run {
	struct config *cfg;
	struct ui ui;
	double *ms;
	int done;
	double clock;
};

static void run_init(struct run *r, int pipelines, int frames, int rows, int cols)
{
	r->cfg = bench_config(pipelines);
	ui_fx_init(&r->ui, r->cfg, fill, rows, cols);
	theme_init(&r->ui.theme, false, r->cfg->environment, r->cfg->environment_color);
	r->ms = xcalloc((size_t)frames, sizeof *r->ms);
	r->done = 0;
	r->clock = UI_FX_WALL;
}

static void run_free(struct run *r)
{
	ui_fx_free(&r->ui);
	config_free(r->cfg);
	free(r->ms);
}

/* count frames of r, each timed; repaint: every cell sent. */
static void frames_of(struct run *r, int count, bool repaint)
{
	for (int i = 0; i < count; i++) {
		r->clock = r->clock == UI_FX_WALL ? UI_FX_WALL + 1.0 : UI_FX_WALL;
		if (repaint)
			clearok(curscr, TRUE);
		double t0 = now_ms();
		ui_draw(&r->ui, r->clock);
		r->ms[r->done++] = now_ms() - t0;
	}
}

int main(int argc, char **argv)
{
	int frames = 500, pipelines = 100, cols = 200, rows = 50, opt;
	while ((opt = getopt(argc, argv, "n:p:s:")) != -1) {
		switch (opt) {
		case 'n':
			frames = atoi(optarg);
			break;
		case 'p':
			pipelines = atoi(optarg);
			break;
		case 's':
			if (sscanf(optarg, "%dx%d", &cols, &rows) != 2)
				cols = 0;
			break;
		default:
			frames = 0;
			break;
		}
	}
	if (frames < 10 || pipelines < 1 || cols < 40 || rows < 10) {
		fprintf(stderr, "usage: redraw [-n FRAMES >= 10] [-p PIPELINES] [-s COLSxROWS]\n");
		return 2;
	}
	frames -= frames % 10;
	setenv("TZ", "UTC", 1);
	tzset();
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "redraw: the C.UTF-8 locale is needed\n");
		return 1;
	}
	char lines[16], columns[16];
	snprintf(lines, sizeof lines, "%d", rows);
	snprintf(columns, sizeof columns, "%d", cols);
	use_env(TRUE);
	setenv("LINES", lines, 1);
	setenv("COLUMNS", columns, 1);
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = out && in ? newterm("xterm", out, in) : NULL;
	if (!scr) {
		fprintf(stderr, "redraw: newterm(xterm) on /dev/null failed (is ncurses-base installed?)\n");
		return 1;
	}

	printf("main screen, %dx%d, %d frames each, sizes alternating in blocks of 10; ms per frame\n", cols,
	       rows, frames);
	printf("%-34s %9s %9s %9s\n", "", "median", "p99", "max");
	double med[2][2];
	static const char *const mode[2] = {"redraw", "repaint"};
	for (int m = 0; m < 2; m++) {
		struct run one, many;
		run_init(&one, 1, frames, rows, cols);
		run_init(&many, pipelines, frames, rows, cols);
		frames_of(&one, 1, m); /* the first frames draw everything: not counted */
		frames_of(&many, 1, m);
		one.done = many.done = 0;
		while (many.done < frames) {
			frames_of(&one, 10, m);
			frames_of(&many, 10, m);
		}
		if (m == 0) {
			printf("(the top of the %d-pipeline frame, as drawn:)\n", pipelines);
			show_rows(rows < 12 ? rows : 12, cols);
		}
		struct run *runs[2] = {&one, &many};
		for (int k = 0; k < 2; k++) {
			double p99, v = stats(runs[k]->ms, frames, &p99);
			char label[64];
			snprintf(label, sizeof label, "%s, %d pipeline%s", mode[m], k ? pipelines : 1,
			         k && pipelines != 1 ? "s" : "");
			printf("%-34s %9.3f %9.3f %9.3f\n", label, v, p99, runs[k]->ms[frames - 1]);
			med[m][k] = v;
		}
		run_free(&one);
		run_free(&many);
	}
	for (int m = 0; m < 2; m++)
		printf("%s: %d pipelines / 1: %.2fx\n", mode[m], pipelines, med[m][1] / med[m][0]);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	return 0;
}
