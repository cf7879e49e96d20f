/* test_act.c: the cache stage's pause and resume: when each is offered, and the figures of a pause. */
/* needs: redis */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../fixture.h"
#include "kinds/act.h"
#include "kinds/kind.h"

static const char *const INI = "[redis sessions]\nurl = redis://cache.internal:6379/0\n"
                               "[pipeline web]\ncache = sessions\ncache.pause_key = relay:paused\n";

#define CACHE(f) (&(f)->snap.pipes[0].stages[0])
#define STAGE(f) (&(f)->cfg->pipelines[0].stages[0])

#define MEM(flag)                                                                                            \
	"{\"used_memory\": 838860800, \"maxmemory\": 1048576000, \"used_ratio\": 0.8,"                       \
	" \"maxmemory_policy\": \"volatile-lru\", \"keys\": 1000, \"expires\": 1000, " flag "}"

/* Whether action a is offered on the fixture's cache stage, with why not in why. */
static bool offered(struct fx *f, const struct sample *cur, enum action a, char *why, size_t n)
{
	return stage_action_offered(STAGE(f), cur, a, why, n);
}

static void test_offered(void **state)
{
	(void)state;
	struct fx *f = fixture_open(INI);
	char why[256];
	/* No sample yet: both, the preview reads the key. */
	assert_true(offered(f, NULL, ACTION_PAUSE, why, sizeof why));
	assert_true(offered(f, NULL, ACTION_RESUME, why, sizeof why));
	/* Not paused: pause only. */
	fixture_sample(CACHE(f), MEM("\"paused\": false"), NULL, 0);
	assert_true(offered(f, &CACHE(f)->cur, ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "");
	assert_false(offered(f, &CACHE(f)->cur, ACTION_RESUME, why, sizeof why));
	assert_string_equal(why, "not paused (no key relay:paused)");
	/* Paused: resume only. */
	fixture_sample(CACHE(f), MEM("\"paused\": true, \"paused_for_s\": 60"), NULL, 0);
	assert_false(offered(f, &CACHE(f)->cur, ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "already paused (key relay:paused is set)");
	assert_true(offered(f, &CACHE(f)->cur, ACTION_RESUME, why, sizeof why));
	/* The flag could not be read: not decided here; the preview reads it again. */
	fixture_sample(CACHE(f), MEM("\"paused\": null"), NULL, 0);
	assert_true(offered(f, &CACHE(f)->cur, ACTION_PAUSE, why, sizeof why));
	assert_true(offered(f, &CACHE(f)->cur, ACTION_RESUME, why, sizeof why));
	/* The other actions are not the cache stage's. */
	assert_false(offered(f, &CACHE(f)->cur, ACTION_REPLAY, why, sizeof why));
	assert_string_equal(why, "the cache stage has no replay action");
	assert_non_null(stage_action(STAGE(f), ACTION_PAUSE));
	assert_non_null(stage_action(STAGE(f), ACTION_PAUSE)->does);
	assert_null(stage_action(STAGE(f), ACTION_RESTART));
	/* Neither takes a scope. */
	assert_true(stage_action_scope_ok(STAGE(f), ACTION_PAUSE, "", why, sizeof why));
	assert_false(stage_action_scope_ok(STAGE(f), ACTION_RESUME, "failed", why, sizeof why));
	assert_string_equal(why, "resume takes no --scope");
	fixture_close(f);
}

/* Without cache.pause_key, neither is offered, whatever the sample. */
static void test_offered_needs_key(void **state)
{
	(void)state;
	struct fx *f = fixture_open("[redis sessions]\nurl = redis://cache.internal:6379/0\n"
	                            "[pipeline web]\ncache = sessions\n");
	char why[256];
	assert_false(offered(f, NULL, ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "no cache.pause_key");
	fixture_sample(CACHE(f), MEM("\"paused\": true"), NULL, 0);
	assert_false(offered(f, &CACHE(f)->cur, ACTION_RESUME, why, sizeof why));
	assert_string_equal(why, "no cache.pause_key");
	fixture_close(f);
}

/* A key with a blank is quoted where it is shown, as redis-cli writes it. */
static void test_offered_quotes_key(void **state)
{
	(void)state;
	struct fx *f =
	    fixture_open("[redis sessions]\nurl = redis://cache.internal:6379/0\n"
	                 "[pipeline web]\ncache = sessions\ncache.pause_key = relay \"a\" paused\n");
	char why[256];
	fixture_sample(CACHE(f), MEM("\"paused\": true"), NULL, 0);
	assert_false(offered(f, &CACHE(f)->cur, ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "already paused (key \"relay \\\"a\\\" paused\" is set)");
	fixture_close(f);
}

static void test_figures(void **state)
{
	(void)state;
	struct fx *f = fixture_open(INI);
	char buf[256];
	fixture_sample(CACHE(f), MEM("\"paused\": true, \"paused_for_s\": 2820"), NULL, 0);
	STAGE(f)->kind->figures(CACHE(f), buf, sizeof buf);
	assert_string_equal(buf, "paused 47m00s, mem 800 MiB of 1000 MiB (80%), volatile-lru, 1,000 keys");
	fixture_sample(CACHE(f), MEM("\"paused\": false"), NULL, 0);
	STAGE(f)->kind->figures(CACHE(f), buf, sizeof buf);
	assert_string_equal(buf, "mem 800 MiB of 1000 MiB (80%), volatile-lru, 1,000 keys");
	fixture_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offered),
	    cmocka_unit_test(test_offered_needs_key),
	    cmocka_unit_test(test_offered_quotes_key),
	    cmocka_unit_test(test_figures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
