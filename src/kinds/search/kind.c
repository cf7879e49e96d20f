/* kind.c: the search kind: an Elasticsearch/OpenSearch index: refresh, documents against the source. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"
#include "kinds/search/search.h"
#include "redact.h"
#include "units.h"

static const struct metric_def search_metrics[] = {
    {"health", MU_TEXT, true},
    {"refresh_interval", MU_TEXT, true},
    {"search_idle_after", MU_TEXT, true},
    {"docs", MU_COUNT, true},
    {"refresh_total", MU_COUNTER, true},
    {"refresh_per_s", MU_PER_SECOND, true},
    {"indexing_failed", MU_COUNTER, true},
    {"source_docs", MU_COUNT, true},
    {"missing_docs", MU_COUNT, true},
    /* beyond the contract */
    {"missing_docs_floor", MU_COUNT, false},
    {"missing_docs_span_s", MU_SECONDS, false},
    {"refresh_explicit", MU_BOOL, false},
    {"search_idle", MU_BOOL, false},
    {"indices", MU_COUNT, false},
    {"unassigned_shards", MU_COUNT, false},
    {"index_total", MU_COUNTER, false},
    {"indexing_failed_new", MU_COUNT, false},
    {"indexing_failed_span_s", MU_SECONDS, false},
    {"is_throttled", MU_BOOL, false},
    {"freshness_lag_s", MU_SECONDS, false},
    {0},
};

/* The options of its metrics' thresholds, and their bounds (kind.h). */
static const struct metric_extra search_extras[] = {
    {.metric = "missing_docs",
     .warn_opt = "search.missing_warn",
     .crit_opt = "search.missing_crit",
     .negative = true},
    {.metric = "missing_docs_floor", .negative = true},
    {.metric = "freshness_lag_s", .warn_opt = "search.freshness_warn", .crit_opt = "search.freshness_crit"},
    {0},
};

static void search_target(const struct stage_cfg *stage, char *buf, size_t n)
{
	const struct search_opts *st = search_opts(stage);
	strlcpy_safe(buf, st->index ? st->index : "", n);
}

static void rate(char *buf, size_t n, const json_t *m, const char *name, const char *label)
{
	double v;
	char r[32];
	if (metric_num(m, name, &v)) {
		human_rate(v, r, sizeof r);
		snappendf(buf, n, ", %s %s", label, r);
	}
}

/* "1,204 docs, 3 missing of 1,207, health green, refresh 1s (default), 1.0 refresh/s". */
static void search_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	int64_t docs = 0, missing, source, failed;
	char c[32];
	metric_int(m, "docs", &docs);
	format_count(docs, c, sizeof c);
	snprintf(buf, n, "%s docs", c);
	if (metric_int(m, "missing_docs", &missing) && metric_int(m, "source_docs", &source)) {
		char s[32];
		format_count(source, s, sizeof s);
		if (missing >= 0) {
			format_count(missing, c, sizeof c);
			snappendf(buf, n, ", %s missing of %s", c, s);
		} else {
			format_count(-missing, c, sizeof c);
			snappendf(buf, n, ", %s more than the %s rows", c, s);
		}
	}
	const char *health = metric_str(m, "health");
	if (health)
		snappendf(buf, n, ", health %s", health);
	const char *ri = metric_str(m, "refresh_interval");
	bool explicit_ = false, idle = false;
	metric_bool(m, "refresh_explicit", &explicit_);
	if (ri && !strcmp(ri, "-1"))
		snappendf(buf, n, ", refresh OFF");
	else if (ri)
		snappendf(buf, n, ", refresh %s%s", ri, explicit_ ? "" : " (default)");
	if (metric_bool(m, "search_idle", &idle) && idle)
		snappendf(buf, n, ", search-idle");
	rate(buf, n, m, "refresh_per_s", "refresh");
	double lag;
	if (metric_num(m, "freshness_lag_s", &lag)) {
		char d[32];
		format_duration(lag, d, sizeof d);
		snappendf(buf, n, ", newest %s behind", d);
	}
	if (metric_int(m, "indexing_failed", &failed) && failed > 0) {
		format_count(failed, c, sizeof c);
		snappendf(buf, n, ", %s rejected", c);
	}
}

/* The newest source row against the newest document (search.source_freshness and
   search.freshness_field): the pipeline's freshness. */
static bool search_freshness(const struct stage_view *sv, double *lag_s)
{
	return metric_num(sv->cur.metrics, "freshness_lag_s", lag_s);
}

/* Exports: its index (or alias, or data stream), as elasticsearch_exporter labels it. */
static size_t search_export_labels(const struct stage_view *sv, struct export_label *out)
{
	out[0].name = "index";
	search_target(sv->cfg, out[0].value, sizeof out[0].value);
	return 1;
}

/* The postgres connection of the source SQL: the probe's second session. */
static struct conn *search_extra_conn(const struct stage_cfg *st)
{
	return search_opts(st)->source;
}

const struct kind search_kind = {
    .name = "search",
    .canary_word = "index",
    .freshness = search_freshness,
    .canary_stuck = "not found in the index",
    .conn = CONN_SEARCH,
    .options = search_options,
    .opts_size = sizeof(struct search_opts),
    .metrics = search_metrics,
    .main_metric = "docs",
#ifdef HAVE_SEARCH
    .probe = &search_probe,
#endif
    .check = search_check,
    .extra_conn = search_extra_conn,
    .target = search_target,
    .evaluate = search_rules,
    .rules = search_rule_defs,
    .figures = search_figures,
    .export_labels = search_export_labels,
    .export_label_names = "index",
    .actions = ACTION_BIT(ACTION_REFRESH) | ACTION_BIT(ACTION_RESTORE_REFRESH),
    .extras = search_extras,
};
