/* kind.c: the slot kind: logical replication slots: active, retained WAL. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/slot/slot.h"
#include "redact.h"
#include "units.h"

static const struct metric_def slot_metrics[] = {
    {"slot_name", MU_TEXT, true},
    {"active", MU_BOOL, true},
    {"wal_status", MU_TEXT, true},
    {"retained_bytes", MU_BYTES, true},
    {"confirmed_lag_bytes", MU_BYTES, true},
    {"evaluation", MU_TEXT, false},
    {"evaluated_s", MU_SECONDS, false},
    {"lag_from", MU_BYTES, false},
    {"consumed", MU_BYTES, false},
    {"produced", MU_BYTES, false},
    {"confirmed_lag_s", MU_SECONDS, false},
    {0},
};

/* The options of its metrics' thresholds, and their bounds (kind.h). */
static const struct metric_extra slot_extras[] = {
    {.metric = "retained_bytes", .warn_opt = "slot.retained_warn", .crit_opt = "slot.retained_crit"},
    {0},
};

static void slot_target(const struct stage_cfg *stage, char *buf, size_t n)
{
	const struct slot_opts *st = slot_opts(stage);
	buf[0] = '\0';
	if (!st->slot_names) {
		strlcpy_safe(buf, "*", n);
		return;
	}
	for (char **p = st->slot_names; *p; p++)
		snappendf(buf, n, "%s%s", p == st->slot_names ? "" : ",", *p);
}

/* Exports: the slot its figures are of (the worst of those it watches), as postgres_exporter
   labels it; the names it watches when none was read. */
static size_t slot_export_labels(const struct stage_view *sv, struct export_label *out)
{
	const char *name = sv->cur.ok ? metric_str(sv->cur.metrics, "slot_name") : NULL;
	out[0].name = "slot_name";
	if (name)
		strlcpy_safe(out[0].value, name, sizeof out[0].value);
	else
		slot_target(sv->cfg, out[0].value, sizeof out[0].value);
	return 1;
}

static void slot_figures(const struct stage_view *sv, char *buf, size_t n)
{
	const json_t *m = sv->cur.metrics;
	const char *name = metric_str(m, "slot_name");
	size_t count = json_array_size(json_object_get(sv->cur.detail, "slots"));
	if (!name) {
		snprintf(buf, n, "no logical replication slots");
		return;
	}
	bool active = false;
	double retained = 0;
	char size[32];
	metric_bool(m, "active", &active);
	metric_num(m, "retained_bytes", &retained);
	format_size(retained, size, sizeof size);
	const char *ws = metric_str(m, "wal_status");
	snprintf(buf, n, "%s %s, %s retained, wal %s", name, active ? "active" : "inactive", size,
	         ws ? ws : "?");
	const char *ev = metric_str(m, "evaluation");
	if (ev)
		snappendf(buf, n, ", %s", ev);
	if (count > 1)
		snappendf(buf, n, " (worst of %zu slots)", count);
}

const struct kind slot_kind = {
    .name = "slot",
    .conn = CONN_POSTGRES,
    .options = slot_options,
    .opts_size = sizeof(struct slot_opts),
    .metrics = slot_metrics,
    .main_metric = "retained_bytes",
#ifdef HAVE_POSTGRES
    .probe = &slot_probe,
#endif
    .target = slot_target,
    .evaluate = slot_rules,
    .rules = slot_rule_defs,
    .figures = slot_figures,
    .export_labels = slot_export_labels,
    .export_label_names = "slot_name",
    .extras = slot_extras,
};
