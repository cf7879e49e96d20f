/* health.c: thresholds and runbook rules turn samples into statuses and diagnoses. Pure. */
#include "health.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canary_rule.h"
#include "cause.h"
#include "kinds/kind.h"
#include "rules.h"
#include "threshold.h"

static void eval_stage(const struct config *cfg, struct pipeline_view *pv, struct stage_view *sv)
{
	sv->status = ST_OK;
	sv->reason[0] = '\0';
	if (!sv->cur.metrics) {
		raise_status(sv, ST_UNKNOWN, "not polled yet");
		return;
	}
	if (!sv->cur.ok) {
		raise_status(sv, ST_UNKNOWN, "%s", sv->cur.err);
		return;
	}
	sv->cfg->kind->evaluate(pv, sv);
	thresholds_evaluate(cfg, pv, sv); /* --once --warn/--crit, after the kind's own */
}

/* Whether a goes after b: consequences after roots, then the less severe after the worse. */
static bool after(const struct diagnosis *a, const struct diagnosis *b)
{
	bool ca = a->because[0] != '\0', cb = b->because[0] != '\0';
	if (ca != cb)
		return ca;
	return a->severity < b->severity;
}

/* Roots first, the worst first (the headline is the first); equals keep the order they were
   found in (stable). */
static void sort_diags(struct diagnosis *d, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct diagnosis key = d[i];
		size_t j = i;
		for (; j > 0 && after(&d[j - 1], &key); j--)
			d[j] = d[j - 1];
		d[j] = key;
	}
}

void health_evaluate(struct snapshot *snap)
{
	snap->status = ST_OK;
	for (size_t i = 0; i < snap->n_pipes; i++) {
		struct pipeline_view *pv = &snap->pipes[i];
		free(pv->diags);
		pv->diags = NULL;
		pv->n_diags = 0;
		pv->status = ST_OK;
		for (size_t j = 0; j < pv->n_stages; j++)
			eval_stage(snap->cfg, pv, &pv->stages[j]);
		canary_evaluate(pv, snap->taken_at);
		causes_link(pv);
		for (size_t j = 0; j < pv->n_stages; j++)
			pv->status = status_worst(pv->status, pv->stages[j].status);
		sort_diags(pv->diags, pv->n_diags);
		snap->status = status_worst(snap->status, pv->status);
	}
}
