/* parse.c: the Neo4j Query API's request and answer bodies as the graph stage writes and reads
   them (POST /db/{database}/query/v2: https://neo4j.com/docs/query-api/current/query/). Pure. */
#include <stdio.h>
#include <string.h>

#include "kinds/graph/graph.h"

char *graph_request_body(const char *cypher)
{
	json_t *j = json_pack("{s:s}", "statement", cypher);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

int graph_answer_number(const json_t *answer, double *v, char *why, size_t n)
{
	const json_t *errors = json_object_get(answer, "errors");
	if (json_array_size(errors) > 0) {
		const json_t *e = json_array_get(errors, 0);
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		code = code && *code ? code : NULL; /* an empty one says nothing */
		msg = msg && *msg ? msg : NULL;
		snprintf(why, n, "%s%s%s", code ? code : "", code && msg ? ": " : "",
		         msg    ? msg
		         : code ? ""
		                : "an error without a code or message");
		return -1;
	}
	const json_t *data = json_object_get(answer, "data");
	const json_t *values = json_object_get(data, "values");
	if (!json_is_object(data) || !json_is_array(values)) {
		snprintf(why, n, "the answer has no data.values");
		return -1;
	}
	const json_t *row = json_array_get(values, 0);
	if (!row)
		return 0;
	const json_t *x = json_array_get(row, 0);
	if (!json_is_array(row) || !x) {
		snprintf(why, n, "the answer's first row holds no value");
		return -1;
	}
	if (json_is_null(x))
		return 0;
	if (!json_is_number(x)) {
		snprintf(why, n, "the statement returned %s, not a number",
		         json_is_string(x)   ? "a string"
		         : json_is_object(x) ? "an object (a node or a map?)"
		                             : "a list");
		return -1;
	}
	*v = json_number_value(x);
	return 1;
}
