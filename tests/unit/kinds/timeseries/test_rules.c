/* test_rules.c: the timeseries stage's pure parts: its rules (writes-stopped, writes-dropped) on
   hand-made samples, each with a near miss, its figures and target, and its config checks. */
/* needs: search */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../config_text.h"
#include "../../fixture.h"
#include "health.h"
#include "kinds/timeseries/timeseries.h"

#define HTTP "[http influx]\nurl = http://influx.internal:8086\n"
#define TS   "[pipeline metrics]\ntimeseries = influx\ntimeseries.database = shop\n"

static const char *const INI = HTTP TS "timeseries.measurement = orders\n";

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

#define STAGE(f) (&(f)->snap.pipes[0].stages[0])

static const struct pipeline_view *eval(struct fx *f, const char *metrics)
{
	fixture_sample(STAGE(f), metrics, NULL, 0);
	health_evaluate(&f->snap);
	return &f->snap.pipes[0];
}

#define M(age, window, rate, base)                                                                           \
	"{\"newest_point\": \"2026-12-04T09:00:00Z\", \"newest_point_age_s\": " age                          \
	", \"points_in_window\": " window ", \"points_per_s\": " rate ", \"baseline_points_per_s\": " base   \
	"}"

static void test_steady(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, M("3", "720", "12", "11.8"));
	assert_int_equal(STAGE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
	char buf[128];
	timeseries_kind.figures(STAGE(f), buf, sizeof buf);
	assert_string_equal(buf, "newest 3s ago, 12/s (baseline 11.8/s)");
	timeseries_kind.target(STAGE(f)->cfg, buf, sizeof buf);
	assert_string_equal(buf, "shop.orders");
}

static void test_stopped_warn_and_crit(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, M("200", "0", "0", "2"));
	assert_int_equal(STAGE(f)->status, ST_WARN);
	assert_string_equal(STAGE(f)->reason, "newest point 3m20s old");
	assert_int_equal(pv->n_diags, 1); /* not writes-dropped besides: stopped says it */
	const struct diagnosis *d = fixture_diag(pv, "writes-stopped");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(d->symptom, "dashboards flatline: nothing written to orders for 3m20s");
	assert_string_equal(d->evidence,
	                    "the newest point of shop.orders is at 2026-12-04T09:00:00Z, 3m20s ago");

	pv = eval(f, M("600", "0", "0", "2"));
	assert_int_equal(STAGE(f)->status, ST_CRIT);
	assert_int_equal(fixture_diag(pv, "writes-stopped")->severity, ST_CRIT);

	/* Near miss: just under stale_warn (2m). */
	pv = eval(f, M("119.9", "10", "0.2", "0.3"));
	assert_int_equal(STAGE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

static void test_no_point(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"newest_point\": null, \"newest_point_age_s\": null, \"points_in_window\": 0, "
	            "\"points_per_s\": 0, \"baseline_points_per_s\": 0}");
	assert_int_equal(STAGE(f)->status, ST_CRIT);
	assert_string_equal(STAGE(f)->reason, "no point in shop.orders");
	const struct diagnosis *d = fixture_diag(pv, "writes-stopped");
	assert_non_null(d);
	assert_string_equal(d->evidence, "the measurement shop.orders holds no point");
	char buf[128];
	timeseries_kind.figures(STAGE(f), buf, sizeof buf);
	assert_string_equal(buf, "no point yet, 0/s (baseline 0/s)");
}

static void test_dropped(void **state)
{
	struct fx *f = *state;
	/* 0.05/s against 0.9/s: 5.6%, and the baseline expects 54 points a minute. */
	const struct pipeline_view *pv = eval(f, M("10", "3", "0.05", "0.9"));
	assert_int_equal(STAGE(f)->status, ST_WARN);
	assert_string_equal(STAGE(f)->reason, "writes at 5.6% of the baseline");
	const struct diagnosis *d = fixture_diag(pv, "writes-dropped");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(d->evidence,
	                    "0.05/s over the last 1m00s against 0.9/s over the last 15m00s (5.6%)");
	assert_string_equal(d->symptom, "fewer points reach orders than before");

	/* Near miss: exactly half the baseline (drop_warn 0.5) is no drop. */
	pv = eval(f, M("1", "27", "0.45", "0.9"));
	assert_int_equal(STAGE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);

	/* A baseline that expects under 10 points in the window is not judged: 0.15/s is 9 a minute. */
	pv = eval(f, M("10", "0", "0", "0.15"));
	assert_int_equal(STAGE(f)->status, ST_OK);
	/* ... and from 10 a minute it is. */
	pv = eval(f, M("10", "0", "0", "0.1667"));
	assert_int_equal(STAGE(f)->status, ST_WARN);
	assert_non_null(fixture_diag(pv, "writes-dropped"));
}

static void test_drop_off(void **state)
{
	(void)state;
	struct fx *f = fixture_open(HTTP TS "timeseries.measurement = orders\ntimeseries.drop_warn = 0\n");
	const struct pipeline_view *pv = eval(f, M("10", "0", "0", "5"));
	assert_int_equal(STAGE(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
	fixture_close(f);
}

static void test_target_with_rp(void **state)
{
	(void)state;
	struct fx *f =
	    fixture_open(HTTP TS "timeseries.measurement = orders\ntimeseries.retention_policy = week\n");
	char buf[64];
	timeseries_kind.target(STAGE(f)->cfg, buf, sizeof buf);
	assert_string_equal(buf, "shop.week.orders");
	fixture_close(f);
}

static void test_checks(void **state)
{
	(void)state;
	expect_error(HTTP TS, "4: the timeseries stage needs timeseries.database and timeseries.measurement");
	expect_error(HTTP TS "timeseries.measurement = m\ntimeseries.window = 15m\n",
	             "4: timeseries.baseline must be longer than timeseries.window");
	expect_error(HTTP TS "timeseries.measurement = m\ntimeseries.stale_warn = 20m\n",
	             "3: timeseries.stale_warn (20m) is above timeseries.stale_crit (10m) in [pipeline "
	             "metrics]; a warn level must not exceed its crit level");
	expect_error(HTTP TS "timeseries.measurement = m\ntimeseries.drop_warn = 1.5\n",
	             "7: bad value '1.5' for timeseries.drop_warn: must be at most 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_steady, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stopped_warn_and_crit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_point, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dropped, setup, teardown),
	    cmocka_unit_test(test_drop_off),
	    cmocka_unit_test(test_target_with_rp),
	    cmocka_unit_test(test_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
