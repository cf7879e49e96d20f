/* serve_opts.c: what --serve reads before it serves: its address and its users (with or without MHD). */
#include "serve_opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Largest auth file read: a list of users, never a whole document. */
#define AUTH_FILE_MAX 65536

static bool parse_port(const char *s, int *port)
{
	if (!*s || strlen(s) > 5)
		return false;
	int v = 0;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		v = v * 10 + (*c - '0');
	}
	if (v > 65535)
		return false;
	*port = v;
	return true;
}

bool serve_parse_addr(const char *arg, struct serve_addr *out, char *err, size_t n)
{
	memset(out, 0, sizeof *out);
	const char *port = arg, *host = "127.0.0.1";
	size_t host_len = strlen(host);
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (!close || close[1] != ':') {
			snprintf(err, n, "bad address '%s' (an IPv6 address goes in brackets: [::1]:9187)",
			         arg);
			return false;
		}
		host = arg + 1;
		host_len = (size_t)(close - host);
		port = close + 2;
		out->ipv6 = true;
	} else {
		const char *colon = strrchr(arg, ':');
		if (colon && colon != strchr(arg, ':')) {
			snprintf(err, n, "bad address '%s' (an IPv6 address goes in brackets: [::1]:9187)",
			         arg);
			return false;
		}
		if (colon) {
			port = colon + 1;
			if (colon > arg) {
				host = arg;
				host_len = (size_t)(colon - arg);
			}
		}
	}
	if (!parse_port(port, &out->port)) {
		snprintf(err, n, "bad port in '%s' (use [ADDR:]PORT, e.g. 9187 or 127.0.0.1:9187)", arg);
		return false;
	}
	if (host_len >= sizeof out->host) {
		snprintf(err, n, "bad address in '%s' (too long)", arg);
		return false;
	}
	memcpy(out->host, host, host_len);
	out->host[host_len] = '\0';
	unsigned char buf[sizeof(struct in6_addr)];
	if (inet_pton(out->ipv6 ? AF_INET6 : AF_INET, out->host, buf) != 1) {
		snprintf(err, n,
		         "bad address '%s' in '%s' (a numeric IPv4 address, or IPv6 in brackets: "
		         "127.0.0.1:9187, [::1]:9187)",
		         out->host, arg);
		return false;
	}
	return true;
}

void serve_auth_free(struct serve_auth *a)
{
	for (size_t i = 0; i < a->n; i++) {
		explicit_bzero(a->passwords[i], strlen(a->passwords[i]));
		free(a->passwords[i]);
		free(a->users[i]);
	}
	free(a->users);
	free(a->passwords);
	memset(a, 0, sizeof *a);
}

static void auth_add(struct serve_auth *a, const char *user, size_t ulen, const char *pass, size_t plen)
{
	a->users = xrealloc(a->users, (a->n + 1) * sizeof *a->users);
	a->passwords = xrealloc(a->passwords, (a->n + 1) * sizeof *a->passwords);
	a->users[a->n] = xstrndup(user, ulen);
	a->passwords[a->n] = xstrndup(pass, plen);
	a->n++;
}

/* Parses the lines of data; false with the line number of the first bad one in err. */
static bool auth_parse(char *data, const char *path, struct serve_auth *a, char *err, size_t n)
{
	int lineno = 0;
	for (char *line = data, *next; line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		size_t len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		const char *colon = strchr(line, ':');
		if (!colon || colon == line || !colon[1]) {
			snprintf(err, n, "%s:%d: expected user:password", path, lineno);
			return false;
		}
		for (const char *c = line; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f) {
				snprintf(err, n, "%s:%d: control character in the line", path, lineno);
				return false;
			}
		auth_add(a, line, (size_t)(colon - line), colon + 1, strlen(colon + 1));
	}
	if (!a->n) {
		snprintf(err, n, "%s: no user:password line", path);
		return false;
	}
	return true;
}

bool serve_auth_load(const char *path, struct serve_auth *a, char *err, size_t n)
{
	memset(a, 0, sizeof *a);
	char why[128] = "";
	int fd = open_regular(path, O_RDONLY, 0, why, sizeof why);
	if (fd < 0) {
		snprintf(err, n, "serve.auth_file: cannot read %s: %s", path, why);
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || (st.st_mode & 077)) {
		snprintf(err, n,
		         "serve.auth_file: %s may be read by group or others (mode %03o): chmod 600 it", path,
		         (unsigned)(st.st_mode & 0777));
		close(fd);
		return false;
	}
	char *data = xmalloc(AUTH_FILE_MAX + 1);
	size_t got = 0;
	ssize_t r;
	while (got <= AUTH_FILE_MAX && (r = read(fd, data + got, AUTH_FILE_MAX + 1 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	bool ok = false;
	if (got > AUTH_FILE_MAX)
		snprintf(err, n, "serve.auth_file: %s is larger than %d bytes; is it the right file?", path,
		         AUTH_FILE_MAX);
	else if (memchr(data, '\0', got))
		snprintf(err, n, "serve.auth_file: %s contains a NUL byte", path);
	else {
		data[got] = '\0';
		char msg[256];
		ok = auth_parse(data, path, a, msg, sizeof msg);
		if (!ok)
			snprintf(err, n, "serve.auth_file: %s", msg);
	}
	explicit_bzero(data, AUTH_FILE_MAX + 1);
	free(data);
	if (!ok)
		serve_auth_free(a);
	return ok;
}

/* Equal in time that depends on the lengths alone, not on where the bytes differ. */
static bool same_secret(const char *given, const char *want)
{
	size_t gl = strlen(given), wl = strlen(want);
	unsigned char diff = gl != wl;
	for (size_t i = 0; i < wl; i++)
		diff |= (unsigned char)((i < gl ? given[i] : 0) ^ want[i]);
	return diff == 0;
}

bool serve_auth_check(const struct serve_auth *a, const char *user, const char *password)
{
	bool ok = false;
	for (size_t i = 0; i < a->n; i++) { /* every entry, both compared, whichever matches */
		bool user_ok = same_secret(user, a->users[i]);
		bool password_ok = same_secret(password, a->passwords[i]);
		ok |= user_ok && password_ok;
	}
	return ok;
}
