/* actions.c: the action table as data, and lookups by enum and by name. */
#include "actions.h"

#include <string.h>

const struct action_def action_defs[ACTION_COUNT] = {[ACTION_NONE] = {ACTION_NONE, NULL, NULL, 0, "", NULL},
#define ACTION_DEF(id, json, audit, bound, key, label, help)                                                 \
	[ACTION_##id] = {ACTION_##id, json, audit, key, label, help},
                                                     ACTIONS(ACTION_DEF)
#undef ACTION_DEF
};

enum action action_by_name(const char *name)
{
	if (!name)
		return ACTION_NONE;
	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++)
		if (!strcmp(action_defs[a].json, name))
			return (enum action)a;
	return ACTION_NONE;
}

const char *action_json_name(enum action a)
{
	return (int)a > ACTION_NONE && a < ACTION_COUNT ? action_defs[a].json : NULL;
}

const char *action_audit_name(enum action a)
{
	return (int)a > ACTION_NONE && a < ACTION_COUNT ? action_defs[a].audit : NULL;
}
