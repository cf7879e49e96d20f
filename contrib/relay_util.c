/* relay_util.c: synctop-relay's log, clock, failure states, and the rows waiting out a backoff. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay.h"

volatile sig_atomic_t relay_stop;
int relay_verbose;

/* ---- log, clock, states ------------------------------------------------------------------------ */

void relay_log(int level, const char *fmt, ...)
{
	char line[1024], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level > relay_verbose)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* One write per line: librdkafka's threads log too. */
	fprintf(stderr, "%s.%03ldZ " RELAY_NAME ": %s\n", stamp, ts.tv_nsec / 1000000, line);
}

int64_t relay_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void relay_sleep_ms(int64_t ms)
{
	int64_t until = relay_now_ms() + ms, left;

	while (!relay_stop && (left = until - relay_now_ms()) > 0) {
		struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000};

		nanosleep(&ts, NULL); /* a signal ends it early */
	}
}

void relay_state_fail(struct relay_state *s, const char *fmt, ...)
{
	char msg[sizeof s->reasons[0]];
	int i, seen = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (s->failing != 1)
		s->nreasons = 0;
	for (i = 0; i < s->nreasons; i++)
		seen |= !strcmp(s->reasons[i], msg);
	if (!seen && s->nreasons == RELAY_REASONS)
		seen = 1; /* a reason that changes all the time: enough said */
	relay_log(seen ? 2 : 0, "%s: %s", s->what, msg);
	if (!seen)
		memcpy(s->reasons[s->nreasons++], msg, sizeof msg);
	s->failing = 1;
}

void relay_state_ok(struct relay_state *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (s->failing == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	relay_log(0, "%s: %s", s->what, msg);
	s->failing = 0;
	s->nreasons = 0;
}

/* ---- rows that failed lately, waiting out their backoff -------------------------------------------- */

int cooling_add(struct cooling *c, long long id, int64_t until)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		void *p = realloc(c->v, cap * sizeof *c->v);

		if (!p)
			return -1;
		c->v = p;
		c->cap = cap;
	}
	c->v[c->n].id = id;
	c->v[c->n].until = until;
	c->n++;
	return 0;
}

void cooling_expire(struct cooling *c, int64_t now)
{
	size_t i, j = 0;

	for (i = 0; i < c->n; i++)
		if (c->v[i].until > now)
			c->v[j++] = c->v[i];
	c->n = j;
}

/* The ids as a PostgreSQL array literal, "{1,2}"; NULL when out of memory. */
char *cooling_literal(const struct cooling *c)
{
	char *s = malloc(c->n * 21 + 3), *p = s;
	size_t i;

	if (!s)
		return NULL;
	*p++ = '{';
	for (i = 0; i < c->n; i++)
		p += sprintf(p, i ? ",%lld" : "%lld", c->v[i].id);
	*p++ = '}';
	*p = '\0';
	return s;
}
