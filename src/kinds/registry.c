/* registry.c: the one table of stage kinds, in flow order. Adding a kind adds one line here. */
#include "kinds/kind.h"

#include <string.h>

#include "kinds/probe.h"

#include "kinds/cache/cache.h"
#include "kinds/connector/connector.h"
#include "kinds/kafka/kafka.h"
#include "kinds/outbox/outbox.h"
#include "kinds/search/search.h"
#include "kinds/slot/slot.h"

const struct kind *const kinds[] = {
    &outbox_kind, &slot_kind, &kafka_kind, &connector_kind, &search_kind, &cache_kind, NULL,
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
	for (const char *const *m = k->metrics; *m; m++)
		json_object_set_new(s->metrics, *m, json_null());
	s->ok = true;
}

bool kind_has_sample(const struct kind *k)
{
	return k->probe && k->probe->sample;
}

bool kind_offers(const struct kind *k, enum action a)
{
	return a > ACTION_NONE && a < ACTION_COUNT && (k->actions & ACTION_BIT(a));
}
