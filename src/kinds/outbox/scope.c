/* scope.c: parses the scope of an outbox replay (DESIGN.md "Actions"); pure, so the usage errors come first.
 */
#include "kinds/outbox/scope.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "util.h"

#define SCOPE_FORMS "failed, ids:FROM-TO or created:FROM..TO, optionally followed by ,type:EVENT_TYPE"

/* Reads exactly len digits at *p into *v; false otherwise. */
static bool digits(const char **p, int len, int *v)
{
	int r = 0;
	for (int i = 0; i < len; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		r = r * 10 + ((*p)[i] - '0');
	}
	*p += len;
	*v = r;
	return true;
}

bool scope_iso8601(const char *s, char *out, size_t n)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' || !digits(&p, 2, &d))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	char frac[16] = "";
	bool has_time = *p == 'T' || *p == 't' || *p == ' ';
	if (has_time) {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return false;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &sec))
				return false;
			if (*p == '.') { /* not ',': it ends the scope's head */
				size_t len = strspn(p + 1, "0123456789");
				if (len == 0 || len > 9)
					return false;
				snprintf(frac, sizeof frac, ".%.*s", (int)len, p + 1);
				p += 1 + len;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
	}
	char zone[32] = "Z";
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		if (!has_time)
			return false; /* a zone on a bare date means nothing */
		char sign = *p++;
		int zh, zm = 0;
		if (!digits(&p, 2, &zh))
			return false;
		if (*p == ':')
			p++;
		if (*p && !digits(&p, 2, &zm))
			return false;
		if (zh > 14 || zm > 59)
			return false;
		snprintf(zone, sizeof zone, "%c%02d:%02d", sign, zh, zm);
	}
	if (*p)
		return false;
	int w = snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", y, mo, d, h, mi, sec, frac, zone);
	return w > 0 && (size_t)w < n;
}

/* One end of created:FROM..TO ("" = open). */
static bool parse_end(const char *s, const char *which, struct scope_end *e, char *why, size_t n)
{
	memset(e, 0, sizeof *e);
	if (!*s) {
		e->kind = END_OPEN;
		return true;
	}
	if (isdigit((unsigned char)s[0]) && strlen(s) > 4 && s[4] == '-') {
		if (!scope_iso8601(s, e->at, sizeof e->at)) {
			snprintf(why, n,
			         "created: %s \"%s\" is not an ISO 8601 time (2026-12-03T10:00:00Z, "
			         "2026-12-03 10:00+02:00, 2026-12-03)",
			         which, s);
			return false;
		}
		e->kind = END_AT;
		return true;
	}
	double v;
	if (!parse_duration(s, &v)) {
		snprintf(why, n,
		         "created: %s \"%s\" is neither an ISO 8601 time nor a duration back from now "
		         "(15m, 2h, 1d)",
		         which, s);
		return false;
	}
	e->kind = END_AGO;
	e->ago_s = v;
	return true;
}

/* A non-negative id of at most 18 digits. */
static bool parse_id(const char *s, size_t len, int64_t *v)
{
	if (len == 0 || len > 18)
		return false;
	int64_t r = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return true;
}

static bool parse_ids(const char *s, struct outbox_scope *sc, char *why, size_t n)
{
	const char *dash = strchr(s, '-');
	size_t len = dash ? (size_t)(dash - s) : strlen(s);
	if (!parse_id(s, len, &sc->id_from) || (dash && !parse_id(dash + 1, strlen(dash + 1), &sc->id_to))) {
		snprintf(why, n,
		         "ids: \"%s\" is not FROM-TO, two whole numbers (ids:101-230) or one (ids:101)", s);
		return false;
	}
	if (!dash)
		sc->id_to = sc->id_from;
	if (sc->id_from > sc->id_to) {
		snprintf(why, n, "ids: FROM (%lld) is above TO (%lld)", (long long)sc->id_from,
		         (long long)sc->id_to);
		return false;
	}
	return true;
}

static bool parse_created(const char *s, struct outbox_scope *sc, char *why, size_t n)
{
	const char *dots = strstr(s, "..");
	if (!dots) {
		snprintf(
		    why, n,
		    "created: \"%s\" has no \"..\" between FROM and TO (created:15m.., created:FROM..TO)", s);
		return false;
	}
	char from[64];
	size_t len = (size_t)(dots - s);
	if (len >= sizeof from || strlen(dots + 2) >= sizeof from) {
		snprintf(why, n, "created: \"%s\" is too long", s);
		return false;
	}
	memcpy(from, s, len);
	from[len] = '\0';
	if (!parse_end(from, "FROM", &sc->from, why, n) || !parse_end(dots + 2, "TO", &sc->to, why, n))
		return false;
	if (sc->from.kind == END_OPEN && sc->to.kind == END_OPEN) {
		snprintf(why, n, "created: both ends are open: give FROM, TO or both (created:15m..)");
		return false;
	}
	if (sc->from.kind == END_AGO && sc->to.kind == END_AGO && sc->from.ago_s <= sc->to.ago_s) {
		snprintf(why, n, "created: FROM (%s ago) is not before TO (%s ago)", from, dots + 2);
		return false;
	}
	if (sc->from.kind == END_AT && sc->to.kind == END_AT && strlen(sc->from.at) == 20 &&
	    strlen(sc->to.at) == 20 && sc->from.at[19] == 'Z' && sc->to.at[19] == 'Z' &&
	    strcmp(sc->from.at, sc->to.at) >= 0) {
		snprintf(why, n, "created: FROM (%s) is not before TO (%s)", sc->from.at, sc->to.at);
		return false;
	}
	return true;
}

bool outbox_scope_parse(const char *s, struct outbox_scope *sc, char *why, size_t n)
{
	memset(sc, 0, sizeof *sc);
	if (n)
		why[0] = '\0';
	if (!s || !*s) {
		snprintf(why, n, "replay needs a scope: " SCOPE_FORMS);
		return false;
	}
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(why, n, "the scope holds a control character");
			return false;
		}
	char head[160];
	const char *comma = strchr(s, ',');
	size_t len = comma ? (size_t)(comma - s) : strlen(s);
	if (len >= sizeof head) {
		snprintf(why, n, "the scope is too long");
		return false;
	}
	memcpy(head, s, len);
	head[len] = '\0';
	if (comma) {
		const char *t = comma + 1;
		if (strncmp(t, "type:", 5) != 0) {
			snprintf(why, n, "after the comma: \"%s\" is not type:EVENT_TYPE", t);
			return false;
		}
		t += 5;
		if (!*t || strlen(t) >= sizeof sc->type) {
			snprintf(why, n, "type: the event type is %s", *t ? "too long" : "empty");
			return false;
		}
		strlcpy_safe(sc->type, t, sizeof sc->type);
	}
	if (!strcmp(head, "failed")) {
		sc->kind = SCOPE_FAILED;
		return true;
	}
	if (!strncmp(head, "ids:", 4)) {
		sc->kind = SCOPE_IDS;
		return parse_ids(head + 4, sc, why, n);
	}
	if (!strncmp(head, "created:", 8)) {
		sc->kind = SCOPE_CREATED;
		return parse_created(head + 8, sc, why, n);
	}
	snprintf(why, n, "unknown scope \"%s\": expected " SCOPE_FORMS, head);
	return false;
}
