/*
 * h_metrics.c - GET /uapi/metrics (the pool nginx picks) and /uapi/metrics/N (pool N's;
 * as for the health check, anywhere but pool N it is a 404): 200 with the pool's counters
 * in the Prometheus text format, rendered into the worker's metrics buffer, which the
 * answer borrows until it is sent. No token: nginx lets only the addresses of
 * uapi-metrics-allow.conf ask.
 */
#include "db.h"
#include "handlers.h"
#include "log.h"

void h_metrics(struct srv *sv, const struct req *rq, const struct route_args *a, struct resp *rs)
{
	struct metrics_snapshot snap;
	struct metrics_media media;
	size_t n;

	if (!route_instance_is(a, sv->instance)) {
		resp_error(rs, ERR_NOT_FOUND);
		return;
	}
	metrics_snapshot(sv->metrics, sv->instance, &snap);
	/* the counters answer without the database; the media plane's series then say 0 */
	db_health(sv->db, &media);
	if ((n = metrics_render(&snap, sv->metrics_text, METRICS_TEXT_MAX)) == 0 ||
	    (n = metrics_render_media(&media, sv->instance, sv->metrics_text, n,
	                              METRICS_TEXT_MAX)) == 0) {
		log_msg("request=%s metrics do not fit %d bytes", rq->request_id, METRICS_TEXT_MAX);
		resp_error(rs, ERR_INTERNAL);
		return;
	}
	resp_text(rs, 200, METRICS_CONTENT_TYPE, sv->metrics_text, n);
}
