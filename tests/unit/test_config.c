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
#include "config_file.h"
#include "config_text.h"
#include "kinds/outbox/outbox.h"
#include "kinds/slot/slot.h"

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
	assert_true(cfg->mouse);
	assert_int_equal(cfg->history, 300);
	assert_null(cfg->log_file);
	assert_null(cfg->audit_log);
	assert_int_equal(cfg->n_conns, 0);
	assert_int_equal(cfg->n_pipelines, 0);
	config_free(cfg);
	config_free(NULL);
}

/* audit_log: as written when absolute, relative to the config file's directory otherwise (as
   a path option), and never a directory, a FIFO or a device (checked as log_file is). */
static void test_audit_log(void **state)
{
	(void)state;
	struct config *cfg = load_ok("[synctop]\naudit_log = /var/log/synctop/audit.log\n");
	assert_string_equal(cfg->audit_log, "/var/log/synctop/audit.log");
	config_free(cfg);
	char path[64], err[512];
	cfg = load_text("[synctop]\naudit_log = state/audit.log\n", path, err, sizeof err, NULL);
	unlink(path);
	assert_non_null(cfg);
	assert_string_equal(cfg->audit_log, "/tmp/state/audit.log"); /* load_text writes in /tmp */
	config_free(cfg);
	expect_error("[synctop]\naudit_log =\n", "2: bad value '' for audit_log: must not be empty");
	expect_error("[synctop]\naudit_log = /tmp\n", "2: audit_log: cannot write to /tmp: Is a directory");
	expect_error("[synctop]\naudit_log = /dev/null\n",
	             "2: audit_log: cannot write to /dev/null: not a regular file (a character device)");
}

/* confirm and clear, and per family (a stage kind or a rule id) confirm.FAMILY / clear.FAMILY. */
static void test_damping(void **state)
{
	(void)state;
	struct config *cfg = config_default();
	assert_int_equal(cfg->confirm, 2);
	assert_int_equal(cfg->clear, 2);
	assert_null(cfg->confirm_family);
	config_free(cfg);
	cfg = load_ok("[synctop]\nconfirm = 3\nclear = 1\nconfirm.kafka = 1\nconfirm.worker-stalled = 4\n"
	              "clear.search-stale = 5\n");
	assert_int_equal(cfg->confirm, 3);
	assert_int_equal(cfg->clear, 1);
	assert_string_equal(cfg->confirm_family->key, "kafka");
	assert_string_equal(cfg->confirm_family->value, "1");
	assert_string_equal(cfg->confirm_family->next->key, "worker-stalled");
	assert_string_equal(cfg->confirm_family->next->value, "4");
	assert_null(cfg->confirm_family->next->next);
	assert_string_equal(cfg->clear_family->key, "search-stale");
	assert_string_equal(cfg->clear_family->value, "5");
	config_free(cfg);
	expect_error("[synctop]\nconfirm = 0\n", "2: bad value '0' for confirm: must be at least 1");
	expect_error("[synctop]\nclear = two\n",
	             "2: bad value 'two' for clear: expected a whole number, e.g. 2");
	expect_error("[synctop]\ninterval = 1s\nconfirm.outbx = 2\n",
	             "3: unknown family 'outbx' in confirm.outbx (a stage kind such as outbox or kafka, or "
	             "a rule id such as worker-stalled)");
	expect_error("[synctop]\nclear.worker-stalled = 1.5\n",
	             "2: bad value '1.5' for clear.worker-stalled: expected a whole number, e.g. 10");
	expect_error("[synctop]\nconfirm.slot = 101\n",
	             "2: bad value '101' for confirm.slot: must be at most 100");
	expect_error("[synctop]\nconfirm.slot = 1\nconfirm.slot = 2\n",
	             "3: duplicate key 'confirm.slot' in [synctop] (first set at line 2)");
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

	cfg = load_ok("[synctop]\nread_only = off\ninterval = 0.1\ntimeout = 5m\nhistory = 10\nmouse = no\n");
	assert_false(cfg->read_only || cfg->mouse);
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

#ifdef HAVE_POSTGRES
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
	                                  "kafka, redis, search, connect, http or pipeline");
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
	assert_non_null(strstr(buf, "\nsynctop\taudit_log\tstr\t-\t"));
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
	for (int k = -1; k < CONN__COUNT; k++) /* -1: the pipeline's own keys (the canary) */
		for (const struct opt_def *o = k < 0 ? pipeline_opts : conn_opts[k]; o->key; o++)
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
	    cmocka_unit_test(test_conn_timeout),
#endif
	    cmocka_unit_test(test_syntax_tolerance),
	    cmocka_unit_test(test_error_open),
	    cmocka_unit_test(test_error_syntax),
	    cmocka_unit_test(test_error_long_line),
	    cmocka_unit_test(test_error_first_only),
	    cmocka_unit_test(test_error_sections),
	    cmocka_unit_test(test_error_duplicate_sections),
	    cmocka_unit_test(test_error_unknown_keys),
	    cmocka_unit_test(test_error_text_after_section),
	    cmocka_unit_test(test_error_duplicate_key),
	    cmocka_unit_test(test_error_bad_values),
	    cmocka_unit_test(test_error_bounds),
	    cmocka_unit_test(test_error_built_out_backends),
	    cmocka_unit_test(test_error_missing_required),
	    cmocka_unit_test(test_error_bad_url),
	    cmocka_unit_test(test_list_options),
	    cmocka_unit_test(test_audit_log),
	    cmocka_unit_test(test_damping),
	    cmocka_unit_test(test_config_find),
	    cmocka_unit_test(test_hostile_input_never_crashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
