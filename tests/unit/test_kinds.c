/* test_kinds.c: the kind registry and what every descriptor must hold. */
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kinds/kind.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* Flow order is the registry's order: a pipeline lists its stages in it. The kinds of
   DESIGN.md come in this order (a kind added later may sit anywhere between them). */
static void test_flow_order(void **state)
{
	(void)state;
	const char *want[] = {"outbox", "slot", "kafka", "connector", "search", "cache"};
	size_t w = 0;
	assert_true(kind_count() >= sizeof want / sizeof want[0]);
	assert_true(kind_count() <= KINDS_MAX);
	for (size_t i = 0; i < kind_count(); i++) {
		if (w < sizeof want / sizeof want[0] && !strcmp(kinds[i]->name, want[w]))
			w++;
		assert_int_equal(kind_pos(kinds[i]), i);
		assert_ptr_equal(kind_by_name(kinds[i]->name, strlen(kinds[i]->name)), kinds[i]);
	}
	assert_int_equal(w, sizeof want / sizeof want[0]);
	assert_null(kinds[kind_count()]);
	/* a prefix or a longer word is not a kind */
	assert_null(kind_by_name("out", 3));
	assert_null(kind_by_name("outboxes", 8));
	assert_ptr_equal(kind_by_name("outbox.table", 6), kind_by_name("outbox", 6));
	assert_string_equal(kind_by_name("outbox", 6)->name, "outbox");
}

/* Every descriptor has what generic code calls without checking. */
static void test_descriptors_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < kind_count(); i++) {
		const struct kind *k = kinds[i];
		assert_non_null(k->options);
		/* the first option is the stage key itself: outbox = CONNECTION */
		assert_string_equal(k->options[0].key, k->name);
		assert_int_equal(k->options[0].type, OPT_CONN);
		for (const struct opt_def *o = k->options + 1; o->key; o++)
			if (strncmp(o->key, k->name, strlen(k->name)) || o->key[strlen(k->name)] != '.')
				fail_msg("%s: option %s is not %s.NAME", k->name, o->key, k->name);
		assert_true(k->opts_size > 0);
		assert_non_null(k->metrics);
		assert_non_null(k->metrics[0].name);
		assert_non_null(k->target);
		assert_non_null(k->evaluate);
		assert_non_null(k->figures);
		bool main_found = false;
		for (const struct metric_def *m = k->metrics; m->name; m++)
			main_found |= !strcmp(m->name, k->main_metric);
		if (!main_found)
			fail_msg("%s: main_metric %s is not one of its metrics", k->name, k->main_metric);
	}
}

/* The contract metrics of DESIGN.md's table, in its order, before any other; a kind the
   table does not name has none. */
static void test_contract_metrics(void **state)
{
	(void)state;
	static const struct {
		const char *kind;
		const char *metrics[10];
	} want[] = {
	    {"outbox",
	     {"pending", "pending_capped", "oldest_pending_age_s", "failed", "drain_per_s", "inflow_per_s"}},
	    {"slot", {"slot_name", "active", "wal_status", "retained_bytes", "confirmed_lag_bytes"}},
	    {"kafka",
	     {"lag", "partitions", "max_partition_lag", "lag_s", "group_state", "members", "evaluation",
	      "partition_lags"}},
	    {"connector", {"state", "tasks_running", "tasks_failed", "paused_since"}},
	    {"search",
	     {"health", "refresh_interval", "search_idle_after", "docs", "refresh_total", "refresh_per_s",
	      "indexing_failed", "source_docs", "missing_docs"}},
	    {"cache",
	     {"used_memory", "maxmemory", "used_ratio", "maxmemory_policy", "evicted_keys", "evicted_per_s",
	      "expired_per_s", "hit_ratio"}},
	};
	size_t seen = 0;
	for (size_t i = 0; i < kind_count(); i++) {
		const char *const *names = NULL;
		for (size_t t = 0; t < sizeof want / sizeof want[0]; t++)
			if (!strcmp(want[t].kind, kinds[i]->name))
				names = want[t].metrics;
		seen += names != NULL;
		const struct metric_def *m = kinds[i]->metrics;
		for (size_t j = 0; names && names[j]; j++, m++) {
			if (!m->name || strcmp(m->name, names[j]) || !m->contract)
				fail_msg("%s: contract metric %zu is %s, want %s", kinds[i]->name, j,
				         m->name ? m->name : "(end)", names[j]);
		}
		for (; m->name; m++)
			if (m->contract)
				fail_msg("%s: %s is marked contract but is not in DESIGN.md", kinds[i]->name,
				         m->name);
	}
	assert_int_equal(seen, sizeof want / sizeof want[0]);
}

/* A metric's unit agrees with its name's suffix (the exports rely on the units). */
static void test_metric_units(void **state)
{
	(void)state;
	size_t n = 0;
	for (size_t i = 0; i < kind_count(); i++) {
		for (const struct metric_def *m = kinds[i]->metrics; m->name; m++, n++) {
			enum metric_unit want = m->unit;
			if (ends_with(m->name, "_per_s"))
				want = MU_PER_SECOND;
			else if (ends_with(m->name, "_s"))
				want = MU_SECONDS;
			else if (ends_with(m->name, "_bytes"))
				want = MU_BYTES;
			else if (ends_with(m->name, "_ratio") && m->unit != MU_FACTOR)
				want = MU_RATIO;
			if (m->unit != want)
				fail_msg("%s.%s: unit %d, its name says %d", kinds[i]->name, m->name, m->unit,
				         want);
		}
	}
	assert_true(n >= 63); /* the 63 metrics of the six kinds of DESIGN.md, at least, were looked at */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_flow_order),
	    cmocka_unit_test(test_descriptors_complete),
	    cmocka_unit_test(test_contract_metrics),
	    cmocka_unit_test(test_metric_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
