/*
 * render.h - the JSON bodies of the answers that succeed, from the domain's values
 * (calls.h): a call with its views, a page of the List, an action's answer, the health
 * check, an issued token. (Error bodies come from the error table: resp.c.)
 */
#ifndef PC_RENDER_H
#define PC_RENDER_H

#include <stddef.h>

#include <yajl/yajl_gen.h>

#include "calls.h"

/* One call, with the fields named (QUERY_F_*), and its self link under base. */
void render_call(yajl_gen g, const struct call *c, const char *base, unsigned fields);

/* A page of the List: opens its object, writes startIndex, itemsPerPage, totalResults
 * and opens "entry", for the calls (render_call) and then render_page_end. */
void render_page_begin(yajl_gen g, long long start, size_t ncalls, long long total);
void render_page_end(yajl_gen g);

/* The 202 of StopRecording and StartRecording: the call's id, extension and link. */
void render_action(yajl_gen g, const struct act_result *a, const char *base);

/* The health check: status ok, the pool's number, the media plane's state. */
void render_health(yajl_gen g, const char *instance, const char *media);

/* An issued token: access_token, token_type Bearer, expires_in. */
void render_token(yajl_gen g, const char *token, int ttl_s);

#endif
