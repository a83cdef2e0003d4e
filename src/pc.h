/*
 * pc.h - the PhoneCalls handlers: one request in, one response out. Independent of
 * FastCGI: the worker fills a pc_req from its parameters and writes the resp.
 */
#ifndef PC_PC_H
#define PC_PC_H

#include <stddef.h>

#include "db.h"
#include "resp.h"
#include "throttle.h"

#define PC_BASE_MAX 256     /* longest base URL of a self link */
#define PC_IDEM_KEY_MAX 255 /* longest Idempotency-Key */

struct pc_req {
	const char *method; /* REQUEST_METHOD */
	const char *uri;    /* REQUEST_URI, raw: path and query */
	size_t uri_len;
	const char *auth; /* Authorization header, or NULL */
	size_t auth_len;
	int auth_count;           /* how many Authorization headers came */
	const char *idem_key;     /* Idempotency-Key header, or NULL */
	int idem_count;           /* how many came */
	const char *content_type; /* or NULL */
	const char *body;         /* read by the caller, at most BODY_MAX bytes */
	size_t body_len;
	int body_too_large; /* the body exceeded BODY_MAX */
	const char *base;   /* scheme://host[:port] of self links */
	const char *request_id;
	const char *instance;      /* the worker's pool ($PC_INSTANCE, a number), or NULL: 1 */
	const char *remote_addr;   /* the client's address (nginx's), or NULL */
	struct throttle *throttle; /* the host's failed-authentication counts, or NULL */
};

/* Answers a PhoneCalls request into rs. Returns the route of its path (URI_NONE when
 * none), which the worker's metrics name it by. */
enum uri_route pc_handle(struct db *db, const struct pc_req *rq, struct resp *rs);

/*
 * GET /uapi/health (which = 0) or /uapi/health/N (which = N): 200
 * {"status":"ok","instance":...} when the worker reaches the primary, else the
 * contract's 503. nginx routes /uapi/health/N to instance N alone; anywhere else it is
 * a 404. No token: it tells nginx and operators up or down, and nothing else.
 */
void pc_health(struct db *db, const struct pc_req *rq, int which, struct resp *rs);

/*
 * GET /uapi/metrics (which = 0) or /uapi/metrics/N (which = N): 200 with the pool's
 * counters in the Prometheus text format, rendered into buf (cap bytes, at least
 * METRICS_TEXT_MAX), which rs borrows until it is sent. No token: nginx lets only the
 * addresses of uapi-metrics-allow.conf ask. As for the health check, /uapi/metrics/N
 * anywhere but instance N is a 404, and a method other than GET a 405.
 */
struct metrics;
void pc_metrics(struct db *db, const struct metrics *m, const struct pc_req *rq, int which,
                char *buf, size_t cap, struct resp *rs);

/* Whether a Content-Type names JSON in UTF-8 (media type and charset case-insensitive). */
int pc_content_type_ok(const char *ct);

#endif
