/* http.c: HTTP sessions for the search stage (libcurl): a multi handle per connection, kept
   alive between polls, every request bounded by the poll's deadline. */
#include "backend/http.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/http_error.h"
#include "util.h"

/* A session is a curl multi handle: its connections are kept alive between polls and shared
   by every request, and several requests run at once, each on an easy handle of the pool
   (duplicates of the configured template, reused). */
struct http_session {
	CURLM *multi;
	CURL *tmpl;  /* every option of the connection; never run itself */
	CURL **idle; /* easy handles not in use */
	size_t n_idle, cap_idle;
	char *base; /* the URL without a trailing '/' */
	struct curl_slist *headers;
	const char *ca_file; /* the connection's ca_file (NULL: the system's CAs), for messages */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct body {
	struct sbuf buf;
	bool too_large;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct body *b = userdata;
	size_t n = size * nmemb;
	if (b->buf.len + n > HTTP_BODY_MAX) {
		b->too_large = true;
		return 0; /* aborts the transfer */
	}
	sbuf_addn(&b->buf, ptr, n);
	return n;
}

/* Why the configured ca_file could not be loaded: the file itself (gone, unreadable, not a
   file) or its content (no PEM certificate in it); never the system's CAs. */
static void ca_file_reason(const char *method, const char *path, const char *ca_file, const char *why,
                           char *err, size_t n)
{
	char reason[160];
	int fd = open_regular(ca_file, O_RDONLY, 0, reason, sizeof reason);
	if (fd >= 0) {
		close(fd);
		snprintf(reason, sizeof reason,
		         "it holds no certificate that can be loaded (a PEM bundle is expected)");
	}
	snprintf(err, n, "%s %s: ca_file %s cannot be used: %s (%s)", method, path, ca_file, reason, why);
}

static void *search_open(const struct config *cfg, const struct conn *c, double deadline, char *err, size_t n)
{
	(void)cfg, (void)deadline;
	pthread_once(&global_once, global_init);
	struct http_session *s = xcalloc(1, sizeof *s);
	s->tmpl = curl_easy_init();
	s->multi = curl_multi_init();
	if (!s->tmpl || !s->multi) {
		snprintf(err, n, "cannot create an HTTP handle (out of memory?)");
		curl_easy_cleanup(s->tmpl);
		curl_multi_cleanup(s->multi);
		free(s);
		return NULL;
	}
	/* Room for every connection a poll opens at once (one per request), kept between polls. */
	curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, 16L);
	size_t len = strlen(c->url);
	while (len > 0 && c->url[len - 1] == '/')
		len--;
	s->base = xasprintf("%.*s", (int)len, c->url);

	CURL *h = s->tmpl;
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* gzip on slow links */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "synctop/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	s->headers = curl_slist_append(s->headers, "Accept: application/json");
	s->headers = curl_slist_append(s->headers, "Content-Type: application/json");
	if (c->api_key) {
		char *auth = xasprintf("Authorization: ApiKey %s", c->api_key);
		s->headers = curl_slist_append(s->headers, auth);
		explicit_bzero(auth, strlen(auth));
		free(auth);
	} else if (c->username) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, c->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->secret ? c->secret : "");
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->headers);
	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	s->ca_file = c->ca_file;
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return s;
}

static void search_close(void *session)
{
	struct http_session *s = session;
	if (!s)
		return;
	for (size_t i = 0; i < s->n_idle; i++)
		curl_easy_cleanup(s->idle[i]);
	free(s->idle);
	curl_multi_cleanup(s->multi); /* closes the kept-alive connections */
	curl_easy_cleanup(s->tmpl);
	curl_slist_free_all(s->headers);
	free(s->base);
	free(s);
}

/* ------------------------------------------------------------------------------------------
   Transfers: several at once on the session's multi handle.
   ------------------------------------------------------------------------------------------ */

struct xfer {
	const char *method, *path, *json_body;
	int after; /* -1, or the index of a transfer that must be done before this one starts */
	CURL *h;   /* while running */
	struct body b;
	char errbuf[CURL_ERROR_SIZE];
	enum { X_WAITING, X_RUNNING, X_DONE } state;
	bool whole;             /* done: a whole response came back (r), else err says why */
	struct http_response r; /* when whole */
	char *err;              /* the caller's buffer */
	size_t err_n;
	struct http_call *call; /* http_json_all: the answer is turned into JSON as it comes */
};

static CURL *handle_get(struct http_session *s)
{
	if (s->n_idle)
		return s->idle[--s->n_idle];
	return curl_easy_duphandle(s->tmpl);
}

static void handle_put(struct http_session *s, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL); /* the transfer's buffers go away */
	curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(h, CURLOPT_PRIVATE, NULL);
	if (s->n_idle == s->cap_idle) {
		s->cap_idle = s->cap_idle ? s->cap_idle * 2 : 8;
		s->idle = xrealloc(s->idle, s->cap_idle * sizeof *s->idle);
	}
	s->idle[s->n_idle++] = h;
}

/* The transport's reason, as precise as curl knows it; the path without its query. */
static void transfer_error(const struct http_session *s, const struct xfer *x, CURLcode rc)
{
	char shown[300]; /* the path without its query, which only fills the line */
	snprintf(shown, sizeof shown, "%.*s", (int)strcspn(x->path, "?"), x->path);
	const char *method = x->method, *path = shown;
	const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
	char *err = x->err;
	size_t n = x->err_n;
	if (x->b.too_large)
		snprintf(err, n, "%s %s: the response is larger than %u MiB", method, path,
		         HTTP_BODY_MAX >> 20);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(err, n, "timeout: no whole answer to %s %s within the deadline (%s)", method, path,
		         why);
	else if (rc == CURLE_SSL_CACERT_BADFILE && s->ca_file)
		ca_file_reason(method, path, s->ca_file, why, err, n);
	else if (rc == CURLE_SSL_CACERT_BADFILE)
		snprintf(err, n,
		         "%s %s: no CA bundle to check the server's certificate with (%s): install the "
		         "system's CAs (Debian: ca-certificates) or set ca_file",
		         method, path, why);
	else if (rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING)
		snprintf(err, n, "%s %s: the answer was cut short (%s)", method, path, why);
	else
		snprintf(err, n, "%s %s: %s", method, path, why);
}

static void response_json(const char *method, const char *path, struct http_response *r,
                          struct http_call *call, char *err, size_t n);

/* A transfer is over (rc, or no time left to start it when h is NULL). */
static void xfer_done(struct http_session *s, struct xfer *x, CURLcode rc)
{
	x->state = X_DONE;
	if (x->h) {
		curl_multi_remove_handle(s->multi, x->h); /* an unfinished one's connection is closed */
		if (rc == CURLE_OK) {
			x->whole = true;
			curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->r.status);
			x->r.body = x->b.buf.s ? x->b.buf.s : xstrdup("");
			x->r.len = x->b.buf.len;
			x->b.buf.s = NULL;
		} else {
			transfer_error(s, x, rc);
		}
		handle_put(s, x->h);
		x->h = NULL;
	}
	free(x->b.buf.s);
	x->b.buf.s = NULL;
	if (x->call) {
		if (x->whole)
			response_json(x->method, x->path, &x->r, x->call, x->err, x->err_n);
		http_response_free(&x->r);
	}
}

static void xfer_start(struct http_session *s, struct xfer *x, double deadline)
{
	long ms = (long)ceil((deadline - now_mono()) * 1000.0);
	if (ms < 1) {
		snprintf(x->err, x->err_n, "timeout: no time left for %s %s", x->method, x->path);
		xfer_done(s, x, CURLE_OPERATION_TIMEDOUT);
		return;
	}
	CURL *h = handle_get(s);
	if (!h) {
		snprintf(x->err, x->err_n, "cannot create an HTTP handle (out of memory?)");
		xfer_done(s, x, CURLE_OUT_OF_MEMORY);
		return;
	}
	char *url = xasprintf("%s%s", s->base, x->path);
	curl_easy_setopt(h, CURLOPT_URL, url); /* curl keeps a copy */
	free(url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, (void *)x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x->b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	if (x->json_body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->json_body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(x->json_body));
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
	                 strcmp(x->method, x->json_body ? "POST" : "GET") ? x->method : NULL);
	x->errbuf[0] = '\0';
	x->h = h;
	x->state = X_RUNNING;
	CURLMcode mc = curl_multi_add_handle(s->multi, h);
	if (mc != CURLM_OK) {
		snprintf(x->err, x->err_n, "%s %s: %s", x->method, x->path, curl_multi_strerror(mc));
		handle_put(s, h);
		x->h = NULL;
		xfer_done(s, x, CURLE_FAILED_INIT);
	}
}

/* Done when every transfer is, or when the first one in order that failed is known (every
   one before it is done and succeeded). Returns that index, or n when all succeeded. */
static size_t first_failed(const struct xfer *x, size_t n, bool *over)
{
	for (size_t i = 0; i < n; i++) {
		bool ok = x[i].call ? x[i].call->json != NULL : x[i].whole;
		if (x[i].state != X_DONE || !ok) {
			*over = x[i].state == X_DONE;
			return i;
		}
	}
	*over = true;
	return n;
}

/* Runs the transfers at once (those with an 'after' once that one is done) until
   first_failed says it is over, within the deadline: every transfer has it as its own
   timeout, and one that curl did not end by then (a thread scheduled late) is ended as a
   timeout. What is still running then is abandoned. */
static size_t run_all(struct http_session *s, struct xfer *x, size_t n, double deadline)
{
	bool over = false;
	size_t failed = n;
	for (;;) {
		for (size_t i = 0; i < n; i++)
			if (x[i].state == X_WAITING && (x[i].after < 0 || x[x[i].after].state == X_DONE))
				xfer_start(s, &x[i], deadline);
		failed = first_failed(x, n, &over);
		if (over)
			break;
		int running = 0;
		curl_multi_perform(s->multi, &running);
		CURLMsg *m;
		int left;
		bool ended = false;
		while ((m = curl_multi_info_read(s->multi, &left))) {
			struct xfer *done = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&done);
			if (done)
				xfer_done(s, done, m->data.result);
			ended = true;
		}
		if (ended)
			continue; /* what waited for it starts now, not after the next wait */
		double left_s = deadline - now_mono();
		if (left_s < -0.5) { /* curl's own timeouts did not fire: end it here */
			for (size_t i = 0; i < n; i++)
				if (x[i].state == X_RUNNING)
					xfer_done(s, &x[i], CURLE_OPERATION_TIMEDOUT);
			continue;
		}
		int wait_ms = left_s > 1 ? 1000 : (int)(left_s * 1000) + 501;
		curl_multi_poll(s->multi, NULL, 0, wait_ms < 1 ? 1 : wait_ms, NULL);
	}
	for (size_t i = 0; i < n; i++) /* abandoned: no longer needed */
		if (x[i].state == X_RUNNING) {
			curl_multi_remove_handle(s->multi, x[i].h);
			handle_put(s, x[i].h);
			x[i].h = NULL;
			free(x[i].b.buf.s);
			x[i].b.buf.s = NULL;
			x[i].state = X_DONE;
		}
	return failed;
}

bool http_request(void *session, const char *method, const char *path, const char *json_body, double deadline,
                  struct http_response *r, char *err, size_t n)
{
	struct http_session *s = session;
	memset(r, 0, sizeof *r);
	struct xfer x = {
	    .method = method, .path = path, .json_body = json_body, .after = -1, .err = err, .err_n = n};
	run_all(s, &x, 1, deadline);
	if (!x.whole)
		return false;
	*r = x.r;
	return true;
}

void http_response_free(struct http_response *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
}

/* A 2xx with JSON in call->json (Neo4j's Query API answers 202 Accepted); anything else the
   reason in err (call->err). */
static void response_json(const char *method, const char *path, struct http_response *r,
                          struct http_call *call, char *err, size_t n)
{
	/* Messages name the path without its query (filter_path would fill the line). */
	char shown[300];
	snprintf(shown, sizeof shown, "%.*s", (int)strcspn(path, "?"), path);
	if (r->status < 200 || r->status > 299) {
		char why[300];
		const char *what = r->status == 401   ? " (unauthorized: check the user, password or API key)"
		                   : r->status == 403 ? " (forbidden: the user lacks the monitor privilege)"
		                   : r->status == 404 ? " (not found)"
		                   : r->status == 409 ? " (conflict: a rebalance is in progress)"
		                   : r->status == 429 ? " (too many requests: the cluster is pushing back)"
		                                      : "";
		if (http_error_reason(r->body, why, sizeof why))
			snprintf(err, n, "HTTP %ld%s from %s %s: %s", r->status, what, method, shown, why);
		else
			snprintf(err, n, "HTTP %ld%s from %s %s", r->status, what, method, shown);
	} else {
		json_error_t je;
		call->json = json_loadb(r->body, r->len, 0, &je);
		if (!call->json)
			snprintf(err, n, "malformed JSON from %s %s: %s (line %d, column %d)", method, shown,
			         je.text, je.line, je.column);
	}
}

size_t http_json_all(void *session, struct http_call *calls, size_t n, double deadline)
{
	struct xfer *x = xcalloc(n ? n : 1, sizeof *x);
	for (size_t i = 0; i < n; i++) {
		calls[i].json = NULL;
		calls[i].err[0] = '\0';
		x[i] = (struct xfer){.method = calls[i].method,
		                     .path = calls[i].path,
		                     .json_body = calls[i].json_body,
		                     .after = calls[i].after,
		                     .err = calls[i].err,
		                     .err_n = sizeof calls[i].err,
		                     .call = &calls[i]};
	}
	size_t failed = run_all(session, x, n, deadline);
	free(x);
	return failed;
}

json_t *http_json(void *session, const char *method, const char *path, const char *json_body, double deadline,
                  char *err, size_t n)
{
	struct http_call call = {.method = method, .path = path, .json_body = json_body, .after = -1};
	http_json_all(session, &call, 1, deadline);
	if (!call.json)
		snprintf(err, n, "%s", call.err);
	return call.json;
}

char *http_escape_segment(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~,*", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

const struct backend search_backend = {
    .kind = CONN_SEARCH,
    .open = search_open,
    .close = search_close,
};

/* Kafka Connect's REST API: the same kind of session. */
const struct backend connect_backend = {
    .kind = CONN_CONNECT,
    .open = search_open,
    .close = search_close,
};

/* A worker's HTTP admin API (the worker stage): the same kind of session. */
const struct backend http_backend = {
    .kind = CONN_HTTP,
    .open = search_open,
    .close = search_close,
};
