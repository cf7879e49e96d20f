/* redis_tls.c: TLS for rediss://, hiredis 1.x with hiredis_ssl. The SSL object is made here,
   not by redisCreateSSLContext, because hiredis checks the chain but not the host name. */
#include "backend/redis_tls.h"

#include <stdio.h>

#ifdef HAVE_HIREDIS_SSL

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util.h"

const bool redis_tls_built = true;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_openssl(void)
{
	redisInitOpenSSL();
}

/* The first OpenSSL error queued, or what, when there is none. */
static void ssl_reason(char *err, size_t n, const char *what)
{
	unsigned long e = ERR_get_error();
	if (e) {
		char buf[256];
		ERR_error_string_n(e, buf, sizeof buf);
		snprintf(err, n, "%s: %s", what, buf);
	} else {
		snprintf(err, n, "%s", what);
	}
	ERR_clear_error();
}

static SSL *make_ssl(const char *host, const char *ca_file, char *err, size_t n)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		ssl_reason(err, n, "TLS: cannot create a context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	int ok = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
	                 : SSL_CTX_set_default_verify_paths(ctx);
	if (!ok) {
		char what[600];
		snprintf(what, sizeof what, "TLS: cannot load the CA bundle %s",
		         ca_file ? ca_file : "of the system");
		ssl_reason(err, n, what);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL *ssl = SSL_new(ctx);
	SSL_CTX_free(ctx); /* the SSL object holds its own reference */
	if (!ssl) {
		ssl_reason(err, n, "TLS: cannot create a session");
		return NULL;
	}
	unsigned char ip[16];
	bool is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
	ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host)
	           : SSL_set_tlsext_host_name(ssl, host) && SSL_set1_host(ssl, host);
	if (!ok) {
		ssl_reason(err, n, "TLS: cannot set the host name to verify");
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

bool redis_tls_start(redisContext *rc, const char *host, const char *ca_file, double deadline, char *err,
                     size_t n)
{
	pthread_once(&init_once, init_openssl);
	SSL *ssl = make_ssl(host, ca_file, err, n);
	if (!ssl)
		return false;
	/* The handshake is blocking I/O on the socket: bound it by the poll's deadline. */
	double left = deadline - now_mono();
	if (left < 0.001)
		left = 0.001;
	struct timeval tv = {.tv_sec = (time_t)left, .tv_usec = (suseconds_t)((left - floor(left)) * 1e6)};
	redisSetTimeout(rc, tv);
	ERR_clear_error();
	errno = 0;
	if (redisInitiateSSL(rc, ssl) != REDIS_OK) { /* on failure the SSL object is still ours */
		long v = SSL_get_verify_result(ssl);
		if (v != X509_V_OK)
			snprintf(err, n, "TLS: the server's certificate was refused: %s",
			         X509_verify_cert_error_string(v));
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
			snprintf(err, n,
			         "timeout: the server did not complete the TLS handshake in time (does this "
			         "port speak TLS?)");
		else
			snprintf(err, n, "TLS handshake failed (is the server speaking TLS?): %s",
			         rc->errstr);
		SSL_free(ssl);
		return false;
	}
	return true;
}

#else

const bool redis_tls_built = false;

bool redis_tls_start(redisContext *rc, const char *host, const char *ca_file, double deadline, char *err,
                     size_t n)
{
	(void)rc, (void)host, (void)ca_file, (void)deadline;
	snprintf(err, n, "TLS is not built in");
	return false;
}

#endif
