/* human.c: a figure as a person reads it, by its unit: counts, sizes, durations, percentages, rates. */
#include "human.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "util.h"

/* Puts "-" in buf and returns true when v is not a number one can show. */
static bool unknown(double v, char *buf, size_t n)
{
	if (isfinite(v))
		return false;
	strlcpy_safe(buf, "-", n);
	return true;
}

/* A decimal printed with %f ("-1234567.5"), with separators in its whole part and without
   trailing zeros after the point ("-1,234,567.5"); "-0" is "0". */
static void tidy(const char *num, char *buf, size_t n)
{
	char out[96];
	size_t o = 0;
	const char *p = num;
	if (*p == '-')
		out[o++] = *p++;
	size_t whole = strcspn(p, ".");
	for (size_t i = 0; i < whole && o + 2 < sizeof out; i++) {
		if (i > 0 && (whole - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = p[i];
	}
	const char *frac = p + whole;
	if (*frac == '.') {
		size_t len = strlen(frac);
		while (len > 1 && frac[len - 1] == '0')
			len--;
		if (len > 1 && o + len < sizeof out) {
			memcpy(out + o, frac, len);
			o += len;
		}
	}
	out[o] = '\0';
	strlcpy_safe(buf, strcmp(out, "-0") ? out : "0", n);
}

void human_count(double v, char *buf, size_t n)
{
	if (unknown(v, buf, n))
		return;
	char num[64];
	snprintf(num, sizeof num, "%.0f", round(v));
	tidy(num, buf, n);
}

void human_number(double v, char *buf, size_t n)
{
	if (unknown(v, buf, n))
		return;
	double a = fabs(v);
	int decimals = 0;
	if (a > 0 && a < 100) {
		/* three significant digits: 2 - the position of the first one (12.3, 1.52, 0.0123) */
		decimals = 2 - (int)floor(log10(a));
		if (decimals > 6)
			decimals = 6;
		/* 9.996 rounds to 10.00: one decimal fewer for the next decade */
		char probe[64];
		snprintf(probe, sizeof probe, "%.*f", decimals, a);
		if (decimals > 0 && strtod(probe, NULL) >= pow(10, 3 - decimals))
			decimals--;
	}
	char num[64];
	snprintf(num, sizeof num, "%.*f", decimals, v);
	tidy(num, buf, n);
}

void human_ratio(double v, char *buf, size_t n)
{
	if (unknown(v, buf, n))
		return;
	double p = v * 100;
	char num[64];
	if (p > 0 && p < 0.05) {
		strlcpy_safe(buf, "<0.1%", n);
		return;
	}
	if (p > 99.5 && p < 100) /* 99.97% used is not full */
		snprintf(num, sizeof num, "%.1f", fmin(floor(p * 10) / 10, 99.9));
	else if (fabs(p) < 9.95)
		snprintf(num, sizeof num, "%.1f", p);
	else
		snprintf(num, sizeof num, "%.0f", p);
	tidy(num, buf, n);
	snappendf(buf, n, "%%");
}

void human_rate(double v, char *buf, size_t n)
{
	human_number(v, buf, n);
	if (isfinite(v))
		snappendf(buf, n, "/s");
}

void human_value(enum metric_unit u, double v, char *buf, size_t n)
{
	if (unknown(v, buf, n))
		return;
	switch (u) {
	case MU_COUNT:
	case MU_COUNTER:
		human_count(v, buf, n);
		return;
	case MU_SECONDS:
		format_duration(v, buf, n);
		return;
	case MU_BYTES:
		format_size(v, buf, n);
		return;
	case MU_RATIO:
		human_ratio(v, buf, n);
		return;
	case MU_PER_SECOND:
		human_rate(v, buf, n);
		return;
	default:
		human_number(v, buf, n);
		return;
	}
}
