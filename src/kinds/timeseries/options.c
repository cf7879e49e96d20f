/* options.c: the timeseries.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>
#include <stdio.h>

#include "kinds/timeseries/timeseries.h"

#define OFF(field) offsetof(struct timeseries_opts, field)

const struct opt_def timeseries_options[] = {
    {"timeseries", OPT_CONN, NULL, 0, 0, 0, 0,
     "http connection to an InfluxDB 1.x server (its url, e.g. http://influx:8086; user and "
     "password as for any http connection) whose measurement is watched: newest point, write rate"},
    {"timeseries.database", OPT_STR, NULL, 1, 0, OFF(database), 0, "the database (required)"},
    {"timeseries.measurement", OPT_STR, NULL, 1, 0, OFF(measurement), 0,
     "the measurement the pipeline writes (required)"},
    {"timeseries.retention_policy", OPT_STR, NULL, 1, 0, OFF(retention_policy), 0,
     "retention policy of the measurement (unset: the database's default)"},
    {"timeseries.window", OPT_DURATION, "1m", 1, 86400, OFF(window_s), 0,
     "the recent write rate is the points written over this window"},
    {"timeseries.baseline", OPT_DURATION, "15m", 1, 7 * 86400, OFF(baseline_s), 0,
     "the recent rate is compared with the rate over this longer window"},
    {"timeseries.stale_warn", OPT_DURATION, "2m", 0, 0, OFF(stale_warn_s), 0,
     "newest point this old or older: warn (writes stopped)"},
    {"timeseries.stale_crit", OPT_DURATION, "10m", 0, 0, OFF(stale_crit_s), 0,
     "newest point this old or older: crit (writes stopped)"},
    {"timeseries.drop_warn", OPT_REAL, "0.5", 0, 1, OFF(drop_warn), 0,
     "recent write rate under this share of the baseline's rate: warn (0: never)"},
    {0},
};

bool timeseries_check(struct stage_cfg *stage, const struct pipeline *pl, const struct config *cfg, char *msg,
                      size_t n)
{
	const struct timeseries_opts *o = timeseries_opts(stage);
	(void)pl;
	(void)cfg;
	if (!o->database || !o->measurement) {
		snprintf(msg, n, "the timeseries stage needs timeseries.database and timeseries.measurement");
		return false;
	}
	if (o->baseline_s <= o->window_s) {
		snprintf(msg, n, "timeseries.baseline must be longer than timeseries.window");
		return false;
	}
	return true;
}
