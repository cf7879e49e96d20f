/* probe.c: the worker stage: GET worker.state each poll, whether it says paused, and since
   when synctop has seen it paused. */
/* needs: search */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"
#include "kinds/probe.h"
#include "kinds/worker/worker.h"
#include "units.h"
#include "util.h"

int worker_state_read(const struct probe_ctx *ctx, char *why, size_t n)
{
	const struct worker_opts *o = worker_opts(ctx->st);
	json_t *j = http_json(ctx->session, "GET", o->state, NULL, ctx->deadline, why, n);
	if (!j)
		return -2;
	int paused = worker_paused_field(j, o->paused_field, why, n);
	json_decref(j);
	return paused;
}

static enum probe_result worker_poll(const struct probe_ctx *ctx, struct sample *out)
{
	char why[512];
	int paused = worker_state_read(ctx, why, sizeof why);
	if (paused == -2) {
		sample_set_error(out, "%s", why);
		return PROBE_FAILED;
	}
	json_t *m = out->metrics;
	if (paused < 0) { /* unknown: the metrics stay null, the rules say why */
		out->detail = json_pack("{s:s}", "paused_error", why);
		return PROBE_OK;
	}
	json_object_set_new(m, "paused", json_boolean(paused));
	if (!paused) {
		json_decref(*ctx->memo);
		*ctx->memo = NULL;
		return PROBE_OK;
	}
	/* The state need not say since when: since synctop saw it. */
	double wall = now_wall();
	if (!json_is_number(*ctx->memo)) {
		json_decref(*ctx->memo);
		*ctx->memo = json_real(wall);
	}
	double since = json_number_value(*ctx->memo);
	char iso[32];
	iso8601(since, iso, sizeof iso);
	json_object_set_new(m, "paused_since", json_string(iso));
	json_object_set_new(m, "paused_for_s", json_real(wall - since));
	return PROBE_OK;
}

const struct probe worker_probe = {
    .poll = worker_poll,
    .actions = worker_actions,
};
