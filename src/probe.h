/* probe.h: the probe interface (one file per stage kind) and the backend sessions they share. */
#ifndef SYNCTOP_PROBE_H
#define SYNCTOP_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "sample.h"

/* A backend session: one per connection, owned by that connection's poll worker. */
struct backend {
	enum conn_kind kind;
	/* Opens a session before the monotonic deadline, or returns NULL with a redacted reason. */
	void *(*open)(const struct config *cfg, const struct conn *c, double deadline, char *err, size_t n);
	void (*close)(void *session);
};

struct probe_ctx {
	const struct config *cfg;
	const struct stage_cfg *st;
	void *session;         /* from the backend of st->conn->kind */
	double deadline;       /* monotonic: the poll must return by then */
	json_t **memo;         /* probe-private state kept across polls of this stage (owned reference) */
	unsigned long poll_no; /* 0 on the first poll of this stage */
	unsigned long round;   /* the poller's round: what a backend fetched in this round can be reused */
	void **aux;            /* probe-private native state (a second session, say), closed by aux_close */
};

/* Poll results: PROBE_BROKEN tells the worker to drop the session and reconnect with backoff. */
enum probe_result { PROBE_OK, PROBE_FAILED, PROBE_BROKEN };

struct probe {
	const char *name; /* the stage kind word: "outbox" */
	enum stage_kind kind;
	const char *const *metrics; /* NULL-terminated, in contract order: every one is present in a sample */
	const char *main_metric;    /* the figure a sparkline follows */
	/* Fills out->metrics (pre-filled with nulls), out->raw and out->detail, or out->err. */
	enum probe_result (*poll)(const struct probe_ctx *ctx, struct sample *out);
	/* Derives rates from the previous sample (dt = cur->mono - prev->mono); may be NULL. Pure. */
	void (*derive)(const struct stage_cfg *st, const struct sample *prev, struct sample *cur);
	/* An operation run only when asked for (poller_request_sample), never by periodic polling:
	   fills *result with a JSON object, or err. May be NULL. */
	enum probe_result (*sample)(const struct probe_ctx *ctx, json_t **result, char *err, size_t n);
	/* Frees *ctx->aux, on the worker's thread when it stops; may be NULL. */
	void (*aux_close)(void *aux);
};

/* The registries (probes.c): NULL-terminated; a kind built out has no entry. */
extern const struct probe *const probes[];
extern const struct backend *const backends[];

const struct probe *probe_for(enum stage_kind kind);
const struct backend *backend_for(enum conn_kind kind);

/* A sample whose metrics object holds every metric name of the probe, as null. */
void probe_sample_prepare(const struct probe *p, struct sample *s);

/* connector.c: a GET /connectors/NAME/status answer (j, from path) into out; memo as in
   probe_ctx. Pure: the connector probe's parser, for the fuzzer (tests/fuzz/fuzz_connect.c). */
enum probe_result connector_read(const json_t *j, const char *path, json_t **memo, struct sample *out);

#endif
