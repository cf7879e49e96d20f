/* search_parse.h: what the search stage reads out of Elasticsearch/OpenSearch answers. Pure:
   JSON in, figures out, so that it is tested on the bodies the reference docs record.
   Unknown fields are ignored; a missing field leaves its figure unknown. */
#ifndef SYNCTOP_SEARCH_PARSE_H
#define SYNCTOP_SEARCH_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A figure that may be missing. */
struct opt_i64 {
	bool known;
	int64_t v;
};

struct search_figures {
	/* GET /_cluster/health */
	char health[16]; /* green, yellow, red; "" unknown */
	struct opt_i64 unassigned_shards;
	/* GET /{index}/_settings?include_defaults=true */
	int n_indices;             /* concrete indices behind the name (an alias or a data stream: several) */
	char refresh_interval[32]; /* "-1" when any index has refresh disabled; "" unknown */
	bool refresh_explicit;     /* every index sets index.refresh_interval itself */
	char search_idle_after[32];
	char first_index[256]; /* the first concrete index, for messages */
	/* GET /{index}/_stats/refresh,docs,indexing?level=shards (primaries) */
	struct opt_i64 stats_docs; /* Lucene documents: nested ones included */
	struct opt_i64 refresh_total, refresh_external_total, refresh_listeners;
	struct opt_i64 index_total, index_failed;
	int throttled;   /* -1 unknown, 0, 1 */
	int search_idle; /* -1 unknown (before ES 8.9, OpenSearch), 0 active, 1 some shard idle */
	/* GET /{index}/_count */
	struct opt_i64 docs;
	/* POST /{index}/_search with a max aggregation named "newest" */
	bool newest_known; /* false: no documents, or no such field */
	double newest_ms;  /* epoch milliseconds */
};

void search_figures_init(struct search_figures *f);

/* Each returns false with a reason when the body is not the object it should be. */
bool search_parse_health(const json_t *j, struct search_figures *f, char *err, size_t n);
bool search_parse_settings(const json_t *j, struct search_figures *f, char *err, size_t n);
bool search_parse_stats(const json_t *j, struct search_figures *f, char *err, size_t n);
bool search_parse_count(const json_t *j, struct search_figures *f, char *err, size_t n);
bool search_parse_newest(const json_t *j, struct search_figures *f, char *err, size_t n);
/* The same for the max aggregation called name. */
bool search_parse_max(const json_t *j, const char *name, struct search_figures *f, char *err, size_t n);

/* The per-index list for the detail view: [{index, refresh_interval, explicit, search_idle_after}]. */
json_t *search_settings_detail(const json_t *settings);

/* The concrete indices of a _settings answer with their index.uuid: {"products": "uuid"}
   (null for an index whose answer has none). New reference; {} when j is not an object. */
json_t *search_index_uuids(const json_t *settings);

/* The _shards object of a POST /{index}/_refresh answer ({"_shards": {"total", "successful",
   "failed", "failures": [...]}}, the same with a 503 or 500), and what it means on one line in
   buf: "total 2, successful 1, failed 0 (1 copy unassigned, ...: not a failure)", each failure's
   shard, index, status and reason after it. NULL (buf "") when the body has no _shards with
   its three counts. Borrowed from body. */
const json_t *search_refresh_shards(const json_t *body, char *buf, size_t n);

/* Whether a search sample's metrics say refresh is off (refresh_interval "-1"): the
   restore-refresh action applies only then. False with why otherwise. */
bool search_refresh_off(const json_t *metrics, char *why, size_t n);

#endif
