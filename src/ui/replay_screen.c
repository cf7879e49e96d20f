/* replay_screen.c: --replay FILE on the screen: a time cursor over the recorded rounds (play, step, speed,
 * jump). */
#include "ui/replay_screen.h"

#include <curses.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "ui/draw.h"
#include "ui/input.h"
#include "ui/select.h"
#include "ui/text.h"
#include "ui/view.h"

static const int speeds[] = {1, 2, 5, 10, 30, 60};
#define N_SPEEDS ((int)ARRAY_LEN(speeds))

struct replay_state {
	struct recording rec;
	struct replayer *rp;
	size_t at;     /* the round shown */
	bool playing;  /* the cursor moves on at speed */
	int speed;     /* index into speeds */
	double cursor; /* the recorded wall time the cursor is at */
	double last;   /* monotonic time the cursor last moved */
};

/* Shows round st->at: its snapshot and events (the replayer's), the cursor in the header. */
static void show(struct ui *ui, struct replay_state *st)
{
	const struct snapshot *s = replayer_seek(st->rp, st->at);
	ui->snap = *s; /* the replayer owns it: never freed here */
	ui->have_snap = true;
	ui->track = (struct tracker *)replayer_tracker(st->rp);
	ui->last_complete = s->taken_at;
	fix_selection(ui);
	char when[16];
	clock_text(s->taken_at, when, sizeof when);
	bool ascii = ui->theme.ascii;
	snprintf(ui->replay, sizeof ui->replay, "replay %s %s%d %s  %zu/%zu", when, ascii ? "x" : "\u00d7",
	         speeds[st->speed], st->playing ? (ascii ? ">" : "\u25b6") : (ascii ? "||" : "\u2016"),
	         st->at + 1, st->rec.n_rounds);
}

static void go(struct ui *ui, struct replay_state *st, size_t i)
{
	st->at = i < st->rec.n_rounds ? i : st->rec.n_rounds - 1;
	st->cursor = st->rec.rounds[st->at].wall;
	st->last = now_mono();
}

/* The next (dir 1) or previous (dir -1) round recorded with a status change, from st->at. */
static bool change_from(const struct replay_state *st, int dir, size_t *out)
{
	for (long i = (long)st->at + dir; i >= 0 && i < (long)st->rec.n_rounds; i += dir)
		if (st->rec.rounds[i].change) {
			*out = (size_t)i;
			return true;
		}
	return false;
}

/* A key of the time cursor; false when ch is not one. */
static bool cursor_key(struct ui *ui, struct replay_state *st, int ch)
{
	enum ui_action a = ui_key_replay(ch);
	if (a == ACT_NONE || ui->help || ui->filter_editing)
		return false;
	double now = now_mono();
	size_t to;
	switch (a) {
	case ACT_REPLAY_PLAY:
		st->playing = !st->playing;
		if (st->playing && st->at + 1 >= st->rec.n_rounds)
			go(ui, st, 0); /* at the end, play starts over */
		st->last = now;
		break;
	case ACT_REPLAY_STEP:
	case ACT_REPLAY_BACK:
		st->playing = false;
		if (a == ACT_REPLAY_STEP ? st->at + 1 < st->rec.n_rounds : st->at > 0)
			go(ui, st, a == ACT_REPLAY_STEP ? st->at + 1 : st->at - 1);
		else
			ui_notice(ui, now, "%s of the recording", a == ACT_REPLAY_STEP ? "end" : "start");
		break;
	case ACT_REPLAY_FASTER:
		st->speed += st->speed + 1 < N_SPEEDS;
		break;
	case ACT_REPLAY_SLOWER:
		st->speed -= st->speed > 0;
		break;
	case ACT_REPLAY_SPEED:
		st->speed = ch - '1';
		break;
	case ACT_REPLAY_NEXT_CHANGE:
	case ACT_REPLAY_PREV_CHANGE:
		if (change_from(st, a == ACT_REPLAY_NEXT_CHANGE ? 1 : -1, &to)) {
			st->playing = false;
			go(ui, st, to);
		} else
			ui_notice(ui, now, "no status change %s this round",
			          a == ACT_REPLAY_NEXT_CHANGE ? "after" : "before");
		break;
	case ACT_REPLAY_START:
	case ACT_REPLAY_END:
		go(ui, st, a == ACT_REPLAY_START ? 0 : st->rec.n_rounds - 1);
		break;
	default:
		return false;
	}
	show(ui, st);
	return true;
}

/* Playing: moves the cursor on by the time passed times the speed, round by round. */
static bool advance(struct ui *ui, struct replay_state *st, double now)
{
	if (!st->playing)
		return false;
	st->cursor += (now - st->last) * speeds[st->speed];
	st->last = now;
	size_t was = st->at;
	while (st->at + 1 < st->rec.n_rounds && st->rec.rounds[st->at + 1].wall <= st->cursor)
		st->at++;
	if (st->at + 1 >= st->rec.n_rounds) {
		st->playing = false;
		ui_notice(ui, now, "end of the recording (g goes back to its start)");
	}
	if (st->at != was || !st->playing)
		show(ui, st);
	return st->at != was || !st->playing;
}

int replay_loop(struct ui *ui, struct replay_state *st, FILE *keys_in, int sig_fd)
{
	ui->read_only = true;
	go(ui, st, 0);
	show(ui, st);
	bool dirty = true;
	for (;;) {
		if (dirty) {
			ui_draw(ui, st->rec.rounds[st->at].wall);
			dirty = false;
		}
		double now = now_mono(), wake = now + 1.0;
		if (st->playing && st->at + 1 < st->rec.n_rounds)
			wake = fmin(wake, st->last + (st->rec.rounds[st->at + 1].wall - st->cursor) /
			                                 speeds[st->speed]);
		if (ui->message_until > now)
			wake = fmin(wake, ui->message_until);
		struct pollfd fds[2] = {{.fd = fileno(keys_in), .events = POLLIN},
		                        {.fd = sig_fd, .events = POLLIN}};
		int r = poll(fds, 2, (int)ceil(fmax(0, wake - now) * 1000.0));
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && (fds[1].revents & POLLIN))
			break; /* a stop signal */
		int ch;
		bool quit = false;
		while (!quit && (ch = getch()) != ERR) {
			if (ch == KEY_RESIZE) {
				ui->scroll = 0;
				dirty = true;
				continue;
			}
			if (cursor_key(ui, st, ch)) {
				dirty = true;
				continue;
			}
			struct ui_change c = ui_key(ui, ch, now_mono());
			quit = c.what & UI_QUIT;
			if (c.what & (UI_REDRAW | UI_RESNAP))
				dirty = true;
		}
		if (quit || (r > 0 && (fds[0].revents & (POLLHUP | POLLERR))))
			break;
		now = now_mono();
		dirty |= advance(ui, st, now);
		if (ui->message[0] && now >= ui->message_until) {
			ui->message[0] = '\0';
			dirty = true;
		}
	}
	return 0;
}

struct replay_state *replay_state_open(const char *path, FILE *err)
{
	struct replay_state *st = xcalloc(1, sizeof *st);
	char why[1024];
	if (!recording_load(path, &st->rec, err, why, sizeof why)) {
		fprintf(err, "synctop: %s\n", why);
		replay_state_free(st);
		return NULL;
	}
	st->rp = replayer_new(&st->rec);
	return st;
}

const struct config *replay_state_config(const struct replay_state *st)
{
	return st->rec.cfg;
}

void replay_state_free(struct replay_state *st)
{
	if (!st)
		return;
	replayer_free(st->rp);
	recording_free(&st->rec);
	free(st);
}
