/* source_conn.c: which postgres connection runs a copy's source SQL (kinds/source.h). */
#include <stdio.h>

#include "kinds/source.h"

/* The postgres connection of the pipeline's first stage that reads one (its outbox), or NULL. */
static struct conn *pipeline_postgres(const struct pipeline *pl, const struct stage_cfg *self)
{
	for (size_t i = 0; i < pl->n_stages; i++)
		if (&pl->stages[i] != self && pl->stages[i].conn && pl->stages[i].conn->kind == CONN_POSTGRES)
			return pl->stages[i].conn;
	return NULL;
}

bool source_conn_resolve(const char *k, const char *name, bool sql, const struct pipeline *pl,
                         const struct stage_cfg *self, const struct config *cfg, struct conn **out, char *msg,
                         size_t n)
{
	*out = NULL;
#ifndef HAVE_POSTGRES
	if (sql) {
		snprintf(
		    msg, n,
		    "%s.source_count and %s.source_freshness need PostgreSQL, and this synctop was built "
		    "without it (--with-postgres)",
		    k, k);
		return false;
	}
#endif
	if (!sql) {
		if (!name)
			return true;
		snprintf(msg, n, "%s.source is set but neither %s.source_count nor %s.source_freshness is", k,
		         k, k);
		return false;
	}
	if (!name) {
		*out = pipeline_postgres(pl, self);
		if (*out)
			return true;
		snprintf(
		    msg, n,
		    "%s.source_count and %s.source_freshness run on a postgres connection: set %s.source = "
		    "CONNECTION (or give the pipeline an outbox stage)",
		    k, k, k);
		return false;
	}
	struct conn *c = config_conn(cfg, name);
	if (!c) {
		snprintf(msg, n, "%s.source = %s: no connection named '%s' (define it with [postgres %s])", k,
		         name, name, name);
		return false;
	}
	if (c->kind != CONN_POSTGRES) {
		snprintf(msg, n, "%s.source needs a postgres connection; '%s' is a %s connection", k, name,
		         conn_kind_names[c->kind]);
		return false;
	}
	*out = c;
	return true;
}
