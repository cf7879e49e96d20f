/* offsets.c: the committed offsets of every consumer group watched on a cluster, asked at once.
 *
 * The first kafka stage of a round on a connection asks for the committed offsets of the groups
 * of every kafka stage on that connection, all at once: one ListConsumerGroupOffsets call per
 * group (librdkafka 2.0.2 takes one group per call), each finding its group's coordinator and
 * asking it, concurrently, on one queue, and waits for the answers until its poll's deadline.
 * The other stages of the round read their group's answer from the session. A group whose answer
 * does not come in time is unknown, with the reason; the others are not held back by it. */
/* needs: kafka */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/kafka.h"
#include "kinds/kafka/kafka.h"
#include "kinds/probe.h"
#include "util.h"

const rd_kafka_topic_partition_t *kafka_find_at(const rd_kafka_topic_partition_list_t *l, int i,
                                                const char *topic, int32_t partition)
{
	if (i >= 0 && i < l->cnt && l->elems[i].partition == partition && !strcmp(l->elems[i].topic, topic))
		return &l->elems[i];
	return rd_kafka_topic_partition_list_find(l, topic, partition);
}

bool kafka_topic_wanted(const struct kafka_opts *st, const char *name)
{
	if (!st->topics)
		return strncmp(name, "__", 2) != 0; /* internal topics (__consumer_offsets) */
	for (char **t = st->topics; *t; t++)
		if (!strcmp(*t, name))
			return true;
	return false;
}

void kafka_partitions_wanted(const struct rd_kafka_metadata *md, const struct kafka_opts *st,
                             rd_kafka_topic_partition_list_t *list)
{
	bool fresh = list->cnt == 0; /* nothing to look for in it (a search each is quadratic) */
	for (int i = 0; i < md->topic_cnt; i++) {
		const struct rd_kafka_metadata_topic *t = &md->topics[i];
		if (t->err || !kafka_topic_wanted(st, t->topic))
			continue;
		for (int p = 0; p < t->partition_cnt; p++)
			if (fresh || !kafka_find_at(list, list->cnt, t->topic, t->partitions[p].id))
				rd_kafka_topic_partition_list_add(list, t->topic, t->partitions[p].id);
	}
}

/* The round's entry of group, added (nothing asked yet) when there is none. */
static struct kafka_group_offsets *entry_of(struct kafka_session *ks, const char *group, bool add)
{
	for (size_t i = 0; i < ks->n_groups; i++)
		if (!strcmp(ks->groups[i].group, group))
			return &ks->groups[i];
	if (!add)
		return NULL;
	ks->groups = xrealloc(ks->groups, (ks->n_groups + 1) * sizeof *ks->groups);
	struct kafka_group_offsets *g = &ks->groups[ks->n_groups++];
	*g = (struct kafka_group_offsets){.group = xstrdup(group),
	                                  .asked = rd_kafka_topic_partition_list_new(64)};
	return g;
}

/* One group's answer, from its event. */
static void take_answer(struct kafka_group_offsets *g, rd_kafka_event_t *ev)
{
	if (rd_kafka_event_error(ev)) {
		snprintf(g->err, sizeof g->err, "cannot read the committed offsets of group %s: %s", g->group,
		         rd_kafka_event_error_string(ev));
		return;
	}
	size_t n = 0;
	const rd_kafka_group_result_t **res = rd_kafka_ListConsumerGroupOffsets_result_groups(
	    rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
	const rd_kafka_error_t *ge = n > 0 ? rd_kafka_group_result_error(res[0]) : NULL;
	if (n == 0 || ge)
		snprintf(g->err, sizeof g->err, "cannot read the committed offsets of group %s: %s", g->group,
		         ge ? rd_kafka_error_string(ge) : "no answer for the group");
	else {
		g->committed = rd_kafka_topic_partition_list_copy(rd_kafka_group_result_partitions(res[0]));
		rd_kafka_topic_partition_list_destroy(g->asked); /* the answer lists them all */
		g->asked = NULL;
	}
}

/* Asks for the committed offsets of groups [from, ks->n_groups) at once, on a queue of their own
   (a late answer is never read by the next poll), and waits for them until the deadline. */
static void ask(struct kafka_session *ks, size_t from, double deadline)
{
	rd_kafka_queue_t *q = rd_kafka_queue_new(ks->rk);
	size_t pending = 0;
	for (size_t i = from; i < ks->n_groups; i++) {
		struct kafka_group_offsets *g = &ks->groups[i];
		if (g->asked->cnt == 0) { /* librdkafka 2.0.2 mishandles an empty list */
			snprintf(g->err, sizeof g->err, "the cluster has no topics to watch");
			continue;
		}
		rd_kafka_AdminOptions_t *opts =
		    rd_kafka_AdminOptions_new(ks->rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
		char errstr[256];
		rd_kafka_AdminOptions_set_request_timeout(opts, kafka_ms_left(deadline), errstr,
		                                          sizeof errstr);
		rd_kafka_AdminOptions_set_opaque(opts, (void *)(uintptr_t)(i + 1));
		rd_kafka_ListConsumerGroupOffsets_t *req =
		    rd_kafka_ListConsumerGroupOffsets_new(g->group, g->asked);
		rd_kafka_ListConsumerGroupOffsets(ks->rk, &req, 1, opts, q);
		rd_kafka_ListConsumerGroupOffsets_destroy(req);
		rd_kafka_AdminOptions_destroy(opts);
		pending++;
	}
	while (pending > 0 && now_mono() < deadline) {
		rd_kafka_event_t *ev = rd_kafka_queue_poll(q, kafka_ms_left(deadline));
		if (!ev)
			continue;
		uintptr_t k = (uintptr_t)rd_kafka_event_opaque(ev);
		if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT && k > from &&
		    k <= ks->n_groups && !ks->groups[k - 1].committed && !ks->groups[k - 1].err[0]) {
			take_answer(&ks->groups[k - 1], ev);
			pending--;
		}
		rd_kafka_event_destroy(ev);
	}
	rd_kafka_queue_destroy(q);
	for (size_t i = from; i < ks->n_groups; i++) {
		struct kafka_group_offsets *g = &ks->groups[i];
		if (g->committed || g->err[0])
			continue;
		char why[256];
		kafka_last_log(ks, why, sizeof why);
		snprintf(g->err, sizeof g->err, "timeout: no committed offsets for group %s in time%s%s",
		         g->group, *why ? "; last broker error: " : "", why);
	}
}

/* The round's entries of every group of the kafka stages on the connection of ctx->st, each with
   the partitions its stages want (their union when stages share a group). */
static void gather(const struct probe_ctx *ctx, struct kafka_session *ks)
{
	const struct config *cfg = ctx->cfg;
	for (size_t i = 0; cfg && i < cfg->n_pipelines; i++)
		for (size_t j = 0; j < cfg->pipelines[i].n_stages; j++) {
			const struct stage_cfg *s = &cfg->pipelines[i].stages[j];
			if (s->kind != ctx->st->kind || s->conn != ctx->st->conn || !kafka_opts(s)->group)
				continue;
			struct kafka_group_offsets *g = entry_of(ks, kafka_opts(s)->group, true);
			kafka_partitions_wanted(ks->md, kafka_opts(s), g->asked);
			g->users++;
		}
}

/* The round's entry of group that covers parts, or NULL. */
static struct kafka_group_offsets *covering(struct kafka_session *ks, const char *group,
                                            const rd_kafka_topic_partition_list_t *parts)
{
	for (size_t k = 0; k < ks->n_groups; k++) {
		struct kafka_group_offsets *g = &ks->groups[k];
		const rd_kafka_topic_partition_list_t *l = g->committed ? g->committed : g->asked;
		bool covered = g->users > 0 && l && !strcmp(g->group, group);
		for (int i = 0; covered && i < parts->cnt; i++)
			covered =
			    kafka_find_at(l, i, parts->elems[i].topic, parts->elems[i].partition) != NULL;
		if (covered)
			return g;
	}
	return NULL;
}

const struct kafka_group_offsets *kafka_committed(const struct probe_ctx *ctx, struct kafka_session *ks,
                                                  const rd_kafka_topic_partition_list_t *parts)
{
	const char *group = kafka_opts(ctx->st)->group;
	if (!ks->groups_asked) {
		ks->groups_asked = true;
		gather(ctx, ks);
		ask(ks, 0, ctx->deadline);
	}
	struct kafka_group_offsets *g = covering(ks, group, parts);
	if (!g) { /* a stage the round's first did not see (not in its config): asked alone */
		size_t from = ks->n_groups;
		ks->groups = xrealloc(ks->groups, (ks->n_groups + 1) * sizeof *ks->groups);
		g = &ks->groups[ks->n_groups++];
		*g = (struct kafka_group_offsets){
		    .group = xstrdup(group), .asked = rd_kafka_topic_partition_list_copy(parts), .users = 1};
		ask(ks, from, ctx->deadline);
	}
	return g;
}

void kafka_committed_done(struct kafka_session *ks, const struct kafka_group_offsets *done)
{
	for (size_t k = 0; k < ks->n_groups; k++) {
		struct kafka_group_offsets *g = &ks->groups[k];
		if (g != done || --g->users > 0)
			continue;
		if (g->asked)
			rd_kafka_topic_partition_list_destroy(g->asked);
		if (g->committed)
			rd_kafka_topic_partition_list_destroy(g->committed);
		g->asked = g->committed = NULL;
	}
}
