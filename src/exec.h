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
/* --serve with a pipeline whose canary = true: an executor that runs the canary's insert and
   cleanup alone (executor_canary); every REQ_ACTION is refused. */
struct executor *executor_new_canary(const struct config *cfg);
void executor_free(struct executor *ex);
/* False for executor_new_canary's: no action (REQ_ACTION) may run through it. */
bool executor_takes_actions(const struct executor *ex);

/* The canary's write on the worker's thread (kinds/probe.h canary_insert, or canary_cleanup
   when cleanup), with ctx's session and deadline; m as canary_insert takes it. */
enum probe_result executor_canary(struct executor *ex, const struct probe_ctx *ctx, bool cleanup,
                                  const json_t *m, json_t **result, char *err, size_t n);

/* Runs the REQ_ACTION req on the worker's thread with ctx's session and deadline: its kind's
   preview, apply or readback (kinds/act.h); fills *result, or err. */
enum probe_result executor_run(struct executor *ex, const struct probe_ctx *ctx, const struct request *req,
                               json_t **result, char *err, size_t n);

/* With SYNCTOP_TRACE_EXECUTOR set in the environment, appends to the log file (log_file) whether
   this run can write: "write executor: ready" or "write executor: none (read-only: WHY)". The
   tests prove with it that the read-only modes have none. */
void executor_trace(const struct config *cfg, bool present, const char *why);
/* The same for an executor_new_canary one: "write executor: canary only (--serve)". */
void executor_trace_canary(const struct config *cfg, const char *mode);

#endif
