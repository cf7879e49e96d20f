/* report.h: --once renderers; pure functions of an evaluated snapshot. */
#ifndef SYNCTOP_REPORT_H
#define SYNCTOP_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "snapshot.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_PROMETHEUS, REPORT_NAGIOS, REPORT_MARKDOWN };

/* The key figures of a stage on one line ("137 pending, oldest 10m00s, 5 failed"), or its error. */
void stage_figures(const struct stage_view *sv, char *buf, size_t n);

/* The pipeline's passive freshness: its last stage that knows how far its newest item is
   behind the source's newest (kind.h's freshness), in *lag_s; false when none knows. */
bool pipeline_freshness(const struct pipeline_view *pv, double *lag_s);

void report_text(FILE *out, const struct snapshot *snap);
/* The schema-1 contract of DESIGN.md. */
void report_json(FILE *out, const struct snapshot *snap);
/* Prometheus text exposition 0.0.4 (report/prometheus.c): synctop_* families, no timestamps. */
void report_prometheus(FILE *out, const struct snapshot *snap);
/* The families of report_prometheus, as the roff of synctop(1)'s list (synctop --list-metrics). */
void report_prometheus_list(FILE *out);

/* The monitoring-plugin output (Nagios, Icinga, Naemon): a status line with the worst
   pipeline's headline, a line per stage, and perfdata of every numeric metric. */
void report_nagios(FILE *out, const struct snapshot *snap);
/* A perfdata label, quoted as the guideline says ('a b', 'it''s'), cleaned of control
   characters; returns buf. */
const char *nagios_label(const char *raw, char *buf, size_t n);
struct tracker;
/* report_json with each pipeline's events from t (track.h), oldest first; NULL t: none. */
void report_json_tracked(FILE *out, const struct snapshot *snap, const struct tracker *t);
/* Ticket-ready markdown: environment, when, how long the snapshot took (took_s), the window
   between its polls (window_s, 0 for one poll), a table per pipeline, its diagnoses and the
   thresholds in force. took_s < 0: no "Time taken" line (the screen's copy, ui/clip.h). */
void report_markdown(FILE *out, const struct snapshot *snap, double window_s, double took_s);

#endif
