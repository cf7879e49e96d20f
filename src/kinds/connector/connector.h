/* connector.h: what the files of the connector kind share. */
#ifndef SYNCTOP_KIND_CONNECTOR_H
#define SYNCTOP_KIND_CONNECTOR_H

#include <stdint.h>

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

/* rules.c */
void connector_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
