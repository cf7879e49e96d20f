/* kind.c: the document kind: a MongoDB collection that copies PostgreSQL rows (a catalogue),
   its count and newest copy against the source's. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kinds/copy.h"
#include "kinds/document/document.h"
#include "units.h"
#include "util.h"

static const struct metric_extra document_extras[] = {
    COPY_EXTRAS("document"),
};

/* database.collection, as MongoDB names a namespace. */
static void document_target(const struct stage_cfg *stage, char *buf, size_t n)
{
	const struct document_opts *o = document_opts(stage);
	snprintf(buf, n, "%s.%s", o->database, o->collection);
}

static void document_figures(const struct stage_view *sv, char *buf, size_t n)
{
	copy_figures(sv, "documents", buf, n);
}

/* Exports: the database and the collection, as MongoDB's own exporters label them. */
static size_t document_export_labels(const struct stage_view *sv, struct export_label *out)
{
	const struct document_opts *o = document_opts(sv->cfg);
	out[0].name = "database";
	strlcpy_safe(out[0].value, o->database, sizeof out[0].value);
	out[1].name = "collection";
	strlcpy_safe(out[1].value, o->collection, sizeof out[1].value);
	return 2;
}

/* The postgres connection of the source SQL: the probe's second session. */
static struct conn *document_extra_conn(const struct stage_cfg *st)
{
	return document_opts(st)->copy.source;
}

const struct kind document_kind = {
    .name = "document",
    .conn = CONN_MONGODB,
    .options = document_options,
    .opts_size = sizeof(struct document_opts),
    .metrics = copy_metrics,
    .main_metric = "count",
#ifdef HAVE_MONGOC
    .probe = &document_probe,
#endif
    .check = document_check,
    .extra_conn = document_extra_conn,
    .target = document_target,
    .evaluate = document_rules,
    .rules = document_rule_defs,
    .figures = document_figures,
    .export_labels = document_export_labels,
    .export_label_names = "database, collection",
    .extras = document_extras,
};
