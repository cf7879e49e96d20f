/* test_parse.c: the graph stage's Query API bodies: the request it writes, and its reading of
   the answers of the reference (tests/fixtures/neo4j/) and of each rule of the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../json_fixture.h"
#include "backend/http_error.h"
#include "kinds/graph/graph.h"

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return j;
}

static json_t *fixture(const char *name)
{
	return json_fixture("neo4j", name);
}

static int number(json_t *j, double *v, char *why, size_t n)
{
	why[0] = '\0';
	int r = graph_answer_number(j, v, why, n);
	json_decref(j);
	return r;
}

static void test_request_body(void **state)
{
	(void)state;
	char *b = graph_request_body("MATCH (p:Product {name: \"x\"}) RETURN count(p)");
	assert_string_equal(b, "{\"statement\":\"MATCH (p:Product {name: \\\"x\\\"}) RETURN count(p)\"}");
	free(b);
}

static void test_fixtures(void **state)
{
	(void)state;
	double v = -1;
	char why[256];
	assert_int_equal(number(fixture("query-count.json"), &v, why, sizeof why), 1);
	assert_true(v == 1204);
	assert_int_equal(number(fixture("query-empty-max.json"), &v, why, sizeof why), 0);
	assert_int_equal(number(fixture("query-node.json"), &v, why, sizeof why), -1);
	assert_string_equal(why, "the statement returned an object (a node or a map?), not a number");
	assert_int_equal(number(fixture("error-unauthorized.json"), &v, why, sizeof why), -1);
	assert_string_equal(why, "Neo.ClientError.Security.Unauthorized: Invalid username or password.");
	/* The same body behind a 401: what the HTTP layer says of it. */
	char out[256];
	assert_true(http_error_reason("{\"errors\":[{\"code\":\"Neo.ClientError.Security.Unauthorized\","
	                              "\"message\":\"No authentication header supplied.\"}]}",
	                              out, sizeof out));
	assert_string_equal(out, "Neo.ClientError.Security.Unauthorized: No authentication header supplied.");
}

static void test_shapes(void **state)
{
	(void)state;
	double v = -1;
	char why[256];
	assert_int_equal(number(parse("{\"data\":{\"fields\":[],\"values\":[]}}"), &v, why, sizeof why), 0);
	assert_int_equal(number(parse("{\"data\":{\"values\":[[2.5]]}}"), &v, why, sizeof why), 1);
	assert_true(v == 2.5);
	assert_int_equal(number(parse("{\"data\":{}}"), &v, why, sizeof why), -1);
	assert_string_equal(why, "the answer has no data.values");
	assert_int_equal(number(parse("{\"x\":1}"), &v, why, sizeof why), -1);
	assert_string_equal(why, "the answer has no data.values");
	assert_int_equal(number(parse("{\"data\":{\"values\":[[]]}}"), &v, why, sizeof why), -1);
	assert_string_equal(why, "the answer's first row holds no value");
	assert_int_equal(number(parse("{\"data\":{\"values\":[[\"12\"]]}}"), &v, why, sizeof why), -1);
	assert_string_equal(why, "the statement returned a string, not a number");
	assert_int_equal(number(parse("{\"data\":{\"values\":[[[1]]]}}"), &v, why, sizeof why), -1);
	assert_string_equal(why, "the statement returned a list, not a number");
	assert_int_equal(number(parse("{\"errors\":[{\"code\":\"Neo.X\"}]}"), &v, why, sizeof why), -1);
	assert_string_equal(why, "Neo.X");
	assert_int_equal(number(parse("{\"errors\":[{}]}"), &v, why, sizeof why), -1);
	assert_string_equal(why, "an error without a code or message");
	/* Empty strings say nothing either (found by fuzz_graph). */
	assert_int_equal(
	    number(parse("{\"errors\":[{\"message\":\"\",\"code\":\"\"}]}"), &v, why, sizeof why), -1);
	assert_string_equal(why, "an error without a code or message");
	/* An empty errors list is no error. */
	assert_int_equal(number(parse("{\"errors\":[],\"data\":{\"values\":[[3]]}}"), &v, why, sizeof why),
	                 1);
	assert_true(v == 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request_body),
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
