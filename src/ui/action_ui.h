/* action_ui.h: the screen's side of actions, pure (no curses): which keys are offered, the target of a key,
 * the dialog's text. */
#ifndef SYNCTOP_UI_ACTION_UI_H
#define SYNCTOP_UI_ACTION_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "action_flow.h"
#include "snapshot.h"

/* The stage's latest ok sample, the one offers are judged from, or NULL when none is kept. */
const struct sample *stage_latest_ok(const struct stage_view *sv);

/* Whether action a applies to the stage now (stage_action_offered on its latest ok sample);
   never before the stage was read once (nothing to judge from). */
bool ui_action_offered(const struct stage_view *sv, enum action a, char *why, size_t n);

/* The stage a key of action a acts on: the selected stage sel when its kind has the action,
   else, for the worker's actions (pause, resume, stop), the first stage of pv where it is
   offered now. NULL, with why, when the action does not
   apply now (the selected stage's reason, or the first reason of a stage that has it). */
const struct stage_view *ui_action_target(const struct pipeline_view *pv, const struct stage_view *sel,
                                          enum action a, char *why, size_t n);

/* The keys of the actions offered now on sv: "F refresh  p pause" (words) or "F p". */
void ui_action_keys(const struct stage_view *sv, bool words, char *buf, size_t n);

/* The keys that act now with sv selected in pv (ui_action_target finds a stage): the
   footer's "F refresh  p pause". */
void ui_action_footer(const struct pipeline_view *pv, const struct stage_view *sv, char *buf, size_t n);

/* The detail view's line for action a on sv, false when its kind has no such action:
   "F  force an index refresh" when it applies now, else without the key, with why:
   "restore-refresh: not now: refresh_interval is 1s, not -1". */
bool ui_action_line(const struct stage_view *sv, enum action a, char *buf, size_t n);

/* A diagnosis's next line with the key that fixes it when its action is offered now on its
   stage (never read_only): "next (key u): resume the relay". */
void ui_diag_next(const struct pipeline_view *pv, const struct diagnosis *d, char *buf, size_t n,
                  bool read_only);

/* What action a does on each kind that has it, one "KIND: DOES" line each, for the help
   screen and synctop(1) (kind_action.does); "" when no kind of this build has it. */
void ui_action_does(enum action a, char *buf, size_t n);

/* The confirmation dialog of a flow asking (FLOW_ASKING), wrapped to width columns. */
struct dialog_line {
	char *text;
	bool bold;
};
struct dialog {
	char title[128];          /* " refresh: force an index refresh " */
	struct dialog_line *body; /* pinned target, summary, preview lines, what it does */
	size_t n_body;
	char prompt[192]; /* what the operator types: "y applies; any other key cancels" */
	char cancel[32];  /* the button with the focus: "[ Cancel ]" */
	char apply[48];   /* the other: "[ y: apply ]" */
};
/* Builds the dialog of f (typed: the digits typed so far when the count must be typed; note:
   why it asks again, shown first, or ""). */
void dialog_build(const struct act_flow *f, const char *typed, const char *note, int width, struct dialog *d);
void dialog_free(struct dialog *d);

#endif
