/* test_prometheus.c: the Prometheus exposition: escaping, values, names, and a snapshot exactly. */
/* needs: postgres kafka redis search */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "fixture.h"
#include "health.h"
#include "report.h"
#include "report/prometheus.h"

#define DIAG_LABELS "{pipeline=\"%s\",stage=\"%s\",rule=\"%s\",severity=\"%s\"}"

/* What f(out, ...) writes, as a string to free. */
#define CAPTURE(buf, call)                                                                                   \
	do {                                                                                                 \
		size_t len_;                                                                                 \
		FILE *out = open_memstream(&(buf), &len_);                                                   \
		call;                                                                                        \
		fclose(out);                                                                                 \
	} while (0)

static void escape_is(const char *in, const char *want, bool help)
{
	char *got = NULL;
	CAPTURE(got, help ? prom_escape_help(out, in) : prom_escape_label(out, in));
	assert_string_equal(got, want);
	free(got);
}

static void test_escape(void **state)
{
	(void)state;
	escape_is("plain", "plain", false);
	escape_is("a\\b\"c\nd", "a\\\\b\\\"c\\nd", false);
	escape_is("\"\"", "\\\"\\\"", false);
	escape_is("", "", false);
	/* HELP escapes \ and newline, not quotes */
	escape_is("a\\b\"c\nd", "a\\\\b\"c\\nd", true);
}

static void value_is(double v, const char *want)
{
	char *got = NULL;
	CAPTURE(got, prom_value(out, v));
	assert_string_equal(got, want);
	free(got);
}

static void test_value(void **state)
{
	(void)state;
	value_is(0, "0");
	value_is(1284, "1284");
	value_is(-3, "-3");
	value_is(0.5, "0.5");
	value_is(0.1, "0.1");
	value_is(1795000100.25, "1795000100.25");
	value_is(1.0 / 3, "0.33333333333333331");
	value_is(1e20, "1e+20");
	value_is(NAN, "NaN");
	value_is(INFINITY, "+Inf");
	value_is(-INFINITY, "-Inf");
}

static void name_is(const char *kind, const char *name, enum metric_unit u, const char *want)
{
	char buf[128];
	assert_string_equal(prom_metric_name(kind, name, u, buf, sizeof buf), want);
}

static void test_names(void **state)
{
	(void)state;
	name_is("outbox", "oldest_pending_age_s", MU_SECONDS, "synctop_outbox_oldest_pending_age_seconds");
	name_is("outbox", "drain_per_s", MU_PER_SECOND, "synctop_outbox_drain_per_second");
	name_is("outbox", "pending", MU_COUNT, "synctop_outbox_pending");
	name_is("cache", "used_memory", MU_BYTES, "synctop_cache_used_memory_bytes");
	name_is("slot", "retained_bytes", MU_BYTES, "synctop_slot_retained_bytes");
	name_is("cache", "hit_ratio", MU_RATIO, "synctop_cache_hit_ratio");
	name_is("cache", "evicted_keys", MU_COUNTER, "synctop_cache_evicted_keys_total");
	name_is("document", "count", MU_COUNT, "synctop_document_items");
	name_is("graph", "source_count", MU_COUNT, "synctop_graph_source_items");
	name_is("search", "refresh_total", MU_COUNTER, "synctop_search_refresh_total");
	name_is("kafka", "lag_s", MU_SECONDS, "synctop_kafka_lag_seconds");
}

/* Every metric of every kind: a valid name, unique over all kinds, _total exactly on counters. */
static void test_all_names(void **state)
{
	(void)state;
	char seen[256][128];
	size_t n = 0, counters = 0;
	for (size_t k = 0; kinds[k]; k++)
		for (const struct metric_def *m = kinds[k]->metrics; m->name; m++) {
			if (m->unit == MU_TEXT || m->unit == MU_LIST)
				continue;
			char name[128];
			prom_metric_name(kinds[k]->name, m->name, m->unit, name, sizeof name);
			assert_true(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name));
			size_t len = strlen(name);
			bool total = len > 6 && !strcmp(name + len - 6, "_total");
			if (total != (m->unit == MU_COUNTER))
				fail_msg("%s: _total on a counter and only there", name);
			/* promtool check metrics: these suffixes belong to histograms and summaries. */
			if (len > 6 &&
			    (!strcmp(name + len - 6, "_count") || !strcmp(name + len - 4, "_sum") ||
			     !strcmp(name + len - 7, "_bucket")))
				fail_msg("%s: a suffix of histograms and summaries", name);
			counters += total;
			for (size_t i = 0; i < n; i++)
				if (!strcmp(seen[i], name))
					fail_msg("%s: two metrics export as it", name);
			assert_true(n < 256);
			strcpy(seen[n++], name);
		}
	assert_true(n >= 60);
	assert_int_equal(counters, 5); /* evicted_keys, rejected_connections, refresh_total, ... */
}

static const char *const INI = "[postgres shop]\n"
                               "conninfo = host=db.internal dbname=shop user=app password=hunter2\n"
                               "[kafka main]\nbrokers = kafka.internal:9092\n"
                               "[redis sessions]\nurl = redis://:hunter2@cache.internal:6379/0\n"
                               "[pipeline products]\n"
                               "outbox = shop\n"
                               "outbox.table = public.outbox\n"
                               "slot = shop\n"
                               "kafka = main\n"
                               "kafka.group = idx\"er\\1\n"
                               "[pipeline web]\n"
                               "cache = sessions\n";

static const char *const WANT =
    "# HELP synctop_info synctop's version and the backends built in\n"
    "# TYPE synctop_info gauge\n"
    "synctop_info{version=\"" PACKAGE_VERSION "\",backends=\"BACKENDS\"} 1\n"
    "# HELP synctop_pipeline_status the pipeline's worst stage status: 0 ok, 1 warn, 2 crit, 3 unknown\n"
    "# TYPE synctop_pipeline_status gauge\n"
    "synctop_pipeline_status{pipeline=\"products\"} 3\n"
    "synctop_pipeline_status{pipeline=\"web\"} 2\n"
    "# HELP synctop_stage_up 1 when the stage's last poll read it, 0 when it could not be read\n"
    "# TYPE synctop_stage_up gauge\n"
    "synctop_stage_up{pipeline=\"products\",stage=\"outbox\",kind=\"outbox\"} 1\n"
    "synctop_stage_up{pipeline=\"products\",stage=\"slot\",kind=\"slot\"} 0\n"
    "synctop_stage_up{pipeline=\"products\",stage=\"kafka\",kind=\"kafka\"} 1\n"
    "synctop_stage_up{pipeline=\"web\",stage=\"cache\",kind=\"cache\"} 1\n"
    "# HELP synctop_stage_status the stage's status: 0 ok, 1 warn, 2 crit, 3 unknown (the "
    "monitoring-plugin exit codes)\n"
    "# TYPE synctop_stage_status gauge\n"
    "synctop_stage_status{pipeline=\"products\",stage=\"outbox\",kind=\"outbox\"} 1\n"
    "synctop_stage_status{pipeline=\"products\",stage=\"slot\",kind=\"slot\"} 3\n"
    "synctop_stage_status{pipeline=\"products\",stage=\"kafka\",kind=\"kafka\"} 0\n"
    "synctop_stage_status{pipeline=\"web\",stage=\"cache\",kind=\"cache\"} 2\n"
    "# HELP synctop_stage_status_since_timestamp_seconds when the stage entered its status (Unix "
    "time), as far as synctop saw\n"
    "# TYPE synctop_stage_status_since_timestamp_seconds gauge\n"
    "synctop_stage_status_since_timestamp_seconds{pipeline=\"web\",stage=\"cache\",kind=\"cache\"} "
    "1794999000.5\n"
    "# HELP synctop_stage_poll_age_seconds how long before the snapshot the stage's last poll ended\n"
    "# TYPE synctop_stage_poll_age_seconds gauge\n"
    "synctop_stage_poll_age_seconds{pipeline=\"products\",stage=\"outbox\",kind=\"outbox\"} 2\n"
    "synctop_stage_poll_age_seconds{pipeline=\"products\",stage=\"slot\",kind=\"slot\"} 2\n"
    "synctop_stage_poll_age_seconds{pipeline=\"products\",stage=\"kafka\",kind=\"kafka\"} 2\n"
    "synctop_stage_poll_age_seconds{pipeline=\"web\",stage=\"cache\",kind=\"cache\"} 2\n"
    "# HELP synctop_stage_latency_seconds how long the stage's last poll took\n"
    "# TYPE synctop_stage_latency_seconds gauge\n"
    "synctop_stage_latency_seconds{pipeline=\"products\",stage=\"outbox\",kind=\"outbox\"} 0.0123\n"
    "synctop_stage_latency_seconds{pipeline=\"products\",stage=\"slot\",kind=\"slot\"} 2\n"
    "synctop_stage_latency_seconds{pipeline=\"products\",stage=\"kafka\",kind=\"kafka\"} 0.0031\n"
    "synctop_stage_latency_seconds{pipeline=\"web\",stage=\"cache\",kind=\"cache\"} 0.0031\n"
    "# HELP synctop_diagnosis_active 1 for each diagnosis in force (a runbook rule, see synctop "
    "--list-rules)\n"
    "# TYPE synctop_diagnosis_active gauge\n"
    "DIAGS"
    "# HELP synctop_diagnosis_since_timestamp_seconds when the diagnosis's condition started (Unix "
    "time): from the data when the rule knows it, else when synctop first saw it\n"
    "# TYPE synctop_diagnosis_since_timestamp_seconds gauge\n"
    "SINCE"
    "# HELP synctop_outbox_pending outbox stage: pending of --format json (a count)\n"
    "# TYPE synctop_outbox_pending gauge\n"
    "synctop_outbox_pending{pipeline=\"products\",stage=\"outbox\",table=\"public.outbox\"} 137\n"
    "# HELP synctop_outbox_pending_capped outbox stage: pending_capped of --format json (1 true, 0 "
    "false)\n"
    "# TYPE synctop_outbox_pending_capped gauge\n"
    "synctop_outbox_pending_capped{pipeline=\"products\",stage=\"outbox\",table=\"public.outbox\"} 0\n"
    "# HELP synctop_outbox_oldest_pending_age_seconds outbox stage: oldest_pending_age_s of --format "
    "json (seconds)\n"
    "# TYPE synctop_outbox_oldest_pending_age_seconds gauge\n"
    "synctop_outbox_oldest_pending_age_seconds{pipeline=\"products\",stage=\"outbox\",table=\"public."
    "outbox\"} 600.5\n"
    "# HELP synctop_outbox_failed outbox stage: failed of --format json (a count)\n"
    "# TYPE synctop_outbox_failed gauge\n"
    "synctop_outbox_failed{pipeline=\"products\",stage=\"outbox\",table=\"public.outbox\"} 5\n"
    "# HELP synctop_outbox_info outbox stage: its text metrics of --format json, as labels\n"
    "# TYPE synctop_outbox_info gauge\n"
    "synctop_outbox_info{pipeline=\"products\",stage=\"outbox\",table=\"public.outbox\",evaluation="
    "\"a \\\"quoted\\\" word\\\\\\\\x07\"} 1\n" /* on one line, the bell shown as \x07 */
    "# HELP synctop_kafka_lag kafka stage: lag of --format json (a count)\n"
    "# TYPE synctop_kafka_lag gauge\n"
    "synctop_kafka_lag{pipeline=\"products\",stage=\"kafka\",group=\"idx\\\"er\\\\1\"} 7\n"
    "# HELP synctop_kafka_partition_lag kafka stage: messages of the partition the group has not "
    "committed (a count)\n"
    "# TYPE synctop_kafka_partition_lag gauge\n"
    "synctop_kafka_partition_lag{pipeline=\"products\",stage=\"kafka\",group=\"idx\\\"er\\\\1\","
    "topic=\"orders\",partition=\"0\"} 7\n"
    "# HELP synctop_kafka_partition_committed_offset kafka stage: the group's committed offset on the "
    "partition (a count)\n"
    "# TYPE synctop_kafka_partition_committed_offset gauge\n"
    "synctop_kafka_partition_committed_offset{pipeline=\"products\",stage=\"kafka\",group=\"idx\\\"er\\"
    "\\1\",topic=\"orders\",partition=\"0\"} 3\n"
    "synctop_kafka_partition_committed_offset{pipeline=\"products\",stage=\"kafka\",group=\"idx\\\"er\\"
    "\\1\",topic=\"orders\",partition=\"1\"} 4\n"
    "# HELP synctop_kafka_partition_end_offset kafka stage: the partition's end offset (its next "
    "message) (a count)\n"
    "# TYPE synctop_kafka_partition_end_offset gauge\n"
    "synctop_kafka_partition_end_offset{pipeline=\"products\",stage=\"kafka\",group=\"idx\\\"er\\\\1\","
    "topic=\"orders\",partition=\"0\"} 10\n"
    "# HELP synctop_cache_evicted_keys_total cache stage: evicted_keys of --format json (a counter of "
    "the server)\n"
    "# TYPE synctop_cache_evicted_keys_total counter\n"
    "synctop_cache_evicted_keys_total{pipeline=\"web\",stage=\"cache\"} 12345\n"
    "# HELP synctop_cache_evicted_per_second cache stage: evicted_per_s of --format json (per second, "
    "over the last polls)\n"
    "# TYPE synctop_cache_evicted_per_second gauge\n"
    "synctop_cache_evicted_per_second{pipeline=\"web\",stage=\"cache\"} 250.5\n";

/* WANT with its placeholders filled in. */
static char *want(const char *backends, const char *diags, const char *since)
{
	const char *const from[] = {"BACKENDS", "DIAGS", "SINCE"};
	const char *const to[] = {backends, diags, since};
	char *s = strdup(WANT);
	for (size_t i = 0; i < 3; i++) {
		char *at = strstr(s, from[i]);
		assert_non_null(at);
		char *t = malloc(strlen(s) + strlen(to[i]) + 1);
		sprintf(t, "%.*s%s%s", (int)(at - s), s, to[i], at + strlen(from[i]));
		free(s);
		s = t;
	}
	return s;
}

static void test_snapshot(void **state)
{
	(void)state;
	struct fx *f = fixture_open(INI);
	struct snapshot *snap = &f->snap;
	snap->taken_at = 1795000102.0; /* the fixture's polls end at 1795000100 */
	struct stage_view *ob = &snap->pipes[0].stages[0], *slot = &snap->pipes[0].stages[1],
	                  *kafka = &snap->pipes[0].stages[2], *cache = &snap->pipes[1].stages[0];
	fixture_sample(ob,
	               "{\"pending\": 137, \"pending_capped\": false, \"oldest_pending_age_s\": 600.5, "
	               "\"failed\": 5, \"evaluation\": \"a \\\"quoted\\\"\\nword\\\\\\u0007\"}",
	               NULL, 0);
	ob->cur.latency_ms = 12.34; /* to a tenth of a millisecond */
	fixture_error(slot, "timeout: the server did not answer in time");
	fixture_sample(kafka,
	               "{\"lag\": 7, \"partition_lags\": [{\"topic\": \"orders\", \"partition\": 0, "
	               "\"committed\": 3, \"end\": 10, \"lag\": 7}, {\"topic\": \"orders\", "
	               "\"partition\": 1, \"committed\": 4, \"end\": null, \"lag\": null}]}",
	               NULL, 0);
	fixture_sample(cache, "{\"evicted_keys\": 12345, \"evicted_per_s\": 250.5}", NULL, 0);
	health_evaluate(snap);
	/* The statuses the renderer shows are the snapshot's, whatever the rules said. */
	ob->status = ST_WARN;
	kafka->status = ST_OK;
	cache->status = ST_CRIT;
	cache->since = 1794999000.5;
	snap->pipes[0].status = ST_UNKNOWN;
	snap->pipes[1].status = ST_CRIT;

	/* The diagnoses are what health_evaluate found: one series each, a since when known. */
	char *diags = NULL, *since = NULL;
	{
		size_t l1, l2;
		FILE *d = open_memstream(&diags, &l1), *s = open_memstream(&since, &l2);
		for (size_t i = 0; i < snap->n_pipes; i++)
			for (size_t j = 0; j < snap->pipes[i].n_diags; j++) {
				struct diagnosis *dg = &snap->pipes[i].diags[j];
				dg->since = j ? 0 : 1794990000.0;
				fprintf(d, "synctop_diagnosis_active");
				fprintf(d, DIAG_LABELS, snap->pipes[i].cfg->name, dg->stage->kind->name,
				        dg->rule, status_name(dg->severity));
				fprintf(d, " 1\n");
				if (dg->since > 0) {
					fprintf(s, "synctop_diagnosis_since_timestamp_seconds");
					fprintf(s, DIAG_LABELS, snap->pipes[i].cfg->name,
					        dg->stage->kind->name, dg->rule, status_name(dg->severity));
					fprintf(s, " 1794990000\n");
				}
			}
		fclose(d);
		fclose(s);
	}
	assert_true(strstr(diags, "rule=\"poison-rows\",severity=\"warn\"} 1\n") != NULL);
	assert_true(strstr(diags, "rule=\"cache-evicting\",severity=\"crit\"} 1\n") != NULL);

	char *got = NULL;
	CAPTURE(got, report_prometheus(out, snap));
	/* The backends of this build, as --version names them. */
	const char *b = strstr(got, "backends=\"");
	assert_non_null(b);
	char backends[128];
	snprintf(backends, sizeof backends, "%.*s", (int)strcspn(b + 10, "\""), b + 10);
	char *w = want(backends, diags, since);
	assert_string_equal(got, w);
	assert_null(strstr(got, "hunter2"));
	free(w);
	free(got);
	free(diags);
	free(since);
	fixture_close(f);
}

/* One pipeline per kind, every metric known: every family of --list-metrics but the lists'
   items (more than the 64 the renderer starts with room for), each once with its HELP and TYPE. */
static const char *const ALL = "[postgres shop]\nconninfo = host=db dbname=shop\n"
                               "[kafka main]\nbrokers = kafka:9092\n"
                               "[redis sessions]\nurl = redis://cache:6379/0\n"
                               "[connect workers]\nurl = http://connect:8083\n"
                               "[search es]\nurl = http://es:9200\n"
                               "[http relay]\nurl = http://relay:8081\n"
                               "[mongodb catalog]\nurl = mongodb://mongo:27017\n"
                               "[pipeline p1]\noutbox = shop\n"
                               "[pipeline p2]\nslot = shop\n"
                               "[pipeline p3]\nkafka = main\nkafka.group = g\n"
                               "[pipeline p4]\nconnector = workers\nconnector.name = sink\n"
                               "[pipeline p5]\nsearch = es\nsearch.index = products\n"
                               "[pipeline p6]\ncache = sessions\n"
                               "[pipeline p7]\nworker = relay\nworker.state = /admin/state\n"
                               "[pipeline p8]\ntimeseries = relay\ntimeseries.database = shop\n"
                               "timeseries.measurement = orders\n"
                               "[pipeline p9]\ngraph = relay\ngraph.count = MATCH (p:P) RETURN count(p)\n"
                               "[pipeline p10]\ndocument = catalog\ndocument.database = shop\n"
                               "document.collection = products\n";

static void test_every_family(void **state)
{
	(void)state;
	struct fx *f = fixture_open(ALL);
	size_t want = 9; /* the generic families */
	for (size_t i = 0; i < f->snap.n_pipes; i++) {
		struct stage_view *sv = &f->snap.pipes[i].stages[0];
		json_t *m = json_object();
		bool text = false;
		for (const struct metric_def *d = sv->cfg->kind->metrics; d->name; d++) {
			json_t *v = d->unit == MU_TEXT   ? json_string("t")
			            : d->unit == MU_BOOL ? json_true()
			            : d->unit == MU_LIST ? json_array()
			                                 : json_integer(1);
			json_object_set_new(m, d->name, v);
			want += d->unit != MU_TEXT && d->unit != MU_LIST;
			text |= d->unit == MU_TEXT;
		}
		want += text;
		char *js = json_dumps(m, 0);
		fixture_sample(sv, js, NULL, 0);
		free(js);
		json_decref(m);
	}
	assert_int_equal(f->snap.n_pipes, kind_count());
	assert_true(want > 64);
	char *got = NULL;
	CAPTURE(got, report_prometheus(out, &f->snap));
	size_t types = 0, helps = 0;
	for (const char *l = got; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		types += !strncmp(l, "# TYPE ", 7);
		helps += !strncmp(l, "# HELP ", 7);
	}
	assert_int_equal(types, want);
	assert_int_equal(helps, want);
	for (size_t k = 0; kinds[k]; k++)
		for (const struct metric_def *d = kinds[k]->metrics; d->name; d++) {
			char name[128], line[256];
			if (d->unit == MU_TEXT || d->unit == MU_LIST)
				continue;
			prom_metric_name(kinds[k]->name, d->name, d->unit, name, sizeof name);
			snprintf(line, sizeof line, "\n# TYPE %s %s\n", name,
			         d->unit == MU_COUNTER ? "counter" : "gauge");
			if (!strstr(got, line))
				fail_msg("no %s", line + 1);
		}
	free(got);
	fixture_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),   cmocka_unit_test(test_value),
	    cmocka_unit_test(test_names),    cmocka_unit_test(test_all_names),
	    cmocka_unit_test(test_snapshot), cmocka_unit_test(test_every_family),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
