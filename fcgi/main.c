/*
 * main.c - the PhoneCalls FastCGI worker. One process serves one request at a time
 * from the listening socket it inherits on descriptor 0 (spawn-fcgi, multiwatch), with
 * one persistent database connection.
 *
 * SIGTERM, SIGINT, SIGQUIT, SIGHUP and SIGUSR1 (multiwatch forwards a stop as one of
 * these, depending on its version and -s) let the request in flight finish, then the
 * worker exits. The
 * signal only sets a flag and wakes poll(2) through a self-pipe: libfcgi's own
 * shutdown flag would make the in-flight response's writes fail, and checking a flag
 * before a blocking accept(2) leaves a window where the signal is missed. So the
 * worker waits in poll() on the listening socket and the pipe, and accepts without
 * blocking (the socket is O_NONBLOCK; the accepted connection is not, on Linux).
 *
 * Environment: PC_DB (a libpq conninfo; empty: the PG* variables), PC_TZ (time zone of
 * dates, default UTC), PC_BASE_URL (base of self links; default: the request's scheme
 * and host).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "body.h"
#include "db.h"
#include "log.h"
#include "pc.h"

#define REQUEST_ID_MAX 64
#define HOST_MAX 255

#define LISTEN_FD 0 /* FCGI_LISTENSOCK_FILENO: where spawn-fcgi puts the socket */

static volatile sig_atomic_t stopping;
static int wake[2] = {-1, -1}; /* self-pipe: the handler writes, poll() reads */

static void on_stop(int sig)
{
	int saved = errno;
	(void)sig;
	stopping = 1;
	if (write(wake[1], "x", 1) < 0) {
		/* full pipe: poll() is woken already */
	}
	errno = saved;
}

static int install_signals(void)
{
	struct sigaction sa;
	int fl;

	if (pipe(wake) != 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (fcntl(wake[i], F_SETFL, O_NONBLOCK) != 0 ||
		    fcntl(wake[i], F_SETFD, FD_CLOEXEC) != 0)
			return -1;
	fl = fcntl(LISTEN_FD, F_GETFL);
	if (fl < 0 || fcntl(LISTEN_FD, F_SETFL, fl | O_NONBLOCK) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll() must return */
	static const int stops[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1};
	for (size_t i = 0; i < sizeof(stops) / sizeof(*stops); i++)
		if (sigaction(stops[i], &sa, NULL) != 0)
			return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* Host header characters of a reg-name, IPv4 or [IPv6], with an optional port. */
static int host_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > HOST_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return 0;
	}
	return 1;
}

static int hex_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > REQUEST_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Reads the body into buf (capacity BODY_MAX + 1). Sets *too_large past BODY_MAX. */
static size_t read_body(FCGX_Request *req, char *buf, int *too_large)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", req->envp);
	size_t got = 0;

	*too_large = 0;
	if (cl != NULL && *cl != '\0') {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(cl, &end, 10);
		if (errno != 0 || *end != '\0' || v > BODY_MAX) {
			*too_large = 1;
			return 0;
		}
	}
	while (got < BODY_MAX + 1) {
		int n = FCGX_GetStr(buf + got, (int)(BODY_MAX + 1 - got), req->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got > BODY_MAX) {
		*too_large = 1;
		return 0;
	}
	return got;
}

static void serve(FCGX_Request *req, struct db *db, const char *base_url, char *body,
                  unsigned long serial)
{
	char rid[REQUEST_ID_MAX + 1], base[PC_BASE_MAX], head[RESP_HEAD_MAX];
	const char *p, *scheme, *host;
	struct pc_req rq;
	struct resp rs;
	const unsigned char *out;
	size_t outlen, hlen;

	memset(&rq, 0, sizeof(rq));
	p = FCGX_GetParam("REQUEST_ID", req->envp);
	if (hex_id(p))
		snprintf(rid, sizeof(rid), "%s", p);
	else
		snprintf(rid, sizeof(rid), "%08lx%08lx", (unsigned long)getpid(), serial);
	rq.request_id = rid;

	rq.method = FCGX_GetParam("REQUEST_METHOD", req->envp);
	rq.uri = FCGX_GetParam("REQUEST_URI", req->envp);
	rq.method = rq.method ? rq.method : "";
	rq.uri = rq.uri ? rq.uri : "";
	rq.uri_len = strlen(rq.uri);
	rq.content_type = FCGX_GetParam("CONTENT_TYPE", req->envp);
	if (rq.content_type && *rq.content_type == '\0')
		rq.content_type = NULL;
	/* Repeated headers reach us as repeated parameters: count them, keep the first. */
	for (char **e = req->envp; *e; e++) {
		if (strncmp(*e, "HTTP_AUTHORIZATION=", 19) == 0) {
			if (rq.auth_count++ == 0) {
				rq.auth = *e + 19;
				rq.auth_len = strlen(rq.auth);
			}
		}
	}
	if (base_url != NULL) {
		snprintf(base, sizeof(base), "%s", base_url);
	} else {
		scheme = FCGX_GetParam("REQUEST_SCHEME", req->envp);
		host = FCGX_GetParam("HTTP_HOST", req->envp);
		if (host == NULL || !host_ok(host))
			host = "localhost";
		if (scheme == NULL || (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0))
			scheme = "http";
		snprintf(base, sizeof(base), "%s://%s", scheme, host);
	}
	rq.base = base;
	rq.body = body;
	rq.body_len = read_body(req, body, &rq.body_too_large);

	resp_init(&rs, rid);
	pc_handle(db, &rq, &rs);
	/* A 500 is a bug: log it with the request id the client saw. Outages (503) are
	 * logged once by the database layer, not once per request. */
	if (rs.status == 500)
		log_msg("request=%s status=%d code=%s", rid, rs.status, err_info(rs.err)->code);

	hlen = resp_head(&rs, head, sizeof(head));
	resp_body(&rs, &out, &outlen);
	FCGX_PutStr(head, (int)hlen, req->out);
	if (out != NULL && outlen > 0)
		FCGX_PutStr((const char *)out, (int)outlen, req->out);
	resp_free(&rs);
}

int main(void)
{
	static char body[BODY_MAX + 1];
	const char *base_url = getenv("PC_BASE_URL");
	unsigned long serial = 0;
	FCGX_Request req;
	struct db *db;
	int rc = 1;

	if (base_url != NULL && (*base_url == '\0' || strlen(base_url) >= PC_BASE_MAX))
		base_url = NULL;
	if (install_signals() != 0 || FCGX_Init() != 0) {
		log_msg("cannot initialize");
		return 1;
	}
	db = db_new(getenv("PC_DB"), getenv("PC_TZ")); /* owned here */
	if (db == NULL) {
		log_msg("out of memory");
		return 1;
	}
	if (FCGX_InitRequest(&req, LISTEN_FD, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_msg("cannot initialize request");
		goto out;
	}
	while (!stopping) {
		/* Under load a connection is usually waiting already: take it first, and wait
		 * in poll only when there is none (the socket does not block; another worker
		 * may have taken the connection poll announced, then accept fails, EAGAIN). */
		if (FCGX_Accept_r(&req) >= 0) {
			serve(&req, db, base_url, body, ++serial);
			/* Read to its end, the connection carries nothing more: close it at once
			 * rather than libfcgi's lingering close (shutdown, poll, read), which
			 * only matters when unread input could turn the close into a reset. */
			if (FCGX_HasSeenEOF(req.in))
				FCGX_Detach(&req);
			FCGX_Finish_r(&req);
			continue;
		}
		struct pollfd pfd[2] = {{.fd = LISTEN_FD, .events = POLLIN},
		                        {.fd = wake[0], .events = POLLIN}};
		if (stopping)
			break;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg("poll failed: errno=%d", errno);
			break;
		}
		if (pfd[0].revents & (POLLERR | POLLNVAL)) {
			log_msg("listening socket failed");
			break;
		}
	}
	rc = 0;
	FCGX_Free(&req, 1);
out:
	db_free(db);
	return rc;
}
