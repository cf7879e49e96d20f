/* test_scope.c: the replay scopes: each form parsed to its exact parts, and each mistake named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kinds/outbox/scope.h"

static void test_failed(void **state)
{
	(void)state;
	struct outbox_scope sc;
	char why[256];
	assert_true(outbox_scope_parse("failed", &sc, why, sizeof why));
	assert_int_equal(sc.kind, SCOPE_FAILED);
	assert_string_equal(sc.type, "");
	assert_string_equal(why, "");
	assert_true(outbox_scope_parse("failed,type:product.updated", &sc, why, sizeof why));
	assert_int_equal(sc.kind, SCOPE_FAILED);
	assert_string_equal(sc.type, "product.updated");
	/* everything after type: is the type, commas included */
	assert_true(outbox_scope_parse("failed,type:a,b", &sc, why, sizeof why));
	assert_string_equal(sc.type, "a,b");
}

static void test_ids(void **state)
{
	(void)state;
	struct outbox_scope sc;
	char why[256];
	assert_true(outbox_scope_parse("ids:101-230", &sc, why, sizeof why));
	assert_int_equal(sc.kind, SCOPE_IDS);
	assert_int_equal(sc.id_from, 101);
	assert_int_equal(sc.id_to, 230);
	assert_true(outbox_scope_parse("ids:7", &sc, why, sizeof why));
	assert_int_equal(sc.id_from, 7);
	assert_int_equal(sc.id_to, 7);
	assert_true(outbox_scope_parse("ids:0-999999999999999999,type:x", &sc, why, sizeof why));
	assert_int_equal(sc.id_to, 999999999999999999LL);
	assert_string_equal(sc.type, "x");

	assert_false(outbox_scope_parse("ids:230-101", &sc, why, sizeof why));
	assert_string_equal(why, "ids: FROM (230) is above TO (101)");
	assert_false(outbox_scope_parse("ids:a-b", &sc, why, sizeof why));
	assert_string_equal(why,
	                    "ids: \"a-b\" is not FROM-TO, two whole numbers (ids:101-230) or one (ids:101)");
	assert_false(outbox_scope_parse("ids:", &sc, why, sizeof why));
	assert_string_equal(why,
	                    "ids: \"\" is not FROM-TO, two whole numbers (ids:101-230) or one (ids:101)");
	assert_false(outbox_scope_parse("ids:1-", &sc, why, sizeof why));
	assert_false(outbox_scope_parse("ids:-5", &sc, why, sizeof why));
	assert_false(outbox_scope_parse("ids:1-2-3", &sc, why, sizeof why));
	assert_false(outbox_scope_parse("ids:1 -2", &sc, why, sizeof why));
	assert_false(outbox_scope_parse("ids:1-9999999999999999999", &sc, why, sizeof why)); /* 19 digits */
}

static void test_created(void **state)
{
	(void)state;
	struct outbox_scope sc;
	char why[256];
	assert_true(outbox_scope_parse("created:15m..", &sc, why, sizeof why));
	assert_int_equal(sc.kind, SCOPE_CREATED);
	assert_int_equal(sc.from.kind, END_AGO);
	assert_true(sc.from.ago_s == 900.0);
	assert_int_equal(sc.to.kind, END_OPEN);

	assert_true(outbox_scope_parse("created:2h..1h30m,type:product.deleted", &sc, why, sizeof why));
	assert_true(sc.from.ago_s == 7200.0);
	assert_int_equal(sc.to.kind, END_AGO);
	assert_true(sc.to.ago_s == 5400.0);
	assert_string_equal(sc.type, "product.deleted");

	assert_true(
	    outbox_scope_parse("created:2026-12-03T10:00:00Z..2026-12-03 10:05", &sc, why, sizeof why));
	assert_int_equal(sc.from.kind, END_AT);
	assert_string_equal(sc.from.at, "2026-12-03T10:00:00Z");
	assert_string_equal(sc.to.at, "2026-12-03T10:05:00Z"); /* no zone: UTC */

	assert_true(outbox_scope_parse("created:..2026-12-03", &sc, why, sizeof why));
	assert_int_equal(sc.from.kind, END_OPEN);
	assert_string_equal(sc.to.at, "2026-12-03T00:00:00Z");

	assert_true(outbox_scope_parse("created:2026-12-03T10:00:00.123456+02:00..", &sc, why, sizeof why));
	assert_string_equal(sc.from.at, "2026-12-03T10:00:00.123456+02:00");
	assert_true(outbox_scope_parse("created:2026-12-03t10:00-0530..", &sc, why, sizeof why));
	assert_string_equal(sc.from.at, "2026-12-03T10:00:00-05:30");

	assert_false(outbox_scope_parse("created:..", &sc, why, sizeof why));
	assert_string_equal(why, "created: both ends are open: give FROM, TO or both (created:15m..)");
	assert_false(outbox_scope_parse("created:15m", &sc, why, sizeof why));
	assert_string_equal(
	    why, "created: \"15m\" has no \"..\" between FROM and TO (created:15m.., created:FROM..TO)");
	assert_false(outbox_scope_parse("created:5m..1h", &sc, why, sizeof why));
	assert_string_equal(why, "created: FROM (5m ago) is not before TO (1h ago)");
	assert_false(
	    outbox_scope_parse("created:2026-12-03T11:00Z..2026-12-03T10:00Z", &sc, why, sizeof why));
	assert_string_equal(why,
	                    "created: FROM (2026-12-03T11:00:00Z) is not before TO (2026-12-03T10:00:00Z)");
	assert_false(outbox_scope_parse("created:yesterday..", &sc, why, sizeof why));
	assert_string_equal(why,
	                    "created: FROM \"yesterday\" is neither an ISO 8601 time nor a duration back "
	                    "from now (15m, 2h, 1d)");
	assert_false(outbox_scope_parse("created:2026-13-03..", &sc, why, sizeof why));
	assert_string_equal(why,
	                    "created: FROM \"2026-13-03\" is not an ISO 8601 time (2026-12-03T10:00:00Z, "
	                    "2026-12-03 10:00+02:00, 2026-12-03)");
	assert_false(outbox_scope_parse("created:..2026-12-03T25:00", &sc, why, sizeof why));
	assert_string_equal(why,
	                    "created: TO \"2026-12-03T25:00\" is not an ISO 8601 time (2026-12-03T10:00:00Z, "
	                    "2026-12-03 10:00+02:00, 2026-12-03)");
	assert_false(outbox_scope_parse("created:-5m..", &sc, why, sizeof why));
}

static void test_iso8601(void **state)
{
	(void)state;
	char out[48];
	assert_true(scope_iso8601("2026-02-28T23:59:60Z", out, sizeof out)); /* a leap second */
	assert_string_equal(out, "2026-02-28T23:59:60Z");
	assert_false(scope_iso8601("2026-12-03+02:00", out, sizeof out)); /* a zone on a bare date */
	assert_false(scope_iso8601("2026-12-03T10", out, sizeof out));
	assert_false(scope_iso8601("2026-12-03T10:00:00.", out, sizeof out));
	assert_false(scope_iso8601("2026-12-03T10:00:00.1234567890", out, sizeof out));
	assert_false(scope_iso8601("2026-12-03T10:00+15:00", out, sizeof out));
	assert_false(scope_iso8601("2026-12-03T10:00Zjunk", out, sizeof out));
	assert_false(scope_iso8601("26-12-03", out, sizeof out));
	assert_false(scope_iso8601("2026-12-03T10:00:00Z", out, 20)); /* no room */
}

static void test_mistakes(void **state)
{
	(void)state;
	struct outbox_scope sc;
	char why[256];
	assert_false(outbox_scope_parse("", &sc, why, sizeof why));
	assert_string_equal(why, "replay needs a scope: failed, ids:FROM-TO or created:FROM..TO, optionally "
	                         "followed by ,type:EVENT_TYPE");
	assert_false(outbox_scope_parse(NULL, &sc, why, sizeof why));
	assert_false(outbox_scope_parse("all", &sc, why, sizeof why));
	assert_string_equal(why, "unknown scope \"all\": expected failed, ids:FROM-TO or created:FROM..TO, "
	                         "optionally followed by ,type:EVENT_TYPE");
	assert_false(outbox_scope_parse("Failed", &sc, why, sizeof why));
	assert_false(outbox_scope_parse("failed,kind:x", &sc, why, sizeof why));
	assert_string_equal(why, "after the comma: \"kind:x\" is not type:EVENT_TYPE");
	assert_false(outbox_scope_parse("failed,type:", &sc, why, sizeof why));
	assert_string_equal(why, "type: the event type is empty");
	assert_false(outbox_scope_parse("failed,type:a\tb", &sc, why, sizeof why));
	assert_string_equal(why, "the scope holds a control character");
	char long_type[200];
	memset(long_type, 'x', sizeof long_type);
	memcpy(long_type, "failed,type:", 12);
	long_type[sizeof long_type - 1] = '\0';
	assert_false(outbox_scope_parse(long_type, &sc, why, sizeof why));
	assert_string_equal(why, "type: the event type is too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_failed),  cmocka_unit_test(test_ids),      cmocka_unit_test(test_created),
	    cmocka_unit_test(test_iso8601), cmocka_unit_test(test_mistakes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
