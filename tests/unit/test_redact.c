/* test_redact.c: passwords in conninfo strings, URLs and messages are never shown. */
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "redact.h"

static void conninfo_is(const char *in, const char *want, bool has)
{
	char *got = redact_conninfo(in);
	if (strcmp(got, want) != 0)
		fail_msg("redact_conninfo(\"%s\") = \"%s\", want \"%s\"", in ? in : "(null)", got, want);
	free(got);
	if (conninfo_has_password(in) != has)
		fail_msg("conninfo_has_password(\"%s\") != %d", in ? in : "(null)", has);
}

static void url_is(const char *in, const char *want, bool has)
{
	char *got = redact_url(in);
	if (strcmp(got, want) != 0)
		fail_msg("redact_url(\"%s\") = \"%s\", want \"%s\"", in ? in : "(null)", got, want);
	free(got);
	if (url_has_password(in) != has)
		fail_msg("url_has_password(\"%s\") != %d", in ? in : "(null)", has);
}

static void test_conninfo_keyvalue(void **state)
{
	(void)state;
	conninfo_is("host=db user=app password=hunter2 dbname=shop",
	            "host=db user=app password=*** dbname=shop", true);
	conninfo_is("password=hunter2", "password=***", true);
	conninfo_is("host=db  password = hunter2  port=5432", "host=db  password = ***  port=5432", true);
	conninfo_is("sslpassword=keypass host=db", "sslpassword=*** host=db", true);
	conninfo_is("PASSWORD=x", "PASSWORD=***", true);
	conninfo_is("host=db dbname=shop", "host=db dbname=shop", false);
	conninfo_is("service=shop", "service=shop", false);
	conninfo_is("passfile=/etc/pgpass host=db", "passfile=/etc/pgpass host=db", false);
}

static void test_conninfo_quoted(void **state)
{
	(void)state;
	conninfo_is("password='two words' host=db", "password=*** host=db", true);
	conninfo_is("password='it\\'s \\\\ here' host=db", "password=*** host=db", true);
	conninfo_is("password=back\\ slash host=db", "password=*** host=db", true);
	conninfo_is("application_name='a b' password=x", "application_name='a b' password=***", true);
	/* an empty password hides nothing */
	conninfo_is("password='' host=db", "password='' host=db", false);
	conninfo_is("password=", "password=", false);
	/* libpq skips blanks after '=': here the password is "host=db" */
	conninfo_is("password= host=db", "password= ***", true);
}

static void test_conninfo_dbname_expansion(void **state)
{
	(void)state;
	/* libpq expands a dbname holding a conninfo or URI: its password is a password */
	conninfo_is("dbname='host=x password=y'", "dbname=***", true);
	conninfo_is("dbname=postgresql://u:pw@h/db", "dbname=***", true);
	conninfo_is("dbname='host=x user=y'", "dbname='host=x user=y'", false);
}

static void test_conninfo_uri(void **state)
{
	(void)state;
	conninfo_is("postgresql://app:hunter2@db:5432/shop", "postgresql://app:***@db:5432/shop", true);
	conninfo_is("postgres://app:hunter2@db/shop", "postgres://app:***@db/shop", true);
	conninfo_is("postgresql://app@db/shop?password=hunter2", "postgresql://app@db/shop?password=***",
	            true);
	conninfo_is("postgresql://db/shop?sslmode=require&password=x&connect_timeout=2",
	            "postgresql://db/shop?sslmode=require&password=***&connect_timeout=2", true);
	conninfo_is("postgresql://app:p%40ss@h1:5432,h2:5432/shop",
	            "postgresql://app:***@h1:5432,h2:5432/shop", true);
	conninfo_is("postgresql://app@db/shop", "postgresql://app@db/shop", false);
	conninfo_is("postgresql:///shop?host=/var/run/postgresql",
	            "postgresql:///shop?host=/var/run/postgresql", false);
	/* a raw '@' in the password: everything up to the last '@' is userinfo */
	conninfo_is("postgresql://app:p@ss@db/shop", "postgresql://app:***@db/shop", true);
}

static void test_conninfo_malformed(void **state)
{
	(void)state;
	conninfo_is(NULL, "", false);
	conninfo_is("", "", false);
	conninfo_is("   ", "   ", false);
	conninfo_is("password='unterminated", "password=***", true);
	conninfo_is("password='unterminated \\", "password=***", true);
	conninfo_is("password=\\", "password=***", true);
	conninfo_is("password", "password", false);
	conninfo_is("host db password=x", "host db password=***", true);
	conninfo_is("=", "=", false);
	conninfo_is("==x", "==x", false);
	conninfo_is("'", "'", false);
	conninfo_is("postgresql://", "postgresql://", false);
	conninfo_is("postgresql://@", "postgresql://@", false);
	conninfo_is("postgresql://:@h", "postgresql://:@h", false);
}

static void test_url_userinfo(void **state)
{
	(void)state;
	url_is("redis://:hunter2@localhost:6379/0", "redis://:***@localhost:6379/0", true);
	url_is("rediss://default:hunter2@cache:6380", "rediss://default:***@cache:6380", true);
	url_is("https://elastic:changeme@es:9200", "https://elastic:***@es:9200", true);
	url_is("https://elastic@es:9200", "https://elastic@es:9200", false);
	url_is("https://es:9200/path", "https://es:9200/path", false);
	url_is("http://u:@h", "http://u:@h", false);
	url_is("localhost:9092,broker2:9092", "localhost:9092,broker2:9092", false);
}

static void test_url_query(void **state)
{
	(void)state;
	url_is("https://es:9200/?api_key=K1&pretty", "https://es:9200/?api_key=***&pretty", true);
	url_is("https://h/x?APIKEY=a&Token=b&secret=c&access_token=d&password=e&keep=f",
	       "https://h/x?APIKEY=***&Token=***&secret=***&access_token=***&password=***&keep=f", true);
	url_is("https://h/#access_token=abc", "https://h/#access_token=***", true);
	url_is("https://h/?tokens=x&api_key=", "https://h/?tokens=x&api_key=", false);
	url_is("https://h/?a&b=&&=x&token", "https://h/?a&b=&&=x&token", false);
}

/* libmongoc's URI options that hold a secret: any name ending in "password", and the AWS
   session token of authMechanismProperties (secrets.sh found them in --record's copy of the
   config and in the connection's display). */
static void test_url_query_mongodb(void **state)
{
	(void)state;
	url_is("mongodb://u:p@h/?tls=true&tlsCertificateKeyFilePassword=K1&appname=x",
	       "mongodb://u:***@h/?tls=true&tlsCertificateKeyFilePassword=***&appname=x", true);
	url_is("mongodb://h/?sslClientCertificateKeyPassword=K2",
	       "mongodb://h/?sslClientCertificateKeyPassword=***", true);
	url_is("mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:T1",
	       "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=***", true);
	url_is("mongodb://h/?passwordless=1&tlsCAFile=/x", "mongodb://h/?passwordless=1&tlsCAFile=/x", false);
	char **l = secrets_in("mongodb://u:p@h/?tlsCertificateKeyFilePassword=K%231", false);
	assert_non_null(l);
	assert_string_equal(l[0], "p");
	assert_string_equal(l[1], "K%231"); /* as written ... */
	assert_string_equal(l[2], "K#1");   /* ... and as the driver reads it */
	assert_null(l[3]);
	secrets_free(l);
}

static void test_url_malformed(void **state)
{
	(void)state;
	url_is(NULL, "", false);
	url_is("", "", false);
	url_is("@", "@", false);
	url_is("@@@", "@@@", false);
	url_is("://", "://", false);
	url_is("?", "?", false);
	url_is("user:pass@host:6379", "user:***@host:6379", true); /* '@' without a scheme */
	url_is(":pass@", ":***@", true);
	url_is("redis://:p@ss@host", "redis://:***@host", true);
	url_is("http://h?password=a=b", "http://h?password=***", true);
}

/* Issue 12, case 1: the userinfo ends at an '@' before the first '/' after "scheme://",
   wherever '?' and '#' are, as libpq, synctop's Redis parser and curl read it. */
static void test_userinfo_with_query_chars(void **state)
{
	(void)state;
	conninfo_is("postgresql://u:SECRETq?x=1SECRET@127.0.0.1:1/db", "postgresql://u:***@127.0.0.1:1/db",
	            true);
	conninfo_is("postgres://u:a#b@h/db?sslmode=disable", "postgres://u:***@h/db?sslmode=disable", true);
	conninfo_is("postgresql://u:a?b#c&d=e@h1:1,h2:2/db", "postgresql://u:***@h1:1,h2:2/db", true);
	url_is("redis://:REDSEC#frag@127.0.0.1:1/0", "redis://:***@127.0.0.1:1/0", true);
	url_is("redis://user:p?w#x@h:6379/0", "redis://user:***@h:6379/0", true);
	url_is("rediss://:a#b?c@h", "rediss://:***@h", true);
	url_is("unix://:pw#x@/run/redis.sock", "unix://:***@/run/redis.sock", true);
	url_is("https://elastic:pw?x@es:9200/?pretty", "https://elastic:***@es:9200/?pretty", true);
	url_is("http://u:pw#x@connect:8083", "http://u:***@connect:8083", true);
	/* a '?' or '#' before an '@' with no ':' before it: no password, the query still counts */
	url_is("https://u?token=t@h/", "https://u?token=***", true);
	/* an '@' after the first '/' is not userinfo */
	url_is("https://es:9200/logs@2024", "https://es:9200/logs@2024", false);
	url_is("redis://h:6379/0?x=a:b@c", "redis://h:6379/0?x=a:b@c", false);
}

/* A '/' in a password: the parsers read a port that is no number; the last '@' ends the
   userinfo then, and each '/'-separated part is a secret too (a message may quote it). */
static void test_slash_in_password(void **state)
{
	(void)state;
	url_is("redis://:pa/ss@host:6379/0", "redis://:***@host:6379/0", true);
	url_is("https://elastic:a/b/c@es:9200", "https://elastic:***@es:9200", true);
	conninfo_is("postgresql://u:pa/ss@h/db", "postgresql://u:***@h/db", true);
	char **l = secrets_in("postgresql://u:pa/ss@h/db", true);
	assert_non_null(l);
	assert_string_equal(l[0], "pa/ss");
	assert_string_equal(l[1], "pa"); /* libpq: invalid integer value "pa" for ... "port" */
	assert_string_equal(l[2], "ss");
	assert_null(l[3]);
	char msg[128] = "invalid integer value \"pa\" for connection option \"port\"";
	redact_secrets_inplace(msg, sizeof msg, (const char *const *)l);
	assert_string_equal(msg, "invalid integer value \"***\" for connection option \"port\"");
	secrets_free(l);
	/* numeric ports, an IPv6 address, host lists: an '@' in the path stays */
	url_is("https://es:9200/a@b", "https://es:9200/a@b", false);
	url_is("http://[::1]/x@y", "http://[::1]/x@y", false);
	url_is("http://[::1]:9200/x@y", "http://[::1]:9200/x@y", false);
	url_is("postgresql://h1:5432,h2:5433/db@x", "postgresql://h1:5432,h2:5433/db@x", false);
}

/* libpq reads '#' and '?' in a query value as part of it: a secret value runs to the next '&'. */
static void test_query_value_delimiters(void **state)
{
	(void)state;
	conninfo_is("postgresql://h/db?password=a#b&sslmode=disable",
	            "postgresql://h/db?password=***&sslmode=disable", true);
	conninfo_is("postgresql://h/db?password=a?b", "postgresql://h/db?password=***", true);
	url_is("https://h/?api_key=K#frag", "https://h/?api_key=***", true);
	/* a plain value still ends at '#': what follows is another parameter */
	url_is("https://h/?pretty=1#token=abc", "https://h/?pretty=1#token=***", true);
	conninfo_is("postgresql://h/db?application_name=x#password=y",
	            "postgresql://h/db?application_name=x#password=***", true);
}

/* Issue 12, case 2: a scheme-less value is only quoted in an error: any '@' may end the userinfo. */
static void test_schemeless_userinfo(void **state)
{
	(void)state;
	url_is("user:pw#x@host:6379", "user:***@host:6379", true);
	url_is("user:pw?x@host:6379/0", "user:***@host:6379/0", true);
	url_is(":pw/x@host", ":***@host", true);
	url_is("redis:/:pw@host", "redis:***@host", true);
	url_is("es:9200?api_key=K&x=1", "es:9200?api_key=***&x=1", true);
}

/* Issue 12, case 3: libpq percent-decodes query keys and values, user and password; curl the
   user and password. Names are decoded before they are compared; secrets_in has both forms. */
static void test_percent_encoded(void **state)
{
	(void)state;
	conninfo_is("postgresql://h/db?pass%77ord=SECRET", "postgresql://h/db?pass%77ord=***", true);
	conninfo_is("postgresql://h/db?%70%61%73%73%77%6F%72%64=S&application_name=a",
	            "postgresql://h/db?%70%61%73%73%77%6F%72%64=***&application_name=a", true);
	conninfo_is("postgresql://h/db?sslpass%77ord=S", "postgresql://h/db?sslpass%77ord=***", true);
	url_is("https://h/?api%5Fkey=K&x=1", "https://h/?api%5Fkey=***&x=1", true);
	url_is("https://h/?pass%zzword=K", "https://h/?pass%zzword=K", false); /* not a %XX */

	char **l = secrets_in("postgresql://u:p%40ss%23x@h/db?pass%77ord=s%20t", true);
	assert_non_null(l);
	assert_string_equal(l[0], "p%40ss%23x"); /* as written ... */
	assert_string_equal(l[1], "p@ss#x");     /* ... and as libpq reads it */
	assert_string_equal(l[2], "s%20t");
	assert_string_equal(l[3], "s t");
	assert_null(l[4]);

	char msg[128] = "password \"p@ss#x\" or \"s t\" rejected";
	redact_secrets_inplace(msg, sizeof msg, (const char *const *)l);
	assert_string_equal(msg, "password \"***\" or \"***\" rejected");
	secrets_free(l);

	l = secrets_in("redis://:a%2Fb@h:6379/0", false);
	assert_non_null(l);
	assert_string_equal(l[0], "a%2Fb");
	assert_string_equal(l[1], "a/b");
	assert_null(l[2]);
	secrets_free(l);
}

#ifdef HAVE_POSTGRES
/* With libpq built in, PQconninfoParse judges: a conninfo whose text redaction would leave a
   secret libpq reads is shown rebuilt from libpq's reading. */
static void test_conninfo_libpq(void **state)
{
	(void)state;
	/* a percent-encoded conninfo as the dbname of a URI: libpq decodes it */
	conninfo_is("postgresql://h/host%3Dx%20password%3Dy", "dbname=*** host=h", true);
	conninfo_is("postgresql://u@h:5/%64bname%3Dpostgresql%3A%2F%2Fa%3Ab%40c",
	            "user=u dbname=*** host=h port=5", true);
	/* a raw '@': libpq's password ("p") is within the one hidden ("p@ss"): the text stays */
	conninfo_is("postgresql://app:p@ss@db/shop", "postgresql://app:***@db/shop", true);
	char **l = secrets_in("postgresql://app:p@ss@db/shop", true);
	assert_non_null(l);
	assert_string_equal(l[0], "p@ss");
	assert_null(l[1]);
	secrets_free(l);
	/* what libpq refuses is left to the text redaction */
	conninfo_is("host=db password='unterminated", "host=db password=***", true);
	/* a rebuilt value is quoted as libpq reads it back */
	conninfo_is("postgresql://h/host%3Dx%20password%3Dy?application_name=a%20b%27c",
	            "dbname=*** host=h application_name='a b\\'c'", true);
}
#endif

static void secrets_are(const char *in, size_t n, const char *const *secrets, const char *want)
{
	char buf[256];
	strlcpy_safe(buf, in, sizeof buf);
	redact_secrets_inplace(buf, n, secrets);
	if (strcmp(buf, want) != 0)
		fail_msg("redact_secrets_inplace(\"%s\", %zu) = \"%s\", want \"%s\"", in, n, buf, want);
}

static void test_secrets_inplace(void **state)
{
	(void)state;
	const char *const s1[] = {"hunter2", NULL};
	secrets_are("FATAL: password hunter2 rejected; hunter2!", 256, s1,
	            "FATAL: password *** rejected; ***!");
	secrets_are("nothing here", 256, s1, "nothing here");

	const char *const s2[] = {"", "ab", "longsecret", NULL}; /* empty strings are ignored */
	secrets_are("ab longsecret ab", 256, s2, "*** *** ***");

	/* growth beyond the buffer truncates, never leaving part of a secret */
	const char *const s3[] = {"a", "topsecret", NULL};
	secrets_are("a a a a topsecret", 18, s3, "*** *** *** *** *");

	const char *const none[] = {NULL};
	secrets_are("keep", 256, none, "keep");
	redact_secrets_inplace(NULL, 10, s1);
	char b[8] = "hunter2";
	redact_secrets_inplace(b, 0, s1);
	assert_string_equal(b, "hunter2");
	redact_secrets_inplace(b, sizeof b, NULL);
	assert_string_equal(b, "hunter2");
}

/* secrets_in: each secret as written, for scrubbing messages that echo the input. */
static void test_secrets_in(void **state)
{
	char **l = secrets_in("postgresql://u:sekret@[::1", true);
	assert_non_null(l);
	assert_string_equal(l[0], "sekret");
	assert_null(l[1]);
	secrets_free(l);

	l = secrets_in("host=x password='sek ret' sslpassword=k2", true);
	assert_non_null(l);
	assert_string_equal(l[0], "'sek ret'"); /* as written ... */
	assert_string_equal(l[1], "sek ret");   /* ... and as libpq reads it */
	assert_string_equal(l[2], "k2");        /* each form once */
	assert_null(l[3]);
	secrets_free(l);

	l = secrets_in("dbname='postgresql://u:inner@h/db' host=x", true);
	assert_non_null(l);
	assert_string_equal(l[0], "inner");
	secrets_free(l);

	l = secrets_in("https://elastic:pw@es:9200/?api_key=KEY&x=1", false);
	assert_non_null(l);
	assert_string_equal(l[0], "pw");
	assert_string_equal(l[1], "KEY");
	assert_null(l[2]);
	secrets_free(l);

	assert_null(secrets_in("host=x user=u", true));
	assert_null(secrets_in(NULL, true));

	/* The scrubber with such a list, as the poller uses it on a libpq message. */
	char msg[128] = "invalid URI: \"postgresql://u:sekret@[::1\"";
	l = secrets_in("postgresql://u:sekret@[::1", true);
	redact_secrets_inplace(msg, sizeof msg, (const char *const *)l);
	assert_string_equal(msg, "invalid URI: \"postgresql://u:***@[::1\"");
	secrets_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conninfo_keyvalue),
	    cmocka_unit_test(test_conninfo_quoted),
	    cmocka_unit_test(test_conninfo_dbname_expansion),
	    cmocka_unit_test(test_conninfo_uri),
	    cmocka_unit_test(test_conninfo_malformed),
	    cmocka_unit_test(test_url_userinfo),
	    cmocka_unit_test(test_url_query),
	    cmocka_unit_test(test_url_query_mongodb),
	    cmocka_unit_test(test_url_malformed),
	    cmocka_unit_test(test_secrets_inplace),
	    cmocka_unit_test(test_secrets_in),
	    cmocka_unit_test(test_userinfo_with_query_chars),
	    cmocka_unit_test(test_slash_in_password),
	    cmocka_unit_test(test_query_value_delimiters),
	    cmocka_unit_test(test_schemeless_userinfo),
	    cmocka_unit_test(test_percent_encoded),
#ifdef HAVE_POSTGRES
	    cmocka_unit_test(test_conninfo_libpq),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
