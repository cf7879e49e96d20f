/* fuzz_sanitize.c: fuzz target for what makes a server's text safe to show (src/sanitize.c): the
   first byte sizes the buffer, the rest is the server's bytes. Properties: the result fits, is
   valid UTF-8 on one line without a control character, and is left alone by a second pass. */
#include <jansson.h>
#include <math.h>

#include "fuzz.h"
#include "sanitize.h"

static bool controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t n = (size_t)data[0] + 1;
	const char *src = (const char *)data + 1;
	size_t len = size - 1;
	char *dst = malloc(n);
	text_clean(dst, n, src, len);
	FUZZ_CHECK(strlen(dst) < n, "%zu bytes in a buffer of %zu", strlen(dst), n);
	FUZZ_CHECK(!controls(dst), "a control character left: %s", dst);
	FUZZ_CHECK(text_is_clean(dst), "not clean: %s", dst);
	json_t *j = json_string(dst);
	FUZZ_CHECK(j != NULL, "not valid UTF-8: %s", dst);
	json_decref(j);
	char *again = malloc(n);
	text_clean(again, n, dst, strlen(dst));
	FUZZ_CHECK(strcmp(again, dst) == 0, "a second pass changed \"%s\" into \"%s\"", dst, again);
	free(again);
	free(dst);

	char *s = fuzz_str(data + 1, len);
	j = json_string_clean(s);
	FUZZ_CHECK(j != NULL && text_is_clean(json_string_value(j)), "json_string_clean(%s)", s);
	json_decref(j);
	size_t cap = strlen(s) + 1 > 8 ? strlen(s) + 1 : 8;
	char *buf = calloc(1, cap);
	memcpy(buf, s, strlen(s));
	text_clean_inplace(buf, cap);
	FUZZ_CHECK(text_is_clean(buf) && strlen(buf) < cap, "text_clean_inplace: %s", buf);
	free(buf);
	free(s);

	if (len >= sizeof(double)) {
		double v;
		int64_t out;
		memcpy(&v, src, sizeof v);
		if (i64_of_double(v, &out))
			FUZZ_CHECK(isfinite(v) && fabs((double)out - v) < 1.0, "i64_of_double(%g) = %lld", v,
			           (long long)out);
	}
	return 0;
}
