/* rules.c: the replication slot rules: inactive slots, retained WAL, confirmed_flush progress. Pure. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kinds/slot/slot.h"
#include "rules.h"
#include "units.h"

/* The verdict of the window (slot.window) on an active slot's confirmed_flush_lsn: standing
   still while the WAL grows (slot-stalled: warn over one window, crit once longer), or falling
   behind (slot-falling-behind). An inactive slot is slot-inactive's. */
static void eval_slot_window(struct pipeline_view *pv, struct stage_view *sv, json_t *s)
{
	const struct slot_opts *st = slot_opts(sv->cfg);
	const char *name = metric_str(s, "slot_name");
	const char *ev = metric_str(s, "evaluation");
	if (!ev || (strcmp(ev, "STALL") && strcmp(ev, "STOP") && strcmp(ev, "WARN")))
		return;
	double span = 0, produced = 0, consumed = 0, from = 0, unconfirmed = 0, behind;
	metric_num(s, "evaluated_s", &span);
	metric_num(s, "produced", &produced);
	metric_num(s, "consumed", &consumed);
	metric_num(s, "lag_from", &from);
	metric_num(s, "confirmed_lag_bytes", &unconfirmed);
	char seen[32], win[32], grew[32], conf[32], unc[32], was[32], ago[64] = "";
	format_duration(span, seen, sizeof seen);
	format_duration(st->window_s, win, sizeof win);
	format_size(produced, grew, sizeof grew);
	format_size(consumed, conf, sizeof conf);
	format_size(unconfirmed, unc, sizeof unc);
	format_size(from, was, sizeof was);
	if (metric_num(s, "confirmed_lag_s", &behind) && behind > 0) {
		char d[32];
		format_duration(behind, d, sizeof d);
		snprintf(ago, sizeof ago, ", about %s behind", d);
	}
	if (!strcmp(ev, "WARN")) {
		raise_status(sv, ST_WARN, "slot %s: its consumer falls behind", name);
		struct diagnosis *d = add_diag(pv, sv, "slot-falling-behind", ST_WARN, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom,
		         "the consumer of replication slot %s confirms more slowly than the WAL grows", name);
		snprintf(d->evidence, sizeof d->evidence,
		         "unconfirmed WAL grew from %s to %s over the last %s while %s were confirmed%s", was,
		         unc, seen, conf, ago);
		snprintf(d->next, sizeof d->next,
		         "the CDC consumer cannot keep up with the writes: find what slows it or its sink; "
		         "meanwhile the slot retains ever more WAL");
		return;
	}
	bool stop = !strcmp(ev, "STOP");
	enum status sev = stop ? ST_CRIT : ST_WARN;
	raise_status(sv, sev, "slot %s: confirmed_flush_lsn stands still", name);
	struct diagnosis *d = add_diag(pv, sv, "slot-stalled", sev, ACTION_NONE);
	snprintf(d->symptom, sizeof d->symptom,
	         "the consumer of replication slot %s is connected but confirms nothing", name);
	char longer[64] = "";
	if (stop)
		snprintf(longer, sizeof longer, " (longer than the %s window)", win);
	snprintf(d->evidence, sizeof d->evidence,
	         "confirmed_flush_lsn unchanged over the last %s%s while the WAL grew %s; %s unconfirmed%s",
	         seen, longer, grew, unc, ago);
	snprintf(d->next, sizeof d->next,
	         "the CDC consumer is stuck (a change it cannot apply, a sink that hangs): look in its "
	         "logs and restart it; until it confirms, the slot retains WAL");
}

static void eval_slot_entry(struct pipeline_view *pv, struct stage_view *sv, json_t *s)
{
	const struct slot_opts *st = slot_opts(sv->cfg);
	const char *name = metric_str(s, "slot_name");
	const char *ws = metric_str(s, "wal_status");
	bool active = true;
	double retained = 0, max_keep = -1, safe;
	metric_bool(s, "active", &active);
	metric_num(s, "retained_bytes", &retained);
	metric_num(s, "max_slot_wal_keep_size", &max_keep);
	char size[32], lim[32];
	format_size(retained, size, sizeof size);

	if (ws && (!strcmp(ws, "lost") || !strcmp(ws, "unreserved"))) {
		raise_status(sv, ST_CRIT, "slot %s: wal_status %s", name, ws);
		struct diagnosis *d = add_diag(pv, sv, "slot-wal-at-risk", ST_CRIT, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom, "replication slot %s %s", name,
		         !strcmp(ws, "lost") ? "has lost WAL it needs: its consumer cannot resume"
		                             : "is about to lose the WAL it needs");
		snprintf(d->evidence, sizeof d->evidence, "wal_status = %s, %s retained", ws, size);
		snprintf(
		    d->next, sizeof d->next,
		    "restart the CDC consumer at once; a lost slot must be dropped and re-created, and the "
		    "target re-snapshotted");
		return;
	}
	if (max_keep > 0 && retained >= 0.8 * max_keep) {
		format_size(max_keep, lim, sizeof lim);
		raise_status(sv, ST_WARN, "slot %s retains %s of max_slot_wal_keep_size %s", name, size, lim);
		struct diagnosis *d = add_diag(pv, sv, "slot-wal-at-risk", ST_WARN, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom, "replication slot %s is near its WAL limit", name);
		snprintf(d->evidence, sizeof d->evidence, "%s retained of max_slot_wal_keep_size %s", size,
		         lim);
		if (metric_num(s, "safe_wal_size", &safe)) {
			format_size(safe, lim, sizeof lim);
			snappendf(d->evidence, sizeof d->evidence, " (%s left before invalidation)", lim);
		}
		snprintf(d->next, sizeof d->next,
		         "get the consumer reading again before the slot is invalidated");
	}
	enum status rs = level(retained, (double)st->retained_warn, (double)st->retained_crit);
	if (rs != ST_OK)
		raise_status(sv, rs, "slot %s retains %s of WAL", name, size);
	if (!active && retained > 0) {
		enum status sev = rs == ST_CRIT ? ST_CRIT : ST_WARN;
		raise_status(sv, sev, "slot %s is inactive and retains %s of WAL", name, size);
		struct diagnosis *d = add_diag(pv, sv, "slot-inactive", sev, ACTION_NONE);
		snprintf(d->symptom, sizeof d->symptom, "no consumer reads replication slot %s", name);
		snprintf(d->evidence, sizeof d->evidence,
		         "active = false, wal_status = %s, %s of WAL retained", ws ? ws : "?", size);
		snprintf(d->next, sizeof d->next,
		         "the CDC connector (e.g. Debezium) is down: restart it; if the slot is abandoned, "
		         "drop it "
		         "(SELECT pg_drop_replication_slot('%s')) before the disk fills",
		         name);
	}
	if (active)
		eval_slot_window(pv, sv, s);
}

void slot_rules(struct pipeline_view *pv, struct stage_view *sv)
{
	json_t *slots = json_object_get(sv->cur.detail, "slots");
	size_t i;
	json_t *s;
	json_array_foreach(slots, i, s) eval_slot_entry(pv, sv, s);
	if (json_array_size(slots) == 0)
		snprintf(sv->reason, sizeof sv->reason, "no logical replication slots");
}
