/* test_poller.c: the poller against a connection that is refused (real libpq, a loopback port
   where nothing listens): every round answers, errors name the connection, backoff doubles
   up to the interval; its request queue (poller_submit): refusals, the bound, the events. */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include <poll.h>
#ifdef HAVE_REDIS
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include "config_file.h"
#include "exec.h"
#include "fixture.h"
#include "kinds/kind.h"
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

#ifdef HAVE_REDIS
#define CACHE_CONN  "[redis sessions]\nurl = redis://:hunter3@127.0.0.1:1\n"
#define CACHE_STAGE "cache = sessions\ncache.key_prefix = session:\n"
#else
#define CACHE_CONN  ""
#define CACHE_STAGE ""
#endif
static const char *const QINI =
    "[synctop]\n"
    "timeout = 1s\n"
    "[postgres shop]\n"
    "conninfo = host=127.0.0.1 port=1 dbname=x user=u password=hunter2\n" CACHE_CONN "[pipeline products]\n"
    "outbox = shop\n"
    "slot = shop\n" CACHE_STAGE;

static struct request action_rq(const struct stage_cfg *st, enum action a, enum action_phase ph)
{
	return (struct request){.op = REQ_ACTION, .stage = st, .action = a, .phase = ph};
}

/* What the queue refuses, each with its reason, before anything reaches a worker. */
static void test_submit_refused(void **state)
{
	struct config *cfg = fixture_config(QINI);
	const struct stage_cfg *outbox = &cfg->pipelines[0].stages[0], *slot = &cfg->pipelines[0].stages[1];
	struct poller *p = poller_new(cfg);
	char why[256];
	assert_false(poller_can_write(p));

	/* The kind has no such operation: no on-demand read for an outbox, no refresh either. */
	struct request rq = {.op = REQ_SAMPLE, .stage = outbox};
	assert_int_equal(poller_submit(p, &rq, why, sizeof why), 0);
	assert_string_equal(why, "products/outbox: the outbox kind has no on-demand operation");
	rq = action_rq(outbox, ACTION_REFRESH, PHASE_PREVIEW);
	assert_int_equal(poller_submit(p, &rq, why, sizeof why), 0);
	assert_string_equal(why, "products/outbox: the outbox kind offers no refresh action");
	rq = action_rq(slot, ACTION_NONE, PHASE_APPLY);
	assert_int_equal(poller_submit(p, &rq, why, sizeof why), 0);
	assert_string_equal(why, "products/slot: the slot kind offers no (none) action");
	/* A stage of another config is none of this poller's. */
	struct stage_cfg stranger = *outbox;
	rq = (struct request){.op = REQ_SAMPLE, .stage = &stranger};
	assert_int_equal(poller_submit(p, &rq, why, sizeof why), 0);
	assert_string_equal(why, "no such stage in this synctop's config");

	/* A write the kind offers, but this poller has no write executor: read-only. */
	rq = action_rq(outbox, ACTION_REPLAY, PHASE_APPLY);
	assert_int_equal(poller_submit(p, &rq, why, sizeof why), 0);
	assert_string_equal(why,
	                    "read-only: replay on products/outbox is not allowed here (no write executor)");

	/* With one, the stage takes POLLER_STAGE_QUEUE_MAX requests; an identical one waiting
	   answers for a repeat; the next different one is refused until the stage's next poll. */
	poller_attach_executor(p, executor_new(cfg));
	assert_true(poller_can_write(p));
	static const struct {
		enum action a;
		enum action_phase ph;
	} four[] = {{ACTION_REPLAY, PHASE_PREVIEW},
	            {ACTION_REPLAY, PHASE_APPLY},
	            {ACTION_PAUSE, PHASE_PREVIEW},
	            {ACTION_RESUME, PHASE_PREVIEW}};
	assert_int_equal(ARRAY_LEN(four), POLLER_STAGE_QUEUE_MAX);
	for (size_t i = 0; i < ARRAY_LEN(four); i++) {
		rq = action_rq(outbox, four[i].a, four[i].ph);
		assert_int_equal(poller_submit(p, &rq, why, sizeof why), i + 1);
	}
	rq = action_rq(outbox, ACTION_REPLAY, PHASE_APPLY);
	assert_int_equal(poller_submit(p, &rq, why, sizeof why), 2);
	rq = action_rq(outbox, ACTION_RESUME, PHASE_APPLY);
	why[0] = '\0';
	assert_int_equal(poller_submit(p, &rq, why, sizeof why), 0);
	assert_string_equal(why,
	                    "products/outbox: 4 requests wait for its next poll already; try again after it");
	/* Nothing ran: no event. */
	struct request_event ev;
	assert_false(poller_event_take(p, &ev));
	poller_free(p);
	config_free(cfg);
}

/* A request ends as an event after its stage's next poll, through the poller's wakeup: here
   the connection is refused, so an action ends with the reason, secrets scrubbed, while a
   read waits for the stage to come back. */
static void test_submit_event(void **state)
{
	struct config *cfg = fixture_config(QINI);
	const struct stage_cfg *outbox = &cfg->pipelines[0].stages[0];
	struct poller *p = poller_new(cfg);
	poller_attach_executor(p, executor_new(cfg));
	char why[256];
	assert_true(poller_start(p, why, sizeof why));
	struct request rq = action_rq(outbox, ACTION_PAUSE, PHASE_PREVIEW);
	unsigned long id = poller_submit(p, &rq, why, sizeof why);
	assert_int_equal(id, 1);
#ifdef HAVE_REDIS
	const struct stage_cfg *cache = &cfg->pipelines[0].stages[2];
	assert_true(kind_has_sample(cache->kind));
	struct request srq = {.op = REQ_SAMPLE, .stage = cache};
	assert_int_equal(poller_submit(p, &srq, why, sizeof why), 2);
#endif
	poller_drain_fd(p);
	poller_round(p);
	struct pollfd pfd = {.fd = poller_fd(p), .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 0), 1); /* the UI wakes up for it */

	/* The action ends with the reason; the read waits for the stage's next good poll. */
	struct request_event ev;
	assert_true(poller_event_take(p, &ev));
	assert_int_equal(ev.id, 1);
	assert_int_equal(ev.req.op, REQ_ACTION);
	assert_int_equal(ev.req.action, ACTION_PAUSE);
	assert_int_equal(ev.req.phase, PHASE_PREVIEW);
	assert_ptr_equal(ev.req.stage, outbox);
	assert_false(ev.ok);
	assert_null(ev.result);
	const char *want = "products/outbox could not be read: cannot connect to shop (host=127.0.0.1 port=1 "
	                   "dbname=x user=u password=***): ";
	assert_memory_equal(ev.err, want, strlen(want));
	assert_non_null(strstr(ev.err, "Connection refused"));
	assert_null(strstr(ev.err, "hunter2"));
	request_event_clear(&ev);
	unsigned long next = 2;
#ifdef HAVE_REDIS
	assert_int_equal(poller_submit(p, &srq, why, sizeof why), 2); /* still waiting */
	next = 3;
#endif
	assert_false(poller_event_take(p, &ev));
	/* Taken by that poll: the stage's queue is free again, the action a new request. */
	assert_int_equal(poller_submit(p, &rq, why, sizeof why), next);
	poller_free(p);
	config_free(cfg);
}

/* The write executor is the only path of a write; none is built yet, and it says so. */
/* An action the stage's kind does not have is refused by the executor itself, having sent nothing. */
static void test_executor_refuses_foreign_action(void **state)
{
	struct config *cfg = fixture_config(QINI);
	struct executor *ex = executor_new(cfg);
	struct request rq = action_rq(&cfg->pipelines[0].stages[0], ACTION_REFRESH, PHASE_APPLY);
	struct probe_ctx ctx = {.cfg = cfg, .st = rq.stage};
	json_t *res = (json_t *)1;
	char err[256];
	assert_int_equal(executor_run(ex, &ctx, &rq, &res, err, sizeof err), PROBE_FAILED);
	assert_null(res);
	assert_string_equal(
	    err, "refresh: the outbox stage has no such action in this synctop (nothing was sent)");
	executor_free(ex);
	config_free(cfg);
}

#ifdef HAVE_REDIS
/* A Redis of a few words on loopback, for a request that succeeds: INFO, SCAN (two keys under
   session:), TTL (30 for session:a, none for session:b), +OK to anything else. */
struct fake_redis {
	int lfd, port;
	volatile int stop;
	pthread_t thread;
};

static void fake_reply(int fd, char **argv, int argc)
{
	const char *out = "+OK\r\n";
	char buf[256];
	if (argc >= 1 && !strcasecmp(argv[0], "INFO")) {
		const char *info = "# Server\r\nredis_version:7.0.0\r\n";
		snprintf(buf, sizeof buf, "$%zu\r\n%s\r\n", strlen(info), info);
		out = buf;
	} else if (argc >= 1 && !strcasecmp(argv[0], "SCAN")) {
		out = "*2\r\n$1\r\n0\r\n*2\r\n$9\r\nsession:a\r\n$9\r\nsession:b\r\n";
	} else if (argc == 2 && !strcasecmp(argv[0], "TTL")) {
		out = !strcmp(argv[1], "session:a") ? ":30\r\n" : ":-1\r\n";
	}
	ssize_t ignored = write(fd, out, strlen(out));
	(void)ignored;
}

/* Answers every whole command in buf[0..*len) and keeps the rest. */
static void fake_serve(int fd, char *buf, size_t *len)
{
	for (;;) {
		char *p = buf, *end = buf + *len, *argv[8];
		int argc = 0, n = 0;
		if (p >= end || *p != '*' || !memchr(p, '\n', (size_t)(end - p)))
			return;
		n = atoi(p + 1);
		p = (char *)memchr(p, '\n', (size_t)(end - p)) + 1;
		for (int i = 0; i < n; i++) {
			char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
			if (!nl || *p != '$')
				return;
			size_t l = (size_t)atoi(p + 1);
			if ((size_t)(end - (nl + 1)) < l + 2)
				return;
			if (argc < 8)
				argv[argc++] = nl + 1;
			nl[1 + l] = '\0';
			p = nl + 1 + l + 2;
		}
		fake_reply(fd, argv, argc);
		*len = (size_t)(end - p);
		memmove(buf, p, *len);
	}
}

static void *fake_main(void *arg)
{
	struct fake_redis *f = arg;
	struct pollfd fds[9] = {{.fd = f->lfd, .events = POLLIN}};
	char bufs[9][4096];
	size_t lens[9] = {0};
	int n = 1;
	while (!f->stop) {
		if (poll(fds, (nfds_t)n, 50) <= 0)
			continue;
		if ((fds[0].revents & POLLIN) && n < 9) {
			fds[n] = (struct pollfd){.fd = accept(f->lfd, NULL, NULL), .events = POLLIN};
			lens[n] = 0;
			n += fds[n].fd >= 0;
		}
		for (int i = 1; i < n; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			ssize_t r = read(fds[i].fd, bufs[i] + lens[i], sizeof bufs[i] - lens[i] - 1);
			if (r <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1; /* poll() ignores it from now on */
				continue;
			}
			lens[i] += (size_t)r;
			fake_serve(fds[i].fd, bufs[i], &lens[i]);
		}
	}
	for (int i = 1; i < n; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	return NULL;
}

static void fake_start(struct fake_redis *f)
{
	memset(f, 0, sizeof *f);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&a, &al), 0);
	f->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake_redis *f)
{
	f->stop = 1;
	pthread_join(f->thread, NULL);
	close(f->lfd);
}

/* A read that succeeds: its event carries the result, and the stage's detail shows it too. */
static void test_submit_sample_result(void **state)
{
	struct fake_redis f;
	fake_start(&f);
	char ini[512];
	snprintf(ini, sizeof ini,
	         "[synctop]\ntimeout = 2s\n[redis sessions]\nurl = redis://127.0.0.1:%d\n"
	         "[pipeline web]\ncache = sessions\ncache.key_prefix = session:\n",
	         f.port);
	struct config *cfg = fixture_config(ini);
	struct poller *p = poller_new(cfg);
	char why[256];
	assert_true(poller_start(p, why, sizeof why));
	struct request rq = {.op = REQ_SAMPLE, .stage = &cfg->pipelines[0].stages[0]};
	assert_int_equal(poller_submit(p, &rq, why, sizeof why), 1);
	poller_round(p);

	struct request_event ev;
	if (!poller_event_take(p, &ev)) {
		struct snapshot snap;
		poller_snapshot(p, &snap);
		fail_msg("no event; the stage says: %s", snap.pipes[0].stages[0].cur.err);
	}
	assert_int_equal(ev.id, 1);
	assert_int_equal(ev.req.op, REQ_SAMPLE);
	assert_true(ev.ok);
	assert_string_equal(ev.err, "");
	assert_non_null(ev.result);
	assert_string_equal(json_string_value(json_object_get(ev.result, "prefix")), "session:");
	assert_int_equal(json_integer_value(json_object_get(ev.result, "sampled")), 2);
	assert_int_equal(json_integer_value(json_object_get(ev.result, "with_ttl")), 1);
	assert_int_equal(json_integer_value(json_object_get(ev.result, "without_ttl")), 1);
	assert_int_equal(json_integer_value(json_object_get(ev.result, "scan_calls")), 1);
	assert_true(json_is_true(json_object_get(ev.result, "complete")));
	assert_true(json_is_real(json_object_get(ev.result, "took_ms")));
	request_event_clear(&ev);
	assert_false(poller_event_take(p, &ev));

	struct snapshot snap;
	poller_snapshot(p, &snap);
	const struct stage_view *sv = &snap.pipes[0].stages[0];
	assert_true(sv->cur.ok);
	json_t *ks = json_object_get(sv->cur.detail, "key_sample");
	assert_int_equal(json_integer_value(json_object_get(ks, "sampled")), 2);
	snapshot_free(&snap);
	poller_free(p);
	config_free(cfg);
	fake_stop(&f);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refused_backoff),
	    cmocka_unit_test(test_backoff_capped_by_interval),
	    cmocka_unit_test(test_history_kept),
	    cmocka_unit_test(test_submit_refused),
	    cmocka_unit_test(test_submit_event),
	    cmocka_unit_test(test_executor_refuses_foreign_action),
#ifdef HAVE_REDIS
	    cmocka_unit_test(test_submit_sample_result),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
