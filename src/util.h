/* util.h: small shared helpers: attributes, allocation, clocks, strings. */
#ifndef SYNCTOP_UTIL_H
#define SYNCTOP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define WARN_UNUSED       __attribute__((warn_unused_result))
#define NONNULL(...)      __attribute__((nonnull(__VA_ARGS__)))
#else
#define PRINTF_LIKE(f, a)
#define WARN_UNUSED
#define NONNULL(...)
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that aborts on exhaustion: synctop cannot do anything useful without memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Seconds on the monotonic clock (for deadlines and rates). */
double now_mono(void);

/* Waits until the socket is ready for the poll(2) events or the deadline (now_mono's clock)
   passes: 1 ready, 0 timeout, -1 error (errno set). */
int wait_socket(int fd, short events, double deadline);
/* Seconds since the epoch (for timestamps shown to people). */
double now_wall(void);

/* Copies src into dst of size n, always NUL-terminated; returns dst. */
char *strlcpy_safe(char *dst, const char *src, size_t n);
/* snprintf that never overflows and tolerates truncation silently. */
void snappendf(char *dst, size_t n, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* A growing string, always NUL-terminated once anything was added. */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sbuf_addn(struct sbuf *b, const char *s, size_t n);

/* Trims leading and trailing white space in place; returns s. */
char *str_trim(char *s);

/* "1,284": an integer with thousands separators, for people. */
void format_count(int64_t v, char *buf, size_t n);

/* Edit distance, for did-you-mean suggestions. */
size_t levenshtein(const char *a, const char *b);

/* What a file that is not a regular file is, for messages: "a FIFO", "a directory", "a
   character device"...; NULL for a regular file. */
const char *file_kind_name(unsigned mode);

/* open(path, flags, mode) that never blocks on a FIFO or a device and opens only a regular
   file (O_NONBLOCK and O_CLOEXEC are added; O_NONBLOCK is cleared once it is known to be a
   file). Returns the descriptor, or -1 with the reason in why: strerror, or "not a regular
   file (a FIFO)". */
int open_regular(const char *path, int flags, unsigned mode, char *why, size_t n) NONNULL(1, 4);
/* The log file at path (log_file), appended to, line-buffered: 0600 when created (an existing
   file keeps its mode), a regular file only (open_regular). NULL when path is NULL or "", or
   when it cannot be opened, which is then said on err. */
FILE *log_file_open(const char *path, FILE *err);

#endif
