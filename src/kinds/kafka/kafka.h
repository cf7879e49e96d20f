/* kafka.h: what the files of the kafka kind share. */
#ifndef SYNCTOP_KIND_KAFKA_H
#define SYNCTOP_KIND_KAFKA_H

#include <stdint.h>

#include "kinds/kind.h"

/* The kafka.* options of a stage (st->opts), described by kafka_options. */
struct kafka_opts {
	char *group;     /* kafka.group: the consumer group */
	char **topics;   /* kafka.topics: NULL-terminated; NULL = the topics the group committed to */
	double window_s; /* kafka.window: the evaluation window */
	int64_t lag_warn, lag_crit;
};

static inline const struct kafka_opts *kafka_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind kafka_kind;
/* Its rules as data (rules_table.c), ended by {0}. */
extern const struct rule_def kafka_rule_defs[];
#ifdef HAVE_KAFKA
extern const struct probe kafka_probe;
#endif

/* options.c: the kafka.* keys, the first being the stage key itself. */
extern const struct opt_def kafka_options[];
bool kafka_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                 size_t n);

/* rules.c */
void kafka_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
