/* completion.h: the bash and zsh completion scripts, generated from the option tables. */
#ifndef SYNCTOP_COMPLETION_H
#define SYNCTOP_COMPLETION_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* The shells there is a script for, NULL-terminated: "bash", "zsh". */
extern const char *const completion_shells[];

/* Prints the completion script of shell (see completion_shells) for synctop, whose options are
   longopts and shortopts (getopt_long's) and whose help usage prints (descriptions, argument
   names, "repeatable"), and for its `action` subcommand (cmd_action.h's table). False when
   shell is not one of completion_shells. */
bool completion_print(FILE *out, const char *shell, const struct option *longopts, const char *shortopts,
                      void (*usage)(FILE *));

#endif
