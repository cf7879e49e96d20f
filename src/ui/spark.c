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
		int level = hi > lo ? (int)floor((series[i] - lo) / (hi - lo) * 7.0 + 0.5) : 0;
		if (level < 0)
			level = 0;
		if (level > 7)
			level = 7;
		snappendf(buf, size, "%s", levels[level]);
	}
}
