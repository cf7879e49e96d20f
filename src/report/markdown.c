/* markdown.c: the --once snapshot for a ticket: GitHub/GitLab markdown, a table per pipeline. */
#include <stdio.h>
#include <string.h>

#include "config_priv.h"
#include "report.h"
#include "sanitize.h"
#include "units.h"
#include "util.h"
#include "kinds/kind.h"

/* s as markdown text: cleaned to one line (the last guard), then every character that could
   start markup, a table cell's end or an HTML tag escaped with a backslash (CommonMark escapes
   any ASCII punctuation so; GFM tables take \| as a literal bar). */
static const char *md(const char *s, char *buf, size_t n)
{
	char clean[1024];
	text_clean(clean, sizeof clean, s ? s : "", s ? strlen(s) : 0);
	size_t o = 0;
	for (const char *p = clean; *p && o + 2 < n; p++) {
		if (strchr("\\`*_[]<>|~&#!", *p))
			buf[o++] = '\\';
		buf[o++] = *p;
	}
	buf[o] = '\0';
	return buf;
}

static void upper(char *dst, const char *src, size_t n)
{
	size_t i = 0;
	for (; src[i] && i + 1 < n; i++)
		dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
	dst[i] = '\0';
}

static const char *status_up(enum status s, char *buf, size_t n)
{
	upper(buf, status_name(s), n);
	return buf;
}

/* How long a state seen by this run has held, in buf: a state the first of its two polls
   (window_s apart) showed already started before the run, so its age is only a lower bound
   ("≥ 1s"); one that started at the second poll is "0s"; "" when not known. */
static void held_for(double since, double now, double window_s, char *buf, size_t n)
{
	buf[0] = '\0';
	if (since <= 0)
		return;
	if (window_s > 0 && now - since >= window_s / 2) {
		char d[24];
		format_duration(window_s, d, sizeof d);
		snprintf(buf, n, "≥ %s", d);
		return;
	}
	if (window_s <= 0) /* one poll: nothing says when it started */
		return;
	format_age(since, now, buf, n);
}

static void stage_row(FILE *out, const struct stage_view *sv, double now, double window_s)
{
	char st[16], age[32], raw[512], fig[1100], target[256], tgt[600], reason[600], conn[300];
	stage_figures(sv, raw, sizeof raw);
	held_for(sv->since, now, window_s, age, sizeof age);
	/* An unreadable stage's figures are its error: its reason would say it again. */
	bool why = sv->status != ST_OK && sv->reason[0] && strcmp(sv->reason, raw) != 0;
	fprintf(out, "| %s | %s | %s | %s | %s | %s | %s |\n", sv->cfg->kind->name,
	        status_up(sv->status, st, sizeof st), age[0] ? age : "-",
	        md(sv->cfg->conn->name, conn, sizeof conn),
	        md(stage_target(sv->cfg, target, sizeof target), tgt, sizeof tgt), md(raw, fig, sizeof fig),
	        why ? md(sv->reason, reason, sizeof reason) : "");
}

static void diag_item(FILE *out, const struct pipeline_view *pv, const struct diagnosis *d, double now,
                      double window_s)
{
	char st[16], rule[160], text[1100], age[32], start[32];
	fprintf(out, "- **%s** `%s` on %s: %s\n", status_up(d->severity, st, sizeof st), d->rule,
	        d->stage->kind->name, md(d->symptom, text, sizeof text));
	if (d->because[0])
		fprintf(out, "  - Follows from: %s\n", md(d->because, rule, sizeof rule));
	iso8601(d->since, start, sizeof start);
	/* A start the data gives is a fact; one this run saw is only a lower bound. */
	if (d->since_seen) {
		held_for(d->since, now, window_s, age, sizeof age);
		if (age[0])
			fprintf(out, "  - Held for: %s\n", age);
	} else {
		format_age(d->since, now, age, sizeof age);
		if (age[0])
			fprintf(out, "  - Since: %s (%s)\n", start, age);
	}
	fprintf(out, "  - Evidence: %s\n", md(d->evidence, text, sizeof text));
	fprintf(out, "  - Next step: %s\n", md(d->next, text, sizeof text));
	/* Names of the config are [A-Za-z0-9_.-] (config_file.c): safe in a code span. */
	const char *action = action_json_name(d->action);
	if (action && *action)
		fprintf(out, "  - Action: `synctop action %s %s%s%s`\n", action, pv->cfg->name,
		        d->action_scope[0] ? " --scope " : "", d->action_scope[0] ? d->action_scope : "");
}

/* The rows of a stage's thresholds: every option of its kind whose key ends in _warn or
   _crit, paired by the key before the suffix, with the value in force. Returns how many (out
   NULL: only counts them). */
static int threshold_rows(FILE *out, const struct stage_cfg *st)
{
	int rows = 0;
	for (const struct opt_def *o = st->kind->options; o->key; o++) {
		bool warn = key_has_suffix(o->key, "_warn");
		if (!warn && !key_has_suffix(o->key, "_crit"))
			continue;
		char other[128], wv[64] = "-", cv[64] = "-";
		size_t base = strlen(o->key) - 5;
		snprintf(other, sizeof other, "%.*s_%s", (int)base, o->key, warn ? "crit" : "warn");
		const struct opt_def *sib = opt_find(st->kind->options, other);
		if (!warn && sib)
			continue; /* said with its _warn */
		rows++;
		if (!out)
			continue;
		opt_format_value(o, st->opts, true, warn ? wv : cv, sizeof wv);
		if (sib)
			opt_format_value(sib, st->opts, true, cv, sizeof cv);
		fprintf(out, "| %s | `%.*s_*` | %s | %s |\n", st->kind->name, (int)base, o->key, wv, cv);
	}
	return rows;
}

static void pipeline_section(FILE *out, const struct pipeline_view *pv, double now, double window_s)
{
	char st[16], name[300];
	fprintf(out, "\n## Pipeline %s: %s\n\n", md(pv->cfg->name, name, sizeof name),
	        status_up(pv->status, st, sizeof st));
	fputs("| Stage | Status | Since | Connection | Target | Figures | Reason |\n"
	      "|---|---|---|---|---|---|---|\n",
	      out);
	for (size_t j = 0; j < pv->n_stages; j++)
		stage_row(out, &pv->stages[j], now, window_s);
	for (size_t j = 0; j < pv->n_stages; j++)
		if (pv->stages[j].cfg->conn->insecure)
			fprintf(out, "\n**TLS not verified:** connection %s has insecure = true.\n",
			        md(pv->stages[j].cfg->conn->name, name, sizeof name));

	fputs("\n### Diagnoses\n\n", out);
	if (pv->n_diags == 0)
		fputs("None.\n", out);
	/* Roots first, then what follows from them. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t j = 0; j < pv->n_diags; j++)
			if ((pv->diags[j].because[0] != '\0') == (pass == 1))
				diag_item(out, pv, &pv->diags[j], now, window_s);

	fputs("\n### Thresholds in force\n\n", out);
	int rows = 0;
	for (size_t j = 0; j < pv->n_stages; j++)
		rows += threshold_rows(NULL, pv->stages[j].cfg);
	if (rows == 0)
		fputs("None (its stages have no warn or crit options).\n", out);
	else
		fputs("| Stage | Options | Warn | Crit |\n|---|---|---|---|\n", out);
	for (size_t j = 0; j < pv->n_stages && rows; j++)
		threshold_rows(out, pv->stages[j].cfg);
}

void report_markdown(FILE *out, const struct snapshot *snap, double window_s, double took_s)
{
	char when[32], st[16], env[300], dur[32];
	iso8601(snap->taken_at, when, sizeof when);
	const char *e = snap->cfg->environment && *snap->cfg->environment ? snap->cfg->environment : NULL;
	fprintf(out, "# synctop snapshot%s%s: %s\n\n", e ? " of " : "", e ? md(e, env, sizeof env) : "",
	        status_up(snap->status, st, sizeof st));
	fprintf(out, "- Environment: %s\n", e ? env : "(not set)");
	fprintf(out, "- Taken at: %s\n", when);
	if (took_s >= 1 && took_s < 60) /* a window's second or two: to the hundredth */
		snprintf(dur, sizeof dur, "%.2fs", took_s);
	else
		format_duration(took_s, dur, sizeof dur);
	if (took_s >= 0) /* the screen's copy (keys c, C) took no time of its own */
		fprintf(out, "- Time taken: %s\n", dur);
	fprintf(out, "- synctop version: %s\n", PACKAGE_VERSION);
	if (window_s > 0) {
		format_duration(window_s, dur, sizeof dur);
		fprintf(out, "- Window observed: %s (two polls %s apart)\n", dur, dur);
	} else {
		fputs("- Window observed: none (one poll: rates not known)\n", out);
	}
	fprintf(out, "- Status: %s\n", st);
	if (snap->n_pipes == 0)
		fputs("\nNo pipelines configured.\n", out);
	for (size_t i = 0; i < snap->n_pipes; i++)
		pipeline_section(out, &snap->pipes[i], snap->taken_at, window_s);
}
