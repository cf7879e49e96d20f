/* poller.c: runs the probes off the calling thread, one worker per connection, each poll under a deadline. */
#include "poller.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "canary_run.h"
#include "exec.h"
#include "kinds/kind.h"
#include "kinds/probe.h"
#include "redact.h"
#include "poller_secrets.h"
#include "sanitize.h"

#define BACKOFF_MIN_S 1.0
#define BACKOFF_MAX_S 30.0
#define RETRY_SLACK_S 0.1
/* Stages whose statements go in one round trip before they are polled (backend prefetch): a
   round trip for this many, each chunk under a deadline of its own. */
#define PREFETCH_CHUNK 64

/* A request waiting for its stage's next poll. */
struct queued {
	unsigned long id;
	struct request req;
	struct stage_rt *s;
};

struct stage_rt {
	const struct stage_cfg *cfg;
	const char *pipeline; /* its pipeline's name, for messages */
	const struct probe *probe;
	struct worker *worker;
	struct history hist; /* under poller.lock */
	json_t *memo;        /* worker-private */
	void *aux;           /* worker-private, freed by probe->aux_close */
	json_t *sample_last; /* worker-private: the last on-demand result, repeated in every sample */
	unsigned long polls; /* worker-private */
};

struct worker {
	struct poller *p;
	const struct conn *conn;
	const struct backend *be;
	struct stage_rt **stages;
	size_t n_stages;
	pthread_t thread;
	bool started;
	void *session;
	double retry_at, backoff;
	double tried_at; /* when the last connection attempt was made */
	/* The prefetch of this chunk tried to connect and failed: its polls report that attempt
	   rather than make another (worker-private) */
	bool prefetch_connect_failed;
	char conn_err[512];
	char **secrets;           /* every secret of the connection, longest first, scrubbed from errors */
	unsigned long round_done; /* under poller.lock */
	double busy_since;        /* under poller.lock: monotonic start of the running round; 0 idle */
};

struct poller {
	const struct config *cfg;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* workers wait for a round */
	pthread_cond_t done; /* the caller waits for workers */
	unsigned long round_req;
	unsigned long round_given_up; /* poller_round stopped waiting for this round */
	double last_complete;         /* wall time every worker last finished a round */
	bool stopping;
	bool one_shot; /* poller_one_shot: no round follows the last, so no next attempt is announced */
	int notify[2]; /* pipe: a byte per published sample, for the UI's poll() */
	struct stage_rt *stages; /* one per pipeline stage, in config order */
	size_t n_stages;
	struct worker *workers;
	size_t n_workers;
	/* The one queue of requests (poller_submit), oldest first; each stage runs its own at its
	   next poll. Then each ends as an event, kept until poller_event_take. Under lock. */
	struct queued *queue;
	size_t n_queue;
	struct request_event *events;
	size_t n_events;
	unsigned long last_id;
	struct executor *exec; /* NULL: read-only, every REQ_ACTION is refused */
	struct canary_run *canary;
};

struct poller *poller_new(const struct config *cfg)
{
	struct poller *p = xcalloc(1, sizeof *p);
	p->cfg = cfg;
	p->canary = canary_run_new(cfg);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->done, NULL);
	if (pipe(p->notify) == 0) {
		for (int i = 0; i < 2; i++) {
			fcntl(p->notify[i], F_SETFL, fcntl(p->notify[i], F_GETFL) | O_NONBLOCK);
			fcntl(p->notify[i], F_SETFD, FD_CLOEXEC);
		}
	} else {
		p->notify[0] = p->notify[1] = -1;
	}

	for (size_t i = 0; i < cfg->n_pipelines; i++)
		p->n_stages += cfg->pipelines[i].n_stages;
	p->stages = xcalloc(p->n_stages, sizeof *p->stages);
	p->workers = xcalloc(cfg->n_conns, sizeof *p->workers);

	size_t k = 0;
	for (size_t i = 0; i < cfg->n_pipelines; i++) {
		for (size_t j = 0; j < cfg->pipelines[i].n_stages; j++, k++) {
			struct stage_rt *s = &p->stages[k];
			s->cfg = &cfg->pipelines[i].stages[j];
			s->pipeline = cfg->pipelines[i].name;
			s->probe = s->cfg->kind->probe;
			history_init(&s->hist, cfg->history, s->cfg->kind->main_metric);
			struct worker *w = NULL;
			for (size_t m = 0; m < p->n_workers; m++)
				if (p->workers[m].conn == s->cfg->conn)
					w = &p->workers[m];
			if (!w) {
				w = &p->workers[p->n_workers++];
				w->p = p;
				w->conn = s->cfg->conn;
				w->be = backend_for(w->conn->kind);
				w->secrets = poller_conn_secrets(w->conn);
			}
			struct conn *extra = stage_extra_conn(s->cfg);
			if (extra) /* errors of the stage's second session are scrubbed too */
				w->secrets = poller_secrets_merge(w->secrets, poller_conn_secrets(extra));
			w->stages = xrealloc(w->stages, (w->n_stages + 1) * sizeof *w->stages);
			w->stages[w->n_stages++] = s;
			s->worker = w;
		}
	}
	/* One worker, so one session, per connection name, however many pipelines use it. */
	assert(p->n_workers <= cfg->n_conns);
	return p;
}

/* Makes sure the worker has a session, honouring the reconnect backoff. Returns false with
 *tried telling whether a connection was attempted in this call. */
static bool worker_connect(struct worker *w, double deadline, bool *tried)
{
	*tried = false;
	if (w->session)
		return true;
	double now = now_mono();
	/* The slack lets the attempt due at this round's start happen in this round, not the next. */
	if (now < w->retry_at - RETRY_SLACK_S)
		return false;
	*tried = true;
	w->tried_at = now;
	char err[sizeof w->conn_err];
	w->session = w->be->open(w->p->cfg, w->conn, deadline, err, sizeof err);
	if (w->session) {
		w->backoff = 0;
		w->conn_err[0] = '\0';
		return true;
	}
	/* Doubling, but never past the interval: a server that is back is seen within two polls. */
	double cap = fmin(BACKOFF_MAX_S, fmax(BACKOFF_MIN_S, w->p->cfg->interval_s));
	w->backoff = w->backoff <= 0 ? BACKOFF_MIN_S : fmin(w->backoff * 2, cap);
	w->retry_at = now + w->backoff;
	strlcpy_safe(w->conn_err, err, sizeof w->conn_err);
	return false;
}

/* Ends a request taken from the queue (lock not held): its event, for poller_event_take. */
static void request_end(struct poller *p, const struct queued *q, json_t *result, const char *err)
{
	struct request_event ev = {.id = q->id, .req = q->req, .ok = result != NULL, .result = result};
	if (!result)
		strlcpy_safe(ev.err, err && *err ? err : "unknown error", sizeof ev.err);
	pthread_mutex_lock(&p->lock);
	p->events = xrealloc(p->events, (p->n_events + 1) * sizeof *p->events);
	p->events[p->n_events++] = ev;
	pthread_mutex_unlock(&p->lock);
}

/* Takes the stage's requests (its actions only, when actions_only) out of the queue, oldest
   first; returns how many (*out owned). */
static size_t requests_take(struct poller *p, const struct stage_rt *s, bool actions_only,
                            struct queued **out)
{
	size_t n = 0, k = 0;
	*out = NULL;
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->n_queue; i++) {
		if (p->queue[i].s == s && (!actions_only || p->queue[i].req.op == REQ_ACTION)) {
			*out = xrealloc(*out, (n + 1) * sizeof **out);
			(*out)[n++] = p->queue[i];
		} else {
			p->queue[k++] = p->queue[i];
		}
	}
	p->n_queue = k;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* A stage that could not be read ends its actions with the reason (err: already scrubbed): a
   write asked for during an outage must never happen later by surprise. A read waits for the
   stage's next good poll, as key t always did. */
static void requests_fail(struct worker *w, struct stage_rt *s, const char *err)
{
	struct queued *qs;
	size_t n = requests_take(w->p, s, true, &qs);
	for (size_t i = 0; i < n; i++) {
		char msg[REQUEST_ERR_MAX];
		snprintf(msg, sizeof msg, "%s/%s could not be read: ", s->pipeline, s->cfg->kind->name);
		snappendf(msg, sizeof msg, "%s", err); /* cut to fit, as every error of an event */
		request_end(w->p, &qs[i], NULL, msg);
	}
	free(qs);
}

/* The on-demand operation of the stage (probe->sample), under a deadline of its own; its last
   result rides along in the detail of every sample that follows. */
static enum probe_result run_sample(struct worker *w, struct stage_rt *s, struct probe_ctx *ctx,
                                    const struct queued *q)
{
	struct poller *p = w->p;
	json_t *res = NULL;
	char err[400] = "";
	ctx->deadline = now_mono() + conn_timeout(p->cfg, w->conn);
	double t0 = now_mono();
	enum probe_result r = s->probe->sample(ctx, &res, err, sizeof err);
	if (!res) {
		redact_secrets_inplace(err, sizeof err, (const char *const *)w->secrets);
		text_clean_inplace(err, sizeof err);
		res = json_pack("{s:s}", "error", err[0] ? err : "unknown error");
	}
	json_clean_tree(res); /* before it is shared by every sample that follows */
	json_object_set_new(res, "at", json_real(now_wall()));
	json_object_set_new(res, "took_ms", json_real(round((now_mono() - t0) * 1e4) / 10));
	json_decref(s->sample_last);
	s->sample_last = res;
	request_end(p, q, json_deep_copy(res), NULL); /* a copy: the event goes to another thread */
	if (r == PROBE_FAILED)
		r = PROBE_OK; /* a failed sample says so in its result; the poll itself was fine */
	return r;
}

/* A write, through the write executor alone (exec.h), with the connection's deadline. */
static enum probe_result run_action(struct worker *w, struct probe_ctx *ctx, const struct queued *q)
{
	struct poller *p = w->p;
	json_t *res = NULL;
	char err[REQUEST_ERR_MAX] = "";
	enum probe_result r = PROBE_FAILED;
	/* poller_submit refuses an action without an executor; so does this. p->exec is set
	   before the workers start and never changed: read without the lock. */
	if (p->exec) {
		ctx->deadline = now_mono() + conn_timeout(p->cfg, w->conn);
		r = executor_run(p->exec, ctx, &q->req, &res, err, sizeof err);
	} else {
		snprintf(err, sizeof err, "read-only: no write executor, nothing was sent");
	}
	if (res) {
		json_clean_tree(res);
	} else {
		redact_secrets_inplace(err, sizeof err, (const char *const *)w->secrets);
		text_clean_inplace(err, sizeof err);
	}
	request_end(p, q, res, err);
	return r == PROBE_BROKEN ? PROBE_BROKEN : PROBE_OK;
}

/* Runs the stage's queued requests after a good poll, each ending as an event. */
static enum probe_result worker_requests(struct worker *w, struct stage_rt *s, struct probe_ctx *ctx,
                                         struct sample *smp)
{
	struct queued *qs;
	size_t n = requests_take(w->p, s, false, &qs);
	enum probe_result r = PROBE_OK;
	for (size_t i = 0; i < n; i++) {
		if (r == PROBE_BROKEN) {
			request_end(w->p, &qs[i], NULL, "the connection broke before this request ran");
			continue;
		}
		if (qs[i].req.op == REQ_SAMPLE)
			r = run_sample(w, s, ctx, &qs[i]);
		else
			r = run_action(w, ctx, &qs[i]);
	}
	free(qs);
	if (s->sample_last) {
		if (!smp->detail)
			smp->detail = json_object();
		json_object_set(smp->detail, "key_sample", s->sample_last);
	}
	return r;
}

/* The context of the stage's next poll (or of its prefetch: the same poll_no). */
static struct probe_ctx stage_ctx(struct worker *w, struct stage_rt *s, double deadline, unsigned long round)
{
	return (struct probe_ctx){
	    .cfg = w->p->cfg,
	    .st = s->cfg,
	    .session = w->session,
	    .deadline = deadline,
	    .memo = &s->memo,
	    .aux = &s->aux,
	    .poll_no = s->polls,
	    .round = round,
	};
}

/* Wakes the reader of poller_fd(): a sample or a completed round is in. */
static void notify(struct poller *p)
{
	if (p->notify[1] >= 0)
		(void)!write(p->notify[1], "", 1); /* a full pipe already says "new data" */
}

/* A chunk's prefetch: when it was sent and how long its round trip took (mono 0: none). */
struct fetched {
	double mono, took_s;
};

static void worker_poll_stage(struct worker *w, struct stage_rt *s, double round_start, unsigned long round,
                              const struct fetched *f)
{
	struct poller *p = w->p;
	struct sample smp;
	kind_sample_prepare(s->cfg->kind, &smp);
	smp.mono = now_mono();
	double deadline = smp.mono + conn_timeout(p->cfg, w->conn), start = smp.mono;

	bool tried = false;
	if (w->prefetch_connect_failed || !worker_connect(w, deadline, &tried)) {
		/* Within one round, later stages report the attempt made for the first as it was; so
		   does every stage of a one-shot run (--once), which makes no next attempt. */
		if (tried || w->tried_at >= round_start || p->one_shot)
			sample_set_error(&smp, "cannot connect to %s: %s", w->conn->display, w->conn_err);
		else
			sample_set_error(&smp, "cannot connect to %s: %s (next attempt in %.0fs)",
			                 w->conn->display, w->conn_err, ceil(w->retry_at - now_mono()));
	} else {
		struct probe_ctx ctx = stage_ctx(w, s, deadline, round);
		s->polls++;
		smp.ok = true;
		enum probe_result r = s->probe->poll(&ctx, &smp);
		if (r != PROBE_OK)
			smp.ok = false;
		if (r == PROBE_OK)
			r = worker_requests(w, s, &ctx, &smp);
		if (r == PROBE_OK) /* the canary's step on this stage, if one is due */
			r = canary_run_stage(p->canary, p->exec, &ctx, &smp, (const char *const *)w->secrets);
		if (r == PROBE_BROKEN) {
			w->be->close(w->session);
			w->session = NULL;
			w->retry_at = 0; /* the next poll reconnects at once; backoff starts if that fails */
		}
	}
	smp.latency_ms = (now_mono() - start) * 1000.0;
	if (f->mono > 0 && s->probe->prefetch) {
		smp.latency_ms += f->took_s * 1000.0; /* its statements' round trip, a timeout's too */
		if (smp.ok)
			smp.mono = f->mono; /* its figures are what the prefetch read, as of then */
	}
	smp.wall = now_wall();
	if (!smp.ok && !smp.err[0])
		strlcpy_safe(smp.err, "unknown error", sizeof smp.err);
	redact_secrets_inplace(smp.err, sizeof smp.err, (const char *const *)w->secrets);
	/* Where server text enters the sample: an error on one line, no control character (an
	   escape sequence must not reach a terminal), valid UTF-8 (JSON), in every string. */
	text_clean_inplace(smp.err, sizeof smp.err);
	json_clean_tree(smp.metrics);
	json_clean_tree(smp.detail);
	if (!smp.ok)
		requests_fail(w, s, smp.err);

	pthread_mutex_lock(&p->lock);
	const struct sample *prev = history_get(&s->hist, 0);
	if (s->probe->derive && prev && prev->ok && smp.ok)
		s->probe->derive(s->cfg, prev, &smp);
	history_push(&s->hist, &smp);
	pthread_mutex_unlock(&p->lock);
	notify(p);
}

/* The statements the polls of stages [from, to) will run, asked of their probes and sent in
   one round trip (backend.h prefetch_run), connecting first if need be; true when sent. */
static bool worker_prefetch(struct worker *w, size_t from, size_t to, unsigned long round, struct fetched *f)
{
	struct poller *p = w->p;
	if (!w->be->prefetch_run)
		return false;
	bool tried, any = false;
	for (size_t i = from; i < to && !any; i++)
		any = w->stages[i]->probe->prefetch != NULL;
	double t0 = now_mono(), deadline = t0 + conn_timeout(p->cfg, w->conn);
	w->prefetch_connect_failed = false;
	if (!any)
		return false;
	if (!worker_connect(w, deadline, &tried)) {
		w->prefetch_connect_failed = tried;
		return false;
	}
	size_t k = 0;
	for (size_t i = from; i < to; i++) {
		struct stage_rt *s = w->stages[i];
		if (!s->probe->prefetch)
			continue;
		struct probe_ctx ctx = stage_ctx(w, s, deadline, round);
		s->probe->prefetch(&ctx);
		k++;
	}
	char err[sizeof w->conn_err];
	/* Each stage keeps the time a poll of its own had (connecting included): k deadlines for k
	   stages' statements. A session that broke on the way is not dropped here: the answers
	   that came are still taken, and the first poll that finds none reports why and drops it. */
	f->mono = now_mono();
	double budget = (double)k * conn_timeout(p->cfg, w->conn);
	(void)w->be->prefetch_run(w->session, round, t0 + budget, err, sizeof err);
	f->took_s = now_mono() - f->mono;
	return true;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct poller *p = w->p;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stopping && w->round_done >= p->round_req)
			pthread_cond_wait(&p->wake, &p->lock);
		if (p->stopping)
			break;
		unsigned long target = p->round_req;
		w->busy_since = now_mono();
		pthread_mutex_unlock(&p->lock);
		double round_start = now_mono();
		for (size_t i = 0; i < w->n_stages; i += PREFETCH_CHUNK) {
			size_t end = i + PREFETCH_CHUNK < w->n_stages ? i + PREFETCH_CHUNK : w->n_stages;
			struct fetched f = {0, 0};
			bool fetched = worker_prefetch(w, i, end, target, &f);
			for (size_t j = i; j < end; j++)
				worker_poll_stage(w, w->stages[j], round_start, target, &f);
			if (fetched && w->session)
				w->be->prefetch_end(w->session);
		}
		pthread_mutex_lock(&p->lock);
		w->round_done = target;
		w->busy_since = 0;
		bool all = true;
		for (size_t i = 0; i < p->n_workers; i++)
			all &= p->workers[i].round_done >= target;
		if (all)
			p->last_complete = now_wall();
		pthread_cond_broadcast(&p->done);
		if (all) /* after the round's last sample: --serve publishes the round now */
			notify(p);
	}
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < w->n_stages; i++) {
		struct stage_rt *s = w->stages[i];
		if (s->aux && s->probe->aux_close)
			s->probe->aux_close(s->aux);
		s->aux = NULL;
	}
	if (w->session)
		w->be->close(w->session);
	w->session = NULL;
	return NULL;
}

bool poller_start(struct poller *p, char *err, size_t n)
{
	for (size_t i = 0; i < p->n_workers; i++) {
		struct worker *w = &p->workers[i];
		int rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc != 0) {
			snprintf(err, n, "cannot start a poll thread: %s", strerror(rc));
			return false;
		}
		w->started = true;
	}
	return true;
}

/* The longest a worker may take for one round: every stage at its deadline, plus slack. */
static double round_limit(const struct poller *p)
{
	double worst = 0;
	for (size_t i = 0; i < p->n_workers; i++) {
		double t = (double)p->workers[i].n_stages * conn_timeout(p->cfg, p->workers[i].conn);
		worst = fmax(worst, t);
	}
	return worst + 1.0;
}

void poller_round(struct poller *p)
{
	double until = now_mono() + round_limit(p);
	pthread_mutex_lock(&p->lock);
	unsigned long target = ++p->round_req;
	pthread_cond_broadcast(&p->wake);
	for (;;) {
		bool all = true;
		for (size_t i = 0; i < p->n_workers; i++)
			all &= p->workers[i].round_done >= target;
		if (all)
			break;
		double left = until - now_mono();
		if (left <= 0)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		double abs = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + left;
		ts.tv_sec = (time_t)abs;
		ts.tv_nsec = (long)((abs - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&p->done, &p->lock, &ts);
	}
	for (size_t i = 0; i < p->n_workers; i++)
		if (p->workers[i].round_done < target)
			p->round_given_up = target;
	pthread_mutex_unlock(&p->lock);
}

unsigned long poller_submit(struct poller *p, const struct request *req, char *why, size_t n)
{
	struct stage_rt *s = NULL;
	for (size_t i = 0; i < p->n_stages && !s; i++)
		if (p->stages[i].cfg == req->stage)
			s = &p->stages[i];
	if (!s) {
		snprintf(why, n, "no such stage in this synctop's config");
		return 0;
	}
	const char *kind = s->cfg->kind->name;
	if (req->op == REQ_SAMPLE && !(s->probe && s->probe->sample)) {
		snprintf(why, n, "%s/%s: the %s kind has no on-demand operation", s->pipeline, kind, kind);
		return 0;
	}
	if (req->op == REQ_ACTION && !kind_offers(s->cfg->kind, req->action)) {
		snprintf(why, n, "%s/%s: the %s kind offers no %s action", s->pipeline, kind, kind,
		         action_json_name(req->action) ? action_json_name(req->action) : "(none)");
		return 0;
	}
	if (req->op != REQ_SAMPLE && req->op != REQ_ACTION) {
		snprintf(why, n, "%s/%s: unknown request", s->pipeline, kind);
		return 0;
	}
	unsigned long id = 0;
	size_t waiting = 0;
	pthread_mutex_lock(&p->lock);
	if (req->op == REQ_ACTION && !executor_takes_actions(p->exec)) {
		snprintf(why, n, "read-only: %s on %s/%s is not allowed here (no write executor)",
		         action_json_name(req->action), s->pipeline, kind);
	} else {
		for (size_t i = 0; i < p->n_queue && !id; i++)
			if (p->queue[i].s == s && request_same(&p->queue[i].req, req))
				id = p->queue[i].id; /* the same request already waits: it answers for both */
			else if (p->queue[i].s == s)
				waiting++;
		if (!id && waiting >= POLLER_STAGE_QUEUE_MAX) {
			snprintf(why, n,
			         "%s/%s: %zu requests wait for its next poll already; try again after it",
			         s->pipeline, kind, waiting);
		} else if (!id) {
			p->queue = xrealloc(p->queue, (p->n_queue + 1) * sizeof *p->queue);
			id = ++p->last_id;
			struct queued q = {.id = id, .req = *req, .s = s};
			q.req.arg = req->arg ? json_deep_copy(req->arg) : NULL; /* the queue's own */
			p->queue[p->n_queue++] = q;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return id;
}

bool poller_event_take(struct poller *p, struct request_event *ev)
{
	pthread_mutex_lock(&p->lock);
	bool any = p->n_events > 0;
	if (any) {
		*ev = p->events[0];
		memmove(p->events, p->events + 1, (p->n_events - 1) * sizeof *p->events);
		p->n_events--;
	}
	pthread_mutex_unlock(&p->lock);
	return any;
}

void request_event_clear(struct request_event *ev)
{
	json_decref(ev->result);
	ev->result = NULL;
	json_decref(ev->req.arg);
	ev->req.arg = NULL;
}

void poller_attach_executor(struct poller *p, struct executor *ex)
{
	pthread_mutex_lock(&p->lock);
	if (!p->exec) /* once, before poller_start (the workers read it without the lock) */
		p->exec = ex;
	else
		executor_free(ex);
	pthread_mutex_unlock(&p->lock);
}

void poller_canary_start(struct poller *p)
{
	canary_run_enable(p->canary, p->exec);
}

void poller_one_shot(struct poller *p)
{
	p->one_shot = true; /* before poller_start: the workers read it without the lock */
}

bool poller_can_write(struct poller *p)
{
	pthread_mutex_lock(&p->lock);
	bool can = executor_takes_actions(p->exec);
	pthread_mutex_unlock(&p->lock);
	return can;
}

void poller_request_round(struct poller *p)
{
	pthread_mutex_lock(&p->lock);
	p->round_req++;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

int poller_fd(const struct poller *p)
{
	return p->notify[0];
}

void poller_drain_fd(struct poller *p)
{
	char buf[256];
	while (p->notify[0] >= 0 && read(p->notify[0], buf, sizeof buf) > 0)
		;
}

double poller_last_complete(struct poller *p)
{
	pthread_mutex_lock(&p->lock);
	double t = p->last_complete;
	pthread_mutex_unlock(&p->lock);
	return t;
}

/* A worker past its round limit is inside a call that ignored its deadline. */
static bool worker_overdue(const struct poller *p, const struct worker *w, double now, double limit)
{
	if (w->round_done < p->round_given_up)
		return true;
	return w->busy_since > 0 && now - w->busy_since > limit;
}

static void fill_series(const struct stage_rt *s, struct stage_view *sv)
{
	sv->n_series = s->hist.len;
	sv->series = xcalloc((size_t)(sv->n_series ? sv->n_series : 1), sizeof *sv->series);
	for (int i = 0; i < sv->n_series; i++)
		sv->series[i] = history_point(&s->hist, sv->n_series - 1 - i)->value;
	const char *err = history_last_error(&s->hist, &sv->last_err_at);
	if (err)
		strlcpy_safe(sv->last_err, err, sizeof sv->last_err);
}

void poller_snapshot(struct poller *p, struct snapshot *out)
{
	const struct config *cfg = p->cfg;
	memset(out, 0, sizeof *out);
	out->cfg = cfg;
	out->taken_at = now_wall();
	out->n_pipes = cfg->n_pipelines;
	out->pipes = xcalloc(cfg->n_pipelines, sizeof *out->pipes);
	size_t k = 0;
	double now = now_mono(), limit = round_limit(p);
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < cfg->n_pipelines; i++) {
		struct pipeline_view *pv = &out->pipes[i];
		pv->cfg = &cfg->pipelines[i];
		pv->n_stages = pv->cfg->n_stages;
		pv->stages = xcalloc(pv->n_stages, sizeof *pv->stages);
		for (size_t j = 0; j < pv->n_stages; j++, k++) {
			struct stage_rt *s = &p->stages[k];
			struct stage_view *sv = &pv->stages[j];
			sv->cfg = s->cfg;
			sv->n_samples = s->hist.len;
			const struct sample *cur = history_get(&s->hist, 0), *prev = history_get(&s->hist, 1);
			fill_series(s, sv);
			if (worker_overdue(p, s->worker, now, limit)) {
				/* This round's poll is still running past its deadline: say so, never wait.
				 */
				kind_sample_prepare(s->cfg->kind, &sv->cur);
				sample_set_error(&sv->cur, "no answer within %.0fs (poll still running)",
				                 limit);
				sv->cur.wall = out->taken_at;
				if (cur)
					sample_copy(&sv->prev, cur);
				continue;
			}
			if (cur)
				sample_copy(&sv->cur, cur);
			if (prev)
				sample_copy(&sv->prev, prev);
		}
	}
	pthread_mutex_unlock(&p->lock);
	canary_run_view(p->canary, out);
}

/* Waits (lock held) until no worker is inside a round or the monotonic time `until` passes. */
static void wait_idle(struct poller *p, double until)
{
	for (;;) {
		bool busy = false;
		for (size_t i = 0; i < p->n_workers; i++)
			busy |= p->workers[i].started && p->workers[i].busy_since > 0;
		double left = until - now_mono();
		if (!busy || left <= 0)
			return;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		double abs = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + fmin(left, 0.1);
		ts.tv_sec = (time_t)abs;
		ts.tv_nsec = (long)((abs - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&p->done, &p->lock, &ts);
	}
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->wake);
	/* A normal poll takes milliseconds: give the ones in progress a moment to end, then
	   leave behind what is stuck (a quit must not wait for a hung backend's deadline;
	   nor a --once that already gave up on a round). */
	if (!p->round_given_up)
		wait_idle(p, now_mono() + 0.3);
	bool stuck = false;
	for (size_t i = 0; i < p->n_workers; i++)
		stuck |= p->workers[i].started && p->workers[i].busy_since > 0;
	pthread_mutex_unlock(&p->lock);
	if (stuck) {
		/* A worker is inside a library call that ignored its deadline: leave it (and the
		   memory it uses) behind rather than hang the process on exit. */
		for (size_t i = 0; i < p->n_workers; i++)
			if (p->workers[i].started)
				pthread_detach(p->workers[i].thread);
		return;
	}
	for (size_t i = 0; i < p->n_workers; i++)
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
	for (size_t i = 0; i < p->n_stages; i++) {
		history_free(&p->stages[i].hist);
		json_decref(p->stages[i].memo);
		json_decref(p->stages[i].sample_last);
	}
	for (size_t i = 0; i < p->n_queue; i++)
		json_decref(p->queue[i].req.arg);
	free(p->queue);
	for (size_t i = 0; i < p->n_events; i++)
		request_event_clear(&p->events[i]);
	free(p->events);
	executor_free(p->exec);
	canary_run_free(p->canary);
	for (size_t i = 0; i < p->n_workers; i++) {
		free(p->workers[i].stages);
		secrets_free(p->workers[i].secrets);
	}
	free(p->stages);
	free(p->workers);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	for (int i = 0; i < 2; i++)
		if (p->notify[i] >= 0)
			close(p->notify[i]);
	free(p);
}
