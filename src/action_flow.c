/* action_flow.c: one action's lifecycle over the poller's queue: preview, confirm, apply,
   read-back, audit. */
#include "action_flow.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kinds/act.h"
#include "kinds/kind.h"
#include "sanitize.h"
#include "util.h"

static const char *aname(const struct act_flow *f)
{
	return action_json_name(f->action) ? action_json_name(f->action) : "action";
}

static const char *jstr_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

static int64_t jcount(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : AUDIT_UNKNOWN;
}

/* "products/outbox" (the pipeline's worker when there is no stage). */
static void where(const struct act_flow *f, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", f->pl ? f->pl->name : "?", f->st ? f->st->kind->name : "?");
}

/* Writes the audit line of the action as it ended; on failure says so in line and audit_err. */
static void audit(struct act_flow *f, const char *reason)
{
	const json_t *answer = f->applied ? json_object_get(f->applied, "answer") : NULL;
	struct audit_entry e = {
	    .pipeline = f->pl ? f->pl->name : NULL,
	    .stage = f->st ? f->st->kind->name : NULL,
	    .action = f->action,
	    .scope = f->scope[0] ? f->scope : NULL,
	    .target = f->preview ? jstr_or(f->preview, "target", NULL) : NULL,
	    .previewed = f->previewed,
	    .affected = f->affected,
	    .answer = json_is_string(answer) ? json_string_value(answer) : NULL,
	    .answer_json = json_is_string(answer) ? NULL : answer,
	    .result = f->result,
	    .reason = reason && *reason ? reason : NULL,
	    .duration_ms = (int64_t)llround((f->t_done - f->t_start) * 1000),
	    .conn = f->st ? f->st->conn : NULL,
	};
	f->audited = audit_append(f->cfg, &e, f->audit_err, sizeof f->audit_err);
	if (!f->audited)
		snappendf(f->line, sizeof f->line, " (NOT AUDITED: %s)", f->audit_err);
}

/* Ends the flow: state, times, the result line, the audit line. */
static void finish(struct act_flow *f, enum audit_result r, const char *reason)
{
	char at[160];
	where(f, at, sizeof at);
	f->state = FLOW_DONE;
	f->result = r;
	f->t_done = now_mono();
	f->req = 0;
	char why[FLOW_LINE_MAX];
	strlcpy_safe(why, reason ? reason : "", sizeof why);
	text_clean_inplace(why, sizeof why);
	const char *sent = f->applied ? jstr_or(f->applied, "sent", "") : "";
	f->line[0] = '\0';
	switch (r) {
	case AUDIT_CONFIRMED:
		snappendf(f->line, sizeof f->line, "%s %s: %s; confirmed: %s (%.1f s)", aname(f), at, sent,
		          why, f->t_done - f->t_start);
		break;
	case AUDIT_UNCONFIRMED:
	case AUDIT_APPLIED:
		snappendf(f->line, sizeof f->line, "%s %s: %s; %s", aname(f), at, sent, why);
		break;
	case AUDIT_REFUSED:
		snappendf(f->line, sizeof f->line, "%s %s refused: %s", aname(f), at, why);
		break;
	case AUDIT_FAILED:
		snappendf(f->line, sizeof f->line, "%s %s failed: %s", aname(f), at, why);
		break;
	}
	if (!f->usage_error) /* a mistyped command is no action: nothing to audit */
		audit(f, why);
}

static bool submit(struct act_flow *f, enum action_phase phase, const json_t *arg, char *why, size_t n)
{
	struct request req = {.op = REQ_ACTION, .stage = f->st, .action = f->action, .phase = phase};
	strlcpy_safe(req.scope, f->scope, sizeof req.scope);
	req.arg = (json_t *)arg; /* poller_submit copies it */
	f->req = poller_submit(f->p, &req, why, n);
	if (!f->req)
		return false;
	poller_request_round(f->p); /* a request runs after its stage's next poll: make it now */
	return true;
}

bool flow_start(struct act_flow *f, const struct config *cfg, struct poller *p, const struct pipeline *pl,
                const struct stage_cfg *st, enum action a, const char *scope, const struct sample *cur)
{
	flow_clear(f);
	f->cfg = cfg;
	f->p = p;
	f->pl = pl;
	f->st = st;
	f->action = a;
	strlcpy_safe(f->scope, scope ? scope : "", sizeof f->scope);
	f->t_start = now_mono();
	char why[REQUEST_ERR_MAX];
	if (!poller_can_write(p)) {
		char at[160];
		where(f, at, sizeof at);
		snprintf(why, sizeof why, "read-only: synctop runs without a write executor here (%s on %s)",
		         aname(f), at);
		finish(f, AUDIT_REFUSED, why);
		return false;
	}
	if (!stage_action_scope_ok(st, a, f->scope, why, sizeof why)) {
		f->usage_error = true;
		finish(f, AUDIT_REFUSED, why);
		return false;
	}
	if (cur && !stage_action_offered(st, cur, a, why, sizeof why)) {
		char r[REQUEST_ERR_MAX + 40];
		snprintf(r, sizeof r, "does not apply now: %s", why);
		finish(f, AUDIT_REFUSED, r);
		return false;
	}
	if (!submit(f, PHASE_PREVIEW, NULL, why, sizeof why)) {
		finish(f, AUDIT_REFUSED, why);
		return false;
	}
	f->state = FLOW_PREVIEWING;
	char at[160];
	where(f, at, sizeof at);
	snprintf(f->line, sizeof f->line, "%s %s: previewing...", aname(f), at);
	return true;
}

/* A preview came (new reference taken): ask, or refuse when the kind says it must not run. */
static void got_preview(struct act_flow *f, json_t *preview)
{
	json_decref(f->preview);
	f->preview = preview;
	f->previewed = jcount(preview, "count");
	f->t_preview = now_mono();
	const char *refuse = jstr_or(preview, "refuse", NULL);
	if (refuse) {
		finish(f, AUDIT_REFUSED, refuse);
		return;
	}
	f->state = FLOW_ASKING;
	char at[160];
	where(f, at, sizeof at);
	snprintf(f->line, sizeof f->line, "%s %s: %s", aname(f), at, jstr_or(preview, "summary", ""));
}

static void got_applied(struct act_flow *f, json_t *res)
{
	const char *changed = jstr_or(res, "changed", NULL);
	if (changed) {
		/* Nothing applied: the pinned target moved. This action is refused; the new
		   preview is offered as a new one (flow_ask_again). */
		json_t *np = json_object_get(res, "preview");
		json_decref(f->repreview);
		f->repreview = json_is_object(np) ? json_incref(np) : NULL;
		char why[FLOW_LINE_MAX];
		snprintf(why, sizeof why, "target changed, nothing applied: %s", changed);
		f->affected = 0;
		json_decref(res);
		finish(f, AUDIT_REFUSED, why);
		return;
	}
	f->applied = res;
	f->affected = jcount(res, "affected");
	f->t_applied = now_mono();
	f->state = FLOW_READBACK;
	f->next_readback = f->t_applied; /* at once: the next poll of the stage runs it */
	char at[160];
	where(f, at, sizeof at);
	const json_t *ans = json_object_get(res, "answer");
	char *answer = json_is_string(ans) ? xstrdup(json_string_value(ans))
	                                   : (ans ? json_dumps(ans, JSON_COMPACT) : xstrdup(""));
	snprintf(f->line, sizeof f->line, "%s %s: %s; answered %s; reading back...", aname(f), at,
	         jstr_or(res, "sent", ""), answer ? answer : "");
	free(answer);
}

bool flow_event(struct act_flow *f, const struct request_event *ev)
{
	if (!f->req || ev->id != f->req)
		return false;
	f->req = 0;
	switch (f->state) {
	case FLOW_PREVIEWING:
		if (!ev->ok || !json_is_object(ev->result))
			finish(f, AUDIT_FAILED, ev->ok ? "the preview answered no object" : ev->err);
		else
			got_preview(f, json_incref(ev->result));
		break;
	case FLOW_APPLYING:
		if (!ev->ok || !json_is_object(ev->result))
			finish(f, AUDIT_FAILED, ev->ok ? "the apply answered no object" : ev->err);
		else
			got_applied(f, json_incref(ev->result));
		break;
	case FLOW_READBACK:
		f->next_readback = now_mono() + FLOW_READBACK_EVERY_S;
		if (ev->ok && json_is_object(ev->result)) {
			json_decref(f->seen);
			f->seen = json_incref(ev->result);
			if (json_is_true(json_object_get(ev->result, "confirmed")))
				finish(f, AUDIT_CONFIRMED, jstr_or(ev->result, "seen", "the effect shows"));
		}
		break;
	default:
		break; /* an answer no longer awaited (cancelled): dropped */
	}
	return true;
}

bool flow_needs_typed_count(const struct act_flow *f)
{
	return f->state == FLOW_ASKING && f->action == ACTION_REPLAY && f->previewed > FLOW_TYPE_COUNT_ABOVE;
}

void flow_confirm(struct act_flow *f, bool yes)
{
	if (f->state != FLOW_ASKING)
		return;
	if (!yes) {
		finish(f, AUDIT_REFUSED, "cancelled by the operator");
		return;
	}
	char why[REQUEST_ERR_MAX];
	if (!audit_ready(f->cfg, why, sizeof why)) {
		finish(f, AUDIT_REFUSED, why);
		return;
	}
	if (!submit(f, PHASE_APPLY, f->preview, why, sizeof why)) {
		finish(f, AUDIT_REFUSED, why);
		return;
	}
	f->state = FLOW_APPLYING;
	char at[160];
	where(f, at, sizeof at);
	snprintf(f->line, sizeof f->line, "%s %s: applying...", aname(f), at);
}

void flow_tick(struct act_flow *f, double now)
{
	if (f->state != FLOW_READBACK)
		return;
	if (now - f->t_applied >= f->cfg->confirm_timeout_s) {
		char why[FLOW_LINE_MAX];
		snprintf(why, sizeof why, "not confirmed after %g s", f->cfg->confirm_timeout_s);
		if (f->seen)
			snappendf(why, sizeof why, " (last read: %s)", jstr_or(f->seen, "seen", "?"));
		finish(f, AUDIT_UNCONFIRMED, why);
		return;
	}
	if (f->req || now < f->next_readback)
		return;
	char why[REQUEST_ERR_MAX];
	if (!submit(f, PHASE_READBACK, f->applied, why, sizeof why))
		f->next_readback = now + FLOW_READBACK_EVERY_S; /* the queue is full: next time */
}

bool flow_ask_again(struct act_flow *f)
{
	if (f->state != FLOW_DONE || !f->repreview)
		return false;
	json_t *np = f->repreview;
	f->repreview = NULL;
	json_decref(f->applied);
	json_decref(f->seen);
	f->applied = f->seen = NULL;
	f->affected = AUDIT_UNKNOWN;
	f->audited = false;
	f->audit_err[0] = '\0';
	f->t_start = now_mono();
	f->t_applied = f->t_done = 0;
	got_preview(f, np);
	return true;
}

void flow_abort(struct act_flow *f, const char *why)
{
	switch (f->state) {
	case FLOW_PREVIEWING:
	case FLOW_ASKING: {
		char r[FLOW_LINE_MAX];
		snprintf(r, sizeof r, "cancelled: %s", why);
		finish(f, AUDIT_REFUSED, r);
		break;
	}
	case FLOW_APPLYING:
	case FLOW_READBACK: {
		char r[FLOW_LINE_MAX];
		snprintf(r, sizeof r, "not confirmed: %s", why);
		finish(f, AUDIT_UNCONFIRMED, r);
		break;
	}
	default:
		break;
	}
}

void flow_clear(struct act_flow *f)
{
	json_decref(f->preview);
	json_decref(f->applied);
	json_decref(f->seen);
	json_decref(f->repreview);
	memset(f, 0, sizeof *f);
	f->previewed = f->affected = AUDIT_UNKNOWN;
}

json_t *flow_json(const struct act_flow *f)
{
	const char *res = f->state == FLOW_DONE ? audit_result_name(f->result) : "previewed";
	json_t *o =
	    json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:O?, s:O?, s:O?}", "action", aname(f), "pipeline",
	              f->pl ? f->pl->name : NULL, "stage", f->st ? f->st->kind->name : NULL, "scope",
	              f->scope[0] ? f->scope : NULL, "result", res, "preview", f->preview, "applied",
	              f->applied, "readback", f->seen);
	json_t *target = f->preview ? json_object_get(f->preview, "target") : NULL;
	json_object_set_new(o, "target", target ? json_incref(target) : json_null());
	json_object_set_new(o, "line", json_string(f->line));
	json_object_set_new(o, "audited", json_boolean(f->audited));
	if (f->t_preview > 0)
		json_object_set_new(o, "preview_ms",
		                    json_integer(llround((f->t_preview - f->t_start) * 1000)));
	if (f->t_applied > 0)
		json_object_set_new(o, "apply_ms",
		                    json_integer(llround((f->t_applied - f->t_preview) * 1000)));
	if (f->t_done > 0 && f->t_applied > 0)
		json_object_set_new(o, "confirm_ms",
		                    json_integer(llround((f->t_done - f->t_applied) * 1000)));
	json_clean_tree(o);
	return o;
}
