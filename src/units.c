/* units.c: durations and byte sizes as written in config files and shown on screen. */
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "units.h"

/* Reads an unsigned decimal number ("12", "1.5", ".5") at *p without strtod's extras
   (signs, exponents, hex, inf, nan), so that "1e3s" or "-2s" are rejected. */
static bool read_number(const char **p, double *out)
{
	const char *s = *p;
	size_t digits = 0, len = 0;
	while (isdigit((unsigned char)s[len])) {
		len++;
		digits++;
	}
	if (s[len] == '.') {
		len++;
		while (isdigit((unsigned char)s[len])) {
			len++;
			digits++;
		}
	}
	if (digits == 0 || len > 64)
		return false;
	char tmp[80];
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	double v = strtod(tmp, NULL);
	if (!isfinite(v))
		return false;
	*out = v;
	*p = s + len;
	return true;
}

bool parse_duration(const char *s, double *out)
{
	/* Units from largest to smallest: each may appear once, in this order. */
	static const struct {
		const char *name;
		double seconds;
	} units[] = {{"d", 86400}, {"h", 3600}, {"ms", 0.001}, {"m", 60}, {"s", 1}};
	static const int rank[] = {0, 1, 4, 2, 3}; /* order of units[] from large to small */

	if (!s || !*s)
		return false;
	const char *p = s;
	double total = 0, v;
	int last_rank = -1;
	bool bare = true;
	while (*p) {
		if (!read_number(&p, &v))
			return false;
		if (!*p) {
			if (!bare)
				return false; /* "1m30" */
			total = v;
			break;
		}
		size_t u;
		for (u = 0; u < ARRAY_LEN(units); u++)
			if (strncmp(p, units[u].name, strlen(units[u].name)) == 0)
				break;
		if (u == ARRAY_LEN(units) || rank[u] <= last_rank)
			return false;
		last_rank = rank[u];
		p += strlen(units[u].name);
		total += v * units[u].seconds;
		bare = false;
	}
	if (!isfinite(total))
		return false;
	*out = total;
	return true;
}

bool parse_size(const char *s, int64_t *out)
{
	static const struct {
		const char *name;
		double mult;
	} units[] = {
	    {"b", 1},
	    {"kb", 1e3},
	    {"mb", 1e6},
	    {"gb", 1e9},
	    {"tb", 1e12},
	    {"pb", 1e15},
	    {"kib", 1024.0},
	    {"mib", 1048576.0},
	    {"gib", 1073741824.0},
	    {"tib", 1099511627776.0},
	    {"pib", 1125899906842624.0},
	};

	if (!s || !*s)
		return false;
	const char *p = s;
	double v;
	if (!read_number(&p, &v))
		return false;
	double mult = 1;
	while (*p == ' ')
		p++;
	if (*p) {
		size_t u;
		for (u = 0; u < ARRAY_LEN(units); u++)
			if (strcasecmp(p, units[u].name) == 0)
				break;
		if (u == ARRAY_LEN(units))
			return false;
		mult = units[u].mult;
	} else if (floor(v) != v) {
		return false; /* a bare number of bytes is whole */
	}
	double bytes = round(v * mult);
	if (!(bytes < 9.2e18))
		return false;
	*out = (int64_t)bytes;
	return true;
}

void format_duration(double seconds, char *buf, size_t n)
{
	if (n == 0)
		return;
	if (!isfinite(seconds)) {
		strlcpy_safe(buf, "-", n);
		return;
	}
	const char *sign = "";
	if (seconds < 0) {
		sign = "-";
		seconds = -seconds;
	}
	double ms = round(seconds * 1000);
	if (ms == 0) {
		snprintf(buf, n, "0s");
		return;
	}
	if (ms < 1000) {
		snprintf(buf, n, "%s%.0fms", sign, ms);
		return;
	}
	double tenths = round(seconds * 10);
	if (tenths < 100) {
		if (fmod(tenths, 10) == 0)
			snprintf(buf, n, "%s%.0fs", sign, tenths / 10);
		else
			snprintf(buf, n, "%s%.1fs", sign, tenths / 10);
		return;
	}
	double s = round(seconds);
	if (s < 60)
		snprintf(buf, n, "%s%.0fs", sign, s);
	else if (s < 3600)
		snprintf(buf, n, "%s%.0fm%02.0fs", sign, floor(s / 60), fmod(s, 60));
	else if (s < 86400)
		snprintf(buf, n, "%s%.0fh%02.0fm", sign, floor(s / 3600), floor(fmod(s, 3600) / 60));
	else
		snprintf(buf, n, "%s%.0fd%02.0fh", sign, floor(s / 86400), floor(fmod(s, 86400) / 3600));
}

void format_size(double bytes, char *buf, size_t n)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

	if (n == 0)
		return;
	if (!isfinite(bytes)) {
		strlcpy_safe(buf, "-", n);
		return;
	}
	const char *sign = "";
	if (bytes < 0) {
		sign = "-";
		bytes = -bytes;
	}
	if (round(bytes) < 1024) {
		snprintf(buf, n, "%s%.0f B", sign, round(bytes));
		return;
	}
	size_t u = 0;
	double v = bytes;
	while (u + 1 < ARRAY_LEN(units)) {
		v /= 1024;
		u++;
		/* Move up a unit when rounding would print 1024 of this one. */
		double shown = v < 10 ? round(v * 10) / 10 : round(v);
		if (shown < 1024)
			break;
	}
	if (v < 10 && round(v * 10) < 100)
		snprintf(buf, n, "%s%.1f %s", sign, v, units[u]);
	else
		snprintf(buf, n, "%s%.0f %s", sign, v, units[u]);
}

void iso8601(double t, char *buf, size_t n)
{
	/* Years 1 to 9999 only: a server's timestamp may be any double, and the cast of one
	   out of time_t's range is undefined. */
	struct tm tm;
	time_t secs = 0;
	if (!(t >= -62135596800.0 && t < 253402300800.0) || (secs = (time_t)t, !gmtime_r(&secs, &tm))) {
		strlcpy_safe(buf, "-", n);
		return;
	}
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void format_age(double since, double now, char *buf, size_t n)
{
	if (n == 0)
		return;
	if (since <= 0 || !isfinite(since) || !isfinite(now)) {
		buf[0] = '\0';
		return;
	}
	format_duration(now > since ? floor(now - since) : 0, buf, n);
}
