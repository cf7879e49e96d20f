/* util.c: small shared helpers: allocation, clocks, strings. */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void oom(void)
{
	fputs("synctop: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		oom();
	char *s = xmalloc((size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return s;
}

double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double now_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *strlcpy_safe(char *dst, const char *src, size_t n)
{
	if (n == 0)
		return dst;
	size_t len = strlen(src);
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return dst;
}

void snappendf(char *dst, size_t n, const char *fmt, ...)
{
	size_t used = strnlen(dst, n);
	if (used + 1 >= n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst + used, n - used, fmt, ap);
	va_end(ap);
}

char *str_trim(char *s)
{
	char *start = s;
	while (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')
		start++;
	size_t len = strlen(start);
	while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t' || start[len - 1] == '\r' ||
	                   start[len - 1] == '\n'))
		len--;
	memmove(s, start, len);
	s[len] = '\0';
	return s;
}

size_t levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xcalloc(lb + 1, sizeof *row);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

void format_count(int64_t v, char *buf, size_t n)
{
	char digits[32];
	unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	snprintf(digits, sizeof digits, "%llu", mag);
	size_t len = strlen(digits), o = 0;
	char tmp[48];
	if (v < 0)
		tmp[o++] = '-';
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			tmp[o++] = ',';
		tmp[o++] = digits[i];
	}
	tmp[o] = '\0';
	strlcpy_safe(buf, tmp, n);
}

void sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

const char *file_kind_name(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return NULL;
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	default:
		return "not a file";
	}
}

/* Why a path that is not a regular file cannot be used; a directory keeps its usual words. */
static void not_regular(unsigned mode, char *why, size_t n)
{
	if (S_ISDIR(mode))
		snprintf(why, n, "%s", strerror(EISDIR));
	else
		snprintf(why, n, "not a regular file (%s)", file_kind_name(mode));
}

int open_regular(const char *path, int flags, unsigned mode, char *why, size_t n)
{
	/* stat first: opening a FIFO for writing without a reader fails with a baffling ENXIO,
	   and a directory opened for writing says EISDIR; both are better named. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		not_regular(st.st_mode, why, n);
		return -1;
	}
	/* O_NONBLOCK: should the path turn into a FIFO after the stat, open does not wait. */
	int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC, (mode_t)mode);
	if (fd < 0) {
		snprintf(why, n, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(why, n, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		not_regular(st.st_mode, why, n);
		close(fd);
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int wait_socket(int fd, short events, double deadline)
{
	for (;;) {
		double left = deadline - now_mono();
		if (left <= 0)
			return 0;
		struct pollfd pfd = {.fd = fd, .events = events};
		int r = poll(&pfd, 1, (int)ceil(left * 1000.0));
		if (r > 0)
			return 1;
		if (r == 0)
			continue; /* re-check the clock: poll may wake early */
		if (errno != EINTR)
			return -1;
	}
}

FILE *log_file_open(const char *path, FILE *err)
{
	if (!path || !*path)
		return NULL;
	char why[128];
	int fd = open_regular(path, O_WRONLY | O_APPEND | O_CREAT, 0600, why, sizeof why);
	FILE *log = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (fd >= 0 && !log) {
		snprintf(why, sizeof why, "%s", strerror(errno));
		close(fd);
	}
	if (!log)
		fprintf(err, "synctop: cannot open log_file %s: %s\n", path, why);
	else
		setvbuf(log, NULL, _IOLBF, 0);
	return log;
}
