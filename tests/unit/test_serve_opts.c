/* test_serve_opts.c: --serve's address ([ADDR:]PORT) and its users (serve.auth_file), built with or without
 * libmicrohttpd. */
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

#include "serve_opts.h"

static void addr_ok(const char *arg, const char *host, bool ipv6, int port)
{
	struct serve_addr a;
	char err[256] = "";
	if (!serve_parse_addr(arg, &a, err, sizeof err))
		fail_msg("serve_parse_addr(\"%s\") failed: %s", arg, err);
	assert_string_equal(a.host, host);
	assert_int_equal(a.ipv6, ipv6);
	assert_int_equal(a.port, port);
}

static void addr_bad(const char *arg, const char *want)
{
	struct serve_addr a;
	char err[256] = "";
	if (serve_parse_addr(arg, &a, err, sizeof err))
		fail_msg("serve_parse_addr(\"%s\") accepted: %s:%d", arg, a.host, a.port);
	assert_string_equal(err, want);
}

static void test_addr(void **state)
{
	(void)state;
	addr_ok("9187", "127.0.0.1", false, 9187);
	addr_ok(":9187", "127.0.0.1", false, 9187);
	addr_ok("0", "127.0.0.1", false, 0);
	addr_ok("0.0.0.0:65535", "0.0.0.0", false, 65535);
	addr_ok("192.0.2.10:80", "192.0.2.10", false, 80);
	addr_ok("[::1]:9187", "::1", true, 9187);
	addr_ok("[::]:1", "::", true, 1);
	addr_bad("", "bad port in '' (use [ADDR:]PORT, e.g. 9187 or 127.0.0.1:9187)");
	addr_bad("127.0.0.1:", "bad port in '127.0.0.1:' (use [ADDR:]PORT, e.g. 9187 or 127.0.0.1:9187)");
	addr_bad("65536", "bad port in '65536' (use [ADDR:]PORT, e.g. 9187 or 127.0.0.1:9187)");
	addr_bad("-1", "bad port in '-1' (use [ADDR:]PORT, e.g. 9187 or 127.0.0.1:9187)");
	addr_bad("9187 ", "bad port in '9187 ' (use [ADDR:]PORT, e.g. 9187 or 127.0.0.1:9187)");
	addr_bad("::1:9187", "bad address '::1:9187' (an IPv6 address goes in brackets: [::1]:9187)");
	addr_bad("[::1]9187", "bad address '[::1]9187' (an IPv6 address goes in brackets: [::1]:9187)");
	addr_bad("[127.0.0.1]:80", "bad address '127.0.0.1' in '[127.0.0.1]:80' (a numeric IPv4 address, or "
	                           "IPv6 in brackets: 127.0.0.1:9187, [::1]:9187)");
	addr_bad("localhost:80", "bad address 'localhost' in 'localhost:80' (a numeric IPv4 address, or IPv6 "
	                         "in brackets: 127.0.0.1:9187, [::1]:9187)");
	addr_bad("256.0.0.1:80", "bad address '256.0.0.1' in '256.0.0.1:80' (a numeric IPv4 address, or IPv6 "
	                         "in brackets: 127.0.0.1:9187, [::1]:9187)");
}

/* A file of text in a fresh temporary directory, with mode; its path in path. */
static void write_file(char *path, size_t n, const char *text, mode_t mode)
{
	char dir[] = "/tmp/test_serve_opts.XXXXXX";
	assert_non_null(mkdtemp(dir));
	snprintf(path, n, "%s/users", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void remove_file(const char *path)
{
	unlink(path);
	char dir[256];
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

static void test_auth_file(void **state)
{
	(void)state;
	char path[256], err[512] = "";
	struct serve_auth a;
	write_file(path, sizeof path, "# scrapers\nprometheus:s3cret\r\n\nops:a:b:c\n", 0600);
	assert_true(serve_auth_load(path, &a, err, sizeof err));
	assert_int_equal(a.n, 2);
	assert_true(serve_auth_check(&a, "prometheus", "s3cret"));
	assert_true(serve_auth_check(&a, "ops", "a:b:c")); /* the first colon ends the user */
	assert_false(serve_auth_check(&a, "prometheus", "s3cre"));
	assert_false(serve_auth_check(&a, "prometheus", "s3cret2"));
	assert_false(serve_auth_check(&a, "prometheus", "S3cret"));
	assert_false(serve_auth_check(&a, "prometheu", "s3cret"));
	assert_false(serve_auth_check(&a, "ops", "s3cret")); /* one user's password is not another's */
	assert_false(serve_auth_check(&a, "", ""));
	serve_auth_free(&a);
	remove_file(path);
}

/* want: what the message says after "serve.auth_file: PATH". */
static void auth_bad(const char *text, mode_t mode, const char *want_after_path)
{
	char path[256], err[512] = "", want[512];
	struct serve_auth a;
	write_file(path, sizeof path, text, mode);
	assert_false(serve_auth_load(path, &a, err, sizeof err));
	assert_int_equal(a.n, 0);
	snprintf(want, sizeof want, "serve.auth_file: %s%s", path, want_after_path);
	assert_string_equal(err, want);
	remove_file(path);
}

static void test_auth_file_bad(void **state)
{
	(void)state;
	auth_bad("u:p\n", 0640, " may be read by group or others (mode 640): chmod 600 it");
	auth_bad("u:p\n", 0604, " may be read by group or others (mode 604): chmod 600 it");
	auth_bad("u:p\nnocolon\n", 0600, ":2: expected user:password");
	auth_bad(":p\n", 0600, ":1: expected user:password");
	auth_bad("u:\n", 0600, ":1: expected user:password");
	auth_bad("u:p\x1b[2J\n", 0600, ":1: control character in the line");
	auth_bad("# nobody\n\n", 0600, ": no user:password line");
	/* The message never quotes the file's text: a password stays out of it. */
	auth_bad("secretuser secretpass\n", 0600, ":1: expected user:password");
}

static void test_auth_file_missing(void **state)
{
	(void)state;
	char err[512] = "";
	struct serve_auth a;
	assert_false(serve_auth_load("/nonexistent/users", &a, err, sizeof err));
	assert_string_equal(err,
	                    "serve.auth_file: cannot read /nonexistent/users: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addr),
	    cmocka_unit_test(test_auth_file),
	    cmocka_unit_test(test_auth_file_bad),
	    cmocka_unit_test(test_auth_file_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
