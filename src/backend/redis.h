/* redis.h: a Redis session for probes: hiredis 0.14, every exchange bounded by a deadline and a cap. */
#ifndef SYNCTOP_BACKEND_REDIS_H
#define SYNCTOP_BACKEND_REDIS_H

#include <hiredis/hiredis.h>

#include "backend/backend.h"

extern const struct backend redis_backend;

/* The most a reply (or a pipeline of replies) may hold: INFO is a few kB to a few hundred kB,
   so a reply past this comes from something that is not a sane Redis (synctop.conf(5)). */
#define REDIS_REPLY_MAX (1u << 20)

/* One command (argv, never a format string), sent and answered in full before the deadline and
   within REDIS_REPLY_MAX bytes; NULL with the reason in err.
   A NULL with *broken set means the connection must not be used again (hiredis 0.14 cannot
   recover from a command timeout). The caller frees the reply with freeReplyObject. */
redisReply *redis_call(redisContext *c, double deadline, int argc, const char **argv, char *err, size_t n,
                       bool *broken);

/* INFO (its default sections), asked once per round on a session: every stage of the
   connection polled in round `round` (probe_ctx.round; 0: never shared) reads the same reply.
   The text stays valid until the next call on this thread or the session's close; NULL with
   err and *broken as redis_call, or with an error reply or one that is not text. */
const char *redis_info_round(redisContext *c, unsigned long round, double deadline, char *err, size_t n,
                             bool *broken);

/* SELECT the database of the URL (/DB, default 0): only what reads keys needs it, so that a
   user allowed INFO alone can still be polled. */
bool redis_select_url_db(redisContext *c, const char *url, double deadline, char *err, size_t n,
                         bool *broken);
/* The same, with no SELECT when the URL's database is 0: a new connection is already there,
   and no probe SELECTs any other than the URL's. */
bool redis_use_url_db(redisContext *c, const char *url, double deadline, char *err, size_t n, bool *broken);

/* The same command with one more argument, once per argument in args, pipelined (one round
   trip): replies[i] for args[i] (the caller frees each). False with the reason in err and
   *broken set when the connection failed on the way; replies are then all NULL. */
bool redis_call_each(redisContext *c, double deadline, const char *cmd, size_t count, const char *const *args,
                     redisReply **replies, char *err, size_t n, bool *broken);

#endif
