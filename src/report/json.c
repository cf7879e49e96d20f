/* json.c: the schema-1 snapshot of DESIGN.md; field names are a contract. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "canary.h"
#include "events.h"
#include "kinds/kind.h"
#include "report.h"
#include "sanitize.h"
#include "track.h"
#include "units.h"

#define SCHEMA_VERSION 1

/* Text that may hold a server's words goes through json_string_clean: jansson drops a key whose
   string is not valid UTF-8, and no control character goes out (the last guard: samples are
   cleaned where they are made). */
static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string_clean(s) : json_null();
}

/* A wall time as ISO 8601, or null when not known (0). */
static json_t *time_or_null(double t)
{
	char when[32];
	if (t <= 0)
		return json_null();
	iso8601(t, when, sizeof when);
	return json_string(when);
}

/* Every metric of the kind, in contract order, null where not known. */
static json_t *stage_metrics(const struct stage_view *sv)
{
	json_t *out = json_object();
	const struct kind *p = sv->cfg->kind;
	for (const struct metric_def *m = p->metrics; m->name; m++) {
		json_t *v = sv->cur.ok ? json_object_get(sv->cur.metrics, m->name) : NULL;
		json_object_set(out, m->name, v ? v : json_null());
	}
	return out;
}

static json_t *stage_json(const struct stage_view *sv)
{
	char target[256];
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(sv->cfg->kind->name));
	json_object_set_new(o, "connection", json_string(sv->cfg->conn->name));
	if (sv->cfg->conn->insecure) /* said wherever the connection is named */
		json_object_set_new(o, "tls_verified", json_false());
	json_object_set_new(o, "target", json_string_clean(stage_target(sv->cfg, target, sizeof target)));
	json_object_set_new(o, "status", json_string(status_name(sv->status)));
	json_object_set_new(o, "error",
	                    sv->cur.metrics && !sv->cur.ok ? json_string_clean(sv->cur.err) : json_null());
	json_object_set_new(o, "latency_ms",
	                    sv->cur.metrics ? json_real(round(sv->cur.latency_ms * 10.0) / 10.0)
	                                    : json_null());
	json_object_set_new(o, "metrics", stage_metrics(sv));
	json_object_set_new(o, "reason", str_or_null(sv->reason));
	json_object_set_new(o, "since", time_or_null(sv->since));
	if (sv->cur.metrics && sv->cur.wall > 0) {
		char when[32];
		iso8601(sv->cur.wall, when, sizeof when);
		json_object_set_new(o, "polled_at", json_string(when));
	}
	/* Lists (slots, partitions) sit beside the metrics: extra fields the contract allows. */
	const char *key;
	json_t *v;
	if (sv->cur.ok && sv->cur.detail)
		json_object_foreach(sv->cur.detail, key, v) json_object_set(o, key, v);
	return o;
}

static json_t *diag_json(const struct diagnosis *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "rule", json_string(d->rule));
	json_object_set_new(o, "severity", json_string(status_name(d->severity)));
	json_object_set_new(o, "stage", json_string(d->stage->kind->name));
	json_object_set_new(o, "symptom", json_string_clean(d->symptom));
	json_object_set_new(o, "evidence", json_string_clean(d->evidence));
	json_object_set_new(o, "next", json_string_clean(d->next));
	json_object_set_new(o, "action", str_or_null(action_json_name(d->action)));
	if (d->action_scope[0])
		json_object_set_new(o, "action_scope", json_string(d->action_scope));
	json_object_set_new(o, "since", time_or_null(d->since));
	json_object_set_new(o, "since_seen", json_boolean(d->since_seen));
	/* The root this one follows from ("outbox: worker-stalled"); null for a root. */
	json_object_set_new(o, "because", d->because[0] ? json_string(d->because) : json_null());
	return o;
}

/* The pipeline's canary (canary.h): its state, the last canary's per-hop times and trend. */
static json_t *canary_json(const struct canary_state *c, double now)
{
	static const char *const phases[] = {"off", "idle", "in_flight"};
	char line[320];
	json_t *o = json_object();
	bool lost = c->phase == CANARY_INFLIGHT && c->lost;
	json_object_set_new(o, "state", json_string(lost ? "lost" : phases[c->phase]));
	json_object_set_new(o, "line", json_string(canary_line(c, now, line, sizeof line)));
	json_object_set_new(o, "off_reason",
	                    c->phase == CANARY_OFF ? json_string(c->off_reason) : json_null());
	json_object_set_new(o, "canary_total_s", c->have_last ? json_real(c->last_total_s) : json_null());
	json_t *hops = json_array();
	for (size_t i = 0; i < c->n_hops; i++)
		json_array_append_new(hops,
		                      json_pack("{s:s, s:o}", "hop", canary_hop_name(c, i), "canary_hop_s",
		                                c->have_last ? json_real(c->last_hop_s[i]) : json_null()));
	json_object_set_new(o, "hops", hops);
	json_t *trend = json_array();
	for (size_t i = 0; i < c->n_trend; i++)
		json_array_append_new(trend, json_real(c->trend[i]));
	json_object_set_new(o, "trend_s", trend);
	json_object_set_new(o, "lost_at", lost ? json_string(canary_hop_name(c, c->next_hop)) : json_null());
	json_object_set_new(o, "in_flight_s",
	                    c->phase == CANARY_INFLIGHT ? json_real(now - c->inserted_at) : json_null());
	json_object_set_new(o, "marker", c->phase == CANARY_INFLIGHT ? json_string(c->marker) : json_null());
	json_object_set_new(o, "inserted", json_integer((json_int_t)c->seq));
	json_object_set_new(o, "done", json_integer((json_int_t)c->done));
	json_object_set_new(o, "lost", json_integer((json_int_t)c->lost_count));
	json_object_set_new(o, "failures", json_integer((json_int_t)c->failures));
	json_object_set_new(o, "error", c->last_err[0] ? json_string(c->last_err) : json_null());
	return o;
}

/* The pipeline's events t keeps (what changed between the polls), oldest first. */
static json_t *events_json(const struct tracker *t, const struct pipeline *pl)
{
	json_t *a = json_array();
	size_t n = 0;
	while (t && tracker_event(t, pl, n))
		n++;
	while (n-- > 0) {
		const struct event *e = tracker_event(t, pl, n);
		json_t *o = json_object();
		json_object_set_new(o, "time", time_or_null(e->wall));
		json_object_set_new(o, "stage", json_string(e->stage));
		json_object_set_new(o, "from", json_string(status_name(e->from)));
		json_object_set_new(o, "to", json_string(status_name(e->to)));
		json_object_set_new(o, "rule", str_or_null(e->rule));
		json_object_set_new(o, "reason", str_or_null(e->reason));
		json_array_append_new(a, o);
	}
	return a;
}

void report_json(FILE *out, const struct snapshot *snap)
{
	report_json_tracked(out, snap, NULL);
}

void report_json_tracked(FILE *out, const struct snapshot *snap, const struct tracker *t)
{
	char when[32];
	iso8601(snap->taken_at, when, sizeof when);
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_integer(SCHEMA_VERSION));
	json_object_set_new(root, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(root, "taken_at", json_string(when));
	json_object_set_new(root, "environment", str_or_null(snap->cfg->environment));
	json_object_set_new(root, "status", json_string(status_name(snap->status)));
	json_t *pipes = json_array();
	for (size_t i = 0; i < snap->n_pipes; i++) {
		const struct pipeline_view *pv = &snap->pipes[i];
		json_t *p = json_object();
		json_object_set_new(p, "name", json_string(pv->cfg->name));
		json_object_set_new(p, "status", json_string(status_name(pv->status)));
		json_t *stages = json_array();
		for (size_t j = 0; j < pv->n_stages; j++)
			json_array_append_new(stages, stage_json(&pv->stages[j]));
		json_object_set_new(p, "stages", stages);
		json_t *diags = json_array();
		for (size_t j = 0; j < pv->n_diags; j++)
			json_array_append_new(diags, diag_json(&pv->diags[j]));
		json_object_set_new(p, "diagnoses", diags);
		json_object_set_new(p, "events", events_json(t, pv->cfg));
		double fresh;
		if (pipeline_freshness(pv, &fresh)) /* present when known (a stage has both ends) */
			json_object_set_new(p, "freshness_s", json_real(fresh));
		if (pv->cfg->canary.on)
			json_object_set_new(p, "canary", canary_json(&pv->canary, snap->taken_at));
		json_array_append_new(pipes, p);
	}
	json_object_set_new(root, "pipelines", pipes);
	json_dumpf(root, out, JSON_PRESERVE_ORDER | JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', out);
	json_decref(root);
}
