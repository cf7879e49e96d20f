/* test_mongo_reads.c: the MongoDB session sends read commands only (backend/mongo.c): the
   commands the document stage builds pass, every write and an aggregate that writes ($out,
   $merge) are refused before anything is sent, with the reason. */
/* needs: mongoc */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "backend/mongo.h"
#include "kinds/document/document.h"

static bool reads(json_t *cmd, const char *want_why)
{
	char why[200] = "";
	bool r = mongo_command_reads(cmd, why, sizeof why);
	json_decref(cmd);
	if (want_why)
		assert_string_equal(why, want_why);
	return r;
}

static void test_reads(void **state)
{
	(void)state;
	json_t *f = json_pack("{s:b}", "deleted", 0);
	assert_true(reads(document_count_command("products", false, NULL), NULL));
	assert_true(reads(document_count_command("products", true, f), NULL));
	assert_true(reads(document_newest_command("products", "updated_at", f), NULL));
	assert_true(reads(document_exists_command("products"), NULL));
	assert_true(reads(json_pack("{s:i}", "ping", 1), NULL));
	json_decref(f);
}

static void test_writes_refused(void **state)
{
	(void)state;
	assert_false(reads(json_pack("{s:s, s:[{}]}", "insert", "products", "documents"),
	                   "insert is not a read command"));
	assert_false(
	    reads(json_pack("{s:s, s:[]}", "update", "products", "updates"), "update is not a read command"));
	assert_false(
	    reads(json_pack("{s:s, s:[]}", "delete", "products", "deletes"), "delete is not a read command"));
	assert_false(reads(json_pack("{s:s}", "drop", "products"), "drop is not a read command"));
	assert_false(reads(json_pack("{s:s, s:{}}", "findAndModify", "products", "update"),
	                   "findAndModify is not a read command"));
	assert_false(reads(json_pack("{s:s, s:[{s:{}}, {s:s}], s:{}}", "aggregate", "products", "pipeline",
	                             "$match", "$out", "copy", "cursor"),
	                   "an aggregate with $out or $merge writes"));
	assert_false(reads(json_pack("{s:s, s:[{s:{s:s}}], s:{}}", "aggregate", "products", "pipeline",
	                             "$merge", "into", "copy", "cursor"),
	                   "an aggregate with $out or $merge writes"));
	assert_false(reads(json_object(), "an empty command"));
	/* The name is the first key, as the server reads it: a read's name later does not count. */
	assert_false(reads(json_pack("{s:s, s:s}", "delete", "products", "find", "products"),
	                   "delete is not a read command"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reads),
	    cmocka_unit_test(test_writes_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
