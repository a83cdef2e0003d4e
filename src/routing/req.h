/*
 * req.h - a request as the handlers see it, independent of FastCGI (fcgi/main.c fills
 * it from the FastCGI parameters), and the worker's services the handlers use.
 */
#ifndef PC_REQ_H
#define PC_REQ_H

#include <stddef.h>

#define REQ_BASE_MAX 256     /* longest base URL of a self link */
#define REQ_IDEM_KEY_MAX 255 /* longest Idempotency-Key */

struct req {
	const char *method; /* REQUEST_METHOD */
	const char *path;   /* REQUEST_URI up to its '?', raw */
	size_t path_len;
	const char *query; /* after the '?' (or ""), raw */
	size_t query_len;
	const char *uri; /* REQUEST_URI whole, raw: path and query */
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
	const char *remote_addr; /* the client's address (nginx's), or NULL */
};

struct ctx_cache;
struct db;
struct metrics;
struct throttle;

/* What a worker serves requests with. */
struct srv {
	struct db *db;
	struct ctx_cache *tokens;  /* the contexts of the tokens seen (access.h) */
	struct metrics *metrics;   /* the pool's counters */
	struct throttle *throttle; /* the host's failed-authentication counts, or NULL */
	const char *instance;      /* the worker's pool: $PC_INSTANCE, a number ("1" unset) */
	char *metrics_text;        /* METRICS_TEXT_MAX bytes: GET /uapi/metrics renders there */
};

#endif
