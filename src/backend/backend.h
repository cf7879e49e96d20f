/* backend.h: backend sessions (libpq, librdkafka, hiredis, libcurl), one per connection. */
#ifndef SYNCTOP_BACKEND_H
#define SYNCTOP_BACKEND_H

#include <stddef.h>

#include "config.h"

/* A backend session: one per connection, owned by that connection's poll worker. */
struct backend {
	enum conn_kind kind;
	/* Opens a session before the monotonic deadline, or returns NULL with a redacted reason. */
	void *(*open)(const struct config *cfg, const struct conn *c, double deadline, char *err, size_t n);
	void (*close)(void *session);
	/* Sends what the probes' prefetch queued for this round in one round trip (pg.h); NULL for
	   a backend without. False with the reason in err when the session must be dropped. */
	bool (*prefetch_run)(void *session, unsigned long round, double deadline, char *err, size_t n);
	/* Forgets the answers no poll took (the stages they were for are polled). */
	void (*prefetch_end)(void *session);
};

/* The registry (backend/registry.c): NULL-terminated; a backend built out has no entry. */
extern const struct backend *const backends[];

const struct backend *backend_for(enum conn_kind kind);

#endif
