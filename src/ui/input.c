/* input.c: what a key does to the screen's state, pure (no curses, no poller): it says what changed. */
#include "ui/input.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/act.h"
#include "kinds/kind.h"
#include "ui/action_ui.h"
#include "ui/layout.h"
#include "ui/select.h"
#include "units.h"
#include "util.h"

/* Interval steps for + and -: the config's value joins them wherever it falls. */
static const double interval_steps[] = {0.25, 0.5, 1, 2, 5, 10, 30, 60, 300};

#define CTRL_C 3

void ui_notice(struct ui *ui, double now, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof ui->message, fmt, ap);
	va_end(ap);
	ui->message_until = now + 3.0;
}

/* True when the interval changed (not at either end of the steps). */
static bool change_interval(struct ui *ui, int dir, double now)
{
	double next = ui->interval;
	if (dir > 0) {
		for (size_t i = 0; i < ARRAY_LEN(interval_steps); i++)
			if (interval_steps[i] > ui->interval + 1e-9) {
				next = interval_steps[i];
				break;
			}
	} else {
		for (size_t i = ARRAY_LEN(interval_steps); i-- > 0;)
			if (interval_steps[i] < ui->interval - 1e-9) {
				next = interval_steps[i];
				break;
			}
	}
	bool changed = next != ui->interval;
	ui->interval = next;
	char d[32];
	format_duration(next, d, sizeof d);
	ui_notice(ui, now, "polling every %s", d);
	return changed;
}

/* The filter prompt owns the keyboard while it is open. */
static void filter_key(struct ui *ui, int ch)
{
	size_t len = strlen(ui->filter_edit);
	switch (ui_key_edit(ch)) {
	case EDIT_ACCEPT:
		strlcpy_safe(ui->filter, ui->filter_edit, sizeof ui->filter);
		ui->filter_editing = false;
		ui->scroll = 0;
		fix_selection(ui);
		break;
	case EDIT_CANCEL:
		ui->filter_editing = false;
		ui->filter[0] = '\0';
		fix_selection(ui);
		break;
	case EDIT_ERASE:
		if (len > 0)
			ui->filter_edit[len - 1] = '\0';
		break;
	case EDIT_CHAR:
		if (len + 1 < sizeof ui->filter_edit) {
			ui->filter_edit[len] = (char)ch;
			ui->filter_edit[len + 1] = '\0';
		}
		break;
	case EDIT_NONE:
		break;
	}
	/* Live preview: the panes follow what is typed. */
	if (ui->filter_editing) {
		strlcpy_safe(ui->filter, ui->filter_edit, sizeof ui->filter);
		fix_selection(ui);
	}
}

/* t: the on-demand key sample of the selected cache stage; the result comes with the next
   poll (the detail view shows it), never waited for here. */
static struct ui_change sample_keys(struct ui *ui, double now)
{
	struct ui_change c = {.what = UI_REDRAW};
	const struct stage_view *sv = NULL;
	char why[256];
	ui_selected(ui, &sv);
	if (!sv || !kind_has_sample(sv->cfg->kind)) {
		char help[160];
		kinds_sample_help(help, sizeof help);
		if (help[0])
			ui_notice(ui, now, "t samples %s: select one", help);
		else
			ui_notice(ui, now, "t samples nothing in this build of synctop");
	} else if (!stage_sample_ready(sv->cfg, why, sizeof why)) {
		ui_notice(ui, now, "%s", why);
	} else {
		c.what |= UI_REQUEST;
		c.request = (struct ui_request){.kind = UI_REQ_SAMPLE, .stage = sv->cfg};
	}
	return c;
}

void ui_request_taken(struct ui *ui, const struct ui_request *rq, double now)
{
	char what[256];
	if (rq->kind == UI_REQ_SAMPLE && stage_sample_ready(rq->stage, what, sizeof what))
		ui_notice(ui, now, "sampling %s; the detail view shows the result", what);
}

/* An action's key: the flow starts on the stage it applies to (pinned there), or the footer
   says why not and nothing is sent. */
static struct ui_change write_key(struct ui *ui, const struct ui_key *k, double now)
{
	struct ui_change c = {.what = UI_REDRAW};
	enum action a = ui_key_write(k);
	const struct stage_view *sv = NULL;
	const struct pipeline_view *pv = ui_selected(ui, &sv);
	if (ui->flow && ui->flow->state != FLOW_IDLE && ui->flow->state != FLOW_DONE) {
		ui_notice(ui, now, "%s: wait, an action is under way", k->label);
		return c;
	}
	char why[256];
	const struct stage_view *target = pv ? ui_action_target(pv, sv, a, why, sizeof why) : NULL;
	if (!pv)
		snprintf(why, sizeof why, "no stage selected");
	if (!target) {
		ui_notice(ui, now, "%s (%s): %s", k->help, k->label, why);
		return c;
	}
	const struct kind_action *ka = stage_action(target->cfg, a);
	if (ka && ka->scope_check) { /* it takes a scope: asked for first, then the preview */
		ui->scope_editing = true;
		ui->scope_edit[0] = '\0';
		/* Start from the scope a diagnosis of the pipeline names for this action (poison
		   rows: failed), worst first: Enter takes it, Backspace edits it. */
		for (size_t i = 0; i < pv->n_diags && !ui->scope_edit[0]; i++)
			if (pv->diags[i].action == a && pv->diags[i].action_scope[0])
				strlcpy_safe(ui->scope_edit, pv->diags[i].action_scope,
				             sizeof ui->scope_edit);
		ui->scope_stage = target->cfg;
		ui->scope_pipe = pv->cfg;
		ui->scope_action = a;
		stage_action_scope_ok(target->cfg, a, "", ui->scope_hint, sizeof ui->scope_hint);
		return c;
	}
	c.what |= UI_REQUEST;
	c.request =
	    (struct ui_request){.kind = UI_REQ_ACTION, .stage = target->cfg, .pipe = pv->cfg, .action = a};
	return c;
}

/* The scope prompt owns the keyboard while it is open: Enter checks the scope (the kind's
   scope_check) and starts the preview, or says why not and stays; Esc cancels. */
static struct ui_change scope_key(struct ui *ui, int ch, double now)
{
	struct ui_change c = {.what = UI_REDRAW};
	size_t len = strlen(ui->scope_edit);
	switch (ui_key_edit(ch)) {
	case EDIT_ACCEPT: {
		char why[256];
		if (!stage_action_scope_ok(ui->scope_stage, ui->scope_action, ui->scope_edit, why,
		                           sizeof why)) {
			strlcpy_safe(ui->scope_hint, why, sizeof ui->scope_hint);
			break;
		}
		ui->scope_editing = false;
		c.what |= UI_REQUEST;
		c.request = (struct ui_request){.kind = UI_REQ_ACTION,
		                                .stage = ui->scope_stage,
		                                .pipe = ui->scope_pipe,
		                                .action = ui->scope_action};
		strlcpy_safe(c.request.scope, ui->scope_edit, sizeof c.request.scope);
		break;
	}
	case EDIT_CANCEL:
		ui->scope_editing = false;
		ui_notice(ui, now, "%s: cancelled, nothing sent", action_json_name(ui->scope_action));
		break;
	case EDIT_ERASE:
		if (len > 0)
			ui->scope_edit[len - 1] = '\0';
		break;
	case EDIT_CHAR:
		if (len + 1 < sizeof ui->scope_edit) {
			ui->scope_edit[len] = (char)ch;
			ui->scope_edit[len + 1] = '\0';
		}
		break;
	case EDIT_NONE:
		break;
	}
	return c;
}

/* The confirmation dialog owns the keys while the flow asks: y applies (or the row count
   typed and Enter), the arrows and pages scroll its body, any other key cancels. */
static struct ui_change dialog_key(struct ui *ui, int ch, double now)
{
	struct ui_change c = {.what = UI_REDRAW};
	/* A terminal too small shows the notice, not the dialog: what is not shown is never
	   applied (y, a count, Enter wait); any other key cancels as ever. */
	if (ui->rows < TERM_MIN_ROWS || ui->cols < TERM_MIN_COLS) {
		enum ui_edit e = ui_key_edit(ch);
		if (ch == 'y' || e == EDIT_ACCEPT || e == EDIT_ERASE || (ch >= '0' && ch <= '9')) {
			ui_notice(ui, now, "key ignored: the dialog is hidden");
			return c;
		}
	}
	int page = ui->rows > 8 ? ui->rows - 8 : 1;
	enum ui_action a = ui_key_lookup(ch, VIEW_DETAIL, NULL);
	if (a == ACT_UP || a == ACT_DOWN || a == ACT_PAGE_UP || a == ACT_PAGE_DOWN) {
		int d = (a == ACT_UP || a == ACT_DOWN) ? 1 : page;
		if (a == ACT_UP || a == ACT_PAGE_UP)
			d = -d;
		ui->dialog_scroll = ui->dialog_scroll + d < 0 ? 0 : ui->dialog_scroll + d;
		return c; /* the drawing stops it at the end of the body */
	}
	c.what |= UI_REQUEST;
	c.request.kind = UI_REQ_CANCEL;
	if (!flow_needs_typed_count(ui->flow)) {
		if (ch == 'y')
			c.request.kind = UI_REQ_CONFIRM;
		return c;
	}
	size_t len = strlen(ui->dialog_typed);
	enum ui_edit e = ui_key_edit(ch);
	if (e == EDIT_CHAR && ch >= '0' && ch <= '9') {
		if (len + 1 < sizeof ui->dialog_typed) {
			ui->dialog_typed[len] = (char)ch;
			ui->dialog_typed[len + 1] = '\0';
		}
		c.what &= ~(unsigned)UI_REQUEST;
		c.request.kind = UI_REQ_NONE;
	} else if (e == EDIT_ERASE) {
		if (len)
			ui->dialog_typed[len - 1] = '\0';
		c.what &= ~(unsigned)UI_REQUEST;
		c.request.kind = UI_REQ_NONE;
	} else if (e == EDIT_ACCEPT) {
		char want[24];
		snprintf(want, sizeof want, "%lld", (long long)ui->flow->previewed);
		if (!strcmp(ui->dialog_typed, want))
			c.request.kind = UI_REQ_CONFIRM;
	}
	return c;
}

/* Everything but the filter prompt and the dialog. */
static struct ui_change action_key(struct ui *ui, int ch, double now)
{
	struct ui_change c = {.what = UI_REDRAW};
	unsigned view = ui->help ? VIEW_HELP : ui->view;
	const struct ui_key *k;
	enum ui_action a = ui_key_lookup(ch, view, &k);
	/* The wallboard takes no key but q; any other says so, in one line (issue 17 item 7). */
	if (ui->view == VIEW_WALLBOARD && a != ACT_QUIT) {
		ui_notice(ui, now, "wallboard: read-only; q quits");
		return c;
	}
	if (k && !k->read_only_safe && ui->read_only) {
		ui_notice(ui, now, "read-only: %s is not allowed here", k->label);
		return c;
	}
	if (k && k->reserved) {
		ui_notice(ui, now, "%s: comes in a later version of synctop", k->help);
		return c;
	}
	if (a == ACT_ACTION)
		return write_key(ui, k, now);
	int page = ui->rows > 4 ? ui->rows - 4 : 1;
	switch (a) {
	case ACT_QUIT:
		/* q goes back one level, as Esc does, and quits only from the pipelines and the
		   wallboard; Ctrl-C quits from anywhere. */
		if (ch != CTRL_C && (ui->help || ui->view == VIEW_DETAIL)) {
			if (ui->help)
				ui->help = false;
			else
				ui->view = VIEW_MAIN;
			c.what |= UI_VIEW;
			return c;
		}
		c.what |= UI_QUIT;
		return c;
	case ACT_HELP:
		ui->help = !ui->help;
		ui->help_scroll = 0;
		c.what |= UI_VIEW;
		break;
	case ACT_BACK:
		if (ui->help) {
			ui->help = false;
			c.what |= UI_VIEW;
		} else if (ui->view == VIEW_DETAIL) {
			ui->view = VIEW_MAIN;
			c.what |= UI_VIEW;
		} else if (ui->filter[0]) {
			ui->filter[0] = '\0';
			fix_selection(ui);
		}
		break;
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN: {
		int d = (a == ACT_UP || a == ACT_PAGE_UP) ? -1 : 1;
		if (a == ACT_PAGE_UP || a == ACT_PAGE_DOWN)
			d *= page;
		if (ui->help)
			ui->help_scroll = ui->help_scroll + d < 0 ? 0 : ui->help_scroll + d;
		else if (ui->view == VIEW_DETAIL)
			ui->detail_scroll = ui->detail_scroll + d < 0 ? 0 : ui->detail_scroll + d;
		else
			move_selection(ui, d, false);
		break;
	}
	case ACT_NEXT_PIPELINE:
	case ACT_PREV_PIPELINE:
		move_selection(ui, a == ACT_NEXT_PIPELINE ? 1 : -1, true);
		ui->detail_scroll = 0;
		break;
	case ACT_OPEN:
		if (ui_selected(ui, NULL)) {
			ui->view = VIEW_DETAIL;
			ui->detail_scroll = 0;
			c.what |= UI_VIEW;
		}
		break;
	case ACT_FILTER:
		ui->filter_editing = true;
		strlcpy_safe(ui->filter_edit, ui->filter, sizeof ui->filter_edit);
		break;
	case ACT_SORT:
		ui->sort_worst = !ui->sort_worst;
		ui_notice(ui, now, "%s",
		          ui->sort_worst ? "pipelines sorted worst first" : "pipelines in config order");
		break;
	case ACT_FREEZE:
		ui->frozen = !ui->frozen;
		if (!ui->frozen)
			c.what |= UI_RESNAP;
		break;
	case ACT_INTERVAL_UP:
	case ACT_INTERVAL_DOWN:
		if (change_interval(ui, a == ACT_INTERVAL_UP ? 1 : -1, now))
			c.what |= UI_INTERVAL;
		break;
	case ACT_SAMPLE_KEYS:
		return sample_keys(ui, now);
	case ACT_COPY:
	case ACT_COPY_ALL:
		c.what |= UI_CLIPBOARD;
		c.copy_all = a == ACT_COPY_ALL;
		break;
	default:
		c.what = 0; /* a key with nothing to do here */
		break;
	}
	return c;
}

/* Lines the wheel scrolls the detail view and the help by, a notch; the longest time between
   two clicks on a row that make a double click. */
#define WHEEL_LINES    3
#define DOUBLE_CLICK_S 0.4

struct ui_change ui_mouse(struct ui *ui, const struct ui_mouse *m, double now)
{
	struct ui_change c = {.what = 0};
	enum ui_mouse_what what = m->what;
	if (what == MOUSE_CLICK) { /* a second click on the row soon after the first: a double */
		if (ui->click_at > 0 && now - ui->click_at <= DOUBLE_CLICK_S && m->y == ui->click_y) {
			what = MOUSE_DOUBLE;
			ui->click_at = 0;
		} else {
			ui->click_at = now;
			ui->click_y = m->y;
		}
	}
	if ((ui->flow && ui->flow->state == FLOW_ASKING) || ui->scope_editing || ui->filter_editing ||
	    ui->view == VIEW_WALLBOARD || ui->rows < TERM_MIN_ROWS || ui->cols < TERM_MIN_COLS)
		return c;
	if (what == MOUSE_WHEEL_UP || what == MOUSE_WHEEL_DOWN) {
		int d = what == MOUSE_WHEEL_UP ? -1 : 1;
		if (ui->help)
			ui->help_scroll =
			    ui->help_scroll + d * WHEEL_LINES < 0 ? 0 : ui->help_scroll + d * WHEEL_LINES;
		else if (ui->view == VIEW_DETAIL)
			ui->detail_scroll =
			    ui->detail_scroll + d * WHEEL_LINES < 0 ? 0 : ui->detail_scroll + d * WHEEL_LINES;
		else
			move_selection(ui, d, false);
		c.what = UI_REDRAW;
		return c;
	}
	if (ui->help || ui->view != VIEW_MAIN)
		return c;
	struct row *rows;
	size_t selected;
	int height = main_height(ui);
	size_t n = main_rows(ui, height, &rows, &selected);
	long i = main_row_at(m->y, ui->scroll, n, height);
	if (i >= 0) {
		const struct pipeline_view *pv = &ui->snap.pipes[rows[i].pipe];
		if (rows[i].kind == ROW_STAGE)
			ui->sel_stage = rows[i].index;
		else if (strcmp(pv->cfg->name, ui->sel_pipe) != 0)
			ui->sel_stage = 0;
		strlcpy_safe(ui->sel_pipe, pv->cfg->name, sizeof ui->sel_pipe);
		ui->sel_chosen = true;
		c.what = UI_REDRAW;
		if (what == MOUSE_DOUBLE && pv->n_stages > 0) {
			ui->view = VIEW_DETAIL;
			ui->detail_scroll = 0;
			c.what |= UI_VIEW;
		}
	}
	free(rows);
	return c;
}

void ui_dialog_reset(struct ui *ui)
{
	ui->dialog_scroll = 0;
	ui->dialog_typed[0] = '\0';
	ui->dialog_note[0] = '\0';
}

struct ui_change ui_key(struct ui *ui, int ch, double now)
{
	if (ui->flow && ui->flow->state == FLOW_ASKING)
		return dialog_key(ui, ch, now);
	if (ui->scope_editing)
		return scope_key(ui, ch, now);
	if (ui->filter_editing) {
		filter_key(ui, ch);
		return (struct ui_change){.what = UI_REDRAW};
	}
	return action_key(ui, ch, now);
}
