/* prometheus.h: the pure parts of the Prometheus renderer (names, escaping), for its unit tests. */
#ifndef SYNCTOP_REPORT_PROMETHEUS_H
#define SYNCTOP_REPORT_PROMETHEUS_H

#include <stdio.h>

#include "kinds/kind.h"

/* A label value as the text format 0.0.4 writes it between quotes: \ " and newline escaped. */
void prom_escape_label(FILE *out, const char *s);
/* A HELP text: \ and newline escaped. */
void prom_escape_help(FILE *out, const char *s);
/* A sample value: an integer as such, else the shortest exact decimal; NaN, +Inf, -Inf. */
void prom_value(FILE *out, double v);
/* The family name of a metric of kind kind: synctop_KIND_NAME with its base unit and, for a
   counter, _total ("oldest_pending_age_s" -> synctop_outbox_oldest_pending_age_seconds); a
   gauge's "count" or "_count" as "items" or "_items", in buf; returns buf. */
const char *prom_metric_name(const char *kind, const char *name, enum metric_unit unit, char *buf, size_t n);

#endif
