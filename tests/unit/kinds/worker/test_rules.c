/* test_rules.c: the worker stage's pure parts: its rule (worker-paused) and figures on
   hand-made samples, the reading of worker.paused_field, METHOD PATH, and its config checks. */
/* needs: search */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../config_text.h"
#include "../../fixture.h"
#include "health.h"
#include "kinds/worker/worker.h"

#define HTTP   "[http relay]\nurl = http://relay.internal:8081\n"
#define WORKER "[pipeline orders]\nworker = relay\n"

static const char *const INI = HTTP WORKER "worker.state = /admin/state\n"
                                           "worker.pause = POST /admin/pause\n"
                                           "worker.resume = POST /admin/resume\n";

static int setup(void **state)
{
	*state = fixture_open(INI);
	return 0;
}

static int teardown(void **state)
{
	fixture_close(*state);
	return 0;
}

#define STAGE(f) (&(f)->snap.pipes[0].stages[0])

static const struct pipeline_view *eval(struct fx *f, const char *metrics, const char *detail)
{
	fixture_sample(STAGE(f), metrics, NULL, 0);
	if (detail)
		fixture_detail(STAGE(f), detail);
	health_evaluate(&f->snap);
	return &f->snap.pipes[0];
}

static void test_paused(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"paused\": true, \"paused_since\": \"2026-11-18T09:26:40Z\", \"paused_for_s\": 2820}",
	         NULL);
	assert_int_equal(STAGE(f)->status, ST_WARN);
	assert_string_equal(STAGE(f)->reason, "worker paused for 47m00s");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = fixture_diag(pv, "worker-paused");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_RESUME);
	assert_string_equal(d->symptom, "the worker is paused: nothing flows until it is resumed");
	assert_string_equal(d->evidence, "GET /admin/state on relay says paused for at least 47m00s "
	                                 "(seen since 2026-11-18T09:26:40Z)");
	assert_string_equal(d->next, "resume it: key u, or synctop action resume orders");
	char buf[64];
	worker_kind.figures(STAGE(f), buf, sizeof buf);
	assert_string_equal(buf, "paused 47m00s");
	worker_kind.target(STAGE(f)->cfg, buf, sizeof buf);
	assert_string_equal(buf, "/admin/state");
}

/* Near miss: running says nothing. */
static void test_running(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"paused\": false, \"paused_since\": null, \"paused_for_s\": null}", NULL);
	assert_int_equal(STAGE(f)->status, ST_OK);
	assert_string_equal(STAGE(f)->reason, "");
	assert_int_equal(pv->n_diags, 0);
	char buf[64];
	worker_kind.figures(STAGE(f), buf, sizeof buf);
	assert_string_equal(buf, "running");
}

/* The field missing or not a boolean: unknown, saying why; no diagnosis. */
static void test_unknown(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"paused\": null, \"paused_since\": null, \"paused_for_s\": null}",
	         "{\"paused_error\": \"/paused in the answer is a string, not true or false\"}");
	assert_int_equal(STAGE(f)->status, ST_UNKNOWN);
	assert_string_equal(STAGE(f)->reason, "cannot tell whether the worker is paused: /paused in the "
	                                      "answer is a string, not true or false");
	assert_int_equal(pv->n_diags, 0);
	char buf[64];
	worker_kind.figures(STAGE(f), buf, sizeof buf);
	assert_string_equal(buf, "paused or not: unknown");
}

/* worker_paused_field: 1, 0, or -1 with why. */
static int field(const char *answer, const char *pointer, char *why, size_t n)
{
	json_error_t je;
	json_t *j = json_loads(answer, JSON_DECODE_ANY, &je);
	assert_non_null(j);
	why[0] = '\0';
	int r = worker_paused_field(j, pointer, why, n);
	json_decref(j);
	return r;
}

static void test_paused_field(void **state)
{
	(void)state;
	char why[200];
	assert_int_equal(field("{\"paused\": true}", "/paused", why, sizeof why), 1);
	assert_int_equal(field("{\"paused\": false, \"x\": 1}", "/paused", why, sizeof why), 0);
	assert_int_equal(field("{\"status\": {\"paused\": true}}", "/status/paused", why, sizeof why), 1);
	assert_int_equal(field("{\"workers\": [{\"paused\": false}, {\"paused\": true}]}",
	                       "/workers/1/paused", why, sizeof why),
	                 1);
	assert_int_equal(field("{\"a/b\": {\"m~n\": true}}", "/a~1b/m~0n", why, sizeof why), 1);
	assert_int_equal(field("{\"\": false}", "/", why, sizeof why), 0);
	/* missing */
	assert_int_equal(field("{\"running\": true}", "/paused", why, sizeof why), -1);
	assert_string_equal(why, "the answer has no /paused");
	assert_int_equal(field("{\"workers\": [{\"paused\": true}]}", "/workers/1/paused", why, sizeof why),
	                 -1);
	assert_string_equal(why, "the answer has no /workers/1/paused");
	assert_int_equal(field("{\"workers\": [{\"paused\": true}]}", "/workers/01/paused", why, sizeof why),
	                 -1);
	assert_string_equal(why, "the answer has no /workers/01/paused");
	assert_int_equal(field("[true]", "/paused", why, sizeof why), -1);
	assert_string_equal(why, "the answer has no /paused");
	/* not a boolean */
	assert_int_equal(field("{\"paused\": \"yes\"}", "/paused", why, sizeof why), -1);
	assert_string_equal(why, "/paused in the answer is a string, not true or false");
	assert_int_equal(field("{\"paused\": 1}", "/paused", why, sizeof why), -1);
	assert_string_equal(why, "/paused in the answer is a number, not true or false");
	assert_int_equal(field("{\"paused\": null}", "/paused", why, sizeof why), -1);
	assert_string_equal(why, "/paused in the answer is null, not true or false");
	assert_int_equal(field("{\"paused\": {}}", "/paused", why, sizeof why), -1);
	assert_string_equal(why, "/paused in the answer is an object, not true or false");
	/* a bad escape */
	assert_int_equal(field("{\"a~b\": true}", "/a~b", why, sizeof why), -1);
	assert_string_equal(why, "worker.paused_field /a~b has a ~ that is not ~0 or ~1");
	/* a pointer with a control character is shown cleaned */
	assert_int_equal(field("{\"paused\": true}", "/pa\x1b[2Jused", why, sizeof why), -1);
	assert_null(strchr(why, '\x1b'));
}

static void test_request_parse(void **state)
{
	(void)state;
	char method[16], why[200];
	const char *path = NULL;
	assert_true(worker_request_parse("POST /admin/pause", method, sizeof method, &path, why, sizeof why));
	assert_string_equal(method, "POST");
	assert_string_equal(path, "/admin/pause");
	assert_true(
	    worker_request_parse("PUT \t /w/1?mode=soft", method, sizeof method, &path, why, sizeof why));
	assert_string_equal(method, "PUT");
	assert_string_equal(path, "/w/1?mode=soft");
	assert_false(
	    worker_request_parse("post /admin/pause", method, sizeof method, &path, why, sizeof why));
	assert_string_equal(why, "expected METHOD PATH, e.g. POST /admin/pause (the method in capitals)");
	assert_false(worker_request_parse("/admin/pause", method, sizeof method, &path, why, sizeof why));
	assert_string_equal(why, "expected METHOD PATH, e.g. POST /admin/pause (the method in capitals)");
	assert_false(worker_request_parse("GET /admin/pause", method, sizeof method, &path, why, sizeof why));
	assert_string_equal(why, "GET only reads: pausing or resuming needs POST, PUT, PATCH or DELETE");
	assert_false(worker_request_parse("POST admin/pause", method, sizeof method, &path, why, sizeof why));
	assert_string_equal(why,
	                    "the path must be a path starting with / (relative to the connection's url)");
	assert_false(
	    worker_request_parse("POST /admin/pa use", method, sizeof method, &path, why, sizeof why));
	assert_string_equal(why,
	                    "the path: the path holds a blank or a control character (percent-encode it)");
}

static void test_config(void **state)
{
	(void)state;
	struct config *cfg = load_ok(HTTP WORKER "worker.state = /admin/state\n");
	const struct worker_opts *o = worker_opts(&cfg->pipelines[0].stages[0]);
	assert_string_equal(o->paused_field, "/paused");
	assert_null(o->pause);
	assert_null(o->resume);
	assert_null(o->body);
	config_free(cfg);
	expect_error(HTTP WORKER,
	             "4: the worker stage needs worker.state (the path whose GET says whether it is paused)");
	expect_error(HTTP WORKER "worker.state = admin/state\n",
	             "4: worker.state must be a path starting with / (relative to the connection's url)");
	expect_error(HTTP WORKER "worker.state = /s\nworker.paused_field = paused\n",
	             "4: worker.paused_field must be a JSON pointer starting with /, e.g. /paused");
	expect_error(HTTP WORKER "worker.state = /s\nworker.pause = POST /p\n",
	             "4: worker.pause and worker.resume go together: set both (to pause and resume) or "
	             "neither (to watch only)");
	expect_error(HTTP WORKER "worker.state = /s\nworker.pause = GET /p\nworker.resume = POST /r\n",
	             "4: worker.pause: GET only reads: pausing or resuming needs POST, PUT, PATCH or DELETE");
	expect_error(
	    HTTP WORKER "worker.state = /s\nworker.pause = POST /p\nworker.resume = /r\n",
	    "4: worker.resume: expected METHOD PATH, e.g. POST /admin/pause (the method in capitals)");
	expect_error(HTTP WORKER "worker.state = /s\nworker.pause = POST /p\nworker.resume = POST /r\n"
	                         "worker.body = {\"a\":\n",
	             "4: worker.body is not JSON: unexpected token near end of file (column 5)");
	expect_error(HTTP WORKER "worker.state = /s\nworker.body = {}\n",
	             "4: worker.body is sent with worker.pause and worker.resume, which are unset");
	expect_error(
	    "[http relay]\nurl = ftp://relay\n[pipeline orders]\nworker = relay\nworker.state = /s\n",
	    "2: bad value 'ftp://relay' for url: expected a URL starting with http:// or https://");
	/* the stage wants an http connection; expect_error checks that SECRET is never quoted */
	expect_error("[connect relay]\nurl = http://u:" SECRET "@relay:8083\n" WORKER "worker.state = /s\n",
	             "4: worker needs a http connection; 'relay' is a connect connection");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_paused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_running, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
	    cmocka_unit_test(test_paused_field),
	    cmocka_unit_test(test_request_parse),
	    cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
