/* http.h - a tiny raw HTTP/1.1 client for the integration tests (127.0.0.1:$PC_HTTP_PORT). */
#ifndef PC_TESTS_HTTP_H
#define PC_TESTS_HTTP_H

#include <stddef.h>

#define HTTP_HEADERS_MAX 64

struct http_header {
	char *name;  /* as received, NUL-terminated */
	char *value; /* leading and trailing blanks removed */
};

/* One response, read to EOF. Everything is owned by the struct: http_free. */
struct http_resp {
	int status;
	char *raw; /* every byte received, NUL-terminated */
	size_t raw_len;
	struct http_header headers[HTTP_HEADERS_MAX];
	size_t nheaders;
	char *head; /* backing store of headers[] */
	char *body; /* de-chunked body, NUL-terminated; "" when there is none */
	size_t body_len;
};

/* The port of $PC_HTTP_PORT, or -1 when it is unset or malformed. */
int http_port(void);

/* Sends this process's later requests from that loopback address (such as
 * "127.0.0.2"), so that nginx sees another client; NULL: the default, 127.0.0.1.
 * Returns 0, or -1 when addr is not an IPv4 address. */
int http_set_source(const char *addr);

/* Flags of http_exchange. */
#define HTTP_NO_BODY 1 /* the answer has no body (the request is a HEAD) */
#define HTTP_HALF_CLOSE                                                                            \
	2 /* shut the sending side once req is sent (a client that gives                           \
	     up sending the rest of a body) */

/*
 * Sends exactly the len bytes of req on a new connection to 127.0.0.1:http_port(),
 * reads the answer to EOF (or to the end of a response framed by Content-Length or
 * chunked: a server that rejected a request early may linger for the rest of it before
 * closing) and parses it. Returns 0 and fills out, or -1 (then out holds nothing to free).
 */
int http_exchange(const char *req, size_t len, int flags, struct http_resp *out);

/*
 * Builds and sends "METHOD target HTTP/1.1" with Host: 127.0.0.1:<port>,
 * Connection: close, the extra header lines (each ending in CRLF; may be NULL) and,
 * when body is not NULL, a Content-Length and the body_len bytes of body.
 */
int http_send(struct http_resp *out, const char *method, const char *target, const char *headers,
              const char *body, size_t body_len);

/* The value of the first header of that name (case-insensitive), or NULL. */
const char *http_header(const struct http_resp *r, const char *name);

/* How many headers of that name came (case-insensitive). */
int http_header_count(const struct http_resp *r, const char *name);

void http_free(struct http_resp *r);

#endif
