/* search.h: what the files of the search kind share. */
#ifndef SYNCTOP_KIND_SEARCH_H
#define SYNCTOP_KIND_SEARCH_H

#include "kinds/kind.h"

extern const struct kind search_kind;
#ifdef HAVE_SEARCH
extern const struct probe search_probe;
#endif

/* options.c: the search.* keys, the first being the stage key itself. */
extern const struct opt_def search_options[];
bool search_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                  size_t n);

/* rules.c */
void search_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
