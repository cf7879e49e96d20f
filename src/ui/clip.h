/* clip.h: keys c and C: the snapshot's markdown for the clipboard, as an OSC 52 sequence (issue 19). */
#ifndef SYNCTOP_UI_CLIP_H
#define SYNCTOP_UI_CLIP_H

#include <stdbool.h>
#include <stdio.h>

#include "ui/osc52.h"
#include "ui/view.h"

/* The markdown of --once --format markdown for the screen's snapshot (what is drawn, frozen
   or not; no poll): of the pipeline pv only, or of every pipeline when pv is NULL. Its header
   says the window between the screen's polls (the interval) and no time taken. */
void ui_clip_markdown(FILE *out, const struct ui *ui, const struct pipeline_view *pv);

/* c (all false: the selected pipeline) or C (every pipeline): the bytes to write to the
   terminal, wrapped as w, malloc'd, their length in *len; the footer's notice says what was
   sent, or why nothing is (clipboard = false, no pipeline, too large): NULL then. */
char *ui_clip(struct ui *ui, bool all, enum osc52_wrap w, double now, size_t *len);

#endif
