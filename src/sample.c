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

void history_init(struct history *h, int cap)
{
	h->cap = cap > 0 ? cap : 1;
	h->ring = xcalloc((size_t)h->cap, sizeof *h->ring);
	h->len = 0;
	h->head = -1;
}

void history_free(struct history *h)
{
	for (int i = 0; i < h->cap && h->ring; i++)
		sample_clear(&h->ring[i]);
	free(h->ring);
	h->ring = NULL;
	h->len = 0;
}

void sample_slim(struct sample *s)
{
	if (s->metrics) {
		json_t *slim = json_object();
		const char *key;
		json_t *v;
		json_object_foreach(s->metrics, key, v)
		{
			if (!json_is_array(v) && !json_is_object(v))
				json_object_set(slim, key, v);
		}
		json_decref(s->metrics);
		s->metrics = slim;
	}
	json_decref(s->raw);
	json_decref(s->detail);
	s->raw = s->detail = NULL;
}

void history_push(struct history *h, struct sample *s)
{
	h->head = (h->head + 1) % h->cap;
	sample_clear(&h->ring[h->head]);
	h->ring[h->head] = *s;
	sample_init(s);
	if (h->len < h->cap)
		h->len++;
	if (h->len >= 3)
		sample_slim(&h->ring[(h->head - 2 + h->cap) % h->cap]);
}

const struct sample *history_get(const struct history *h, int ago)
{
	if (ago < 0 || ago >= h->len)
		return NULL;
	return &h->ring[(h->head - ago + h->cap) % h->cap];
}
