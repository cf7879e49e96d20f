/* units.h: durations and byte sizes as written in config files and shown on screen. */
#ifndef SYNCTOP_UNITS_H
#define SYNCTOP_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses "250ms", "2s", "5m", "1h", "1m30s", "1.5s" or a bare number of seconds.
   Returns false (and leaves *out alone) on anything else, including negatives. */
bool parse_duration(const char *s, double *out);

/* Parses "512", "64kB", "10MB", "1GiB", "2TB" (kB = 1000, KiB = 1024; case-insensitive suffix). */
bool parse_size(const char *s, int64_t *out);

/* "4m12s", "850ms", "2h03m", "3d04h": compact, at most two units. */
void format_duration(double seconds, char *buf, size_t n);
/* How long since a wall time, in whole seconds ("4m12s", "0s": never negative); "" when since
   is 0 (not known). */
void format_age(double since, double now, char *buf, size_t n);
/* Wall-clock seconds as "2026-11-22T10:00:00Z" (UTC). */
void iso8601(double t, char *buf, size_t n);

/* "1.2 GiB", "512 B". */
void format_size(double bytes, char *buf, size_t n);

#endif
