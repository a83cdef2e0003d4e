/*
 * main.c - the PhoneCalls FastCGI worker. One process serves one request at a time
 * from the listening socket it inherits on descriptor 0 (spawn-fcgi, multiwatch), with
 * one persistent database connection.
 *
 * Connections: nginx keeps its FastCGI connections open (fastcgi_keep_conn, upstream
 * keepalive), which saves it and the worker about ten system calls per request. A
 * worker that blocked reading its one kept connection would leave new connections
 * waiting in the backlog, so each worker watches all the connections it holds (up to
 * CONN_MAX) and the listening socket in one epoll set, and serves whichever has a
 * request. The listening socket is watched with EPOLLEXCLUSIVE: a new connection wakes
 * one idle worker, not all of them (with poll every idle worker woke and all but one
 * went back to sleep, which on two cores cost more than the request). When all its
 * slots are taken, a worker closes the connection it used least recently: nginx sees
 * the close on an idle kept connection, or, if it had just sent a request on it, sends
 * the request again on another connection (the worker never read it). A connection
 * whose request was not read to its end (refused early) is closed, not kept.
 *
 * Stopping: SIGTERM, SIGINT, SIGQUIT, SIGHUP and SIGUSR1 (multiwatch forwards a stop as
 * one of these, depending on its version and -s) let the request in flight finish;
 * the worker then stops accepting, serves the requests already waiting on its
 * connections, closes them and exits. The signal only sets a flag and wakes epoll
 * through a self-pipe: libfcgi's own shutdown flag would make the in-flight response's
 * writes fail, and a flag checked before a blocking accept(2) can miss the signal.
 * The listening socket is O_NONBLOCK; accepted connections block, with a receive
 * timeout so that a peer that stops sending cannot hold the worker.
 *
 * Environment: PC_DB (a libpq conninfo; empty: the PG* variables), PC_DB_POOLED (1: the
 * conninfo names a pooler in transaction mode, such as PgBouncer; default 0), PC_TZ
 * (time zone of dates, default UTC), PC_BASE_URL (base of self links; default: the
 * request's scheme and host), PC_METRICS (the file of the pool's counters, shared by
 * its workers; unset: each worker counts its own requests), PC_THROTTLE (the file of the
 * failed authentications per client address, one for every worker of every pool on the
 * host; unset, or a file that cannot be used: each worker counts its own, and logs why),
 * PC_UNLIMITED (addresses never throttled for failed authentications).
 *
 * Metrics: each request is counted (operation, status, latency from the start of
 * serve() to its answer written to the FastCGI stream) before the answer is finished,
 * so a client that has the answer finds it counted in its next scrape.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "body.h"
#include "chars.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "route.h"
#include "throttle.h"
#include "uri.h"

#define REQUEST_ID_MAX 64
#define HOST_MAX 255

#define LISTEN_FD 0       /* FCGI_LISTENSOCK_FILENO: where spawn-fcgi puts the socket */
#define CONN_MAX 16       /* connections one worker keeps open */
#define READ_TIMEOUT_S 10 /* a request must arrive whole within this (nginx sends at once) */

/* epoll tags: a connection's slot number (its generation above bit 32), or one of these */
#define TAG_LISTEN CONN_MAX
#define TAG_WAKE (CONN_MAX + 1)

/* One connection from nginx. libfcgi reads and writes it; the worker accepts it
 * (listen_sock -1 keeps libfcgi from accepting on its own) and closes it. */
struct conn {
	FCGX_Request req;
	int open;           /* req.ipcFd is a connection, watched by the epoll set */
	unsigned long used; /* serial of the last request served on it */
	uint32_t gen;       /* connections the slot has had: an event names the one it is for */
};

struct worker {
	struct conn conns[CONN_MAX];
	int ep;         /* epoll set */
	int listening;  /* the listening socket is in the set */
	struct srv srv; /* what the handlers serve with: database, counters, throttle */
	const char *base_url;
	struct throttle throttle; /* failed authentications per client address, host-wide */
	char *body;               /* BODY_MAX + 1 bytes */
	unsigned long serial;     /* requests served */
};

static volatile sig_atomic_t stopping;
static int wake[2] = {-1, -1}; /* self-pipe: the handler writes, epoll reads */

static void on_stop(int sig)
{
	int saved = errno;
	(void)sig;
	stopping = 1;
	if (write(wake[1], "x", 1) < 0) {
		/* full pipe: the worker is woken already */
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
	/* SA_RESTART keeps libfcgi's reads and writes from failing on a signal; epoll_wait
	 * and poll are never restarted, so the stop is still seen. */
	sa.sa_flags = SA_RESTART;
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
		unsigned char c = (unsigned char)h[i];
		if (!chars_alnum(c) && !strchr(".-:[]", c))
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

/* The request as the handlers see it, from the FastCGI parameters: the only place that
 * reads them. The path and the query are split here, once. */
static void adapt(struct worker *w, FCGX_Request *req, struct req *rq, char *rid, char *base)
{
	const char *p, *scheme, *host, *q;

	memset(rq, 0, sizeof(*rq));
	p = FCGX_GetParam("REQUEST_ID", req->envp);
	if (hex_id(p))
		snprintf(rid, REQUEST_ID_MAX + 1, "%s", p);
	else
		snprintf(rid, REQUEST_ID_MAX + 1, "%08lx%08lx", (unsigned long)getpid(), w->serial);
	rq->request_id = rid;
	rq->method = FCGX_GetParam("REQUEST_METHOD", req->envp);
	rq->uri = FCGX_GetParam("REQUEST_URI", req->envp);
	rq->method = rq->method ? rq->method : "";
	rq->uri = rq->uri ? rq->uri : "";
	rq->uri_len = strlen(rq->uri);
	q = memchr(rq->uri, '?', rq->uri_len);
	rq->path = rq->uri;
	rq->path_len = q ? (size_t)(q - rq->uri) : rq->uri_len;
	rq->query = q ? q + 1 : "";
	rq->query_len = q ? rq->uri_len - rq->path_len - 1 : 0;
	rq->content_type = FCGX_GetParam("CONTENT_TYPE", req->envp);
	if (rq->content_type && *rq->content_type == '\0')
		rq->content_type = NULL;
	/* Repeated headers reach us as repeated parameters: count them, keep the first. */
	for (char **e = req->envp; *e; e++) {
		if (strncmp(*e, "HTTP_IDEMPOTENCY_KEY=", 21) == 0 && rq->idem_count++ == 0)
			rq->idem_key = *e + 21;
		if (strncmp(*e, "HTTP_AUTHORIZATION=", 19) == 0 && rq->auth_count++ == 0) {
			rq->auth = *e + 19;
			rq->auth_len = strlen(rq->auth);
		}
	}
	if (w->base_url != NULL) {
		rq->base = w->base_url; /* configured: the same for every request */
	} else {
		scheme = FCGX_GetParam("REQUEST_SCHEME", req->envp);
		host = FCGX_GetParam("HTTP_HOST", req->envp);
		if (host == NULL || !host_ok(host))
			host = "localhost";
		if (scheme == NULL || (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0))
			scheme = "http";
		snprintf(base, REQ_BASE_MAX, "%s://%s", scheme, host);
		rq->base = base;
	}
	rq->body = w->body;
	rq->body_len = read_body(req, w->body, &rq->body_too_large);
	rq->remote_addr = FCGX_GetParam("REMOTE_ADDR", req->envp);
}

/* One request: adapt, dispatch (route.c), write, record. */
static void serve(struct worker *w, FCGX_Request *req)
{
	uint64_t t0 = clock_ns();
	char rid[REQUEST_ID_MAX + 1], base[REQ_BASE_MAX], head[RESP_HEAD_MAX];
	const unsigned char *out;
	size_t outlen, hlen;
	enum metrics_op op;
	struct req rq;
	struct resp rs;

	w->serial++;
	adapt(w, req, &rq, rid, base);
	resp_init(&rs, rid);
	op = route_dispatch(&w->srv, &rq, &rs);
	/* A 500 is a bug: log it with the request id the client saw. Outages (503) are
	 * logged once by the database layer, not once per request. */
	if (rs.status == 500)
		log_msg("request=%s status=%d code=%s", rid, rs.status, err_info(rs.err)->code);
	hlen = resp_head(&rs, head, sizeof(head));
	resp_body(&rs, &out, &outlen);
	FCGX_PutStr(head, (int)hlen, req->out);
	if (out != NULL && outlen > 0)
		FCGX_PutStr((const char *)out, (int)outlen, req->out);
	metrics_record(w->srv.metrics, op, rs.status, clock_ns() - t0);
	resp_free(&rs);
}

/* Watches the listening socket (on) or stops watching it. */
static int listen_watch(struct worker *w, int on)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.u64 = TAG_LISTEN};

	if (w->listening == on)
		return 0;
	if (epoll_ctl(w->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, LISTEN_FD, &ev) != 0)
		return -1;
	w->listening = on;
	return 0;
}

/* Closes c. nginx's requests are read to their end before a connection is kept, so a
 * plain close is clean (libfcgi's lingering close is for unread input). */
static void conn_close(struct conn *c)
{
	if (!c->open)
		return;
	FCGX_Detach(&c->req);
	FCGX_Free(&c->req, 1); /* closing it takes it out of the epoll set */
	c->open = 0;
}

/* Serves the next request on c (a new connection, or a kept one epoll found readable).
 * Leaves c open if nginx keeps the connection. */
static void conn_serve(struct worker *w, struct conn *c)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int was_open = c->open;

	/* keepConnection: the descriptor is ours, libfcgi must not close it first */
	c->req.keepConnection = 1;
	if (FCGX_Accept_r(&c->req) < 0) {
		/* closed by nginx, or no whole request in time: libfcgi closed it */
		c->open = 0;
		return;
	}
	serve(w, &c->req);
	c->used = w->serial;
	if (FCGX_HasSeenEOF(c->req.in)) {
		FCGX_Detach(&c->req);
	} else {
		/* refused before its body was read: the rest would be taken for the next
		 * request, so close, and linger so the unread input cannot reset it */
		c->req.keepConnection = 0;
		FCGX_Attach(&c->req);
	}
	FCGX_Finish_r(&c->req); /* closes unless nginx asked to keep it, or on error */
	c->open = c->req.ipcFd >= 0;
	if (c->open && !was_open) {
		ev.data.u64 = (uint64_t)c->gen << 32 | (uint32_t)(c - w->conns);
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->req.ipcFd, &ev) != 0) {
			log_msg("cannot watch a connection: errno=%d", errno);
			conn_close(c);
		}
	}
}

/* Accepts a waiting connection, if any, and serves its first request. */
static void take(struct worker *w)
{
	const struct timeval tmo = {.tv_sec = READ_TIMEOUT_S};
	struct conn *c = NULL;
	int fd;

	for (int i = 0; i < CONN_MAX; i++) {
		struct conn *k = &w->conns[i];
		if (!k->open) {
			c = k;
			break;
		}
		if (c == NULL || k->used < c->used)
			c = k;
	}
	fd = accept(LISTEN_FD, NULL, NULL); /* the worker never execs: no CLOEXEC needed */
	if (fd < 0) {
		/* EAGAIN: another worker took it; the others are the peer's trouble */
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_msg("accept failed: errno=%d", errno);
		return;
	}
	conn_close(c); /* all slots taken: the least recently used one makes room */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) != 0) {
		close(fd);
		return;
	}
	c->req.ipcFd = fd;
	c->open = 0;
	c->gen++;
	conn_serve(w, c);
}

/* Serves what the epoll set reports; timeout as for epoll_wait. Returns the number of
 * events, 0 when none came in time, -1 when the listening socket failed. */
static int run_once(struct worker *w, int timeout)
{
	struct epoll_event ev[CONN_MAX + 2];
	int n = epoll_wait(w->ep, ev, CONN_MAX + 2, timeout);

	if (n < 0) {
		if (errno == EINTR)
			return 0;
		log_msg("epoll_wait failed: errno=%d", errno);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		uint32_t tag = (uint32_t)ev[i].data.u64, gen = (uint32_t)(ev[i].data.u64 >> 32);
		if (tag == TAG_LISTEN) {
			if (ev[i].events & (EPOLLERR | EPOLLHUP)) {
				log_msg("listening socket failed");
				return -1;
			}
			if (!stopping)
				take(w);
		} else if (tag < CONN_MAX && w->conns[tag].open && w->conns[tag].gen == gen) {
			/* (an event for a connection closed earlier in this batch, its slot
			 * since given to a new one, is dropped: the new one may have nothing) */
			conn_serve(w, &w->conns[tag]);
		}
	}
	return n;
}

/* $PC_INSTANCE, the pool tools/stack started this worker in, when it is a number; else
 * "1", the one pool of a single-pool deployment. */
static const char *instance_name(void)
{
	const char *s = getenv("PC_INSTANCE");
	long long n;

	return s != NULL && uri_num(s, strlen(s), URI_INSTANCE_MAX, &n) == 0 && n >= 1 ? s : "1";
}

int main(void)
{
	static char body[BODY_MAX + 1];
	static char metrics_text[METRICS_TEXT_MAX];
	static struct ctx_cache tokens;
	static struct worker w;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_WAKE};
	const char *base_url = getenv("PC_BASE_URL");
	const char *pooled = getenv("PC_DB_POOLED");
	int rc = 1;

	if (base_url != NULL && (*base_url == '\0' || strlen(base_url) >= REQ_BASE_MAX))
		base_url = NULL;
	w.base_url = base_url;
	w.body = body;
	w.srv.metrics_text = metrics_text;
	w.srv.tokens = &tokens;
	w.srv.throttle = &w.throttle;
	w.ep = -1;
	if (pooled != NULL && *pooled != '\0' && strcmp(pooled, "0") != 0 &&
	    strcmp(pooled, "1") != 0) {
		/* guessing would mean named statements a pooler mixes up, or none at all */
		log_msg("PC_DB_POOLED must be 0 or 1");
		goto out;
	}
	if (install_signals() != 0 || FCGX_Init() != 0 ||
	    (w.ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(w.ep, EPOLL_CTL_ADD, wake[0], &ev) != 0 || listen_watch(&w, 1) != 0) {
		log_msg("cannot initialize");
		goto out;
	}
	for (int i = 0; i < CONN_MAX; i++) {
		if (FCGX_InitRequest(&w.conns[i].req, -1, 0) != 0) {
			log_msg("cannot initialize request");
			goto out;
		}
	}
	w.srv.instance = instance_name();
	/* the host's failed authentications, in the file every worker of every pool maps
	 * (logged when there is none); the addresses nginx does not rate-limit (monitoring,
	 * the suite) are exempt */
	if (throttle_open(&w.throttle, getenv("PC_THROTTLE"), getenv("PC_UNLIMITED")) != 0) {
		log_msg("cannot initialize the throttle");
		goto out;
	}
	/* the pool's counters, in the file its workers share (logged when there is none) */
	if ((w.srv.metrics = metrics_open(getenv("PC_METRICS"))) == NULL) {
		log_msg("cannot initialize the metrics");
		goto out;
	}
	if (getenv("PC_METRICS") == NULL)
		log_msg("PC_METRICS is not set: /uapi/metrics counts this worker's requests only");
	w.srv.db = db_new(getenv("PC_DB"), getenv("PC_TZ"), w.srv.instance,
	                  pooled != NULL && strcmp(pooled, "1") == 0); /* owned here */
	if (w.srv.db == NULL) {
		log_msg("out of memory");
		goto out;
	}
	while (!stopping) {
		if (run_once(&w, -1) < 0)
			goto out;
	}
	/* Stopping: no new connections; serve the requests already waiting on kept ones,
	 * once (nginx may go on sending; what comes later it sends again elsewhere). */
	if (listen_watch(&w, 0) != 0 || epoll_ctl(w.ep, EPOLL_CTL_DEL, wake[0], &ev) != 0)
		goto out;
	if (run_once(&w, 0) < 0)
		goto out;
	rc = 0;
out:
	for (int i = 0; i < CONN_MAX; i++)
		conn_close(&w.conns[i]);
	if (w.ep >= 0)
		close(w.ep);
	db_free(w.srv.db);
	metrics_free(w.srv.metrics);
	throttle_close(&w.throttle);
	return rc;
}
