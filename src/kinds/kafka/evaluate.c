/* evaluate.c: Burrow-style evaluation of a consumer group over a window of polls. Pure. */
#include "kinds/kafka/evaluate.h"

#include <stdbool.h>

/* Polls this much older than the window still count as inside it: timers jitter. */
#define WINDOW_SLACK 0.25
/* Polls spanning this share of the window are enough to judge a lag. */
#define WINDOW_ENOUGH 0.9

const char *kafka_eval_name(enum kafka_eval e)
{
	static const char *const names[] = {
	    [KE_NONE] = NULL,     [KE_OK] = "OK",     [KE_IDLE] = "IDLE",    [KE_WARN] = "WARN",
	    [KE_STALL] = "STALL", [KE_STOP] = "STOP", [KE_REWIND] = "REWIND"};
	return names[e];
}

static int64_t lag_of(const struct kafka_point *p, size_t n_parts)
{
	int64_t lag = 0;
	for (size_t i = 0; i < n_parts; i++)
		if (p->committed[i] >= 0 && p->end[i] >= 0 && p->end[i] > p->committed[i])
			lag += p->end[i] - p->committed[i];
	return lag;
}

static bool same_committed(const struct kafka_point *a, const struct kafka_point *b, size_t n_parts)
{
	for (size_t i = 0; i < n_parts; i++)
		if (a->committed[i] != b->committed[i])
			return false;
	return true;
}

static bool end_moved(const struct kafka_point *a, const struct kafka_point *b, size_t n_parts)
{
	for (size_t i = 0; i < n_parts; i++)
		if (a->end[i] >= 0 && b->end[i] >= 0 && b->end[i] != a->end[i])
			return true;
	return false;
}

enum kafka_eval kafka_evaluate(const struct kafka_point *pts, size_t n, size_t n_parts, double window)
{
	if (n < 2)
		return KE_NONE;
	const struct kafka_point *now = &pts[n - 1];
	double start = now->t - window * (1.0 + WINDOW_SLACK);
	size_t first = n - 1; /* the oldest poll inside the window */
	while (first > 0 && pts[first - 1].t >= start)
		first--;

	for (size_t k = first + 1; k < n; k++)
		for (size_t i = 0; i < n_parts; i++)
			if (pts[k - 1].committed[i] >= 0 && pts[k].committed[i] >= 0 &&
			    pts[k].committed[i] < pts[k - 1].committed[i])
				return KE_REWIND;

	int64_t lag = lag_of(now, n_parts);
	if (lag == 0)
		return end_moved(&pts[first], now, n_parts) ? KE_OK : KE_IDLE;
	if (first == n - 1 || now->t - pts[first].t < window * WINDOW_ENOUGH)
		return KE_NONE;

	if (same_committed(&pts[first], now, n_parts)) {
		/* How long have the committed offsets stood still? Back through all the history. */
		size_t run = first;
		while (run > 0 && same_committed(&pts[run - 1], now, n_parts))
			run--;
		if (run < first && pts[run].t < start && end_moved(&pts[run], now, n_parts))
			return KE_STOP;
		return KE_STALL;
	}
	bool grew = true;
	for (size_t k = first + 1; k < n && grew; k++)
		grew = lag_of(&pts[k], n_parts) > lag_of(&pts[k - 1], n_parts);
	return grew ? KE_WARN : KE_OK;
}

double kafka_lag_seconds(const struct kafka_point *pts, size_t n, size_t n_parts)
{
	if (n == 0)
		return -1;
	const struct kafka_point *now = &pts[n - 1];
	double worst = 0;
	for (size_t i = 0; i < n_parts; i++) {
		int64_t c = now->committed[i];
		if (c < 0 || now->end[i] < 0 || now->end[i] <= c)
			continue;
		/* The message at offset c arrived when the end offset passed c: between the last
		   poll that saw end <= c and the next one. */
		double arrived = -1;
		for (size_t k = 1; k < n; k++) {
			int64_t e0 = pts[k - 1].end[i], e1 = pts[k].end[i];
			if (e0 < 0 || e1 < 0 || !(e0 <= c && e1 > c))
				continue;
			double frac = (double)(c + 1 - e0) / (double)(e1 - e0);
			arrived = pts[k - 1].t + frac * (pts[k].t - pts[k - 1].t);
		}
		if (arrived < 0)
			return -1; /* older than the history: not known yet */
		if (now->t - arrived > worst)
			worst = now->t - arrived;
	}
	return worst;
}
