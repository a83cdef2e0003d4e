/*
 * consumer.h - how a consumer of the recording event stream (pc-events, the media
 * adapter) waits between its reads: listening on recording_events (between bursts
 * only, if it chooses), reading once more after each LISTEN, and waiting on its
 * connection's socket for a notification or a timeout. The rule lives here, for both.
 */
#ifndef PC_CONSUMER_H
#define PC_CONSUMER_H

#include <stdbool.h>

#include <libpq-fe.h>

/* One consumer's wait, on one connection. */
struct consumer_wait {
	int burst;      /* a read of this many events or more: changes keep coming (0: the
	                 * consumer listens whatever comes) */
	int gap_ms;     /* while they do, read again after this long, not listening */
	bool listening; /* LISTEN recording_events in effect on the connection */
};

/* A new connection: nothing listened on it yet. */
void consumer_reset(struct consumer_wait *w);

/*
 * After a read of n events (a full batch is read on at once, by the caller): while
 * changes keep coming, stops listening and pauses gap_ms; otherwise listens and, when
 * the LISTEN is new, returns at once (what committed before it notified nobody: the
 * caller reads once more); otherwise waits up to ms for a notification (consumer_wait).
 * Returns 0: read now; -1: the database failed (reconnect).
 */
int consumer_pause(struct consumer_wait *w, PGconn *c, int n, int ms);

/* Waits up to ms for a notification (or any input) on c, or a signal; drops the
 * notifications that came (a read takes whatever is past the acknowledgements). 0, or
 * -1 when the connection is lost. */
int consumer_wait(PGconn *c, int ms);

#endif
