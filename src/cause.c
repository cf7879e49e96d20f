/* cause.c: the root-cause pass: a consequence names its root, never heads the list. Pure. */
#include "cause.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/kind.h"
#include "util.h"

#define CHAIN_MAX 8 /* deeper than any pipeline: a guard against a cycle of roles */

static unsigned role_of(const struct diagnosis *d)
{
	return d->def ? d->def->role : RULE_LOCAL;
}

static size_t pos_of(const struct diagnosis *d)
{
	return kind_pos(d->stage->kind);
}

/* Whether c explains d (rule_def.h): a cause at or before a symptom's stage, or a stopped
   consumer after the stage whose consumer it is. */
static bool explains(const struct diagnosis *c, const struct diagnosis *d)
{
	if (c == d)
		return false;
	unsigned rc = role_of(c), rd = role_of(d);
	if ((rd & RULE_SYMPTOM) && (rc & RULE_CAUSE) && pos_of(c) <= pos_of(d))
		return true;
	return (rd & RULE_BY_CONSUMER) && (rc & RULE_CONSUMER_DOWN) && pos_of(c) > pos_of(d);
}

/* The best explanation of d among pv's diagnoses: the most upstream; then one that is not a
   symptom itself; then the worst; then the first found. NULL when none explains it. */
static const struct diagnosis *explainer(const struct pipeline_view *pv, const struct diagnosis *d)
{
	const struct diagnosis *best = NULL;
	for (size_t i = 0; i < pv->n_diags; i++) {
		const struct diagnosis *c = &pv->diags[i];
		if (!explains(c, d))
			continue;
		if (!best || pos_of(c) < pos_of(best)) {
			best = c;
			continue;
		}
		if (pos_of(c) > pos_of(best))
			continue;
		bool c_sym = role_of(c) & RULE_SYMPTOM, b_sym = role_of(best) & RULE_SYMPTOM;
		if ((b_sym && !c_sym) || (b_sym == c_sym && c->severity > best->severity))
			best = c;
	}
	return best;
}

static const char *action_key_words(enum action a, char *buf, size_t n)
{
	buf[0] = '\0';
	if (a > ACTION_NONE && a < ACTION_COUNT && action_defs[a].key)
		snprintf(buf, n, " (key %s: %s)", action_defs[a].label, action_defs[a].help);
	return buf;
}

void causes_link(struct pipeline_view *pv)
{
	size_t n = pv->n_diags;
	if (n < 2)
		return;
	const struct diagnosis **root = xcalloc(n, sizeof *root);
	for (size_t i = 0; i < n; i++) {
		const struct diagnosis *r = explainer(pv, &pv->diags[i]);
		for (int k = 0; r && k < CHAIN_MAX; k++) {
			const struct diagnosis *up = explainer(pv, r);
			if (!up || up == &pv->diags[i])
				break;
			r = up;
		}
		root[i] = r;
	}
	/* Links first, changes after: a root's own fields are read while linking. */
	for (size_t i = 0; i < n; i++) {
		struct diagnosis *d = &pv->diags[i];
		const struct diagnosis *r = root[i];
		if (!r)
			continue;
		char key[96];
		snprintf(d->because, sizeof d->because, "%s: %s", r->stage->kind->name, r->rule);
		d->severity = d->severity > ST_WARN ? ST_WARN : d->severity;
		d->action = ACTION_NONE;
		d->action_scope[0] = '\0';
		snprintf(d->next, sizeof d->next,
		         "follows from %s: %s, which comes first%s; this clears once it is fixed",
		         r->stage->kind->name, r->rule, action_key_words(r->action, key, sizeof key));
	}
	/* A stage whose status came from consequences alone is at most warn, and says why. */
	for (size_t s = 0; s < pv->n_stages; s++) {
		struct stage_view *sv = &pv->stages[s];
		if (sv->status != ST_CRIT && sv->status != ST_WARN)
			continue;
		const char *because = NULL;
		enum status own = ST_OK;
		for (size_t i = 0; i < n; i++) {
			if (pv->diags[i].stage != sv->cfg)
				continue;
			if (pv->diags[i].because[0])
				because = pv->diags[i].because;
			else
				own = status_worst(own, pv->diags[i].severity);
		}
		if (!because || own >= sv->status)
			continue;
		sv->status = status_worst(own, ST_WARN);
		snappendf(sv->reason, sizeof sv->reason, " (follows from %s)", because);
	}
	free(root);
}

const struct diagnosis *cause_upstream(const struct pipeline_view *pv, const struct stage_view *sv)
{
	size_t pos = kind_pos(sv->cfg->kind);
	const struct diagnosis *best = NULL;
	for (size_t i = 0; i < pv->n_diags; i++) {
		const struct diagnosis *c = &pv->diags[i];
		if ((role_of(c) & RULE_CAUSE) && pos_of(c) <= pos && (!best || pos_of(c) < pos_of(best)))
			best = c;
	}
	return best;
}

bool in_flight_upstream(const struct pipeline_view *pv, const struct stage_view *sv, double *n)
{
	bool known = false;
	*n = 0;
	for (size_t s = 0; s < pv->n_stages && &pv->stages[s] != sv; s++) {
		const struct stage_view *up = &pv->stages[s];
		double v;
		if (up->cfg->kind->in_flight && up->cur.ok && up->cur.metrics &&
		    up->cfg->kind->in_flight(up, &v)) {
			*n += v;
			known = true;
		}
	}
	return known;
}
