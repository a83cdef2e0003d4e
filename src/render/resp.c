/*
 * resp.c - responses: error bodies from the one error table, success bodies built by
 * the handlers, and the CGI header block.
 */
#include <stdio.h>
#include <string.h>

#include "resp.h"

void resp_init(struct resp *r, const char *request_id)
{
	/* field by field: the arena's block needs no clearing */
	r->status = 500;
	r->err = ERR_INTERNAL;
	r->allow = NULL;
	r->form = RESP_UAPI;
	r->replayed = 0;
	r->request_id = request_id;
	r->gen = NULL;
	r->text = NULL;
	r->text_len = 0;
	r->text_type = NULL;
	arena_reset(&r->mem);
}

void resp_free(struct resp *r)
{
	if (r == NULL)
		return;
	if (r->gen != NULL)
		yajl_gen_free(r->gen);
	r->gen = NULL;
	r->text = NULL;
	r->text_len = 0;
	r->text_type = NULL;
	arena_reset(&r->mem);
}

void resp_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void resp_method(struct resp *r, const char *allow)
{
	resp_error(r, ERR_METHOD);
	snprintf(r->allow_buf, sizeof(r->allow_buf), "%s", allow);
	r->allow = r->allow_buf;
}

void resp_too_many(struct resp *r, int wait_s)
{
	resp_error(r, ERR_TOO_MANY);
	r->retry_after = wait_s > 0 ? wait_s : 1;
}

yajl_gen resp_json(struct resp *r, int status)
{
	yajl_alloc_funcs af;

	resp_free(r);
	arena_yajl(&r->mem, &af);
	r->gen = yajl_gen_alloc(&af); /* owned by r, freed by resp_free; memory from r->mem */
	if (r->gen == NULL) {
		r->status = 500;
		r->err = ERR_INTERNAL;
		return NULL;
	}
	r->status = status;
	r->err = ERR_NONE;
	r->allow = NULL;
	return r->gen;
}

void resp_empty(struct resp *r, int status)
{
	resp_free(r);
	r->status = status;
	r->err = ERR_NONE;
	r->allow = NULL;
}

void resp_text(struct resp *r, int status, const char *type, const char *text, size_t len)
{
	resp_empty(r, status);
	r->text = text;
	r->text_len = len;
	r->text_type = type;
}

void resp_error(struct resp *r, enum err e)
{
	const struct err_info *ei = err_info(e);
	yajl_gen g = resp_json(r, ei->status);

	r->err = e;
	r->status = ei->status;
	r->allow = NULL;
	if (g == NULL)
		return;
	if (r->form == RESP_OAUTH) {
		yajl_gen_map_open(g);
		resp_str(g, "error");
		resp_str(g, ei->code);
		resp_str(g, "error_description");
		resp_str(g, ei->message);
		yajl_gen_map_close(g);
		return;
	}
	yajl_gen_map_open(g);
	resp_str(g, "error");
	yajl_gen_map_open(g);
	resp_str(g, "code");
	resp_str(g, ei->code);
	resp_str(g, "message");
	resp_str(g, ei->message);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

void resp_body(const struct resp *r, const unsigned char **p, size_t *len)
{
	*p = NULL;
	*len = 0;
	if (r->text != NULL) {
		*p = (const unsigned char *)r->text;
		*len = r->text_len;
		return;
	}
	if (r->gen != NULL && yajl_gen_get_buf(r->gen, p, len) != yajl_gen_status_ok) {
		*p = NULL;
		*len = 0;
	}
}

size_t resp_head(const struct resp *r, char *buf, size_t cap)
{
	const unsigned char *body;
	char retry[RESP_RETRY_MAX] = "", ctype[RESP_CTYPE_MAX] = "";
	size_t blen;
	int n;

	resp_body(r, &body, &blen);
	if (r->status == 503)
		snprintf(retry, sizeof(retry), "Retry-After: " RESP_RETRY_AFTER_S "\r\n");
	else if (r->status == 429)
		snprintf(retry, sizeof(retry), "Retry-After: %d\r\n",
		         r->retry_after > 0 ? r->retry_after : 1);
	if (body != NULL) {
		n = snprintf(ctype, sizeof(ctype), "Content-Type: %s\r\n",
		             r->text != NULL && r->text_type != NULL ? r->text_type
		                                                     : "application/json");
		if (n < 0 || (size_t)n >= sizeof(ctype))
			return 0;
	}
	n = snprintf(buf, cap, "Status: %d %s\r\n%s%s%s%s%s%s%s%s%s%s%s%s\r\n", r->status,
	             err_reason(r->status), ctype, "Cache-Control: no-store\r\n",
	             r->form == RESP_OAUTH ? "Pragma: no-cache\r\n" : "", r->allow ? "Allow: " : "",
	             r->allow ? r->allow : "", r->allow ? "\r\n" : "",
	             r->status != 401        ? ""
	             : r->form == RESP_OAUTH ? "WWW-Authenticate: Basic realm=\"UnifiedAPI\"\r\n"
	                                     : "WWW-Authenticate: Bearer realm=\"UnifiedAPI\"\r\n",
	             retry, r->request_id ? "X-Request-Id: " : "",
	             r->request_id ? r->request_id : "", r->request_id ? "\r\n" : "",
	             r->replayed ? "Idempotent-Replayed: true\r\n" : "");
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}
