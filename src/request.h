/* request.h: what the UI (or --once) asks of a stage through the poller's queue (poller_submit). */
#ifndef SYNCTOP_REQUEST_H
#define SYNCTOP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "actions.h"
#include "config.h"

enum request_op {
	REQ_SAMPLE, /* the kind's on-demand read (probe->sample: key t, --once --sample); reads only */
	REQ_ACTION, /* an action of actions.h in its phase: runs only through the write executor */
};

/* The steps of an action that reach the backend: what would change (reads only), the change,
   then the read-back that shows its effect (reads only). kinds/act.h says what each returns. */
enum action_phase { PHASE_PREVIEW, PHASE_APPLY, PHASE_READBACK };

#define REQUEST_SCOPE_MAX 256

struct request {
	enum request_op op;
	const struct stage_cfg *stage; /* the stage it is about (one of the poller's config) */
	enum action action;            /* REQ_ACTION: which */
	enum action_phase phase;       /* REQ_ACTION: which step */
	char scope[REQUEST_SCOPE_MAX]; /* REQ_ACTION: the scope as given ("failed", "ids:1-20"), or "" */
	/* REQ_ACTION: PHASE_APPLY: the preview it applies (its pin); PHASE_READBACK: the apply's
	   result. poller_submit takes a copy; the event owns it (request_event_clear). */
	json_t *arg;
};

/* Whether a and b ask the same (an identical request waiting answers for both: poller_submit). */
static inline bool request_same(const struct request *a, const struct request *b)
{
	if (a->op != b->op || a->stage != b->stage)
		return false;
	if (a->op != REQ_ACTION)
		return true;
	bool same_arg = (!a->arg && !b->arg) || (a->arg && b->arg && json_equal(a->arg, b->arg));
	return a->action == b->action && a->phase == b->phase && !strcmp(a->scope, b->scope) && same_arg;
}

#define REQUEST_ERR_MAX 400

/* What became of a request: one event per request the queue took, in the order they ended. */
struct request_event {
	unsigned long id;   /* poller_submit's */
	struct request req; /* the request as submitted */
	bool ok;
	char err[REQUEST_ERR_MAX]; /* when !ok: why, on one line, secrets scrubbed */
	json_t *result;            /* when ok: the answer (owned by the event), as the operation made it */
};

#endif
