/* evaluate.h: Burrow-style evaluation of a consumer group over a window of polls. Pure. */
#ifndef SYNCTOP_KAFKA_EVAL_H
#define SYNCTOP_KAFKA_EVAL_H

#include <stddef.h>
#include <stdint.h>

#define KAFKA_NO_OFFSET (-1) /* no committed offset (or not known) */

/* One poll: for each partition (the same order in every point), the committed and end offsets. */
struct kafka_point {
	double t;                 /* monotonic seconds */
	const int64_t *committed; /* KAFKA_NO_OFFSET where none */
	const int64_t *end;       /* KAFKA_NO_OFFSET where not known */
};

enum kafka_eval { KE_NONE, KE_OK, KE_IDLE, KE_WARN, KE_STALL, KE_STOP, KE_REWIND };

const char *kafka_eval_name(enum kafka_eval e); /* NULL for KE_NONE */

/* Evaluates points (oldest first, n_parts partitions each) over the window ending at the
   newest point:
   - REWIND: a committed offset went down between two polls in the window;
   - lag 0 now: IDLE when no end offset moved in the window, else OK;
   - lag > 0 needs polls spanning (nearly) the window, else KE_NONE (not enough history);
     committed offsets unchanged over the window: STOP when they have not moved for longer
     than the window while messages arrived, else STALL;
     committed offsets moved but the lag grew between every two polls: WARN; else OK. */
enum kafka_eval kafka_evaluate(const struct kafka_point *pts, size_t n, size_t n_parts, double window);

/* How far behind the group is in seconds: for each partition with lag, when the message at
   its committed offset arrived, interpolated from the end offsets over time; the largest.
   -1 when the history does not reach back far enough. 0 with no lag. */
double kafka_lag_seconds(const struct kafka_point *pts, size_t n, size_t n_parts);

#endif
