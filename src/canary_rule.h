/* canary_rule.h: the canary's runbook rule, canary-lost (rule_def.c's generic table). Pure. */
#ifndef SYNCTOP_CANARY_RULE_H
#define SYNCTOP_CANARY_RULE_H

#include "snapshot.h"

/* Adds canary-lost to pv (crit, on the stage of the hop where the marker stopped, whose status
   it raises) when its canary is lost at `now` (wall). */
void canary_evaluate(struct pipeline_view *pv, double now);

#endif
