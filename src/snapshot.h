/* snapshot.h: a consistent view of every stage's latest samples, evaluated, for renderers. */
#ifndef SYNCTOP_SNAPSHOT_H
#define SYNCTOP_SNAPSHOT_H

#include "actions.h"
#include "canary_state.h"
#include "config.h"
#include "rule_def.h"
#include "sample.h"

/* Ordered best to worst for sorting and exit codes: ok < unknown < warn < crit is the
   monitoring-plugin order (max_state_alt); exit codes map ok 0, warn 1, crit 2, unknown 3. */
enum status { ST_OK, ST_UNKNOWN, ST_WARN, ST_CRIT };

const char *status_name(enum status s);
enum status status_worst(enum status a, enum status b);
int status_exit_code(enum status s);

struct diagnosis {
	const char *rule;           /* stable id from RUNBOOK.md: "worker-stalled" */
	const struct rule_def *def; /* its entry in the stage kind's rules table */
	enum status severity;
	const struct stage_cfg *stage;
	char symptom[256];
	char evidence[512];
	char next[512];
	enum action action;    /* the action that fixes it (ACTION_RESUME, ...) or ACTION_NONE */
	char action_scope[64]; /* the scope that action should take ("failed"), or "": the key's
	                          scope prompt starts from it, and JSON says it */
	/* When the condition started (wall clock): from the data when the rule knows it (a pause's
	   paused_at), else when synctop first saw it hold (since_seen; the tracker, track.h sets
	   it); 0 when not known. */
	double since;
	bool since_seen;
	/* The upstream diagnosis that explains this one ("outbox: worker-paused"), set by the
	   root-cause pass (health.c); "" when this one is a root. A consequence is at most warn,
	   never the headline, and offers no action of its own. */
	char because[96];
};

struct stage_view {
	const struct stage_cfg *cfg;
	struct sample cur;  /* latest; cur.metrics == NULL when never polled */
	struct sample prev; /* the one before (metrics NULL when none) */
	int n_samples;
	char last_err[512]; /* the newest error in the history ("" if none), and when (wall) */
	double last_err_at;
	double *series; /* the probe's main metric, oldest first; NaN where not known */
	int n_series;
	enum status status;
	char reason[256]; /* why the status is what it is, one line */
	double since;     /* wall clock: when the stage entered its status (the tracker); 0 unknown */
};

struct pipeline_view {
	const struct pipeline *cfg;
	struct stage_view *stages;
	size_t n_stages;
	enum status status;
	struct diagnosis *diags;
	size_t n_diags;
	struct canary_state canary; /* its end-to-end canary (phase CANARY_OFF when it has none) */
};

struct snapshot {
	const struct config *cfg;
	double taken_at; /* wall clock */
	struct pipeline_view *pipes;
	size_t n_pipes;
	enum status status;
};

void snapshot_free(struct snapshot *s);

#endif
