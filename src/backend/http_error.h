/* http_error.h: what an HTTP JSON API (Elasticsearch, OpenSearch, Kafka Connect, Neo4j) says went wrong. */
#ifndef SYNCTOP_HTTP_ERROR_H
#define SYNCTOP_HTTP_ERROR_H

#include <stdbool.h>
#include <stddef.h>

/* "type: reason" from an error body ({"error": {"type", "reason"}}, {"error": "..."} or
   {"message": "..."}); false when the body says nothing usable. Pure. */
bool http_error_reason(const char *body, char *out, size_t n);

#endif
