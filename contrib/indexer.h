/* indexer.h: what the parts of synctop-indexer (the reference search indexer) share: the options
 * (indexer_opts.c), the batch (indexer_batch.c), and the Kafka (indexer_kafka.c) and search
 * (indexer_search.c) halves. The log, the clock, the failure states and the options it has in common
 * with synctop-relay are in worker_common.h. */
#ifndef SYNCTOP_INDEXER_H
#define SYNCTOP_INDEXER_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <librdkafka/rdkafka.h>

#include "worker_common.h"

#define INDEXER_NAME "synctop-indexer"

/* After SIGTERM, how long the batch in hand may take: the _bulk request in flight is abandoned then. */
#define INDEXER_STOP_GRACE_MS 5000

struct indexer_opts {
	struct worker_opts common; /* --brokers, -X, --once, --test-delay-ms */
	const char *topic;
	const char *group;
	const char *url;
	const char *index;
	const char *api_key_file;
	const char *pause_file;
	const char *influx_url;         /* --influx-url: a point per batch there; NULL: none */
	const char *influx_db;          /* --influx-db */
	const char *influx_measurement; /* --influx-measurement */
	const char *graph_url;          /* --graph-url: the products as nodes there; NULL: none */
	const char *graph_db;           /* --graph-db */
	const char *graph_label;        /* --graph-label */
	const char *mongo_url;          /* --mongo-url: each product upserted there too; NULL: none */
	const char *mongo_db, *mongo_collection, *mongo_password_file, *mongo_pause_file;
	int batch;
	int delay_ms;
	int subscribe;
};

/* Parses the command line into O; a usage error exits 2 naming the option, --help exits 0. */
void indexer_parse_options(int argc, char **argv, struct indexer_opts *o);

/* ---- indexer_batch.c: the messages of one _bulk request --------------------------------------------- */

enum item_op { ITEM_INDEX, ITEM_DELETE, ITEM_SKIP };
enum item_state { ITEM_PENDING, ITEM_DONE, ITEM_REJECTED };

struct item {
	rd_kafka_message_t *m;
	enum item_op op;       /* ITEM_SKIP: not indexable (no key, bad JSON): logged, committed past */
	enum item_state state; /* ITEM_REJECTED: refused for good by the index (a 4xx), logged once */
	char *source;          /* ITEM_INDEX: the payload on one line (NDJSON), to free */
};

struct batch_items {
	struct item *v;
	int n, cap;
	int attempts; /* bulk requests sent for it */
};

/* Takes message M (which the batch now owns): classifies it (index, delete, skip) and logs a skip.
   0, or -1 when out of memory (M is destroyed). */
int items_add(struct batch_items *b, rd_kafka_message_t *m);
/* The key of M (the document id) for a log line, in BUF: at most SIZE - 1 bytes, unprintable ones as '?'. */
const char *item_key(const rd_kafka_message_t *m, char *buf, size_t size);
/* Destroys the messages and empties the batch (its array is kept for the next). */
void items_clear(struct batch_items *b);
void items_free(struct batch_items *b);

/* ---- indexer_kafka.c: the consumer ------------------------------------------------------------------ */

struct consumer {
	rd_kafka_t *rk;
	const struct indexer_opts *o;
	int assigned;  /* partitions of the topic in the assignment */
	int held;      /* the assigned partitions are paused */
	int want_held; /* what they should be: rd_kafka_pause/resume follow */
	int64_t next_metadata_at;
	/* Offsets acknowledged by the index but not committed yet (a commit failed): retried. */
	rd_kafka_topic_partition_list_t *uncommitted;
	/* Set by the rebalance callback (--subscribe) when partitions are taken away: the batch in
	   hand must be dropped (its messages go to the new owner). */
	int revoked;
	struct worker_state state;
};

/* Creates the consumer; on a configuration error writes why (naming the flag) and returns -1. */
int consumer_open(struct consumer *c, const struct indexer_opts *o, char *why, size_t whylen);
/* Leaves the group (--subscribe) and destroys the consumer. */
void consumer_close(struct consumer *c);
/* Assignment mode: assigns every partition of the topic, at the group's committed offsets, when not
   done yet or when the topic grew. 1 when assigned, 0 when the topic is not there yet, -1 on error. */
int consumer_assign(struct consumer *c);
/* Pauses or resumes the assigned partitions as c->want_held says. */
void consumer_hold(struct consumer *c);
/* Adds the offsets past the items of B to c->uncommitted and commits them synchronously.
   0, or -1 when the commit failed (they stay in c->uncommitted for the next try). */
int consumer_commit(struct consumer *c, const struct batch_items *b);
/* Retries the commit of c->uncommitted. 0 (nothing left) or -1. */
int consumer_commit_retry(struct consumer *c);
/* The group's lag on the topic now: committed offsets against the end offsets of every partition.
   0 when none is left, 1 when some is, -1 on error (why in WHY). */
int consumer_lag(struct consumer *c, char *why, size_t whylen);

/* ---- indexer_search.c: the search index ------------------------------------------------------------- */

struct search {
	CURL *h;
	struct curl_slist *headers[2]; /* JSON, NDJSON (for _bulk); with the API key, if any */
	char *base;                    /* the URL without a trailing slash */
	char *shown;                   /* the URL for log lines: without its password */
	const char *index;
	char *index_path;      /* "/" and the index name, percent-encoded */
	int index_ready;       /* exists (or was created) */
	int64_t stop_deadline; /* after a stop: when the request in flight is abandoned */
	char **secrets;        /* the URL's password and the API key, scrubbed from the messages */
	char error[512];
	char body_error[256];
	struct worker_state state;
};

/* Sets up the HTTP handle; on a bad --url or --api-key-file writes why and returns -1. */
int search_open(struct search *s, const struct indexer_opts *o, char *why, size_t whylen);
void search_close(struct search *s);
/* The last failure, "METHOD PATH: why", with any secret masked. */
const char *search_error(struct search *s);
/* Creates the index unless it exists (PUT with the mapping of updated_at). 0, or -1 (search_error). */
int search_ensure_index(struct search *s);

enum bulk_result {
	BULK_OK,   /* every item has its outcome: indexed or deleted, or rejected for good (logged) */
	BULK_RETRY /* the request failed, or some items failed with 429 or 5xx: send again (search_error) */
};
/* Sends the pending items of B in one POST /_bulk; the rejected ones get ITEM_REJECTED. */
enum bulk_result search_bulk(struct search *s, struct batch_items *b);
/* A secret: the first line of FILE, its blanks trimmed. 0, or -1 with why set (naming FLAG). */
int indexer_read_secret(const char *flag, const char *file, char *key, size_t size, char *why, size_t whylen);
/* Adds a copy of SECRET to the NULL-terminated LIST (secrets_in()'s kind). 0 or -1. */
int indexer_secrets_add(char ***list, const char *secret);

/* The write callback of an answer kept in a struct worker_buf (CURLOPT_WRITEDATA), 64 MiB at most. */
size_t indexer_on_data(char *ptr, size_t size, size_t nmemb, void *userdata);

/* ---- indexer_influx.c: the metrics copy ------------------------------------------------------------ */

struct influx {
	CURL *h;     /* NULL: no --influx-url, influx_point does nothing */
	char *url;   /* BASE/write?db=DB */
	char *shown; /* the URL for log lines: without its password */
	char **secrets;
	const char *measurement, *index;
	struct worker_state state;
};

/* Sets up the writer when --influx-url is given; on a bad URL writes why and returns -1. */
int influx_open(struct influx *f, const struct indexer_opts *o, char *why, size_t whylen);
/* One point for a batch the index took: MEASUREMENT,index=INDEX docs=Ni,deleted=Ni, stamped by the server.
   A failure is logged (once per change of state), never returned. */
void influx_point(struct influx *f, int indexed, int deleted);
void influx_close(struct influx *f);
/* FLAG's URL checked: http(s)://...; *SHOWN its redacted form (to free), *LEN its length without trailing
   slashes. 0, or -1 with why in WHY (naming FLAG, the URL redacted). */
int indexer_url_check(const char *flag, const char *url, char **shown, size_t *len, char *why, size_t whylen);

/* ---- indexer_graph.c: the graph copy ----------------------------------------------------------------- */

struct graph {
	CURL *h;     /* NULL: no --graph-url, graph_write does nothing */
	char *url;   /* BASE/db/DB/query/v2 */
	char *shown; /* the URL for log lines: without its password */
	char **secrets;
	struct curl_slist *headers;
	char *merge, *delete; /* the statements, with the label */
	struct worker_state state;
};

/* Sets up the writer when --graph-url is given; on a bad URL writes why and returns -1. */
int graph_open(struct graph *g, const struct indexer_opts *o, char *why, size_t whylen);
/* The items of a batch the index took, into the graph: each document MERGEd as a node (by id, its
   updated_at set), each delete DETACH DELETEd. A failure is logged (once per change of state), never
   returned. */
void graph_write(struct graph *g, const struct batch_items *b);
void graph_close(struct graph *g);

/* ---- indexer_mongo.c: the catalogue copy ------------------------------------------------------------ */

struct mongo;
/* The writer when --mongo-url is given (*G stays NULL without); on a bad URL or password file, or a
   build without libmongoc, writes why and returns -1. */
int mongo_open(struct mongo **g, const struct indexer_opts *o, char *why, size_t whylen);
/* Upserts the products of batch B the index took (deletes the deleted ones), after what an earlier
   failure or --mongo-pause-file held back. A failure is logged and kept for the next batch. */
void mongo_batch(struct mongo *g, const struct batch_items *b);
void mongo_close(struct mongo *g);

#endif
