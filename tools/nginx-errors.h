/*
 * nginx-errors.h - every error nginx answers itself, each tied to its entry of src/render/err.c's
 * table, which gives its contract code and, unless the page names one of its own, its
 * message. tools/nginx-errors.c prints them as nginx/uapi-errors.conf; the integration
 * tests hold nginx's answers to them (tests/it_nginx.c). One table for both, so that
 * what nginx is configured to answer and what the tests expect cannot part.
 */
#ifndef PC_NGINX_ERRORS_H
#define PC_NGINX_ERRORS_H

#include <stddef.h>

#include "err.h"
#include "resp.h"

/* The Retry-After of nginx's 429: its rate limits (uapi.conf: 100 requests/s per address,
 * 50 per token) give a request back within a second. */
#define NGINX_RETRY_AFTER_LIMIT_S "1"
/* The Allow of nginx's 405 (a TRACE): the methods of a call's resource, the most any
 * resource allows. */
#define NGINX_ALLOW "GET, PUT"
/* The URI prefix of the pages. */
#define NGINX_ERROR_URI "/.uapi-error/"

struct nginx_error {
	int page;                /* the status nginx raises; the page is NGINX_ERROR_URI<page> */
	int status;              /* the status answered */
	const char *also;        /* the other statuses nginx raises that this page answers */
	enum err err;            /* the entry of src/render/err.c: the code, and the message... */
	const char *message;     /* ...unless this one, for a case err.c's does not describe */
	const char *retry_after; /* the Retry-After header, or NULL */
	const char *allow;       /* the Allow header, or NULL */
	const char *why;         /* when nginx raises it */
};

/* In the order of the pages in the file. A page has a message of its own where err.c's
 * would name another cause (403, 429), or to name its own where err.c's request_invalid
 * says only that the request is malformed (408, 411, 414, 494). */
static const struct nginx_error nginx_errors[] = {
    {400, 400, "505", ERR_REQUEST_INVALID, NULL, NULL, NULL,
     "a request nginx cannot parse; an HTTP version it does not speak (505) is a malformed "
     "request line"},
    {403, 403, NULL, ERR_FORBIDDEN, "This client may not read this resource.", NULL, NULL,
     "an address uapi-metrics-allow.conf does not list (err.c's 403 is the App's account's)"},
    {404, 404, NULL, ERR_NOT_FOUND, NULL, NULL, NULL,
     "a path outside the service (uapi-server.conf)"},
    {405, 405, NULL, ERR_METHOD, NULL, NULL, NGINX_ALLOW, "a method nginx refuses itself (TRACE)"},
    {408, 408, NULL, ERR_REQUEST_INVALID, "The request was not received in time.", NULL, NULL,
     "a body that stopped coming: nginx closes such a connection without an answer; the page "
     "keeps any 408 a later nginx may send in the contract's form"},
    {411, 411, NULL, ERR_REQUEST_INVALID, "A Content-Length is required.", NULL, NULL,
     "a body without a length: nginx reads it as chunked or empty and never asks for one; the "
     "page keeps any 411 a later nginx may send in the contract's form"},
    {413, 413, NULL, ERR_TOO_LARGE, NULL, NULL, NULL, "a body over client_max_body_size"},
    {414, 414, NULL, ERR_REQUEST_INVALID, "The request URI is too long.", NULL, NULL,
     "a request line over large_client_header_buffers"},
    {494, 400, NULL, ERR_REQUEST_INVALID, "The request headers are too large.", NULL, NULL,
     "headers too large: nginx's own 494, which it always sends as 400"},
    {429, 429, NULL, ERR_TOO_MANY, NULL, NGINX_RETRY_AFTER_LIMIT_S, NULL,
     "past a rate limit of uapi.conf (the workers answer the same to an address throttled "
     "for its failed authentications)"},
    {500, 500, NULL, ERR_INTERNAL, NULL, NULL, NULL, "nginx's own failure"},
    {501, 501, NULL, ERR_NOT_IMPLEMENTED, NULL, NULL, NULL,
     "a transfer coding nginx does not know"},
    {503, 503, "502 504", ERR_UNAVAILABLE, NULL, RESP_RETRY_AFTER_S, NULL,
     "no pool answered: refused or gone (502), or too slow (504)"},
};

#define NGINX_NERRORS (sizeof(nginx_errors) / sizeof(*nginx_errors))

#endif
