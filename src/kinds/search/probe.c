/* probe.c: the search stage: whether what is in PostgreSQL is visible in the search index,
   and if not, why: cluster health, refresh settings and activity, indexing failures, the
   document count against the source's and the newest document against the newest row. */
/* needs: search */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"
#ifdef HAVE_POSTGRES
#include "kinds/source.h"
#endif
#include "kinds/search/search.h"
#include "kinds/probe.h"
#include "sanitize.h"
#include "kinds/search/parse.h"

static void set_i64(json_t *m, const char *name, struct opt_i64 v)
{
	if (v.known)
		json_object_set_new(m, name, json_integer((json_int_t)v.v));
}

/* ------------------------------------------------------------------------------------------
   The source: the stage's own read-only PostgreSQL session (on the worker's thread).
   ------------------------------------------------------------------------------------------ */
#ifdef HAVE_POSTGRES
static void set_source_error(struct sample *out, const char *key, const char *conn, const char *why)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s on %s: %s", key, conn, why);
	json_object_set_new(out->detail, "source_error", json_string(msg));
}

/* The source's figures against the index's: source_docs, missing_docs, freshness_lag_s. */
static void source_apply(const struct probe_ctx *ctx, struct source_read *r, const struct search_figures *f,
                         struct sample *out)
{
	const struct search_opts *st = search_opts(ctx->st);
	json_t *m = out->metrics;
	if (st->source_count) {
		int64_t count, missing;
		if (r->count_ok) {
			/* A double past 2^63 (SELECT 1e300::float8) cast to an integer is undefined. */
			if (!i64_of_double(r->count, &count) || count < 0) {
				snprintf(r->count_why, sizeof r->count_why,
				         "the query returned %.15g, not a count (0 to 2^63-1)", r->count);
				set_source_error(out, "search.source_count", st->source->name, r->count_why);
			} else {
				json_object_set_new(m, "source_docs", json_integer((json_int_t)count));
				if (f->docs.known && !__builtin_sub_overflow(count, f->docs.v, &missing))
					json_object_set_new(m, "missing_docs",
					                    json_integer((json_int_t)missing));
			}
		} else {
			set_source_error(out, "search.source_count", st->source->name, r->count_why);
		}
	}
	if (st->source_freshness) {
		if (r->newest_ok) {
			json_object_set_new(out->detail, "source_newest_epoch", json_real(r->newest));
			if (f->newest_known)
				json_object_set_new(m, "freshness_lag_s",
				                    json_real(fmax(0, r->newest - f->newest_ms / 1000.0)));
		} else if (!json_object_get(out->detail, "source_error")) {
			set_source_error(out, "search.source_freshness", st->source->name, r->newest_why);
		}
	}
}
#endif

typedef bool (*parse_fn)(const json_t *j, struct search_figures *f, char *err, size_t n);

/* A parser's verdict on an answer; false with the reason in the sample. */
static bool parse_answer(const struct probe_ctx *ctx, const json_t *j, parse_fn parse,
                         struct search_figures *f, struct sample *out)
{
	char err[300];
	if (parse(j, f, err, sizeof err))
		return true;
	/* The parsers name requests as GET /{index}/...: the index is the configured one. */
	char *at = strstr(err, "{index}");
	if (at)
		sample_set_error(out, "%.*s%s%s", (int)(at - err), err, search_opts(ctx->st)->index, at + 7);
	else
		sample_set_error(out, "%s", err);
	return false;
}

/* The search requests of a poll, on a thread of their own while the worker's reads the
   source. */
struct http_job {
	void *session;
	struct http_call *calls;
	size_t n;
	double deadline;
	size_t failed; /* http_json_all's answer */
};

static void *http_job_run(void *arg)
{
	struct http_job *job = arg;
	job->failed = http_json_all(job->session, job->calls, job->n, job->deadline);
	return NULL;
}

/* The poll's requests, in the order their failures are reported (the order they once went
   out one after another in). */
enum { R_SETTINGS, R_HEALTH, R_STATS, R_COUNT, R_NEWEST, R_N };

static enum probe_result search_poll(const struct probe_ctx *ctx, struct sample *out)
{
	const struct search_opts *st = search_opts(ctx->st);
	double started = now_mono();
	char *ix = http_escape_segment(st->index);
	char health[300], settings[512], stats[300], count[300], search[300];
	snprintf(health, sizeof health, "/_cluster/health/%s", ix);
	snprintf(settings, sizeof settings,
	         "/%s/_settings?include_defaults=true&filter_path=*.settings.index.refresh_interval,"
	         "*.settings.index.search.idle.after,*.defaults.index.refresh_interval,"
	         "*.defaults.index.search.idle.after",
	         ix);
	snprintf(stats, sizeof stats, "/%s/_stats/refresh,docs,indexing?level=shards", ix);
	snprintf(count, sizeof count, "/%s/_count", ix);
	snprintf(search, sizeof search, "/%s/_search", ix);
	free(ix);
	char *newest = NULL;
	if (st->freshness_field) {
		json_t *q = json_pack("{s:i, s:b, s:{s:{s:{s:s}}}}", "size", 0, "track_total_hits", 0, "aggs",
		                      "newest", "max", "field", st->freshness_field);
		newest = json_dumps(q, JSON_COMPACT);
		json_decref(q);
	}

	/* All at once. The count and the newest document only once the stats are in: both are
	   searches, and a search wakes a search-idle shard that the stats would report. A missing
	   index fails the settings at once (404), where health would wait for it: the poll ends
	   there, the other requests abandoned. */
	struct http_call calls[R_N] = {
	    [R_SETTINGS] = {.method = "GET", .path = settings, .after = -1},
	    [R_HEALTH] = {.method = "GET", .path = health, .after = -1},
	    [R_STATS] = {.method = "GET", .path = stats, .after = -1},
	    [R_COUNT] = {.method = "GET", .path = count, .after = R_STATS},
	    [R_NEWEST] = {.method = "POST", .path = search, .json_body = newest, .after = R_STATS},
	};
	static const parse_fn parsers[R_N] = {search_parse_settings, search_parse_health, search_parse_stats,
	                                      search_parse_count, search_parse_newest};
	size_t n = newest ? R_N : R_NEWEST;
	struct http_job job = {ctx->session, calls, n, ctx->deadline, 0};
#ifdef HAVE_POSTGRES
	/* The source's queries meanwhile, on this thread: the poll takes the longer of the two,
	   not their sum. Without a thread, one after the other. */
	struct source_read src = {0};
	pthread_t http_thread;
	bool apart = st->source && pthread_create(&http_thread, NULL, http_job_run, &job) == 0;
	if (st->source)
		source_read(ctx, st->source, st->source_count, st->source_freshness, &src);
	if (apart)
		pthread_join(http_thread, NULL);
	else
		http_job_run(&job);
#else
	http_job_run(&job);
#endif
	size_t failed = job.failed;

	struct search_figures f;
	search_figures_init(&f);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		if (i == failed)
			sample_set_error(out, "%s", calls[i].err);
		ok = i != failed && parse_answer(ctx, calls[i].json, parsers[i], &f, out);
	}
	json_t *settings_json = calls[R_SETTINGS].json;
	for (size_t i = R_SETTINGS + 1; i < n; i++)
		json_decref(calls[i].json);
	free(newest);
	if (!ok) {
		json_decref(settings_json);
		return PROBE_FAILED; /* a missing index or a malformed answer: the connection is fine */
	}
	out->detail = json_object();
	json_object_set_new(out->detail, "index_settings", search_settings_detail(settings_json));
	json_decref(settings_json);

	json_t *m = out->metrics;
	if (f.health[0])
		json_object_set_new(m, "health", json_string(f.health));
	set_i64(m, "unassigned_shards", f.unassigned_shards);
	if (f.refresh_interval[0])
		json_object_set_new(m, "refresh_interval", json_string(f.refresh_interval));
	if (f.search_idle_after[0])
		json_object_set_new(m, "search_idle_after", json_string(f.search_idle_after));
	json_object_set_new(m, "refresh_explicit", json_boolean(f.refresh_explicit));
	json_object_set_new(m, "indices", json_integer(f.n_indices));
	if (f.search_idle >= 0)
		json_object_set_new(m, "search_idle", json_boolean(f.search_idle));
	if (f.throttled >= 0)
		json_object_set_new(m, "is_throttled", json_boolean(f.throttled));
	set_i64(m, "docs", f.docs);
	set_i64(m, "refresh_total", f.refresh_total);
	set_i64(m, "indexing_failed", f.index_failed);
	set_i64(m, "index_total", f.index_total);
	if (f.newest_known)
		json_object_set_new(out->detail, "newest_doc_epoch", json_real(f.newest_ms / 1000.0));
	if (f.stats_docs.known)
		json_object_set_new(out->detail, "lucene_docs", json_integer((json_int_t)f.stats_docs.v));
	out->raw = json_object();
	if (f.refresh_total.known)
		json_object_set_new(out->raw, "refresh_total", json_real((double)f.refresh_total.v));
#ifdef HAVE_POSTGRES
	if (st->source)
		source_apply(ctx, &src, &f, out);
#endif
	search_window_update(ctx->memo, search_opts(ctx->st)->missing_window_s, started, out->metrics);
	return PROBE_OK;
}

/* refresh_per_s from refresh.total of two polls. */
static void search_derive(const struct stage_cfg *st, const struct sample *prev, struct sample *cur)
{
	(void)st;
	double a, b, rate;
	if (metric_num(prev->raw, "refresh_total", &a) && metric_num(cur->raw, "refresh_total", &b) &&
	    rate_per_s(a, b, cur->mono - prev->mono, &rate))
		json_object_set_new(cur->metrics, "refresh_per_s", json_real(rate));
}

const struct probe search_probe = {
    .poll = search_poll,
    .derive = search_derive,
    .actions = search_actions,
    .canary = &search_canary,
#ifdef HAVE_POSTGRES
    .aux_close = source_close,
#endif
};
