/* test_config_pipeline.c: [pipeline] sections: stages, their options, and every FILE:LINE error of them. */
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "config_file.h"
#include "config_priv.h"
#include "config_text.h"
#include "kinds/cache/cache.h"
#include "kinds/kind.h"
#include "kinds/kafka/kafka.h"
#include "kinds/outbox/outbox.h"
#include "kinds/search/search.h"
#include "kinds/slot/slot.h"

/* ---------------------------------------------------------------- pipelines */

#ifdef HAVE_POSTGRES
static void test_pipeline_flow_order_and_defaults(void **state)
{
	(void)state;
	struct config *cfg = load_ok("[pipeline products]\n" /* 1: before its connection */
	                             "slot = shop\n"         /* 2 */
	                             "outbox = shop\n"       /* 3 */
	                             "\n[postgres shop]\n"   /* 5 */
	                             "conninfo = host=db dbname=shop\n");
	assert_int_equal(cfg->n_pipelines, 1);
	struct pipeline *pl = &cfg->pipelines[0];
	assert_string_equal(pl->name, "products");
	assert_int_equal(pl->line, 1);
	assert_int_equal(pl->n_stages, 2);
	struct stage_cfg *ob = &pl->stages[0], *sl = &pl->stages[1];
	assert_ptr_equal(ob->kind, &outbox_kind);
	assert_int_equal(ob->line, 3);
	assert_ptr_equal(sl->kind, &slot_kind);
	assert_int_equal(sl->line, 2);
	assert_ptr_equal(ob->conn, &cfg->conns[0]);
	assert_ptr_equal(sl->conn, &cfg->conns[0]);

	struct conn *c = &cfg->conns[0];
	assert_string_equal(c->name, "shop");
	assert_int_equal(c->kind, CONN_POSTGRES);
	assert_int_equal(c->line, 5);
	assert_string_equal(c->file, cfg->path);
	assert_string_equal(c->conninfo, "host=db dbname=shop");
	assert_string_equal(c->display, "shop (host=db dbname=shop)");

	assert_string_equal(outbox_opts(ob)->table, "outbox");
	assert_string_equal(outbox_opts(ob)->pending, "NOT processed");
	assert_string_equal(outbox_opts(ob)->id_column, "id");
	assert_string_equal(outbox_opts(ob)->created_column, "created_at");
	assert_string_equal(outbox_opts(ob)->attempts_column, "attempts");
	assert_string_equal(outbox_opts(ob)->error_column, "last_error");
	assert_int_equal(outbox_opts(ob)->count_cap, 100000);
	assert_int_equal(outbox_opts(ob)->max_attempts, 5);
	assert_int_equal(outbox_opts(ob)->seqscan_rows, 10000);
	assert_int_equal(outbox_opts(ob)->pending_warn, 1000);
	assert_int_equal(outbox_opts(ob)->pending_crit, 10000);
	assert_true(outbox_opts(ob)->oldest_warn_s == 60);
	assert_true(outbox_opts(ob)->oldest_crit_s == 300);
	assert_int_equal(outbox_opts(ob)->failed_warn, 1);
	assert_int_equal(outbox_opts(ob)->failed_crit, 100);
	assert_null(slot_opts(sl)->slot_names);
	assert_int_equal(slot_opts(sl)->retained_warn, 1073741824LL);
	assert_int_equal(slot_opts(sl)->retained_crit, 10737418240LL);

	char buf[64];
	assert_string_equal(stage_target(ob, buf, sizeof buf), "outbox");
	assert_string_equal(stage_target(sl, buf, sizeof buf), "*");
	config_free(cfg);
}

static void test_stage_options(void **state)
{
	(void)state;
	struct config *cfg = load_ok(PG "[pipeline orders]\n"
	                                "outbox.table = sales.\"Outbox\"\n"
	                                "outbox.pending = status = 'PENDING'\n"
	                                "outbox.id_column = event_id\n"
	                                "outbox.created_column = inserted_at\n"
	                                "outbox.attempts_column =\n"
	                                "outbox.error_column =\n"
	                                "outbox.count_cap = 5000\n"
	                                "outbox.max_attempts = 10\n"
	                                "outbox.seqscan_rows = 0\n"
	                                "outbox.pending_warn = 10\n"
	                                "outbox.pending_crit = 10\n"
	                                "outbox.oldest_warn = 30s\n"
	                                "outbox.oldest_crit = 1h\n"
	                                "outbox.failed_warn = 0\n"
	                                "outbox.failed_crit = 3\n"
	                                "outbox = shop\n"
	                                "slot = shop\n"
	                                "slot.names = a_slot, b_slot ,c\n"
	                                "slot.retained_warn = 512MB\n"
	                                "slot.retained_crit = 2GiB\n"
	                                "[pipeline all_slots]\n"
	                                "slot = shop\n"
	                                "slot.names = *\n");
	struct stage_cfg *ob = &cfg->pipelines[0].stages[0], *sl = &cfg->pipelines[0].stages[1];
	assert_string_equal(outbox_opts(ob)->table, "sales.\"Outbox\"");
	assert_string_equal(outbox_opts(ob)->pending, "status = 'PENDING'");
	assert_string_equal(outbox_opts(ob)->id_column, "event_id");
	assert_string_equal(outbox_opts(ob)->created_column, "inserted_at");
	assert_string_equal(outbox_opts(ob)->attempts_column, "");
	assert_string_equal(outbox_opts(ob)->error_column, "");
	assert_int_equal(outbox_opts(ob)->count_cap, 5000);
	assert_int_equal(outbox_opts(ob)->max_attempts, 10);
	assert_int_equal(outbox_opts(ob)->seqscan_rows, 0);
	assert_int_equal(outbox_opts(ob)->pending_warn, 10);
	assert_int_equal(outbox_opts(ob)->pending_crit, 10);
	assert_true(outbox_opts(ob)->oldest_warn_s == 30);
	assert_true(outbox_opts(ob)->oldest_crit_s == 3600);
	assert_int_equal(outbox_opts(ob)->failed_warn, 0);
	assert_int_equal(outbox_opts(ob)->failed_crit, 3);
	assert_int_equal(ob->line, 19);

	assert_non_null(slot_opts(sl)->slot_names);
	assert_string_equal(slot_opts(sl)->slot_names[0], "a_slot");
	assert_string_equal(slot_opts(sl)->slot_names[1], "b_slot");
	assert_string_equal(slot_opts(sl)->slot_names[2], "c");
	assert_null(slot_opts(sl)->slot_names[3]);
	assert_int_equal(slot_opts(sl)->retained_warn, 512000000);
	assert_int_equal(slot_opts(sl)->retained_crit, 2147483648LL);
	char buf[64];
	assert_string_equal(stage_target(sl, buf, sizeof buf), "a_slot,b_slot,c");
	assert_string_equal(stage_target(sl, buf, 5), "a_sl");

	assert_int_equal(cfg->pipelines[1].n_stages, 1);
	assert_null(slot_opts(&cfg->pipelines[1].stages[0])->slot_names);
	config_free(cfg);
}

static void test_two_pipelines_share_a_connection(void **state)
{
	(void)state;
	struct config *cfg = load_ok(PG "[pipeline a]\n"
	                                "outbox = shop\n"
	                                "[pipeline b]\n"
	                                "slot = shop\n"
	                                "[postgres other]\n"
	                                "conninfo = service=other\n");
	assert_int_equal(cfg->n_pipelines, 2);
	assert_int_equal(cfg->n_conns, 2);
	assert_ptr_equal(cfg->pipelines[0].stages[0].conn, &cfg->conns[0]);
	assert_ptr_equal(cfg->pipelines[1].stages[0].conn, &cfg->conns[0]);
	config_free(cfg);
}
#endif

static void test_stage_target_other_kinds(void **state)
{
	(void)state;
	struct search_opts so = {0};
	struct stage_cfg st = {.kind = &search_kind, .opts = &so};
	char buf[32] = "junk";
	assert_string_equal(stage_target(&st, buf, sizeof buf), "");
	/* cache: host:port/db from the URL, never its password */
	struct conn rc = {.url = "redis://:hunter2@cache.internal:6380/2"};
	struct stage_cfg c = {.kind = &cache_kind, .conn = &rc};
	assert_string_equal(stage_target(&c, buf, sizeof buf), "cache.internal:6380/2");
	/* kafka: the group, then its topics (or * for the topics it committed to) */
	char *topics[] = {"orders", "refunds", NULL};
	struct kafka_opts ko = {.group = "indexer", .topics = topics};
	struct stage_cfg k = {.kind = &kafka_kind, .opts = &ko};
	assert_string_equal(stage_target(&k, buf, sizeof buf), "indexer: orders,refunds");
	ko.topics = NULL;
	assert_string_equal(stage_target(&k, buf, sizeof buf), "indexer: *");
}

/* Non-finite numbers in every numeric kind of option: nan and inf pass any bound check. */
static void test_error_non_finite(void **state)
{
	(void)state;
	static const char *const words[] = {"nan", "NaN", "inf", "-inf", "infinity", "1e999"};
	for (size_t i = 0; i < ARRAY_LEN(words); i++) {
		char *text = xasprintf("[synctop]\ninterval = %s\n", words[i]);
		char *want = xasprintf(
		    "2: bad value '%s' for interval: expected a duration such as 500ms, 2s, 5m or 1h30m",
		    words[i]);
		expect_error(text, want);
		free(text);
		free(want);
		text = xasprintf("[synctop]\nhistory = %s\n", words[i]);
		want =
		    xasprintf("2: bad value '%s' for history: expected a whole number, e.g. 300", words[i]);
		expect_error(text, want);
		free(text);
		free(want);
#ifdef HAVE_POSTGRES
		text = xasprintf(PG "[pipeline p]\nslot = shop\nslot.retained_warn = %s\n", words[i]);
		want = xasprintf(
		    "5: bad value '%s' for slot.retained_warn: expected a size such as 512MB or 1GiB",
		    words[i]);
		expect_error(text, want);
		free(text);
		free(want);
		text = xasprintf(PG "[pipeline p]\noutbox = shop\noutbox.oldest_crit = %ss\n", words[i]);
		want =
		    xasprintf("5: bad value '%ss' for outbox.oldest_crit: expected a duration such as 500ms, "
		              "2s, 5m or 1h30m",
		              words[i]);
		expect_error(text, want);
		free(text);
		free(want);
#endif
#ifdef HAVE_REDIS
		/* ratios and rates: "a finite number" when strtod took it, else "a number" */
		const char *kind = strcmp(words[i], "1e999") ? "finite number" : "number";
		text = xasprintf(
		    "[redis r]\nurl = redis://h\n[pipeline p]\ncache = r\ncache.evicted_warn = %s\n",
		    words[i]);
		want = xasprintf("5: bad value '%s' for cache.evicted_warn: expected a %s, e.g. 1", words[i],
		                 kind);
		expect_error(text, want);
		free(text);
		free(want);
		text = xasprintf(
		    "[redis r]\nurl = redis://h\n[pipeline p]\ncache = r\ncache.used_crit = %s\n", words[i]);
		want = xasprintf("5: bad value '%s' for cache.used_crit: expected a %s, e.g. 0.95", words[i],
		                 kind);
		expect_error(text, want);
		free(text);
		free(want);
#endif
	}
}

/* search.index and connector.name are URL path segments: '.' and '..' would be resolved away. */
static void test_error_url_dot_segments(void **state)
{
	(void)state;
#ifdef HAVE_SEARCH
	static const char *const dots[] = {".", ".."};
	for (size_t i = 0; i < ARRAY_LEN(dots); i++) {
		char *text = xasprintf("[search es]\nurl = http://h:9200\n[pipeline p]\nsearch = es\n"
		                       "search.index = %s\n",
		                       dots[i]);
		char *want = xasprintf("5: bad value '%s' for search.index: '.' and '..' are not names (they "
		                       "would change the URL path)",
		                       dots[i]);
		expect_error(text, want);
		free(text);
		free(want);
		text = xasprintf("[connect kc]\nurl = http://h:8083\n[pipeline p]\nconnector = kc\n"
		                 "connector.name = %s\n",
		                 dots[i]);
		want =
		    xasprintf("5: bad value '%s' for connector.name: '.' and '..' are not names (they would "
		              "change the URL path)",
		              dots[i]);
		expect_error(text, want);
		free(text);
		free(want);
	}
	/* names with dots in them are names (hidden indices start with one) */
	struct config *cfg = load_ok("[search es]\nurl = http://h:9200\n[connect kc]\nurl = http://h:8083\n"
	                             "[pipeline p]\nsearch = es\nsearch.index = .hidden\n"
	                             "connector = kc\nconnector.name = ...\n");
	assert_string_equal(cfg->pipelines[0].stages[0].kind == &search_kind
	                        ? search_opts(&cfg->pipelines[0].stages[0])->index
	                        : search_opts(&cfg->pipelines[0].stages[1])->index,
	                    ".hidden");
	config_free(cfg);
#endif
}

#ifdef HAVE_POSTGRES
static void test_error_stage_references(void **state)
{
	(void)state;
	expect_error(PG "[pipeline p]\noutbox = shopp\n",
	             "4: outbox = shopp: no connection named 'shopp' (did you mean 'shop'?)");
	expect_error(PG "[pipeline p]\nslot = billing\n",
	             "4: slot = billing: no connection named 'billing' (define it with [postgres billing])");
	expect_error(PG "[pipeline p]\noutbox =\n", "4: outbox needs a connection name, e.g. outbox = shop");
#ifdef HAVE_REDIS
	expect_error(
	    PG "[redis sessions]\nurl = redis://localhost\n[pipeline p]\noutbox = shop\nslot = sessions\n",
	    "7: slot needs a postgres connection; 'sessions' is a redis connection");
	expect_error("[redis sessions]\nurl = redis://localhost\n[pipeline p]\noutbox = sessions\n",
	             "4: outbox needs a postgres connection; 'sessions' is a redis connection");
#endif
}

static void test_error_stage_option_without_stage(void **state)
{
	(void)state;
	expect_error(PG "[pipeline p]\nslot = shop\noutbox.table = public.outbox\noutbox.count_cap = 5\n",
	             "5: outbox.table is set but the pipeline has no outbox stage");
	expect_error(PG "[pipeline p]\nslot.names = a\noutbox = shop\n",
	             "4: slot.names is set but the pipeline has no slot stage");
}

static void test_error_empty_pipeline(void **state)
{
	(void)state;
	expect_error(PG "[pipeline x]\n", "3: pipeline 'x' has no stages (add e.g. outbox = CONNECTION)");
	expect_error(PG "[pipeline x]\n; nothing\n[pipeline y]\noutbox = shop\n",
	             "3: pipeline 'x' has no stages (add e.g. outbox = CONNECTION)");
}

static void test_error_thresholds(void **state)
{
	(void)state;
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.pending_warn = 20000\n",
	             "3: outbox.pending_warn (20000) is above outbox.pending_crit (10000) in [pipeline p]; a "
	             "warn level must not exceed its crit level");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.oldest_warn = 10m\n",
	             "3: outbox.oldest_warn (10m) is above outbox.oldest_crit (5m) in [pipeline p]; a warn "
	             "level must not exceed its crit level");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.failed_crit = 0\n",
	             "3: outbox.failed_warn (1) is above outbox.failed_crit (0) in [pipeline p]; a warn "
	             "level must not exceed its crit level");
	expect_error(PG "[pipeline p]\nslot = shop\nslot.retained_warn = 20GiB\n",
	             "3: slot.retained_warn (20 GiB) is above slot.retained_crit (10 GiB) in [pipeline p]; a "
	             "warn level must not exceed its crit level");
}
#endif

static void test_error_unavailable_stages(void **state)
{
	(void)state;
#ifdef HAVE_KAFKA
	expect_error("[kafka main]\nbrokers = localhost:9092\n[pipeline p]\nkafka = main\n",
	             "4: the kafka stage needs kafka.group (the consumer group to watch)");
	expect_error("[pipeline p]\nkafka.group = indexer\n",
	             "1: pipeline 'p' has no stages (add e.g. outbox = CONNECTION)");
#ifdef HAVE_POSTGRES
	expect_error("[postgres a]\nconninfo = x\n[pipeline p]\noutbox = a\nkafka.group = indexer\n",
	             "5: kafka.group is set but the pipeline has no kafka stage");
#endif
#else
	expect_error("[pipeline p]\nkafka = main\n",
	             "2: synctop was built without Kafka support (configure --with-kafka)");
#endif
#ifdef HAVE_SEARCH
	expect_error("[pipeline p]\nconnector = c\n",
	             "2: connector = c: no connection named 'c' (define it with [connect c])");
	expect_error("[connect c]\nurl = http://localhost:8083\n[pipeline p]\nconnector = c\n",
	             "4: the connector stage needs connector.name (the connector to watch)");
	expect_error("[pipeline p]\nsearch = es\n",
	             "2: search = es: no connection named 'es' (define it with [search es])");
	/* the search stage */
	static const char es[] = "[search es]\nurl = http://localhost:9200\n";
	static const char pg[] = "[postgres shop]\nconninfo = dbname=shop\n";
	char *t = xasprintf("%s[pipeline p]\nsearch = es\n", es);
	expect_error(t, "4: the search stage needs search.index (an index, alias or data stream)");
	free(t);
#ifdef HAVE_POSTGRES
	t = xasprintf(
	    "%s[pipeline p]\nsearch = es\nsearch.index = products\nsearch.source_count = SELECT 1\n", es);
	expect_error(t,
	             "4: search.source_count and search.source_freshness run on a postgres connection: set "
	             "search.source = CONNECTION (or give the pipeline an outbox stage)");
	free(t);
	t = xasprintf("%s[pipeline p]\nsearch = es\nsearch.index = products\nsearch.source = es\n"
	              "search.source_count = SELECT 1\n",
	              es);
	expect_error(t, "4: search.source needs a postgres connection; 'es' is a search connection");
	free(t);
	t = xasprintf("%s[pipeline p]\nsearch = es\nsearch.index = products\nsearch.source = nope\n"
	              "search.source_count = SELECT 1\n",
	              es);
	expect_error(t,
	             "4: search.source = nope: no connection named 'nope' (define it with [postgres nope])");
	free(t);
#else
	t = xasprintf(
	    "%s[pipeline p]\nsearch = es\nsearch.index = products\nsearch.source_count = SELECT 1\n", es);
	expect_error(t, "4: search.source_count and search.source_freshness need PostgreSQL, and this "
	                "synctop was built without it (--with-postgres)");
	free(t);
#endif
#ifdef HAVE_POSTGRES /* [postgres shop] */
	t = xasprintf("%s%s[pipeline p]\nsearch = es\nsearch.index = products\nsearch.source = shop\n", es,
	              pg);
	expect_error(
	    t, "6: search.source is set but neither search.source_count nor search.source_freshness is");
	free(t);
	t = xasprintf("%s%s[pipeline p]\nsearch = es\nsearch.index = products\nsearch.freshness_field = u\n",
	              es, pg);
	expect_error(
	    t, "6: search.freshness_field and search.source_freshness go together: set both or neither");
	free(t);
#else
	(void)pg;
#endif
	t = xasprintf("%s[pipeline p]\nsearch = es\nsearch.index = products\nsearch.missing_warn = 10\n"
	              "search.missing_crit = 5\n",
	              es);
	expect_error(t,
	             "3: search.missing_warn (10) is above search.missing_crit (5) in [pipeline p]; a warn "
	             "level must not exceed its crit level");
	free(t);
#ifdef HAVE_POSTGRES
	/* the source defaults to the outbox stage's connection, and to search.source when set */
	t = xasprintf("%s%s[postgres other]\nconninfo = dbname=o\n[pipeline p]\noutbox = shop\nsearch = es\n"
	              "search.index = products\nsearch.source_count = SELECT count(*) FROM products\n"
	              "[pipeline q]\nsearch = es\nsearch.index = b\nsearch.source = other\n"
	              "search.freshness_field = updated_at\nsearch.source_freshness = SELECT max(u) FROM b\n",
	              es, pg);
	struct config *cfg = load_ok(t);
	free(t);
	const struct stage_cfg *s1 = &cfg->pipelines[0].stages[1], *s2 = &cfg->pipelines[1].stages[0];
	assert_ptr_equal(s1->kind, &search_kind);
	assert_string_equal(search_opts(s1)->source->name, "shop");
	assert_string_equal(search_opts(s1)->index, "products");
	assert_int_equal(search_opts(s1)->missing_warn, 1);
	assert_int_equal(search_opts(s1)->missing_crit, 1000);
	assert_true(search_opts(s1)->missing_window_s == 30.0);
	assert_true(search_opts(s1)->freshness_warn_s == 30.0 && search_opts(s1)->freshness_crit_s == 300.0);
	assert_string_equal(search_opts(s2)->source->name, "other");
	assert_string_equal(search_opts(s2)->freshness_field, "updated_at");
	config_free(cfg);
#endif
	/* insecure is shown with the connection */
	struct config *c2 = load_ok("[search es]\nurl = https://u:pw@es:9200\ninsecure = true\n");
	assert_string_equal(c2->conns[0].display, "es (https://u:***@es:9200, TLS NOT VERIFIED)");
	config_free(c2);
#endif
#ifdef HAVE_REDIS
	expect_error("[pipeline p]\ncache = r\n",
	             "2: cache = r: no connection named 'r' (define it with [redis r])");
#endif
#ifndef HAVE_POSTGRES
	expect_error("[pipeline p]\noutbox = shop\n",
	             "2: synctop was built without PostgreSQL support (configure --with-postgres)");
	expect_error("[pipeline p]\nslot.names = a\n",
	             "2: synctop was built without PostgreSQL support (configure --with-postgres)");
#endif
}

/* ---------------------------------------------------------------- the kinds' options structs */

/* Every option of every kind names a field inside the kind's options struct (opts_size). */
static void test_option_offsets_fit(void **state)
{
	(void)state;
	for (size_t k = 0; k < kind_count(); k++) {
		const struct kind *kd = kinds[k];
		for (const struct opt_def *o = kd->options; o->key; o++) {
			size_t size = 0;
			switch (o->type) {
			case OPT_STR:
			case OPT_PATH:
			case OPT_LIST:
				size = sizeof(char *);
				break;
			case OPT_INT:
			case OPT_SIZE:
				size = sizeof(int64_t);
				break;
			case OPT_DURATION:
			case OPT_REAL:
				size = sizeof(double);
				break;
			case OPT_BOOL:
				size = sizeof(bool);
				break;
			case OPT_CONN: /* the stage's own conn */
				assert_true(o == kd->options);
				continue;
			}
			if (o->offset + size > kd->opts_size)
				fail_msg("%s: offset %zu + %zu beyond %zu", o->key, o->offset, size,
				         kd->opts_size);
		}
	}
}

/* The '.'/'..' check belongs to the options flagged as URL path segments, and only those. */
static void test_url_segment_options(void **state)
{
	(void)state;
	char keys[256] = "";
	for (size_t k = 0; k < kind_count(); k++)
		for (const struct opt_def *o = kinds[k]->options; o->key; o++)
			if (o->flags & OPT_URL_SEGMENT)
				snappendf(keys, sizeof keys, "%s%s", *keys ? " " : "", o->key);
	assert_string_equal(keys, "connector.name search.index graph.database");
}

/* A stage's options: allocated with their defaults, then freed by the table's types; a field
   that two keys share (password_env, password_file) is freed once. */
static void test_stage_opts_lifecycle(void **state)
{
	(void)state;
	struct stage_cfg st;
	stage_cfg_init(&st, &outbox_kind);
	assert_ptr_equal(st.kind, &outbox_kind);
	assert_null(st.conn);
	assert_string_equal(outbox_opts(&st)->table, "outbox");
	assert_int_equal(outbox_opts(&st)->count_cap, 100000);
	stage_cfg_free_fields(&st);
	assert_null(st.opts);
	assert_null(st.kind);

	struct conn c = {0};
	char msg[256];
	const struct opt_def *env = opt_find(conn_opts[CONN_KAFKA], "sasl_password_env");
	assert_true(opt_set(env, &c, "s3cret", false, msg, sizeof msg));
	c.properties = xcalloc(1, sizeof *c.properties);
	c.properties->key = xstrdup("acks");
	c.properties->value = xstrdup("all");
	assert_true(
	    opt_set(opt_find(conn_opts[CONN_KAFKA], "brokers"), &c, "b:9092", false, msg, sizeof msg));
	opt_free_fields(conn_opts[CONN_KAFKA], &c);
	assert_null(c.secret);
	assert_null(c.properties);
	assert_null(c.brokers);
}

/* What the UI and the poller ask a stage through its kind: the on-demand sample and the
   second connection. */
static void test_stage_hooks(void **state)
{
	(void)state;
	char buf[128];
	struct cache_opts co = {.sample_keys = 1000};
	struct stage_cfg cache = {.kind = &cache_kind, .opts = &co};
	assert_false(stage_sample_ready(&cache, buf, sizeof buf));
	assert_string_equal(buf,
	                    "no cache.key_prefix for this stage: set one (e.g. session:) to sample its keys");
	co.key_prefix = "session:";
	assert_true(stage_sample_ready(&cache, buf, sizeof buf));
	assert_string_equal(buf, "up to 1000 keys of session:*");
	assert_null(stage_extra_conn(&cache));

	struct conn pg = {.name = "shop"};
	struct search_opts so = {.source = &pg};
	struct stage_cfg search = {.kind = &search_kind, .opts = &so};
	strlcpy_safe(buf, "junk", sizeof buf);
	assert_true(stage_sample_ready(&search, buf, sizeof buf));
	assert_string_equal(buf, "");
	assert_ptr_equal(stage_extra_conn(&search), &pg);
	so.source = NULL;
	assert_null(stage_extra_conn(&search));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#ifdef HAVE_POSTGRES
	    cmocka_unit_test(test_pipeline_flow_order_and_defaults),
	    cmocka_unit_test(test_stage_options),
	    cmocka_unit_test(test_two_pipelines_share_a_connection),
	    cmocka_unit_test(test_error_stage_references),
	    cmocka_unit_test(test_error_stage_option_without_stage),
	    cmocka_unit_test(test_error_empty_pipeline),
	    cmocka_unit_test(test_error_thresholds),
#endif
	    cmocka_unit_test(test_stage_target_other_kinds),
	    cmocka_unit_test(test_error_non_finite),
	    cmocka_unit_test(test_error_url_dot_segments),
	    cmocka_unit_test(test_error_unavailable_stages),
	    cmocka_unit_test(test_option_offsets_fit),
	    cmocka_unit_test(test_url_segment_options),
	    cmocka_unit_test(test_stage_opts_lifecycle),
	    cmocka_unit_test(test_stage_hooks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
