/*
 * route.c - the route table and the dispatch of a request to its handler (route.h).
 * Every path the worker answers, with its method and its handler, is a row here, and
 * nowhere else: the 404s, the 405s and their Allow headers, and the operation the
 * metrics count, all come from this table.
 */
#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "route.h"
#include "uri.h"

const struct route route_table[] = {
    {"GET", "/uapi/health", h_health, METRICS_OP_HEALTH, RESP_UAPI},
    {"GET", "/uapi/health/{instance}", h_health, METRICS_OP_HEALTH, RESP_UAPI},
    {"GET", "/uapi/metrics", h_metrics, METRICS_OP_METRICS, RESP_UAPI},
    {"GET", "/uapi/metrics/{instance}", h_metrics, METRICS_OP_METRICS, RESP_UAPI},
    {"POST", "/oauth/token.php", h_token, METRICS_OP_TOKEN, RESP_OAUTH},
    {"GET", "/uapi/phoneCalls/{userId}/{extension}[/]", h_calls_list, METRICS_OP_LIST, RESP_UAPI},
    {"GET", "/uapi/phoneCalls/{userId}/{extension}/{phoneCallId}[/]", h_call_get, METRICS_OP_GET,
     RESP_UAPI},
    {"PUT", "/uapi/phoneCalls/{userId}/{extension}/{phoneCallId}[/]", h_call_put, METRICS_OP_PUT,
     RESP_UAPI},
};
const size_t route_count = sizeof(route_table) / sizeof(*route_table);

/* Whether a capture named name[0..n) takes seg[0..len). */
static int capture_ok(const char *name, size_t n, const char *seg, size_t len)
{
	long long v;

	if (n == 8 && memcmp(name, "instance", 8) == 0)
		return uri_num(seg, len, URI_INSTANCE_MAX, &v) == 0 && v >= 1;
	return 1;
}

int route_match(const char *pattern, const char *path, size_t len, struct route_args *a)
{
	const char *p = pattern, *s = path, *end;
	size_t plen = strlen(pattern);

	a->n = 0;
	/* "[/]": one trailing slash names the same resource, but never the prefix alone */
	if (plen >= 3 && memcmp(pattern + plen - 3, "[/]", 3) == 0) {
		plen -= 3;
		if (len > 1 && path[len - 1] == '/')
			len--;
	}
	end = path + len;
	while (p < pattern + plen) {
		if (*p == '{') {
			const char *close = memchr(p, '}', (size_t)(pattern + plen - p));
			const char *stop = memchr(s, '/', (size_t)(end - s));
			if (close == NULL || a->n == ROUTE_CAPTURE_MAX)
				return 0;
			if (stop == NULL)
				stop = end;
			if (!capture_ok(p + 1, (size_t)(close - p - 1), s, (size_t)(stop - s)))
				return 0;
			a->seg[a->n].p = s;
			a->seg[a->n++].len = (size_t)(stop - s);
			s = stop;
			p = close + 1;
		} else {
			if (s == end || *s != *p)
				return 0;
			s++;
			p++;
		}
	}
	return s == end;
}

int route_instance_is(const struct route_args *a, const char *self)
{
	long long n, me;

	if (a->n == 0)
		return 1;
	return uri_num(a->seg[0].p, a->seg[0].len, URI_INSTANCE_MAX, &n) == 0 &&
	       uri_num(self, strlen(self), URI_INSTANCE_MAX, &me) == 0 && n == me;
}

const struct route *route_find(const char *method, const char *path, size_t len,
                               struct route_args *a, struct route_miss *miss)
{
	size_t n = 0;

	miss->allow[0] = '\0';
	miss->form = RESP_UAPI;
	for (size_t i = 0; i < route_count; i++)
		if (strcmp(route_table[i].method, method) == 0 &&
		    route_match(route_table[i].path, path, len, a))
			return &route_table[i];
	/* none: the methods of the patterns the path matches, in the table's order, each
	 * named once (a 405), or none (a 404); only now, off the path of a request served */
	for (size_t i = 0; i < route_count; i++) {
		const struct route *r = &route_table[i];
		if (!route_match(r->path, path, len, a))
			continue;
		if (r->form != RESP_UAPI)
			miss->form = r->form;
		if (strstr(miss->allow, r->method) == NULL &&
		    n + strlen(r->method) + 3 < sizeof(miss->allow))
			n += (size_t)snprintf(miss->allow + n, sizeof(miss->allow) - n, "%s%s",
			                      n ? ", " : "", r->method);
	}
	return NULL;
}

enum metrics_op route_dispatch(struct srv *sv, const struct req *rq, struct resp *rs)
{
	struct route_miss miss;
	struct route_args a;
	const struct route *r = route_find(rq->method, rq->path, rq->path_len, &a, &miss);

	if (r != NULL) {
		rs->form = r->form;
		r->handler(sv, rq, &a, rs);
		return r->op;
	}
	rs->form = miss.form;
	if (miss.allow[0] != '\0')
		resp_method(rs, miss.allow);
	else
		resp_error(rs, ERR_NOT_FOUND);
	return METRICS_OP_OTHER;
}
