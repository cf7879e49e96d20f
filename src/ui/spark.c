/* spark.c: a sparkline of a series, as text (pure: unit-tested without a terminal). */
#include "ui/spark.h"

#include <math.h>
#include <string.h>

#include "util.h"

void spark_render(const double *series, int n, int width, const char *const *levels, char *buf, size_t size)
{
	buf[0] = '\0';
	if (width <= 0 || size == 0)
		return;
	int first = n > width ? n - width : 0;
	double lo = 0, hi = 0;
	bool any = false;
	for (int i = first; i < n; i++) {
		if (isnan(series[i]))
			continue;
		lo = any ? fmin(lo, series[i]) : fmin(0, series[i]);
		hi = any ? fmax(hi, series[i]) : series[i];
		any = true;
	}
	/* Right-aligned: the newest value is always the last column. */
	for (int pad = width - (n - first); pad > 0; pad--)
		snappendf(buf, size, " ");
	for (int i = first; i < n; i++) {
		if (isnan(series[i])) {
			snappendf(buf, size, " ");
			continue;
		}
		/* Clamped as a double: with values near DBL_MAX the span overflows and the ratio is
		   NaN, which no integer cast may see. */
		double at = hi > lo ? floor((series[i] - lo) / (hi - lo) * 7.0 + 0.5) : 0;
		int level = at >= 7 ? 7 : at > 0 ? (int)at : 0;
		snappendf(buf, size, "%s", levels[level]);
	}
}
