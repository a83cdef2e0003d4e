/*
 * db.h - the PostgreSQL layer: one persistent connection per worker, prepared
 * statements, and the three requests the handlers make. A lost connection is an
 * ERR_UNAVAILABLE answer, never a crash; the next request reconnects.
 */
#ifndef PC_DB_H
#define PC_DB_H

#include <stdbool.h>

#include "auth.h"
#include "calls.h"
#include "ctx.h"
#include "err.h"
#include "metrics.h"
#include "query.h"
#include "uri.h"

#define DB_RETRY_MS 100        /* least time between two reconnection attempts */
#define DB_CONNECT_TIMEOUT "2" /* seconds, libpq connect_timeout */
#define DB_STATEMENT_TIMEOUT "5s"
#define DB_APP_NAME_MAX 64 /* PostgreSQL's NAMEDATALEN */
/* An array literal of a filter's values: QUERY_IN_MAX ids or numbers, commas, braces */
#define DB_ARRAY_MAX (QUERY_IN_MAX * (URI_CALLID_MAX + 1) + 3)

struct db;

/* conninfo may be NULL or empty (then the PG* variables apply); tz is a time zone name.
 * Does not connect. Returns NULL when out of memory. */
/* instance (the pool's number, as text) names the worker's pool in its application_name,
 * pc-worker/<instance>/<pid>, so that pg_stat_activity tells the workers apart.
 * pooled: conninfo names a pooler in transaction mode (PgBouncer's pool_mode =
 * transaction), so the connection keeps no prepared statement and no setting. */
struct db *db_new(const char *conninfo, const char *tz, const char *instance, bool pooled);
void db_free(struct db *d);

/* Whether the worker reaches a primary: ERR_NONE, or ERR_UNAVAILABLE (unreachable, or a
 * standby, whose connection is then dropped so that the next one finds the primary).
 * media (may be NULL) gets the media plane's state, known when ERR_NONE. */
enum err db_health(struct db *d, struct metrics_media *media);

/* A token's context by digest: ERR_NONE and out (the token is valid now),
 * ERR_UNAUTHORIZED (unknown, revoked or expired), or an outage. */
enum err db_auth(struct db *d, const unsigned char digest[AUTH_DIGEST_LEN], struct ctx_token *out);

/*
 * Issues a token to the App whose key is client_id, if secret is the digest of its
 * secret and it is not revoked: stores the token's digest, valid ttl_s seconds.
 * ERR_NONE, ERR_OAUTH_CLIENT, or an outage.
 */
enum err db_token(struct db *d, const char *client_id, const unsigned char secret[AUTH_DIGEST_LEN],
                  const unsigned char token[AUTH_DIGEST_LEN], int ttl_s);

/* Whose calls a request is about, as its checks resolved it: the arguments every
 * request function starts with (schema/functions/pc_resolve.sql says how it reads them). */
struct db_target {
	long long token_id; /* checked again in the statement */
	struct ctx_scope scope;
	bool self;        /* @self: every extension of the user */
	const char *ext;  /* else the extension's number, NULL when malformed */
	const char *call; /* the phoneCallId, NULL when malformed (unused by the List) */
};

struct db_act {
	struct db_target at;
	const char *view;   /* NULL: missing or malformed */
	const char *action; /* "stop" or "start" */
	const char *format; /* "wav", "wav49", or NULL when malformed (start only) */
	const char *request_id;
	const char *idem_key;           /* Idempotency-Key, or NULL */
	const unsigned char *idem_hash; /* AUTH_DIGEST_LEN bytes: the request's digest */
};

/* StopRecording / StartRecording in one transaction, the token's validity checked in it
 * first. ERR_NONE or the error to answer (ERR_UNAUTHORIZED: the token is no longer
 * valid); out is filled on ERR_NONE, and out->outcome is ACT_REPLAYED for a stored error
 * too. */
enum err db_action(struct db *d, const struct db_act *in, struct act_result *out);

struct db_list {
	struct db_target at;
	bool one;                  /* one call, at.call (GET .../{phoneCallId}) */
	const struct query *query; /* paging, order and filter */
};

/* A page of the List: how many calls, then the calls, read one at a time (db_page_next).
 * total and ncalls are the handler's to read; the rest is the database layer's. */
struct pg_result;
struct db_page {
	long long total; /* the scope's calls in all */
	size_t ncalls;   /* in this page */
	struct pg_result *res;
	int row, rows;
};

/* The calls of a scope. On ERR_NONE *out is set and must be freed (db_page_free). */
enum err db_list(struct db *d, const struct db_list *in, struct db_page *out);

/* The page's next call into c, valid until the next db_page_next or db_page_free; false
 * after the last. */
bool db_page_next(struct db_page *p, struct call *c);

void db_page_free(struct db_page *p);

#endif
