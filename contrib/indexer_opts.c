/* indexer_opts.c: synctop-indexer's command line: the options, their checks, --help, and the usage
 * errors (one line naming the option, exit 2). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indexer.h"

enum {
	OPT_API_KEY_FILE = WORKER_OPT_OWN,
	OPT_PAUSE_FILE,
	OPT_DELAY,
	OPT_SUBSCRIBE,
	OPT_INFLUX_URL,
	OPT_INFLUX_DB,
	OPT_INFLUX_MEASUREMENT,
	OPT_GRAPH_URL,
	OPT_GRAPH_DB,
	OPT_GRAPH_LABEL,
	OPT_MONGO_URL,
	OPT_MONGO_DB,
	OPT_MONGO_COLLECTION,
	OPT_MONGO_PASSWORD_FILE,
	OPT_MONGO_PAUSE_FILE
};

static const struct option long_options[] = {
    {"topic", required_argument, NULL, 't'},
    {"group", required_argument, NULL, 'g'},
    {"url", required_argument, NULL, 'u'},
    {"index", required_argument, NULL, 'i'},
    {"api-key-file", required_argument, NULL, OPT_API_KEY_FILE},
    {"batch", required_argument, NULL, 'n'},
    {"delay-ms", required_argument, NULL, OPT_DELAY},
    {"pause-file", required_argument, NULL, OPT_PAUSE_FILE},
    {"subscribe", no_argument, NULL, OPT_SUBSCRIBE},
    {"influx-url", required_argument, NULL, OPT_INFLUX_URL},
    {"influx-db", required_argument, NULL, OPT_INFLUX_DB},
    {"influx-measurement", required_argument, NULL, OPT_INFLUX_MEASUREMENT},
    {"graph-url", required_argument, NULL, OPT_GRAPH_URL},
    {"graph-db", required_argument, NULL, OPT_GRAPH_DB},
    {"graph-label", required_argument, NULL, OPT_GRAPH_LABEL},
    {"mongo-url", required_argument, NULL, OPT_MONGO_URL},
    {"mongo-db", required_argument, NULL, OPT_MONGO_DB},
    {"mongo-collection", required_argument, NULL, OPT_MONGO_COLLECTION},
    {"mongo-password-file", required_argument, NULL, OPT_MONGO_PASSWORD_FILE},
    {"mongo-pause-file", required_argument, NULL, OPT_MONGO_PAUSE_FILE},
    /* --test-delay-ms: a pause between the index's acknowledgement and the commit. */
    WORKER_LONG_OPTIONS};

static void usage(FILE *f)
{
	fputs(
	    "usage: " INDEXER_NAME " [OPTION]...\n"
	    "The reference search indexer: consumes the products topic and indexes each product into the\n"
	    "search index (document id = message key), committing the offsets once the index took them.\n"
	    "\n"
	    "  -b, --brokers=LIST       Kafka bootstrap servers (default: $SYNCTOP_KAFKA_BOOTSTRAP)\n"
	    "  -t, --topic=NAME         the topic (default: shop.products)\n"
	    "  -g, --group=NAME         the consumer group whose offsets are committed (default: "
	    "search-indexer)\n"
	    "  -u, --url=URL            the search cluster, http(s)://[user:password@]host:port\n"
	    "                           (default: $SYNCTOP_SEARCH_URL)\n"
	    "  -i, --index=NAME         the index, created when missing (default: products)\n"
	    "      --api-key-file=FILE  an Elasticsearch API key (the encoded id:key) on its first line\n"
	    "  -n, --batch=N            messages per _bulk request, 1-10000 (default: 500)\n"
	    "      --delay-ms=N         sleep N ms per message: a lagging indexer, for the demo (default: "
	    "0)\n"
	    "      --pause-file=FILE    consume nothing while FILE exists\n"
	    "      --subscribe          join the group, which shares the partitions among its members\n"
	    "                           (default: take every partition, at the group's committed offsets)\n"
	    "      --influx-url=URL     also write a point per indexed batch to this InfluxDB 1.x,\n"
	    "                           http(s)://[user:password@]host:port (default: none)\n"
	    "      --influx-db=NAME     its database, which must exist (default: shop)\n"
	    "      --influx-measurement=NAME  the points' measurement (default: product_updates)\n"
	    "      --graph-url=URL      also MERGE each indexed document as a node (id, updated_at) into\n"
	    "                           this Neo4j's Query API, http(s)://[user:password@]host:port, and\n"
	    "                           DETACH DELETE each deleted one; one request per batch (default: "
	    "none)\n"
	    "      --graph-db=NAME      its database (default: neo4j)\n"
	    "      --graph-label=NAME   the nodes' label (default: Product)\n"
	    "      --mongo-url=URI      also upsert each product into this MongoDB, "
	    "mongodb://[user@]host:port\n"
	    "                           (default: none): {_id: key, the payload's fields, updated_at a "
	    "date}\n"
	    "      --mongo-db=NAME      its database (default: shop)\n"
	    "      --mongo-collection=NAME  its collection (default: products)\n"
	    "      --mongo-password-file=FILE  the URI user's password: the first line of FILE\n"
	    "      --mongo-pause-file=FILE  hold the MongoDB writes back while FILE exists\n"
	    "      --once               consume until the group has no lag left, then exit\n"
	    "  -X NAME=VALUE            a librdkafka consumer property (e.g. -X session.timeout.ms=6000)\n"
	    "  -v, --verbose            one line per batch; twice: every retry and librdkafka's log\n"
	    "  -h, --help               this help\n"
	    "\n"
	    "An event_type header ending in .deleted (product.deleted), or a message without a value, "
	    "deletes\n"
	    "the document. Documents the index refuses for good (a 4xx, e.g. a bad date) are logged and\n"
	    "skipped; a failed request, or items failing with 429 or 5xx, are retried after 0.5 s *\n"
	    "2^(failures - 1), at most 30 s, without committing. SIGTERM or SIGINT: the batch in hand is\n"
	    "finished (at most 5 s) and committed if the index took it, then exit 0.\n"
	    "Exit status: 0 stopped or done, 1 --once could not finish (30 s of failures), 2 usage error.\n",
	    f);
}

/* Kafka's rule for topic names. */
static const char *bad_topic(const char *t)
{
	if (!*t || strlen(t) > 249 || !strcmp(t, ".") || !strcmp(t, ".."))
		return "expected 1 to 249 characters";
	if (strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(t))
		return "expected letters, digits, '.', '_' and '-'";
	return NULL;
}

/* Elasticsearch's rule for index names. */
static const char *bad_index(const char *x)
{
	const char *p;

	if (!*x || strlen(x) > 255 || !strcmp(x, ".") || !strcmp(x, ".."))
		return "expected 1 to 255 characters";
	if (strchr("-_+", *x))
		return "an index name cannot start with '-', '_' or '+'";
	for (p = x; *p; p++)
		if ((*p >= 'A' && *p <= 'Z') || strchr("\\/*?\"<>| ,#:", *p) || (unsigned char)*p < 0x20)
			return "expected lowercase, without \\ / * ? \" < > | , # : or blanks";
	return NULL;
}

void indexer_parse_options(int argc, char **argv, struct indexer_opts *o)
{
	const char *url = getenv("SYNCTOP_SEARCH_URL"), *why;
	int c;

	*o = (struct indexer_opts){.url = url && *url ? url : NULL,
	                           .topic = "shop.products",
	                           .group = "search-indexer",
	                           .index = "products",
	                           .influx_db = "shop",
	                           .influx_measurement = "product_updates",
	                           .graph_db = "neo4j",
	                           .graph_label = "Product",
	                           .mongo_db = "shop",
	                           .mongo_collection = "products",
	                           .batch = 500};
	worker_opts_init(&o->common);
	while ((c = worker_getopt(argc, argv, ":b:t:g:u:i:n:X:vh", long_options, &o->common)) != -1) {
		switch (c) {
		case 't':
			if ((why = bad_topic(optarg)))
				worker_usage_error("--topic: %s, not '%s'", why, optarg);
			o->topic = optarg;
			break;
		case 'g':
			if (!*optarg)
				worker_usage_error("--group: expected a consumer group name");
			o->group = optarg;
			break;
		case 'u':
			o->url = optarg; /* checked by search_open(), which knows URLs */
			break;
		case 'i':
			if ((why = bad_index(optarg)))
				worker_usage_error("--index: %s, not '%s'", why, optarg);
			o->index = optarg;
			break;
		case OPT_API_KEY_FILE:
			if (!*optarg)
				worker_usage_error("--api-key-file: expected a file name");
			o->api_key_file = optarg;
			break;
		case 'n':
			o->batch = worker_parse_int("--batch", optarg, 1, 10000);
			break;
		case OPT_DELAY:
			o->delay_ms = worker_parse_int("--delay-ms", optarg, 0, 60000);
			break;
		case OPT_PAUSE_FILE:
			if (!*optarg)
				worker_usage_error("--pause-file: expected a file name");
			o->pause_file = optarg;
			break;
		case OPT_SUBSCRIBE:
			o->subscribe = 1;
			break;
		case OPT_INFLUX_URL:
			o->influx_url = optarg; /* checked by influx_open() */
			break;
		case OPT_INFLUX_DB:
		case OPT_INFLUX_MEASUREMENT:
			/* Line protocol and the URL would need escapes: plain names only. */
			if (!*optarg || strcspn(optarg, " ,=\\\"&?#/") != strlen(optarg))
				worker_usage_error(
				    "--%s: expected a plain name (no blank , = \\ \" & ? # /), not '%s'",
				    c == OPT_INFLUX_DB ? "influx-db" : "influx-measurement", optarg);
			*(c == OPT_INFLUX_DB ? &o->influx_db : &o->influx_measurement) = optarg;
			break;
		case OPT_GRAPH_URL:
			o->graph_url = optarg; /* checked by graph_open() */
			break;
		case OPT_GRAPH_DB:
			/* Neo4j's rule for database names, less the dots (a URL segment, plainly). */
			if (!*optarg || strlen(optarg) > 63 ||
			    strspn(optarg,
			           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
			        strlen(optarg))
				worker_usage_error(
				    "--graph-db: expected 1 to 63 letters, digits and '-', not '%s'", optarg);
			o->graph_db = optarg;
			break;
		case OPT_GRAPH_LABEL:
			/* Spliced into the statements: a plain identifier only. */
			if (!*optarg || strlen(optarg) > 63 || (*optarg >= '0' && *optarg <= '9') ||
			    strspn(optarg,
			           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
			        strlen(optarg))
				worker_usage_error("--graph-label: expected a letter or '_' then letters, "
				                   "digits and '_', not '%s'",
				                   optarg);
			o->graph_label = optarg;
			break;
		case OPT_MONGO_URL:
			o->mongo_url = optarg; /* checked by mongo_open() */
			break;
		case OPT_MONGO_DB:
		case OPT_MONGO_COLLECTION:
			/* MongoDB's rules: no '$' in either, nor / \ . " or blanks in a database name. */
			if (!*optarg || strchr(optarg, '$') ||
			    (c == OPT_MONGO_DB && strcspn(optarg, "/\\. \"") != strlen(optarg)))
				worker_usage_error("--%s: expected a MongoDB %s name, not '%s'",
				                   c == OPT_MONGO_DB ? "mongo-db" : "mongo-collection",
				                   c == OPT_MONGO_DB ? "database" : "collection", optarg);
			*(c == OPT_MONGO_DB ? &o->mongo_db : &o->mongo_collection) = optarg;
			break;
		case OPT_MONGO_PASSWORD_FILE:
			o->mongo_password_file = optarg;
			break;
		case OPT_MONGO_PAUSE_FILE:
			o->mongo_pause_file = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		}
	}
	if (!o->url)
		worker_usage_error("--url: no search URL (give --url or set SYNCTOP_SEARCH_URL)");
}
