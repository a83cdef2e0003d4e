/*
 * it_network.c - what nginx's stream front and the trusted balancers give: one address
 * that holds thousands of half-sent request headers (slowloris) keeps only its own
 * share of connections, and everyone else is still served at once; the client's address
 * comes from X-Forwarded-For, or a PROXY protocol header (PC_PROXY_PORT), only when a
 * listed balancer (PC_TRUSTED_PROXIES) sends it, and then the rate limits, the workers'
 * throttle and the access log all use it.
 * Each test sends from loopback addresses of its own, so that no other test's limits
 * meet it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "it_nginx.h"
#include "it_util.h"

#define FLOOD_CONNS 3000   /* half-sent headers from one address */
#define CONN_PER_ADDR 64   /* uapi-stream.conf: limit_conn per address */
#define FD_SPARE 256       /* descriptors besides the flood's */
#define CONNECT_MS 100     /* one connect of the flood, at most */
#define FLOOD_MS 10000     /* the whole flood, at most */
#define CLOSE_WAIT_MS 3000 /* for nginx to close what is over the limit */
#define ANSWER_MS 1000     /* another client's answer, during the flood */
#define FAILS 100          /* wrong tokens: some worker meets its limit of 10 */
#define TRIES 10           /* requests after the throttle, over every worker */
#define ADDR_REQUESTS 400  /* past nginx's burst of 200 per address */
#define LOG_WAIT_MS 2000   /* for a request's line in the access log */
#define HEADERS_MAX 1024   /* the header lines of one request */

#define FLOOD_ADDR "127.0.0.31"
#define PROBE_ADDR "127.0.0.32"
#define FORGER_ADDR "127.0.0.34"    /* not a listed balancer */
#define PP_FORGER_ADDR "127.0.0.35" /* nor this one, throttled by no other test */
#define PARTIAL_HEADER "GET /uapi/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
#define XFF(a) "X-Forwarded-For: " a "\r\n"

TestSuite(network, .init = it_restore_demo, .timeout = 180);

/* Room for the flood's descriptors (the hard limit allows it on the machines the suite
 * runs on). */
static void raise_fd_limit(rlim_t want)
{
	struct rlimit rl;

	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	cr_assert(rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want,
	          "RLIMIT_NOFILE's hard limit %llu is below %llu", (unsigned long long)rl.rlim_max,
	          (unsigned long long)want);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0, "setrlimit: %s", strerror(errno));
	}
}

/*
 * A connection from addr to nginx that has sent the partial header, or is still being
 * made (its connect waited CONNECT_MS: nginx is not accepting); -1 when the connect
 * failed. The header goes right after the connect, as a slow client's would: a
 * connection nginx finds waiting with no byte yet is one it may close to make room.
 */
static int flood_conn(const char *addr, int *sent)
{
	struct timeval tv = {0, CONNECT_MS * 1000};
	struct sockaddr_in src = {.sin_family = AF_INET}, dst = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*sent = 0;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	inet_pton(AF_INET, addr, &src.sin_addr);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dst.sin_port = htons((unsigned short)http_port());
	if (bind(fd, (const struct sockaddr *)&src, sizeof(src)) != 0)
		goto err;
	if (connect(fd, (const struct sockaddr *)&dst, sizeof(dst)) != 0) {
		if (errno == EINPROGRESS)
			return fd; /* still being made */
		goto err;
	}
	*sent = send(fd, PARTIAL_HEADER, strlen(PARTIAL_HEADER), MSG_NOSIGNAL | MSG_DONTWAIT) ==
	        (ssize_t)strlen(PARTIAL_HEADER);
	return fd;
err:
	close(fd);
	return -1;
}

/* Closes (and marks -1) the fds nginx has closed, refused or answered; returns how many
 * remain. */
static int drop_closed(int *fds, struct pollfd *p, int n)
{
	char c;
	int open = 0;

	for (int i = 0; i < n; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLIN;
		p[i].revents = 0;
	}
	poll(p, (nfds_t)n, 0);
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		/* an end, a reset, or an answer (nginx closes after it): not held */
		if (p[i].revents != 0 &&
		    (recv(fds[i], &c, 1, MSG_DONTWAIT) >= 0 || errno != EAGAIN)) {
			close(fds[i]);
			fds[i] = -1;
			continue;
		}
		open++;
	}
	return open;
}

/* One address holds thousands of half-sent headers: it keeps CONN_PER_ADDR of them, the
 * rest are closed at once, and another address is answered within ANSWER_MS. */
Test(network, slow_headers_from_one_address)
{
	int *fds = calloc(FLOOD_CONNS, sizeof(*fds));
	struct pollfd *p = calloc(FLOOD_CONNS, sizeof(*p));
	struct http_resp r;
	int made = 0, sent = 0, open = FLOOD_CONNS;
	double t0, ms, deadline;

	cr_assert(fds != NULL && p != NULL);
	raise_fd_limit(FLOOD_CONNS + FD_SPARE);
	deadline = it_now() + FLOOD_MS / 1000.0;
	for (int i = 0; i < FLOOD_CONNS; i++) {
		int one = 0;
		fds[i] = it_now() < deadline ? flood_conn(FLOOD_ADDR, &one) : -1;
		made += fds[i] >= 0;
		sent += one;
	}
	cr_log_info("flood: %d connections made, %d partial headers sent", made, sent);

	/* everyone else is served at once */
	cr_assert_eq(http_set_source(PROBE_ADDR), 0);
	t0 = it_now();
	it_get(&r, TOK_U12, P_LIST210);
	ms = (it_now() - t0) * 1000;
	http_set_source(NULL);
	it_assert_status(&r, 200, "another address during the flood");
	http_free(&r);
	cr_expect(ms < ANSWER_MS, "another address was answered after %.0f ms", ms);

	/* the flooding address keeps no more than its share */
	deadline = it_now() + CLOSE_WAIT_MS / 1000.0;
	while ((open = drop_closed(fds, p, FLOOD_CONNS)) > CONN_PER_ADDR && it_now() < deadline)
		it_nap(50);
	cr_log_info("flood: %d connections still open, %.0f ms for another address", open, ms);
	cr_expect(open <= CONN_PER_ADDR, "%d of the flood's connections are still open, over %d",
	          open, CONN_PER_ADDR);
	cr_expect(open > 0, "none of the flood's connections was kept: not a per-address limit");

	for (int i = 0; i < FLOOD_CONNS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(p);
}

/* The first balancer of PC_TRUSTED_PROXIES (tools/check lists one). */
static const char *proxy_addr(void)
{
	static char addr[INET_ADDRSTRLEN];
	const char *list = it_env("PC_TRUSTED_PROXIES");

	cr_assert(sscanf(list, "%15s", addr) == 1, "PC_TRUSTED_PROXIES is empty");
	return addr;
}

/* Sends req, a request written out whole, from addr to the PROXY protocol port. The
 * answers of that port stay out of the log tools/openapi-check reads (its request line is
 * the PROXY header). 0, or -1 when no HTTP answer came. */
static int exchange_via_proxy_port(const char *addr, const char *req, struct http_resp *r)
{
	char *port = strdup(it_env("PC_HTTP_PORT")), *resp_log = NULL;
	int rc;

	cr_assert(port != NULL);
	if (getenv("PC_RESP_LOG") != NULL)
		resp_log = strdup(getenv("PC_RESP_LOG"));
	setenv("PC_HTTP_PORT", it_env("PC_PROXY_PORT"), 1);
	unsetenv("PC_RESP_LOG");
	cr_assert_eq(http_set_source(addr), 0);
	rc = http_exchange(req, strlen(req), 0, r);
	http_set_source(NULL);
	setenv("PC_HTTP_PORT", port, 1);
	if (resp_log != NULL)
		setenv("PC_RESP_LOG", resp_log, 1);
	free(port);
	free(resp_log);
	return rc;
}

/*
 * Sends a GET of target from addr with the given header lines (a token among them, or
 * none) and returns the answer's status; its request id into rid when not NULL. With pp
 * not NULL, to the PROXY protocol port, with a PROXY header naming pp as the client.
 */
static int get_from(const char *addr, const char *pp, const char *headers, const char *target,
                    char *rid, size_t rid_size)
{
	char req[HEADERS_MAX * 2];
	struct http_resp r;
	const char *id;
	int status;

	if (pp == NULL) {
		cr_assert_eq(http_set_source(addr), 0);
		it_req(&r, "GET", target, headers, NULL);
		http_set_source(NULL);
	} else {
		snprintf(req, sizeof(req),
		         "PROXY TCP4 %s 127.0.0.1 40000 %s\r\nGET %s HTTP/1.1\r\n" RAW_HOST
		         "%s\r\n",
		         pp, it_env("PC_PROXY_PORT"), target, headers);
		cr_assert_eq(exchange_via_proxy_port(addr, req, &r), 0,
		             "no HTTP answer through the PROXY protocol port");
	}
	status = r.status;
	if (status == 429 && r.body[0] == '{')
		it_check_error(&r, 429, "too_many_requests", "a 429");
	it_check_if_nginx(&r, "an answer");
	id = http_header(&r, "X-Request-Id");
	if (rid != NULL) {
		cr_assert(id != NULL, "no X-Request-Id");
		snprintf(rid, rid_size, "%s", id);
	}
	http_free(&r);
	return status;
}

/* Wrong tokens from addr (pp: as get_from), with the header lines xff, until the workers'
 * throttle answers 429 (at most FAILS). Returns whether it did. */
static int fail_until_throttled(const char *addr, const char *pp, const char *xff)
{
	char h[HEADERS_MAX];

	for (int i = 0; i < FAILS; i++) {
		int st;
		snprintf(h, sizeof(h), "%sAuthorization: Bearer network-guess-%d\r\n", xff, i);
		st = get_from(addr, pp, h, P_LIST210, NULL, 0);
		if (st == 429)
			return 1;
		cr_expect_eq(st, 401, "guess %d: %d", i, st);
	}
	return 0;
}

/* How many of TRIES requests with a valid token from addr (pp: as get_from), with xff,
 * answered 429 (every other one must answer 200). */
static int throttled_of(const char *addr, const char *pp, const char *xff)
{
	char h[HEADERS_MAX];
	int n = 0;

	snprintf(h, sizeof(h), "%s" H_AUTH(TOK_U12), xff);
	for (int i = 0; i < TRIES; i++) {
		int st = get_from(addr, pp, h, P_LIST210, NULL, 0);
		n += st == 429;
		cr_expect(st == 200 || st == 429, "%s, %s: %d", addr, xff, st);
	}
	return n;
}

/* The client address the access log has for request id rid (malloc'd), or NULL. */
static char *logged_addr(const char *rid)
{
	char path[512], needle[128], *text, *line, *a, *out = NULL;
	double deadline = it_now() + LOG_WAIT_MS / 1000.0;

	snprintf(path, sizeof(path), "%s/log/access.log", it_env("PC_VAR"));
	snprintf(needle, sizeof(needle), "\"request_id\":\"%s\"", rid);
	do {
		text = it_read_file(path, NULL);
		line = text ? strstr(text, needle) : NULL;
		if (line != NULL && (a = strstr(line, "\"remote_addr\":\"")) != NULL) {
			a += strlen("\"remote_addr\":\"");
			out = strndup(a, strcspn(a, "\""));
		}
		free(text);
		if (out == NULL)
			it_nap(50);
	} while (out == NULL && it_now() < deadline);
	return out;
}

static void expect_logged(const char *rid, const char *want, const char *label)
{
	char *got = logged_addr(rid);

	it_expect_str(got, want, label);
	free(got);
}

/* Through a listed balancer, the workers' throttle counts the X-Forwarded-For address:
 * one client's wrong tokens get that client 429, and another client behind the same
 * balancer is still served. */
Test(network, trusted_proxy_throttles_the_client)
{
	const char *proxy = proxy_addr();
	char rid[64];

	cr_assert(fail_until_throttled(proxy, NULL, XFF("203.0.113.9")),
	          "%d wrong tokens for 203.0.113.9 through %s, no 429", FAILS, proxy);
	cr_expect(throttled_of(proxy, NULL, XFF("203.0.113.9")) > 0,
	          "the throttled client was served again through %s", proxy);
	cr_expect_eq(throttled_of(proxy, NULL, XFF("203.0.113.10")), 0,
	             "another client behind %s was refused: the throttle counts the balancer",
	             proxy);

	/* and the access log names the client */
	cr_expect_eq(
	    get_from(proxy, NULL, XFF("203.0.113.10") H_AUTH(TOK_U12), P_LIST210, rid, sizeof(rid)),
	    200);
	expect_logged(rid, "203.0.113.10", "the logged address through a balancer");
	/* a chain: the entries that are listed balancers are passed over */
	{
		char h[HEADERS_MAX];
		snprintf(h, sizeof(h), "X-Forwarded-For: 198.51.100.1, 203.0.113.11, %s\r\n",
		         proxy);
		cr_expect_eq(get_from(proxy, NULL, h, "/uapi/health", rid, sizeof(rid)), 200);
		expect_logged(rid, "203.0.113.11", "the rightmost address that is no balancer");
	}
}

/* nginx's per-address rate limit too: one client past its burst gets 429, another behind
 * the same balancer does not. */
Test(network, trusted_proxy_rate_limits_the_client)
{
	const char *proxy = proxy_addr();
	int first = -1, limited = 0, other = 0;

	for (int i = 0; i < ADDR_REQUESTS && first < 0; i++) {
		int st = get_from(proxy, NULL, XFF("203.0.113.12"), "/uapi/health", NULL, 0);
		if (st == 429)
			first = i;
		else
			cr_expect_eq(st, 200, "request %d: %d", i, st);
	}
	cr_assert(first >= 0, "%d requests from one client through %s, no 429", ADDR_REQUESTS,
	          proxy);
	/* right after, each of the two clients in turn: the bucket of the first is still
	 * over its burst (it drains by one every 10 ms), the second's is its own */
	for (int i = 0; i < TRIES; i++) {
		limited +=
		    get_from(proxy, NULL, XFF("203.0.113.12"), "/uapi/health", NULL, 0) == 429;
		other += get_from(proxy, NULL, XFF("203.0.113.13"), "/uapi/health", NULL, 0) == 429;
	}
	cr_expect(limited > 0, "the limited client was served again at once");
	cr_expect_eq(other, 0,
	             "another client behind %s was limited %d times of %d: the limit "
	             "counts the balancer",
	             proxy, other, TRIES);
}

/* From an address that is no listed balancer, X-Forwarded-For is ignored: the failures
 * count against the sender itself, and the log names it. */
Test(network, forged_forwarded_for_is_ignored)
{
	char rid[64];

	cr_assert(fail_until_throttled(FORGER_ADDR, NULL, XFF("203.0.113.20")),
	          "%d wrong tokens from %s, no 429", FAILS, FORGER_ADDR);
	cr_expect(throttled_of(FORGER_ADDR, NULL, XFF("203.0.113.21")) > 0,
	          "another forged X-Forwarded-For escaped the throttle of %s", FORGER_ADDR);
	get_from(FORGER_ADDR, NULL, XFF("203.0.113.22"), "/uapi/health", rid, sizeof(rid));
	expect_logged(rid, FORGER_ADDR, "the logged address of a forged X-Forwarded-For");
}

/* A balancer that sends the PROXY protocol (to its own port): its header names the
 * client, for the throttle and the log; another sender's header is ignored. */
Test(network, trusted_proxy_protocol)
{
	const char *proxy = proxy_addr();
	char rid[64];

	cr_assert(fail_until_throttled(proxy, "203.0.113.40", ""),
	          "%d wrong tokens for 203.0.113.40 through %s, no 429", FAILS, proxy);
	cr_expect_eq(throttled_of(proxy, "203.0.113.41", ""), 0,
	             "another client behind %s was refused: the throttle counts the balancer",
	             proxy);
	cr_expect_eq(get_from(proxy, "203.0.113.41", H_AUTH(TOK_U12), P_LIST210, rid, sizeof(rid)),
	             200);
	expect_logged(rid, "203.0.113.41", "the logged address from a PROXY header");
	get_from(PP_FORGER_ADDR, "203.0.113.42", "", "/uapi/health", rid, sizeof(rid));
	expect_logged(rid, PP_FORGER_ADDR, "the logged address of a forged PROXY header");
}
