/* sample.c: samples, metric accessors, rate math and the history ring. */
#include "sample.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

void sample_init(struct sample *s)
{
	memset(s, 0, sizeof *s);
}

void sample_clear(struct sample *s)
{
	json_decref(s->metrics);
	json_decref(s->raw);
	json_decref(s->detail);
	sample_init(s);
}

void sample_copy(struct sample *dst, const struct sample *src)
{
	*dst = *src;
	json_incref(dst->metrics);
	json_incref(dst->raw);
	json_incref(dst->detail);
}

void sample_set_error(struct sample *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	s->ok = false;
}

bool metric_num(const json_t *obj, const char *name, double *out)
{
	json_t *v = obj ? json_object_get(obj, name) : NULL;
	if (!v || !json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

bool metric_int(const json_t *obj, const char *name, int64_t *out)
{
	json_t *v = obj ? json_object_get(obj, name) : NULL;
	if (!v)
		return false;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) /* range-checked: a cast of 1e300 or NaN is undefined */
		return i64_of_double(json_real_value(v), out);
	return false;
}

bool metric_bool(const json_t *obj, const char *name, bool *out)
{
	json_t *v = obj ? json_object_get(obj, name) : NULL;
	if (!v || !json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

const char *metric_str(const json_t *obj, const char *name)
{
	json_t *v = obj ? json_object_get(obj, name) : NULL;
	return v && json_is_string(v) ? json_string_value(v) : NULL;
}

bool rate_per_s(double prev, double cur, double dt, double *out)
{
	if (!(dt > 0) || !isfinite(prev) || !isfinite(cur) || cur < prev)
		return false;
	*out = (cur - prev) / dt;
	return true;
}

void history_init(struct history *h, int cap, const char *main_metric)
{
	memset(h, 0, sizeof *h);
	sample_init(&h->last[0]);
	sample_init(&h->last[1]);
	h->cap = cap > 0 ? cap : 1;
	h->metric = main_metric;
	h->head = -1;
}

void history_free(struct history *h)
{
	sample_clear(&h->last[0]);
	sample_clear(&h->last[1]);
	free(h->pts);
	free(h->err);
	h->pts = NULL;
	h->err = NULL;
	h->len = h->alloc = 0;
	h->head = -1;
}

/* Room for one more point: the ring grows (doubling, up to cap) while it is not full. The
   points are kept oldest at 0 until the ring first wraps, so growing is a plain realloc. */
static void points_room(struct history *h)
{
	if (h->len < h->alloc || h->alloc >= h->cap)
		return;
	int n = h->alloc ? h->alloc * 2 : 4;
	h->alloc = n < h->cap ? n : h->cap;
	h->pts = xrealloc(h->pts, (size_t)h->alloc * sizeof *h->pts);
}

void history_push(struct history *h, struct sample *s)
{
	points_room(h);
	h->head = (h->head + 1) % h->alloc;
	struct hist_point *pt = &h->pts[h->head];
	pt->wall = s->wall;
	pt->ok = s->ok;
	if (!s->ok || !h->metric || !metric_num(s->metrics, h->metric, &pt->value))
		pt->value = NAN;
	if (h->len < h->alloc)
		h->len++;
	h->pushes++;
	if (!s->ok) {
		free(h->err);
		h->err = xstrdup(s->err);
		h->err_at = s->wall;
		h->err_push = h->pushes;
	}
	sample_clear(&h->last[1]);
	h->last[1] = h->last[0];
	h->last[0] = *s;
	sample_init(s);
}

const struct sample *history_get(const struct history *h, int ago)
{
	if (ago < 0 || ago > 1 || ago >= h->len)
		return NULL;
	return &h->last[ago];
}

const struct hist_point *history_point(const struct history *h, int ago)
{
	if (ago < 0 || ago >= h->len)
		return NULL;
	return &h->pts[(h->head - ago + h->alloc) % h->alloc];
}

const char *history_last_error(const struct history *h, double *at)
{
	if (!h->err || h->pushes - h->err_push >= (unsigned long)h->len)
		return NULL;
	*at = h->err_at;
	return h->err;
}
