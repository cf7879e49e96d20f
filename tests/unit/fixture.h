/* fixture.h: configs and snapshots built by hand for the pure-function tests. */
#ifndef SYNCTOP_TEST_FIXTURE_H
#define SYNCTOP_TEST_FIXTURE_H

#include "config.h"
#include "config_file.h"
#include "snapshot.h"

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
