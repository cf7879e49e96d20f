/* text.h: the screen's text, pure (no curses): widths, clipping, wrapping, status words, clocks, values. */
#ifndef SYNCTOP_UI_TEXT_H
#define SYNCTOP_UI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include <jansson.h>

#include "snapshot.h"

/* The display width of a UTF-8 string. */
int text_width(const char *s);
/* The characters of s that fit in width display columns (UTF-8 aware), as they are drawn:
   tabs and line breaks as spaces, invalid bytes and unprintable characters as '?', and the
   last column of a clipped text as '~'. Writes at most n - 1 of them and a terminating 0 to
   out (strlen(s) + 1 is always enough); *count receives how many. Returns the columns used. */
int text_fit(const char *s, int width, wchar_t *out, size_t n, size_t *count);
/* Wraps text to width columns into lines (each a new string); returns how many. */
size_t wrap_text(const char *s, int width, char ***lines);
/* "OK", "UNKNOWN", "WARN", "CRIT". */
const char *status_word(enum status s);
/* HH:MM:SS of a wall time, in local time. */
void clock_text(double wall, char *buf, size_t n);
/* A metric's value as the detail view shows it: "-" when unknown, counts with separators,
   and beside them a size for *bytes* names or a duration for *_s names (not *per_s). */
void metric_text(const char *name, const json_t *v, char *buf, size_t n);

#endif
