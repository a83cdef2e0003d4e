/*
 * adapter.c - pc-media, the media adapter: makes the media engine follow the recording
 * changes of the calls it carries, and turns each ended call's recording into one WAV
 * per view.
 *
 *   pc-media [-c NAME] [-e HOST:PORT] [-s SPOOL] [-r DIR] [-m FILE] [-k DAYS]
 *
 * NAME (default "media") is its consumer of the event stream (event_ack); -e the
 * engine's control address (rtpengine's NG port, 127.0.0.1:2223); -s the engine's
 * recording directory (rtpengine's recording-dir: pcaps/ and metadata/); -r where the
 * WAVs go (DIR/<organization>/<phoneCallId>/<viewId>.wav and .json); -m a file for its
 * metrics in the Prometheus text format (node_exporter's textfile collector reads such
 * files); -k how many days recordings are kept (0: forever). The database: PC_DB or the
 * PG* variables.
 *
 * Exactly once: each batch is one transaction that takes the consumer's row lock
 * (pc_media_next: a second adapter under the same name waits there, a standby), applies
 * each event to the engine, and commits the outcomes and the acknowledgement, durably,
 * only after the engine confirmed. An engine that does not answer is asked again with
 * backoff; the transaction is rolled back meanwhile, so nothing is acknowledged. An
 * adapter killed after the engine applied an event and before the commit applies it again
 * when it comes back: the engine's capture is idempotent (engine.h), so nothing changes.
 *
 * Every BEAT_MS it pings the engine and, when it answers, confirms a live media plane in
 * the database (pc_media_beat); the API refuses PUTs on media calls without a fresh one.
 * SIGTERM or SIGINT: it stops after the batch in hand.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "clock.h"
#include "consumer.h"
#include "engine.h"
#include "rec.h"
#include "wav49.h"

#define BATCH_N 64        /* events read per transaction */
#define FILES "8"         /* audio files made per round */
#define READ_GAP_MS 5     /* while changes keep coming, read this often */
#define READ_BURST 4      /* a read of this many changes or more: they keep coming */
#define BEAT_MS 500       /* confirm a live engine this often (pc_media_stale(): 2 s) */
#define POLL_MS 1000      /* read even without a notification this often */
#define RETRY_MIN_MS 50   /* first wait before asking a silent engine again */
#define RETRY_MAX_MS 2000 /* longest wait between two tries */
#define RECONNECT_MS 1000 /* wait before reconnecting to the database */
#define FINISH_WAIT_S 30  /* an ended call's recording may take this long to be closed */
#define SWEEP_S 3600      /* look for recordings past their time this often */
#define NAME_DEFAULT "media"
#define ID_MAX 64 /* a consumer's, an adapter's name */

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

struct adapter {
	PGconn *db;
	struct engine *eng;
	const char *consumer;
	char name[ID_MAX + 1];     /* in media_heartbeat */
	const char *out;           /* the WAVs */
	const char *metrics;       /* the metrics file, or NULL */
	int keep_days;             /* 0: keep forever */
	bool engine_up;            /* the engine answered last time */
	long long next_beat;       /* ms, monotonic */
	long long next_sweep;      /* s, monotonic */
	long long retry_ms;        /* current backoff, 0 when none */
	long long next_files;      /* ms, monotonic: look for audio files to make then */
	bool files_due;            /* an ended view's file was put in hand */
	struct consumer_wait wait; /* between reads (listening between bursts only) */
	unsigned long long applied, failed, retried, files_made, files_failed;
	double lag; /* of the last event applied: from its commit to the engine's ok */
};

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Unix time in seconds as a timestamptz literal PostgreSQL reads. */
static void ts_text(double t, char *buf, size_t cap)
{
	snprintf(buf, cap, "%.6f", t);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	fprintf(stderr, "%s pc-media[%d] ", ts, (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *sqlstate(const PGresult *r)
{
	const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	return s ? s : "none";
}

/* Runs sql (no rows expected back but a status); false, logged, when it fails. */
static bool exec_ok(PGconn *c, const char *what, const char *sql, int n, const char *const *v)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		say("%s failed: sqlstate=%s", what, sqlstate(r));
	PQclear(r);
	return ok;
}

/* The metrics file: written whole to a new file renamed over the old one. */
static void write_metrics(const struct adapter *a)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (a->metrics == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.new", a->metrics);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f,
	        "# HELP phonecalls_media_adapter_events_total Recording changes the adapter took "
	        "to the engine, by result (applied, failed: the engine refused).\n"
	        "# TYPE phonecalls_media_adapter_events_total counter\n"
	        "phonecalls_media_adapter_events_total{result=\"applied\"} %llu\n"
	        "phonecalls_media_adapter_events_total{result=\"failed\"} %llu\n"
	        "# HELP phonecalls_media_adapter_retries_total Requests sent again because the "
	        "engine did not answer.\n"
	        "# TYPE phonecalls_media_adapter_retries_total counter\n"
	        "phonecalls_media_adapter_retries_total %llu\n"
	        "# HELP phonecalls_media_adapter_files_total Audio files of ended calls, by "
	        "result.\n"
	        "# TYPE phonecalls_media_adapter_files_total counter\n"
	        "phonecalls_media_adapter_files_total{result=\"made\"} %llu\n"
	        "phonecalls_media_adapter_files_total{result=\"failed\"} %llu\n"
	        "# HELP phonecalls_media_adapter_engine_up 1 when the engine answered the last "
	        "ping or request.\n"
	        "# TYPE phonecalls_media_adapter_engine_up gauge\n"
	        "phonecalls_media_adapter_engine_up %d\n"
	        "# HELP phonecalls_media_adapter_lag_seconds From the commit of the last change "
	        "applied to the engine's confirmation.\n"
	        "# TYPE phonecalls_media_adapter_lag_seconds gauge\n"
	        "phonecalls_media_adapter_lag_seconds %.6f\n"
	        "# HELP phonecalls_media_adapter_time_seconds When this file was written, in "
	        "Unix time.\n"
	        "# TYPE phonecalls_media_adapter_time_seconds gauge\n"
	        "phonecalls_media_adapter_time_seconds %.3f\n",
	        a->applied, a->failed, a->retried, a->files_made, a->files_failed,
	        a->engine_up ? 1 : 0, a->lag, wall_s());
	if (fclose(f) != 0 || rename(tmp, a->metrics) != 0)
		unlink(tmp);
}

/* Pings the engine and, when it answers, confirms a live media plane. */
static void beat(struct adapter *a)
{
	char err[ENGINE_ERR_MAX];
	const char *v[2] = {a->name, engine_name(a->eng)};
	bool up = engine_ping(a->eng, err, sizeof(err)) == ENGINE_OK;

	if (up != a->engine_up)
		say(up ? "engine %s answers" : "engine %s does not answer: %s", engine_name(a->eng),
		    err);
	a->engine_up = up;
	if (up && a->db != NULL)
		exec_ok(a->db, "heartbeat", "SELECT pc_media_beat($1, $2)", 2, v);
	a->next_beat = clock_ms() + BEAT_MS;
	write_metrics(a);
}

/* The per-organization high-water marks of a batch as two bigint[] literals. Rows come
 * ordered by organization, then number, so the last row of each organization is its
 * highest. */
static void ack_arrays(const PGresult *r, char *orgs, char *seqs, size_t cap)
{
	size_t no = 0, ns = 0;
	int n = PQntuples(r);

	orgs[no++] = '{';
	seqs[ns++] = '{';
	for (int i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(PQgetvalue(r, i, 1), PQgetvalue(r, i + 1, 1)) == 0)
			continue;
		no += (size_t)snprintf(orgs + no, cap - no, "%s%s", no > 1 ? "," : "",
		                       PQgetvalue(r, i, 1));
		ns += (size_t)snprintf(seqs + ns, cap - ns, "%s%s", ns > 1 ? "," : "",
		                       PQgetvalue(r, i, 2));
	}
	snprintf(orgs + no, cap - no, "}");
	snprintf(seqs + ns, cap - ns, "}");
}

/* The columns of pc_media_next's rows. */
enum { C_EVENT, C_ORG, C_SEQ, C_ACTION, C_CALL, C_VIEW, C_CAPTURE, C_SIP, C_FILE, C_CREATED };

/*
 * One batch: read, apply, record, acknowledge, in one transaction. Returns the events
 * handled (0: none waiting), or -1: the database failed (reconnect), -2: the engine did
 * not answer (nothing acknowledged; try again after a wait).
 */
static int batch(struct adapter *a)
{
	static const char next_sql[] =
	    "SELECT event_id, org_id, seq, action, call_id, view_id, capture, sip_call_id, file, "
	    "created_at FROM pc_media_next($1, $2::integer)";
	static const char outcome_sql[] =
	    "SELECT pc_media_outcome($1, $2::bigint, to_timestamp($3::double precision), "
	    "to_timestamp($4::double precision), $5, $6::integer)";
	char limit[16];
	const char *nv[2] = {a->consumer, limit};
	PGresult *r = NULL;
	bool applied_any = false;
	int n, rc = -1;

	snprintf(limit, sizeof(limit), "%d", BATCH_N);
	if (!exec_ok(a->db, "seal", "SELECT pc_events_seal()", 0, NULL) ||
	    !exec_ok(a->db, "begin", "BEGIN", 0, NULL))
		return -1;
	r = PQexecParams(a->db, next_sql, 2, NULL, nv, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != C_CREATED + 1) {
		say("read failed: sqlstate=%s", sqlstate(r));
		goto rollback;
	}
	if ((n = PQntuples(r)) == 0) {
		rc = 0;
		goto rollback;
	}
	for (int i = 0; i < n; i++) {
		char err[ENGINE_ERR_MAX] = "", sent[32], at[32], tries[16], *atp = at;
		const char *sip = PQgetvalue(r, i, C_SIP);
		bool on = strcmp(PQgetvalue(r, i, C_CAPTURE), "t") == 0;
		enum engine_result res;
		int attempt = 0;
		double t_sent;

		if (PQgetisnull(r, i, C_SIP))
			continue; /* a call no engine carries: acknowledged, nothing to apply */
		applied_any = true;
		if (!PQgetisnull(r, i, C_FILE))
			a->files_due = true; /* pc_media_outcome puts the view's file in hand */
		do {
			if (attempt > 0) {
				a->retried++;
				usleep((useconds_t)(RETRY_MIN_MS << (attempt - 1)) * 1000);
			}
			t_sent = wall_s();
			res = engine_capture(a->eng, sip, on, err, sizeof(err));
		} while (res == ENGINE_DOWN && ++attempt < 3 && !stopping);
		if (res == ENGINE_DOWN) {
			a->engine_up = false;
			say("engine %s does not answer (%s): event %s waits", engine_name(a->eng),
			    err, PQgetvalue(r, i, C_EVENT));
			rc = -2;
			goto rollback;
		}
		a->engine_up = true;
		/* stopping a call the engine does not carry: nothing of it is captured */
		if (res == ENGINE_NO_CALL && !on)
			res = ENGINE_OK;
		ts_text(t_sent, sent, sizeof(sent));
		ts_text(wall_s(), at, sizeof(at));
		snprintf(tries, sizeof(tries), "%d", attempt + 1);
		if (res == ENGINE_OK) {
			a->applied++;
			a->lag = wall_s() - strtod(PQgetvalue(r, i, C_CREATED), NULL);
		} else {
			a->failed++;
			atp = NULL;
			say("event %s (%s of call %s) refused by the engine: %s",
			    PQgetvalue(r, i, C_EVENT), PQgetvalue(r, i, C_ACTION),
			    PQgetvalue(r, i, C_CALL), err);
		}
		const char *ov[6] = {a->consumer, PQgetvalue(r, i, C_EVENT),     sent,
		                     atp,         res == ENGINE_OK ? NULL : err, tries};
		if (!exec_ok(a->db, "outcome", outcome_sql, 6, ov))
			goto rollback;
	}
	{
		char orgs[32 * 64 + 3], seqs[32 * 64 + 3];
		const char *av[3] = {a->consumer, orgs, seqs};
		ack_arrays(r, orgs, seqs, sizeof(orgs));
		/* what the engine applied is recorded on the disk before the commit returns (one
		 * lost would be applied again); a batch of other calls' events alone is only
		 * acknowledged, which may be lost and read again at no harm, so it does not wait
		 * for the disk (the session's setting) */
		if (!exec_ok(a->db, "acknowledgement",
		             "SELECT pc_media_ack($1, $2::bigint[], $3::bigint[])", 3, av) ||
		    (applied_any && !exec_ok(a->db, "durable commit",
		                             "SET LOCAL synchronous_commit = on", 0, NULL)) ||
		    !exec_ok(a->db, "commit", "COMMIT", 0, NULL))
			goto rollback;
	}
	PQclear(r);
	return n;
rollback:
	PQclear(r);
	if (PQstatus(a->db) == CONNECTION_OK && !exec_ok(a->db, "rollback", "ROLLBACK", 0, NULL))
		rc = -1;
	return rc;
}

/* Makes the directories of path (mode 0750) up to its last component. */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/*
 * The audio file of one ended view: its intervals from the database, the call's pcaps,
 * rec_view_wav. Returns 1 made, 0 not yet (the engine still writes the call), -1 given
 * up (err says why).
 */
static int make_file(struct adapter *a, const PGresult *f, int i, char *err, size_t errlen)
{
	static char paths[REC_FILES_MAX][PATH_MAX];
	const char *pv[2] = {PQgetvalue(f, i, 1), PQgetvalue(f, i, 2)};
	char wav[PATH_MAX], json[PATH_MAX];
	const char *list[REC_FILES_MAX];
	struct rec_interval iv[REC_INTERVALS_MAX];
	struct rec_stats st;
	size_t n, niv = 0;
	PGresult *r;
	int done;

	if ((done = engine_recording(a->eng, PQgetvalue(f, i, 3), paths, REC_FILES_MAX, &n)) < 0) {
		snprintf(err, errlen, "cannot read the engine's recordings: %s", strerror(errno));
		return -1;
	}
	/* a recording the engine never closed (it died with the call): what it wrote */
	if (done == 0 && wall_s() - strtod(PQgetvalue(f, i, 5), NULL) < FINISH_WAIT_S)
		return 0;
	r = PQexecParams(a->db, "SELECT from_us, to_us FROM pc_media_intervals($1, $2)", 2, NULL,
	                 pv, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "intervals: sqlstate=%s", sqlstate(r));
		PQclear(r);
		return 0; /* the database: try again */
	}
	for (int k = 0; k < PQntuples(r) && niv < REC_INTERVALS_MAX; k++, niv++) {
		iv[niv].from_us = strtoll(PQgetvalue(r, k, 0), NULL, 10);
		iv[niv].to_us = strtoll(PQgetvalue(r, k, 1), NULL, 10);
	}
	PQclear(r);
	for (size_t k = 0; k < n; k++)
		list[k] = paths[k];
	snprintf(wav, sizeof(wav), "%s/%s", a->out, PQgetvalue(f, i, 4));
	snprintf(json, sizeof(json), "%.*s.json", (int)(strlen(wav) - 4), wav);
	if (make_dirs(wav) != 0) {
		snprintf(err, errlen, "cannot make the directory of %s: %s", wav, strerror(errno));
		return -1;
	}
	/* in the view's format: PCM ("wav"), or GSM 06.10 ("wav49") made from the PCM */
	bool gsm = strcmp(PQgetvalue(f, i, 6), "wav49") == 0;
	char pcm[PATH_MAX + 8];
	snprintf(pcm, sizeof(pcm), "%s%s", wav, gsm ? ".pcm" : "");
	if (rec_view_wav(list, n, iv, niv, pcm, json, &st) != 0) {
		snprintf(err, errlen, "%.*s", (int)(errlen > 1 ? errlen - 1 : 0), st.error);
		return -1;
	}
	if (gsm) {
		int rc = rec_wav49(pcm, wav, err, errlen);
		unlink(pcm);
		if (rc != 0)
			return -1;
	}
	return 1;
}

/* The audio files in hand; returns how many were settled, -1 when the database failed. */
static int files(struct adapter *a)
{
	const char *fv[2] = {a->consumer, FILES};
	PGresult *f = PQexecParams(a->db,
	                           "SELECT event_id, call_id, view_id, sip_call_id, file, "
	                           "ended, format FROM pc_media_files($1, $2::integer)",
	                           2, NULL, fv, NULL, NULL, 0);
	int settled = 0;

	if (PQresultStatus(f) != PGRES_TUPLES_OK) {
		say("files: sqlstate=%s", sqlstate(f));
		PQclear(f);
		return -1;
	}
	for (int i = 0; i < PQntuples(f) && !stopping; i++) {
		char err[ENGINE_ERR_MAX] = "";
		int made = make_file(a, f, i, err, sizeof(err));
		const char *dv[2] = {PQgetvalue(f, i, 0), made > 0 ? NULL : err};
		PGresult *d;
		bool last;
		if (made == 0)
			continue;
		d = PQexecParams(a->db, "SELECT pc_media_file_done($1::bigint, $2)", 2, NULL, dv,
		                 NULL, NULL, 0);
		if (PQresultStatus(d) != PGRES_TUPLES_OK || PQntuples(d) != 1) {
			say("file done failed: sqlstate=%s", sqlstate(d));
			PQclear(d);
			break;
		}
		last = strcmp(PQgetvalue(d, 0, 0), "0") == 0;
		PQclear(d);
		settled++;
		if (made > 0) {
			a->files_made++;
		} else {
			a->files_failed++;
			say("file %s of call %s: %s", PQgetvalue(f, i, 4), PQgetvalue(f, i, 1),
			    err);
		}
		/* the call's last file: the engine's recording goes, which holds the whole
		 * call (a stopped view's audio too, when another view recorded) */
		if (last)
			engine_recording_drop(a->eng, PQgetvalue(f, i, 3));
	}
	PQclear(f);
	return settled;
}

/* Removes what is older than a's keep_days under dir: the calls' directories,
 * <org>/<call>, by the time their files were last written, then emptied organizations. */
static void sweep(struct adapter *a)
{
	time_t limit = time(NULL) - (time_t)a->keep_days * 86400;
	char org[PATH_MAX], call[PATH_MAX], file[PATH_MAX];
	struct dirent *o, *c, *f;
	DIR *od, *cd, *fd;
	struct stat st;

	a->next_sweep = clock_ms() / 1000 + SWEEP_S;
	if (a->keep_days == 0 || (od = opendir(a->out)) == NULL)
		return;
	while ((o = readdir(od)) != NULL) {
		if (o->d_name[0] == '.' || strspn(o->d_name, "0123456789") != strlen(o->d_name))
			continue;
		snprintf(org, sizeof(org), "%.*s/%s", PATH_MAX / 2, a->out, o->d_name);
		if ((cd = opendir(org)) == NULL)
			continue;
		while ((c = readdir(cd)) != NULL) {
			if (c->d_name[0] == '.')
				continue;
			snprintf(call, sizeof(call), "%.*s/%.*s", PATH_MAX / 2, org, 200,
			         c->d_name);
			if (stat(call, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_mtime >= limit)
				continue;
			if ((fd = opendir(call)) == NULL)
				continue;
			while ((f = readdir(fd)) != NULL) {
				if (f->d_name[0] == '.')
					continue;
				snprintf(file, sizeof(file), "%.*s/%.*s", PATH_MAX / 2, call, 200,
				         f->d_name);
				unlink(file);
			}
			closedir(fd);
			if (rmdir(call) == 0)
				say("recordings of call %s removed (older than %d days)", c->d_name,
				    a->keep_days);
		}
		closedir(cd);
		rmdir(org); /* only when empty */
	}
	closedir(od);
}

static PGconn *connect_db(void)
{
	const char *ci = getenv("PC_DB");
	PGconn *c = PQconnectdb(ci ? ci : "");

	if (PQstatus(c) != CONNECTION_OK) {
		say("database: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	/* heartbeats and reads need not wait for the disk; a batch's commit does (it sets
	 * that itself, pc_media_next). The same few queries run all day with arguments that
	 * do not change their best plan: planned once (PL/pgSQL otherwise plans
	 * pc_media_next's read at every call, 0.5 ms of its 0.8) */
	if (!exec_ok(c, "settings",
	             "SELECT set_config('synchronous_commit', 'off', false), "
	             "set_config('plan_cache_mode', 'force_generic_plan', false), "
	             "set_config('application_name', 'pc-media', false)",
	             0, NULL)) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* A connection that failed: closed, made again at the next round. */
static void db_drop(struct adapter *a)
{
	PQfinish(a->db);
	a->db = NULL;
	consumer_reset(&a->wait);
}

static int usage(void)
{
	fprintf(stderr, "usage: pc-media [-c NAME] [-e HOST:PORT] [-s SPOOL] [-r DIR] [-m FILE] "
	                "[-k DAYS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct adapter a = {.consumer = NAME_DEFAULT,
	                    .out = "/var/lib/phonecalls/recordings",
	                    .wait = {.burst = READ_BURST, .gap_ms = READ_GAP_MS}};
	const char *addr = "127.0.0.1:2223", *spool = "/var/spool/rtpengine";
	char err[ENGINE_ERR_MAX], host[ID_MAX];
	struct sigaction sa = {.sa_handler = on_stop};
	int opt;

	while ((opt = getopt(argc, argv, "c:e:s:r:m:k:")) != -1) {
		switch (opt) {
		case 'c':
			a.consumer = optarg;
			break;
		case 'e':
			addr = optarg;
			break;
		case 's':
			spool = optarg;
			break;
		case 'r':
			a.out = optarg;
			break;
		case 'm':
			a.metrics = optarg;
			break;
		case 'k':
			a.keep_days = atoi(optarg);
			break;
		default:
			return usage();
		}
	}
	if (optind != argc || strlen(a.consumer) > ID_MAX - 16 ||
	    strspn(a.consumer,
	           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
	        strlen(a.consumer) ||
	    a.keep_days < 0)
		return usage();
	/* the heartbeat's name: the consumer on this host */
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-",
		           *p) == NULL)
			*p = '_';
	snprintf(a.name, sizeof(a.name), "%s.%.*s", a.consumer, ID_MAX - 16, host);
	if ((a.eng = engine_open(addr, spool, err, sizeof(err))) == NULL) {
		say("%s", err);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	umask(027);
	say("consumer %s, engine %s, recordings %s", a.consumer, engine_name(a.eng), a.out);
	while (!stopping) {
		int n;
		if (a.db == NULL && (a.db = connect_db()) == NULL) {
			usleep(RECONNECT_MS * 1000);
			continue;
		}
		if (clock_ms() >= a.next_beat)
			beat(&a);
		n = batch(&a);
		if (n == -1 || PQstatus(a.db) != CONNECTION_OK) {
			db_drop(&a);
			continue;
		}
		if (n == -2) {
			/* the engine is silent: no heartbeat either, so PUTs answer 503 */
			a.retry_ms = a.retry_ms ? a.retry_ms * 2 : RETRY_MIN_MS;
			if (a.retry_ms > RETRY_MAX_MS)
				a.retry_ms = RETRY_MAX_MS;
			write_metrics(&a);
			if (consumer_wait(a.db, (int)a.retry_ms) != 0) {
				say("database: %s", PQerrorMessage(a.db));
				db_drop(&a);
			}
			continue;
		}
		a.retry_ms = 0;
		if (n == BATCH_N)
			continue; /* more may wait */
		if (a.files_due || clock_ms() >= a.next_files) {
			a.files_due = false;
			a.next_files = clock_ms() + POLL_MS;
			if (files(&a) < 0) {
				db_drop(&a);
				continue;
			}
		}
		if (clock_ms() / 1000 >= a.next_sweep)
			sweep(&a);
		/* listening between bursts only (common/consumer.h); woken for the next
		 * heartbeat at the latest */
		long long until_beat = a.next_beat - clock_ms();
		if (consumer_pause(&a.wait, a.db, n,
		                   (int)(until_beat < 0         ? 0
		                         : until_beat < POLL_MS ? until_beat
		                                                : POLL_MS)) != 0) {
			say("database: %s", PQerrorMessage(a.db));
			db_drop(&a);
		}
	}
	PQfinish(a.db);
	engine_close(a.eng);
	say("stopped");
	return 0;
}
