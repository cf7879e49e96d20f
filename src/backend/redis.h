/* redis.h: a Redis session for probes: hiredis 0.14, blocking calls bounded by a timeout. */
#ifndef SYNCTOP_BACKEND_REDIS_H
#define SYNCTOP_BACKEND_REDIS_H

#include <hiredis/hiredis.h>

#include "probe.h"

extern const struct backend redis_backend;

/* One command (argv, never a format string) before the deadline; NULL with the reason in err.
   A NULL with *broken set means the connection must not be used again (hiredis 0.14 cannot
   recover from a command timeout). The caller frees the reply with freeReplyObject. */
redisReply *redis_call(redisContext *c, double deadline, int argc, const char **argv, char *err, size_t n,
                       bool *broken);

#endif
