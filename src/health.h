/* health.h: thresholds and runbook rules turn samples into statuses and diagnoses. Pure. */
#ifndef SYNCTOP_HEALTH_H
#define SYNCTOP_HEALTH_H

#include "snapshot.h"

/* Sets every stage's status and reason, each pipeline's status and diagnoses, and the overall status. */
void health_evaluate(struct snapshot *snap);

#endif
