/* http.c: HTTP sessions for the search stage (libcurl): one easy handle per connection, kept
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

struct http_session {
	CURL *curl;
	char *base; /* the URL without a trailing '/' */
	struct curl_slist *headers;
	const char *ca_file; /* the connection's ca_file (NULL: the system's CAs), for messages */
	char errbuf[CURL_ERROR_SIZE];
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
	s->curl = curl_easy_init();
	if (!s->curl) {
		snprintf(err, n, "cannot create an HTTP handle (out of memory?)");
		free(s);
		return NULL;
	}
	size_t len = strlen(c->url);
	while (len > 0 && c->url[len - 1] == '/')
		len--;
	s->base = xasprintf("%.*s", (int)len, c->url);

	CURL *h = s->curl;
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->errbuf);
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
	curl_easy_cleanup(s->curl);
	curl_slist_free_all(s->headers);
	free(s->base);
	free(s);
}

bool http_request(void *session, const char *method, const char *path, const char *json_body, double deadline,
                  struct http_response *r, char *err, size_t n)
{
	struct http_session *s = session;
	memset(r, 0, sizeof *r);
	long ms = (long)ceil((deadline - now_mono()) * 1000.0);
	if (ms < 1) {
		snprintf(err, n, "timeout: no time left for %s %s", method, path);
		return false;
	}
	char *url = xasprintf("%s%s", s->base, path);
	struct body b = {0};
	CURL *h = s->curl;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	if (json_body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(json_body));
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
	                 strcmp(method, json_body ? "POST" : "GET") ? method : NULL);
	s->errbuf[0] = '\0';
	CURLcode rc = curl_easy_perform(h);
	free(url);
	if (rc != CURLE_OK) {
		char shown[300]; /* the path without its query, which only fills the line */
		snprintf(shown, sizeof shown, "%.*s", (int)strcspn(path, "?"), path);
		path = shown;
		const char *why = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);
		if (b.too_large)
			snprintf(err, n, "%s %s: the response is larger than %u MiB", method, path,
			         HTTP_BODY_MAX >> 20);
		else if (rc == CURLE_OPERATION_TIMEDOUT)
			snprintf(err, n, "timeout: no whole answer to %s %s within the deadline (%s)", method,
			         path, why);
		else if (rc == CURLE_SSL_CACERT_BADFILE && s->ca_file)
			ca_file_reason(method, path, s->ca_file, why, err, n);
		else if (rc == CURLE_SSL_CACERT_BADFILE)
			snprintf(
			    err, n,
			    "%s %s: no CA bundle to check the server's certificate with (%s): install the "
			    "system's CAs (Debian: ca-certificates) or set ca_file",
			    method, path, why);
		else if (rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING)
			snprintf(err, n, "%s %s: the answer was cut short (%s)", method, path, why);
		else
			snprintf(err, n, "%s %s: %s", method, path, why);
		free(b.buf.s);
		return false;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = b.buf.s ? b.buf.s : xstrdup("");
	r->len = b.buf.len;
	return true;
}

void http_response_free(struct http_response *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
}

json_t *http_json(void *session, const char *method, const char *path, const char *json_body, double deadline,
                  char *err, size_t n)
{
	struct http_response r;
	if (!http_request(session, method, path, json_body, deadline, &r, err, n))
		return NULL;
	/* Messages name the path without its query (filter_path would fill the line). */
	char shown[300];
	snprintf(shown, sizeof shown, "%.*s", (int)strcspn(path, "?"), path);
	json_t *j = NULL;
	if (r.status != 200) {
		char why[300];
		const char *what = r.status == 401   ? " (unauthorized: check the user, password or API key)"
		                   : r.status == 403 ? " (forbidden: the user lacks the monitor privilege)"
		                   : r.status == 404 ? " (not found)"
		                   : r.status == 409 ? " (conflict: a rebalance is in progress)"
		                   : r.status == 429 ? " (too many requests: the cluster is pushing back)"
		                                     : "";
		if (http_error_reason(r.body, why, sizeof why))
			snprintf(err, n, "HTTP %ld%s from %s %s: %s", r.status, what, method, shown, why);
		else
			snprintf(err, n, "HTTP %ld%s from %s %s", r.status, what, method, shown);
	} else {
		json_error_t je;
		j = json_loadb(r.body, r.len, 0, &je);
		if (!j)
			snprintf(err, n, "malformed JSON from %s %s: %s (line %d, column %d)", method, shown,
			         je.text, je.line, je.column);
	}
	http_response_free(&r);
	return j;
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
