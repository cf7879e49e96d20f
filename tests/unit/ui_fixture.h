/* ui_fixture.h: a screen state (struct ui) over a constructed snapshot, and key scripts, for the UI tests. */
#ifndef SYNCTOP_TEST_UI_FIXTURE_H
#define SYNCTOP_TEST_UI_FIXTURE_H

#include "ui/input.h"
#include "ui/view.h"

/* The wall time every fixture sample was taken at (fixture.c) and the last complete round. */
#define UI_FX_WALL 1795000100.0
/* The monotonic time keys are pressed at. */
#define UI_FX_NOW 500.0

/* Four pipelines, one per status, all through the real parser and health_evaluate:
   orders OK, products CRIT (3 diagnoses), invoices WARN, audit UNKNOWN (a failed poll). */
extern const char *const UI_FX_INI;
void ui_fx_fill(struct snapshot *snap);

/* 1,000 pipelines p0001..p1000, an outbox each on one PostgreSQL (config_free it). */
struct config *ui_fx_thousand(void);

/* A ui as tui_run starts it (main view, worst first, the config's interval), rows x cols,
   over cfg's snapshot filled by fill (NULL: nothing polled); the selection fixed. */
void ui_fx_init(struct ui *ui, const struct config *cfg, void (*fill)(struct snapshot *), int rows, int cols);
void ui_fx_free(struct ui *ui);

/* Gives the outbox stages of cfg a kind of the test's own, the outbox kind with fake actions
   (nothing sent: only offered, scope_check and does are used): replay, offered while rows
   failed ("no failed row" otherwise), scopes "failed" and "ids:..."; pause, always; resume,
   never ("not paused"). Call before ui_fx_init. */
void ui_fx_actions(struct config *cfg);
#define UI_FX_REPLAY_DOES "resets the previewed rows to pending, in one transaction; at most 10000"

/* Presses the keys of script on ui at UI_FX_NOW: characters stand for themselves, and
   <Enter>, <Esc>, <Tab>, <BTab>, <Up>, <Down>, <PgUp>, <PgDn>, <BS>, <F1> for those keys.
   Returns the UI_* bits of every key or'ed; *last receives the last key's change. */
unsigned ui_fx_keys(struct ui *ui, const char *script, struct ui_change *last);

#endif
