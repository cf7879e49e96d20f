/* redis_tls.h: TLS for rediss:// (hiredis 1.0 or later with hiredis_ssl, when configure found it). */
#ifndef SYNCTOP_BACKEND_REDIS_TLS_H
#define SYNCTOP_BACKEND_REDIS_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

/* Whether this build speaks TLS to Redis. */
extern const bool redis_tls_built;

/* Starts TLS on a connected context before the deadline: the server's chain is verified
   against ca_file (NULL: the system's CAs) and its certificate must name host (a DNS name or
   an IP address). False with the reason in err; the context must then be freed. */
bool redis_tls_start(redisContext *rc, const char *host, const char *ca_file, double deadline, char *err,
                     size_t n);

#endif
