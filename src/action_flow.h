/* action_flow.h: one action's lifecycle, shared by the keys and `synctop action`: preview,
   confirmation, apply, read-back, audit (DESIGN.md, "Actions"). */
#ifndef SYNCTOP_ACTION_FLOW_H
#define SYNCTOP_ACTION_FLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "actions.h"
#include "audit.h"
#include "config.h"
#include "poller.h"

enum flow_state {
	FLOW_IDLE,       /* nothing under way */
	FLOW_PREVIEWING, /* the preview was asked for */
	FLOW_ASKING,     /* the preview is shown: the operator confirms or cancels (flow_confirm) */
	FLOW_APPLYING,   /* the write was sent */
	FLOW_READBACK,   /* applied: reading back until the effect shows or confirm_timeout passes */
	FLOW_DONE,       /* ended: result and line say how; the audit line is written */
};

/* Replays of more rows than this are confirmed by typing the row count. */
#define FLOW_TYPE_COUNT_ABOVE 100
/* Between two read-backs. */
#define FLOW_READBACK_EVERY_S 1.0

#define FLOW_LINE_MAX 512

struct act_flow {
	enum flow_state state;
	const struct config *cfg;
	struct poller *p;
	const struct pipeline *pl;
	const struct stage_cfg *st; /* the pinned stage: every step goes to it, whatever is selected */
	enum action action;
	char scope[REQUEST_SCOPE_MAX];
	unsigned long req; /* the request awaited (0: none) */
	json_t *preview;   /* the pinned preview (kinds/act.h), once it came */
	json_t *applied;   /* the apply's result, once it came */
	json_t *seen;      /* the last read-back's result */
	int64_t previewed; /* the preview's count, or AUDIT_UNKNOWN */
	int64_t affected;  /* the apply's, or AUDIT_UNKNOWN */
	json_t *repreview; /* FLOW_DONE, refused because the target changed: the new preview */
	bool usage_error;  /* FLOW_DONE, refused before anything was asked: the request was wrong
	                      (no such action here, a bad scope): `synctop action` exits 3 */
	double t_start;    /* monotonic: the key or the command */
	double t_preview;  /* when the preview came (0: not yet) */
	double t_applied;  /* when the apply answered */
	double t_done;     /* when it ended */
	double next_readback;
	enum audit_result result; /* FLOW_DONE: how it ended */
	bool audited;             /* the audit line is written */
	char line[FLOW_LINE_MAX]; /* what to show now, on one line: progress, then the result */
	char audit_err[256];      /* FLOW_DONE: why the audit line could not be written, or "" */
};

/* Starts action a on the pinned stage st of pl (scope "" for none): checks the scope, and
   with cur (the stage's latest ok sample; NULL: none) that the action applies now, then asks
   for the preview. False, with the flow ended (refused, audited) and the reason in f->line,
   when it cannot start: read-only, no such action, a bad scope, not applicable now. */
bool flow_start(struct act_flow *f, const struct config *cfg, struct poller *p, const struct pipeline *pl,
                const struct stage_cfg *st, enum action a, const char *scope, const struct sample *cur);

/* Gives the flow a poller event: true when it was the flow's (the caller then clears it). */
bool flow_event(struct act_flow *f, const struct request_event *ev);

/* The operator's answer in FLOW_ASKING: yes applies the pinned preview (after checking the
   audit log can be written), no cancels (refused, "cancelled"). */
void flow_confirm(struct act_flow *f, bool yes);

/* Whether the confirmation must be typed (the row count) rather than a single y. */
bool flow_needs_typed_count(const struct act_flow *f);

/* Time passes (monotonic now): asks for a read-back every FLOW_READBACK_EVERY_S and ends
   unconfirmed after confirm_timeout. */
void flow_tick(struct act_flow *f, double now);

/* After a refusal because the target changed (f->repreview): asks again with the new
   preview, as a new action (FLOW_ASKING). False when there is none. */
bool flow_ask_again(struct act_flow *f);

/* Ends a flow still under way (quit): asking becomes refused ("cancelled: WHY"), an applied
   action unconfirmed (WHY); audited. */
void flow_abort(struct act_flow *f, const char *why);

/* Frees what the flow holds; it is FLOW_IDLE again. A flow cleared while FLOW_ASKING leaves
   no audit line: `synctop action --dry-run` (a preview is a read, not an action). */
void flow_clear(struct act_flow *f);

/* The JSON of the flow for `synctop action --format json`: action, pipeline, stage, scope,
   target, preview, applied, readback, result, reason, durations (new reference). */
json_t *flow_json(const struct act_flow *f);

#endif
