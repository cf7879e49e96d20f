/* window.c: Burrow-style evaluation of a consumer chasing a producer over a window of polls. Pure. */
#include "window.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Polls this much older than the window still count as inside it: timers jitter. */
#define WINDOW_SLACK 0.25
/* Polls spanning this share of the window are enough to judge a lag. */
#define WINDOW_ENOUGH 0.9

const char *window_verdict_name(enum window_verdict v)
{
	static const char *const names[] = {
	    [WV_NONE] = NULL,     [WV_OK] = "OK",     [WV_IDLE] = "IDLE",    [WV_WARN] = "WARN",
	    [WV_STALL] = "STALL", [WV_STOP] = "STOP", [WV_REWIND] = "REWIND"};
	return names[v];
}

static int64_t lag_of(const struct window_point *p, size_t n_lanes)
{
	int64_t lag = 0;
	for (size_t i = 0; i < n_lanes; i++)
		if (p->committed[i] >= 0 && p->end[i] >= 0 && p->end[i] > p->committed[i])
			lag += p->end[i] - p->committed[i];
	return lag;
}

static bool same_committed(const struct window_point *a, const struct window_point *b, size_t n_lanes)
{
	for (size_t i = 0; i < n_lanes; i++)
		if (a->committed[i] != b->committed[i])
			return false;
	return true;
}

/* How far the committed (or end) positions moved from a to b, over the lanes known in both. */
static int64_t moved(const int64_t *a, const int64_t *b, size_t n_lanes)
{
	int64_t d = 0;
	for (size_t i = 0; i < n_lanes; i++)
		if (a[i] >= 0 && b[i] >= 0 && b[i] > a[i])
			d += b[i] - a[i];
	return d;
}

static bool end_moved(const struct window_point *a, const struct window_point *b, size_t n_lanes)
{
	for (size_t i = 0; i < n_lanes; i++)
		if (a->end[i] >= 0 && b->end[i] >= 0 && b->end[i] != a->end[i])
			return true;
	return false;
}

/* Burrow's WARN over pts[first..n-1], whose committed positions moved: the lag increased across
   the whole window, from its first point to its last, and never reached zero inside it. Against
   noise (a consumer committing in batches makes a sawtooth of its lag, polls catch it high or
   low), the growth must stand out of it: the least-squares trend of the lag times the span
   exceeds SCATTER_FACTOR times the largest distance of a point from that trend. At 1.5, the
   sawtooth of a consumer that keeps up, committing every P seconds, never passes for falling
   behind in a window of P seconds or more (at 1, a window just short of 2P could), while
   one 40% slower than its inflow is caught whatever its commit period up to half the window. */
#define SCATTER_FACTOR 1.5
/* And the growth must be a real share of what arrived over the window: a consumer doing 80% or
   more of its inflow, or a backlog of one or two rows that comes and goes between a relay's
   batches (1 -> 2 rows over 2s), is not one to page about; a consumer at 60% of its inflow
   (the demo's lagging indexer) grows by 40% of it. */
#define WARN_MIN_SHARE 0.2

static bool falling_behind(const struct window_point *pts, size_t first, size_t n, size_t n_lanes)
{
	size_t m = n - first;
	double st = 0, sl = 0;
	for (size_t k = first; k < n; k++) {
		int64_t lag = lag_of(&pts[k], n_lanes);
		if (lag == 0)
			return false;
		st += pts[k].t;
		sl += (double)lag;
	}
	int64_t grew = lag_of(&pts[n - 1], n_lanes) - lag_of(&pts[first], n_lanes), arrived = 0;
	if (grew <= 0)
		return false;
	for (size_t i = 0; i < n_lanes; i++)
		if (pts[first].end[i] >= 0 && pts[n - 1].end[i] > pts[first].end[i])
			arrived += pts[n - 1].end[i] - pts[first].end[i];
	if ((double)grew < WARN_MIN_SHARE * (double)arrived)
		return false;
	double mt = st / (double)m, ml = sl / (double)m, cov = 0, var = 0;
	for (size_t k = first; k < n; k++) {
		cov += (pts[k].t - mt) * ((double)lag_of(&pts[k], n_lanes) - ml);
		var += (pts[k].t - mt) * (pts[k].t - mt);
	}
	if (var <= 0)
		return false;
	double slope = cov / var, scatter = 0;
	for (size_t k = first; k < n; k++) {
		double r = fabs((double)lag_of(&pts[k], n_lanes) - (ml + slope * (pts[k].t - mt)));
		scatter = r > scatter ? r : scatter;
	}
	return slope * (pts[n - 1].t - pts[first].t) > SCATTER_FACTOR * scatter;
}

/* The verdict over pts[first..n-1], with what it rests on. */
static struct window_eval verdict(enum window_verdict v, const struct window_point *pts, size_t first,
                                  size_t n, size_t n_lanes)
{
	const struct window_point *a = &pts[first], *b = &pts[n - 1];
	return (struct window_eval){
	    .verdict = v,
	    .span = b->t - a->t,
	    .lag_first = lag_of(a, n_lanes),
	    .lag_last = lag_of(b, n_lanes),
	    .committed_moved = moved(a->committed, b->committed, n_lanes),
	    .end_moved = moved(a->end, b->end, n_lanes),
	};
}

struct window_eval window_evaluate(const struct window_point *pts, size_t n, size_t n_lanes, double window)
{
	if (n < 2)
		return (struct window_eval){.verdict = WV_NONE};
	const struct window_point *now = &pts[n - 1];
	double start = now->t - window * (1.0 + WINDOW_SLACK);
	size_t first = n - 1; /* the oldest poll inside the window */
	while (first > 0 && pts[first - 1].t >= start)
		first--;

	for (size_t k = first + 1; k < n; k++)
		for (size_t i = 0; i < n_lanes; i++)
			if (pts[k - 1].committed[i] >= 0 && pts[k].committed[i] >= 0 &&
			    pts[k].committed[i] < pts[k - 1].committed[i])
				return verdict(WV_REWIND, pts, first, n, n_lanes);

	int64_t lag = lag_of(now, n_lanes);
	if (lag == 0)
		return verdict(end_moved(&pts[first], now, n_lanes) ? WV_OK : WV_IDLE, pts, first, n,
		               n_lanes);
	if (first == n - 1 || now->t - pts[first].t < window * WINDOW_ENOUGH)
		return (struct window_eval){.verdict = WV_NONE};

	if (same_committed(&pts[first], now, n_lanes)) {
		/* How long have the committed positions stood still? Back through all the history. */
		size_t run = first;
		while (run > 0 && same_committed(&pts[run - 1], now, n_lanes))
			run--;
		if (run < first && pts[run].t < start && end_moved(&pts[run], now, n_lanes))
			return verdict(WV_STOP, pts, run, n, n_lanes);
		return verdict(WV_STALL, pts, first, n, n_lanes);
	}
	return verdict(falling_behind(pts, first, n, n_lanes) ? WV_WARN : WV_OK, pts, first, n, n_lanes);
}

void window_put(json_t *metrics, const struct window_eval *ev)
{
	bool none = ev->verdict == WV_NONE;
	const char *name = window_verdict_name(ev->verdict);
	json_object_set_new(metrics, "evaluation", name ? json_string(name) : json_null());
	json_object_set_new(metrics, "evaluated_s", none ? json_null() : json_real(ev->span));
	json_object_set_new(metrics, "lag_from", none ? json_null() : json_integer(ev->lag_first));
	json_object_set_new(metrics, "consumed", none ? json_null() : json_integer(ev->committed_moved));
	json_object_set_new(metrics, "produced", none ? json_null() : json_integer(ev->end_moved));
}

double window_lag_seconds(const struct window_point *pts, size_t n, size_t n_lanes)
{
	if (n == 0)
		return -1;
	const struct window_point *now = &pts[n - 1];
	double worst = 0;
	for (size_t i = 0; i < n_lanes; i++) {
		int64_t c = now->committed[i];
		if (c < 0 || now->end[i] < 0 || now->end[i] <= c)
			continue;
		/* The item at position c arrived when the end position passed c: between the last
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

/* The positions of a sample's lanes travel packed, one string of bytes: the committed positions
   of its n lanes then their end positions, int64 each (16 bytes a lane, where arrays of JSON
   integers took 80: a kafka stage of 1,000 partitions keeps one such point per poll of its
   history). A string that is never printed: raw is the probes' own. */
static json_t *packed(const int64_t *c, const int64_t *e, size_t n)
{
	char *buf = xcalloc(n ? n : 1, 2 * sizeof(int64_t));
	memcpy(buf, c, n * sizeof(int64_t));
	memcpy(buf + n * sizeof(int64_t), e, n * sizeof(int64_t));
	json_t *p = json_stringn_nocheck(buf, n * 2 * sizeof(int64_t));
	free(buf);
	return p;
}

/* Lane j of a packed string of n lanes: false when p is not one. */
static bool unpack(const json_t *p, size_t n, size_t j, int64_t *c, int64_t *e)
{
	if (!json_is_string(p) || json_string_length(p) != n * 2 * sizeof(int64_t) || j >= n)
		return false;
	const char *b = json_string_value(p);
	memcpy(c, b + j * sizeof(int64_t), sizeof *c);
	memcpy(e, b + (n + j) * sizeof(int64_t), sizeof *e);
	return true;
}

/* raw's packed positions, a new reference: its "p", or made from "c" and "e" arrays of
   integers (the form a test's JSON text may give); NULL when it has neither. */
static json_t *positions(const json_t *raw)
{
	json_t *p = json_object_get(raw, "p"), *c = json_object_get(raw, "c"), *e = json_object_get(raw, "e");
	if (p)
		return json_incref(p);
	size_t n = json_array_size(json_object_get(raw, "keys"));
	if (!json_is_array(c) || !json_is_array(e) || json_array_size(c) != n || json_array_size(e) != n)
		return NULL;
	int64_t *v = xcalloc(n ? n : 1, 2 * sizeof *v);
	for (size_t j = 0; j < n; j++) {
		v[j] = json_integer_value(json_array_get(c, j));
		v[n + j] = json_integer_value(json_array_get(e, j));
	}
	p = packed(v, v + n, n);
	free(v);
	return p;
}

void window_raw_set(json_t *raw, json_t *keys, const int64_t *c, const int64_t *e)
{
	json_object_set_new(raw, "p", packed(c, e, json_array_size(keys)));
	json_object_set_new(raw, "keys", keys);
}

void window_raw_add(json_t *raw, const char *lane, int64_t committed, int64_t end)
{
	json_t *keys = json_object_get(raw, "keys");
	if (!json_is_array(keys)) {
		keys = json_array();
		json_object_set_new(raw, "keys", keys);
	}
	size_t n = json_array_size(keys);
	int64_t *c = xcalloc(n + 1, 2 * sizeof *c), *e = c + n + 1;
	for (size_t j = 0; j < n; j++)
		if (!unpack(json_object_get(raw, "p"), n, j, &c[j], &e[j]))
			c[j] = e[j] = WINDOW_NO_POS;
	c[n] = committed >= 0 ? committed : WINDOW_NO_POS;
	e[n] = end >= 0 ? end : WINDOW_NO_POS;
	json_array_append_new(keys, json_string(lane));
	json_object_set_new(raw, "p", packed(c, e, n + 1));
	free(c);
}

/* One point of the history, aligned on the current sample's lanes. */
static void point_of(const json_t *h, const json_t *keys, size_t n, int64_t *c, int64_t *e)
{
	json_t *hk = json_object_get(h, "keys"), *hp = json_object_get(h, "p");
	size_t hn = json_array_size(hk);
	bool same = hk == keys || json_equal(hk, keys);
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		if (!same) { /* lanes came or went: find this one by name */
			const char *want = json_string_value(json_array_get(keys, i));
			for (j = 0; j < hn; j++)
				if (!strcmp(json_string_value(json_array_get(hk, j)), want))
					break;
		}
		if (!unpack(hp, hn, j, &c[i], &e[i]))
			c[i] = e[i] = WINDOW_NO_POS;
	}
}

bool window_history(const json_t *prev_raw, double prev_t, json_t *cur_raw, double cur_t, double keep_s,
                    struct window_history *out)
{
	*out = (struct window_history){0};
	json_t *keys = json_object_get(cur_raw, "keys");
	json_t *prev_keys = json_object_get(prev_raw, "keys");
	json_t *prev_p = prev_keys ? positions(prev_raw) : NULL, *cur_p = keys ? positions(cur_raw) : NULL;
	if (!prev_p || !cur_p) {
		json_decref(prev_p);
		json_decref(cur_p);
		return false;
	}
	json_object_set(cur_raw, "p", cur_p);
	json_object_del(cur_raw, "c");
	json_object_del(cur_raw, "e");
	if (json_equal(keys, prev_keys)) { /* the same lanes: one list of names for the history */
		json_object_set(cur_raw, "keys", prev_keys);
		keys = prev_keys;
	}
	json_t *hist = json_array();
	size_t i;
	json_t *h;
	json_t *old = json_object_get(prev_raw, "hist");
	json_array_foreach(old, i, h) if (json_real_value(json_object_get(h, "t")) >= cur_t - keep_s)
	    json_array_append(hist, h);
	/* The points share their sample's packed positions and lane names (no copy). */
	if (json_array_size(hist) == 0) /* the previous sample starts the history */
		json_array_append_new(hist,
		                      json_pack("{sf sO sO}", "t", prev_t, "keys", prev_keys, "p", prev_p));
	json_array_append_new(hist, json_pack("{sf sO sO}", "t", cur_t, "keys", keys, "p", cur_p));
	json_decref(prev_p);
	json_decref(cur_p);
	json_object_set_new(cur_raw, "hist", hist);

	size_t np = json_array_size(hist), nk = json_array_size(keys);
	out->n = np;
	out->lanes = nk;
	out->pts = xcalloc(np, sizeof *out->pts);
	out->buf = xcalloc(np * (nk ? nk : 1) * 2, sizeof *out->buf);
	json_array_foreach(hist, i, h)
	{
		int64_t *c = out->buf + i * nk * 2, *e = c + nk;
		point_of(h, keys, nk, c, e);
		out->pts[i] = (struct window_point){json_real_value(json_object_get(h, "t")), c, e};
	}
	return true;
}

void window_history_free(struct window_history *h)
{
	free(h->pts);
	free(h->buf);
	*h = (struct window_history){0};
}
