/* canary.h: the end-to-end canary of a pipeline: its state machine (idle, in flight hop by hop,
   done or lost), pure; canary_run.h drives it from the poller's workers. */
#ifndef SYNCTOP_CANARY_H
#define SYNCTOP_CANARY_H

#include <stdbool.h>
#include <stddef.h>

#include "canary_state.h"
#include "config.h"

/* Checks a pipeline with canary = true once its stages are built: its first stage must insert a
   marker and some stage must see it. False with why in msg. */
bool canary_check(const struct pipeline *pl, char *msg, size_t n);

/* A pipeline's canary, off (with why) or idle with its hops. */
void canary_init(struct canary_state *c, const struct pipeline *pl, const char *off_reason);

/* Whether a marker is due now (wall): idle, and canary.interval since the last one ended. */
bool canary_due(const struct canary_state *c, const struct canary_cfg *cfg, double now);
/* A marker committed at `at` (wall) as row `row`. */
void canary_inserted(struct canary_state *c, const char *marker, long long row, double at);
/* A step failed (the insert, a hop check): err kept for the pane; an insert that failed ends
   the attempt (the next is due canary.interval later). */
void canary_failed(struct canary_state *c, const char *err, bool insert, double now);
/* The hop awaited was seen at `at` (wall); true when that was the last: the canary is done,
   its times are the last ones, and it is idle again. */
bool canary_seen(struct canary_state *c, double at);
/* Marks the marker in flight lost once canary.timeout has passed since its insert: true the
   first time. It stays awaited (a late marker still completes). */
bool canary_expire(struct canary_state *c, const struct canary_cfg *cfg, double now);

/* The hop's name as shown: "outbox", "kafka", "index" (the stage kind's own word, but for the
   one a user calls an index). */
const char *canary_hop_name(const struct canary_state *c, size_t hop);
/* "canary 1.8s: outbox 0.2 · kafka 0.5 · index 1.1" (the last canary), "canary lost at outbox:
   inserted 2m ago, not seen since", "canary: first marker in flight", or "canary off
   (read-only: --once)", in buf; returns buf. now is wall time. */
const char *canary_line(const struct canary_state *c, double now, char *buf, size_t n);

#endif
