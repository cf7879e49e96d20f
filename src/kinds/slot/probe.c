/* probe.c: the slot stage: logical replication slots, whether they are consumed and how much WAL they hold.
 */
/* needs: postgres */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/pg.h"
#include "kinds/slot/slot.h"
#include "kinds/probe.h"
#include "window.h"

/* History kept in each sample (raw.hist) for the evaluation: this many windows back, so that a
   consumer standing still for longer than the window can be told (STOP). */
#define HIST_WINDOWS 3

/* Every logical slot of the server: asked once a round, however many slot stages read the
   server (each keeps the slots it names). */
static const char SLOTS_SQL[] =
    "SELECT s.slot_name, s.active, s.wal_status,"
    " pg_wal_lsn_diff(c.lsn, s.restart_lsn)::bigint,"
    " pg_wal_lsn_diff(c.lsn, s.confirmed_flush_lsn)::bigint,"
    " s.safe_wal_size, pg_size_bytes(current_setting('max_slot_wal_keep_size')), s.plugin, "
    "s.database,"
    " pg_wal_lsn_diff(c.lsn, '0/0')::bigint, pg_wal_lsn_diff(s.confirmed_flush_lsn, '0/0')::bigint"
    " FROM pg_replication_slots s,"
    " (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()"
    " ELSE pg_current_wal_lsn() END AS lsn) c"
    " WHERE s.slot_type = 'logical'"
    " ORDER BY s.slot_name";

/* Whether the stage watches the slot: every slot without slot names, else the named ones. */
static bool watched(char *const *names, const char *slot)
{
	if (!names)
		return true;
	for (char *const *n = names; *n; n++)
		if (!strcmp(*n, slot))
			return true;
	return false;
}

/* Worst first: a lost or unreserved slot, then an inactive one, then the most retained WAL. */
static int slot_rank(json_t *s)
{
	const char *ws = metric_str(s, "wal_status");
	bool active = true;
	metric_bool(s, "active", &active);
	if (ws && (!strcmp(ws, "lost") || !strcmp(ws, "unreserved")))
		return 0;
	return active ? 2 : 1;
}

static json_t *worst_slot(json_t *slots)
{
	json_t *worst = NULL;
	size_t i;
	json_t *s;
	json_array_foreach(slots, i, s)
	{
		if (!worst) {
			worst = s;
			continue;
		}
		int rs = slot_rank(s), rw = slot_rank(worst);
		double bs = 0, bw = 0;
		metric_num(s, "retained_bytes", &bs);
		metric_num(worst, "retained_bytes", &bw);
		if (rs < rw || (rs == rw && bs > bw))
			worst = s;
	}
	return worst;
}

static json_t *int_or_null(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return json_null();
	return json_integer(strtoll(PQgetvalue(res, row, col), NULL, 10));
}

static enum probe_result slot_poll(const struct probe_ctx *ctx, struct sample *out)
{
	const struct slot_opts *st = slot_opts(ctx->st);
	PGresult *res = NULL;
	if (!pg_shared_get(ctx->session, ctx->round, SLOTS_SQL, NULL, &res, out->err, sizeof out->err)) {
		bool broken = false;
		res = pg_query(ctx->session, SLOTS_SQL, 0, NULL, ctx->deadline, out->err, sizeof out->err,
		               &broken);
		if (broken) {
			out->ok = false;
			return PROBE_BROKEN;
		}
		pg_shared_put(ctx->session, ctx->round, SLOTS_SQL, NULL, res, out->err);
	}
	if (!res) {
		out->ok = false;
		return PROBE_FAILED;
	}

	json_t *slots = json_array();
	out->raw = json_object(); /* the positions, for the window: confirmed_flush_lsn chasing the WAL */
	for (int r = 0; r < PQntuples(res); r++) {
		if (!watched(st->slot_names, PQgetvalue(res, r, 0)))
			continue;
		json_t *s = json_object();
		json_object_set_new(s, "slot_name", json_string(PQgetvalue(res, r, 0)));
		json_object_set_new(s, "active", json_boolean(PQgetvalue(res, r, 1)[0] == 't'));
		json_object_set_new(s, "wal_status",
		                    PQgetisnull(res, r, 2) ? json_null()
		                                           : json_string(PQgetvalue(res, r, 2)));
		json_object_set_new(s, "retained_bytes", int_or_null(res, r, 3));
		json_object_set_new(s, "confirmed_lag_bytes", int_or_null(res, r, 4));
		json_object_set_new(s, "safe_wal_size", int_or_null(res, r, 5));
		json_object_set_new(s, "max_slot_wal_keep_size", int_or_null(res, r, 6));
		json_object_set_new(s, "plugin", json_string(PQgetvalue(res, r, 7)));
		json_object_set_new(s, "database", json_string(PQgetvalue(res, r, 8)));
		json_array_append_new(slots, s);
		window_raw_add(
		    out->raw, PQgetvalue(res, r, 0),
		    PQgetisnull(res, r, 10) ? WINDOW_NO_POS : strtoll(PQgetvalue(res, r, 10), NULL, 10),
		    PQgetisnull(res, r, 9) ? WINDOW_NO_POS : strtoll(PQgetvalue(res, r, 9), NULL, 10));
	}
	PQclear(res);

	/* A slot that was named but is gone is an error worth naming: CDC cannot resume from it. */
	char missing[256] = "";
	for (char *const *n = st->slot_names; n && *n; n++) {
		bool found = false;
		size_t i;
		json_t *s;
		json_array_foreach(slots, i, s) found |= !strcmp(metric_str(s, "slot_name"), *n);
		if (!found)
			snappendf(missing, sizeof missing, "%s'%s'", *missing ? ", " : "", *n);
	}

	out->detail = json_object();
	json_object_set_new(out->detail, "slots", slots);
	if (*missing) {
		sample_set_error(out, "replication slot %s does not exist", missing);
		return PROBE_FAILED;
	}
	json_t *worst = worst_slot(slots);
	if (worst)
		for (const struct metric_def *m = slot_kind.metrics; m->name; m++)
			json_object_set(out->metrics, m->name, json_object_get(worst, m->name));
	return PROBE_OK;
}

/* The keys the window puts in a slot's entry, copied to the metrics for the worst slot. */
static const char *const window_keys[] = {"evaluation", "evaluated_s", "lag_from",
                                          "consumed",   "produced",    "confirmed_lag_s"};

static json_t *slot_entry(json_t *slots, const char *name)
{
	size_t i;
	json_t *s;
	const char *n;
	json_array_foreach(slots, i,
	                   s) if (name && (n = metric_str(s, "slot_name")) && !strcmp(n, name)) return s;
	return NULL;
}

/* Each slot is a consumer of its own: its confirmed_flush_lsn chasing the current WAL position,
   evaluated over the window (slot.window) into its entry of the detail's slots. */
static void slot_derive(const struct stage_cfg *stage, const struct sample *prev, struct sample *cur)
{
	const struct slot_opts *st = slot_opts(stage);
	struct window_history h;
	if (!window_history(prev->raw, prev->mono, cur->raw, cur->mono, HIST_WINDOWS * st->window_s, &h))
		return;
	json_t *keys = json_object_get(cur->raw, "keys");
	json_t *slots = json_object_get(cur->detail, "slots");
	struct window_point *lane = xcalloc(h.n ? h.n : 1, sizeof *lane);
	for (size_t i = 0; i < h.lanes; i++) {
		json_t *s = slot_entry(slots, json_string_value(json_array_get(keys, i)));
		if (!s)
			continue;
		for (size_t k = 0; k < h.n; k++)
			lane[k] = (struct window_point){h.pts[k].t, h.pts[k].committed + i, h.pts[k].end + i};
		struct window_eval ev = window_evaluate(lane, h.n, 1, st->window_s);
		window_put(s, &ev);
		double behind = window_lag_seconds(lane, h.n, 1);
		json_object_set_new(s, "confirmed_lag_s", behind >= 0 ? json_real(behind) : json_null());
	}
	free(lane);
	window_history_free(&h);
	json_t *worst = slot_entry(slots, metric_str(cur->metrics, "slot_name"));
	for (size_t k = 0; worst && k < sizeof window_keys / sizeof *window_keys; k++)
		json_object_set(cur->metrics, window_keys[k], json_object_get(worst, window_keys[k]));
}

const struct probe slot_probe = {
    .poll = slot_poll,
    .derive = slot_derive,
};
