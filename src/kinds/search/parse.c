/* search_parse.c: what the search stage reads out of Elasticsearch/OpenSearch answers. */
#include "kinds/search/parse.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sample.h"
#include "util.h"

void search_figures_init(struct search_figures *f)
{
	memset(f, 0, sizeof *f);
	f->throttled = -1;
	f->search_idle = -1;
}

static bool want_object(const json_t *j, const char *what, char *err, size_t n)
{
	if (json_is_object(j))
		return true;
	snprintf(err, n, "the answer to %s is not a JSON object", what);
	return false;
}

static struct opt_i64 get_i64(const json_t *obj, const char *key)
{
	struct opt_i64 r = {false, 0};
	const json_t *v = json_object_get(obj, key);
	if (json_is_integer(v)) {
		r.known = true;
		r.v = (int64_t)json_integer_value(v);
	}
	return r;
}

bool search_parse_health(const json_t *j, struct search_figures *f, char *err, size_t n)
{
	if (!want_object(j, "GET /_cluster/health", err, n))
		return false;
	const char *status = json_string_value(json_object_get(j, "status"));
	if (status && (!strcmp(status, "green") || !strcmp(status, "yellow") || !strcmp(status, "red")))
		strlcpy_safe(f->health, status, sizeof f->health);
	f->unassigned_shards = get_i64(j, "unassigned_shards");
	return true;
}

/* A setting in either shape: nested ({"index": {"search": {"idle": {"after": v}}}}) or flat
   ({"index.search.idle.after": v}, with flat_settings=true). */
static const char *setting(const json_t *group, const char *dotted)
{
	const json_t *flat = json_object_get(group, dotted);
	if (json_is_string(flat))
		return json_string_value(flat);
	char path[128];
	strlcpy_safe(path, dotted, sizeof path);
	const json_t *node = group;
	for (char *save = NULL, *part = strtok_r(path, ".", &save); part && node;
	     part = strtok_r(NULL, ".", &save))
		node = json_object_get(node, part);
	return json_string_value(node);
}

/* One index of a _settings answer: refresh_interval as set (NULL: not set) and by default,
   and search.idle.after as in force. */
static void index_settings(const json_t *ix, const char **set, const char **def, const char **idle)
{
	*set = setting(json_object_get(ix, "settings"), "index.refresh_interval");
	*def = setting(json_object_get(ix, "defaults"), "index.refresh_interval");
	*idle = setting(json_object_get(ix, "settings"), "index.search.idle.after");
	if (!*idle)
		*idle = setting(json_object_get(ix, "defaults"), "index.search.idle.after");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The index names of a _settings answer, sorted (data stream backing indices: oldest first). */
static const char **index_names(const json_t *j, size_t *count)
{
	size_t n = json_object_size(j), i = 0;
	const char **names = xcalloc(n + 1, sizeof *names);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)j, key, v)
	{
		if (json_is_object(v))
			names[i++] = key;
	}
	qsort(names, i, sizeof *names, by_name);
	*count = i;
	return names;
}

bool search_parse_settings(const json_t *j, struct search_figures *f, char *err, size_t n)
{
	if (!want_object(j, "GET /{index}/_settings", err, n))
		return false;
	size_t count;
	const char **names = index_names(j, &count);
	f->n_indices = (int)count;
	f->refresh_explicit = count > 0;
	bool disabled = false;
	for (size_t i = 0; i < count; i++) {
		const char *set, *def, *idle;
		index_settings(json_object_get(j, names[i]), &set, &def, &idle);
		if (!set)
			f->refresh_explicit = false;
		const char *ri = set ? set : def;
		/* The newest index (last in order) speaks for the set, unless one has refresh off. */
		if (ri && !disabled) {
			strlcpy_safe(f->refresh_interval, ri, sizeof f->refresh_interval);
			disabled = !strcmp(ri, "-1");
		}
		if (idle)
			strlcpy_safe(f->search_idle_after, idle, sizeof f->search_idle_after);
		if (i == 0)
			strlcpy_safe(f->first_index, names[i], sizeof f->first_index);
	}
	free(names);
	return true;
}

json_t *search_settings_detail(const json_t *settings)
{
	json_t *list = json_array();
	size_t count;
	const char **names = index_names(settings, &count);
	for (size_t i = 0; i < count; i++) {
		const char *set, *def, *idle;
		index_settings(json_object_get(settings, names[i]), &set, &def, &idle);
		json_t *row = json_object();
		json_object_set_new(row, "index", json_string(names[i]));
		json_object_set_new(row, "refresh_interval",
		                    set   ? json_string(set)
		                    : def ? json_string(def)
		                          : json_null());
		json_object_set_new(row, "explicit", json_boolean(set != NULL));
		json_object_set_new(row, "search_idle_after", idle ? json_string(idle) : json_null());
		json_array_append_new(list, row);
	}
	free(names);
	return list;
}

json_t *search_index_uuids(const json_t *settings)
{
	json_t *out = json_object();
	size_t count;
	const char **names = index_names(settings, &count);
	for (size_t i = 0; i < count; i++) {
		const char *uuid =
		    setting(json_object_get(json_object_get(settings, names[i]), "settings"), "index.uuid");
		json_object_set_new(out, names[i], uuid ? json_string(uuid) : json_null());
	}
	free(names);
	return out;
}

const json_t *search_refresh_shards(const json_t *body, char *buf, size_t n)
{
	if (n)
		buf[0] = '\0';
	const json_t *sh = json_object_get(body, "_shards");
	struct opt_i64 total = get_i64(sh, "total"), ok = get_i64(sh, "successful"),
	               failed = get_i64(sh, "failed");
	if (!total.known || !ok.known || !failed.known || total.v < 0 || ok.v < 0 || failed.v < 0)
		return NULL;
	snprintf(buf, n, "total %" PRId64 ", successful %" PRId64 ", failed %" PRId64, total.v, ok.v,
	         failed.v);
	/* Copies neither successful nor failed were not active: on one node, its replicas. */
	int64_t idle = total.v - ok.v - failed.v;
	if (idle > 0 && ok.v == 0 && failed.v == 0)
		snappendf(buf, n, " (no shard copy active: nothing refreshed)");
	else if (idle > 0)
		snappendf(buf, n,
		          " (%" PRId64 " %s unassigned, as a replica on a single node: not a failure)", idle,
		          idle == 1 ? "copy" : "copies");
	const json_t *failures = json_object_get(sh, "failures");
	size_t i, shown = 0;
	const json_t *fl;
	json_array_foreach(failures, i, fl)
	{
		if (shown == 3) {
			snappendf(buf, n, "; and %zu more", json_array_size(failures) - 3);
			break;
		}
		const json_t *shard = json_object_get(fl, "shard");
		const char *index = json_string_value(json_object_get(fl, "index"));
		const char *status = json_string_value(json_object_get(fl, "status"));
		const json_t *reason = json_object_get(fl, "reason");
		const char *type = json_string_value(json_object_get(reason, "type"));
		const char *why = json_is_string(reason)
		                      ? json_string_value(reason)
		                      : json_string_value(json_object_get(reason, "reason"));
		snappendf(buf, n, "%s", shown ? "; " : "; failures: ");
		if (json_is_integer(shard))
			snappendf(buf, n, "shard %" JSON_INTEGER_FORMAT " of ", json_integer_value(shard));
		snappendf(buf, n, "%s", index ? index : "?");
		if (status)
			snappendf(buf, n, " (%s)", status);
		if (type || why)
			snappendf(buf, n, ": %s%s%s", type ? type : "", type && why ? ": " : "",
			          why ? why : "");
		shown++;
	}
	return sh;
}

bool search_refresh_off(const json_t *metrics, char *why, size_t n)
{
	const char *ri = metric_str(metrics, "refresh_interval");
	if (ri && !strcmp(ri, "-1"))
		return true;
	if (ri)
		snprintf(why, n, "refresh_interval is %s, not -1: periodic refresh is on", ri);
	else
		snprintf(why, n, "refresh_interval is not known yet (no sample of the index)");
	return false;
}

bool search_parse_stats(const json_t *j, struct search_figures *f, char *err, size_t n)
{
	if (!want_object(j, "GET /{index}/_stats", err, n))
		return false;
	const json_t *prim = json_object_get(json_object_get(j, "_all"), "primaries");
	const json_t *docs = json_object_get(prim, "docs");
	const json_t *refresh = json_object_get(prim, "refresh");
	const json_t *indexing = json_object_get(prim, "indexing");
	f->stats_docs = get_i64(docs, "count");
	f->refresh_total = get_i64(refresh, "total");
	f->refresh_external_total = get_i64(refresh, "external_total");
	f->refresh_listeners = get_i64(refresh, "listeners");
	f->index_total = get_i64(indexing, "index_total");
	f->index_failed = get_i64(indexing, "index_failed");
	const json_t *thr = json_object_get(indexing, "is_throttled");
	if (json_is_boolean(thr))
		f->throttled = json_is_true(thr);

	/* level=shards: indices.NAME.shards."0": [{..., "search_idle": bool}] (ES 8.9 and later). */
	const char *name, *sid;
	json_t *ix, *copies, *copy;
	size_t k;
	json_object_foreach(json_object_get(j, "indices"), name, ix)
	{
		json_object_foreach(json_object_get(ix, "shards"), sid, copies)
		{
			json_array_foreach(copies, k, copy)
			{
				const json_t *idle = json_object_get(copy, "search_idle");
				if (!json_is_boolean(idle))
					continue;
				if (json_is_true(idle))
					f->search_idle = 1;
				else if (f->search_idle < 0)
					f->search_idle = 0;
			}
		}
	}
	return true;
}

bool search_parse_count(const json_t *j, struct search_figures *f, char *err, size_t n)
{
	if (!want_object(j, "GET /{index}/_count", err, n))
		return false;
	f->docs = get_i64(j, "count");
	if (!f->docs.known) {
		snprintf(err, n, "the answer to GET /{index}/_count has no count");
		return false;
	}
	return true;
}

bool search_parse_newest(const json_t *j, struct search_figures *f, char *err, size_t n)
{
	return search_parse_max(j, "newest", f, err, n);
}

bool search_parse_max(const json_t *j, const char *name, struct search_figures *f, char *err, size_t n)
{
	if (!want_object(j, "POST /{index}/_search", err, n))
		return false;
	const json_t *aggs = json_object_get(j, "aggregations");
	if (!json_is_object(aggs)) {
		snprintf(err, n, "the answer to POST /{index}/_search has no aggregations");
		return false;
	}
	const json_t *v = json_object_get(json_object_get(aggs, name), "value");
	f->newest_known = json_is_number(v);
	f->newest_ms = f->newest_known ? json_number_value(v) : 0;
	return true;
}
