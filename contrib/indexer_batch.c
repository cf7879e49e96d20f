/* indexer_batch.c: synctop-indexer's batch: what a message becomes in the index (an index action with
 * its document, a delete, or nothing: skipped and logged), and the messages it holds until committed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "indexer.h"

/* Elasticsearch refuses longer document ids. */
#define ID_MAX 512

const char *item_key(const rd_kafka_message_t *m, char *buf, size_t size)
{
	size_t i, n = m->key_len < size - 1 ? m->key_len : size - 1;
	const unsigned char *k = m->key;

	if (!m->key)
		return "(none)";
	for (i = 0; i < n; i++)
		buf[i] = isprint(k[i]) ? (char)k[i] : '?';
	buf[n] = '\0';
	return buf;
}

/* A delete action: a tombstone (no value), or an event type that says so ("product.deleted"). */
static int is_delete(rd_kafka_message_t *m)
{
	rd_kafka_headers_t *hdrs = NULL;
	const void *v;
	size_t n, suffix = strlen(".deleted");

	if (!m->payload)
		return 1;
	if (rd_kafka_message_headers(m, &hdrs) || !hdrs ||
	    rd_kafka_header_get_last(hdrs, "event_type", &v, &n) || !v)
		return 0;
	return n > suffix && !memcmp((const char *)v + n - suffix, ".deleted", suffix);
}

/* Why message M cannot be indexed, or NULL (then its source is in *SOURCE for an index action). */
static const char *decode(rd_kafka_message_t *m, enum item_op op, char **source, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *doc, *id;
	size_t i;

	if (!m->key || !m->key_len)
		return "no key (the document id)";
	if (m->key_len > ID_MAX)
		return "a key longer than 512 bytes (Elasticsearch's limit for an id)";
	id = json_stringn(m->key, m->key_len);
	if (!id)
		return "a key that is not UTF-8";
	json_decref(id);
	if (op == ITEM_DELETE)
		return NULL;
	/* Checked, not rewritten: numbers keep their exact spelling. */
	doc = json_loadb(m->payload, m->len, JSON_DECODE_INT_AS_REAL, &jerr);
	if (!doc) {
		snprintf(why, whylen, "a value that is not JSON: %s (line %d, column %d)", jerr.text,
		         jerr.line, jerr.column);
		return why;
	}
	i = json_is_object(doc);
	json_decref(doc);
	if (!i)
		return "a value that is not a JSON object";
	*source = malloc(m->len + 1);
	if (!*source)
		return "out of memory";
	/* NDJSON: one line per document. Outside strings (where they are escaped) line breaks are mere
	   white space. */
	for (i = 0; i < m->len; i++) {
		char ch = ((const char *)m->payload)[i];

		(*source)[i] = ch == '\n' || ch == '\r' ? ' ' : ch;
	}
	(*source)[m->len] = '\0';
	return NULL;
}

int items_add(struct batch_items *b, rd_kafka_message_t *m)
{
	struct item *it;
	const char *skip;
	char why[256], key[65];

	if (b->n == b->cap) {
		int cap = b->cap ? b->cap * 2 : 64;
		void *p = realloc(b->v, (size_t)cap * sizeof *b->v);

		if (!p) {
			rd_kafka_message_destroy(m);
			return -1;
		}
		b->v = p;
		b->cap = cap;
	}
	it = &b->v[b->n++];
	*it = (struct item){.m = m, .op = is_delete(m) ? ITEM_DELETE : ITEM_INDEX, .state = ITEM_PENDING};
	skip = decode(m, it->op, &it->source, why, sizeof why);
	if (skip) {
		/* It would never index: committed past, like a document the index rejects. */
		it->op = ITEM_SKIP;
		worker_log(0, "skipped: partition %d offset %lld (key %s): %s", (int)m->partition,
		           (long long)m->offset, item_key(m, key, sizeof key), skip);
	}
	return 0;
}

void items_clear(struct batch_items *b)
{
	int i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].source);
		rd_kafka_message_destroy(b->v[i].m);
	}
	b->n = 0;
	b->attempts = 0;
}

void items_free(struct batch_items *b)
{
	items_clear(b);
	free(b->v);
	b->v = NULL;
	b->cap = 0;
}
