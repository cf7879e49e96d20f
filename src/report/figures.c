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

bool pipeline_freshness(const struct pipeline_view *pv, double *lag_s)
{
	for (size_t j = pv->n_stages; j-- > 0;) {
		const struct stage_view *sv = &pv->stages[j];
		if (sv->cfg->kind->freshness && sv->cur.metrics && sv->cur.ok &&
		    sv->cfg->kind->freshness(sv, lag_s))
			return true;
	}
	return false;
}
