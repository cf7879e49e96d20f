/* kafka.h: what the files of the kafka kind share. */
#ifndef SYNCTOP_KIND_KAFKA_H
#define SYNCTOP_KIND_KAFKA_H

#include <stdint.h>

#include "kinds/kind.h"

/* The kafka.* options of a stage (st->opts), described by kafka_options. */
struct kafka_opts {
	char *group;     /* kafka.group: the consumer group */
	char **topics;   /* kafka.topics: NULL-terminated; NULL = the topics the group committed to */
	double window_s; /* kafka.window: the evaluation window */
	int64_t lag_warn, lag_crit;
};

static inline const struct kafka_opts *kafka_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind kafka_kind;
/* Its rules as data (rules_table.c), ended by {0}. */
extern const struct rule_def kafka_rule_defs[];
/* canary.c: the end-to-end canary's kafka hop (committed past the marker), from a poll's figures. */
extern const struct probe_canary kafka_canary;
#ifdef HAVE_KAFKA
extern const struct probe kafka_probe;

#include "backend/kafka.h"
struct probe_ctx;
/* offsets.c: the element of l for topic/partition, looked up at index i first (the lists of a
   round hold the partitions in the same order, from the same metadata: a search of 1,000
   partitions for each of 1,000 would cost more than the poll); NULL when it has none. */
const rd_kafka_topic_partition_t *kafka_find_at(const rd_kafka_topic_partition_list_t *l, int i,
                                                const char *topic, int32_t partition);
/* Whether the stage watches topic name; the partitions of the topics it watches in
   md, added to list (those not in it yet). */
bool kafka_topic_wanted(const struct kafka_opts *st, const char *name);
void kafka_partitions_wanted(const struct rd_kafka_metadata *md, const struct kafka_opts *st,
                             rd_kafka_topic_partition_list_t *list);
/* The committed offsets of the stage's group on parts, for this round: at the round's first call
   on the session (ks->md read), those of every group of the kafka stages on its connection are
   asked at once, until ctx->deadline. Its committed, or NULL with its err. */
const struct kafka_group_offsets *kafka_committed(const struct probe_ctx *ctx, struct kafka_session *ks,
                                                  const rd_kafka_topic_partition_list_t *parts);
/* The stage is done with what kafka_committed gave it: once every stage of its group is, its
   lists are freed (100 groups of 1,000 partitions would hold 10 MB until the next round). */
void kafka_committed_done(struct kafka_session *ks, const struct kafka_group_offsets *g);
#endif

/* options.c: the kafka.* keys, the first being the stage key itself. */
extern const struct opt_def kafka_options[];
bool kafka_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                 size_t n);

/* rules.c */
void kafka_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
