/* canary_state.h: what a pipeline's end-to-end canary is and was (canary.h drives it), as its
   view holds it (snapshot.h). */
#ifndef SYNCTOP_CANARY_STATE_H
#define SYNCTOP_CANARY_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* The most hops a canary times (a pipeline's stages that can see a marker), and the totals
   its trend keeps. */
#define CANARY_HOPS  8
#define CANARY_TREND 16

enum canary_phase {
	CANARY_OFF,      /* not opted in, or not here (read-only: off_reason says why) */
	CANARY_IDLE,     /* waiting for canary.interval to pass since the last one ended */
	CANARY_INFLIGHT, /* inserted; awaiting hop next_hop */
};

/* What a pipeline's canary is and was: copied whole into its view (snapshot.h). */
struct canary_state {
	enum canary_phase phase;
	char off_reason[128]; /* CANARY_OFF: "read-only: --once" */
	size_t n_hops;
	const struct stage_cfg *hop[CANARY_HOPS]; /* the stages that see the marker, in flow order */
	/* The marker in flight (CANARY_INFLIGHT). */
	char marker[128];
	long long row;              /* its row id, as the insert returned it */
	double inserted_at;         /* wall: the insert's commit */
	size_t next_hop;            /* the hop awaited */
	double hop_at[CANARY_HOPS]; /* wall, when each hop before next_hop was seen */
	bool lost;                  /* past canary.timeout, still awaited (at most one marker in flight) */
	/* The last canary seen at every hop. */
	bool have_last;
	double last_hop_s[CANARY_HOPS]; /* each hop's own time: since the hop before it (the insert) */
	double last_total_s;
	double last_done_at;        /* wall */
	double trend[CANARY_TREND]; /* totals, oldest first */
	size_t n_trend;
	/* Counts since synctop started. */
	unsigned long seq; /* markers inserted */
	unsigned long done, lost_count, failures;
	double ended_at;    /* wall: when the last one ended (seen, or its insert failed); 0: none */
	char last_err[256]; /* the last failed step, "" when the last step went well */
};

#endif
