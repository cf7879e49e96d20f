/* options.c: the slot.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <stddef.h>

#include "kinds/slot/slot.h"

#define OFF(field) offsetof(struct slot_opts, field)

const struct opt_def slot_options[] = {
    {"slot", OPT_CONN, NULL, 0, 0, 0, 0, "postgres connection whose logical replication slots are watched"},
    {"slot.names", OPT_LIST, NULL, 0, 0, OFF(slot_names), 0,
     "comma-separated slot names (unset: every logical slot of the database)"},
    {"slot.retained_warn", OPT_SIZE, "1GiB", 0, 0, OFF(retained_warn), 0,
     "WAL retained by a slot at or above which the stage is warn"},
    {"slot.retained_crit", OPT_SIZE, "10GiB", 0, 0, OFF(retained_crit), 0,
     "WAL retained by a slot at or above which the stage is crit"},
    {"slot.window", OPT_DURATION, "1m", 1, 86400, OFF(window_s), 0,
     "window of polls over which each slot's confirmed_flush_lsn is evaluated (stalled, stopped, "
     "falling behind): at least the consumer's confirm period"},
    {0},
};
