/* indexer_kafka.c: synctop-indexer's Kafka half: the consumer, its partitions (assigned, or given by the
 * group with --subscribe), pausing them, committing explicit offsets, and the group's lag for --once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indexer.h"

/* How long a metadata, committed-offsets or watermark query may take. */
#define QUERY_TIMEOUT_MS 5000
/* How long a commit may take before it counts as failed (and is tried again later). */
#define COMMIT_TIMEOUT_MS 5000
/* Assignment mode: how often the topic is looked up again (it may have grown), or, while it does not
   exist, looked for. */
#define METADATA_EVERY_MS 30000
#define METADATA_RETRY_MS 1000

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct consumer *c = opaque;

	(void)rk;
	worker_kafka_error(&c->state, err, reason);
}

/* --subscribe: the group gives and takes partitions. Called from rd_kafka_consumer_poll() (and the
   close), in the main thread: never while a _bulk request is in flight. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque)
{
	struct consumer *c = opaque;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		rd_kafka_assign(rk, parts);
		c->assigned = parts->cnt;
		c->held = 0;
		consumer_hold(c); /* still paused, if we were */
		worker_log(0, "kafka: group %s gave us %d partitions of topic %s", c->o->group, parts->cnt,
		           c->o->topic);
		return;
	}
	/* Taken away (or a failure): what was acknowledged is committed now, while they are still ours;
	   the batch in hand is dropped, its messages go to the new owner from the committed offsets. */
	if (c->uncommitted->cnt && consumer_commit_retry(c) < 0)
		worker_log(0,
		           "kafka: offsets of revoked partitions not committed: their messages are indexed "
		           "again by their next owner");
	rd_kafka_topic_partition_list_destroy(c->uncommitted);
	c->uncommitted = rd_kafka_topic_partition_list_new(8);
	c->revoked = 1;
	rd_kafka_assign(rk, NULL);
	c->assigned = 0;
	worker_log(err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS ? 1 : 0,
	           "kafka: group %s took back %d partitions (%s)", c->o->group, parts->cnt,
	           rd_kafka_err2str(err));
}

int consumer_open(struct consumer *c, const struct indexer_opts *o, char *why, size_t whylen)
{
	rd_kafka_conf_t *conf;
	rd_kafka_topic_partition_list_t *topics;
	rd_kafka_resp_err_t err;
	char errstr[512];
	static const char *const defaults[][2] = {
	    {"client.id", INDEXER_NAME},
	    /* Offsets are committed by hand, once the index acknowledged their messages. */
	    {"enable.auto.commit", "false"},
	    {"enable.auto.offset.store", "false"},
	    {"auto.offset.reset", "earliest"},
	    /* An idle fetch waits this long on the broker, and a watermark query (--once's lag check)
	       on the same connection waits behind it: librdkafka's 500 ms made --once last seconds. */
	    {"fetch.wait.max.ms", "100"},
	    {"log.connection.close", "false"},
	};

	memset(c, 0, sizeof *c);
	c->o = o;
	c->state.what = "kafka";
	conf = worker_kafka_conf(&o->common, o->group, defaults, sizeof defaults / sizeof *defaults, why,
	                         whylen);
	if (!conf)
		return -1;
	rd_kafka_conf_set_opaque(conf, c);
	rd_kafka_conf_set_error_cb(conf, on_error);
	if (o->subscribe)
		rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
	c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
	if (!c->rk) {
		snprintf(why, whylen, "cannot create the Kafka consumer: %s", errstr);
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	rd_kafka_poll_set_consumer(c->rk);
	c->uncommitted = rd_kafka_topic_partition_list_new(8);
	if (o->subscribe) {
		topics = rd_kafka_topic_partition_list_new(1);
		rd_kafka_topic_partition_list_add(topics, o->topic, RD_KAFKA_PARTITION_UA);
		err = rd_kafka_subscribe(c->rk, topics);
		rd_kafka_topic_partition_list_destroy(topics);
		if (err) {
			snprintf(why, whylen, "--topic %s: %s", o->topic, rd_kafka_err2str(err));
			consumer_close(c);
			return -1;
		}
	}
	return 0;
}

void consumer_close(struct consumer *c)
{
	if (c->rk) {
		rd_kafka_consumer_close(c->rk); /* leaves the group; the revoke commits what is left */
		rd_kafka_destroy(c->rk);
	}
	if (c->uncommitted)
		rd_kafka_topic_partition_list_destroy(c->uncommitted);
	c->rk = NULL;
	c->uncommitted = NULL;
}

/* The number of partitions of the topic: > 0, 0 when it does not exist, -1 on error (why in WHY). */
static int partition_count(struct consumer *c, char *why, size_t whylen)
{
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(c->rk, c->o->topic, NULL);
	const struct rd_kafka_metadata *md;
	rd_kafka_resp_err_t err;
	int n;

	if (!rkt) {
		snprintf(why, whylen, "topic %s: %s", c->o->topic, rd_kafka_err2str(rd_kafka_last_error()));
		return -1;
	}
	err = rd_kafka_metadata(c->rk, 0, rkt, &md, QUERY_TIMEOUT_MS);
	rd_kafka_topic_destroy(rkt);
	if (err) {
		snprintf(why, whylen, "metadata of topic %s: %s", c->o->topic, rd_kafka_err2str(err));
		return -1;
	}
	err = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
	n = err ? 0 : md->topics[0].partition_cnt;
	rd_kafka_metadata_destroy(md);
	if (err && err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
		snprintf(why, whylen, "topic %s: %s", c->o->topic, rd_kafka_err2str(err));
		return -1;
	}
	return n;
}

int consumer_assign(struct consumer *c)
{
	int64_t now = worker_now_ms();
	rd_kafka_topic_partition_list_t *parts;
	rd_kafka_resp_err_t err;
	char why[512];
	int n, i;

	if (now < c->next_metadata_at)
		return c->assigned > 0;
	n = partition_count(c, why, sizeof why);
	c->next_metadata_at = now + (n > 0 ? METADATA_EVERY_MS : METADATA_RETRY_MS);
	if (n < 0) {
		worker_state_fail(&c->state, "%s", why);
		return -1;
	}
	if (n == 0) {
		worker_state_fail(&c->state, "topic %s does not exist (yet)", c->o->topic);
		return 0;
	}
	if (n == c->assigned)
		return 1;
	/* Every partition from the group's committed offset (auto.offset.reset when it has none): the
	   caller reassigns only when nothing is in hand or uncommitted, so this is where we are. */
	parts = rd_kafka_topic_partition_list_new(n);
	for (i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(parts, c->o->topic, i)->offset = RD_KAFKA_OFFSET_INVALID;
	err = rd_kafka_assign(c->rk, parts);
	rd_kafka_topic_partition_list_destroy(parts);
	if (err) {
		worker_state_fail(&c->state, "assigning the partitions of topic %s: %s", c->o->topic,
		                  rd_kafka_err2str(err));
		return -1;
	}
	worker_log(0, "kafka: consuming %s%d partitions of topic %s from the offsets of group %s",
	           c->assigned ? "all " : "", n, c->o->topic, c->o->group);
	c->state.failing = 0;
	c->assigned = n;
	c->held = 0;
	consumer_hold(c);
	return 1;
}

void consumer_hold(struct consumer *c)
{
	rd_kafka_topic_partition_list_t *parts = NULL;

	if (c->held == c->want_held)
		return;
	/* Paused partitions fetch nothing (what was fetched is dropped), while poll() goes on serving
	   the group; resumed, they go on from the position of the last message we were given. */
	if (c->assigned && !rd_kafka_assignment(c->rk, &parts)) {
		if (c->want_held)
			rd_kafka_pause_partitions(c->rk, parts);
		else
			rd_kafka_resume_partitions(c->rk, parts);
		rd_kafka_topic_partition_list_destroy(parts);
	}
	c->held = c->want_held;
}

/* ---- offsets -------------------------------------------------------------------------------------- */

struct commit_wait {
	int done;
	rd_kafka_resp_err_t err;
};

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *offsets,
                      void *opaque)
{
	struct commit_wait *w = opaque;
	int i;

	(void)rk;
	w->done = 1;
	w->err = err;
	for (i = 0; !w->err && offsets && i < offsets->cnt; i++)
		w->err = offsets->elems[i].err;
}

int consumer_commit_retry(struct consumer *c)
{
	struct commit_wait w = {0, RD_KAFKA_RESP_ERR_NO_ERROR};
	rd_kafka_queue_t *q;
	rd_kafka_resp_err_t err;
	int64_t deadline = worker_now_ms() + COMMIT_TIMEOUT_MS;

	if (!c->uncommitted->cnt)
		return 0;
	/* Synchronous, but bounded: the answer comes on a queue of our own, served here until the
	   deadline. Its callback runs only while we serve the queue: a late answer lands on the
	   destroyed queue, and W is never written once we are gone. */
	q = rd_kafka_queue_new(c->rk);
	if (!q) {
		worker_state_fail(&c->state, "committing offsets of group %s: out of memory", c->o->group);
		return -1;
	}
	err = rd_kafka_commit_queue(c->rk, c->uncommitted, q, on_commit, &w);
	while (!err && !w.done && worker_now_ms() < deadline)
		rd_kafka_queue_poll_callback(q, 100);
	rd_kafka_queue_destroy(q);
	if (!err)
		err = w.done ? w.err : RD_KAFKA_RESP_ERR__TIMED_OUT;
	if (err) {
		worker_state_fail(&c->state, "committing offsets of group %s: %s", c->o->group,
		                  rd_kafka_err2str(err));
		return -1;
	}
	worker_state_ok(&c->state, "offsets of group %s committed again", c->o->group);
	rd_kafka_topic_partition_list_destroy(c->uncommitted);
	c->uncommitted = rd_kafka_topic_partition_list_new(8);
	return 0;
}

int consumer_commit(struct consumer *c, const struct batch_items *b)
{
	int i;

	for (i = 0; i < b->n; i++) {
		const rd_kafka_message_t *m = b->v[i].m;
		rd_kafka_topic_partition_t *p =
		    rd_kafka_topic_partition_list_find(c->uncommitted, c->o->topic, m->partition);

		if (!p)
			p = rd_kafka_topic_partition_list_add(c->uncommitted, c->o->topic, m->partition);
		if (p->offset < m->offset + 1)
			p->offset = m->offset + 1; /* the next message to read */
	}
	return consumer_commit_retry(c);
}

int consumer_lag(struct consumer *c, char *why, size_t whylen)
{
	rd_kafka_topic_partition_list_t *parts;
	rd_kafka_resp_err_t err;
	int n, i, lagging = 0;
	long long lag = 0;

	n = partition_count(c, why, whylen);
	if (n <= 0) {
		if (!n)
			snprintf(why, whylen, "topic %s does not exist", c->o->topic);
		return -1;
	}
	parts = rd_kafka_topic_partition_list_new(n);
	for (i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(parts, c->o->topic, i);
	err = rd_kafka_committed(c->rk, parts, QUERY_TIMEOUT_MS);
	for (i = 0; !err && i < n; i++) {
		int64_t lo, hi, at = parts->elems[i].offset;

		err = parts->elems[i].err;
		if (!err)
			err = rd_kafka_query_watermark_offsets(c->rk, c->o->topic, i, &lo, &hi,
			                                       QUERY_TIMEOUT_MS);
		/* No committed offset and nothing to read (empty, or all expired) is no lag either. */
		if (!err && (at >= 0 ? at < hi : lo < hi)) {
			lagging++;
			lag += hi - (at >= 0 ? at : lo);
		}
	}
	rd_kafka_topic_partition_list_destroy(parts);
	if (err) {
		snprintf(why, whylen, "the lag of group %s on topic %s: %s", c->o->group, c->o->topic,
		         rd_kafka_err2str(err));
		return -1;
	}
	worker_log(2, "kafka: group %s: lag %lld on %d of %d partitions", c->o->group, lag, lagging, n);
	return lagging > 0;
}
