/*
 * route.h - the one route table: which handler answers a method on a path, and the
 * operation the metrics count it under. A path is a pattern of literal segments and
 * captures, "{name}", each one whole segment; "[/]" at the end lets one trailing slash
 * name the same resource. The captures reach the handler raw (not decoded): a handler
 * turns them into typed values, and answers a malformed one in the contract's order.
 * One capture is checked while matching: {instance}, a pool number from 1 to
 * URI_INSTANCE_MAX (any other makes no match).
 */
#ifndef PC_ROUTE_H
#define PC_ROUTE_H

#include <stddef.h>

#include "metrics.h"
#include "req.h"
#include "resp.h"
#include "uri.h"

#define ROUTE_CAPTURE_MAX 4 /* captures in one pattern */

/* What the matched pattern captured, in the pattern's order: raw segments. */
struct route_args {
	struct uri_seg seg[ROUTE_CAPTURE_MAX];
	size_t n;
};

typedef void route_handler(struct srv *sv, const struct req *rq, const struct route_args *a,
                           struct resp *rs);

struct route {
	const char *method;
	const char *path; /* the pattern */
	route_handler *handler;
	enum metrics_op op;
	enum resp_form form; /* the shape of its answers, errors too */
};

/* The table (route.c). */
extern const struct route route_table[];
extern const size_t route_count;

/*
 * Answers rq into rs: the route whose pattern and method match, 404 when no pattern
 * matches the path, 405 (with Allow: the methods of the patterns that match) when none
 * of them has the method. Returns the operation the metrics count it under
 * (METRICS_OP_OTHER for a 404 or a 405). A path of OAuth's answers in OAuth's form,
 * its 405 too.
 */
enum metrics_op route_dispatch(struct srv *sv, const struct req *rq, struct resp *rs);

/* Why route_find found no row: the methods of the patterns that match the path ("" when
 * none does: a 404), and the shape of their answers. */
struct route_miss {
	char allow[RESP_ALLOW_MAX];
	enum resp_form form;
};

/* The row for method on path[0..len), and its captures in a; NULL when there is none,
 * and then miss says why. */
const struct route *route_find(const char *method, const char *path, size_t len,
                               struct route_args *a, struct route_miss *miss);

/* Whether the {instance} a path captured, if any, is pool self (a number). */
int route_instance_is(const struct route_args *a, const char *self);

/* Whether path[0..len) matches pattern; then a holds the captures. Pure, for testing. */
int route_match(const char *pattern, const char *path, size_t len, struct route_args *a);

#endif
