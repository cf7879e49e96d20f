/* config_read.h: the reader's state, shared by config.c (the file, its sections and keys) and
   config_pipeline.c ([pipeline] sections: stage drafts and their checks). */
#ifndef SYNCTOP_CONFIG_READ_H
#define SYNCTOP_CONFIG_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "kinds/kind.h"
#include "util.h"

enum section { SECT_NONE, SECT_SYNCTOP, SECT_CONN, SECT_PIPELINE };

/* Parse-time facts about one stage of a pipeline, for every kind whether it is used or not. */
struct stage_draft {
	struct stage_cfg st; /* opts allocated and their defaults applied */
	char *conn_name;     /* the value of "KIND = CONN" */
	int line;            /* line of "KIND = CONN"; 0 = no such stage */
	int opt_line;        /* line of the first KIND.option */
	const char *opt_key; /* and its key */
};

/* Parse-time facts about one pipeline that struct pipeline has no room for. */
struct draft {
	struct stage_draft stage[KINDS_MAX]; /* by flow position */
};

struct seen_key {
	char *key;
	int line;
};

struct parser {
	const char *file; /* as given by the caller, for messages */
	FILE *fp;
	struct config *cfg;
	char *buf; /* getline buffer: the physical line */
	size_t cap;
	int lineno;

	char *err;
	size_t errlen;
	int err_line; /* line of the recorded error; 0 = none yet */

	enum section sect; /* the section being read */
	size_t index;      /* its conns[] or pipelines[] index */
	char label[128];   /* "[postgres shop]", for messages */
	struct seen_key *seen;
	size_t n_seen;
	int synctop_line;

	struct draft *drafts; /* parallel to cfg->pipelines */
	int secret_line;      /* first line holding a secret inline */
};

/* config.c */

/* Records the error if it is the first (lowest line) one. */
PRINTF_LIKE(3, 4) void config_fail(struct parser *p, int line, const char *fmt, ...);
/* Error for a key no table knows, with a did-you-mean or a hint where it belongs. */
void config_unknown_key(struct parser *p, int line, const char *key);
/* Says why a stage kind without options cannot be used (its backend was not built). */
void config_fail_unavailable(struct parser *p, int line, const struct kind *k);
/* An example connection name per connection kind ("shop"), for messages. */
extern const char *const conn_example_names[CONN__COUNT];

/* Did-you-mean: the closest candidate within distance 2 (or a third of the word). For dotted
   candidates the part after the dot counts too, so a stage option typed without its "KIND."
   prefix suggests the prefixed key. */
struct suggest {
	const char *typed;
	size_t limit;
	const char *best;
	size_t best_d;
};
void suggest_init(struct suggest *s, const char *typed, bool lenient);
void suggest_add(struct suggest *s, const char *cand);

/* config_pipeline.c */

/* Fills a new pipeline's draft: a stage of every kind with its defaults. */
void pipeline_draft_init(struct draft *d);
/* One key = value of a [pipeline] section. */
void pipeline_set_key(struct parser *p, int line, const char *key, const char *value);
/* Once the file is read: builds pl's stages from its draft and checks them. */
void pipeline_check(struct parser *p, struct pipeline *pl, struct draft *d);
/* Frees every draft. */
void pipeline_drafts_free(struct parser *p);

#endif
