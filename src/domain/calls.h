/*
 * calls.h - the domain's values the database layer hands the handlers: a phone call as
 * the List shows it, with its views, and the outcome of a recording action. Strings are
 * slices of storage the database layer owns while the handler looks at them; a NULL
 * pointer is a value the contract leaves out.
 */
#ifndef PC_CALLS_H
#define PC_CALLS_H

#include <stddef.h>

#include "uri.h"

#define CALL_VIEWS_MAX 64    /* views of one call: one per local party */
#define CALL_LIST_SEP '\x1f' /* joins the items of source and destination */

struct str {
	const char *p; /* NULL: none */
	size_t len;
};

struct call_view {
	struct str id, ext, answered, status, caller_id;
	struct str source, destination; /* items joined by CALL_LIST_SEP */
	struct str recording;
};

struct call {
	struct str id, ext, org_id, org_name, answered, published;
	long long owner_user; /* the user whose extension the call is on (its self link) */
	size_t nviews;
	struct call_view views[CALL_VIEWS_MAX];
};

/* What a StopRecording or StartRecording did. */
enum act_outcome {
	ACT_UNCHANGED, /* the view was already so: no event */
	ACT_CHANGED,   /* the state changed and an event was recorded */
	ACT_REPLAYED   /* the answer stored under the Idempotency-Key, sent again */
};

/* The call an action named, as its answer shows it. */
struct act_result {
	enum act_outcome outcome;
	char call[URI_CALLID_MAX + 1];
	char ext[URI_EXT_MAX + 1];
	long long user_id; /* owner of the call's extension */
};

#endif
