/*
 * pc.c - the PhoneCalls requests: Update (StopRecording, StartRecording), List one,
 * List many. Checks run in the contract's order: path, method, authentication,
 * content type, JSON, action, userId, extension, phoneCallId, phoneCallViewId,
 * format, precondition; the ones that need the database run there, in one statement.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "body.h"
#include "log.h"
#include "metrics.h"
#include "pc.h"

static int ieq(const char *a, size_t alen, const char *lit)
{
	return alen == strlen(lit) && strncasecmp(a, lit, alen) == 0;
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

int pc_content_type_ok(const char *ct)
{
	const char *p, *end;

	if (ct == NULL)
		return 0;
	p = skip_ows(ct);
	end = p;
	while (*end && *end != ';' && *end != ' ' && *end != '\t')
		end++;
	if (!ieq(p, (size_t)(end - p), "application/json"))
		return 0;
	p = skip_ows(end);
	while (*p == ';') {
		const char *name = skip_ows(p + 1), *eq = name, *val, *vend;
		if (*name == ';' || *name == '\0') { /* an empty parameter (RFC 9110, 5.6.6) */
			p = name;
			continue;
		}
		while (*eq && *eq != '=' && *eq != ';')
			eq++;
		if (*eq != '=')
			return 0;
		val = eq + 1;
		int quoted = *val == '"';
		if (quoted)
			val++;
		vend = val;
		while (*vend &&
		       (quoted ? *vend != '"' : (*vend != ';' && *vend != ' ' && *vend != '\t')))
			vend++;
		if (quoted && *vend != '"')
			return 0;
		size_t nlen = (size_t)(eq - name);
		while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
			nlen--;
		if (ieq(name, nlen, "charset") && !ieq(val, (size_t)(vend - val), "utf-8"))
			return 0;
		p = skip_ows(vend + quoted);
		if (*p != '\0' && *p != ';')
			return 0;
	}
	return *p == '\0';
}

/* The token of the request: 0 and its digest, or -1 (401). */
static int token_digest(const struct pc_req *rq, const char *query, size_t qlen,
                        unsigned char digest[AUTH_DIGEST_LEN])
{
	const char *qtok = NULL, *tok;
	size_t qlen_tok = 0, toklen;
	/* As sent, never decoded: a token needs no escaping, and nginx's per-token rate
	 * limit keys on the text as sent, so any other spelling would get a bucket of its
	 * own. A '+' would read as a space in a query string: no token has one there. */
	int inq = uri_query_raw(query, qlen, "accessRequestToken", &qtok, &qlen_tok);

	if (rq->auth_count > 1 || inq < 0 || (inq > 0 && memchr(qtok, '+', qlen_tok)))
		return -1;
	if (rq->auth_count == 1) {
		/* One way of sending a token at a time (RFC 6750, 2). */
		if (inq > 0 || auth_bearer(rq->auth, rq->auth_len, &tok, &toklen) != 0)
			return -1;
	} else if (inq > 0) {
		if (auth_token_ok(qtok, qlen_tok) != 0)
			return -1;
		tok = qtok;
		toklen = qlen_tok;
	} else {
		return -1;
	}
	auth_sha256(tok, toklen, digest);
	return 0;
}

/* What a PUT must be before the database is asked: JSON, well-formed, a known action. */
/* An Idempotency-Key: 1 to PC_IDEM_KEY_MAX visible ASCII characters. */
static int idem_key_ok(const char *k)
{
	size_t n = strnlen(k, PC_IDEM_KEY_MAX + 1);

	if (n == 0 || n > PC_IDEM_KEY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

static enum err put_checks(const struct pc_req *rq, struct body *b)
{
	enum err e;

	if (rq->idem_count > 1 || (rq->idem_key != NULL && !idem_key_ok(rq->idem_key)))
		return ERR_REQUEST_INVALID;
	if (!pc_content_type_ok(rq->content_type))
		return ERR_CONTENT_TYPE;
	if ((e = body_parse(rq->body, rq->body_len, b)) != ERR_NONE)
		return e;
	if (b->action == BODY_ACT_OTHER)
		return ERR_NOT_IMPLEMENTED;
	if (b->action == BODY_ACT_INVALID)
		return ERR_ACTION_INVALID;
	return ERR_NONE;
}

/*
 * Answers an error found after the token. A token taken from memory is looked up again
 * first: one no longer valid is answered 401, which comes before every other error.
 */
static void fail(struct db *db, const unsigned char digest[AUTH_DIGEST_LEN], bool checked,
                 enum err e, struct resp *rs)
{
	struct ctx_token again;
	bool c;
	enum err a;

	if (!checked && (a = db_auth(db, digest, true, &again, &c)) != ERR_NONE)
		e = a;
	resp_error(rs, e);
}

static void put_link(yajl_gen g, const char *base, long long user, const char *ext,
                     const char *call)
{
	char link[PC_BASE_MAX + sizeof(URI_PREFIX) + 24 + URI_EXT_MAX + URI_CALLID_MAX + 8];
	int n = snprintf(link, sizeof(link), "%s" URI_PREFIX "%lld/%s/%s", base, user, ext, call);

	/* The buffer holds the longest base, ids and numbers; clamp all the same. */
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(link))
		n = (int)sizeof(link) - 1;
	resp_str(g, "link");
	yajl_gen_map_open(g);
	resp_str(g, "self");
	yajl_gen_string(g, (const unsigned char *)link, (size_t)n);
	yajl_gen_map_close(g);
}

/* A text column as a string field, left out when NULL (UAPI). */
static void put_col(yajl_gen g, const PGresult *r, int row, int col, const char *key)
{
	if (PQgetisnull(r, row, col))
		return;
	resp_str(g, key);
	yajl_gen_string(g, (const unsigned char *)PQgetvalue(r, row, col),
	                (size_t)PQgetlength(r, row, col));
}

/* A list column joined by U+001F as a JSON array of strings. */
static void put_list(yajl_gen g, const PGresult *r, int row, int col, const char *key)
{
	const char *p = PQgetvalue(r, row, col), *end = p + PQgetlength(r, row, col);

	if (PQgetisnull(r, row, col))
		return;
	resp_str(g, key);
	yajl_gen_array_open(g);
	while (p < end) {
		const char *sep = memchr(p, '\x1f', (size_t)(end - p));
		const char *stop = sep ? sep : end;
		yajl_gen_string(g, (const unsigned char *)p, (size_t)(stop - p));
		p = sep ? sep + 1 : end;
	}
	yajl_gen_array_close(g);
}

/* A call's column as a string field, when fields names it. */
static void put_field(yajl_gen g, const PGresult *r, int row, unsigned fields, unsigned f, int col,
                      const char *key)
{
	if (fields & f)
		put_col(g, r, row, col, key);
}

/* Writes the call starting at row, with the fields named (QUERY_F_*); returns the first
 * row of the next call. */
static int put_call(yajl_gen g, const PGresult *r, int row, const char *base, unsigned fields)
{
	const char *id = PQgetvalue(r, row, DB_CALL);
	int n = PQntuples(r), first = row;

	yajl_gen_map_open(g);
	put_col(g, r, row, DB_CALL, "id");
	put_field(g, r, row, fields, QUERY_F_EXTENSION, DB_CALL_EXT, "extension");
	put_field(g, r, row, fields, QUERY_F_OWNER_ID, DB_ORG, "ownerId");
	put_field(g, r, row, fields, QUERY_F_OWNER_NAME, DB_ORG_NAME, "ownerName");
	put_field(g, r, row, fields, QUERY_F_ANSWERED, DB_ANSWERED, "answered");
	put_field(g, r, row, fields, QUERY_F_PUBLISHED, DB_PUBLISHED, "published");
	bool views = fields & QUERY_F_VIEWS;
	if (views) {
		resp_str(g, "phoneCallView");
		yajl_gen_array_open(g);
	}
	/* the call's rows, one per view, written or only passed over */
	for (; row < n && strcmp(PQgetvalue(r, row, DB_CALL), id) == 0; row++) {
		if (!views || PQgetisnull(r, row, DB_VIEW))
			continue;
		yajl_gen_map_open(g);
		put_col(g, r, row, DB_VIEW, "id");
		put_col(g, r, row, DB_VIEW_EXT, "extension");
		put_col(g, r, row, DB_VIEW_ANSWERED, "answered");
		put_col(g, r, row, DB_STATUS, "status");
		put_col(g, r, row, DB_CALLER_ID, "callerId");
		put_list(g, r, row, DB_SOURCE, "source");
		put_list(g, r, row, DB_DESTINATION, "destination");
		put_col(g, r, row, DB_RECORDING, "recording");
		yajl_gen_map_close(g);
	}
	if (views)
		yajl_gen_array_close(g);
	put_link(g, base, atoll(PQgetvalue(r, first, DB_OWNER_USER)),
	         PQgetvalue(r, first, DB_CALL_EXT), id);
	yajl_gen_map_close(g);
	return row;
}

static enum err do_get(struct db *db, const struct pc_req *rq, const struct uri *u,
                       const struct ctx_token *tok, const struct ctx_scope *scope,
                       const struct query *qy, struct resp *rs)
{
	struct db_list in = {.token_id = tok->token_id, .scope = *scope, .query = qy};
	PGresult *r = NULL;
	enum err e;
	yajl_gen g;

	in.ext = u->ext_self ? NULL : u->ext_ok ? u->ext : "";
	in.one = u->route == URI_CALL;
	in.call = u->call_ok ? u->call : NULL;
	e = db_list(db, &in, &r);
	if (e != ERR_NONE) {
		resp_error(rs, e);
		return e;
	}
	long long total = atoll(PQgetvalue(r, 0, DB_TOTAL));
	if (total == 0) {
		resp_empty(rs, 204);
		goto done;
	}
	if ((g = resp_json(rs, 200)) == NULL)
		goto done;
	if (in.one) {
		put_call(g, r, 0, rq->base, qy->fields);
		goto done;
	}
	int calls = 0, n = PQntuples(r);
	for (int row = 0; row < n && !PQgetisnull(r, row, DB_CALL);) {
		int next = row + 1;
		while (next < n &&
		       strcmp(PQgetvalue(r, next, DB_CALL), PQgetvalue(r, row, DB_CALL)) == 0)
			next++;
		calls++;
		row = next;
	}
	yajl_gen_map_open(g);
	resp_str(g, "startIndex");
	yajl_gen_integer(g, qy->start);
	resp_str(g, "itemsPerPage");
	yajl_gen_integer(g, calls);
	resp_str(g, "totalResults");
	yajl_gen_integer(g, total);
	resp_str(g, "entry");
	yajl_gen_array_open(g);
	for (int row = 0; row < n && !PQgetisnull(r, row, DB_CALL);)
		row = put_call(g, r, row, rq->base, qy->fields);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
done:
	PQclear(r);
	return ERR_NONE;
}

static enum err do_put(struct db *db, const struct pc_req *rq, const struct uri *u,
                       const struct ctx_token *tok, const struct ctx_scope *scope,
                       const struct body *b, struct resp *rs)
{
	struct db_act in = {.token_id = tok->token_id, .scope = *scope};
	unsigned char parts[2][AUTH_DIGEST_LEN], digest[AUTH_DIGEST_LEN];
	struct db_act_out out;
	enum err e;
	yajl_gen g;

	in.ext = u->ext_self ? NULL : u->ext_ok ? u->ext : "";
	in.call = u->call_ok ? u->call : NULL;
	in.view = b->view == BODY_OK ? b->view_id : NULL;
	in.action = b->action == BODY_ACT_STOP ? "stop" : "start";
	in.format = b->format == BODY_INVALID ? NULL : body_format_name(b->fmt);
	in.request_id = rq->request_id;
	if (rq->idem_key != NULL) {
		/* the request a key stands for: its URI and its body */
		auth_sha256(rq->uri, rq->uri_len, parts[0]);
		auth_sha256(rq->body, rq->body_len, parts[1]);
		auth_sha256(parts, sizeof(parts), digest);
		in.idem_key = rq->idem_key;
		in.idem_hash = digest;
	}
	memset(&out, 0, sizeof(out));
	e = db_action(db, &in, &out);
	if (e != ERR_NONE) {
		resp_error(rs, e);
		rs->replayed = out.replayed;
		return e;
	}
	/* One line per change, with the request id that nginx logged and the event row
	 * holds: an operator follows a request from the access log to the event. */
	if (out.changed)
		log_msg("request=%s %s call=%s view=%s", rq->request_id, in.action, out.call,
		        in.view);
	if ((g = resp_json(rs, 202)) == NULL)
		return ERR_NONE;
	rs->replayed = out.replayed;
	yajl_gen_map_open(g);
	resp_str(g, "id");
	resp_str(g, out.call);
	resp_str(g, "extension");
	resp_str(g, out.ext);
	put_link(g, rq->base, out.user_id, out.ext, out.call);
	yajl_gen_map_close(g);
	return ERR_NONE;
}

/* The checks of the operations' paths, /uapi/health[/N] and /uapi/metrics[/N]: another
 * instance's path is a 404, another method than GET a 405. Returns 1 when refused. */
static int ops_refused(const struct pc_req *rq, const char *self, int which, struct resp *rs)
{
	if (which > 0 && which != atoi(self)) {
		resp_error(rs, ERR_NOT_FOUND);
		return 1;
	}
	if (strcmp(rq->method, "GET") != 0) {
		resp_error(rs, ERR_METHOD);
		rs->allow = "GET";
		return 1;
	}
	return 0;
}

void pc_health(struct db *db, const struct pc_req *rq, int which, struct resp *rs)
{
	const char *self = rq->instance ? rq->instance : "1";
	struct metrics_media media;
	enum err e;
	yajl_gen g;

	if (ops_refused(rq, self, which, rs))
		return;
	if ((e = db_health(db, &media)) != ERR_NONE) {
		resp_error(rs, e);
		return;
	}
	if ((g = resp_json(rs, 200)) == NULL)
		return;
	yajl_gen_map_open(g);
	resp_str(g, "status");
	resp_str(g, "ok");
	resp_str(g, "instance");
	resp_str(g, self);
	/* the API answers either way; PUTs on calls a media engine carries wait for "live" */
	resp_str(g, "media");
	resp_str(g, media.live ? "live" : media.configured ? "down" : "off");
	yajl_gen_map_close(g);
}

void pc_metrics(struct db *db, const struct metrics *m, const struct pc_req *rq, int which,
                char *buf, size_t cap, struct resp *rs)
{
	const char *self = rq->instance ? rq->instance : "1";
	struct metrics_snapshot snap;
	struct metrics_media media;
	size_t n;

	if (ops_refused(rq, self, which, rs))
		return;
	metrics_snapshot(m, self, &snap);
	/* the counters answer without the database; the media plane's series then say 0 */
	db_health(db, &media);
	if ((n = metrics_render(&snap, buf, cap)) == 0 ||
	    (n = metrics_render_media(&media, self, buf, n, cap)) == 0) {
		log_msg("request=%s metrics do not fit %zu bytes", rq->request_id, cap);
		resp_error(rs, ERR_INTERNAL);
		return;
	}
	resp_text(rs, 200, METRICS_CONTENT_TYPE, buf, n);
}

enum uri_route pc_handle(struct db *db, const struct pc_req *rq, struct resp *rs)
{
	const char *q = memchr(rq->uri, '?', rq->uri_len);
	size_t plen = q ? (size_t)(q - rq->uri) : rq->uri_len;
	size_t qlen = q ? rq->uri_len - plen - 1 : 0;
	unsigned char digest[AUTH_DIGEST_LEN];
	struct ctx_token tok;
	struct ctx_scope scope;
	struct query qy;
	struct body b;
	struct uri u;
	enum uri_route route = uri_parse(rq->uri, plen, &u);
	enum err e;
	bool checked;
	int put;

	q = q ? q + 1 : "";
	if (rq->body_too_large) {
		resp_error(rs, ERR_TOO_LARGE);
		return route;
	}
	if (route == URI_NONE) {
		resp_error(rs, ERR_NOT_FOUND);
		return route;
	}
	put = strcmp(rq->method, "PUT") == 0;
	if (!(strcmp(rq->method, "GET") == 0 || (put && u.route == URI_CALL))) {
		resp_error(rs, ERR_METHOD);
		rs->allow = u.route == URI_CALL ? "GET, PUT" : "GET";
		return route;
	}
	if (throttle_refuse(rq->throttle, rq->remote_addr, rs))
		return route;
	if (token_digest(rq, q, qlen, digest) != 0) {
		throttle_count(rq->throttle, rq->remote_addr);
		resp_error(rs, ERR_UNAUTHORIZED);
		return route;
	}
	memset(&tok, 0, sizeof(tok));
	if ((e = db_auth(db, digest, false, &tok, &checked)) != ERR_NONE) {
		if (e == ERR_UNAUTHORIZED)
			throttle_count(rq->throttle, rq->remote_addr);
		resp_error(rs, e);
		return route;
	}
	e = ctx_allowed(&tok);
	if (e == ERR_NONE && put)
		e = put_checks(rq, &b);
	if (e == ERR_NONE)
		e = ctx_resolve(&tok, &u, &scope);
	/* Both List forms read the List parameters; the one-call form has nothing to page. */
	if (e == ERR_NONE && !put)
		e = query_parse(q, qlen, &qy);
	if (e != ERR_NONE) {
		fail(db, digest, checked, e, rs);
		return route;
	}
	e = put ? do_put(db, rq, &u, &tok, &scope, &b, rs)
	        : do_get(db, rq, &u, &tok, &scope, &qy, rs);
	if (e == ERR_UNAUTHORIZED)
		db_forget(db, digest);
	return route;
}
