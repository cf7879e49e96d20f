/* roff.h: text for the generated sections of synctop(1) (--list-keys, --list-rules). */
#ifndef SYNCTOP_ROFF_H
#define SYNCTOP_ROFF_H

#include <stdio.h>

/* s with a backslash before every backslash and hyphen (roff's escapes). */
void roff_text(FILE *out, const char *s);

/* The DIAGNOSES section's rule list, from every kind's rules table (synctop --list-rules). */
void rules_man(FILE *out);

#endif
