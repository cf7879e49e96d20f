/* action_ui.c: the screen's side of actions, pure (no curses): which keys are offered, the target of a key,
 * the dialog's text. */
#include "ui/action_ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/act.h"
#include "kinds/kind.h"
#include "ui/text.h"
#include "util.h"

const struct sample *stage_latest_ok(const struct stage_view *sv)
{
	if (sv->cur.ok && sv->cur.metrics)
		return &sv->cur;
	if (sv->prev.ok && sv->prev.metrics)
		return &sv->prev;
	return NULL;
}

bool ui_action_offered(const struct stage_view *sv, enum action a, char *why, size_t n)
{
	char scratch[256];
	if (!why || !n) {
		why = scratch;
		n = sizeof scratch;
	}
	const struct sample *ok = stage_latest_ok(sv);
	if (!stage_action_offered(sv->cfg, ok, a, why, n))
		return false;
	if (ok && !sv->cur.ok) { /* read before, not now: the poller would refuse it at once */
		snprintf(why, n, "the %s stage cannot be read now (its last poll failed)",
		         sv->cfg->kind->name);
		return false;
	}
	if (!ok) { /* nothing read yet, or only failures: nothing to judge from, nothing to act on */
		snprintf(why, n, "the %s stage has not been read yet%s", sv->cfg->kind->name,
		         sv->cur.ok ? "" : " (its polls fail)");
		return false;
	}
	return true;
}

const struct stage_view *ui_action_target(const struct pipeline_view *pv, const struct stage_view *sel,
                                          enum action a, char *why, size_t n)
{
	if (n)
		why[0] = '\0';
	if (sel && stage_action(sel->cfg, a))
		return ui_action_offered(sel, a, why, n) ? sel : NULL;
	/* The worker's actions are the pipeline's: any of its stages may carry them. */
	bool on_pipeline = a == ACTION_PAUSE || a == ACTION_RESUME || a == ACTION_STOP;
	char first[320] = "";
	for (size_t i = 0; on_pipeline && pv && i < pv->n_stages; i++) {
		const struct stage_view *sv = &pv->stages[i];
		if (!stage_action(sv->cfg, a))
			continue;
		char w[256];
		if (ui_action_offered(sv, a, w, sizeof w))
			return sv;
		if (!first[0])
			snprintf(first, sizeof first, "%.40s: %s", sv->cfg->kind->name, w);
	}
	if (first[0])
		strlcpy_safe(why, first, n);
	else if (sel)
		ui_action_offered(sel, a, why,
		                  n); /* the kind's own word: "the search stage has no pause action" */
	else
		snprintf(why, n, "no stage selected");
	return NULL;
}

void ui_action_keys(const struct stage_view *sv, bool words, char *buf, size_t n)
{
	if (n)
		buf[0] = '\0';
	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		const struct action_def *d = &action_defs[a];
		if (!d->key || !stage_action(sv->cfg, (enum action)a) ||
		    !ui_action_offered(sv, (enum action)a, NULL, 0))
			continue;
		snappendf(buf, n, "%s%s%s%s", buf[0] ? (words ? "  " : " ") : "", d->label, words ? " " : "",
		          words ? d->json : "");
	}
}

void ui_action_footer(const struct pipeline_view *pv, const struct stage_view *sv, char *buf, size_t n)
{
	if (n)
		buf[0] = '\0';
	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		const struct action_def *d = &action_defs[a];
		char why[256];
		if (d->key && ui_action_target(pv, sv, (enum action)a, why, sizeof why))
			snappendf(buf, n, "%s%s %s", buf[0] ? "  " : "", d->label, d->json);
	}
}

bool ui_action_line(const struct stage_view *sv, enum action a, char *buf, size_t n)
{
	const struct action_def *d = &action_defs[a];
	if (a <= ACTION_NONE || a >= ACTION_COUNT || !stage_action(sv->cfg, a))
		return false;
	char why[256];
	if (d->key && ui_action_offered(sv, a, why, sizeof why))
		snprintf(buf, n, "%-2s %s", d->label, d->help);
	else if (d->key)
		snprintf(buf, n, "%s: not now: %s", d->json, why);
	else
		snprintf(buf, n, "%s: no key (synctop action %s)", d->json, d->json);
	return true;
}

void ui_diag_next(const struct pipeline_view *pv, const struct diagnosis *d, char *buf, size_t n,
                  bool read_only)
{
	/* The key first: a narrow screen clips the end of the line, never the key. */
	char key[32] = "";
	for (size_t i = 0;
	     !read_only && d->action != ACTION_NONE && action_defs[d->action].key && i < pv->n_stages; i++) {
		const struct stage_view *sv = &pv->stages[i];
		if (sv->cfg == d->stage && stage_action(sv->cfg, d->action) &&
		    ui_action_offered(sv, d->action, NULL, 0))
			snprintf(key, sizeof key, " (key %s)", action_defs[d->action].label);
	}
	snprintf(buf, n, "next%s: %s", key, d->next);
}

void ui_action_does(enum action a, char *buf, size_t n)
{
	if (n)
		buf[0] = '\0';
	for (const struct kind *const *k = kinds; *k; k++) {
		if (!kind_offers(*k, a) || !(*k)->probe || !(*k)->probe->actions)
			continue;
		for (const struct kind_action *ka = (*k)->probe->actions; ka->action != ACTION_NONE; ka++)
			if (ka->action == a && ka->does)
				snappendf(buf, n, "%s%s: %s", buf[0] ? "\n" : "", (*k)->name, ka->does);
	}
}

static void body_add(struct dialog *d, bool bold, int width, const char *text)
{
	const char *nl = strchr(text, '\n');
	if (nl) { /* a multi-line text (a trace, a statement): each of its lines wrapped */
		char *head = xstrndup(text, (size_t)(nl - text));
		body_add(d, bold, width, head);
		free(head);
		body_add(d, bold, width, nl + 1);
		return;
	}
	char **w;
	size_t k = wrap_text(text, width, &w);
	if (k == 0) { /* an empty line stays a line */
		w = xmalloc(sizeof *w);
		w[0] = xstrdup("");
		k = 1;
	}
	d->body = xrealloc(d->body, (d->n_body + k) * sizeof *d->body);
	for (size_t i = 0; i < k; i++)
		d->body[d->n_body++] = (struct dialog_line){w[i], bold};
	free(w);
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

void dialog_build(const struct act_flow *f, const char *typed, const char *note, int width, struct dialog *d)
{
	memset(d, 0, sizeof *d);
	const struct action_def *def =
	    &action_defs[f->action > ACTION_NONE && f->action < ACTION_COUNT ? f->action : ACTION_NONE];
	snprintf(d->title, sizeof d->title, " %s: %s ", def->json ? def->json : "action",
	         def->help ? def->help : "");
	char buf[1024];
	if (note && *note) {
		snprintf(buf, sizeof buf, "asked again: %s", note);
		body_add(d, true, width, buf);
		body_add(d, false, width, "");
	}
	snprintf(buf, sizeof buf, "pipeline  %s", f->pl ? f->pl->name : "?");
	body_add(d, false, width, buf);
	if (f->st) {
		snprintf(buf, sizeof buf, "stage     %s on %s", f->st->kind->name,
		         f->st->conn ? f->st->conn->name : "?");
		body_add(d, false, width, buf);
	}
	snprintf(buf, sizeof buf, "target    %s", jstr(f->preview, "target"));
	body_add(d, false, width, buf);
	body_add(d, false, width, "");
	body_add(d, true, width, jstr(f->preview, "summary"));
	const json_t *lines = json_object_get(f->preview, "lines");
	size_t i;
	const json_t *ln;
	json_array_foreach(lines, i, ln)
	{
		if (i == 0)
			body_add(d, false, width, "");
		body_add(d, false, width, json_is_string(ln) ? json_string_value(ln) : "?");
	}
	const struct kind_action *ka = f->st ? stage_action(f->st, f->action) : NULL;
	if (ka && ka->does) {
		body_add(d, false, width, "");
		snprintf(buf, sizeof buf, "does      %s", ka->does);
		body_add(d, false, width, buf);
	}
	strlcpy_safe(d->cancel, "[ Cancel ]", sizeof d->cancel);
	if (flow_needs_typed_count(f)) {
		snprintf(d->prompt, sizeof d->prompt, "type the row count (%lld) and Enter to apply: %s_",
		         (long long)f->previewed, typed ? typed : "");
		strlcpy_safe(d->apply, "[ count+Enter: apply ]", sizeof d->apply);
	} else {
		strlcpy_safe(d->prompt, "y applies; any other key cancels", sizeof d->prompt);
		strlcpy_safe(d->apply, "[ y: apply ]", sizeof d->apply);
	}
}

void dialog_free(struct dialog *d)
{
	for (size_t i = 0; i < d->n_body; i++)
		free(d->body[i].text);
	free(d->body);
	memset(d, 0, sizeof *d);
}
