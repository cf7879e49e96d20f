/* canary_run.c: drives the pipelines' canaries from the poller's workers (canary_run.h). */
#include "canary_run.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "exec.h"
#include "kinds/kind.h"
#include "redact.h"
#include "sanitize.h"
#include "util.h"

struct canary_pipe {
	const struct pipeline *pl;
	struct canary_state st;
	json_t *m;           /* the marker in flight: "marker", "row", "at", "hop" (the hop check's state) */
	json_t *cleanup;     /* the marker seen at every hop, to remove (NULL: none) */
	unsigned clean_mask; /* the stages (bit j: stages[j]) that still have to remove it */
};

struct canary_run {
	const struct config *cfg;
	pthread_mutex_t lock;
	struct canary_pipe *pipes;
	size_t n;
	bool enabled;
};

struct canary_run *canary_run_new(const struct config *cfg)
{
	struct canary_run *cr = xcalloc(1, sizeof *cr);
	cr->cfg = cfg;
	pthread_mutex_init(&cr->lock, NULL);
	cr->n = cfg->n_pipelines;
	cr->pipes = xcalloc(cr->n ? cr->n : 1, sizeof *cr->pipes);
	for (size_t i = 0; i < cr->n; i++) {
		cr->pipes[i].pl = &cfg->pipelines[i];
		canary_init(&cr->pipes[i].st, cr->pipes[i].pl, "read-only: no write executor");
	}
	return cr;
}

void canary_run_free(struct canary_run *cr)
{
	if (!cr)
		return;
	for (size_t i = 0; i < cr->n; i++) {
		json_decref(cr->pipes[i].m);
		json_decref(cr->pipes[i].cleanup);
	}
	free(cr->pipes);
	pthread_mutex_destroy(&cr->lock);
	free(cr);
}

void canary_run_enable(struct canary_run *cr, const struct executor *ex)
{
	if (!ex)
		return;
	pthread_mutex_lock(&cr->lock);
	cr->enabled = true;
	for (size_t i = 0; i < cr->n; i++)
		canary_init(&cr->pipes[i].st, cr->pipes[i].pl, NULL);
	pthread_mutex_unlock(&cr->lock);
}

void canary_run_view(struct canary_run *cr, struct snapshot *snap)
{
	pthread_mutex_lock(&cr->lock);
	for (size_t i = 0; i < cr->n && i < snap->n_pipes; i++) {
		canary_expire(&cr->pipes[i].st, &cr->pipes[i].pl->canary, now_wall());
		snap->pipes[i].canary = cr->pipes[i].st;
	}
	pthread_mutex_unlock(&cr->lock);
}

/* Appends the audit line of one canary write (insert or cleanup); false when it cannot. */
static bool audit_write(const struct config *cfg, const struct probe_ctx *ctx, const struct pipeline *pl,
                        const char *marker, const json_t *res, const char *err, double t0)
{
	char target[256], aerr[256];
	stage_target(ctx->st, target, sizeof target);
	const char *sent = json_string_value(json_object_get(res, "sent"));
	json_int_t affected = json_integer_value(json_object_get(res, "affected"));
	struct audit_entry e = {
	    .pipeline = pl->name,
	    .stage = ctx->st->kind->name,
	    .action_word = "canary",
	    .scope = marker,
	    .target = target,
	    .previewed = 1,
	    .affected = res ? (json_object_get(res, "affected") ? affected : 1) : AUDIT_UNKNOWN,
	    .answer = res ? sent : NULL,
	    .result = res ? AUDIT_APPLIED : AUDIT_FAILED,
	    .reason = res ? (json_object_get(res, "row") ? "marker inserted" : "marker removed") : err,
	    .duration_ms = (int64_t)((now_mono() - t0) * 1000),
	    .conn = ctx->st->conn,
	};
	return audit_append(cfg, &e, aerr, sizeof aerr);
}

/* A write of the canary (the insert, or the cleanup of m) through the executor, audited. */
static enum probe_result canary_write(struct canary_run *cr, struct executor *ex, const struct probe_ctx *ctx,
                                      const struct pipeline *pl, bool cleanup, const json_t *m, json_t **res,
                                      char *err, size_t n, const char *const *secrets)
{
	const char *marker = json_string_value(json_object_get(m, "marker"));
	if (!audit_ready(cr->cfg, err, n))
		return PROBE_FAILED; /* nothing sent: a write that cannot be audited is not made */
	double t0 = now_mono();
	enum probe_result r = executor_canary(ex, ctx, cleanup, m, res, err, n);
	if (!*res) {
		redact_secrets_inplace(err, n, secrets);
		text_clean_inplace(err, n);
	} else {
		json_clean_tree(*res);
	}
	if (!audit_write(cr->cfg, ctx, pl, marker, *res, err, t0) && *res)
		snprintf(err, n, "the audit log could not be written after the marker %s",
		         cleanup ? "cleanup" : "insert");
	return r;
}

static struct canary_pipe *pipe_of(struct canary_run *cr, const struct stage_cfg *st)
{
	for (size_t i = 0; i < cr->n; i++)
		for (size_t j = 0; j < cr->pipes[i].pl->n_stages; j++)
			if (&cr->pipes[i].pl->stages[j] == st)
				return &cr->pipes[i];
	return NULL;
}

static void marker_name(unsigned long seq, char *buf, size_t n)
{
	char host[64] = "host";
	if (gethostname(host, sizeof host) != 0)
		strlcpy_safe(host, "host", sizeof host);
	host[sizeof host - 1] = '\0';
	for (char *c = host; *c; c++) /* a name for a URL path and a SQL parameter: plain */
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '-'))
			*c = '-';
	snprintf(buf, n, "synctop-canary-%s-%ld-%lu", host, (long)getpid(), seq);
}

/* A marker seen at every hop is removed from stages[j] (canary.cleanup on the first stage,
   the kind's own delete elsewhere), once. */
static enum probe_result step_cleanup(struct canary_run *cr, struct canary_pipe *cp, struct executor *ex,
                                      const struct probe_ctx *ctx, size_t j, const char *const *secrets)
{
	const struct canary_cfg *cc = &cp->pl->canary;
	pthread_mutex_lock(&cr->lock);
	json_t *m = cp->clean_mask & (1u << j) ? json_deep_copy(cp->cleanup) : NULL;
	cp->clean_mask &= ~(1u << j);
	pthread_mutex_unlock(&cr->lock);
	if (!m)
		return PROBE_OK;
	enum probe_result r = PROBE_OK;
	if (j == 0 && cc->cleanup && !*cc->cleanup) { /* canary.cleanup = (empty): keep markers */
		json_decref(m);
		return r;
	}
	json_object_set_new(m, "sql", j == 0 && cc->cleanup ? json_string(cc->cleanup) : json_null());
	json_t *res = NULL;
	char err[REQUEST_ERR_MAX] = "";
	r = canary_write(cr, ex, ctx, cp->pl, true, m, &res, err, sizeof err, secrets);
	if (!res) {
		pthread_mutex_lock(&cr->lock);
		canary_failed(&cp->st, err, false, now_wall());
		pthread_mutex_unlock(&cr->lock);
	}
	json_decref(res);
	json_decref(m);
	return r;
}

/* The insert stage: a marker due is inserted. */
static enum probe_result step_first(struct canary_run *cr, struct canary_pipe *cp, struct executor *ex,
                                    const struct probe_ctx *ctx, const char *const *secrets)
{
	const struct canary_cfg *cc = &cp->pl->canary;
	char err[REQUEST_ERR_MAX] = "";
	enum probe_result r = PROBE_OK;
	pthread_mutex_lock(&cr->lock);
	bool due = canary_due(&cp->st, cc, now_wall());
	unsigned long seq = cp->st.seq + 1;
	pthread_mutex_unlock(&cr->lock);
	if (!due)
		return r;
	char marker[128];
	marker_name(seq, marker, sizeof marker);
	json_t *m = json_pack("{s:s,s:o}", "marker", marker, "sql",
	                      cc->insert ? json_string(cc->insert) : json_null());
	json_t *res = NULL;
	r = canary_write(cr, ex, ctx, cp->pl, false, m, &res, err, sizeof err, secrets);
	double at = now_wall();
	pthread_mutex_lock(&cr->lock);
	if (res) {
		json_int_t row = json_integer_value(json_object_get(res, "row"));
		json_object_set_new(m, "row", json_integer(row));
		json_object_set_new(m, "at", json_real(at));
		json_object_set_new(m, "hop", json_object());
		json_decref(cp->m);
		cp->m = m;
		m = NULL;
		canary_inserted(&cp->st, marker, (long long)row, at);
	} else {
		canary_failed(&cp->st, err, true, at);
	}
	pthread_mutex_unlock(&cr->lock);
	json_decref(m);
	json_decref(res);
	return r;
}

/* canary.cache_key with every {marker} replaced by marker (a buffer of the calling thread's). */
static const char *key_of(const char *pattern, const char *marker)
{
	static _Thread_local char buf[512];
	buf[0] = '\0';
	for (const char *p = pattern; *p;) {
		if (!strncmp(p, "{marker}", 8)) {
			snappendf(buf, sizeof buf, "%s", marker);
			p += 8;
		} else {
			snappendf(buf, sizeof buf, "%c", *p++);
		}
	}
	return buf;
}

/* The hop awaited, when it is this stage's: checked once. */
static enum probe_result step_hop(struct canary_run *cr, struct canary_pipe *cp, const struct probe_ctx *ctx,
                                  const struct sample *cur, const char *const *secrets)
{
	pthread_mutex_lock(&cr->lock);
	canary_expire(&cp->st, &cp->pl->canary, now_wall());
	const struct canary_state *c = &cp->st;
	bool mine = c->phase == CANARY_INFLIGHT && c->hop[c->next_hop] == ctx->st && cp->m;
	json_t *m = mine ? json_deep_copy(cp->m) : NULL;
	const char *ck = cp->pl->canary.cache_key;
	if (m && ck) /* canary.cache_key, {marker} replaced by the marker's id */
		json_object_set_new(m, "cache_key", json_string(key_of(ck, c->marker)));
	if (m) /* what the hop may rely on was read after the hop before it saw the marker */
		json_object_set_new(m, "since",
		                    json_real(c->next_hop ? c->hop_at[c->next_hop - 1] : c->inserted_at));
	unsigned long seq = c->seq;
	pthread_mutex_unlock(&cr->lock);
	if (!m)
		return PROBE_OK;
	bool seen = false;
	char err[REQUEST_ERR_MAX] = "";
	double polled = now_wall() - (now_mono() - cur->mono); /* when the poll of cur started */
	enum probe_result r = ctx->st->kind->probe->canary->hop(ctx, cur, polled, m, &seen, err, sizeof err);
	double at = now_wall();
	if (r != PROBE_OK) {
		redact_secrets_inplace(err, sizeof err, secrets);
		text_clean_inplace(err, sizeof err);
	}
	pthread_mutex_lock(&cr->lock);
	if (cp->st.seq == seq && cp->st.phase == CANARY_INFLIGHT) {
		json_object_set_new(cp->m, "hop",
		                    json_deep_copy(json_object_get(m, "hop"))); /* its own state, unshared */
		if (r != PROBE_OK) {
			canary_failed(&cp->st, err, false, at);
		} else if (seen) {
			json_object_set_new(cp->m, "hop", json_object()); /* the next hop starts afresh */
			if (canary_seen(&cp->st, at)) {
				json_decref(cp->cleanup); /* one not yet removed everywhere stays */
				cp->cleanup = cp->m;
				cp->m = NULL;
				cp->clean_mask = 0;
				for (size_t j = 0; j < cp->pl->n_stages && j < 32; j++) {
					const struct probe *pr = cp->pl->stages[j].kind->probe;
					if (pr && pr->canary && pr->canary->cleanup)
						cp->clean_mask |= 1u << j;
				}
			}
		}
	}
	pthread_mutex_unlock(&cr->lock);
	json_decref(m);
	return r;
}

enum probe_result canary_run_stage(struct canary_run *cr, struct executor *ex, const struct probe_ctx *ctx,
                                   const struct sample *cur, const char *const *secrets)
{
	if (!cr || !ex)
		return PROBE_OK;
	struct canary_pipe *cp = pipe_of(cr, ctx->st);
	if (!cp)
		return PROBE_OK;
	pthread_mutex_lock(&cr->lock);
	bool on = cr->enabled && cp->st.phase != CANARY_OFF;
	pthread_mutex_unlock(&cr->lock);
	if (!on)
		return PROBE_OK;
	struct probe_ctx c = *ctx;
	c.deadline = now_mono() + conn_timeout(cr->cfg, ctx->st->conn);
	size_t j = (size_t)(ctx->st - cp->pl->stages);
	enum probe_result r = j < 32 ? step_cleanup(cr, cp, ex, &c, j, secrets) : PROBE_OK;
	if (r == PROBE_OK && j == 0) {
		c.deadline = now_mono() + conn_timeout(cr->cfg, ctx->st->conn);
		r = step_first(cr, cp, ex, &c, secrets);
	}
	if (r == PROBE_OK && ctx->st->kind->probe->canary && ctx->st->kind->probe->canary->hop) {
		c.deadline = now_mono() + conn_timeout(cr->cfg, ctx->st->conn);
		r = step_hop(cr, cp, &c, cur, secrets);
	}
	return r;
}
