/* relay_kafka.c: synctop-relay's Kafka half: an idempotent producer that publishes a batch of outbox
 * rows and waits, within a bound, for the broker's verdict on every one of them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

/* The relay's default message.timeout.ms (librdkafka's is 300 s): a batch holds its rows locked
   until every delivery report is in, so the wait must stay short. -X message.timeout.ms=N changes it. */
#define MESSAGE_TIMEOUT_MS "10000"
/* How long a delivery report may lag behind the message timeout before we stop waiting. */
#define REPORT_MARGIN_MS 2000
/* After SIGTERM, how long the batch in flight may take to be acknowledged before it is abandoned. */
#define STOP_GRACE_MS 2000
/* A batch's row index in the message opaque, below the batch's sequence number. */
#define INDEX_BITS 20

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kafka *k = opaque;
	uintptr_t tag = (uintptr_t)m->_private;
	uintptr_t idx = tag & ((1u << INDEX_BITS) - 1);
	struct row *r;

	(void)rk;
	/* A report of an abandoned batch (purged) that arrives late: nothing waits for it. */
	if (!k->batch || (tag >> INDEX_BITS) != (uintptr_t)k->seq || idx >= (uintptr_t)k->batch->n)
		return;
	r = &k->batch->rows[idx];
	if (r->state != ROW_SENDING)
		return;
	if (m->err) {
		r->state = ROW_FAILED;
		snprintf(r->error, sizeof r->error, "%s", rd_kafka_err2str(m->err));
	} else {
		r->state = ROW_ACKED;
	}
	k->outstanding--;
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kafka *k = opaque;
	char why[512];

	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		rd_kafka_fatal_error(rk, why, sizeof why);
		k->fatal = 1;
		worker_state_fail(&k->state, "the producer failed for good (a new one follows): %s", why);
	} else {
		worker_kafka_error(&k->state, err, reason);
	}
}

int kafka_open(struct kafka *k, const struct relay_opts *o, char *why, size_t whylen)
{
	rd_kafka_conf_t *conf;
	char errstr[512], value[32];
	size_t size = sizeof value;
	static const char *const defaults[][2] = {
	    {"client.id", RELAY_NAME},
	    /* Retries inside librdkafka never duplicate or reorder a message. */
	    {"enable.idempotence", "true"},
	    {"acks", "all"},
	    {"message.timeout.ms", MESSAGE_TIMEOUT_MS},
	    {"log.connection.close", "false"},
	};

	memset(k, 0, sizeof *k);
	k->state.what = "kafka";
	conf = worker_kafka_conf(&o->common, NULL, defaults, sizeof defaults / sizeof *defaults, why, whylen);
	if (!conf)
		return -1;
	if (rd_kafka_conf_get(conf, "message.timeout.ms", value, &size) == RD_KAFKA_CONF_OK)
		k->message_timeout_ms = atoi(value);
	if (k->message_timeout_ms <= 0) /* 0 means no timeout: we still bound our wait */
		k->message_timeout_ms = atoi(MESSAGE_TIMEOUT_MS);
	rd_kafka_conf_set_opaque(conf, k);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_error_cb(conf, on_error);
	k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
	if (!k->rk) {
		snprintf(why, whylen, "cannot create the Kafka producer: %s", errstr);
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	k->rkt = rd_kafka_topic_new(k->rk, o->topic, NULL);
	if (!k->rkt) {
		snprintf(why, whylen, "--topic %s: %s", o->topic, rd_kafka_err2str(rd_kafka_last_error()));
		rd_kafka_destroy(k->rk);
		k->rk = NULL;
		return -1;
	}
	return 0;
}

void kafka_close(struct kafka *k)
{
	if (k->rkt)
		rd_kafka_topic_destroy(k->rkt);
	if (k->rk) {
		rd_kafka_flush(k->rk, 1000); /* nothing should be left: every batch waited or purged */
		rd_kafka_destroy(k->rk);
	}
	k->rkt = NULL;
	k->rk = NULL;
}

static void produce(struct kafka *k, struct row *r, uintptr_t tag)
{
	rd_kafka_resp_err_t err;

	for (;;) {
		err =
		    rd_kafka_producev(k->rk, RD_KAFKA_V_RKT(k->rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		                      RD_KAFKA_V_KEY(r->aggregate_id, strlen(r->aggregate_id)),
		                      RD_KAFKA_V_VALUE((void *)r->payload, r->payload_len),
		                      RD_KAFKA_V_HEADER("event_type", r->event_type, -1),
		                      RD_KAFKA_V_HEADER("outbox_id", r->id_text, -1),
		                      RD_KAFKA_V_HEADER("aggregate_type", r->aggregate_type, -1),
		                      RD_KAFKA_V_OPAQUE((void *)tag), RD_KAFKA_V_END);
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(k->rk, 100);
	}
	if (err) {
		r->state = ROW_FAILED;
		snprintf(r->error, sizeof r->error, "%s", rd_kafka_err2str(err));
	} else {
		k->outstanding++;
	}
}

/* Serves delivery reports until none is outstanding or the clock passes UNTIL. */
static void await_reports(struct kafka *k, int64_t until, int honour_stop)
{
	int64_t stop_at = 0, now;

	while (k->outstanding > 0 && (now = worker_now_ms()) < until) {
		if (honour_stop && worker_stop && !stop_at)
			stop_at = now + STOP_GRACE_MS;
		if (stop_at && now >= stop_at)
			break;
		/* flush sends at once (no linger) and serves the reports; when librdkafka holds
		   nothing any more it returns at once: poll then, so that we never spin. */
		if (rd_kafka_flush(k->rk, 100) == RD_KAFKA_RESP_ERR_NO_ERROR && k->outstanding > 0)
			rd_kafka_poll(k->rk, 100);
	}
}

int kafka_send(struct kafka *k, struct batch *b)
{
	int i, abandoned = 0;

	k->seq = (k->seq + 1) & 0xfffu; /* fits above the index even in 32 bits */
	k->batch = b;
	k->outstanding = 0;
	for (i = 0; i < b->n; i++)
		if (b->rows[i].state == ROW_SENDING)
			produce(k, &b->rows[i], ((uintptr_t)k->seq << INDEX_BITS) | (uintptr_t)i);
	await_reports(k, worker_now_ms() + k->message_timeout_ms + REPORT_MARGIN_MS, 1);
	if (k->outstanding > 0) {
		/* Stopping, or the reports are late: void what is still queued or in flight, so that no
		   report refers to this batch any more, and take the purge reports. */
		abandoned = worker_stop;
		rd_kafka_purge(k->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
		await_reports(k, worker_now_ms() + 1000, 0);
		for (i = 0; i < b->n; i++) {
			struct row *r = &b->rows[i];

			if (r->state == ROW_SENDING) {
				r->state = ROW_FAILED;
				snprintf(r->error, sizeof r->error, "no delivery report within %d ms",
				         k->message_timeout_ms + REPORT_MARGIN_MS);
			}
		}
	}
	k->batch = NULL;
	k->outstanding = 0;
	return abandoned ? -1 : 0;
}
