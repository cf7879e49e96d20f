/* serve_opts.h: what --serve reads before it serves: the address it listens on and the users it lets in. */
#ifndef SYNCTOP_SERVE_OPTS_H
#define SYNCTOP_SERVE_OPTS_H

#include <stdbool.h>
#include <stddef.h>

/* Where --serve listens: a numeric IPv4 or IPv6 address (127.0.0.1 when only a port is
   given) and a port (0: any free one, said on stderr at the start). */
struct serve_addr {
	char host[64]; /* without the brackets of [::1] */
	bool ipv6;
	int port;
};

/* Parses "[ADDR:]PORT": "9187", ":9187", "0.0.0.0:9187", "[::1]:9187". False with the
   reason in err. */
bool serve_parse_addr(const char *arg, struct serve_addr *out, char *err, size_t n);

/* The users of serve.auth_file: "user:password" lines (blank lines and # comments skipped). */
struct serve_auth {
	char **users;
	char **passwords;
	size_t n;
};

/* Reads path into *a; false with the reason in err (never the file's text). The file must be
   a regular file that neither group nor others may read. */
bool serve_auth_load(const char *path, struct serve_auth *a, char *err, size_t n);
void serve_auth_free(struct serve_auth *a);
/* Whether user and password match an entry, in time independent of where they differ. */
bool serve_auth_check(const struct serve_auth *a, const char *user, const char *password);

#endif
