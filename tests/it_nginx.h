/* it_nginx.h - nginx's own answers held to the pages tools/nginx-errors.h makes from
 * src/render/err.c: the one check of every test that makes nginx answer an error itself. */
#ifndef PC_TESTS_IT_NGINX_H
#define PC_TESTS_IT_NGINX_H

#include "http.h"

/* Whether nginx answered r itself: every answer of a worker carries X-Request-Id. */
int it_from_nginx(const struct http_resp *r);

/*
 * Checks (non-fatally) that r is exactly nginx's page for the status it raised (such as
 * 494 for headers too large, 502 for a pool that is gone; 0: whichever page answers with
 * r's status): the status sent, a JSON Content-Type, the body byte for byte, Retry-After
 * and Allow as the page sets them (and none where it sets none), no X-Request-Id.
 * Returns 1 when all hold.
 */
int it_check_nginx(const struct http_resp *r, int raised, const char *label);

/* An error answer of any test: when nginx answered it itself, it_check_nginx(r, 0,
 * label); 1 otherwise, and for an answer without a body (to a HEAD). */
int it_check_if_nginx(const struct http_resp *r, const char *label);

#endif
