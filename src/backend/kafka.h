/* kafka.h: one librdkafka client per cluster, shared by every pipeline that names it. */
#ifndef SYNCTOP_BACKEND_KAFKA_H
#define SYNCTOP_BACKEND_KAFKA_H

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdbool.h>

#include "backend/backend.h"

/* One consumer group's committed offsets in this round: asked for every group of a connection at
   once (kinds/kafka/offsets.c), read by each stage of that group. */
struct kafka_group_offsets {
	char *group;
	rd_kafka_topic_partition_list_t *asked;     /* the partitions asked for (freed once answered) */
	rd_kafka_topic_partition_list_t *committed; /* the answer, or NULL with err */
	char err[512];
	int users; /* the stages of the round still to read it: at 0 its lists are freed */
};

struct kafka_session {
	rd_kafka_t *rk; /* a consumer handle without group.id: metadata, admin, offsets */
	const struct conn *conn;
	pthread_mutex_t lock; /* guards last_log: librdkafka logs from its own threads */
	char last_log[256];   /* the last warning or error librdkafka logged, for messages */

	/* What every stage on this cluster shares within one poll round: the metadata and the
	   end offsets (fetched once per round, for the partitions asked so far). */
	unsigned long round;
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_partition_list_t *ends;
	struct kafka_group_offsets *groups; /* the committed offsets of the round's groups */
	size_t n_groups;
	bool groups_asked; /* this round's groups were asked for (whatever came back) */
	/* The lane names ("topic/partition") of the last stage polled, shared by every sample of
	   the stages that watch the same partitions (the worker's thread alone touches it). */
	json_t *keys;
	bool debug;             /* property.debug set: librdkafka's debug log goes to stderr (the log file) */
	bool describe_given_up; /* describe_groups failed once for this session: not asked again */
};

extern const struct backend kafka_backend;

/* Milliseconds left until the monotonic deadline (at least 1). */
int kafka_ms_left(double deadline);
/* The last thing librdkafka complained about, "" if nothing. */
void kafka_last_log(struct kafka_session *ks, char *buf, size_t n);
/* The group's state and member count, asked by a child process (kafka_describe.c): true with
   state and members, or false with the reason. Bounded by the deadline, whatever librdkafka does. */
bool kafka_describe(const struct conn *c, const char *group, double deadline, char *state, size_t n,
                    long *members, char *err, size_t en);
/* The child's side: `synctop --kafka-describe-helper` reads its request on stdin. */
int kafka_describe_helper(void);

/* Forgets the round's committed offsets (ks->groups). */
void kafka_groups_clear(struct kafka_session *ks);

/* A handle of the connection's configuration; NULL with err. */
rd_kafka_t *kafka_new_handle(struct kafka_session *ks, const struct conn *c, char *err, size_t n);

#endif
