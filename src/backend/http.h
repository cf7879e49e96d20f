/* http.h: HTTP sessions for the search stage (libcurl): a multi handle per connection, whose
   connections are kept alive between polls; several requests at once; every request bounded
   by the poll's deadline. */
#ifndef SYNCTOP_BACKEND_HTTP_H
#define SYNCTOP_BACKEND_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend/backend.h"

extern const struct backend search_backend;
extern const struct backend connect_backend;
extern const struct backend http_backend;

/* Largest response body read; a longer one is an error, not a truncated parse. */
#define HTTP_BODY_MAX (16u << 20)

struct http_response {
	long status; /* the HTTP status code */
	char *body;  /* NUL-terminated (the NUL is not counted in len) */
	size_t len;
};

/* One request: method and path (already URL-encoded, starting with '/'), an optional JSON
   body, before the monotonic deadline. True when a whole response came back, whatever its
   status; false with the transport's reason in err (timeout, refused, TLS, a body cut short). */
bool http_request(void *session, const char *method, const char *path, const char *json_body, double deadline,
                  struct http_response *r, char *err, size_t n);
void http_response_free(struct http_response *r);

/* A request whose answer must be a 2xx with JSON: the parsed body, or NULL with a precise
   reason in err (the transport's; or the status code, what it means here, and the error
   type and reason of an Elasticsearch or Kafka Connect error body; or the JSON error). */
json_t *http_json(void *session, const char *method, const char *path, const char *json_body, double deadline,
                  char *err, size_t n);

/* One of several requests at once (http_json_all): method, path and json_body as for
   http_json; after: -1, or the index of an earlier call that must be done before this one is
   sent (a search wakes a search-idle shard: it waits for the _stats that reports it). Out:
   json (the 2xx's parsed body, the caller's to free) or NULL with the reason in err, the
   same text http_json gives; a call abandoned (see below) has neither. */
struct http_call {
	const char *method, *path, *json_body;
	int after;
	json_t *json;
	char err[512];
};

/* The calls at once (curl multi: a connection each when none is idle, kept alive for the next
   poll), each bounded by the deadline. Returns as soon as the outcome is what the calls made
   one after another in order would give: the index of the first call in order that failed,
   once it and every call before it are done (the calls still running are abandoned), or n
   when all succeeded. */
size_t http_json_all(void *session, struct http_call *calls, size_t n, double deadline);

/* A path segment, percent-encoded (RFC 3986 unreserved characters and ',' '*' kept: index
   lists and patterns stay readable). Free with free(). */
char *http_escape_segment(const char *s);

#endif
