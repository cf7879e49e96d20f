/* drain.c: the outbox drain over a window of polls (src/window.c): the verdict, the backlog's growth, time to
 * empty. Pure. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "human.h"
#include "kinds/outbox/outbox.h"
#include "util.h"
#include "window.h"

/* History kept in each sample (raw.hist): this many windows back, so that a relay standing still
   for longer than the window can be told (STOP). */
#define HIST_WINDOWS 3
/* Polls this much older than the window still count as inside it: timers jitter (window.c's). */
#define WINDOW_SLACK 0.25

void outbox_positions(json_t *raw, int64_t max_id, int64_t all_pending, int64_t failed)
{
	/* end: rows ever inserted less the poisoned ones; committed: rows ever processed. */
	window_raw_add(raw, "outbox", max_id - all_pending, max_id - failed);
}

void outbox_window_derive(const struct stage_cfg *stage, const struct sample *prev, struct sample *cur)
{
	double window = stage ? outbox_opts(stage)->window_s : OUTBOX_WINDOW_DEFAULT;
	struct window_history h;
	if (!window_history(prev->raw, prev->mono, cur->raw, cur->mono, HIST_WINDOWS * window, &h))
		return; /* a capped count: no backlog figure to follow */
	struct window_eval ev = window_evaluate(h.pts, h.n, h.lanes, window);
	/* The verdict is a metric; what it rests on (evaluated_s, lag_from, consumed, produced)
	   stays in raw for the evidence: the detail view keeps room for the diagnoses. */
	json_t *w = json_object();
	window_put(w, &ev);
	const char *key;
	json_t *v;
	json_object_foreach(w, key, v)
	{
		json_object_set(strcmp(key, "evaluation") ? cur->raw : cur->metrics, key, v);
	}
	json_decref(w);

	/* The backlog's growth from the oldest poll inside the window to now: over the polls there
	   are when they do not cover the window yet (two polls of --once). */
	const struct window_point *now = &h.pts[h.n - 1];
	size_t first = h.n - 1;
	while (first > 0 && h.pts[first - 1].t >= now->t - window * (1.0 + WINDOW_SLACK))
		first--;
	const struct window_point *a = &h.pts[first];
	double span = now->t - a->t;
	if (first < h.n - 1 && span > 0 && a->committed[0] >= 0 && a->end[0] >= 0 && now->committed[0] >= 0 &&
	    now->end[0] >= 0) {
		double lag = (double)(now->end[0] - now->committed[0]);
		double growth = (lag - (double)(a->end[0] - a->committed[0])) / span;
		json_object_set_new(cur->metrics, "growth_per_s", json_real(growth));
		json_object_set_new(cur->metrics, "empty_in_s",
		                    lag <= 0       ? json_real(0.0)
		                    : growth < 0.0 ? json_real(lag / -growth)
		                                   : json_null());
	}
	window_history_free(&h);
}

/* "~45s", "~6m", "~2h05m": a rough time. */
static void approx(double s, char *buf, size_t n)
{
	if (s < 59.5) {
		snprintf(buf, n, "~%.0fs", s < 1 ? 1.0 : s);
	} else if (s < 3570) {
		snprintf(buf, n, "~%.0fm", round(s / 60));
	} else {
		long mins = lround(s / 60);
		snprintf(buf, n, "~%ldh%02ldm", mins / 60, mins % 60);
	}
}

const char *outbox_drain_text(const json_t *m, char *buf, size_t n)
{
	double growth, empty_in;
	int64_t pending = 0;
	buf[0] = '\0';
	metric_int(m, "pending", &pending);
	if (pending <= 0 || !metric_num(m, "growth_per_s", &growth))
		return buf;
	if (metric_num(m, "empty_in_s", &empty_in)) {
		char a[32];
		approx(empty_in, a, sizeof a);
		snprintf(buf, n, "empty in %s", a);
	} else if (growth >= 0.05) {
		char r[32];
		human_rate(growth, r, sizeof r);
		snprintf(buf, n, "growing %s", r);
	} else {
		snprintf(buf, n, "not shrinking");
	}
	return buf;
}
