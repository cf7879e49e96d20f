/* parse.c: InfluxQL as the timeseries stage writes it, and the /query answers it reads. Pure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/timeseries/timeseries.h"
#include "util.h"

char *timeseries_ident(const char *id)
{
	size_t len = strlen(id), k = 0;
	char *out = xmalloc(2 * len + 3);
	out[k++] = '"';
	for (const char *c = id; *c; c++) {
		if (*c == '"' || *c == '\\')
			out[k++] = '\\';
		out[k++] = *c;
	}
	out[k++] = '"';
	out[k] = '\0';
	return out;
}

char *timeseries_query(const struct timeseries_opts *o)
{
	char *m = timeseries_ident(o->measurement);
	char *rp = o->retention_policy ? timeseries_ident(o->retention_policy) : NULL;
	char *from = rp ? xasprintf("%s.%s", rp, m) : xasprintf("%s", m);
	/* Whole seconds: InfluxQL durations take no fraction ("1.5s" is a parse error). */
	long w = lround(o->window_s), b = lround(o->baseline_s);
	char *q = xasprintf("SELECT * FROM %s ORDER BY time DESC LIMIT 1; "
	                    "SELECT count(*) FROM %s WHERE time > now() - %lds; "
	                    "SELECT count(*) FROM %s WHERE time > now() - %lds",
	                    from, from, w, from, b);
	free(m);
	free(rp);
	free(from);
	return q;
}

/* The server's error text e into why, after prefix ("statement 2: "); an empty one said so. */
static void error_text(const json_t *e, const char *prefix, char *why, size_t n)
{
	const char *t = json_string_value(e);
	snprintf(why, n, "%s%s", prefix, *t ? t : "an error without a reason");
}

/* The first row of a statement's first series, or NULL when it has none (no point); *err set
   when the statement failed or is not of the shape an InfluxQL answer has. */
static const json_t *first_row(const json_t *result, int i, char *why, size_t n, bool *err)
{
	*err = false;
	const json_t *e = json_object_get(result, "error");
	if (json_is_string(e)) {
		char prefix[40];
		snprintf(prefix, sizeof prefix, "statement %d: ", i + 1);
		error_text(e, prefix, why, n);
		*err = true;
		return NULL;
	}
	const json_t *series = json_object_get(result, "series");
	if (!series)
		return NULL;
	const json_t *values = json_object_get(json_array_get(series, 0), "values");
	const json_t *row = json_array_get(values, 0);
	if (!json_is_array(series) || !json_is_array(values) || !json_is_array(row)) {
		snprintf(why, n, "statement %d: the answer has no series[0].values[0] row", i + 1);
		*err = true;
		return NULL;
	}
	return row;
}

/* count(*)'s row: [time, count_f1, count_f2, ...]: the largest count. */
static bool row_count(const json_t *row, int i, long long *count, char *why, size_t n)
{
	*count = 0;
	for (size_t k = 1; k < json_array_size(row); k++) {
		const json_t *v = json_array_get(row, k);
		if (json_is_null(v))
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			snprintf(why, n, "statement %d: count column %zu is not a count", i + 1, k + 1);
			return false;
		}
		if (json_integer_value(v) > *count)
			*count = json_integer_value(v);
	}
	return true;
}

bool timeseries_parse(const json_t *answer, struct ts_answer *a, char *why, size_t n)
{
	memset(a, 0, sizeof *a);
	const json_t *e = json_object_get(answer, "error");
	if (json_is_string(e)) {
		error_text(e, "", why, n);
		return false;
	}
	const json_t *results = json_object_get(answer, "results");
	/* A statement's error first: a missing database makes the answer one result long. */
	for (size_t i = 0; i < json_array_size(results); i++) {
		e = json_object_get(json_array_get(results, i), "error");
		if (json_is_string(e)) {
			char prefix[40];
			snprintf(prefix, sizeof prefix, "statement %zu: ", i + 1);
			error_text(e, prefix, why, n);
			return false;
		}
	}
	if (!json_is_array(results) || json_array_size(results) != 3) {
		snprintf(why, n, "the answer has no results array of 3 statements");
		return false;
	}
	bool err;
	const json_t *row = first_row(json_array_get(results, 0), 0, why, n, &err);
	if (err)
		return false;
	if (row) {
		const json_t *t = json_array_get(row, 0);
		if (!json_is_number(t)) {
			snprintf(why, n, "statement 1: the newest point's time is not a number (epoch=ms)");
			return false;
		}
		a->have_newest = true;
		a->newest_ms = json_number_value(t);
	}
	long long *counts[2] = {&a->recent, &a->baseline};
	for (int i = 1; i <= 2; i++) {
		row = first_row(json_array_get(results, (size_t)i), i, why, n, &err);
		if (err || (row && !row_count(row, i, counts[i - 1], why, n)))
			return false;
	}
	return true;
}
