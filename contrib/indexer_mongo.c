/* indexer_mongo.c: the indexer's catalogue copy: each product of a batch the index took is upserted into
 * a MongoDB collection (--mongo-url), {_id: the message key, the payload's fields, updated_at a BSON
 * date}, the copy the demo's document stage watches; a deleted product is deleted there too.
 *
 * The writes of a batch go in one ordered bulk, so the last version of a product wins. A failed bulk,
 * or one held back while --mongo-pause-file exists, is kept and sent with the next batch's, or alone
 * when the loop is idle (at most MONGO_PENDING_MAX writes; beyond, new ones are dropped and counted):
 * a copy beside the index, whose failures never stop the indexing (a try holds the loop up to
 * MONGO_TIMEOUT_MS, retried with a backoff) and are logged once per change of state like the other
 * sinks'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indexer.h"

#ifdef HAVE_MONGOC

#include <sys/stat.h>
#include <time.h>

#include <mongoc/mongoc.h>

#include "redact.h"

/* Server selection, connection and each socket read: the longest a write can hold a batch up. */
#define MONGO_TIMEOUT_MS     2000
#define MONGO_PENDING_MAX    100000
#define MONGO_BACKOFF_MIN_MS 500
#define MONGO_BACKOFF_MAX_MS 30000
/* Without batches, how often what is held back is tried again (the pause file looked at). */
#define MONGO_IDLE_TRY_MS 100

struct mongo_op {
	bson_t *doc; /* the replacement, its _id first; a delete: {_id} alone */
	int del;
};

struct mongo {
	mongoc_client_t *client;
	mongoc_collection_t *coll;
	char *shown; /* the URL for log lines: without its password */
	char **secrets;
	const char *db, *collection, *pause_file;
	int paused; /* the pause file exists; -1 unknown */
	struct mongo_op *ops;
	int n, cap;
	long long dropped;
	int64_t backoff, retry_at, tried_at;
	struct worker_state state;
};

/* A timestamp as PostgreSQL writes it in JSON ("2026-12-04T16:30:00.123456+00:00", or Z): milliseconds
   since the epoch in *MS, or false. */
static bool parse_time(const char *s, int64_t *ms)
{
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	int frac = 0, scale = 100, hh = 0, mm = 0, used = 0;
	long off = 0;

	if (!p)
		return false;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	if (*p == 'Z')
		p++;
	else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &used) == 2 && used == 5) {
		off = (*p == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
		p += 6;
	} else
		return false;
	if (*p)
		return false;
	*ms = ((int64_t)timegm(&tm) - off) * 1000 + frac;
	return true;
}

/* Messages about other aggregates (the canary's markers) are not products. */
static bool is_product(rd_kafka_message_t *m)
{
	rd_kafka_headers_t *hdrs = NULL;
	const void *v;
	size_t n;

	if (rd_kafka_message_headers(m, &hdrs) || !hdrs ||
	    rd_kafka_header_get_last(hdrs, "aggregate_type", &v, &n) || !v)
		return true;
	return n == strlen("product") && !memcmp(v, "product", n);
}

/* The document of item IT: {_id: its key} and, unless a delete, the fields of its payload (not "_id",
   nor names MongoDB refuses: '$' first or a '.'), updated_at a date when it reads as one. */
static bson_t *item_doc(const struct item *it, char *why, size_t whylen)
{
	bson_error_t err;
	bson_iter_t i;
	bson_t *src, *doc = bson_new();

	bson_append_utf8(doc, "_id", 3, it->m->key, (int)it->m->key_len);
	if (it->op == ITEM_DELETE)
		return doc;
	src = bson_new_from_json((const uint8_t *)it->source, -1, &err);
	if (!src) {
		snprintf(why, whylen, "%.200s", err.message);
		bson_destroy(doc);
		return NULL;
	}
	if (bson_iter_init(&i, src))
		while (bson_iter_next(&i)) {
			const char *k = bson_iter_key(&i);
			int64_t ms;

			if (!strcmp(k, "_id") || *k == '$' || strchr(k, '.'))
				continue;
			if (!strcmp(k, "updated_at") && BSON_ITER_HOLDS_UTF8(&i) &&
			    parse_time(bson_iter_utf8(&i, NULL), &ms))
				bson_append_date_time(doc, k, -1, ms);
			else
				bson_append_iter(doc, k, -1, &i);
		}
	bson_destroy(src);
	return doc;
}

static void drop_ops(struct mongo *g, int k)
{
	int i;

	if (k <= 0)
		return; /* nothing queued (ops may still be NULL) */
	for (i = 0; i < k; i++)
		bson_destroy(g->ops[i].doc);
	memmove(g->ops, g->ops + k, (size_t)(g->n - k) * sizeof *g->ops);
	g->n -= k;
}

static void queue(struct mongo *g, const struct item *it)
{
	char why[256], key[65];
	bson_t *doc;

	if (g->n == g->cap) {
		int cap = g->cap ? g->cap * 2 : 256;
		void *p = cap <= MONGO_PENDING_MAX ? realloc(g->ops, (size_t)cap * sizeof *g->ops) : NULL;

		if (!p) {
			g->dropped++;
			worker_state_fail(&g->state, "%s: %d writes held back: dropping the new ones",
			                  g->shown, g->n);
			return;
		}
		g->ops = p;
		g->cap = cap;
	}
	doc = item_doc(it, why, sizeof why);
	if (!doc) {
		worker_log(0, "mongodb: skipped: key %s: %s", item_key(it->m, key, sizeof key), why);
		return;
	}
	g->ops[g->n++] = (struct mongo_op){.doc = doc, .del = it->op == ITEM_DELETE};
}

/* The first write error of REPLY: its index in the bulk, or -1; its message in WHY. */
static int write_error(const bson_t *reply, char *why, size_t whylen)
{
	bson_iter_t i, d;

	if (!bson_iter_init(&i, reply) || !bson_iter_find_descendant(&i, "writeErrors.0.index", &d) ||
	    !BSON_ITER_HOLDS_INT(&d))
		return -1;
	int k = (int)bson_iter_as_int64(&d);
	if (bson_iter_init(&i, reply) && bson_iter_find_descendant(&i, "writeErrors.0.errmsg", &d) &&
	    BSON_ITER_HOLDS_UTF8(&d))
		snprintf(why, whylen, "%s", bson_iter_utf8(&d, NULL));
	return k;
}

/* Sends what is held, unless paused or waiting out a failure. */
static void flush(struct mongo *g)
{
	bson_t reply, upsert = BSON_INITIALIZER;
	bson_error_t err;
	mongoc_bulk_operation_t *bulk;
	struct stat st;
	int64_t now = worker_now_ms();
	int i, k, paused = g->pause_file && stat(g->pause_file, &st) == 0;
	char why[512];

	if (paused != g->paused) {
		if (paused)
			worker_log(0, "mongodb: paused (%s exists): writes held back until it goes",
			           g->pause_file);
		else if (g->paused == 1)
			worker_log(0, "mongodb: resumed (%s is gone): %d writes held back", g->pause_file,
			           g->n);
		g->paused = paused;
	}
	g->tried_at = now;
	if (paused || !g->n || now < g->retry_at)
		return;
	BSON_APPEND_BOOL(&upsert, "upsert", true);
	bulk = mongoc_collection_create_bulk_operation_with_opts(g->coll, NULL);
	for (i = 0; i < g->n; i++) {
		bson_t sel = BSON_INITIALIZER;
		bson_iter_t id;

		if (bson_iter_init_find(&id, g->ops[i].doc, "_id"))
			bson_append_iter(&sel, "_id", 3, &id);
		if (g->ops[i].del)
			mongoc_bulk_operation_remove_one_with_opts(bulk, &sel, NULL, NULL);
		else
			mongoc_bulk_operation_replace_one_with_opts(bulk, &sel, g->ops[i].doc, &upsert, NULL);
		bson_destroy(&sel);
	}
	bson_destroy(&upsert);
	if (mongoc_bulk_operation_execute(bulk, &reply, &err)) {
		worker_state_ok(&g->state, "writing documents to %s.%s at %s", g->db, g->collection,
		                g->shown);
		g->backoff = g->retry_at = 0;
		drop_ops(g, g->n);
	} else if ((k = write_error(&reply, why, sizeof why)) >= 0 && k < g->n) {
		/* Refused for good (ordered: those after it were not tried and go next time). */
		redact_secrets_inplace(why, sizeof why, (const char *const *)g->secrets);
		worker_log(0, "mongodb: %s.%s refused a write: %s", g->db, g->collection, why);
		drop_ops(g, k + 1);
	} else {
		snprintf(why, sizeof why, "%s", err.message);
		redact_secrets_inplace(why, sizeof why, (const char *const *)g->secrets);
		worker_state_fail(&g->state, "%s: writing to %s.%s: %s (kept for another try)", g->shown,
		                  g->db, g->collection, why);
		g->backoff = worker_backoff(g->backoff, MONGO_BACKOFF_MIN_MS, MONGO_BACKOFF_MAX_MS);
		g->retry_at = now + g->backoff;
	}
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(bulk);
}

void mongo_batch(struct mongo *g, const struct batch_items *b)
{
	int i;

	if (!g || (!b && (!g->n || worker_now_ms() < g->tried_at + MONGO_IDLE_TRY_MS)))
		return;
	for (i = 0; b && i < b->n; i++) {
		const struct item *it = &b->v[i];

		if (it->op != ITEM_SKIP && it->state != ITEM_REJECTED && is_product(it->m))
			queue(g, it);
	}
	flush(g);
}

void mongo_close(struct mongo *g)
{
	if (!g)
		return;
	if (g->n || g->dropped)
		worker_log(0, "mongodb: stopping with %d writes held back, %lld dropped", g->n, g->dropped);
	drop_ops(g, g->n);
	free(g->ops);
	if (g->coll)
		mongoc_collection_destroy(g->coll);
	if (g->client)
		mongoc_client_destroy(g->client);
	secrets_free(g->secrets);
	free(g->shown);
	free(g);
	mongoc_cleanup();
}

int mongo_open(struct mongo **gp, const struct indexer_opts *o, char *why, size_t whylen)
{
	struct mongo *g;
	mongoc_uri_t *uri;
	bson_error_t err;
	char password[1024];

	*gp = NULL;
	if (!o->mongo_url)
		return 0;
	mongoc_init();
	g = calloc(1, sizeof *g);
	if (!g || !(g->shown = redact_url(o->mongo_url))) {
		snprintf(why, whylen, "out of memory");
		mongo_close(g);
		return -1;
	}
	g->state = (struct worker_state){.what = "mongodb", .failing = -1};
	g->paused = -1;
	g->db = o->mongo_db;
	g->collection = o->mongo_collection;
	g->pause_file = o->mongo_pause_file;
	g->secrets = secrets_in(o->mongo_url, false);
	if (o->mongo_password_file && (indexer_read_secret("--mongo-password-file", o->mongo_password_file,
	                                                   password, sizeof password, why, whylen) < 0 ||
	                               indexer_secrets_add(&g->secrets, password) < 0)) {
		mongo_close(g);
		return -1;
	}
	uri = mongoc_uri_new_with_error(o->mongo_url, &err);
	if (!uri) {
		snprintf(why, whylen, "--mongo-url: %s: %s", g->shown, err.message);
		redact_secrets_inplace(why, whylen, (const char *const *)g->secrets);
		mongo_close(g);
		return -1;
	}
	if (o->mongo_password_file)
		mongoc_uri_set_password(uri, password);
	mongoc_uri_set_appname(uri, INDEXER_NAME);
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, MONGO_TIMEOUT_MS);
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, MONGO_TIMEOUT_MS);
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, MONGO_TIMEOUT_MS);
	g->client = mongoc_client_new_from_uri(uri);
	mongoc_uri_destroy(uri);
	explicit_bzero(password, sizeof password);
	if (!g->client) {
		snprintf(why, whylen, "--mongo-url: %s: not a usable MongoDB URI", g->shown);
		mongo_close(g);
		return -1;
	}
	mongoc_client_set_error_api(g->client, MONGOC_ERROR_API_VERSION_2);
	g->coll = mongoc_client_get_collection(g->client, g->db, g->collection);
	*gp = g;
	return 0;
}

#else /* !HAVE_MONGOC */

int mongo_open(struct mongo **g, const struct indexer_opts *o, char *why, size_t whylen)
{
	*g = NULL;
	if (!o->mongo_url)
		return 0;
	snprintf(why, whylen,
	         "--mongo-url: this indexer was built without MongoDB (install libmongoc-dev, then "
	         "./configure --with-mongoc)");
	return -1;
}

void mongo_batch(struct mongo *g, const struct batch_items *b)
{
	(void)g;
	(void)b;
}

void mongo_close(struct mongo *g)
{
	(void)g;
}

#endif
