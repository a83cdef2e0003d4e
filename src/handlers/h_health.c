/*
 * h_health.c - GET /uapi/health (the pool nginx picks) and /uapi/health/N (pool N's,
 * which nginx routes to pool N alone; anywhere else it is a 404): 200
 * {"status":"ok","instance":...,"media":...} when the worker reaches the primary, else
 * the contract's 503. No token: it tells nginx and operators up or down, and nothing else.
 */
#include "db.h"
#include "handlers.h"
#include "render.h"

void h_health(struct srv *sv, const struct req *rq, const struct route_args *a, struct resp *rs)
{
	struct metrics_media media;
	enum err e;
	yajl_gen g;

	(void)rq;
	if (!route_instance_is(a, sv->instance)) {
		resp_error(rs, ERR_NOT_FOUND);
		return;
	}
	if ((e = db_health(sv->db, &media)) != ERR_NONE) {
		resp_error(rs, e);
		return;
	}
	if ((g = resp_json(rs, 200)) == NULL)
		return;
	/* the API answers either way; PUTs on calls a media engine carries wait for "live" */
	render_health(g, sv->instance, media.live ? "live" : media.configured ? "down" : "off");
}
