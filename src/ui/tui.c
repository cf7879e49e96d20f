/* tui.c: the screen's loop: keys, poller results and ticks, without ever waiting on a backend. */
#include "ui/tui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>

#include "exec.h"
#include "health.h"
#include "ui/view.h"
#include "units.h"
#include "kinds/kind.h"

/* SIGINT, SIGTERM and SIGHUP end the loop like q does (exit 0, terminal restored, polls
   stopped); a byte on this pipe wakes poll() so no signal waits for the next tick. */
static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
	int saved = errno;
	if (signal_pipe[1] >= 0) {
		ssize_t ignored = write(signal_pipe[1], "", 1);
		(void)ignored;
	}
	errno = saved;
}

static const int stop_signals[3] = {SIGINT, SIGTERM, SIGHUP};

static void signals_install(struct sigaction *old)
{
	if (pipe(signal_pipe) == 0)
		for (int i = 0; i < 2; i++)
			fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(stop_signals[i], &sa, &old[i]);
}

static void signals_restore(const struct sigaction *old)
{
	for (int i = 0; i < 3; i++)
		sigaction(stop_signals[i], &old[i], NULL);
	for (int i = 0; i < 2; i++)
		if (signal_pipe[i] >= 0) {
			close(signal_pipe[i]);
			signal_pipe[i] = -1;
		}
}

/* How long samples arriving together are gathered before one redraw. */
#define REDRAW_COALESCE_S 0.1

/* Interval steps for + and -: the config's value joins them wherever it falls. */
static const double interval_steps[] = {0.25, 0.5, 1, 2, 5, 10, 30, 60, 300};

int text_width(const char *s)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int w = 0;
	size_t len = strlen(s);
	while (len > 0) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, s, len, &st);
		if (r == (size_t)-1 || r == (size_t)-2) { /* invalid: one column per byte */
			memset(&st, 0, sizeof st);
			r = 1;
			wc = L'?';
		} else if (r == 0) {
			break;
		}
		int cw = wcwidth(wc);
		w += cw > 0 ? cw : 0;
		s += r;
		len -= r;
	}
	return w;
}

int put_text(int y, int x, const char *s, int width, int attr, bool pad)
{
	if (width <= 0 || y < 0 || x < 0)
		return 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = strlen(s);
	int used = 0;
	attron(attr);
	move(y, x);
	while (len > 0) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, s, len, &st);
		if (r == (size_t)-1 || r == (size_t)-2) {
			memset(&st, 0, sizeof st);
			r = 1;
			wc = L'?';
		} else if (r == 0) {
			break;
		}
		if (wc == L'\t' || wc == L'\n' || wc == L'\r')
			wc = L' ';
		int cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (used + cw > width)
			break;
		/* The last column of a clipped text says it was clipped. */
		bool last = used + cw == width && len > r;
		wchar_t out[2] = {last ? L'~' : wc, 0};
		addnwstr(out, 1);
		used += cw;
		s += r;
		len -= r;
	}
	while (pad && used < width) {
		addch(' ');
		used++;
	}
	attroff(attr);
	return used;
}

size_t wrap_text(const char *s, int width, char ***lines)
{
	size_t n = 0;
	*lines = NULL;
	if (width < 8)
		width = 8;
	while (*s) {
		/* Take as many words as fit (by bytes: the texts wrapped here are ASCII-dominated). */
		size_t len = strlen(s), take = len;
		if ((int)len > width) {
			take = (size_t)width;
			while (take > 0 && s[take] != ' ')
				take--;
			if (take == 0)
				take = (size_t)width;
		}
		*lines = xrealloc(*lines, (n + 1) * sizeof **lines);
		(*lines)[n++] = xstrndup(s, take);
		s += take;
		while (*s == ' ')
			s++;
	}
	return n;
}

static bool filter_match(const struct pipeline_view *pv, const char *filter)
{
	if (!*filter || strcasestr(pv->cfg->name, filter))
		return true;
	for (size_t j = 0; j < pv->n_stages; j++)
		if (strcasestr(pv->stages[j].cfg->conn->name, filter) ||
		    strcasestr(pv->stages[j].cfg->kind->name, filter))
			return true;
	return false;
}

size_t ui_visible(const struct ui *ui, size_t *order, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < ui->snap.n_pipes && n < max; i++)
		if (filter_match(&ui->snap.pipes[i], ui->filter))
			order[n++] = i;
	if (ui->sort_worst) /* stable: equal statuses keep config order */
		for (size_t i = 1; i < n; i++) {
			size_t key = order[i], j = i;
			for (; j > 0 && ui->snap.pipes[order[j - 1]].status < ui->snap.pipes[key].status; j--)
				order[j] = order[j - 1];
			order[j] = key;
		}
	return n;
}

const struct pipeline_view *ui_selected(const struct ui *ui, const struct stage_view **stage)
{
	for (size_t i = 0; i < ui->snap.n_pipes; i++) {
		const struct pipeline_view *pv = &ui->snap.pipes[i];
		if (strcmp(pv->cfg->name, ui->sel_pipe) != 0)
			continue;
		if (stage)
			*stage = ui->sel_stage < pv->n_stages ? &pv->stages[ui->sel_stage] : NULL;
		return pv;
	}
	if (stage)
		*stage = NULL;
	return NULL;
}

/* Keeps the selection on something visible (the first stage of the first pipeline by default). */
static void fix_selection(struct ui *ui)
{
	size_t order[256];
	size_t n = ui_visible(ui, order, ARRAY_LEN(order));
	/* Until the user picks a stage, the selection is the top pane's first stage: the worst
	   pipeline once the first polls are in, whatever order the panes started in. */
	for (size_t i = 0; i < n && ui->sel_chosen; i++)
		if (!strcmp(ui->snap.pipes[order[i]].cfg->name, ui->sel_pipe)) {
			if (ui->sel_stage >= ui->snap.pipes[order[i]].n_stages)
				ui->sel_stage = 0;
			return;
		}
	ui->sel_pipe[0] = '\0';
	ui->sel_stage = 0;
	if (n > 0)
		strlcpy_safe(ui->sel_pipe, ui->snap.pipes[order[0]].cfg->name, sizeof ui->sel_pipe);
}

/* Moves the selection by delta stages across the visible pipelines (or whole pipelines). */
static void move_selection(struct ui *ui, int delta, bool by_pipeline)
{
	size_t order[256];
	size_t n = ui_visible(ui, order, ARRAY_LEN(order));
	if (n == 0)
		return;
	size_t pi = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ui->snap.pipes[order[i]].cfg->name, ui->sel_pipe))
			pi = i;
	size_t si = ui->sel_stage;
	if (by_pipeline) {
		pi = (pi + n + (size_t)(delta > 0 ? 1 : n - 1)) % n;
		si = 0;
	} else {
		for (int step = 0; step < abs(delta); step++) {
			if (delta > 0) {
				if (si + 1 < ui->snap.pipes[order[pi]].n_stages)
					si++;
				else if (pi + 1 < n)
					pi++, si = 0;
			} else {
				if (si > 0)
					si--;
				else if (pi > 0)
					pi--, si = ui->snap.pipes[order[pi]].n_stages - 1;
			}
		}
	}
	strlcpy_safe(ui->sel_pipe, ui->snap.pipes[order[pi]].cfg->name, sizeof ui->sel_pipe);
	ui->sel_stage = si;
	ui->sel_chosen = true;
}

/* A one-line notice in the footer for a few seconds. */
static void notice(struct ui *ui, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void notice(struct ui *ui, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof ui->message, fmt, ap);
	va_end(ap);
	ui->message_until = now_mono() + 3.0;
}

static void take_snapshot(struct ui *ui)
{
	if (ui->have_snap)
		snapshot_free(&ui->snap);
	poller_snapshot(ui->poller, &ui->snap);
	health_evaluate(&ui->snap);
	ui->have_snap = true;
	ui->last_complete = poller_last_complete(ui->poller);
	fix_selection(ui);
}

static void change_interval(struct ui *ui, int dir)
{
	double next = ui->interval;
	if (dir > 0) {
		for (size_t i = 0; i < ARRAY_LEN(interval_steps); i++)
			if (interval_steps[i] > ui->interval + 1e-9) {
				next = interval_steps[i];
				break;
			}
	} else {
		for (size_t i = ARRAY_LEN(interval_steps); i-- > 0;)
			if (interval_steps[i] < ui->interval - 1e-9) {
				next = interval_steps[i];
				break;
			}
	}
	ui->interval = next;
	char d[32];
	format_duration(next, d, sizeof d);
	notice(ui, "polling every %s", d);
}

/* The filter prompt owns the keyboard while it is open. */
static void filter_key(struct ui *ui, int ch)
{
	size_t len = strlen(ui->filter_edit);
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		strlcpy_safe(ui->filter, ui->filter_edit, sizeof ui->filter);
		ui->filter_editing = false;
		ui->scroll = 0;
		fix_selection(ui);
	} else if (ch == 27) {
		ui->filter_editing = false;
		ui->filter[0] = '\0';
		fix_selection(ui);
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (len > 0)
			ui->filter_edit[len - 1] = '\0';
	} else if (ch >= 32 && ch < 127 && len + 1 < sizeof ui->filter_edit) {
		ui->filter_edit[len] = (char)ch;
		ui->filter_edit[len + 1] = '\0';
	}
	/* Live preview: the panes follow what is typed. */
	if (ui->filter_editing) {
		strlcpy_safe(ui->filter, ui->filter_edit, sizeof ui->filter);
		fix_selection(ui);
	}
}

/* Returns false when the user quits. */
/* t: the on-demand key sample of the selected cache stage; the result comes with the next
   poll (the detail view shows it), never waited for here. */
static void sample_keys(struct ui *ui)
{
	const struct stage_view *sv = NULL;
	ui_selected(ui, &sv);
	if (!sv || !kind_has_sample(sv->cfg->kind)) {
		notice(ui, "t samples the keys of a cache stage: select one");
	} else if (!sv->cfg->key_prefix) {
		notice(ui, "no cache.key_prefix for this stage: set one (e.g. session:) to sample its keys");
	} else {
		struct request rq = {.op = REQ_SAMPLE, .stage = sv->cfg};
		char why[160];
		if (poller_submit(ui->poller, &rq, why, sizeof why)) {
			poller_request_round(ui->poller);
			notice(ui, "sampling up to %lld keys of %s*; the detail view shows the result",
			       (long long)sv->cfg->sample_keys, sv->cfg->key_prefix);
		} else {
			notice(ui, "%s", why);
		}
	}
}

static bool handle_key(struct ui *ui, int ch)
{
	if (ui->filter_editing) {
		filter_key(ui, ch);
		return true;
	}
	unsigned view = ui->help ? VIEW_HELP : ui->view;
	const struct ui_key *k;
	enum ui_action a = ui_key_lookup(ch, view, &k);
	if (k && !k->read_only_safe && (ui->read_only || ui->view == VIEW_WALLBOARD)) {
		if (ui->view != VIEW_WALLBOARD) /* the wallboard ignores writes without a word */
			notice(ui, "read-only: %s is not allowed here", k->label);
		return true;
	}
	if (k && k->reserved) {
		notice(ui, "%s: actions come in a later version of synctop", k->help);
		return true;
	}
	int page = ui->rows > 4 ? ui->rows - 4 : 1;
	switch (a) {
	case ACT_QUIT:
		if (ui->help) {
			ui->help = false;
			return true;
		}
		return false;
	case ACT_HELP:
		ui->help = !ui->help;
		ui->help_scroll = 0;
		break;
	case ACT_BACK:
		if (ui->help)
			ui->help = false;
		else if (ui->view == VIEW_DETAIL)
			ui->view = VIEW_MAIN;
		else if (ui->filter[0]) {
			ui->filter[0] = '\0';
			fix_selection(ui);
		}
		break;
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN: {
		int d = (a == ACT_UP || a == ACT_PAGE_UP) ? -1 : 1;
		if (a == ACT_PAGE_UP || a == ACT_PAGE_DOWN)
			d *= page;
		if (ui->help)
			ui->help_scroll = ui->help_scroll + d < 0 ? 0 : ui->help_scroll + d;
		else if (ui->view == VIEW_DETAIL)
			ui->detail_scroll = ui->detail_scroll + d < 0 ? 0 : ui->detail_scroll + d;
		else
			move_selection(ui, d, false);
		break;
	}
	case ACT_NEXT_PIPELINE:
	case ACT_PREV_PIPELINE:
		move_selection(ui, a == ACT_NEXT_PIPELINE ? 1 : -1, true);
		ui->detail_scroll = 0;
		break;
	case ACT_OPEN:
		if (ui_selected(ui, NULL)) {
			ui->view = VIEW_DETAIL;
			ui->detail_scroll = 0;
		}
		break;
	case ACT_FILTER:
		ui->filter_editing = true;
		strlcpy_safe(ui->filter_edit, ui->filter, sizeof ui->filter_edit);
		break;
	case ACT_SORT:
		ui->sort_worst = !ui->sort_worst;
		notice(ui, "%s",
		       ui->sort_worst ? "pipelines sorted worst first" : "pipelines in config order");
		break;
	case ACT_FREEZE:
		ui->frozen = !ui->frozen;
		if (!ui->frozen)
			take_snapshot(ui);
		break;
	case ACT_INTERVAL_UP:
	case ACT_INTERVAL_DOWN:
		change_interval(ui, a == ACT_INTERVAL_UP ? 1 : -1);
		break;
	case ACT_SAMPLE_KEYS:
		sample_keys(ui);
		break;
	default:
		break;
	}
	return true;
}

static void draw(struct ui *ui)
{
	erase();
	getmaxyx(stdscr, ui->rows, ui->cols);
	if (ui->cols < TERM_MIN_COLS || ui->rows < TERM_MIN_ROWS) {
		char msg[64];
		snprintf(msg, sizeof msg, "terminal too small (%dx%d, need %dx%d)", ui->cols, ui->rows,
		         TERM_MIN_COLS, TERM_MIN_ROWS);
		put_text(0, 0, msg, ui->cols, A_BOLD, false);
	} else if (ui->view == VIEW_WALLBOARD) {
		draw_wallboard(ui);
	} else if (ui->help) {
		draw_help(ui);
	} else if (ui->view == VIEW_DETAIL) {
		draw_detail(ui);
	} else {
		draw_main(ui);
	}
	refresh();
}

/* Library chatter must never write on the screen: stderr goes to the log file (or nowhere)
   while curses owns the terminal. Returns the saved stderr, restored by the caller. */
static int divert_stderr(const struct config *cfg)
{
	int saved = dup(STDERR_FILENO);
	char why[128]; /* a FIFO or a device is refused at load; this open never blocks either */
	int fd = -1;
	if (cfg->log_file && *cfg->log_file)
		fd = open_regular(cfg->log_file, O_WRONLY | O_APPEND | O_CREAT, 0600, why, sizeof why);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	return saved;
}

static void restore_stderr(int saved)
{
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
}

/* Gives the terminal back as it was: screen, signals, the key source, stderr. */
static void terminal_release(SCREEN *scr, const struct sigaction *old_sigs, FILE *keys_in, int saved_err)
{
	endwin();
	delscreen(scr);
	signals_restore(old_sigs);
	if (keys_in != stdin)
		fclose(keys_in);
	restore_stderr(saved_err);
}

int tui_run(const struct config *cfg, const struct tui_opts *o)
{
	struct ui ui;
	memset(&ui, 0, sizeof ui);
	ui.cfg = cfg;
	ui.opts = *o;
	ui.read_only = o->read_only || o->wallboard || cfg->read_only;
	ui.interval = o->interval_s > 0 ? o->interval_s : cfg->interval_s;
	ui.sort_worst = true;
	ui.view = o->wallboard ? VIEW_WALLBOARD : VIEW_MAIN;

	/* Keys come from the terminal even when standard input is redirected (as less does);
   with no terminal at all there is nothing to read keys from. */
	FILE *keys_in = stdin;
	if (!isatty(STDIN_FILENO)) {
		keys_in = fopen("/dev/tty", "r");
		if (!keys_in) {
			fprintf(stderr,
			        "synctop: standard input is not a terminal and /dev/tty cannot be opened: "
			        "no keys to read; use --once for a snapshot\n");
			return 3;
		}
	}
	const char *term = getenv("TERM");
	/* Installed before newterm, so that ncurses keeps its hands off these signals. */
	struct sigaction old_sigs[3];
	stop_signal = 0;
	signals_install(old_sigs);
	SCREEN *scr = newterm(NULL, stdout, keys_in);
	if (!scr) {
		signals_restore(old_sigs);
		if (keys_in != stdin)
			fclose(keys_in);
		fprintf(stderr,
		        "synctop: cannot use the terminal (TERM=%s is unknown or unusable here); "
		        "use --once for a snapshot\n",
		        term && *term ? term : "(unset)");
		return 3;
	}
	int saved_err = divert_stderr(cfg);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	theme_init(&ui.theme, o->ascii, cfg->environment, cfg->environment_color);

	ui.poller = poller_new(cfg);
	/* The write executor exists only where a write may happen (exec.h). */
	const char *read_only_why = o->wallboard     ? "--wallboard"
	                            : o->read_only   ? "--read-only"
	                            : cfg->read_only ? "read_only = true"
	                                             : NULL;
	if (!read_only_why)
		poller_attach_executor(ui.poller, executor_new(cfg));
	executor_trace(cfg, poller_can_write(ui.poller), read_only_why);
	char err[256];
	if (!poller_start(ui.poller, err, sizeof err)) {
		terminal_release(scr, old_sigs, keys_in, saved_err);
		fprintf(stderr, "synctop: %s\n", err);
		poller_free(ui.poller);
		return 3;
	}
	poller_request_round(ui.poller);
	take_snapshot(&ui);
	double next_tick = now_mono() + ui.interval;
	ui.wb_next = now_mono() + (o->wallboard_cycle_s > 0 ? o->wallboard_cycle_s : 10.0);
	bool dirty = true, running = true, stale = false;
	time_t shown_second = 0;
	double redraw_at = 0; /* samples of one round arrive together: one redraw for them */

	while (running) {
		double t = now_mono();
		if (stale && t >= redraw_at) {
			take_snapshot(&ui);
			stale = false;
			dirty = true;
		}
		if (dirty) {
			draw(&ui);
			dirty = false;
		}
		/* Sleep until a key, a sample, the next tick, or (on the wallboard) the next second. */
		double now = now_mono();
		double wake = next_tick;
		if (ui.view == VIEW_WALLBOARD)
			wake = fmin(wake, now + 1.0 - fmod(now_wall(), 1.0));
		if (ui.message_until > now)
			wake = fmin(wake, ui.message_until);
		if (stale)
			wake = fmin(wake, redraw_at);
		int ms = (int)ceil(fmax(0, wake - now) * 1000.0);
		struct pollfd fds[3] = {{.fd = fileno(keys_in), .events = POLLIN},
		                        {.fd = poller_fd(ui.poller), .events = POLLIN},
		                        {.fd = signal_pipe[0], .events = POLLIN}};
		int r = poll(fds, 3, ms);
		if (r < 0 && errno != EINTR)
			break;
		if (stop_signal)
			break;

		int ch;
		while ((ch = getch()) != ERR) {
			if (ch == KEY_RESIZE) {
				ui.scroll = 0;
			} else if (!handle_key(&ui, ch)) {
				running = false;
				break;
			}
			dirty = true;
		}
		if (r > 0 && (fds[0].revents & (POLLHUP | POLLERR)))
			break; /* the terminal went away */
		if (r > 0 && (fds[1].revents & POLLIN)) {
			poller_drain_fd(ui.poller);
			/* Ended requests: a key sample shows in the detail from the sample it rode in. */
			struct request_event ev;
			while (poller_event_take(ui.poller, &ev))
				request_event_clear(&ev);
			if (!ui.frozen && !stale) {
				stale = true;
				redraw_at = now_mono() + REDRAW_COALESCE_S;
			}
		}
		now = now_mono();
		if (now >= next_tick) {
			poller_request_round(ui.poller);
			next_tick = now + ui.interval;
		}
		if (ui.view == VIEW_WALLBOARD) {
			time_t sec = (time_t)now_wall();
			if (sec != shown_second) {
				shown_second = sec;
				dirty = true;
			}
			if (now >= ui.wb_next) {
				ui.wb_cycle++;
				ui.wb_next = now + (o->wallboard_cycle_s > 0 ? o->wallboard_cycle_s : 10.0);
				dirty = true;
			}
		}
		if (ui.message[0] && now >= ui.message_until) {
			ui.message[0] = '\0';
			dirty = true;
		}
	}

	terminal_release(scr, old_sigs, keys_in, saved_err);
	if (ui.have_snap)
		snapshot_free(&ui.snap);
	poller_free(ui.poller);
	return 0;
}
