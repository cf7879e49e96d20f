/* replay.h: --replay FILE: a recording (record.h) read back: its rounds rebuilt as snapshots, and --once
 * --at. */
#ifndef SYNCTOP_REPLAY_H
#define SYNCTOP_REPLAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "report.h"
#include "sample.h"
#include "snapshot.h"

struct rec_round {
	double wall, track_wall;
	unsigned long *ids; /* per stage: [2k] the current sample, [2k+1] the previous (0: none) */
	int *n_samples;     /* per stage */
	bool change;        /* a status change was recorded with this round */
};

struct thresholds;

struct recording {
	char *path;
	struct thresholds *thr; /* the --warn/--crit overrides it was made with */
	struct config *cfg;     /* the recorded config, pipelines chosen and overrides applied */
	json_t *header;
	bool undamped;
	double window_s;
	size_t n_stages;
	struct sample *samples; /* by id - 1 */
	size_t *sample_stage;
	size_t n_samples;
	struct rec_round *rounds;
	size_t n_rounds;
};

/* Reads a recording. A last line cut short (a crash while writing) is left out with a
   warning on warn naming FILE:LINE; any other bad line is an error naming FILE:LINE (in why). */
bool recording_load(const char *path, struct recording *r, FILE *warn, char *why, size_t n) WARN_UNUSED;
void recording_free(struct recording *r);

/* TIME of --at into wall seconds: RFC 3339 ("2026-12-04T13:05:00Z", an offset or a fraction
   allowed), HH:MM:SS (local time, the day the recording starts: start), or +DURATION from
   start ("+90s", "+2m"). False with the reason in why. */
bool replay_parse_at(const char *spec, double start, double *out, char *why, size_t n);
/* The last round at or before t; -1 when t is before the first. */
long recording_round_at(const struct recording *r, double t);

/* A replay in progress: rounds evaluated in order through a tracker, as the recording mode did. */
struct replayer;
struct replayer *replayer_new(const struct recording *r);
void replayer_free(struct replayer *p);
/* Evaluates every round up to round i (from the start again when i is behind) and gives its
   snapshot (owned by the replayer, valid until the next call). */
const struct snapshot *replayer_seek(struct replayer *p, size_t i);
const struct tracker *replayer_tracker(const struct replayer *p);

/* synctop --replay FILE --once --at TIME: prints the snapshot the recording shows at TIME;
   returns its exit code (3 for a bad file or TIME). */
int replay_once(const char *path, const char *at, enum report_format format, FILE *out, FILE *err);

#endif
