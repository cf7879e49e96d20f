/* spark.h: a sparkline of a series, as text (pure: unit-tested without a terminal). */
#ifndef SYNCTOP_UI_SPARK_H
#define SYNCTOP_UI_SPARK_H

#include <stddef.h>

/* Writes the last `width` values of series (oldest first, NaN = not known, shown as a
   space) as one glyph each, scaled from min(0, lowest) to the highest value shown. */
void spark_render(const double *series, int n, int width, const char *const *levels, char *buf, size_t size);

#endif
