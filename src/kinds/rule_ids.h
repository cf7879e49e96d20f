/* rule_ids.h: the id of every rule the kinds raise, for the settings that name a rule (confirm.RULE). */
#ifndef SYNCTOP_KINDS_RULE_IDS_H
#define SYNCTOP_KINDS_RULE_IDS_H

#include <stdbool.h>

/* NULL-terminated, as in synctop(1)'s DIAGNOSES. */
extern const char *const rule_ids[];

/* Whether id is the id of a rule (exactly). */
bool rule_id_known(const char *id);

#endif
