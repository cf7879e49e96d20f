/* keys.h: the one key table: bindings, help text, read-only safety; help and man page come from it. */
#ifndef SYNCTOP_UI_KEYS_H
#define SYNCTOP_UI_KEYS_H

#include <stdbool.h>
#include <stdio.h>

#include "actions.h"

/* VIEW_REPLAY: the keys of --replay's time cursor, over the main and detail views (they win
   over a live key on the same code: space, +, -). */
enum ui_view { VIEW_MAIN = 1, VIEW_DETAIL = 2, VIEW_HELP = 4, VIEW_WALLBOARD = 8, VIEW_REPLAY = 16 };
#define VIEW_ALL (VIEW_MAIN | VIEW_DETAIL | VIEW_HELP | VIEW_WALLBOARD)

enum ui_action {
	ACT_NONE,
	ACT_UP,
	ACT_DOWN,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_NEXT_PIPELINE,
	ACT_PREV_PIPELINE,
	ACT_OPEN,
	ACT_BACK,
	ACT_FILTER,
	ACT_SORT,
	ACT_FREEZE,
	ACT_INTERVAL_UP,
	ACT_INTERVAL_DOWN,
	ACT_HELP,
	ACT_QUIT,
	ACT_SAMPLE_KEYS,
	ACT_COPY,     /* c: the selected pipeline's snapshot to the clipboard (OSC 52) */
	ACT_COPY_ALL, /* C: every pipeline's */
	/* A write of the action table (actions.h), ui_key_write says which. Bound now so that
	   nothing else takes their keys; they come with the actions. */
	ACT_ACTION,
	/* --replay FILE's time cursor (ui/replay_screen.h) */
	ACT_REPLAY_PLAY,
	ACT_REPLAY_STEP,
	ACT_REPLAY_BACK,
	ACT_REPLAY_FASTER,
	ACT_REPLAY_SLOWER,
	ACT_REPLAY_SPEED, /* the digit says which: 1 x1 ... 6 x60 */
	ACT_REPLAY_NEXT_CHANGE,
	ACT_REPLAY_PREV_CHANGE,
	ACT_REPLAY_START,
	ACT_REPLAY_END,
};

struct ui_key {
	enum ui_action action;
	const char *label;   /* as shown in help and the man page: "Down, j" */
	int codes[8];        /* ncurses key codes, 0-terminated */
	const char *help;    /* one line */
	bool read_only_safe; /* allowed in read-only mode and on the wallboard */
	unsigned views;      /* where the key does something */
	bool reserved;       /* a write of a later version: bound, listed as coming */
};

extern const struct ui_key ui_keys[];

/* The action bound to key code ch in view (ACT_NONE if none); *entry receives its row. */
enum ui_action ui_key_lookup(int ch, unsigned view, const struct ui_key **entry);

/* The --replay key bound to ch (ACT_NONE if none). */
enum ui_action ui_key_replay(int ch);

/* What a key does to a line being edited (the filter prompt). */
enum ui_edit { EDIT_NONE, EDIT_ACCEPT, EDIT_CANCEL, EDIT_ERASE, EDIT_CHAR };
enum ui_edit ui_key_edit(int ch);
/* The action of an ACT_ACTION row (from its key), ACTION_NONE for any other row. */
enum action ui_key_write(const struct ui_key *k);

/* The KEYS section of synctop(1), in roff, generated from the table (--list-keys). */
void ui_keys_man(FILE *out);

/* "q quit  ? help ..." for the footer of a view, fitting in width columns. */
void ui_keys_footer(unsigned view, bool read_only, char *buf, size_t n, int width);

#endif
