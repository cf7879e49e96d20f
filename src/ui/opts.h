/* opts.h: how the screen was asked to run (the command line's part of it). */
#ifndef SYNCTOP_UI_OPTS_H
#define SYNCTOP_UI_OPTS_H

#include <stdbool.h>

struct tui_opts {
	bool wallboard;           /* read-only tiles, no prompts */
	bool ascii;               /* ASCII glyphs whatever the locale */
	bool read_only;           /* --read-only (the config may say so too) */
	double interval_s;        /* 0: the config's */
	double wallboard_cycle_s; /* time each page of the wallboard's tiles stays (when they do not fit) */
	/* --replay FILE (ui/replay_screen.h): the recording the screen shows instead of polling;
	   NULL live. */
	struct replay_state *replay;
};

#endif
