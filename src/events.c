/* events.c: what changed when: a stage's shown status or a diagnosis, one event each, kept in a ring. */
#include "events.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sanitize.h"
#include "util.h"

void event_ring_push(struct event_ring *r, const struct event *e)
{
	r->v[r->head] = *e;
	r->head = (r->head + 1) % EVENTS_KEPT;
	if (r->n < EVENTS_KEPT)
		r->n++;
}

const struct event *event_ring_get(const struct event_ring *r, size_t ago)
{
	if (ago >= r->n)
		return NULL;
	return &r->v[(r->head + EVENTS_KEPT - 1 - ago) % EVENTS_KEPT];
}

void event_text(const struct event *e, char *buf, size_t n)
{
	char rule[sizeof e->rule], reason[sizeof e->reason];
	/* Server text is cleaned where samples are made; this is the last guard before a log. */
	text_clean(rule, sizeof rule, e->rule, strlen(e->rule));
	text_clean(reason, sizeof reason, e->reason, strlen(e->reason));
	snprintf(buf, n, "%s/%s %s -> %s", e->pipeline, e->stage, status_name(e->from), status_name(e->to));
	if (rule[0])
		snappendf(buf, n, " %s", rule);
	if (reason[0])
		snappendf(buf, n, ": %s", reason);
}

void event_log(FILE *log, const struct event *e)
{
	char stamp[32], text[512], line[600];
	time_t t = (time_t)e->wall;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	event_text(e, text, sizeof text);
	snprintf(line, sizeof line, "%s synctop[%ld]: %s\n", stamp, (long)getpid(), text);
	fputs(line, log);
	fflush(log);
}
