/* track.c: each stage's and diagnosis's state across evaluations: damping, since, events. */
#include "track.h"

#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "kinds/kind.h"
#include "util.h"

bool damping_family_known(const char *family)
{
	return kind_by_name(family, strlen(family)) || rule_id_known(family);
}

static const struct kv *family_find(const struct kv *kv, const char *name)
{
	for (; name && *name && kv; kv = kv->next)
		if (!strcmp(kv->key, name))
			return kv;
	return NULL;
}

int damping_count(const struct config *cfg, bool confirm, const char *kind, const char *rule)
{
	const struct kv *list = confirm ? cfg->confirm_family : cfg->clear_family;
	const struct kv *kv = family_find(list, rule);
	if (!kv)
		kv = family_find(list, kind);
	if (kv)
		return atoi(kv->value);
	/* A rule judged over a window has held for it: confirming it again only delays it. */
	const struct kind *k = kind && rule ? kind_by_name(kind, strlen(kind)) : NULL;
	const struct rule_def *r = k ? kind_rule(k, rule) : NULL;
	if (confirm && r && (r->role & RULE_WINDOWED))
		return 1;
	return confirm ? cfg->confirm : cfg->clear;
}

/* One (stage, rule) diagnosis; nth tells apart two of the same rule on one stage. */
struct diag_track {
	const struct stage_cfg *stage;
	char rule[64];
	int nth;
	bool shown;
	int streak;            /* consecutive evaluations that disagree with shown */
	double since;          /* the poll that first showed it (of the streak while not shown) */
	struct diagnosis last; /* its newest text: shown while it clears */
	bool present;          /* in this evaluation (scratch) */
};

struct stage_track {
	bool seen;   /* evaluated once: later changes are damped */
	double mono; /* cur.mono of the last evaluation counted */
	enum status shown;
	char reason[256];
	double since;
	int streak; /* consecutive evaluations worse (or better) than shown */
	bool worse; /* the streak's direction */
	double streak_since;
};

struct pipe_track {
	struct stage_track *stages;
	struct diag_track *diags;
	size_t n_diags;
	struct event_ring *events; /* from the first event on (a thousand quiet pipelines need none) */
};

struct tracker {
	const struct config *cfg;
	bool undamped;
	FILE *log;
	struct pipe_track *pipes;
};

struct tracker *tracker_new(const struct config *cfg)
{
	struct tracker *t = xcalloc(1, sizeof *t);
	t->cfg = cfg;
	t->pipes = xcalloc(cfg->n_pipelines ? cfg->n_pipelines : 1, sizeof *t->pipes);
	for (size_t i = 0; i < cfg->n_pipelines; i++)
		t->pipes[i].stages = xcalloc(cfg->pipelines[i].n_stages ? cfg->pipelines[i].n_stages : 1,
		                             sizeof *t->pipes[i].stages);
	return t;
}

void tracker_free(struct tracker *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cfg->n_pipelines; i++) {
		free(t->pipes[i].stages);
		free(t->pipes[i].diags);
		free(t->pipes[i].events);
	}
	free(t->pipes);
	free(t);
}

void tracker_undamped(struct tracker *t)
{
	t->undamped = true;
}

void tracker_log_to(struct tracker *t, FILE *log)
{
	t->log = log;
}

static struct pipe_track *pipe_of(const struct tracker *t, const struct pipeline *pl)
{
	for (size_t i = 0; i < t->cfg->n_pipelines; i++)
		if (&t->cfg->pipelines[i] == pl)
			return &t->pipes[i];
	return NULL;
}

const struct event *tracker_event(const struct tracker *t, const struct pipeline *pl, size_t ago)
{
	const struct pipe_track *pt = pipe_of(t, pl);
	return pt && pt->events ? event_ring_get(pt->events, ago) : NULL;
}

static int need(const struct tracker *t, bool confirm, const struct stage_cfg *st, const char *rule)
{
	return t->undamped ? 1 : damping_count(t->cfg, confirm, st->kind->name, rule);
}

static void emit(struct tracker *t, struct pipe_track *pt, const struct event *e)
{
	if (!pt->events)
		pt->events = xcalloc(1, sizeof *pt->events);
	event_ring_push(pt->events, e);
	if (t->log)
		event_log(t->log, e);
	record_event(e);
}

static struct event event_of(const struct pipeline_view *pv, const struct stage_view *sv, double wall,
                             enum status from, enum status to, const char *rule, const char *reason)
{
	struct event e = {
	    .wall = wall, .pipeline = pv->cfg->name, .stage = sv->cfg->kind->name, .from = from, .to = to};
	strlcpy_safe(e.rule, rule ? rule : "", sizeof e.rule);
	strlcpy_safe(e.reason, reason ? reason : "", sizeof e.reason);
	return e;
}

/* The track of the nth diagnosis of rule on stage, or NULL. */
static struct diag_track *diag_find(struct pipe_track *pt, const struct stage_cfg *st, const char *rule,
                                    int nth)
{
	for (size_t i = 0; i < pt->n_diags; i++) {
		struct diag_track *d = &pt->diags[i];
		if (d->stage == st && d->nth == nth && !strcmp(d->rule, rule))
			return d;
	}
	return NULL;
}

/* Which one of its rule on its stage raw[i] is (0 for the first). */
static int diag_nth(const struct diagnosis *raw, size_t i)
{
	int nth = 0;
	for (size_t j = 0; j < i; j++)
		if (raw[j].stage == raw[i].stage && !strcmp(raw[j].rule, raw[i].rule))
			nth++;
	return nth;
}

/* The rule whose family damps a change of the stage's status: for a worse status the first
   diagnosis of the stage at that severity in this evaluation, for a better one the first shown
   at the severity it leaves; NULL when none (the kind's family then). */
static const char *status_rule(const struct pipe_track *pt, const struct pipeline_view *pv,
                               const struct stage_view *sv, enum status want, enum status shown)
{
	if (want > shown) {
		for (size_t i = 0; i < pv->n_diags; i++)
			if (pv->diags[i].stage == sv->cfg && pv->diags[i].severity == want)
				return pv->diags[i].rule;
		return NULL;
	}
	for (size_t i = 0; i < pt->n_diags; i++)
		if (pt->diags[i].stage == sv->cfg && pt->diags[i].shown &&
		    pt->diags[i].last.severity == shown)
			return pt->diags[i].rule;
	return NULL;
}

/* A new sample of sv: damps its status and its diagnoses, and records what changed. */
static void stage_step(struct tracker *t, struct pipe_track *pt, struct stage_track *st,
                       const struct pipeline_view *pv, const struct stage_view *sv, double now_wall)
{
	double at = sv->cur.wall > 0 ? sv->cur.wall : now_wall;
	bool first = !st->seen;
	st->seen = true;
	st->mono = sv->cur.mono;

	/* The status, judged against the diagnoses shown before this evaluation. */
	enum status from = st->shown, want = sv->status;
	bool changed = false;
	if (first || want == st->shown) {
		if (first) {
			st->shown = want;
			st->since = at;
		}
		st->streak = 0;
		strlcpy_safe(st->reason, sv->reason, sizeof st->reason);
	} else {
		bool worse = want > st->shown;
		if (st->streak == 0 || st->worse != worse) {
			st->streak = 0;
			st->worse = worse;
			st->streak_since = at;
		}
		st->streak++;
		if (st->streak >= need(t, worse, sv->cfg, status_rule(pt, pv, sv, want, st->shown))) {
			st->shown = want;
			st->since = st->streak_since;
			st->streak = 0;
			strlcpy_safe(st->reason, sv->reason, sizeof st->reason);
			changed = true;
		}
	}

	/* The diagnoses of the stage. */
	for (size_t i = 0; i < pt->n_diags; i++)
		if (pt->diags[i].stage == sv->cfg)
			pt->diags[i].present = false;
	for (size_t i = 0; i < pv->n_diags; i++) {
		const struct diagnosis *d = &pv->diags[i];
		if (d->stage != sv->cfg)
			continue;
		int nth = diag_nth(pv->diags, i);
		struct diag_track *dt = diag_find(pt, d->stage, d->rule, nth);
		if (!dt) {
			pt->diags = xrealloc(pt->diags, (pt->n_diags + 1) * sizeof *pt->diags);
			dt = &pt->diags[pt->n_diags++];
			memset(dt, 0, sizeof *dt);
			dt->stage = d->stage;
			strlcpy_safe(dt->rule, d->rule, sizeof dt->rule);
			dt->nth = nth;
			dt->since = at;
			dt->shown = first;
		}
		dt->present = true;
		dt->last = *d;
	}
	/* Appeared and cleared, for the events after the status's own. */
	struct diagnosis *appeared = NULL;
	size_t n_appeared = 0;
	char cleared[256] = "";
	struct event *gone = NULL;
	size_t n_gone = 0;
	for (size_t i = 0; i < pt->n_diags;) {
		struct diag_track *dt = &pt->diags[i];
		if (dt->stage != sv->cfg) {
			i++;
			continue;
		}
		if (dt->shown == dt->present) {
			dt->streak = 0;
		} else if (++dt->streak >= need(t, dt->present, dt->stage, dt->rule)) {
			dt->shown = dt->present;
			dt->streak = 0;
			if (dt->shown) {
				appeared = xrealloc(appeared, (n_appeared + 1) * sizeof *appeared);
				appeared[n_appeared++] = dt->last;
			} else {
				snappendf(cleared, sizeof cleared, "%s%s", cleared[0] ? ", " : "", dt->rule);
				gone = xrealloc(gone, (n_gone + 1) * sizeof *gone);
				gone[n_gone++] =
				    event_of(pv, sv, now_wall, dt->last.severity, ST_OK, dt->rule, "cleared");
			}
		}
		if (!dt->shown && !dt->present) { /* cleared, or a flap that never showed */
			pt->diags[i] = pt->diags[--pt->n_diags];
			continue;
		}
		i++;
	}

	/* The status's event names the rule behind the new status, or what cleared. */
	const char *rule = NULL;
	if (changed) {
		for (size_t i = 0; i < pv->n_diags && !rule; i++)
			if (pv->diags[i].stage == sv->cfg && pv->diags[i].severity == st->shown)
				rule = pv->diags[i].rule;
		char reason[256];
		if (st->reason[0])
			strlcpy_safe(reason, st->reason, sizeof reason);
		else if (cleared[0])
			snprintf(reason, sizeof reason, "cleared %s", cleared);
		else
			reason[0] = '\0';
		struct event e = event_of(pv, sv, now_wall, from, st->shown, rule, reason);
		emit(t, pt, &e);
	}
	for (size_t i = 0; i < n_appeared; i++)
		if (!rule || strcmp(rule, appeared[i].rule)) {
			struct event e = event_of(pv, sv, now_wall, ST_OK, appeared[i].severity,
			                          appeared[i].rule, appeared[i].evidence);
			emit(t, pt, &e);
		}
	bool said = changed && !st->reason[0] && cleared[0]; /* "cleared RULE" said it */
	for (size_t i = 0; i < n_gone && !said; i++)
		emit(t, pt, &gone[i]);
	free(appeared);
	free(gone);
}

/* Worst first; equal severities keep their order (as health.c sorts them). */
static void sort_diags(struct diagnosis *d, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct diagnosis key = d[i];
		size_t j = i;
		for (; j > 0 && d[j - 1].severity < key.severity; j--)
			d[j] = d[j - 1];
		d[j] = key;
	}
}

static void shown_since(struct diagnosis *d, const struct diag_track *dt)
{
	if (d->since > 0) { /* the rule knows when it started */
		d->since_seen = false;
		return;
	}
	d->since = dt->since;
	d->since_seen = true;
}

/* The pipeline's diagnoses as shown: this evaluation's that are shown, then those still
   clearing (their last text). */
static void pipe_show(struct pipe_track *pt, struct pipeline_view *pv)
{
	struct diagnosis *out = xcalloc(pv->n_diags + pt->n_diags + 1, sizeof *out);
	size_t n = 0;
	for (size_t i = 0; i < pv->n_diags; i++) {
		const struct diagnosis *d = &pv->diags[i];
		struct diag_track *dt = diag_find(pt, d->stage, d->rule, diag_nth(pv->diags, i));
		if (!dt) { /* a stage never polled: nothing to damp */
			out[n++] = *d;
			continue;
		}
		if (!dt->shown)
			continue;
		out[n] = *d;
		shown_since(&out[n++], dt);
	}
	for (size_t i = 0; i < pt->n_diags; i++) {
		const struct diag_track *dt = &pt->diags[i];
		bool present = false;
		for (size_t j = 0; j < pv->n_diags && !present; j++)
			present = pv->diags[j].stage == dt->stage && !strcmp(pv->diags[j].rule, dt->rule) &&
			          diag_nth(pv->diags, j) == dt->nth;
		if (!dt->shown || present)
			continue;
		out[n] = dt->last;
		shown_since(&out[n++], dt);
	}
	sort_diags(out, n);
	free(pv->diags);
	pv->diags = out;
	pv->n_diags = n;
}

void tracker_update(struct tracker *t, struct snapshot *snap, double now_wall)
{
	snap->status = ST_OK;
	for (size_t i = 0; i < snap->n_pipes; i++) {
		struct pipeline_view *pv = &snap->pipes[i];
		struct pipe_track *pt = pipe_of(t, pv->cfg);
		if (!pt || pv->n_stages != pv->cfg->n_stages)
			continue;
		for (size_t j = 0; j < pv->n_stages; j++) {
			struct stage_view *sv = &pv->stages[j];
			struct stage_track *st = &pt->stages[j];
			if (!sv->cur.metrics) /* never polled: nothing to damp, no start known */
				continue;
			if (!st->seen || sv->cur.mono != st->mono)
				stage_step(t, pt, st, pv, sv, now_wall);
		}
		pipe_show(pt, pv);
		pv->status = ST_OK;
		for (size_t j = 0; j < pv->n_stages; j++) {
			struct stage_view *sv = &pv->stages[j];
			const struct stage_track *st = &pt->stages[j];
			if (st->seen) {
				if (sv->status != st->shown)
					strlcpy_safe(sv->reason, st->reason, sizeof sv->reason);
				sv->status = st->shown;
				sv->since = st->since;
			}
			pv->status = status_worst(pv->status, sv->status);
		}
	}
	for (size_t i = 0; i < snap->n_pipes; i++)
		snap->status = status_worst(snap->status, snap->pipes[i].status);
}
