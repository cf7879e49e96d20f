/* relay.c: synctop-relay, the reference outbox relay: claims pending outbox rows, publishes them to
 * Kafka and marks them processed once the broker acknowledged them, in the claim's transaction.
 *
 * One batch is one transaction: BEGIN; claim up to --batch rows FOR UPDATE SKIP LOCKED; produce
 * them (key aggregate_id, value payload); wait for every delivery report; mark the acknowledged
 * rows processed and count an attempt (with the error) on the others; COMMIT. A crash anywhere
 * before the COMMIT leaves the rows pending, to be sent again: at least once, never lost.
 * A failed row waits 1 s * 2^(attempts - 1), at most 60 s, before it is claimed again; the wait is
 * kept in memory (the outbox has no column for it): a restarted relay retries at once.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"

const char worker_name[] = RELAY_NAME;

#define ROW_BACKOFF_MIN_MS   1000
#define ROW_BACKOFF_MAX_MS   60000
#define DB_BACKOFF_MIN_MS    250
#define DB_BACKOFF_MAX_MS    10000
#define KAFKA_BACKOFF_MIN_MS 1000
#define KAFKA_BACKOFF_MAX_MS 30000

/* ---- command line --------------------------------------------------------------------------------- */

static const struct option long_options[] = {
    {"conninfo", required_argument, NULL, 'c'},
    {"dbname", required_argument, NULL, 'd'},
    {"topic", required_argument, NULL, 't'},
    {"batch", required_argument, NULL, 'n'},
    {"max-attempts", required_argument, NULL, 'm'},
    {"worker", required_argument, NULL, 'w'},
    {"interval", required_argument, NULL, 'i'},
    {"fail-percent", required_argument, NULL, 'f'},
    /* --test-delay-ms: a pause between the acknowledgements and the COMMIT. */
    WORKER_LONG_OPTIONS};

static void usage(FILE *f)
{
	fputs(
	    "usage: " RELAY_NAME " [OPTION]...\n"
	    "The reference outbox relay: publishes pending rows of the outbox table to a Kafka topic and\n"
	    "marks them processed once the brokers acknowledged them (at least once, never lost).\n"
	    "\n"
	    "  -c, --conninfo=CONNINFO  PostgreSQL conninfo or URI (default: the libpq environment, "
	    "PGHOST...)\n"
	    "  -d, --dbname=NAME        the database (overrides the conninfo's)\n"
	    "  -b, --brokers=LIST       Kafka bootstrap servers (default: $SYNCTOP_KAFKA_BOOTSTRAP)\n"
	    "  -t, --topic=NAME         the topic (default: shop.products)\n"
	    "  -n, --batch=N            rows per batch and transaction, 1-10000 (default: 50)\n"
	    "  -m, --max-attempts=N     rows that failed N times are left alone, 1-1000 (default: 5)\n"
	    "  -w, --worker=NAME        its row in outbox_worker, for pause/resume (default: relay)\n"
	    "  -i, --interval=DURATION  poll interval when idle or paused: 200ms, 1s (default: 200ms)\n"
	    "  -f, --fail-percent=P     fail P% of the attempts on purpose, for the demo (default: 0)\n"
	    "      --once               process until no pending row is left to claim, then exit\n"
	    "  -X NAME=VALUE            a librdkafka producer property (e.g. -X message.timeout.ms=2000)\n"
	    "  -v, --verbose            one line per batch; twice: every retry and librdkafka's log\n"
	    "  -h, --help               this help\n"
	    "\n"
	    "Messages: key aggregate_id, value the payload (JSON), headers event_type, outbox_id and\n"
	    "aggregate_type. The producer is idempotent (acks=all); message.timeout.ms defaults to 10000.\n"
	    "A failed row is retried after 1 s * 2^(attempts - 1), at most 60 s. SIGTERM or SIGINT: the\n"
	    "batch in flight is finished (or, unacknowledged after 2 s, rolled back), then exit 0.\n"
	    "Exit status: 0 stopped or done, 1 --once could not finish (PostgreSQL error), 2 usage error.\n",
	    f);
}

/* 200ms, 1s, 1.5s, 2m; a bare number is milliseconds. */
static int parse_duration_ms(const char *flag, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "m"))
		v *= 60000;
	else if (*end && strcmp(end, "ms") != 0)
		end = NULL;
	if (!*s || !end || errno || !(v >= 10 && v <= 3600000))
		worker_usage_error("%s: expected a duration from 10ms to 1h such as 200ms or 1s, not '%s'",
		                   flag, s);
	return (int)v;
}

static void parse_options(int argc, char **argv, struct relay_opts *o)
{
	int c;

	*o = (struct relay_opts){
	    .topic = "shop.products", .worker = "relay", .batch = 50, .max_attempts = 5, .interval_ms = 200};
	worker_opts_init(&o->common);
	while ((c = worker_getopt(argc, argv, ":c:d:b:t:n:m:w:i:f:X:vh", long_options, &o->common)) != -1) {
		switch (c) {
		case 'c':
			o->conninfo = optarg;
			break;
		case 'd':
			if (!*optarg)
				worker_usage_error("--dbname: expected a database name");
			o->dbname = optarg;
			break;
		case 't':
			if (!*optarg)
				worker_usage_error("--topic: expected a topic name");
			o->topic = optarg;
			break;
		case 'n':
			o->batch = worker_parse_int("--batch", optarg, 1, 10000);
			break;
		case 'm':
			o->max_attempts = worker_parse_int("--max-attempts", optarg, 1, 1000);
			break;
		case 'w':
			if (!*optarg)
				worker_usage_error("--worker: expected a worker name");
			o->worker = optarg;
			break;
		case 'i':
			o->interval_ms = parse_duration_ms("--interval", optarg);
			break;
		case 'f':
			o->fail_percent = worker_parse_int("--fail-percent", optarg, 0, 100);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		}
	}
	if (o->conninfo) {
		char why[300];

		if (db_check_conninfo(o->conninfo, why, sizeof why) < 0)
			worker_usage_error("--conninfo: %s", why);
	}
}

/* ---- rows that failed lately, waiting out their backoff -------------------------------------------- */

/* In memory: the outbox has no column for it. */
struct cooling {
	struct {
		long long id;
		int64_t until; /* worker_now_ms() */
	} * v;
	size_t n, cap;
};

/* 0, or -1 when out of memory. */
static int cooling_add(struct cooling *c, long long id, int64_t until)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		void *p = realloc(c->v, cap * sizeof *c->v);

		if (!p)
			return -1;
		c->v = p;
		c->cap = cap;
	}
	c->v[c->n].id = id;
	c->v[c->n].until = until;
	c->n++;
	return 0;
}

/* Forgets the rows whose wait is over at NOW. */
static void cooling_expire(struct cooling *c, int64_t now)
{
	size_t i, j = 0;

	for (i = 0; i < c->n; i++)
		if (c->v[i].until > now)
			c->v[j++] = c->v[i];
	c->n = j;
}

/* The ids as a PostgreSQL array literal, "{1,2}" (to free); NULL when out of memory. */
static char *cooling_literal(const struct cooling *c)
{
	char *s = malloc(c->n * 21 + 3), *p = s;
	size_t i;

	if (!s)
		return NULL;
	*p++ = '{';
	for (i = 0; i < c->n; i++)
		p += sprintf(p, i ? ",%lld" : "%lld", c->v[i].id);
	*p++ = '}';
	*p = '\0';
	return s;
}

/* ---- the loop -------------------------------------------------------------------------------------- */

struct relay {
	const struct relay_opts *o;
	struct db db;
	struct kafka kafka;
	struct cooling cooling;
	int64_t db_backoff, db_retry_at;
	int64_t kafka_backoff, kafka_retry_at;
	int paused;          /* -1 unknown */
	uint64_t rand;       /* --fail-percent */
	long long published; /* this run */
	long long failures;  /* failed attempts, this run */
	int no_worker_row_said;
};

static int chance(struct relay *r, int percent)
{
	r->rand ^= r->rand << 13;
	r->rand ^= r->rand >> 7;
	r->rand ^= r->rand << 17;
	return (int)(r->rand % 100) < percent;
}

/* A PostgreSQL failure: logged once per change, then a growing pause before the next try. */
static void db_trouble(struct relay *r)
{
	worker_state_fail(&r->db.state, "%s: %s", r->db.where, r->db.error);
	r->db_backoff = worker_backoff(r->db_backoff, DB_BACKOFF_MIN_MS, DB_BACKOFF_MAX_MS);
	r->db_retry_at = worker_now_ms() + r->db_backoff;
}

/* After the outcome of a batch is committed: the failed rows wait, the Kafka state follows. */
static void account(struct relay *r, const struct batch *b, const int *attempts, int64_t ms)
{
	int i, acked = 0, failed = 0, injected = 0;
	const char *first_error = NULL;
	int64_t now = worker_now_ms();

	for (i = 0; i < b->n; i++) {
		const struct row *row = &b->rows[i];

		if (row->state == ROW_ACKED) {
			acked++;
			continue;
		}
		failed++;
		if (!strncmp(row->error, "injected", 8))
			injected++;
		else if (!first_error)
			first_error = row->error;
		if (attempts[i] > 0 && attempts[i] < r->o->max_attempts) {
			int shift = attempts[i] - 1 < 16 ? attempts[i] - 1 : 16;
			int64_t wait = (int64_t)ROW_BACKOFF_MIN_MS << shift;

			if (cooling_add(&r->cooling, row->id,
			                now + (wait < ROW_BACKOFF_MAX_MS ? wait : ROW_BACKOFF_MAX_MS)))
				worker_log(0, "out of memory: row %lld is retried without waiting", row->id);
		}
	}
	r->published += acked;
	r->failures += failed;
	worker_log(1, "batch: %d claimed, %d published, %d failed (%d injected) in %lld ms", b->n, acked,
	           failed, injected, (long long)ms);
	if (acked) {
		worker_state_ok(&r->kafka.state, "delivering to topic %s", r->o->topic);
		r->kafka_backoff = 0;
	}
	if (!first_error)
		return;
	if (!acked) {
		/* Nothing got through: the brokers are down or refuse the topic. Wait before the next
		   batch, so that an outage burns a few attempts, not all of them. */
		worker_state_fail(&r->kafka.state, "deliveries fail: %s", first_error);
		r->kafka_backoff =
		    worker_backoff(r->kafka_backoff, KAFKA_BACKOFF_MIN_MS, KAFKA_BACKOFF_MAX_MS);
		r->kafka_retry_at = now + r->kafka_backoff;
	} else {
		worker_log(0, "kafka: %d of %d messages failed: %s", failed - injected, b->n - injected,
		           first_error);
	}
}

/* One batch in one transaction. 1: a full batch went (claim again at once), 0: idle or paused
   (wait an interval), 2: done (--once), -1: stop (on a signal, or out of memory), -2: a PostgreSQL
   failure (in db.error; the rows stay pending). */
static int step(struct relay *r)
{
	const struct relay_opts *o = r->o;
	struct batch b;
	int64_t t0 = worker_now_ms();
	int i, paused, *attempts;
	char *ids;

	paused = db_paused(&r->db, o->worker);
	if (paused < 0)
		return -2;
	if (paused == 2 && !r->no_worker_row_said++)
		worker_log(0, "outbox_worker has no row '%s': this relay cannot be paused", o->worker);
	paused = paused == 1;
	if (paused != r->paused) {
		if (paused)
			worker_log(0, "paused (outbox_worker '%s'): claiming nothing until resumed",
			           o->worker);
		else if (r->paused == 1)
			worker_log(0, "resumed (outbox_worker '%s')", o->worker);
		r->paused = paused;
	}
	if (paused)
		return o->common.once ? 2 : 0;

	cooling_expire(&r->cooling, t0);
	ids = cooling_literal(&r->cooling);
	if (!ids) {
		worker_log(0, "out of memory");
		return -1;
	}
	i = db_claim(&r->db, o->max_attempts, ids, o->batch, &b);
	free(ids);
	if (i < 0)
		return -2;
	if (b.n == 0) {
		long long pending = 0;

		db_rollback(&r->db);
		batch_free(&b);
		/* --once: done when nothing is left, not even rows that wait out a backoff or that
		   another relay holds. */
		if (o->common.once && (pending = db_pending(&r->db, o->max_attempts)) <= 0)
			return pending < 0 ? -2 : 2;
		return 0;
	}
	for (i = 0; i < b.n; i++) {
		if (o->fail_percent && chance(r, o->fail_percent)) {
			b.rows[i].state = ROW_FAILED;
			snprintf(b.rows[i].error, sizeof b.rows[i].error,
			         "injected failure (--fail-percent %d)", o->fail_percent);
		}
	}
	if (kafka_send(&r->kafka, &b) < 0) {
		worker_log(0,
		           "stopping: %d rows were not acknowledged in time; rolled back, they stay pending",
		           b.n);
		db_rollback(&r->db);
		batch_free(&b);
		return -1;
	}
	if (o->common.test_delay_ms) {
		/* For the crash test: a kill now finds the batch acknowledged but not committed. */
		worker_log(0, "test: the reports of a batch of %d rows are in; committing in %d ms", b.n,
		           o->common.test_delay_ms);
		worker_sleep_ms(o->common.test_delay_ms);
	}
	attempts = calloc((size_t)b.n, sizeof *attempts);
	if (!attempts || db_finish(&r->db, &b, attempts) < 0) {
		if (!attempts) {
			snprintf(r->db.error, sizeof r->db.error, "out of memory");
			db_rollback(&r->db);
		}
		worker_log(
		    0,
		    "the outcome of a batch of %d rows was not committed: they stay pending and are sent "
		    "again",
		    b.n);
		free(attempts);
		batch_free(&b);
		return -2;
	}
	worker_state_ok(&r->db.state, "connected to %s", r->db.where);
	r->db_backoff = 0;
	account(r, &b, attempts, worker_now_ms() - t0);
	i = b.n == o->batch;
	free(attempts);
	batch_free(&b);
	return i;
}

static int run(struct relay *r)
{
	const struct relay_opts *o = r->o;
	char why[600];

	while (!worker_stop) {
		int64_t now = worker_now_ms(), wait = 0;
		int rc;

		if (r->db_retry_at > now)
			wait = r->db_retry_at - now;
		else if (r->kafka_retry_at > now)
			wait = r->kafka_retry_at - now;
		if (wait > 0) {
			worker_sleep_ms(wait < 1000 ? wait : 1000);
			continue;
		}
		rd_kafka_poll(r->kafka.rk, 0); /* the error events of an idle producer */
		if (r->kafka.fatal) {
			struct worker_state state = r->kafka.state;

			kafka_close(&r->kafka);
			if (kafka_open(&r->kafka, o, why, sizeof why) < 0) {
				worker_log(0, "kafka: %s", why);
				return 1;
			}
			r->kafka.state = state; /* still failing until a delivery succeeds */
		}
		if (!r->db.conn) {
			if (db_connect(&r->db) < 0) {
				db_trouble(r);
				if (o->common.once)
					return 1;
				continue;
			}
			worker_state_ok(&r->db.state, "connected to %s", r->db.where);
			r->paused = -1;
		}
		rc = step(r);
		if (rc == -2) {
			db_trouble(r);
			if (o->common.once)
				return 1;
		} else if (rc == -1) {
			return worker_stop ? 0 : 1;
		} else if (rc == 2) {
			return 0;
		} else if (rc == 0) {
			worker_sleep_ms(o->interval_ms);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct relay_opts o;
	struct relay r;
	char why[600];
	int rc;

	parse_options(argc, argv, &o);

	memset(&r, 0, sizeof r);
	r.o = &o;
	r.paused = -1;
	r.rand = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15u;
	worker_signals();

	if (kafka_open(&r.kafka, &o, why, sizeof why) < 0)
		worker_usage_error("%s", why); /* a bad -X, --brokers or --topic */
	db_init(&r.db, o.conninfo, o.dbname);
	r.kafka.state.failing = r.db.state.failing = -1; /* the first success is news too */
	worker_log(1, "starting: worker %s, topic %s, brokers %s, batch %d, max attempts %d%s", o.worker,
	           o.topic, o.common.brokers, o.batch, o.max_attempts, o.common.once ? ", once" : "");

	rc = run(&r);

	db_rollback(&r.db);
	db_disconnect(&r.db);
	kafka_close(&r.kafka);
	free(r.cooling.v);
	worker_log(rc ? 0 : 1, "%s: %lld rows published, %lld failed attempts", rc ? "giving up" : "stopped",
	           r.published, r.failures);
	return rc;
}
