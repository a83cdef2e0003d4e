/*
 * uri.h - the URI fragment of a PhoneCalls request, turned into typed values: the path's
 * segments (which the route table splits off, route.h) and the query string.
 *
 * Parsing only decodes and checks; it never fails the request by itself, because the
 * contract reports a bad userId, extension or phoneCallId only after authentication and
 * body checks. Each segment therefore carries its own validity.
 */
#ifndef PC_URI_H
#define PC_URI_H

#include <stdbool.h>
#include <stddef.h>

#define URI_PREFIX "/uapi/phoneCalls/"
#define URI_INSTANCE_MAX 999 /* a pool's number, /uapi/health/N and /uapi/metrics/N */
#define URI_SEG_MAX 64       /* longest decoded segment kept; a longer one is invalid */
#define URI_EXT_MAX 32       /* longest extension number */
#define URI_CALLID_MAX 64    /* longest phoneCallId */
#define URI_NAME_MAX 32      /* longest query parameter name looked up (decoded) */

/* One segment of a path, raw (not decoded): a slice of the request's. */
struct uri_seg {
	const char *p;
	size_t len;
};

enum uri_user {
	URI_USER_INVALID, /* malformed */
	URI_USER_ME,      /* @me or @viewer: the token's user */
	URI_USER_OWNER,   /* @owner: the owner of the extension */
	URI_USER_ID       /* a numeric user id */
};

struct uri {
	enum uri_user user;
	long long user_id; /* with URI_USER_ID */
	bool ext_ok;       /* extension well-formed */
	bool ext_self;     /* extension is @self */
	char ext[URI_EXT_MAX + 1];
	size_t ext_len;
	bool call_ok; /* phoneCallId well-formed (its segment given) */
	char call[URI_CALLID_MAX + 1];
	size_t call_len;
};

/* The typed values of a PhoneCalls path's segments, raw: userId, extension, and with
 * three, phoneCallId (each decoded once, then checked). n other than 2 or 3: all invalid. */
void uri_parts(const struct uri_seg *seg, size_t n, struct uri *out);

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
