/* act.c: finds a stage's action in its kind's probe (act.h) and asks whether it applies now. */
#include "kinds/act.h"

#include <stdio.h>

#include "kinds/kind.h"

const struct kind_action *stage_action(const struct stage_cfg *st, enum action a)
{
	const struct probe *pr = st->kind->probe;
	if (!kind_offers(st->kind, a) || !pr || !pr->actions)
		return NULL;
	for (const struct kind_action *ka = pr->actions; ka->action != ACTION_NONE; ka++)
		if (ka->action == a)
			return ka;
	return NULL;
}

bool stage_action_offered(const struct stage_cfg *st, const struct sample *cur, enum action a, char *why,
                          size_t n)
{
	const struct kind_action *ka = stage_action(st, a);
	if (n)
		why[0] = '\0';
	if (!ka) {
		snprintf(why, n, "the %s stage has no %s action%s", st->kind->name,
		         action_json_name(a) ? action_json_name(a) : "such",
		         kind_offers(st->kind, a) ? " in this build of synctop" : "");
		return false;
	}
	return !ka->offered || ka->offered(st, cur, why, n);
}

bool stage_action_scope_ok(const struct stage_cfg *st, enum action a, const char *scope, char *why, size_t n)
{
	const struct kind_action *ka = stage_action(st, a);
	if (n)
		why[0] = '\0';
	if (!ka) {
		snprintf(why, n, "the %s stage has no %s action", st->kind->name,
		         action_json_name(a) ? action_json_name(a) : "such");
		return false;
	}
	if (ka->scope_check)
		return ka->scope_check(st, scope ? scope : "", why, n);
	if (scope && *scope) {
		snprintf(why, n, "%s takes no --scope", action_json_name(a));
		return false;
	}
	return true;
}
