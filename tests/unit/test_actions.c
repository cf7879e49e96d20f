/* test_actions.c: the action table: names, keys, the kinds that offer each, the screen's rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "actions.h"
#include "kinds/kind.h"
#include "ui/keys.h"

static void test_names(void **state)
{
	assert_int_equal(ACTION_COUNT, 8);
	assert_int_equal(action_by_name("replay"), ACTION_REPLAY);
	assert_int_equal(action_by_name("restore-refresh"), ACTION_RESTORE_REFRESH);
	assert_int_equal(action_by_name("restart"), ACTION_RESTART);
	assert_int_equal(action_by_name("Replay"), ACTION_NONE);
	assert_int_equal(action_by_name(""), ACTION_NONE);
	assert_int_equal(action_by_name(NULL), ACTION_NONE);
	assert_null(action_json_name(ACTION_NONE));
	assert_null(action_audit_name(ACTION_NONE));
	assert_null(action_json_name(ACTION_COUNT));
	assert_string_equal(action_json_name(ACTION_STOP), "stop");
	assert_string_equal(action_audit_name(ACTION_PAUSE), "pause");
	/* Every action's names go both ways and are unique. */
	const char *all[] = {NULL,    "replay", "refresh", "restore-refresh",
	                     "pause", "resume", "stop",    "restart"};
	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		assert_int_equal(action_defs[a].id, a);
		assert_string_equal(action_json_name((enum action)a), all[a]);
		assert_string_equal(action_audit_name((enum action)a), all[a]);
		assert_int_equal(action_by_name(all[a]), a);
		assert_non_null(action_defs[a].help);
	}
}

/* Which kind offers what, per DESIGN.md "Actions". */
static void test_kinds_offer(void **state)
{
	char got[256] = "";
	for (const struct kind *const *k = kinds; *k; k++) {
		snappendf(got, sizeof got, "%s:", (*k)->name);
		for (int a = ACTION_NONE; a < ACTION_COUNT; a++)
			if (kind_offers(*k, (enum action)a))
				snappendf(got, sizeof got, " %s", action_json_name((enum action)a));
		snappendf(got, sizeof got, ";");
	}
	assert_string_equal(
	    got, "outbox: replay pause resume;slot:;kafka:;"
	         "connector: pause resume stop restart;search: refresh restore-refresh;cache: pause resume;"
	         "document:;graph:;timeseries:;worker: pause resume;");
	assert_false(kind_offers(kinds[0], ACTION_NONE));
	assert_false(kind_offers(kinds[0], ACTION_COUNT));
}

/* The screen's action rows are the table's keyed actions, in its order, with its help lines. */
static void test_key_rows(void **state)
{
	char got[512] = "";
	for (const struct ui_key *k = ui_keys; k->label; k++) {
		enum action a = ui_key_write(k);
		if (k->action != ACT_ACTION) {
			assert_int_equal(a, ACTION_NONE);
			continue;
		}
		assert_int_equal(k->codes[0], action_defs[a].key);
		assert_string_equal(k->label, action_defs[a].label);
		snappendf(got, sizeof got, "%s=%s|%s\n", k->label, action_json_name(a), k->help);
	}
	assert_string_equal(got, "R=replay|replay outbox rows\n"
	                         "F=refresh|force an index refresh\n"
	                         "I=restore-refresh|restore the index's default refresh interval\n"
	                         "p=pause|pause the worker\n"
	                         "u=resume|resume the worker\n"
	                         "T=restart|restart failed connector tasks\n");
	const struct ui_key *k;
	assert_int_equal(ui_key_lookup('T', VIEW_DETAIL, &k), ACT_ACTION);
	assert_int_equal(ui_key_write(k), ACTION_RESTART);
	assert_int_equal(ui_key_lookup('I', VIEW_DETAIL, &k), ACT_ACTION);
	assert_int_equal(ui_key_write(k), ACTION_RESTORE_REFRESH);
	/* The unkeyed action (stop) has no row. */
	for (const struct ui_key *r = ui_keys; r->label; r++)
		assert_true(ui_key_write(r) != ACTION_STOP);
	assert_int_equal(ui_key_write(NULL), ACTION_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_kinds_offer),
	    cmocka_unit_test(test_key_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
