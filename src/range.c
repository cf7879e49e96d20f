/* range.c: the monitoring-plugin threshold ranges ([@][start:][end]) and perfdata numbers. */
#include "range.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "util.h"

/* A plain unsigned decimal ("12", "1.5", ".5"): no sign, exponent, hex, inf or nan. */
static bool plain_number(const char *s, double *out)
{
	size_t digits = 0;
	const char *p = s;
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (digits == 0 || *p || p - s > 64)
		return false;
	*out = strtod(s, NULL);
	return isfinite(*out);
}

/* One end of a range (len bytes at s), in the unit's perfdata unit. */
static bool range_end(const char *s, size_t len, enum metric_unit unit, double *out)
{
	char tok[80];
	if (len == 0 || len >= sizeof tok)
		return false;
	memcpy(tok, s, len);
	tok[len] = '\0';
	const char *p = tok;
	bool neg = *p == '-';
	if (neg)
		p++;
	double v;
	int64_t bytes;
	if (plain_number(p, &v)) {
		/* a bare number is in the perfdata's unit: seconds, bytes, percent */
	} else if (unit == MU_SECONDS && parse_duration(p, &v)) {
	} else if (unit == MU_BYTES && parse_size(p, &bytes)) {
		v = (double)bytes;
	} else if (unit == MU_RATIO && p[0] && p[strlen(p) - 1] == '%') {
		tok[len - 1] = '\0';
		if (!plain_number(p, &v))
			return false;
	} else {
		return false;
	}
	*out = neg ? -v : v;
	return true;
}

static const char *unit_example(enum metric_unit unit)
{
	switch (unit) {
	case MU_SECONDS:
		return "a number of seconds or a duration such as 5m";
	case MU_BYTES:
		return "a number of bytes or a size such as 1GiB";
	case MU_RATIO:
		return "a percentage such as 80 or 80%";
	default:
		return "a number";
	}
}

bool range_parse(const char *s, enum metric_unit unit, struct range *r, char *why, size_t n)
{
	struct range out = {.start = 0, .end = INFINITY, .inside = false};
	const char *p = s;
	if (*p == '@') {
		out.inside = true;
		p++;
	}
	const char *colon = strchr(p, ':');
	if (!*p || !strcmp(p, ":")) {
		snprintf(why, n, "it is empty (give [@][start:][end], e.g. 10, 10:, ~:10, @10:20)");
		return false;
	}
	const char *end = p;
	if (colon) {
		size_t len = (size_t)(colon - p);
		if (len == 1 && *p == '~')
			out.start = -INFINITY;
		else if (len > 0 && !range_end(p, len, unit, &out.start)) {
			snprintf(why, n, "its start '%.*s' is not %s (nor ~, no start)", (int)len, p,
			         unit_example(unit));
			return false;
		}
		end = colon + 1;
	}
	if (*end && !range_end(end, strlen(end), unit, &out.end)) {
		snprintf(why, n, "'%s' is not %s", end, unit_example(unit));
		return false;
	}
	if (out.start > out.end) {
		snprintf(why, n, "its start is above its end");
		return false;
	}
	*r = out;
	return true;
}

bool range_alerts(const struct range *r, double v)
{
	bool in = v >= r->start && v <= r->end;
	return r->inside ? in : !in;
}

const char *range_format(const struct range *r, char *buf, size_t n)
{
	char a[64], b[64];
	buf[0] = '\0';
	if (r->inside)
		snappendf(buf, n, "@");
	if (isinf(r->start))
		snappendf(buf, n, "~:");
	else if (r->start != 0 || isinf(r->end))
		snappendf(buf, n, "%s:", perf_number(r->start, a, sizeof a));
	if (!isinf(r->end))
		snappendf(buf, n, "%s", perf_number(r->end, b, sizeof b));
	return buf;
}

const char *perf_number(double v, char *buf, size_t n)
{
	if (!isfinite(v)) {
		strlcpy_safe(buf, "U", n); /* cannot happen for a measured value: "not known" */
		return buf;
	}
	if (v == floor(v) && fabs(v) < 1e18) {
		snprintf(buf, n, "%.0f", v == 0 ? 0.0 : v); /* never "-0" */
		return buf;
	}
	snprintf(buf, n, "%.6f", v);
	char *dot = strchr(buf, '.');
	if (dot) {
		char *e = buf + strlen(buf) - 1;
		while (e > dot && *e == '0')
			*e-- = '\0';
		if (e == dot)
			*e = '\0';
	}
	if (!strcmp(buf, "-0"))
		strlcpy_safe(buf, "0", n);
	return buf;
}

double perf_scale(enum metric_unit u)
{
	return u == MU_RATIO ? 100.0 : 1.0;
}
