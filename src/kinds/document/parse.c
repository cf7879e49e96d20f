/* parse.c: the commands the document stage sends to MongoDB and the answers it reads, as
   canonical extended JSON (https://www.mongodb.com/docs/manual/reference/mongodb-extended-json/):
   count (https://www.mongodb.com/docs/manual/reference/command/count/), the aggregate the
   drivers' countDocuments sends, find with sort and limit, listCollections. Pure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/document/document.h"
#include "sanitize.h"
#include "util.h"

json_t *document_count_command(const char *collection, bool exact, const json_t *filter)
{
	if (!exact)
		return json_pack("{s:s}", "count", collection);
	json_t *match = filter ? json_deep_copy(filter) : json_object();
	return json_pack("{s:s, s:[{s:o}, {s:{s:i, s:{s:i}}}], s:{}}", "aggregate", collection, "pipeline",
	                 "$match", match, "$group", "_id", 1, "n", "$sum", 1, "cursor");
}

json_t *document_newest_command(const char *collection, const char *field, const json_t *filter)
{
	json_t *cmd = json_pack("{s:s, s:o, s:{s:i}, s:{s:i, s:i}, s:i}", "find", collection, "filter",
	                        filter ? json_deep_copy(filter) : json_object(), "sort", field, -1,
	                        "projection", field, 1, "_id", 0, "limit", 1);
	return cmd;
}

json_t *document_exists_command(const char *collection)
{
	return json_pack("{s:i, s:{s:s}, s:b}", "listCollections", 1, "filter", "name", collection,
	                 "nameOnly", 1);
}

/* A decimal string of extended JSON ("12", "-3.5", "1.0"), as a double. */
static bool number_text(const char *s, double *v)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (*end || errno == ERANGE)
		return false;
	*v = d;
	return true;
}

bool ejson_number(const json_t *x, double *v)
{
	if (json_is_number(x)) {
		*v = json_number_value(x);
		return true;
	}
	static const char *const keys[] = {"$numberInt", "$numberLong", "$numberDouble", NULL};
	if (!json_is_object(x) || json_object_size(x) != 1)
		return false;
	for (size_t i = 0; keys[i]; i++) {
		const json_t *s = json_object_get(x, keys[i]);
		if (s)
			return number_text(json_string_value(s), v);
	}
	return false;
}

/* The answer's cursor.firstBatch, or NULL with why. */
static const json_t *first_batch(const json_t *answer, char *why, size_t n)
{
	const json_t *batch = json_object_get(json_object_get(answer, "cursor"), "firstBatch");
	if (!json_is_array(batch))
		snprintf(why, n, "the answer has no cursor.firstBatch");
	return json_is_array(batch) ? batch : NULL;
}

bool document_answer_count(const json_t *answer, bool exact, int64_t *count, char *why, size_t n)
{
	const json_t *x;
	if (exact) {
		const json_t *batch = first_batch(answer, why, n);
		if (!batch)
			return false;
		if (json_array_size(batch) == 0) { /* nothing matched: no group */
			*count = 0;
			return true;
		}
		x = json_object_get(json_array_get(batch, 0), "n");
	} else {
		x = json_object_get(answer, "n");
	}
	double d;
	if (!x || !ejson_number(x, &d) || !i64_of_double(d, count) || *count < 0 || (double)*count != d) {
		snprintf(why, n, "the answer's %s is %s", exact ? "cursor.firstBatch[0].n" : "n",
		         x ? "not a count" : "missing");
		return false;
	}
	return true;
}

/* The value at a dotted path ("meta.updated_at") of a document, or NULL. */
static const json_t *at_path(const json_t *doc, const char *path)
{
	const json_t *cur = doc;
	const char *p = path;
	while (cur && *p) {
		size_t len = strcspn(p, ".");
		char key[256];
		if (len >= sizeof key)
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		cur = json_object_get(cur, key);
		p += len + (p[len] == '.');
	}
	return cur;
}

/* A date of extended JSON ({"$date": {"$numberLong": "ms"}}, or the relaxed {"$date": ms}), or a
   timestamp ({"$timestamp": {"t": s, "i": n}}), in epoch seconds. */
static bool date_value(const json_t *x, double *epoch)
{
	const json_t *d = json_object_get(x, "$date");
	double ms;
	if (d && json_object_size(x) == 1 && ejson_number(d, &ms)) {
		*epoch = ms / 1000.0;
		return true;
	}
	const json_t *ts = json_object_get(x, "$timestamp");
	const json_t *t = json_object_get(ts, "t");
	if (ts && json_object_size(x) == 1 && json_is_integer(t)) {
		*epoch = (double)json_integer_value(t);
		return true;
	}
	return false;
}

int document_answer_newest(const json_t *answer, const char *field, double *epoch, char *why, size_t n)
{
	const json_t *batch = first_batch(answer, why, n);
	if (!batch)
		return -1;
	const json_t *doc = json_array_get(batch, 0);
	if (!doc)
		return 0; /* an empty collection */
	if (!json_is_object(doc)) {
		snprintf(why, n, "the answer's document is not a document");
		return -1;
	}
	const json_t *x = at_path(doc, field);
	if (!x || json_is_null(x))
		return 0; /* sorted first, yet without it: no document holds it */
	if (date_value(x, epoch) || ejson_number(x, epoch))
		return 1;
	const char *key = json_is_object(x) ? json_object_iter_key(json_object_iter((json_t *)x)) : NULL;
	snprintf(why, n, "%s holds %s, not a date or a number of seconds", field,
	         json_is_string(x)      ? "a string"
	         : json_is_array(x)     ? "an array"
	         : json_is_boolean(x)   ? "a boolean"
	         : key && key[0] == '$' ? key
	                                : "a document");
	return -1;
}

int document_answer_exists(const json_t *answer, char *why, size_t n)
{
	const json_t *batch = first_batch(answer, why, n);
	if (!batch)
		return -1;
	return json_array_size(batch) > 0;
}
