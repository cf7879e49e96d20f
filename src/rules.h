/* rules.h: the toolkit the rules of every kind share (rules.c): statuses, levels, diagnoses. */
#ifndef SYNCTOP_RULES_H
#define SYNCTOP_RULES_H

#include "snapshot.h"
#include "util.h"

/* Raises a stage's status, keeping the reason of the worst finding. */
void raise_status(struct stage_view *sv, enum status s, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* ST_CRIT at or above crit, ST_WARN at or above warn, else ST_OK. */
enum status level(double v, double warn, double crit);
/* A new diagnosis of the pipeline, about the stage; the caller fills symptom, evidence, next. */
struct diagnosis *add_diag(struct pipeline_view *pv, const struct stage_view *sv, const char *rule,
                           enum status sev, enum action action);

/* Sets d->since: the stage's sample time less the duration in metric for_metric
   (paused_for_s); seen when that duration is since synctop first saw it (a memo), not a time
   the server keeps. Leaves it 0 when the metric is not known. */
void diag_since_from(struct diagnosis *d, const struct stage_view *sv, const char *for_metric, bool seen);

#endif
