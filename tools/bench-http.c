/*
 * bench-http.c - the benchmark drivers' HTTP client parts (bench-http.h).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-http.h"

int bh_dial(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&a, sizeof(a)) != 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

const char *bh_header(const char *p, size_t len, const char *name, size_t *vlen)
{
	const char *end = p + len, *eol;
	size_t k = strlen(name);

	for (; p < end; p = eol + 2) {
		for (eol = p; eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n'); eol++)
			;
		if (eol + 1 >= end)
			return NULL;
		if ((size_t)(eol - p) > k && p[k] == ':' && strncasecmp(p, name, k) == 0) {
			const char *v = p + k + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			while (*vlen > 0 && (v[*vlen - 1] == ' ' || v[*vlen - 1] == '\t'))
				(*vlen)--;
			return v;
		}
	}
	return NULL;
}

long bh_framed(const char *buf, size_t len, size_t *hlen)
{
	const char *sep = NULL, *v;
	size_t vl, i, p;

	for (i = 0; i + 3 < len && sep == NULL; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
			sep = buf + i;
	if (sep == NULL)
		return 0;
	*hlen = (size_t)(sep - buf) + 2;
	p = *hlen + 2;
	if ((v = bh_header(buf, *hlen, "Content-Length", &vl)) != NULL) {
		size_t n = (size_t)strtoul(v, NULL, 10);
		return len >= p + n ? (long)(p + n) : 0;
	}
	if ((v = bh_header(buf, *hlen, "Transfer-Encoding", &vl)) == NULL || vl < 7 ||
	    strncasecmp(v + vl - 7, "chunked", 7) != 0)
		return -1; /* a keep-alive answer is framed */
	for (;;) {
		char *e;
		size_t n;
		if (p >= len)
			return 0;
		n = (size_t)strtoul(buf + p, &e, 16);
		for (; (size_t)(e - buf) + 1 < len && !(e[0] == '\r' && e[1] == '\n'); e++)
			;
		if ((size_t)(e - buf) + 1 >= len)
			return 0;
		p = (size_t)(e - buf) + 2;
		if (n == 0)
			return len >= p + 2 ? (long)(p + 2) : 0; /* no trailers */
		p += n + 2;
	}
}
