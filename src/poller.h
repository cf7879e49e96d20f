/* poller.h: runs the probes off the calling thread, one worker per connection, each poll under a deadline. */
#ifndef SYNCTOP_POLLER_H
#define SYNCTOP_POLLER_H

#include <stdbool.h>

#include "config.h"
#include "request.h"
#include "snapshot.h"

struct poller;
struct executor;

/* How many requests a stage may have waiting for its next poll. */
#define POLLER_STAGE_QUEUE_MAX 4

struct poller *poller_new(const struct config *cfg);
/* Starts one thread per connection in use; false with a message if a thread cannot start. */
bool poller_start(struct poller *p, char *err, size_t n) WARN_UNUSED;
/* Asks every worker for one more poll of each of its stages and waits until all have
   answered or the wait limit passes; stages not answered by then read as unknown. */
void poller_round(struct poller *p);
/* Live mode: asks for one more round without waiting (a worker still busy with the last
   one picks up the newest request when it is done). */
void poller_request_round(struct poller *p);
/* The one way to ask something of a stage: queues req for the stage's worker, which runs it
   right after its next good poll of the stage (poller_request_round makes that now). Never
   waits on the network. Returns the request's id (an identical request still waiting answers
   with its id), or 0 with the reason in why: no such stage, the kind has no such operation,
   an action without a write executor (read-only), POLLER_STAGE_QUEUE_MAX already waiting.
   When the stage cannot be read, a REQ_ACTION ends at once with the reason, while a
   REQ_SAMPLE waits for its next good poll. A REQ_SAMPLE's result also shows in the stage's
   detail as "key_sample". */
unsigned long poller_submit(struct poller *p, const struct request *req, char *why, size_t n);
/* Takes the oldest event (a request that ended: run, failed, or its stage unreadable) into
 *ev; false when there is none. Release it with request_event_clear. */
bool poller_event_take(struct poller *p, struct request_event *ev);
void request_event_clear(struct request_event *ev);
/* Gives the poller the write executor (exec.h), which it owns from then on: only then can a
   REQ_ACTION be taken. Once, before poller_start. Modes that may not write never call it. */
void poller_attach_executor(struct poller *p, struct executor *ex);
/* Runs the canaries of the pipelines with canary = true (canary_run.h) through the write
   executor attached: the screen and --serve only (never `synctop action`). Before
   poller_start; without an executor their canaries stay off. */
void poller_canary_start(struct poller *p);
/* Marks a run that ends after the rounds it asks for (--once): a stage that cannot connect
   reports the last attempt's error without "(next attempt in Ns)". Before poller_start. */
void poller_one_shot(struct poller *p);
/* True when the poller holds a write executor. */
bool poller_can_write(struct poller *p);
/* A descriptor that becomes readable whenever a sample or an event arrives (for poll() in
   the UI loop); read it empty with poller_drain_fd. */
int poller_fd(const struct poller *p);
void poller_drain_fd(struct poller *p);
/* Wall time when every worker last finished a round (0: never). */
double poller_last_complete(struct poller *p);
/* The latest samples of every stage (not yet evaluated), with each stage's series of its
   main metric over the history (for sparklines). */
void poller_snapshot(struct poller *p, struct snapshot *out);
/* Stops the workers; a worker stuck in a library call is left behind, never waited on. */
void poller_free(struct poller *p);

#endif
