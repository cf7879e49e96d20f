/* select.h: which pipelines are shown (filter, sort) and the selection among them, pure (no curses). */
#ifndef SYNCTOP_UI_SELECT_H
#define SYNCTOP_UI_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/view.h"

/* Whether the pipeline's name, or a connection or kind of one of its stages, contains the
   filter (case-insensitive; an empty filter matches all). */
bool filter_match(const struct pipeline_view *pv, const char *filter);
/* The pipelines shown, in order (filter and sort applied): *order receives a new array of
   indices into snap.pipes (free it); returns how many. */
size_t ui_visible(const struct ui *ui, size_t **order);
/* The pipeline view of the selection, or NULL. */
const struct pipeline_view *ui_selected(const struct ui *ui, const struct stage_view **stage);
/* Keeps the selection on something visible (the first stage of the first pipeline by default). */
void fix_selection(struct ui *ui);
/* Moves the selection by delta stages across the visible pipelines (or whole pipelines). */
void move_selection(struct ui *ui, int delta, bool by_pipeline);

#endif
