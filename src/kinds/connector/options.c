/* options.c: the connector.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>
#include <stdio.h>

#include "kinds/connector/connector.h"

const struct opt_def connector_options[] = {
    {"connector", OPT_CONN, NULL, 0, 0, ST_OFF(conn), false,
     "connect connection (a Kafka Connect worker's REST API) whose connector is watched"},
    {"connector.name", OPT_STR, NULL, 1, 0, ST_OFF(connector_name), false,
     "the connector (required): its state, and its tasks' (a FAILED task under a RUNNING connector "
     "is the runbook's connector-task-failed)"},
    {0},
};

bool connector_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                     size_t n)
{
	(void)pl;
	(void)cfg;
	if (st->connector_name)
		return true;
	snprintf(msg, n, "the connector stage needs connector.name (the connector to watch)");
	return false;
}
