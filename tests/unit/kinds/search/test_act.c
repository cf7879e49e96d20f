/* test_act.c: the search stage's actions: the _shards answer of a refresh, the indices' uuids,
   when restore-refresh is offered; then refresh through the write executor against the search
   stand-in (tests/stack/search_standin.py, started here): the rate limit and the pin. */
/* needs: search */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../fixture.h"
#include "backend/backend.h"
#include "backend/http.h"
#include "exec.h"
#include "kinds/act.h"
#include "kinds/search/parse.h"
#include "util.h"

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return j;
}

/* The line search_refresh_shards makes of body, or "NULL" when it finds no _shards. */
static const char *shards_line(const char *body, char *buf, size_t n)
{
	json_t *j = parse(body);
	const json_t *sh = search_refresh_shards(j, buf, n);
	if (!sh) {
		assert_string_equal(buf, "");
		snprintf(buf, n, "NULL");
	}
	json_decref(j);
	return buf;
}

static void test_refresh_shards(void **state)
{
	(void)state;
	char b[1024];
	/* The reference's answer, one primary and no replica. */
	assert_string_equal(
	    shards_line("{\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0}}", b, sizeof b),
	    "total 1, successful 1, failed 0");
	/* One node, one replica: the replica is unassigned, which is not a failure. */
	assert_string_equal(
	    shards_line("{\"_shards\":{\"total\":2,\"successful\":1,\"failed\":0}}", b, sizeof b),
	    "total 2, successful 1, failed 0 (1 copy unassigned, as a replica on a single node: not a "
	    "failure)");
	assert_string_equal(
	    shards_line("{\"_shards\":{\"total\":6,\"successful\":3,\"failed\":0}}", b, sizeof b),
	    "total 6, successful 3, failed 0 (3 copies unassigned, as a replica on a single node: not a "
	    "failure)");
	/* The 503: no shard copy active. */
	assert_string_equal(
	    shards_line("{\"_shards\":{\"total\":2,\"successful\":0,\"failed\":0}}", b, sizeof b),
	    "total 2, successful 0, failed 0 (no shard copy active: nothing refreshed)");
	/* Failures, as ES's DefaultShardOperationFailedException writes them; at most three shown. */
	char body[2048];
	snprintf(body, sizeof body, "{\"_shards\":{\"total\":4,\"successful\":0,\"failed\":4,\"failures\":[");
	for (int i = 0; i < 4; i++)
		snappendf(body, sizeof body,
		          "%s{\"shard\":%d,\"index\":\"orders\",\"status\":\"INTERNAL_SERVER_ERROR\","
		          "\"reason\":{\"type\":\"refresh_failed_engine_exception\",\"reason\":\"Refresh "
		          "failed\"}}",
		          i ? "," : "", i);
	snappendf(body, sizeof body, "]}}");
	assert_string_equal(
	    shards_line(body, b, sizeof b),
	    "total 4, successful 0, failed 4; failures: shard 0 of orders (INTERNAL_SERVER_ERROR): "
	    "refresh_failed_engine_exception: Refresh failed; shard 1 of orders "
	    "(INTERNAL_SERVER_ERROR): refresh_failed_engine_exception: Refresh failed; shard 2 of "
	    "orders (INTERNAL_SERVER_ERROR): refresh_failed_engine_exception: Refresh failed; and "
	    "1 more");
	/* A reason given as a bare string, no status. */
	assert_string_equal(
	    shards_line("{\"_shards\":{\"total\":2,\"successful\":1,\"failed\":1,\"failures\":"
	                "[{\"shard\":1,\"index\":\"x\",\"reason\":\"disk full\"}]}}",
	                b, sizeof b),
	    "total 2, successful 1, failed 1; failures: shard 1 of x: disk full");
	/* Not a refresh answer: NULL, nothing said. */
	assert_string_equal(shards_line("{\"acknowledged\":true}", b, sizeof b), "NULL");
	assert_string_equal(shards_line("{\"_shards\":{\"total\":2,\"successful\":1}}", b, sizeof b), "NULL");
	assert_string_equal(
	    shards_line("{\"_shards\":{\"total\":2,\"successful\":\"1\",\"failed\":0}}", b, sizeof b),
	    "NULL");
	assert_string_equal(
	    shards_line("{\"_shards\":{\"total\":-1,\"successful\":0,\"failed\":0}}", b, sizeof b), "NULL");
	assert_string_equal(shards_line("[1]", b, sizeof b), "NULL");
}

static void test_index_uuids(void **state)
{
	(void)state;
	json_t *j = parse("{\"b-2\":{\"settings\":{\"index\":{\"uuid\":\"U2\",\"refresh_interval\":\"-1\"}}},"
	                  "\"a-1\":{\"settings\":{\"index.uuid\":\"U1\"}},"
	                  "\"c-3\":{\"settings\":{\"index\":{}}}, \"junk\": 3}");
	json_t *u = search_index_uuids(j);
	char *s = json_dumps(u, JSON_COMPACT);
	assert_string_equal(s, "{\"a-1\":\"U1\",\"b-2\":\"U2\",\"c-3\":null}");
	free(s);
	json_decref(u);
	json_decref(j);
	j = parse("[]");
	u = search_index_uuids(j);
	assert_int_equal(json_object_size(u), 0);
	json_decref(u);
	json_decref(j);
}

static const char *const INI_OFFLINE = "[search es]\nurl = http://127.0.0.1:1\n"
                                       "[pipeline p]\nsearch = es\nsearch.index = products\n";

/* restore-refresh is offered only when refresh_interval is "-1"; refresh always. */
static void test_offered(void **state)
{
	(void)state;
	struct config *cfg = fixture_config(INI_OFFLINE);
	const struct stage_cfg *st = &cfg->pipelines[0].stages[0];
	assert_non_null(stage_action(st, ACTION_REFRESH));
	assert_non_null(stage_action(st, ACTION_RESTORE_REFRESH));
	assert_null(stage_action(st, ACTION_REPLAY));
	struct sample s = {0};
	s.ok = true;
	char why[256];
	const struct {
		const char *metrics;
		bool offered;
		const char *why;
	} cases[] = {
	    {"{\"refresh_interval\": \"-1\"}", true, ""},
	    {"{\"refresh_interval\": \"1s\"}", false,
	     "refresh_interval is 1s, not -1: periodic refresh is on"},
	    {"{\"refresh_interval\": \"-1s\"}", false,
	     "refresh_interval is -1s, not -1: periodic refresh is on"},
	    {"{\"refresh_interval\": -1}", false,
	     "refresh_interval is not known yet (no sample of the index)"},
	    {"{\"refresh_interval\": null}", false,
	     "refresh_interval is not known yet (no sample of the index)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s.metrics = parse(cases[i].metrics);
		assert_int_equal(stage_action_offered(st, &s, ACTION_RESTORE_REFRESH, why, sizeof why),
		                 cases[i].offered);
		assert_string_equal(why, cases[i].why);
		assert_true(stage_action_offered(st, &s, ACTION_REFRESH, why, sizeof why));
		json_decref(s.metrics);
	}
	assert_false(stage_action_offered(st, NULL, ACTION_RESTORE_REFRESH, why, sizeof why));
	assert_string_equal(why, "refresh_interval is not known yet (no sample of the index)");
	config_free(cfg);
}

/* ------------------------------------------------------------------------------------------
   Against the stand-in
   ------------------------------------------------------------------------------------------ */
struct live {
	pid_t pid;
	char dir[64];
	char rec[128];
	struct config *cfg;
	struct executor *ex;
	void *session;
	json_t *memo;
	void *aux;
};

static int live_setup(void **state)
{
	const char *top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	char standin[1024];
	snprintf(standin, sizeof standin, "%s/tests/stack/search_standin.py", top);
	if (access("/usr/bin/python3", X_OK) || access(standin, R_OK)) {
		*state = NULL;
		return 0;
	}
	struct live *l = xcalloc(1, sizeof *l);
	strlcpy_safe(l->dir, "/tmp/synctop-test-act-XXXXXX", sizeof l->dir);
	assert_non_null(mkdtemp(l->dir));
	char port_file[128];
	snprintf(port_file, sizeof port_file, "%s/port", l->dir);
	snprintf(l->rec, sizeof l->rec, "%s/requests", l->dir);
	l->pid = fork();
	assert_true(l->pid >= 0);
	if (l->pid == 0) {
		execl("/usr/bin/python3", "python3", "-B", standin, "--port", "0", "--port-file", port_file,
		      "--record", l->rec, (char *)NULL);
		_exit(127);
	}
	int port = 0;
	for (int i = 0; i < 200 && !port; i++) {
		FILE *f = fopen(port_file, "r");
		if (!f || fscanf(f, "%d", &port) != 1)
			usleep(50000);
		if (f)
			fclose(f);
	}
	if (!port)
		fail_msg("the search stand-in did not write %s within 10 s", port_file);
	char ini[512];
	snprintf(ini, sizeof ini,
	         "[search es]\nurl = http://127.0.0.1:%d\n"
	         "[pipeline a]\nsearch = es\nsearch.index = limited\n"
	         "[pipeline b]\nsearch = es\nsearch.index = other\n"
	         "[pipeline c]\nsearch = es\nsearch.index = pinned\n",
	         port);
	l->cfg = fixture_config(ini);
	l->ex = executor_new(l->cfg);
	char err[512];
	l->session = backend_for(CONN_SEARCH)
	                 ->open(l->cfg, l->cfg->pipelines[0].stages[0].conn, now_mono() + 5, err, sizeof err);
	if (!l->session)
		fail_msg("cannot open a search session: %s", err);
	*state = l;
	return 0;
}

static int live_teardown(void **state)
{
	struct live *l = *state;
	if (!l)
		return 0;
	backend_for(CONN_SEARCH)->close(l->session);
	executor_free(l->ex);
	config_free(l->cfg);
	json_decref(l->memo);
	kill(l->pid, SIGTERM);
	waitpid(l->pid, NULL, 0);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", l->dir);
	assert_int_equal(system(cmd), 0);
	free(l);
	return 0;
}

/* A request of the test's own to the stand-in (setup and faults): its status. */
static long req(struct live *l, const char *method, const char *path, const char *body)
{
	struct http_response r;
	char err[512];
	if (!http_request(l->session, method, path, body, now_mono() + 5, &r, err, sizeof err))
		fail_msg("%s %s: %s", method, path, err);
	long status = r.status;
	http_response_free(&r);
	return status;
}

/* One step of action a on pipeline pl's search stage through the write executor. */
static enum probe_result step(struct live *l, size_t pl, enum action a, enum action_phase phase,
                              const json_t *arg, json_t **out, char *err, size_t n)
{
	struct probe_ctx ctx = {.cfg = l->cfg,
	                        .st = &l->cfg->pipelines[pl].stages[0],
	                        .session = l->session,
	                        .deadline = now_mono() + 5,
	                        .memo = &l->memo,
	                        .aux = &l->aux};
	struct request r = {
	    .op = REQ_ACTION, .stage = ctx.st, .action = a, .phase = phase, .arg = (json_t *)arg};
	err[0] = '\0';
	return executor_run(l->ex, &ctx, &r, out, err, n);
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "(none)";
}

/* How many lines of the stand-in's record are method and path exactly. */
static int recorded(struct live *l, const char *method, const char *path)
{
	FILE *f = fopen(l->rec, "r");
	if (!f)
		return 0;
	char line[4096];
	int k = 0;
	while (fgets(line, sizeof line, f)) {
		json_t *j = json_loads(line, 0, NULL);
		if (!strcmp(jstr(j, "method"), method) && !strcmp(jstr(j, "path"), path))
			k++;
		json_decref(j);
	}
	fclose(f);
	return k;
}

/* Two refreshes of one index in a row: the second is refused by its preview and by its apply,
   with nothing sent; another index is not held back. */
static void test_rate_limit(void **state)
{
	struct live *l = *state;
	if (!l)
		skip();
	assert_int_equal(
	    req(l, "PUT", "/limited", "{\"settings\":{\"index\":{\"refresh_interval\":\"-1\"}}}"), 200);
	assert_int_equal(req(l, "PUT", "/other", "{\"settings\":{\"index\":{\"number_of_replicas\":0}}}"),
	                 200);
	char err[512];
	json_t *pv, *ap, *rb;
	assert_int_equal(step(l, 0, ACTION_REFRESH, PHASE_PREVIEW, NULL, &pv, err, sizeof err), PROBE_OK);
	assert_string_equal(jstr(pv, "target"), "index limited on es");
	assert_string_equal(
	    jstr(pv, "summary"),
	    "POST /limited/_refresh: a one-off refresh (refresh_interval is -1); refresh_total 0");
	char *lines = json_dumps(json_object_get(pv, "lines"), JSON_COMPACT);
	assert_string_equal(lines,
	                    "[\"POST /limited/_refresh\",\"refresh_interval -1 (set on the index)\","
	                    "\"refresh_interval is -1: periodic refresh is off, so this refresh is one-off "
	                    "(documents indexed after it stay invisible); I (restore-refresh) puts the "
	                    "default back\",\"refresh_total 0: the read-back waits for it to go up\"]");
	free(lines);
	assert_null(json_object_get(pv, "refuse"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(pv, "pin"), "refresh_total")), 0);

	assert_int_equal(step(l, 0, ACTION_REFRESH, PHASE_APPLY, pv, &ap, err, sizeof err), PROBE_OK);
	assert_string_equal(jstr(ap, "sent"), "POST /limited/_refresh");
	char *answer = json_dumps(json_object_get(ap, "answer"), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(answer, "{\"failed\":0,\"successful\":1,\"total\":2}");
	free(answer);
	assert_int_equal(json_integer_value(json_object_get(ap, "affected")), 1);
	assert_string_equal(jstr(ap, "shards"),
	                    "total 2, successful 1, failed 0 (1 copy unassigned, as a replica "
	                    "on a single node: not a failure)");
	assert_int_equal(step(l, 0, ACTION_REFRESH, PHASE_READBACK, ap, &rb, err, sizeof err), PROBE_OK);
	assert_true(json_is_true(json_object_get(rb, "confirmed")));
	assert_string_equal(jstr(rb, "seen"),
	                    "refresh_total 1, up from 0; total 2, successful 1, failed 0 (1 copy "
	                    "unassigned, as a replica on a single node: not a failure)");
	json_decref(rb);
	json_decref(ap);

	/* Again at once: the preview refuses, and an apply of the old preview sends nothing. */
	json_t *pv2;
	assert_int_equal(step(l, 0, ACTION_REFRESH, PHASE_PREVIEW, NULL, &pv2, err, sizeof err), PROBE_OK);
	const char *refuse = jstr(pv2, "refuse");
	double ago = -1;
	assert_int_equal(sscanf(refuse, "refreshed %lfs ago;", &ago), 1);
	assert_true(ago >= 0 && ago < 5);
	assert_non_null(strstr(refuse, "s ago; at most one refresh per 5 s"));
	json_decref(pv2);
	ap = NULL;
	assert_int_equal(step(l, 0, ACTION_REFRESH, PHASE_APPLY, pv, &ap, err, sizeof err), PROBE_FAILED);
	assert_null(ap);
	assert_int_equal(sscanf(err, "refreshed %lfs ago;", &ago), 1);
	assert_true(ago >= 0 && ago < 5);
	assert_non_null(strstr(err, "s ago; at most one refresh per 5 s (nothing was sent)"));
	assert_int_equal(recorded(l, "POST", "/limited/_refresh"), 1);

	/* Another index of the same connection is refreshed meanwhile: one primary, no replica. */
	json_t *opv;
	assert_int_equal(step(l, 1, ACTION_REFRESH, PHASE_PREVIEW, NULL, &opv, err, sizeof err), PROBE_OK);
	assert_null(json_object_get(opv, "refuse"));
	assert_int_equal(step(l, 1, ACTION_REFRESH, PHASE_APPLY, opv, &ap, err, sizeof err), PROBE_OK);
	assert_string_equal(jstr(ap, "shards"), "total 1, successful 1, failed 0");
	json_decref(ap);
	json_decref(opv);
	assert_int_equal(recorded(l, "POST", "/other/_refresh"), 1);
	assert_int_equal(recorded(l, "POST", "/limited/_refresh"), 1);
	json_decref(pv);
}

/* The index is recreated between preview and apply: nothing is sent, a new preview comes. */
static void test_pinned(void **state)
{
	struct live *l = *state;
	if (!l)
		skip();
	assert_int_equal(req(l, "PUT", "/pinned", "{}"), 200);
	char err[512];
	json_t *pv, *ap;
	assert_int_equal(step(l, 2, ACTION_REFRESH, PHASE_PREVIEW, NULL, &pv, err, sizeof err), PROBE_OK);
	const char *uuid = json_string_value(
	    json_object_get(json_object_get(json_object_get(pv, "pin"), "uuids"), "pinned"));
	assert_non_null(uuid);
	assert_int_equal(strlen(uuid), 22);
	assert_int_equal(req(l, "DELETE", "/pinned", NULL), 200);
	assert_int_equal(req(l, "PUT", "/pinned", "{}"), 200);
	assert_int_equal(step(l, 2, ACTION_REFRESH, PHASE_APPLY, pv, &ap, err, sizeof err), PROBE_OK);
	const char *changed = jstr(ap, "changed");
	char want[128];
	snprintf(want, sizeof want,
	         "the indices behind the name changed since the preview (uuids {\"pinned\":\"%s\"}, now",
	         uuid);
	assert_memory_equal(changed, want, strlen(want));
	assert_null(json_object_get(ap, "sent"));
	const json_t *np = json_object_get(ap, "preview");
	assert_string_equal(jstr(np, "target"), "index pinned on es");
	assert_string_not_equal(json_string_value(json_object_get(
	                            json_object_get(json_object_get(np, "pin"), "uuids"), "pinned")),
	                        uuid);
	assert_int_equal(recorded(l, "POST", "/pinned/_refresh"), 0);
	json_decref(ap);
	json_decref(pv);
}

int main(void)
{
	/* The group's state is the stand-in (NULL without python3: those tests skip). */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refresh_shards), cmocka_unit_test(test_index_uuids),
	    cmocka_unit_test(test_offered),        cmocka_unit_test(test_rate_limit),
	    cmocka_unit_test(test_pinned),
	};
	return cmocka_run_group_tests(tests, live_setup, live_teardown);
}
