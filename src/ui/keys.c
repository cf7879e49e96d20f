/* keys.c: the one key table: bindings, help text, read-only safety; help and man page come from it. */
#include "ui/keys.h"

#include <curses.h>
#include <string.h>

#include "ui/action_ui.h"
#include "roff.h"
#include "util.h"

#define CTRL(c) ((c)&0x1f)

const struct ui_key ui_keys[] = {
    {ACT_UP,
     "Up, k",
     {KEY_UP, 'k', 0},
     "select the stage above (scroll up in a detail view)",
     true,
     VIEW_MAIN | VIEW_DETAIL | VIEW_HELP,
     false},
    {ACT_DOWN,
     "Down, j",
     {KEY_DOWN, 'j', 0},
     "select the stage below (scroll down in a detail view)",
     true,
     VIEW_MAIN | VIEW_DETAIL | VIEW_HELP,
     false},
    {ACT_PAGE_UP,
     "PgUp",
     {KEY_PPAGE, CTRL('b'), 0},
     "one screen up",
     true,
     VIEW_MAIN | VIEW_DETAIL | VIEW_HELP,
     false},
    {ACT_PAGE_DOWN,
     "PgDn",
     {KEY_NPAGE, CTRL('f'), 0},
     "one screen down",
     true,
     VIEW_MAIN | VIEW_DETAIL | VIEW_HELP,
     false},
    {ACT_NEXT_PIPELINE, "Tab", {'\t', 0}, "jump to the next pipeline", true, VIEW_MAIN | VIEW_DETAIL, false},
    {ACT_PREV_PIPELINE,
     "Shift-Tab",
     {KEY_BTAB, 0},
     "jump to the previous pipeline",
     true,
     VIEW_MAIN | VIEW_DETAIL,
     false},
    {ACT_OPEN,
     "Enter",
     {'\n', '\r', KEY_ENTER, 0},
     "open the detail view of the selected stage: every metric, the lists, the diagnosis, the last error",
     true,
     VIEW_MAIN,
     false},
    {ACT_BACK,
     "Esc",
     {27, KEY_BACKSPACE, 0},
     "back to the pipelines; clear the filter",
     true,
     VIEW_MAIN | VIEW_DETAIL | VIEW_HELP,
     false},
    {ACT_FILTER,
     "/",
     {'/', 0},
     "show only pipelines whose name, connections or stage kinds contain a text",
     true,
     VIEW_MAIN,
     false},
    {ACT_SORT, "s", {'s', 0}, "sort pipelines worst first, or in config order", true, VIEW_MAIN, false},
    {ACT_FREEZE,
     "Space",
     {' ', 0},
     "freeze the display (polling goes on); again to follow live",
     true,
     VIEW_MAIN | VIEW_DETAIL,
     false},
    {ACT_INTERVAL_UP,
     "+",
     {'+', '=', 0},
     "poll less often (longer interval)",
     true,
     VIEW_MAIN | VIEW_DETAIL,
     false},
    {ACT_INTERVAL_DOWN,
     "-",
     {'-', 0},
     "poll more often (shorter interval)",
     true,
     VIEW_MAIN | VIEW_DETAIL,
     false},
    {ACT_HELP,
     "?",
     {'?', KEY_F(1), 0},
     "this help, after what the selected stage's diagnoses mean",
     true,
     VIEW_MAIN | VIEW_DETAIL | VIEW_HELP,
     false},
    {ACT_QUIT,
     "q",
     {'q', CTRL('c'), 0},
     "quit; in the detail view and the help, back one level as Esc",
     true,
     VIEW_ALL,
     false},
    {ACT_SAMPLE_KEYS,
     "t",
     {'t', 0},
     "on a cache stage: sample the keys of cache.key_prefix now (how many have a TTL); reads only",
     true,
     VIEW_MAIN | VIEW_DETAIL,
     false},
    {ACT_COPY,
     "c",
     {'c', 0},
     "copy the selected pipeline's snapshot (--once --format markdown) to your clipboard (OSC 52)",
     true,
     VIEW_MAIN | VIEW_DETAIL,
     false},
    {ACT_COPY_ALL,
     "C",
     {'C', 0},
     "copy every pipeline's snapshot to the clipboard, as c does one",
     true,
     VIEW_MAIN | VIEW_DETAIL,
     false},
    {ACT_REPLAY_PLAY, "Space", {' ', 0}, "--replay: play or pause the recording", true, VIEW_REPLAY, false},
    {ACT_REPLAY_STEP,
     "., Right",
     {'.', KEY_RIGHT, 0},
     "--replay: one round on (pauses)",
     true,
     VIEW_REPLAY,
     false},
    {ACT_REPLAY_BACK,
     ",, Left",
     {',', KEY_LEFT, 0},
     "--replay: one round back (pauses)",
     true,
     VIEW_REPLAY,
     false},
    {ACT_REPLAY_FASTER,
     "+",
     {'+', '=', 0},
     "--replay: play faster (x1, x2, x5, x10, x30, x60)",
     true,
     VIEW_REPLAY,
     false},
    {ACT_REPLAY_SLOWER, "-", {'-', 0}, "--replay: play slower", true, VIEW_REPLAY, false},
    {ACT_REPLAY_SPEED,
     "1 .. 6",
     {'1', '2', '3', '4', '5', '6', 0},
     "--replay: speed x1, x2, x5, x10, x30, x60",
     true,
     VIEW_REPLAY,
     false},
    {ACT_REPLAY_NEXT_CHANGE,
     "n",
     {'n', 0},
     "--replay: jump to the next status change",
     true,
     VIEW_REPLAY,
     false},
    {ACT_REPLAY_PREV_CHANGE,
     "N",
     {'N', 0},
     "--replay: jump to the previous status change",
     true,
     VIEW_REPLAY,
     false},
    {ACT_REPLAY_START,
     "g, Home",
     {'g', KEY_HOME, 0},
     "--replay: jump to the start",
     true,
     VIEW_REPLAY,
     false},
    {ACT_REPLAY_END, "G, End", {'G', KEY_END, 0}, "--replay: jump to the end", true, VIEW_REPLAY, false},
/* The actions' keys and help lines, from the one table (actions.h); an action without a key
   has no row. Each is offered only where it applies now (ui/action_ui.h). */
// clang-format off
#define ACTION_ROW_KEYED(id, key, label, help) \
	{ACT_ACTION, label, {key, 0}, help, false, VIEW_MAIN | VIEW_DETAIL, false},
#define ACTION_ROW_UNKEYED(id, key, label, help)
#define ACTION_ROW(id, json, audit, bound, key, label, help) ACTION_ROW_##bound(id, key, label, help)
    ACTIONS(ACTION_ROW)
#undef ACTION_ROW
#undef ACTION_ROW_UNKEYED
#undef ACTION_ROW_KEYED
    // clang-format on
    {ACT_NONE, NULL, {0}, NULL, false, 0, false},
};

enum ui_action ui_key_lookup(int ch, unsigned view, const struct ui_key **entry)
{
	for (const struct ui_key *k = ui_keys; k->label; k++)
		for (int i = 0; k->codes[i]; i++)
			if (k->codes[i] == ch) {
				if (entry)
					*entry = k;
				return (k->views & view) ? k->action : ACT_NONE;
			}
	if (entry)
		*entry = NULL;
	return ACT_NONE;
}

enum ui_action ui_key_replay(int ch)
{
	for (const struct ui_key *k = ui_keys; k->label; k++)
		for (int i = 0; (k->views & VIEW_REPLAY) && k->codes[i]; i++)
			if (k->codes[i] == ch)
				return k->action;
	return ACT_NONE;
}

enum ui_edit ui_key_edit(int ch)
{
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		return EDIT_ACCEPT;
	if (ch == 27)
		return EDIT_CANCEL;
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8)
		return EDIT_ERASE;
	if (ch >= 32 && ch < 127)
		return EDIT_CHAR;
	return EDIT_NONE;
}

enum action ui_key_write(const struct ui_key *k)
{
	if (!k || k->action != ACT_ACTION)
		return ACTION_NONE;
	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++)
		if (action_defs[a].key && action_defs[a].key == k->codes[0])
			return (enum action)a;
	return ACTION_NONE;
}

void ui_keys_man(FILE *out)
{
	fputs(".\\\" Generated by `synctop --list-keys` from src/ui/keys.c: run `make update-man`.\n", out);
	for (const struct ui_key *k = ui_keys; k->label; k++) {
		fputs(".TP\n.B ", out);
		roff_text(out, k->label);
		fputc('\n', out);
		roff_text(out, k->help);
		if (k->views == VIEW_ALL)
			fputs(" (everywhere, the wallboard included)", out);
		else if (!k->read_only_safe)
			fputs("; refused in read\\-only mode and on the wallboard", out);
		fputs(".\n", out);
		char does[2048];
		ui_action_does(ui_key_write(k), does, sizeof does);
		for (char *line = strtok(does, "\n"); line; line = strtok(NULL, "\n")) {
			fputs(".br\n", out);
			roff_text(out, line);
			fputc('\n', out);
		}
	}
}

void ui_keys_footer(unsigned view, bool read_only, char *buf, size_t n, int width)
{
	static const struct {
		enum ui_action a;
		const char *key, *word;
	} order[] = {
	    {ACT_QUIT, "q", "quit"},         {ACT_HELP, "?", "help"},
	    {ACT_OPEN, "Enter", "detail"},   {ACT_BACK, "Esc", "back"},
	    {ACT_FILTER, "/", "filter"},     {ACT_SORT, "s", "sort"},
	    {ACT_FREEZE, "Space", "freeze"}, {ACT_INTERVAL_UP, "+/-", "interval"},
	    {ACT_DOWN, "j/k", "move"},       {ACT_NEXT_PIPELINE, "Tab", "next"},
	};
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(order); i++) {
		const struct ui_key *k = NULL;
		for (const struct ui_key *e = ui_keys; e->label; e++)
			if (e->action == order[i].a)
				k = e;
		if (!k || !(k->views & view) || (read_only && !k->read_only_safe))
			continue;
		/* Where q goes back (the detail view, the help), it and Esc are one item. */
		bool q_backs = !(view & (VIEW_MAIN | VIEW_WALLBOARD));
		if (q_backs && order[i].a == ACT_BACK)
			continue;
		char item[48];
		if (q_backs && order[i].a == ACT_QUIT)
			snprintf(item, sizeof item, "%sq/Esc back", buf[0] ? "  " : "");
		else
			snprintf(item, sizeof item, "%s%s %s", buf[0] ? "  " : "", order[i].key,
			         order[i].word);
		if ((int)(strlen(buf) + strlen(item)) > width)
			break;
		snappendf(buf, n, "%s", item);
	}
}
