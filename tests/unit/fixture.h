/* fixture.h: configs and snapshots built by hand for the pure-function tests. */
#ifndef SYNCTOP_TEST_FIXTURE_H
#define SYNCTOP_TEST_FIXTURE_H

#include "config.h"
#include "config_file.h"
#include "snapshot.h"

/* A test's state: a config read through the real parser and a snapshot of it. */
struct fx {
	struct config *cfg;
	struct snapshot snap;
};
/* The config of ini and its snapshot, with no sample yet, taken at 1795000000 (2026-11-18);
   fixture_close frees both (cmocka setup and teardown). */
struct fx *fixture_open(const char *ini);
void fixture_close(struct fx *f);
/* The diagnosis of rule in pv, or NULL. */
const struct diagnosis *fixture_diag(const struct pipeline_view *pv, const char *rule);

/* Loads an INI text through the real parser (fails the test on error). */
struct config *fixture_config(const char *ini);
/* A snapshot of every stage of cfg with no sample yet, taken at the given wall time. */
void fixture_snapshot(struct snapshot *snap, const struct config *cfg, double taken_at);
/* Gives a stage a successful current sample (metrics from a JSON text) and, if prev_json is
   not NULL, a previous one dt seconds earlier. */
void fixture_sample(struct stage_view *sv, const char *metrics_json, const char *prev_json, double dt);
/* Sets a stage's detail (JSON text) or raw counters. */
void fixture_detail(struct stage_view *sv, const char *detail_json);
void fixture_raw(struct stage_view *sv, const char *raw_json);
/* Gives a stage a failed sample. */
void fixture_error(struct stage_view *sv, const char *err);

#endif
