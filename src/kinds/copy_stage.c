/* copy_stage.c: what a copy's stage (kinds/copy.h) does around its pure figures: checking its
   options, and ending its poll with the source's figures and the missing window. */
#include <stdio.h>

#include "kinds/copy.h"

bool copy_check(const char *prefix, const char *time_opt, bool time_set, struct copy_opts *o,
                const struct pipeline *pl, const struct stage_cfg *self, const struct config *cfg, char *msg,
                size_t n)
{
	if (time_set != (o->source_freshness != NULL)) {
		snprintf(msg, n, "%s.%s and %s.source_freshness go together: set both or neither", prefix,
		         time_opt, prefix);
		return false;
	}
	return source_conn_resolve(prefix, o->source_name, o->source_count || o->source_freshness, pl, self,
	                           cfg, &o->source, msg, n);
}

void copy_poll_source(const struct probe_ctx *ctx, const char *prefix, const struct copy_opts *o,
                      int64_t count, bool have_newest, double newest, double started, struct sample *out)
{
#ifdef HAVE_POSTGRES
	if (o->source) {
		struct source_read r = {0};
		source_read(ctx, o->source, o->source_count, o->source_freshness, &r);
		copy_apply(&r, prefix, o->source->name, true, count, have_newest, newest, out->metrics,
		           out->detail);
	}
#else
	(void)prefix;
	(void)count;
	(void)have_newest;
	(void)newest;
#endif
	copy_window_update(ctx->memo, o->missing_window_s, started, out->metrics);
}
