/* test_rules.c: the document stage's rules (the generic copy-missing and copy-stale of
   kinds/copy.c) on hand-made samples, the outbox before it quiet or holding rows on their way:
   statuses, the exact evidence, a near miss of each; its figures, target, export labels and
   config checks. */
/* needs: mongoc kafka */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../config_text.h"
#include "../../fixture.h"
#include "health.h"
#include "kinds/document/document.h"

#define MONGO "[mongodb catalog]\nurl = mongodb://mongo:27017\n"
#define DOC   "document = catalog\ndocument.database = shop\ndocument.collection = products\n"
static const char *const INI = PG MONGO "[pipeline products]\noutbox = shop\n" DOC
                                        "document.source_count = SELECT count(*) FROM products\n"
                                        "document.missing_warn = 5\ndocument.missing_crit = 50\n"
                                        "document.freshness_field = updated_at\n"
                                        "document.source_freshness = SELECT max(updated_at) FROM products\n";

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

#define OUTBOX(f) (&(f)->snap.pipes[0].stages[0])
#define DOCS(f)   (&(f)->snap.pipes[0].stages[1])

static const struct pipeline_view *eval(struct fx *f, int pending, const char *metrics)
{
	char o[128];
	snprintf(o, sizeof o, "{\"pending\": %d, \"failed\": 0}", pending);
	fixture_sample(OUTBOX(f), o, NULL, 0);
	fixture_sample(DOCS(f), metrics, NULL, 0);
	health_evaluate(&f->snap);
	return &f->snap.pipes[0];
}

static void test_missing(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, 0,
	         "{\"count\": 1190, \"source_count\": 1210, \"missing\": 20, \"missing_floor\": 12, "
	         "\"missing_span_s\": 30}");
	assert_int_equal(DOCS(f)->status, ST_WARN);
	assert_string_equal(DOCS(f)->reason, "20 documents missing from the collection shop.products");
	const struct diagnosis *d = fixture_diag(pv, "copy-missing");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_REPLAY);
	assert_string_equal(d->evidence,
	                    "source 1,210 rows, documents 1,190: 20 missing, at least 12 throughout the "
	                    "last 30s; 0 on their way");
	char buf[128];
	document_kind.figures(DOCS(f), buf, sizeof buf);
	assert_string_equal(buf, "1,190 documents, 20 missing of 1,210 rows");
	document_kind.target(DOCS(f)->cfg, buf, sizeof buf);
	assert_string_equal(buf, "shop.products");
	struct export_label l[EXPORT_LABELS] = {{0}};
	assert_int_equal(document_kind.export_labels(DOCS(f), l), 2);
	assert_string_equal(l[0].name, "database");
	assert_string_equal(l[0].value, "shop");
	assert_string_equal(l[1].name, "collection");
	assert_string_equal(l[1].value, "products");

	/* Crit from 50 lost; a near miss at 4 (warn from 5). */
	pv = eval(f, 0,
	          "{\"count\": 1000, \"source_count\": 1060, \"missing\": 60, \"missing_floor\": 60, "
	          "\"missing_span_s\": 30}");
	assert_int_equal(fixture_diag(pv, "copy-missing")->severity, ST_CRIT);
	pv = eval(f, 0,
	          "{\"count\": 1000, \"source_count\": 1004, \"missing\": 4, \"missing_floor\": 4, "
	          "\"missing_span_s\": 30}");
	assert_int_equal(DOCS(f)->status, ST_OK);
	assert_null(fixture_diag(pv, "copy-missing"));
}

static void test_missing_in_flight(void **state)
{
	struct fx *f = *state;
	/* 12 missing throughout, 8 of them still pending in the outbox: 4 lost, under 5. */
	const struct pipeline_view *pv =
	    eval(f, 8,
	         "{\"count\": 1190, \"source_count\": 1202, \"missing\": 12, \"missing_floor\": 12, "
	         "\"missing_span_s\": 30}");
	assert_int_equal(DOCS(f)->status, ST_OK);
	assert_null(fixture_diag(pv, "copy-missing"));
	pv = eval(f, 7,
	          "{\"count\": 1190, \"source_count\": 1202, \"missing\": 12, \"missing_floor\": 12, "
	          "\"missing_span_s\": 30}");
	assert_int_equal(DOCS(f)->status, ST_WARN);
	assert_non_null(fixture_diag(pv, "copy-missing"));
}

static void test_stale(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(f, 0, "{\"count\": 10, \"freshness_lag_s\": 45}");
	assert_int_equal(DOCS(f)->status, ST_WARN);
	assert_string_equal(DOCS(f)->reason, "newest copy 45s behind the source");
	const struct diagnosis *d = fixture_diag(pv, "copy-stale");
	assert_non_null(d);
	assert_string_equal(d->evidence,
	                    "the newest source row is 45s newer than the newest of the collection "
	                    "shop.products");
	pv = eval(f, 0, "{\"count\": 10, \"freshness_lag_s\": 300}");
	assert_int_equal(fixture_diag(pv, "copy-stale")->severity, ST_CRIT);
	pv = eval(f, 0, "{\"count\": 10, \"freshness_lag_s\": 29.9}");
	assert_int_equal(DOCS(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* The runbook's "stale copy because its consumer stopped": a kafka stage before the collection
   whose group stopped explains copy-stale, which becomes its consequence (warn, no action, the
   next step pointing at the consumer). */
static void test_stale_because_consumer_stopped(void **state)
{
	(void)state;
	struct fx *f = fixture_open(
	    PG MONGO "[kafka main]\nbrokers = k:9092\n"
	             "[pipeline catalog]\nkafka = main\nkafka.group = catalog-writer\n"
	             "kafka.topics = shop.products\n" DOC "document.freshness_field = updated_at\n"
	             "document.source = shop\n"
	             "document.source_freshness = SELECT max(updated_at) FROM products\n");
	fixture_sample(
	    &f->snap.pipes[0].stages[0],
	    "{\"lag\": 500, \"max_partition_lag\": 500, \"partitions\": 1, \"evaluation\": \"STOP\", "
	    "\"evaluated_s\": 10, \"lag_from\": 320, \"consumed\": 0, \"lag_s\": 400}",
	    NULL, 0);
	fixture_sample(&f->snap.pipes[0].stages[1], "{\"count\": 10, \"freshness_lag_s\": 400}", NULL, 0);
	health_evaluate(&f->snap);
	const struct pipeline_view *pv = &f->snap.pipes[0];
	assert_string_equal(pv->diags[0].rule, "kafka-stop");
	const struct diagnosis *d = fixture_diag(pv, "copy-stale");
	assert_non_null(d);
	assert_string_equal(d->because, "kafka: kafka-stop");
	assert_int_equal(d->severity, ST_WARN); /* 400 s is crit on its own */
	assert_int_equal(d->action, ACTION_NONE);
	assert_int_equal(f->snap.pipes[0].stages[1].status, ST_WARN);
	fixture_close(f);
}

static void test_checks(void **state)
{
	(void)state;
	expect_error(PG MONGO "[pipeline p]\ndocument = catalog\ndocument.database = shop\n",
	             "6: the document stage needs document.database and document.collection");
	expect_error(PG MONGO "[pipeline p]\n" DOC "document.count = approximate\n",
	             "6: document.count: 'approximate' is neither estimated nor exact");
	expect_error(PG MONGO "[pipeline p]\n" DOC "document.filter = {\"deleted\": false}\n",
	             "6: document.filter needs document.count = exact (an estimated count is the whole "
	             "collection's)");
	expect_error(PG MONGO "[pipeline p]\n" DOC "document.count = exact\ndocument.filter = [1]\n",
	             "6: document.filter: not a JSON object");
	expect_error(PG MONGO "[pipeline p]\n" DOC "document.count = exact\ndocument.filter = {\"a\": \n",
	             "6: document.filter: not JSON: unexpected token near end of file");
	expect_error(PG MONGO "[pipeline p]\n" DOC "document.freshness_field = updated_at\n",
	             "6: document.freshness_field and document.source_freshness go together: set both or "
	             "neither");
	expect_error(MONGO "[pipeline p]\n" DOC "document.source_count = SELECT 1\n",
	             "4: document.source_count and document.source_freshness run on a postgres connection: "
	             "set document.source = CONNECTION (or give the pipeline an outbox stage)");
	expect_error(PG MONGO "[pipeline p]\n" DOC
	                      "document.source = catalog\ndocument.source_count = SELECT 1\n",
	             "6: document.source needs a postgres connection; 'catalog' is a mongodb connection");
	expect_error("[mongodb catalog]\nurl = http://mongo:27017\n",
	             "2: bad value 'http://mongo:27017' for url: expected a URL starting with mongodb:// or "
	             "mongodb+srv://");
	/* An '@' in the password: libmongoc would split there and show the rest as a host name. */
	expect_error("[mongodb catalog]\nurl = mongodb://u:XKp@ss@mongo:27017/\n",
	             "2: url: the user name or password holds '@' or '/': percent-encode them (%40, %2F), as "
	             "the MongoDB URI requires");
	expect_error("[mongodb catalog]\nurl = mongodb://u:XKpa/ss@mongo:27017/\n",
	             "2: url: the user name or password holds '@' or '/': percent-encode them (%40, %2F), as "
	             "the MongoDB URI requires");
	expect_error("[mongodb catalog]\n",
	             "1: [mongodb catalog] is missing url (e.g. url = mongodb://localhost:27017)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_in_flight, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
	    cmocka_unit_test(test_stale_because_consumer_stopped),
	    cmocka_unit_test(test_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
