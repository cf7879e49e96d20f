/* indexer.c: synctop-indexer, the reference search indexer: consumes the topic the relay publishes to
 * and indexes each product into the search index, committing the offsets only once the index took them.
 *
 * One batch is one _bulk request: up to --batch messages (key: the document id; value: the document;
 * an event type ending in ".deleted", or no value, makes a delete). Once the index acknowledged it
 * (HTTP 200, and every item indexed, or refused for good with a 4xx: logged and skipped), the
 * offsets past its messages are committed, synchronously. A failed request, or items that failed
 * with 429 or 5xx, send the whole batch again after 0.5 s * 2^(failures - 1), at most 30 s, without
 * committing; meanwhile the partitions are paused. A crash anywhere before the commit delivers the
 * batch again at the next start: at least once, and indexing by id makes that harmless.
 *
 * Once the index acknowledged a batch, it also goes to the copies beside the index, when asked: a
 * point to InfluxDB (--influx-url, indexer_influx.c) and its products as nodes of a Neo4j graph
 * (--graph-url, indexer_graph.c). A copy that fails is logged and never holds the batch back.
 *
 * The partitions: by default all of them are assigned to this process, from the group's committed
 * offsets, rather than given by the group (--subscribe). Joining a group costs 3 s with librdkafka's
 * mock cluster (its initial rebalance delay), and a member that left or died holds its partitions
 * until its session times out (45 s by default): the demo and the tests, which restart the indexer,
 * would stall each time. The offsets are committed to the group all the same, which is what synctop
 * watches. Two indexers of one group must then use --subscribe, or they index everything twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "indexer.h"

const char worker_name[] = INDEXER_NAME;

#define BULK_BACKOFF_MIN_MS  500
#define BULK_BACKOFF_MAX_MS  30000
#define KAFKA_BACKOFF_MIN_MS 250
#define KAFKA_BACKOFF_MAX_MS 10000
#define PAUSE_CHECK_MS       100
#define IDLE_POLL_MS         100
/* With a batch begun, how long a poll waits for more before the batch goes as it is. */
#define LINGER_MS 20
/* ... and how old its first message may get: with --delay-ms, commits still come every second. */
#define BATCH_MAX_AGE_MS 1000
#define LAG_CHECK_MS     100
/* --once gives up (exit 1) when it made no progress for so long while failing. */
#define ONCE_GIVE_UP_MS 30000

/* ---- the loop -------------------------------------------------------------------------------------- */

struct indexer {
	const struct indexer_opts *o;
	struct consumer kafka;
	struct search search;
	struct influx influx; /* --influx-url: a point per batch */
	struct graph graph;   /* --graph-url: the batch's products as nodes */
	struct mongo *mongo;  /* --mongo-url: the products upserted; NULL: none */
	struct batch_items batch;
	int paused; /* the pause file exists; -1 unknown */
	int idle;   /* the last poll found no message */
	int64_t pause_checked_at, lag_checked_at;
	int64_t batch_since; /* when the batch in hand got its first message */
	int64_t bulk_backoff, bulk_retry_at;
	int64_t kafka_backoff, kafka_retry_at;
	int64_t failing_since; /* --once: since when nothing went right; 0 when things go */
	long long indexed, deleted, rejected, skipped, requests;
};

static void check_pause(struct indexer *x, int64_t now)
{
	struct stat st;
	int paused;

	if (!x->o->pause_file || now < x->pause_checked_at + PAUSE_CHECK_MS)
		return;
	x->pause_checked_at = now;
	paused = stat(x->o->pause_file, &st) == 0;
	if (paused == x->paused)
		return;
	if (paused)
		worker_log(0, "paused (%s exists): consuming nothing until it goes", x->o->pause_file);
	else if (x->paused == 1)
		worker_log(0, "resumed (%s is gone)", x->o->pause_file);
	x->paused = paused;
}

static void failing(struct indexer *x)
{
	if (!x->failing_since)
		x->failing_since = worker_now_ms();
}

static void kafka_trouble(struct indexer *x)
{
	x->kafka_backoff = worker_backoff(x->kafka_backoff, KAFKA_BACKOFF_MIN_MS, KAFKA_BACKOFF_MAX_MS);
	x->kafka_retry_at = worker_now_ms() + x->kafka_backoff;
	failing(x);
}

/* After the index acknowledged the batch: the counts, and a line at -v. */
static void account(struct indexer *x, int64_t ms)
{
	int i, n[4] = {0, 0, 0, 0}; /* indexed, deleted, rejected, skipped */

	for (i = 0; i < x->batch.n; i++) {
		const struct item *it = &x->batch.v[i];

		n[it->op == ITEM_SKIP ? 3 : it->state == ITEM_REJECTED ? 2 : it->op == ITEM_DELETE ? 1 : 0]++;
	}
	influx_point(&x->influx, n[0], n[1]);
	graph_write(&x->graph, &x->batch);
	mongo_batch(x->mongo, &x->batch);
	x->indexed += n[0];
	x->deleted += n[1];
	x->rejected += n[2];
	x->skipped += n[3];
	worker_log(
	    1, "batch: %d messages: %d indexed, %d deleted, %d rejected, %d skipped, in %d requests, %lld ms",
	    x->batch.n, n[0], n[1], n[2], n[3], x->batch.attempts, (long long)ms);
}

/* One _bulk request for the batch in hand, and the commit once it is acknowledged. 0 when done (the
   batch is empty again), -1 when it waits for another try. */
static int flush(struct indexer *x)
{
	struct search *s = &x->search;
	int64_t t0 = worker_now_ms();

	x->batch.attempts++;
	x->requests++;
	if ((!s->index_ready && search_ensure_index(s) < 0) || search_bulk(s, &x->batch) != BULK_OK) {
		worker_state_fail(&s->state, "%s: %s", s->shown, search_error(s));
		x->bulk_backoff = worker_backoff(x->bulk_backoff, BULK_BACKOFF_MIN_MS, BULK_BACKOFF_MAX_MS);
		x->bulk_retry_at = worker_now_ms() + x->bulk_backoff;
		worker_log(2, "a batch of %d messages waits %lld ms for its attempt %d", x->batch.n,
		           (long long)x->bulk_backoff, x->batch.attempts + 1);
		failing(x);
		return -1;
	}
	worker_state_ok(&s->state, "indexing into %s at %s", s->index, s->shown);
	x->bulk_backoff = x->bulk_retry_at = 0;
	x->failing_since = 0;
	account(x, worker_now_ms() - t0);
	if (x->o->common.test_delay_ms) {
		/* For the crash test: a kill now finds the batch indexed but its offsets not committed. */
		worker_log(0, "test: the index acknowledged a batch of %d messages; committing in %d ms",
		           x->batch.n, x->o->common.test_delay_ms);
		worker_sleep_ms(x->o->common.test_delay_ms);
	}
	if (consumer_commit(&x->kafka, &x->batch) < 0) {
		/* Indexed, not committed: retried; a restart meanwhile indexes them again (harmless). */
		kafka_trouble(x);
	}
	items_clear(&x->batch);
	return 0;
}

/* Takes one message from the consumer (or notes that none came). -1: out of memory. */
static int take(struct indexer *x, int timeout_ms)
{
	rd_kafka_message_t *m = rd_kafka_consumer_poll(x->kafka.rk, timeout_ms);

	if (x->kafka.revoked) {
		/* --subscribe: partitions were taken away, and the batch in hand with them. */
		items_clear(&x->batch);
		x->bulk_retry_at = x->bulk_backoff = 0;
		x->kafka.revoked = 0;
	}
	x->idle = !m;
	if (!m)
		return 0;
	if (m->err) {
		if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
			worker_state_fail(&x->kafka.state, "topic %s: %s", x->o->topic,
			                  rd_kafka_message_errstr(m));
		rd_kafka_message_destroy(m);
		return 0;
	}
	worker_state_ok(&x->kafka.state, "consuming topic %s again", x->o->topic);
	if (!x->batch.n)
		x->batch_since = worker_now_ms();
	if (items_add(&x->batch, m) < 0) {
		worker_log(0, "out of memory");
		return -1;
	}
	if (x->o->delay_ms)
		worker_sleep_ms(x->o->delay_ms);
	return 0;
}

/* 0: stopped or done (--once), 1: --once gave up. */
static int run(struct indexer *x)
{
	const struct indexer_opts *o = x->o;
	char why[600];

	while (!worker_stop) {
		int64_t now = worker_now_ms();
		int rc, timeout = IDLE_POLL_MS;

		if (o->common.once && x->failing_since && now - x->failing_since > ONCE_GIVE_UP_MS) {
			worker_log(0, "--once: giving up after %d s of failures", ONCE_GIVE_UP_MS / 1000);
			return 1;
		}
		check_pause(x, now);
		if (x->idle)
			mongo_batch(x->mongo, NULL); /* what MongoDB did not take yet, without new batches */
		/* Nothing more is fetched while paused, or while a batch waits for another try. */
		x->kafka.want_held = x->paused == 1 || x->batch.attempts > 0;
		consumer_hold(&x->kafka);
		if (x->kafka_retry_at > now) {
			worker_sleep_ms(x->kafka_retry_at - now < 200 ? x->kafka_retry_at - now : 200);
			continue;
		}
		if (x->kafka.uncommitted->cnt && !x->batch.n) {
			if (consumer_commit_retry(&x->kafka) < 0)
				kafka_trouble(x);
			else
				x->kafka_backoff = 0;
			continue;
		}
		if (!o->subscribe && !x->batch.n && (rc = consumer_assign(&x->kafka)) <= 0) {
			if (rc == 0 && o->common.once) {
				worker_log(0, "kafka: topic %s does not exist: --once gives up", o->topic);
				return 1;
			}
			kafka_trouble(x);
			continue;
		}
		x->kafka_backoff = 0;
		if (x->batch.n && now >= x->bulk_retry_at &&
		    (x->batch.n >= o->batch || x->idle || x->paused == 1 || x->batch.attempts > 0 ||
		     now - x->batch_since >= BATCH_MAX_AGE_MS)) {
			flush(x);
			continue;
		}
		if (o->common.once && !x->batch.n && x->idle && x->paused == 1) {
			worker_log(0, "paused, --once: done");
			return 0;
		}
		if (o->common.once && !x->batch.n && x->idle && now >= x->lag_checked_at + LAG_CHECK_MS) {
			x->lag_checked_at = now;
			rc = consumer_lag(&x->kafka, why, sizeof why);
			if (rc == 0)
				return 0;
			if (rc > 0)
				x->failing_since = 0;
			if (rc < 0) {
				worker_state_fail(&x->kafka.state, "%s", why);
				kafka_trouble(x);
				continue;
			}
		}
		if (x->batch.n)
			timeout = x->batch.attempts
			              ? (int)(x->bulk_retry_at - now < 100 ? x->bulk_retry_at - now : 100)
			              : LINGER_MS;
		if (take(x, timeout < 0 ? 0 : timeout) < 0)
			return 1;
	}
	return 0;
}

/* SIGTERM: the batch in hand gets one last try (unless it is waiting out a failure), bounded. */
static void finish(struct indexer *x)
{
	x->search.stop_deadline = worker_now_ms() + INDEXER_STOP_GRACE_MS;
	if (x->batch.n && !x->batch.attempts && flush(x) == 0)
		worker_log(1, "stopping: the batch in hand was indexed and committed");
	if (x->batch.n)
		worker_log(0,
		           "stopping: a batch of %d messages was not acknowledged: not committed, it is "
		           "indexed again at the next start",
		           x->batch.n);
	else if (x->kafka.uncommitted && x->kafka.uncommitted->cnt && consumer_commit_retry(&x->kafka) < 0)
		worker_log(
		    0, "stopping: offsets not committed: their messages are indexed again at the next start");
}

int main(int argc, char **argv)
{
	struct indexer_opts o;
	struct indexer x;
	char why[600];
	int rc;

	indexer_parse_options(argc, argv, &o);

	memset(&x, 0, sizeof x);
	x.o = &o;
	x.paused = -1;
	worker_signals();

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		worker_usage_error("cannot initialize libcurl");
	if (search_open(&x.search, &o, why, sizeof why) < 0) {
		search_close(&x.search);
		curl_global_cleanup();
		worker_usage_error("%s", why); /* a bad --url or --api-key-file */
	}
	if (influx_open(&x.influx, &o, why, sizeof why) < 0 ||
	    graph_open(&x.graph, &o, why, sizeof why) < 0 || mongo_open(&x.mongo, &o, why, sizeof why) < 0 ||
	    consumer_open(&x.kafka, &o, why, sizeof why) < 0) {
		search_close(&x.search);
		influx_close(&x.influx);
		graph_close(&x.graph);
		mongo_close(x.mongo);
		curl_global_cleanup();
		/* a bad --influx-url, --graph-url, --mongo-url, -X, --brokers, --group or --topic */
		worker_usage_error("%s", why);
	}
	x.influx.state.failing = -1;
	x.graph.state.failing = -1;
	x.search.state.failing = -1; /* the first success is news too */
	worker_log(1, "starting: group %s, topic %s (%s), brokers %s, index %s at %s, batch %d%s", o.group,
	           o.topic, o.subscribe ? "subscribed" : "all partitions", o.common.brokers, o.index,
	           x.search.shown, o.batch, o.common.once ? ", once" : "");
	/* The index exists from the start, with its mapping, even before the first message; when the
	   cluster cannot say yet, the first batch tries again. */
	if (search_ensure_index(&x.search) < 0)
		worker_state_fail(&x.search.state, "%s: %s", x.search.shown, search_error(&x.search));

	rc = run(&x);
	if (worker_stop)
		finish(&x);

	items_free(&x.batch); /* its messages first: rd_kafka_destroy() waits for every one */
	consumer_close(&x.kafka);
	search_close(&x.search);
	influx_close(&x.influx);
	graph_close(&x.graph);
	mongo_close(x.mongo);
	curl_global_cleanup();
	worker_log(
	    rc ? 0 : 1,
	    "%s: %lld documents indexed, %lld deleted, %lld rejected, %lld skipped, %lld bulk attempts",
	    rc ? "giving up" : "stopped", x.indexed, x.deleted, x.rejected, x.skipped, x.requests);
	return rc;
}
