/* outbox.h: what the files of the outbox kind share. */
#ifndef SYNCTOP_KIND_OUTBOX_H
#define SYNCTOP_KIND_OUTBOX_H

#include <stdint.h>

#include "kinds/kind.h"

/* The outbox.* options of a stage (st->opts), described by outbox_options. */
struct outbox_opts {
	char *table;           /* outbox.table: possibly schema-qualified, quoted per part */
	char *pending;         /* outbox.pending: SQL predicate selecting pending rows */
	char *id_column;       /* outbox.id_column */
	char *created_column;  /* outbox.created_column */
	char *attempts_column; /* outbox.attempts_column; "" disables */
	char *error_column;    /* outbox.error_column; "" disables */
	int64_t count_cap;     /* outbox.count_cap */
	int64_t max_attempts;  /* outbox.max_attempts */
	int64_t seqscan_rows;  /* outbox.seqscan_rows: warn about a seq scan above this many rows */
	int64_t pending_warn, pending_crit;
	double oldest_warn_s, oldest_crit_s;
	int64_t failed_warn, failed_crit;
	char *control_table; /* outbox.control_table: the workers' pause flags ("" = none) */
	char *worker;        /* outbox.worker: this outbox's row in the control table */
};

static inline const struct outbox_opts *outbox_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind outbox_kind;
#ifdef HAVE_POSTGRES
extern const struct probe outbox_probe;
#endif

/* options.c: the outbox.* keys, the first being the stage key itself. */
extern const struct opt_def outbox_options[];

/* rules.c */
void outbox_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
