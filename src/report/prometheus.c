/* prometheus.c: the snapshot as Prometheus text exposition (format 0.0.4), for --once and --serve. */
#include "report/prometheus.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "report.h"
#include "roff.h"
#include "sanitize.h"
#include "util.h"

void prom_escape_label(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '"')
			fputs("\\\"", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

void prom_escape_help(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

void prom_value(FILE *out, double v)
{
	if (isnan(v)) {
		fputs("NaN", out);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "+Inf" : "-Inf", out);
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(out, "%.0f", v);
		return;
	}
	char buf[40];
	snprintf(buf, sizeof buf, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof buf, "%.17g", v);
	fputs(buf, out);
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && !memcmp(s + len - n, suffix, n);
}

const char *prom_metric_name(const char *kind, const char *name, enum metric_unit unit, char *buf, size_t n)
{
	size_t len = strlen(name);
	const char *unit_suffix = "";
	if (unit == MU_SECONDS) {
		if (ends_with(name, len, "_s"))
			len -= 2;
		unit_suffix = ends_with(name, len, "_seconds") ? "" : "_seconds";
	} else if (unit == MU_PER_SECOND) {
		if (ends_with(name, len, "_per_s"))
			len -= 6;
		unit_suffix = "_per_second";
	} else if (unit == MU_BYTES) {
		unit_suffix = ends_with(name, len, "_bytes") ? "" : "_bytes";
	} else if (unit == MU_RATIO) {
		unit_suffix = ends_with(name, len, "_ratio") ? "" : "_ratio";
	} else if (unit == MU_COUNTER) {
		unit_suffix = ends_with(name, len, "_total") ? "" : "_total";
	} else if (len == 5 ? !strcmp(name, "count") : ends_with(name, len, "_count")) {
		/* _count belongs to histograms and summaries (promtool check metrics): a copy's "count"
		   and "source_count" export as _items. */
		len -= 5;
		unit_suffix = "items";
	}
	snprintf(buf, n, "synctop_%s_%.*s%s", kind, (int)len, name, unit_suffix);
	return buf;
}

/* Families are collected, then written whole: every family's samples together, after its HELP
   and TYPE, whatever order the stages give them in. */
struct family {
	char name[128];
	const char *type;
	char *help;
	char *body;
	size_t len;
	FILE *f;
};

/* Each family is allocated on its own: its memstream keeps the addresses of body and len. */
struct prom {
	struct family **fam;
	size_t n, cap;
};

/* The stream of family name's samples, made with its HELP and TYPE when new; NULL when out of
   memory (the samples are lost, never the format). */
static FILE *family(struct prom *p, const char *name, const char *type, const char *help)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->fam[i]->name, name))
			return p->fam[i]->f;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct family **fam = realloc(p->fam, cap * sizeof *fam);
		if (!fam)
			return NULL;
		p->fam = fam;
		p->cap = cap;
	}
	struct family *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	snprintf(f->name, sizeof f->name, "%s", name);
	f->type = type;
	f->help = strdup(help);
	f->f = f->help ? open_memstream(&f->body, &f->len) : NULL;
	if (!f->f) {
		free(f->help);
		free(f);
		return NULL;
	}
	p->fam[p->n++] = f;
	return f->f;
}

struct lbl {
	const char *name, *value;
};

/* One sample of family name: name{labels} value. Labels with no name are left out. */
static void series(FILE *f, const char *name, const struct lbl *l, size_t nl, double v)
{
	if (!f)
		return;
	fputs(name, f);
	bool any = false;
	for (size_t i = 0; i < nl; i++) {
		if (!l[i].name)
			continue;
		fprintf(f, "%s%s=\"", any ? "," : "{", l[i].name);
		/* The last guard: a server's words on one line, valid UTF-8, no control character. */
		const char *text = l[i].value ? l[i].value : "";
		size_t len = strlen(text);
		char *clean = NULL;
		if (!text_is_clean(text) && (clean = malloc(len * 4 + 8)))
			text = text_clean(clean, len * 4 + 8, text, len);
		prom_escape_label(f, text);
		free(clean);
		fputc('"', f);
		any = true;
	}
	fputs(any ? "} " : " ", f);
	prom_value(f, v);
	fputc('\n', f);
}

static void emit_families(FILE *out, struct prom *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct family *f = p->fam[i];
		fclose(f->f);
		fprintf(out, "# HELP %s ", f->name);
		prom_escape_help(out, f->help);
		fprintf(out, "\n# TYPE %s %s\n", f->name, f->type);
		fwrite(f->body, 1, f->len, out);
		free(f->body);
		free(f->help);
		free(f);
	}
	free(p->fam);
}

static const char *unit_word(enum metric_unit u)
{
	switch (u) {
	case MU_SECONDS:
		return "seconds";
	case MU_BYTES:
		return "bytes";
	case MU_RATIO:
		return "a fraction of 1";
	case MU_FACTOR:
		return "a factor";
	case MU_PER_SECOND:
		return "per second, over the last polls";
	case MU_BOOL:
		return "1 true, 0 false";
	case MU_COUNTER:
		return "a counter of the server";
	default:
		return "a count";
	}
}

#define STAGE_LABELS (3 + 2 * EXPORT_LABELS)

/* The labels of the kind's series of sv: pipeline, stage and its target's (export_labels). */
static size_t kind_labels(const struct pipeline_view *pv, const struct stage_view *sv,
                          struct export_label *tl, struct lbl *l)
{
	const struct kind *k = sv->cfg->kind;
	size_t n = 0, nt = k->export_labels ? k->export_labels(sv, tl) : 0;
	l[n++] = (struct lbl){"pipeline", pv->cfg->name};
	l[n++] = (struct lbl){"stage", k->name};
	for (size_t i = 0; i < nt && i < EXPORT_LABELS; i++)
		l[n++] = (struct lbl){tl[i].name, tl[i].value};
	return n;
}

struct item_ctx {
	struct prom *p;
	const char *kind;
	struct lbl *l;
	size_t nl;
};

static void item(void *ctx, const struct export_item *it)
{
	struct item_ctx *c = ctx;
	char name[128];
	snprintf(name, sizeof name, "synctop_%s_%s", c->kind, it->def->name);
	struct lbl l[STAGE_LABELS];
	size_t n = c->nl;
	memcpy(l, c->l, n * sizeof *l);
	for (size_t i = 0; i < EXPORT_LABELS && it->labels[i].name; i++)
		l[n++] = (struct lbl){it->labels[i].name, it->labels[i].value};
	char help[256];
	const struct export_def *d = it->def;
	snprintf(help, sizeof help, "%s stage: %s (%s)", c->kind, d->help, unit_word(d->unit));
	series(family(c->p, name, d->unit == MU_COUNTER ? "counter" : "gauge", help), name, l, n, it->value);
}

/* Every known numeric metric of sv as synctop_KIND_METRIC, its text ones as labels of
   synctop_KIND_info, its lists' items through the kind's export_items. */
static void stage_metrics(struct prom *p, const struct pipeline_view *pv, const struct stage_view *sv)
{
	const struct kind *k = sv->cfg->kind;
	struct export_label tl[EXPORT_LABELS];
	struct lbl l[STAGE_LABELS];
	size_t nl = kind_labels(pv, sv, tl, l);
	struct lbl info[STAGE_LABELS + 32];
	size_t ni = nl;
	memcpy(info, l, nl * sizeof *l);
	char name[128], help[256];
	for (const struct metric_def *m = k->metrics; m->name; m++) {
		double v;
		bool b;
		if (m->unit == MU_LIST)
			continue;
		if (m->unit == MU_TEXT) {
			const char *s = metric_str(sv->cur.metrics, m->name);
			bool taken = false; /* a target label (slot_name) says it already */
			for (size_t i = 0; i < nl; i++)
				taken |= !strcmp(l[i].name, m->name);
			if (s && !taken && ni < sizeof info / sizeof info[0])
				info[ni++] = (struct lbl){m->name, s};
			continue;
		}
		if (m->unit == MU_BOOL) {
			if (!metric_bool(sv->cur.metrics, m->name, &b))
				continue;
			v = b;
		} else if (!metric_num(sv->cur.metrics, m->name, &v)) {
			continue;
		}
		prom_metric_name(k->name, m->name, m->unit, name, sizeof name);
		snprintf(help, sizeof help, "%s stage: %s of --format json (%s)", k->name, m->name,
		         unit_word(m->unit));
		series(family(p, name, m->unit == MU_COUNTER ? "counter" : "gauge", help), name, l, nl, v);
	}
	if (ni > nl) {
		snprintf(name, sizeof name, "synctop_%s_info", k->name);
		snprintf(help, sizeof help, "%s stage: its text metrics of --format json, as labels",
		         k->name);
		series(family(p, name, "gauge", help), name, info, ni, 1);
	}
	if (k->export_items) {
		struct item_ctx c = {p, k->name, l, nl};
		k->export_items(sv, item, &c);
	}
}

/* The same diagnosis (stage, rule, severity) listed before d in pv: one series says it. */
static bool diag_seen(const struct pipeline_view *pv, const struct diagnosis *d)
{
	for (const struct diagnosis *o = pv->diags; o < d; o++)
		if (o->stage->kind == d->stage->kind && o->severity == d->severity &&
		    !strcmp(o->rule, d->rule))
			return true;
	return false;
}

/* The families every snapshot has, whatever its stages (report_prometheus_list lists them). */
enum { G_INFO, G_PIPELINE, G_UP, G_STATUS, G_SINCE, G_AGE, G_LATENCY, G_ACTIVE, G_DSINCE, G__COUNT };
static const struct {
	const char *name, *labels, *help;
} generic[G__COUNT] = {
    [G_INFO] = {"synctop_info", "version, backends", "synctop's version and the backends built in"},
    [G_PIPELINE] = {"synctop_pipeline_status", "pipeline",
                    "the pipeline's worst stage status: 0 ok, 1 warn, 2 crit, 3 unknown"},
    [G_UP] = {"synctop_stage_up", "pipeline, stage, kind",
              "1 when the stage's last poll read it, 0 when it could not be read"},
    [G_STATUS] = {"synctop_stage_status", "pipeline, stage, kind",
                  "the stage's status: 0 ok, 1 warn, 2 crit, 3 unknown (the monitoring-plugin exit "
                  "codes)"},
    [G_SINCE] = {"synctop_stage_status_since_timestamp_seconds", "pipeline, stage, kind",
                 "when the stage entered its status (Unix time), as far as synctop saw"},
    [G_AGE] = {"synctop_stage_poll_age_seconds", "pipeline, stage, kind",
               "how long before the snapshot the stage's last poll ended"},
    [G_LATENCY] = {"synctop_stage_latency_seconds", "pipeline, stage, kind",
                   "how long the stage's last poll took"},
    [G_ACTIVE] = {"synctop_diagnosis_active", "pipeline, stage, rule, severity",
                  "1 for each diagnosis in force (a runbook rule, see synctop --list-rules)"},
    [G_DSINCE] = {"synctop_diagnosis_since_timestamp_seconds", "pipeline, stage, rule, severity",
                  "when the diagnosis's condition started (Unix time): from the data when the rule "
                  "knows it, else when synctop first saw it"},
};

/* The canary's families, of the pipelines with canary = true alone (canary.h). */
enum { C_TOTAL, C_HOP, C_LOST, C__COUNT };
static const struct {
	const char *name, *labels, *help;
} canary_fams[C__COUNT] = {
    [C_TOTAL] = {"synctop_canary_total_seconds", "pipeline",
                 "the last end-to-end canary's time from its insert to its last hop (canary = true)"},
    [C_HOP] =
        {"synctop_canary_hop_seconds", "pipeline, hop",
         "the last end-to-end canary's time at each hop (outbox, kafka, index), from the hop before it"},
    [C_LOST] = {"synctop_canary_lost", "pipeline",
                "1 while the pipeline's canary marker is lost (canary-lost), else 0"},
};

static void canary_metrics(struct prom *p, const struct pipeline_view *pv)
{
	const struct canary_state *c = &pv->canary;
	if (!pv->cfg->canary.on || c->phase == CANARY_OFF)
		return;
	const struct lbl pl[] = {{"pipeline", pv->cfg->name}};
	FILE *f = family(p, canary_fams[C_LOST].name, "gauge", canary_fams[C_LOST].help);
	series(f, canary_fams[C_LOST].name, pl, 1, c->phase == CANARY_INFLIGHT && c->lost);
	if (!c->have_last)
		return;
	f = family(p, canary_fams[C_TOTAL].name, "gauge", canary_fams[C_TOTAL].help);
	series(f, canary_fams[C_TOTAL].name, pl, 1, round(c->last_total_s * 1000) / 1000);
	f = family(p, canary_fams[C_HOP].name, "gauge", canary_fams[C_HOP].help);
	for (size_t i = 0; i < c->n_hops; i++) {
		const struct lbl hl[] = {{"pipeline", pv->cfg->name}, {"hop", canary_hop_name(c, i)}};
		series(f, canary_fams[C_HOP].name, hl, 2, round(c->last_hop_s[i] * 1000) / 1000);
	}
}

void report_prometheus(FILE *out, const struct snapshot *snap)
{
	struct prom p = {0};
	FILE *g[G__COUNT];
	for (size_t i = 0; i < G__COUNT; i++)
		g[i] = family(&p, generic[i].name, "gauge", generic[i].help);
	FILE *info = g[G_INFO], *pstatus = g[G_PIPELINE], *up = g[G_UP], *status = g[G_STATUS],
	     *since = g[G_SINCE], *age = g[G_AGE], *lat = g[G_LATENCY], *active = g[G_ACTIVE],
	     *dsince = g[G_DSINCE];

	const char *backends = ""
#ifdef HAVE_POSTGRES
	                       "postgres,"
#endif
#ifdef HAVE_KAFKA
	                       "kafka,"
#endif
#ifdef HAVE_REDIS
	                       "redis,"
#endif
#ifdef HAVE_SEARCH
	                       "search,connect,http,"
#endif
#ifdef HAVE_MONGOC
	                       "mongodb,"
#endif
	    ;
	char built[96];
	snprintf(built, sizeof built, "%.*s", (int)(strlen(backends) ? strlen(backends) - 1 : 0), backends);
	const struct lbl il[] = {{"version", PACKAGE_VERSION}, {"backends", built}};
	series(info, "synctop_info", il, 2, 1);

	for (size_t i = 0; i < snap->n_pipes; i++) {
		const struct pipeline_view *pv = &snap->pipes[i];
		const struct lbl pl[] = {{"pipeline", pv->cfg->name}};
		series(pstatus, "synctop_pipeline_status", pl, 1, status_exit_code(pv->status));
		for (size_t j = 0; j < pv->n_stages; j++) {
			const struct stage_view *sv = &pv->stages[j];
			const char *kind = sv->cfg->kind->name;
			const struct lbl sl[] = {
			    {"pipeline", pv->cfg->name}, {"stage", kind}, {"kind", kind}};
			series(up, "synctop_stage_up", sl, 3, sv->cur.metrics && sv->cur.ok);
			series(status, "synctop_stage_status", sl, 3, status_exit_code(sv->status));
			if (sv->since > 0)
				series(since, "synctop_stage_status_since_timestamp_seconds", sl, 3,
				       floor(sv->since * 1000) / 1000);
			if (sv->cur.metrics && sv->cur.wall > 0)
				series(age, "synctop_stage_poll_age_seconds", sl, 3,
				       round(fmax(0, snap->taken_at - sv->cur.wall) * 1000) / 1000);
			if (sv->cur.metrics)
				series(lat, "synctop_stage_latency_seconds", sl, 3,
				       round(sv->cur.latency_ms * 10) / 10000);
		}
		for (size_t j = 0; j < pv->n_diags; j++) {
			const struct diagnosis *d = &pv->diags[j];
			if (diag_seen(pv, d))
				continue;
			const struct lbl dl[] = {{"pipeline", pv->cfg->name},
			                         {"stage", d->stage->kind->name},
			                         {"rule", d->rule},
			                         {"severity", status_name(d->severity)}};
			series(active, "synctop_diagnosis_active", dl, 4, 1);
			if (d->since > 0)
				series(dsince, "synctop_diagnosis_since_timestamp_seconds", dl, 4,
				       floor(d->since * 1000) / 1000);
		}
	}
	for (size_t i = 0; i < snap->n_pipes; i++)
		canary_metrics(&p, &snap->pipes[i]);
	/* The kinds' own families after the generic ones, in the registry's (flow) order. */
	for (size_t k = 0; kinds[k]; k++)
		for (size_t i = 0; i < snap->n_pipes; i++)
			for (size_t j = 0; j < snap->pipes[i].n_stages; j++) {
				const struct stage_view *sv = &snap->pipes[i].stages[j];
				if (sv->cfg->kind == kinds[k] && sv->cur.metrics && sv->cur.ok)
					stage_metrics(&p, &snap->pipes[i], sv);
			}
	emit_families(out, &p);
}

void report_prometheus_list(FILE *out)
{
	fputs(".\\\" Generated by `synctop --list-metrics` from src/report/prometheus.c and the kinds' "
	      "metrics tables: run `make update-man`.\n",
	      out);
	for (size_t i = 0; i < G__COUNT + C__COUNT; i++) {
		const char *name = i < G__COUNT ? generic[i].name : canary_fams[i - G__COUNT].name;
		fprintf(out, ".TP\n.B %s\n", name);
		fputs("gauge, labels ", out);
		roff_text(out, i < G__COUNT ? generic[i].labels : canary_fams[i - G__COUNT].labels);
		fputs(": ", out);
		roff_text(out, i < G__COUNT ? generic[i].help : canary_fams[i - G__COUNT].help);
		fputs(".\n", out);
	}
	for (size_t k = 0; kinds[k]; k++) {
		const struct kind *kd = kinds[k];
		fprintf(out, ".TP\n.B %s\n", kd->name);
		fprintf(out, "labels pipeline, stage%s%s:\n", kd->export_label_names ? ", " : "",
		        kd->export_label_names ? kd->export_label_names : "");
		char name[128], texts[512] = "";
		for (const struct metric_def *m = kd->metrics; m->name; m++) {
			if (m->unit == MU_LIST)
				continue;
			if (m->unit == MU_TEXT) {
				snappendf(texts, sizeof texts, "%s%s", *texts ? ", " : "", m->name);
				continue;
			}
			prom_metric_name(kd->name, m->name, m->unit, name, sizeof name);
			if (m->unit == MU_COUNTER)
				fprintf(out, ".br\n%s (counter)\n", name);
			else
				fprintf(out, ".br\n%s (gauge, %s)\n", name, unit_word(m->unit));
		}
		for (const struct export_def *d = kd->export_defs; d && d->name; d++) {
			fprintf(out, ".br\nsynctop_%s_%s (gauge, %s; also labels %s)\n", kd->name, d->name,
			        unit_word(d->unit), d->labels);
		}
		if (*texts) {
			fprintf(out,
			        ".br\nsynctop_%s_info (gauge, 1; its text metrics as labels: ", kd->name);
			roff_text(out, texts);
			fputs(")\n", out);
		}
	}
}
