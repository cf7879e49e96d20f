/* serve.c: the exporter's loop: polls like the screen, evaluates, damps, publishes the bodies. */
#include "serve.h"

#ifdef HAVE_MICROHTTPD

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "health.h"
#include "poller.h"
#include "record.h"
#include "report.h"
#include "serve_http.h"
#include "track.h"
#include "util.h"

/* Largest certificate or key file read. */
#define TLS_FILE_MAX (1 << 20)

/* SIGINT and SIGTERM (and SIGHUP) end the loop; a byte on this pipe wakes poll(). */
static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_signal;
static const int stop_signals[3] = {SIGINT, SIGTERM, SIGHUP};

static void on_signal(int sig)
{
	stop_signal = sig;
	int saved = errno;
	if (signal_pipe[1] >= 0) {
		ssize_t ignored = write(signal_pipe[1], "", 1);
		(void)ignored;
	}
	errno = saved;
}

static void signals_install(struct sigaction *old)
{
	if (pipe(signal_pipe) == 0)
		for (int i = 0; i < 2; i++) {
			fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
			fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(stop_signals[i], &sa, &old[i]);
}

static void signals_restore(const struct sigaction *old)
{
	for (int i = 0; i < 3; i++)
		sigaction(stop_signals[i], &old[i], NULL);
	for (int i = 0; i < 2; i++)
		if (signal_pipe[i] >= 0) {
			close(signal_pipe[i]);
			signal_pipe[i] = -1;
		}
}

/* A whole PEM file, NULL with the reason in err. */
static char *read_pem(const char *key, const char *path, char *err, size_t n)
{
	char why[128] = "";
	int fd = open_regular(path, O_RDONLY, 0, why, sizeof why);
	if (fd < 0) {
		snprintf(err, n, "%s: cannot read %s: %s", key, path, why);
		return NULL;
	}
	char *data = xmalloc(TLS_FILE_MAX + 1);
	size_t got = 0;
	ssize_t r;
	while (got <= TLS_FILE_MAX && (r = read(fd, data + got, TLS_FILE_MAX + 1 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	data[got <= TLS_FILE_MAX ? got : TLS_FILE_MAX] = '\0';
	if (got > TLS_FILE_MAX || !strstr(data, "-----BEGIN ")) {
		snprintf(err, n, "%s: %s is not a PEM file", key, path);
		explicit_bzero(data, TLS_FILE_MAX + 1);
		free(data);
		return NULL;
	}
	return data;
}

static void tls_free(struct serve_tls *tls)
{
	if (tls->key)
		explicit_bzero(tls->key, strlen(tls->key));
	free(tls->key);
	free(tls->cert);
	tls->key = tls->cert = NULL;
}

static bool tls_load(const struct config *cfg, struct serve_tls *tls, char *err, size_t n)
{
	memset(tls, 0, sizeof *tls);
	if (!cfg->serve_tls_cert && !cfg->serve_tls_key)
		return true;
	if (!cfg->serve_tls_cert || !cfg->serve_tls_key) {
		snprintf(err, n, "%s is set but %s is not: HTTPS needs both",
		         cfg->serve_tls_cert ? "serve.tls_cert" : "serve.tls_key",
		         cfg->serve_tls_cert ? "serve.tls_key" : "serve.tls_cert");
		return false;
	}
	tls->cert = read_pem("serve.tls_cert", cfg->serve_tls_cert, err, n);
	tls->key = tls->cert ? read_pem("serve.tls_key", cfg->serve_tls_key, err, n) : NULL;
	if (!tls->key)
		tls_free(tls);
	return tls->cert != NULL;
}

/* What a renderer writes, in memory; *len its length. */
static char *render(void (*fn)(FILE *, const struct snapshot *), const struct snapshot *snap, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f) {
		*len = 0;
		return NULL;
	}
	fn(f, snap);
	fclose(f);
	*len = n;
	return buf;
}

/* The JSON snapshot with each pipeline's events (the tracker's ring), in memory. */
static char *render_json(const struct snapshot *snap, const struct tracker *track, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f) {
		*len = 0;
		return NULL;
	}
	report_json_tracked(f, snap, track);
	fclose(f);
	*len = n;
	return buf;
}

/* Evaluates the latest samples as the screen does (damped, events logged) and publishes them. */
static void evaluate(struct serve_state *st, struct poller *p, struct tracker *track)
{
	struct snapshot snap;
	poller_snapshot(p, &snap);
	health_evaluate(&snap);
	double w = now_wall();
	tracker_update(track, &snap, w);
	record_round(&snap, w);
	size_t ml = 0, jl = 0;
	char *metrics = render(report_prometheus, &snap, &ml);
	char *json = render_json(&snap, track, &jl);
	snapshot_free(&snap);
	serve_publish(st, metrics, ml, json, jl, poller_last_complete(p));
}

/* Polls and publishes until a stop signal. A round is published when it completes: rendering
   1,000 pipelines for every burst of samples cost most of a core. A tick evaluates too when the
   round it asked for has not completed, so a poll that hangs past its limit shows as unknown. */
static void loop(struct serve_state *st, struct poller *p, struct tracker *track)
{
	double next_tick = now_mono() + st->interval_s;
	double published = poller_last_complete(p);
	bool outstanding = true; /* serve_run asked for the first round */
	while (!stop_signal) {
		int ms = (int)ceil(fmax(0, next_tick - now_mono()) * 1000.0);
		struct pollfd fds[2] = {{.fd = poller_fd(p), .events = POLLIN},
		                        {.fd = signal_pipe[0], .events = POLLIN}};
		int r = poll(fds, 2, ms);
		if (r < 0 && errno != EINTR)
			break;
		if (stop_signal)
			break;
		if (r > 0 && (fds[0].revents & POLLIN)) {
			poller_drain_fd(p);
			struct request_event ev; /* none is asked for: drained all the same */
			while (poller_event_take(p, &ev))
				request_event_clear(&ev);
			double done = poller_last_complete(p);
			if (done != published) {
				published = done;
				outstanding = false;
				evaluate(st, p, track);
			}
		}
		double now = now_mono();
		if (now >= next_tick) {
			if (outstanding)
				evaluate(st, p, track);
			poller_request_round(p);
			outstanding = true;
			next_tick = now + st->interval_s;
		}
	}
}

/* Whether some pipeline opted into the canary, and it may run (not read_only = true, nor
   --read-only); says once on err when one opted in and may not. */
static bool serve_canary(const struct config *cfg, FILE *err)
{
	bool any = false;
	for (size_t i = 0; i < cfg->n_pipelines; i++)
		any |= cfg->pipelines[i].canary.on;
	if (any && cfg->read_only)
		fprintf(err, "synctop: the canary (canary = true) does not run here: read-only\n");
	return any && !cfg->read_only;
}

int serve_run(const struct config *cfg, const struct serve_addr *addr, FILE *err)
{
	char msg[512];
	struct serve_auth auth;
	bool have_auth = cfg->serve_auth_file != NULL;
	if (have_auth && !serve_auth_load(cfg->serve_auth_file, &auth, msg, sizeof msg)) {
		fprintf(err, "synctop: %s\n", msg);
		return 3;
	}
	struct serve_tls tls;
	if (!tls_load(cfg, &tls, msg, sizeof msg)) {
		fprintf(err, "synctop: %s\n", msg);
		if (have_auth)
			serve_auth_free(&auth);
		return 3;
	}
	struct serve_state st = {
	    .started = now_wall(), .interval_s = cfg->interval_s, .auth = have_auth ? &auth : NULL};
	pthread_mutex_init(&st.lock, NULL);

	struct poller *p = poller_new(cfg);
	struct tracker *track = tracker_new(cfg);
	FILE *log = log_file_open(cfg->log_file, err);
	if (log)
		tracker_log_to(track, log);
	/* Read-only by construction: the exporter attaches a write executor only for the canary
	   (canary = true), one that refuses every action (exec.h). */
	bool canary = serve_canary(cfg, err);
	if (canary) {
		poller_attach_executor(p, executor_new_canary(cfg));
		poller_canary_start(p);
		executor_trace_canary(cfg, "--serve");
	} else {
		executor_trace(cfg, poller_can_write(p), "--serve");
	}
	struct sigaction old_sigs[3];
	stop_signal = 0;
	signals_install(old_sigs);
	int code = 3, port = 0;
	struct MHD_Daemon *d = NULL;
	if (!poller_start(p, msg, sizeof msg)) {
		fprintf(err, "synctop: %s\n", msg);
	} else if (!(d = serve_http_start(&st, addr, &tls, &port, msg, sizeof msg))) {
		fprintf(err, "synctop: --serve: %s\n", msg);
	} else {
		const char *b = addr->ipv6 ? "[" : "", *e = addr->ipv6 ? "]" : "";
		fprintf(err, "synctop: serving %s://%s%s%s:%d/metrics (read-only%s; pipelines: %zu)\n",
		        tls.cert ? "https" : "http", b, addr->host, e, port,
		        canary ? " but for the canary's markers" : "", cfg->n_pipelines);
		bool loopback = addr->ipv6 ? !strcmp(addr->host, "::1") : !strncmp(addr->host, "127.", 4);
		if (have_auth && !tls.cert && !loopback)
			fprintf(err,
			        "synctop: warning: serve.auth_file without serve.tls_cert: the passwords "
			        "cross the network in clear text\n");
		fflush(err);
		poller_request_round(p);
		evaluate(&st, p, track);
		loop(&st, p, track);
		code = 0;
	}
	serve_http_stop(d); /* no request in flight past this: the bodies can go */
	signals_restore(old_sigs);
	poller_free(p);
	tracker_free(track);
	if (log)
		fclose(log);
	free(st.metrics);
	free(st.json);
	pthread_mutex_destroy(&st.lock);
	tls_free(&tls);
	if (have_auth)
		serve_auth_free(&auth);
	return code;
}

const bool serve_built = true;
#else
const bool serve_built = false;

int serve_run(const struct config *cfg, const struct serve_addr *addr, FILE *err)
{
	(void)cfg;
	(void)addr;
	fputs("synctop: --serve: synctop was built without the exporter (libmicrohttpd; configure "
	      "--with-microhttpd)\n",
	      err);
	return 3;
}
#endif
