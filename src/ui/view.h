/* view.h: the state the screen code shares: what is shown, selected, filtered, frozen. */
#ifndef SYNCTOP_UI_VIEW_H
#define SYNCTOP_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "action_flow.h"
#include "config.h"
#include "poller.h"
#include "snapshot.h"
#include "track.h"
#include "ui/keys.h"
#include "ui/theme.h"
#include "ui/opts.h"

#define TERM_MIN_COLS 60
#define TERM_MIN_ROWS 15

struct ui {
	const struct config *cfg;
	struct tui_opts opts;
	bool read_only;
	struct theme theme;
	struct poller *poller;
	struct snapshot snap; /* evaluated and damped (track.h); what is drawn */
	/* The stages' state across snapshots: damping, since, the events (tui.c owns it; NULL in
	   tests without one). */
	struct tracker *track;
	bool have_snap;
	double last_complete; /* wall time of the last complete round */

	unsigned view; /* VIEW_MAIN, VIEW_DETAIL or VIEW_WALLBOARD */
	bool help;     /* the help screen is over the view */
	bool frozen;   /* space: the display keeps the snapshot it has */
	bool sort_worst;
	double interval;

	char filter[64];
	bool filter_editing;
	char filter_edit[64];

	char sel_pipe[128]; /* selection by name: it follows its pipeline when the order changes */
	bool sel_chosen;    /* false until the user moves it: the selection stays on the top pane */
	size_t sel_stage;
	int scroll, detail_scroll, help_scroll;

	/* The action under way or the last one (tui.c owns it; NULL in tests without one): its
	   line shows above the footer, and while it asks (FLOW_ASKING) the dialog owns the keys. */
	const struct act_flow *flow;
	int dialog_scroll;               /* the dialog's body, scrolled with Up/Down/PgUp/PgDn */
	char dialog_typed[24];           /* the row count typed so far, when it must be typed */
	char dialog_note[FLOW_LINE_MAX]; /* why it asks again ("" when it asks the first time) */
	/* The scope prompt of an action that takes one (replay): it owns the keys while open. */
	bool scope_editing;
	char scope_edit[REQUEST_SCOPE_MAX];
	char scope_hint[256]; /* the forms it takes, or why the last one typed was refused */
	const struct stage_cfg *scope_stage;
	const struct pipeline *scope_pipe;
	enum action scope_action;

	char message[160]; /* a one-line notice in the footer */
	double message_until;

	double clock;    /* wall time of the frame being drawn (the wallboard's clock) */
	size_t wb_cycle; /* wallboard: which non-ok pipeline's detail is shown */
	double wb_next;  /* monotonic time of the next cycle */
	int rows, cols;
	/* The figures' width the stage lines are laid out for, and when it was last reached
	   (figures_held in layout.h). */
	int fig_hold;
	double fig_hold_at;

	/* --replay FILE: the time cursor shown in the header ("replay 12:03:41 x4 >"); "" live. */
	char replay[96];

	/* Issue 17, item 11 (the mouse): the last click, for a second one on its row to open. */
	double click_at; /* monotonic time; 0: none */
	int click_y;
};

#endif
