/* mongo_probe.c: libmongoc 1.23 against a MongoDB server (tests/integration/mongo_standin.sh
 * drives tests/stack/mongo_standin.py with it: the driver synctop's document stage links).
 * Built by that test with `cc $(pkg-config --cflags --libs libmongoc-1.0)`, not by make.
 *
 *   mongo_probe URI DB COLL OP...
 *     ping          prints "ping ok"
 *     estimated     prints "estimated N" (mongoc_collection_estimated_document_count)
 *     count         prints "count N" (mongoc_collection_count_documents, filter {})
 *     newest FIELD  prints "newest MS" (find {}, sort FIELD -1, limit 1, projection FIELD):
 *                   the datetime in ms since the epoch, "newest null" or "newest absent"
 *     collections   prints "collections NAME,NAME..." (mongoc_database_get_collection_names)
 *   On the first error: "error DOMAIN CODE MESSAGE" on stdout, exit 1. MONGO_PROBE_POOL=1: through a
 *   mongoc_client_pool_t (background monitoring threads) rather than a single-threaded client. */
#define _POSIX_C_SOURCE 200809L /* struct addrinfo in mongoc-socket.h under -std=c11 */
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const bson_error_t *e)
{
	printf("error %u %u %s\n", e->domain, e->code, e->message);
	return 1;
}

static int newest(mongoc_collection_t *coll, const char *field)
{
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, sort, proj;
	const bson_t *doc;
	bson_error_t e;
	bson_iter_t it;
	int rc = 0, found = 0;

	BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
	BSON_APPEND_INT32(&sort, field, -1);
	bson_append_document_end(&opts, &sort);
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "projection", &proj);
	BSON_APPEND_INT32(&proj, field, 1);
	BSON_APPEND_INT32(&proj, "_id", 0);
	bson_append_document_end(&opts, &proj);
	BSON_APPEND_INT64(&opts, "limit", 1);
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, &opts, NULL);
	while (mongoc_cursor_next(cur, &doc)) {
		found = 1;
		if (!bson_iter_init_find(&it, doc, field))
			printf("newest absent\n");
		else if (BSON_ITER_HOLDS_DATE_TIME(&it))
			printf("newest %lld\n", (long long)bson_iter_date_time(&it));
		else if (BSON_ITER_HOLDS_NULL(&it))
			printf("newest null\n");
		else
			printf("newest type %d\n", (int)bson_iter_type(&it));
	}
	if (mongoc_cursor_error(cur, &e))
		rc = fail(&e);
	else if (!found)
		printf("newest none\n");
	mongoc_cursor_destroy(cur);
	bson_destroy(&filter);
	bson_destroy(&opts);
	return rc;
}

static int run(mongoc_client_t *client, const char *dbname, const char *collname, int argc, char **argv)
{
	mongoc_database_t *db = mongoc_client_get_database(client, dbname);
	mongoc_collection_t *coll = mongoc_client_get_collection(client, dbname, collname);
	bson_error_t e;
	int rc = 0;

	for (int i = 0; i < argc && rc == 0; i++) {
		if (strcmp(argv[i], "ping") == 0) {
			bson_t *cmd = BCON_NEW("ping", BCON_INT32(1));
			if (mongoc_client_command_simple(client, "admin", cmd, NULL, NULL, &e))
				printf("ping ok\n");
			else
				rc = fail(&e);
			bson_destroy(cmd);
		} else if (strcmp(argv[i], "estimated") == 0 || strcmp(argv[i], "count") == 0) {
			bson_t filter = BSON_INITIALIZER;
			int64_t n =
			    argv[i][0] == 'e'
			        ? mongoc_collection_estimated_document_count(coll, NULL, NULL, NULL, &e)
			        : mongoc_collection_count_documents(coll, &filter, NULL, NULL, NULL, &e);
			if (n < 0)
				rc = fail(&e);
			else
				printf("%s %lld\n", argv[i], (long long)n);
		} else if (strcmp(argv[i], "newest") == 0 && i + 1 < argc) {
			rc = newest(coll, argv[++i]);
		} else if (strcmp(argv[i], "collections") == 0) {
			char **names = mongoc_database_get_collection_names_with_opts(db, NULL, &e);
			if (!names) {
				rc = fail(&e);
			} else {
				printf("collections ");
				for (int j = 0; names[j]; j++)
					printf("%s%s", j ? "," : "", names[j]);
				printf("\n");
				bson_strfreev(names);
			}
		} else {
			fprintf(stderr, "mongo_probe: unknown operation %s\n", argv[i]);
			rc = 2;
		}
	}
	mongoc_collection_destroy(coll);
	mongoc_database_destroy(db);
	return rc;
}

int main(int argc, char **argv)
{
	bson_error_t e;
	int rc;

	if (argc < 5) {
		fprintf(stderr, "usage: mongo_probe URI DB COLL OP...\n");
		return 2;
	}
	mongoc_init();
	mongoc_log_set_handler(NULL, NULL); /* its DEBUG lines go to stdout */
	mongoc_uri_t *uri = mongoc_uri_new_with_error(argv[1], &e);
	if (!uri) {
		rc = fail(&e);
	} else {
		const char *pooled = getenv("MONGO_PROBE_POOL");
		mongoc_client_pool_t *pool = NULL;
		mongoc_client_t *client;
		if (pooled && *pooled == '1') {
			pool = mongoc_client_pool_new(uri);
			mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);
			client = mongoc_client_pool_pop(pool);
		} else {
			client = mongoc_client_new_from_uri(uri);
			mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
		}
		rc = run(client, argv[2], argv[3], argc - 4, argv + 4);
		if (pool) {
			mongoc_client_pool_push(pool, client);
			mongoc_client_pool_destroy(pool);
		} else {
			mongoc_client_destroy(client);
		}
		mongoc_uri_destroy(uri);
	}
	mongoc_cleanup();
	return rc;
}
