/* test_parse.c: the INFO parser on Redis 6 and 7 texts, CRLF and LF, unknown fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kinds/cache/parse.h"

static const char *field(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The shape of Redis 6.2 INFO: CRLF, sections, a Keyspace with two dbs. */
static const char *const INFO6 = "# Server\r\nredis_version:6.2.14\r\nprocess_id:42\r\n\r\n"
                                 "# Memory\r\nused_memory:20963704\r\nused_memory_human:19.99M\r\n"
                                 "maxmemory:20971520\r\nmaxmemory_policy:allkeys-lru\r\n"
                                 "mem_fragmentation_ratio:1.07\r\n\r\n"
                                 "# Stats\r\nexpired_keys:3\r\nevicted_keys:45123\r\nkeyspace_hits:900\r\n"
                                 "keyspace_misses:100\r\nrejected_connections:0\r\n"
                                 "some_future_field:with:colons\r\n\r\n"
                                 "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n\r\n"
                                 "# Keyspace\r\ndb0:keys=14343,expires=14343,avg_ttl=3599000\r\n"
                                 "db3:keys=7,expires=0,avg_ttl=0\r\n";

static void test_redis6_crlf(void **state)
{
	json_t *o = redis_info_parse(INFO6);
	assert_string_equal(field(o, "used_memory"), "20963704");
	assert_string_equal(field(o, "maxmemory"), "20971520");
	assert_string_equal(field(o, "maxmemory_policy"), "allkeys-lru");
	assert_string_equal(field(o, "evicted_keys"), "45123");
	assert_string_equal(field(o, "role"), "master");
	/* an unknown field, its value holding colons: kept whole */
	assert_string_equal(field(o, "some_future_field"), "with:colons");
	/* keyspace summed over the dbs */
	assert_int_equal(json_integer_value(json_object_get(o, "keys")), 14350);
	assert_int_equal(json_integer_value(json_object_get(o, "expires")), 14343);
	/* section headers and blank lines are not fields */
	assert_null(json_object_get(o, "# Server"));
	assert_null(json_object_get(o, ""));
	json_decref(o);
}

static void test_redis7_lf_and_replica(void **state)
{
	json_t *o = redis_info_parse("# Memory\nused_memory:1024\nmaxmemory:0\nmaxmemory_policy:noeviction\n"
	                             "# Replication\nrole:slave\nmaster_link_status:down\n# Keyspace\n");
	assert_string_equal(field(o, "maxmemory"), "0");
	assert_string_equal(field(o, "master_link_status"), "down");
	assert_int_equal(json_integer_value(json_object_get(o, "keys")), 0);
	json_decref(o);
}

static void test_edge_cases(void **state)
{
	/* empty, no trailing newline, a line without a colon, a bare CR */
	json_t *o = redis_info_parse("");
	assert_int_equal(json_integer_value(json_object_get(o, "keys")), 0);
	json_decref(o);
	o = redis_info_parse("garbage line\r\n:novalue\r\nrole:master\rused_memory:5");
	assert_string_equal(field(o, "role"), "master");
	assert_string_equal(field(o, "used_memory"), "5");
	assert_null(json_object_get(o, "garbage line"));
	json_decref(o);
}

/* Found by tests/fuzz/fuzz_redis_info.c: the keyspace sums overflowed (undefined, negative). */
static void test_keyspace_saturates(void **state)
{
	(void)state;
	json_t *o = redis_info_parse("db0:keys=9223372036854775807,expires=9223372036854775807\r\n"
	                             "db1:keys=192,expires=1\r\n");
	assert_int_equal(json_integer_value(json_object_get(o, "keys")), INT64_MAX);
	assert_int_equal(json_integer_value(json_object_get(o, "expires")), INT64_MAX);
	json_decref(o);
}

/* The recorded outputs in tests/unit/kinds/cache/fixtures/: exact figures. */
static json_t *fixture(const char *name)
{
	const char *top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/unit/kinds/cache/fixtures/%s", top, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s", path);
	char *buf = calloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\r\n")); /* recorded with CRLF, as Redis sends it */
	json_t *o = redis_info_parse(buf);
	free(buf);
	return o;
}

static void test_recorded_redis7(void **state)
{
	json_t *o = fixture("info-7.txt");
	assert_string_equal(field(o, "redis_version"), "7.0.15");
	assert_string_equal(field(o, "used_memory"), "1051448");
	assert_string_equal(field(o, "maxmemory"), "20971520");
	assert_string_equal(field(o, "maxmemory_policy"), "allkeys-lru");
	assert_string_equal(field(o, "keyspace_hits"), "30");
	assert_string_equal(field(o, "keyspace_misses"), "10");
	assert_string_equal(field(o, "mem_fragmentation_ratio"), "12.28");
	assert_int_equal(json_integer_value(json_object_get(o, "keys")), 100);
	assert_int_equal(json_integer_value(json_object_get(o, "expires")), 40);
	json_decref(o);
}

static void test_recorded_redis6(void **state)
{
	json_t *o = fixture("info-6.txt");
	assert_string_equal(field(o, "used_memory"), "94371840");
	assert_string_equal(field(o, "maxmemory"), "104857600");
	assert_string_equal(field(o, "maxmemory_policy"), "volatile-lru");
	assert_string_equal(field(o, "evicted_keys"), "1234");
	assert_string_equal(field(o, "rejected_connections"), "2");
	assert_string_equal(field(o, "synctop_fixture_unknown_field"), "not-a-number");
	assert_null(json_object_get(o, "master_link_status"));
	assert_int_equal(json_integer_value(json_object_get(o, "keys")), 1050);
	assert_int_equal(json_integer_value(json_object_get(o, "expires")), 350);
	json_decref(o);
}

/* A field that does not parse is an error naming it, never a figure (issue 12, case 10). */
static void test_count_and_ratio(void **state)
{
	json_t *o =
	    redis_info_parse("used_memory:notanumber\r\nmaxmemory:-5\r\nevicted_keys:12\r\n"
	                     "expired_keys:1e300\r\nkeyspace_hits:99999999999999999999\r\n"
	                     "keyspace_misses:\r\nconnected_clients: 3\r\nrejected_connections:1.5\r\n"
	                     "mem_fragmentation_ratio:1.07\r\nfrag_nan:nan\r\nfrag_neg:-1\r\n"
	                     "bad_utf8:a\xff\x1b[2Jb\r\n");
	char err[200] = "";
	int64_t v = -1;
	double d = -1;
	assert_int_equal(redis_info_count(o, "evicted_keys", &v, err, sizeof err), 1);
	assert_int_equal(v, 12);
	assert_int_equal(redis_info_count(o, "no_such_field", &v, err, sizeof err), 0);
	assert_int_equal(redis_info_count(o, "used_memory", &v, err, sizeof err), -1);
	assert_string_equal(err, "INFO field used_memory is 'notanumber', not a number");
	assert_int_equal(redis_info_count(o, "maxmemory", &v, err, sizeof err), -1);
	assert_string_equal(err, "INFO field maxmemory is '-5', not a count (a whole number from 0)");
	assert_int_equal(redis_info_count(o, "expired_keys", &v, err, sizeof err), -1);
	assert_string_equal(err, "INFO field expired_keys is '1e300', not a count (a whole number from 0)");
	assert_int_equal(redis_info_count(o, "keyspace_hits", &v, err, sizeof err), -1);
	assert_string_equal(err, "INFO field keyspace_hits is '99999999999999999999', not a count (a whole "
	                         "number from 0)");
	assert_int_equal(redis_info_count(o, "keyspace_misses", &v, err, sizeof err), -1);
	assert_string_equal(err, "INFO field keyspace_misses is '', not a number");
	assert_int_equal(redis_info_count(o, "connected_clients", &v, err, sizeof err), -1);
	assert_string_equal(err, "INFO field connected_clients is ' 3', not a number");
	assert_int_equal(redis_info_count(o, "rejected_connections", &v, err, sizeof err), -1);
	assert_string_equal(err,
	                    "INFO field rejected_connections is '1.5', not a count (a whole number from 0)");
	assert_int_equal(redis_info_ratio(o, "mem_fragmentation_ratio", &d, err, sizeof err), 1);
	assert_true(d == 1.07);
	assert_int_equal(redis_info_ratio(o, "frag_nan", &d, err, sizeof err), -1);
	assert_string_equal(err, "INFO field frag_nan is 'nan', not a ratio (a finite number from 0)");
	assert_int_equal(redis_info_ratio(o, "frag_neg", &d, err, sizeof err), -1);
	assert_string_equal(err, "INFO field frag_neg is '-1', not a ratio (a finite number from 0)");
	/* a value with invalid UTF-8 and an escape sequence is kept, cleaned (issue 12, cases 8, 9) */
	assert_string_equal(field(o, "bad_utf8"), "a\xEF\xBF\xBD\\x1B[2Jb");
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_redis6_crlf),        cmocka_unit_test(test_redis7_lf_and_replica),
	    cmocka_unit_test(test_edge_cases),         cmocka_unit_test(test_recorded_redis7),
	    cmocka_unit_test(test_recorded_redis6),    cmocka_unit_test(test_count_and_ratio),
	    cmocka_unit_test(test_keyspace_saturates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
