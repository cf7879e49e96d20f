/* test_audit.c: the audit log (issue 14): every field of a line, no secret, no control
   character, the file's and directory's modes, whole lines, and a log that cannot be written. */
#include "util.h"

#include <jansson.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit.h"
#include "config.h"
#include "config_file.h"

static char tmp[64];

static int setup(void **state)
{
	(void)state;
	strcpy(tmp, "/tmp/synctop-audit-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	umask(022);
	setenv("USER", "alice", 1);
	setenv("XDG_STATE_HOME", tmp, 1);
	unsetenv("SSH_CLIENT");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", tmp);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* A replay that was applied: every field known. */
static struct audit_entry applied(void)
{
	return (struct audit_entry){
	    .time = 1764759252.345,
	    .pipeline = "orders",
	    .stage = "outbox",
	    .action = ACTION_REPLAY,
	    .scope = "failed",
	    .target = "public.outbox on shop",
	    .previewed = 12,
	    .affected = 12,
	    .answer = "UPDATE 12",
	    .result = AUDIT_APPLIED,
	    .reason = NULL,
	    .duration_ms = 84,
	};
}

/* The lines of the file at path, parsed; fails the test on a line that is not JSON. */
static json_t *read_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	json_t *lines = json_array();
	char buf[8192];
	while (fgets(buf, sizeof buf, f)) {
		size_t len = strlen(buf);
		assert_true(len > 0 && buf[len - 1] == '\n');
		json_error_t jerr;
		json_t *o = json_loads(buf, 0, &jerr);
		if (!o)
			fail_msg("not JSON: %s (%s)", buf, jerr.text);
		json_array_append_new(lines, o);
	}
	fclose(f);
	return lines;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *s = xcalloc(1, 65536);
	size_t n = fread(s, 1, 65535, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		fail_msg("%s is not a string", key);
	return json_string_value(v);
}

static void assert_null_field(const json_t *o, const char *key)
{
	if (!json_is_null(json_object_get(o, key)))
		fail_msg("%s is not null", key);
}

static void test_every_field(void **state)
{
	(void)state;
	struct config *cfg = config_default();
	free(cfg->environment);
	cfg->environment = xstrdup("production");
	setenv("SSH_CLIENT", "203.0.113.7 51234 22", 1);
	struct audit_entry e = applied();
	char err[512];
	assert_true(audit_append(cfg, &e, err, sizeof err));
	assert_string_equal(err, "");

	char *path = xasprintf("%s/synctop/audit.log", tmp);
	json_t *lines = read_lines(path);
	assert_int_equal(json_array_size(lines), 1);
	json_t *o = json_array_get(lines, 0);
	char host[256] = "";
	assert_int_equal(gethostname(host, sizeof host), 0);
	assert_int_equal(json_object_size(o), 16);
	assert_string_equal(str(o, "time"), "2025-12-03T10:54:12.345Z");
	assert_string_equal(str(o, "user"), "alice");
	assert_string_equal(str(o, "from"), "203.0.113.7");
	assert_string_equal(str(o, "host"), host);
	assert_string_equal(str(o, "environment"), "production");
	assert_string_equal(str(o, "pipeline"), "orders");
	assert_string_equal(str(o, "stage"), "outbox");
	assert_string_equal(str(o, "action"), "replay");
	assert_string_equal(str(o, "scope"), "failed");
	assert_string_equal(str(o, "target"), "public.outbox on shop");
	assert_int_equal(json_integer_value(json_object_get(o, "previewed")), 12);
	assert_int_equal(json_integer_value(json_object_get(o, "affected")), 12);
	assert_true(json_is_integer(json_object_get(o, "duration_ms")));
	assert_int_equal(json_integer_value(json_object_get(o, "duration_ms")), 84);
	assert_string_equal(str(o, "answer"), "UPDATE 12");
	assert_string_equal(str(o, "result"), "applied");
	assert_null_field(o, "reason");
	/* the fields in the order of DESIGN.md */
	char *raw = slurp(path);
	assert_int_equal(strncmp(raw, "{\"time\":", 8), 0);
	assert_non_null(strstr(raw, "\"result\":\"applied\",\"reason\":null,\"duration_ms\":84}\n"));
	free(raw);
	json_decref(lines);
	free(path);
	config_free(cfg);
}

/* A refusal before anything ran: what is unknown is null, and so is `from` without SSH. */
static void test_unknowns_are_null(void **state)
{
	(void)state;
	struct audit_entry e = {.pipeline = "orders",
	                        .action = ACTION_PAUSE,
	                        .previewed = AUDIT_UNKNOWN,
	                        .affected = AUDIT_UNKNOWN,
	                        .result = AUDIT_REFUSED,
	                        .reason = "read-only",
	                        .duration_ms = AUDIT_UNKNOWN};
	char *line = audit_line(NULL, &e);
	json_t *o = json_loads(line, 0, NULL);
	assert_non_null(o);
	assert_null_field(o, "from");
	assert_null_field(o, "environment");
	assert_null_field(o, "stage");
	assert_null_field(o, "scope");
	assert_null_field(o, "target");
	assert_null_field(o, "previewed");
	assert_null_field(o, "affected");
	assert_null_field(o, "answer");
	assert_null_field(o, "duration_ms");
	assert_string_equal(str(o, "action"), "pause");
	assert_string_equal(str(o, "result"), "refused");
	assert_string_equal(str(o, "reason"), "read-only");
	/* time 0: now, to the second it was written in */
	assert_int_equal(strlen(str(o, "time")), strlen("2025-12-03T10:54:12.345Z"));
	json_decref(o);
	free(line);

	setenv("SSH_CLIENT", "", 1);
	line = audit_line(NULL, &e);
	assert_non_null(strstr(line, "\"from\":null"));
	free(line);
	/* no $USER: the passwd name of the uid */
	unsetenv("USER");
	struct passwd *pw = getpwuid(getuid());
	assert_non_null(pw);
	line = audit_line(NULL, &e);
	o = json_loads(line, 0, NULL);
	assert_string_equal(str(o, "user"), pw->pw_name);
	json_decref(o);
	free(line);
}

/* The backend's answer cannot drive the terminal of whoever reads the log. */
static void test_answer_cleaned(void **state)
{
	(void)state;
	struct audit_entry e = applied();
	e.answer = "ok\x1b]0;pwned\x07 line\nbreak";
	char *line = audit_line(NULL, &e);
	json_t *o = json_loads(line, 0, NULL);
	assert_string_equal(str(o, "answer"), "ok\\x1B]0;pwned\\x07 line break");
	json_decref(o);
	free(line);

	json_t *shards = json_pack("{s:{s:i,s:i,s:i},s:[s]}", "_shards", "total", 2, "successful", 1,
	                           "failed", 0, "notes", "unassigned\x1b[2J");
	e.answer_json = shards;
	line = audit_line(NULL, &e);
	o = json_loads(line, 0, NULL);
	json_t *a = json_object_get(o, "answer");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "_shards"), "total")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "_shards"), "successful")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "notes"), 0)),
	                    "unassigned\\x1B[2J");
	/* the caller's answer is left as it was */
	assert_string_equal(json_string_value(json_array_get(json_object_get(shards, "notes"), 0)),
	                    "unassigned\x1b[2J");
	json_decref(o);
	json_decref(shards);
	free(line);
}

/* A password in a URL or a conninfo, or the connection's secret wherever it is echoed. */
static void test_no_secret(void **state)
{
	(void)state;
	struct conn c = {
	    .name = "es", .kind = CONN_SEARCH, .url = "http://admin:hunter2@es:9200", .secret = "s3cr3t-pw"};
	struct audit_entry e = applied();
	e.target = "index orders on http://admin:hunter2@es:9200/";
	e.scope = "host=db password=pg-pass dbname=shop";
	e.reason = "401: user admin with password s3cr3t-pw refused (hunter2)";
	e.result = AUDIT_FAILED;
	e.conn = &c;
	char err[512];
	assert_true(audit_append(NULL, &e, err, sizeof err));
	char *path = xasprintf("%s/synctop/audit.log", tmp);
	json_t *lines = read_lines(path);
	json_t *o = json_array_get(lines, 0);
	assert_string_equal(str(o, "target"), "index orders on http://admin:***@es:9200/");
	assert_string_equal(str(o, "scope"), "host=db password=*** dbname=shop");
	assert_string_equal(str(o, "reason"), "401: user admin with password *** refused (***)");
	assert_string_equal(str(o, "result"), "failed");
	json_decref(lines);

	/* a URL after a line break, with a secret in its query: redacted, and the break a space */
	e.conn = NULL;
	e.reason = "connect failed:\nhttp://es:9200/_refresh?api_key=k3y-abc";
	assert_true(audit_append(NULL, &e, err, sizeof err));
	lines = read_lines(path);
	assert_int_equal(json_array_size(lines), 2);
	assert_string_equal(str(json_array_get(lines, 1), "reason"),
	                    "connect failed: http://es:9200/_refresh?api_key=***");
	char *raw = slurp(path);
	assert_null(strstr(raw, "hunter2"));
	assert_null(strstr(raw, "s3cr3t"));
	assert_null(strstr(raw, "pg-pass"));
	assert_null(strstr(raw, "k3y"));
	free(raw);
	json_decref(lines);
	free(path);
}

static void test_modes_and_lines(void **state)
{
	(void)state;
	struct audit_entry e = applied();
	char err[512];
	assert_true(audit_append(NULL, &e, err, sizeof err));
	e.action = ACTION_RESTORE_REFRESH;
	e.result = AUDIT_CONFIRMED;
	assert_true(audit_append(NULL, &e, err, sizeof err));

	char *dir = xasprintf("%s/synctop", tmp);
	char *path = xasprintf("%s/audit.log", dir);
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	json_t *lines = read_lines(path);
	assert_int_equal(json_array_size(lines), 2);
	assert_string_equal(str(json_array_get(lines, 0), "action"), "replay");
	assert_string_equal(str(json_array_get(lines, 0), "result"), "applied");
	assert_string_equal(str(json_array_get(lines, 1), "action"), "restore-refresh");
	assert_string_equal(str(json_array_get(lines, 1), "result"), "confirmed");
	json_decref(lines);
	free(path);
	free(dir);
}

/* Two synctops appending at once: every line stays whole (one write each, O_APPEND). */
static void test_two_writers(void **state)
{
	(void)state;
	char *answer = xmalloc(6001);
	memset(answer, 'x', 6000);
	answer[6000] = '\0';
	struct audit_entry e = applied();
	e.answer = answer;
	pid_t child = fork();
	assert_true(child >= 0);
	char err[512];
	bool ok = true;
	for (int i = 0; i < 100; i++)
		ok = audit_append(NULL, &e, err, sizeof err) && ok;
	if (child == 0)
		_exit(ok ? 0 : 1);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(ok);
	char *path = xasprintf("%s/synctop/audit.log", tmp);
	json_t *lines = read_lines(path);
	assert_int_equal(json_array_size(lines), 200);
	for (size_t i = 0; i < 200; i++)
		assert_int_equal(strlen(str(json_array_get(lines, i), "answer")), 6000);
	json_decref(lines);
	free(path);
	free(answer);
}

static void expect_refused(const char *audit_log, const char *want)
{
	struct config *cfg = config_default();
	cfg->audit_log = xstrdup(audit_log);
	struct audit_entry e = applied();
	char err[512] = "junk";
	assert_false(audit_append(cfg, &e, err, sizeof err));
	assert_string_equal(err, want);
	config_free(cfg);
}

static void test_unwritable(void **state)
{
	(void)state;
	char *dir = xasprintf("%s/a-dir", tmp);
	char *fifo = xasprintf("%s/a-fifo", tmp);
	char *file = xasprintf("%s/a-file", tmp);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);

	char *want = xasprintf("cannot write the audit log %s: Is a directory", dir);
	expect_refused(dir, want);
	free(want);
	want = xasprintf("cannot write the audit log %s: not a regular file (a FIFO)", fifo);
	expect_refused(fifo, want);
	free(want);
	char *under = xasprintf("%s/audit.log", file);
	want = xasprintf("cannot write the audit log %s: Not a directory", under);
	expect_refused(under, want);
	free(want);
	free(under);
	under = xasprintf("%s/sub/audit.log", file);
	want = xasprintf("cannot write the audit log %s: cannot create %s/sub: Not a directory", under, file);
	expect_refused(under, want);
	free(want);
	free(under);
	free(file);
	free(fifo);
	free(dir);
}

static void path_is(const struct config *cfg, const char *want)
{
	char buf[256];
	const char *got = audit_path(cfg, buf, sizeof buf);
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_path(void **state)
{
	(void)state;
	setenv("HOME", "/home/alice", 1);
	setenv("XDG_STATE_HOME", "/var/state", 1);
	path_is(NULL, "/var/state/synctop/audit.log");
	unsetenv("XDG_STATE_HOME");
	path_is(NULL, "/home/alice/.local/state/synctop/audit.log");
	setenv("XDG_STATE_HOME", "", 1);
	path_is(NULL, "/home/alice/.local/state/synctop/audit.log");
	setenv("XDG_STATE_HOME", "state", 1); /* relative: invalid, ignored (XDG) */
	path_is(NULL, "/home/alice/.local/state/synctop/audit.log");

	struct config *cfg = config_default();
	path_is(cfg, "/home/alice/.local/state/synctop/audit.log");
	cfg->audit_log = xstrdup("/var/log/synctop/audit.log");
	path_is(cfg, "/var/log/synctop/audit.log");
	config_free(cfg);

	char small[8];
	assert_null(audit_path(NULL, small, sizeof small));
	setenv("XDG_STATE_HOME", tmp, 1);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(audit_result_name(AUDIT_APPLIED), "applied");
	assert_string_equal(audit_result_name(AUDIT_CONFIRMED), "confirmed");
	assert_string_equal(audit_result_name(AUDIT_UNCONFIRMED), "unconfirmed");
	assert_string_equal(audit_result_name(AUDIT_REFUSED), "refused");
	assert_string_equal(audit_result_name(AUDIT_FAILED), "failed");
	assert_null(audit_result_name((enum audit_result)99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_every_field, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknowns_are_null, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_answer_cleaned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_secret, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_modes_and_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path, setup, teardown),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
