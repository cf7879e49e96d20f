/* test_status.c: the pure parts of the connector's actions: when each is offered, the worker's
   version, the tasks of a status answer, a trace as lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kinds/connector/connector.h"

/* An ok sample with these metrics (JSON text); free with sample_clear. */
static struct sample sample_of(const char *metrics)
{
	struct sample s;
	sample_init(&s);
	s.ok = true;
	json_decref(s.metrics);
	s.metrics = json_loads(metrics, 0, NULL);
	assert_non_null(s.metrics);
	return s;
}

/* "pause=1 resume=0 (why) ..." for every action of the kind, on metrics. */
static void offered_all(const char *metrics, char *out, size_t n)
{
	struct sample s = sample_of(metrics);
	const enum action as[] = {ACTION_PAUSE, ACTION_RESUME, ACTION_STOP, ACTION_RESTART};
	out[0] = '\0';
	for (size_t i = 0; i < sizeof as / sizeof as[0]; i++) {
		char why[200] = "x";
		bool ok = connector_offered(as[i], &s, why, sizeof why);
		snappendf(out, n, "%s%s=%d%s%s%s", i ? "\n" : "", action_json_name(as[i]), ok,
		          why[0] ? " (" : "", why, why[0] ? ")" : "");
	}
	sample_clear(&s);
}

static void test_offered_running(void **state)
{
	char got[1024];
	offered_all(
	    "{\"state\": \"RUNNING\", \"tasks\": 2, \"tasks_failed\": 0, \"worker_version\": \"3.7.1\"}", got,
	    sizeof got);
	assert_string_equal(got, "pause=1\n"
	                         "resume=0 (not paused: the connector is RUNNING)\n"
	                         "stop=1\n"
	                         "restart=0 (no failed task: the connector is RUNNING)");
	/* A FAILED task under a RUNNING connector: restart too; stop refused before 3.5. */
	offered_all(
	    "{\"state\": \"RUNNING\", \"tasks\": 2, \"tasks_failed\": 1, \"worker_version\": \"3.4.1\"}", got,
	    sizeof got);
	assert_string_equal(got,
	                    "pause=1\n"
	                    "resume=0 (not paused: the connector is RUNNING)\n"
	                    "stop=0 (Kafka Connect 3.4.1 has no stop (it came with 3.5): pause instead)\n"
	                    "restart=1");
}

static void test_offered_paused_stopped_failed(void **state)
{
	char got[1024];
	offered_all("{\"state\": \"PAUSED\", \"tasks_failed\": 1, \"worker_version\": \"3.5.0\"}", got,
	            sizeof got);
	assert_string_equal(got, "pause=0 (the connector is PAUSED, not RUNNING)\n"
	                         "resume=1\n"
	                         "stop=1\n"
	                         "restart=1");
	offered_all("{\"state\": \"STOPPED\", \"tasks_failed\": 0, \"worker_version\": \"3.7.1\"}", got,
	            sizeof got);
	assert_string_equal(got, "pause=0 (the connector is STOPPED, not RUNNING)\n"
	                         "resume=1\n"
	                         "stop=0 (the connector is already STOPPED)\n"
	                         "restart=0 (no failed task: the connector is STOPPED)");
	/* A FAILED connector with no failed task: the restart restarts it; no version read. */
	offered_all("{\"state\": \"FAILED\", \"tasks_failed\": 0, \"worker_version\": null}", got,
	            sizeof got);
	assert_string_equal(
	    got, "pause=0 (the connector is FAILED, not RUNNING)\n"
	         "resume=0 (not paused: the connector is FAILED)\n"
	         "stop=0 (the worker's Kafka Connect version is unknown: stop needs 3.5 or later)\n"
	         "restart=1");
}

static void test_offered_without_a_reading(void **state)
{
	char why[200];
	assert_false(connector_offered(ACTION_PAUSE, NULL, why, sizeof why));
	assert_string_equal(why, "no reading of the connector yet");
	struct sample s = sample_of("{\"state\": null}");
	assert_false(connector_offered(ACTION_RESUME, &s, why, sizeof why));
	assert_string_equal(why, "the connector's state is unknown");
	s.ok = false; /* a failed poll: its metrics say nothing */
	json_object_set_new(s.metrics, "state", json_string("RUNNING"));
	assert_false(connector_offered(ACTION_PAUSE, &s, why, sizeof why));
	assert_string_equal(why, "no reading of the connector yet");
	s.ok = true;
	assert_false(connector_offered(ACTION_REPLAY, &s, why, sizeof why));
	assert_string_equal(why, "the connector stage has no such action");
	sample_clear(&s);
}

static void test_version(void **state)
{
	assert_int_equal(connect_version_at_least("3.5.0", 3, 5), 1);
	assert_int_equal(connect_version_at_least("3.4.1", 3, 5), 0);
	assert_int_equal(connect_version_at_least("3.10.0", 3, 5), 1);
	assert_int_equal(connect_version_at_least("4.0.0", 3, 5), 1);
	assert_int_equal(connect_version_at_least("2.8.2", 3, 0), 0);
	assert_int_equal(connect_version_at_least("3.0.0", 3, 0), 1);
	assert_int_equal(connect_version_at_least("3.8.0-SNAPSHOT", 3, 5), 1);
	/* Confluent Platform: its own numbers; 7.4 is Kafka 3.4, 7.5 is 3.5, 6.2 is 2.8, 8.0 is 4.0. */
	assert_int_equal(connect_version_at_least("7.4.0-ccs", 3, 5), 0);
	assert_int_equal(connect_version_at_least("7.5.1-ccs", 3, 5), 1);
	assert_int_equal(connect_version_at_least("7.5.1-ce", 3, 5), 1);
	assert_int_equal(connect_version_at_least("6.2.0-ccs", 3, 0), 0);
	assert_int_equal(connect_version_at_least("6.2.0-ccs", 2, 8), 1);
	assert_int_equal(connect_version_at_least("5.5.0-ccs", 2, 6), 0);
	assert_int_equal(connect_version_at_least("8.0.0-ccs", 4, 0), 1);
	assert_int_equal(connect_version_at_least("8.0.0-ccs", 4, 1), 0);
	/* Unknown: nothing, or not a version. */
	assert_int_equal(connect_version_at_least(NULL, 3, 5), -1);
	assert_int_equal(connect_version_at_least("", 3, 5), -1);
	assert_int_equal(connect_version_at_least("v3.5.0", 3, 5), -1);
	assert_int_equal(connect_version_at_least("3", 3, 5), -1);
	assert_int_equal(connect_version_at_least("3.x", 3, 5), -1);
}

static void test_status_tasks(void **state)
{
	json_t *st = json_loads(
	    "{\"name\": \"w\", \"connector\": {\"state\": \"RUNNING\", \"worker_id\": \"h:8083\"},"
	    " \"tasks\": [{\"id\": 0, \"state\": \"RUNNING\", \"worker_id\": \"h:8083\"},"
	    " {\"id\": 1, \"state\": \"FAILED\", \"worker_id\": \"g:8083\", \"trace\": \"a.B: x\\n\\tat c\"},"
	    " {\"id\": \"2\", \"state\": \"FAILED\"}, {\"id\": 3},"
	    " {\"id\": 4, \"state\": \"FAILED\"}]}",
	    0, NULL);
	assert_non_null(st);
	json_t *all = connector_status_tasks(st, NULL), *failed = connector_status_tasks(st, "FAILED");
	char *a = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS),
	     *f = json_dumps(failed, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
	    a, "[{\"id\":0,\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"h:8083\"},"
	       "{\"id\":1,\"state\":\"FAILED\",\"trace\":\"a.B: x\\n\\tat c\",\"worker_id\":\"g:8083\"},"
	       "{\"id\":4,\"state\":\"FAILED\",\"trace\":null,\"worker_id\":null}]");
	assert_string_equal(
	    f, "[{\"id\":1,\"state\":\"FAILED\",\"trace\":\"a.B: x\\n\\tat c\",\"worker_id\":\"g:8083\"},"
	       "{\"id\":4,\"state\":\"FAILED\",\"trace\":null,\"worker_id\":null}]");
	free(a);
	free(f);
	json_decref(all);
	json_decref(failed);
	json_t *none = connector_status_tasks(json_object_get(st, "name"), "FAILED");
	assert_int_equal(json_array_size(none), 0);
	json_decref(none);
	json_decref(st);
}

static void test_trace_lines(void **state)
{
	json_t *l =
	    connector_trace_lines("a.B: boom\r\n\tat c.D(D.java:1)\n\tat \x1b[2Je\nCaused by: f\n", 3);
	char *s = json_dumps(l, JSON_COMPACT);
	/* CR dropped at the end of a line, the tab a space, the escape shown, the rest counted. */
	assert_string_equal(s,
	                    "[\"a.B: boom\",\" at c.D(D.java:1)\",\" at \\\\x1B[2Je\",\"... 1 more line\"]");
	free(s);
	json_decref(l);
	l = connector_trace_lines("only\nx\ny\nz", 1);
	s = json_dumps(l, JSON_COMPACT);
	assert_string_equal(s, "[\"only\",\"... 3 more lines\"]");
	free(s);
	json_decref(l);
	l = connector_trace_lines(NULL, 5);
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offered_running),
	    cmocka_unit_test(test_offered_paused_stopped_failed),
	    cmocka_unit_test(test_offered_without_a_reading),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_status_tasks),
	    cmocka_unit_test(test_trace_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
