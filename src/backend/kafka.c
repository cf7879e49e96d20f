/* kafka.c: one librdkafka client per cluster, shared by every pipeline that names it. */
#include "backend/kafka.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

#define KAFKA_FETCH_MAX        "16776704" /* 16 MiB - 512: librdkafka wants the receive cap above it */
#define KAFKA_RESPONSE_MAX     "16777216" /* 16 MiB */
#define KAFKA_RECONNECT_MAX_MS "500"

int kafka_ms_left(double deadline)
{
	double left = (deadline - now_mono()) * 1000.0;
	return left < 1 ? 1 : (int)ceil(left);
}

/* librdkafka logs from its threads; nothing of it may reach the screen or a check's stderr.
   Warnings and errors are kept (the last one) to say why a call timed out. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)fac;
	struct kafka_session *ks = rd_kafka_opaque(rk);
	if (!ks)
		return;
	/* Asked for with property.debug: to stderr, which is the log file while on screen. */
	if (ks->debug) {
		char line[1024]; /* broker names and errors are the servers' words */
		fprintf(stderr, "librdkafka %s: %s\n", fac, text_clean(line, sizeof line, buf, strlen(buf)));
	}
	if (level > 4) /* LOG_WARNING */
		return;
	/* "[thrd:127.0.0.1:9092/bootstrap]: 127.0.0.1:9092/bootstrap: Connect to ..." reads better
   without its thread tag. */
	if (!strncmp(buf, "[thrd:", 6) && strstr(buf, "]: "))
		buf = strstr(buf, "]: ") + 3;
	pthread_mutex_lock(&ks->lock);
	strlcpy_safe(ks->last_log, buf, sizeof ks->last_log);
	pthread_mutex_unlock(&ks->lock);
}

void kafka_last_log(struct kafka_session *ks, char *buf, size_t n)
{
	pthread_mutex_lock(&ks->lock);
	strlcpy_safe(buf, ks->last_log, n);
	pthread_mutex_unlock(&ks->lock);
}

static bool conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *err, size_t n)
{
	char errstr[256];
	if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK)
		return true;
	/* Not the value: it may be a secret. */
	snprintf(err, n, "librdkafka property %s: %s", key,
	         strstr(errstr, value) && *value ? "invalid value" : errstr);
	return false;
}

rd_kafka_t *kafka_new_handle(struct kafka_session *ks, const struct conn *c, char *err, size_t n)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	/* The end offset is the high watermark: read_uncommitted, as consumers of the topic see it
	   (a read_committed group's lag shows no aborted-transaction markers either way). */
	bool ok = conf_set(conf, "bootstrap.servers", c->brokers, err, n) &&
	          conf_set(conf, "client.id", "synctop", err, n) &&
	          conf_set(conf, "isolation.level", "read_uncommitted", err, n) &&
	          conf_set(conf, "enable.auto.commit", "false", err, n) &&
	          conf_set(conf, "log.connection.close", "false", err, n) &&
	          /* A cap on what one response may hold (librdkafka's default is 100 MB): synctop
	             asks for metadata and offsets, never messages (synctop.conf(5)). */
	          conf_set(conf, "fetch.max.bytes", KAFKA_FETCH_MAX, err, n) &&
	          conf_set(conf, "receive.message.max.bytes", KAFKA_RESPONSE_MAX, err, n) &&
	          /* A broker that is back is seen at the next poll: librdkafka's reconnect backoff
	             grows to 10 s by default, longer than a monitor may stay blind. */
	          conf_set(conf, "reconnect.backoff.max.ms", KAFKA_RECONNECT_MAX_MS, err, n);
	for (const struct kv *p = c->properties; ok && p; p = p->next) {
		ok = conf_set(conf, p->key, p->value, err, n);
		if (!strcmp(p->key, "debug") && *p->value)
			ks->debug = true;
	}
	if (ok && c->secret)
		ok = conf_set(conf, "sasl.password", c->secret, err, n);
	if (!ok) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, on_log);
	rd_kafka_conf_set_opaque(conf, ks);
	char errstr[256];
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
	if (!rk) {
		snprintf(err, n, "cannot create the Kafka client: %s", errstr);
		rd_kafka_conf_destroy(conf);
	}
	return rk;
}

static void *kafka_open(const struct config *cfg, const struct conn *c, double deadline, char *err, size_t n)
{
	(void)cfg;
	(void)deadline; /* librdkafka connects lazily: the first call's deadline bounds it */
	struct kafka_session *ks = xcalloc(1, sizeof *ks);
	pthread_mutex_init(&ks->lock, NULL);
	ks->conn = c;
	ks->rk = kafka_new_handle(ks, c, err, n);
	if (!ks->rk) {
		pthread_mutex_destroy(&ks->lock);
		free(ks);
		return NULL;
	}
	return ks;
}

void kafka_groups_clear(struct kafka_session *ks)
{
	for (size_t i = 0; i < ks->n_groups; i++) {
		struct kafka_group_offsets *g = &ks->groups[i];
		free(g->group);
		if (g->asked)
			rd_kafka_topic_partition_list_destroy(g->asked);
		if (g->committed)
			rd_kafka_topic_partition_list_destroy(g->committed);
	}
	free(ks->groups);
	ks->groups = NULL;
	ks->n_groups = 0;
	ks->groups_asked = false;
}

static void kafka_close(void *session)
{
	struct kafka_session *ks = session;
	if (!ks)
		return;
	if (ks->md)
		rd_kafka_metadata_destroy(ks->md);
	if (ks->ends)
		rd_kafka_topic_partition_list_destroy(ks->ends);
	kafka_groups_clear(ks);
	json_decref(ks->keys);
	rd_kafka_destroy(ks->rk);
	pthread_mutex_destroy(&ks->lock);
	free(ks);
}

const struct backend kafka_backend = {
    .kind = CONN_KAFKA,
    .open = kafka_open,
    .close = kafka_close,
};
