/* config_select.c: --pipeline: keeps the pipelines whose names match a glob, for every mode. */
#include "config_select.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

static bool matches(const char *name, const char *const *globs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(globs[i], name, 0) == 0)
			return true;
	return false;
}

bool config_select_pipelines(struct config *cfg, const char *const *globs, size_t n, char *err, size_t errn)
{
	if (n == 0)
		return true;
	/* Every pattern must match: a shard whose glob matches nothing is a typo, not an empty
	   shard to watch in silence. */
	for (size_t g = 0; g < n; g++) {
		bool any = false;
		for (size_t i = 0; i < cfg->n_pipelines && !any; i++)
			any = fnmatch(globs[g], cfg->pipelines[i].name, 0) == 0;
		if (!any) {
			int w = snprintf(err, errn,
			                 "--pipeline: '%s' matches no pipeline of %s (pipelines:", globs[g],
			                 cfg->path ? cfg->path : "the config");
			for (size_t i = 0; i < cfg->n_pipelines && w >= 0 && (size_t)w < errn; i++)
				w += snprintf(err + w, errn - (size_t)w, "%s %s", i ? "," : "",
				              cfg->pipelines[i].name);
			if (w >= 0 && (size_t)w < errn)
				snprintf(err + w, errn - (size_t)w, ")");
			return false;
		}
	}
	size_t kept = 0;
	for (size_t i = 0; i < cfg->n_pipelines; i++) {
		if (matches(cfg->pipelines[i].name, globs, n)) {
			if (kept != i)
				cfg->pipelines[kept] = cfg->pipelines[i];
			kept++;
			continue;
		}
		pipeline_free_fields(&cfg->pipelines[i]);
	}
	cfg->n_pipelines = kept;
	return true;
}
