/* sanitize.c: server text on one line, without control characters, as valid UTF-8; numbers in range. */
#include "sanitize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The length of the valid UTF-8 sequence at s (at most left bytes), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t left, unsigned *cp)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, min = 0x80, c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, min = 0x800, c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (len > left)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0; /* overlong, out of range, a surrogate */
	*cp = c;
	return len;
}

char *text_clean(char *dst, size_t n, const char *src, size_t len)
{
	if (n == 0)
		return dst;
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, i = 0;
	bool space = false; /* the last thing written was a space made of a line break */
	while (i < len) {
		char piece[8];
		size_t plen;
		unsigned cp;
		size_t l = utf8_len(s + i, len - i, &cp);
		if (l == 0) {
			memcpy(piece, "\xEF\xBF\xBD", 3); /* U+FFFD */
			plen = 3;
			l = 1;
		} else if (cp == '\r' || cp == '\n' || cp == '\t') {
			i += l;
			if (space)
				continue;
			if (o + 1 >= n)
				break;
			dst[o++] = ' ';
			space = true;
			continue;
		} else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
			plen = (size_t)snprintf(piece, sizeof piece, "\\x%02X", cp);
		} else {
			memcpy(piece, s + i, l);
			plen = l;
		}
		if (o + plen >= n)
			break; /* whole characters only */
		memcpy(dst + o, piece, plen);
		o += plen;
		i += l;
		space = false;
	}
	dst[o] = '\0';
	return dst;
}

void text_clean_inplace(char *s, size_t n)
{
	if (text_is_clean(s))
		return;
	char *copy = xstrdup(s);
	text_clean(s, n, copy, strlen(copy));
	free(copy);
}

bool text_is_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	while (left > 0) {
		unsigned cp;
		size_t l = utf8_len(p, left, &cp);
		if (l == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
			return false;
		p += l;
		left -= l;
	}
	return true;
}

json_t *json_string_clean(const char *s)
{
	if (!s)
		return json_null();
	if (text_is_clean(s))
		return json_string(s);
	size_t n = strlen(s) * 4 + 1; /* \xHH for a byte at worst */
	char *buf = xmalloc(n);
	text_clean(buf, n, s, strlen(s));
	json_t *j = json_string(buf);
	free(buf);
	return j;
}

json_t *json_clean_tree(json_t *v)
{
	if (json_is_object(v)) {
		const char *key;
		json_t *x;
		json_object_foreach(v, key, x)
		{
			if (json_is_string(x) && !text_is_clean(json_string_value(x)))
				json_object_set_new(v, key, json_string_clean(json_string_value(x)));
			else
				json_clean_tree(x);
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *x = json_array_get(v, i);
			if (json_is_string(x) && !text_is_clean(json_string_value(x)))
				json_array_set_new(v, i, json_string_clean(json_string_value(x)));
			else
				json_clean_tree(x);
		}
	}
	return v;
}

bool i64_of_double(double v, int64_t *out)
{
	/* -2^63 is exact as a double; 2^63 is the first value past INT64_MAX. */
	if (!isfinite(v) || v < -9223372036854775808.0 || v >= 9223372036854775808.0)
		return false;
	*out = (int64_t)v;
	return true;
}
