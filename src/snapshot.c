/* snapshot.c: statuses and the lifetime of evaluated snapshots. */
#include "snapshot.h"

#include <stdlib.h>

static const char *const status_names[] = {
    [ST_OK] = "ok", [ST_UNKNOWN] = "unknown", [ST_WARN] = "warn", [ST_CRIT] = "crit"};

const char *status_name(enum status s)
{
	return status_names[s];
}

enum status status_worst(enum status a, enum status b)
{
	return a > b ? a : b;
}

int status_exit_code(enum status s)
{
	switch (s) {
	case ST_OK:
		return 0;
	case ST_WARN:
		return 1;
	case ST_CRIT:
		return 2;
	case ST_UNKNOWN:
		break;
	}
	return 3;
}

void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->n_pipes; i++) {
		struct pipeline_view *pv = &s->pipes[i];
		for (size_t j = 0; j < pv->n_stages; j++) {
			sample_clear(&pv->stages[j].cur);
			sample_clear(&pv->stages[j].prev);
			free(pv->stages[j].series);
		}
		free(pv->stages);
		free(pv->diags);
	}
	free(s->pipes);
	s->pipes = NULL;
	s->n_pipes = 0;
}
