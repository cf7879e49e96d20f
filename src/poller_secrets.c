/* poller_secrets.c: the secrets of a poll worker's connections, scrubbed from every error it reports. */
#include "poller_secrets.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "util.h"

static int longest_first(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Libraries echo their input in errors (libpq quotes a malformed URI whole): every secret
   of the connection, inline or from an _env or _file key, is scrubbed from every error. */
char **poller_conn_secrets(const struct conn *c)
{
	char **inline_ = c->conninfo ? secrets_in(c->conninfo, true) : secrets_in(c->url, false);
	size_t n = 0;
	for (char **p = inline_; p && *p; p++)
		n++;
	char **all = xcalloc(n + 3, sizeof *all);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		all[k++] = xstrdup(inline_[i]);
	if (c->secret && *c->secret)
		all[k++] = xstrdup(c->secret);
	if (c->api_key && *c->api_key)
		all[k++] = xstrdup(c->api_key);
	/* librdkafka properties that hold secrets (sasl.password, ssl.key.password, ...). */
	for (const struct kv *p = c->properties; p; p = p->next)
		if ((strstr(p->key, "password") || strstr(p->key, "secret")) && *p->value) {
			all = xrealloc(all, (k + 2) * sizeof *all);
			all[k++] = xstrdup(p->value);
			all[k] = NULL;
		}
	secrets_free(inline_);
	qsort(all, k, sizeof *all, longest_first);
	return all;
}

/* a and b (both consumed) in one list, longest first, each secret once: many stages may bring
   the same second connection, and every error is scrubbed of every secret in the list. */
char **poller_secrets_merge(char **a, char **b)
{
	size_t na = 0, nb = 0;
	while (a[na])
		na++;
	while (b[nb])
		nb++;
	a = xrealloc(a, (na + nb + 1) * sizeof *a);
	size_t k = na;
	for (size_t i = 0; i < nb; i++) {
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = !strcmp(a[j], b[i]);
		if (dup)
			free(b[i]);
		else
			a[k++] = b[i];
	}
	a[k] = NULL;
	free(b);
	qsort(a, k, sizeof *a, longest_first);
	return a;
}
