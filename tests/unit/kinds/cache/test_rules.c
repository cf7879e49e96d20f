/* test_rules.c: the cache (Redis) rules on hand-made samples, each a firing case and a near miss. */
/* needs: redis */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "../../fixture.h"
#include "health.h"

/* The defaults: used warn 0.8 / crit 0.95 of maxmemory, evicted warn 1/s / crit 100/s. */
static const char *const INI = "[redis sessions]\nurl = redis://cache.internal:6379/0\n"
                               "[pipeline sessions]\n"
                               "cache = sessions\ncache.key_prefix = session:\n"
                               "cache.pause_key = relay:paused\n";

static int setup(void **state)
{
	*state = fixture_open(INI);
	return 0;
}

static int teardown(void **state)
{
	fixture_close(*state);
	return 0;
}

#define CACHE(f) (&(f)->snap.pipes[0].stages[0])

/* 1000 MiB of maxmemory; the used bytes, ratio and policy spliced in; every key with a TTL. */
#define MEM(used, ratio, policy)                                                                             \
	"{\"used_memory\": " used ", \"maxmemory\": 1048576000, \"used_ratio\": " ratio ","                  \
	" \"maxmemory_policy\": \"" policy "\", \"keys\": 1000, \"expires\": 1000, \"evicted_keys\": 0,"     \
	" \"evicted_per_s\": 0.0}"
#define MIB_800 "838860800"
#define MIB_950 "996147200"

static const struct pipeline_view *eval(struct fx *f, const char *metrics, const char *detail)
{
	fixture_sample(CACHE(f), metrics, NULL, 0);
	if (detail)
		fixture_detail(CACHE(f), detail);
	health_evaluate(&f->snap);
	return &f->snap.pipes[0];
}

/* ---- memory against maxmemory: a status, no diagnosis of its own ---- */

static void test_memory_levels(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, MEM(MIB_800, "0.8", "volatile-lru"), NULL);
	assert_int_equal(CACHE(f)->status, ST_WARN);
	assert_string_equal(CACHE(f)->reason, "memory 80% of maxmemory (800 MiB of 1000 MiB)");
	assert_int_equal(pv->n_diags, 0);
	pv = eval(f, MEM(MIB_950, "0.95", "volatile-lru"), NULL);
	assert_int_equal(CACHE(f)->status, ST_CRIT);
	assert_string_equal(CACHE(f)->reason, "memory 95% of maxmemory (950 MiB of 1000 MiB)");
	assert_int_equal(pv->n_diags, 0);
}

static void test_memory_near_miss(void **state)
{
	struct fx *f = *state;
	/* Just under the warn level. */
	const struct pipeline_view *pv = eval(f, MEM("828375040", "0.79", "volatile-lru"), NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_string_equal(CACHE(f)->reason, "");
	assert_int_equal(pv->n_diags, 0);
	/* Full, but an allkeys-* cache evicts what it must: a cache doing its job. */
	pv = eval(f, MEM("1059061760", "1.01", "allkeys-lru"), NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- cache-noeviction-full ---- */

static void test_noeviction_full(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, MEM(MIB_800, "0.8", "noeviction"), NULL);
	assert_int_equal(CACHE(f)->status, ST_CRIT);
	assert_string_equal(CACHE(f)->reason, "noeviction at 80% of maxmemory: writes will fail");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "cache-noeviction-full");
	assert_int_equal(d->severity, ST_CRIT);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->symptom, "writes to the cache are about to fail with OOM errors");
	assert_string_equal(d->evidence, "maxmemory-policy noeviction, 800 MiB used of 1000 MiB (80%)");
}

static void test_noeviction_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, MEM("828375040", "0.79", "noeviction"), NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- cache-unbounded ---- */

static void test_unbounded(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f,
	    "{\"used_memory\": " MIB_800 ", \"maxmemory\": 0, \"used_ratio\": null, \"maxmemory_policy\":"
	    " \"noeviction\", \"keys\": 1000, \"expires\": 1000, \"evicted_keys\": 0, \"evicted_per_s\": "
	    "0.0}",
	    NULL);
	assert_int_equal(CACHE(f)->status, ST_WARN);
	assert_string_equal(CACHE(f)->reason, "maxmemory 0: no limit");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "cache-unbounded");
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->symptom, "the cache may grow until the host runs out of memory");
	assert_string_equal(d->evidence, "maxmemory is 0 (unlimited), 800 MiB used");
	assert_string_equal(d->next, "set maxmemory below the host's memory, with an eviction policy");
}

static void test_unbounded_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, MEM("524288000", "0.5", "noeviction"), NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* A server whose INFO does not say maxmemory (a proxy, a managed service hiding it) has not
   said it is unlimited: the probe leaves the metric null, and no figure should be made up
   (it read as 0 and said "maxmemory is 0 (unlimited)"). */
static void test_unbounded_needs_maxmemory(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f,
	    "{\"used_memory\": " MIB_800 ", \"maxmemory\": null, \"used_ratio\": null, \"maxmemory_policy\":"
	    " \"noeviction\", \"keys\": 1000, \"expires\": 1000, \"evicted_keys\": 0, \"evicted_per_s\": "
	    "0.0}",
	    NULL);
	assert_null(fixture_diag(pv, "cache-unbounded"));
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- cache-volatile-no-ttl ---- */

static void test_volatile_no_ttl(void **state)
{
	struct fx *f = *state;
	const char *m = "{\"used_memory\": 524288000, \"maxmemory\": 1048576000, \"used_ratio\": 0.5,"
	                " \"maxmemory_policy\": \"volatile-lru\", \"keys\": 1000, \"expires\": 499,"
	                " \"evicted_keys\": 0, \"evicted_per_s\": 0.0}";
	const struct pipeline_view *pv = eval(f, m, NULL);
	assert_int_equal(CACHE(f)->status, ST_WARN);
	assert_string_equal(CACHE(f)->reason, "volatile-lru but most keys have no TTL");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "cache-volatile-no-ttl");
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->symptom, "little can be evicted: writes will fail once memory is full");
	assert_string_equal(
	    d->evidence,
	    "maxmemory-policy volatile-lru evicts only keys with a TTL: 499 of 1000 keys have one");
	/* With a key sample taken (key t): its figures follow. */
	pv = eval(f, m,
	          "{\"key_sample\": {\"prefix\": \"session:\", \"sampled\": 1000, \"without_ttl\": 20}}");
	assert_string_equal(pv->diags[0].evidence,
	                    "maxmemory-policy volatile-lru evicts only keys with a TTL: 499 "
	                    "of 1000 keys have one; sample of session:*: 20 of 1,000 keys "
	                    "without a TTL");
}

static void test_volatile_no_ttl_near_miss(void **state)
{
	struct fx *f = *state;
	/* Exactly half the keys have a TTL: not "most have none". */
	const struct pipeline_view *pv =
	    eval(f,
	         "{\"used_memory\": 524288000, \"maxmemory\": 1048576000, \"used_ratio\": 0.5,"
	         " \"maxmemory_policy\": \"volatile-lru\", \"keys\": 1000, \"expires\": 500,"
	         " \"evicted_keys\": 0, \"evicted_per_s\": 0.0}",
	         NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
	/* Under allkeys-*, keys without a TTL are evicted all the same. */
	pv = eval(f,
	          "{\"used_memory\": 524288000, \"maxmemory\": 1048576000, \"used_ratio\": 0.5,"
	          " \"maxmemory_policy\": \"allkeys-lru\", \"keys\": 1000, \"expires\": 0,"
	          " \"evicted_keys\": 0, \"evicted_per_s\": 0.0}",
	          NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- cache-evicting ---- */

static void test_evicting(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f,
	         "{\"used_memory\": 1048576000, \"maxmemory\": 1048576000, \"used_ratio\": 1.0,"
	         " \"maxmemory_policy\": \"allkeys-lru\", \"keys\": 1000, \"expires\": 0,"
	         " \"evicted_keys\": 45123, \"evicted_per_s\": 1.0}",
	         NULL);
	assert_int_equal(CACHE(f)->status, ST_WARN);
	assert_string_equal(CACHE(f)->reason, "evicting 1 keys/s");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "cache-evicting");
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(
	    d->evidence,
	    "1 keys/s evicted (45,123 since start), 1000 MiB of 1000 MiB used, policy allkeys-lru");
	pv = eval(f,
	          "{\"used_memory\": 1048576000, \"maxmemory\": 1048576000, \"used_ratio\": 1.0,"
	          " \"maxmemory_policy\": \"allkeys-lru\", \"keys\": 1000, \"expires\": 0,"
	          " \"evicted_keys\": 90000, \"evicted_per_s\": 100.0}",
	          "{\"key_sample\": {\"prefix\": \"session:\", \"sampled\": 1000, \"without_ttl\": 1000}}");
	assert_int_equal(CACHE(f)->status, ST_CRIT);
	assert_string_equal(CACHE(f)->reason, "evicting 100 keys/s");
	assert_int_equal(pv->diags[0].severity, ST_CRIT);
	assert_string_equal(pv->diags[0].evidence,
	                    "100 keys/s evicted (90,000 since start), 1000 MiB of 1000 MiB used, policy "
	                    "allkeys-lru; sample of session:*: 1,000 of 1,000 keys without a TTL");
}

static void test_evicting_near_miss(void **state)
{
	struct fx *f = *state;
	/* Just under 1 key/s. */
	const char *m = "{\"used_memory\": 1048576000, \"maxmemory\": 1048576000, \"used_ratio\": 1.0,"
	                " \"maxmemory_policy\": \"allkeys-lru\", \"keys\": 1000, \"expires\": 0,"
	                " \"evicted_keys\": 45123, \"evicted_per_s\": 0.9}";
	const struct pipeline_view *pv = eval(f, m, NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
	/* The first poll has no rate yet, whatever the counter says. */
	pv = eval(f,
	          "{\"used_memory\": 1048576000, \"maxmemory\": 1048576000, \"used_ratio\": 1.0,"
	          " \"maxmemory_policy\": \"allkeys-lru\", \"keys\": 1000, \"expires\": 0,"
	          " \"evicted_keys\": 45123, \"evicted_per_s\": null}",
	          NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- worker-paused: cache.pause_key is set ---- */

/* 800 MiB of 1000 under allkeys-lru (no memory status of its own), the flag spliced in. */
#define PAUSED(flag)                                                                                         \
	"{\"used_memory\": " MIB_800 ", \"maxmemory\": 1048576000, \"used_ratio\": 0.8,"                     \
	" \"maxmemory_policy\": \"allkeys-lru\", \"keys\": 1000, \"expires\": 1000, \"evicted_keys\": 0,"    \
	" \"evicted_per_s\": 0.0, " flag "}"

static void test_worker_paused(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f,
	    PAUSED("\"paused\": true, \"paused_since\": \"2026-11-18T09:26:40Z\", \"paused_for_s\": 2820.4"),
	    NULL);
	assert_int_equal(CACHE(f)->status, ST_WARN);
	assert_string_equal(CACHE(f)->reason, "worker paused for 47m00s (key relay:paused)");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = fixture_diag(pv, "worker-paused");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_RESUME);
	assert_string_equal(d->symptom,
	                    "the worker is paused by its flag key: nothing flows until the key is deleted");
	assert_string_equal(d->evidence,
	                    "key relay:paused on sessions has been set for at least 47m00s (seen since "
	                    "2026-11-18T09:26:40Z)");
	assert_string_equal(d->next, "resume it: key u, or synctop action resume sessions");
}

static void test_worker_paused_near_miss(void **state)
{
	struct fx *f = *state;
	/* The flag is read and not set. */
	const struct pipeline_view *pv =
	    eval(f, PAUSED("\"paused\": false, \"paused_since\": null, \"paused_for_s\": null"), NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_string_equal(CACHE(f)->reason, "");
	assert_int_equal(pv->n_diags, 0);
	/* Not read (null): no pause is claimed. */
	pv = eval(f, PAUSED("\"paused\": null"), NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
	/* Unreadable (an ACL user allowed INFO alone): a warning, and no pause claimed either. */
	pv = eval(f, PAUSED("\"paused\": null"),
	          "{\"pause_error\": \"EXISTS of cache.pause_key: NOPERM this user has no permissions\"}");
	assert_int_equal(CACHE(f)->status, ST_WARN);
	assert_string_equal(CACHE(f)->reason, "cannot tell whether the worker is paused: EXISTS of "
	                                      "cache.pause_key: NOPERM this user has no permissions");
	assert_int_equal(pv->n_diags, 0);
}

/* Without cache.pause_key the stage watches no flag, whatever a sample says. */
static void test_worker_paused_needs_key(void **state)
{
	(void)state;
	struct fx *f = fixture_open("[redis sessions]\nurl = redis://cache.internal:6379/0\n"
	                            "[pipeline web]\ncache = sessions\n");
	const struct pipeline_view *pv = eval(f, PAUSED("\"paused\": true, \"paused_for_s\": 60"), NULL);
	assert_int_equal(CACHE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
	fixture_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_memory_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memory_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_noeviction_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_noeviction_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unbounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unbounded_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unbounded_needs_maxmemory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_volatile_no_ttl, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_volatile_no_ttl_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_evicting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_evicting_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_worker_paused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_worker_paused_near_miss, setup, teardown),
	    cmocka_unit_test(test_worker_paused_needs_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
