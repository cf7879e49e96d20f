/* rule_def.h: what a runbook rule is, apart from its condition: its id, severity, role in the
   pipeline's flow, symptom, next step and fixing action. Each kind lists its rules in its
   rules_table.c; synctop(1)'s DIAGNOSES, key ? on a diagnosis and the root-cause pass read it. */
#ifndef SYNCTOP_RULE_DEF_H
#define SYNCTOP_RULE_DEF_H

#include "actions.h"

/* How a finding bears on the rest of its pipeline (health.c's root-cause pass). */
enum rule_role {
	RULE_LOCAL = 0,
	/* The stage passes on nothing, or too little: what stages after it lack follows from it. */
	RULE_CAUSE = 1u << 0,
	/* What a stage shows when too little arrives from before it: a RULE_CAUSE at or before its
	   stage explains it. */
	RULE_SYMPTOM = 1u << 1,
	/* A finding about the stage's consumer (a group's lag, a slot's reader): a
	   RULE_CONSUMER_DOWN on a stage after it (the consumer itself) explains it. */
	RULE_BY_CONSUMER = 1u << 2,
	/* The stage is a consumer of what comes before it, and it stopped (a failed task, a pause). */
	RULE_CONSUMER_DOWN = 1u << 3,
	/* Its condition must hold throughout a window of polls already (a drain, a lag, a count
	   judged over KIND.window): the screen shows it when it fires (confirm 1), unless
	   confirm.RULE or confirm.KIND says otherwise. */
	RULE_WINDOWED = 1u << 4,
};

struct rule_def {
	const char *id;        /* stable, from RUNBOOK.md: "worker-stalled" */
	const char *severity;  /* as documented: "crit", "warn", "warn or crit" */
	unsigned role;         /* enum rule_role bits */
	enum action action;    /* the action that fixes it (or may), ACTION_NONE when none does */
	const char *condition; /* when it fires, one or two sentences */
	const char *symptom;   /* what an operator sees or hears */
	const char *next;      /* the next step, in general terms */
};

/* The generic rules, which a stage of any kind may raise (rule_def.c: a --warn/--crit
   override's "threshold"), ended by {0}; add_diag finds a rule there when its kind's table
   lacks it. */
extern const struct rule_def generic_rule_defs[];
/* The generic rule id, or NULL. */
const struct rule_def *generic_rule(const char *id);

#endif
