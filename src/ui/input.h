/* input.h: what a key does to the screen's state, pure (no curses, no poller): it says what changed. */
#ifndef SYNCTOP_UI_INPUT_H
#define SYNCTOP_UI_INPUT_H

#include "config.h"
#include "ui/view.h"

/* What a key changed, for the loop to act on (bits of ui_change.what). */
enum ui_changed {
	UI_REDRAW = 1 << 0,    /* the screen shows something else: draw it again */
	UI_VIEW = 1 << 1,      /* the view (main, detail) changed, or the help opened or closed */
	UI_QUIT = 1 << 2,      /* the user quits */
	UI_RESNAP = 1 << 3,    /* take a fresh snapshot now: the display was unfrozen */
	UI_REQUEST = 1 << 4,   /* a request for the poller, in ui_change.request */
	UI_INTERVAL = 1 << 5,  /* the interval changed: poll now, and the next tick from now */
	UI_CLIPBOARD = 1 << 6, /* c or C: copy the snapshot to the clipboard (ui/clip.h) */
};

enum ui_request_kind {
	UI_REQ_NONE,
	UI_REQ_SAMPLE,  /* the stage's on-demand operation (key t: sample the keys of a cache stage) */
	UI_REQ_ACTION,  /* start action on stage of pipe (flow_start): its preview is asked for */
	UI_REQ_CONFIRM, /* the dialog's answer: apply (flow_confirm yes) */
	UI_REQ_CANCEL,  /* the dialog's answer: cancel (flow_confirm no) */
};

struct ui_request {
	enum ui_request_kind kind;
	const struct stage_cfg *stage;
	const struct pipeline *pipe;   /* UI_REQ_ACTION */
	enum action action;            /* UI_REQ_ACTION */
	char scope[REQUEST_SCOPE_MAX]; /* UI_REQ_ACTION: the scope typed, or "" */
};

struct ui_change {
	unsigned what; /* UI_* bits; 0: the key changed nothing */
	struct ui_request request;
	bool copy_all; /* UI_CLIPBOARD: every pipeline (C), not the selected one (c) */
};

/* Applies key code ch to the ui's state at monotonic time now (notices last 3 s from it).
   Never draws, never talks to the poller: the caller does what the result asks. */
struct ui_change ui_key(struct ui *ui, int ch, double now);
/* A mouse event as the screen takes it (issue 17, item 11): at screen row y, column x. */
enum ui_mouse_what { MOUSE_CLICK, MOUSE_DOUBLE, MOUSE_WHEEL_UP, MOUSE_WHEEL_DOWN };
struct ui_mouse {
	enum ui_mouse_what what;
	int y, x;
};
/* Applies a mouse event at monotonic time now to the ui's state, as ui_key does a key: on
   the pipelines a click selects the stage under it (a pane's other rows: its pipeline), and a
   double click (or a second click on the row within 0.4 s) opens it too; the wheel moves the
   selection there, scrolls the detail view and the help. The dialog, the prompts, a terminal
   too small and the wallboard take none. */
struct ui_change ui_mouse(struct ui *ui, const struct ui_mouse *m, double now);
/* A new question of the dialog (a flow asking again): its scroll and typed count cleared. */
void ui_dialog_reset(struct ui *ui);
/* A one-line notice in the footer for 3 s from monotonic time now. */
void ui_notice(struct ui *ui, double now, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* The notice that says the poller took the request; call when it did. */
void ui_request_taken(struct ui *ui, const struct ui_request *rq, double now);

#endif
