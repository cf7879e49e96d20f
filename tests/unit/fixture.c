/* fixture.c: configs and snapshots built by hand for the pure-function tests. */
#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kinds/kind.h"

struct config *fixture_config(const char *ini)
{
	char path[] = "/tmp/synctop-fixture-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, ini, strlen(ini)), (ssize_t)strlen(ini));
	close(fd);
	char err[512] = "";
	struct config *cfg = config_load(path, err, sizeof err, NULL);
	unlink(path);
	if (!cfg)
		fail_msg("fixture config: %s", err);
	return cfg;
}

void fixture_snapshot(struct snapshot *snap, const struct config *cfg, double taken_at)
{
	memset(snap, 0, sizeof *snap);
	snap->cfg = cfg;
	snap->taken_at = taken_at;
	snap->n_pipes = cfg->n_pipelines;
	snap->pipes = xcalloc(cfg->n_pipelines, sizeof *snap->pipes);
	for (size_t i = 0; i < cfg->n_pipelines; i++) {
		struct pipeline_view *pv = &snap->pipes[i];
		pv->cfg = &cfg->pipelines[i];
		pv->n_stages = pv->cfg->n_stages;
		pv->stages = xcalloc(pv->n_stages, sizeof *pv->stages);
		for (size_t j = 0; j < pv->n_stages; j++)
			pv->stages[j].cfg = &pv->cfg->stages[j];
	}
}

static void fill(struct sample *s, const struct stage_view *sv, const char *json, double mono)
{
	sample_clear(s);
	kind_sample_prepare(sv->cfg->kind, s);
	json_error_t e;
	json_t *m = json_loads(json, 0, &e);
	if (!m)
		fail_msg("fixture json: %s: %s", json, e.text);
	json_object_update(s->metrics, m);
	json_decref(m);
	s->mono = mono;
	s->wall = 1795000000.0 + mono;
	s->latency_ms = 3.14;
}

void fixture_sample(struct stage_view *sv, const char *metrics_json, const char *prev_json, double dt)
{
	fill(&sv->cur, sv, metrics_json, 100.0);
	sv->n_samples = 1;
	if (prev_json) {
		fill(&sv->prev, sv, prev_json, 100.0 - dt);
		sv->n_samples = 2;
	}
}

void fixture_detail(struct stage_view *sv, const char *detail_json)
{
	json_decref(sv->cur.detail);
	sv->cur.detail = json_loads(detail_json, 0, NULL);
	assert_non_null(sv->cur.detail);
}

void fixture_raw(struct stage_view *sv, const char *raw_json)
{
	json_decref(sv->cur.raw);
	sv->cur.raw = json_loads(raw_json, 0, NULL);
	assert_non_null(sv->cur.raw);
}

void fixture_error(struct stage_view *sv, const char *err)
{
	sample_clear(&sv->cur);
	kind_sample_prepare(sv->cfg->kind, &sv->cur);
	sample_set_error(&sv->cur, "%s", err);
	sv->cur.mono = 100.0;
	sv->cur.wall = 1795000100.0;
	sv->cur.latency_ms = 2000.0;
	sv->n_samples = 1;
}

struct fx *fixture_open(const char *ini)
{
	struct fx *f = xcalloc(1, sizeof *f);
	f->cfg = fixture_config(ini);
	fixture_snapshot(&f->snap, f->cfg, 1795000000.0);
	return f;
}

void fixture_close(struct fx *f)
{
	snapshot_free(&f->snap);
	config_free(f->cfg);
	free(f);
}

const struct diagnosis *fixture_diag(const struct pipeline_view *pv, const char *rule)
{
	for (size_t i = 0; i < pv->n_diags; i++)
		if (!strcmp(pv->diags[i].rule, rule))
			return &pv->diags[i];
	return NULL;
}
