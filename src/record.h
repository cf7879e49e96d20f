/* record.h: --record FILE: every evaluated round's samples, status changes and the config's shape, as JSON
 * lines. */
#ifndef SYNCTOP_RECORD_H
#define SYNCTOP_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "events.h"
#include "sample.h"
#include "snapshot.h"

/* The recording format (synctop(1), RECORDINGS): one JSON object a line, each with "type" and
   "wall" (seconds since the epoch). The first line of every file is the header. */
#define RECORD_SCHEMA 1

/* A file past this size is rotated (FILE -> FILE.1, the old FILE.1 dropped) unless the
   config's record.max_size says otherwise. */
#define RECORD_MAX_SIZE_DEFAULT ((int64_t)100 * 1024 * 1024)

struct recorder;

/* What the header keeps besides the config: the mode and how it evaluates. */
struct record_mode {
	const char *name; /* "tui", "wallboard", "once", "serve" */
	bool undamped;    /* --once: every change shows at the evaluation that sees it */
	double window_s;  /* --once: the window between its two polls; live: the interval */
};

/* Opens path for appending (mode 0600 when created, a regular file only) and writes the header:
   the config file's text with every secret and secret source removed (record_config_text),
   the pipelines chosen, the --warn/--crit overrides and the shape (pipelines, stages, kinds,
   connections as displayed). A name ending in .zst needs synctop built with zstd. NULL with
   the reason in why. */
struct recorder *recorder_open(const char *path, const struct config *cfg, const struct record_mode *m,
                               char *why, size_t n) WARN_UNUSED;
void recorder_close(struct recorder *r);
/* True when path names a zstd-compressed recording (it ends in .zst). */
bool record_name_zst(const char *path);

/* The recorder the modes write to (one a process; only the thread that evaluates writes).
   NULL: none, and record_round/record_event do nothing. */
void record_set_active(struct recorder *r);

/* After tracker_update: the samples of snap not yet recorded, then a "round" line naming each
   stage's current and previous sample, and a flush (a crash loses at most this round). */
void record_round(const struct snapshot *snap, double track_wall);
/* A status change, as the tracker emits it (an "event" line). */
void record_event(const struct event *e);
/* An action, as the audit log has it (audit_line: cleaned, secrets redacted): an "action"
   line holding it as "audit". */
void record_action(const char *audit_json);

/* The codec, for the writer, the reader (replay.h) and the tests. */

/* A sample line: {"type":"sample","wall":...,"id":ID,"stage":K,"pipeline":..,"kind":..,
   "mono":..,"latency_ms":..,"ok":..,"err":..,"metrics":..,"raw":..,"detail":..}. Strings cleaned. */
json_t *record_sample_json(const struct sample *s, unsigned long id, size_t stage, const char *pipeline,
                           const char *kind);
/* The sample of a sample line into *s (which it owns after; clear it with sample_clear), its id
   and stage index. False with the reason in why. */
bool record_sample_parse(const json_t *line, struct sample *s, unsigned long *id, size_t *stage, char *why,
                         size_t n);
/* The config file at path as the header keeps it: conninfo and URLs redacted, keys that hold a
   secret inline replaced by ***, keys naming a secret's source (*_env, *_file) and other paths
   (log_file, audit_log, serve.*) left out. A new string, or NULL with the reason in why. */
char *record_config_text(const char *path, char *why, size_t n);

#endif
