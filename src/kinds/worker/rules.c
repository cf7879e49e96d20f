/* rules.c: the rules of the worker stage (RUNBOOK.md: worker-paused). Pure. */
#include <stdio.h>
#include <string.h>

#include "kinds/worker/worker.h"
#include "rules.h"
#include "sanitize.h"
#include "units.h"

void worker_rules(struct pipeline_view *pv, struct stage_view *sv)
{
	const json_t *m = sv->cur.metrics;
	const struct worker_opts *o = worker_opts(sv->cfg);
	char path[200];
	text_clean(path, sizeof path, o->state, strlen(o->state));
	const char *unreadable = json_string_value(json_object_get(sv->cur.detail, "paused_error"));
	bool paused;
	if (!metric_bool(m, "paused", &paused)) {
		raise_status(sv, ST_UNKNOWN, "cannot tell whether the worker is paused: %s",
		             unreadable ? unreadable : "no answer read");
		return;
	}
	if (!paused)
		return;
	double since = 0;
	metric_num(m, "paused_for_s", &since);
	const char *since_iso = metric_str(m, "paused_since");
	char d_s[32];
	format_duration(since, d_s, sizeof d_s);
	raise_status(sv, ST_WARN, "worker paused for %s", d_s);
	struct diagnosis *d = add_diag(pv, sv, "worker-paused", ST_WARN, ACTION_RESUME);
	diag_since_from(d, sv, "paused_for_s", true);
	snprintf(d->symptom, sizeof d->symptom, "the worker is paused: nothing flows until it is resumed");
	snprintf(d->evidence, sizeof d->evidence, "GET %s on %s says paused for at least %s (seen since %s)",
	         path, sv->cfg->conn->name, d_s, since_iso ? since_iso : "?");
	snprintf(d->next, sizeof d->next, "resume it: key u, or synctop action resume %s", pv->cfg->name);
}
