/*
 * render.c - the JSON bodies of the answers that succeed (render.h). A member whose
 * value is none (a NULL slice) is left out, as UnifiedAPI does.
 */
#include <stdio.h>
#include <string.h>

#include "query.h"
#include "render.h"
#include "req.h"
#include "resp.h"

static void put_str(yajl_gen g, struct str v)
{
	yajl_gen_string(g, (const unsigned char *)v.p, v.len);
}

/* A member with a string value, left out when there is none. */
static void member(yajl_gen g, const char *key, struct str v)
{
	if (v.p == NULL)
		return;
	resp_str(g, key);
	put_str(g, v);
}

/* A member whose value is a list joined by CALL_LIST_SEP, as an array of strings. */
static void member_list(yajl_gen g, const char *key, struct str v)
{
	const char *p = v.p, *end = v.p + v.len;

	if (v.p == NULL)
		return;
	resp_str(g, key);
	yajl_gen_array_open(g);
	while (p < end) {
		const char *sep = memchr(p, CALL_LIST_SEP, (size_t)(end - p));
		const char *stop = sep ? sep : end;
		yajl_gen_string(g, (const unsigned char *)p, (size_t)(stop - p));
		p = sep ? sep + 1 : end;
	}
	yajl_gen_array_close(g);
}

/* "link": {"self": base/uapi/phoneCalls/user/ext/call}. */
static void link(yajl_gen g, const char *base, long long user, struct str ext, struct str call)
{
	char buf[REQ_BASE_MAX + sizeof(URI_PREFIX) + 24 + URI_EXT_MAX + URI_CALLID_MAX + 8];
	int n = snprintf(buf, sizeof(buf), "%s" URI_PREFIX "%lld/%.*s/%.*s", base, user,
	                 (int)ext.len, ext.p ? ext.p : "", (int)call.len, call.p ? call.p : "");

	/* The buffer holds the longest base, ids and numbers; clamp all the same. */
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	resp_str(g, "link");
	yajl_gen_map_open(g);
	resp_str(g, "self");
	yajl_gen_string(g, (const unsigned char *)buf, (size_t)n);
	yajl_gen_map_close(g);
}

void render_call(yajl_gen g, const struct call *c, const char *base, unsigned fields)
{
	yajl_gen_map_open(g);
	member(g, "id", c->id);
	if (fields & QUERY_F_EXTENSION)
		member(g, "extension", c->ext);
	if (fields & QUERY_F_OWNER_ID)
		member(g, "ownerId", c->org_id);
	if (fields & QUERY_F_OWNER_NAME)
		member(g, "ownerName", c->org_name);
	if (fields & QUERY_F_ANSWERED)
		member(g, "answered", c->answered);
	if (fields & QUERY_F_PUBLISHED)
		member(g, "published", c->published);
	if (fields & QUERY_F_VIEWS) {
		resp_str(g, "phoneCallView");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < c->nviews; i++) {
			const struct call_view *v = &c->views[i];
			yajl_gen_map_open(g);
			member(g, "id", v->id);
			member(g, "extension", v->ext);
			member(g, "answered", v->answered);
			member(g, "status", v->status);
			member(g, "callerId", v->caller_id);
			member_list(g, "source", v->source);
			member_list(g, "destination", v->destination);
			member(g, "recording", v->recording);
			yajl_gen_map_close(g);
		}
		yajl_gen_array_close(g);
	}
	link(g, base, c->owner_user, c->ext, c->id);
	yajl_gen_map_close(g);
}

void render_page_begin(yajl_gen g, long long start, size_t ncalls, long long total)
{
	yajl_gen_map_open(g);
	resp_str(g, "startIndex");
	yajl_gen_integer(g, start);
	resp_str(g, "itemsPerPage");
	yajl_gen_integer(g, (long long)ncalls);
	resp_str(g, "totalResults");
	yajl_gen_integer(g, total);
	resp_str(g, "entry");
	yajl_gen_array_open(g);
}

void render_page_end(yajl_gen g)
{
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

void render_action(yajl_gen g, const struct act_result *a, const char *base)
{
	struct str call = {a->call, strlen(a->call)}, ext = {a->ext, strlen(a->ext)};

	yajl_gen_map_open(g);
	member(g, "id", call);
	member(g, "extension", ext);
	link(g, base, a->user_id, ext, call);
	yajl_gen_map_close(g);
}

void render_health(yajl_gen g, const char *instance, const char *media)
{
	yajl_gen_map_open(g);
	resp_str(g, "status");
	resp_str(g, "ok");
	resp_str(g, "instance");
	resp_str(g, instance);
	resp_str(g, "media");
	resp_str(g, media);
	yajl_gen_map_close(g);
}

void render_token(yajl_gen g, const char *token, int ttl_s)
{
	yajl_gen_map_open(g);
	resp_str(g, "access_token");
	resp_str(g, token);
	resp_str(g, "token_type");
	resp_str(g, "Bearer");
	resp_str(g, "expires_in");
	yajl_gen_integer(g, ttl_s);
	yajl_gen_map_close(g);
}
