/* test_act.c: the connector's actions run by the write executor against the Kafka Connect
   stand-in (tests/stack/connect_standin.py, started here per worker version): previews, pins,
   the writes each sends (its --record), read-backs. */
/* needs: search */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../fixture.h"
#include "backend/http.h"
#include "exec.h"
#include "kinds/connector/connector.h"
#include "sanitize.h"
#include "util.h"

#define PYTHON "/usr/bin/python3"

struct env {
	pid_t pid;
	char dir[64];
	char rec[96];
	struct config *cfg;
	const struct stage_cfg *st;
	void *session;
	json_t *memo;
	void *aux;
	struct executor *ex;
};

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A stand-in playing Kafka `version` with connector w (2 tasks), a session to it. */
static struct env *env_up(const char *version)
{
	if (access(PYTHON, X_OK))
		return NULL;
	struct env *e = xcalloc(1, sizeof *e);
	strcpy(e->dir, "/tmp/synctop-test-act-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	char port_file[96], log[96], script[512];
	snprintf(port_file, sizeof port_file, "%s/port", e->dir);
	snprintf(log, sizeof log, "%s/log", e->dir);
	snprintf(e->rec, sizeof e->rec, "%s/requests", e->dir);
	const char *top = getenv("top_srcdir");
	snprintf(script, sizeof script, "%s/tests/stack/connect_standin.py", top ? top : ".");
	e->pid = fork();
	assert_true(e->pid >= 0);
	if (e->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(PYTHON, PYTHON, "-B", script, "--port", "0", "--port-file", port_file, "--log", log,
		      "--record", e->rec, "--connector", "w:2", "--restart-ms", "1000", "--version", version,
		      (char *)NULL);
		_exit(127);
	}
	int port = 0;
	for (int i = 0; i < 250 && !port; i++) {
		FILE *f = fopen(port_file, "r");
		if (!f || fscanf(f, "%d", &port) != 1)
			port = 0;
		if (f)
			fclose(f);
		if (!port)
			nap_ms(20);
	}
	assert_true(port > 0);
	char ini[256];
	snprintf(ini, sizeof ini,
	         "[connect workers]\nurl = http://127.0.0.1:%d\n\n[pipeline p]\nconnector = workers\n"
	         "connector.name = w\n",
	         port);
	e->cfg = fixture_config(ini);
	e->st = &e->cfg->pipelines[0].stages[0];
	char err[256];
	e->session = connect_backend.open(e->cfg, e->st->conn, now_mono() + 5, err, sizeof err);
	assert_non_null(e->session);
	e->ex = executor_new(e->cfg);
	return e;
}

static void env_down(struct env *e)
{
	if (!e)
		return;
	kill(e->pid, SIGTERM);
	waitpid(e->pid, NULL, 0);
	connect_backend.close(e->session);
	executor_free(e->ex);
	config_free(e->cfg);
	json_decref(e->memo);
	free(e->aux);
	char path[128];
	const char *files[] = {"port", "log", "requests"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", e->dir, files[i]);
		unlink(path);
	}
	rmdir(e->dir);
	free(e);
}

/* A control request to the stand-in (never recorded). */
static void control(struct env *e, const char *path, const char *body)
{
	struct http_response r;
	char err[256];
	assert_true(http_request(e->session, "POST", path, body, now_mono() + 5, &r, err, sizeof err));
	assert_int_equal(r.status, 200);
	http_response_free(&r);
}

/* One step of action a (arg: the preview for apply, the apply's result for readback) with
   secs to go: its result, or NULL with err. */
static json_t *run_within(struct env *e, enum action a, enum action_phase phase, const json_t *arg,
                          double secs, char *err, size_t n)
{
	struct request req = {
	    .op = REQ_ACTION, .stage = e->st, .action = a, .phase = phase, .arg = (json_t *)arg};
	struct probe_ctx ctx = {.cfg = e->cfg,
	                        .st = e->st,
	                        .session = e->session,
	                        .deadline = now_mono() + secs,
	                        .memo = &e->memo,
	                        .aux = &e->aux};
	json_t *res = NULL;
	err[0] = '\0';
	enum probe_result r = executor_run(e->ex, &ctx, &req, &res, err, n);
	assert_int_equal(r == PROBE_OK, res != NULL);
	return res;
}

static json_t *run(struct env *e, enum action a, enum action_phase phase, const json_t *arg, char *err,
                   size_t n)
{
	return run_within(e, a, phase, arg, 5, err, n);
}

/* The string at a dotted path ("pin.state", "lines.0"), or "<absent>". */
static const char *at(const json_t *j, const char *path)
{
	static char buf[4096];
	char key[128];
	const json_t *v = j;
	for (const char *p = path; v && *p;) {
		size_t len = strcspn(p, ".");
		snprintf(key, sizeof key, "%.*s", (int)len, p);
		v = json_is_array(v) ? json_array_get(v, (size_t)atoi(key)) : json_object_get(v, key);
		p += len + (p[len] == '.');
	}
	if (!v)
		return "<absent>";
	if (json_is_string(v))
		return json_string_value(v);
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(buf, sizeof buf, "%s", s);
	free(s);
	return buf;
}

/* The recorded requests other than GET: "PUT /connectors/w/pause 202,..." */
static void writes(struct env *e, char *out, size_t n)
{
	out[0] = '\0';
	FILE *f = fopen(e->rec, "r");
	assert_non_null(f);
	char line[2048];
	while (fgets(line, sizeof line, f)) {
		json_t *j = json_loads(line, 0, NULL);
		assert_non_null(j);
		const char *m = json_string_value(json_object_get(j, "method"));
		if (strcmp(m, "GET"))
			snappendf(out, n, "%s%s %s %" JSON_INTEGER_FORMAT, out[0] ? "," : "", m,
			          json_string_value(json_object_get(j, "path")),
			          json_integer_value(json_object_get(j, "status")));
		json_decref(j);
	}
	fclose(f);
}

/* Reads back until confirmed (at most 6 s): the last read-back. */
static json_t *read_back(struct env *e, enum action a, const json_t *applied)
{
	char err[400];
	json_t *rb = NULL;
	for (int i = 0; i < 60; i++) {
		json_decref(rb);
		rb = run(e, a, PHASE_READBACK, applied, err, sizeof err);
		assert_non_null(rb);
		if (json_is_true(json_object_get(rb, "confirmed")))
			break;
		nap_ms(100);
	}
	return rb;
}

static void test_pause_resume(void **state)
{
	struct env *e = env_up("3.7.1");
	if (!e)
		skip();
	char err[400], w[1024];
	json_t *p = run(e, ACTION_PAUSE, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_non_null(p);
	json_clean_tree(p);
	assert_string_equal(at(p, "target"), "connector w on workers");
	assert_string_equal(at(p, "summary"), "pause connector w: RUNNING, 2 of 2 tasks RUNNING");
	assert_string_equal(at(p, "pin"), "{\"state\":\"RUNNING\"}");
	assert_string_equal(at(p, "count"), "1");
	assert_string_equal(at(p, "refuse"), "<absent>");
	char worker[64];
	snprintf(worker, sizeof worker, "%s", at(p, "lines.0") + strlen("connector w: RUNNING on "));
	char want[1024];
	snprintf(want, sizeof want,
	         "[\"connector w: RUNNING on %s\",\"task 0: RUNNING on %s\",\"task 1: RUNNING on %s\","
	         "\"will send: PUT /connectors/w/pause (202 expected)\",\"a Connect pause persists across "
	         "worker restarts: the connector stays PAUSED until it is resumed\"]",
	         worker, worker, worker);
	assert_string_equal(at(p, "lines"), want);
	writes(e, w, sizeof w);
	assert_string_equal(w, ""); /* a preview reads only */

	json_t *ap = run(e, ACTION_PAUSE, PHASE_APPLY, p, err, sizeof err);
	assert_non_null(ap);
	assert_string_equal(at(ap, "sent"), "PUT /connectors/w/pause");
	assert_string_equal(at(ap, "answer"), "202 Accepted");
	assert_string_equal(at(ap, "affected"), "1");
	assert_string_equal(at(ap, "readback"), "{\"want\":\"PAUSED\"}");
	json_t *rb = read_back(e, ACTION_PAUSE, ap);
	assert_string_equal(at(rb, "confirmed"), "true");
	assert_string_equal(at(rb, "seen"), "connector w PAUSED (task 0 PAUSED, task 1 PAUSED)");
	writes(e, w, sizeof w);
	assert_string_equal(w, "PUT /connectors/w/pause 202");

	/* Paused: a second pause is refused at its preview; resume is offered. */
	json_t *p2 = run(e, ACTION_PAUSE, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(p2, "refuse"), "the connector is PAUSED, not RUNNING: nothing to pause");
	json_t *r = run(e, ACTION_RESUME, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(r, "refuse"), "<absent>");
	assert_string_equal(at(r, "summary"), "resume connector w: PAUSED, 0 of 2 tasks RUNNING");
	json_t *ar = run(e, ACTION_RESUME, PHASE_APPLY, r, err, sizeof err);
	assert_string_equal(at(ar, "sent"), "PUT /connectors/w/resume");
	assert_string_equal(at(ar, "answer"), "202 Accepted");
	json_t *rb2 = read_back(e, ACTION_RESUME, ar);
	assert_string_equal(at(rb2, "seen"), "connector w RUNNING (task 0 RUNNING, task 1 RUNNING)");
	assert_string_equal(at(rb2, "confirmed"), "true");
	writes(e, w, sizeof w);
	assert_string_equal(w, "PUT /connectors/w/pause 202,PUT /connectors/w/resume 202");
	json_decref(p);
	json_decref(ap);
	json_decref(rb);
	json_decref(p2);
	json_decref(r);
	json_decref(ar);
	json_decref(rb2);
	env_down(e);
}

/* The state moved between the preview and the apply: nothing is sent, a new preview comes. */
static void test_pause_pinned(void **state)
{
	struct env *e = env_up("3.7.1");
	if (!e)
		skip();
	char err[400], w[1024];
	json_t *p = run(e, ACTION_PAUSE, PHASE_PREVIEW, NULL, err, sizeof err);
	control(e, "/_standin/set_state", "{\"connector\": \"w\", \"state\": \"PAUSED\"}");
	json_t *ap = run(e, ACTION_PAUSE, PHASE_APPLY, p, err, sizeof err);
	assert_non_null(ap);
	assert_string_equal(at(ap, "changed"), "connector w is now PAUSED (it was RUNNING at the preview)");
	assert_string_equal(at(ap, "preview.refuse"),
	                    "the connector is PAUSED, not RUNNING: nothing to pause");
	assert_string_equal(at(ap, "sent"), "<absent>");
	writes(e, w, sizeof w);
	assert_string_equal(w, "");
	/* A FAILED task stays FAILED under a pause: said before, and the read-back confirms on
	   the connector's state. */
	control(e, "/_standin/set_state", "{\"connector\": \"w\", \"state\": \"RUNNING\"}");
	control(e, "/_standin/task_fail", "{\"connector\": \"w\", \"task\": 1, \"trace\": \"x.Y: z\"}");
	json_decref(p);
	p = run(e, ACTION_PAUSE, PHASE_PREVIEW, NULL, err, sizeof err);
	char want[256];
	snprintf(want, sizeof want, "task 1: FAILED on %s: x.Y: z",
	         at(p, "lines.0") + strlen("connector w: RUNNING on "));
	assert_string_equal(at(p, "lines.2"), want);
	assert_string_equal(at(p, "lines.5"),
	                    "FAILED tasks do not become PAUSED: they stay FAILED until restarted");
	json_decref(ap);
	ap = run(e, ACTION_PAUSE, PHASE_APPLY, p, err, sizeof err);
	json_t *rb = read_back(e, ACTION_PAUSE, ap);
	assert_string_equal(at(rb, "confirmed"), "true");
	assert_string_equal(at(rb, "seen"),
	                    "connector w PAUSED (task 0 PAUSED, task 1 FAILED); FAILED tasks stay FAILED");
	json_decref(p);
	json_decref(ap);
	json_decref(rb);
	env_down(e);
}

static void test_restart(void **state)
{
	struct env *e = env_up("3.7.1");
	if (!e)
		skip();
	char err[400], w[1024];
	json_t *p = run(e, ACTION_RESTART, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(p, "refuse"), "no failed task: connector w is RUNNING, 2 of 2 tasks RUNNING");
	json_decref(p);
	control(e, "/_standin/task_fail",
	        "{\"connector\": \"w\", \"task\": 1, \"trace\": \"a.B: boom\\n\\tat c.D(D.java:1)\\n\"}");
	p = run(e, ACTION_RESTART, PHASE_PREVIEW, NULL, err, sizeof err);
	json_clean_tree(p);
	assert_string_equal(at(p, "summary"), "restart 1 FAILED task (1) of w");
	assert_string_equal(at(p, "count"), "1");
	assert_string_equal(at(p, "pin.failed"), "[1]");
	assert_string_equal(at(p, "pin.version"), "3.7.1");
	assert_string_equal(at(p, "pin.per_task"), "false");
	assert_string_equal(at(p, "traces.0.task"), "1");
	assert_string_equal(at(p, "traces.0.trace"), "[\"a.B: boom\",\" at c.D(D.java:1)\"]");
	assert_string_equal(at(p, "lines.3"),
	                    "will send: POST /connectors/w/restart?includeTasks=true&onlyFailed=true (202 "
	                    "expected; retried once "
	                    "after 1 s on a 409)");

	/* A rebalance for 0.5 s: 409, then the one retry after 1 s is taken. */
	control(e, "/_standin/rebalance", "{\"seconds\": 0.5}");
	double t0 = now_mono();
	json_t *ap = run(e, ACTION_RESTART, PHASE_APPLY, p, err, sizeof err);
	assert_non_null(ap);
	assert_true(now_mono() - t0 >= 1.0);
	assert_string_equal(at(ap, "sent"), "POST /connectors/w/restart?includeTasks=true&onlyFailed=true, "
	                                    "POST /connectors/w/restart?includeTasks=true&onlyFailed=true");
	assert_string_equal(at(ap, "answer"),
	                    "409 Conflict (a rebalance was under way: retried after 1 s), 202 "
	                    "Accepted: task 1 RESTARTING");
	assert_string_equal(at(ap, "affected"), "1");
	assert_string_equal(at(ap, "readback.failed"), "[1]");
	char want[256];
	json_t *rb = run(e, ACTION_RESTART, PHASE_READBACK, ap, err, sizeof err);
	snprintf(want, sizeof want, "task 1 RESTARTING (restart sent at %s)",
	         at(ap, "readback.restarted_at"));
	assert_string_equal(at(rb, "seen"), want);
	assert_string_equal(at(rb, "confirmed"), "false");
	json_decref(rb);
	rb = read_back(e, ACTION_RESTART, ap);
	snprintf(want, sizeof want, "task 1 RUNNING (restart sent at %s)", at(ap, "readback.restarted_at"));
	assert_string_equal(at(rb, "seen"), want);
	assert_string_equal(at(rb, "confirmed"), "true");
	writes(e, w, sizeof w);
	assert_string_equal(w, "POST /connectors/w/restart?includeTasks=true&onlyFailed=true 409,"
	                       "POST /connectors/w/restart?includeTasks=true&onlyFailed=true 202");
	json_decref(rb);
	json_decref(ap);

	/* Another task failed since the preview: refused, nothing sent. */
	control(e, "/_standin/task_fail", "{\"connector\": \"w\", \"task\": 0}");
	json_decref(p);
	p = run(e, ACTION_RESTART, PHASE_PREVIEW, NULL, err, sizeof err);
	control(e, "/_standin/task_fail", "{\"connector\": \"w\", \"task\": 1}");
	ap = run(e, ACTION_RESTART, PHASE_APPLY, p, err, sizeof err);
	assert_string_equal(at(ap, "changed"),
	                    "the failed tasks of w are now [ 0 1 ] (they were [ 0 ] at the preview)");
	assert_string_equal(at(ap, "preview.summary"), "restart 2 FAILED tasks (0, 1) of w");
	writes(e, w, sizeof w);
	assert_string_equal(w, "POST /connectors/w/restart?includeTasks=true&onlyFailed=true 409,"
	                       "POST /connectors/w/restart?includeTasks=true&onlyFailed=true 202");
	/* A rebalance that outlasts the retry: failed, said so. */
	json_decref(ap);
	json_decref(p);
	p = run(e, ACTION_RESTART, PHASE_PREVIEW, NULL, err, sizeof err);
	control(e, "/_standin/rebalance", "{\"seconds\": 5}");
	ap = run(e, ACTION_RESTART, PHASE_APPLY, p, err, sizeof err);
	assert_null(ap);
	assert_string_equal(
	    err, "POST /connectors/w/restart?includeTasks=true&onlyFailed=true, POST "
	         "/connectors/w/restart?includeTasks=true&onlyFailed=true answered 409 Conflict (a "
	         "rebalance was under way: retried after 1 s), 409 Conflict: Cannot complete request "
	         "momentarily due to no known leader URL, likely because a rebalance was underway.: "
	         "nothing was changed");
	json_decref(p);
	/* A 409 with too little of the deadline left for the retry: none, and said so. */
	control(e, "/_standin/rebalance", "{\"seconds\": 0}");
	p = run(e, ACTION_RESTART, PHASE_PREVIEW, NULL, err, sizeof err);
	control(e, "/_standin/fault",
	        "{\"mode\": \"status\", \"status\": 409, \"path_prefix\": \"/connectors/w/restart\", "
	        "\"count\": 1}");
	double t1 = now_mono();
	ap = run_within(e, ACTION_RESTART, PHASE_APPLY, p, 1.2, err, sizeof err);
	assert_null(ap);
	assert_true(now_mono() - t1 < 0.9);
	assert_string_equal(
	    err, "POST /connectors/w/restart?includeTasks=true&onlyFailed=true answered 409 Conflict (a "
	         "rebalance was under way; no time left to retry): standin fault: status 409: nothing "
	         "was changed");
	json_decref(p);
	env_down(e);
}

/* Before Kafka 3.0 (no KIP-745): one restart per FAILED task; no stop before 3.5. */
static void test_old_workers(void **state)
{
	struct env *e = env_up("2.8.2");
	if (!e)
		skip();
	char err[400], w[1024];
	control(e, "/_standin/task_fail", "{\"connector\": \"w\", \"task\": 0}");
	control(e, "/_standin/task_fail", "{\"connector\": \"w\", \"task\": 1}");
	json_t *p = run(e, ACTION_RESTART, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(p, "pin.per_task"), "true");
	assert_string_equal(at(p, "lines.3"), "will send: POST /connectors/w/tasks/0/restart (204 expected)");
	assert_string_equal(at(p, "lines.4"), "will send: POST /connectors/w/tasks/1/restart (204 expected)");
	assert_string_equal(at(p, "lines.5"),
	                    "Kafka Connect 2.8.2 predates restart?includeTasks (3.0): one restart per task");
	json_t *ap = run(e, ACTION_RESTART, PHASE_APPLY, p, err, sizeof err);
	assert_non_null(ap);
	assert_string_equal(at(ap, "sent"),
	                    "POST /connectors/w/tasks/0/restart, POST /connectors/w/tasks/1/restart");
	assert_string_equal(at(ap, "answer"), "204 No Content, 204 No Content");
	assert_string_equal(at(ap, "affected"), "2");
	json_t *rb = read_back(e, ACTION_RESTART, ap);
	assert_string_equal(at(rb, "confirmed"), "true");
	writes(e, w, sizeof w);
	assert_string_equal(w,
	                    "POST /connectors/w/tasks/0/restart 204,POST /connectors/w/tasks/1/restart 204");
	json_t *s = run(e, ACTION_STOP, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(s, "refuse"),
	                    "Kafka Connect 2.8.2 has no stop (it came with 3.5): pause instead");
	json_decref(p);
	json_decref(ap);
	json_decref(rb);
	json_decref(s);
	env_down(e);

	e = env_up("3.4.1");
	s = run(e, ACTION_STOP, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(s, "refuse"),
	                    "Kafka Connect 3.4.1 has no stop (it came with 3.5): pause instead");
	assert_string_equal(at(s, "pin.version"), "3.4.1");
	json_decref(s);
	env_down(e);
}

/* A FAILED connector: the includeTasks restart restarts it; before 3.0 a plain restart does.
   A worker that ignores includeTasks (204: older than 3.0, its version unread): one restart
   per task after it. */
static void test_restart_connector_and_fallback(void **state)
{
	struct env *e = env_up("3.7.1");
	if (!e)
		skip();
	char err[400], w[1024], want[256];
	control(e, "/_standin/connector_fail", "{\"connector\": \"w\", \"trace\": \"x.Bad: url\\n\\tat y\"}");
	json_t *p = run(e, ACTION_RESTART, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(p, "summary"), "restart the FAILED connector w");
	assert_string_equal(at(p, "count"), "1");
	assert_string_equal(at(p, "pin.connector_failed"), "true");
	assert_string_equal(at(p, "traces.0.task"), "null");
	assert_string_equal(at(p, "traces.0.trace"), "[\"x.Bad: url\",\" at y\"]");
	json_t *ap = run(e, ACTION_RESTART, PHASE_APPLY, p, err, sizeof err);
	assert_string_equal(at(ap, "answer"), "202 Accepted: connector RESTARTING");
	json_t *rb = read_back(e, ACTION_RESTART, ap);
	snprintf(want, sizeof want, "connector RUNNING (restart sent at %s)",
	         at(ap, "readback.restarted_at"));
	assert_string_equal(at(rb, "seen"), want);
	assert_string_equal(at(rb, "confirmed"), "true");
	json_decref(p);
	json_decref(ap);
	json_decref(rb);
	env_down(e);

	e = env_up("2.8.2");
	control(e, "/_standin/connector_fail", "{\"connector\": \"w\"}");
	control(e, "/_standin/task_fail", "{\"connector\": \"w\", \"task\": 1}");
	p = run(e, ACTION_RESTART, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(p, "summary"), "restart the FAILED connector and 1 FAILED task (1) of w");
	assert_string_equal(at(p, "lines.3"),
	                    "will send: POST /connectors/w/restart (the connector instance)");
	ap = run(e, ACTION_RESTART, PHASE_APPLY, p, err, sizeof err);
	assert_string_equal(at(ap, "sent"), "POST /connectors/w/restart, POST /connectors/w/tasks/1/restart");
	assert_string_equal(at(ap, "answer"), "204 No Content, 204 No Content");
	assert_string_equal(at(ap, "affected"), "2");
	rb = read_back(e, ACTION_RESTART, ap);
	assert_string_equal(at(rb, "confirmed"), "true");
	json_decref(p);
	json_decref(ap);
	json_decref(rb);

	/* The version unknown at the preview: includeTasks is tried; the 204 says it was ignored. */
	control(e, "/_standin/task_fail", "{\"connector\": \"w\", \"task\": 0}");
	p = json_loads(
	    "{\"target\": \"connector w on workers\", \"pin\": {\"state\": \"RUNNING\", \"failed\": [0],"
	    " \"connector_failed\": false, \"version\": null, \"per_task\": false}}",
	    0, NULL);
	ap = run(e, ACTION_RESTART, PHASE_APPLY, p, err, sizeof err);
	assert_string_equal(at(ap, "sent"),
	                    "POST /connectors/w/restart?includeTasks=true&onlyFailed=true, POST "
	                    "/connectors/w/tasks/0/restart");
	assert_string_equal(at(ap, "answer"),
	                    "204 No Content, 204 No Content: the worker ignored includeTasks "
	                    "(older than 3.0): one restart per task");
	assert_string_equal(at(ap, "affected"), "1");
	rb = read_back(e, ACTION_RESTART, ap);
	assert_string_equal(at(rb, "confirmed"), "true");
	writes(e, w, sizeof w);
	assert_string_equal(w, "POST /connectors/w/restart 204,POST /connectors/w/tasks/1/restart 204,"
	                       "POST /connectors/w/restart?includeTasks=true&onlyFailed=true 204,"
	                       "POST /connectors/w/tasks/0/restart 204");
	json_decref(p);
	json_decref(ap);
	json_decref(rb);
	env_down(e);
}

static void test_stop(void **state)
{
	struct env *e = env_up("3.5.0");
	if (!e)
		skip();
	char err[400], w[1024];
	json_t *s = run(e, ACTION_STOP, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(s, "refuse"), "<absent>");
	assert_string_equal(at(s, "summary"), "stop connector w: RUNNING, 2 of 2 tasks RUNNING");
	assert_string_equal(at(s, "lines.3"), "will send: PUT /connectors/w/stop (204 expected)");
	json_t *ap = run(e, ACTION_STOP, PHASE_APPLY, s, err, sizeof err);
	assert_string_equal(at(ap, "answer"), "204 No Content");
	json_t *rb = read_back(e, ACTION_STOP, ap);
	assert_string_equal(at(rb, "seen"), "connector w STOPPED");
	assert_string_equal(at(rb, "confirmed"), "true");
	json_t *s2 = run(e, ACTION_STOP, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(s2, "refuse"), "the connector is already STOPPED");
	json_t *r = run(e, ACTION_RESUME, PHASE_PREVIEW, NULL, err, sizeof err);
	assert_string_equal(at(r, "lines.2"), "a STOPPED connector's tasks start afresh");
	writes(e, w, sizeof w);
	assert_string_equal(w, "PUT /connectors/w/stop 204");
	json_decref(s);
	json_decref(ap);
	json_decref(rb);
	json_decref(s2);
	json_decref(r);
	env_down(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pause_resume),
	    cmocka_unit_test(test_pause_pinned),
	    cmocka_unit_test(test_restart),
	    cmocka_unit_test(test_old_workers),
	    cmocka_unit_test(test_restart_connector_and_fallback),
	    cmocka_unit_test(test_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
