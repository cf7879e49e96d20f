/* probe.h: the probe interface: how a kind reads its stage through its backend's session. */
#ifndef SYNCTOP_PROBE_H
#define SYNCTOP_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "sample.h"

struct probe_ctx {
	const struct config *cfg;
	const struct stage_cfg *st;
	void *session;         /* from the backend of st->conn->kind (backend/backend.h) */
	double deadline;       /* monotonic: the poll must return by then */
	json_t **memo;         /* probe-private state kept across polls of this stage (owned reference) */
	unsigned long poll_no; /* 0 on the first poll of this stage */
	unsigned long round;   /* the poller's round: what a backend fetched in this round can be reused */
	void **aux;            /* probe-private native state (a second session, say), closed by aux_close */
};

/* Poll results: PROBE_BROKEN tells the worker to drop the session and reconnect with backoff. */
enum probe_result { PROBE_OK, PROBE_FAILED, PROBE_BROKEN };

struct kind_action; /* kinds/act.h */

/* A kind's part of the end-to-end canary (canary.h), on the worker's thread with the stage's
   session and a deadline; each NULL when the kind has no such part. m holds "marker" (the id),
   "sql" (canary.insert or canary.cleanup, or null: the kind's default), and once inserted "row"
   and "at" (wall time of the commit). insert and cleanup write, and run only through the write
   executor (exec.h): the insert in one transaction, answering {"row": ID, "sent": TEXT}; the
   cleanup {"affected": N, "sent": TEXT}. hop reads, right after a good poll of the stage (cur,
   whose poll started at wall time polled): *seen when the marker has passed the stage; "hop"
   in m is its own state between calls (an object it may fill: what it waits for), "since"
   the wall time the hop before saw the marker (a figure read before then proves nothing). */
struct probe_canary {
	enum probe_result (*insert)(const struct probe_ctx *ctx, const json_t *m, json_t **out, char *err,
	                            size_t n);
	enum probe_result (*hop)(const struct probe_ctx *ctx, const struct sample *cur, double polled,
	                         json_t *m, bool *seen, char *err, size_t n);
	enum probe_result (*cleanup)(const struct probe_ctx *ctx, const json_t *m, json_t **out, char *err,
	                             size_t n);
	/* The hop exists only with canary.cache_key set, which m then holds, the marker put in, as
	   "cache_key". */
	bool keyed;
};

struct probe {
	/* Fills out->metrics (pre-filled with nulls), out->raw and out->detail, or out->err. */
	enum probe_result (*poll)(const struct probe_ctx *ctx, struct sample *out);
	/* Queues the statements the next poll (ctx as it will be) will run, for the worker to send
	   those of all its stages in one round trip first (backend.h prefetch_run); may be NULL. */
	void (*prefetch)(const struct probe_ctx *ctx);
	/* Derives rates from the previous sample (dt = cur->mono - prev->mono); may be NULL. Pure. */
	void (*derive)(const struct stage_cfg *st, const struct sample *prev, struct sample *cur);
	/* An operation run only when asked for (a REQ_SAMPLE request, poller_submit), never by periodic
	   polling: fills *result with a JSON object, or err. May be NULL. */
	enum probe_result (*sample)(const struct probe_ctx *ctx, json_t **result, char *err, size_t n);
	/* Frees *ctx->aux, on the worker's thread when it stops; may be NULL. */
	void (*aux_close)(void *aux);
	/* The kind's actions (kinds/act.h), ended by {ACTION_NONE}; NULL: none. Each is also in
	   the kind's `actions` set (kind.h). Run only by the write executor. */
	const struct kind_action *actions;
	/* The stage's part of the end-to-end canary (canary.h); NULL: none. */
	const struct probe_canary *canary;
};

#endif
