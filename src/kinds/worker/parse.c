/* parse.c: the worker kind's pure reading of a state answer: the boolean at worker.paused_field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/worker/worker.h"
#include "sanitize.h"

/* One reference token of a JSON pointer (up to the next '/'), unescaped (~1 is '/', ~0 is
   '~') into tok; false when an escape is not ~0 or ~1. */
static bool token(const char *p, size_t len, char *tok, size_t tn)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 1 < tn; i++) {
		if (p[i] == '~') {
			if (i + 1 >= len || (p[i + 1] != '0' && p[i + 1] != '1'))
				return false;
			tok[o++] = p[++i] == '1' ? '/' : '~';
		} else {
			tok[o++] = p[i];
		}
	}
	tok[o] = '\0';
	return true;
}

/* An array index as RFC 6901 writes it: "0", or digits not starting with 0. */
static bool array_index(const char *tok, size_t *out)
{
	if (!*tok || (tok[0] == '0' && tok[1]) || strspn(tok, "0123456789") != strlen(tok) || strlen(tok) > 9)
		return false;
	*out = (size_t)strtoul(tok, NULL, 10);
	return true;
}

int worker_paused_field(const json_t *answer, const char *pointer, char *why, size_t n)
{
	char shown[200];
	text_clean(shown, sizeof shown, pointer, strlen(pointer));
	const json_t *at = answer;
	const char *p = pointer;
	if (*p && *p != '/') {
		snprintf(why, n, "worker.paused_field %s is not a JSON pointer (it starts with /)", shown);
		return -1;
	}
	while (*p == '/') {
		p++;
		size_t len = strcspn(p, "/");
		char tok[256];
		size_t i;
		if (!token(p, len, tok, sizeof tok)) {
			snprintf(why, n, "worker.paused_field %s has a ~ that is not ~0 or ~1", shown);
			return -1;
		}
		if (json_is_object(at))
			at = json_object_get(at, tok);
		else if (json_is_array(at) && array_index(tok, &i))
			at = json_array_get(at, i);
		else
			at = NULL;
		if (!at) {
			snprintf(why, n, "the answer has no %s", shown);
			return -1;
		}
		p += len;
	}
	if (!json_is_boolean(at)) {
		static const char *const types[] = {"an object", "an array",  "a string",  "a number",
		                                    "a number",  "a boolean", "a boolean", "null"};
		snprintf(why, n, "%s in the answer is %s, not true or false", shown, types[json_typeof(at)]);
		return -1;
	}
	return json_is_true(at) ? 1 : 0;
}
