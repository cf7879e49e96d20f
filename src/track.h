/* track.h: each stage's and diagnosis's state across evaluations: damping, since, events. */
#ifndef SYNCTOP_TRACK_H
#define SYNCTOP_TRACK_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "events.h"
#include "snapshot.h"

/* Runs after health_evaluate, on every evaluated snapshot, and rewrites what it shows:
   - damping: a worse status or a new diagnosis shows once it has held for `confirm`
     consecutive evaluations of its stage, a better status or a gone diagnosis once it has
     held for `clear` (until then the previous one stays, reason and text included). Only an
     evaluation of a new sample counts (the stage's cur.mono changed), not a redraw. A stage's
     first evaluation (no state yet) is taken as it is;
   - since: each stage's since is when its shown status started (the poll that first showed
     it), each diagnosis's since when it first held (since_seen), unless its rule set since
     from the data (kept, since_seen false);
   - events: every change of a stage's shown status, every diagnosis appearing or clearing,
     kept per pipeline (events.h) and written to the log when one is given. */
struct tracker;

struct tracker *tracker_new(const struct config *cfg);
void tracker_free(struct tracker *t);
/* Every change shows at the evaluation that sees it (--once: confirm = clear = 1). */
void tracker_undamped(struct tracker *t);
/* Writes each event's line to log (NULL: none), as it happens. */
void tracker_log_to(struct tracker *t, FILE *log);
/* Damps snap (every stage's status, reason and since, every pipeline's diagnoses and status,
   the overall status), recording the events; now_wall is the time of the events. */
void tracker_update(struct tracker *t, struct snapshot *snap, double now_wall);
/* Pipeline pl's event ago places back from the newest (0 = newest), or NULL past the oldest. */
const struct event *tracker_event(const struct tracker *t, const struct pipeline *pl, size_t ago);

/* Whether confirm.FAMILY / clear.FAMILY names a known family: a stage kind or a rule id. */
bool damping_family_known(const char *family);
/* The evaluations a change must hold: confirm (a worse status, a new diagnosis) or clear, of
   rule (NULL or "" for none) on a stage of kind: the rule's family setting, else the kind's,
   else [synctop]'s. */
int damping_count(const struct config *cfg, bool confirm, const char *kind, const char *rule);

#endif
