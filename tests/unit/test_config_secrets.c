/* test_config_secrets.c: secrets of connections (*_env, *_file, inline), files that are not regular,
   and pass-through properties. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_secret_env_and_file), cmocka_unit_test(test_secret_errors),
	    cmocka_unit_test(test_not_regular_files),   cmocka_unit_test(test_secret_inline_warning),
	    cmocka_unit_test(test_kafka_properties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
