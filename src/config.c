/* config.c: what the rest of synctop looks up in a loaded configuration. Knows no kind. */
#include "config.h"

#include <string.h>

struct conn *config_conn(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_conns; i++)
		if (strcmp(cfg->conns[i].name, name) == 0)
			return &cfg->conns[i];
	return NULL;
}

double conn_timeout(const struct config *cfg, const struct conn *c)
{
	if (c && c->timeout_s > 0)
		return c->timeout_s;
	return cfg ? cfg->timeout_s : 2.0;
}
