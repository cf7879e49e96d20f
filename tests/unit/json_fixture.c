/* json_fixture.c: a recorded server answer of tests/fixtures/ (json_fixture.h). */
#include "json_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

json_t *json_fixture(const char *dir, const char *name)
{
	char path[1024];
	const char *top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	snprintf(path, sizeof path, "%s/tests/fixtures/%s/%s", top, dir, name);
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	if (!j)
		fail_msg("cannot read %s: %s", path, e.text);
	return j;
}
