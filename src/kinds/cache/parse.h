/* parse.h: the text of Redis's INFO command, as fields. Pure. */
#ifndef SYNCTOP_REDIS_INFO_H
#define SYNCTOP_REDIS_INFO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Every "field:value" line of an INFO text (CRLF or LF, "# Section" lines skipped) as a JSON
   object of strings; the Keyspace lines (db0:keys=1,expires=0,avg_ttl=0) are also summed into
   "keys" and "expires" (integers). Unknown fields are kept as they are. */
json_t *redis_info_parse(const char *text);

/* A field of the parsed INFO as a count (counters and byte sizes: a whole number from 0):
   1 with *out set; 0 when INFO has no such field; -1 when its value does not parse, with the
   reason naming the field in err ("INFO field used_memory is 'x', not a number"). */
int redis_info_count(const json_t *info, const char *field, int64_t *out, char *err, size_t n);
/* The same for a ratio: a finite number from 0. */
int redis_info_ratio(const json_t *info, const char *field, double *out, char *err, size_t n);

#endif
