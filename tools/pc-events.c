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
 * It LISTENs on recording_events and, when notified, when it starts or reconnects, and
 * every POLL_S seconds (a notification sent while it was away is not queued for it),
 * numbers what committed since (pc_events_seal, in a transaction of its own, so the
 * numbers are durable before it reads them) and reads whatever is past its
 * acknowledgements (pc_events_read). The database: PC_DB (a libpq conninfo) or the
 * PG* variables. SIGTERM or SIGINT: it stops after the batch in hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <yajl/yajl_gen.h>

#define BATCH "500"   /* events read per query */
#define POLL_S 5      /* read even without a notification this often */
#define RETRY_S 1     /* wait before reconnecting */
#define ORGS_MAX 4096 /* organizations whose numbers are read back from FILE */
#define LINE_MAX 4096 /* longest line read back from FILE */
#define NAME_DEFAULT "pbx"

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The last number per organization printed and not yet acknowledged: found in FILE at
 * start, or printed just before the connection was lost. */
struct seen {
	long long org[ORGS_MAX], seq[ORGS_MAX];
	int n;
};

/* Numbers what committed since the last seal (schema/013), in a transaction of its own:
 * durable before it is read. */
static const char *const seal_sql = "SELECT pc_events_seal()";

static const char *const read_sql =
    "SELECT org_id, seq, action, call_id, view_id, extension, actor_user_id, app_id, "
    "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char(stopped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "format, request_id FROM pc_events_read($1, " BATCH ")";

static const char *const ack_sql =
    "INSERT INTO event_ack AS a (consumer, org_id, seq) VALUES ($1, $2::bigint, $3::bigint) "
    "ON CONFLICT (consumer, org_id) DO UPDATE SET seq = greatest(a.seq, EXCLUDED.seq), "
    "acked_at = now()";

/* Acknowledges seq of org. 0 or -1. */
static int ack(PGconn *c, const char *name, long long org, long long seq)
{
	char o[24], s[24];
	const char *v[3] = {name, o, s};
	PGresult *r;
	int rc;

	snprintf(o, sizeof(o), "%lld", org);
	snprintf(s, sizeof(s), "%lld", seq);
	r = PQexecParams(c, ack_sql, 3, NULL, v, NULL, NULL, 0);
	rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
	PQclear(r);
	return rc;
}

/* Notes seq as printed for org (the highest one stays). -1 when sn is full. */
static int seen_note(struct seen *sn, long long org, long long seq)
{
	int i;

	for (i = 0; i < sn->n && sn->org[i] != org; i++)
		;
	if (i == sn->n) {
		if (sn->n == ORGS_MAX)
			return -1;
		sn->org[sn->n++] = org;
		sn->seq[i] = 0;
	}
	if (seq > sn->seq[i])
		sn->seq[i] = seq;
	return 0;
}

/* Reads FILE back: drops a last line cut short, and notes the last number per
 * organization. 0, or -1 when FILE cannot be read or holds too many organizations. */
static int read_back(const char *path, struct seen *sn)
{
	char line[LINE_MAX];
	long good = 0;
	FILE *f = fopen(path, "r");

	sn->n = 0;
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
		if (seen_note(sn, org, seq) != 0) {
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
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok ||
	    fwrite(buf, 1, len, out) != len || fputc('\n', out) == EOF)
		rc = -1;
	yajl_gen_free(g);
	return rc;
}

/* Prints and acknowledges the events past the acknowledgements, a batch at a time.
 * What is printed is noted in pending until it is acknowledged: a connection lost in
 * between (a database restart) leaves it there, and it is acknowledged on the next
 * connection before anything is read, so nothing is printed twice. Returns how many
 * were printed, or -1 on a database or output error. */
static int drain(PGconn *c, const char *name, FILE *out, int sync, struct seen *pending)
{
	const char *v[1] = {name};
	int total = 0;

	for (;;) {
		PGresult *r = PQexec(c, seal_sql);
		int n;
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "pc-events: seal failed: %s", PQerrorMessage(c));
			PQclear(r);
			return -1;
		}
		PQclear(r);
		r = PQexecParams(c, read_sql, 1, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "pc-events: read failed: %s", PQerrorMessage(c));
			PQclear(r);
			return -1;
		}
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
			if (i + 1 < n && strcmp(PQgetvalue(r, i, 0), PQgetvalue(r, i + 1, 0)) == 0)
				continue;
			if (seen_note(pending, atoll(PQgetvalue(r, i, 0)),
			              atoll(PQgetvalue(r, i, 1))) != 0) {
				PQclear(r);
				return -1;
			}
		}
		PQclear(r);
		for (int i = 0; i < pending->n; i++) {
			if (ack(c, name, pending->org[i], pending->seq[i]) != 0) {
				fprintf(stderr, "pc-events: acknowledge failed: %s",
				        PQerrorMessage(c));
				return -1;
			}
		}
		pending->n = 0;
		total += n;
		if (n < atoi(BATCH) || stopping)
			return total;
	}
}

/* Waits for a notification, the poll interval or a signal. -1 when the connection is
 * lost. */
static int wait_notify(PGconn *c)
{
	struct timeval tv = {.tv_sec = POLL_S};
	int fd = PQsocket(c);
	fd_set rd;
	PGnotify *nt;

	/* A notification that came in with a query's answer waits in libpq, not in the
	 * socket: select would sleep the whole poll interval on it. */
	if ((nt = PQnotifies(c)) != NULL) {
		do
			PQfreemem(nt);
		while ((nt = PQnotifies(c)) != NULL);
		return 0;
	}
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	if (select(fd + 1, &rd, NULL, NULL, &tv) < 0 && errno != EINTR)
		return -1;
	if (PQconsumeInput(c) == 0)
		return -1;
	while ((nt = PQnotifies(c)) != NULL)
		PQfreemem(nt); /* the payload names what to read; the query reads it all */
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = NAME_DEFAULT, *path = NULL, *db = getenv("PC_DB");
	static struct seen sn;
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
		if (read_back(path, &sn) != 0 || (out = fopen(path, "a")) == NULL) {
			fprintf(stderr, "pc-events: cannot use %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	while (!stopping) {
		PGconn *c = PQconnectdb(db ? db : "");
		PGresult *r;
		int ok = PQstatus(c) == CONNECTION_OK;

		/* what is printed (FILE, or a batch whose acknowledgement the connection lost)
		 * is acknowledged before reading on */
		for (int i = 0; ok && i < sn.n; i++)
			ok = ack(c, name, sn.org[i], sn.seq[i]) == 0;
		if (ok) {
			r = PQexec(c, "LISTEN recording_events");
			ok = PQresultStatus(r) == PGRES_COMMAND_OK;
			PQclear(r);
		}
		if (ok)
			sn.n = 0;
		while (ok && !stopping)
			ok = drain(c, name, out, path != NULL, &sn) >= 0 &&
			     (stopping || wait_notify(c) == 0);
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
	return fclose(out) == 0 ? 0 : 1;
}
