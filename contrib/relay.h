/* relay.h: what the parts of synctop-relay (the reference outbox relay) share: options, the batch, and
 * the PostgreSQL (relay_db.c) and Kafka (relay_kafka.c) halves. The log, the clock, the failure states
 * and the options it has in common with synctop-indexer are in worker_common.h. */
#ifndef SYNCTOP_RELAY_H
#define SYNCTOP_RELAY_H

#include <stddef.h>

#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>

#include "worker_common.h"

#define RELAY_NAME "synctop-relay"

struct relay_opts {
	struct worker_opts common; /* --brokers, -X, --once, --test-delay-ms */
	const char *conninfo;      /* NULL: the libpq environment (PGHOST, ...) */
	const char *dbname;        /* -d: overrides the conninfo's */
	const char *topic;
	const char *worker;
	int batch;
	int max_attempts;
	int interval_ms;
	int fail_percent;
};

enum row_state { ROW_SENDING, ROW_ACKED, ROW_FAILED };

/* One claimed outbox row: the strings point into the claim's PGresult. */
struct row {
	long long id;
	const char *id_text;
	const char *aggregate_type;
	const char *aggregate_id;
	const char *event_type;
	const char *payload;
	size_t payload_len;
	enum row_state state;
	char error[256]; /* ROW_FAILED: why */
};

struct batch {
	PGresult *res;
	struct row *rows;
	int n;
};

/* ---- relay_db.c: the outbox tables -------------------------------------------------------------- */

struct db {
	PGconn *conn; /* NULL while disconnected */
	const char *conninfo, *dbname;
	char where[300];    /* "host=... port=... dbname=...", never the password */
	char secret[256];   /* the password written in the conninfo, scrubbed from messages */
	char error[512];    /* the last failure, scrubbed */
	int in_transaction; /* a claim is open */
	struct worker_state state;
};

/* Checks the conninfo's syntax; on error writes a one-line reason (without the password). */
int db_check_conninfo(const char *conninfo, char *why, size_t whylen);
void db_init(struct db *db, const char *conninfo, const char *dbname);
/* 0 once connected and the statements are prepared; -1 with db->error set. */
int db_connect(struct db *db);
void db_disconnect(struct db *db);
/* outbox_worker.paused of WORKER: 1 paused, 0 not, 2 the worker has no row (never paused), -1 error. */
int db_paused(struct db *db, const char *worker);
/* Opens a transaction and claims up to LIMIT pending rows (attempts < MAX_ATTEMPTS, none of the ids
   in COOLING, a PostgreSQL array literal) FOR UPDATE SKIP LOCKED. 0 and the rows in B, or -1. */
int db_claim(struct db *db, int max_attempts, const char *cooling, int limit, struct batch *b);
/* Marks the acknowledged rows processed and counts an attempt and the error on the failed ones,
   then commits. ATTEMPTS[i] gets the new attempts of failed row i (else 0). 0 or -1. */
int db_finish(struct db *db, struct batch *b, int *attempts);
/* Ends the open transaction without a change: every claimed row stays pending. */
void db_rollback(struct db *db);
/* Rows still to publish: pending with attempts < MAX_ATTEMPTS (locked by others or not). -1 on error. */
long long db_pending(struct db *db, int max_attempts);
void batch_free(struct batch *b);

/* ---- relay_kafka.c: the producer ------------------------------------------------------------------- */

struct kafka {
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
	int message_timeout_ms;
	unsigned seq;        /* the batch whose delivery reports count */
	struct batch *batch; /* the batch in flight, or NULL */
	int outstanding;     /* rows of it without a report yet */
	int fatal;           /* the producer raised a fatal error: make a new one */
	struct worker_state state;
};

/* Creates the idempotent producer; on a configuration error writes why and returns -1. */
int kafka_open(struct kafka *k, const struct relay_opts *o, char *why, size_t whylen);
void kafka_close(struct kafka *k);
/* Produces the rows of B that are ROW_SENDING (key aggregate_id, value the payload, headers
   event_type, outbox_id, aggregate_type) and waits for every delivery report, at most the message
   timeout plus a margin. On a stop it waits a short grace, then gives up. Returns 0 when every row
   has its outcome (ROW_ACKED or ROW_FAILED), -1 when some have none (the batch must be abandoned:
   its messages are purged). */
int kafka_send(struct kafka *k, struct batch *b);

#endif
