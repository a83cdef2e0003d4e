/*
 * h_phonecalls.c - the PhoneCalls handlers: Update (StopRecording, StartRecording), List one,
 * List many. The route table has checked the path and the method, access.c the token;
 * each handler runs the rest in the contract's order, top to bottom: content type, JSON,
 * action, userId, extension, then the database's one statement for phoneCallId,
 * phoneCallViewId, format and precondition.
 */
#include <string.h>

#include "access.h"
#include "body.h"
#include "log.h"
#include "mtype.h"
#include "db.h"
#include "handlers.h"
#include "render.h"

/* An Idempotency-Key: 1 to REQ_IDEM_KEY_MAX visible ASCII characters. */
static int idem_key_ok(const char *k)
{
	size_t n = strnlen(k, REQ_IDEM_KEY_MAX + 1);

	if (n == 0 || n > REQ_IDEM_KEY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

/* What a PUT must be before the database is asked: one well-formed Idempotency-Key at
 * most, JSON, well-formed, a known action. */
static enum err put_checks(const struct req *rq, struct body *b)
{
	enum err e;

	if (rq->idem_count > 1 || (rq->idem_key != NULL && !idem_key_ok(rq->idem_key)))
		return ERR_REQUEST_INVALID;
	if (!mtype_json(rq->content_type))
		return ERR_CONTENT_TYPE;
	if ((e = body_parse(rq->body, rq->body_len, b)) != ERR_NONE)
		return e;
	if (b->action == BODY_ACT_OTHER)
		return ERR_NOT_IMPLEMENTED;
	if (b->action == BODY_ACT_INVALID)
		return ERR_ACTION_INVALID;
	return ERR_NONE;
}

/* Whose calls: the token, the scope its context resolved, the path's values. */
static struct db_target target(const struct access *ac, const struct ctx_scope *scope,
                               const struct uri *u)
{
	return (struct db_target){.token_id = ac->tok.token_id,
	                          .scope = *scope,
	                          .self = u->ext_self,
	                          .ext = u->ext_ok ? u->ext : NULL,
	                          .call = u->call_ok ? u->call : NULL};
}

static enum err do_get(struct db *db, const struct req *rq, const struct db_target *at, bool one,
                       const struct query *qy, struct resp *rs)
{
	struct db_list in = {.at = *at, .one = one, .query = qy};
	struct db_page page;
	struct call c;
	enum err e;
	yajl_gen g;

	if ((e = db_list(db, &in, &page)) != ERR_NONE) {
		resp_error(rs, e);
		return e;
	}
	if (page.total == 0) {
		resp_empty(rs, 204);
	} else if ((g = resp_json(rs, 200)) != NULL && one) {
		if (db_page_next(&page, &c))
			render_call(g, &c, rq->base, qy->fields);
	} else if (g != NULL) {
		render_page_begin(g, qy->start, page.ncalls, page.total);
		while (db_page_next(&page, &c))
			render_call(g, &c, rq->base, qy->fields);
		render_page_end(g);
	}
	db_page_free(&page);
	return ERR_NONE;
}

static enum err do_put(struct db *db, const struct req *rq, const struct db_target *at,
                       const struct body *b, struct resp *rs)
{
	struct db_act in = {.at = *at};
	unsigned char parts[2][AUTH_DIGEST_LEN], digest[AUTH_DIGEST_LEN];
	struct act_result out;
	enum err e;
	yajl_gen g;

	in.view = b->view == BODY_OK ? b->view_id : NULL;
	in.action = b->action == BODY_ACT_STOP ? "stop" : "start";
	in.format = b->format == BODY_INVALID ? NULL : body_format_name(b->fmt);
	in.request_id = rq->request_id;
	if (rq->idem_key != NULL) {
		/* the request a key stands for: its URI and its body */
		if (auth_sha256(rq->uri, rq->uri_len, parts[0]) != 0 ||
		    auth_sha256(rq->body, rq->body_len, parts[1]) != 0 ||
		    auth_sha256(parts, sizeof(parts), digest) != 0) {
			resp_error(rs, ERR_INTERNAL);
			return ERR_INTERNAL;
		}
		in.idem_key = rq->idem_key;
		in.idem_hash = digest;
	}
	memset(&out, 0, sizeof(out));
	e = db_action(db, &in, &out);
	if (e != ERR_NONE) {
		resp_error(rs, e);
		rs->replayed = out.outcome == ACT_REPLAYED;
		return e;
	}
	/* One line per change, with the request id that nginx logged and the event row
	 * holds: an operator follows a request from the access log to the event. */
	if (out.outcome == ACT_CHANGED)
		log_msg("request=%s %s call=%s view=%s", rq->request_id, in.action, out.call,
		        in.view);
	if ((g = resp_json(rs, 202)) == NULL)
		return ERR_NONE;
	rs->replayed = out.outcome == ACT_REPLAYED;
	render_action(g, &out, rq->base);
	return ERR_NONE;
}

/* The List, of an extension's calls or of one (one): access (size first), userId,
 * extension, the List parameters, then the database. */
static void get(struct srv *sv, const struct req *rq, const struct route_args *a, bool one,
                struct resp *rs)
{
	struct ctx_scope scope;
	struct db_target at;
	struct access ac;
	struct query qy;
	struct uri u;
	enum err e;

	uri_parts(a->seg, a->n, &u);
	if ((e = access_check(sv, rq, &ac)) != ERR_NONE) {
		access_refuse(rs, e, &ac);
		return;
	}
	/* both List forms read the List parameters; the one-call form has nothing to page */
	if ((e = ctx_resolve(&ac.tok, &u, &scope)) != ERR_NONE ||
	    (e = query_parse(rq->query, rq->query_len, &qy)) != ERR_NONE) {
		access_refuse(rs, access_refusal(sv, &ac, e), &ac);
		return;
	}
	at = target(&ac, &scope, &u);
	access_served(sv, &ac, do_get(sv->db, rq, &at, one, &qy, rs));
}

void h_calls_list(struct srv *sv, const struct req *rq, const struct route_args *a, struct resp *rs)
{
	get(sv, rq, a, false, rs);
}

void h_call_get(struct srv *sv, const struct req *rq, const struct route_args *a, struct resp *rs)
{
	get(sv, rq, a, true, rs);
}

/* StopRecording and StartRecording, in the contract's order: access (size first), then the
 * request itself (Idempotency-Key, content type, JSON, action), userId, extension; the
 * database checks the rest in one statement (phoneCallId, phoneCallViewId, format,
 * precondition, the media plane, the key's use). */
void h_call_put(struct srv *sv, const struct req *rq, const struct route_args *a, struct resp *rs)
{
	struct ctx_scope scope;
	struct db_target at;
	struct access ac;
	struct body b;
	struct uri u;
	enum err e;

	uri_parts(a->seg, a->n, &u);
	if ((e = access_check(sv, rq, &ac)) != ERR_NONE) {
		access_refuse(rs, e, &ac);
		return;
	}
	if ((e = put_checks(rq, &b)) != ERR_NONE ||
	    (e = ctx_resolve(&ac.tok, &u, &scope)) != ERR_NONE) {
		access_refuse(rs, access_refusal(sv, &ac, e), &ac);
		return;
	}
	at = target(&ac, &scope, &u);
	access_served(sv, &ac, do_put(sv->db, rq, &at, &b, rs));
}
