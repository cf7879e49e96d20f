/* nagios.c: the --once monitoring-plugin output: a status line, a line per stage, perfdata. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"
#include "report.h"
#include "sanitize.h"
#include "threshold.h"
#include "util.h"
#include "kinds/kind.h"

/* The guideline's words for the status line, and the short ones of the stage lines. */
static const char *const LONG_WORD[] = {
    [ST_OK] = "OK", [ST_UNKNOWN] = "UNKNOWN", [ST_WARN] = "WARNING", [ST_CRIT] = "CRITICAL"};
static const char *const SHORT_WORD[] = {
    [ST_OK] = "OK", [ST_UNKNOWN] = "UNKNOWN", [ST_WARN] = "WARN", [ST_CRIT] = "CRIT"};

/* Server text for the human part: one line, no control character, and no '|' (which would
   start perfdata there). */
static const char *human(const char *s, char *buf, size_t n)
{
	text_clean(buf, n, s, strlen(s));
	for (char *p = buf; *p; p++)
		if (*p == '|')
			*p = '/';
	return buf;
}

const char *nagios_label(const char *raw, char *buf, size_t n)
{
	char clean[512];
	text_clean(clean, sizeof clean, raw, strlen(raw));
	if (!strpbrk(clean, " ='")) {
		strlcpy_safe(buf, clean, n);
		return buf;
	}
	size_t o = 0;
	if (n < 3) {
		buf[0] = '\0';
		return buf;
	}
	buf[o++] = '\'';
	for (const char *p = clean; *p && o + 3 < n; p++) {
		if (*p == '\'')
			buf[o++] = '\'';
		buf[o++] = *p;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

/* The first two of a stage's key figures ("1,284 pending, oldest 4m12s"), for the status line. */
static void short_figures(const struct stage_view *sv, char *buf, size_t n)
{
	char raw[512];
	stage_figures(sv, raw, sizeof raw);
	char *cut = strstr(raw, ", ");
	if (cut)
		cut = strstr(cut + 2, ", ");
	if (cut)
		*cut = '\0';
	human(raw, buf, n);
}

static const struct stage_view *stage_of(const struct pipeline_view *pv, const struct stage_cfg *st)
{
	for (size_t j = 0; j < pv->n_stages; j++)
		if (pv->stages[j].cfg == st)
			return &pv->stages[j];
	return NULL;
}

/* "products: worker-stalled (1,284 pending, oldest 4m12s)": the pipeline's first diagnosis
   (the headline) with its stage's figures; without one, its worst stage and why. */
static void headline(const struct pipeline_view *pv, char *buf, size_t n)
{
	char name[256], text[512];
	human(pv->cfg->name, name, sizeof name);
	/* diags[0] is the worst root; a stage may be worse still by a level alone (no diagnosis) */
	const struct stage_view *sv =
	    pv->n_diags && pv->diags[0].severity == pv->status ? stage_of(pv, pv->diags[0].stage) : NULL;
	if (sv) {
		short_figures(sv, text, sizeof text);
		snprintf(buf, n, "%s: %s", name, pv->diags[0].rule);
		if (text[0])
			snappendf(buf, n, " (%s)", text);
		return;
	}
	for (size_t j = 0; j < pv->n_stages; j++)
		if (!sv || pv->stages[j].status > sv->status)
			sv = &pv->stages[j];
	if (!sv) {
		snprintf(buf, n, "%s: no stages", name);
		return;
	}
	char reason[512];
	if (sv->status == ST_UNKNOWN || !sv->reason[0])
		stage_figures(sv, reason, sizeof reason);
	else
		strlcpy_safe(reason, sv->reason, sizeof reason);
	snprintf(buf, n, "%s/%s: %s", name, sv->cfg->kind->name, human(reason, text, sizeof text));
}

/* The status line's text after "SYNCTOP STATUS - ". */
static void status_text(const struct snapshot *snap, char *buf, size_t n)
{
	if (snap->n_pipes == 0) {
		snprintf(buf, n, "no pipelines configured");
		return;
	}
	const struct pipeline_view *worst = &snap->pipes[0];
	for (size_t i = 1; i < snap->n_pipes; i++)
		if (snap->pipes[i].status > worst->status)
			worst = &snap->pipes[i];
	if (worst->status == ST_OK) {
		snprintf(buf, n, "%zu pipeline%s in sync", snap->n_pipes, snap->n_pipes == 1 ? "" : "s");
		return;
	}
	headline(worst, buf, n);
	size_t by[ST_CRIT + 1] = {0}, others = 0, classes = 0;
	for (size_t i = 0; i < snap->n_pipes; i++)
		if (&snap->pipes[i] != worst && snap->pipes[i].status != ST_OK) {
			classes += by[snap->pipes[i].status]++ == 0;
			others++;
		}
	if (others == 0)
		return;
	static const enum status order[] = {ST_CRIT, ST_WARN, ST_UNKNOWN};
	if (classes == 1) {
		for (size_t k = 0; k < 3; k++)
			if (by[order[k]])
				snappendf(buf, n, "; %zu more pipeline%s %s", others, others == 1 ? "" : "s",
				          status_name(order[k]));
		return;
	}
	snappendf(buf, n, "; %zu more pipelines:", others);
	const char *sep = " ";
	for (size_t k = 0; k < 3; k++)
		if (by[order[k]]) {
			snappendf(buf, n, "%s%zu %s", sep, by[order[k]], status_name(order[k]));
			sep = ", ";
		}
}

/* "products/outbox: CRIT - 1,284 pending, oldest 4m12s (worker-stalled)". */
static void stage_line(FILE *out, const struct pipeline_view *pv, const struct stage_view *sv)
{
	char name[256], raw[1024], fig[1024], rules[512] = "", reason[512];
	stage_figures(sv, raw, sizeof raw);
	for (size_t k = 0; k < pv->n_diags; k++)
		if (pv->diags[k].stage == sv->cfg)
			snappendf(rules, sizeof rules, "%s%s", rules[0] ? ", " : "", pv->diags[k].rule);
	fprintf(out, "%s/%s: %s - %s", human(pv->cfg->name, name, sizeof name), sv->cfg->kind->name,
	        SHORT_WORD[sv->status], human(raw, fig, sizeof fig));
	if (rules[0])
		fprintf(out, " (%s)", rules);
	else if ((sv->status == ST_WARN || sv->status == ST_CRIT) && sv->reason[0])
		fprintf(out, "; %s", human(sv->reason, reason, sizeof reason));
}

/* One perfdata item of metric m of sv: 'label'=value[UOM];warn;crit;min;max. */
static void perf_item(const struct snapshot *snap, const struct pipeline_view *pv,
                      const struct stage_view *sv, const struct metric_def *m, char *buf, size_t n)
{
	char raw[512], label[1100], num[64], w[96] = "", c[96] = "", max[64] = "";
	snprintf(raw, sizeof raw, "%s/%s/%s", pv->cfg->name, sv->cfg->kind->name, m->name);
	nagios_label(raw, label, sizeof label);
	const struct metric_extra *x = metric_extra(sv->cfg->kind, m->name);
	const char *uom = m->unit == MU_COUNTER   ? "c"
	                  : m->unit == MU_SECONDS ? "s"
	                  : m->unit == MU_BYTES   ? "B"
	                  : m->unit == MU_RATIO   ? "%"
	                                          : "";
	double v, scale = perf_scale(m->unit);
	bool known = sv->cur.ok && metric_num(sv->cur.metrics, m->name, &v) && isfinite(v);
	struct range r;
	if (threshold_in_force(snap->cfg, pv->cfg, sv->cfg, m, false, &r))
		range_format(&r, w, sizeof w);
	if (threshold_in_force(snap->cfg, pv->cfg, sv->cfg, m, true, &r))
		range_format(&r, c, sizeof c);
	double mx;
	if (m->unit == MU_RATIO)
		strlcpy_safe(max, "100", sizeof max);
	else if (x->max_metric && sv->cur.ok && metric_num(sv->cur.metrics, x->max_metric, &mx) && mx > 0)
		perf_number(mx, max, sizeof max);
	bool min0 = m->unit != MU_PER_SECOND && !x->negative;
	/* A value not known is U (the guideline's "could not be determined"), without a unit: the
	   set of labels stays the same from run to run, as graphers want it. */
	snprintf(buf, n, "%s=%s%s;%s;%s;%s;%s", label, known ? perf_number(v * scale, num, sizeof num) : "U",
	         known ? uom : "", w, c, min0 ? "0" : "", max);
}

void report_nagios(FILE *out, const struct snapshot *snap)
{
	char text[2048];
	status_text(snap, text, sizeof text);
	/* Every numeric metric of every stage, in the order of the stages and the kinds' tables. */
	char **items = NULL;
	size_t n_items = 0;
	for (size_t i = 0; i < snap->n_pipes; i++) {
		const struct pipeline_view *pv = &snap->pipes[i];
		for (size_t j = 0; j < pv->n_stages; j++)
			for (const struct metric_def *m = pv->stages[j].cfg->kind->metrics; m->name; m++) {
				if (!metric_numeric(m))
					continue;
				char item[2048];
				perf_item(snap, pv, &pv->stages[j], m, item, sizeof item);
				items = xrealloc(items, (n_items + 1) * sizeof *items);
				items[n_items++] = xstrdup(item);
			}
	}
	fprintf(out, "SYNCTOP %s - %s", LONG_WORD[snap->status], text);
	if (n_items)
		fprintf(out, " | %s", items[0]);
	fputc('\n', out);
	/* The long output: a line per stage; the last carries the rest of the perfdata after its
	   '|', one item a line (the guideline's "more perfdata may follow a | there"). */
	for (size_t i = 0; i < snap->n_pipes; i++) {
		const struct pipeline_view *pv = &snap->pipes[i];
		for (size_t j = 0; j < pv->n_stages; j++) {
			stage_line(out, pv, &pv->stages[j]);
			bool last = i + 1 == snap->n_pipes && j + 1 == pv->n_stages;
			if (last && n_items > 1)
				fprintf(out, " | %s", items[1]);
			fputc('\n', out);
		}
	}
	for (size_t k = 2; k < n_items; k++)
		fprintf(out, "%s\n", items[k]);
	for (size_t k = 0; k < n_items; k++)
		free(items[k]);
	free(items);
}
