/* tui.c: the screen's loop: keys, poller results and ticks, without ever waiting on a backend. */
#include "ui/tui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "health.h"
#include "record.h"
#include "ui/action_ui.h"
#include "ui/clip.h"
#include "ui/draw.h"
#include "ui/input.h"
#include "ui/replay_screen.h"
#include "ui/select.h"
#include "ui/view.h"

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

static void take_snapshot(struct ui *ui)
{
	if (ui->have_snap)
		snapshot_free(&ui->snap);
	poller_snapshot(ui->poller, &ui->snap);
	health_evaluate(&ui->snap);
	if (ui->track) { /* counts new samples only: a redraw or a key re-evaluates the same ones */
		double w = now_wall();
		tracker_update(ui->track, &ui->snap, w);
		record_round(&ui->snap, w);
	}
	ui->have_snap = true;
	ui->last_complete = poller_last_complete(ui->poller);
	fix_selection(ui);
}

/* While the display is frozen the tracker still sees every new sample, so that no change
   goes unlogged and damping counts every poll; what is drawn stays as it was. */
static void track_behind(struct ui *ui)
{
	struct snapshot s;
	poller_snapshot(ui->poller, &s);
	health_evaluate(&s);
	double w = now_wall();
	tracker_update(ui->track, &s, w);
	record_round(&s, w);
	snapshot_free(&s);
}

/* The action under way or the last one: one at a time (ui.flow points to it). */
static struct act_flow flow;

/* Hands a key's request to the poller; the footer says so when it took it. An action's key
   starts its flow (the preview is asked for, never waited for); the dialog's answer goes to
   the flow asking. */
static void submit(struct ui *ui, const struct ui_request *rq)
{
	switch (rq->kind) {
	case UI_REQ_ACTION: {
		/* Judged again from the sample the key saw: what is sent applies now. */
		const struct sample *cur = NULL;
		for (size_t i = 0; i < ui->snap.n_pipes; i++)
			for (size_t j = 0; j < ui->snap.pipes[i].n_stages; j++)
				if (ui->snap.pipes[i].stages[j].cfg == rq->stage)
					cur = stage_latest_ok(&ui->snap.pipes[i].stages[j]);
		flow_start(&flow, ui->cfg, ui->poller, rq->pipe, rq->stage, rq->action, rq->scope, cur);
		ui_dialog_reset(ui);
		return;
	}
	case UI_REQ_CONFIRM:
	case UI_REQ_CANCEL:
		flow_confirm(&flow, rq->kind == UI_REQ_CONFIRM);
		return;
	case UI_REQ_SAMPLE:
		break;
	default:
		return;
	}
	struct request req = {.op = REQ_SAMPLE, .stage = rq->stage};
	char why[160];
	if (poller_submit(ui->poller, &req, why, sizeof why)) {
		poller_request_round(ui->poller);
		ui_request_taken(ui, rq, now_mono());
	} else {
		ui_notice(ui, now_mono(), "%s", why);
	}
}

/* Issue 17, item 11: the mouse, unless mouse = false: presses of the left button (ui_mouse
   makes two on one row a double click) and the wheel. ncurses resolves no clicks here (a
   press is a click at once) and hands a burst of reports as one KEY_MOUSE, newest first. */
static void mouse_setup(const struct config *cfg)
{
	if (!cfg->mouse)
		return;
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
}

static struct ui_change mouse_key(struct ui *ui)
{
	MEVENT ev[32];
	int n = 0;
	while (n < 32 && getmouse(&ev[n]) == OK)
		n++;
	struct ui_change c = {.what = 0};
	while (n-- > 0) { /* oldest first */
		struct ui_mouse m = {.y = ev[n].y, .x = ev[n].x};
		if (ev[n].bstate & BUTTON1_PRESSED)
			m.what = MOUSE_CLICK;
		else if (ev[n].bstate & BUTTON4_PRESSED)
			m.what = MOUSE_WHEEL_UP;
		else if (ev[n].bstate & BUTTON5_PRESSED)
			m.what = MOUSE_WHEEL_DOWN;
		else
			continue;
		c.what |= ui_mouse(ui, &m, now_mono()).what;
	}
	return c;
}

/* Item 1 of issue 17: a new interval applies now, not after the old one runs out: a round
   is asked for at once and the next tick counts from now. */
static void interval_changed(struct ui *ui, double *next_tick)
{
	poller_request_round(ui->poller);
	*next_tick = now_mono() + ui->interval;
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

/* The parent process, its parent, ... up to n of them (Linux's /proc; none elsewhere): which
   of tmux and screen is the nearer when both left their variable (osc52_wrap_for). */
static size_t process_ancestors(long *out, size_t n)
{
	size_t k = 0;
	long pid = (long)getppid();
	while (k < n && pid > 1) {
		out[k++] = pid;
		char path[64], stat[512];
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		FILE *f = fopen(path, "r");
		if (!f)
			break;
		size_t got = fread(stat, 1, sizeof stat - 1, f);
		fclose(f);
		stat[got] = '\0';
		const char *p = strrchr(stat, ')'); /* after the command's name, which may hold any byte */
		if (!p || sscanf(p + 1, " %*c %ld", &pid) != 1)
			break;
	}
	return k;
}

/* The OSC 52 bytes go to the terminal after a frame (ncurses has flushed it), past curses:
   they move no cursor and draw nothing, so its idea of the screen stays true. */
static void clip_write(const char *seq, size_t len)
{
	fflush(stdout);
	fwrite(seq, 1, len, stdout);
	fflush(stdout);
}

/* Issue 17 item 8: a terminal that cannot move its cursor (TERM=dumb, a printing terminal)
   would get a blank screen; it is refused with a pointer at --once. Call after newterm. */
static bool terminal_usable(void)
{
	const char *cup = tigetstr("cup");
	return cup && cup != (const char *)-1;
}

/* Issue 17 item 10: the configured theme, after theme_init. */
static void theme_apply(struct theme *t, const struct config *cfg)
{
	if (cfg->theme && !strcmp(cfg->theme, "contrast"))
		theme_set_contrast(t);
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
	memset(&flow, 0, sizeof flow);
	flow_clear(&flow);
	ui.flow = &flow;

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
	if (!scr || !terminal_usable()) {
		if (scr) {
			endwin();
			delscreen(scr);
		}
		signals_restore(old_sigs);
		if (keys_in != stdin)
			fclose(keys_in);
		const char *t = term && *term ? term : "(unset)";
		if (!scr)
			fprintf(stderr,
			        "synctop: cannot use the terminal (TERM=%s is unknown or unusable here); "
			        "use --once for a snapshot\n",
			        t);
		else
			fprintf(
			    stderr,
			    "synctop: the terminal (TERM=%s) cannot move the cursor, so the screen cannot "
			    "be drawn; use --once for a snapshot\n",
			    t);
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
	mouse_setup(cfg);
	theme_init(&ui.theme, o->ascii, cfg->environment, cfg->environment_color);
	theme_apply(&ui.theme, cfg);

	if (o->replay) { /* a recording: no poller, no executor, no tracker of its own */
		int code = replay_loop(&ui, o->replay, keys_in, signal_pipe[0]);
		terminal_release(scr, old_sigs, keys_in, saved_err);
		return code;
	}
	ui.poller = poller_new(cfg);
	ui.track = tracker_new(cfg);
	/* stderr is the log file now (or /dev/null): the events go there, a line each. */
	if (cfg->log_file && *cfg->log_file)
		tracker_log_to(ui.track, stderr);
	/* The write executor exists only where a write may happen (exec.h). */
	const char *read_only_why = o->wallboard     ? "--wallboard"
	                            : o->read_only   ? "--read-only"
	                            : cfg->read_only ? "read_only = true"
	                                             : NULL;
	if (!read_only_why)
		poller_attach_executor(ui.poller, executor_new(cfg));
	poller_canary_start(ui.poller); /* canary = true: its markers, through that executor */
	executor_trace(cfg, poller_can_write(ui.poller), read_only_why);
	char err[256];
	if (!poller_start(ui.poller, err, sizeof err)) {
		terminal_release(scr, old_sigs, keys_in, saved_err);
		fprintf(stderr, "synctop: %s\n", err);
		poller_free(ui.poller);
		tracker_free(ui.track);
		return 3;
	}
	poller_request_round(ui.poller);
	take_snapshot(&ui);
	double next_tick = now_mono() + ui.interval;
	ui.wb_next = now_mono() + (o->wallboard_cycle_s > 0 ? o->wallboard_cycle_s : 10.0);
	bool dirty = true, running = true, stale = false;
	/* Keys c and C: the OSC 52 bytes, written once the frame with their notice is out. */
	long ancestors[32];
	size_t n_ancestors = process_ancestors(ancestors, ARRAY_LEN(ancestors));
	enum osc52_wrap wrap =
	    osc52_wrap_for(getenv("TMUX"), getenv("STY"), getenv("TERM"), ancestors, n_ancestors);
	char *clip = NULL;
	size_t clip_len = 0;
	time_t shown_second = 0;
	double redraw_at = 0; /* samples of one round arrive together: one redraw for them */

	while (running) {
		double t = now_mono();
		if (stale && t >= redraw_at) {
			if (ui.frozen) {
				track_behind(&ui);
			} else {
				take_snapshot(&ui);
				dirty = true;
			}
			stale = false;
		}
		if (dirty) {
			ui_draw(&ui, now_wall());
			dirty = false;
		}
		if (clip) {
			clip_write(clip, clip_len);
			free(clip);
			clip = NULL;
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
		if (flow.state == FLOW_READBACK) /* the next read-back, or the end of waiting for it */
			wake = fmin(wake, fmin(fmax(flow.next_readback, now + 0.05),
			                       flow.t_applied + cfg->confirm_timeout_s));
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
				dirty = true;
				continue;
			}
			struct ui_change c = ch == KEY_MOUSE ? mouse_key(&ui) : ui_key(&ui, ch, now_mono());
			if (c.what & UI_QUIT) {
				running = false;
				break;
			}
			if (c.what & UI_RESNAP)
				take_snapshot(&ui);
			if (c.what & UI_REQUEST)
				submit(&ui, &c.request);
			if (c.what & UI_INTERVAL)
				interval_changed(&ui, &next_tick);
			if (c.what & UI_CLIPBOARD) {
				free(clip); /* a second key before the frame: the last one wins */
				clip = ui_clip(&ui, c.copy_all, wrap, now_mono(), &clip_len);
				dirty = true;
			}
			if (c.what & UI_REDRAW)
				dirty = true;
		}
		if (r > 0 && (fds[0].revents & (POLLHUP | POLLERR)))
			break; /* the terminal went away */
		if (r > 0 && (fds[1].revents & POLLIN)) {
			poller_drain_fd(ui.poller);
			/* Ended requests: a key sample shows in the detail from the sample it rode in. */
			struct request_event ev;
			while (poller_event_take(ui.poller, &ev)) {
				if (flow_event(&flow, &ev))
					dirty = true;
				request_event_clear(&ev);
			}
			/* Refused because the target changed: the new preview is asked about, as a
			   new action. */
			if (flow.state == FLOW_DONE && flow.repreview) {
				char was[FLOW_LINE_MAX];
				strlcpy_safe(was, flow.line, sizeof was);
				if (flow_ask_again(&flow)) {
					ui_dialog_reset(&ui);
					strlcpy_safe(ui.dialog_note, was, sizeof ui.dialog_note);
					dirty = true;
				}
			}
			if (!stale) {
				stale = true;
				redraw_at = now_mono() + REDRAW_COALESCE_S;
			}
		}
		now = now_mono();
		enum flow_state before = flow.state;
		flow_tick(&flow, now);
		if (flow.state != before)
			dirty = true;
		if (now >= next_tick) {
			poller_request_round(ui.poller);
			next_tick = now + ui.interval;
			dirty = true; /* ages move on: a stage whose backend hangs turns stale */
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

	/* An action under way ends with the session, audited before the poller goes; its end is
	   said on the terminal given back. */
	bool under_way = flow.state != FLOW_IDLE && flow.state != FLOW_DONE;
	flow_abort(&flow, "synctop quit");
	terminal_release(scr, old_sigs, keys_in, saved_err);
	if (under_way)
		fprintf(stderr, "synctop: %s\n", flow.line);
	flow_clear(&flow);
	free(clip);
	if (ui.have_snap)
		snapshot_free(&ui.snap);
	poller_free(ui.poller);
	tracker_free(ui.track);
	return 0;
}
