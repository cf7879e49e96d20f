/* test_track.c: the tracker over constructed evaluations: damping, since, events and their log line. */
/* needs: postgres */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_file.h"
#include "fixture.h"
#include "rules.h"
#include "track.h"

static const char *const INI = "[postgres shop]\n"
                               "conninfo = host=db.internal dbname=shop\n"
                               "[pipeline products]\n"
                               "outbox = shop\n"
                               "outbox.table = public.outbox\n"
                               "slot = shop\n";

/* The wall time of the poll at monotonic time mono (fixture.c's clock). */
#define WALL(mono) (1795000000.0 + (mono))

struct tx {
	struct fx *f;
	struct tracker *t;
	char *log;
	size_t log_len;
	FILE *log_fp;
};

static struct tx *tx_open(const char *ini)
{
	struct tx *x = xcalloc(1, sizeof *x);
	x->f = fixture_open(ini);
	x->t = tracker_new(x->f->cfg);
	x->log_fp = open_memstream(&x->log, &x->log_len);
	assert_non_null(x->log_fp);
	tracker_log_to(x->t, x->log_fp);
	return x;
}

static int setup(void **state)
{
	*state = tx_open(INI);
	return 0;
}

static int teardown(void **state)
{
	struct tx *x = *state;
	tracker_free(x->t);
	fclose(x->log_fp);
	free(x->log);
	fixture_close(x->f);
	free(x);
	return 0;
}

#define PV(x)     (&(x)->f->snap.pipes[0])
#define OUTBOX(x) (&(x)->f->snap.pipes[0].stages[0])
#define SLOT(x)   (&(x)->f->snap.pipes[0].stages[1])

/* One evaluation as health_evaluate leaves it: every stage polled at mono (a new poll when
   mono changes), the outbox at out (with the rule when not NULL, at that severity; since
   from the data when rule_since > 0), the slot at slot_st; then the tracker. */
static void step(struct tx *x, double mono, enum status out, const char *rule, double rule_since,
                 enum status slot_st)
{
	struct pipeline_view *pv = PV(x);
	free(pv->diags);
	pv->diags = NULL;
	pv->n_diags = 0;
	struct stage_view *svs[2] = {OUTBOX(x), SLOT(x)};
	enum status sts[2] = {out, slot_st};
	for (int i = 0; i < 2; i++) {
		struct stage_view *sv = svs[i];
		if (!sv->cur.metrics)
			fixture_sample(sv, "{}", NULL, 0);
		sv->cur.mono = mono;
		sv->cur.wall = WALL(mono);
		sv->since = 0;
		sv->status = ST_OK;
		sv->reason[0] = '\0';
		if (sts[i] != ST_OK)
			raise_status(sv, sts[i], "%s",
			             i == 0 ? "nothing drained over 3s with 42 rows pending"
			                    : "slot debezium is inactive");
	}
	if (rule) {
		struct diagnosis *d = add_diag(pv, OUTBOX(x), rule, out, ACTION_NONE);
		snprintf(d->evidence, sizeof d->evidence, "42 rows pending");
		d->since = rule_since;
	}
	if (slot_st != ST_OK) {
		struct diagnosis *d = add_diag(pv, SLOT(x), "slot-inactive", slot_st, ACTION_NONE);
		snprintf(d->evidence, sizeof d->evidence, "no consumer");
	}
	pv->status = status_worst(out, slot_st);
	x->f->snap.status = pv->status;
	tracker_update(x->t, &x->f->snap, WALL(mono) + 0.5);
}

static size_t n_events(const struct tx *x)
{
	size_t n = 0;
	while (tracker_event(x->t, &x->f->cfg->pipelines[0], n))
		n++;
	return n;
}

static const char *event_line(const struct tx *x, size_t ago)
{
	static char buf[512];
	const struct event *e = tracker_event(x->t, &x->f->cfg->pipelines[0], ago);
	assert_non_null(e);
	event_text(e, buf, sizeof buf);
	return buf;
}

/* confirm = 2: a worse status and its diagnosis show at the second evaluation that has them,
   not at the first; since is the first poll that showed it. */
static void test_confirm(void **state)
{
	struct tx *x = *state;
	step(x, 1, ST_OK, NULL, 0, ST_OK); /* the first evaluation: taken as it is */
	assert_int_equal(OUTBOX(x)->status, ST_OK);
	assert_true(OUTBOX(x)->since == WALL(1));
	assert_int_equal(n_events(x), 0);

	step(x, 2, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_OK);
	assert_string_equal(OUTBOX(x)->reason, "");
	assert_int_equal(PV(x)->n_diags, 0);
	assert_int_equal(PV(x)->status, ST_OK);
	assert_int_equal(x->f->snap.status, ST_OK);
	assert_int_equal(n_events(x), 0);

	step(x, 3, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_CRIT);
	assert_string_equal(OUTBOX(x)->reason, "nothing drained over 3s with 42 rows pending");
	assert_true(OUTBOX(x)->since == WALL(2));
	assert_int_equal(PV(x)->n_diags, 1);
	assert_string_equal(PV(x)->diags[0].rule, "outbox-backlog");
	assert_true(PV(x)->diags[0].since == WALL(2));
	assert_true(PV(x)->diags[0].since_seen);
	assert_int_equal(PV(x)->status, ST_CRIT);
	assert_int_equal(x->f->snap.status, ST_CRIT);
	/* one event: the status's, naming its rule (the diagnosis appearing is the same news) */
	assert_int_equal(n_events(x), 1);
	assert_string_equal(event_line(x, 0), "products/outbox ok -> crit outbox-backlog: nothing "
	                                      "drained over 3s with 42 rows pending");

	/* since is kept while the status holds */
	step(x, 4, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_true(OUTBOX(x)->since == WALL(2));
	assert_true(PV(x)->diags[0].since == WALL(2));
	assert_int_equal(n_events(x), 1);
}

/* A redraw re-evaluates the same samples: it does not count. */
static void test_redraw_does_not_count(void **state)
{
	struct tx *x = *state;
	step(x, 1, ST_OK, NULL, 0, ST_OK);
	step(x, 2, ST_CRIT, "outbox-backlog", 0, ST_OK);
	step(x, 2, ST_CRIT, "outbox-backlog", 0, ST_OK);
	step(x, 2, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_OK);
	assert_int_equal(PV(x)->n_diags, 0);
	step(x, 3, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_CRIT);
}

/* clear = 2: the better status shows at the second evaluation that has it; until then the
   previous status, reason and diagnosis stay. */
static void test_clear(void **state)
{
	struct tx *x = *state;
	step(x, 1, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_CRIT); /* the first evaluation: undamped */
	assert_int_equal(PV(x)->n_diags, 1);

	step(x, 2, ST_OK, NULL, 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_CRIT);
	assert_string_equal(OUTBOX(x)->reason, "nothing drained over 3s with 42 rows pending");
	assert_int_equal(PV(x)->n_diags, 1);
	assert_string_equal(PV(x)->diags[0].rule, "outbox-backlog");
	assert_string_equal(PV(x)->diags[0].evidence, "42 rows pending");
	assert_true(PV(x)->diags[0].since == WALL(1));
	assert_int_equal(PV(x)->status, ST_CRIT);
	assert_int_equal(n_events(x), 0);

	step(x, 3, ST_OK, NULL, 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_OK);
	assert_string_equal(OUTBOX(x)->reason, "");
	assert_true(OUTBOX(x)->since == WALL(2));
	assert_int_equal(PV(x)->n_diags, 0);
	assert_int_equal(PV(x)->status, ST_OK);
	assert_int_equal(n_events(x), 1);
	assert_string_equal(event_line(x, 0), "products/outbox crit -> ok: cleared outbox-backlog");
}

/* One slow poll (crit once, between oks) shows nothing and logs nothing; since stays. */
static void test_flap(void **state)
{
	struct tx *x = *state;
	step(x, 1, ST_OK, NULL, 0, ST_OK);
	step(x, 2, ST_CRIT, "outbox-backlog", 0, ST_OK);
	step(x, 3, ST_OK, NULL, 0, ST_OK);
	step(x, 4, ST_CRIT, "outbox-backlog", 0, ST_OK);
	step(x, 5, ST_OK, NULL, 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_OK);
	assert_true(OUTBOX(x)->since == WALL(1));
	assert_int_equal(PV(x)->n_diags, 0);
	assert_int_equal(n_events(x), 0);
	assert_int_equal(x->log_len, 0);
	/* and a flap of a crit stage back to ok once */
	step(x, 6, ST_CRIT, "outbox-backlog", 0, ST_OK);
	step(x, 7, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_int_equal(n_events(x), 1);
	step(x, 8, ST_OK, NULL, 0, ST_OK);
	step(x, 9, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_CRIT);
	assert_true(OUTBOX(x)->since == WALL(6));
	assert_true(PV(x)->diags[0].since == WALL(6));
	assert_int_equal(n_events(x), 1);
}

/* A since the rule knows from the data (a pause's paused_at) is kept, since_seen false. */
static void test_rule_since(void **state)
{
	struct tx *x = *state;
	step(x, 1, ST_WARN, "worker-paused", 1234.0, ST_OK);
	assert_int_equal(PV(x)->n_diags, 1);
	assert_true(PV(x)->diags[0].since == 1234.0);
	assert_false(PV(x)->diags[0].since_seen);
	assert_true(OUTBOX(x)->since == WALL(1));
	step(x, 2, ST_WARN, "worker-paused", 1234.0, ST_OK);
	assert_true(PV(x)->diags[0].since == 1234.0);
	assert_false(PV(x)->diags[0].since_seen);
	/* while it clears, its last copy keeps the data's since too */
	step(x, 3, ST_OK, NULL, 0, ST_OK);
	assert_int_equal(PV(x)->n_diags, 1);
	assert_true(PV(x)->diags[0].since == 1234.0);
	assert_false(PV(x)->diags[0].since_seen);
}

/* A failed poll (unknown) is damped like any other change. */
static void test_unknown_damped(void **state)
{
	struct tx *x = *state;
	step(x, 1, ST_OK, NULL, 0, ST_OK);
	step(x, 2, ST_UNKNOWN, NULL, 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_OK);
	step(x, 3, ST_UNKNOWN, NULL, 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_UNKNOWN);
	assert_string_equal(event_line(x, 0),
	                    "products/outbox ok -> unknown: nothing drained over 3s with 42 rows pending");
}

/* A diagnosis that appears without changing its stage's status is an event of its own. */
static void test_diag_event(void **state)
{
	struct tx *x = *state;
	step(x, 1, ST_CRIT, NULL, 0, ST_OK);
	step(x, 2, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_int_equal(PV(x)->n_diags, 0);
	step(x, 3, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_int_equal(PV(x)->n_diags, 1);
	assert_int_equal(n_events(x), 1);
	assert_string_equal(event_line(x, 0), "products/outbox ok -> crit outbox-backlog: 42 rows pending");
	step(x, 4, ST_CRIT, NULL, 0, ST_OK);
	step(x, 5, ST_CRIT, NULL, 0, ST_OK);
	assert_int_equal(PV(x)->n_diags, 0);
	assert_int_equal(n_events(x), 2);
	assert_string_equal(event_line(x, 0), "products/outbox crit -> ok outbox-backlog: cleared");
}

/* The ring keeps exactly the last EVENTS_KEPT, newest first. */
static void test_ring(void **state)
{
	(void)state;
	struct event_ring *r = xcalloc(1, sizeof *r);
	assert_null(event_ring_get(r, 0));
	for (int i = 0; i < 60; i++) {
		struct event e = {
		    .wall = i, .pipeline = "p", .stage = "outbox", .from = ST_OK, .to = ST_WARN};
		snprintf(e.rule, sizeof e.rule, "r%d", i);
		event_ring_push(r, &e);
	}
	assert_int_equal(EVENTS_KEPT, 50);
	assert_int_equal(r->n, 50);
	for (size_t ago = 0; ago < 50; ago++) {
		const struct event *e = event_ring_get(r, ago);
		assert_non_null(e);
		assert_true(e->wall == (double)(59 - ago));
	}
	assert_string_equal(event_ring_get(r, 49)->rule, "r10");
	assert_null(event_ring_get(r, 50));
	free(r);
}

/* The tracker keeps the last 50 of a pipeline too, in order. */
static void test_tracker_ring(void **state)
{
	struct tx *x = *state;
	step(x, 1, ST_OK, NULL, 0, ST_OK);
	for (int i = 0; i < 30; i++) { /* 2 events per round: ok -> crit, crit -> ok */
		step(x, 2 + 4 * i, ST_CRIT, NULL, 0, ST_OK);
		step(x, 3 + 4 * i, ST_CRIT, NULL, 0, ST_OK);
		step(x, 4 + 4 * i, ST_OK, NULL, 0, ST_OK);
		step(x, 5 + 4 * i, ST_OK, NULL, 0, ST_OK);
	}
	assert_int_equal(n_events(x), 50);
	const struct event *newest = tracker_event(x->t, &x->f->cfg->pipelines[0], 0);
	const struct event *oldest = tracker_event(x->t, &x->f->cfg->pipelines[0], 49);
	assert_true(newest->wall == WALL(5 + 4 * 29) + 0.5);
	assert_int_equal(newest->to, ST_OK);
	/* 60 events, the first 10 dropped: the oldest kept is round 5's ok -> crit */
	assert_true(oldest->wall == WALL(3 + 4 * 5) + 0.5);
	assert_int_equal(oldest->to, ST_CRIT);
	for (size_t ago = 1; ago < 50; ago++)
		assert_true(tracker_event(x->t, &x->f->cfg->pipelines[0], ago)->wall <
		            tracker_event(x->t, &x->f->cfg->pipelines[0], ago - 1)->wall);
}

/* confirm.slot = 1: the slot goes at once; confirm.outbox-backlog = 3 holds the outbox for 3
   evaluations; clear.outbox = 1. */
static void test_family(void **state)
{
	(void)state;
	struct tx *x = tx_open("[synctop]\n"
	                       "confirm.slot = 1\n"
	                       "confirm.worker-stalled = 3\n"
	                       "clear.outbox = 1\n"
	                       "[postgres shop]\n"
	                       "conninfo = host=db.internal dbname=shop\n"
	                       "[pipeline products]\n"
	                       "outbox = shop\n"
	                       "slot = shop\n");
	const struct config *cfg = x->f->cfg;
	assert_int_equal(damping_count(cfg, true, "slot", "slot-inactive"), 1);
	assert_int_equal(damping_count(cfg, true, "outbox", "worker-stalled"), 3);
	assert_int_equal(damping_count(cfg, true, "outbox", "outbox-backlog"), 2);
	assert_int_equal(damping_count(cfg, true, "outbox", NULL), 2);
	assert_int_equal(damping_count(cfg, false, "outbox", "worker-stalled"), 1);
	assert_int_equal(damping_count(cfg, false, "slot", NULL), 2);
	/* A rule judged over a window (rule_def.h's RULE_WINDOWED) shows when it fires, and
	   clears as any other; a family setting still wins (worker-stalled's 3 above). */
	assert_int_equal(damping_count(cfg, true, "kafka", "kafka-lagging"), 1);
	assert_int_equal(damping_count(cfg, false, "kafka", "kafka-lagging"), 2);
	assert_int_equal(damping_count(cfg, true, "search", "dual-write-loss"), 1);
	assert_int_equal(damping_count(cfg, true, "search", "search-stale"), 2);

	step(x, 1, ST_OK, NULL, 0, ST_OK);
	step(x, 2, ST_CRIT, "worker-stalled", 0, ST_WARN);
	assert_int_equal(SLOT(x)->status, ST_WARN);
	assert_true(SLOT(x)->since == WALL(2));
	assert_int_equal(OUTBOX(x)->status, ST_OK);
	step(x, 3, ST_CRIT, "worker-stalled", 0, ST_WARN);
	assert_int_equal(OUTBOX(x)->status, ST_OK);
	assert_int_equal(PV(x)->n_diags, 1); /* slot-inactive only */
	step(x, 4, ST_CRIT, "worker-stalled", 0, ST_WARN);
	assert_int_equal(OUTBOX(x)->status, ST_CRIT);
	assert_int_equal(PV(x)->n_diags, 2);
	assert_string_equal(PV(x)->diags[0].rule, "worker-stalled"); /* worst first */
	step(x, 5, ST_OK, NULL, 0, ST_WARN);
	assert_int_equal(OUTBOX(x)->status, ST_OK);
	assert_int_equal(PV(x)->n_diags, 1);
	assert_int_equal(n_events(x), 3);
	assert_string_equal(event_line(x, 0), "products/outbox crit -> ok: cleared worker-stalled");
	assert_string_equal(event_line(x, 1), "products/outbox ok -> crit worker-stalled: nothing "
	                                      "drained over 3s with 42 rows pending");
	assert_string_equal(event_line(x, 2),
	                    "products/slot ok -> warn slot-inactive: slot debezium is inactive");
	void *v = x;
	teardown(&v);
}

/* Undamped (--once): every change shows at the evaluation that sees it. */
static void test_undamped(void **state)
{
	struct tx *x = *state;
	tracker_undamped(x->t);
	step(x, 1, ST_OK, NULL, 0, ST_OK);
	step(x, 2, ST_CRIT, "outbox-backlog", 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_CRIT);
	assert_true(OUTBOX(x)->since == WALL(2));
	step(x, 3, ST_OK, NULL, 0, ST_OK);
	assert_int_equal(OUTBOX(x)->status, ST_OK);
}

/* The log line: the time (UTC, ISO 8601), synctop[PID] as the rest of the log, the event's
   text with the server's words cleaned. */
static void test_log_line(void **state)
{
	struct tx *x = *state;
	struct event e = {.wall = 1796310131.0, /* 2026-12-03T15:02:11Z */
	                  .pipeline = "products",
	                  .stage = "outbox",
	                  .from = ST_OK,
	                  .to = ST_CRIT,
	                  .rule = "outbox-backlog",
	                  .reason = "nothing drained over 3s with 42 rows pending"};
	char want[256];
	snprintf(want, sizeof want,
	         "2026-12-03T15:02:11Z synctop[%ld]: products/outbox ok -> crit outbox-backlog: nothing "
	         "drained over 3s with 42 rows pending\n",
	         (long)getpid());
	event_log(x->log_fp, &e);
	assert_int_equal(x->log_len, strlen(want));
	assert_memory_equal(x->log, want, strlen(want));

	/* no rule, and a reason with a line break and an escape: one clean line */
	struct event u = e;
	u.to = ST_UNKNOWN;
	u.rule[0] = '\0';
	snprintf(u.reason, sizeof u.reason, "refused\r\n\x1b[2Jnow");
	char text[256];
	event_text(&u, text, sizeof text);
	assert_string_equal(text, "products/outbox ok -> unknown: refused \\x1B[2Jnow");

	/* the tracker writes its events' lines to its log as they happen */
	step(x, 1, ST_OK, NULL, 0, ST_OK);
	step(x, 2, ST_CRIT, "outbox-backlog", 0, ST_OK);
	step(x, 3, ST_CRIT, "outbox-backlog", 0, ST_OK);
	fflush(x->log_fp);
	snprintf(want, sizeof want,
	         "2026-11-18T11:06:43Z synctop[%ld]: products/outbox ok -> crit outbox-backlog: nothing "
	         "drained over 3s with 42 rows pending\n",
	         (long)getpid());
	assert_non_null(strstr(x->log, want));
	assert_int_equal(x->log_len, 2 * strlen(want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_confirm, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_redraw_does_not_count, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clear, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rule_since, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_damped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_diag_event, setup, teardown),
	    cmocka_unit_test(test_ring),
	    cmocka_unit_test_setup_teardown(test_tracker_ring, setup, teardown),
	    cmocka_unit_test(test_family),
	    cmocka_unit_test_setup_teardown(test_undamped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_log_line, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
