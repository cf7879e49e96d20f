/* test_config.c: the config file: values, defaults, every FILE:LINE error, secrets and warnings. */
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
#include "kinds/cache/cache.h"
#include "kinds/kafka/kafka.h"
#include "kinds/outbox/outbox.h"
#include "kinds/search/search.h"
#include "kinds/slot/slot.h"

#define SECRET "hunter2-s3cret"

/* Writes text to a new file in /tmp with the given mode; path must hold 64 bytes. */
static void write_temp(const char *text, size_t len, mode_t mode, char *path)
{
	strlcpy_safe(path, "/tmp/synctop-test-XXXXXX", 64);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* Loads text; the caller frees the config and unlinks path. */
static struct config *load_text(const char *text, char *path, char *err, size_t errlen, FILE *warn)
{
	write_temp(text, strlen(text), 0600, path);
	return config_load(path, err, errlen, warn);
}

static struct config *load_ok(const char *text)
{
	char path[64], err[512] = "";
	struct config *cfg = load_text(text, path, err, sizeof err, NULL);
	unlink(path);
	if (!cfg)
		fail_msg("config did not load: %s\n--- config ---\n%s", err, text);
	return cfg;
}

/* Asserts that text fails with exactly "PATH:" want, and that no secret leaks into it. */
static void expect_error_len(const char *text, size_t len, const char *want)
{
	char path[64], err[512] = "";
	write_temp(text, len, 0600, path);
	struct config *cfg = config_load(path, err, sizeof err, NULL);
	unlink(path);
	char *full = xasprintf("%s:%s", path, want);
	if (cfg) {
		config_free(cfg);
		free(full);
		fail_msg("config loaded, want error \"%s\"\n--- config ---\n%s", want, text);
	}
	if (strcmp(err, full) != 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "got  \"%s\"\nwant \"%s\"\n--- config ---\n%s", err, full, text);
		free(full);
		fail_msg("%s", msg);
	}
	free(full);
	assert_null(strchr(err, '\n'));
	assert_null(strstr(err, SECRET));
}

static void expect_error(const char *text, const char *want)
{
	expect_error_len(text, strlen(text), want);
}

#define PG "[postgres shop]\nconninfo = host=db dbname=shop\n"

/* ---------------------------------------------------------------- defaults */

static void test_default_config(void **state)
{
	(void)state;
	struct config *cfg = config_default();
	assert_null(cfg->path);
	assert_true(cfg->interval_s == 2.0);
	assert_true(cfg->timeout_s == 2.0);
	assert_string_equal(cfg->environment, "");
	assert_false(cfg->read_only);
	assert_int_equal(cfg->history, 300);
	assert_null(cfg->log_file);
	assert_int_equal(cfg->n_conns, 0);
	assert_int_equal(cfg->n_pipelines, 0);
	config_free(cfg);
	config_free(NULL);
}

static void test_empty_file(void **state)
{
	(void)state;
	char path[64], err[512];
	struct config *cfg = load_text("", path, err, sizeof err, NULL);
	unlink(path);
	assert_non_null(cfg);
	assert_string_equal(cfg->path, path);
	assert_int_equal(cfg->n_pipelines, 0);
	assert_int_equal(cfg->history, 300);
	config_free(cfg);

	cfg = load_ok("; only comments\n# here\n\n");
	assert_int_equal(cfg->n_conns, 0);
	config_free(cfg);
}

static void test_synctop_section(void **state)
{
	(void)state;
	struct config *cfg = load_ok("[synctop]\n"
	                             "interval = 500ms\n"
	                             "timeout = 1m\n"
	                             "environment = staging ; a comment\n"
	                             "read_only = YES\n"
	                             "history = 1000\n"
	                             "log_file = /tmp/synctop.log\n");
	assert_true(cfg->interval_s == 0.5);
	assert_true(cfg->timeout_s == 60);
	assert_string_equal(cfg->environment, "staging");
	assert_true(cfg->read_only);
	assert_int_equal(cfg->history, 1000);
	assert_string_equal(cfg->log_file, "/tmp/synctop.log");
	config_free(cfg);

	cfg = load_ok("[synctop]\nread_only = off\ninterval = 0.1\ntimeout = 5m\nhistory = 10\n");
	assert_false(cfg->read_only);
	assert_true(cfg->interval_s == 0.1);
	assert_true(cfg->timeout_s == 300);
	assert_int_equal(cfg->history, 10);
	config_free(cfg);
}

static void test_example_file_loads(void **state)
{
	(void)state;
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/share/synctop.conf.example", top && *top ? top : ".");
	char err[512] = "";
	char *warnings = NULL;
	size_t wlen = 0;
	FILE *warn = open_memstream(&warnings, &wlen);
	struct config *cfg = config_load(path, err, sizeof err, warn);
	fclose(warn);
#ifndef HAVE_POSTGRES
	/* the example watches PostgreSQL: a build without it must say so */
	assert_null(cfg);
	assert_non_null(
	    strstr(err, ": synctop was built without PostgreSQL support (configure --with-postgres)"));
	free(warnings);
	free(path);
#else
	if (!cfg)
		fail_msg("%s", err);
	assert_string_equal(warnings, "");
	free(warnings);
	free(path);
	assert_int_equal(cfg->n_conns, 1);
	assert_string_equal(cfg->conns[0].name, "shop");
	assert_int_equal(cfg->n_pipelines, 1);
	assert_string_equal(cfg->pipelines[0].name, "products");
	assert_int_equal(cfg->pipelines[0].n_stages, 2);
	assert_ptr_equal(cfg->pipelines[0].stages[0].kind, &outbox_kind);
	assert_ptr_equal(cfg->pipelines[0].stages[1].kind, &slot_kind);
	config_free(cfg);
#endif
}

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

	assert_string_equal(ob->table, "outbox");
	assert_string_equal(ob->pending, "NOT processed");
	assert_string_equal(ob->id_column, "id");
	assert_string_equal(ob->created_column, "created_at");
	assert_string_equal(ob->attempts_column, "attempts");
	assert_string_equal(ob->error_column, "last_error");
	assert_int_equal(ob->count_cap, 100000);
	assert_int_equal(ob->max_attempts, 5);
	assert_int_equal(ob->seqscan_rows, 10000);
	assert_int_equal(ob->pending_warn, 1000);
	assert_int_equal(ob->pending_crit, 10000);
	assert_true(ob->oldest_warn_s == 60);
	assert_true(ob->oldest_crit_s == 300);
	assert_int_equal(ob->failed_warn, 1);
	assert_int_equal(ob->failed_crit, 100);
	assert_null(sl->slot_names);
	assert_int_equal(sl->retained_warn, 1073741824LL);
	assert_int_equal(sl->retained_crit, 10737418240LL);

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
	assert_string_equal(ob->table, "sales.\"Outbox\"");
	assert_string_equal(ob->pending, "status = 'PENDING'");
	assert_string_equal(ob->id_column, "event_id");
	assert_string_equal(ob->created_column, "inserted_at");
	assert_string_equal(ob->attempts_column, "");
	assert_string_equal(ob->error_column, "");
	assert_int_equal(ob->count_cap, 5000);
	assert_int_equal(ob->max_attempts, 10);
	assert_int_equal(ob->seqscan_rows, 0);
	assert_int_equal(ob->pending_warn, 10);
	assert_int_equal(ob->pending_crit, 10);
	assert_true(ob->oldest_warn_s == 30);
	assert_true(ob->oldest_crit_s == 3600);
	assert_int_equal(ob->failed_warn, 0);
	assert_int_equal(ob->failed_crit, 3);
	assert_int_equal(ob->line, 19);

	assert_non_null(sl->slot_names);
	assert_string_equal(sl->slot_names[0], "a_slot");
	assert_string_equal(sl->slot_names[1], "b_slot");
	assert_string_equal(sl->slot_names[2], "c");
	assert_null(sl->slot_names[3]);
	assert_int_equal(sl->retained_warn, 512000000);
	assert_int_equal(sl->retained_crit, 2147483648LL);
	char buf[64];
	assert_string_equal(stage_target(sl, buf, sizeof buf), "a_slot,b_slot,c");
	assert_string_equal(stage_target(sl, buf, 5), "a_sl");

	assert_int_equal(cfg->pipelines[1].n_stages, 1);
	assert_null(cfg->pipelines[1].stages[0].slot_names);
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

static void test_conn_timeout(void **state)
{
	(void)state;
	struct config *cfg =
	    load_ok("[synctop]\ntimeout = 3s\n" PG "timeout = 750ms\n[postgres b]\nconninfo = service=b\n");
	assert_true(conn_timeout(cfg, &cfg->conns[0]) == 0.75);
	assert_true(conn_timeout(cfg, &cfg->conns[1]) == 3);
	config_free(cfg);
}
#endif

static void test_stage_target_other_kinds(void **state)
{
	(void)state;
	struct stage_cfg st = {.kind = &search_kind};
	char buf[32] = "junk";
	assert_string_equal(stage_target(&st, buf, sizeof buf), "");
	/* cache: host:port/db from the URL, never its password */
	struct conn rc = {.url = "redis://:hunter2@cache.internal:6380/2"};
	struct stage_cfg c = {.kind = &cache_kind, .conn = &rc};
	assert_string_equal(stage_target(&c, buf, sizeof buf), "cache.internal:6380/2");
	/* kafka: the group, then its topics (or * for the topics it committed to) */
	char *topics[] = {"orders", "refunds", NULL};
	struct stage_cfg k = {.kind = &kafka_kind, .group = "indexer", .topics = topics};
	assert_string_equal(stage_target(&k, buf, sizeof buf), "indexer: orders,refunds");
	k.topics = NULL;
	assert_string_equal(stage_target(&k, buf, sizeof buf), "indexer: *");
}

static void test_syntax_tolerance(void **state)
{
	(void)state;
	/* a UTF-8 BOM, CRLF line ends, indented keys, ':' as separator, comments */
	struct config *cfg = load_ok("\xEF\xBB\xBF[synctop]\r\n"
	                             "  interval = 3s\r\n"
	                             "\thistory: 42\r\n"
	                             "# comment\r\n"
	                             "   ; indented comment\r\n"
	                             "environment = prod ; trailing comment\r\n");
	assert_true(cfg->interval_s == 3);
	assert_int_equal(cfg->history, 42);
	assert_string_equal(cfg->environment, "prod");
	config_free(cfg);

	/* a line of exactly 199 characters is fine */
	char text[256];
	snprintf(text, sizeof text, "[synctop]\nenvironment = %0185d\n", 7);
	cfg = load_ok(text);
	assert_int_equal(strlen(cfg->environment), 185);
	config_free(cfg);
}

/* ---------------------------------------------------------------- errors */

static void test_error_open(void **state)
{
	(void)state;
	char err[512];
	assert_null(config_load("/nonexistent/synctop.conf", err, sizeof err, NULL));
	assert_string_equal(err, "/nonexistent/synctop.conf: cannot open: No such file or directory");
	assert_null(config_load("/tmp", err, sizeof err, NULL));
	assert_string_equal(err, "/tmp: cannot read: Is a directory");
	/* a device: /dev/zero never ends, /dev/null used to load as an empty config (exit 0) */
	assert_null(config_load("/dev/zero", err, sizeof err, NULL));
	assert_string_equal(err, "/dev/zero: cannot read: not a regular file (a character device)");
	assert_null(config_load("/dev/null", err, sizeof err, NULL));
	assert_string_equal(err, "/dev/null: cannot read: not a regular file (a character device)");
	assert_null(config_load("/nonexistent", NULL, 0, NULL)); /* no room for the error: no crash */
}

static void test_error_syntax(void **state)
{
	(void)state;
	expect_error("[synctop]\ninterval 2s\n", "2: syntax error: expected 'key = value' or '[section]'");
	expect_error("[synctop\ninterval = 2s\n", "1: syntax error: expected 'key = value' or '[section]'");
	expect_error("[synctop]\n= 2s\n", "2: syntax error: expected 'key = value' or '[section]'");
	expect_error("interval = 2s\n[synctop]\n",
	             "1: key 'interval' comes before any [section]; put it under [synctop]");
	expect_error("conninfo = x\n", "1: key 'conninfo' comes before any [section]");
}

static void test_error_long_line(void **state)
{
	(void)state;
	char text[512];
	snprintf(text, sizeof text, "[synctop]\nenvironment = %0186d\nbogus\n", 7);
	expect_error(text, "2: line longer than 199 characters");
	snprintf(text, sizeof text, "[synctop]\n; %0300d\nhistory = 1\n", 7);
	expect_error(text, "2: line longer than 199 characters"); /* even a comment */
	expect_error_len("[synctop]\nenvi\0ronment = x\n", 27,
	                 "2: line contains a NUL byte (is this a text file?)");
}

static void test_error_first_only(void **state)
{
	(void)state;
	/* the earliest line wins, whichever check finds it */
	expect_error("[synctop]\nhistory = 1\nbogus line\n",
	             "2: bad value '1' for history: must be at least 10");
	expect_error("[synctop]\nbogus line\nhistory = 1\n",
	             "2: syntax error: expected 'key = value' or '[section]'");
#ifdef HAVE_POSTGRES
	expect_error(
	    "[postgres a]\n[pipeline p]\noutbox.table = t\n",
	    "1: [postgres a] is missing conninfo (e.g. conninfo = host=db dbname=shop user=synctop)");
	expect_error("[pipeline empty]\n[postgres a]\n",
	             "1: pipeline 'empty' has no stages (add e.g. outbox = CONNECTION)");
#endif
}

static void test_error_sections(void **state)
{
	(void)state;
	expect_error("[postgre shop]\n", "1: unknown section [postgre shop]; did you mean [postgres shop]?");
	expect_error("[synctp]\n", "1: unknown section [synctp]; did you mean [synctop]?");
	expect_error("[pipelines x]\n", "1: unknown section [pipelines x]; did you mean [pipeline x]?");
	expect_error("[database shop]\n", "1: unknown section [database shop]; expected synctop, postgres, "
	                                  "kafka, redis, search, connect or pipeline");
	expect_error("[]\n", "1: empty section name []; expected e.g. [synctop] or [postgres NAME]");
	expect_error("[synctop]\n[pipeline]\n", "2: [pipeline] needs a name, e.g. [pipeline products]");
	expect_error("[pipeline  ]\n", "1: [pipeline] needs a name, e.g. [pipeline products]");
	expect_error("[synctop main]\n", "1: [synctop] takes no name (found [synctop main])");
	expect_error("[pipeline a/b]\n",
	             "1: invalid name 'a/b' in [pipeline a/b]: use letters, digits, '_', '-' and '.'");
#ifdef HAVE_POSTGRES
	expect_error("[postgres]\n", "1: [postgres] needs a connection name, e.g. [postgres shop]");
	expect_error(
	    "[postgres my shop]\n",
	    "1: invalid name 'my shop' in [postgres my shop]: use letters, digits, '_', '-' and '.'");
#endif
#ifdef HAVE_REDIS
	expect_error("[redis]\n", "1: [redis] needs a connection name, e.g. [redis sessions]");
#endif
}

static void test_error_duplicate_sections(void **state)
{
	(void)state;
	expect_error("[synctop]\n[synctop]\n", "2: duplicate section [synctop] (first at line 1)");
#ifdef HAVE_POSTGRES
	expect_error(PG "\n" PG, "4: duplicate section [postgres shop] (first at line 1)");
	expect_error(PG "[pipeline p]\noutbox = shop\n[pipeline p]\n",
	             "5: duplicate section [pipeline p] (first at line 3)");
#endif
#if defined(HAVE_POSTGRES) && defined(HAVE_REDIS)
	expect_error(PG "[redis shop]\nurl = redis://localhost\n",
	             "3: connection name 'shop' is already used by [postgres shop] at line 1 (connection "
	             "names must be unique)");
#endif
#ifdef HAVE_POSTGRES
	/* pipelines have their own names */
	struct config *cfg = load_ok(PG "[pipeline shop]\noutbox = shop\n");
	assert_string_equal(cfg->pipelines[0].name, "shop");
	config_free(cfg);
#endif
}

static void test_error_unknown_keys(void **state)
{
	(void)state;
	expect_error("[synctop]\nintervall = 2s\n",
	             "2: unknown key 'intervall' in [synctop] (did you mean 'interval'?)");
	expect_error("[synctop]\nreadonly = true\n",
	             "2: unknown key 'readonly' in [synctop] (did you mean 'read_only'?)");
	expect_error("[synctop]\nfrobnicate = 1\n",
	             "2: unknown key 'frobnicate' in [synctop] (see synctop.conf(5))");
	expect_error("[synctop]\nconninfo = x\n", "2: unknown key 'conninfo' in [synctop] (conninfo belongs "
	                                          "in a connection section such as [postgres NAME])");
#ifdef HAVE_POSTGRES
	expect_error(PG "conninf = x\n",
	             "3: unknown key 'conninf' in [postgres shop] (did you mean 'conninfo'?)");
	expect_error(PG "interval = 2s\n",
	             "3: unknown key 'interval' in [postgres shop] (interval belongs in [synctop])");
	expect_error(PG "flavour = x\n", "3: unknown key 'flavour' in [postgres shop] (see synctop.conf(5))");
	expect_error(
	    PG "outbox = shop\n",
	    "3: unknown key 'outbox' in [postgres shop] (outbox belongs in a [pipeline NAME] section)");
	expect_error(PG "[pipeline products]\noutbx = shop\n",
	             "4: unknown key 'outbx' in [pipeline products] (did you mean 'outbox'?)");
	expect_error(PG "[pipeline products]\noutbox.tabel = t\n",
	             "4: unknown key 'outbox.tabel' in [pipeline products] (did you mean 'outbox.table'?)");
	expect_error(PG "[pipeline products]\ntable = t\n",
	             "4: unknown key 'table' in [pipeline products] (did you mean 'outbox.table'?)");
	expect_error(PG "[pipeline products]\nslot.name = a\n",
	             "4: unknown key 'slot.name' in [pipeline products] (did you mean 'slot.names'?)");
	expect_error(PG "[pipeline products]\noutbox.pending_warning = 5\n",
	             "4: unknown key 'outbox.pending_warning' in [pipeline products] (did you mean "
	             "'outbox.pending_warn'?)");
#ifdef HAVE_SEARCH
	expect_error(PG "[pipeline products]\nsource = shop\n",
	             "4: unknown key 'source' in [pipeline products] (did you mean 'search.source'?)");
#else /* no search stage, no search.source to suggest */
	expect_error(PG "[pipeline products]\nsource = shop\n",
	             "4: unknown key 'source' in [pipeline products] (see synctop.conf(5))");
#endif
	expect_error(PG "[pipeline products]\noutbox.outbox = shop\n",
	             "4: unknown key 'outbox.outbox' in [pipeline products] (see synctop.conf(5))");
#endif
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

/* inih ignores what follows a section header's ']': it is an error, the text not quoted. */
static void test_error_text_after_section(void **state)
{
	(void)state;
	expect_error("[synctop] junk\ninterval = 2s\n",
	             "1: unexpected text after the section header [synctop] (put key = value on a line of "
	             "its own)");
	expect_error("[synctop]\ninterval = 2s\n[synctop]x\n",
	             "3: unexpected text after the section header [synctop] (put key = value on a line of "
	             "its own)");
	expect_error("[synctop]\njunk\n", "2: syntax error: expected 'key = value' or '[section]'");
#ifdef HAVE_REDIS
	expect_error("[redis r] url = redis://:" SECRET "@h\n",
	             "1: unexpected text after the section header [redis r] (put key = value on a line of "
	             "its own)");
	expect_error("[redis r]\nurl = redis://h\njunk\n",
	             "3: syntax error: expected 'key = value' or '[section]'");
#endif
#ifdef HAVE_POSTGRES
	expect_error(PG "[pipeline p] outbox = shop\n",
	             "3: unexpected text after the section header [pipeline p] (put key = value on a line of "
	             "its own)");
	expect_error(PG "[pipeline p]\noutbox = shop\njunk\n",
	             "5: syntax error: expected 'key = value' or '[section]'");
#endif
	/* a comment after the header is fine */
	struct config *cfg = load_ok("[synctop] ; the main section\ninterval = 3s\n");
	assert_true(cfg->interval_s == 3);
	config_free(cfg);
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
	                        ? cfg->pipelines[0].stages[0].index
	                        : cfg->pipelines[0].stages[1].index,
	                    ".hidden");
	config_free(cfg);
#endif
}

static void test_error_duplicate_key(void **state)
{
	(void)state;
	expect_error("[synctop]\ninterval = 2s\n\ninterval = 3s\n",
	             "4: duplicate key 'interval' in [synctop] (first set at line 2)");
#ifdef HAVE_POSTGRES
	expect_error(PG "conninfo = host=other\n",
	             "3: duplicate key 'conninfo' in [postgres shop] (first set at line 2)");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox = shop\n",
	             "5: duplicate key 'outbox' in [pipeline p] (first set at line 4)");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.table = a\noutbox.table = b\n",
	             "6: duplicate key 'outbox.table' in [pipeline p] (first set at line 5)");
	/* the same key in two sections is fine */
	struct config *cfg = load_ok(PG "[postgres b]\nconninfo = service=b\n");
	config_free(cfg);
#endif
}

static void test_error_bad_values(void **state)
{
	(void)state;
	expect_error("[synctop]\nread_only = maybe\n",
	             "2: bad value 'maybe' for read_only: expected true or false");
	expect_error("[synctop]\nhistory = 12x\n",
	             "2: bad value '12x' for history: expected a whole number, e.g. 300");
	expect_error("[synctop]\nhistory = 1e3\n",
	             "2: bad value '1e3' for history: expected a whole number, e.g. 300");
	expect_error("[synctop]\nhistory =\n",
	             "2: bad value '' for history: expected a whole number, e.g. 300");
	expect_error("[synctop]\nhistory = 99999999999999999999\n",
	             "2: bad value '99999999999999999999' for history: expected a whole number, e.g. 300");
	expect_error(
	    "[synctop]\ninterval = 5 minutes\n",
	    "2: bad value '5 minutes' for interval: expected a duration such as 500ms, 2s, 5m or 1h30m");
	expect_error("[synctop]\ntimeout = -1s\n",
	             "2: bad value '-1s' for timeout: expected a duration such as 500ms, 2s, 5m or 1h30m");
	expect_error("[synctop]\nlog_file =\n", "2: bad value '' for log_file: must not be empty");
#ifdef HAVE_POSTGRES
	expect_error(PG "[pipeline p]\nslot = shop\nslot.retained_warn = 1 gig\n",
	             "5: bad value '1 gig' for slot.retained_warn: expected a size such as 512MB or 1GiB");
	expect_error(PG "[pipeline p]\nslot = shop\nslot.names = a,,b\n",
	             "5: bad value 'a,,b' for slot.names: expected comma-separated names, e.g. slot.names = "
	             "name1,name2");
	expect_error(
	    PG "[pipeline p]\nslot = shop\nslot.names =\n",
	    "5: bad value '' for slot.names: expected comma-separated names, e.g. slot.names = name1,name2");
	expect_error(PG "[pipeline p]\nslot = shop\nslot.names = my slot\n",
	             "5: bad value 'my slot' for slot.names: expected comma-separated names, e.g. slot.names "
	             "= name1,name2");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.table =\n",
	             "5: bad value '' for outbox.table: must not be empty");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.max_attempts = many\n",
	             "5: bad value 'many' for outbox.max_attempts: expected a whole number, e.g. 5");
	expect_error(
	    PG "[pipeline p]\noutbox = shop\noutbox.oldest_warn = soon\n",
	    "5: bad value 'soon' for outbox.oldest_warn: expected a duration such as 500ms, 2s, 5m or 1h30m");
#endif
}

static void test_error_bounds(void **state)
{
	(void)state;
	expect_error("[synctop]\nhistory = 5\n", "2: bad value '5' for history: must be at least 10");
	expect_error("[synctop]\nhistory = 200000\n",
	             "2: bad value '200000' for history: must be at most 100000");
	expect_error("[synctop]\ninterval = 50ms\n",
	             "2: bad value '50ms' for interval: must be at least 100ms");
	expect_error("[synctop]\ninterval = 0\n", "2: bad value '0' for interval: must be at least 100ms");
	expect_error("[synctop]\ninterval = 2h\n", "2: bad value '2h' for interval: must be at most 1h");
	expect_error("[synctop]\ntimeout = 10m\n", "2: bad value '10m' for timeout: must be at most 5m");
#ifdef HAVE_POSTGRES
	expect_error(PG "timeout = 0s\n", "3: bad value '0s' for timeout: must be at least 100ms");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.count_cap = 0\n",
	             "5: bad value '0' for outbox.count_cap: must be at least 1");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.count_cap = 2000000000\n",
	             "5: bad value '2000000000' for outbox.count_cap: must be at most 1000000000");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.max_attempts = 1000001\n",
	             "5: bad value '1000001' for outbox.max_attempts: must be at most 1000000");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.seqscan_rows = 1000000000001\n",
	             "5: bad value '1000000000001' for outbox.seqscan_rows: must be at most 1000000000000");
	expect_error(PG "[pipeline p]\noutbox = shop\noutbox.pending_warn = -1\n",
	             "5: bad value '-1' for outbox.pending_warn: must be at least 0");
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
	assert_string_equal(s1->source->name, "shop");
	assert_string_equal(s1->index, "products");
	assert_int_equal(s1->missing_warn, 1);
	assert_int_equal(s1->missing_crit, 1000);
	assert_true(s1->missing_window_s == 30.0);
	assert_true(s1->freshness_warn_s == 30.0 && s1->freshness_crit_s == 300.0);
	assert_string_equal(s2->source->name, "other");
	assert_string_equal(s2->freshness_field, "updated_at");
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

static void test_error_built_out_backends(void **state)
{
	(void)state;
	struct {
		const char *text, *error;
		bool built;
	} cases[] = {
	    {"[synctop]\n[postgres shop]\nconninfo = x\n",
	     "2: synctop was built without PostgreSQL support (configure --with-postgres)",
#ifdef HAVE_POSTGRES
	     true
#else
	     false
#endif
	    },
	    {"[synctop]\n[kafka main]\nbrokers = localhost:9092\n",
	     "2: synctop was built without Kafka support (configure --with-kafka)",
#ifdef HAVE_KAFKA
	     true
#else
	     false
#endif
	    },
	    {"[synctop]\n[redis sessions]\nurl = redis://localhost\n",
	     "2: synctop was built without Redis support (configure --with-redis)",
#ifdef HAVE_REDIS
	     true
#else
	     false
#endif
	    },
	    {"[synctop]\n[search main]\nurl = http://localhost:9200\n",
	     "2: synctop was built without Elasticsearch/OpenSearch support (configure --with-search)",
#ifdef HAVE_SEARCH
	     true
#else
	     false
#endif
	    },
	    {"[synctop]\n[connect workers]\nurl = http://localhost:8083\n",
	     "2: synctop was built without Kafka Connect support (configure --with-search)",
#ifdef HAVE_SEARCH
	     true
#else
	     false
#endif
	    },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		if (cases[i].built)
			config_free(load_ok(cases[i].text));
		else
			expect_error(cases[i].text, cases[i].error);
	}
}

static void test_error_missing_required(void **state)
{
	(void)state;
#ifdef HAVE_POSTGRES
	expect_error(
	    "[synctop]\n[postgres shop]\ntimeout = 1s\n",
	    "2: [postgres shop] is missing conninfo (e.g. conninfo = host=db dbname=shop user=synctop)");
	expect_error("[postgres shop]\nconninfo =\n", "2: bad value '' for conninfo: must not be empty");
#endif
#ifdef HAVE_KAFKA
	expect_error("[kafka main]\n", "1: [kafka main] is missing brokers (e.g. brokers = localhost:9092)");
#endif
#ifdef HAVE_REDIS
	expect_error("[redis sessions]\n",
	             "1: [redis sessions] is missing url (e.g. url = redis://localhost:6379/0)");
#endif
#ifdef HAVE_SEARCH
	expect_error("[search main]\nusername = u\n",
	             "1: [search main] is missing url (e.g. url = https://localhost:9200)");
	expect_error("[connect w]\n", "1: [connect w] is missing url (e.g. url = http://localhost:8083)");
#endif
}

static void test_error_bad_url(void **state)
{
	(void)state;
#ifdef HAVE_REDIS
	expect_error("[redis r]\nurl = ftp://u:" SECRET "@h\n",
	             "2: bad value 'ftp://u:***@h' for url: expected a URL starting with redis://, rediss:// "
	             "or unix://");
	expect_error("[redis r]\nurl = localhost:6379\n", "2: bad value 'localhost:6379' for url: expected a "
	                                                  "URL starting with redis://, rediss:// or unix://");
#endif
#ifdef HAVE_SEARCH
	expect_error(
	    "[search s]\nurl = es:9200?api_key=" SECRET "\n",
	    "2: bad value 'es:9200?api_key=***' for url: expected a URL starting with http:// or https://");
#endif
}

/* ---------------------------------------------------------------- secrets */

#ifdef HAVE_REDIS
static char *write_secret_file(const char *text, char *path)
{
	write_temp(text, strlen(text), 0600, path);
	return path;
}
#endif

static void test_secret_env_and_file(void **state)
{
	(void)state;
#if defined(HAVE_REDIS) && defined(HAVE_SEARCH)
	char spath[64], kpath[64];
	write_secret_file(SECRET "\n", spath);
	write_secret_file("key-" SECRET "\r\n\n", kpath);
	setenv("SYNCTOP_TEST_PW", "env-" SECRET, 1);
	char *text =
	    xasprintf("[redis r]\nurl = redis://localhost\npassword_env = SYNCTOP_TEST_PW\n[search s]\nurl = "
	              "https://es:9200\nusername = elastic\npassword_file = %s\napi_key_file = %s\n",
	              spath, kpath);
	struct config *cfg = load_ok(text);
	free(text);
	assert_string_equal(cfg->conns[0].secret, "env-" SECRET);
	assert_string_equal(cfg->conns[0].display, "r (redis://localhost)");
	assert_string_equal(cfg->conns[1].secret, SECRET);
	assert_string_equal(cfg->conns[1].api_key, "key-" SECRET);
	assert_string_equal(cfg->conns[1].username, "elastic");
	assert_string_equal(cfg->conns[1].display, "s (https://es:9200)");
	config_free(cfg);

	/* a relative *_file is found next to the config file */
	text = xasprintf("[search s]\nurl = https://es:9200\napi_key_file = %s\n", strrchr(kpath, '/') + 1);
	cfg = load_ok(text);
	free(text);
	assert_string_equal(cfg->conns[0].api_key, "key-" SECRET);
	config_free(cfg);
	unlink(spath);
	unlink(kpath);
	unsetenv("SYNCTOP_TEST_PW");
#endif
}

static void test_secret_errors(void **state)
{
	(void)state;
#ifdef HAVE_REDIS
	unsetenv("SYNCTOP_TEST_UNSET");
	expect_error("[redis r]\nurl = redis://h\npassword_env = SYNCTOP_TEST_UNSET\n",
	             "3: password_env: environment variable SYNCTOP_TEST_UNSET is not set");
	setenv("SYNCTOP_TEST_EMPTY", "", 1);
	expect_error("[redis r]\nurl = redis://h\npassword_env = SYNCTOP_TEST_EMPTY\n",
	             "3: password_env: environment variable SYNCTOP_TEST_EMPTY is empty");
	unsetenv("SYNCTOP_TEST_EMPTY");
	expect_error("[redis r]\nurl = redis://h\npassword_env =\n",
	             "3: bad value '' for password_env: must not be empty");
	expect_error("[redis r]\nurl = redis://h\npassword_file = /nonexistent/pw\n",
	             "3: password_file: cannot read /nonexistent/pw: No such file or directory");
	expect_error("[redis r]\nurl = redis://h\npassword_file = /tmp\n",
	             "3: password_file: cannot read /tmp: Is a directory");

	/* a path option (ca_file) is a path, not a secret file: kept as a path, checked readable */
	expect_error("[redis r]\nurl = rediss://h\nca_file = /nonexistent/ca.pem\n",
	             "3: ca_file: cannot read /nonexistent/ca.pem: No such file or directory");
	expect_error("[redis r]\nurl = rediss://h\nca_file = /tmp\n", "3: ca_file: /tmp is not a file");
	char cpath[64];
	write_secret_file("-----BEGIN CERTIFICATE-----\n", cpath);
	char *ctext = xasprintf("[redis r]\nurl = rediss://h\nca_file = %s\n", strrchr(cpath, '/') + 1);
	struct config *ccfg = load_ok(ctext);
	assert_string_equal(ccfg->conns[0].ca_file, cpath); /* relative: next to the config file */
	config_free(ccfg);
	free(ctext);
	unlink(cpath);

	char epath[64];
	write_secret_file("\n", epath);
	char *text = xasprintf("[redis r]\nurl = redis://h\npassword_file = %s\n", epath);
	char *want = xasprintf("3: password_file: %s is empty", epath);
	expect_error(text, want);
	free(text);
	free(want);

	setenv("SYNCTOP_TEST_PW", SECRET, 1);
	text = xasprintf("[redis r]\nurl = redis://h\npassword_env = SYNCTOP_TEST_PW\npassword_file = %s\n",
	                 epath);
	expect_error(text,
	             "4: password_env and password_file both set the same secret in [redis r]; keep one");
	free(text);
	unsetenv("SYNCTOP_TEST_PW");
	unlink(epath);
#endif
}

#if defined(HAVE_POSTGRES) || defined(HAVE_REDIS) || defined(HAVE_KAFKA)
/* Loads text from a file of the given mode; returns what was written to warn. */
static char *load_warnings(const char *text, mode_t mode, char *path, struct config **out)
{
	char err[512] = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *warn = open_memstream(&buf, &len);
	write_temp(text, strlen(text), mode, path);
	struct config *cfg = config_load(path, err, sizeof err, warn);
	fclose(warn);
	if (!cfg)
		fail_msg("%s", err);
	if (out)
		*out = cfg;
	else
		config_free(cfg);
	return buf;
}
#endif

/* A FIFO, a directory or a device as a *_file secret or as log_file: refused at once with the
   path, never opened in a way that blocks (the alarm turns a hang into a failure). */
static void test_not_regular_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/synctop-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *fifo = xasprintf("%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	struct {
		const char *path, *why;
	} bad[] = {
	    {fifo, "not a regular file (a FIFO)"},
	    {dir, "Is a directory"},
	    {"/dev/zero", "not a regular file (a character device)"},
	};
	alarm(20);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char *text = xasprintf("[synctop]\ninterval = 2s\nlog_file = %s\n", bad[i].path);
		char *want = xasprintf("3: log_file: cannot write to %s: %s", bad[i].path, bad[i].why);
		expect_error(text, want);
		free(text);
		free(want);
		const char *secret_keys[][2] = {
#ifdef HAVE_REDIS
		    {"[redis r]\nurl = redis://h\n", "password_file"},
#endif
#ifdef HAVE_KAFKA
		    {"[kafka k]\nbrokers = h:9092\n", "sasl_password_file"},
#endif
#ifdef HAVE_SEARCH
		    {"[search s]\nurl = http://h:9200\n", "password_file"},
		    {"[search s]\nurl = http://h:9200\n", "api_key_file"},
		    {"[connect c]\nurl = http://h:8083\n", "password_file"},
#endif
		    {NULL, NULL},
		};
		for (size_t k = 0; secret_keys[k][0]; k++) {
			text = xasprintf("%s%s = %s\n", secret_keys[k][0], secret_keys[k][1], bad[i].path);
			want = xasprintf("3: %s: cannot read %s: %s", secret_keys[k][1], bad[i].path,
			                 bad[i].why);
			expect_error(text, want);
			free(text);
			free(want);
		}
	}
	alarm(0);
	unlink(fifo);
	rmdir(dir);
	free(fifo);

	/* a log file that does not exist yet is fine: it is created at the first line */
	struct config *cfg = load_ok("[synctop]\nlog_file = /nonexistent-dir/synctop.log\n");
	assert_string_equal(cfg->log_file, "/nonexistent-dir/synctop.log");
	config_free(cfg);
}

static void test_secret_inline_warning(void **state)
{
	(void)state;
#ifdef HAVE_POSTGRES
	const char *text = "[synctop]\n[postgres shop]\nconninfo = host=db password=" SECRET " dbname=shop\n";
	char path[64];
	struct config *cfg;
	char *w = load_warnings(text, 0644, path, &cfg);
	char *want = xasprintf("%s:3: warning: %s is readable by others and holds a password inline; chmod "
	                       "600 %s or use .pgpass / *_file\n",
	                       path, path, path);
	assert_string_equal(w, want);
	assert_string_equal(cfg->conns[0].display, "shop (host=db password=*** dbname=shop)");
	assert_string_equal(cfg->conns[0].conninfo, "host=db password=" SECRET " dbname=shop");
	free(want);
	free(w);
	config_free(cfg);
	unlink(path);

	/* group-readable only counts too; 0600 does not warn; no password, no warning */
	w = load_warnings(text, 0640, path, NULL);
	assert_non_null(strstr(w, ":3: warning: "));
	free(w);
	unlink(path);
	w = load_warnings(text, 0600, path, NULL);
	assert_string_equal(w, "");
	free(w);
	unlink(path);
	w = load_warnings(PG, 0644, path, NULL);
	assert_string_equal(w, "");
	free(w);
	unlink(path);

	/* URI form */
	w = load_warnings("[postgres shop]\nconninfo = postgresql://app:" SECRET "@db/shop\n", 0604, path,
	                  &cfg);
	assert_non_null(strstr(w, ":2: warning: "));
	assert_null(strstr(w, SECRET));
	assert_string_equal(cfg->conns[0].display, "shop (postgresql://app:***@db/shop)");
	free(w);
	config_free(cfg);
	unlink(path);

	/* warn may be NULL */
	cfg = load_text(text, path, NULL, 0, NULL);
	assert_non_null(cfg);
	config_free(cfg);
	unlink(path);
#endif
#ifdef HAVE_REDIS
	char rpath[64];
	struct config *rcfg;
	char *rw = load_warnings("[redis r]\nurl = redis://:" SECRET "@cache:6379/0\n", 0644, rpath, &rcfg);
	assert_non_null(strstr(rw, ":2: warning: "));
	assert_string_equal(rcfg->conns[0].display, "r (redis://:***@cache:6379/0)");
	free(rw);
	config_free(rcfg);
	unlink(rpath);
#endif
}

static void test_kafka_properties(void **state)
{
	(void)state;
#ifdef HAVE_KAFKA
	char path[64];
	struct config *cfg;
	char *w = load_warnings("[kafka main]\n"
	                        "property.security.protocol = SASL_SSL\n"
	                        "brokers = b1:9092,b2:9092\n"
	                        "property.sasl.mechanism = PLAIN\n"
	                        "property.sasl.password = " SECRET "\n"
	                        "property.sasl.username = app\n",
	                        0644, path, &cfg);
	unlink(path);
	struct conn *c = &cfg->conns[0];
	assert_string_equal(c->brokers, "b1:9092,b2:9092");
	assert_string_equal(c->display, "main (b1:9092,b2:9092)");
	const char *want[][2] = {{"security.protocol", "SASL_SSL"},
	                         {"sasl.mechanism", "PLAIN"},
	                         {"sasl.password", SECRET},
	                         {"sasl.username", "app"}};
	struct kv *kv = c->properties;
	for (size_t i = 0; i < ARRAY_LEN(want); i++, kv = kv->next) {
		assert_non_null(kv);
		assert_string_equal(kv->key, want[i][0]);
		assert_string_equal(kv->value, want[i][1]);
	}
	assert_null(kv);
	assert_non_null(strstr(w, ":5: warning: "));
	assert_null(strstr(w, SECRET));
	free(w);
	config_free(cfg);

	setenv("SYNCTOP_TEST_PW", SECRET, 1);
	cfg = load_ok("[kafka k]\n"
	              "brokers = b:9092\n"
	              "sasl_password_env = SYNCTOP_TEST_PW\n"
	              "property.client.id = synctop\n");
	assert_string_equal(cfg->conns[0].secret, SECRET);
	config_free(cfg);
	unsetenv("SYNCTOP_TEST_PW");

	expect_error("[kafka k]\nbrokers = b:9092\nproperty.acks = 1\nproperty.acks = 2\n",
	             "4: duplicate key 'property.acks' in [kafka k] (first set at line 3)");
	expect_error("[kafka k]\nbrokers = b:9092\nproprety.acks = 1\n",
	             "3: unknown key 'proprety.acks' in [kafka k] (did you mean 'property.acks'?)");
	expect_error("[kafka k]\nbrokers = b:9092\nproperty. = 1\n",
	             "3: unknown key 'property.' in [kafka k] (see synctop.conf(5))");
#endif
}

/* ---------------------------------------------------------------- listing, search order */

static void test_list_options(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	config_list_options(out);
	fclose(out);
	assert_true(strncmp(buf, "synctop\tinterval\tduration\t2s\ttime between two polls of every stage\n",
	                    66) == 0);
	assert_non_null(strstr(buf, "\nsynctop\tenvironment\tstr\t\"\"\t"));
	assert_non_null(strstr(buf, "\nsynctop\tlog_file\tstr\t-\t"));
	assert_non_null(strstr(buf, "\npostgres\tconninfo\tstr\t-\t"));
	assert_non_null(strstr(buf, "\nkafka\tproperty.NAME\tstr\t-\t"));
	assert_non_null(strstr(buf, "\nconnect\turl\tstr\t-\t"));
#ifdef HAVE_POSTGRES
	assert_non_null(strstr(buf, "\npipeline\toutbox\tconnection\t-\t"));
	assert_non_null(strstr(buf, "\npipeline\toutbox.pending\tstr\tNOT processed\t"));
	assert_non_null(strstr(buf, "\npipeline\tslot.names\tlist\t-\t"));
	assert_non_null(strstr(buf, "\npipeline\tslot.retained_crit\tsize\t10GiB\t"));
#endif
	/* one line per option, five fields each */
	size_t lines = 0, want = 0;
	for (const struct opt_def *o = synctop_opts; o->key; o++)
		want++;
	for (int k = 0; k < CONN__COUNT; k++)
		for (const struct opt_def *o = conn_opts[k]; o->key; o++)
			want++;
	for (size_t k = 0; k < kind_count(); k++)
		for (const struct opt_def *o = kinds[k]->options; kinds[k]->probe && o->key; o++)
			want++;
	for (char *line = buf; *line; lines++) {
		char *nl = strchr(line, '\n');
		assert_non_null(nl);
		int tabs = 0;
		for (char *p = line; p < nl; p++)
			tabs += *p == '\t';
		assert_int_equal(tabs, 4);
		line = nl + 1;
	}
	assert_int_equal(lines, want);
	free(buf);
}

static void make_file(const char *path)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static void test_config_find(void **state)
{
	(void)state;
	char dir[] = "/tmp/synctop-find-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *xdg = xasprintf("%s/xdg", dir), *xdg_sub = xasprintf("%s/xdg/synctop", dir);
	char *xdg_conf = xasprintf("%s/synctop.conf", xdg_sub);
	char *home_cfg = xasprintf("%s/.config", dir), *home_sub = xasprintf("%s/.config/synctop", dir);
	char *home_conf = xasprintf("%s/synctop.conf", home_sub);
	assert_int_equal(mkdir(xdg, 0700), 0);
	assert_int_equal(mkdir(xdg_sub, 0700), 0);
	assert_int_equal(mkdir(home_cfg, 0700), 0);
	assert_int_equal(mkdir(home_sub, 0700), 0);
	make_file(xdg_conf);
	make_file(home_conf);

	char path[512];
	setenv("SYNCTOP_CONFIG", "/nonexistent/explicit.conf", 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("HOME", dir, 1);
	assert_true(config_find(path, sizeof path)); /* named explicitly: its load reports it missing */
	assert_string_equal(path, "/nonexistent/explicit.conf");

	unsetenv("SYNCTOP_CONFIG");
	assert_true(config_find(path, sizeof path));
	assert_string_equal(path, xdg_conf);

	unsetenv("XDG_CONFIG_HOME");
	assert_true(config_find(path, sizeof path));
	assert_string_equal(path, home_conf);

	setenv("XDG_CONFIG_HOME", "relative/dir", 1); /* ignored, as the XDG spec says */
	assert_true(config_find(path, sizeof path));
	assert_string_equal(path, home_conf);

	unlink(home_conf);
	setenv("SYNCTOP_CONFIG", "", 1);
	bool etc = access("/etc/synctop.conf", F_OK) == 0;
	assert_int_equal(config_find(path, sizeof path), etc);
	assert_string_equal(path, etc ? "/etc/synctop.conf" : "");

	char tiny[8];
	setenv("XDG_CONFIG_HOME", xdg, 1);
	if (!etc) {
		assert_false(config_find(tiny, sizeof tiny)); /* too long to fit: not found, no overflow */
		assert_string_equal(tiny, "");
	}

	unsetenv("SYNCTOP_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	unlink(xdg_conf);
	rmdir(xdg_sub);
	rmdir(xdg);
	rmdir(home_sub);
	rmdir(home_cfg);
	rmdir(dir);
	free(xdg);
	free(xdg_sub);
	free(xdg_conf);
	free(home_cfg);
	free(home_sub);
	free(home_conf);
}

/* ---------------------------------------------------------------- hostile input */

static void test_hostile_input_never_crashes(void **state)
{
	(void)state;
	static const char *const pieces[] = {
	    "[",
	    "]",
	    "[synctop]",
	    "[postgres a]",
	    "[pipeline p]",
	    "[redis r]",
	    "[kafka k]",
	    "=",
	    " = ",
	    ";",
	    "#",
	    "\n",
	    "\n",
	    "\n",
	    "\r\n",
	    "\t",
	    " ",
	    "'",
	    "\\",
	    "outbox",
	    "slot",
	    "outbox.table",
	    "slot.names",
	    "conninfo",
	    "url",
	    "redis://:x@h",
	    "password=",
	    "a",
	    "a,,b",
	    "*",
	    "2s",
	    "-1",
	    "property.x",
	    "brokers",
	    "\xEF\xBB\xBF",
	    "\xff",
	    "interval",
	    "kafka",
	    "cache.x",
	    "password_file",
	    "@",
	    "%s%n",
	};
	unsigned seed = 12345;
	char text[2048];
	for (int iter = 0; iter < 400; iter++) {
		size_t len = 0;
		int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 60;
		text[0] = '\0';
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			const char *pc = pieces[(seed >> 16) % ARRAY_LEN(pieces)];
			size_t pl = strlen(pc);
			if (len + pl + 1 >= sizeof text)
				break;
			memcpy(text + len, pc, pl + 1);
			len += pl;
		}
		char path[64], err[256] = "";
		struct config *cfg = load_text(text, path, err, sizeof err, NULL);
		unlink(path);
		if (cfg)
			config_free(cfg);
		else
			assert_null(strchr(err, '\n'));
	}
	/* a tiny error buffer truncates without overflow */
	char path[64], err[8];
	assert_null(load_text("[bogus]\n", path, err, sizeof err, NULL));
	unlink(path);
	assert_int_equal(strlen(err), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_config),
	    cmocka_unit_test(test_empty_file),
	    cmocka_unit_test(test_synctop_section),
	    cmocka_unit_test(test_example_file_loads),
#ifdef HAVE_POSTGRES
	    cmocka_unit_test(test_pipeline_flow_order_and_defaults),
	    cmocka_unit_test(test_stage_options),
	    cmocka_unit_test(test_two_pipelines_share_a_connection),
	    cmocka_unit_test(test_conn_timeout),
	    cmocka_unit_test(test_error_stage_references),
	    cmocka_unit_test(test_error_stage_option_without_stage),
	    cmocka_unit_test(test_error_empty_pipeline),
	    cmocka_unit_test(test_error_thresholds),
#endif
	    cmocka_unit_test(test_stage_target_other_kinds),
	    cmocka_unit_test(test_syntax_tolerance),
	    cmocka_unit_test(test_error_open),
	    cmocka_unit_test(test_error_syntax),
	    cmocka_unit_test(test_error_long_line),
	    cmocka_unit_test(test_error_first_only),
	    cmocka_unit_test(test_error_sections),
	    cmocka_unit_test(test_error_duplicate_sections),
	    cmocka_unit_test(test_error_unknown_keys),
	    cmocka_unit_test(test_error_non_finite),
	    cmocka_unit_test(test_error_text_after_section),
	    cmocka_unit_test(test_error_url_dot_segments),
	    cmocka_unit_test(test_error_duplicate_key),
	    cmocka_unit_test(test_error_bad_values),
	    cmocka_unit_test(test_error_bounds),
	    cmocka_unit_test(test_error_unavailable_stages),
	    cmocka_unit_test(test_error_built_out_backends),
	    cmocka_unit_test(test_error_missing_required),
	    cmocka_unit_test(test_error_bad_url),
	    cmocka_unit_test(test_secret_env_and_file),
	    cmocka_unit_test(test_secret_errors),
	    cmocka_unit_test(test_not_regular_files),
	    cmocka_unit_test(test_secret_inline_warning),
	    cmocka_unit_test(test_kafka_properties),
	    cmocka_unit_test(test_list_options),
	    cmocka_unit_test(test_config_find),
	    cmocka_unit_test(test_hostile_input_never_crashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
