/* kafka.h: one librdkafka client per cluster, shared by every pipeline that names it. */
#ifndef SYNCTOP_BACKEND_KAFKA_H
#define SYNCTOP_BACKEND_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdbool.h>

#include "probe.h"

struct kafka_session {
	rd_kafka_t *rk; /* a consumer handle without group.id: metadata, admin, offsets */
	const struct conn *conn;
	pthread_mutex_t lock;    /* guards last_log: librdkafka logs from its own threads */
	char last_log[256];      /* the last warning or error librdkafka logged, for messages */
	rd_kafka_t *describe_rk; /* DescribeConsumerGroups on a handle of its own (opt-in) */
	/* What every stage on this cluster shares within one poll round: the metadata and the
	   end offsets (fetched once per round, for the partitions asked so far). */
	unsigned long round;
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_partition_list_t *ends;
	bool debug;             /* property.debug set: librdkafka's debug log goes to stderr (the log file) */
	bool describe_given_up; /* it failed once: its handle is abandoned, never destroyed */
};

extern const struct backend kafka_backend;

/* Milliseconds left until the monotonic deadline (at least 1). */
int kafka_ms_left(double deadline);
/* The last thing librdkafka complained about, "" if nothing. */
void kafka_last_log(struct kafka_session *ks, char *buf, size_t n);
/* A handle of the connection's configuration (for the describe handle); NULL with err. */
rd_kafka_t *kafka_new_handle(struct kafka_session *ks, const struct conn *c, char *err, size_t n);

#endif
