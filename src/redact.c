/* redact.c: removes secrets from conninfo strings, URLs and messages before they are shown. */
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef HAVE_POSTGRES
#include <libpq-fe.h>
#endif

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
	for (size_t i = 0; i < f->n; i++)
		if (strlen(f->list[i]) == n && memcmp(f->list[i], s, n) == 0)
			return; /* each form once */
	f->list = xrealloc(f->list, (f->n + 2) * sizeof *f->list);
	f->list[f->n++] = xstrndup(s, n);
	f->list[f->n] = NULL;
}

/* Query parameters whose value is a secret in a URL (case-insensitive), besides those whose
   name ends in "password" (libpq's sslpassword, libmongoc's tlsCertificateKeyFilePassword and
   sslClientCertificateKeyPassword). MongoDB's authMechanismProperties may carry an
   AWS_SESSION_TOKEN: its value is hidden whole. */
static const char *const url_secret_params[] = {
    "api_key",      "apikey",        "token",         "secret",
    "access_token", "refresh_token", "client_secret", "authmechanismproperties",
    NULL,
};

static bool in_list(const char *name, size_t n, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && strncasecmp(name, list[i], n) == 0)
			return true;
	return false;
}

static bool secret_param(const char *name)
{
	size_t n = strlen(name), suffix = strlen("password");
	return in_list(name, n, url_secret_params) ||
	       (n >= suffix && strcasecmp(name + n - suffix, "password") == 0);
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

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..n) with every %XX decoded, as libpq (user, password, query keys and values) and curl
   (user, password) read a URL; a '%' not followed by two hex digits stays as it is. */
static char *pct_decode(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
			d[j++] = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	return d;
}

/* A secret of a URL as written and, when it differs, percent-decoded (what the library uses
   and could echo). */
static void found_add_url(struct found *f, const char *s, size_t n)
{
	found_add(f, s, n);
	char *d = pct_decode(s, n);
	found_add(f, d, strlen(d));
	free(d);
}

/* Whether every ':' of the authority a[0..n), outside an [IPv6] address, is followed by digits
   up to the next ',' or its end: host[:port][,host[:port]]... */
static bool ports_only(const char *a, size_t n)
{
	bool bracket = false;
	for (size_t i = 0; i < n; i++) {
		if (a[i] == '[' || a[i] == ']') {
			bracket = a[i] == '[';
		} else if (a[i] == ':' && !bracket) {
			for (i++; i < n && a[i] != ','; i++)
				if (!isdigit((unsigned char)a[i]))
					return false;
		}
	}
	return true;
}

/* Copies url into out with the userinfo password and secret query parameters replaced.

   The userinfo ends at an '@' before the first '/' after "scheme://", wherever '?' and '#'
   are: libpq (conninfo_uri_parse_options), synctop's Redis parser and curl all end it at the
   first such '@' and take the password from the first ':' on. The last such '@' is used here:
   the password each of them reads is part of what is hidden, and so is the rest of a
   password holding a raw '@'. Without a scheme ("user:pw#x@host"), no parser takes the value
   and it is only quoted in an error: any '@' may end a userinfo there. A '/' in a password
   ("redis://:pa/ss@host") makes the parsers read a port that is no number ("pa"): then the
   last '@' ends the userinfo, and each '/'-separated part of the password is a secret too
   (what a parser's message may quote as a port or a path).

   Parameters start at the first '?' or '#' after the userinfo and are separated by '&', '?'
   or '#'; names are percent-decoded before they are compared (libpq decodes them); a secret
   value runs to the next '&' (libpq reads '#' and '?' in a value as part of it). */
static void redact_url_into(const char *url, struct sbuf *out, struct found *found)
{
	size_t auth = scheme_len(url);
	size_t end = auth ? auth + strcspn(url + auth, "/") : strlen(url);
	const char *at = NULL;
	for (const char *p = url + auth; p < url + end; p++)
		if (*p == '@')
			at = p;
	bool torn = false;
	if (!at && auth && !ports_only(url + auth, end - auth)) {
		at = strrchr(url + end, '@');
		torn = at != NULL;
	}
	size_t from = auth; /* where the host starts */
	if (at) {
		const char *colon = memchr(url + auth, ':', (size_t)(at - (url + auth)));
		if (colon && colon + 1 < at) {
			sbuf_addn(out, url, (size_t)(colon + 1 - url));
			sb_adds(out, REDACTED);
			found_add_url(found, colon + 1, (size_t)(at - (colon + 1)));
			for (const char *p = colon + 1; torn && p < at;) {
				size_t part = strcspn(p, "/");
				if (part > (size_t)(at - p))
					part = (size_t)(at - p);
				found_add_url(found, p, part);
				p += part + 1;
			}
			from = (size_t)(at - url);
		}
	}
	size_t i = from == auth ? 0 : from;
	size_t query = from + strcspn(url + from, "?#");
	sbuf_addn(out, url + i, query - i);
	i = query;

	while (url[i]) {
		sbuf_addn(out, url + i, 1); /* the separator */
		i++;
		size_t name = i;
		size_t name_len = strcspn(url + i, "=&?#");
		sbuf_addn(out, url + name, name_len);
		i += name_len;
		if (url[i] != '=')
			continue;
		sbuf_addn(out, "=", 1);
		i++;
		char *plain_name = pct_decode(url + name, name_len);
		bool secret = secret_param(plain_name);
		free(plain_name);
		size_t value_len = strcspn(url + i, secret ? "&" : "&?#");
		if (secret && value_len > 0) {
			sb_adds(out, REDACTED);
			found_add_url(found, url + i, value_len);
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

/* Whether the conninfo or URI plain carries a secret; each is added to outer. */
static bool inner_secrets(const char *plain, struct found *outer)
{
	struct found inner = {.collect = outer->collect};
	struct sbuf tmp = {0};
	redact_conninfo_into(plain, &tmp, &inner);
	free(tmp.s);
	for (size_t i = 0; i < inner.n; i++) {
		found_add(outer, inner.list[i], strlen(inner.list[i]));
		free(inner.list[i]);
	}
	free(inner.list);
	return inner.any;
}

/* libpq expands a dbname that is itself a conninfo or URI: it may carry a password too,
   which is added to the outer collector. */
static bool dbname_has_password(const char *v, size_t n, struct found *outer)
{
	char *plain = conninfo_unquote(v, n);
	bool has = (strchr(plain, '=') || is_uri(plain)) && inner_secrets(plain, outer);
	free(plain);
	return has;
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

#ifdef HAVE_POSTGRES
/* libpq is the judge of what a conninfo holds: PQconninfoParse reads it as synctop's
   connection will (pg.c hands it to libpq as an expanded dbname). The text redaction above
   keeps the conninfo as the user wrote it; it is shown only if it hides every secret libpq
   reads there, else the conninfo is rebuilt from libpq's reading without them. */
static PQconninfoOption *pq_parse(const char *s)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(s, &msg);
	PQfreemem(msg);
	return opts;
}

/* The secret libpq reads in option o, or NULL: a password, or a dbname that is a conninfo
   holding one (whose secrets are added to found). */
static const char *pq_secret(const PQconninfoOption *o, struct found *found)
{
	if (!o->val || !*o->val)
		return NULL;
	if (strcmp(o->keyword, "password") == 0 || strcmp(o->keyword, "sslpassword") == 0)
		return o->val;
	if (strcmp(o->keyword, "dbname") == 0 && (strchr(o->val, '=') || is_uri(o->val)) &&
	    inner_secrets(o->val, found))
		return o->val;
	return NULL;
}

/* Whether the shown text, as libpq reads it, holds no secret but ***. */
static bool pq_shows_none(const char *shown)
{
	PQconninfoOption *opts = pq_parse(shown);
	if (!opts)
		return false;
	bool none = true;
	struct found ignore = {0};
	for (const PQconninfoOption *o = opts; o->keyword; o++) {
		const char *v = pq_secret(o, &ignore);
		if (v && strcmp(v, REDACTED) != 0)
			none = false;
	}
	PQconninfoFree(opts);
	return none;
}

/* key=value, quoted as libpq reads it back. */
static void pq_add_value(struct sbuf *out, const char *v)
{
	bool bare = *v != '\0';
	for (const char *p = v; *p; p++)
		if (isspace((unsigned char)*p) || *p == '\'' || *p == '\\')
			bare = false;
	if (bare) {
		sb_adds(out, v);
		return;
	}
	sb_adds(out, "'");
	for (const char *p = v; *p; p++) {
		if (*p == '\'' || *p == '\\')
			sb_adds(out, "\\");
		sbuf_addn(out, p, 1);
	}
	sb_adds(out, "'");
}

/* Checks the text redaction in out (whose secrets are text->list) against libpq's reading of
   s; rebuilds out from that reading when a secret libpq reads is not hidden. A secret libpq
   reads that is not within one the text redaction found joins text's list (a message could
   echo it); one within is covered by the longer form (libpq's password ends at the first
   raw '@', the text redaction's at the last). */
static void pq_check(const char *s, struct sbuf *out, struct found *text)
{
	PQconninfoOption *opts = pq_parse(s);
	if (!opts)
		return; /* libpq refuses it: no connection, and its message is scrubbed of text's list */
	size_t n_text = text->n, n_opts = 0;
	while (opts[n_opts].keyword)
		n_opts++;
	bool *secret = xcalloc(n_opts + 1, sizeof *secret);
	bool hidden = true;
	for (size_t i = 0; i < n_opts; i++) {
		const char *v = pq_secret(&opts[i], text);
		if (!v)
			continue;
		secret[i] = true;
		bool in = false;
		for (size_t k = 0; k < n_text && !in; k++)
			in = strstr(text->list[k], v) != NULL;
		if (!in) {
			hidden = false;
			found_add(text, v, strlen(v));
		}
	}
	if (!hidden || !pq_shows_none(out->s ? out->s : "")) {
		free(out->s);
		memset(out, 0, sizeof *out);
		for (size_t i = 0; i < n_opts; i++) {
			if (!opts[i].val)
				continue;
			if (out->len)
				sb_adds(out, " ");
			sb_adds(out, opts[i].keyword);
			sb_adds(out, "=");
			if (secret[i])
				sb_adds(out, REDACTED);
			else
				pq_add_value(out, opts[i].val);
		}
		if (!out->s)
			sb_adds(out, "");
	}
	free(secret);
	PQconninfoFree(opts);
}
#endif

static void redact_conninfo_into(const char *s, struct sbuf *out, struct found *found)
{
	struct found text = {.collect = true};
	const char *p = s;
	while (isspace((unsigned char)*p))
		p++;
	if (is_uri(p)) {
		sbuf_addn(out, s, (size_t)(p - s));
		redact_url_into(p, out, &text);
	} else {
		redact_keyvalue_into(s, out, &text);
	}
#ifdef HAVE_POSTGRES
	pq_check(s, out, &text);
#endif
	for (size_t i = 0; i < text.n; i++) {
		found_add(found, text.list[i], strlen(text.list[i]));
		free(text.list[i]);
	}
	free(text.list);
	found->any = found->any || text.any;
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
