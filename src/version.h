/* version.h: synctop --version. */
#ifndef SYNCTOP_VERSION_H
#define SYNCTOP_VERSION_H

#include <stdio.h>

/* The version and the backends built in, one per line. */
void version_print(FILE *out);

#endif
