/* events.h: what changed when: a stage's shown status or a diagnosis, one event each, kept in a ring. */
#ifndef SYNCTOP_EVENTS_H
#define SYNCTOP_EVENTS_H

#include <stddef.h>
#include <stdio.h>

#include "snapshot.h"

/* Events kept per pipeline for the detail view: the last ones, older ones dropped. */
#define EVENTS_KEPT 50

/* One change: a stage's shown status went from -> to (rule: its headline diagnosis, or ""),
   or a diagnosis appeared (from ST_OK to its severity) or cleared (its severity to ST_OK). */
struct event {
	double wall;          /* when synctop showed the change */
	const char *pipeline; /* the config's names: they live as long as it */
	const char *stage;    /* the stage's kind name */
	enum status from, to;
	char rule[64];
	char reason[256]; /* one line */
};

struct event_ring {
	struct event v[EVENTS_KEPT];
	size_t head; /* where the next one goes */
	size_t n;    /* how many are kept (at most EVENTS_KEPT) */
};

/* Keeps a copy of e, dropping the oldest when the ring is full. */
void event_ring_push(struct event_ring *r, const struct event *e);
/* The event ago places back from the newest (0 = newest), or NULL past the oldest kept. */
const struct event *event_ring_get(const struct event_ring *r, size_t ago);

/* "products/outbox ok -> crit worker-stalled: nothing drained over 3s with 42 rows pending":
   pipeline/stage, from -> to, the rule when there is one, ": reason" when there is one; the
   rule and reason cleaned of control characters. */
void event_text(const struct event *e, char *buf, size_t n);
/* One log line, as the rest of the log file: "2026-12-03T15:02:11Z synctop[PID]: TEXT\n",
   written with one call. */
void event_log(FILE *log, const struct event *e);

#endif
