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

/* One point of a stage's history: its main metric (NaN when not known or the poll failed). */
struct hist_point {
	double wall;
	double value;
	bool ok;
};

/* The history of one stage: the newest two samples whole (derive() and the views need them),
   and a ring of points (the main metric) for sparklines, allocated as samples arrive and never
   past cap; the newest error while it is in the ring. Old samples themselves are not kept: a
   sample's metrics, lists and error text would be ~1 kB each, 300 of them per stage. */
struct history {
	struct sample last[2]; /* [0] the newest, [1] the one before; metrics NULL when none */
	const char *metric;    /* the main metric the points keep (NULL: none) */
	struct hist_point *pts;
	int cap, alloc, len, head; /* head: index of the newest point */
	unsigned long pushes;      /* samples pushed so far */
	char *err;                 /* the newest error, NULL when none */
	double err_at;             /* its wall time */
	unsigned long err_push;    /* its push number (pushes when it came) */
};

void history_init(struct history *h, int cap, const char *main_metric);
void history_free(struct history *h);
/* Takes ownership of s's references (s is left cleared): s becomes the newest sample, the
   newest becomes the previous, and s's main metric becomes the newest point. */
void history_push(struct history *h, struct sample *s);
/* ago 0 = newest, 1 = the one before; NULL otherwise, or when there are fewer samples. */
const struct sample *history_get(const struct history *h, int ago);
/* The point `ago` polls back (0 = newest); NULL past the ring. h->len points are kept. */
const struct hist_point *history_point(const struct history *h, int ago);
/* The newest error still in the ring (its wall time in *at), or NULL. */
const char *history_last_error(const struct history *h, double *at);

#endif
