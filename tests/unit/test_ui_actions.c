/* test_ui_actions.c: the screen's side of actions without a terminal: which keys are offered,
   the stage a key pins, the dialog's text and keys (y, any other key, the typed row count). */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "fixture.h"
#include "kinds/kind.h"
#include "ui/action_ui.h"
#include "ui/select.h"
#include "ui_fixture.h"

struct st {
	struct config *cfg;
	struct ui ui;
	struct act_flow flow;
};

static int setup(void **state)
{
	struct st *f = xcalloc(1, sizeof *f);
	f->cfg = fixture_config(UI_FX_INI);
	ui_fx_actions(f->cfg);
	ui_fx_init(&f->ui, f->cfg, ui_fx_fill, 24, 80);
	flow_clear(&f->flow);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct st *f = *state;
	flow_clear(&f->flow);
	ui_fx_free(&f->ui);
	config_free(f->cfg);
	free(f);
	return 0;
}

static const struct pipeline_view *pipe_named(const struct ui *ui, const char *name)
{
	for (size_t i = 0; i < ui->snap.n_pipes; i++)
		if (!strcmp(ui->snap.pipes[i].cfg->name, name))
			return &ui->snap.pipes[i];
	fail_msg("no pipeline %s", name);
	return NULL;
}

/* Offered only where it applies now: replay where rows failed, pause everywhere, resume
   nowhere (nothing is paused), nothing on a stage whose kind has no action. */
static void test_offered_keys(void **state)
{
	struct st *f = *state;
	const struct pipeline_view *products = pipe_named(&f->ui, "products"),
	                           *orders = pipe_named(&f->ui, "orders");
	char buf[128], why[256];
	ui_action_keys(&products->stages[0], false, buf, sizeof buf);
	assert_string_equal(buf, "R p");
	ui_action_keys(&products->stages[0], true, buf, sizeof buf);
	assert_string_equal(buf, "R replay  p pause");
	ui_action_keys(&orders->stages[0], false, buf, sizeof buf);
	assert_string_equal(buf, "p");
	ui_action_keys(&products->stages[1], false, buf, sizeof buf); /* the slot */
	assert_string_equal(buf, "");
	/* The footer: what acts from the selection, the pipeline's other stages included. */
	ui_action_footer(products, &products->stages[1], buf, sizeof buf);
	assert_string_equal(buf, "p pause");
	ui_action_footer(products, &products->stages[0], buf, sizeof buf);
	assert_string_equal(buf, "R replay  p pause");
	assert_false(ui_action_offered(&orders->stages[0], ACTION_REPLAY, why, sizeof why));
	assert_string_equal(why, "no failed row");
	/* The detail view's lines: the key where it applies, why not elsewhere. */
	assert_true(ui_action_line(&orders->stages[0], ACTION_REPLAY, buf, sizeof buf));
	assert_string_equal(buf, "replay: not now: no failed row");
	assert_true(ui_action_line(&orders->stages[0], ACTION_PAUSE, buf, sizeof buf));
	assert_string_equal(buf, "p  pause the worker");
	assert_false(ui_action_line(&orders->stages[0], ACTION_REFRESH, buf, sizeof buf));
	assert_false(ui_action_line(&products->stages[1], ACTION_PAUSE, buf, sizeof buf));
	/* Read before, not now (its last poll failed): nothing is offered, and the stage line
	   shows its reason first. */
	struct stage_view down = products->stages[0];
	down.prev = down.cur;
	down.cur.ok = false;
	ui_action_keys(&down, false, buf, sizeof buf);
	assert_string_equal(buf, "");
	assert_false(ui_action_offered(&down, ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "the outbox stage cannot be read now (its last poll failed)");
	/* The audit pipeline's only sample failed: nothing to judge from, so nothing is offered. */
	const struct pipeline_view *audit = pipe_named(&f->ui, "audit");
	assert_null(stage_latest_ok(&audit->stages[0]));
	ui_action_keys(&audit->stages[0], false, buf, sizeof buf);
	assert_string_equal(buf, "");
	assert_false(ui_action_offered(&audit->stages[0], ACTION_PAUSE, why, sizeof why));
	assert_string_equal(why, "the outbox stage has not been read yet (its polls fail)");
}

/* The stage a key pins: the selected one, or (pause, resume) the pipeline's stage that has it. */
static void test_target(void **state)
{
	struct st *f = *state;
	const struct pipeline_view *products = pipe_named(&f->ui, "products");
	char why[256];
	assert_ptr_equal(ui_action_target(products, &products->stages[1], ACTION_PAUSE, why, sizeof why),
	                 &products->stages[0]);
	assert_null(ui_action_target(products, &products->stages[1], ACTION_RESUME, why, sizeof why));
	assert_string_equal(why, "outbox: not paused");
	assert_null(ui_action_target(products, &products->stages[0], ACTION_RESUME, why, sizeof why));
	assert_string_equal(why, "not paused");
	assert_null(ui_action_target(products, &products->stages[1], ACTION_RESTART, why, sizeof why));
	assert_string_equal(why, "the slot stage has no restart action");
	/* The other actions act on the selected stage only. */
	assert_null(ui_action_target(products, &products->stages[1], ACTION_REPLAY, why, sizeof why));
	assert_string_equal(why, "the slot stage has no replay action");
}

/* A key starts the flow on the stage it applies to; one that does not apply says why and
   sends nothing; read-only sends nothing either. */
static void test_keys_request(void **state)
{
	struct st *f = *state;
	struct ui_change c;
	const struct pipeline_view *products = pipe_named(&f->ui, "products");
	/* R takes a scope: asked for first (the kind's forms as the hint), checked, then sent. */
	assert_int_equal(ui_fx_keys(&f->ui, "R", &c), UI_REDRAW);
	assert_true(f->ui.scope_editing);
	assert_string_equal(f->ui.scope_hint, "replay needs a scope: failed, ids:FROM-TO");
	/* It starts from the scope the pipeline's poison-rows diagnosis names; Backspace edits it. */
	assert_string_equal(f->ui.scope_edit, "failed");
	assert_int_equal(ui_fx_keys(&f->ui, "<BS><BS><BS><BS><BS><BS>", &c), UI_REDRAW);
	assert_string_equal(f->ui.scope_edit, "");
	assert_int_equal(ui_fx_keys(&f->ui, "jq?fail<Enter>", &c), UI_REDRAW); /* keys are text here */
	assert_true(f->ui.scope_editing);
	assert_string_equal(f->ui.scope_hint, "no such scope jq?fail: failed, ids:FROM-TO");
	assert_string_equal(f->ui.sel_pipe, "products");
	assert_false(f->ui.help);
	assert_int_equal(ui_fx_keys(&f->ui, "<BS><BS><BS><BS><BS><BS><BS>failed<Enter>", &c),
	                 UI_REDRAW | UI_REQUEST);
	assert_false(f->ui.scope_editing);
	assert_int_equal(c.request.kind, UI_REQ_ACTION);
	assert_int_equal(c.request.action, ACTION_REPLAY);
	assert_string_equal(c.request.scope, "failed");
	assert_ptr_equal(c.request.stage, products->stages[0].cfg);
	assert_ptr_equal(c.request.pipe, products->cfg);
	/* Esc closes the prompt: nothing sent. */
	assert_int_equal(ui_fx_keys(&f->ui, "Rids:1-5<Esc>", &c), UI_REDRAW);
	assert_false(f->ui.scope_editing);
	assert_string_equal(f->ui.message, "replay: cancelled, nothing sent");
	/* p on the slot acts on the pipeline's outbox. */
	assert_int_equal(ui_fx_keys(&f->ui, "jp", &c), UI_REDRAW | UI_REQUEST);
	assert_int_equal(c.request.action, ACTION_PAUSE);
	assert_string_equal(c.request.scope, "");
	assert_ptr_equal(c.request.stage, products->stages[0].cfg);
	assert_int_equal(ui_fx_keys(&f->ui, "u", &c), UI_REDRAW);
	assert_int_equal(c.request.kind, UI_REQ_NONE);
	assert_string_equal(f->ui.message, "resume the worker (u): outbox: not paused");
	/* While a flow is under way, another key waits. */
	f->flow.state = FLOW_APPLYING;
	f->ui.flow = &f->flow;
	assert_int_equal(ui_fx_keys(&f->ui, "p", &c), UI_REDRAW);
	assert_string_equal(f->ui.message, "p: wait, an action is under way");
	f->flow.state = FLOW_DONE; /* ended: a new one may start */
	assert_int_equal(ui_fx_keys(&f->ui, "p", &c), UI_REDRAW | UI_REQUEST);
	f->ui.read_only = true;
	assert_int_equal(ui_fx_keys(&f->ui, "R", &c), UI_REDRAW);
	assert_string_equal(f->ui.message, "read-only: R is not allowed here");
	/* A diagnosis's next line has the key that fixes it where it applies now, never read-only. */
	const struct diagnosis *poison = fixture_diag(products, "poison-rows");
	assert_non_null(poison);
	char next[600];
	ui_diag_next(products, poison, next, sizeof next, false);
	assert_string_equal(
	    next, "next (key R): read the recorded errors (SELECT id, last_error FROM public.outbox "
	          "WHERE last_error IS NOT NULL), fix the cause, then replay the failed rows");
	ui_diag_next(products, poison, next, sizeof next, true);
	assert_string_equal(next,
	                    "next: read the recorded errors (SELECT id, last_error FROM public.outbox WHERE "
	                    "last_error IS NOT NULL), fix the cause, then replay the failed rows");
	const struct pipeline_view *invoices = pipe_named(&f->ui, "invoices");
	ui_diag_next(invoices, &invoices->diags[0], next, sizeof next, false); /* no action: no key */
	assert_null(strstr(next, "(key"));
}

/* A flow asking about a replay of count rows on products' outbox. */
static void asking(struct st *f, int64_t count)
{
	const struct pipeline_view *products = pipe_named(&f->ui, "products");
	flow_clear(&f->flow);
	f->flow.state = FLOW_ASKING;
	f->flow.pl = products->cfg;
	f->flow.st = products->stages[0].cfg;
	f->flow.action = ACTION_REPLAY;
	f->flow.previewed = count;
	char summary[64];
	snprintf(summary, sizeof summary, "%lld rows, ids 101-230", (long long)count);
	f->flow.preview = json_pack("{s:s, s:s, s:[s,s], s:I}", "target", "shop public.outbox", "summary",
	                            summary, "lines", "UPDATE public.outbox SET processed = false",
	                            "WHERE id = ANY($1)", "count", (json_int_t)count);
	f->ui.flow = &f->flow;
	ui_dialog_reset(&f->ui);
}

static void test_dialog_text(void **state)
{
	struct st *f = *state;
	asking(f, 5);
	struct dialog d;
	dialog_build(&f->flow, "", "", 40, &d);
	assert_string_equal(d.title, " replay: replay outbox rows ");
	char body[2048] = "";
	for (size_t i = 0; i < d.n_body; i++)
		snappendf(body, sizeof body, "%s%s\n", d.body[i].bold ? "*" : "", d.body[i].text);
	assert_string_equal(body, "pipeline  products\n"
	                          "stage     outbox on shop\n"
	                          "target    shop public.outbox\n"
	                          "\n"
	                          "*5 rows, ids 101-230\n"
	                          "\n"
	                          "UPDATE public.outbox SET processed =\n"
	                          "false\n"
	                          "WHERE id = ANY($1)\n"
	                          "\n"
	                          "does      resets the previewed rows to\n"
	                          "pending, in one transaction; at most\n"
	                          "10000\n");
	assert_string_equal(d.prompt, "y applies; any other key cancels");
	assert_string_equal(d.cancel, "[ Cancel ]");
	assert_string_equal(d.apply, "[ y: apply ]");
	dialog_free(&d);
	asking(f, 137);
	dialog_build(&f->flow, "13", "", 60, &d);
	assert_string_equal(d.prompt, "type the row count (137) and Enter to apply: 13_");
	assert_string_equal(d.apply, "[ count+Enter: apply ]");
	dialog_free(&d);
	/* Asked again after a refusal (the target changed): why comes first. */
	dialog_build(&f->flow, "",
	             "replay products/outbox refused: target changed, nothing applied: 2 rows taken", 60, &d);
	assert_true(d.n_body > 3);
	assert_true(d.body[0].bold);
	assert_string_equal(d.body[0].text, "asked again: replay products/outbox refused: target changed,");
	assert_string_equal(d.body[1].text, "nothing applied: 2 rows taken");
	assert_string_equal(d.body[2].text, "");
	assert_string_equal(d.body[3].text, "pipeline  products");
	dialog_free(&d);
}

/* y applies; every other key cancels; the arrows scroll the preview. */
static void test_dialog_keys(void **state)
{
	struct st *f = *state;
	struct ui_change c;
	asking(f, 5);
	assert_int_equal(ui_fx_keys(&f->ui, "<Down><Down>j<Up>", &c), UI_REDRAW);
	assert_int_equal(f->ui.dialog_scroll, 2);
	assert_int_equal(ui_fx_keys(&f->ui, "y", &c), UI_REDRAW | UI_REQUEST);
	assert_int_equal(c.request.kind, UI_REQ_CONFIRM);
	const char *others[] = {"n", "Y", "<Enter>", "<Esc>", "q", " ", "R", "5"};
	for (size_t i = 0; i < ARRAY_LEN(others); i++) {
		assert_int_equal(ui_fx_keys(&f->ui, others[i], &c), UI_REDRAW | UI_REQUEST);
		assert_int_equal(c.request.kind, UI_REQ_CANCEL);
	}
	/* The keys of the screen do nothing else while it asks: the selection stays. */
	assert_string_equal(f->ui.sel_pipe, "products");
	assert_false(f->ui.help);
}

/* A terminal too small hides the dialog: y, a count or Enter answer nothing (the footer
   says why); any other key still cancels; grown back, y applies. */
static void test_dialog_hidden(void **state)
{
	struct st *f = *state;
	struct ui_change c;
	asking(f, 5);
	f->ui.rows = TERM_MIN_ROWS - 1;
	const char *held[] = {"y", "<Enter>", "7", "<BS>"};
	for (size_t i = 0; i < ARRAY_LEN(held); i++) {
		f->ui.message[0] = '\0';
		assert_int_equal(ui_fx_keys(&f->ui, held[i], &c), UI_REDRAW);
		assert_int_equal(c.request.kind, UI_REQ_NONE);
		assert_string_equal(f->ui.message, "key ignored: the dialog is hidden");
	}
	assert_string_equal(f->ui.dialog_typed, "");
	f->ui.rows = 40;
	f->ui.cols = TERM_MIN_COLS - 1;
	assert_int_equal(ui_fx_keys(&f->ui, "y", &c), UI_REDRAW);
	assert_int_equal(ui_fx_keys(&f->ui, "n", &c), UI_REDRAW | UI_REQUEST);
	assert_int_equal(c.request.kind, UI_REQ_CANCEL);
	asking(f, 137); /* a count to type: not typed while hidden */
	assert_int_equal(ui_fx_keys(&f->ui, "137<Enter>", &c), UI_REDRAW);
	assert_string_equal(f->ui.dialog_typed, "");
	f->ui.cols = TERM_MIN_COLS;
	asking(f, 5);
	assert_int_equal(ui_fx_keys(&f->ui, "y", &c), UI_REDRAW | UI_REQUEST);
	assert_int_equal(c.request.kind, UI_REQ_CONFIRM);
}

/* More than 100 rows: the count is typed, then Enter; a wrong count or y cancels. */
static void test_dialog_typed_count(void **state)
{
	struct st *f = *state;
	struct ui_change c;
	asking(f, 137);
	assert_true(flow_needs_typed_count(&f->flow));
	assert_int_equal(ui_fx_keys(&f->ui, "y", &c), UI_REDRAW | UI_REQUEST);
	assert_int_equal(c.request.kind, UI_REQ_CANCEL);
	ui_dialog_reset(&f->ui);
	assert_int_equal(ui_fx_keys(&f->ui, "13", &c), UI_REDRAW);
	assert_string_equal(f->ui.dialog_typed, "13");
	assert_int_equal(ui_fx_keys(&f->ui, "8<BS>7<Enter>", &c), UI_REDRAW | UI_REQUEST);
	assert_int_equal(c.request.kind, UI_REQ_CONFIRM);
	ui_dialog_reset(&f->ui);
	assert_int_equal(ui_fx_keys(&f->ui, "136<Enter>", &c), UI_REDRAW | UI_REQUEST);
	assert_int_equal(c.request.kind, UI_REQ_CANCEL);
	ui_dialog_reset(&f->ui);
	assert_int_equal(ui_fx_keys(&f->ui, "<Enter>", &c), UI_REDRAW | UI_REQUEST);
	assert_int_equal(c.request.kind, UI_REQ_CANCEL);
	asking(f, 100); /* 100 is still a y */
	assert_false(flow_needs_typed_count(&f->flow));
	assert_int_equal(ui_fx_keys(&f->ui, "y", &c), UI_REDRAW | UI_REQUEST);
	assert_int_equal(c.request.kind, UI_REQ_CONFIRM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_offered_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_target, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keys_request, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dialog_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dialog_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dialog_hidden, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dialog_typed_count, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
