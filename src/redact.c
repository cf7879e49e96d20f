/* redact.c: removes secrets from conninfo strings, URLs and messages before they are shown. */
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "redact.h"

/* Every function here builds its answer in a growing string (struct sbuf, util.h). */
static void sb_adds(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

static char *sb_take(struct sbuf *b)
{
	if (!b->s)
		return xstrdup("");
	return b->s;
}

/* Query parameters whose value is a secret in a URL (case-insensitive). */
/* What the scanners found: whether any secret, and (when list is wanted) each secret as it
   stands in the input, so that a library echoing the input can be scrubbed of it. */
struct found {
	bool any;
	bool collect;
	char **list;
	size_t n;
};

static void found_add(struct found *f, const char *s, size_t n)
{
	f->any = true;
	if (!f->collect || n == 0)
		return;
	f->list = xrealloc(f->list, (f->n + 2) * sizeof *f->list);
	f->list[f->n++] = xstrndup(s, n);
	f->list[f->n] = NULL;
}

static const char *const url_secret_params[] = {
    "password", "sslpassword",  "api_key",       "apikey",        "token",
    "secret",   "access_token", "refresh_token", "client_secret", NULL,
};

static bool in_list(const char *name, size_t n, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && strncasecmp(name, list[i], n) == 0)
			return true;
	return false;
}

/* Length of a URL scheme followed by "://" at the start of s, 0 if there is none. */
static size_t scheme_len(const char *s)
{
	size_t i = 0;
	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	return strncmp(s + i, "://", 3) == 0 ? i + 3 : 0;
}

/* Copies url into out with the userinfo password and secret query parameters replaced.
   Without a scheme, a "user:pass@host" prefix is still treated as userinfo: a password
   in a malformed URL is still a password. */
static void redact_url_into(const char *url, struct sbuf *out, struct found *found)
{
	size_t auth = scheme_len(url);
	size_t query = auth + strcspn(url + auth, "?#");
	const char *at = NULL;
	for (const char *p = url + auth; p < url + query; p++)
		if (*p == '@')
			at = p;
	size_t i = 0;
	if (at) {
		const char *colon = memchr(url + auth, ':', (size_t)(at - (url + auth)));
		if (colon && colon + 1 < at) {
			sbuf_addn(out, url, (size_t)(colon + 1 - url));
			sb_adds(out, REDACTED);
			found_add(found, colon + 1, (size_t)(at - (colon + 1)));
			i = (size_t)(at - url);
		}
	}
	sbuf_addn(out, url + i, query - i);
	i = query;

	/* Parameters: each starts after '?', '&' or '#'. */
	while (url[i]) {
		sbuf_addn(out, url + i, 1); /* the separator */
		i++;
		size_t name = i;
		size_t name_len = strcspn(url + i, "=&#");
		sbuf_addn(out, url + name, name_len);
		i += name_len;
		if (url[i] != '=')
			continue;
		sbuf_addn(out, "=", 1);
		i++;
		size_t value_len = strcspn(url + i, "&#");
		if (value_len > 0 && in_list(url + name, name_len, url_secret_params)) {
			sb_adds(out, REDACTED);
			found_add(found, url + i, value_len);
		} else {
			sbuf_addn(out, url + i, value_len);
		}
		i += value_len;
	}
	if (!out->s)
		sb_adds(out, "");
}

char *redact_url(const char *url)
{
	struct sbuf out = {0};
	struct found found = {0};
	if (url)
		redact_url_into(url, &out, &found);
	return sb_take(&out);
}

bool url_has_password(const char *url)
{
	struct sbuf out = {0};
	struct found found = {0};
	if (url)
		redact_url_into(url, &out, &found);
	free(out.s);
	return found.any;
}

static bool is_uri(const char *s)
{
	return strncasecmp(s, "postgresql://", 13) == 0 || strncasecmp(s, "postgres://", 11) == 0;
}

/* The value of a conninfo keyword as libpq reads it: quotes removed, backslash escapes applied. */
static char *conninfo_unquote(const char *v, size_t n)
{
	char *d = xmalloc(n + 1);
	size_t j = 0;
	size_t i = 0;
	bool quoted = n > 0 && v[0] == '\'';
	if (quoted)
		i = 1;
	for (; i < n; i++) {
		if (quoted && v[i] == '\'')
			break;
		if (v[i] == '\\' && i + 1 < n)
			i++;
		d[j++] = v[i];
	}
	d[j] = '\0';
	return d;
}

static void redact_conninfo_into(const char *s, struct sbuf *out, struct found *found);

/* libpq expands a dbname that is itself a conninfo or URI: it may carry a password too,
   which is added to the outer collector. */
static bool dbname_has_password(const char *v, size_t n, struct found *outer)
{
	char *plain = conninfo_unquote(v, n);
	struct found inner = {.collect = outer->collect};
	if (strchr(plain, '=') || is_uri(plain)) {
		struct sbuf tmp = {0};
		redact_conninfo_into(plain, &tmp, &inner);
		free(tmp.s);
	}
	free(plain);
	for (size_t i = 0; i < inner.n; i++) {
		found_add(outer, inner.list[i], strlen(inner.list[i]));
		free(inner.list[i]);
	}
	free(inner.list);
	return inner.any;
}

/* key = value pairs separated by white space; values may be 'single quoted' with \ escapes. */
static void redact_keyvalue_into(const char *s, struct sbuf *out, struct found *found)
{
	size_t i = 0;
	while (s[i]) {
		if (isspace((unsigned char)s[i])) {
			sbuf_addn(out, s + i, 1);
			i++;
			continue;
		}
		size_t key = i;
		while (s[i] && !isspace((unsigned char)s[i]) && s[i] != '=')
			i++;
		size_t key_len = i - key;
		size_t eq = i;
		while (isspace((unsigned char)s[eq]))
			eq++;
		if (s[eq] != '=') {
			sbuf_addn(out, s + key,
			          key_len); /* a word without '=': libpq rejects it, we copy it */
			continue;
		}
		eq++;
		while (isspace((unsigned char)s[eq]))
			eq++;
		sbuf_addn(out, s + key, eq - key);
		i = eq;

		size_t value = i;
		if (s[i] == '\'') {
			i++;
			while (s[i] && s[i] != '\'')
				i += (s[i] == '\\' && s[i + 1]) ? 2 : 1;
			if (s[i] == '\'')
				i++;
		} else {
			while (s[i] && !isspace((unsigned char)s[i]))
				i += (s[i] == '\\' && s[i + 1]) ? 2 : 1;
		}
		size_t value_len = i - value;

		bool secret = false;
		if (strncasecmp(s + key, "password", key_len) == 0 && key_len == 8)
			secret = true;
		else if (strncasecmp(s + key, "sslpassword", key_len) == 0 && key_len == 11)
			secret = true;
		if (secret) {
			char *plain = conninfo_unquote(s + value, value_len);
			secret = plain[0] != '\0';
			free(plain);
		} else if (key_len == 6 && strncasecmp(s + key, "dbname", 6) == 0) {
			secret = dbname_has_password(s + value, value_len, found);
		}
		if (secret) {
			sb_adds(out, REDACTED);
			found_add(found, s + value, value_len);
			char *plain = conninfo_unquote(s + value, value_len);
			found_add(found, plain, strlen(plain));
			free(plain);
		} else {
			sbuf_addn(out, s + value, value_len);
		}
	}
}

static void redact_conninfo_into(const char *s, struct sbuf *out, struct found *found)
{
	const char *p = s;
	while (isspace((unsigned char)*p))
		p++;
	if (is_uri(p))
		redact_url_into(s, out, found);
	else
		redact_keyvalue_into(s, out, found);
}

char *redact_conninfo(const char *conninfo)
{
	struct sbuf out = {0};
	struct found found = {0};
	if (conninfo)
		redact_conninfo_into(conninfo, &out, &found);
	return sb_take(&out);
}

bool conninfo_has_password(const char *conninfo)
{
	struct sbuf out = {0};
	struct found found = {0};
	if (conninfo)
		redact_conninfo_into(conninfo, &out, &found);
	free(out.s);
	return found.any;
}

char **secrets_in(const char *s, bool is_conninfo)
{
	struct sbuf out = {0};
	struct found found = {.collect = true};
	if (s && is_conninfo)
		redact_conninfo_into(s, &out, &found);
	else if (s)
		redact_url_into(s, &out, &found);
	free(out.s);
	return found.list;
}

void secrets_free(char **list)
{
	for (char **p = list; p && *p; p++)
		free(*p);
	free(list);
}

void redact_secrets_inplace(char *msg, size_t n, const char *const *secrets)
{
	if (!msg || n == 0 || !secrets)
		return;
	/* Build the whole answer first and truncate last, so that truncation can never
	   leave the head of a secret that would have been replaced. */
	char *cur = xstrndup(msg, strnlen(msg, n - 1));
	for (size_t k = 0; secrets[k]; k++) {
		const char *sec = secrets[k];
		size_t sl = strlen(sec);
		if (sl == 0 || !strstr(cur, sec))
			continue;
		struct sbuf out = {0};
		const char *p = cur, *hit;
		while ((hit = strstr(p, sec)) != NULL) {
			sbuf_addn(&out, p, (size_t)(hit - p));
			sb_adds(&out, REDACTED);
			p = hit + sl;
		}
		sb_adds(&out, p);
		free(cur);
		cur = out.s;
	}
	strlcpy_safe(msg, cur, n);
	free(cur);
}
