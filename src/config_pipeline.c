/* config_pipeline.c: [pipeline] sections: stage keys into per-stage drafts, then the stages
   built from them and checked (connections, warn <= crit, the kind's own check). */
#include "util.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_priv.h"
#include "canary.h"
#include "config_read.h"
#include "kinds/kind.h"

void pipeline_draft_init(struct draft *d)
{
	for (size_t k = 0; k < kind_count(); k++)
		stage_cfg_init(&d->stage[k].st, kinds[k]);
}

void pipeline_set_key(struct parser *p, int line, const char *key, const char *value)
{
	struct draft *d = &p->drafts[p->index];
	struct pipeline *pl = &p->cfg->pipelines[p->index];
	const struct opt_def *po = opt_find(pipeline_opts, key);
	if (po) { /* a key of the pipeline itself: the canary */
		char msg[512];
		if (!opt_set(po, &pl->canary, value, true, msg, sizeof msg))
			config_fail(p, line, "%s", msg);
		else if (pl->canary.on && !pl->canary_line)
			pl->canary_line = line;
		return;
	}
	size_t wlen = strcspn(key, ".");
	const struct kind *k = kind_by_name(key, wlen);
	if (!k) {
		config_unknown_key(p, line, key);
		return;
	}
	struct stage_draft *sd = &d->stage[kind_pos(k)];
	if (!k->probe) {
		config_fail_unavailable(p, line, k);
		return;
	}
	if (!key[wlen]) {
		if (!*value) {
			config_fail(p, line, "%s needs a connection name, e.g. %s = %s", key, key,
			            conn_example_names[k->conn]);
			return;
		}
		sd->conn_name = xstrdup(value);
		sd->line = line;
		return;
	}
	const struct opt_def *o = opt_find(k->options, key);
	char msg[512];
	if (!o || o->type == OPT_CONN) {
		config_unknown_key(p, line, key);
	} else if (!opt_set(o, sd->st.opts, value, true, msg, sizeof msg)) {
		config_fail(p, line, "%s", msg);
	} else if ((o->flags & OPT_URL_SEGMENT) && (!strcmp(value, ".") || !strcmp(value, ".."))) {
		/* A segment of the URL path: "." and ".." would be resolved away, and the request
		   would go to another resource. */
		config_fail(
		    p, line,
		    "bad value '%s' for %s: '.' and '..' are not names (they would change the URL path)",
		    value, o->key);
	} else if (!sd->opt_line) {
		sd->opt_line = line;
		sd->opt_key = o->key;
	}
}

/* Warn <= crit for every "X_warn" option that has an "X_crit" sibling. */
static void check_thresholds(struct parser *p, const struct pipeline *pl, const struct stage_cfg *st)
{
	for (const struct opt_def *w = st->kind->options; w->key; w++) {
		if (!key_has_suffix(w->key, "_warn"))
			continue;
		char crit_key[128];
		snprintf(crit_key, sizeof crit_key, "%.*s_crit", (int)(strlen(w->key) - 5), w->key);
		const struct opt_def *c = opt_find(st->kind->options, crit_key);
		if (!c || c->type != w->type)
			continue;
		const char *wf = (const char *)st->opts + w->offset, *cf = (const char *)st->opts + c->offset;
		bool real = w->type == OPT_DURATION || w->type == OPT_REAL; /* stored as double */
		bool bad = real ? *(const double *)wf > *(const double *)cf
		                : *(const int64_t *)wf > *(const int64_t *)cf;
		if (!bad)
			continue;
		char wv[64], cv[64];
		opt_format_value(w, st->opts, true, wv, sizeof wv);
		opt_format_value(c, st->opts, true, cv, sizeof cv);
		config_fail(
		    p, pl->line,
		    "%s (%s) is above %s (%s) in [pipeline %s]; a warn level must not exceed its crit level",
		    w->key, wv, c->key, cv, pl->name);
	}
}

void pipeline_check(struct parser *p, struct pipeline *pl, struct draft *d)
{
	struct config *cfg = p->cfg;
	size_t n = 0;
	for (size_t k = 0; k < kind_count(); k++) {
		const struct stage_draft *sd = &d->stage[k];
		if (sd->opt_line && !sd->line)
			config_fail(p, sd->opt_line, "%s is set but the pipeline has no %s stage",
			            sd->opt_key, kinds[k]->name);
		n += sd->line != 0;
	}
	if (n == 0) {
		config_fail(p, pl->line, "pipeline '%s' has no stages (add e.g. %s = CONNECTION)", pl->name,
		            kinds[0]->name);
		return;
	}
	pl->stages = xcalloc(n, sizeof *pl->stages);
	for (size_t k = 0; k < kind_count(); k++) {
		struct stage_draft *sd = &d->stage[k];
		if (!sd->line)
			continue;
		const char *want = conn_kind_names[kinds[k]->conn];
		struct conn *c = config_conn(cfg, sd->conn_name);
		if (!c) {
			struct suggest s;
			suggest_init(&s, sd->conn_name, true);
			for (size_t i = 0; i < cfg->n_conns; i++)
				suggest_add(&s, cfg->conns[i].name);
			if (s.best)
				config_fail(p, sd->line,
				            "%s = %s: no connection named '%s' (did you mean '%s'?)",
				            kinds[k]->name, sd->conn_name, sd->conn_name, s.best);
			else
				config_fail(
				    p, sd->line, "%s = %s: no connection named '%s' (define it with [%s %s])",
				    kinds[k]->name, sd->conn_name, sd->conn_name, want, sd->conn_name);
		} else if (c->kind != kinds[k]->conn) {
			config_fail(p, sd->line, "%s needs a %s connection; '%s' is a %s connection",
			            kinds[k]->name, want, c->name, conn_kind_names[c->kind]);
		}
		struct stage_cfg *st = &pl->stages[pl->n_stages++];
		*st = sd->st;
		memset(&sd->st, 0, sizeof sd->st);
		st->conn = c;
		st->line = sd->line;
		check_thresholds(p, pl, st);
		char msg[512];
		if (st->kind->check && !st->kind->check(st, pl, cfg, msg, sizeof msg))
			config_fail(p, sd->line, "%s", msg);
	}
	char msg[512];
	if (pl->canary.on && !canary_check(pl, msg, sizeof msg))
		config_fail(p, pl->canary_line ? pl->canary_line : pl->line, "%s", msg);
}

void pipeline_drafts_free(struct parser *p)
{
	for (size_t i = 0; p->drafts && i < p->cfg->n_pipelines; i++) {
		for (size_t k = 0; k < kind_count(); k++) {
			stage_cfg_free_fields(&p->drafts[i].stage[k].st);
			free(p->drafts[i].stage[k].conn_name);
		}
	}
	free(p->drafts);
	p->drafts = NULL;
}
