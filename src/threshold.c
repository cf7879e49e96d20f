/* threshold.c: the thresholds in force for a stage's metrics (KIND options or --warn/--crit overrides). */
#include "threshold.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"
#include "kinds/kind.h"
#include "rules.h"
#include "units.h"
#include "util.h"

bool metric_numeric(const struct metric_def *m)
{
	switch (m->unit) {
	case MU_COUNT:
	case MU_COUNTER:
	case MU_SECONDS:
	case MU_BYTES:
	case MU_RATIO:
	case MU_FACTOR:
	case MU_PER_SECOND:
		return true;
	default:
		return false;
	}
}

static const struct metric_def *metric_by_name(const struct kind *k, const char *name)
{
	for (const struct metric_def *m = k->metrics; m->name; m++)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

/* "pending, oldest_pending_age_s, ...": the kind's numeric metrics, for messages. */
static void numeric_names(const struct kind *k, char *buf, size_t n)
{
	buf[0] = '\0';
	for (const struct metric_def *m = k->metrics; m->name; m++)
		if (metric_numeric(m))
			snappendf(buf, n, "%s%s", buf[0] ? ", " : "", m->name);
}

bool thresholds_add(struct thresholds *t, const char *spec, bool crit, char *msg, size_t n)
{
	const char *flag = crit ? "--crit" : "--warn";
	const char *eq = strrchr(spec, '=');
	if (!eq) {
		snprintf(msg, n, "%s '%s': expected [PIPELINE/]KIND.METRIC=RANGE, e.g. outbox.pending=100",
		         flag, spec);
		return false;
	}
	const char *name = spec, *slash = NULL;
	for (const char *p = spec; p < eq; p++)
		if (*p == '/')
			slash = p;
	if (slash)
		name = slash + 1;
	if (slash == spec) {
		snprintf(msg, n, "%s '%s': empty pipeline name before '/'", flag, spec);
		return false;
	}
	const char *dot = memchr(name, '.', (size_t)(eq - name));
	if (!dot || dot == name || dot + 1 == eq) {
		snprintf(msg, n, "%s '%s': expected KIND.METRIC before '=', e.g. outbox.pending", flag, spec);
		return false;
	}
	const struct kind *k = kind_by_name(name, (size_t)(dot - name));
	if (!k) {
		char known[256] = "";
		for (const struct kind *const *p = kinds; *p; p++)
			snappendf(known, sizeof known, "%s%s", known[0] ? ", " : "", (*p)->name);
		snprintf(msg, n, "%s '%s': unknown kind '%.*s' (kinds: %s)", flag, spec, (int)(dot - name),
		         name, known);
		return false;
	}
	char metric[128];
	snprintf(metric, sizeof metric, "%.*s", (int)(eq - dot - 1), dot + 1);
	const struct metric_def *m = metric_by_name(k, metric);
	char names[512];
	numeric_names(k, names, sizeof names);
	if (!m) {
		snprintf(msg, n, "%s '%s': %s has no metric '%s' (its numeric metrics: %s)", flag, spec,
		         k->name, metric, names);
		return false;
	}
	if (!metric_numeric(m)) {
		snprintf(msg, n, "%s '%s': %s.%s is not numeric (its numeric metrics: %s)", flag, spec,
		         k->name, metric, names);
		return false;
	}
	struct range r;
	char why[256];
	if (!range_parse(eq + 1, m->unit, &r, why, sizeof why)) {
		snprintf(msg, n, "%s '%s': bad range '%s': %s", flag, spec, eq + 1, why);
		return false;
	}
	t->items = xrealloc(t->items, (t->n + 1) * sizeof *t->items);
	struct threshold *th = &t->items[t->n++];
	th->spec = xstrdup(spec);
	th->pipeline = slash ? xstrndup(spec, (size_t)(slash - spec)) : NULL;
	th->kind = k;
	th->metric = m;
	th->crit = crit;
	th->range = r;
	return true;
}

void thresholds_free(struct thresholds *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->items[i].spec);
		free(t->items[i].pipeline);
	}
	free(t->items);
	t->items = NULL;
	t->n = 0;
}

static const struct opt_def *option(const struct kind *k, const char *key)
{
	for (const struct opt_def *o = k->options; key && o->key; o++)
		if (!strcmp(o->key, key))
			return o;
	return NULL;
}

/* The stage's threshold option key as a number; false when it has none, or it is off. */
static bool option_value(const struct stage_cfg *st, const char *key, double *v)
{
	const struct opt_def *o = option(st->kind, key);
	if (!o)
		return false;
	const char *field = (const char *)st->opts + o->offset;
	switch (o->type) {
	case OPT_INT: /* a kind's options are wide (config_pipeline.c) */
	case OPT_SIZE:
		if (*(const int64_t *)field == INT64_MAX)
			return false;
		*v = (double)*(const int64_t *)field;
		return true;
	case OPT_DURATION:
	case OPT_REAL:
		*v = *(const double *)field;
		return isfinite(*v);
	default:
		return false;
	}
}

/* Turns the option off: no value reaches it ("at or above" never holds). */
static void option_off(struct stage_cfg *st, const char *key)
{
	const struct opt_def *o = option(st->kind, key);
	if (!o)
		return;
	char *field = (char *)st->opts + o->offset;
	if (o->type == OPT_INT || o->type == OPT_SIZE)
		*(int64_t *)field = INT64_MAX;
	else if (o->type == OPT_DURATION || o->type == OPT_REAL)
		*(double *)field = INFINITY;
}

static bool applies(const struct threshold *th, const struct pipeline *pl, const struct stage_cfg *st)
{
	return th->kind == st->kind && (!th->pipeline || !strcmp(th->pipeline, pl->name));
}

bool thresholds_apply(const struct thresholds *t, struct config *cfg, char *msg, size_t n)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct threshold *th = &t->items[i];
		bool named = false, found = false;
		for (size_t p = 0; p < cfg->n_pipelines; p++) {
			struct pipeline *pl = &cfg->pipelines[p];
			named |= th->pipeline && !strcmp(th->pipeline, pl->name);
			for (size_t s = 0; s < pl->n_stages; s++)
				if (applies(th, pl, &pl->stages[s])) {
					found = true;
					const struct metric_extra *x =
					    metric_extra(th->kind, th->metric->name);
					option_off(&pl->stages[s], th->crit ? x->crit_opt : x->warn_opt);
				}
		}
		const char *flag = th->crit ? "--crit" : "--warn";
		if (th->pipeline && !named) {
			snprintf(msg, n, "%s '%s': no pipeline named '%s' in the config", flag, th->spec,
			         th->pipeline);
			return false;
		}
		if (!found) {
			if (th->pipeline)
				snprintf(msg, n, "%s '%s': pipeline %s has no %s stage", flag, th->spec,
				         th->pipeline, th->kind->name);
			else
				snprintf(msg, n, "%s '%s': no pipeline has a %s stage", flag, th->spec,
				         th->kind->name);
			return false;
		}
	}
	cfg->thresholds = t;
	return true;
}

/* The override for (pl, st, m, crit): the last PIPELINE/ one, else the last general one. */
static const struct threshold * override(const struct config *cfg, const struct pipeline *pl,
                                         const struct stage_cfg *st, const struct metric_def *m, bool crit)
{
	const struct thresholds *t = cfg ? cfg->thresholds : NULL;
	const struct threshold *general = NULL, *named = NULL;
	for (size_t i = 0; t && i < t->n; i++) {
		const struct threshold *th = &t->items[i];
		if (th->crit != crit || th->metric != m || !applies(th, pl, st))
			continue;
		if (th->pipeline)
			named = th;
		else
			general = th;
	}
	return named ? named : general;
}

bool threshold_overridden(const struct config *cfg, const struct pipeline *pl, const struct stage_cfg *st,
                          const struct metric_def *m, bool crit)
{
	return override(cfg, pl, st, m, crit) != NULL;
}

bool threshold_in_force(const struct config *cfg, const struct pipeline *pl, const struct stage_cfg *st,
                        const struct metric_def *m, bool crit, struct range *r)
{
	const struct threshold *th = override(cfg, pl, st, m, crit);
	if (th) {
		*r = th->range;
		return true;
	}
	const struct metric_extra *x = metric_extra(st->kind, m->name);
	double v;
	if (!option_value(st, crit ? x->crit_opt : x->warn_opt, &v))
		return false;
	v *= perf_scale(m->unit);
	/* The option says "at or above v"; a range without '@' alerts above its end: for a whole
	   number the two meet at v - 1, and @v: says it exactly for the rest. */
	bool whole =
	    (m->unit == MU_COUNT || m->unit == MU_COUNTER || m->unit == MU_BYTES) && v == floor(v) && v >= 1;
	if (whole)
		*r = (struct range){.start = x->negative ? -INFINITY : 0, .end = v - 1, .inside = false};
	else
		*r = (struct range){.start = v, .end = INFINITY, .inside = true};
	return true;
}

void thresholds_evaluate(const struct config *cfg, struct pipeline_view *pv, struct stage_view *sv)
{
	if (!cfg || !cfg->thresholds)
		return;
	for (const struct metric_def *m = sv->cfg->kind->metrics; m->name; m++) {
		const struct threshold *warn = override(cfg, pv->cfg, sv->cfg, m, false);
		const struct threshold *crit = override(cfg, pv->cfg, sv->cfg, m, true);
		double v;
		if ((!warn && !crit) || !metric_num(sv->cur.metrics, m->name, &v))
			continue;
		double pv_v = v * perf_scale(m->unit);
		const struct threshold *hit = crit && range_alerts(&crit->range, pv_v)   ? crit
		                              : warn && range_alerts(&warn->range, pv_v) ? warn
		                                                                         : NULL;
		if (!hit)
			continue;
		enum status sev = hit->crit ? ST_CRIT : ST_WARN;
		char val[64], rg[96];
		human_value(m->unit, v, val, sizeof val); /* "1,284", "4m12s", "85%" */
		range_format(&hit->range, rg, sizeof rg);
		raise_status(sv, sev, "%s %s (%s %s)", m->name, val, hit->crit ? "--crit" : "--warn", rg);
		struct diagnosis *d = add_diag(pv, sv, "threshold", sev, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom, "%s.%s is past the threshold this check was given",
		         sv->cfg->kind->name, m->name);
		snprintf(d->evidence, sizeof d->evidence, "%s = %s, which %s %s alerts on (%s%s)", m->name,
		         val, hit->crit ? "--crit" : "--warn", rg,
		         hit->range.inside ? "inside the range" : "outside the range",
		         m->unit == MU_RATIO ? ", in percent" : "");
		snprintf(
		    d->next, sizeof d->next,
		    "see what %s means for the %s stage (its other diagnoses, synctop(1)); the threshold "
		    "is %s's",
		    m->name, sv->cfg->kind->name, hit->spec);
	}
}
