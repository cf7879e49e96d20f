/* text.c: the screen's text, pure (no curses): widths, clipping, wrapping, status words, clocks, values. */
#include "ui/text.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "human.h"
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

enum metric_unit unit_by_name(const char *name)
{
	size_t len = strlen(name);
#define ENDS(suffix) (len >= strlen(suffix) && !strcmp(name + len - strlen(suffix), suffix))
	if (ENDS("bytes"))
		return MU_BYTES;
	if (ENDS("_per_s"))
		return MU_PER_SECOND;
	if (ENDS("_ratio"))
		return MU_RATIO;
	if (ENDS("_s"))
		return MU_SECONDS;
#undef ENDS
	return MU_COUNT;
}

void metric_text(enum metric_unit u, const char *name, const json_t *v, double now, char *buf, size_t n)
{
	if (!v || json_is_null(v)) {
		snprintf(buf, n, "-");
		return;
	}
	if (json_is_string(v)) {
		snprintf(buf, n, "%s", json_string_value(v));
	} else if (json_is_boolean(v)) {
		snprintf(buf, n, "%s", json_is_true(v) ? "yes" : "no");
	} else if (json_is_number(v)) {
		double d = json_number_value(v);
		size_t len = strlen(name);
		if (len > 6 && !strcmp(name + len - 6, "_epoch")) {
			/* a wall time: when, and how long ago */
			char when[16], age[32];
			clock_text(d, when, sizeof when);
			format_age(d, now, age, sizeof age);
			snprintf(buf, n, "%s%s%s%s", when, *age ? " (" : "", age, *age ? " ago)" : "");
			return;
		}
		if (u == MU_COUNT && !json_is_integer(v) && d != (double)(int64_t)d)
			u = MU_FACTOR; /* a fraction is not a count of things */
		human_value(u, d, buf, n);
		/* A size is rounded: the exact count of bytes beside it says what it hides. */
		if (u == MU_BYTES && fabs(d) >= 1024) {
			char raw[48];
			human_count(d, raw, sizeof raw);
			snappendf(buf, n, " (%s bytes)", raw);
		}
	} else {
		char *dump = json_dumps(v, JSON_COMPACT);
		snprintf(buf, n, "%s", dump ? dump : "?");
		free(dump);
	}
}

void scroll_text(int first, int shown, int total, char *buf, size_t n)
{
	if (shown >= total || total <= 0) {
		buf[0] = '\0';
		return;
	}
	int last = first + shown < total ? first + shown : total;
	snprintf(buf, n, "lines %d-%d of %d", first + 1, last, total);
}
