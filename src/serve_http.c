/* serve_http.c: the exporter's HTTP side (libmicrohttpd): /metrics, /snapshot.json, /healthz from memory. */
#include "serve_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "units.h"
#include "util.h"

#define CT_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define CT_JSON    "application/json"
#define CT_TEXT    "text/plain; charset=utf-8"

/* Scrapes are answered from memory in microseconds: a few threads serve many at once. */
#define HTTP_THREADS      4
#define HTTP_MAX_CONNS    512
#define HTTP_IDLE_TIMEOUT 10 /* seconds a connection may idle */

void serve_publish(struct serve_state *st, char *metrics, size_t metrics_len, char *json, size_t json_len,
                   double last_complete)
{
	pthread_mutex_lock(&st->lock);
	char *old_m = st->metrics, *old_j = st->json;
	st->metrics = metrics;
	st->metrics_len = metrics_len;
	st->json = json;
	st->json_len = json_len;
	st->last_complete = last_complete;
	pthread_mutex_unlock(&st->lock);
	free(old_m);
	free(old_j);
}

bool serve_healthy(double last_complete, double started, double interval_s, double now, char *why, size_t n)
{
	char age[32];
	if (last_complete <= 0) {
		format_duration(now - started, age, sizeof age);
		snprintf(why, n, "no complete round of polls yet (started %s ago)", age);
		return now - started <= 3 * interval_s;
	}
	if (now - last_complete <= 3 * interval_s) {
		snprintf(why, n, "ok");
		return true;
	}
	char iv[32];
	format_duration(now - last_complete, age, sizeof age);
	format_duration(interval_s, iv, sizeof iv);
	snprintf(why, n, "the last complete round of polls ended %s ago (interval %s): a poll hangs", age,
	         iv);
	return false;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned code, const char *type, const char *body,
                              size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned code, const char *text)
{
	return answer(c, code, CT_TEXT, text, strlen(text));
}

/* A copy of a body under the lock, answered after it (the copy is MHD's). */
static enum MHD_Result answer_body(struct MHD_Connection *c, struct serve_state *st, bool metrics)
{
	pthread_mutex_lock(&st->lock);
	const char *body = metrics ? st->metrics : st->json;
	size_t len = metrics ? st->metrics_len : st->json_len;
	struct MHD_Response *r =
	    body ? MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY) : NULL;
	pthread_mutex_unlock(&st->lock);
	if (!body)
		return answer_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no poll evaluated yet\n");
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, metrics ? CT_METRICS : CT_JSON);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static bool authorized(struct MHD_Connection *c, const struct serve_auth *auth)
{
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(c, &pass);
	bool ok = user && pass && serve_auth_check(auth, user, pass);
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
	struct serve_state *st = cls;
	(void)version;
	(void)upload_data;
	/* Another method is refused at once, its body unread (the connection then closes). */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		                   "method not allowed: synctop --serve only reads (GET, HEAD)\n");
	/* The first call has the headers alone: an answer then would close the connection
	   (a body might follow); the next one answers, and the connection stays open. */
	static int seen;
	if (!*con_cls) {
		*con_cls = &seen;
		return MHD_YES;
	}
	if (*upload_data_size) { /* a GET's body is no use: dropped */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (st->auth && !authorized(c, st->auth)) {
		const char *msg = "authentication required\n";
		struct MHD_Response *r =
		    MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CT_TEXT);
		enum MHD_Result ret = MHD_queue_basic_auth_fail_response(c, "synctop", r);
		MHD_destroy_response(r);
		return ret;
	}
	if (!strcmp(url, "/metrics"))
		return answer_body(c, st, true);
	if (!strcmp(url, "/snapshot.json"))
		return answer_body(c, st, false);
	if (!strcmp(url, "/healthz")) {
		pthread_mutex_lock(&st->lock);
		double last = st->last_complete;
		pthread_mutex_unlock(&st->lock);
		char why[256], body[300];
		bool ok = serve_healthy(last, st->started, st->interval_s, now_wall(), why, sizeof why);
		snprintf(body, sizeof body, "%s\n", why);
		return answer_text(c, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, body);
	}
	return answer_text(c, MHD_HTTP_NOT_FOUND,
	                   "not found: synctop --serve answers /metrics, /snapshot.json and /healthz\n");
}

struct MHD_Daemon *serve_http_start(struct serve_state *st, const struct serve_addr *addr,
                                    const struct serve_tls *tls, int *port, char *err, size_t n)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr *sa;
	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	if (addr->ipv6) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)addr->port);
		inet_pton(AF_INET6, addr->host, &sin6.sin6_addr);
		sa = (struct sockaddr *)&sin6;
	} else {
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)addr->port);
		inet_pton(AF_INET, addr->host, &sin.sin_addr);
		sa = (struct sockaddr *)&sin;
	}
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	if (addr->ipv6)
		flags |= MHD_USE_IPv6;
	if (tls->cert) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, n, "this libmicrohttpd has no TLS: serve.tls_cert cannot be used");
			return NULL;
		}
		flags |= MHD_USE_TLS;
	}
	struct MHD_OptionItem opts[] = {
	    {MHD_OPTION_SOCK_ADDR, 0, sa},
	    {MHD_OPTION_THREAD_POOL_SIZE, HTTP_THREADS, NULL},
	    {MHD_OPTION_CONNECTION_LIMIT, HTTP_MAX_CONNS, NULL},
	    {MHD_OPTION_CONNECTION_TIMEOUT, HTTP_IDLE_TIMEOUT, NULL},
	    {tls->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, tls->cert},
	    {tls->cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, tls->key},
	    {MHD_OPTION_END, 0, NULL},
	};
	struct MHD_Daemon *d = MHD_start_daemon(flags, (uint16_t)addr->port, NULL, NULL, on_request, st,
	                                        MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!d) {
		snprintf(err, n, "cannot listen on %s%s%s:%d (in use, not an address of this host, or%s)",
		         addr->ipv6 ? "[" : "", addr->host, addr->ipv6 ? "]" : "", addr->port,
		         tls->cert ? " a bad TLS certificate or key" : " not allowed");
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info && info->port ? info->port : addr->port;
	return d;
}

void serve_http_stop(struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
}
