/* rule_def.c: the generic rules, which a stage of any kind may raise (rule_def.h). */
#include "rule_def.h"

#include <stddef.h>
#include <string.h>

const struct rule_def generic_rule_defs[] = {
    {"threshold", "warn or crit", RULE_LOCAL, ACTION_NONE,
     "a --warn or --crit override of --once (KIND.METRIC=RANGE) alerts on the metric's value: it is "
     "outside the range, or inside it when the range starts with @",
     "a figure is past the threshold the check was given",
     "see what the figure means for its stage (its other diagnoses, synctop(1)); the threshold is "
     "the check's (--warn, --crit), not the config's"},
    {"canary-lost", "crit", RULE_CAUSE, ACTION_NONE,
     "the pipeline's canary marker (canary = true) was not seen at every hop within canary.timeout of "
     "its insert; it names the first hop that has not seen it",
     "data does not flow end to end: an event inserted now does not reach the last store",
     "look at the stage named (its worker or consumer: stopped, paused, failing), then its other "
     "diagnoses; the marker still completes, late, once the flow resumes"},
    /* A copy against its source (kinds/copy.c): the graph and document kinds. */
    {"copy-missing", "warn or crit", RULE_SYMPTOM | RULE_WINDOWED, ACTION_REPLAY,
     "the source has more rows than the copy has items (KIND.source_count against the copy's count), "
     "beyond what is still on its way upstream, throughout KIND.missing_window, and nothing before "
     "the copy holds the flow; or the copy has more",
     "a row in PostgreSQL is missing from the graph or the catalogue after a timeout",
     "replay the rows through the outbox (never write to the copy beside it)"},
    {"copy-stale", "warn or crit", RULE_SYMPTOM, ACTION_NONE,
     "the newest source row is newer than the newest copy by KIND.freshness_warn or more",
     "the copy shows old data after an update (graph recommendations stale)",
     "find the stage before the copy that is behind (its consumer group), or the writer that fails"},
    {0},
};

const struct rule_def *generic_rule(const char *id)
{
	for (const struct rule_def *r = generic_rule_defs; r->id; r++)
		if (!strcmp(r->id, id))
			return r;
	return NULL;
}
