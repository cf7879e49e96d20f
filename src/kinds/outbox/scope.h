/* scope.h: the scopes of the outbox replay (failed, ids:FROM-TO, created:FROM..TO, ,type:T), parsed. */
#ifndef SYNCTOP_KIND_OUTBOX_SCOPE_H
#define SYNCTOP_KIND_OUTBOX_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum scope_kind { SCOPE_FAILED, SCOPE_IDS, SCOPE_CREATED };

/* One end of a created range: open, a moment (ISO 8601, normalised: "2026-12-03T10:00:00Z",
   a time without a zone being UTC) or a duration back from now (resolved by the server's
   clock at preview time, so that apply and preview use the same moment). */
enum scope_end_kind { END_OPEN, END_AT, END_AGO };

struct scope_end {
	enum scope_end_kind kind;
	char at[48];  /* END_AT */
	double ago_s; /* END_AGO */
};

#define SCOPE_TYPE_MAX 128

struct outbox_scope {
	enum scope_kind kind;
	int64_t id_from, id_to;    /* SCOPE_IDS: both inclusive */
	struct scope_end from, to; /* SCOPE_CREATED: from inclusive, to exclusive */
	char type[SCOPE_TYPE_MAX]; /* ",type:T": only rows of event_type T ("" = any) */
};

/* Parses a replay scope: false with what is wrong on one line (the scope is "" when none was
   given, which is wrong too: replay never picks rows by itself). Pure. */
bool outbox_scope_parse(const char *s, struct outbox_scope *sc, char *why, size_t n);

/* Checks and normalises an ISO 8601 moment ("2026-12-03", "2026-12-03T10:00", "2026-12-03
   10:00:00.5+02:00", "...Z") into out ("2026-12-03T10:00:00.5+02:00"; "Z" added when it has
   no zone). False when it is not one. Pure. */
bool scope_iso8601(const char *s, char *out, size_t n);

#endif
