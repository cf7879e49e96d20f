/* sample.h: what one poll of a stage returned, and the history ring that rates and trends come from. */
#ifndef SYNCTOP_SAMPLE_H
#define SYNCTOP_SAMPLE_H

#include <jansson.h>
#include <stdbool.h>

#include "util.h"

struct sample {
	double mono;       /* monotonic time the poll started */
	double wall;       /* wall-clock time the poll ended */
	double latency_ms; /* how long the poll took */
	bool ok;           /* false: the stage could not be read; err says why */
	char err[512];     /* redacted */
	json_t *metrics;   /* the kind's metric names -> values; null where not known */
	json_t *raw;       /* probe-private counters used by derive(); never shown */
	json_t *detail;    /* lists shown in detail views and JSON extras (slots, partitions) */
};

void sample_init(struct sample *s);
void sample_clear(struct sample *s);
/* A new reference-sharing copy (json values are shared and immutable once published). */
void sample_copy(struct sample *dst, const struct sample *src);
void sample_set_error(struct sample *s, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Metric accessors: false when absent or null. */
bool metric_num(const json_t *obj, const char *name, double *out);
bool metric_int(const json_t *obj, const char *name, int64_t *out);
bool metric_bool(const json_t *obj, const char *name, bool *out);
const char *metric_str(const json_t *obj, const char *name);

/* Rate of a counter between two polls dt seconds apart. False when dt <= 0 or
   the counter went backwards (a reset, a truncated table): no rate is better than a wrong one. */
bool rate_per_s(double prev, double cur, double dt, double *out);

/* A ring of the last cap samples of one stage. */
struct history {
	struct sample *ring;
	int cap, len, head; /* head: index of the newest */
};

void history_init(struct history *h, int cap);
void history_free(struct history *h);
/* Keeps only a sample's scalar metrics (and its error): lists, detail and raw counters go.
   The JSON objects are replaced, never changed, so snapshots sharing them are safe. */
void sample_slim(struct sample *s);

/* Takes ownership of s's references (s is left cleared). Samples older than the previous
   one are slimmed: the history feeds sparklines and errors, not lists of partitions. */
void history_push(struct history *h, struct sample *s);
/* 0 = newest; NULL when there are fewer samples. */
const struct sample *history_get(const struct history *h, int ago);

#endif
