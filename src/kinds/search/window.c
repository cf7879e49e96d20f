/* window.c: the search stage's drift window: the least missing over the window, and the
   indexing failures that appeared within it. Pure. */
#include <stdbool.h>

#include "kinds/copy.h"
#include "kinds/search/search.h"

void search_window_update(json_t **memo, double span, double now, json_t *m)
{
	if (!*memo)
		*memo = json_array();
	json_t *w = *memo;
	json_t *missing = json_object_get(m, "missing_docs"), *failed = json_object_get(m, "indexing_failed");
	json_array_append_new(
	    w, json_pack("[fOO]", now, missing ? missing : json_null(), failed ? failed : json_null()));
	while (json_array_size(w) > 1 &&
	       now - json_real_value(json_array_get(json_array_get(w, 0), 0)) > span)
		json_array_remove(w, 0);

	/* The least missing over the window: documents in flight come and go, lost ones stay. */
	copy_window_floor(w, now, missing, m, "missing_docs_floor", "missing_docs_span_s");

	/* Indexing failures that appeared within the window. */
	json_t *first = NULL, *row;
	double first_at = now;
	size_t i;
	json_array_foreach(w, i, row)
	{
		if (json_is_integer(json_array_get(row, 2))) {
			first = json_array_get(row, 2);
			first_at = json_real_value(json_array_get(row, 0));
			break;
		}
	}
	if (first && json_is_integer(failed)) {
		json_int_t grew = json_integer_value(failed) - json_integer_value(first);
		json_object_set_new(m, "indexing_failed_new", json_integer(grew > 0 ? grew : 0));
		json_object_set_new(m, "indexing_failed_span_s", json_real(now - first_at));
	}
}
