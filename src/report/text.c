/* text.c: the --once text snapshot: a compact table a person reads in a ticket. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "sanitize.h"
#include "units.h"
#include "util.h"
#include "kinds/kind.h"

static void upper(char *dst, const char *src, size_t n)
{
	size_t i = 0;
	for (; src[i] && i + 1 < n; i++)
		dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
	dst[i] = '\0';
}

/* "CRIT 4m12s": the status and how long it has held at the snapshot's time (when known). */
static void status_cell(const struct stage_view *sv, double now, char *buf, size_t n)
{
	char age[32];
	upper(buf, status_name(sv->status), n);
	format_age(sv->since, now, age, sizeof age);
	if (age[0])
		snappendf(buf, n, " %s", age);
}

static int widest_status(const struct snapshot *snap)
{
	char cell[48];
	int w = (int)strlen("UNKNOWN");
	for (size_t i = 0; i < snap->n_pipes; i++)
		for (size_t j = 0; j < snap->pipes[i].n_stages; j++) {
			status_cell(&snap->pipes[i].stages[j], snap->taken_at, cell, sizeof cell);
			if ((int)strlen(cell) > w)
				w = (int)strlen(cell);
		}
	return w;
}

static size_t widest(const struct snapshot *snap, int col)
{
	size_t w = col == 0   ? strlen("PIPELINE")
	           : col == 1 ? strlen("STAGE")
	           : col == 2 ? strlen("CONNECTION")
	                      : strlen("TARGET");
	char target[256];
	for (size_t i = 0; i < snap->n_pipes; i++) {
		const struct pipeline_view *pv = &snap->pipes[i];
		if (col == 0 && strlen(pv->cfg->name) > w)
			w = strlen(pv->cfg->name);
		for (size_t j = 0; j < pv->n_stages; j++) {
			const struct stage_cfg *st = pv->stages[j].cfg;
			size_t l = col == 1   ? strlen(st->kind->name)
			           : col == 2 ? strlen(st->conn->name)
			           : col == 3 ? strlen(stage_target(st, target, sizeof target))
			                      : 0;
			if (l > w)
				w = l;
		}
	}
	return w;
}

/* The last guard before the terminal or a ticket: server text on one line, no control character. */
static const char *clean(const char *s, char *buf, size_t n)
{
	return text_clean(buf, n, s, strlen(s));
}

void report_text(FILE *out, const struct snapshot *snap)
{
	char when[32], st[16];
	time_t secs = (time_t)snap->taken_at;
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
	upper(st, status_name(snap->status), sizeof st);
	const char *env = snap->cfg->environment && *snap->cfg->environment ? snap->cfg->environment : "-";
	fprintf(out, "synctop %s  environment %s  %s  status %s\n", PACKAGE_VERSION, env, when, st);
	if (snap->n_pipes == 0) {
		fprintf(out, "\nno pipelines configured\n");
		return;
	}

	int w0 = (int)widest(snap, 0), w1 = (int)widest(snap, 1), w2 = (int)widest(snap, 2),
	    w3 = (int)widest(snap, 3);
	int w4 = widest_status(snap);
	fprintf(out, "\n%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w0, "PIPELINE", w1, "STAGE", w2, "CONNECTION",
	        w3, "TARGET", w4, "STATUS", "FIGURES");
	char fig[1024], raw[512], target[256], line[1024], cell[48];
	for (size_t i = 0; i < snap->n_pipes; i++) {
		const struct pipeline_view *pv = &snap->pipes[i];
		for (size_t j = 0; j < pv->n_stages; j++) {
			const struct stage_view *sv = &pv->stages[j];
			stage_figures(sv, raw, sizeof raw);
			clean(raw, fig, sizeof fig);
			status_cell(sv, snap->taken_at, cell, sizeof cell);
			fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w0, j == 0 ? pv->cfg->name : "",
			        w1, sv->cfg->kind->name, w2, sv->cfg->conn->name, w3,
			        stage_target(sv->cfg, target, sizeof target), w4, cell, fig);
			bool reason = sv->status != ST_OK && sv->status != ST_UNKNOWN && sv->reason[0];
			if (reason)
				fprintf(out, "%-*s  %-*s  %s\n", w0, "", w1, "",
				        clean(sv->reason, line, sizeof line));
			/* A failed source query (search.source_count, ...) is said even when a worse
			   reason took the line above. */
			const char *source_error =
			    sv->cur.ok ? metric_str(sv->cur.detail, "source_error") : NULL;
			if (source_error && !(reason && !strcmp(source_error, sv->reason)))
				fprintf(out, "%-*s  %-*s  %s\n", w0, "", w1, "",
				        clean(source_error, line, sizeof line));
			if (sv->cfg->conn->insecure)
				fprintf(out,
				        "%-*s  %-*s  TLS NOT VERIFIED: connection %s has insecure = true\n",
				        w0, "", w1, "", sv->cfg->conn->name);
		}
	}
	for (size_t i = 0; i < snap->n_pipes; i++) {
		const struct pipeline_view *pv = &snap->pipes[i];
		for (size_t j = 0; j < pv->n_diags; j++) {
			const struct diagnosis *d = &pv->diags[j];
			upper(st, status_name(d->severity), sizeof st);
			char symptom[1024], evidence[1024], next[1024];
			/* A start the data gives is a fact; one this run saw is only a lower bound. */
			char age[32], start[32], held[96] = "", follows[128] = "";
			format_age(d->since, snap->taken_at, age, sizeof age);
			iso8601(d->since, start, sizeof start);
			if (age[0] && d->since_seen)
				snprintf(held, sizeof held, "  first seen %s ago", age);
			else if (age[0])
				snprintf(held, sizeof held, "  since %s (%s)", start, age);
			if (d->because[0])
				snprintf(follows, sizeof follows, "  (follows from %s)", d->because);
			fprintf(out, "\n%-4s  %s  %s/%s%s%s\n      %s\n      %s\n      next: %s\n", st,
			        d->rule, pv->cfg->name, d->stage->kind->name, follows, held,
			        clean(d->symptom, symptom, sizeof symptom),
			        clean(d->evidence, evidence, sizeof evidence),
			        clean(d->next, next, sizeof next));
		}
	}
}
