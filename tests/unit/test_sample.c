/* test_sample.c: rate math, the history ring, metric accessors and the outbox rate derivation. */
/* needs: postgres */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kinds/outbox/outbox.h"
#include "kinds/probe.h"
#include "sample.h"

static void test_rate_basic(void **state)
{
	double r = -1;
	assert_true(rate_per_s(100, 160, 2.0, &r));
	assert_float_equal(r, 30.0, 1e-9);
	assert_true(rate_per_s(5, 5, 1.0, &r));
	assert_float_equal(r, 0.0, 1e-9);
}

static void test_rate_refuses(void **state)
{
	double r = 42;
	assert_false(rate_per_s(100, 99, 1.0, &r)); /* counter reset */
	assert_false(rate_per_s(1, 2, 0.0, &r));    /* no time passed */
	assert_false(rate_per_s(1, 2, -1.0, &r));
	assert_float_equal(r, 42, 0); /* untouched */
}

/* push i: a sample of wall time i, main metric "n" = i, failed (error "e<i>") when fail. */
static void push(struct history *h, int i, bool fail)
{
	struct sample s;
	sample_init(&s);
	s.mono = s.wall = i;
	s.ok = !fail;
	if (fail)
		sample_set_error(&s, "e%d", i);
	s.metrics = json_pack("{si}", "n", i);
	history_push(h, &s);
	assert_null(s.metrics); /* ownership moved */
}

static void test_history_ring(void **state)
{
	struct history h;
	history_init(&h, 3, "n");
	assert_null(history_get(&h, 0));
	assert_null(history_point(&h, 0));
	for (int i = 1; i <= 5; i++)
		push(&h, i, false);
	assert_int_equal(h.len, 3);
	assert_float_equal(history_get(&h, 0)->mono, 5, 0);
	assert_float_equal(history_get(&h, 1)->mono, 4, 0);
	assert_null(history_get(&h, 2)); /* only the newest two are kept whole */
	assert_null(history_get(&h, -1));
	assert_float_equal(history_point(&h, 0)->value, 5, 0);
	assert_float_equal(history_point(&h, 1)->value, 4, 0);
	assert_float_equal(history_point(&h, 2)->value, 3, 0);
	assert_float_equal(history_point(&h, 2)->wall, 3, 0);
	assert_null(history_point(&h, 3));
	history_free(&h);
}

/* The ring grows as samples arrive (none is allocated before the first), never past cap. */
static void test_history_grows(void **state)
{
	struct history h;
	history_init(&h, 300, "n");
	assert_null(h.pts);
	assert_int_equal(h.alloc, 0);
	push(&h, 1, false);
	assert_int_equal(h.alloc, 4);
	for (int i = 2; i <= 9; i++)
		push(&h, i, false);
	assert_int_equal(h.alloc, 16);
	assert_int_equal(h.len, 9);
	for (int i = 0; i < 9; i++)
		assert_float_equal(history_point(&h, i)->value, 9 - i, 0);
	for (int i = 10; i <= 1000; i++)
		push(&h, i, false);
	assert_int_equal(h.alloc, 300);
	assert_int_equal(h.len, 300);
	assert_float_equal(history_point(&h, 0)->value, 1000, 0);
	assert_float_equal(history_point(&h, 299)->value, 701, 0);
	history_free(&h);
}

/* A failed poll is a NaN point; its error is the last error until it leaves the ring. */
static void test_history_errors(void **state)
{
	struct history h;
	history_init(&h, 3, "n");
	double at = -1;
	push(&h, 1, false);
	assert_null(history_last_error(&h, &at));
	push(&h, 2, true);
	push(&h, 3, true);
	push(&h, 4, false);
	assert_true(isnan(history_point(&h, 1)->value));
	assert_false(history_point(&h, 1)->ok);
	assert_string_equal(history_last_error(&h, &at), "e3");
	assert_float_equal(at, 3, 0);
	push(&h, 5, false);
	assert_string_equal(history_last_error(&h, &at), "e3");
	push(&h, 6, false); /* e3 is 3 polls back: out of a ring of 3 */
	assert_null(history_last_error(&h, &at));
	history_free(&h);
}

static void test_metric_accessors(void **state)
{
	json_t *m = json_pack("{si sf sb ss sn}", "i", 7, "f", 2.5, "b", 1, "s", "x", "null");
	double d;
	int64_t i;
	bool b;
	assert_true(metric_num(m, "i", &d));
	assert_float_equal(d, 7, 0);
	assert_true(metric_int(m, "f", &i));
	assert_int_equal(i, 2);
	assert_true(metric_bool(m, "b", &b));
	assert_true(b);
	assert_string_equal(metric_str(m, "s"), "x");
	assert_false(metric_num(m, "null", &d));
	assert_false(metric_num(m, "absent", &d));
	assert_null(metric_str(m, "i"));
	assert_false(metric_num(NULL, "i", &d));
	json_decref(m);
}

static void outbox_pair(struct sample *prev, struct sample *cur, json_int_t p0, json_int_t id0, bool c0,
                        json_int_t p1, json_int_t id1, bool c1, double dt)
{
	const struct kind *p = &outbox_kind;
	kind_sample_prepare(p, prev);
	kind_sample_prepare(p, cur);
	prev->mono = 10.0;
	cur->mono = 10.0 + dt;
	json_object_set_new(prev->metrics, "pending", json_integer(p0));
	json_object_set_new(prev->metrics, "pending_capped", json_boolean(c0));
	json_object_set_new(cur->metrics, "pending", json_integer(p1));
	json_object_set_new(cur->metrics, "pending_capped", json_boolean(c1));
	prev->raw = json_pack("{sI}", "max_id", id0);
	cur->raw = json_pack("{sI}", "max_id", id1);
	/* every pending row, as the probe counts it when neither count stopped at the cap */
	if (!c0)
		json_object_set_new(prev->raw, "all_pending", json_integer(p0));
	if (!c1)
		json_object_set_new(cur->raw, "all_pending", json_integer(p1));
}

static void test_outbox_derive(void **state)
{
	const struct probe *p = outbox_kind.probe;
	struct sample prev, cur;
	double v;
	/* 10 rows arrived and the backlog fell by 20 in 2 s: inflow 5/s, drain 15/s. */
	outbox_pair(&prev, &cur, 100, 1000, false, 80, 1010, false, 2.0);
	p->derive(NULL, &prev, &cur);
	assert_true(metric_num(cur.metrics, "inflow_per_s", &v));
	assert_float_equal(v, 5.0, 1e-9);
	assert_true(metric_num(cur.metrics, "drain_per_s", &v));
	assert_float_equal(v, 15.0, 1e-9);
	sample_clear(&prev);
	sample_clear(&cur);

	/* Capped counts: inflow is still known, drain is not. */
	outbox_pair(&prev, &cur, 100000, 1000, true, 100000, 1040, true, 4.0);
	p->derive(NULL, &prev, &cur);
	assert_true(metric_num(cur.metrics, "inflow_per_s", &v));
	assert_float_equal(v, 10.0, 1e-9);
	assert_false(metric_num(cur.metrics, "drain_per_s", &v));
	sample_clear(&prev);
	sample_clear(&cur);

	/* max(id) went backwards (table truncated): no rate rather than a wrong one. */
	outbox_pair(&prev, &cur, 10, 500, false, 0, 0, false, 1.0);
	p->derive(NULL, &prev, &cur);
	assert_false(metric_num(cur.metrics, "inflow_per_s", &v));
	assert_false(metric_num(cur.metrics, "drain_per_s", &v));
	sample_clear(&prev);
	sample_clear(&cur);

	/* Stalled: nothing drained, 3 rows arrived in 1 s. */
	outbox_pair(&prev, &cur, 50, 700, false, 53, 703, false, 1.0);
	p->derive(NULL, &prev, &cur);
	assert_true(metric_num(cur.metrics, "drain_per_s", &v));
	assert_float_equal(v, 0.0, 1e-9);
	sample_clear(&prev);
	sample_clear(&cur);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rate_basic),     cmocka_unit_test(test_rate_refuses),
	    cmocka_unit_test(test_history_ring),   cmocka_unit_test(test_history_grows),
	    cmocka_unit_test(test_history_errors), cmocka_unit_test(test_metric_accessors),
	    cmocka_unit_test(test_outbox_derive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
