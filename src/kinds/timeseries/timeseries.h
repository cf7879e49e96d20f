/* timeseries.h: what the files of the timeseries kind share (InfluxDB 1.x over its HTTP API). */
#ifndef SYNCTOP_KIND_TIMESERIES_H
#define SYNCTOP_KIND_TIMESERIES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "kinds/kind.h"
#ifdef HAVE_SEARCH
#include "kinds/probe.h"
#endif

/* The timeseries.* options of a stage (st->opts), described by timeseries_options. */
struct timeseries_opts {
	char *database;                    /* timeseries.database (required) */
	char *measurement;                 /* timeseries.measurement (required) */
	char *retention_policy;            /* timeseries.retention_policy; NULL: the database's default */
	double window_s;                   /* timeseries.window: the recent write rate is counted over it */
	double baseline_s;                 /* timeseries.baseline: the rate it is compared with, over this */
	double stale_warn_s, stale_crit_s; /* timeseries.stale_warn, _crit: the newest point's age */
	double drop_warn; /* timeseries.drop_warn: recent rate under this share of the baseline */
};

static inline const struct timeseries_opts *timeseries_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind timeseries_kind;
/* Its rules as data (rules_table.c), ended by {0}. */
extern const struct rule_def timeseries_rule_defs[];

/* options.c: the timeseries.* keys, the first being the stage key itself. */
extern const struct opt_def timeseries_options[];
bool timeseries_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                      size_t n);

/* parse.c, pure. */
/* An InfluxQL identifier, double-quoted with \ and " escaped ("cpu \"load\""); free() it. */
char *timeseries_ident(const char *id);
/* The three statements a poll sends, separated by ';' (the measurement qualified by its
   retention policy when set): the newest point, the points of the last window_s, the points of
   the last baseline_s; free() it. */
char *timeseries_query(const struct timeseries_opts *o);

/* What the answer to timeseries_query says. */
struct ts_answer {
	bool have_newest;   /* false: the measurement holds no point (or does not exist) */
	double newest_ms;   /* the newest point's time, epoch milliseconds */
	long long recent;   /* points in the last window */
	long long baseline; /* points in the last baseline */
};
/* The /query answer (epoch=ms) to timeseries_query's statements: true with *a, or false with
   why (a statement's error as the server said it, or an answer of another shape). A count is
   the largest of count(*)'s per-field counts: points that lack a field are not lost to it. */
bool timeseries_parse(const json_t *answer, struct ts_answer *a, char *why, size_t n);

#ifdef HAVE_SEARCH
extern const struct probe timeseries_probe;
#endif

/* rules.c */
void timeseries_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
