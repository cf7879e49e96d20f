/* probe.c: the timeseries stage: one GET /query a poll, three InfluxQL statements: the newest
   point of the measurement, and the points written over the window and over the baseline. */
/* needs: search */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"
#include "kinds/probe.h"
#include "kinds/timeseries/timeseries.h"
#include "units.h"
#include "util.h"

/* GET /query of the stage's database, epoch=ms, with the statements q. */
static json_t *query(const struct probe_ctx *ctx, const char *q, char *why, size_t n)
{
	const struct timeseries_opts *o = timeseries_opts(ctx->st);
	char *db = http_escape_segment(o->database), *qe = http_escape_segment(q);
	char *path = xasprintf("/query?db=%s&epoch=ms&q=%s", db, qe);
	free(db);
	free(qe);
	json_t *j = http_json(ctx->session, "GET", path, NULL, ctx->deadline, why, n);
	free(path);
	return j;
}

static enum probe_result timeseries_poll(const struct probe_ctx *ctx, struct sample *out)
{
	const struct timeseries_opts *o = timeseries_opts(ctx->st);
	char *q = timeseries_query(o);
	char why[512];
	json_t *j = query(ctx, q, why, sizeof why);
	struct ts_answer a;
	bool ok = j && timeseries_parse(j, &a, why, sizeof why);
	json_decref(j);
	if (!ok && strstr(why, ": not executed")) {
		/* InfluxDB answers a missing database (or retention policy) of several statements
		   with "not executed" alone: one statement by itself gets the reason. */
		char *one = xasprintf("%.*s", (int)strcspn(q, ";"), q);
		j = query(ctx, one, why, sizeof why);
		if (j && timeseries_parse(j, &a, why, sizeof why))
			snprintf(why, sizeof why, "statement 1: not executed");
		json_decref(j);
		free(one);
	}
	if (!ok) {
		sample_set_error(out, "%s", why);
		free(q);
		return PROBE_FAILED;
	}
	json_t *m = out->metrics;
	if (a.have_newest) {
		char iso[32];
		iso8601(a.newest_ms / 1000.0, iso, sizeof iso);
		json_object_set_new(m, "newest_point", json_string(iso));
		/* A point stamped ahead of this clock is fresh, not a negative age. */
		json_object_set_new(m, "newest_point_age_s",
		                    json_real(fmax(0, now_wall() - a.newest_ms / 1000.0)));
	}
	json_object_set_new(m, "points_in_window", json_integer(a.recent));
	json_object_set_new(m, "points_per_s", json_real((double)a.recent / o->window_s));
	json_object_set_new(m, "baseline_points_per_s", json_real((double)a.baseline / o->baseline_s));
	out->detail = json_pack("{s:s, s:b}", "query", q, "has_points", a.have_newest);
	free(q);
	return PROBE_OK;
}

const struct probe timeseries_probe = {
    .poll = timeseries_poll,
};
