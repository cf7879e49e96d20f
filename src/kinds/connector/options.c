/* options.c: the connector.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>
#include <stdio.h>

#include "kinds/connector/connector.h"

#define OFF(field) offsetof(struct connector_opts, field)

const struct opt_def connector_options[] = {
    {"connector", OPT_CONN, NULL, 0, 0, 0, 0,
     "connect connection (a Kafka Connect worker's REST API) whose connector is watched"},
    {"connector.name", OPT_STR, NULL, 1, 0, OFF(connector_name), OPT_URL_SEGMENT,
     "the connector (required): its state, and its tasks' (a FAILED task under a RUNNING connector "
     "is the runbook's connector-task-failed)"},
    {0},
};

bool connector_check(struct stage_cfg *stage, const struct pipeline *pl, const struct config *cfg, char *msg,
                     size_t n)
{
	const struct connector_opts *st = connector_opts(stage);
	(void)pl;
	(void)cfg;
	if (st->connector_name)
		return true;
	snprintf(msg, n, "the connector stage needs connector.name (the connector to watch)");
	return false;
}
