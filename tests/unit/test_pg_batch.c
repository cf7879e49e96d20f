/* test_pg_batch.c: pg_query_batch (libpq pipeline mode) answers exactly as pg_query one statement
   after another would: the same rows, the same errors, an error leaving the others to run, the
   result cap, and a session that goes on working after it. Needs a PostgreSQL server (PGHOST,
   PGPORT: the test stack); the whole file is skipped without PGHOST (make distcheck starts no
   stack), and fails when PGHOST names a server that does not answer. */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend/pg.h"
#include "util.h"

/* A session on the stack's server, or NULL (and why) when it does not answer. */
static PGconn *connect_stack(void)
{
	PGconn *c = PQconnectdb("dbname=postgres");
	if (PQstatus(c) != CONNECTION_OK) {
		print_message("PGHOST=%s: %s", getenv("PGHOST"), PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PQsetnonblocking(c, 1);
	return c;
}

static int setup(void **state)
{
	*state = connect_stack();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	if (*state)
		PQfinish(*state);
	return 0;
}

/* The whole of a result as text: rows, then columns, '|' between values, NULL as \N. */
static char *dump(const PGresult *r)
{
	char *out = xstrdup("");
	for (int i = 0; i < PQntuples(r); i++)
		for (int j = 0; j < PQnfields(r); j++) {
			char *next = xasprintf("%s%s%s", out, j ? "|" : (i ? "\n" : ""),
			                       PQgetisnull(r, i, j) ? "\\N" : PQgetvalue(r, i, j));
			free(out);
			out = next;
		}
	return out;
}

static const char *const one[] = {"7"};
static const char *const two[] = {"3", "abc"};

/* Statements that answer rows, none, an error, parameters, and a statement after an error. */
static struct pg_stmt stmts[] = {
    {.sql = "SELECT g, g * 2, NULL::text FROM generate_series(1, $1::int) g", .nparams = 1, .params = one},
    {.sql = "SELECT 1 WHERE false"},
    {.sql = "SELECT * FROM no_such_table_here"},
    {.sql = "SELECT repeat($2, $1::int), current_setting('transaction_read_only')",
     .nparams = 2,
     .params = two},
    {.sql = "SELECT 1/0"},
    {.sql = "SELECT 'after the errors'"},
};
#define N_STMTS (sizeof stmts / sizeof *stmts)

static void test_batch_matches_serial(void **state)
{
	PGconn *c = *state;
	double deadline = now_mono() + 10;
	char *serial[N_STMTS];
	for (size_t i = 0; i < N_STMTS; i++) {
		char err[256];
		bool broken;
		PGresult *r = pg_query(c, stmts[i].sql, stmts[i].nparams, stmts[i].params, deadline, err,
		                       sizeof err, &broken);
		assert_false(broken);
		serial[i] = r ? dump(r) : xasprintf("error: %s", err);
		PQclear(r);
	}
	assert_true(pg_query_batch(c, stmts, N_STMTS, deadline));
	for (size_t i = 0; i < N_STMTS; i++) {
		char *batch = stmts[i].res ? dump(stmts[i].res) : xasprintf("error: %s", stmts[i].err);
		assert_string_equal(batch, serial[i]);
		free(batch);
		free(serial[i]);
		PQclear(stmts[i].res);
	}
	/* the exact answers, to know the comparison compared something */
	assert_true(pg_query_batch(c, stmts, N_STMTS, deadline));
	char *rows = dump(stmts[0].res);
	assert_string_equal(rows, "1|2|\\N\n2|4|\\N\n3|6|\\N\n4|8|\\N\n5|10|\\N\n6|12|\\N\n7|14|\\N");
	free(rows);
	assert_int_equal(PQntuples(stmts[1].res), 0);
	assert_null(stmts[2].res);
	assert_string_equal(stmts[2].err, "relation \"no_such_table_here\" does not exist");
	rows = dump(stmts[3].res);
	assert_string_equal(rows, "abcabcabc|off");
	free(rows);
	assert_string_equal(stmts[4].err, "division by zero");
	rows = dump(stmts[5].res);
	assert_string_equal(rows, "after the errors");
	free(rows);
	for (size_t i = 0; i < N_STMTS; i++)
		PQclear(stmts[i].res);
	/* and the session is out of pipeline mode, as pg_query needs it */
	assert_int_equal(PQpipelineStatus(c), PQ_PIPELINE_OFF);
	char err[256];
	bool broken;
	PGresult *r = pg_query(c, "SELECT 42", 0, NULL, deadline, err, sizeof err, &broken);
	assert_non_null(r);
	assert_string_equal(PQgetvalue(r, 0, 0), "42");
	PQclear(r);
}

/* A result past PG_RESULT_MAX breaks the session, in a batch as alone; the statements after it
   get the reason. */
static void test_batch_result_cap(void **state)
{
	PGconn *c = *state;
	struct pg_stmt big[] = {
	    {.sql = "SELECT 'small'"},
	    {.sql = "SELECT repeat('x', 1024 * 1024) FROM generate_series(1, 20)"},
	    {.sql = "SELECT 'never read'"},
	};
	assert_false(pg_query_batch(c, big, 3, now_mono() + 10));
	assert_non_null(big[0].res);
	assert_null(big[1].res);
	assert_string_equal(big[1].err, "the result is larger than 16 MiB (synctop's cap on a query result)");
	assert_null(big[2].res);
	assert_string_equal(big[2].err, big[1].err);
	PQclear(big[0].res);
}

/* value SQL: the one value of a query run live (never a prefetched answer: another text). */
static char *value(PGconn *c, const char *sql)
{
	char err[256];
	bool broken;
	PGresult *r = pg_query(c, sql, 0, NULL, now_mono() + 10, err, sizeof err, &broken);
	char *v = !r             ? xasprintf("error: %s", err)
	          : PQntuples(r) ? xstrdup(PQgetvalue(r, 0, 0))
	                         : xstrdup("");
	PQclear(r);
	return v;
}

/* The round's prefetch: a statement queued by two stages is sent once and answers both; the
   statement asked again after that goes to the server; an error is an answer too; a new round
   or pg_prefetch_end forgets what no poll took. */
static void test_prefetch(void **state)
{
	PGconn *c = connect_stack(); /* its own: test_batch_result_cap leaves its session broken */
	assert_non_null(c);
	free(value(c, "CREATE TEMP SEQUENCE IF NOT EXISTS pf_seq"));
	free(value(c, "SELECT setval('pf_seq', 1, false)"));
	const char *nv = "SELECT nextval('pf_seq')::text", *bad = "SELECT * FROM no_such_table_here";
	pg_prefetch_add(c, 7, nv, 0, NULL);
	pg_prefetch_add(c, 7, nv, 0, NULL);
	pg_prefetch_add(c, 7, bad, 0, NULL);
	char err[256];
	assert_true(pg_prefetch_run(c, 7, now_mono() + 10, err, sizeof err));
	char *a = value(c, nv), *b = value(c, nv), *live = value(c, nv);
	assert_string_equal(a, "1"); /* sent once: nextval ran once for both */
	assert_string_equal(b, "1");
	assert_string_equal(live, "2");
	free(a);
	free(b);
	free(live);
	struct pg_stmt st[2] = {{.sql = bad}, {.sql = nv}};
	assert_true(pg_query_batch(c, st, 2, now_mono() + 10));
	assert_null(st[0].res); /* the prefetched error */
	assert_string_equal(st[0].err, "relation \"no_such_table_here\" does not exist");
	assert_string_equal(PQgetvalue(st[1].res, 0, 0), "3"); /* live: no answer left */
	PQclear(st[1].res);

	/* a new round forgets the last one's answers; so does pg_prefetch_end */
	pg_prefetch_add(c, 8, nv, 0, NULL);
	assert_true(pg_prefetch_run(c, 8, now_mono() + 10, err, sizeof err)); /* nextval 4 */
	pg_prefetch_add(c, 9, "SELECT 1", 0, NULL);
	a = value(c, nv);
	assert_string_equal(a, "5");
	free(a);
	pg_prefetch_add(c, 10, nv, 0, NULL);
	assert_true(pg_prefetch_run(c, 10, now_mono() + 10, err, sizeof err)); /* nextval 6 */
	pg_backend.prefetch_end(c);
	a = value(c, nv);
	assert_string_equal(a, "7");
	free(a);
	PQfinish(c);
}

static void test_batch_empty(void **state)
{
	PGconn *c = *state;
	assert_true(pg_query_batch(c, NULL, 0, now_mono() + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_batch_matches_serial),
	    cmocka_unit_test(test_batch_result_cap),
	    cmocka_unit_test(test_prefetch),
	    cmocka_unit_test(test_batch_empty),
	};
	/* TAP's skip of a whole file: cmocka's skip() prints "not ok # SKIP", a failure to automake. */
	if (!getenv("PGHOST")) {
		printf("1..0 # SKIP no PostgreSQL (PGHOST unset)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
