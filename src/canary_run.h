/* canary_run.h: drives every pipeline's canary (canary.h) from the poller's workers: the
   insert and cleanup through the write executor, audited; each hop's check on its stage's
   worker, after its poll, with the connection's deadline. */
#ifndef SYNCTOP_CANARY_RUN_H
#define SYNCTOP_CANARY_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "canary.h"
#include "config.h"
#include "kinds/probe.h"
#include "snapshot.h"

struct canary_run;
struct executor;

/* Every pipeline's canary, off ("read-only: no write executor") until canary_run_enable. */
struct canary_run *canary_run_new(const struct config *cfg);
void canary_run_free(struct canary_run *cr);
/* The opted-in canaries run through ex (the screen's, or --serve's); nothing when ex is NULL. */
void canary_run_enable(struct canary_run *cr, const struct executor *ex);
/* After a good poll of ctx->st on its worker (cur: its sample): the canary steps due on that
   stage now (a cleanup or an insert through ex, a hop check). PROBE_BROKEN when the session
   broke. */
enum probe_result canary_run_stage(struct canary_run *cr, struct executor *ex, const struct probe_ctx *ctx,
                                   const struct sample *cur, const char *const *secrets);
/* Every pipeline's canary as it stands, into its view of snap (made for the same config). */
void canary_run_view(struct canary_run *cr, struct snapshot *snap);

#endif
