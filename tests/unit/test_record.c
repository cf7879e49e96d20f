/* test_record.c: the recording's line codec (a sample out and back), the config text it keeps
   (no secret, line numbers kept), --at's time forms and the round lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "record.h"
#include "replay.h"

static void test_sample_round_trip(void **state)
{
	(void)state;
	struct sample s;
	sample_init(&s);
	s.wall = 1796390153.3539546;
	s.mono = 41114.977369688;
	s.latency_ms = 2.25;
	s.ok = false;
	strcpy(s.err, "bad\x1b[2Jthing");
	s.metrics = json_pack("{si,sn,sf}", "pending", 42, "failed", "drain_per_s", 0.5);
	/* binary state: a NUL, bytes past ASCII (no JSON text as they are) */
	s.raw = json_pack("{s:o,s:i}", "p", json_stringn_nocheck("\0\xff\x80\1", 4), "n", 7);
	json_t *line = record_sample_json(&s, 7, 3, "products", "outbox");
	char *text = json_dumps(line, JSON_COMPACT);
	json_decref(line);
	assert_null(strchr(text, '\x1b')); /* control characters never reach the file */

	json_error_t je;
	json_t *back = json_loads(text, JSON_ALLOW_NUL, &je);
	assert_non_null(back);
	struct sample r;
	unsigned long id = 0;
	size_t stage = 0;
	char why[128] = "";
	assert_true(record_sample_parse(back, &r, &id, &stage, why, sizeof why));
	assert_int_equal(id, 7);
	assert_int_equal(stage, 3);
	assert_true(r.wall == s.wall); /* exact: %.17g out, strtod back */
	assert_true(r.mono == s.mono);
	assert_true(r.latency_ms == 2.25);
	assert_false(r.ok);
	assert_string_equal(r.err, "bad\\x1B[2Jthing");
	assert_true(json_equal(r.metrics, s.metrics));
	/* binary state kept as it is (hex in the file) */
	assert_int_equal(json_string_length(json_object_get(r.raw, "p")), 4);
	assert_memory_equal(json_string_value(json_object_get(r.raw, "p")), "\0\xff\x80\1", 4);
	assert_int_equal(json_integer_value(json_object_get(r.raw, "n")), 7);
	assert_non_null(strstr(text, "\"p\":{\"hex\":\"00ff8001\"}"));
	assert_null(r.detail); /* null in the file: none */
	sample_clear(&r);
	sample_clear(&s);
	json_decref(back);
	free(text);

	json_t *bad = json_pack("{ss,si,si}", "type", "sample", "id", 0, "stage", 1);
	assert_false(record_sample_parse(bad, &r, &id, &stage, why, sizeof why));
	assert_string_equal(why, "a sample needs id, stage, wall and ok");
	json_decref(bad);
}

static void test_config_text(void **state)
{
	(void)state;
	char path[] = "/tmp/test_record.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *conf = "[synctop]\n"
	                   "log_file = /var/log/x\n"
	                   "[postgres shop]\n"
	                   "conninfo = host=db user=app password=Pw1Marker\n"
	                   "[kafka main]\n"
	                   "brokers = k:9092\n"
	                   "property.sasl.password = Pw2Marker\n"
	                   "property.ssl.key.pem = Pw4Marker\n"
	                   "sasl_password_file = /etc/pw\n"
	                   "[redis r]\n"
	                   "url = redis://u:Pw3Marker@h:6379/0\n"
	                   "password_env = REDIS_PW\n"
	                   "[pipeline p]\n"
	                   "cache = r\n"
	                   "cache.key_prefix = session:\n";
	assert_int_equal(write(fd, conf, strlen(conf)), (ssize_t)strlen(conf));
	close(fd);
	char why[128];
	char *t = record_config_text(path, why, sizeof why);
	unlink(path);
	assert_non_null(t);
	assert_null(strstr(t, "Marker"));
	assert_string_equal(t, "[synctop]\n"
	                       ";\n" /* a path of this host */
	                       "[postgres shop]\n"
	                       "conninfo = host=db user=app password=***\n"
	                       "[kafka main]\n"
	                       "brokers = k:9092\n"
	                       "property.sasl.password = ***\n"
	                       "property.ssl.key.pem = ***\n"
	                       ";\n"
	                       "[redis r]\n"
	                       "url = redis://u:***@h:6379/0\n"
	                       ";\n"
	                       "[pipeline p]\n"
	                       "cache = r\n"
	                       "cache.key_prefix = session:\n");
	free(t);
	assert_null(record_config_text("/nonexistent/x", why, sizeof why));
	assert_string_equal(why, "/nonexistent/x: No such file or directory");
}

static void test_parse_at(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	double start = 1796389200.5; /* 2026-12-04T13:00:00.5Z */
	double t = 0;
	char why[256];
	assert_true(replay_parse_at("+90s", start, &t, why, sizeof why));
	assert_true(t == start + 90);
	assert_true(replay_parse_at("+2m", start, &t, why, sizeof why));
	assert_true(t == start + 120);
	assert_true(replay_parse_at("2026-12-04T13:05:00Z", start, &t, why, sizeof why));
	assert_true(t == 1796389500);
	assert_true(replay_parse_at("2026-12-04T13:05:00.25Z", start, &t, why, sizeof why));
	assert_true(t == 1796389500.25);
	assert_true(replay_parse_at("2026-12-04T14:05:00+01:00", start, &t, why, sizeof why));
	assert_true(t == 1796389500);
	assert_true(replay_parse_at("2026-12-04T12:05:00-01:00", start, &t, why, sizeof why));
	assert_true(t == 1796389500);
	assert_true(replay_parse_at("13:05:00", start, &t, why, sizeof why));
	assert_true(t == 1796389500);
	assert_false(replay_parse_at("+soon", start, &t, why, sizeof why));
	assert_string_equal(why, "--at +soon: bad duration after + (e.g. +90s, +2m)");
	assert_false(replay_parse_at("13:05", start, &t, why, sizeof why));
	assert_false(replay_parse_at("2026-12-04T13:05:00", start, &t, why, sizeof why)); /* no zone */
	assert_false(replay_parse_at("2026-12-04T13:05:00Zjunk", start, &t, why, sizeof why));
	assert_string_equal(why, "--at 2026-12-04T13:05:00Zjunk: not a time (use 2026-12-04T13:05:00Z, "
	                         "13:05:00 of the recording's day, or +90s from its start)");
}

static void test_round_at(void **state)
{
	(void)state;
	struct rec_round rounds[4] = {{.wall = 10}, {.wall = 12}, {.wall = 14}, {.wall = 14.5}};
	struct recording r = {.rounds = rounds, .n_rounds = 4};
	assert_int_equal(recording_round_at(&r, 9.99), -1);
	assert_int_equal(recording_round_at(&r, 10), 0);
	assert_int_equal(recording_round_at(&r, 11.9), 0);
	assert_int_equal(recording_round_at(&r, 12), 1);
	assert_int_equal(recording_round_at(&r, 14.2), 2);
	assert_int_equal(recording_round_at(&r, 100), 3);
	r.n_rounds = 0;
	assert_int_equal(recording_round_at(&r, 100), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sample_round_trip),
	    cmocka_unit_test(test_config_text),
	    cmocka_unit_test(test_parse_at),
	    cmocka_unit_test(test_round_at),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
