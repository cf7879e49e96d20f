/* audit.h: the audit log: one JSON line per action, whatever its result, appended and fsync'd. */
#ifndef SYNCTOP_AUDIT_H
#define SYNCTOP_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actions.h"
#include "config.h"
#include "util.h"

/* An action's outcome, the line's "result" (DESIGN.md, "Actions"): a stable interface. */
enum audit_result { AUDIT_APPLIED, AUDIT_CONFIRMED, AUDIT_UNCONFIRMED, AUDIT_REFUSED, AUDIT_FAILED };

/* A number not known (nothing previewed, the action refused before it ran): written null. */
#define AUDIT_UNKNOWN (-1)

/* One action, as the line records it. Strings may be NULL (written null); every string is
   cleaned (sanitize.h) and has its secrets redacted before it is written. */
struct audit_entry {
	double time;               /* seconds since the epoch the line is stamped with; 0: now */
	const char *pipeline;      /* the pipeline's name */
	const char *stage;         /* the stage's kind name (kind->name); NULL: the pipeline's worker */
	enum action action;        /* written with action_audit_name */
	const char *action_word;   /* written instead when set: a write of no action ("canary") */
	const char *scope;         /* as given: "failed", "ids:1-20", "created:15m.." */
	const char *target;        /* what was acted on; URLs and password=... in it are redacted */
	int64_t previewed;         /* how many the preview counted; AUDIT_UNKNOWN: null */
	int64_t affected;          /* how many the backend changed; AUDIT_UNKNOWN: null */
	const char *answer;        /* the backend's answer as text, or */
	const json_t *answer_json; /* as JSON (wins over answer; copied, never changed) */
	enum audit_result result;
	const char *reason;      /* why refused or failed, or what is awaited */
	int64_t duration_ms;     /* from the key (or command) to the result; AUDIT_UNKNOWN: null */
	const struct conn *conn; /* the connection acted through: its secrets are scrubbed from
	                            every field wherever they appear; NULL: none */
};

/* The line's "result" word: "applied", "confirmed", ...; NULL out of range. */
const char *audit_result_name(enum audit_result r);

/* The audit log's path in buf: audit_log of [synctop], else $XDG_STATE_HOME/synctop/audit.log
   ($XDG_STATE_HOME unset, empty or relative: $HOME/.local/state, $HOME from the passwd entry
   when unset). cfg may be NULL. Returns buf, or NULL when there is no home or buf is too small. */
const char *audit_path(const struct config *cfg, char *buf, size_t n) NONNULL(2);

/* Appends e's line to the audit log, creating the file (0600) and its missing directories
   (0700); one write(2) of the whole line (O_APPEND: two synctops never interleave a line),
   then fsync(2). False, with the reason naming the path in err, when the line could not be
   written whole and synced: the action must then be refused. */
bool audit_append(const struct config *cfg, const struct audit_entry *e, char *err, size_t n)
    NONNULL(2) WARN_UNUSED;

/* Whether the audit log can be appended to now (opens it for appending, creating it and its
   directories as audit_append would, and writes nothing): false with the reason. An action is
   refused before anything is sent when it cannot. */
bool audit_ready(const struct config *cfg, char *err, size_t n) NONNULL(2) WARN_UNUSED;

/* The line audit_append would write, without its newline (malloc'd): for tests and --dry-run. */
char *audit_line(const struct config *cfg, const struct audit_entry *e) NONNULL(2);

#endif
