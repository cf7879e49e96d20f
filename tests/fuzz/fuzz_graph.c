/* fuzz_graph.c: fuzz target for what the graph stage reads from Neo4j's Query API answers
   (src/kinds/graph/parse.c) and the error bodies the HTTP layer reads (Neo4j's errors list). */
#include <jansson.h>

#include "backend/http_error.h"
#include "fuzz.h"
#include "kinds/graph/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char why[256], tiny[8];
	if (http_error_reason(s, why, sizeof why))
		FUZZ_CHECK(strlen(why) < sizeof why, "reason overflow");
	http_error_reason(s, tiny, sizeof tiny);
	char *body = graph_request_body(s);
	if (body) { /* NULL only for text that is not UTF-8, which jansson refuses */
		json_t *back = json_loads(body, 0, NULL);
		FUZZ_CHECK(back && !strcmp(json_string_value(json_object_get(back, "statement")), s),
		           "the request body does not carry the statement back");
		json_decref(back);
		free(body);
	}
	free(s);

	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!j)
		return 0;
	double v = 0;
	int r = graph_answer_number(j, &v, why, sizeof why);
	FUZZ_CHECK(r >= -1 && r <= 1, "an answer that is neither a number, nothing nor an error");
	if (r < 0)
		FUZZ_CHECK(strlen(why) > 0 && strlen(why) < sizeof why, "an error without a reason");
	graph_answer_number(j, &v, tiny, sizeof tiny);
	json_decref(j);
	return 0;
}
