/* version.c: what synctop --version prints: the version, then the backends built in, with the
   library versions they run with (as curl --version does), so that a test or an operator can
   tell whether, say, rediss:// is supported. */
#include "version.h"

#ifdef HAVE_POSTGRES
#include <libpq-fe.h>
#endif
#ifdef HAVE_KAFKA
#include <librdkafka/rdkafka.h>
#endif
#ifdef HAVE_REDIS
#include <hiredis/hiredis.h>

#include "backend/redis_tls.h"
#endif
#ifdef HAVE_SEARCH
#include <curl/curl.h>
#endif
#ifdef HAVE_MONGOC
#include <mongoc/mongoc.h>
#endif
#ifdef HAVE_MICROHTTPD
#include <microhttpd.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

void version_print(FILE *out)
{
	fprintf(out, "synctop %s\n", PACKAGE_VERSION);
#ifdef HAVE_POSTGRES
	int pq = PQlibVersion();
	fprintf(out, "postgres: libpq %d.%d (outbox, slot)\n", pq / 10000, pq % 10000);
#else
	fputs("postgres: not built (--with-postgres)\n", out);
#endif
#ifdef HAVE_KAFKA
	fprintf(out, "kafka: librdkafka %s (kafka)\n", rd_kafka_version_str());
#else
	fputs("kafka: not built (--with-kafka)\n", out);
#endif
#ifdef HAVE_REDIS
	fprintf(out, "redis: hiredis %d.%d.%d (cache), rediss:// %s\n", HIREDIS_MAJOR, HIREDIS_MINOR,
	        HIREDIS_PATCH, redis_tls_built ? "tls" : "no-tls");
#else
	fputs("redis: not built (--with-redis)\n", out);
#endif
#ifdef HAVE_SEARCH
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	/* Whether https:// URLs of the search and connect connections can be read. */
	const char *tls = cv->features & CURL_VERSION_SSL ? "https" : "no-https";
	fprintf(out, "search: libcurl %s (search), %s\n", cv->version, tls);
	/* Kafka Connect's REST API: its own backend (backend/registry.c), on the same libcurl. */
	fprintf(out, "connect: libcurl %s (connector), %s\n", cv->version, tls);
	/* [http NAME]: Neo4j's Query API and InfluxDB's, again on the same libcurl. */
	fprintf(out, "http: libcurl %s (graph, timeseries), %s\n", cv->version, tls);
#else
	fputs("search: not built (--with-search)\n", out);
	fputs("connect: not built (--with-search)\n", out);
	fputs("http: not built (--with-search)\n", out);
#endif
#ifdef HAVE_MONGOC
	fprintf(out, "mongodb: libmongoc %s (document)\n", mongoc_get_version());
#else
	fputs("mongodb: not built (--with-mongoc)\n", out);
#endif
#ifdef HAVE_MICROHTTPD
	fprintf(out, "exporter: libmicrohttpd %s (--serve)%s\n", MHD_get_version(),
	        MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES ? ", https" : "");
#else
	fputs("exporter: not built (--with-microhttpd)\n", out);
#endif
#ifdef HAVE_ZSTD
	fprintf(out, "zstd: libzstd %s (--record FILE.zst)\n", ZSTD_versionString());
#else
	fputs("zstd: not built (--with-zstd)\n", out);
#endif
}
