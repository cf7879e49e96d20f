/* http_error.c: what an HTTP JSON API (Elasticsearch, OpenSearch, Kafka Connect, Neo4j) says went wrong. */
#include "backend/http_error.h"

#include <jansson.h>
#include <stdio.h>

bool http_error_reason(const char *body, char *out, size_t n)
{
	json_t *j = json_loads(body, 0, NULL);
	if (!j)
		return false;
	bool ok = false;
	json_t *e = json_object_get(j, "error");
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *reason = json_string_value(json_object_get(e, "reason"));
	if (type || reason) {
		snprintf(out, n, "%s%s%s", type ? type : "", type && reason ? ": " : "",
		         reason ? reason : "");
		ok = true;
	} else if (json_is_string(e)) {
		snprintf(out, n, "%s", json_string_value(e));
		ok = true;
	} else if (json_is_string(
	               json_object_get(json_array_get(json_object_get(j, "errors"), 0), "message"))) {
		/* Neo4j: {"errors": [{"code": "Neo.ClientError.Security.Unauthorized", "message": ...}]} */
		const json_t *first = json_array_get(json_object_get(j, "errors"), 0);
		const char *code = json_string_value(json_object_get(first, "code"));
		snprintf(out, n, "%s%s%s", code ? code : "", code ? ": " : "",
		         json_string_value(json_object_get(first, "message")));
		ok = true;
	} else if (json_is_string(json_object_get(j, "message"))) {
		snprintf(out, n, "%s", json_string_value(json_object_get(j, "message")));
		ok = true;
	}
	json_decref(j);
	return ok;
}
