/* mongo.c: MongoDB sessions for probes (libmongoc): a single-threaded client per connection,
   owned by its worker, that sends read commands only, each under the poll's deadline. */
#include "backend/mongo.h"

#include <mongoc/mongoc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct mongo_session {
	mongoc_client_t *client;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	mongoc_init();
	/* The driver's own log would go to stderr, under the screen: synctop says what failed. */
	mongoc_log_set_handler(NULL, NULL);
}

/* Milliseconds from now to the monotonic deadline, at least min_ms. */
static int32_t ms_left(double deadline, int32_t min_ms)
{
	double ms = (deadline - now_mono()) * 1000.0;
	if (ms < min_ms)
		return min_ms;
	return ms > 3600000 ? 3600000 : (int32_t)ms;
}

static void *mongo_open(const struct config *cfg, const struct conn *c, double deadline, char *err, size_t n)
{
	pthread_once(&global_once, global_init);
	bson_error_t e;
	mongoc_uri_t *uri = mongoc_uri_new_with_error(c->url, &e);
	if (!uri) {
		snprintf(err, n, "url: %s", e.message);
		return NULL;
	}
	if (c->username)
		mongoc_uri_set_username(uri, c->username);
	if (c->secret)
		mongoc_uri_set_password(uri, c->secret);
	mongoc_uri_set_appname(uri, "synctop");
	/* Finding the server and connecting: what is left of this poll. A socket read or write:
	   half the connection's timeout, as a poll sends two commands (the count and the newest);
	   each command also checks the deadline before it goes. */
	int32_t left = ms_left(deadline, 100);
	int32_t socket_ms = (int32_t)(conn_timeout(cfg, c) * 1000.0 / 2);
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, left);
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, left);
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, socket_ms < 100 ? 100 : socket_ms);
	if (c->ca_file)
		mongoc_uri_set_option_as_utf8(uri, MONGOC_URI_TLSCAFILE, c->ca_file);
	if (c->insecure)
		mongoc_uri_set_option_as_bool(uri, MONGOC_URI_TLSALLOWINVALIDCERTIFICATES, true);
	mongoc_client_t *client = mongoc_client_new_from_uri_with_error(uri, &e);
	mongoc_uri_destroy(uri);
	if (!client) {
		snprintf(err, n, "%s", e.message);
		return NULL;
	}
	mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
	struct mongo_session *s = xcalloc(1, sizeof *s);
	s->client = client;
	return s;
}

static void mongo_close(void *session)
{
	struct mongo_session *s = session;
	if (!s)
		return;
	mongoc_client_destroy(s->client);
	free(s);
}

static bool aggregate_reads(const json_t *pipeline, char *why, size_t n)
{
	size_t i;
	const json_t *stage;
	json_array_foreach(pipeline, i, stage)
	{
		if (json_object_get(stage, "$out") || json_object_get(stage, "$merge")) {
			snprintf(why, n, "an aggregate with $out or $merge writes");
			return false;
		}
	}
	return true;
}

bool mongo_command_reads(const json_t *cmd, char *why, size_t n)
{
	static const char *const reads[] = {"count", "find", "aggregate", "listCollections", "ping", NULL};
	void *it = json_object_iter((json_t *)cmd);
	const char *name = it ? json_object_iter_key(it) : NULL;
	if (!name) {
		snprintf(why, n, "an empty command");
		return false;
	}
	for (size_t i = 0; reads[i]; i++)
		if (strcmp(name, reads[i]) == 0)
			return strcmp(name, "aggregate") != 0 ||
			       aggregate_reads(json_object_get(cmd, "pipeline"), why, n);
	snprintf(why, n, "%s is not a read command", name);
	return false;
}

/* The server's code name in an error answer ("Unauthorized"), or NULL. */
static const char *code_name(const bson_t *reply)
{
	bson_iter_t it;
	if (bson_iter_init_find(&it, reply, "codeName") && BSON_ITER_HOLDS_UTF8(&it))
		return bson_iter_utf8(&it, NULL);
	return NULL;
}

json_t *mongo_command(void *session, const char *db, const json_t *cmd, double deadline, char *err, size_t n)
{
	struct mongo_session *s = session;
	if (!mongo_command_reads(cmd, err, n))
		return NULL;
	const char *name = json_object_iter_key(json_object_iter((json_t *)cmd)); /* reads: not empty */
	if (now_mono() >= deadline) {
		snprintf(err, n, "timeout: the poll's time was up before the %s command", name);
		return NULL;
	}
	char *text = json_dumps(cmd, JSON_COMPACT);
	bson_error_t e;
	bool dumped = text != NULL;
	bson_t *b = dumped ? bson_new_from_json((const uint8_t *)text, -1, &e) : NULL;
	free(text);
	if (!b) {
		snprintf(err, n, "the command cannot be sent: %s", dumped ? e.message : "out of memory");
		return NULL;
	}
	/* The server gives up too, when the poll does: maxTimeMS on what may scan. */
	if (strcmp(name, "ping") != 0 && strcmp(name, "listCollections") != 0)
		BSON_APPEND_INT64(b, "maxTimeMS", ms_left(deadline, 1));
	bson_t reply;
	bool ok = mongoc_client_read_command_with_opts(s->client, db, b, NULL, NULL, &reply, &e);
	bson_destroy(b);
	json_t *out = NULL;
	if (!ok) {
		const char *cn = code_name(&reply);
		if (cn)
			snprintf(err, n, "%s (%s)", e.message, cn);
		else
			snprintf(err, n, "%s", e.message);
	} else {
		size_t len = 0;
		char *json = bson_as_canonical_extended_json(&reply, &len);
		json_error_t je;
		out = json ? json_loadb(json, len, 0, &je) : NULL;
		if (!out)
			snprintf(err, n, "the server's answer cannot be read: %s",
			         json ? je.text : "not BSON");
		bson_free(json);
	}
	bson_destroy(&reply);
	return out;
}

const struct backend mongo_backend = {
    .kind = CONN_MONGODB,
    .open = mongo_open,
    .close = mongo_close,
};
