/* text.c: the screen's text, pure (no curses): widths, clipping, wrapping, status words, clocks, values. */
#include "ui/text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "units.h"
#include "util.h"

int text_width(const char *s)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int w = 0;
	size_t len = strlen(s);
	while (len > 0) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, s, len, &st);
		if (r == (size_t)-1 || r == (size_t)-2) { /* invalid: one column per byte */
			memset(&st, 0, sizeof st);
			r = 1;
			wc = L'?';
		} else if (r == 0) {
			break;
		}
		int cw = wcwidth(wc);
		w += cw > 0 ? cw : 0;
		s += r;
		len -= r;
	}
	return w;
}

int text_fit(const char *s, int width, wchar_t *out, size_t n, size_t *count)
{
	size_t k = 0;
	int used = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = strlen(s);
	while (len > 0 && k + 1 < n) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, s, len, &st);
		if (r == (size_t)-1 || r == (size_t)-2) {
			memset(&st, 0, sizeof st);
			r = 1;
			wc = L'?';
		} else if (r == 0) {
			break;
		}
		if (wc == L'\t' || wc == L'\n' || wc == L'\r')
			wc = L' ';
		int cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (used + cw > width)
			break;
		/* The last column of a clipped text says it was clipped. */
		bool last = used + cw == width && len > r;
		out[k++] = last ? L'~' : wc;
		used += cw;
		s += r;
		len -= r;
	}
	if (n > 0)
		out[k] = 0;
	if (count)
		*count = k;
	return used;
}

size_t wrap_text(const char *s, int width, char ***lines)
{
	size_t n = 0;
	*lines = NULL;
	if (width < 8)
		width = 8;
	while (*s) {
		/* Take as many words as fit (by bytes: the texts wrapped here are ASCII-dominated). */
		size_t len = strlen(s), take = len;
		if ((int)len > width) {
			take = (size_t)width;
			while (take > 0 && s[take] != ' ')
				take--;
			if (take == 0)
				take = (size_t)width;
		}
		*lines = xrealloc(*lines, (n + 1) * sizeof **lines);
		(*lines)[n++] = xstrndup(s, take);
		s += take;
		while (*s == ' ')
			s++;
	}
	return n;
}

const char *status_word(enum status s)
{
	static const char *const words[] = {
	    [ST_OK] = "OK", [ST_UNKNOWN] = "UNKNOWN", [ST_WARN] = "WARN", [ST_CRIT] = "CRIT"};
	return words[s];
}

void clock_text(double wall, char *buf, size_t n)
{
	time_t t = (time_t)wall;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, n, "%H:%M:%S", &tm);
}

void metric_text(const char *name, const json_t *v, char *buf, size_t n)
{
	if (!v || json_is_null(v)) {
		snprintf(buf, n, "-");
		return;
	}
	if (json_is_string(v)) {
		snprintf(buf, n, "%s", json_string_value(v));
	} else if (json_is_boolean(v)) {
		snprintf(buf, n, "%s", json_is_true(v) ? "true" : "false");
	} else if (json_is_integer(v)) {
		format_count((int64_t)json_integer_value(v), buf, n);
		if (strstr(name, "bytes")) {
			char sz[32];
			format_size((double)json_integer_value(v), sz, sizeof sz);
			snappendf(buf, n, "  (%s)", sz);
		}
	} else if (json_is_real(v)) {
		double d = json_real_value(v);
		snprintf(buf, n, "%.1f", d);
		if (strstr(name, "_s") && !strstr(name, "per_s")) {
			char dur[32];
			format_duration(d, dur, sizeof dur);
			snappendf(buf, n, "  (%s)", dur);
		}
	} else {
		char *dump = json_dumps(v, JSON_COMPACT);
		snprintf(buf, n, "%s", dump ? dump : "?");
		free(dump);
	}
}
