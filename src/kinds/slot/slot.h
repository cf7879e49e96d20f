/* slot.h: what the files of the slot kind share. */
#ifndef SYNCTOP_KIND_SLOT_H
#define SYNCTOP_KIND_SLOT_H

#include <stdint.h>

#include "kinds/kind.h"

/* The slot.* options of a stage (st->opts), described by slot_options. */
struct slot_opts {
	char **slot_names;                    /* slot.names: NULL-terminated; NULL = every logical slot */
	int64_t retained_warn, retained_crit; /* bytes */
	double window_s;                      /* slot.window: the evaluation window of confirmed_flush_lsn */
};

static inline const struct slot_opts *slot_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind slot_kind;
/* Its rules as data (rules_table.c), ended by {0}. */
extern const struct rule_def slot_rule_defs[];
#ifdef HAVE_POSTGRES
extern const struct probe slot_probe;
#endif

/* options.c: the slot.* keys, the first being the stage key itself. */
extern const struct opt_def slot_options[];

/* rules.c */
void slot_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
