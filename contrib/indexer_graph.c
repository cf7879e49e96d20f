/* indexer_graph.c: the indexer's graph copy: the products of each batch the index took, MERGEd as nodes
 * into a Neo4j graph through its HTTP Query API (--graph-url), the copy the demo's graph stage watches.
 * One request per batch for its documents and one for its deletes, each a list parameter unwound:
 *
 *   UNWIND $rows AS r MERGE (n:LABEL {id: r.id}) SET n.updated_at = datetime(r.updated_at)
 *   UNWIND $ids AS id MATCH (n:LABEL {id: id}) DETACH DELETE n
 *
 * (id: the message key; updated_at: the document's, an ISO 8601 string, or null without one). A failed
 * write is logged once per change of state and never holds a batch back: the graph is a copy beside the
 * index, and what it missed stays missing (synctop's graph stage shows it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "indexer.h"
#include "redact.h"
#include "sanitize.h"

/* A write must not hold the consumer up: one that cannot go within this is dropped. */
#define GRAPH_TIMEOUT_MS 2000

int graph_open(struct graph *g, const struct indexer_opts *o, char *why, size_t whylen)
{
	memset(g, 0, sizeof *g);
	g->state.what = "graph";
	if (!o->graph_url)
		return 0;
	size_t len;
	if (indexer_url_check("--graph-url", o->graph_url, &g->shown, &len, why, whylen) < 0)
		return -1;
	g->h = curl_easy_init();
	char *db = g->h ? curl_easy_escape(g->h, o->graph_db, 0) : NULL;
	if (db && (g->url = malloc(len + strlen(db) + 32)))
		sprintf(g->url, "%.*s/db/%s/query/v2", (int)len, o->graph_url, db);
	curl_free(db);
	g->secrets = secrets_in(o->graph_url, false);
	g->headers = curl_slist_append(NULL, "Content-Type: application/json");
	g->headers = g->headers ? curl_slist_append(g->headers, "Accept: application/json") : NULL;
	if (!g->url || !g->headers ||
	    asprintf(&g->merge,
	             "UNWIND $rows AS r MERGE (n:%s {id: r.id}) SET n.updated_at = "
	             "datetime(r.updated_at)",
	             o->graph_label) < 0) {
		g->merge = NULL;
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (asprintf(&g->delete, "UNWIND $ids AS id MATCH (n:%s {id: id}) DETACH DELETE n", o->graph_label) <
	    0) {
		g->delete = NULL;
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	curl_easy_setopt(g->h, CURLOPT_URL, g->url);
	curl_easy_setopt(g->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(g->h, CURLOPT_HTTPHEADER, g->headers);
	curl_easy_setopt(g->h, CURLOPT_WRITEFUNCTION, indexer_on_data);
	curl_easy_setopt(g->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(g->h, CURLOPT_USERAGENT, INDEXER_NAME);
	curl_easy_setopt(g->h, CURLOPT_TIMEOUT_MS, (long)GRAPH_TIMEOUT_MS);
	return 0;
}

/* The document's updated_at when it is a string (the datetime() of the MERGE parses it), else null. */
static json_t *updated_at(const char *source)
{
	json_t *doc = json_loads(source, 0, NULL);
	json_t *v = json_object_get(doc, "updated_at");
	json_t *out = json_is_string(v) ? json_incref(v) : json_null();
	json_decref(doc);
	return out;
}

/* The problem with an answer of STATUS, in WHY ("" for none): the first of its errors, or the status. */
static void answer_problem(long status, const struct worker_buf *answer, json_t **counters, char *why,
                           size_t whylen)
{
	json_t *root = answer->s ? json_loadb(answer->s, answer->len, 0, NULL) : NULL;
	json_t *err = json_array_get(json_object_get(root, "errors"), 0);
	char text[400];

	why[0] = '\0';
	if (err) {
		const char *code = json_string_value(json_object_get(err, "code"));
		const char *msg = json_string_value(json_object_get(err, "message"));
		snprintf(text, sizeof text, "%s: %s", code ? code : "error", msg ? msg : "(no message)");
		text_clean(why, whylen, text, strlen(text)); /* the server's text: no control characters */
	} else if (status != 200 && status != 202) {
		snprintf(why, whylen, "HTTP %ld", status);
	} else if (!json_is_object(json_object_get(root, "data"))) {
		snprintf(why, whylen, "HTTP %ld, an answer without data", status);
	}
	*counters = json_incref(json_object_get(root, "counters"));
	json_decref(root);
}

/* One statement with its list parameter; 0, or -1 (logged). *COUNTERS: the answer's, to decref. */
static int run(struct graph *g, const char *statement, const char *param, json_t *list, json_t **counters)
{
	json_t *req = json_pack("{s:s, s:{s:o}, s:b}", "statement", statement, "parameters", param, list,
	                        "includeCounters", 1);
	char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	char err[CURL_ERROR_SIZE] = "", msg[600];
	struct worker_buf answer = {0};
	long status = 0;
	CURLcode rc = CURLE_OUT_OF_MEMORY;

	json_decref(req);
	*counters = NULL;
	if (body) {
		curl_easy_setopt(g->h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(g->h, CURLOPT_WRITEDATA, &answer);
		curl_easy_setopt(g->h, CURLOPT_ERRORBUFFER, err);
		rc = curl_easy_perform(g->h);
		curl_easy_getinfo(g->h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_setopt(g->h, CURLOPT_ERRORBUFFER, NULL);
	}
	if (rc != CURLE_OK)
		snprintf(msg, sizeof msg, "%s", *err ? err : curl_easy_strerror(rc));
	else
		answer_problem(status, &answer, counters, msg, sizeof msg);
	free(body);
	free(answer.s);
	if (!*msg)
		return 0;
	redact_secrets_inplace(msg, sizeof msg, (const char *const *)g->secrets);
	worker_state_fail(&g->state, "%s: %s: %s", g->shown, param, msg);
	return -1;
}

static long long counter(json_t *counters, const char *name)
{
	return (long long)json_integer_value(json_object_get(counters, name));
}

void graph_write(struct graph *g, const struct batch_items *b)
{
	if (!g->h)
		return;
	json_t *rows = json_array(), *ids = json_array(), *c1 = NULL, *c2 = NULL;
	for (int i = 0; rows && ids && i < b->n; i++) {
		const struct item *it = &b->v[i];
		if (it->op == ITEM_SKIP || it->state == ITEM_REJECTED)
			continue;
		json_t *id = json_stringn(it->m->key, it->m->key_len); /* UTF-8: checked by items_add */
		if (it->op == ITEM_DELETE)
			json_array_append_new(ids, id);
		else
			json_array_append_new(
			    rows, json_pack("{s:o, s:o}", "id", id, "updated_at", updated_at(it->source)));
	}
	if (!rows || !ids) {
		worker_state_fail(&g->state, "%s: out of memory", g->shown);
	} else if ((!json_array_size(rows) || run(g, g->merge, "rows", json_incref(rows), &c1) == 0) &&
	           (!json_array_size(ids) || run(g, g->delete, "ids", json_incref(ids), &c2) == 0)) {
		worker_state_ok(&g->state, "writing nodes to %s", g->shown);
		worker_log(1, "graph: %zu nodes merged (%lld created), %zu deleted (%lld found)",
		           json_array_size(rows), counter(c1, "nodesCreated"), json_array_size(ids),
		           counter(c2, "nodesDeleted"));
	}
	json_decref(c1);
	json_decref(c2);
	json_decref(rows);
	json_decref(ids);
}

void graph_close(struct graph *g)
{
	secrets_free(g->secrets);
	if (g->h)
		curl_easy_cleanup(g->h);
	curl_slist_free_all(g->headers);
	free(g->url);
	free(g->shown);
	free(g->merge);
	free(g->delete);
	memset(g, 0, sizeof *g);
}
