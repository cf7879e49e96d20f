/* window.h: Burrow-style evaluation of a consumer chasing a producer over a window of polls. Pure. */
#ifndef SYNCTOP_WINDOW_H
#define SYNCTOP_WINDOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A lane is one thing a consumer works through in order (a partition, a replication slot, a
   table): its end position grows as the producer writes, its committed position as the consumer
   finishes. Positions are counts that only grow (offsets, rows ever inserted, WAL bytes). */
#define WINDOW_NO_POS (-1) /* no committed position (or not known) */

/* One poll: for each lane (the same order in every point), the committed and end positions. */
struct window_point {
	double t;                 /* monotonic seconds */
	const int64_t *committed; /* WINDOW_NO_POS where none */
	const int64_t *end;       /* WINDOW_NO_POS where not known */
};

enum window_verdict { WV_NONE, WV_OK, WV_IDLE, WV_WARN, WV_STALL, WV_STOP, WV_REWIND };

const char *window_verdict_name(enum window_verdict v); /* "OK", ...; NULL for WV_NONE */

/* A verdict with what it rests on. */
struct window_eval {
	enum window_verdict verdict;
	/* The seconds of polls the verdict rests on, from the oldest point used to the newest: the
	   window actually observed, not the configured one. For STOP: how long the committed
	   positions have stood still, as far back as the history reaches. 0 for WV_NONE. */
	double span;
	int64_t lag_first, lag_last; /* the total lag at the oldest point used and at the newest */
	int64_t committed_moved;     /* how far the committed positions moved over the span */
	int64_t end_moved;           /* how far the end positions moved over the span */
};

/* Evaluates points (oldest first, n_lanes lanes each) over the window ending at the newest point:
   - REWIND: a committed position went down between two polls in the window;
   - lag 0 now: IDLE when no end position moved in the window, else OK;
   - lag > 0 needs polls spanning (nearly) the window, else WV_NONE (not enough history);
     committed positions unchanged over the window: STOP when they have not moved for longer
     than the window while the ends moved, else STALL;
     committed positions moved, and the lag increased across the window (higher at its end than
     at its start, never zero inside it, its least-squares trend over the window larger than 1.5
     times the points' scatter around that trend): WARN, falling behind; else OK. */
struct window_eval window_evaluate(const struct window_point *pts, size_t n, size_t n_lanes, double window);

/* Puts ev in a sample's metrics, as a kind declares them (units its own): "evaluation" (the
   verdict's name), "evaluated_s" (its span), "lag_from" (the lag at its start), "consumed"
   (how far the committed positions moved over it) and "produced" (how far the end positions
   moved); nulls for WV_NONE. */
void window_put(json_t *metrics, const struct window_eval *ev);

/* How far behind the consumer is in seconds: for each lane with lag, when the item at its
   committed position arrived, interpolated from the end positions over time; the largest.
   -1 when the history does not reach back far enough. 0 with no lag. */
double window_lag_seconds(const struct window_point *pts, size_t n, size_t n_lanes);

/* The positions travel in a sample's raw as {"keys": [lane names], "p": the committed and end
   positions packed} (window_raw_add or window_raw_set builds them); the history as raw.hist,
   points that share their sample's packed positions (16 bytes a lane and poll). */
void window_raw_add(json_t *raw, const char *lane, int64_t committed, int64_t end);
/* All lanes at once: keys (the lane names, stolen) and their positions, json_array_size(keys)
   of each (WINDOW_NO_POS where none). */
void window_raw_set(json_t *raw, json_t *keys, const int64_t *c, const int64_t *e);

/* The history of a stage's positions, as points aligned on the lanes of the newest sample. */
struct window_history {
	struct window_point *pts;
	size_t n, lanes;
	int64_t *buf; /* the positions pts point into */
};

/* For a probe's derive: keeps in cur_raw.hist the points of prev_raw.hist not older than keep_s
   seconds before cur_t (the previous sample's own positions when it has no history yet), then
   cur_raw's, and gives them in *h (free with window_history_free). false, with *h empty, when
   either raw has no positions. */
bool window_history(const json_t *prev_raw, double prev_t, json_t *cur_raw, double cur_t, double keep_s,
                    struct window_history *h);
void window_history_free(struct window_history *h);

#endif
