/* cause.h: the root-cause pass: within a pipeline, a finding that an upstream one explains
   becomes its consequence (health.c runs it after every stage's rules). Pure. */
#ifndef SYNCTOP_CAUSE_H
#define SYNCTOP_CAUSE_H

#include "snapshot.h"

/* Links each diagnosis of pv that another explains (rule_def.h's roles) to its root:
   `because` names the root ("outbox: worker-stalled"), the severity is at most warn, the
   action none, and the next step points at the root. A stage whose status came from such
   findings alone is at most warn too. */
void causes_link(struct pipeline_view *pv);

/* The diagnosis already found at or before sv's stage (flow order) that stops or slows what
   reaches sv (a RULE_CAUSE), the most upstream; NULL when none. For rules that must not fire
   at all while one holds (dual-write-loss). */
const struct diagnosis *cause_upstream(const struct pipeline_view *pv, const struct stage_view *sv);

/* What the stages before sv hold on their way to it (their kinds' in_flight), summed, in *n;
   false when no stage before it can tell. */
bool in_flight_upstream(const struct pipeline_view *pv, const struct stage_view *sv, double *n);

#endif
