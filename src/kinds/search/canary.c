/* canary.c: the search hop of the end-to-end canary (canary.h): the marker's document is in the
   index (GET /{index}/_doc/{marker}: a realtime get, refresh or not; the reference indexer uses
   the message key, the outbox row's aggregate_id, as the document id), and its cleanup
   (DELETE /{index}/_doc/{marker}). */
/* needs: search */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"
#include "kinds/probe.h"
#include "kinds/search/search.h"
#include "util.h"

/* "/{index}/_doc/{marker}", both percent-encoded (free it); NULL without a marker. */
static char *doc_path(const struct probe_ctx *ctx, const json_t *m)
{
	const char *marker = json_string_value(json_object_get(m, "marker"));
	if (!marker)
		return NULL;
	char *ix = http_escape_segment(search_opts(ctx->st)->index), *id = http_escape_segment(marker);
	char *path = xasprintf("/%s/_doc/%s", ix, id);
	free(ix);
	free(id);
	return path;
}

static enum probe_result search_canary_hop(const struct probe_ctx *ctx, const struct sample *cur,
                                           double polled, json_t *m, bool *seen, char *err, size_t n)
{
	(void)cur;
	(void)polled;
	*seen = false;
	char *path = doc_path(ctx, m);
	if (!path)
		return PROBE_FAILED;
	struct http_response r;
	bool got = http_request(ctx->session, "GET", path, NULL, ctx->deadline, &r, err, n);
	if (got && r.status != 200 && r.status != 404)
		snprintf(err, n, "canary: GET %s answered %ld", path, r.status);
	free(path);
	if (!got)
		return PROBE_FAILED;
	long status = r.status;
	if (status == 200) {
		json_t *j = json_loadb(r.body, r.len, 0, NULL);
		*seen = json_is_true(json_object_get(j, "found"));
		json_decref(j);
	}
	http_response_free(&r);
	return status == 200 || status == 404 ? PROBE_OK : PROBE_FAILED;
}

static enum probe_result search_canary_cleanup(const struct probe_ctx *ctx, const json_t *m, json_t **out,
                                               char *err, size_t n)
{
	char *path = doc_path(ctx, m);
	if (!path)
		return PROBE_FAILED;
	struct http_response r;
	bool got = http_request(ctx->session, "DELETE", path, NULL, ctx->deadline, &r, err, n);
	if (got && (r.status == 200 || r.status == 404)) {
		*out = json_pack("{s:I, s:o}", "affected", (json_int_t)(r.status == 200), "sent",
		                 json_sprintf("DELETE %s", path));
	} else if (got) {
		snprintf(err, n, "DELETE %s answered %ld (nothing was removed)", path, r.status);
	}
	if (got)
		http_response_free(&r);
	free(path);
	return *out ? PROBE_OK : PROBE_FAILED;
}

const struct probe_canary search_canary = {.hop = search_canary_hop, .cleanup = search_canary_cleanup};
