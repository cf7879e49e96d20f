/* slot.h: what the files of the slot kind share. */
#ifndef SYNCTOP_KIND_SLOT_H
#define SYNCTOP_KIND_SLOT_H

#include "kinds/kind.h"

extern const struct kind slot_kind;
#ifdef HAVE_POSTGRES
extern const struct probe slot_probe;
#endif

/* options.c: the slot.* keys, the first being the stage key itself. */
extern const struct opt_def slot_options[];

/* rules.c */
void slot_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
