/* probes.c: the one registry of probes and backends; a kind built out has no line here. */
#include "probe.h"

#ifdef HAVE_POSTGRES
#include "backend/pg.h"
extern const struct probe outbox_probe;
extern const struct probe slot_probe;
#endif
#ifdef HAVE_KAFKA
#include "backend/kafka.h"
extern const struct probe kafka_probe;
#endif
#ifdef HAVE_REDIS
#include "backend/redis.h"
extern const struct probe cache_probe;
#endif
#ifdef HAVE_SEARCH
#include "backend/http.h"
extern const struct probe search_probe;
extern const struct probe connector_probe;
#endif

const struct probe *const probes[] = {
#ifdef HAVE_POSTGRES
    &outbox_probe, &slot_probe,
#endif
#ifdef HAVE_KAFKA
    &kafka_probe,
#endif
#ifdef HAVE_REDIS
    &cache_probe,
#endif
#ifdef HAVE_SEARCH
    &search_probe, &connector_probe,
#endif
    NULL,
};

const struct backend *const backends[] = {
#ifdef HAVE_POSTGRES
    &pg_backend,
#endif
#ifdef HAVE_KAFKA
    &kafka_backend,
#endif
#ifdef HAVE_REDIS
    &redis_backend,
#endif
#ifdef HAVE_SEARCH
    &search_backend,
    &connect_backend,
#endif
    NULL,
};

const struct probe *probe_for(enum stage_kind kind)
{
	for (const struct probe *const *p = probes; *p; p++)
		if ((*p)->kind == kind)
			return *p;
	return NULL;
}

const struct backend *backend_for(enum conn_kind kind)
{
	for (const struct backend *const *b = backends; *b; b++)
		if ((*b)->kind == kind)
			return *b;
	return NULL;
}

void probe_sample_prepare(const struct probe *p, struct sample *s)
{
	sample_init(s);
	s->metrics = json_object();
	for (const char *const *m = p->metrics; *m; m++)
		json_object_set_new(s->metrics, *m, json_null());
	s->ok = true;
}
