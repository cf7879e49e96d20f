/* outbox.h: what the files of the outbox kind share. */
#ifndef SYNCTOP_KIND_OUTBOX_H
#define SYNCTOP_KIND_OUTBOX_H

#include "kinds/kind.h"

extern const struct kind outbox_kind;
#ifdef HAVE_POSTGRES
extern const struct probe outbox_probe;
#endif

/* options.c: the outbox.* keys, the first being the stage key itself. */
extern const struct opt_def outbox_options[];

/* rules.c */
void outbox_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
