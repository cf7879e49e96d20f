/* rules.c: the toolkit every kind's rules use: raising a status, threshold levels, diagnoses. */
#include "rules.h"

#include "kinds/kind.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void raise_status(struct stage_view *sv, enum status s, const char *fmt, ...)
{
	if (s <= sv->status && sv->reason[0])
		return;
	sv->status = status_worst(sv->status, s);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sv->reason, sizeof sv->reason, fmt, ap);
	va_end(ap);
}

enum status level(double v, double warn, double crit)
{
	if (v >= crit)
		return ST_CRIT;
	if (v >= warn)
		return ST_WARN;
	return ST_OK;
}

void diag_since_from(struct diagnosis *d, const struct stage_view *sv, const char *for_metric, bool seen)
{
	double for_s;
	if (metric_num(sv->cur.metrics, for_metric, &for_s) && for_s >= 0 && sv->cur.wall > 0) {
		d->since = sv->cur.wall - for_s;
		d->since_seen = seen;
	}
}

struct diagnosis *add_diag(struct pipeline_view *pv, const struct stage_view *sv, const char *rule,
                           enum status sev, enum action action)
{
	pv->diags = xrealloc(pv->diags, (pv->n_diags + 1) * sizeof *pv->diags);
	struct diagnosis *d = &pv->diags[pv->n_diags++];
	memset(d, 0, sizeof *d);
	d->rule = rule;
	d->def = kind_rule(sv->cfg->kind, rule);
	if (!d->def)
		d->def = generic_rule(rule);
	/* Every rule is in its kind's table or the generic one (synctop(1) and key ? read it): a
	   rule missing there is a bug its unit test finds here. */
	assert(d->def);
	d->severity = sev;
	d->stage = sv->cfg;
	d->action = action;
	return d;
}
