/* parse.c: the text of Redis's INFO command, as fields. Pure. */
#include "kinds/cache/parse.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

/* "keys=12,expires=3,avg_ttl=0": the number after name=, or -1. */
static long long sub_field(const char *v, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = v; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == '=')
			return strtoll(p + len + 1, NULL, 10);
	return -1;
}

json_t *redis_info_parse(const char *text)
{
	json_t *out = json_object();
	long long keys = 0, expires = 0;
	const char *line = text;
	while (line && *line) {
		size_t len = strcspn(line, "\r\n");
		char *l = xstrndup(line, len);
		line += len;
		line += strspn(line, "\r\n");
		char *colon = strchr(l, ':');
		if (l[0] != '#' && colon && colon != l) {
			*colon = '\0';
			const char *v = colon + 1;
			json_object_set_new(out, l, json_string_clean(v)); /* a server's bytes */
			/* dbN lines of the Keyspace section */
			if (!strncmp(l, "db", 2) && l[2] >= '0' && l[2] <= '9') {
				long long k = sub_field(v, "keys"), e = sub_field(v, "expires");
				/* saturating: a server may claim any count */
				keys = k > 0 ? (k > LLONG_MAX - keys ? LLONG_MAX : keys + k) : keys;
				expires =
				    e > 0 ? (e > LLONG_MAX - expires ? LLONG_MAX : expires + e) : expires;
			}
		}
		free(l);
	}
	json_object_set_new(out, "keys", json_integer(keys));
	json_object_set_new(out, "expires", json_integer(expires));
	return out;
}

int redis_info_count(const json_t *info, const char *field, int64_t *out, char *err, size_t n)
{
	const char *v = json_string_value(json_object_get(info, field));
	if (!v)
		return 0;
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (*v >= '0' && *v <= '9' && !*end && errno == 0) {
		*out = x;
		return 1;
	}
	bool number = *v && strspn(v, "+-0123456789.eE") == strlen(v);
	snprintf(err, n, "INFO field %s is '%.40s', not %s", field, v,
	         number ? "a count (a whole number from 0)" : "a number");
	return -1;
}

int redis_info_ratio(const json_t *info, const char *field, double *out, char *err, size_t n)
{
	const char *v = json_string_value(json_object_get(info, field));
	if (!v)
		return 0;
	char *end;
	double x = strtod(v, &end);
	if (*v && end != v && !*end && isfinite(x) && x >= 0) {
		*out = x;
		return 1;
	}
	bool number = end != v && !*end;
	snprintf(err, n, "INFO field %s is '%.40s', not %s", field, v,
	         number ? "a ratio (a finite number from 0)" : "a number");
	return -1;
}
