/* poller.h: runs the probes off the calling thread, one worker per connection, each poll under a deadline. */
#ifndef SYNCTOP_POLLER_H
#define SYNCTOP_POLLER_H

#include <stdbool.h>

#include "config.h"
#include "snapshot.h"

struct poller;

struct poller *poller_new(const struct config *cfg);
/* Starts one thread per connection in use; false with a message if a thread cannot start. */
bool poller_start(struct poller *p, char *err, size_t n) WARN_UNUSED;
/* Asks every worker for one more poll of each of its stages and waits until all have
   answered or the wait limit passes; stages not answered by then read as unknown. */
void poller_round(struct poller *p);
/* Live mode: asks for one more round without waiting (a worker still busy with the last
   one picks up the newest request when it is done). */
void poller_request_round(struct poller *p);
/* Asks for the stage's on-demand operation (probe->sample) at its next poll; false when the
   stage's kind has none. The result shows in the stage's detail as "key_sample". */
bool poller_request_sample(struct poller *p, const struct stage_cfg *st);
/* A descriptor that becomes readable whenever a sample arrives (for poll() in the UI
   loop); read it empty with poller_drain_fd. */
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
