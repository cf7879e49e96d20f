/* threshold.h: the thresholds in force for a stage's metrics: the kinds' KIND.*_warn/_crit
   options, or the --warn/--crit overrides of --once, as monitoring-plugin ranges; and the
   generic "threshold" rule an override raises. */
#ifndef SYNCTOP_THRESHOLD_H
#define SYNCTOP_THRESHOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "range.h"
#include "snapshot.h"

/* One --warn or --crit SPEC: [PIPELINE/]KIND.METRIC=RANGE. */
struct threshold {
	char *spec;     /* as given, for messages */
	char *pipeline; /* NULL: every pipeline with a stage of the kind */
	const struct kind *kind;
	const struct metric_def *metric;
	bool crit;
	struct range range;
};

struct thresholds {
	struct threshold *items;
	size_t n;
};

/* Parses SPEC (of --crit when crit, else --warn) into t: false with a one-line reason in msg
   naming the spec (unknown kind, unknown metric, not numeric, bad range). */
bool thresholds_add(struct thresholds *t, const char *spec, bool crit, char *msg, size_t n);
/* Checks t against cfg (each PIPELINE exists and has the kind's stage; some pipeline has it),
   turns off the kind's own options each override replaces (set to never: the kind's rules
   no longer hold the metric to them), and hangs t on cfg. False with the reason in msg. */
bool thresholds_apply(const struct thresholds *t, struct config *cfg, char *msg, size_t n);
void thresholds_free(struct thresholds *t);

/* The range in force (perfdata unit, range.h) for metric m of stage st of pipeline pl: the
   override (a PIPELINE/ one before a general one; the last given wins), else the kind's
   option converted ("at or above N" is the range N-1 for whole numbers, @N: otherwise). False
   when there is none (no option, or turned off). */
bool threshold_in_force(const struct config *cfg, const struct pipeline *pl, const struct stage_cfg *st,
                        const struct metric_def *m, bool crit, struct range *r);
/* True when an override (not the kind's option) sets it. */
bool threshold_overridden(const struct config *cfg, const struct pipeline *pl, const struct stage_cfg *st,
                          const struct metric_def *m, bool crit);

/* True for the units perfdata and ranges measure (counts, durations, sizes, ratios, rates). */
bool metric_numeric(const struct metric_def *m);

/* Raises sv's status by the overrides on its metrics, a "threshold" diagnosis each (after the
   kind's own rules; health.c). */
void thresholds_evaluate(const struct config *cfg, struct pipeline_view *pv, struct stage_view *sv);

#endif
