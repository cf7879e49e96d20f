/* probe.c: the graph stage: graph.count and graph.freshness through Neo4j's Query API (both
   requests at once), then the source's SQL on the stage's own PostgreSQL session. */
/* needs: search */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"
#include "kinds/copy.h"
#include "kinds/graph/graph.h"
#include "kinds/probe.h"
#include "sanitize.h"
#include "util.h"

enum { Q_COUNT, Q_FRESHNESS, Q_N };

static enum probe_result graph_poll(const struct probe_ctx *ctx, struct sample *out)
{
	const struct graph_opts *o = graph_opts(ctx->st);
	double started = now_mono();
	char *db = http_escape_segment(o->database);
	char *path = xasprintf("/db/%s/query/v2", db);
	free(db);
	char *body[Q_N] = {graph_request_body(o->count),
	                   o->freshness ? graph_request_body(o->freshness) : NULL};
	struct http_call calls[Q_N] = {
	    [Q_COUNT] = {.method = "POST", .path = path, .json_body = body[Q_COUNT], .after = -1},
	    [Q_FRESHNESS] = {.method = "POST", .path = path, .json_body = body[Q_FRESHNESS], .after = -1},
	};
	size_t n = o->freshness ? Q_N : Q_FRESHNESS;
	size_t failed = http_json_all(ctx->session, calls, n, ctx->deadline);
	double v[Q_N] = {0, 0};
	int got[Q_N] = {0, 0};
	char why[512] = "";
	static const char *const key[Q_N] = {"graph.count", "graph.freshness"};
	for (size_t i = 0; i < n && failed == n; i++) {
		char w[400];
		got[i] = graph_answer_number(calls[i].json, &v[i], w, sizeof w);
		if (got[i] < 0 && !why[0])
			snprintf(why, sizeof why, "%s: %s", key[i], w);
	}
	if (failed < n)
		snprintf(why, sizeof why, "%s", calls[failed].err);
	for (size_t i = 0; i < n; i++) {
		json_decref(calls[i].json);
		free(body[i]);
	}
	free(path);
	if (why[0]) {
		sample_set_error(out, "%s", why);
		return PROBE_FAILED;
	}
	int64_t count = 0;
	if (got[Q_COUNT] == 0 || !i64_of_double(v[Q_COUNT], &count) || count < 0) {
		sample_set_error(out, "graph.count answered %s, not a count",
		                 got[Q_COUNT] == 0 ? "no value" : "a number out of range");
		return PROBE_FAILED;
	}
	json_object_set_new(out->metrics, "count", json_integer((json_int_t)count));
	out->detail = json_object();
	if (got[Q_FRESHNESS] > 0)
		json_object_set_new(out->detail, "newest_epoch", json_real(v[Q_FRESHNESS]));
	copy_poll_source(ctx, "graph", &o->copy, count, got[Q_FRESHNESS] > 0, v[Q_FRESHNESS], started, out);
	return PROBE_OK;
}

const struct probe graph_probe = {
    .poll = graph_poll,
#ifdef HAVE_POSTGRES
    .aux_close = source_close,
#endif
};
