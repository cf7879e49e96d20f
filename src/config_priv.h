/* config_priv.h: helpers shared by config.c (reading a file) and config_value.c (option values). */
#ifndef SYNCTOP_CONFIG_PRIV_H
#define SYNCTOP_CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* The entry of table for key: an exact key, or a ".NAME" prefix entry matching "property.X". */
const struct opt_def *opt_find(const struct opt_def *table, const char *key);

/* True for a prefix entry such as "property.NAME". */
bool opt_is_pattern(const struct opt_def *o);

/* True if the key ends with suffix ("_env", "_file", "_warn"). */
bool key_has_suffix(const char *key, const char *suffix);

/* Parses value per o->type and stores it at base + o->offset (OPT_INT is an int64_t when
   wide, else an int). On a bad value returns false with the reason in msg, the value
   quoted (redacted when the option may hold a secret). Not for OPT_CONN or prefix entries. */
bool opt_set(const struct opt_def *o, void *base, const char *value, bool wide, char *msg, size_t n);

/* Stores every default of table into base. */
void opt_apply_defaults(const struct opt_def *table, void *base, bool wide);

/* A stored number shown as in a config file ("5m", "1.0 GiB", "100"), for messages. */
void opt_format_value(const struct opt_def *o, const void *base, bool wide, char *buf, size_t n);

/* A value as it may be quoted in a message: redacted when the option may hold a secret. */
char *opt_shown_value(const struct opt_def *o, const char *value);

/* Frees what the options of table own in base (strings, lists, key = value lists), by their
   types, and clears those fields. */
void opt_free_fields(const struct opt_def *table, void *base);

/* A stage of kind k with its options allocated (k->opts_size) and their defaults set. */
void stage_cfg_init(struct stage_cfg *st, const struct kind *k);
/* Frees the stage's options (by its kind's table) and clears st. */
void stage_cfg_free_fields(struct stage_cfg *st);
void conn_free_fields(struct conn *c);
void pipeline_free_fields(struct pipeline *pl);

#endif
