/*
 * consumer.c - the wait between two reads of the recording event stream, for pc-events
 * and the media adapter (consumer.h).
 *
 * Every commit of a change notifies, and a listening session is woken for each one (its
 * server process reads the notification and sends it on): 25% of a core at 1,000
 * changes a second. So a consumer may choose not to listen while changes keep coming
 * (a read found burst or more) and read every gap_ms instead; a change alone is read as
 * soon as it notifies. Not listening delays what comes during a burst by up to gap_ms.
 */
#include "consumer.h"

#include <errno.h>
#include <sys/select.h>
#include <time.h>

#define MS_NS 1000000L /* nanoseconds in a millisecond */

void consumer_reset(struct consumer_wait *w)
{
	w->listening = false;
}

/* LISTEN or UNLISTEN recording_events, when not so already. 0 or -1. */
static int listen_set(struct consumer_wait *w, PGconn *c, bool on)
{
	PGresult *r;
	int ok;

	if (w->listening == on)
		return 0;
	r = PQexec(c, on ? "LISTEN recording_events" : "UNLISTEN recording_events");
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok)
		return -1;
	w->listening = on;
	return 0;
}

int consumer_pause(struct consumer_wait *w, PGconn *c, int n, int ms)
{
	if (w->burst > 0 && n >= w->burst) {
		struct timespec gap = {.tv_sec = w->gap_ms / 1000,
		                       .tv_nsec = (long)(w->gap_ms % 1000) * MS_NS};
		if (listen_set(w, c, false) != 0)
			return -1;
		nanosleep(&gap, NULL); /* (a signal cuts it short: the caller looks) */
		return 0;
	}
	if (!w->listening)
		return listen_set(w, c, true); /* then read once more before waiting */
	return consumer_wait(c, ms);
}

int consumer_wait(PGconn *c, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000};
	int fd = PQsocket(c);
	PGnotify *nt;
	bool kept = false;
	fd_set rd;

	if (fd < 0 || PQconsumeInput(c) == 0)
		return -1;
	/* A notification that came in with a query's answer waits in libpq, not in the
	 * socket: select would sleep the whole wait on it. */
	while ((nt = PQnotifies(c)) != NULL) {
		PQfreemem(nt);
		kept = true;
	}
	if (kept)
		return 0;
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	if (select(fd + 1, &rd, NULL, NULL, &tv) < 0 && errno != EINTR)
		return -1;
	if (PQconsumeInput(c) == 0)
		return -1;
	while ((nt = PQnotifies(c)) != NULL)
		PQfreemem(nt);
	return 0;
}
