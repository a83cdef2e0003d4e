/*
 * db.c - PostgreSQL access. Every statement is prepared once per connection and run
 * with bound parameters; every PGresult is checked and cleared on every path.
 *
 * Behind a pooler in transaction mode (PgBouncer's pool_mode = transaction; db_new's
 * pooled), consecutive transactions of one connection may run on different server
 * sessions, so nothing is left in a session: statements are sent unnamed (Parse, Bind,
 * Execute each time), and the session settings travel with each statement, set for its
 * transaction alone, in the same round trip.
 *
 * When the connection is lost, the request in hand is retried once on a fresh
 * connection: each statement is a single transaction, and the actions are idempotent,
 * so a retry never records a change twice.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "clock.h"
#include "db.h"
#include "log.h"
#include "status.h"

struct db {
	PGconn *conn;                   /* owned; NULL when not connected */
	char *conninfo;                 /* owned */
	char *tz;                       /* owned */
	long long last_try;             /* monotonic ms of the last connection attempt */
	char app_name[DB_APP_NAME_MAX]; /* application_name: pc-worker/<instance>/<pid> */
	int down_logged;                /* the loss was logged; log the recovery once */
	bool pooled;                    /* a transaction pooler: no session state */
};

struct stmt {
	const char *name;
	const char *sql;
	int nparams;
};

enum { ST_AUTH, ST_ACT, ST_LIST, ST_TOKEN, ST_NOTIFY, ST_HEALTH, ST_WAKE, ST__MAX };

static const struct stmt stmts[ST__MAX] = {
    [ST_AUTH] = {"auth", "SELECT token_id, kind, account_id, org_id FROM pc_auth($1::bytea)", 1},
    [ST_ACT] = {"act",
                "SELECT code, call_id, extension, user_id, changed, replayed FROM pc_action("
                "$1::bigint, $2::bigint, $3::bigint, $4::boolean, $5::text, $6::text, "
                "$7::text, $8::text, $9::text, $10::text, $11::text, $12::bytea)",
                12},
    [ST_LIST] = {"list",
                 "SELECT * FROM pc_list($1::bigint, $2::bigint, $3::bigint, $4::boolean, "
                 "$5::text, $6::boolean, $7::text, $8::integer, $9::integer, $10::boolean, "
                 "$11::text, $12::text, $13::text[], $14::bigint[])",
                 14},
    [ST_TOKEN] = {"token", "SELECT pc_oauth_token($1::text, $2::bytea, $3::bytea, $4::integer)", 4},
    [ST_NOTIFY] = {"notify", "SELECT pc_notify()", 0},
    [ST_HEALTH] = {"health",
                   "SELECT pg_is_in_recovery(), m.live, m.configured, m.heartbeat_at, "
                   "m.applied, m.failed, m.lag FROM pc_media_status() m",
                   0},
    /* pooled: pc_notify() would look for the change's mark in another session */
    [ST_WAKE] = {"wake", "SELECT pg_notify('recording_events', '')", 0},
};

/* The session settings: for the session (direct), or for one transaction (pooled). */
#define SETTINGS_SQL(local)                                                                        \
	"SELECT set_config('TimeZone', $1, " local "), "                                           \
	"set_config('statement_timeout', '" DB_STATEMENT_TIMEOUT "', " local ")"

static const char *sqlstate(const PGresult *r)
{
	const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	return s ? s : "none";
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

struct db *db_new(const char *conninfo, const char *tz, const char *instance, bool pooled)
{
	struct db *d = calloc(1, sizeof(*d)); /* owned by the caller: db_free */

	if (d == NULL)
		return NULL;
	d->conninfo = dup_or_empty(conninfo);
	d->tz = dup_or_empty(tz && *tz ? tz : "UTC");
	d->last_try = -DB_RETRY_MS;
	d->pooled = pooled;
	snprintf(d->app_name, sizeof(d->app_name), "pc-worker/%.8s/%ld", instance, (long)getpid());
	if (d->conninfo == NULL || d->tz == NULL) {
		db_free(d);
		return NULL;
	}
	return d;
}

void db_free(struct db *d)
{
	if (d == NULL)
		return;
	if (d->conn != NULL)
		PQfinish(d->conn);
	free(d->conninfo);
	free(d->tz);
	free(d);
}

static void drop(struct db *d)
{
	if (d->conn != NULL)
		PQfinish(d->conn);
	d->conn = NULL;
}

/* Session settings and prepared statements of a new connection (none when pooled).
 * 0 or -1. */
static int setup(struct db *d)
{
	const char *tzp[1] = {d->tz};
	PGresult *r;

	if (d->pooled)
		return 0;
	r = PQexecParams(d->conn, SETTINGS_SQL("false"), 1, NULL, tzp, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_msg("database setup failed: sqlstate=%s", sqlstate(r));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	for (int i = 0; i < ST__MAX; i++) {
		if (i == ST_WAKE)
			continue; /* pooled only: direct, pc_notify() rides behind the change */
		r = PQprepare(d->conn, stmts[i].name, stmts[i].sql, stmts[i].nparams, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			log_msg("prepare %s failed: sqlstate=%s", stmts[i].name, sqlstate(r));
			PQclear(r);
			return -1;
		}
		PQclear(r);
	}
	return 0;
}

/* An outage is logged once, and so is its end (the first statement that works: a
 * pooler may take connections while the database behind it is down). */
static void down(struct db *d)
{
	if (!d->down_logged)
		log_msg("database unavailable");
	d->down_logged = 1;
}

static void up(struct db *d)
{
	if (d->down_logged)
		log_msg("database connection restored");
	d->down_logged = 0;
}

/* Makes sure there is a usable connection. 0, or -1 (answer 503). */
static int ensure(struct db *d)
{
	static const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *vals[] = {DB_CONNECT_TIMEOUT, d->app_name, d->conninfo, NULL};
	long long now;

	if (d->conn != NULL && PQstatus(d->conn) == CONNECTION_OK)
		return 0;
	drop(d);
	now = clock_ms();
	if (now - d->last_try < DB_RETRY_MS)
		return -1;
	d->last_try = now;
	/* dbname comes last and is expanded: a conninfo's own settings win. */
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (d->conn == NULL || PQstatus(d->conn) != CONNECTION_OK || setup(d) != 0) {
		down(d);
		drop(d);
		return -1;
	}
	return 0;
}

#define PIPE_NULLS_MAX 8 /* NULL results tolerated while reading a pipeline */

/* Queues st: prepared (direct) or unnamed (pooled). 1 or 0, as libpq's PQsend*. */
static int send_st(struct db *d, int st, const char *const *vals, const int *lens, const int *fmts)
{
	if (d->pooled)
		return PQsendQueryParams(d->conn, stmts[st].sql, stmts[st].nparams, NULL, vals,
		                         lens, fmts, 0);
	return PQsendQueryPrepared(d->conn, stmts[st].name, stmts[st].nparams, vals, lens, fmts, 0);
}

/*
 * Reads a pipeline's results up to its syncs-th sync. Returns the result of its want-th
 * query (from 0), or the error of a query before it that aborted the rest; owned by the
 * caller. NULL when the pipeline broke (start over on a new connection).
 */
static PGresult *collect(PGconn *c, int want, int syncs)
{
	PGresult *r = NULL, *x;
	int q = 0, seen = 0, nulls = 0;

	while (seen < syncs) {
		if ((x = PQgetResult(c)) == NULL) {
			/* a query's results end with NULL; a sync has none after it */
			if (PQstatus(c) != CONNECTION_OK || ++nulls > PIPE_NULLS_MAX)
				break;
			q++;
			continue;
		}
		switch (PQresultStatus(x)) {
		case PGRES_PIPELINE_SYNC:
			seen++;
			break;
		case PGRES_FATAL_ERROR:
			if (r == NULL && q <= want) {
				r = x;
				continue;
			}
			break;
		default:
			if (r == NULL && q == want) {
				r = x;
				continue;
			}
			break;
		}
		PQclear(x);
	}
	if (seen < syncs || PQexitPipelineMode(c) != 1) {
		PQclear(r);
		return NULL;
	}
	return r;
}

/*
 * Runs st; returns its result, or NULL when the connection broke (start over on a new
 * connection). One round trip in every case:
 * - direct: the prepared statement; a PUT (ST_ACT) has SELECT pc_notify() pipelined
 *   behind it, in a transaction of its own (a sync between them), so that the NOTIFY
 *   stays out of the change's commit (schema/008_notify_after_commit.sql). The notify's
 *   own result is dropped: the change is committed either way, and consumers also poll.
 * - pooled: the settings for the transaction, then st, in one transaction. The wake-up
 *   of a PUT that changed something follows it (db_action), since pc_notify() would run
 *   in another session than the change's.
 */
static PGresult *exec(struct db *d, int st, const char *const *vals, const int *lens,
                      const int *fmts)
{
	const char *tzp[1] = {d->tz};
	PGconn *c = d->conn;

	if (d->pooled) {
		if (PQenterPipelineMode(c) != 1 ||
		    PQsendQueryParams(c, SETTINGS_SQL("true"), 1, NULL, tzp, NULL, NULL, 0) != 1 ||
		    send_st(d, st, vals, lens, fmts) != 1 || PQpipelineSync(c) != 1)
			return NULL;
		return collect(c, 1, 1);
	}
	if (st != ST_ACT)
		return PQexecPrepared(c, stmts[st].name, stmts[st].nparams, vals, lens, fmts, 0);
	if (PQenterPipelineMode(c) != 1 || send_st(d, st, vals, lens, fmts) != 1 ||
	    PQpipelineSync(c) != 1 || send_st(d, ST_NOTIFY, NULL, NULL, NULL) != 1 ||
	    PQpipelineSync(c) != 1)
		return NULL;
	return collect(c, 0, 2);
}

/*
 * Runs a prepared statement; on success returns its tuples (owned by the caller).
 * On failure returns NULL and sets *e: ERR_UNAVAILABLE when the database cannot be
 * reached or is overloaded, ERR_INTERNAL otherwise.
 */
static PGresult *run(struct db *d, int st, const char *const *vals, const int *lens,
                     const int *fmts, enum err *e)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		PGresult *r;
		const char *state;

		if (ensure(d) != 0) {
			*e = ERR_UNAVAILABLE;
			return NULL;
		}
		if ((r = exec(d, st, vals, lens, fmts)) == NULL) {
			if (attempt == 0 && PQstatus(d->conn) == CONNECTION_OK)
				log_msg("statement %s: pipeline failed; reconnecting",
				        stmts[st].name);
			drop(d);
			d->last_try = -DB_RETRY_MS;
			continue;
		}
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			up(d);
			return r;
		}
		state = sqlstate(r);
		/* Lost mid-request, or the session lost its prepared statements (a pooler's
		 * DISCARD ALL: 26000) or their plans (a migration changed a result type:
		 * 0A000), or the session is read-only (25006: a standby, maybe behind a pooler
		 * whose server is no longer the primary): retry once on a new connection,
		 * which prepares them again, or finds the primary. */
		if (PQstatus(d->conn) != CONNECTION_OK ||
		    (attempt == 0 && (strcmp(state, "26000") == 0 || strcmp(state, "0A000") == 0 ||
		                      strcmp(state, "25006") == 0))) {
			if (PQstatus(d->conn) == CONNECTION_OK)
				log_msg("statement %s failed: sqlstate=%s; reconnecting",
				        stmts[st].name, state);
			PQclear(r);
			drop(d);
			d->last_try = -DB_RETRY_MS;
			continue;
		}
		log_msg("statement %s failed: sqlstate=%s", stmts[st].name, state);
		/* Class 57 (operator intervention: shutdown, timeouts), 53 (resources), a lock
		 * not available, and a database that takes no writes (no primary yet) are
		 * transient: the client may retry. */
		*e = strncmp(state, "57", 2) == 0 || strncmp(state, "53", 2) == 0 ||
		             strcmp(state, "55P03") == 0 || strcmp(state, "25006") == 0
		         ? ERR_UNAVAILABLE
		         : ERR_INTERNAL;
		/* A read-only session is kept: it still serves reads, and the next write
		 * retries on a new connection (above). */
		if (strncmp(state, "57P", 3) == 0)
			drop(d);
		PQclear(r);
		return NULL;
	}
	/* lost twice in a row: connected, but the database (or a pooler's) is not there */
	down(d);
	*e = ERR_UNAVAILABLE;
	return NULL;
}

static long long col_ll(const PGresult *r, int row, int col);

enum err db_health(struct db *d, struct metrics_media *media)
{
	enum err e = ERR_NONE;
	PGresult *r = run(d, ST_HEALTH, NULL, NULL, NULL, &e);

	if (media != NULL)
		memset(media, 0, sizeof(*media));
	if (r == NULL)
		return e == ERR_NONE ? ERR_UNAVAILABLE : e;
	if (PQntuples(r) != 1 || PQnfields(r) != 7) {
		e = ERR_INTERNAL;
		goto done;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "f") != 0) {
		log_msg("connected to a standby; reconnecting");
		e = ERR_UNAVAILABLE;
		drop(d);
		goto done;
	}
	if (media != NULL) {
		media->known = 1;
		media->live = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
		media->configured = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
		media->heartbeat_at = PQgetisnull(r, 0, 3) ? 0 : strtod(PQgetvalue(r, 0, 3), NULL);
		media->applied = (uint64_t)col_ll(r, 0, 4);
		media->failed = (uint64_t)col_ll(r, 0, 5);
		media->lag = strtod(PQgetvalue(r, 0, 6), NULL);
	}
done:
	PQclear(r);
	return e;
}

static long long col_ll(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

enum err db_auth(struct db *d, const unsigned char digest[AUTH_DIGEST_LEN], struct ctx_token *out)
{
	const char *vals[1] = {(const char *)digest};
	const int lens[1] = {AUTH_DIGEST_LEN}, fmts[1] = {1};
	enum err e = ERR_INTERNAL;
	PGresult *r;

	if ((r = run(d, ST_AUTH, vals, lens, fmts, &e)) == NULL)
		return e;
	if (PQntuples(r) != 1) {
		e = ERR_UNAUTHORIZED;
		goto done;
	}
	out->token_id = col_ll(r, 0, 0);
	out->kind = ctx_kind_parse(PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
	out->account_id = col_ll(r, 0, 2);
	out->org_id = col_ll(r, 0, 3);
	e = ERR_NONE;
done:
	PQclear(r);
	return e;
}

/* Decimal text of v into buf, or NULL (SQL NULL) when v is 0. */
static const char *ll_or_null(long long v, char *buf, size_t cap)
{
	if (v == 0)
		return NULL;
	snprintf(buf, cap, "%lld", v);
	return buf;
}

static void copy_col(const PGresult *r, int col, char *dst, size_t cap)
{
	size_t n = (size_t)PQgetlength(r, 0, col);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, PQgetvalue(r, 0, col), n);
	dst[n] = '\0';
}

/* The answer to the status in column col of row 0 (status.h). */
static enum err result_err(const PGresult *r, int col)
{
	return status_err(PQgetvalue(r, 0, col), (size_t)PQgetlength(r, 0, col));
}

/* Pooled: wakes the event consumers after a change committed, in a transaction of its
 * own that writes nothing (so its commit does not wait for the disk). Best effort: the
 * change is committed, and consumers also poll. */
static void wake(struct db *d)
{
	PGresult *r = PQexecParams(d->conn, stmts[ST_WAKE].sql, 0, NULL, NULL, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		log_msg("wake-up of the event consumers failed: sqlstate=%s", sqlstate(r));
	PQclear(r);
}

/* The numbers of a target as text (target_args). */
struct target_text {
	char tok[24], org[24], user[24];
};

/* A target's arguments, as every request function starts: token, organization, user,
 * @self, extension (vals[0..TARGET_ARGS)). */
#define TARGET_ARGS 5
static void target_args(const struct db_target *t, struct target_text *buf, const char **vals)
{
	vals[0] = ll_or_null(t->token_id, buf->tok, sizeof(buf->tok));
	vals[1] = ll_or_null(t->scope.org_id, buf->org, sizeof(buf->org));
	vals[2] = ll_or_null(t->scope.user_id, buf->user, sizeof(buf->user));
	vals[3] = t->self ? "true" : "false";
	vals[4] = t->ext;
}

enum err db_action(struct db *d, const struct db_act *in, struct act_result *out)
{
	struct target_text buf;
	const char *vals[12] = {
	    [TARGET_ARGS] = in->at.call,
	    in->view,
	    in->action,
	    in->format,
	    in->request_id,
	    in->idem_key,
	    in->idem_key ? (const char *)in->idem_hash : NULL,
	};
	/* the digest goes as bytes; the rest as text */
	const int lens[12] = {[11] = AUTH_DIGEST_LEN}, fmts[12] = {[11] = 1};
	enum err e = ERR_INTERNAL;
	PGresult *r;

	target_args(&in->at, &buf, vals);
	if ((r = run(d, ST_ACT, vals, lens, fmts, &e)) == NULL)
		return e;
	if (PQntuples(r) != 1 || PQnfields(r) != 6) {
		e = ERR_INTERNAL;
		goto done;
	}
	/* a stored answer is replayed, error or success */
	out->outcome = PQgetvalue(r, 0, 5)[0] == 't'   ? ACT_REPLAYED
	               : PQgetvalue(r, 0, 4)[0] == 't' ? ACT_CHANGED
	                                               : ACT_UNCHANGED;
	if ((e = result_err(r, 0)) != ERR_NONE)
		goto done;
	copy_col(r, 1, out->call, sizeof(out->call));
	copy_col(r, 2, out->ext, sizeof(out->ext));
	out->user_id = col_ll(r, 0, 3);
	if (d->pooled && out->outcome == ACT_CHANGED)
		wake(d);
done:
	PQclear(r);
	return e;
}

/* The filter's values as an array literal: ids are [A-Za-z0-9] and need no quoting. */
static void array_lit(const struct query *q, char *buf, size_t cap)
{
	size_t n = 0;

	buf[n++] = '{';
	for (size_t i = 0; i < q->nvals && n < cap; i++) {
		int w = q->by == QUERY_BY_ID
		            ? snprintf(buf + n, cap - n, "%s%s", i ? "," : "", q->ids[i])
		            : snprintf(buf + n, cap - n, "%s%lld", i ? "," : "", q->secs[i]);
		n += w > 0 ? (size_t)w : 0;
	}
	if (n + 2 > cap) /* DB_ARRAY_MAX holds the longest list: never taken */
		n = cap - 2;
	buf[n++] = '}';
	buf[n] = '\0';
}

/* The columns of pc_list's rows (schema: its RETURNS TABLE), one row per view. */
enum list_col {
	L_CODE,
	L_TOTAL,
	L_CALL,
	L_CALL_EXT,
	L_OWNER_USER,
	L_ORG,
	L_ORG_NAME,
	L_ANSWERED,
	L_PUBLISHED,
	L_VIEW,
	L_VIEW_EXT,
	L_VIEW_ANSWERED,
	L_STATUS,
	L_CALLER_ID,
	L_SOURCE,
	L_DESTINATION,
	L_RECORDING,
	L_COLS
};

/* Column col of row as a slice, NULL for SQL NULL. */
static struct str col_str(const PGresult *r, int row, int col)
{
	struct str v = {NULL, 0};

	if (!PQgetisnull(r, row, col)) {
		v.p = PQgetvalue(r, row, col);
		v.len = (size_t)PQgetlength(r, row, col);
	}
	return v;
}

/* Whether row and row + 1 belong to one call (a call's rows are consecutive). */
static bool same_call(const PGresult *r, int row)
{
	return strcmp(PQgetvalue(r, row, L_CALL), PQgetvalue(r, row + 1, L_CALL)) == 0;
}

enum err db_list(struct db *d, const struct db_list *in, struct db_page *out)
{
	char start[24], count[24], vals_lit[DB_ARRAY_MAX];
	const struct query *q = in->query;
	struct target_text buf;
	const char *vals[14] = {
	    [TARGET_ARGS] = in->one ? "true" : "false",
	    in->at.call,
	    start,
	    count,
	    q->desc ? "true" : "false",
	    query_by_name(q->by),
	    q->by == QUERY_BY_NONE ? NULL : query_op_name(q->op),
	    q->by == QUERY_BY_ID ? vals_lit : NULL,
	    q->by == QUERY_BY_PUBLISHED ? vals_lit : NULL,
	};
	enum err e = ERR_INTERNAL;
	PGresult *r;

	memset(out, 0, sizeof(*out));
	target_args(&in->at, &buf, vals);
	snprintf(start, sizeof(start), "%lld", q->start);
	snprintf(count, sizeof(count), "%lld", q->count);
	array_lit(q, vals_lit, sizeof(vals_lit));
	r = run(d, ST_LIST, vals, NULL, NULL, &e);
	if (r == NULL)
		return e;
	if (PQntuples(r) < 1 || PQnfields(r) != L_COLS) {
		PQclear(r);
		return ERR_INTERNAL;
	}
	if ((e = result_err(r, L_CODE)) != ERR_NONE) {
		PQclear(r);
		return e;
	}
	out->res = r;
	out->total = col_ll(r, 0, L_TOTAL);
	/* the rows with a call (none when the scope has none: one row of the total alone) */
	while (out->rows < PQntuples(r) && !PQgetisnull(r, out->rows, L_CALL)) {
		if (out->rows == 0 || !same_call(r, out->rows - 1))
			out->ncalls++;
		out->rows++;
	}
	return ERR_NONE;
}

bool db_page_next(struct db_page *p, struct call *c)
{
	const PGresult *r = p->res;
	int row = p->row;

	if (row >= p->rows)
		return false;
	c->id = col_str(r, row, L_CALL);
	c->ext = col_str(r, row, L_CALL_EXT);
	c->org_id = col_str(r, row, L_ORG);
	c->org_name = col_str(r, row, L_ORG_NAME);
	c->answered = col_str(r, row, L_ANSWERED);
	c->published = col_str(r, row, L_PUBLISHED);
	c->owner_user = col_ll(r, row, L_OWNER_USER);
	c->nviews = 0;
	for (;; row++) {
		/* a call without views has one row, its view columns NULL */
		if (!PQgetisnull(r, row, L_VIEW) && c->nviews == CALL_VIEWS_MAX)
			log_msg("call %s: more than %d views, the rest left out",
			        PQgetvalue(r, row, L_CALL), CALL_VIEWS_MAX);
		else if (!PQgetisnull(r, row, L_VIEW)) {
			struct call_view *v = &c->views[c->nviews++];
			v->id = col_str(r, row, L_VIEW);
			v->ext = col_str(r, row, L_VIEW_EXT);
			v->answered = col_str(r, row, L_VIEW_ANSWERED);
			v->status = col_str(r, row, L_STATUS);
			v->caller_id = col_str(r, row, L_CALLER_ID);
			v->source = col_str(r, row, L_SOURCE);
			v->destination = col_str(r, row, L_DESTINATION);
			v->recording = col_str(r, row, L_RECORDING);
		}
		if (row + 1 >= p->rows || !same_call(r, row))
			break;
	}
	p->row = row + 1;
	return true;
}

void db_page_free(struct db_page *p)
{
	PQclear(p->res);
	p->res = NULL;
	p->row = p->rows = 0;
}

enum err db_token(struct db *d, const char *client_id, const unsigned char secret[AUTH_DIGEST_LEN],
                  const unsigned char token[AUTH_DIGEST_LEN], int ttl_s)
{
	char ttl[24];
	const char *vals[4] = {client_id, (const char *)secret, (const char *)token, ttl};
	const int lens[4] = {0, AUTH_DIGEST_LEN, AUTH_DIGEST_LEN, 0}, fmts[4] = {0, 1, 1, 0};
	enum err e = ERR_INTERNAL;
	PGresult *r;

	snprintf(ttl, sizeof(ttl), "%d", ttl_s);
	if ((r = run(d, ST_TOKEN, vals, lens, fmts, &e)) == NULL)
		return e;
	e = PQntuples(r) == 1 && PQnfields(r) == 1 ? result_err(r, 0) : ERR_INTERNAL;
	PQclear(r);
	return e;
}
