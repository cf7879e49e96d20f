/* test_screen.c: whole screens against tests/screens/ (tig's snapshot tests are the model).

   Each case builds a snapshot through the real parser and health_evaluate (ui_fixture.c),
   presses a key script, draws the real curses code into a virtual screen (newterm on
   /dev/null, TERM=xterm, resized to the case's size) with the clock pinned (TZ=UTC, every
   wall time fixed) in the C.UTF-8 locale, and compares the screen's text, row by row with
   trailing spaces dropped, with tests/screens/NAME-COLSxROWS.txt. A difference fails the
   case and shows as a unified diff in the test log (the screen drawn is left in
   tests/screens-actual/ of the build tree).

   To record the screens again after a change that is meant (a new version number too):
       make check TESTS=tests/unit/test_screen UPDATE_GOLDEN=1
   then review `git diff tests/screens`. */
/* needs: postgres */
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "config_file.h"
#include "health.h"
#include "fixture.h"
#include "health.h"
#include "action_flow.h"
#include "ui/draw.h"
#include "ui/input.h"
#include "track.h"
#include "ui/select.h"
#include "ui_fixture.h"

static SCREEN *scr;
static FILE *null_out, *null_in;

static const char *dir_of(const char *var)
{
	const char *d = getenv(var);
	return d && *d ? d : ".";
}

/* The screen's text: one line per row, trailing spaces dropped. */
static char *screen_text(int rows, int cols)
{
	size_t cap = (size_t)rows * ((size_t)cols * MB_LEN_MAX + 1) + 1, len = 0;
	char *out = xmalloc(cap);
	wchar_t *w = xcalloc((size_t)cols + 1, sizeof *w);
	for (int y = 0; y < rows; y++) {
		int n = mvwinnwstr(stdscr, y, 0, w, cols);
		assert_true(n != ERR);
		size_t start = len;
		mbstate_t st;
		memset(&st, 0, sizeof st);
		for (int i = 0; w[i]; i++) {
			size_t r = wcrtomb(out + len, w[i], &st);
			assert_true(r != (size_t)-1);
			len += r;
		}
		while (len > start && out[len - 1] == ' ')
			len--;
		out[len++] = '\n';
	}
	out[len] = '\0';
	free(w);
	return out;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t r;
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, r, m);
	fclose(m);
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Compares the drawn screen with its golden file, or records it (UPDATE_GOLDEN=1). */
static void check_screen(const char *name, int rows, int cols)
{
	char *got = screen_text(rows, cols);
	char file[96], want_path[1024], got_path[1024];
	snprintf(file, sizeof file, "%s-%dx%d.txt", name, cols, rows);
	snprintf(want_path, sizeof want_path, "%s/tests/screens/%s", dir_of("top_srcdir"), file);
	const char *update = getenv("UPDATE_GOLDEN");
	if (update && !strcmp(update, "1")) {
		spit(want_path, got);
		printf("# recorded %s\n", want_path);
		free(got);
		return;
	}
	char *want = slurp(want_path);
	if (want && !strcmp(want, got)) {
		free(want);
		free(got);
		return;
	}
	snprintf(got_path, sizeof got_path, "%s/tests/screens-actual", dir_of("top_builddir"));
	mkdir(got_path, 0755);
	snappendf(got_path, sizeof got_path, "/%s", file);
	spit(got_path, got);
	char cmd[2200];
	snprintf(cmd, sizeof cmd, "diff -u '%s' '%s' 2>&1", want ? want_path : "/dev/null", got_path);
	FILE *d = popen(cmd, "r");
	char line[1024];
	while (d && fgets(line, sizeof line, d))
		printf("# %s", line);
	if (d)
		pclose(d);
	free(want);
	free(got);
	fail_msg("screen %s differs from tests/screens/%s (the diff is above; if the change is meant, "
	         "record it with UPDATE_GOLDEN=1)",
	         name, file);
}

struct size {
	int cols, rows;
};
static const struct size sizes[] = {{80, 24}, {120, 40}, {200, 50}};

/* The action shown by the next shots (the dialog while it asks, its line), or NULL; and
   whether they are read-only. */
static struct act_flow *shoot_flow;
static bool shoot_read_only;
/* The tracker whose events the detail shows, or NULL. */
static struct tracker *shoot_track;
/* The wallboard's page turns so far (ui.wb_cycle). */
static size_t shoot_wb_cycle;

/* Draws the screen of cfg's snapshot (filled by fill) after the key script, at each size
   (or only at *one), and checks it. */
static void shoot(const char *name, const struct config *cfg, void (*fill)(struct snapshot *), unsigned view,
                  const char *keys, const struct size *one)
{
	for (size_t i = 0; i < (one ? 1 : ARRAY_LEN(sizes)); i++) {
		const struct size *sz = one ? one : &sizes[i];
		assert_int_equal(resize_term(sz->rows, sz->cols), OK);
		struct ui ui;
		ui_fx_init(&ui, cfg, fill, sz->rows, sz->cols);
		theme_init(&ui.theme, false, cfg->environment, cfg->environment_color);
		ui.view = view;
		ui.flow = shoot_flow;
		ui.track = shoot_track;
		ui.wb_cycle = shoot_wb_cycle;
		ui.read_only = ui.read_only || shoot_read_only;
		ui_fx_keys(&ui, keys, NULL);
		ui_draw(&ui, UI_FX_WALL);
		check_screen(name, sz->rows, sz->cols);
		ui_fx_free(&ui);
	}
}

static int setup(void **state)
{
	/* A case that failed half-way (a screen that differs) leaves none of its state behind. */
	shoot_track = NULL;
	shoot_flow = NULL;
	shoot_read_only = false;
	*state = fixture_config(UI_FX_INI);
	return 0;
}

static int teardown(void **state)
{
	config_free(*state);
	return 0;
}

/* Worst first: products CRIT (3 diagnoses: 2 shown, "+1 more"), invoices WARN, audit
   UNKNOWN, orders OK; the selection on the top pane. */
static void test_main(void **state)
{
	shoot("main", *state, ui_fx_fill, VIEW_MAIN, "", NULL);
}

/* Enter on products' outbox: every metric, the sparkline, its diagnoses. */
static void test_detail(void **state)
{
	shoot("detail", *state, ui_fx_fill, VIEW_MAIN, "<Enter>", NULL);
}

/* The detail's since (from the data, first seen) and its pipeline's events, newest first: a
   tracker saw every stage ok, then the fixture's snapshot. */
static void test_detail_events(void **state)
{
	static const struct size tall = {100, 60};
	const struct config *cfg = *state;
	shoot_track = tracker_new(cfg);
	tracker_undamped(shoot_track);
	struct snapshot s;
	fixture_snapshot(&s, cfg, UI_FX_WALL - 300);
	for (size_t i = 0; i < s.n_pipes; i++)
		for (size_t j = 0; j < s.pipes[i].n_stages; j++) {
			fixture_sample(&s.pipes[i].stages[j], "{}", NULL, 0);
			s.pipes[i].stages[j].cur.mono = 1; /* all ok, no diagnosis, 5 minutes ago */
			s.pipes[i].stages[j].cur.wall = UI_FX_WALL - 300;
		}
	tracker_update(shoot_track, &s, UI_FX_WALL - 300);
	snapshot_free(&s);
	fixture_snapshot(&s, cfg, UI_FX_WALL - 252);
	ui_fx_fill(&s);
	tracker_update(shoot_track, &s, UI_FX_WALL - 252);
	snapshot_free(&s);
	shoot("detail-events", *state, ui_fx_fill, VIEW_MAIN, "<Enter>", &tall);
	tracker_free(shoot_track);
	shoot_track = NULL;
}

/* The unknown stage's detail: the last error. */
static void test_detail_error(void **state)
{
	static const struct size one = {80, 24};
	shoot("detail-error", *state, ui_fx_fill, VIEW_MAIN, "<Tab><Tab><Enter>", &one);
}

/* Issue 17, item 5: the detail scrolled a page down keeps its title (the stage, its status
   and headline) and says where it is. */
static void test_detail_scrolled(void **state)
{
	static const struct size one = {80, 24};
	shoot("detail-scrolled", *state, ui_fx_fill, VIEW_MAIN, "<Enter><PgDn>", &one);
}

/* Issue 17, item 5: the slot's detail: sizes with their exact byte counts, in the metrics and
   in the list of slots alike. */
static void test_detail_slot(void **state)
{
	static const struct size one = {80, 24};
	shoot("detail-slot", *state, ui_fx_fill, VIEW_MAIN, "j<Enter>", &one);
}

/* The help says what each action does for the kinds this build can act on: its golden
   screens are the full build's, and a build without a backend does not take them. */
#if defined(HAVE_POSTGRES) && defined(HAVE_KAFKA) && defined(HAVE_REDIS) && defined(HAVE_SEARCH)
#define FULL_BUILD 1
#else
#define FULL_BUILD 0
#endif
#if FULL_BUILD
static void test_help(void **state)
{
	shoot("help", *state, ui_fx_fill, VIEW_MAIN, "?", NULL);
}

static void cache_fill(struct snapshot *snap)
{
	struct stage_view *sv = &snap->pipes[0].stages[0];
	fixture_sample(sv,
	               "{\"used_memory\": 1052770304, \"maxmemory\": 1073741824, \"used_ratio\": 0.9805,"
	               " \"maxmemory_policy\": \"allkeys-lru\", \"evicted_keys\": 45123,"
	               " \"evicted_per_s\": 12.5, \"expired_per_s\": 0.25, \"hit_ratio\": 0.913,"
	               " \"connected_clients\": 1204, \"rejected_connections\": 0, \"keys\": 1234567,"
	               " \"expires\": 1000000, \"mem_fragmentation_ratio\": 1.523, \"role\": \"master\"}",
	               NULL, 0);
	health_evaluate(snap);
	sv->since = UI_FX_WALL - 252;
}

/* Issue 17, item 5: a cache's detail: every figure once, in the form of its unit (98%, not
   0.9805 beside it; 1,234,567 keys; 12.5/s; sizes with their byte counts). */
static void test_detail_cache(void **state)
{
	(void)state;
	struct config *cfg = fixture_config("[redis sessions]\nurl = redis://cache.internal:6379/0\n"
	                                    "[pipeline sessions]\ncache = sessions\n");
	static const struct size one = {80, 24};
	shoot("detail-cache", cfg, cache_fill, VIEW_MAIN, "<Enter>", &one);
	config_free(cfg);
}
#endif

/* The wallboard's tiles and the first non-ok pipeline's detail; its clock is pinned. */
static void test_wallboard(void **state)
{
	shoot("wallboard", *state, ui_fx_fill, VIEW_WALLBOARD, "", NULL);
}

/* A filter kept (the footer counts), a stage selected, the display frozen; the prompt. */
static void test_filter_frozen(void **state)
{
	static const struct size one = {80, 24};
	shoot("filter", *state, ui_fx_fill, VIEW_MAIN, "/shop<Enter>j ", &one);
	shoot("filter-prompt", *state, ui_fx_fill, VIEW_MAIN, "/inv", &one);
}

/* Before the first round: nothing polled yet. */
static void test_first_poll(void **state)
{
	static const struct size one = {80, 24};
	shoot("first-poll", *state, NULL, VIEW_MAIN, "", &one);
}

/* A flow of replay on products' outbox (fake actions, ui_fixture.c), in state, previewing
   count rows with n_lines lines of SQL. */
static void flow_of(struct act_flow *fl, const struct config *cfg, enum flow_state state, int64_t count,
                    int n_lines)
{
	flow_clear(fl);
	fl->state = state;
	fl->pl = &cfg->pipelines[1];
	fl->st = &cfg->pipelines[1].stages[0];
	fl->action = ACTION_REPLAY;
	fl->previewed = count;
	json_t *lines = json_array();
	for (int i = 0; i < n_lines; i++)
		json_array_append_new(lines, json_sprintf("-- statement line %d of %d", i + 1, n_lines));
	fl->preview = json_pack("{s:s, s:s, s:o, s:I}", "target", "shop public.outbox (ids 101-230)",
	                        "summary", "5 rows, ids 101-105, created 10:02:11 to 10:04:55", "lines",
	                        lines, "count", (json_int_t)count);
}

/* The keys of the actions that apply now (fake actions): R and p on products' outbox, in the
   footer and its pane; the poison-rows diagnosis's next line names its key. */
static void test_actions_offered(void **state)
{
	ui_fx_actions(*state);
	static const struct size one = {120, 40};
	shoot("actions", *state, ui_fx_fill, VIEW_MAIN, "", &one);
	/* The detail of products' outbox: each action's key where it applies, why not elsewhere. */
	shoot("actions-detail", *state, ui_fx_fill, VIEW_MAIN, "<Enter>", &one);
	/* R asks for the scope first: the prompt in the footer, above it why "x" was refused. */
	static const struct size small = {80, 24};
	shoot("scope-prompt", *state, ui_fx_fill, VIEW_MAIN, "R<BS><BS><BS><BS><BS><BS>x<Enter><BS>fail",
	      &small);
	/* Read-only: no key anywhere, and none in the help. */
	shoot_read_only = true;
	shoot("actions-read-only", *state, ui_fx_fill, VIEW_MAIN, "", &one);
	shoot("help-read-only", *state, ui_fx_fill, VIEW_MAIN, "?", &one);
	shoot_read_only = false;
}

/* The confirmation dialog over the main screen: the pinned target, the preview, what it does,
   Cancel with the focus; a long preview scrolls; a replay of more than 100 rows asks for the
   count. */
static void test_dialog(void **state)
{
	ui_fx_actions(*state);
	struct act_flow fl;
	memset(&fl, 0, sizeof fl);
	flow_of(&fl, *state, FLOW_ASKING, 5, 2);
	shoot_flow = &fl;
	shoot("dialog", *state, ui_fx_fill, VIEW_MAIN, "", NULL);
	static const struct size small = {80, 24};
	flow_of(&fl, *state, FLOW_ASKING, 5, 30);
	shoot("dialog-scrolled", *state, ui_fx_fill, VIEW_MAIN, "<Down><Down><Down>", &small);
	flow_of(&fl, *state, FLOW_ASKING, 137, 2);
	shoot("dialog-count", *state, ui_fx_fill, VIEW_MAIN, "13", &small);
	/* Ended: the dialog is gone, the result line stays above the footer. */
	flow_of(&fl, *state, FLOW_DONE, 5, 2);
	fl.result = AUDIT_CONFIRMED;
	strlcpy_safe(fl.line,
	             "replay products/outbox: UPDATE 5 rows; confirmed: 5 of 5 rows pending again (1.2 s)",
	             sizeof fl.line);
	shoot("flow-done", *state, ui_fx_fill, VIEW_MAIN, "", &small);
	shoot_flow = NULL;
	flow_clear(&fl);
}

/* Issue 17, item 1: products' slot has not answered for 62 s (its backend hangs), the rest
   polled now at 2 s: its figures dimmed behind "stale 1m02s", the header counts it. */
static void fill_stale(struct snapshot *snap)
{
	ui_fx_fill(snap);
	snap->pipes[1].stages[1].cur.wall = UI_FX_WALL - 62;
}

static void test_stale(void **state)
{
	shoot("stale", *state, fill_stale, VIEW_MAIN, "", NULL);
}

/* Item 4: a filter that hides the CRIT pipeline says so in the header, by status. */
static void test_filter_hides_crit(void **state)
{
	static const struct size one = {80, 24};
	shoot("filter-hidden", *state, ui_fx_fill, VIEW_MAIN, "/orders<Enter>", &one);
}

/* Item 3: a long environment label (and the fake actions' keys) at 80 columns: the label is
   cut, the interval and the status stay; at 120 there is room for it whole. Item 2: on 15
   rows the diagnoses do not all fit: the worst of each pane, the rest counted. */
static void test_main_room(void **state)
{
	(void)state;
	char ini[2048];
	const char *rest = strstr(UI_FX_INI, "[postgres shop]");
	snprintf(ini, sizeof ini,
	         "[synctop]\nenvironment = production-eu-west-1 primary cluster (do not touch)\n%s", rest);
	struct config *cfg = fixture_config(ini);
	ui_fx_actions(cfg);
	static const struct size one = {80, 24}, wide = {120, 40};
	shoot("long-env", cfg, ui_fx_fill, VIEW_MAIN, "", &one);
	shoot("long-env", cfg, ui_fx_fill, VIEW_MAIN, "", &wide); /* room: the label whole */
	static const struct size small = {80, 15};
	shoot("few-rows", cfg, ui_fx_fill, VIEW_MAIN, "", &small);
	config_free(cfg);
}

/* 1,000 pipelines: Shift-Tab selects the last one, and its pane is drawn at the bottom; the
   wallboard counts those without a tile. */
static void test_thousand(void **state)
{
	(void)state;
	struct config *cfg = ui_fx_thousand();
	static const struct size one = {80, 24};
	shoot("thousand", cfg, NULL, VIEW_MAIN, "<BTab>", &one);
	shoot("thousand-wallboard", cfg, NULL, VIEW_WALLBOARD, "", &one);
	config_free(cfg);
}

/* Every outbox in sync but the last one's, 137 rows behind (CRIT). */
static void fill_last_crit(struct snapshot *snap)
{
	for (size_t i = 0; i < snap->n_pipes; i++)
		fixture_sample(
		    &snap->pipes[i].stages[0],
		    i + 1 < snap->n_pipes
		        ? "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0,"
		          " \"failed\": 0, \"drain_per_s\": 6.0, \"inflow_per_s\": 6.0}"
		        : "{\"pending\": 137, \"pending_capped\": false, \"oldest_pending_age_s\":"
		          " 600.0, \"failed\": 0, \"drain_per_s\": 0.5, \"inflow_per_s\": 2.5}",
		    NULL, 0);
	health_evaluate(snap);
}

/* 20 pipelines on 80x24 do not fit: pages of 8; the CRIT one (last in the config) leads
   every page while the OK ones take turns in the 7 other slots (3 pages). */
static void test_wallboard_pages(void **state)
{
	(void)state;
	char ini[2048] = "[synctop]\nenvironment = production\n"
	                 "[postgres shop]\nconninfo = host=db.internal dbname=shop\n";
	for (int i = 1; i <= 20; i++)
		snappendf(ini, sizeof ini, "[pipeline p%02d]\noutbox = shop\n", i);
	struct config *cfg = fixture_config(ini);
	static const struct size one = {80, 24};
	shoot("wallboard-pages", cfg, fill_last_crit, VIEW_WALLBOARD, "", &one);
	shoot_wb_cycle = 1;
	shoot("wallboard-page2", cfg, fill_last_crit, VIEW_WALLBOARD, "", &one);
	shoot_wb_cycle = 0;
	config_free(cfg);
}

static int group_setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	unsetenv("NO_COLOR");
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "test_screen: the C.UTF-8 locale is needed\n");
		return -1;
	}
	/* The size comes from LINES and COLUMNS (then resize_term), never from a terminal. */
	use_env(TRUE);
	setenv("LINES", "24", 1);
	setenv("COLUMNS", "80", 1);
	null_out = fopen("/dev/null", "w");
	null_in = fopen("/dev/null", "r");
	scr = null_out && null_in ? newterm("xterm", null_out, null_in) : NULL;
	if (!scr) {
		fprintf(stderr,
		        "test_screen: newterm(xterm) on /dev/null failed (is ncurses-base installed?)\n");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(null_out);
	fclose(null_in);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_main, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_events, setup, teardown),
#if FULL_BUILD
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_cache, setup, teardown),
#endif
		cmocka_unit_test_setup_teardown(test_detail_scrolled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wallboard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_frozen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_poll, setup, teardown),
		cmocka_unit_test(test_thousand),
		cmocka_unit_test(test_wallboard_pages),
		cmocka_unit_test_setup_teardown(test_actions_offered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dialog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_hides_crit, setup, teardown),
		cmocka_unit_test(test_main_room),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
