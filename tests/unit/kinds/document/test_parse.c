/* test_parse.c: the document stage's MongoDB commands, as the drivers' specifications build
   them, and its reading of the answers (canonical extended JSON, as libbson writes a reply:
   bson_as_canonical_extended_json) and of each rule of the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kinds/document/document.h"

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return j;
}

/* cmd as compact JSON, keys in the order they were made (a command's name comes first). */
static void assert_command(json_t *cmd, const char *want)
{
	char *got = json_dumps(cmd, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(got, want);
	free(got);
	json_decref(cmd);
}

static void test_commands(void **state)
{
	(void)state;
	assert_command(document_count_command("products", false, NULL), "{\"count\":\"products\"}");
	assert_command(
	    document_count_command("products", true, NULL),
	    "{\"aggregate\":\"products\",\"pipeline\":[{\"$match\":{}},{\"$group\":{\"_id\":1,\"n\":{"
	    "\"$sum\":1}}}],\"cursor\":{}}");
	json_t *f = parse("{\"deleted\": false}");
	assert_command(
	    document_count_command("products", true, f),
	    "{\"aggregate\":\"products\",\"pipeline\":[{\"$match\":{\"deleted\":false}},{\"$group\":{"
	    "\"_id\":1,\"n\":{\"$sum\":1}}}],\"cursor\":{}}");
	assert_command(document_newest_command("products", "updated_at", f),
	               "{\"find\":\"products\",\"filter\":{\"deleted\":false},\"sort\":{\"updated_at\":-1},"
	               "\"projection\":{\"updated_at\":1,\"_id\":0},\"limit\":1}");
	assert_int_equal(f->refcount, 1); /* copied, not taken */
	json_decref(f);
	assert_command(document_exists_command("products"),
	               "{\"listCollections\":1,\"filter\":{\"name\":\"products\"},\"nameOnly\":true}");
}

static int64_t count_of(const char *answer, bool exact, bool want_ok, const char *want_why)
{
	json_t *a = parse(answer);
	int64_t n = -1;
	char why[200] = "";
	bool ok = document_answer_count(a, exact, &n, why, sizeof why);
	json_decref(a);
	assert_int_equal(ok, want_ok);
	if (!want_ok)
		assert_string_equal(why, want_why);
	return n;
}

static void test_count(void **state)
{
	(void)state;
	/* The count command: n as the width the server chose. */
	assert_int_equal(count_of("{\"n\": {\"$numberInt\": \"1207\"}, \"ok\": {\"$numberDouble\": \"1.0\"}}",
	                          false, true, NULL),
	                 1207);
	assert_int_equal(count_of("{\"n\": {\"$numberLong\": \"5000000000\"}, \"ok\": 1}", false, true, NULL),
	                 5000000000LL);
	assert_int_equal(count_of("{\"n\": {\"$numberDouble\": \"3.0\"}, \"ok\": 1}", false, true, NULL), 3);
	count_of("{\"ok\": 1}", false, false, "the answer's n is missing");
	count_of("{\"n\": {\"$numberInt\": \"-1\"}}", false, false, "the answer's n is not a count");
	count_of("{\"n\": {\"$numberDouble\": \"2.5\"}}", false, false, "the answer's n is not a count");
	count_of("{\"n\": \"12\"}", false, false, "the answer's n is not a count");
	count_of("{\"n\": {\"$numberInt\": \"12x\"}}", false, false, "the answer's n is not a count");
	/* The aggregate: one group, or none when nothing matched. */
	assert_int_equal(count_of("{\"cursor\": {\"firstBatch\": [{\"_id\": {\"$numberInt\": \"1\"}, \"n\": "
	                          "{\"$numberInt\": \"42\"}}], \"id\": {\"$numberLong\": \"0\"}, \"ns\": "
	                          "\"shop.products\"}, \"ok\": {\"$numberDouble\": \"1.0\"}}",
	                          true, true, NULL),
	                 42);
	assert_int_equal(
	    count_of("{\"cursor\": {\"firstBatch\": [], \"id\": {\"$numberLong\": \"0\"}}, \"ok\": 1}", true,
	             true, NULL),
	    0);
	count_of("{\"ok\": 1}", true, false, "the answer has no cursor.firstBatch");
	count_of("{\"cursor\": {\"firstBatch\": [{\"_id\": 1}]}}", true, false,
	         "the answer's cursor.firstBatch[0].n is missing");
}

static int newest_of(const char *answer, const char *field, double *epoch, const char *want_why)
{
	json_t *a = parse(answer);
	char why[200] = "";
	int r = document_answer_newest(a, field, epoch, why, sizeof why);
	json_decref(a);
	if (want_why)
		assert_string_equal(why, want_why);
	return r;
}

static void test_newest(void **state)
{
	(void)state;
	double e = 0;
	/* 2026-12-04T10:00:00.250Z */
	assert_int_equal(
	    newest_of("{\"cursor\": {\"firstBatch\": [{\"updated_at\": {\"$date\": {\"$numberLong\": "
	              "\"1796378400250\"}}}]}, \"ok\": 1}",
	              "updated_at", &e, NULL),
	    1);
	assert_float_equal(e, 1796378400.25, 1e-6);
	assert_int_equal(
	    newest_of("{\"cursor\": {\"firstBatch\": [{\"ts\": {\"$numberLong\": \"1796378400\"}}]}}", "ts",
	              &e, NULL),
	    1);
	assert_float_equal(e, 1796378400, 1e-6);
	assert_int_equal(
	    newest_of("{\"cursor\": {\"firstBatch\": [{\"ts\": {\"$timestamp\": {\"t\": 1796378401, "
	              "\"i\": 3}}}]}}",
	              "ts", &e, NULL),
	    1);
	assert_float_equal(e, 1796378401, 1e-6);
	/* A dotted path reaches into the subdocument the projection kept. */
	assert_int_equal(
	    newest_of("{\"cursor\": {\"firstBatch\": [{\"meta\": {\"at\": {\"$date\": {\"$numberLong\": "
	              "\"1000\"}}}}]}}",
	              "meta.at", &e, NULL),
	    1);
	assert_float_equal(e, 1.0, 1e-9);
	/* Nothing to say: an empty collection, a first document without it, a null. */
	assert_int_equal(newest_of("{\"cursor\": {\"firstBatch\": []}}", "updated_at", &e, NULL), 0);
	assert_int_equal(newest_of("{\"cursor\": {\"firstBatch\": [{}]}}", "updated_at", &e, NULL), 0);
	assert_int_equal(
	    newest_of("{\"cursor\": {\"firstBatch\": [{\"updated_at\": null}]}}", "updated_at", &e, NULL), 0);
	/* Values of another type, named. */
	assert_int_equal(newest_of("{\"cursor\": {\"firstBatch\": [{\"updated_at\": \"2026-12-04\"}]}}",
	                           "updated_at", &e,
	                           "updated_at holds a string, not a date or a number of seconds"),
	                 -1);
	assert_int_equal(
	    newest_of("{\"cursor\": {\"firstBatch\": [{\"u\": {\"$oid\": \"5f1d7f3e9d1b2c3d4e5f6a7b\"}}]}}",
	              "u", &e, "u holds $oid, not a date or a number of seconds"),
	    -1);
	assert_int_equal(newest_of("{\"cursor\": {\"firstBatch\": [{\"u\": {}}]}}", "u", &e,
	                           "u holds a document, not a date or a "
	                           "number of seconds"),
	                 -1);
	assert_int_equal(newest_of("{\"cursor\": {\"firstBatch\": [{\"u\": true}]}}", "u", &e,
	                           "u holds a boolean, not a date or a number of seconds"),
	                 -1);
	assert_int_equal(newest_of("{\"cursor\": {\"firstBatch\": [7]}}", "u", &e,
	                           "the answer's document is not a document"),
	                 -1);
	assert_int_equal(newest_of("{\"ok\": 1}", "u", &e, "the answer has no cursor.firstBatch"), -1);
}

static void test_exists(void **state)
{
	(void)state;
	char why[100] = "";
	json_t *a =
	    parse("{\"cursor\": {\"id\": {\"$numberLong\": \"0\"}, \"ns\": \"shop.$cmd.listCollections\", "
	          "\"firstBatch\": [{\"name\": \"products\", \"type\": \"collection\"}]}, \"ok\": 1}");
	assert_int_equal(document_answer_exists(a, why, sizeof why), 1);
	json_decref(a);
	a = parse("{\"cursor\": {\"firstBatch\": []}, \"ok\": 1}");
	assert_int_equal(document_answer_exists(a, why, sizeof why), 0);
	json_decref(a);
	a = parse("{\"ok\": 1}");
	assert_int_equal(document_answer_exists(a, why, sizeof why), -1);
	assert_string_equal(why, "the answer has no cursor.firstBatch");
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commands),
	    cmocka_unit_test(test_count),
	    cmocka_unit_test(test_newest),
	    cmocka_unit_test(test_exists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
