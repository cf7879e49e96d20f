/* probe.c: the kafka stage: a consumer group's lag per partition, evaluated over a window of polls. */
/* needs: kafka */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/kafka.h"
#include "kinds/kafka/kafka.h"
#include "kinds/probe.h"
#include "window.h"

/* History kept in each sample (raw.hist) for the evaluation: this many windows back, so
   that a consumer standing still for longer than the window can be told (STOP). */
#define HIST_WINDOWS 3

/* A new round: what the previous one fetched is stale. */
static void round_begin(struct kafka_session *ks, unsigned long round)
{
	if (ks->round == round)
		return;
	if (ks->md)
		rd_kafka_metadata_destroy(ks->md);
	ks->md = NULL;
	if (ks->ends)
		rd_kafka_topic_partition_list_destroy(ks->ends);
	ks->ends = rd_kafka_topic_partition_list_new(64);
	kafka_groups_clear(ks);
	ks->round = round;
}

/* The partitions of the wanted topics, from the cluster's metadata (once per round). */
static rd_kafka_topic_partition_list_t *partitions_of(const struct probe_ctx *ctx, struct kafka_session *ks,
                                                      struct sample *out)
{
	const struct kafka_opts *st = kafka_opts(ctx->st);
	rd_kafka_resp_err_t e = 0;
	if (!ks->md)
		e = rd_kafka_metadata(ks->rk, 1, NULL, &ks->md, kafka_ms_left(ctx->deadline));
	const struct rd_kafka_metadata *md = ks->md;
	if (e) {
		ks->md = NULL;
		char why[256];
		kafka_last_log(ks, why, sizeof why);
		sample_set_error(out, "cannot read the cluster's metadata: %s%s%s", rd_kafka_err2str(e),
		                 *why ? "; last broker error: " : "", why);
		return NULL;
	}
	rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(64);
	kafka_partitions_wanted(md, st, list);
	char missing[256] = "";
	for (char **want = st->topics; want && *want; want++) {
		bool found = false;
		for (int i = 0; i < list->cnt && !found; i++)
			found = !strcmp(list->elems[i].topic, *want);
		if (!found)
			snappendf(missing, sizeof missing, "%s'%s'", *missing ? ", " : "", *want);
	}
	if (*missing) {
		sample_set_error(out, "topic %s does not exist in the cluster", missing);
		rd_kafka_topic_partition_list_destroy(list);
		return NULL;
	}
	return list;
}

/* End offsets (high watermarks): one ListOffsets request per partition leader, and once per
   round for a partition, whichever stage asks first. */
static rd_kafka_topic_partition_list_t *ends_of(const struct probe_ctx *ctx, struct kafka_session *ks,
                                                const rd_kafka_topic_partition_list_t *parts,
                                                struct sample *out)
{
	rd_kafka_topic_partition_list_t *missing = rd_kafka_topic_partition_list_new(parts->cnt);
	for (int i = 0; i < parts->cnt; i++)
		if (!kafka_find_at(ks->ends, i, parts->elems[i].topic, parts->elems[i].partition))
			rd_kafka_topic_partition_list_add(missing, parts->elems[i].topic,
			                                  parts->elems[i].partition)
			    ->offset = RD_KAFKA_OFFSET_END;
	if (missing->cnt > 0) {
		rd_kafka_resp_err_t e =
		    rd_kafka_offsets_for_times(ks->rk, missing, kafka_ms_left(ctx->deadline));
		if (e) {
			char why[256];
			kafka_last_log(ks, why, sizeof why);
			sample_set_error(out, "cannot read the end offsets: %s%s%s", rd_kafka_err2str(e),
			                 *why ? "; last broker error: " : "", why);
			rd_kafka_topic_partition_list_destroy(missing);
			return NULL;
		}
		for (int i = 0; i < missing->cnt; i++) {
			rd_kafka_topic_partition_t *got = rd_kafka_topic_partition_list_add(
			    ks->ends, missing->elems[i].topic, missing->elems[i].partition);
			got->offset = missing->elems[i].offset;
			got->err = missing->elems[i].err;
		}
	}
	rd_kafka_topic_partition_list_destroy(missing);
	rd_kafka_topic_partition_list_t *ends = rd_kafka_topic_partition_list_copy(parts);
	for (int i = 0; i < ends->cnt; i++) {
		const rd_kafka_topic_partition_t *c =
		    kafka_find_at(ks->ends, i, ends->elems[i].topic, ends->elems[i].partition);
		ends->elems[i].offset = c ? c->offset : RD_KAFKA_OFFSET_INVALID;
		ends->elems[i].err = c ? c->err : RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
	}
	return ends;
}

/* Group state and members, opt-in, asked by a child process (see kafka_describe.c): one
   failure and it is not asked again on this session. */
static void describe_group(const struct probe_ctx *ctx, struct kafka_session *ks, struct sample *out)
{
	if (!ks->conn->describe_groups || ks->describe_given_up)
		return;
	char state[64], err[256];
	long members = 0;
	if (!kafka_describe(ks->conn, kafka_opts(ctx->st)->group, ctx->deadline, state, sizeof state,
	                    &members, err, sizeof err)) {
		ks->describe_given_up = true;
		return;
	}
	json_object_set_new(out->metrics, "group_state", json_string(state));
	json_object_set_new(out->metrics, "members", json_integer(members));
}

static int64_t offset_for(const rd_kafka_topic_partition_list_t *l, int i, const char *topic,
                          int32_t partition)
{
	const rd_kafka_topic_partition_t *p = kafka_find_at(l, i, topic, partition);
	return p && !p->err && p->offset >= 0 ? p->offset : WINDOW_NO_POS;
}

static int by_lag(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int64_t lx = -1, ly = -1;
	metric_int(x, "lag", &lx);
	metric_int(y, "lag", &ly);
	if (lx != ly)
		return lx < ly ? 1 : -1;
	int c = strcmp(metric_str(x, "topic"), metric_str(y, "topic"));
	if (c)
		return c;
	int64_t px = 0, py = 0;
	metric_int(x, "partition", &px);
	metric_int(y, "partition", &py);
	return px < py ? -1 : px > py;
}

/* Metrics from the committed and end offsets; raw keeps the offsets for the evaluation. */
static void fill(const struct kafka_opts *st, const rd_kafka_topic_partition_list_t *parts,
                 const rd_kafka_topic_partition_list_t *committed,
                 const rd_kafka_topic_partition_list_t *ends, json_t **shared_keys, struct sample *out)
{
	json_t *topic_name = NULL; /* one string per topic for its rows, not one per row */
	size_t n = (size_t)parts->cnt, k = 0;
	json_t **rows = xcalloc(n ? n : 1, sizeof *rows);
	json_t *keys = json_array();
	int64_t *cs = xcalloc(n ? n : 1, 2 * sizeof *cs), *es = cs + (n ? n : 1);
	int64_t lag = 0, max_lag = 0, no_commit = 0;
	/* Without kafka.topics: the topics the group has committed offsets for (found in one pass). */
	const char **with_commits = xcalloc(n ? n : 1, sizeof *with_commits);
	size_t n_with = 0;
	for (int i = 0; !st->topics && i < committed->cnt; i++) {
		const rd_kafka_topic_partition_t *p = &committed->elems[i];
		if (p->err || p->offset < 0)
			continue;
		bool known = false;
		for (size_t j = 0; j < n_with && !known; j++)
			known = !strcmp(with_commits[j], p->topic);
		if (!known && n_with < n)
			with_commits[n_with++] = p->topic;
	}
	for (size_t i = 0; i < n; i++) {
		const char *topic = parts->elems[i].topic;
		int32_t partition = parts->elems[i].partition;
		if (!st->topics) {
			bool any = false;
			for (size_t j = 0; j < n_with && !any; j++)
				any = !strcmp(with_commits[j], topic);
			if (!any)
				continue;
		}
		int64_t c = offset_for(committed, (int)i, topic, partition),
		        e = offset_for(ends, (int)i, topic, partition);
		json_t *row = json_object();
		if (!topic_name || strcmp(json_string_value(topic_name), topic)) {
			json_decref(topic_name);
			topic_name = json_string(topic);
		}
		json_object_set(row, "topic", topic_name);
		json_object_set_new(row, "partition", json_integer(partition));
		json_object_set_new(row, "committed", c >= 0 ? json_integer(c) : json_null());
		json_object_set_new(row, "end", e >= 0 ? json_integer(e) : json_null());
		if (c >= 0 && e >= 0) {
			int64_t l = e > c ? e - c : 0;
			json_object_set_new(row, "lag", json_integer(l));
			lag += l;
			max_lag = l > max_lag ? l : max_lag;
		} else {
			json_object_set_new(row, "lag", json_null());
			no_commit += c < 0;
		}
		rows[k++] = row;
		json_array_append_new(keys, json_sprintf("%s/%" PRId32, topic, partition));
		cs[k - 1] = c;
		es[k - 1] = e;
	}
	free(with_commits);
	json_decref(topic_name);
	/* The lane names of the stage before, when the same: one list for every group on them. */
	if (*shared_keys && json_equal(*shared_keys, keys)) {
		json_decref(keys);
		keys = json_incref(*shared_keys);
	} else {
		json_decref(*shared_keys);
		*shared_keys = json_incref(keys);
	}
	qsort(rows, k, sizeof *rows, by_lag);
	json_t *lags = json_array();
	for (size_t i = 0; i < k; i++)
		json_array_append_new(lags, rows[i]);
	free(rows);
	json_object_set_new(out->metrics, "lag", json_integer(lag));
	json_object_set_new(out->metrics, "partitions", json_integer((json_int_t)k));
	json_object_set_new(out->metrics, "max_partition_lag", json_integer(max_lag));
	json_object_set_new(out->metrics, "partition_lags", lags);
	out->detail = json_pack("{sI}", "no_commit_partitions", (json_int_t)no_commit);
	out->raw = json_object();
	window_raw_set(out->raw, keys, cs, es);
	free(cs);
}

static enum probe_result kafka_poll(const struct probe_ctx *ctx, struct sample *out)
{
	struct kafka_session *ks = ctx->session;
	round_begin(ks, ctx->round);
	rd_kafka_topic_partition_list_t *parts = partitions_of(ctx, ks, out);
	if (!parts)
		return PROBE_FAILED;
	if (parts->cnt == 0) {
		sample_set_error(out, "the cluster has no topics to watch");
		rd_kafka_topic_partition_list_destroy(parts);
		return PROBE_FAILED;
	}
	const struct kafka_group_offsets *g = kafka_committed(ctx, ks, parts);
	const rd_kafka_topic_partition_list_t *committed = g->committed;
	if (!committed)
		sample_set_error(out, "%s", g->err);
	rd_kafka_topic_partition_list_t *ends = committed ? ends_of(ctx, ks, parts, out) : NULL;
	enum probe_result r = PROBE_FAILED;
	if (committed && ends) {
		fill(kafka_opts(ctx->st), parts, committed, ends, &ks->keys, out);
		describe_group(ctx, ks, out);
		r = PROBE_OK;
	}
	if (ends)
		rd_kafka_topic_partition_list_destroy(ends);
	kafka_committed_done(ks, g);
	rd_kafka_topic_partition_list_destroy(parts);
	return r;
}

/* The history travels from sample to sample (raw.hist), trimmed to a few windows; the
   evaluation and lag_s are computed on it. */
static void kafka_derive(const struct stage_cfg *stage, const struct sample *prev, struct sample *cur)
{
	const struct kafka_opts *st = kafka_opts(stage);
	struct window_history h;
	if (!window_history(prev->raw, prev->mono, cur->raw, cur->mono, HIST_WINDOWS * st->window_s, &h))
		return;
	struct window_eval ev = window_evaluate(h.pts, h.n, h.lanes, st->window_s);
	window_put(cur->metrics, &ev);
	double lag_s = window_lag_seconds(h.pts, h.n, h.lanes);
	json_object_set_new(cur->metrics, "lag_s", lag_s >= 0 ? json_real(lag_s) : json_null());
	window_history_free(&h);
}

const struct probe kafka_probe = {
    .poll = kafka_poll,
    .derive = kafka_derive,
    .canary = &kafka_canary,
};
