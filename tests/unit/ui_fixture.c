/* ui_fixture.c: a screen state (struct ui) over a constructed snapshot, and key scripts, for the UI tests. */
#include "ui_fixture.h"

#include <curses.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "health.h"
#include "kinds/act.h"
#include "kinds/kind.h"
#include "kinds/probe.h"
#include "ui/select.h"

const char *const UI_FX_INI = "[synctop]\n"
                              "environment = staging\n"
                              "[postgres shop]\n"
                              "conninfo = host=db.internal dbname=shop user=synctop\n"
                              "[postgres billing]\n"
                              "conninfo = host=billing.internal dbname=billing\n"
                              "[pipeline orders]\n"
                              "outbox = shop\n"
                              "outbox.table = public.orders_outbox\n"
                              "[pipeline products]\n"
                              "outbox = shop\n"
                              "outbox.table = public.outbox\n"
                              "slot = shop\n"
                              "slot.names = debezium\n"
                              "[pipeline invoices]\n"
                              "outbox = billing\n"
                              "outbox.table = public.invoice_outbox\n"
                              "slot = billing\n"
                              "[pipeline audit]\n"
                              "outbox = billing\n"
                              "outbox.table = public.audit_outbox\n";

#define NO_SLOTS "{\"slots\": []}"

static void series(struct stage_view *sv, const double *v, int n)
{
	sv->series = xcalloc((size_t)n, sizeof *sv->series);
	memcpy(sv->series, v, (size_t)n * sizeof *v);
	sv->n_series = n;
}

void ui_fx_fill(struct snapshot *snap)
{
	struct stage_view *orders = &snap->pipes[0].stages[0];
	fixture_sample(
	    orders,
	    "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0, \"failed\": 0,"
	    " \"drain_per_s\": 6.0, \"inflow_per_s\": 6.0}",
	    NULL, 0);
	static const double flat[] = {3, 1, 0, 2, 0, 0, 1, 0};
	series(orders, flat, 8);

	struct stage_view *products = &snap->pipes[1].stages[0], *slot = &snap->pipes[1].stages[1];
	fixture_sample(products,
	               "{\"pending\": 137, \"pending_capped\": false, \"oldest_pending_age_s\": 600.0,"
	               " \"failed\": 5, \"drain_per_s\": 0.5, \"inflow_per_s\": 2.5}",
	               NULL, 0);
	fixture_detail(products, "{\"first_poison_rows\": [{\"id\": \"812\", \"attempts\": 5,"
	                         " \"last_error\": \"the broker rejected the message (record too large)\"},"
	                         " {\"id\": \"815\", \"attempts\": 5, \"last_error\": null}]}");
	static const double rising[] = {10, 20, 35, 50, 70, 90, 110, 137};
	series(products, rising, 8);
	fixture_sample(slot,
	               "{\"slot_name\": \"debezium\", \"active\": false, \"wal_status\": \"reserved\","
	               " \"retained_bytes\": 1048576, \"confirmed_lag_bytes\": 1000}",
	               NULL, 0);
	fixture_detail(slot, "{\"slots\": [{\"slot_name\": \"debezium\", \"active\": false, \"wal_status\": "
	                     "\"reserved\", \"retained_bytes\": 1048576, \"confirmed_lag_bytes\": 1000,"
	                     " \"max_slot_wal_keep_size\": -1}]}");

	struct stage_view *invoices = &snap->pipes[2].stages[0], *islot = &snap->pipes[2].stages[1];
	fixture_sample(
	    invoices,
	    "{\"pending\": 3, \"pending_capped\": false, \"oldest_pending_age_s\": 1.0, \"failed\": 0}", NULL,
	    0);
	fixture_sample(islot,
	               "{\"slot_name\": \"c\", \"active\": true, \"wal_status\": \"extended\","
	               " \"retained_bytes\": 900000000, \"confirmed_lag_bytes\": 5000}",
	               NULL, 0);
	fixture_detail(islot,
	               "{\"slots\": [{\"slot_name\": \"c\", \"active\": true, \"wal_status\": \"extended\","
	               " \"retained_bytes\": 900000000, \"max_slot_wal_keep_size\": 1000000000,"
	               " \"safe_wal_size\": 100000000}]}");

	struct stage_view *audit = &snap->pipes[3].stages[0];
	fixture_error(audit, "cannot connect to billing (host=billing.internal dbname=billing): "
	                     "connection refused");
	strlcpy_safe(audit->last_err, audit->cur.err, sizeof audit->last_err);
	audit->last_err_at = audit->cur.wall;
	health_evaluate(snap);

	/* How long each status has held, as the tracker (track.h) leaves it: the ages shown. */
	orders->since = UI_FX_WALL - 3 * 3600 - 5 * 60;
	products->since = UI_FX_WALL - 252;
	slot->since = UI_FX_WALL - 95;
	invoices->since = UI_FX_WALL - 42;
	islot->since = UI_FX_WALL - 600;
	audit->since = UI_FX_WALL - 12;
	for (size_t i = 0; i < snap->pipes[1].n_diags; i++) {
		struct diagnosis *d = &snap->pipes[1].diags[i];
		d->since = i == 0 ? UI_FX_WALL - 3600 : UI_FX_WALL - 252; /* the first from the data */
		d->since_seen = i != 0;
	}
}

void ui_fx_init(struct ui *ui, const struct config *cfg, void (*fill)(struct snapshot *), int rows, int cols)
{
	memset(ui, 0, sizeof *ui);
	ui->cfg = cfg;
	ui->read_only = cfg->read_only;
	ui->interval = cfg->interval_s;
	ui->sort_worst = true;
	ui->view = VIEW_MAIN;
	fixture_snapshot(&ui->snap, cfg, UI_FX_WALL);
	if (fill) {
		fill(&ui->snap);
		ui->last_complete = UI_FX_WALL;
	} else {
		health_evaluate(&ui->snap);
	}
	ui->have_snap = true;
	ui->rows = rows;
	ui->cols = cols;
	fix_selection(ui);
}

void ui_fx_free(struct ui *ui)
{
	snapshot_free(&ui->snap);
}

static bool fx_replay_offered(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	(void)st;
	int64_t failed = 0;
	if (cur && metric_int(cur->metrics, "failed", &failed) && failed > 0)
		return true;
	snprintf(why, n, "no failed row");
	return false;
}

/* Scopes "failed" and "ids:..." only. */
static bool fx_scope_check(const struct stage_cfg *st, const char *scope, char *why, size_t n)
{
	(void)st;
	if (!strcmp(scope, "failed") || !strncmp(scope, "ids:", 4))
		return true;
	snprintf(why, n, "%s%s: failed, ids:FROM-TO", *scope ? "no such scope " : "replay needs a scope",
	         scope);
	return false;
}

static bool fx_resume_offered(const struct stage_cfg *st, const struct sample *cur, char *why, size_t n)
{
	(void)st;
	(void)cur;
	snprintf(why, n, "not paused");
	return false;
}

static const struct kind_action fx_actions[] = {
    {.action = ACTION_REPLAY,
     .offered = fx_replay_offered,
     .scope_check = fx_scope_check,
     .does = UI_FX_REPLAY_DOES},
    {.action = ACTION_PAUSE, .does = "sets paused_at in the control table"},
    {.action = ACTION_RESUME, .offered = fx_resume_offered},
    {.action = ACTION_NONE},
};

void ui_fx_actions(struct config *cfg)
{
	static struct probe probe;
	static struct kind kind;
	const struct kind *outbox = kind_by_name("outbox", 6);
	assert_non_null(outbox);
	assert_non_null(outbox->probe);
	probe = *outbox->probe;
	probe.actions = fx_actions;
	kind = *outbox;
	kind.probe = &probe;
	for (size_t i = 0; i < cfg->n_pipelines; i++)
		for (size_t j = 0; j < cfg->pipelines[i].n_stages; j++)
			if (cfg->pipelines[i].stages[j].kind == outbox)
				cfg->pipelines[i].stages[j].kind = &kind;
}

static const struct {
	const char *name;
	int code;
} named[] = {
    {"<Enter>", '\r'},       {"<Esc>", 27},        {"<Tab>", '\t'},       {"<BTab>", KEY_BTAB},
    {"<Up>", KEY_UP},        {"<Down>", KEY_DOWN}, {"<PgUp>", KEY_PPAGE}, {"<PgDn>", KEY_NPAGE},
    {"<BS>", KEY_BACKSPACE}, {"<F1>", KEY_F(1)},
};

unsigned ui_fx_keys(struct ui *ui, const char *script, struct ui_change *last)
{
	unsigned all = 0;
	while (*script) {
		int ch = (unsigned char)*script;
		size_t len = 1;
		if (*script == '<' && strchr(script, '>')) {
			ch = -1;
			for (size_t i = 0; i < ARRAY_LEN(named); i++)
				if (!strncmp(script, named[i].name, strlen(named[i].name))) {
					ch = named[i].code;
					len = strlen(named[i].name);
				}
			if (ch < 0)
				fail_msg("unknown key in script: %s", script);
		}
		struct ui_change c = ui_key(ui, ch, UI_FX_NOW);
		all |= c.what;
		if (last)
			*last = c;
		script += len;
	}
	return all;
}

struct config *ui_fx_thousand(void)
{
	size_t cap = 64 + 1000 * 40;
	char *ini = xmalloc(cap);
	snprintf(ini, cap, "[postgres shop]\nconninfo = host=db.internal dbname=shop\n");
	for (int i = 1; i <= 1000; i++)
		snappendf(ini, cap, "[pipeline p%04d]\noutbox = shop\n", i);
	struct config *cfg = fixture_config(ini);
	free(ini);
	return cfg;
}
