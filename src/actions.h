/* actions.h: the one table of actions, the only writes synctop makes: enum, key, help, names. */
#ifndef SYNCTOP_ACTIONS_H
#define SYNCTOP_ACTIONS_H

#include <stdbool.h>

/* X(ID, json, audit, bound, key, label, help), in the order of the help screen:
   ID      ACTION_ID, the enum constant;
   json    its word in JSON output (a diagnosis's "action") and on the command line
           (`synctop action NAME`): a stable interface;
   audit   its word in the audit log's "action" field: a stable interface too;
   bound   KEYED when the screen has a key for it, UNKEYED when it has none (yet);
   key     the key code on the screen (0 when UNKEYED), and label its name in help;
   help    the line of the help screen and synctop(1).
   Which kind offers which action: struct kind's `actions` (kinds/kind.h). What each sends:
   DESIGN.md, "Actions". Every action is a write and runs only through the write executor (exec.h). */
#define ACTIONS(X)                                                                                           \
	X(REPLAY, "replay", "replay", KEYED, 'R', "R", "replay outbox rows")                                 \
	X(REFRESH, "refresh", "refresh", KEYED, 'F', "F", "force an index refresh")                          \
	X(RESTORE_REFRESH, "restore-refresh", "restore-refresh", KEYED, 'I', "I",                            \
	  "restore the index's default refresh interval")                                                    \
	X(PAUSE, "pause", "pause", KEYED, 'p', "p", "pause the worker")                                      \
	X(RESUME, "resume", "resume", KEYED, 'u', "u", "resume the worker")                                  \
	X(STOP, "stop", "stop", UNKEYED, 0, "", "stop the connector (Kafka Connect 3.5 or later)")           \
	X(RESTART, "restart", "restart", KEYED, 'T', "T", "restart failed connector tasks")

enum action {
	ACTION_NONE, /* no action: a diagnosis with no fix inside synctop */
#define ACTION_ENUM(id, json, audit, bound, key, label, help) ACTION_##id,
	ACTIONS(ACTION_ENUM)
#undef ACTION_ENUM
	    ACTION_COUNT
};

/* A set of actions (struct kind's `actions`): ACTION_BIT(ACTION_PAUSE) | ACTION_BIT(ACTION_RESUME). */
#define ACTION_BIT(a) (1u << (a))
_Static_assert(ACTION_COUNT <= 32, "an action set is an unsigned bitmask");

struct action_def {
	enum action id;
	const char *json;  /* "restore-refresh" */
	const char *audit; /* "restore-refresh" */
	int key;           /* 'R'; 0: no key on the screen */
	const char *label; /* "R"; "" when no key */
	const char *help;  /* "replay outbox rows" */
};

/* The table as data, indexed by enum action (entry ACTION_NONE has NULL names). */
extern const struct action_def action_defs[ACTION_COUNT];

/* The action whose JSON (command-line) name is name, or ACTION_NONE (NULL or unknown). */
enum action action_by_name(const char *name);
/* Its JSON name, or NULL for ACTION_NONE (and anything out of range). */
const char *action_json_name(enum action a);
/* Its audit-log name, or NULL for ACTION_NONE. */
const char *action_audit_name(enum action a);

#endif
