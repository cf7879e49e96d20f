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

struct canary_run;
struct executor;

/* Every pipeline's canary, off ("read-only: no write executor") until canary_run_enable. */
struct canary_run *canary_run_new(const struct config *cfg);
void canary_run_free(struct canary_run *cr);
/* The poller got a write executor: the opted-in canaries run. */
void canary_run_enable(struct canary_run *cr);
/* After a good poll of ctx->st on its worker (cur: its sample): the canary steps due on that
   stage now (a cleanup or an insert through ex, a hop check). PROBE_BROKEN when the session
   broke. */
enum probe_result canary_run_stage(struct canary_run *cr, struct executor *ex, const struct probe_ctx *ctx,
                                   const struct sample *cur, const char *const *secrets);
/* Pipeline i's canary as it stands, in *out. */
void canary_run_get(struct canary_run *cr, size_t i, struct canary_state *out);

#endif
