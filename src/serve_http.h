/* serve_http.h: the exporter's HTTP side (serve_http.c, libmicrohttpd) as its loop (serve.c) drives it. */
#ifndef SYNCTOP_SERVE_HTTP_H
#define SYNCTOP_SERVE_HTTP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "serve_opts.h"

/* The bodies of the latest poll, rendered once per evaluation: a scrape copies them under
   the lock and never touches the poller or a backend. */
struct serve_state {
	pthread_mutex_t lock;
	char *metrics; /* NULL until the first evaluation */
	size_t metrics_len;
	char *json;
	size_t json_len;
	double last_complete; /* wall: when every stage last finished a round (0: never) */
	double started;       /* wall: when the exporter started */
	double interval_s;
	const struct serve_auth *auth; /* NULL: no authentication */
};

/* Replaces the bodies with metrics and json (malloc'd, taken over) and the round's time. */
void serve_publish(struct serve_state *st, char *metrics, size_t metrics_len, char *json, size_t json_len,
                   double last_complete);

/* /healthz: true when the last complete round is at most 3 intervals old at now (wall);
   else false with why ("no complete round yet (started 12s ago)"). */
bool serve_healthy(double last_complete, double started, double interval_s, double now, char *why, size_t n);

struct serve_tls {
	char *cert; /* PEM text, NULL for plain HTTP */
	char *key;
};

/* Starts answering on addr in threads of its own; NULL with the reason in err. *port is the
   port bound (addr->port, or the one picked for 0). */
struct MHD_Daemon;
struct MHD_Daemon *serve_http_start(struct serve_state *st, const struct serve_addr *addr,
                                    const struct serve_tls *tls, int *port, char *err, size_t n);
void serve_http_stop(struct MHD_Daemon *d);

#endif
