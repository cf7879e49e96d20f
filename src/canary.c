/* canary.c: the end-to-end canary's state machine (canary.h): pure, no I/O. */
#include "canary.h"

#include <stdio.h>
#include <string.h>

#include "kinds/kind.h"
#include "kinds/probe.h"
#include "units.h"
#include "util.h"

static bool inserts(const struct stage_cfg *st)
{
	return st->kind->probe && st->kind->probe->canary && st->kind->probe->canary->insert;
}

static bool sees(const struct stage_cfg *st, const struct pipeline *pl)
{
	const struct probe_canary *pc = st->kind->probe ? st->kind->probe->canary : NULL;
	return pc && pc->hop && (!pc->keyed || pl->canary.cache_key);
}

bool canary_check(const struct pipeline *pl, char *msg, size_t n)
{
	if (!pl->n_stages || !inserts(&pl->stages[0])) {
		snprintf(msg, n,
		         "canary = true in [pipeline %s]: its first stage (%s) cannot insert a marker; the "
		         "canary needs a first stage whose kind takes canary.insert",
		         pl->name, pl->n_stages ? pl->stages[0].kind->name : "none");
		return false;
	}
	return true;
}

void canary_init(struct canary_state *c, const struct pipeline *pl, const char *off_reason)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < pl->n_stages && c->n_hops < CANARY_HOPS; i++)
		if (sees(&pl->stages[i], pl))
			c->hop[c->n_hops++] = &pl->stages[i];
	c->phase = CANARY_OFF;
	if (!pl->canary.on)
		strlcpy_safe(c->off_reason, "not enabled (canary = true)", sizeof c->off_reason);
	else if (off_reason)
		strlcpy_safe(c->off_reason, off_reason, sizeof c->off_reason);
	else if (!c->n_hops || !inserts(&pl->stages[0]))
		strlcpy_safe(c->off_reason, "no stage of the pipeline can see a marker",
		             sizeof c->off_reason);
	else
		c->phase = CANARY_IDLE;
}

bool canary_due(const struct canary_state *c, const struct canary_cfg *cfg, double now)
{
	return c->phase == CANARY_IDLE && (!c->ended_at || now - c->ended_at >= cfg->interval_s);
}

void canary_inserted(struct canary_state *c, const char *marker, long long row, double at)
{
	strlcpy_safe(c->marker, marker, sizeof c->marker);
	c->row = row;
	c->inserted_at = at;
	c->next_hop = 0;
	c->lost = false;
	c->last_err[0] = '\0';
	c->seq++;
	c->phase = CANARY_INFLIGHT;
}

void canary_failed(struct canary_state *c, const char *err, bool insert, double now)
{
	strlcpy_safe(c->last_err, err, sizeof c->last_err);
	c->failures++;
	if (insert && c->phase == CANARY_IDLE)
		c->ended_at = now;
}

bool canary_seen(struct canary_state *c, double at)
{
	if (c->phase != CANARY_INFLIGHT || c->next_hop >= c->n_hops)
		return false;
	c->hop_at[c->next_hop++] = at;
	c->last_err[0] = '\0';
	if (c->next_hop < c->n_hops)
		return false;
	double before = c->inserted_at;
	for (size_t i = 0; i < c->n_hops; i++) {
		c->last_hop_s[i] = c->hop_at[i] - before;
		if (c->last_hop_s[i] < 0)
			c->last_hop_s[i] = 0;
		before = c->hop_at[i];
	}
	c->last_total_s = at - c->inserted_at;
	c->last_done_at = at;
	c->have_last = true;
	if (c->n_trend == CANARY_TREND) {
		memmove(c->trend, c->trend + 1, (CANARY_TREND - 1) * sizeof *c->trend);
		c->n_trend--;
	}
	c->trend[c->n_trend++] = c->last_total_s;
	c->done++;
	c->lost = false;
	c->ended_at = at;
	c->phase = CANARY_IDLE;
	return true;
}

bool canary_expire(struct canary_state *c, const struct canary_cfg *cfg, double now)
{
	if (c->phase != CANARY_INFLIGHT || c->lost || now - c->inserted_at < cfg->timeout_s)
		return false;
	c->lost = true;
	c->lost_count++;
	return true;
}

const char *canary_hop_name(const struct canary_state *c, size_t hop)
{
	if (hop >= c->n_hops)
		return "?";
	const struct kind *k = c->hop[hop]->kind;
	return k->canary_word ? k->canary_word : k->name;
}

/* Seconds with one decimal: "0.2", "12.5", then whole from 100 s up. */
static void secs(double s, char *buf, size_t n)
{
	snprintf(buf, n, s < 100 ? "%.1f" : "%.0f", s);
}

const char *canary_line(const struct canary_state *c, double now, char *buf, size_t n)
{
	char t[32];
	if (c->phase == CANARY_OFF) {
		snprintf(buf, n, "canary off (%s)", c->off_reason);
		return buf;
	}
	if (c->phase == CANARY_INFLIGHT && c->lost) {
		format_age(c->inserted_at, now, t, sizeof t);
		snprintf(buf, n, "canary lost at %s: inserted %s ago, not seen since",
		         canary_hop_name(c, c->next_hop), t);
		return buf;
	}
	if (!c->have_last) {
		if (c->last_err[0])
			snprintf(buf, n, "canary: %s", c->last_err);
		else
			snprintf(buf, n, "canary: %s",
			         c->phase == CANARY_INFLIGHT ? "first marker in flight" : "waiting");
		return buf;
	}
	secs(c->last_total_s, t, sizeof t);
	snprintf(buf, n, "canary %ss:", t);
	for (size_t i = 0; i < c->n_hops; i++) {
		secs(c->last_hop_s[i], t, sizeof t);
		snappendf(buf, n, "%s %s %s", i ? " \xc2\xb7" : "", canary_hop_name(c, i), t);
	}
	if (c->last_err[0])
		snappendf(buf, n, " (%s)", c->last_err);
	return buf;
}
