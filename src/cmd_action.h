/* cmd_action.h: `synctop action ACTION PIPELINE`: one action from the command line. */
#ifndef SYNCTOP_CMD_ACTION_H
#define SYNCTOP_CMD_ACTION_H

#include <getopt.h>
#include <stdio.h>

/* Runs the subcommand; argv[0] is "action", config_path the -c given before it (or NULL).
   Returns the exit code (DESIGN.md: 0 confirmed or dry run, 1 unconfirmed, 2 refused or
   failed, 3 usage or config). */
int cmd_action(int argc, char **argv, const char *config_path);

/* Its usage text (synctop action --help). */
void cmd_action_usage(FILE *out);

/* Its options (getopt_long's), for the completion scripts (completion.c). */
extern const struct option cmd_action_longopts[];
extern const char cmd_action_shortopts[];

#endif
