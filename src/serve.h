/* serve.h: the exporter, synctop --serve [ADDR:]PORT: polls like the screen, answers from the last poll. */
#ifndef SYNCTOP_SERVE_H
#define SYNCTOP_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "serve_opts.h"

/* Whether this synctop was built with the exporter (configure --with-microhttpd). */
extern const bool serve_built;

/* Runs the exporter until SIGINT or SIGTERM: 0 then, 3 when it cannot start (a message on
   err). Built without libmicrohttpd, says so and returns 3. */
int serve_run(const struct config *cfg, const struct serve_addr *addr, FILE *err);

#endif
