/* redis.c: a Redis session for probes: hiredis 0.14 or later, every exchange under the poll's deadline
   and a cap on what a reply may hold; TLS (rediss://) when built with hiredis_ssl (redis_tls.c). */
#include "backend/redis.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "backend/redis_tls.h"
#include "util.h"

static struct timeval tv_left(double deadline)
{
	double left = deadline - now_mono();
	if (left < 0.001)
		left = 0.001;
	struct timeval tv = {.tv_sec = (time_t)left, .tv_usec = (suseconds_t)((left - floor(left)) * 1e6)};
	return tv;
}

/* Why the last read or write failed: a timeout (hiredis 0.14 says EAGAIN) or the library's reason. */
static void io_error(redisContext *c, char *err, size_t n)
{
	bool timeout = c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
#ifdef REDIS_ERR_TIMEOUT /* hiredis 1.1 and later */
	timeout = timeout || c->err == REDIS_ERR_TIMEOUT;
#endif
	snprintf(err, n, "%s", timeout ? "timeout: the server did not answer in time" : c->errstr);
}

/* Sends what the context has buffered, then reads one reply: the whole exchange before the
   deadline (hiredis's own timeout is per recv, which a trickling server never trips) and at
   most REDIS_REPLY_MAX bytes read (an endless bulk reply would otherwise grow without bound).
   *got counts the bytes read so far in this exchange. */
static bool exchange(redisContext *c, double deadline, void **reply, size_t *got, char *err, size_t n)
{
	int done = 0;
	while (!done) {
		if (wait_socket(c->fd, POLLOUT, deadline) <= 0) {
			snprintf(err, n, "timeout: the server did not take the command in time");
			return false;
		}
		redisSetTimeout(c, tv_left(deadline)); /* a backstop: the socket is ready */
		if (redisBufferWrite(c, &done) != REDIS_OK) {
			io_error(c, err, n);
			return false;
		}
	}
	for (;;) {
		void *r = NULL;
		if (redisReaderGetReply(c->reader, &r) != REDIS_OK) {
			snprintf(err, n, "not a Redis reply (protocol error: %s)", c->reader->errstr);
			return false;
		}
		if (r) {
			*reply = r;
			return true;
		}
		int w = wait_socket(c->fd, POLLIN, deadline);
		if (w <= 0) {
			if (w < 0)
				snprintf(err, n, "%s", strerror(errno));
			else if (*got)
				snprintf(err, n,
				         "timeout: no whole reply within the deadline (%zu bytes came)",
				         *got);
			else
				snprintf(err, n, "timeout: the server did not answer in time");
			return false;
		}
		redisSetTimeout(c, tv_left(deadline));
		size_t before = c->reader->len; /* a read only appends to the reader's buffer */
		if (redisBufferRead(c) != REDIS_OK) {
			io_error(c, err, n);
			return false;
		}
		*got += c->reader->len - before;
		if (*got > REDIS_REPLY_MAX) {
			snprintf(err, n, "the reply is larger than %u MiB (synctop's cap on a Redis reply)",
			         REDIS_REPLY_MAX >> 20);
			return false;
		}
	}
}

redisReply *redis_call(redisContext *c, double deadline, int argc, const char **argv, char *err, size_t n,
                       bool *broken)
{
	*broken = false;
	void *reply = NULL;
	size_t got = 0;
	if (redisAppendCommandArgv(c, argc, argv, NULL) != REDIS_OK) {
		snprintf(err, n, "%s", c->errstr);
		*broken = true;
		return NULL;
	}
	if (!exchange(c, deadline, &reply, &got, err, n)) {
		*broken = true; /* what is left in flight would be read as the next reply */
		return NULL;
	}
	redisReply *r = reply;
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, n, "%s", r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

bool redis_call_each(redisContext *c, double deadline, const char *cmd, size_t count, const char *const *args,
                     redisReply **replies, char *err, size_t n, bool *broken)
{
	*broken = false;
	for (size_t i = 0; i < count; i++) {
		const char *argv[2] = {cmd, args[i]};
		replies[i] = NULL;
		if (redisAppendCommandArgv(c, 2, argv, NULL) != REDIS_OK) {
			snprintf(err, n, "%s", c->errstr);
			*broken = true;
			return false;
		}
	}
	size_t got = 0; /* the cap holds for the whole pipeline */
	for (size_t i = 0; i < count; i++) {
		void *r = NULL;
		if (!exchange(c, deadline, &r, &got, err, n)) {
			for (size_t k = 0; k < i; k++) {
				freeReplyObject(replies[k]);
				replies[k] = NULL;
			}
			*broken = true;
			return false;
		}
		replies[i] = r;
	}
	return true;
}

/* redis[s]://[user[:password]@]host[:port][/db] or unix://[[user]:password@]/path[?db=N]. */
struct redis_url {
	char host[256], user[128], password[256], path[512];
	int port;
	int db; /* the /DB of the URL: where SCAN samples keys (INFO is server-wide) */
	bool tls;
};

/* [user[:password]@] at *p: the first '@' before the next '/', as for the other URLs. */
static void parse_userinfo(const char **p, struct redis_url *u)
{
	const char *at = strchr(*p, '@');
	const char *slash = strchr(*p, '/');
	if (!at || (slash && at > slash))
		return;
	char userinfo[400];
	strlcpy_safe(userinfo, *p,
	             (size_t)(at - *p) + 1 < sizeof userinfo ? (size_t)(at - *p) + 1 : sizeof userinfo);
	char *colon = strchr(userinfo, ':');
	if (colon) {
		*colon = '\0';
		strlcpy_safe(u->password, colon + 1, sizeof u->password);
	}
	strlcpy_safe(u->user, userinfo, sizeof u->user);
	explicit_bzero(userinfo, sizeof userinfo);
	*p = at + 1;
}

static bool parse_db(const char *s, const char *shown, struct redis_url *u, char *err, size_t n)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || (*end && *end != '?') || v < 0 || v > 1000000) {
		snprintf(err, n, "the database in the URL (%s) is not a number", shown);
		return false;
	}
	u->db = (int)v;
	return true;
}

/* unix://[[user]:password@]/path[?db=N]: a password there is sent with AUTH, as for TCP. */
static bool parse_unix_url(const char *p, struct redis_url *u, char *err, size_t n)
{
	parse_userinfo(&p, u);
	size_t len = strcspn(p, "?");
	if (len == 0 || len >= sizeof u->path) {
		snprintf(err, n, "unix:// URL without a socket path (unix:///path/to/redis.sock)");
		return false;
	}
	memcpy(u->path, p, len);
	u->path[len] = '\0';
	const char *q = p + len;
	if (!*q || !q[1])
		return true;
	if (strncmp(q + 1, "db=", 3) != 0 || strchr(q + 1, '&')) {
		/* the query is not quoted: it may hold a password */
		snprintf(err, n,
		         "unix:// URL: the only query understood is ?db=N (a password goes in "
		         "unix://:PASSWORD@/path or password_file)");
		return false;
	}
	return parse_db(q + 4, "?db=", u, err, n);
}

static bool parse_url(const char *url, struct redis_url *u, char *err, size_t n)
{
	memset(u, 0, sizeof *u);
	u->port = 6379;
	const char *p;
	if (!strncmp(url, "rediss://", 9)) {
		if (!redis_tls_built) {
			snprintf(
			    err, n,
			    "rediss:// needs hiredis 1.0 or later with TLS (hiredis_ssl), and this synctop "
			    "was built with hiredis %d.%d: reach the server through a local TLS tunnel "
			    "(such as stunnel) and use redis://127.0.0.1:PORT",
			    HIREDIS_MAJOR, HIREDIS_MINOR);
			return false;
		}
		u->tls = true;
		p = url + 9;
	} else if (!strncmp(url, "unix://", 7)) {
		return parse_unix_url(url + 7, u, err, n);
	} else if (!strncmp(url, "redis://", 8)) {
		p = url + 8;
	} else {
		snprintf(err, n, "not a redis://, rediss:// or unix:// URL");
		return false;
	}
	parse_userinfo(&p, u);
	size_t hl = strcspn(p, ":/");
	strlcpy_safe(u->host, p, hl + 1 < sizeof u->host ? hl + 1 : sizeof u->host);
	if (p[hl] == ':') {
		char *end;
		long port = strtol(p + hl + 1, &end, 10);
		if (end == p + hl + 1 || (*end && *end != '/') || port < 1 || port > 65535) {
			snprintf(err, n, "the port in the URL is not a number from 1 to 65535");
			return false;
		}
		u->port = (int)port;
	}
	if (!*u->host)
		strlcpy_safe(u->host, "127.0.0.1", sizeof u->host);
	const char *db = p + hl + strcspn(p + hl, "/");
	if (*db == '/' && db[1] && db[1] != '?') {
		char shown[64];
		snprintf(shown, sizeof shown, "/%.40s", db + 1);
		return parse_db(db + 1, shown, u, err, n);
	}
	return true;
}

static void *redis_open(const struct config *cfg, const struct conn *c, double deadline, char *err, size_t n)
{
	(void)cfg;
	struct redis_url u;
	if (!parse_url(c->url, &u, err, n))
		return NULL;
	redisContext *rc = *u.path ? redisConnectUnixWithTimeout(u.path, tv_left(deadline))
	                           : redisConnectWithTimeout(u.host, u.port, tv_left(deadline));
	if (!rc || rc->err) {
		snprintf(err, n, "%s", rc ? rc->errstr : "out of memory");
		if (rc)
			redisFree(rc);
		return NULL;
	}
	if (u.tls && !redis_tls_start(rc, u.host, c->ca_file, deadline, err, n)) {
		redisFree(rc);
		return NULL;
	}
	const char *password = c->secret ? c->secret : u.password;
	if (*password) {
		const char *argv[3] = {"AUTH", u.user, password};
		bool broken;
		char why[256];
		redisReply *r = *u.user ? redis_call(rc, deadline, 3, argv, why, sizeof why, &broken)
		                        : redis_call(rc, deadline, 2, (const char *[]){"AUTH", password}, why,
		                                     sizeof why, &broken);
		if (!r) {
			snprintf(err, n, "authentication failed%s%s: %s", *u.user ? " for user " : "", u.user,
			         why);
			redisFree(rc);
			return NULL;
		}
		freeReplyObject(r);
	}
	return rc;
}

bool redis_select_url_db(redisContext *c, const char *url, double deadline, char *err, size_t n, bool *broken)
{
	struct redis_url u;
	*broken = false;
	if (!parse_url(url, &u, err, n))
		return false;
	char db[16];
	snprintf(db, sizeof db, "%d", u.db);
	redisReply *r = redis_call(c, deadline, 2, (const char *[]){"SELECT", db}, err, n, broken);
	if (!r)
		return false;
	freeReplyObject(r);
	return true;
}

bool redis_use_url_db(redisContext *c, const char *url, double deadline, char *err, size_t n, bool *broken)
{
	struct redis_url u;
	*broken = false;
	if (!parse_url(url, &u, err, n))
		return false;
	explicit_bzero(u.password, sizeof u.password);
	return u.db == 0 || redis_select_url_db(c, url, deadline, err, n, broken);
}

/* The INFO of the round, per worker thread: one session a thread, polled by one worker, so
   every stage of a connection polled in the same round reads the same reply. */
static _Thread_local struct {
	redisContext *c;
	unsigned long round;
	char *text;
} info_cache;

static void info_cache_drop(void)
{
	free(info_cache.text);
	info_cache.text = NULL;
	info_cache.c = NULL;
	info_cache.round = 0;
}

const char *redis_info_round(redisContext *c, unsigned long round, double deadline, char *err, size_t n,
                             bool *broken)
{
	*broken = false;
	if (round && info_cache.text && info_cache.c == c && info_cache.round == round)
		return info_cache.text;
	info_cache_drop();
	const char *argv[1] = {"INFO"};
	redisReply *r = redis_call(c, deadline, 1, argv, err, n, broken);
	if (!r)
		return NULL;
	if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) {
		freeReplyObject(r);
		snprintf(err, n, "INFO answered with something that is not text");
		return NULL;
	}
	info_cache.text = xstrndup(r->str, r->len);
	freeReplyObject(r);
	info_cache.c = c;
	info_cache.round = round;
	return info_cache.text;
}

static void redis_close(void *session)
{
	if (session && info_cache.c == session)
		info_cache_drop();
	if (session)
		redisFree(session);
}

const struct backend redis_backend = {
    .kind = CONN_REDIS,
    .open = redis_open,
    .close = redis_close,
};
