/* poller_secrets.h: the secrets of a poll worker's connections, scrubbed from every error it reports. */
#ifndef SYNCTOP_POLLER_SECRETS_H
#define SYNCTOP_POLLER_SECRETS_H

#include "config.h"

/* Every secret of the connection (inline, or from an _env or _file key; librdkafka password
   properties), longest first, NULL-terminated: libraries echo their input in errors (libpq
   quotes a malformed URI whole). Free with secrets_free (redact.h). */
char **poller_conn_secrets(const struct conn *c);
/* a and b (both consumed) in one list, longest first, each secret once. */
char **poller_secrets_merge(char **a, char **b);

#endif
