/* canary_rule.c: the canary's runbook rule, canary-lost (canary_rule.h). Pure. */
#include "canary_rule.h"

#include <stdio.h>

#include "canary.h"
#include "kinds/kind.h"
#include "rules.h"
#include "units.h"
#include "util.h"

void canary_evaluate(struct pipeline_view *pv, double now)
{
	const struct canary_state *c = &pv->canary;
	if (c->phase != CANARY_INFLIGHT || !c->lost || c->next_hop >= c->n_hops)
		return;
	struct stage_view *sv = NULL;
	for (size_t i = 0; i < pv->n_stages && !sv; i++)
		if (pv->stages[i].cfg == c->hop[c->next_hop])
			sv = &pv->stages[i];
	if (!sv)
		return;
	const char *hop = canary_hop_name(c, c->next_hop);
	const char *stuck = sv->cfg->kind->canary_stuck ? sv->cfg->kind->canary_stuck : "not seen there";
	char age[32];
	format_age(c->inserted_at, now, age, sizeof age);
	raise_status(sv, ST_CRIT, "canary lost at %s", hop);
	struct diagnosis *d = add_diag(pv, sv, "canary-lost", ST_CRIT, ACTION_NONE);
	snprintf(d->symptom, sizeof d->symptom, "canary lost at %s: inserted %s ago, %s", hop, age, stuck);
	snprintf(d->evidence, sizeof d->evidence, "marker %s (row %lld) inserted %s ago", c->marker, c->row,
	         age);
	for (size_t i = 0; i < c->next_hop; i++)
		snappendf(d->evidence, sizeof d->evidence, "; %s after %.1fs", canary_hop_name(c, i),
		          c->hop_at[i] - c->inserted_at);
	snappendf(d->evidence, sizeof d->evidence, "; not seen at %s", hop);
	snprintf(d->next, sizeof d->next,
	         "data does not flow past %s: look at what moves events there (its worker, its consumer), "
	         "then at its other diagnoses",
	         hop);
	d->since = c->inserted_at;
}
