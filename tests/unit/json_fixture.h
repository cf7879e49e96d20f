/* json_fixture.h: a recorded server answer of tests/fixtures/, for the parsers' tests. */
#ifndef SYNCTOP_TEST_JSON_FIXTURE_H
#define SYNCTOP_TEST_JSON_FIXTURE_H

#include <jansson.h>

/* The JSON of $top_srcdir/tests/fixtures/DIR/NAME (top_srcdir: ".", unset); fails the test
   when it cannot be read or is not JSON. A new reference. */
json_t *json_fixture(const char *dir, const char *name);

#endif
