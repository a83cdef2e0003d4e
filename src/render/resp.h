/*
 * resp.h - a response under construction: status, the few headers the contract names,
 * and a JSON body written with yajl (or, for the metrics, a text body the caller owns).
 * Rendering to CGI headers is pure, for testing.
 */
#ifndef PC_RESP_H
#define PC_RESP_H

#include <stddef.h>

#include <yajl/yajl_gen.h>

#include "arena.h"
#include "err.h"

#define RESP_HEAD_MAX 512      /* CGI header block */
#define RESP_RETRY_AFTER_S "2" /* seconds a 503 asks clients to wait */
#define RESP_RETRY_MAX 32      /* a Retry-After header line */
#define RESP_CTYPE_MAX 96      /* a Content-Type header line */
#define RESP_ALLOW_MAX 64      /* the methods of a 405's Allow header */

/* The shape of a path's answers, errors too: the UnifiedAPI's (a 401 challenges Bearer),
 * or OAuth's for the token endpoint (RFC 6749, 5.2: {"error","error_description"},
 * Pragma: no-cache, a 401 challenges Basic: the client's credentials). */
enum resp_form { RESP_UAPI, RESP_OAUTH };

struct resp {
	int status;
	enum resp_form form; /* set by the route before the handler builds anything */
	enum err err;        /* ERR_NONE on success */
	const char *allow;   /* Allow header of a 405 (allow_buf), or NULL */
	char allow_buf[RESP_ALLOW_MAX];
	int replayed;           /* the answer stored under an Idempotency-Key, sent again */
	int retry_after;        /* seconds, sent as Retry-After with a 429 (resp_too_many) */
	const char *request_id; /* echoed as X-Request-Id; borrowed */
	yajl_gen gen;           /* JSON body, owned; NULL when there is none */
	const char *text;       /* a body that is not JSON, borrowed (resp_text); or NULL */
	size_t text_len;
	const char *text_type; /* its Content-Type, static */
	struct arena mem;      /* gen's memory: a resp must not move while gen is in use */
};

void resp_init(struct resp *r, const char *request_id);

/* Replaces whatever was built with the error's JSON body and headers, in r->form's shape:
 * the contract's {"error":{"code","message"}}, or OAuth's {"error","error_description"}. */
void resp_error(struct resp *r, enum err e);

/* 405 method_not_allowed, with Allow: allow (the methods of the path, ", "-separated). */
void resp_method(struct resp *r, const char *allow);

/* 429 too_many_requests, with Retry-After: wait_s (at least 1). */
void resp_too_many(struct resp *r, int wait_s);

/* Starts a JSON body for status; returns the generator, or NULL (then resp is a 500). */
yajl_gen resp_json(struct resp *r, int status);

/* A success without a body (204). */
void resp_empty(struct resp *r, int status);

/* A body that is not JSON: len bytes of text, borrowed until resp_free (the caller keeps
 * them), sent with Content-Type type (a static string). */
void resp_text(struct resp *r, int status, const char *type, const char *text, size_t len);

/* The body, or NULL/0. Valid until resp_free. */
void resp_body(const struct resp *r, const unsigned char **p, size_t *len);

/* Renders the CGI header block ("Status: ...\r\n...\r\n\r\n"). Returns its length. */
size_t resp_head(const struct resp *r, char *buf, size_t cap);

/* yajl_gen_string of a C string. */
void resp_str(yajl_gen g, const char *s);

void resp_free(struct resp *r);

#endif
