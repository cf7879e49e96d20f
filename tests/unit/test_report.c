/* test_report.c: the JSON contract (schema 1) and the text snapshot, exactly. */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "fixture.h"
#include "health.h"
#include "report.h"

static const char *const INI = "[synctop]\n"
                               "environment = production\n"
                               "[postgres shop]\n"
                               "conninfo = host=db.internal dbname=shop user=app password=hunter2\n"
                               "[pipeline products]\n"
                               "outbox = shop\n"
                               "outbox.table = public.outbox\n"
                               "slot = shop\n";

/* 2026-11-22T10:00:00Z */
#define TAKEN_AT 1795341600.0

static char *render(const struct snapshot *snap, enum report_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (fmt == REPORT_JSON)
		report_json(f, snap);
	else
		report_text(f, snap);
	fclose(f);
	return buf;
}

static void build(struct config **cfg, struct snapshot *snap)
{
	*cfg = fixture_config(INI);
	fixture_snapshot(snap, *cfg, TAKEN_AT);
	fixture_sample(
	    &snap->pipes[0].stages[0],
	    "{\"pending\": 137, \"pending_capped\": false, \"oldest_pending_age_s\": 600.0, \"failed\": 5}",
	    NULL, 0);
	fixture_error(&snap->pipes[0].stages[1], "timeout: the server did not answer in time");
	health_evaluate(snap);
}

static void test_json_contract(void **state)
{
	struct config *cfg;
	struct snapshot snap;
	build(&cfg, &snap);
	char *out = render(&snap, REPORT_JSON);
	assert_null(strstr(out, "hunter2"));
	json_error_t e;
	json_t *root = json_loads(out, 0, &e);
	assert_non_null(root);

	assert_int_equal(json_integer_value(json_object_get(root, "schema")), 1);
	assert_string_equal(json_string_value(json_object_get(root, "version")), PACKAGE_VERSION);
	assert_string_equal(json_string_value(json_object_get(root, "taken_at")), "2026-11-22T10:00:00Z");
	assert_string_equal(json_string_value(json_object_get(root, "environment")), "production");
	assert_string_equal(json_string_value(json_object_get(root, "status")), "crit");

	json_t *p = json_array_get(json_object_get(root, "pipelines"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "name")), "products");
	assert_string_equal(json_string_value(json_object_get(p, "status")), "crit");
	json_t *stages = json_object_get(p, "stages");
	assert_int_equal(json_array_size(stages), 2);

	json_t *ob = json_array_get(stages, 0);
	assert_string_equal(json_string_value(json_object_get(ob, "kind")), "outbox");
	assert_string_equal(json_string_value(json_object_get(ob, "connection")), "shop");
	assert_string_equal(json_string_value(json_object_get(ob, "target")), "public.outbox");
	assert_string_equal(json_string_value(json_object_get(ob, "status")), "crit");
	assert_true(json_is_null(json_object_get(ob, "error")));
	assert_float_equal(json_number_value(json_object_get(ob, "latency_ms")), 3.1, 1e-9);
	json_t *m = json_object_get(ob, "metrics");
	/* the contract's six in its order, then the extras (allowed: fields are added freely) */
	const char *const keys[] = {"pending",     "pending_capped", "oldest_pending_age_s", "failed",
	                            "drain_per_s", "inflow_per_s",   "oldest_failed_age_s",  "growth_per_s",
	                            "empty_in_s",  "evaluation",     "worker_paused",        "paused_since",
	                            "paused_for_s"};
	assert_int_equal(json_object_size(m), 13);
	size_t k = 0;
	const char *key;
	json_t *v;
	json_object_foreach(m, key, v) assert_string_equal(key, keys[k++]); /* contract order */
	assert_int_equal(json_integer_value(json_object_get(m, "pending")), 137);
	assert_true(json_is_false(json_object_get(m, "pending_capped")));
	assert_float_equal(json_number_value(json_object_get(m, "oldest_pending_age_s")), 600.0, 1e-9);
	assert_int_equal(json_integer_value(json_object_get(m, "failed")), 5);
	assert_true(json_is_null(json_object_get(m, "drain_per_s")));
	assert_true(json_is_null(json_object_get(m, "inflow_per_s")));

	json_t *sl = json_array_get(stages, 1);
	assert_string_equal(json_string_value(json_object_get(sl, "kind")), "slot");
	assert_string_equal(json_string_value(json_object_get(sl, "target")), "*");
	assert_string_equal(json_string_value(json_object_get(sl, "status")), "unknown");
	assert_string_equal(json_string_value(json_object_get(sl, "error")),
	                    "timeout: the server did not answer in time");
	json_t *sm = json_object_get(sl, "metrics");
	/* the contract's five, then the window's verdict on the worst slot */
	const char *const slot_keys[] = {
	    "slot_name",   "active",   "wal_status", "retained_bytes", "confirmed_lag_bytes", "evaluation",
	    "evaluated_s", "lag_from", "consumed",   "produced",       "confirmed_lag_s"};
	assert_int_equal(json_object_size(sm), 11);
	k = 0;
	json_object_foreach(sm, key, v) assert_string_equal(key, slot_keys[k++]);
	assert_true(json_is_null(json_object_get(sm, "slot_name")));
	assert_true(json_is_null(json_object_get(sm, "retained_bytes")));

	json_t *diags = json_object_get(p, "diagnoses");
	assert_int_equal(json_array_size(diags), 2);
	json_t *d = json_array_get(diags, 0);
	assert_string_equal(json_string_value(json_object_get(d, "rule")), "outbox-backlog");
	assert_string_equal(json_string_value(json_object_get(d, "severity")), "crit");
	assert_true(json_is_null(json_object_get(d, "action"))); /* no fix inside synctop: null */
	assert_non_null(json_string_value(json_object_get(d, "symptom")));
	assert_non_null(json_string_value(json_object_get(d, "evidence")));
	assert_non_null(json_string_value(json_object_get(d, "next")));

	json_decref(root);
	free(out);
	snapshot_free(&snap);
	config_free(cfg);
}

static void test_text(void **state)
{
	struct config *cfg;
	struct snapshot snap;
	build(&cfg, &snap);
	char *out = render(&snap, REPORT_TEXT);
	const char *expect =
	    "synctop " PACKAGE_VERSION "  environment production  2026-11-22 10:00:00Z  status CRIT\n"
	    "\n"
	    "PIPELINE  STAGE   CONNECTION  TARGET         STATUS   FIGURES\n"
	    "products  outbox  shop        public.outbox  CRIT     137 pending, oldest 10m00s, 5 failed\n"
	    "                  oldest pending row is 10m00s old (crit at 5m00s)\n"
	    "          slot    shop        *              UNKNOWN  timeout: the server did not answer in "
	    "time\n"
	    "\n"
	    "CRIT  outbox-backlog  products/outbox\n"
	    "      records are in PostgreSQL but not yet in the secondary stores\n"
	    "      137 rows pending in public.outbox, oldest 10m00s\n"
	    "      next: check that the outbox worker runs and keeps up (and the CDC consumer lag): scale it "
	    "out or find what slows it; the rows go once it does\n"
	    "\n"
	    "WARN  poison-rows  products/outbox\n"
	    "      outbox rows keep failing and will not be delivered\n"
	    "      5 pending rows have attempts >= 5 or an error in last_error\n"
	    "      next: read the recorded errors (SELECT id, last_error FROM public.outbox WHERE last_error "
	    "IS NOT "
	    "NULL), fix the cause, then replay the failed rows\n";
	assert_string_equal(out, expect);
	free(out);
	snapshot_free(&snap);
	config_free(cfg);
}

/* since: ISO 8601 (null when not known) and since_seen in JSON; how long in the text. */
static void test_since(void **state)
{
	struct config *cfg;
	struct snapshot snap;
	build(&cfg, &snap);
	snap.pipes[0].stages[0].since = TAKEN_AT - 252; /* 09:55:48 */
	snap.pipes[0].diags[0].since = TAKEN_AT - 252;  /* first seen by synctop */
	snap.pipes[0].diags[0].since_seen = true;
	snap.pipes[0].diags[1].since = TAKEN_AT - 3 * 3600; /* from the data */
	char *out = render(&snap, REPORT_JSON);
	json_t *root = json_loads(out, 0, NULL);
	assert_non_null(root);
	json_t *p = json_array_get(json_object_get(root, "pipelines"), 0);
	json_t *stages = json_object_get(p, "stages");
	assert_string_equal(json_string_value(json_object_get(json_array_get(stages, 0), "since")),
	                    "2026-11-22T09:55:48Z");
	assert_true(json_is_null(json_object_get(json_array_get(stages, 1), "since")));
	json_t *d0 = json_array_get(json_object_get(p, "diagnoses"), 0);
	json_t *d1 = json_array_get(json_object_get(p, "diagnoses"), 1);
	assert_string_equal(json_string_value(json_object_get(d0, "since")), "2026-11-22T09:55:48Z");
	assert_true(json_is_true(json_object_get(d0, "since_seen")));
	assert_string_equal(json_string_value(json_object_get(d1, "since")), "2026-11-22T07:00:00Z");
	assert_true(json_is_false(json_object_get(d1, "since_seen")));
	json_decref(root);
	free(out);

	out = render(&snap, REPORT_TEXT);
	assert_non_null(strstr(out, "PIPELINE  STAGE   CONNECTION  TARGET         STATUS      FIGURES\n"
	                            "products  outbox  shop        public.outbox  CRIT 4m12s  137 pending"));
	assert_non_null(strstr(out, "          slot    shop        *              UNKNOWN     timeout"));
	assert_non_null(strstr(out, "\nCRIT  outbox-backlog  products/outbox  first seen 4m12s ago\n"));
	assert_non_null(
	    strstr(out, "\nWARN  poison-rows  products/outbox  since 2026-11-22T07:00:00Z (3h00m)\n"));
	free(out);
	snapshot_free(&snap);
	config_free(cfg);
}

static void test_no_pipelines(void **state)
{
	struct config *cfg = fixture_config("[synctop]\ninterval = 1s\n");
	struct snapshot snap;
	fixture_snapshot(&snap, cfg, TAKEN_AT);
	health_evaluate(&snap);
	char *out = render(&snap, REPORT_JSON);
	json_t *root = json_loads(out, 0, NULL);
	assert_non_null(root);
	assert_int_equal(json_array_size(json_object_get(root, "pipelines")), 0);
	assert_true(json_is_null(json_object_get(root, "environment")));
	assert_string_equal(json_string_value(json_object_get(root, "status")), "ok");
	json_decref(root);
	free(out);
	snapshot_free(&snap);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_contract),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_since),
	    cmocka_unit_test(test_no_pipelines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
