/* test_rules.c: the replication slot rules on hand-made samples, each a firing case and a near miss. */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config_file.h"
#include "../../fixture.h"
#include "health.h"
#include "kinds/kind.h"
#include "kinds/probe.h"

/* The defaults: retained warn 1GiB, crit 10GiB. */
static const char *const INI = "[postgres shop]\n"
                               "conninfo = host=db.internal dbname=shop\n"
                               "[pipeline products]\n"
                               "outbox = shop\n"
                               "outbox.table = public.outbox\n"
                               "slot = shop\n";

static int setup(void **state)
{
	*state = fixture_open(INI);
	return 0;
}

static int teardown(void **state)
{
	fixture_close(*state);
	return 0;
}

#define OUTBOX(f) (&(f)->snap.pipes[0].stages[0])
#define SLOT(f)   (&(f)->snap.pipes[0].stages[1])

/* An outbox with nothing to say, the slots given (the detail's "slots" array), evaluated. */
static const struct pipeline_view *eval(struct fx *f, const char *slots)
{
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0}", NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f), slots);
	health_evaluate(&f->snap);
	assert_int_equal(OUTBOX(f)->status, ST_OK);
	return &f->snap.pipes[0];
}

static void test_slot_inactive(void **state)
{
	struct fx *f = *state;
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0}", NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f),
	               "{\"slots\": [{\"slot_name\": \"debezium\", \"active\": false, \"wal_status\": "
	               "\"reserved\", \"retained_bytes\": 1048576, \"confirmed_lag_bytes\": 1000,"
	               " \"max_slot_wal_keep_size\": -1}]}");
	health_evaluate(&f->snap);
	assert_int_equal(SLOT(f)->status, ST_WARN);
	const struct diagnosis *d = fixture_diag(&f->snap.pipes[0], "slot-inactive");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(d->evidence, "active = false, wal_status = reserved, 1.0 MiB of WAL retained");
	assert_int_equal(status_exit_code(f->snap.status), 1);
}

static void test_slot_lost_and_large(void **state)
{
	struct fx *f = *state;
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0}", NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f),
	               "{\"slots\": [{\"slot_name\": \"a\", \"active\": true, \"wal_status\": \"lost\","
	               " \"retained_bytes\": null},"
	               " {\"slot_name\": \"b\", \"active\": true, \"wal_status\": \"extended\","
	               " \"retained_bytes\": 21474836480, \"max_slot_wal_keep_size\": -1}]}");
	health_evaluate(&f->snap);
	assert_int_equal(SLOT(f)->status, ST_CRIT);
	const struct diagnosis *d = fixture_diag(&f->snap.pipes[0], "slot-wal-at-risk");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(d->evidence, "wal_status = lost, 0 B retained");
	assert_null(fixture_diag(&f->snap.pipes[0], "slot-inactive"));
}

static void test_slot_near_keep_size(void **state)
{
	struct fx *f = *state;
	fixture_sample(OUTBOX(f),
	               "{\"pending\": 0, \"pending_capped\": false, \"oldest_pending_age_s\": 0.0}", NULL, 0);
	fixture_sample(SLOT(f), "{}", NULL, 0);
	fixture_detail(SLOT(f),
	               "{\"slots\": [{\"slot_name\": \"c\", \"active\": true, \"wal_status\": \"extended\","
	               " \"retained_bytes\": 900000000, \"max_slot_wal_keep_size\": 1000000000,"
	               " \"safe_wal_size\": 100000000}]}");
	health_evaluate(&f->snap);
	const struct diagnosis *d = fixture_diag(&f->snap.pipes[0], "slot-wal-at-risk");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(SLOT(f)->status, ST_WARN);
}

/* ---- slot-inactive ---- */

static void test_slot_inactive_crit(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"debezium\", \"active\": false, \"wal_status\": "
	            "\"extended\", \"retained_bytes\": 10737418240, \"max_slot_wal_keep_size\": -1}]}");
	assert_int_equal(SLOT(f)->status, ST_CRIT);
	assert_string_equal(SLOT(f)->reason, "slot debezium retains 10 GiB of WAL");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "slot-inactive");
	assert_int_equal(d->severity, ST_CRIT); /* retained >= slot.retained_crit */
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->symptom, "no consumer reads replication slot debezium");
	assert_string_equal(d->evidence, "active = false, wal_status = extended, 10 GiB of WAL retained");
	assert_string_equal(d->next,
	                    "the CDC connector (e.g. Debezium) is down: restart it; if the slot is "
	                    "abandoned, drop it (SELECT pg_drop_replication_slot('debezium')) before "
	                    "the disk fills");
}

static void test_slot_inactive_near_miss(void **state)
{
	struct fx *f = *state;
	/* Inactive, but holding back no WAL: nothing to lose yet. */
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"debezium\", \"active\": false, \"wal_status\": "
	            "\"reserved\", \"retained_bytes\": 0, \"max_slot_wal_keep_size\": -1}]}");
	assert_int_equal(SLOT(f)->status, ST_OK);
	assert_string_equal(SLOT(f)->reason, "");
	assert_int_equal(pv->n_diags, 0);
}

/* ---- retained WAL: a status level, no diagnosis of its own ---- */

static void test_slot_retained_levels(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"b\", \"active\": true, \"wal_status\": \"extended\","
	            " \"retained_bytes\": 1073741824, \"max_slot_wal_keep_size\": -1}]}");
	assert_int_equal(SLOT(f)->status, ST_WARN);
	assert_string_equal(SLOT(f)->reason, "slot b retains 1.0 GiB of WAL");
	assert_int_equal(pv->n_diags, 0);
	pv = eval(f, "{\"slots\": [{\"slot_name\": \"b\", \"active\": true, \"wal_status\": \"extended\","
	             " \"retained_bytes\": 10737418240, \"max_slot_wal_keep_size\": -1}]}");
	assert_int_equal(SLOT(f)->status, ST_CRIT);
	assert_string_equal(SLOT(f)->reason, "slot b retains 10 GiB of WAL");
	assert_int_equal(pv->n_diags, 0);
}

static void test_slot_retained_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"b\", \"active\": true, \"wal_status\": \"extended\","
	            " \"retained_bytes\": 1073741823, \"max_slot_wal_keep_size\": -1}]}");
	assert_int_equal(SLOT(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- slot-wal-at-risk ---- */

static void test_slot_wal_unreserved(void **state)
{
	struct fx *f = *state;
	/* wal_status decides alone: no slot-inactive beside it. */
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"a\", \"active\": false, \"wal_status\": \"unreserved\","
	            " \"retained_bytes\": 2097152, \"max_slot_wal_keep_size\": 1048576}]}");
	assert_int_equal(SLOT(f)->status, ST_CRIT);
	assert_string_equal(SLOT(f)->reason, "slot a: wal_status unreserved");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "slot-wal-at-risk");
	assert_int_equal(d->severity, ST_CRIT);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->symptom, "replication slot a is about to lose the WAL it needs");
	assert_string_equal(d->evidence, "wal_status = unreserved, 2.0 MiB retained");
}

static void test_slot_keep_size_at_80_percent(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"c\", \"active\": true, \"wal_status\": \"extended\","
	            " \"retained_bytes\": 800000000, \"max_slot_wal_keep_size\": 1000000000,"
	            " \"safe_wal_size\": 200000000}]}");
	assert_int_equal(SLOT(f)->status, ST_WARN);
	assert_string_equal(SLOT(f)->reason, "slot c retains 763 MiB of max_slot_wal_keep_size 954 MiB");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "slot-wal-at-risk");
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(d->symptom, "replication slot c is near its WAL limit");
	assert_string_equal(
	    d->evidence,
	    "763 MiB retained of max_slot_wal_keep_size 954 MiB (191 MiB left before invalidation)");
}

static void test_slot_keep_size_near_miss(void **state)
{
	struct fx *f = *state;
	/* One byte under 80% of max_slot_wal_keep_size. */
	const struct pipeline_view *pv =
	    eval(f, "{\"slots\": [{\"slot_name\": \"c\", \"active\": true, \"wal_status\": \"extended\","
	            " \"retained_bytes\": 799999999, \"max_slot_wal_keep_size\": 1000000000,"
	            " \"safe_wal_size\": 200000001}]}");
	assert_int_equal(SLOT(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- slot-stalled, slot-falling-behind: the window on confirmed_flush_lsn ---- */

/* An active slot "cdc" with the window's figures spliced in (ev: the verdict and its numbers). */
#define WINDOWED(active, ev)                                                                                 \
	"{\"slots\": [{\"slot_name\": \"cdc\", \"active\": " active ", \"wal_status\": \"reserved\","        \
	" \"retained_bytes\": 4194304, \"confirmed_lag_bytes\": 3145728, \"max_slot_wal_keep_size\": "       \
	"-1, " ev "}]}"

static void test_slot_stalled(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, WINDOWED("true", "\"evaluation\": \"STALL\", \"evaluated_s\": 58.4, \"produced\": 1048576,"
	                        " \"consumed\": 0, \"lag_from\": 2097152, \"confirmed_lag_s\": 71.0"));
	assert_int_equal(SLOT(f)->status, ST_WARN);
	assert_string_equal(SLOT(f)->reason, "slot cdc: confirmed_flush_lsn stands still");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "slot-stalled");
	assert_int_equal(d->severity, ST_WARN);
	assert_int_equal(d->action, ACTION_NONE);
	assert_string_equal(d->symptom,
	                    "the consumer of replication slot cdc is connected but confirms nothing");
	assert_string_equal(d->evidence, "confirmed_flush_lsn unchanged over the last 58s while the WAL grew "
	                                 "1.0 MiB; 3.0 MiB unconfirmed, about 1m11s behind");
	/* Standing still for longer than the window (1m by default): crit. */
	pv =
	    eval(f, WINDOWED("true", "\"evaluation\": \"STOP\", \"evaluated_s\": 95.0, \"produced\": 2097152,"
	                             " \"consumed\": 0, \"lag_from\": 1048576, \"confirmed_lag_s\": null"));
	assert_int_equal(SLOT(f)->status, ST_CRIT);
	d = fixture_diag(&f->snap.pipes[0], "slot-stalled");
	assert_non_null(d);
	assert_int_equal(d->severity, ST_CRIT);
	assert_string_equal(d->evidence, "confirmed_flush_lsn unchanged over the last 1m35s (longer than the "
	                                 "1m00s window) while the WAL grew 2.0 MiB; 3.0 MiB unconfirmed");
}

/* An inactive slot is slot-inactive's alone; an active one whose window says OK has nothing. */
static void test_slot_stalled_near_miss(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, WINDOWED("false", "\"evaluation\": \"STOP\", \"evaluated_s\": 95.0, \"produced\": 2097152,"
	                         " \"consumed\": 0, \"lag_from\": 1048576"));
	assert_int_equal(pv->n_diags, 1);
	assert_string_equal(pv->diags[0].rule, "slot-inactive");
	pv = eval(f, WINDOWED("true", "\"evaluation\": \"OK\", \"evaluated_s\": 60.0, \"produced\": 2097152,"
	                              " \"consumed\": 2097000, \"lag_from\": 3145000"));
	assert_int_equal(SLOT(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

static void test_slot_falling_behind(void **state)
{
	struct fx *f = *state;
	const struct pipeline_view *pv = eval(
	    f, WINDOWED("true", "\"evaluation\": \"WARN\", \"evaluated_s\": 60.2, \"produced\": 3145728,"
	                        " \"consumed\": 1048576, \"lag_from\": 1048576, \"confirmed_lag_s\": 40.0"));
	assert_int_equal(SLOT(f)->status, ST_WARN);
	assert_string_equal(SLOT(f)->reason, "slot cdc: its consumer falls behind");
	assert_int_equal(pv->n_diags, 1);
	const struct diagnosis *d = &pv->diags[0];
	assert_string_equal(d->rule, "slot-falling-behind");
	assert_int_equal(d->severity, ST_WARN);
	assert_string_equal(d->symptom,
	                    "the consumer of replication slot cdc confirms more slowly than the WAL grows");
	assert_string_equal(d->evidence,
	                    "unconfirmed WAL grew from 1.0 MiB to 3.0 MiB over the last 1m00s while "
	                    "1.0 MiB were confirmed, about 40s behind");
}

static void test_slot_falling_behind_near_miss(void **state)
{
	struct fx *f = *state;
	/* No verdict yet (the polls do not cover the window): nothing. */
	const struct pipeline_view *pv = eval(f, WINDOWED("true", "\"evaluation\": null"));
	assert_int_equal(SLOT(f)->status, ST_OK);
	assert_int_equal(pv->n_diags, 0);
}

/* ---- the verdict from samples, through the probe's derive (as the poller runs it) ---- */

/* A poll at mono seconds of slot cdc (active) and slot idle (active, caught up): cdc's
   confirmed_flush at c and the WAL at e, as positions in bytes. */
static void poll_at(struct sample *s, double mono, int64_t c, int64_t e)
{
	char detail[512], raw[256];
	kind_sample_prepare(kind_by_name("slot", 4), s);
	json_object_set_new(s->metrics, "slot_name", json_string("cdc"));
	snprintf(detail, sizeof detail,
	         "{\"slots\": [{\"slot_name\": \"cdc\", \"active\": true, \"wal_status\": \"reserved\","
	         " \"retained_bytes\": %lld, \"confirmed_lag_bytes\": %lld, \"max_slot_wal_keep_size\": -1},"
	         " {\"slot_name\": \"idle\", \"active\": true, \"wal_status\": \"reserved\","
	         " \"retained_bytes\": 0, \"confirmed_lag_bytes\": 0, \"max_slot_wal_keep_size\": -1}]}",
	         (long long)(e - c), (long long)(e - c));
	snprintf(raw, sizeof raw, "{\"keys\": [\"cdc\", \"idle\"], \"c\": [%lld, %lld], \"e\": [%lld, %lld]}",
	         (long long)c, (long long)e, (long long)e, (long long)e);
	s->detail = json_loads(detail, 0, NULL);
	s->raw = json_loads(raw, 0, NULL);
	assert_non_null(s->detail);
	assert_non_null(s->raw);
	s->mono = mono;
	s->wall = 1795000000.0 + mono;
}

/* The consumer of cdc stops confirming at 50000 while the WAL grows 1000 B/s; slot.window 4s. */
static void test_stalled_over_the_window(void **state)
{
	(void)state;
	struct fx *f = fixture_open("[postgres shop]\nconninfo = host=db.internal dbname=shop\n"
	                            "[pipeline products]\nslot = shop\nslot.window = 4s\n");
	struct stage_view *sv = &f->snap.pipes[0].stages[0];
	const struct stage_cfg *st = sv->cfg;
	assert_non_null(st->kind->probe);
	assert_non_null(st->kind->probe->derive);
	struct sample polls[4];
	for (int i = 0; i < 4; i++)
		poll_at(&polls[i], 2.0 * i, 50000, 60000 + 1000 * 2 * i);
	for (int i = 1; i < 4; i++)
		st->kind->probe->derive(st, &polls[i - 1], &polls[i]);
	for (int i = 1; i < 4; i++) {
		sample_clear(&sv->cur);
		sample_clear(&sv->prev);
		sample_copy(&sv->cur, &polls[i]);
		sample_copy(&sv->prev, &polls[i - 1]);
		sv->n_samples = 2;
		health_evaluate(&f->snap);
		const struct pipeline_view *pv = &f->snap.pipes[0];
		if (i == 1) { /* 2s of a 4s window: no verdict yet (the near miss) */
			assert_true(json_is_null(json_object_get(polls[1].metrics, "evaluation")));
			assert_int_equal(pv->n_diags, 0);
		} else if (i == 2) {
			assert_string_equal(
			    json_string_value(json_object_get(polls[2].metrics, "evaluation")), "STALL");
			assert_int_equal(pv->n_diags, 1);
			assert_string_equal(pv->diags[0].rule, "slot-stalled");
			assert_string_equal(
			    pv->diags[0].evidence,
			    "confirmed_flush_lsn unchanged over the last 4s while the WAL grew 3.9 KiB; "
			    "14 KiB unconfirmed");
		} else {
			assert_string_equal(
			    json_string_value(json_object_get(polls[3].metrics, "evaluation")), "STOP");
			assert_int_equal(sv->status, ST_CRIT);
			assert_string_equal(
			    pv->diags[0].evidence,
			    "confirmed_flush_lsn unchanged over the last 6s (longer than the 4s window) "
			    "while the WAL grew 5.9 KiB; 16 KiB unconfirmed");
		}
	}
	/* The caught-up slot beside it, the WAL moving: OK, no diagnosis of its own. */
	json_t *idle = json_array_get(json_object_get(polls[3].detail, "slots"), 1);
	assert_string_equal(json_string_value(json_object_get(idle, "evaluation")), "OK");
	for (int i = 0; i < 4; i++)
		sample_clear(&polls[i]);
	fixture_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_slot_inactive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_lost_and_large, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_near_keep_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_inactive_crit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_inactive_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_retained_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_retained_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_wal_unreserved, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_keep_size_at_80_percent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_keep_size_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_stalled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_stalled_near_miss, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_falling_behind, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot_falling_behind_near_miss, setup, teardown),
	    cmocka_unit_test(test_stalled_over_the_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
