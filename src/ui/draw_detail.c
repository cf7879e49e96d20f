/* draw_detail.c: the detail view of a stage (every metric, lists, diagnoses, last error) and the help. */
#include <curses.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/kind.h"
#include "report.h"
#include "ui/action_ui.h"
#include "ui/chrome.h"
#include "ui/draw.h"
#include "ui/select.h"
#include "ui/spark.h"
#include "ui/text.h"
#include "units.h"

/* Lines are built first, then drawn from the scroll position: a view longer than the
   screen scrolls with j/k and PgUp/PgDn. */
struct line {
	char *text;
	int attr;
	int indent;
};

struct lines {
	struct line *v;
	size_t n;
};

static void add(struct lines *l, int indent, int attr, const char *fmt, ...) PRINTF_LIKE(4, 5);
static void add(struct lines *l, int indent, int attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = (struct line){xstrdup(buf), attr, indent};
}

/* A long text, wrapped to the width left after the indent. */
static void add_wrapped(struct lines *l, int indent, int attr, int width, const char *text)
{
	char **w;
	size_t n = wrap_text(text, width - indent - 2, &w);
	for (size_t i = 0; i < n; i++) {
		add(l, indent, attr, "%s", w[i]);
		free(w[i]);
	}
	free(w);
}

static void lines_draw(struct ui *ui, struct lines *l, int top, int height, int *scroll)
{
	if (*scroll > (int)l->n - height)
		*scroll = (int)l->n - height > 0 ? (int)l->n - height : 0;
	for (int r = 0; r < height && *scroll + r < (int)l->n; r++) {
		const struct line *ln = &l->v[*scroll + r];
		put_text(top + r, 1 + ln->indent, ln->text, ui->cols - 2 - ln->indent, ln->attr, false);
	}
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
}

/* The lists a stage carries (in its detail, or list-valued metrics such as partition_lags,
   already sorted by the probe): one block per list, one line per entry. */
static void add_lists(struct lines *l, const json_t *obj, int width)
{
	const char *key;
	json_t *list;
	json_object_foreach((json_t *)obj, key, list)
	{
		if (!json_is_array(list))
			continue;
		add(l, 0, 0, "%s", "");
		add(l, 0, A_BOLD, "%s (%zu)", key, json_array_size(list));
		size_t i;
		json_t *item;
		json_array_foreach(list, i, item)
		{
			char row[1024] = "";
			const char *k;
			json_t *v;
			json_object_foreach(item, k, v)
			{
				char val[128];
				metric_text(k, v, val, sizeof val);
				snappendf(row, sizeof row, "%s%s=%s", row[0] ? "  " : "", k, val);
			}
			add_wrapped(l, 2, 0, width, row);
		}
	}
}

/* The figures a stage keeps beside its metrics (scalars of its detail), and the last
   on-demand key sample (key t). */
static void add_extras(struct lines *l, const json_t *detail, int width)
{
	const char *key;
	json_t *v;
	bool any = false;
	json_object_foreach((json_t *)detail, key, v)
	{
		if (json_is_array(v) || json_is_object(v))
			continue;
		if (!any)
			add(l, 0, 0, "%s", "");
		any = true;
		char val[512];
		metric_text(key, v, val, sizeof val);
		char row[700];
		snprintf(row, sizeof row, "%-24s %s", key, val);
		add_wrapped(l, 2, 0, width, row);
	}
	const json_t *ks = json_object_get(detail, "key_sample");
	if (!json_is_object(ks))
		return;
	char when[16], row[700];
	clock_text(json_number_value(json_object_get(ks, "at")), when, sizeof when);
	add(l, 0, 0, "%s", "");
	add(l, 0, A_BOLD, "key sample (t), %s", when);
	const char *err = json_string_value(json_object_get(ks, "error"));
	if (err) {
		snprintf(row, sizeof row, "failed: %s", err);
		add_wrapped(l, 2, 0, width, row);
		return;
	}
	int64_t sampled = json_integer_value(json_object_get(ks, "sampled"));
	int64_t with = json_integer_value(json_object_get(ks, "with_ttl"));
	int64_t without = json_integer_value(json_object_get(ks, "without_ttl"));
	snprintf(row, sizeof row,
	         "%s*: %" PRId64 " keys sampled, %" PRId64 " with a TTL, %" PRId64 " without (%s)",
	         json_string_value(json_object_get(ks, "prefix")), sampled, with, without,
	         json_is_true(json_object_get(ks, "complete"))      ? "every key of the prefix"
	         : json_is_true(json_object_get(ks, "out_of_time")) ? "stopped at the deadline"
	                                                            : "stopped at cache.sample_keys");
	add_wrapped(l, 2, 0, width, row);
}

/* " since 15:02:11 (4m12s)", or " first seen 15:02:11 (4m12s)" when synctop's first sight
   of it is all that is known; "" when not known. */
static void since_text(double since, bool seen, double now, char *buf, size_t n)
{
	char when[16], age[32];
	buf[0] = '\0';
	if (since <= 0)
		return;
	clock_text(since, when, sizeof when);
	format_age(since, now, age, sizeof age);
	snprintf(buf, n, " %s %s (%s)", seen ? "first seen" : "since", when, age);
}

/* The pipeline's last events, newest first: what an operator pastes into a timeline. */
static void add_events(struct lines *l, const struct ui *ui, const struct pipeline_view *pv, int width)
{
	if (!ui->track)
		return;
	add(l, 0, 0, "%s", "");
	add(l, 0, A_BOLD, "events of %s (the last %d, newest first)", pv->cfg->name, EVENTS_KEPT);
	const struct event *e = tracker_event(ui->track, pv->cfg, 0);
	if (!e)
		add(l, 2, theme_attr(&ui->theme, ROLE_DIM), "%s", "no change since synctop started");
	for (size_t i = 0; e; e = tracker_event(ui->track, pv->cfg, ++i)) {
		char when[16], text[512], row[600];
		clock_text(e->wall, when, sizeof when);
		event_text(e, text, sizeof text);
		/* pipeline/ is the view's own: the stage, old -> new, rule and reason are the news */
		const char *slash = strchr(text, '/');
		snprintf(row, sizeof row, "%s  %s", when, slash ? slash + 1 : text);
		add_wrapped(l, 2, theme_attr(&ui->theme, status_role(e->to)), width, row);
	}
}

void draw_detail(struct ui *ui)
{
	draw_header(ui, NULL);
	draw_footer(ui, VIEW_DETAIL);
	const struct stage_view *sv;
	const struct pipeline_view *pv = ui_selected(ui, &sv);
	if (!pv || !sv) {
		ui->view = VIEW_MAIN;
		return;
	}
	const struct theme *th = &ui->theme;
	int width = ui->cols - 2;
	struct lines l = {0};
	char target[256], buf[1024];
	add(&l, 0, A_BOLD, "%s / %s on %s, %s", pv->cfg->name, sv->cfg->kind->name, sv->cfg->conn->name,
	    stage_target(sv->cfg, target, sizeof target));
	char held[64];
	since_text(sv->since, false, ui->clock, held, sizeof held);
	add(&l, 0, theme_attr(th, status_role(sv->status)) | A_BOLD, "%s%s%s%s", status_word(sv->status),
	    held, sv->reason[0] ? ": " : "", sv->reason);
	add_wrapped(&l, 0, theme_attr(th, ROLE_DIM), width, sv->cfg->conn->display);
	if (sv->cur.metrics) {
		char when[16];
		clock_text(sv->cur.wall, when, sizeof when);
		add(&l, 0, theme_attr(th, ROLE_DIM), "polled %s in %.1f ms; %d samples kept", when,
		    sv->cur.latency_ms, sv->n_samples);
	}

	const struct kind *p = sv->cfg->kind;
	add(&l, 0, 0, "%s", "");
	add(&l, 0, A_BOLD, "%s", "metrics");
	for (const struct metric_def *m = p->metrics; m->name; m++) {
		json_t *v = sv->cur.ok ? json_object_get(sv->cur.metrics, m->name) : NULL;
		if (json_is_array(v)) /* shown as a list below */
			continue;
		metric_text(m->name, v, buf, sizeof buf);
		add(&l, 2, 0, "%-24s %s", m->name, buf);
	}
	if (p && sv->n_series > 1) {
		char spark[2048];
		int w = width - 30 < 120 ? width - 30 : 120;
		spark_render(sv->series, sv->n_series, w > 8 ? w : 8, th->g.spark, spark, sizeof spark);
		add(&l, 2, theme_attr(th, status_role(sv->status)), "%-24s %s", p->main_metric, spark);
	}
	if (sv->cur.ok) {
		add_lists(&l, sv->cur.metrics, width);
		add_lists(&l, sv->cur.detail, width);
		add_extras(&l, sv->cur.detail, width);
	}

	bool any = false;
	for (size_t i = 0; i < pv->n_diags; i++) {
		const struct diagnosis *d = &pv->diags[i];
		if (d->stage != sv->cfg)
			continue;
		if (!any) {
			add(&l, 0, 0, "%s", "");
			add(&l, 0, A_BOLD, "%s", "diagnosis");
		}
		any = true;
		since_text(d->since, d->since_seen, ui->clock, held, sizeof held);
		char follows[128] = "";
		if (d->because[0])
			snprintf(follows, sizeof follows, " (follows from %s)", d->because);
		add(&l, 2, theme_attr(th, status_role(d->severity)) | A_BOLD, "%s %s%s%s",
		    status_word(d->severity), d->rule, follows, held);
		add_wrapped(&l, 4, 0, width, d->symptom);
		add_wrapped(&l, 4, 0, width, d->evidence);
		ui_diag_next(pv, d, buf, sizeof buf, ui->read_only);
		add_wrapped(&l, 4, A_BOLD, width, buf);
	}

	/* The actions of the stage: the key where it applies now, else why not. */
	bool acts = false;
	for (int a = ACTION_NONE + 1; !ui->read_only && a < ACTION_COUNT; a++) {
		if (!ui_action_line(sv, (enum action)a, buf, sizeof buf))
			continue;
		if (!acts) {
			add(&l, 0, 0, "%s", "");
			add(&l, 0, A_BOLD, "%s", "actions");
		}
		acts = true;
		bool now = action_defs[a].key && ui_action_offered(sv, (enum action)a, NULL, 0);
		add_wrapped(&l, 2, now ? 0 : theme_attr(th, ROLE_DIM), width, buf);
	}

	add_events(&l, ui, pv, width);

	if (sv->last_err[0]) {
		char when[16];
		clock_text(sv->last_err_at, when, sizeof when);
		add(&l, 0, 0, "%s", "");
		add(&l, 0, A_BOLD, "last error (%s%s)", when, sv->cur.ok ? ", since recovered" : "");
		add_wrapped(&l, 2, 0, width, sv->last_err);
	}
	lines_draw(ui, &l, 1, ui->rows - 2 - draw_flow_line(ui), &ui->detail_scroll);
}

/* What the rules behind the selected stage's diagnoses mean (their rules table entries): key ?
   on a diagnosis explains it before the keys. */
static void add_rule_help(struct lines *l, const struct ui *ui)
{
	const struct stage_view *sv;
	const struct pipeline_view *pv = ui_selected(ui, &sv);
	int width = ui->cols - 2;
	bool any = false;
	for (size_t i = 0; pv && sv && i < pv->n_diags; i++) {
		const struct diagnosis *d = &pv->diags[i];
		const struct rule_def *r = d->def;
		if (d->stage != sv->cfg || !r)
			continue;
		if (!any)
			add(l, 0, A_BOLD, "the diagnoses of %s / %s", pv->cfg->name, sv->cfg->kind->name);
		any = true;
		char buf[1024];
		add(l, 2, A_BOLD, "%s (%s%s%s)", r->id, r->severity, r->action ? "; action " : "",
		    r->action ? action_json_name(r->action) : "");
		snprintf(buf, sizeof buf, "fires when %s", r->condition);
		add_wrapped(l, 4, 0, width, buf);
		snprintf(buf, sizeof buf, "symptom: %s", r->symptom);
		add_wrapped(l, 4, 0, width, buf);
		snprintf(buf, sizeof buf, "in general: %s", r->next);
		add_wrapped(l, 4, 0, width, buf);
		if (d->because[0]) {
			snprintf(buf, sizeof buf,
			         "here it follows from %s: fix that first, and this one clears with it",
			         d->because);
			add_wrapped(l, 4, A_BOLD, width, buf);
		}
	}
	if (any)
		add(l, 0, 0, "%s", "");
}

void draw_help(struct ui *ui)
{
	draw_header(ui, "help");
	draw_footer(ui, VIEW_HELP);
	struct lines l = {0};
	add_rule_help(&l, ui);
	add(&l, 0, A_BOLD, "%s", "keys (q or Esc closes this help)");
	add(&l, 0, 0, "%s", "");
	for (const struct ui_key *k = ui_keys; k->label; k++) {
		enum action a = ui_key_write(k);
		if (a != ACTION_NONE && ui->read_only)
			continue; /* no write executor: the action keys do not exist here */
		char extra[64] = "";
		if (!k->read_only_safe)
			snprintf(extra, sizeof extra, "%s",
			         ui->read_only ? "  [not in read-only mode]" : "  [a write]");
		add(&l, 2, k->reserved ? theme_attr(&ui->theme, ROLE_DIM) : 0, "%-11s %s%s", k->label,
		    k->help, extra);
		char does[2048];
		ui_action_does(a, does, sizeof does);
		for (char *line = strtok(does, "\n"); line; line = strtok(NULL, "\n"))
			add_wrapped(&l, 14, 0, ui->cols - 2, line);
	}
	if (!ui->read_only) {
		add(&l, 0, 0, "%s", "");
		add(&l, 0, A_BOLD, "%s", "actions");
		add_wrapped(&l, 2, 0, ui->cols - 2,
		            "an action's key shows in the footer and on its stage only where it applies now; "
		            "one that takes a scope (replay) asks for it first; "
		            "it previews the exact target, then asks: y applies, any other key cancels (a "
		            "replay of more than 100 rows asks for the row count); the line above the footer "
		            "follows it to \"confirmed\" or \"not confirmed\"; every action is audited");
	}
	add(&l, 0, 0, "%s", "");
	add(&l, 0, A_BOLD, "%s", "statuses");
	add(&l, 2, 0, "%s",
	    "OK, WARN, CRIT by the thresholds of synctop.conf(5); UNKNOWN: the stage could not be read");
	add(&l, 2, 0, "%s",
	    "a pipeline is as bad as its worst stage; panes are sorted worst first (s toggles)");
	lines_draw(ui, &l, 1, ui->rows - 2, &ui->help_scroll);
}
