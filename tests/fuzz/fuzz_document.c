/* fuzz_document.c: fuzz target for what the document stage reads from MongoDB's answers as
   canonical extended JSON (src/kinds/document/parse.c): counts, the newest document's field at
   a dotted path, listCollections; and the commands it builds from a field name. */
#include <jansson.h>

#include "fuzz.h"
#include "kinds/document/document.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256], tiny[8];
	/* The input's first line is a field name (a dotted path), the rest an answer. */
	const uint8_t *nl = memchr(data, '\n', size);
	size_t flen = nl ? (size_t)(nl - data) : 0;
	char *field = fuzz_str(data, flen);
	json_t *cmd = document_newest_command("c", field, NULL);
	if (cmd) { /* NULL only for a field that is not UTF-8, which jansson refuses */
		FUZZ_CHECK(json_is_object(json_object_get(cmd, "sort")), "a find without its sort");
		json_decref(cmd);
	}
	json_t *j =
	    nl ? json_loadb((const char *)nl + 1, size - flen - 1, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL)
	       : NULL;
	if (j) {
		int64_t n = -1;
		for (int exact = 0; exact < 2; exact++)
			if (document_answer_count(j, exact, &n, why, sizeof why))
				FUZZ_CHECK(n >= 0, "a negative count");
			else
				FUZZ_CHECK(strlen(why) > 0 && strlen(why) < sizeof why,
				           "an error without a reason");
		double e = 0;
		int r = document_answer_newest(j, *field ? field : "updated_at", &e, why, sizeof why);
		FUZZ_CHECK(r >= -1 && r <= 1, "an answer that is neither a time, nothing nor an error");
		if (r < 0)
			FUZZ_CHECK(strlen(why) > 0 && strlen(why) < sizeof why, "an error without a reason");
		document_answer_newest(j, *field ? field : "updated_at", &e, tiny, sizeof tiny);
		r = document_answer_exists(j, tiny, sizeof tiny);
		FUZZ_CHECK(r >= -1 && r <= 1, "exists is neither yes, no nor an error");
		json_decref(j);
	}
	free(field);
	return 0;
}
