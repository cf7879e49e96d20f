/* worker.h: what the files of the worker kind share. */
#ifndef SYNCTOP_KIND_WORKER_H
#define SYNCTOP_KIND_WORKER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "kinds/kind.h"
#ifdef HAVE_SEARCH
#include "kinds/act.h"
#include "kinds/probe.h"
#endif

/* The worker.* options of a stage (st->opts), described by worker_options. */
struct worker_opts {
	char *state;        /* worker.state: the GET path answering JSON ("/admin/state") */
	char *paused_field; /* worker.paused_field: a JSON pointer to a boolean ("/paused") */
	char *pause;        /* worker.pause: "METHOD PATH" ("POST /admin/pause"); NULL: none */
	char *resume;       /* worker.resume: "METHOD PATH"; NULL: none */
	char *body;         /* worker.body: a JSON body sent with both; NULL: none */
};

static inline const struct worker_opts *worker_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind worker_kind;
/* Its rules as data (rules_table.c), ended by {0}. */
extern const struct rule_def worker_rule_defs[];

/* options.c: the worker.* keys, the first being the stage key itself. */
extern const struct opt_def worker_options[];
bool worker_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                  size_t n);
/* Pure. A request "METHOD PATH" (one blank or more between): the method (upper-case letters,
   not GET or HEAD) into method, and where PATH starts into *path; false with why. */
bool worker_request_parse(const char *spec, char *method, size_t mn, const char **path, char *why, size_t n);

/* parse.c, pure. The boolean at JSON pointer (RFC 6901: "/paused", "/status/paused", "/a~1b",
   "/workers/0/paused") in answer: 1 true, 0 false, -1 with why (missing, or not a boolean). */
int worker_paused_field(const json_t *answer, const char *pointer, char *why, size_t n);

#ifdef HAVE_SEARCH
extern const struct probe worker_probe;
/* probe.c: GET worker.state, and whether it says paused: 1, 0, or -1 with why (the field is
   missing or not a boolean); -2 when the GET failed (why holds the backend's reason). */
int worker_state_read(const struct probe_ctx *ctx, char *why, size_t n);
/* act.c: pause and resume through worker.pause and worker.resume. */
extern const struct kind_action worker_actions[];
#endif

/* rules.c */
void worker_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
