/*
 * body.h - the PhoneCallAction request body, parsed strictly and streaming.
 *
 * The body must be one JSON object in strict UTF-8: no byte-order mark, no comments,
 * no lone surrogate escapes, no duplicate keys in any object, nesting at most
 * BODY_DEPTH_MAX deep. Field values are typed here; whether they are acceptable is
 * reported per field, since the contract orders those errors after others.
 */
#ifndef PC_BODY_H
#define PC_BODY_H

#include <stddef.h>

#include "err.h"

#define BODY_MAX 16384     /* largest body accepted (16 KiB) */
#define BODY_DEPTH_MAX 32  /* deepest nesting of objects and arrays */
#define BODY_VIEWID_MAX 64 /* longest phoneCallViewId */

enum body_action {
	BODY_ACT_INVALID, /* missing, not a string, or not a PhoneCallAction */
	BODY_ACT_STOP,    /* StopRecording */
	BODY_ACT_START,   /* StartRecording */
	BODY_ACT_OTHER    /* a listed action this service does not carry out */
};

enum body_field { BODY_ABSENT, BODY_INVALID, BODY_OK };

enum body_format { BODY_FMT_WAV, BODY_FMT_WAV49 };

struct body {
	enum body_action action;
	enum body_field view; /* phoneCallViewId */
	char view_id[BODY_VIEWID_MAX + 1];
	size_t view_len;
	enum body_field format; /* absent means wav */
	enum body_format fmt;
};

/* Returns ERR_NONE, ERR_TOO_LARGE or ERR_JSON_INVALID; fills out on ERR_NONE. */
enum err body_parse(const char *p, size_t len, struct body *out);

/* "wav" or "wav49". */
const char *body_format_name(enum body_format f);

#endif
