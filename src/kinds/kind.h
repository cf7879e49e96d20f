/* kind.h: the stage kind descriptor. Everything the rest of synctop asks of a kind (outbox,
   slot, kafka, ...) goes through one `const struct kind`; generic code never names a kind. */
#ifndef SYNCTOP_KIND_H
#define SYNCTOP_KIND_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "rule_def.h"
#include "snapshot.h"

struct probe;

/* What a metric's value means: its format on screen and its unit in exports. */
enum metric_unit {
	MU_COUNT,      /* a number of things: 1,284 */
	MU_SECONDS,    /* a duration: 4m12s */
	MU_BYTES,      /* a size: 1.2 GiB */
	MU_RATIO,      /* a fraction of one: 0.98 is 98% */
	MU_FACTOR,     /* a ratio that is not a fraction (fragmentation 1.52) */
	MU_PER_SECOND, /* a rate over the last two polls */
	MU_BOOL,
	MU_TEXT,    /* a word or a time as the server wrote it */
	MU_LIST,    /* an array of objects (partition_lags), shown as a list */
	MU_COUNTER, /* a count that only grows, but for a restart (a server's evicted_keys): _total */
};

struct metric_def {
	const char *name; /* the JSON key */
	enum metric_unit unit;
	bool contract; /* in DESIGN.md's table: never renamed or removed within a schema */
};

/* A label of a stage's exported series (Prometheus), named as the ecosystem names it. */
struct export_label {
	const char *name; /* "group", "topic", "partition", "slot_name", "index" */
	char value[256];
};
#define EXPORT_LABELS 4

/* A family of series a kind exports beside its metrics: an item of one of its lists (a
   partition's lag). */
struct export_def {
	const char *name; /* after synctop_KIND_, with its unit: "partition_lag" */
	enum metric_unit unit;
	const char *help;
	const char *labels; /* its items' own labels, for synctop(1): "topic, partition" */
};

/* One series of such a family. */
struct export_item {
	const struct export_def *def;
	struct export_label labels[EXPORT_LABELS]; /* after the stage's own; a NULL name ends them */
	double value;
};

/* What perfdata and thresholds know of a metric beyond its unit (a counter is MU_COUNTER):
   an entry for each metric that has any of it, by name, in designated form (threshold.h, the
   nagios report). */
struct metric_extra {
	const char *metric;
	/* The KIND.option keys of the thresholds the kind's rules hold it to ("at or above N"), or
	   NULL: perfdata shows them, and --warn/--crit replace them (threshold.h). */
	const char *warn_opt, *crit_opt;
	const char *max_metric; /* the metric that bounds it (used_memory: maxmemory), or NULL */
	bool negative;          /* may be below 0 (more documents than rows): perfdata has no min 0 */
};

struct kind {
	const char *name;              /* the key of a [pipeline] section and the word shown: "outbox" */
	enum conn_kind conn;           /* the connection kind its stages read */
	const struct opt_def *options; /* its KIND.option table, the stage key itself first */
	size_t opts_size; /* its options struct (st->opts), whose fields the table's offsets name */
	/* Checks a stage once its pipeline is read (required options and how they combine); pl
	   holds the stages before it in flow order. False with the reason in msg. May be NULL. */
	bool (*check)(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
	              size_t n);
	const struct metric_def *metrics; /* in contract order, ended by {0}: each is in every sample */
	const char *main_metric;          /* the figure a sparkline follows */
	const struct probe *probe;        /* NULL when synctop was built without the kind's backend */
	/* Whether the probe's on-demand sample can run for st: true with what it will do in buf
	   ("up to 1000 keys of session:*"), false with why not. May be NULL (it can, buf ""). */
	bool (*sample_ready)(const struct stage_cfg *st, char *buf, size_t n);
	const char *sample_help; /* what the on-demand sample does, for key t: "the keys of a cache stage" */
	/* A connection the probe opens besides st->conn (its secrets are scrubbed from errors too),
	   or NULL. May be NULL (none). */
	struct conn *(*extra_conn)(const struct stage_cfg *st);
	/* The stage's target as shown (the outbox table, the slot names, the group and topics). */
	void (*target)(const struct stage_cfg *st, char *buf, size_t n);
	/* Raises sv's status and adds the pipeline's diagnoses from sv->cur (ok) and sv->prev. Pure.
	   pv's stages before sv are evaluated already (flow order). */
	void (*evaluate)(struct pipeline_view *pv, struct stage_view *sv);
	/* Every rule evaluate may raise, ended by {0} (rule_def.h): add_diag finds each there. */
	const struct rule_def *rules;
	/* How many items the stage holds on their way downstream now (outbox rows pending,
	   messages of lag): what a later stage's count may lack without anything being lost.
	   False when not known. May be NULL (the stage holds nothing back). */
	bool (*in_flight)(const struct stage_view *sv, double *n);
	/* The key figures of an ok sample on one line ("137 pending, oldest 10m00s, 5 failed"). */
	void (*figures)(const struct stage_view *sv, char *buf, size_t n);
	/* The actions its stages offer (actions.h), ACTION_BIT of each; 0 for none. Whether one
	   applies now is the action's business (resume only when paused). */
	unsigned actions;
	/* Exports: the labels naming the stage's target on its kind's series, as the ecosystem
	   names them (a group, an index, a slot_name), in out (EXPORT_LABELS at most), from its
	   options and its latest sample; returns how many. May be NULL (none). */
	size_t (*export_labels)(const struct stage_view *sv, struct export_label *out);
	const char *export_label_names; /* what export_labels names, for synctop(1): "group" */
	/* Exports: one series per item of its lists (a partition's lag), each passed to emit, of
	   the families of export_defs (ended by {0}). Both may be NULL (none). */
	void (*export_items)(const struct stage_view *sv,
	                     void (*emit)(void *ctx, const struct export_item *it), void *ctx);
	const struct export_def *export_defs;
	/* Its metrics' thresholds and bounds, ended by {0}. May be NULL (none). */
	const struct metric_extra *extras;
	/* Passive freshness (read-only installations too): how far the newest item the stage holds
	   is behind the source's newest, in seconds, from sv->cur (ok); false when not known. The
	   pipeline shows its last stage's as "freshness 3.2s". May be NULL (the kind has none). */
	bool (*freshness)(const struct stage_view *sv, double *lag_s);
	/* The end-to-end canary's word for the kind's hop ("index"); NULL: its name. */
	const char *canary_word;
	/* What a marker lost at the kind's hop did not do ("not processed by the relay"); NULL:
	   "not seen there". */
	const char *canary_stuck;
};

/* The registry (registry.c): every kind in flow order, NULL-terminated. A pipeline lists its
   stages in this order; a kind's position in it is its flow position. */
extern const struct kind *const kinds[];
/* How many kinds there are (the length of kinds[]). */
#define KINDS_MAX 16
size_t kind_count(void);
/* Its flow position: the index in kinds[]. */
size_t kind_pos(const struct kind *k);
/* The kind named name (len bytes), or NULL. */
const struct kind *kind_by_name(const char *name, size_t len);

/* The stage's target as shown ("" when the kind has none), in buf; returns buf. */
const char *stage_target(const struct stage_cfg *st, char *buf, size_t n);

/* What key t samples, over every kind that has an on-demand sample ("the keys of a cache
   stage"; kinds joined by " or "), in buf; returns buf. */
const char *kinds_sample_help(char *buf, size_t n);

/* True when the kind's probe has an on-demand operation (a REQ_SAMPLE request, poller.h). */
bool kind_has_sample(const struct kind *k);
/* True when the kind's stages offer action a. */
bool kind_offers(const struct kind *k, enum action a);

/* The kind's sample_ready for st (true with buf "" when it has none). */
bool stage_sample_ready(const struct stage_cfg *st, char *buf, size_t n);

/* The rule id of kind k, or NULL. */
const struct rule_def *kind_rule(const struct kind *k, const char *id);
/* True when some kind's rules table, or the generic one, has id (confirm.RULE may name it). */
bool rule_id_known(const char *id);

/* The extras of the kind's metric named metric (an entry of zeros when it has none). */
const struct metric_extra *metric_extra(const struct kind *k, const char *metric);

/* The kind's extra_conn for st, or NULL. */
struct conn *stage_extra_conn(const struct stage_cfg *st);

/* A sample whose metrics object holds every metric name of the kind, as null. */
void kind_sample_prepare(const struct kind *k, struct sample *s);

#endif
