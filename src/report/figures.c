/* figures.c: the key figures of a stage on one line (its kind's, or why there are none),
   shared by the text report and the screen. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kinds/kind.h"
#include "report.h"

void stage_figures(const struct stage_view *sv, char *buf, size_t n)
{
	buf[0] = '\0';
	if (!sv->cur.metrics) {
		snprintf(buf, n, "not polled yet");
		return;
	}
	if (!sv->cur.ok) {
		snprintf(buf, n, "%s", sv->cur.err);
		return;
	}
	sv->cfg->kind->figures(sv, buf, n);
}
