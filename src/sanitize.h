/* sanitize.h: what a server says, made safe to show and to compute with: text on one line,
   without control characters, valid UTF-8; numbers checked against the range they go into. */
#ifndef SYNCTOP_SANITIZE_H
#define SYNCTOP_SANITIZE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* src (len bytes) into dst (size n, always NUL-terminated, cut at a character boundary):
   CR, LF and TAB become one space each (runs of them one space: an error stays on one line),
   other C0 controls, DEL and the C1 controls (U+0080-U+009F) become \xHH, bytes that are not
   valid UTF-8 become U+FFFD. Returns dst. */
char *text_clean(char *dst, size_t n, const char *src, size_t len);
/* text_clean of a NUL-terminated string in place (buffer of size n). */
void text_clean_inplace(char *s, size_t n);
/* True when s has nothing text_clean would change. */
bool text_is_clean(const char *s);
/* A JSON string of s, cleaned: never NULL for a non-NULL s (json_string refuses invalid UTF-8
   and a key set to its NULL silently vanishes). NULL s gives JSON null. */
json_t *json_string_clean(const char *s);
/* Every string in v (objects and arrays, recursively) cleaned; returns v. A string that is
   already clean is left as it is (shared values are never changed when there is nothing to do). */
json_t *json_clean_tree(json_t *v);

/* v as an int64_t when it is finite and in range (a double past 2^63 or NaN cast to an integer
   is undefined behaviour); false otherwise. */
bool i64_of_double(double v, int64_t *out);

#endif
