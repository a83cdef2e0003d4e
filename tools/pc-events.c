/*
 * pc-events.c - follows the recording event stream for a PBX adapter. Prints one JSON
 * line per event, in order within each organization, and acknowledges what it printed
 * in event_ack, so that after a restart it goes on from there.
 *
 *   pc-events [-c NAME] [-o FILE]
 *
 * NAME (default "pbx") is the consumer whose acknowledgements are used; a new name starts
 * from the first event. Lines go to standard output, or are appended to FILE. A line is
 * written, flushed (and with -o synced) before its event is acknowledged. So a consumer
 * killed in between prints that event again on standard output; with -o it reads the
 * numbers back from FILE when it starts, and prints every event exactly once.
 *
 * It reads when it starts or reconnects, when notified on recording_events, and every
 * POLL_S seconds (a notification sent while it was away is not queued for it), in one
 * call per batch (pc_events_next): the call acknowledges the batch printed before,
 * numbers what committed since (the numbers durable before they are handed over) and
 * returns whatever is past the acknowledgements. It listens all the time (consumer.h):
 * not listening between reads of a burst, as the media adapter does to save its server
 * process a wake-up per change, made what comes in a burst wait for the next read (p50
 * 12 ms against 5-7 ms, BENCHMARKS.md). The database: PC_DB (a libpq conninfo)
 * or the PG* variables. SIGTERM or SIGINT: it stops after the batch in hand, acknowledged.
 *
 * Acknowledgements are committed without waiting for the disk (synchronous_commit off):
 * the consumer keeps the last number it printed per organization and acknowledges them
 * all again on every new connection, so one lost in a database crash is made good before
 * anything is read. (A batch's numbers themselves reach the disk before they are read:
 * the seal commits synchronously whatever the session says.)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <yajl/yajl_gen.h>

#include "consumer.h"

#define BATCH "500"   /* events read per query */
#define POLL_S 5      /* read even without a notification this often */
#define ACK_MS 100    /* a printed batch waits this long to ride on the next read */
#define RETRY_S 1     /* wait before reconnecting */
#define MARKS_MIN 64  /* first size of an organization -> number map (a power of 2) */
#define NUM_MAX 24    /* a bigint in decimal, with its comma */
#define LINE_MAX 4096 /* longest line read back from FILE */
#define NAME_DEFAULT "pbx"

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Organization -> highest number, open addressing (organization ids are positive: 0 is
 * a free slot). Used for what was ever printed (found in FILE at start, then each batch)
 * and for the batch in hand. */
struct marks {
	long long *org, *seq;
	size_t cap, n;
};

/* One round trip per batch (schema/014): acknowledges what was printed of the last one
 * ($3, $4: the highest number per organization), numbers what committed since the last
 * seal (durably, before the rows are handed over) and reads the next batch of at most
 * $2 events (0 when stopping: only the acknowledgement). */
static const char *const next_sql =
    "SELECT org_id, seq, action, call_id, view_id, extension, actor_user_id, app_id, "
    "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char(stopped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "format, request_id, file FROM pc_events_next($1, $2::integer, $3::bigint[], "
    "$4::bigint[])";

/* Acknowledgements without waiting for the disk (above); and the read planned once: its
 * arguments never change the best plan, and PL/pgSQL would otherwise plan it anew at
 * every call. */
static const char *const session_sql =
    "SET synchronous_commit = off; SET plan_cache_mode = force_generic_plan";

/* Notes seq for org (the highest one stays). 0, or -1 when out of memory. */
static int marks_note(struct marks *m, long long org, long long seq)
{
	unsigned long long h;
	size_t i;

	if (2 * (m->n + 1) > m->cap) { /* at most half full */
		struct marks g = {.cap = m->cap ? 2 * m->cap : MARKS_MIN};
		g.org = calloc(g.cap, sizeof(*g.org));
		g.seq = calloc(g.cap, sizeof(*g.seq));
		if (g.org == NULL || g.seq == NULL) {
			free(g.org);
			free(g.seq);
			return -1;
		}
		for (i = 0; i < m->cap; i++)
			if (m->org[i] != 0)
				marks_note(&g, m->org[i], m->seq[i]);
		free(m->org);
		free(m->seq);
		*m = g;
	}
	h = (unsigned long long)org * 0x9E3779B97F4A7C15ULL; /* Fibonacci hashing */
	for (i = (size_t)(h ^ h >> 29) & (m->cap - 1); m->org[i] != 0 && m->org[i] != org;
	     i = (i + 1) & (m->cap - 1))
		;
	if (m->org[i] == 0) {
		m->org[i] = org;
		m->seq[i] = seq;
		m->n++;
	} else if (seq > m->seq[i])
		m->seq[i] = seq;
	return 0;
}

static void marks_clear(struct marks *m)
{
	if (m->n == 0)
		return;
	memset(m->org, 0, m->cap * sizeof(*m->org));
	m->n = 0;
}

/* The marks of m as two bigint[] literals, "{o1,o2}" and "{s1,s2}", into *orgs and
 * *seqs (to free). 0 or -1. */
static int marks_arrays(const struct marks *m, char **orgs, char **seqs)
{
	size_t size = 3 + m->n * NUM_MAX, lo = 0, ls = 0;
	char *o = malloc(size), *s = malloc(size);

	if (o == NULL || s == NULL) {
		free(o);
		free(s);
		return -1;
	}
	o[lo++] = '{';
	s[ls++] = '{';
	for (size_t i = 0; i < m->cap; i++) {
		if (m->org[i] == 0)
			continue;
		lo += (size_t)snprintf(o + lo, size - lo, "%s%lld", lo > 1 ? "," : "", m->org[i]);
		ls += (size_t)snprintf(s + ls, size - ls, "%s%lld", ls > 1 ? "," : "", m->seq[i]);
	}
	o[lo++] = '}';
	s[ls++] = '}';
	o[lo] = s[ls] = '\0';
	*orgs = o;
	*seqs = s;
	return 0;
}

/* Reads FILE back: drops a last line cut short, and notes the last number per
 * organization. 0, or -1 when FILE cannot be read or memory is short. */
static int read_back(const char *path, struct marks *printed)
{
	char line[LINE_MAX];
	long good = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		long long org, seq;
		const char *p;
		if (strchr(line, '\n') == NULL)
			break; /* cut short by a kill: written again */
		good = ftell(f);
		if ((p = strstr(line, "\"org\":")) == NULL ||
		    sscanf(p, "\"org\":%lld", &org) != 1 ||
		    (p = strstr(line, "\"seq\":")) == NULL || sscanf(p, "\"seq\":%lld", &seq) != 1)
			continue;
		if (marks_note(printed, org, seq) != 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return truncate(path, good);
}

static void put_str(yajl_gen g, const char *k, const char *v)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
	if (v == NULL)
		yajl_gen_null(g);
	else
		yajl_gen_string(g, (const unsigned char *)v, strlen(v));
}

static void put_num(yajl_gen g, const char *k, const char *v)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
	if (v == NULL)
		yajl_gen_null(g);
	else
		yajl_gen_number(g, v, strlen(v));
}

/* One event of row i as a JSON line into out. 0 or -1. */
static int print_event(const PGresult *r, int i, FILE *out)
{
	static const char *const keys[] = {"org",     "seq",       "action", "call",
	                                   "view",    "extension", "user",   "app",
	                                   "started", "stopped",   "format", "requestId"};
	static const int number[] = {1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0};
	const unsigned char *buf;
	size_t len;
	int rc = 0;
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL)
		return -1;
	yajl_gen_map_open(g);
	for (int k = 0; k < 12; k++) {
		const char *v = PQgetisnull(r, i, k) ? NULL : PQgetvalue(r, i, k);
		(number[k] ? put_num : put_str)(g, keys[k], v);
	}
	/* the end of a view of a media call: its audio file, relative to the adapter's
	 * recordings directory (the other lines are as they were) */
	if (!PQgetisnull(r, i, 12))
		put_str(g, "file", PQgetvalue(r, i, 12));
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok ||
	    fwrite(buf, 1, len, out) != len || fputc('\n', out) == EOF)
		rc = -1;
	yajl_gen_free(g);
	return rc;
}

/* Prints and acknowledges the events past the acknowledgements, a batch at a time.
 * What is printed is noted in printed before it is acknowledged; the first call on a new
 * connection acknowledges all of it again, so an acknowledgement lost with the
 * connection (a database restart) or with the database's unflushed commits is made good
 * before anything is read, and nothing is printed twice. Each batch is acknowledged by
 * the call that reads the next; the last one read (fewer than BATCH) is left in batch,
 * for the next call (the caller's). Returns how many were printed, or -1 on a database,
 * output or memory error. */
static int drain(PGconn *c, const char *name, FILE *out, int sync, struct marks *printed,
                 struct marks *batch, int first)
{
	const struct marks *acks = first ? printed : batch;
	int total = 0;

	for (;;) {
		char *orgs, *seqs;
		const char *v[4];
		PGresult *r;
		int n;

		if (marks_arrays(acks, &orgs, &seqs) != 0)
			return -1;
		v[0] = name;
		v[1] = stopping ? "0" : BATCH;
		v[2] = orgs;
		v[3] = seqs;
		r = PQexecParams(c, next_sql, 4, NULL, v, NULL, NULL, 0);
		free(orgs);
		free(seqs);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "pc-events: read failed: %s", PQerrorMessage(c));
			PQclear(r);
			return -1;
		}
		marks_clear(batch); /* acknowledged */
		acks = batch;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			if (print_event(r, i, out) != 0) {
				PQclear(r);
				return -1;
			}
		}
		/* written and on disk before acknowledged */
		if (fflush(out) != 0 || (sync && fsync(fileno(out)) != 0)) {
			PQclear(r);
			return -1;
		}
		/* the last row of each organization carries its highest number */
		for (int i = 0; i < n; i++) {
			long long org, seq;
			if (i + 1 < n && strcmp(PQgetvalue(r, i, 0), PQgetvalue(r, i + 1, 0)) == 0)
				continue;
			org = atoll(PQgetvalue(r, i, 0));
			seq = atoll(PQgetvalue(r, i, 1));
			if (marks_note(printed, org, seq) != 0 ||
			    marks_note(batch, org, seq) != 0) {
				PQclear(r);
				return -1;
			}
		}
		PQclear(r);
		total += n;
		if (n < atoi(BATCH) || stopping)
			return total;
	}
}

int main(int argc, char **argv)
{
	const char *name = NAME_DEFAULT, *path = NULL, *db = getenv("PC_DB");
	struct marks printed = {0}, batch = {0};
	struct consumer_wait wait = {.burst = 0}; /* listening whatever comes */
	struct sigaction sa;
	FILE *out = stdout;
	int opt;

	while ((opt = getopt(argc, argv, "c:o:")) != -1) {
		if (opt == 'c')
			name = optarg;
		else if (opt == 'o')
			path = optarg;
		else {
			fprintf(stderr, "usage: pc-events [-c NAME] [-o FILE]\n");
			return 2;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (path != NULL) {
		if (read_back(path, &printed) != 0 || (out = fopen(path, "a")) == NULL) {
			fprintf(stderr, "pc-events: cannot use %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	while (!stopping) {
		PGconn *c = PQconnectdb(db ? db : "");
		PGresult *r;
		int ok = PQstatus(c) == CONNECTION_OK;

		if (ok) {
			r = PQexec(c, session_sql);
			ok = PQresultStatus(r) == PGRES_COMMAND_OK;
			PQclear(r);
		}
		consumer_reset(&wait);
		/* What is printed (FILE, or a batch whose acknowledgement was lost) is
		 * acknowledged by the first read. The last batch read is acknowledged by the
		 * next read, when notified, or after ACK_MS: not in a round trip of its own
		 * between a notification and its read. */
		for (int first = 1, n = 0; ok && !stopping; first = 0)
			ok =
			    (n = drain(c, name, out, path != NULL, &printed, &batch, first)) >= 0 &&
			    (stopping || consumer_pause(&wait, c, n,
			                                batch.n > 0 ? ACK_MS : POLL_S * 1000) == 0);
		/* stopping: the batch in hand acknowledged (a read of none) */
		if (ok && batch.n > 0)
			ok = drain(c, name, out, path != NULL, &printed, &batch, 0) >= 0;
		if (!ok && !stopping) {
			fprintf(stderr, "pc-events: database: %s", PQerrorMessage(c));
			if (ferror(out)) {
				PQfinish(c);
				return 1;
			}
		}
		PQfinish(c);
		if (!stopping)
			sleep(RETRY_S);
	}
	free(printed.org);
	free(printed.seq);
	free(batch.org);
	free(batch.seq);
	return fclose(out) == 0 ? 0 : 1;
}
