/* http.c - a tiny raw HTTP/1.1 client for the integration tests: send bytes, read to EOF, parse. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "chars.h"
#include "http.h"

#define HTTP_TIMEOUT_S 30      /* a hung server fails the test instead of hanging it */
#define HTTP_REQ_EXTRA 256     /* room for the request line and the fixed headers */
#define HTTP_LOG_LINE_MAX 8192 /* a longer request line is logged cut to this length */

int http_port(void)
{
	const char *s = getenv("PC_HTTP_PORT");
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
		return -1;
	return (int)v;
}

static struct in_addr source; /* 0: let the kernel choose */

int http_set_source(const char *addr)
{
	if (addr == NULL) {
		source.s_addr = 0;
		return 0;
	}
	return inet_pton(AF_INET, addr, &source) == 1 ? 0 : -1;
}

static int dial(void)
{
	struct timeval tv = {HTTP_TIMEOUT_S, 0};
	struct sockaddr_in a;
	int port = http_port(), fd;

	if (port < 0)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (source.s_addr != 0) {
		struct sockaddr_in b = {.sin_family = AF_INET, .sin_addr = source};
		if (bind(fd, (const struct sockaddr *)&b, sizeof(b)) != 0) {
			close(fd);
			return -1;
		}
	}
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (const struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Writes every byte; a server that answers early and closes may cut this short. */
static void send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* The first CRLF in [p, end), or NULL. */
static const char *find_crlf(const char *p, const char *end)
{
	for (; p + 1 < end; p++)
		if (p[0] == '\r' && p[1] == '\n')
			return p;
	return NULL;
}

/* Decodes a chunked body (RFC 9112, 7.1) into a new NUL-terminated buffer. 0 or -1. */
static int dechunk(const char *p, size_t len, char **out, size_t *outlen)
{
	const char *end = p + len;
	char *buf = malloc(len + 1);
	size_t n = 0;

	if (buf == NULL)
		return -1;
	for (;;) {
		size_t size = 0;
		int digits = 0, v;
		while (p < end && (v = chars_hex((unsigned char)*p)) >= 0 && digits < 16) {
			size = size * 16 + (size_t)v;
			p++;
			digits++;
		}
		const char *crlf = find_crlf(p, end); /* skips chunk extensions */
		if (digits == 0 || crlf == NULL || (*p != '\r' && *p != ';'))
			goto bad;
		p = crlf + 2;
		if (size == 0)
			break; /* trailers, if any, are ignored */
		if (size > (size_t)(end - p) || (size_t)(end - p) - size < 2 || p[size] != '\r' ||
		    p[size + 1] != '\n')
			goto bad;
		memcpy(buf + n, p, size);
		n += size;
		p += size + 2;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
bad:
	free(buf);
	return -1;
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Splits the head (status line and header lines, CRLF-separated) into r. 0 or -1. */
static int parse_head(struct http_resp *r, size_t hlen)
{
	char *p = r->head, *end = r->head + hlen;
	const char *eol = find_crlf(p, end);
	int status;

	if (sscanf(p, "HTTP/1.%*1[01] %3d", &status) != 1 || status < 100 || status > 599)
		return -1;
	r->status = status;
	p = eol ? (char *)eol + 2 : end;
	while (p < end) {
		char *le = (char *)find_crlf(p, end), *colon;
		if (le == NULL)
			le = end;
		*le = '\0';
		colon = strchr(p, ':');
		if (colon == NULL || colon == p || r->nheaders == HTTP_HEADERS_MAX)
			return -1;
		*colon = '\0';
		r->headers[r->nheaders].name = p;
		r->headers[r->nheaders++].value = trim(colon + 1);
		p = le + 2;
	}
	return 0;
}

/* Whether chunked is the last transfer coding of a Transfer-Encoding value. */
static int is_chunked(const char *te)
{
	size_t n = strlen(te), k = sizeof("chunked") - 1;

	return n >= k && strcasecmp(te + n - k, "chunked") == 0 &&
	       (n == k || te[n - k - 1] == ' ' || te[n - k - 1] == ',');
}

/* Picks the body out of what follows the head. 0 or -1. */
static int parse_body(struct http_resp *r, const char *p, size_t len, int no_body)
{
	const char *te = http_header(r, "Transfer-Encoding");
	const char *cl = http_header(r, "Content-Length");

	if (no_body || r->status == 204 || r->status == 304 || r->status < 200)
		len = 0;
	else if (te != NULL && is_chunked(te))
		return dechunk(p, len, &r->body, &r->body_len);
	else if (cl != NULL) {
		char *e;
		unsigned long long n = strtoull(cl, &e, 10);
		if (*e != '\0' || n > len)
			return -1;
		len = (size_t)n;
	}
	r->body = malloc(len + 1);
	if (r->body == NULL)
		return -1;
	memcpy(r->body, p, len);
	r->body[len] = '\0';
	r->body_len = len;
	return 0;
}

static int parse(struct http_resp *r, int no_body)
{
	const char *sep = strstr(r->raw, "\r\n\r\n");
	size_t hlen;

	if (sep == NULL)
		return -1;
	hlen = (size_t)(sep - r->raw);
	r->head = malloc(hlen + 1);
	if (r->head == NULL)
		return -1;
	memcpy(r->head, r->raw, hlen);
	r->head[hlen] = '\0';
	if (parse_head(r, hlen) != 0)
		return -1;
	return parse_body(r, sep + 4, r->raw_len - hlen - 4, no_body);
}

/* Whether buf (NUL-terminated) holds a whole response whose end does not need EOF. */
static int complete(char *buf, size_t len, int no_body)
{
	struct http_resp t;
	int done;

	memset(&t, 0, sizeof(t));
	t.raw = buf;
	t.raw_len = len;
	done = parse(&t, no_body) == 0 &&
	       (no_body || t.status == 204 || t.status == 304 || t.status < 200 ||
	        http_header(&t, "Content-Length") != NULL ||
	        http_header(&t, "Transfer-Encoding") != NULL);
	free(t.head);
	free(t.body);
	return done;
}

/* Reads the response: to EOF, or to its framed end. A reset after some data counts as
 * the end. 0, or -1. */
static int recv_all(int fd, int no_body, char **out, size_t *outlen)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return -1;
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET && len > 0)
			n = 0;
		if (n < 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (n == 0 || complete(buf, len, no_body)) {
			*out = buf;
			*outlen = len;
			return 0;
		}
	}
	free(buf);
	return -1;
}

/* Appends the base64 of the n bytes at p to buf (room for 4 * ceil(n / 3) bytes). */
static size_t b64(char *buf, const char *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)p;
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
		             (i + 2 < n ? s[i + 2] : 0);
		buf[o++] = tab[v >> 18 & 63];
		buf[o++] = tab[v >> 12 & 63];
		buf[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		buf[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	return o;
}

/*
 * With $PC_RESP_LOG set, appends one JSON line per exchange to that file: the request
 * line, the status, the headers and the body, each string in base64 so that every byte
 * survives. tools/openapi-check validates them against docs/openapi.yaml. One write per
 * line, in append mode, so that the tests' processes never interleave.
 */
static void log_exchange(const char *req, size_t len, int flags, const struct http_resp *r)
{
	const char *path = getenv("PC_RESP_LOG");
	const char *eol = find_crlf(req, req + len);
	size_t line = eol ? (size_t)(eol - req) : len, cap, n = 0;
	char *buf;
	int fd;

	if (path == NULL || *path == '\0')
		return;
	if (line > HTTP_LOG_LINE_MAX)
		line = HTTP_LOG_LINE_MAX;
	cap = 128 + 2 * (line + r->body_len) + 16;
	for (size_t i = 0; i < r->nheaders; i++)
		cap += 2 * (strlen(r->headers[i].name) + strlen(r->headers[i].value)) + 16;
	buf = malloc(cap);
	if (buf == NULL)
		return;
	n += (size_t)sprintf(buf + n, "{\"request\":\"");
	n += b64(buf + n, req, line);
	n += (size_t)sprintf(buf + n, "\",\"no_body\":%s,\"status\":%d,\"headers\":[",
	                     flags & HTTP_NO_BODY ? "true" : "false", r->status);
	for (size_t i = 0; i < r->nheaders; i++) {
		n += (size_t)sprintf(buf + n, "%s[\"", i ? "," : "");
		n += b64(buf + n, r->headers[i].name, strlen(r->headers[i].name));
		n += (size_t)sprintf(buf + n, "\",\"");
		n += b64(buf + n, r->headers[i].value, strlen(r->headers[i].value));
		n += (size_t)sprintf(buf + n, "\"]");
	}
	n += (size_t)sprintf(buf + n, "],\"body\":\"");
	n += b64(buf + n, r->body, r->body_len);
	n += (size_t)sprintf(buf + n, "\"}\n");
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, buf, n) != (ssize_t)n)
			fprintf(stderr, "http: %s: short write\n", path);
		close(fd);
	}
	free(buf);
}

int http_exchange(const char *req, size_t len, int flags, struct http_resp *out)
{
	int fd = dial(), rc;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return -1;
	send_all(fd, req, len);
	if (flags & HTTP_HALF_CLOSE)
		shutdown(fd, SHUT_WR);
	rc = recv_all(fd, flags & HTTP_NO_BODY, &out->raw, &out->raw_len);
	close(fd);
	if (rc != 0 || parse(out, flags & HTTP_NO_BODY) != 0) {
		http_free(out);
		return -1;
	}
	log_exchange(req, len, flags, out);
	return 0;
}

int http_send(struct http_resp *out, const char *method, const char *target, const char *headers,
              const char *body, size_t body_len)
{
	size_t cap = strlen(method) + strlen(target) + (headers ? strlen(headers) : 0) + body_len +
	             HTTP_REQ_EXTRA;
	char *req = malloc(cap);
	int n, rc;

	memset(out, 0, sizeof(*out));
	if (req == NULL)
		return -1;
	n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s",
	             method, target, http_port(), headers ? headers : "");
	if (n >= 0 && body != NULL)
		n += snprintf(req + n, cap - (size_t)n, "Content-Length: %zu\r\n", body_len);
	if (n >= 0)
		n += snprintf(req + n, cap - (size_t)n, "\r\n");
	if (n < 0 || (size_t)n + body_len >= cap) {
		free(req);
		return -1;
	}
	if (body != NULL)
		memcpy(req + n, body, body_len);
	rc = http_exchange(req, (size_t)n + (body ? body_len : 0),
	                   strcmp(method, "HEAD") == 0 ? HTTP_NO_BODY : 0, out);
	free(req);
	return rc;
}

const char *http_header(const struct http_resp *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

int http_header_count(const struct http_resp *r, const char *name)
{
	int n = 0;

	for (size_t i = 0; i < r->nheaders; i++)
		n += strcasecmp(r->headers[i].name, name) == 0;
	return n;
}

void http_free(struct http_resp *r)
{
	free(r->raw);
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}
