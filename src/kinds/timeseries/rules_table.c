/* rules_table.c: the timeseries stage's rules as data (rule_def.h). */
#include "kinds/timeseries/timeseries.h"

const struct rule_def timeseries_rule_defs[] = {
    {"writes-stopped", "warn or crit", RULE_SYMPTOM, ACTION_NONE,
     "the measurement's newest point is timeseries.stale_warn old or older (crit from "
     "timeseries.stale_crit), or it holds no point",
     "dashboards flatline: the metrics of the last minutes are missing",
     "find the writer that stopped: a stage before this one (the consumer group that feeds it) "
     "says why; else the writer's log, and whether the database's retention dropped the points"},
    {"writes-dropped", "warn", RULE_SYMPTOM, ACTION_NONE,
     "points written over timeseries.window, per second, are under timeseries.drop_warn of the "
     "rate over timeseries.baseline (when that rate expects 10 points or more in the window and "
     "the newest point is fresher than timeseries.stale_warn)",
     "dashboards show a dip that did not happen: some writers or series stopped",
     "compare the series that still arrive with those of the baseline (SHOW SERIES); a stage "
     "before this one may be behind"},
    {0},
};
