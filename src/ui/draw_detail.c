/* draw_detail.c: the detail view of a stage (every metric, lists, diagnoses, last error) and the help. */
#include <curses.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "kinds/kind.h"
#include "report.h"
#include "ui/action_ui.h"
#include "ui/chrome.h"
#include "ui/draw.h"
#include "ui/select.h"
#include "ui/spark.h"
#include "ui/text.h"
#include "human.h"
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

/* Keeps *scroll within the lines (the last screenful at most). */
static void lines_clamp(const struct lines *l, int height, int *scroll)
{
	if (*scroll > (int)l->n - height)
		*scroll = (int)l->n - height > 0 ? (int)l->n - height : 0;
}

static void lines_draw(struct ui *ui, struct lines *l, int top, int height, int *scroll)
{
	lines_clamp(l, height, scroll);
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
static void add_lists(struct lines *l, const json_t *obj, int width, double now)
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
				metric_text(unit_by_name(k), k, v, now, val, sizeof val);
				snappendf(row, sizeof row, "%s%s=%s", row[0] ? "  " : "", k, val);
			}
			add_wrapped(l, 2, 0, width, row);
		}
	}
}

/* The figures a stage keeps beside its metrics (scalars of its detail), and the last
   on-demand key sample (key t). */
static void add_extras(struct lines *l, const json_t *detail, int width, double now)
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
		metric_text(unit_by_name(key), key, v, now, val, sizeof val);
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
	char sampled[32], with[32], without[32];
	human_count(json_number_value(json_object_get(ks, "sampled")), sampled, sizeof sampled);
	human_count(json_number_value(json_object_get(ks, "with_ttl")), with, sizeof with);
	human_count(json_number_value(json_object_get(ks, "without_ttl")), without, sizeof without);
	snprintf(row, sizeof row, "%s*: %s keys sampled, %s with a TTL, %s without (%s)",
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

/* The pipeline's end-to-end canary (canary.h) and passive freshness, when it has either. */
static void add_canary(struct lines *l, const struct ui *ui, const struct pipeline_view *pv, int width)
{
	const struct canary_state *c = &pv->canary;
	const struct canary_cfg *cc = &pv->cfg->canary;
	double fresh;
	bool has_fresh = pipeline_freshness(pv, &fresh);
	if (!cc->on && !has_fresh)
		return;
	const struct theme *th = &ui->theme;
	char buf[512], a[32], b[32];
	add(l, 0, 0, "%s", "");
	if (has_fresh)
		add(l, 0, A_BOLD, "freshness %.1fs: the newest document behind the newest source row", fresh);
	if (!cc->on)
		return;
	format_duration(cc->interval_s, a, sizeof a);
	format_duration(cc->timeout_s, b, sizeof b);
	add(l, 0, A_BOLD, "canary of %s (every %s, lost after %s)", pv->cfg->name, a, b);
	bool lost = c->phase == CANARY_INFLIGHT && c->lost;
	add_wrapped(l, 2, lost ? theme_attr(th, status_role(ST_CRIT)) | (int)A_BOLD : 0, width,
	            canary_line(c, ui->clock, buf, sizeof buf));
	if (c->n_trend > 1) {
		char spark[CANARY_TREND * 4 + 1];
		double lo = c->trend[0], hi = c->trend[0];
		for (size_t i = 1; i < c->n_trend; i++) {
			lo = c->trend[i] < lo ? c->trend[i] : lo;
			hi = c->trend[i] > hi ? c->trend[i] : hi;
		}
		spark_render(c->trend, (int)c->n_trend, (int)c->n_trend, th->g.spark, spark, sizeof spark);
		add(l, 2, 0, "trend %s  the last %zu: %.1fs to %.1fs", spark, c->n_trend, lo, hi);
	}
	if (c->phase == CANARY_INFLIGHT) {
		format_age(c->inserted_at, ui->clock, a, sizeof a);
		snprintf(buf, sizeof buf, "marker %s (row %lld) inserted %s ago, awaited at %s", c->marker,
		         c->row, a, canary_hop_name(c, c->next_hop));
		add_wrapped(l, 2, theme_attr(th, ROLE_DIM), width, buf);
	}
	add(l, 2, theme_attr(th, ROLE_DIM),
	    "%lu inserted, %lu through, %lu lost, %lu failed steps since synctop started", c->seq, c->done,
	    c->lost_count, c->failures);
}

/* The title's lines, fixed, with where the view is at the right of its first line ("lines
   4-21 of 45", dim), then the body from the scroll position. Frees both. */
static void draw_detail_lines(struct ui *ui, struct lines *title, struct lines *body)
{
	int top = 1, avail = ui->rows - 2 - draw_flow_line(ui);
	int fixed = (int)title->n < avail - 1 ? (int)title->n : avail - 1;
	if (fixed < 0)
		fixed = 0;
	int height = avail - fixed;
	lines_clamp(body, height, &ui->detail_scroll);
	char where[64];
	scroll_text(ui->detail_scroll, height, (int)body->n, where, sizeof where);
	int wide = *where ? text_width(where) + 2 : 0;
	for (int r = 0; r < (int)title->n; r++) {
		const struct line *ln = &title->v[r];
		if (r < fixed)
			put_text(top + r, 1 + ln->indent, ln->text,
			         ui->cols - 2 - ln->indent - (r ? 0 : wide), ln->attr, false);
		free(ln->text);
	}
	free(title->v);
	if (*where && fixed > 0)
		put_text(top, ui->cols - 1 - text_width(where), where, text_width(where),
		         theme_attr(&ui->theme, ROLE_DIM), false);
	lines_draw(ui, body, top + fixed, height, &ui->detail_scroll);
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
	/* The title (the stage, and its status with the headline, once) stays above the lines
	   that scroll. */
	struct lines title = {0}, l = {0};
	char target[256], buf[1024];
	add(&title, 0, A_BOLD, "%s / %s on %s, %s", pv->cfg->name, sv->cfg->kind->name, sv->cfg->conn->name,
	    stage_target(sv->cfg, target, sizeof target));
	char held[64];
	since_text(sv->since, false, ui->clock, held, sizeof held);
	snprintf(buf, sizeof buf, "%s%s%s%s", status_word(sv->status), held, sv->reason[0] ? ": " : "",
	         sv->reason);
	add_wrapped(&title, 0, theme_attr(th, status_role(sv->status)) | A_BOLD, width, buf);

	add_wrapped(&l, 0, theme_attr(th, ROLE_DIM), width, sv->cfg->conn->display);
	if (sv->cur.metrics) {
		char when[16], took[32];
		clock_text(sv->cur.wall, when, sizeof when);
		format_duration(sv->cur.latency_ms / 1000, took, sizeof took);
		add(&l, 0, theme_attr(th, ROLE_DIM), "polled %s in %s; %d sample%s kept", when, took,
		    sv->n_samples, sv->n_samples == 1 ? "" : "s");
	}

	/* Each metric once, in the form of its unit; the sparkline beside the one it follows. */
	const struct kind *p = sv->cfg->kind;
	add(&l, 0, 0, "%s", "");
	add(&l, 0, A_BOLD, "%s", "metrics");
	for (const struct metric_def *m = p->metrics; m->name; m++) {
		json_t *v = sv->cur.ok ? json_object_get(sv->cur.metrics, m->name) : NULL;
		if (json_is_array(v)) /* shown as a list below */
			continue;
		metric_text(m->unit, m->name, v, ui->clock, buf, sizeof buf);
		if (sv->n_series > 1 && p->main_metric && !strcmp(m->name, p->main_metric)) {
			char spark[2048];
			/* beside the value: as many columns as there are samples, up to 60 */
			int w = width - 44 < 60 ? width - 44 : 60;
			w = sv->n_series < w ? sv->n_series : w;
			spark_render(sv->series, sv->n_series, w > 8 ? w : 8, th->g.spark, spark,
			             sizeof spark);
			add(&l, 2, theme_attr(th, status_role(sv->status)), "%-24s %-14s %s", m->name, buf,
			    spark);
			continue;
		}
		add(&l, 2, 0, "%-24s %s", m->name, buf);
	}
	if (sv->cur.ok) {
		add_lists(&l, sv->cur.metrics, width, ui->clock);
		add_lists(&l, sv->cur.detail, width, ui->clock);
		add_extras(&l, sv->cur.detail, width, ui->clock);
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
		if (strcmp(d->evidence, sv->reason)) /* the title has it */
			add_wrapped(&l, 4, 0, width, d->evidence);
		ui_diag_next(pv, d, buf, sizeof buf, ui->read_only);
		add_wrapped(&l, 4, A_BOLD, width, buf);
	}

	add_canary(&l, ui, pv, width);

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
	draw_detail_lines(ui, &title, &l);
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
		if (!ui->replay[0] && k->views == VIEW_REPLAY)
			continue; /* the time cursor's keys: only in --replay */
		/* a replay's time cursor takes the keys of freeze and interval (they have no use there) */
		if (ui->replay[0] && (k->action == ACT_FREEZE || k->action == ACT_INTERVAL_UP ||
		                      k->action == ACT_INTERVAL_DOWN || k->action == ACT_SAMPLE_KEYS))
			continue;
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
