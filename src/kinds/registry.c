/* registry.c: the one table of stage kinds, made from list.h (one line per kind, in flow order). */
#include "kinds/kind.h"

#include <string.h>

#include "kinds/probe.h"

#define KIND(name) extern const struct kind name##_kind;
#include "kinds/list.h"
#undef KIND

const struct kind *const kinds[] = {
#define KIND(name) &name##_kind,
#include "kinds/list.h"
#undef KIND
    NULL,
};

_Static_assert(sizeof kinds / sizeof kinds[0] - 1 <= KINDS_MAX, "raise KINDS_MAX");

size_t kind_count(void)
{
	return sizeof kinds / sizeof kinds[0] - 1;
}

size_t kind_pos(const struct kind *k)
{
	size_t i = 0;
	while (kinds[i] && kinds[i] != k)
		i++;
	return i;
}

const struct kind *kind_by_name(const char *name, size_t len)
{
	for (const struct kind *const *k = kinds; *k; k++)
		if (strlen((*k)->name) == len && strncmp((*k)->name, name, len) == 0)
			return *k;
	return NULL;
}

const char *stage_target(const struct stage_cfg *st, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	buf[0] = '\0';
	if (st->kind && st->kind->target)
		st->kind->target(st, buf, n);
	return buf;
}

void kind_sample_prepare(const struct kind *k, struct sample *s)
{
	sample_init(s);
	s->metrics = json_object();
	for (const struct metric_def *m = k->metrics; m->name; m++)
		json_object_set_new(s->metrics, m->name, json_null());
	s->ok = true;
}

bool kind_has_sample(const struct kind *k)
{
	return k->probe && k->probe->sample;
}

bool stage_sample_ready(const struct stage_cfg *st, char *buf, size_t n)
{
	if (n)
		buf[0] = '\0';
	return !st->kind->sample_ready || st->kind->sample_ready(st, buf, n);
}

struct conn *stage_extra_conn(const struct stage_cfg *st)
{
	return st->kind->extra_conn ? st->kind->extra_conn(st) : NULL;
}

const struct rule_def *kind_rule(const struct kind *k, const char *id)
{
	for (const struct rule_def *r = k->rules; r && r->id; r++)
		if (!strcmp(r->id, id))
			return r;
	return NULL;
}

bool rule_id_known(const char *id)
{
	if (generic_rule(id))
		return true;
	for (const struct kind *const *k = kinds; *k; k++)
		if (kind_rule(*k, id))
			return true;
	return false;
}

bool kind_offers(const struct kind *k, enum action a)
{
	return a > ACTION_NONE && a < ACTION_COUNT && (k->actions & ACTION_BIT(a));
}

const char *kinds_sample_help(char *buf, size_t n)
{
	if (n)
		buf[0] = '\0';
	for (const struct kind *const *k = kinds; *k; k++)
		if ((*k)->sample_help && kind_has_sample(*k))
			snappendf(buf, n, "%s%s", buf[0] ? " or " : "", (*k)->sample_help);
	return buf;
}

const struct metric_extra *metric_extra(const struct kind *k, const char *metric)
{
	static const struct metric_extra none;
	for (const struct metric_extra *e = k->extras; e && e->metric; e++)
		if (!strcmp(e->metric, metric))
			return e;
	return &none;
}
