/* test_poller.c: the poller against a connection that is refused (real libpq, a loopback port
   where nothing listens): every round answers, errors name the connection, backoff doubles
   up to the interval. */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fixture.h"
#include "poller.h"

/* Port 1 on loopback: nothing listens there, so connect() is refused at once. */
static const char *const INI = "[synctop]\n"
                               "timeout = 1s\n"
                               "[postgres shop]\n"
                               "conninfo = host=127.0.0.1 port=1 dbname=x user=u password=hunter2\n"
                               "[pipeline products]\n"
                               "outbox = shop\n"
                               "slot = shop\n";

static void sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
	nanosleep(&ts, NULL);
}

/* The error of stage j after one more round. */
static void round_error(struct poller *p, size_t j, char *buf, size_t n)
{
	poller_round(p);
	struct snapshot snap;
	poller_snapshot(p, &snap);
	assert_non_null(snap.pipes[0].stages[j].cur.metrics);
	assert_false(snap.pipes[0].stages[j].cur.ok);
	strlcpy_safe(buf, snap.pipes[0].stages[j].cur.err, n);
	snapshot_free(&snap);
}

static void test_refused_backoff(void **state)
{
	struct config *cfg = fixture_config(INI);
	struct poller *p = poller_new(cfg);
	char err[512];
	assert_true(poller_start(p, err, sizeof err));

	/* Round 1: one attempt, refused; both stages of the connection report that attempt. */
	round_error(p, 0, err, sizeof err);
	assert_non_null(
	    strstr(err, "cannot connect to shop (host=127.0.0.1 port=1 dbname=x user=u password=***): "));
	assert_non_null(strstr(err, "Connection refused"));
	assert_null(strstr(err, "hunter2"));
	assert_null(strstr(err, "next attempt"));
	char slot_err[512];
	round_error(p, 1, slot_err, sizeof slot_err);
	/* Round 2 came at once: no new attempt, the backoff of 1 s is said. */
	assert_non_null(strstr(slot_err, "(next attempt in 1s)"));

	/* After the backoff a new attempt is made, and the next backoff is 2 s. */
	sleep_s(1.1);
	round_error(p, 0, err, sizeof err);
	assert_null(strstr(err, "next attempt"));
	round_error(p, 0, err, sizeof err);
	assert_non_null(strstr(err, "(next attempt in 2s)"));

	poller_free(p);
	config_free(cfg);
}

/* The backoff never outgrows the interval, so a server that is back is seen within two polls;
   an attempt due a little after the round starts is made in that round. */
static void test_backoff_capped_by_interval(void **state)
{
	struct config *cfg = fixture_config("[synctop]\n"
	                                    "interval = 1s\n"
	                                    "timeout = 1s\n"
	                                    "[postgres shop]\n"
	                                    "conninfo = host=127.0.0.1 port=1 dbname=x user=u\n"
	                                    "[pipeline products]\n"
	                                    "outbox = shop\n");
	struct poller *p = poller_new(cfg);
	char err[512];
	assert_true(poller_start(p, err, sizeof err));
	for (int attempt = 0; attempt < 3; attempt++) {
		round_error(p, 0, err, sizeof err);
		assert_null(strstr(err, "next attempt"));
		round_error(p, 0, err, sizeof err);
		assert_non_null(strstr(err, "(next attempt in 1s)"));
		sleep_s(0.95); /* within the slack: the next round tries again */
	}
	poller_free(p);
	config_free(cfg);
}

static void test_history_kept(void **state)
{
	struct config *cfg = fixture_config(INI);
	struct poller *p = poller_new(cfg);
	char err[256];
	assert_true(poller_start(p, err, sizeof err));
	for (int i = 0; i < 3; i++)
		poller_round(p);
	struct snapshot snap;
	poller_snapshot(p, &snap);
	assert_int_equal(snap.pipes[0].n_stages, 2);
	assert_int_equal(snap.pipes[0].stages[0].n_samples, 3);
	assert_non_null(snap.pipes[0].stages[0].prev.metrics); /* the sample before the latest */
	assert_true(snap.pipes[0].stages[0].cur.mono > snap.pipes[0].stages[0].prev.mono);
	snapshot_free(&snap);
	poller_free(p);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refused_backoff),
	    cmocka_unit_test(test_backoff_capped_by_interval),
	    cmocka_unit_test(test_history_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
