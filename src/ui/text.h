/* text.h: the screen's text, pure (no curses): widths, clipping, wrapping, status words, clocks, values. */
#ifndef SYNCTOP_UI_TEXT_H
#define SYNCTOP_UI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include <jansson.h>

#include "kinds/kind.h"
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
/* The unit of a value that has no metric_def (a list item's, a stage detail's), from its
   name: *bytes a size, *_per_s a rate, *_ratio a fraction, *_s a duration, else a count. */
enum metric_unit unit_by_name(const char *name);
/* A value as the detail view shows it, in the form of its unit u (human.h): "-" when unknown,
   a string as it is, yes or no; beside a size of 1 KiB or more the exact byte count
   ("1.0 MiB (1,048,576 bytes)"); a *_epoch name's wall time as a clock and how long before
   now ("11:04:08 (4m12s ago)"); a fraction of unit MU_COUNT as a number. */
void metric_text(enum metric_unit u, const char *name, const json_t *v, double now, char *buf, size_t n);
/* Where a scrolled view is: "lines 4-21 of 45" (first counted from 0, shown rows of total);
   "" when everything shows. */
void scroll_text(int first, int shown, int total, char *buf, size_t n);

#endif
