/* probe.c: the document stage: the collection's count and newest freshness_field through
   MongoDB read commands, then the source's SQL on the stage's own PostgreSQL session. */
/* needs: mongoc */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/mongo.h"
#include "kinds/copy.h"
#include "kinds/document/document.h"
#include "kinds/probe.h"
#include "util.h"

/* Runs cmd (taken) on the stage's database: the answer, or NULL with the sample's error set,
   naming what was asked. */
static json_t *ask(const struct probe_ctx *ctx, const char *what, json_t *cmd, struct sample *out)
{
	const struct document_opts *o = document_opts(ctx->st);
	char err[400];
	json_t *answer = mongo_command(ctx->session, o->database, cmd, ctx->deadline, err, sizeof err);
	json_decref(cmd);
	if (!answer)
		sample_set_error(out, "%s: %s", what, err);
	return answer;
}

static enum probe_result document_poll(const struct probe_ctx *ctx, struct sample *out)
{
	const struct document_opts *o = document_opts(ctx->st);
	double started = now_mono();
	json_t *filter = o->filter ? json_loads(o->filter, 0, NULL) : NULL;
	char why[300];
	json_t *a = ask(ctx, o->exact ? "the exact count" : "the count",
	                document_count_command(o->collection, o->exact, filter), out);
	int64_t count = 0;
	bool counted = a && document_answer_count(a, o->exact, &count, why, sizeof why);
	if (a && !counted)
		sample_set_error(out, "the count: %s", why);
	json_decref(a);
	/* A collection that does not exist counts 0, as an empty one does: tell them apart. */
	if (counted && count == 0) {
		a = ask(ctx, "listCollections", document_exists_command(o->collection), out);
		int exists = a ? document_answer_exists(a, why, sizeof why) : -1;
		if (a && exists < 0)
			sample_set_error(out, "listCollections: %s", why);
		else if (exists == 0)
			sample_set_error(out, "no collection %s in the database %s", o->collection,
			                 o->database);
		json_decref(a);
		counted = exists == 1;
	}
	double newest = 0;
	int got_newest = 0;
	if (counted && o->freshness_field) {
		a = ask(ctx, "the newest document",
		        document_newest_command(o->collection, o->freshness_field, filter), out);
		got_newest = a ? document_answer_newest(a, o->freshness_field, &newest, why, sizeof why) : -1;
		if (a && got_newest < 0)
			sample_set_error(out, "the newest document: %s", why);
		json_decref(a);
		counted = got_newest >= 0;
	}
	json_decref(filter);
	if (!counted)
		return PROBE_FAILED;
	json_object_set_new(out->metrics, "count", json_integer((json_int_t)count));
	out->detail = json_object();
	if (got_newest > 0)
		json_object_set_new(out->detail, "newest_epoch", json_real(newest));
	copy_poll_source(ctx, "document", &o->copy, count, got_newest > 0, newest, started, out);
	return PROBE_OK;
}

const struct probe document_probe = {
    .poll = document_poll,
#ifdef HAVE_POSTGRES
    .aux_close = source_close,
#endif
};
