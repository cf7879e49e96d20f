/* registry.c: the one registry of backends; a backend built out has no line here. */
#include "backend/backend.h"

#ifdef HAVE_POSTGRES
#include "backend/pg.h"
#endif
#ifdef HAVE_KAFKA
#include "backend/kafka.h"
#endif
#ifdef HAVE_REDIS
#include "backend/redis.h"
#endif
#ifdef HAVE_SEARCH
#include "backend/http.h"
#endif
#ifdef HAVE_MONGOC
#include "backend/mongo.h"
#endif

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
    &http_backend,
#endif
#ifdef HAVE_MONGOC
    &mongo_backend,
#endif
    NULL,
};

const struct backend *backend_for(enum conn_kind kind)
{
	for (const struct backend *const *b = backends; *b; b++)
		if ((*b)->kind == kind)
			return *b;
	return NULL;
}
