/* test_serve_http.c: the exporter's /healthz verdict (serve_healthy), a pure function of the times. */
/* needs: microhttpd */
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "serve_http.h"

static void test_healthy(void **state)
{
	(void)state;
	char why[256];
	/* Started 2 s ago with a 1 s interval: no round yet, still within three intervals. */
	assert_true(serve_healthy(0, 1000, 1, 1002, why, sizeof why));
	assert_string_equal(why, "no complete round of polls yet (started 2s ago)");
	assert_true(serve_healthy(0, 1000, 1, 1003, why, sizeof why));
	assert_false(serve_healthy(0, 1000, 1, 1003.5, why, sizeof why));
	assert_string_equal(why, "no complete round of polls yet (started 3.5s ago)");
	/* A round completed 2.9 s ago: ok; 3 intervals is the limit. */
	assert_true(serve_healthy(2000, 1000, 1, 2002.9, why, sizeof why));
	assert_string_equal(why, "ok");
	assert_true(serve_healthy(2000, 1000, 5, 2015, why, sizeof why));
	assert_false(serve_healthy(2000, 1000, 5, 2016, why, sizeof why));
	assert_string_equal(why,
	                    "the last complete round of polls ended 16s ago (interval 5s): a poll hangs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_healthy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
