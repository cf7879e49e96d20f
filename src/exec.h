/* exec.h: the write executor: the one path every write of synctop takes (actions.h). */
#ifndef SYNCTOP_EXEC_H
#define SYNCTOP_EXEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "kinds/probe.h"
#include "request.h"

struct executor;

/* Only a mode that may write creates one: never under --read-only, read_only = true,
   --wallboard or --once. Without one no code path can write: the poller refuses every
   REQ_ACTION (poller_attach_executor), and nothing else sends a write. */
struct executor *executor_new(const struct config *cfg);
void executor_free(struct executor *ex);

/* Runs the REQ_ACTION req on the worker's thread with ctx's session and deadline: its kind's
   preview, apply or readback (kinds/act.h); fills *result, or err. */
enum probe_result executor_run(struct executor *ex, const struct probe_ctx *ctx, const struct request *req,
                               json_t **result, char *err, size_t n);

/* With SYNCTOP_TRACE_EXECUTOR set in the environment, appends to the log file (log_file) whether
   this run can write: "write executor: ready" or "write executor: none (read-only: WHY)". The
   tests prove with it that the read-only modes have none. */
void executor_trace(const struct config *cfg, bool present, const char *why);

#endif
