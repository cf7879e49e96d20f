/* range.h: the monitoring-plugin threshold ranges ([@][start:][end]) and perfdata numbers. */
#ifndef SYNCTOP_RANGE_H
#define SYNCTOP_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "kinds/kind.h"

/* A range of the monitoring-plugin guideline: a value alerts when it is outside [start, end]
   (both ends included), or inside it with '@'. An open end is -INFINITY ('~') or INFINITY
   (an end left out). */
struct range {
	double start, end;
	bool inside; /* '@' */
};

/* Parses "10", "10:", "~:10", "10:20", "@10:20" (floats, negatives) in the unit the metric
   shows in perfdata: a duration's ends may be written 5m or 1m30s (seconds), a size's 1GiB
   (bytes), a ratio's in percent (80 or 80%). False with why in why (one phrase) when bad. */
bool range_parse(const char *s, enum metric_unit unit, struct range *r, char *why, size_t n);
/* Whether v (in the range's unit) alerts. */
bool range_alerts(const struct range *r, double v);
/* The range as the guideline writes it, shortest: "10", "10:", "~:10", "@10:20"; returns buf. */
const char *range_format(const struct range *r, char *buf, size_t n);

/* A number as perfdata wants it: plain decimal, no exponent, at most 6 decimals ("1284",
   "0.25", "-3.5"); returns buf. */
const char *perf_number(double v, char *buf, size_t n);
/* What the perfdata of a metric of unit u multiplies its value by: 100 for a ratio (%), else 1. */
double perf_scale(enum metric_unit u);

#endif
