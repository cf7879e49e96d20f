/* document.h: what the files of the document kind share (a MongoDB collection that copies
   PostgreSQL rows: a product catalogue, say). */
#ifndef SYNCTOP_KIND_DOCUMENT_H
#define SYNCTOP_KIND_DOCUMENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "kinds/copy.h"
#include "kinds/kind.h"
#ifdef HAVE_MONGOC
#include "kinds/probe.h"
#endif

/* The document.* options of a stage (st->opts), described by document_options. */
struct document_opts {
	char *database;        /* document.database */
	char *collection;      /* document.collection */
	char *count_mode;      /* document.count: "estimated" or "exact" */
	bool exact;            /* resolved: document.count = exact */
	char *filter;          /* document.filter: extended JSON, the documents that count */
	char *freshness_field; /* document.freshness_field: the newest value of it is the copy's time */
	struct copy_opts copy; /* document.source, document.source_count, ... (kinds/copy.h) */
};

static inline const struct document_opts *document_opts(const struct stage_cfg *st)
{
	return st->opts;
}

extern const struct kind document_kind;
extern const struct rule_def document_rule_defs[];

/* options.c */
extern const struct opt_def document_options[];
bool document_check(struct stage_cfg *st, const struct pipeline *pl, const struct config *cfg, char *msg,
                    size_t n);

/* parse.c, pure: the commands the stage sends and the answers it reads, as canonical extended
   JSON (backend/mongo.h). Each command is a new reference. */
/* {count: C} (estimated: the collection's metadata) or the aggregate countDocuments sends
   (exact: $match filter, $group $sum 1), as the drivers' specifications build them. */
json_t *document_count_command(const char *collection, bool exact, const json_t *filter);
/* {find: C, filter, sort: {F: -1}, projection: {F: 1, _id: 0}, limit: 1}: the newest value of F. */
json_t *document_newest_command(const char *collection, const char *field, const json_t *filter);
/* {listCollections: 1, filter: {name: C}, nameOnly: true}: whether the collection exists. */
json_t *document_exists_command(const char *collection);
/* The count in an answer to document_count_command: true with *count, false with why. */
bool document_answer_count(const json_t *answer, bool exact, int64_t *count, char *why, size_t n);
/* The newest value of field in an answer to document_newest_command, in epoch seconds: 1 with
   *epoch (a date, or a number of seconds), 0 when no document holds the field (or it is null),
   -1 with why (a value of another type, an answer of another shape). */
int document_answer_newest(const json_t *answer, const char *field, double *epoch, char *why, size_t n);
/* Whether an answer to document_exists_command lists the collection: 1, 0, or -1 with why. */
int document_answer_exists(const json_t *answer, char *why, size_t n);
/* A number in canonical extended JSON ({"$numberInt": "3"}, $numberLong, $numberDouble, or a
   plain JSON number): true with *v. */
bool ejson_number(const json_t *x, double *v);

#ifdef HAVE_MONGOC
extern const struct probe document_probe;
#endif

/* rules.c */
void document_rules(struct pipeline_view *pv, struct stage_view *sv);

#endif
