/* replay_screen.h: synctop --replay FILE on the screen: the recording's rounds under a time cursor. */
#ifndef SYNCTOP_UI_REPLAY_SCREEN_H
#define SYNCTOP_UI_REPLAY_SCREEN_H

#include <stdio.h>

#include "config.h"
#include "ui/opts.h"

struct ui;
struct replay_state;

/* Loads the recording for the screen (tui_opts.replay): tui_run(replay_state_config(st), ...)
   opens on its first round, paused; no connection is made and there is no write executor.
   NULL for a bad recording, said on err. */
struct replay_state *replay_state_open(const char *path, FILE *err);
const struct config *replay_state_config(const struct replay_state *st);
void replay_state_free(struct replay_state *st);

/* The screen's loop over a recording (tui_run calls it once the terminal is set up): keys from
   keys_in, a byte on sig_fd stops it. Returns the exit code. */
int replay_loop(struct ui *ui, struct replay_state *st, FILE *keys_in, int sig_fd);

#endif
