/* redis_info.h: the text of Redis's INFO command, as fields. Pure. */
#ifndef SYNCTOP_REDIS_INFO_H
#define SYNCTOP_REDIS_INFO_H

#include <jansson.h>

/* Every "field:value" line of an INFO text (CRLF or LF, "# Section" lines skipped) as a JSON
   object of strings; the Keyspace lines (db0:keys=1,expires=0,avg_ttl=0) are also summed into
   "keys" and "expires" (integers). Unknown fields are kept as they are. */
json_t *redis_info_parse(const char *text);

#endif
