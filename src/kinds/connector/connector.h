/* connector.h: what the files of the connector kind share. */
#ifndef SYNCTOP_KIND_CONNECTOR_H
#define SYNCTOP_KIND_CONNECTOR_H

#include <stdint.h>

#include "actions.h"
#include "kinds/act.h"
#include "kinds/kind.h"
#include "kinds/probe.h"

/* The connector.* options of a stage (st->opts), described by connector_options. */
struct connector_opts {
	char *connector_name; /* connector.name */
};

static inline const struct connector_opts *connector_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind connector_kind;
/* Its rules as data (rules_table.c), ended by {0}. */
extern const struct rule_def connector_rule_defs[];
#ifdef HAVE_SEARCH
extern const struct probe connector_probe;
#endif

/* options.c: the connector.* keys, the first being the stage key itself. */
extern const struct opt_def connector_options[];
bool connector_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                     size_t n);

/* probe.c: a GET /connectors/NAME/status answer (j, from path) into out; memo as in probe_ctx.
   Pure: the probe's parser, for the fuzzer (tests/fuzz/fuzz_connect.c). */
enum probe_result connector_read(const json_t *j, const char *path, json_t **memo, struct sample *out);

#ifdef HAVE_SEARCH
/* act.c (built with the HTTP backend): the actions (kinds/act.h) of connector_probe. */
extern const struct kind_action connector_actions[];
/* GET / of a Connect worker: its version ("3.7.1") into buf, cleaned; false with err. */
bool connect_worker_version(void *session, double deadline, char *buf, size_t n, char *err, size_t en);
#endif

/* status.c, pure. Whether action a (pause, resume, stop, restart) applies now, from the
   stage's latest ok sample (NULL: none yet): pause when RUNNING; resume when PAUSED or
   STOPPED; stop on Kafka Connect 3.5 or later (worker_version) when not STOPPED; restart
   with a FAILED task or a FAILED connector. False with why on one line. */
bool connector_offered(enum action a, const struct sample *cur, char *why, size_t n);
/* Pure. Whether the Kafka version a worker reports ("3.5.1", "3.8.0-SNAPSHOT"; Confluent
   Platform's "7.5.0-ccs" is Kafka 3.5) is at least major.minor: 1 yes, 0 no, -1 unknown. */
int connect_version_at_least(const char *version, int major, int minor);
/* Pure. The tasks of a GET /connectors/NAME/status answer in state (NULL: every one), as
   [{id, state, worker_id, trace}] in the answer's order (a task with no integer id or no
   state is left out). New reference. */
json_t *connector_status_tasks(const json_t *status, const char *state);
/* Pure. A stack trace as an array of its lines (CR LF or LF), at most max_lines and then
   "... N more lines", each cleaned (sanitize.h). New reference. */
json_t *connector_trace_lines(const char *trace, size_t max_lines);

/* rules.c */
void connector_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
