/* test_nagios.c: the monitoring-plugin output exactly, the thresholds in force, --warn/--crit. */
/* needs: postgres redis */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "config_priv.h"
#include "fixture.h"
#include "health.h"
#include "report.h"
#include "threshold.h"
#include "kinds/kind.h"

static const char *const INI = "[postgres shop]\n"
                               "conninfo = host=db.internal dbname=shop user=app password=hunter2\n"
                               "[redis sessions]\n"
                               "url = redis://cache.internal:6379/0\n"
                               "[pipeline products]\n"
                               "outbox = shop\n"
                               "outbox.table = public.outbox\n"
                               "cache = sessions\n"
                               "[pipeline orders]\n"
                               "outbox = shop\n"
                               "outbox.table = public.orders_outbox\n"
                               "outbox.pending_warn = 5\n"
                               "[pipeline billing]\n"
                               "outbox = shop\n"
                               "outbox.table = public.billing_outbox\n";

#define TAKEN_AT 1795000100.0

static char *render(const struct snapshot *snap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_nagios(f, snap);
	fclose(f);
	return buf;
}

/* products: a stalled relay (crit) and a half-full cache; orders: a failed row (warn);
   billing: not readable. */
static void samples(struct snapshot *snap)
{
	fixture_sample(&snap->pipes[0].stages[0],
	               "{\"pending\": 1284, \"pending_capped\": false, \"oldest_pending_age_s\": 252.0, "
	               "\"failed\": 0, \"drain_per_s\": 0.0, \"inflow_per_s\": 2.5}",
	               "{\"pending\": 1280, \"oldest_pending_age_s\": 250.0, \"failed\": 0}", 2.0);
	fixture_sample(&snap->pipes[0].stages[1],
	               "{\"used_memory\": 536870912, \"maxmemory\": 1073741824, \"used_ratio\": 0.5, "
	               "\"maxmemory_policy\": \"allkeys-lru\", \"evicted_keys\": 12, \"evicted_per_s\": 0.0, "
	               "\"expired_per_s\": 1.5, \"hit_ratio\": 0.9825, \"connected_clients\": 4, "
	               "\"rejected_connections\": 0, \"keys\": 1000, \"expires\": 900, "
	               "\"mem_fragmentation_ratio\": 1.25, \"role\": \"master\"}",
	               NULL, 0);
	fixture_sample(
	    &snap->pipes[1].stages[0],
	    "{\"pending\": 3, \"pending_capped\": false, \"oldest_pending_age_s\": 2.5, \"failed\": 1}", NULL,
	    0);
	fixture_error(&snap->pipes[2].stages[0], "read timeout | server gone\nafter 2s");
	snap->taken_at = TAKEN_AT;
	health_evaluate(snap);
}

static void test_output(void **state)
{
	(void)state;
	struct fx *f = fixture_open(INI);
	samples(&f->snap);
	char *out = render(&f->snap);
	const char *expect =
	    "SYNCTOP CRITICAL - products: worker-stalled (1,284 pending, oldest 4m12s); 2 more pipelines: 1 "
	    "warn, 1 unknown | products/outbox/pending=1284;999;9999;0;\n"
	    "products/outbox: CRIT - 1,284 pending, oldest 4m12s, 0 failed, drain 0/s, inflow 2.5/s "
	    "(worker-stalled)\n"
	    "products/cache: OK - mem 512 MiB of 1.0 GiB (50%), allkeys-lru, evicting 0/s, 1,000 keys, "
	    "hits 98%\n"
	    "orders/outbox: WARN - 3 pending, oldest 2.5s, 1 failed (poison-rows)\n"
	    "billing/outbox: UNKNOWN - read timeout / server gone after 2s | "
	    "products/outbox/oldest_pending_age_s=252s;@60:;@300:;0;\n"
	    "products/outbox/failed=0;0;99;0;\n"
	    "products/outbox/drain_per_s=0;;;;\n"
	    "products/outbox/inflow_per_s=2.5;;;;\n"
	    "products/outbox/oldest_failed_age_s=U;;;0;\n"
	    "products/outbox/growth_per_s=U;;;;\n"
	    "products/outbox/empty_in_s=U;;;0;\n"
	    "products/outbox/paused_for_s=U;;;0;\n"
	    "products/cache/used_memory=536870912B;;;0;1073741824\n"
	    "products/cache/maxmemory=1073741824B;;;0;\n"
	    "products/cache/used_ratio=50%;@80:;@95:;0;100\n"
	    "products/cache/evicted_keys=12c;;;0;\n"
	    "products/cache/evicted_per_s=0;@1:;@100:;;\n"
	    "products/cache/expired_per_s=1.5;;;;\n"
	    "products/cache/hit_ratio=98.25%;;;0;100\n"
	    "products/cache/connected_clients=4;;;0;\n"
	    "products/cache/rejected_connections=0c;;;0;\n"
	    "products/cache/keys=1000;;;0;\n"
	    "products/cache/expires=900;;;0;\n"
	    "products/cache/mem_fragmentation_ratio=1.25;;;0;\n"
	    "products/cache/paused_for_s=U;;;0;\n"
	    "orders/outbox/pending=3;4;9999;0;\n"
	    "orders/outbox/oldest_pending_age_s=2.5s;@60:;@300:;0;\n"
	    "orders/outbox/failed=1;0;99;0;\n"
	    "orders/outbox/drain_per_s=U;;;;\n"
	    "orders/outbox/inflow_per_s=U;;;;\n"
	    "orders/outbox/oldest_failed_age_s=U;;;0;\n"
	    "orders/outbox/growth_per_s=U;;;;\n"
	    "orders/outbox/empty_in_s=U;;;0;\n"
	    "orders/outbox/paused_for_s=U;;;0;\n"
	    "billing/outbox/pending=U;999;9999;0;\n"
	    "billing/outbox/oldest_pending_age_s=U;@60:;@300:;0;\n"
	    "billing/outbox/failed=U;0;99;0;\n"
	    "billing/outbox/drain_per_s=U;;;;\n"
	    "billing/outbox/inflow_per_s=U;;;;\n"
	    "billing/outbox/oldest_failed_age_s=U;;;0;\n"
	    "billing/outbox/growth_per_s=U;;;;\n"
	    "billing/outbox/empty_in_s=U;;;0;\n"
	    "billing/outbox/paused_for_s=U;;;0;\n";
	assert_string_equal(out, expect);
	assert_null(strstr(out, "hunter2"));
	free(out);
	fixture_close(f);
}

/* All in sync; one pipeline warn by a level alone (no diagnosis): its stage and why. */
static void test_ok_and_level(void **state)
{
	(void)state;
	struct fx *f = fixture_open(INI);
	const char *calm =
	    "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0, \"failed\": 0}";
	fixture_sample(&f->snap.pipes[0].stages[0], calm, NULL, 0);
	fixture_sample(&f->snap.pipes[0].stages[1],
	               "{\"used_memory\": 1048576, \"maxmemory\": 0, \"maxmemory_policy\": \"allkeys-lru\"}",
	               NULL, 0);
	fixture_sample(&f->snap.pipes[1].stages[0], calm, NULL, 0);
	fixture_sample(&f->snap.pipes[2].stages[0], calm, NULL, 0);
	/* maxmemory 0 is cache-unbounded: a warn; no max on used_memory then */
	health_evaluate(&f->snap);
	char *out = render(&f->snap);
	assert_non_null(strstr(out, "products/cache/used_memory=1048576B;;;0;\n"));
	free(out);

	fixture_sample(
	    &f->snap.pipes[0].stages[1],
	    "{\"used_memory\": 1048576, \"maxmemory\": 1073741824, \"maxmemory_policy\": \"allkeys-lru\"}",
	    NULL, 0);
	health_evaluate(&f->snap);
	out = render(&f->snap);
	assert_int_equal(f->snap.status, ST_OK);
	const char *ok = "SYNCTOP OK - 3 pipelines in sync | products/outbox/pending=0;999;9999;0;\n"
	                 "products/outbox: OK - 0 pending, 0 failed\n";
	assert_int_equal(strncmp(out, ok, strlen(ok)), 0);
	free(out);

	/* orders at its pending_warn (5): "at or above", so 5 warns; the perfdata range is 4 */
	fixture_sample(
	    &f->snap.pipes[1].stages[0],
	    "{\"pending\": 5, \"pending_capped\": false, \"oldest_pending_age_s\": 1, \"failed\": 0}", NULL,
	    0);
	health_evaluate(&f->snap);
	out = render(&f->snap);
	const char *first = "SYNCTOP WARNING - orders/outbox: 5 rows pending (warn at 5) | "
	                    "products/outbox/pending=0;999;9999;0;\n";
	assert_int_equal(strncmp(out, first, strlen(first)), 0);
	assert_non_null(strstr(
	    out, "\norders/outbox: WARN - 5 pending, oldest 1s, 0 failed; 5 rows pending (warn at 5)\n"));
	assert_non_null(strstr(out, "\norders/outbox/pending=5;4;9999;0;\n"));
	free(out);
	fixture_close(f);
}

/* --warn/--crit: the kind's own option is off, the stage raised by the range with a threshold
   diagnosis of the generic table, the perfdata shows the range. */
static void test_overrides(void **state)
{
	(void)state;
	struct fx *f = fixture_open(INI);
	struct thresholds t = {0};
	char msg[512];
	assert_true(thresholds_add(&t, "outbox.pending=@1:5", false, msg, sizeof msg));
	assert_true(thresholds_add(&t, "products/outbox.pending=2000", true, msg, sizeof msg));
	assert_true(thresholds_add(&t, "cache.used_ratio=@40:60%", true, msg, sizeof msg));
	assert_true(thresholds_apply(&t, f->cfg, msg, sizeof msg));
	samples(&f->snap);
	const struct pipeline_view *products = &f->snap.pipes[0], *orders = &f->snap.pipes[1];
	/* products: 1,284 pending no longer warns by outbox.pending_warn (turned off), nor crits
	   by the override (2000); the cache is crit by its range (50% is inside 40..60) */
	const struct diagnosis *d = fixture_diag(products, "threshold");
	assert_non_null(d);
	assert_ptr_equal(d->def, generic_rule("threshold"));
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(d->stage->kind->name, "cache");
	assert_string_equal(d->evidence,
	                    "used_ratio = 50%, which --crit @40:60 alerts on (inside the range, in percent)");
	assert_string_equal(products->stages[1].reason, "used_ratio 50% (--crit @40:60)");
	assert_int_equal(products->stages[1].status, ST_CRIT);
	/* orders: 3 pending is inside @1:5: warn, beside its poison-rows */
	d = fixture_diag(orders, "threshold");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(d->evidence, "pending = 3, which --warn @1:5 alerts on (inside the range)");
	assert_string_equal(d->next,
	                    "see what pending means for the outbox stage (its other diagnoses, synctop(1)); "
	                    "the threshold is outbox.pending=@1:5's");

	char *out = render(&f->snap);
	assert_non_null(strstr(out, " | products/outbox/pending=1284;@1:5;2000;0;\n"));
	assert_non_null(strstr(out, "\norders/outbox/pending=3;@1:5;9999;0;\n"));
	assert_non_null(strstr(out, "\nproducts/cache/used_ratio=50%;@80:;@40:60;0;100\n"));
	assert_non_null(strstr(out, "\nproducts/cache: CRIT - mem 512 MiB of 1.0 GiB (50%), allkeys-lru, "
	                            "evicting 0/s, 1,000 keys, hits 98% (threshold)\n"));
	assert_non_null(strstr(
	    out, "\norders/outbox: WARN - 3 pending, oldest 2.5s, 1 failed (poison-rows, threshold)\n"));
	free(out);

	/* orders at 6 pending: its outbox.pending_warn (5) would warn, but --warn replaced it, and
	   6 is outside @1:5 */
	fixture_sample(
	    &f->snap.pipes[1].stages[0],
	    "{\"pending\": 6, \"pending_capped\": false, \"oldest_pending_age_s\": 1, \"failed\": 0}", NULL,
	    0);
	health_evaluate(&f->snap);
	assert_int_equal(orders->status, ST_OK);
	assert_int_equal(orders->n_diags, 0);
	/* (test_ok_and_level: without an override, 5 pending already warns there) */

	/* the ranges in force, and whether an override set them */
	struct range r;
	char buf[64];
	const struct metric_def *pending = &f->cfg->pipelines[0].stages[0].kind->metrics[0];
	assert_string_equal(pending->name, "pending");
	assert_true(threshold_in_force(f->cfg, &f->cfg->pipelines[2], &f->cfg->pipelines[2].stages[0],
	                               pending, true, &r));
	assert_string_equal(range_format(&r, buf, sizeof buf), "9999");
	assert_false(threshold_overridden(f->cfg, &f->cfg->pipelines[2], &f->cfg->pipelines[2].stages[0],
	                                  pending, true));
	assert_true(threshold_overridden(f->cfg, &f->cfg->pipelines[0], &f->cfg->pipelines[0].stages[0],
	                                 pending, true));
	/* the options as the overrides left them: each one an override replaces is off */
	f->cfg->thresholds = NULL;
	const struct pipeline *p0 = &f->cfg->pipelines[0], *p1 = &f->cfg->pipelines[1];
	assert_false(threshold_in_force(f->cfg, p0, &p0->stages[0], pending, false, &r)); /* --warn outbox. */
	assert_false(
	    threshold_in_force(f->cfg, p0, &p0->stages[0], pending, true, &r)); /* --crit products/ */
	assert_false(threshold_in_force(f->cfg, p1, &p1->stages[0], pending, false, &r)); /* --warn outbox. */
	assert_true(threshold_in_force(f->cfg, p1, &p1->stages[0], pending, true, &r));   /* untouched */
	assert_string_equal(range_format(&r, buf, sizeof buf), "9999");
	/* a count that may be negative: "at or above N" is ~:N-1 */
	assert_true(metric_extra(kind_by_name("search", 6), "missing_docs")->negative);
	thresholds_free(&t);
	fixture_close(f);
}

/* Every extra names a metric of its kind, numeric options of its kind's table, a metric max. */
static void test_extras_name_what_exists(void **state)
{
	(void)state;
	size_t n = 0;
	for (const struct kind *const *k = kinds; *k; k++)
		for (const struct metric_extra *x = (*k)->extras; x && x->metric; x++, n++) {
			const struct metric_def *m = (*k)->metrics;
			while (m->name && strcmp(m->name, x->metric))
				m++;
			if (!m->name)
				fail_msg("%s: extra for unknown metric %s", (*k)->name, x->metric);
			assert_true(metric_numeric(m));
			assert_ptr_equal(metric_extra(*k, x->metric), x);
			const char *opts[] = {x->warn_opt, x->crit_opt};
			assert_true(!x->warn_opt == !x->crit_opt);
			for (size_t i = 0; i < 2; i++) {
				if (!opts[i])
					continue;
				const struct opt_def *o = opt_find((*k)->options, opts[i]);
				if (!o)
					fail_msg("%s.%s: no option %s", (*k)->name, x->metric, opts[i]);
				assert_true(o->type == OPT_INT || o->type == OPT_SIZE ||
				            o->type == OPT_DURATION || o->type == OPT_REAL);
			}
			if (x->max_metric) {
				const struct metric_def *mx = (*k)->metrics;
				while (mx->name && strcmp(mx->name, x->max_metric))
					mx++;
				assert_non_null(mx->name);
				assert_int_equal(mx->unit, m->unit);
			}
		}
	assert_int_equal(n, 18);
	/* a metric without an entry: zeros */
	const struct metric_extra *none = metric_extra(kinds[0], "no_such_metric");
	assert_null(none->warn_opt);
	assert_null(none->max_metric);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_output),
	    cmocka_unit_test(test_ok_and_level),
	    cmocka_unit_test(test_overrides),
	    cmocka_unit_test(test_extras_name_what_exists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
