/* indexer_util.c: synctop-relay's log, clock and failure states (relay_util.c), compiled into
 * synctop-indexer rather than copied. indexer.h comes first: it reads relay.h and renames the log's
 * prefix, so that the lines say synctop-indexer. */
#include "indexer.h"

#include "relay_util.c"
