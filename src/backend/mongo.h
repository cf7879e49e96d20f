/* mongo.h: MongoDB sessions for the document stage (libmongoc): one client per connection,
   read commands only, each bounded by the poll's deadline. Commands and answers cross this
   interface as canonical extended JSON (jansson), so that no kind needs libbson. */
#ifndef SYNCTOP_BACKEND_MONGO_H
#define SYNCTOP_BACKEND_MONGO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend/backend.h"

extern const struct backend mongo_backend;

/* The commands a session runs: those that read. Anything else (an insert, a $out or $merge
   stage in an aggregate) is refused before it is sent, whatever a caller builds. */
bool mongo_command_reads(const json_t *cmd, char *why, size_t n);

/* Runs the read command cmd (an object whose first key is the command's name) on database db
   before the monotonic deadline: the server's answer as canonical extended JSON ({"n":
   {"$numberInt": "3"}, "ok": {"$numberDouble": "1.0"}}), or NULL with the reason in err (the
   driver's or the server's message, with the server's code name). */
json_t *mongo_command(void *session, const char *db, const json_t *cmd, double deadline, char *err, size_t n);

#endif
