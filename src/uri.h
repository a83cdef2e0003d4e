/*
 * uri.h - the URI fragment of a PhoneCalls request, parsed into typed values.
 *
 * Parsing only splits and decodes; it never fails the request by itself, because the
 * contract reports a bad userId, extension or phoneCallId only after authentication and
 * body checks. Each segment therefore carries its own validity.
 */
#ifndef PC_URI_H
#define PC_URI_H

#include <stdbool.h>
#include <stddef.h>

#define URI_PREFIX "/uapi/phoneCalls/"
#define URI_HEALTH "/uapi/health"   /* and /uapi/health/N, instance N's (nginx routes it) */
#define URI_METRICS "/uapi/metrics" /* and /uapi/metrics/N, the same way */
#define URI_INSTANCE_MAX 999
#define URI_SEG_MAX 64    /* longest decoded segment kept; a longer one is invalid */
#define URI_EXT_MAX 32    /* longest extension number */
#define URI_CALLID_MAX 64 /* longest phoneCallId */
#define URI_NAME_MAX 32   /* longest query parameter name looked up (decoded) */

enum uri_route {
	URI_NONE, /* not a PhoneCalls path: 404 */
	URI_LIST, /* /uapi/phoneCalls/{userId}/{extension}[/] */
	URI_CALL  /* /uapi/phoneCalls/{userId}/{extension}/{phoneCallId}[/] */
};

enum uri_user {
	URI_USER_INVALID, /* malformed */
	URI_USER_ME,      /* @me or @viewer: the token's user */
	URI_USER_OWNER,   /* @owner: the owner of the extension */
	URI_USER_ID       /* a numeric user id */
};

struct uri {
	enum uri_route route;
	enum uri_user user;
	long long user_id; /* with URI_USER_ID */
	bool ext_ok;       /* extension well-formed */
	bool ext_self;     /* extension is @self */
	char ext[URI_EXT_MAX + 1];
	size_t ext_len;
	bool call_ok; /* phoneCallId well-formed (URI_CALL only) */
	char call[URI_CALLID_MAX + 1];
	size_t call_len;
};

/* Parses the path part (no query) of a request URI. Fills out and returns its route.
 * One trailing slash is dropped first: it names the same resource. */
enum uri_route uri_parse(const char *path, size_t len, struct uri *out);

/* Whether path (no query) is the health check: 0 for /uapi/health, N for
 * /uapi/health/N (an instance number from 1 to URI_INSTANCE_MAX), -1 for any other. */
int uri_health(const char *path, size_t len);

/* The same for the metrics: 0 for /uapi/metrics, N for /uapi/metrics/N, -1 for any other. */
int uri_metrics(const char *path, size_t len);

/*
 * Strict decimal: digits only, no sign, space or leading zero ("0" itself is fine), and
 * no more than max. Returns 0 and sets *out, or -1.
 */
int uri_num(const char *s, size_t len, long long max, long long *out);

/*
 * Finds parameter name in a query string (no leading '?') and percent-decodes its value
 * ('+' is a space) into out, NUL-terminated. Names are compared form-decoded too, so
 * "%73ort" is "sort". Returns 1 when found once, 0 when absent, -1 when malformed,
 * longer than cap - 1, or given more than once.
 */
int uri_query(const char *q, size_t len, const char *name, char *out, size_t cap, size_t *outlen);

/*
 * The same, with the name matched as sent and the value not decoded: *val points into q.
 * For a value that never needs escaping and must be seen exactly as nginx sees it (the
 * query token, which nginx's per-token rate limit keys on as sent).
 */
int uri_query_raw(const char *q, size_t len, const char *name, const char **val, size_t *vlen);

#endif
