/*
 * ua.c - pc-ua, the SIP user agent of the tests, the benchmark and `make call`: UDP, one
 * codec (PCMU, payload type 0, 20 ms), RFC 3261 for what it uses, so that it works
 * directly against another pc-ua or through a record-routing proxy that rewrites the SDP
 * (kamailio with record_route(), rtpengine). One process, one thread, one poll loop;
 * libc alone.
 *
 *   pc-ua call --proxy HOST:PORT --from NUMBER --to NUMBER [--local HOST[:PORT]]
 *              [--seconds N] [--audio FILE.wav] [--caller-name NAME] [--verbose]
 *   pc-ua answer --listen HOST:PORT [--register NUMBER --proxy HOST:PORT] [--tone HZ]
 *                [--verbose]
 *
 * call: INVITE sip:TO@PROXY (with an SDP offer) sent to the proxy, retransmitted on
 * timer A until a response, given up after timer B (64*T1) as a 408. A 2xx is ACKed
 * along the Record-Route set to its Contact, and RTP goes to the address of the answer
 * every 20 ms (absolute times: no drift), 50 a second for --seconds (30), then BYE
 * along the route set half a packet time after the last packet, retransmitted until
 * answered. A 3xx-6xx is ACKed and ends the agent. SIGTERM or
 * SIGINT hangs up (CANCEL before the answer, BYE after); a BYE from the far end is
 * answered 200. The audio: --audio, an 8 kHz mono 16-bit PCM WAV played in a loop,
 * or the test signal, second k (from the first packet) a sine of 300 + 50 * (k % 60) Hz
 * at amplitude 8000. --local: the address to send from and to advertise (127.0.0.1).
 *
 * answer: every INVITE is answered 180 then 200 with an SDP answer (the 200 sent again
 * until its ACK), many calls at once (CALLS_MAX); RTP goes back (silence, or a sine of
 * --tone HZ) from the ACK until the far end's BYE. It never hangs up by itself.
 * --register: REGISTER NUMBER at the proxy, Contact its listen address, Expires 300,
 * refreshed at half the time granted, removed at the end. SIGTERM or SIGINT: no new
 * call (503), BYE to every call in progress, then exit. A second signal exits at once.
 *
 * RTP: random SSRC, sequence number and timestamp to start, the timestamp 160 a packet,
 * the marker on the first. Each call counts the far end's packets of payload type 0.
 *
 * Standard output: one JSON object a line, flushed, times in Unix microseconds:
 *   {"event":"registered","number":...,"expires":S,"at":T}  (each registration and refresh)
 *   {"event":"answered","sipCallId":...,"from":...,"to":...,"at":T,"rtpStart":T}
 *       (the caller on the 2xx, the answerer on the ACK)
 *   {"event":"ended","sipCallId":...,"from":...,"to":...,"by":"local|remote","at":T,
 *    "sent":N,"firstSeq":S,"received":M,"expected":E,"lost":L,"duplicates":D}
 *       (at: the BYE answered; the line comes 40 ms later, the far end's last packets
 *       counted even when a relay brings them after the BYE's answer. received counts
 *       each sequence number once; expected spans the lowest to the highest received;
 *       lost = expected - received)
 *   {"event":"failed","sipCallId":...,"from":...,"to":...,"at":T,"status":486,
 *    "reason":...}  (a call not set up: the caller's final response, its timeout as
 *    408, a 2xx whose SDP is unusable as that 2xx (then hung up at once); the
 *    answerer's 200 never ACKed as 408 (then BYE). No ended line follows)
 *   {"event":"failed","method":"REGISTER","number":...,"at":T,"status":S,"reason":...}
 * Standard error: diagnostics (--verbose: every SIP message too).
 *
 * Exit codes: 0 the call ended after its answer (call), or a clean stop (answer);
 * 1 a failure of the agent's own (a socket, an unusable answer, a second signal);
 * 2 bad usage or audio file; 3, 4, 5, 6 the call (or the first registration) was
 * refused with a final response of that class, a timeout counted as 408.
 */
#define _GNU_SOURCE /* getopt_long, signalfd, timerfd */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "media.h"
#include "sipmsg.h"

#define NS 1000000000LL
#define MS 1000000LL
#define T1_NS (500 * MS) /* RFC 3261 timers */
#define T2_NS (4000 * MS)
#define TXN_TIMEOUT_NS (64 * T1_NS)      /* timers B, F, H */
#define LINGER_NS TXN_TIMEOUT_NS         /* an ended call answers a retransmitted BYE (timer J) */
#define DRAIN_NS (2 * RTP_PTIME_MS * MS) /* the far end's last packets, relayed, still counted */
#define CALLS_MAX 256 /* calls of an answerer at once, those lingering included */
#define SECONDS_DEFAULT 30
#define SECONDS_MAX 86400
#define TONE_HZ_MAX 3999                          /* below half of 8 kHz */
#define NUMBER_MAX 64                             /* longest --from, --to, --register */
#define DISPLAY_MAX 64                            /* longest --caller-name */
#define HOST_MAX 64                               /* longest host of an option */
#define ID_MAX 128                                /* longest Call-ID or tag kept from the far end */
#define PARTY_MAX (SIP_URI_MAX + DISPLAY_MAX + 8) /* a From or To without its tag */
#define ROUTE_ENTRY_MAX (SIP_URI_MAX + 64)        /* one Record-Route entry kept */
#define ROUTE_LINES_MAX (SIP_ROUTE_MAX * (ROUTE_ENTRY_MAX + 16))
#define SDP_MAX 1024
#define BRANCH_MAGIC "z9hG4bK" /* RFC 3261 branches start with it */
#define RAND_HEX 12            /* random bytes in a tag, branch or Call-ID */
#define HASH_TAG_SIZE 17 /* a To tag of 16 hex digits (and NUL), for a response without a call */
#define MAX_FORWARDS 70
#define REG_EXPIRES 300
#define REG_RETRY_S 5     /* a failed refresh is tried again after this */
#define RTP_BIND_TRIES 16 /* attempts at an even RTP port */
#define EVENT_MAX 4096    /* one event line */
#define USER_AGENT "pc-ua"

enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE };

enum cstate {
	C_FREE,
	C_INVITING,  /* caller: INVITE sent, nothing back yet */
	C_EARLY,     /* caller: a provisional response came */
	C_WAIT_ACK,  /* answerer: 200 sent, waiting for the ACK */
	C_CONFIRMED, /* the call is up */
	C_BYE,       /* BYE sent, waiting for its response */
	C_DRAIN,     /* hung up: the far end's last packets are read for DRAIN_NS */
	C_ENDED,     /* answerer: ended, kept a while for a retransmitted BYE */
};

/* A request (or an answerer's 2xx) sent again over UDP until it is answered. */
struct txn {
	bool on;
	bool capped; /* intervals stop growing at T2 (all but INVITE) */
	char msg[SIP_MSG_MAX];
	size_t len;
	struct sockaddr_in dst;
	int64_t next, interval, deadline; /* CLOCK_MONOTONIC ns; 0: none */
	char branch[sizeof(BRANCH_MAGIC) + 2 * RAND_HEX];
};

struct call {
	enum cstate state;
	bool uac, cancel, quiet; /* quiet: failed already, no ended event */
	char call_id[ID_MAX], ltag[ID_MAX], rtag[ID_MAX];
	char from_user[NUMBER_MAX + 1], to_user[NUMBER_MAX + 1]; /* for the events */
	char lparty[PARTY_MAX], rparty[PARTY_MAX]; /* From and To of our requests, no tags */
	char ruri[SIP_URI_MAX];                    /* the caller's INVITE's Request-URI */
	char target[SIP_URI_MAX];                  /* remote target */
	char routes[SIP_ROUTE_MAX][ROUTE_ENTRY_MAX];
	size_t nroutes;
	uint32_t lcseq, inv_cseq;
	char inv_branch[sizeof(BRANCH_MAGIC) + 2 * RAND_HEX];
	struct txn inv, req, ack; /* INVITE or our 2xx; BYE or CANCEL; the ACK of a 2xx */
	int64_t hangup_at, linger_until, drain_until;
	int64_t end_us;
	bool end_remote;

	int rtp_fd;
	unsigned rtp_port;
	struct sockaddr_in rtp_dst;
	uint32_t ssrc, ts;
	uint16_t seq, seq0;
	uint64_t sent, limit;     /* packets sent, and to send */
	int64_t rtp_t0, rtp_next; /* ns; rtp_next 0: not sending */
	struct tone tone;
	size_t wav_pos;
	struct rtp_rx rx;
	int64_t answered_us, rtp_start_us;
};

static struct {
	bool answer, verbose;
	const char *proxy, *from, *to, *local, *audio, *name, *listen, *reg;
	long seconds;
	long tone;
} o = {.seconds = SECONDS_DEFAULT};

static int sip_fd = -1, tfd = -1, sfd = -1;
static char local_host[HOST_MAX + 1], proxy_host[HOST_MAX + 1];
static unsigned local_port, proxy_port;
static struct sockaddr_in proxy_addr;
static struct call *calls;
static size_t ncalls;
static bool stopping, done;
static int exit_code = EXIT_OK;
static uint8_t *wav; /* --audio as µ-law */
static size_t wav_len;

static struct {
	bool on, registered, removing, failed;
	struct txn t;
	char call_id[ID_MAX], ltag[ID_MAX], contact[SIP_URI_MAX];
	uint32_t cseq;
	int64_t refresh_at;
} reg;

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("pc-ua: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * NS + t.tv_nsec;
}

static int64_t wall_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void random_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n > 0) {
		ssize_t r = getrandom(b, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			diag("getrandom: %s", strerror(errno));
			exit(EXIT_FAIL);
		}
		b += r;
		n -= (size_t)r;
	}
}

static uint32_t random32(void)
{
	uint32_t v;

	random_bytes(&v, sizeof(v));
	return v;
}

/* prefix and RAND_HEX random bytes in hex into out (of size at least strlen(prefix) +
 * 2 * RAND_HEX + 1). */
static void random_id(char *out, const char *prefix)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[RAND_HEX];
	size_t k = strlen(prefix);

	random_bytes(b, sizeof(b));
	memcpy(out, prefix, k);
	for (size_t i = 0; i < sizeof(b); i++) {
		out[k++] = hex[b[i] >> 4];
		out[k++] = hex[b[i] & 15];
	}
	out[k] = '\0';
}

/* Copies a slice into a C string of size cap; false when it does not fit. */
static bool copy(char *out, size_t cap, struct sip_str s)
{
	if (s.n >= cap)
		return false;
	memcpy(out, s.p, s.n);
	out[s.n] = '\0';
	return true;
}

/* Copies a slice into a C string of size cap, cut to fit. */
static void cut(char *out, size_t cap, struct sip_str s)
{
	if (s.n >= cap)
		s.n = cap - 1;
	memcpy(out, s.p, s.n);
	out[s.n] = '\0';
}

/* A decimal number of at most 9 digits, or -1. */
static long slice_long(struct sip_str s)
{
	long v = 0;

	if (s.n == 0 || s.n > 9)
		return -1;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (s.p[i] - '0');
	}
	return v;
}

static struct sip_str str(const char *s)
{
	return (struct sip_str){s, strlen(s)};
}

/* The event lines */

static void event(const char *fmt, ...)
{
	char line[EVENT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fputs(line, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* s as the contents of a JSON string, in one of a few rotating buffers */
static const char *js(const char *s)
{
	static char bufs[4][2 * ID_MAX * 3];
	static int i;
	char *b = bufs[i++ % 4];

	sip_json(s, strlen(s), b, sizeof(bufs[0]));
	return b;
}

static void ev_answered(struct call *c)
{
	event("{\"event\":\"answered\",\"sipCallId\":\"%s\",\"from\":\"%s\",\"to\":\"%s\","
	      "\"at\":%lld,\"rtpStart\":%lld}",
	      js(c->call_id), js(c->from_user), js(c->to_user), (long long)c->answered_us,
	      (long long)c->rtp_start_us);
}

static void ev_failed(struct call *c, int status, const char *reason)
{
	event("{\"event\":\"failed\",\"sipCallId\":\"%s\",\"from\":\"%s\",\"to\":\"%s\","
	      "\"at\":%lld,\"status\":%d,\"reason\":\"%s\"}",
	      js(c->call_id), js(c->from_user), js(c->to_user), (long long)wall_us(), status,
	      js(reason));
}

/* Sockets and addresses */

/* host (an IPv4 address or a name) and port into a; 0, or -1. */
static int resolve(const char *host, unsigned port, struct sockaddr_in *a)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res;

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &a->sin_addr) == 1)
		return 0;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return -1;
	a->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return 0;
}

/* Where a request for the sip: URI u goes. */
static int resolve_uri(struct sip_str uri, struct sockaddr_in *a)
{
	struct sip_uri u;
	char host[HOST_MAX + 1];

	if (sip_uri_parse(uri, &u) || u.host.p[0] == '[' || !copy(host, sizeof(host), u.host))
		return -1;
	return resolve(host, u.port ? u.port : SIP_PORT_DEFAULT, a);
}

/* "HOST:PORT" (port optional when port_opt) into host and *port. */
static int host_port(const char *s, char *host, unsigned *port, bool port_opt)
{
	const char *colon = strrchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	char *end;
	long p;

	if (n == 0 || n > HOST_MAX)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (!colon) {
		*port = 0;
		return port_opt ? 0 : -1;
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p < 1 || p > 65535)
		return -1;
	*port = (unsigned)p;
	return 0;
}

static int udp_socket(const char *host, unsigned port, unsigned *bound)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (resolve(host, port, &a) || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		close(fd);
		return -1;
	}
	*bound = ntohs(a.sin_port);
	return fd;
}

/* An RTP socket on local_host, on an even port if one comes within RTP_BIND_TRIES. */
static int rtp_socket(unsigned *port)
{
	int fd = -1;

	for (int k = 0; k < RTP_BIND_TRIES; k++) {
		if (fd >= 0)
			close(fd);
		fd = udp_socket(local_host, 0, port);
		if (fd < 0 || *port % 2 == 0)
			break;
	}
	return fd;
}

static void show(const char *dir, const char *msg, size_t len, const struct sockaddr_in *a)
{
	char ip[INET_ADDRSTRLEN];

	if (!o.verbose)
		return;
	inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
	fprintf(stderr, "pc-ua: %s %s:%u\n%.*s\n", dir, ip, ntohs(a->sin_port), (int)len, msg);
}

static void sip_send(const char *msg, size_t len, const struct sockaddr_in *dst)
{
	show("sent to", msg, len, dst);
	if (sendto(sip_fd, msg, len, 0, (const struct sockaddr *)dst, sizeof(*dst)) < 0)
		diag("SIP send: %s", strerror(errno));
}

/* Transactions */

static void txn_start(struct txn *t, bool capped, int64_t now)
{
	t->on = true;
	t->capped = capped;
	t->interval = T1_NS;
	t->next = now + T1_NS;
	t->deadline = now + TXN_TIMEOUT_NS;
	sip_send(t->msg, t->len, &t->dst);
}

static void txn_stop(struct txn *t)
{
	t->on = false;
	t->next = t->deadline = 0;
}

/* A provisional response: an INVITE is no longer sent again (the proxy answers for it
 * now), other requests are sent every T2 until the deadline. */
static void txn_provisional(struct txn *t, int64_t now)
{
	if (!t->capped) {
		t->next = t->deadline = 0;
	} else {
		t->interval = T2_NS;
		t->next = now + T2_NS;
	}
}

/* Sends t again when due; true when its deadline has passed. */
static bool txn_tick(struct txn *t, int64_t now)
{
	if (!t->on)
		return false;
	if (t->deadline && now >= t->deadline) {
		txn_stop(t);
		return true;
	}
	if (t->next && now >= t->next) {
		sip_send(t->msg, t->len, &t->dst);
		t->interval *= 2;
		if (t->capped && t->interval > T2_NS)
			t->interval = T2_NS;
		t->next = now + t->interval;
	}
	return false;
}

static void txn_due(const struct txn *t, int64_t *next)
{
	if (t->on && t->next && t->next < *next)
		*next = t->next;
	if (t->on && t->deadline && t->deadline < *next)
		*next = t->deadline;
}

/* Building messages */

struct out {
	char *p;
	size_t cap, len;
	bool over;
};

static void put(struct out *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->p + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->len)
		w->over = true;
	else
		w->len += (size_t)n;
}

/* The start line and the headers of a request of call c. */
static void request_head(struct out *w, const struct call *c, const char *method,
                         struct sip_str ruri, const char *routes, const char *branch, uint32_t cseq,
                         const char *to_tag)
{
	put(w, "%s %.*s SIP/2.0\r\n", method, (int)ruri.n, ruri.p);
	put(w, "Via: SIP/2.0/UDP %s:%u;branch=%s;rport\r\n", local_host, local_port, branch);
	put(w, "Max-Forwards: %d\r\n%s", MAX_FORWARDS, routes);
	put(w, "From: %s;tag=%s\r\n", c->lparty, c->ltag);
	put(w, "To: %s%s%s\r\n", c->rparty, to_tag[0] ? ";tag=" : "", to_tag);
	put(w, "Call-ID: %s\r\nCSeq: %u %s\r\nUser-Agent: " USER_AGENT "\r\n", c->call_id, cseq,
	    method);
}

static void body_end(struct out *w, const char *ctype, const char *body)
{
	if (body)
		put(w, "Content-Type: %s\r\n", ctype);
	put(w, "Content-Length: %zu\r\n\r\n%s", body ? strlen(body) : 0, body ? body : "");
}

/* An in-dialog request (ACK of a 2xx, BYE) along the route set, into t. */
static int dialog_request(struct call *c, const char *method, uint32_t cseq, struct txn *t)
{
	struct sip_str routes[SIP_ROUTE_MAX], ruri, hop;
	char lines[ROUTE_LINES_MAX];
	struct out w = {t->msg, sizeof(t->msg), 0, false};

	for (size_t k = 0; k < c->nroutes; k++)
		routes[k] = str(c->routes[k]);
	if (sip_route(routes, c->nroutes, str(c->target), &ruri, &hop, lines, sizeof(lines)) < 0 ||
	    resolve_uri(hop, &t->dst) != 0) {
		diag("%s: no way to send %s (route set or target unusable)", c->call_id, method);
		return -1;
	}
	random_id(t->branch, BRANCH_MAGIC);
	request_head(&w, c, method, ruri, lines, t->branch, cseq, c->rtag);
	body_end(&w, NULL, NULL);
	if (w.over)
		return -1;
	t->len = w.len;
	return 0;
}

static void sdp_build(char *out, size_t cap, unsigned port)
{
	uint32_t sess = random32() >> 1;

	snprintf(out, cap,
	         "v=0\r\no=" USER_AGENT " %u %u IN IP4 %s\r\ns=" USER_AGENT "\r\nc=IN IP4 %s\r\n"
	         "t=0 0\r\nm=audio %u RTP/AVP %d\r\na=rtpmap:%d PCMU/%d\r\na=ptime:%d\r\n"
	         "a=sendrecv\r\n",
	         sess, sess, local_host, local_host, port, RTP_PT_PCMU, RTP_PT_PCMU, RTP_RATE,
	         RTP_PTIME_MS);
}

/* The address of the first audio stream of an SDP body, if it takes PCMU. */
static const char *sdp_peer(struct sip_str body, struct sockaddr_in *a)
{
	struct sdp_info s;
	char host[INET_ADDRSTRLEN];
	const char *why = sdp_parse(body.p, body.n, &s);
	bool pcmu = false;

	if (why)
		return why;
	for (size_t k = 0; k < s.npt; k++)
		pcmu |= s.pt[k] == RTP_PT_PCMU;
	if (!pcmu)
		return "no PCMU in the SDP";
	if (!s.ip4 || s.port == 0 || !copy(host, sizeof(host), s.addr))
		return "no IPv4 audio address in the SDP";
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)s.port);
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return "SDP address not an IPv4 address";
	return NULL;
}

/* Calls */

static struct call *call_new(void)
{
	struct call *c = NULL;

	for (size_t k = 0; k < ncalls; k++) {
		if (calls[k].state == C_FREE) {
			c = &calls[k];
			break;
		}
		/* the ended call kept longest gives way */
		if (calls[k].state == C_ENDED && (!c || calls[k].linger_until < c->linger_until))
			c = &calls[k];
	}
	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->rtp_fd = -1;
	return c;
}

static void rtp_stop(struct call *c)
{
	c->rtp_next = 0;
}

static void rtp_start(struct call *c, int64_t now)
{
	c->rtp_t0 = c->rtp_next = now;
	c->rtp_start_us = wall_us();
}

static void rtp_payload(struct call *c, uint8_t *out)
{
	if (c->uac && wav) {
		for (size_t i = 0; i < RTP_SAMPLES; i++) {
			out[i] = wav[c->wav_pos++];
			if (c->wav_pos == wav_len)
				c->wav_pos = 0;
		}
	} else if (c->uac) {
		tone_fill(&c->tone, tone_hz(c->sent / RTP_PPS), TONE_AMPLITUDE, out, RTP_SAMPLES);
	} else if (o.tone) {
		tone_fill(&c->tone, (double)o.tone, TONE_AMPLITUDE, out, RTP_SAMPLES);
	} else {
		memset(out, ULAW_SILENCE, RTP_SAMPLES);
	}
}

/* Sends the packets that are due: packet n at rtp_t0 + n * 20 ms. */
static void rtp_send_due(struct call *c, int64_t now)
{
	uint64_t n = 0;

	while (c->rtp_next && c->rtp_next <= now && n + c->sent < c->limit) {
		uint8_t pkt[RTP_HDR_LEN + RTP_SAMPLES];
		rtp_header(pkt, n + c->sent == 0, RTP_PT_PCMU, c->seq, c->ts, c->ssrc);
		rtp_payload(c, pkt + RTP_HDR_LEN);
		if (sendto(c->rtp_fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&c->rtp_dst,
		           sizeof(c->rtp_dst)) < 0)
			diag("%s: RTP send: %s", c->call_id, strerror(errno));
		c->seq++;
		c->ts += RTP_SAMPLES;
		n++;
		c->rtp_next = c->rtp_t0 + (int64_t)(c->sent + n) * RTP_PTIME_MS * MS;
	}
	c->sent += n;
	if (c->sent >= c->limit)
		rtp_stop(c);
}

/* Reads every packet waiting on the call's RTP socket. */
static void rtp_recv(struct call *c)
{
	uint8_t buf[RTP_PKT_MAX];
	struct rtp_pkt p;
	ssize_t n;

	if (c->rtp_fd < 0)
		return;
	while ((n = recv(c->rtp_fd, buf, sizeof(buf), 0)) >= 0) {
		if (rtp_parse(buf, (size_t)n, &p) == 0 && p.pt == RTP_PT_PCMU)
			rtp_rx_add(&c->rx, p.ssrc, p.seq);
	}
}

/* Sets RTP up for a call: its socket and random starting points. */
static int media_open(struct call *c)
{
	c->rtp_fd = rtp_socket(&c->rtp_port);
	if (c->rtp_fd < 0) {
		diag("RTP socket: %s", strerror(errno));
		return -1;
	}
	c->ssrc = random32();
	c->seq0 = c->seq = (uint16_t)random32();
	c->ts = random32();
	return 0;
}

/* The end of a call (the BYE answered, either way): no more RTP is sent, and what the
 * far end sent before it is read for DRAIN_NS more, since through a relay (rtpengine)
 * it may come after the BYE's signalling. */
static void call_end(struct call *c, bool by_remote, int64_t now)
{
	rtp_stop(c);
	txn_stop(&c->inv);
	txn_stop(&c->req);
	c->hangup_at = 0;
	c->end_us = wall_us();
	c->end_remote = by_remote;
	c->drain_until = now + DRAIN_NS;
	c->state = C_DRAIN;
}

/* After the drain: the last packets read, the event, the socket closed. */
static void call_finish(struct call *c, int64_t now)
{
	struct rtp_count n;

	rtp_recv(c);
	n = rtp_rx_count(&c->rx);
	if (!c->quiet)
		event("{\"event\":\"ended\",\"sipCallId\":\"%s\",\"from\":\"%s\",\"to\":\"%s\","
		      "\"by\":\"%s\",\"at\":%lld,\"sent\":%llu,\"firstSeq\":%u,\"received\":%llu,"
		      "\"expected\":%llu,\"lost\":%llu,\"duplicates\":%llu}",
		      js(c->call_id), js(c->from_user), js(c->to_user),
		      c->end_remote ? "remote" : "local", (long long)c->end_us,
		      (unsigned long long)c->sent, c->seq0, (unsigned long long)n.received,
		      (unsigned long long)n.expected, (unsigned long long)n.lost,
		      (unsigned long long)n.duplicates);
	if (c->rtp_fd >= 0)
		close(c->rtp_fd);
	c->rtp_fd = -1;
	if (c->uac) {
		c->state = C_FREE;
		done = true;
	} else {
		c->state = C_ENDED;
		c->linger_until = now + LINGER_NS;
	}
}

static void send_bye(struct call *c, int64_t now)
{
	rtp_stop(c);
	if (dialog_request(c, "BYE", ++c->lcseq, &c->req) != 0) {
		call_end(c, false, now);
		exit_code = EXIT_FAIL;
		return;
	}
	c->state = C_BYE;
	txn_start(&c->req, true, now);
}

/* A caller's failure: the event, and the agent ends with the class of the status. */
static void uac_failed(struct call *c, int status, const char *reason, int code)
{
	ev_failed(c, status, reason);
	if (c->rtp_fd >= 0)
		close(c->rtp_fd);
	c->rtp_fd = -1;
	c->state = C_FREE;
	exit_code = code;
	done = true;
}

/* The caller */

static int uac_start(int64_t now)
{
	struct call *c = call_new();
	char sdp[SDP_MAX], ruri[SIP_URI_MAX], to[SIP_URI_MAX], name[2 * DISPLAY_MAX + 1];
	struct out w = {c->inv.msg, sizeof(c->inv.msg), 0, false};
	size_t k = 0;

	c->uac = true;
	if (media_open(c) != 0)
		return -1;
	random_id(c->call_id, "");
	strcat(c->call_id, "@");
	strcat(c->call_id, local_host);
	random_id(c->ltag, "");
	random_id(c->inv.branch, BRANCH_MAGIC);
	strcpy(c->inv_branch, c->inv.branch);
	snprintf(c->from_user, sizeof(c->from_user), "%s", o.from);
	snprintf(c->to_user, sizeof(c->to_user), "%s", o.to);
	for (const char *p = o.name ? o.name : ""; *p; p++) { /* a quoted-string */
		if (*p == '"' || *p == '\\')
			name[k++] = '\\';
		name[k++] = *p;
	}
	name[k] = '\0';
	snprintf(c->lparty, sizeof(c->lparty), "%s%s%s<sip:%s@%s>", k ? "\"" : "", name,
	         k ? "\" " : "", o.from, proxy_host);
	snprintf(to, sizeof(to), "sip:%s@%s", o.to, proxy_host);
	snprintf(c->rparty, sizeof(c->rparty), "<%s>", to);
	snprintf(ruri, sizeof(ruri), "sip:%s@%s:%u", o.to, proxy_host, proxy_port);
	snprintf(c->ruri, sizeof(c->ruri), "%s", ruri);
	c->lcseq = c->inv_cseq = 1;
	c->limit = (uint64_t)o.seconds * RTP_PPS;
	sdp_build(sdp, sizeof(sdp), c->rtp_port);

	request_head(&w, c, "INVITE", str(c->ruri), "", c->inv.branch, c->inv_cseq, "");
	put(&w, "Contact: <sip:%s@%s:%u>\r\n", o.from, local_host, local_port);
	body_end(&w, "application/sdp", sdp);
	if (w.over)
		return -1;
	c->inv.len = w.len;
	c->inv.dst = proxy_addr;
	c->state = C_INVITING;
	txn_start(&c->inv, false, now);
	return 0;
}

/* CANCEL of the INVITE (RFC 3261 9.1): its Request-URI, Call-ID, From, To and branch. */
static void uac_cancel(struct call *c, int64_t now)
{
	struct out w = {c->req.msg, sizeof(c->req.msg), 0, false};

	request_head(&w, c, "CANCEL", str(c->ruri), "", c->inv_branch, c->inv_cseq, "");
	body_end(&w, NULL, NULL);
	if (w.over)
		return;
	c->req.len = w.len;
	c->req.dst = c->inv.dst;
	strcpy(c->req.branch, c->inv_branch);
	txn_start(&c->req, true, now);
	/* the INVITE's 487 is awaited as long as a non-INVITE transaction lasts */
	c->inv.on = true;
	c->inv.deadline = now + TXN_TIMEOUT_NS;
}

/* ACK of a 3xx-6xx: part of the INVITE transaction, its branch, the response's To tag. */
static void uac_ack_failure(struct call *c, const struct sip_msg *m)
{
	char msg[SIP_MSG_MAX], tag[ID_MAX] = "";
	struct out w = {msg, sizeof(msg), 0, false};

	copy(tag, sizeof(tag), m->to_tag);
	request_head(&w, c, "ACK", str(c->ruri), "", c->inv_branch, c->inv_cseq, tag);
	body_end(&w, NULL, NULL);
	if (!w.over)
		sip_send(msg, w.len, &c->inv.dst);
}

/* The dialog of a 2xx (RFC 3261 12.1.2): remote tag, route set (Record-Route reversed),
 * remote target (Contact). */
static const char *uac_dialog(struct call *c, const struct sip_msg *m)
{
	if (m->to_tag.n == 0 || !copy(c->rtag, sizeof(c->rtag), m->to_tag))
		return "2xx without a usable To tag";
	if (m->contact.n == 0 || !copy(c->target, sizeof(c->target), m->contact))
		return "2xx without a usable Contact";
	c->nroutes = m->nrr;
	for (size_t k = 0; k < m->nrr; k++)
		if (!copy(c->routes[m->nrr - 1 - k], sizeof(c->routes[0]), m->rr[k]))
			return "Record-Route entry too long";
	return NULL;
}

/* A 2xx of another branch of a forked INVITE: ACKed and hung up at once. */
static void uac_stray_2xx(const struct call *c, const struct sip_msg *m)
{
	struct call *t = calloc(1, sizeof(*t));

	if (!t)
		return;
	memcpy(t->call_id, c->call_id, sizeof(t->call_id));
	memcpy(t->ltag, c->ltag, sizeof(t->ltag));
	memcpy(t->lparty, c->lparty, sizeof(t->lparty));
	memcpy(t->rparty, c->rparty, sizeof(t->rparty));
	if (uac_dialog(t, m) == NULL && dialog_request(t, "ACK", c->inv_cseq, &t->ack) == 0) {
		sip_send(t->ack.msg, t->ack.len, &t->ack.dst);
		if (dialog_request(t, "BYE", c->inv_cseq + 1, &t->req) == 0)
			sip_send(t->req.msg, t->req.len, &t->req.dst);
	}
	diag("%s: a second 2xx (another branch) ACKed and hung up", c->call_id);
	free(t);
}

static void uac_invite_response(struct call *c, const struct sip_msg *m, int64_t now)
{
	char reason[SIP_URI_MAX];
	const char *why;

	if (m->status < 200) {
		if (c->state == C_INVITING) {
			c->state = C_EARLY;
			txn_provisional(&c->inv, now);
			if (c->cancel)
				uac_cancel(c, now);
		}
		return;
	}
	if (m->status >= 300) {
		uac_ack_failure(c, m);
		if (c->state == C_INVITING || c->state == C_EARLY) {
			txn_stop(&c->req);
			cut(reason, sizeof(reason), m->reason);
			uac_failed(c, m->status, reason, m->status / 100);
		}
		return;
	}
	if (c->state != C_INVITING && c->state != C_EARLY) {
		/* a retransmission: the ACK again; another To tag: another branch */
		if (sip_eq(m->to_tag, c->rtag))
			sip_send(c->ack.msg, c->ack.len, &c->ack.dst);
		else
			uac_stray_2xx(c, m);
		return;
	}
	txn_stop(&c->inv);
	txn_stop(&c->req); /* a CANCEL too late */
	c->answered_us = wall_us();
	if ((why = uac_dialog(c, m)) != NULL || dialog_request(c, "ACK", c->inv_cseq, &c->ack)) {
		diag("%s: %s", c->call_id, why ? why : "ACK not built");
		uac_failed(c, m->status, why ? why : "ACK not built", EXIT_FAIL);
		return;
	}
	sip_send(c->ack.msg, c->ack.len, &c->ack.dst);
	c->state = C_CONFIRMED;
	if ((why = sdp_peer(m->body, &c->rtp_dst)) != NULL) {
		diag("%s: the answer: %s", c->call_id, why);
		ev_failed(c, m->status, why);
		c->quiet = true;
		exit_code = EXIT_FAIL;
		send_bye(c, now);
		return;
	}
	rtp_start(c, now);
	rtp_send_due(c, now);
	ev_answered(c);
	/* half a packet time after the last packet: a far end that started on the ACK, a
	 * little later, has sent as many by then */
	c->hangup_at = now + o.seconds * NS - RTP_PTIME_MS * MS / 2;
	if (c->cancel)
		send_bye(c, now);
}

static void uac_hangup(struct call *c, int64_t now)
{
	c->hangup_at = 0;
	if (c->state == C_CONFIRMED)
		send_bye(c, now);
	else if (c->state == C_EARLY && !c->cancel)
		uac_cancel(c, now);
	c->cancel = true; /* INVITING: a CANCEL once a provisional response comes */
}

/* The answerer */

static void respond(const struct sip_msg *m, const struct sockaddr_in *src, int status,
                    const char *reason, const char *tag, const char *extra)
{
	char out[SIP_MSG_MAX];
	long n = sip_response(m, status, reason, tag, extra, NULL, NULL, out, sizeof(out));

	if (n > 0)
		sip_send(out, (size_t)n, src);
}

/* A To tag for a response sent without a call: the same for every retransmission. */
static const char *stateless_tag(const struct sip_msg *m, char *out)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a over Call-ID, From tag, CSeq */
	const struct sip_str parts[2] = {m->call_id, m->from_tag};

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < parts[k].n; i++)
			h = (h ^ (unsigned char)parts[k].p[i]) * 1099511628211ULL;
	h = (h ^ m->cseq) * 1099511628211ULL;
	snprintf(out, HASH_TAG_SIZE, "%016llx", (unsigned long long)h);
	return out;
}

static void respond_stateless(const struct sip_msg *m, const struct sockaddr_in *src, int status,
                              const char *reason)
{
	char tag[HASH_TAG_SIZE];

	if (status >= 300)
		diag("%.*s %.*s: %d %s", (int)m->method.n, m->method.p, (int)m->call_id.n,
		     m->call_id.p, status, reason);
	respond(m, src, status, reason, stateless_tag(m, tag), NULL);
}

/* The user part of a From or To URI, or the URI, for the events. */
static void user_of(struct sip_str uri, char *out, size_t cap)
{
	struct sip_uri u;

	if (sip_uri_parse(uri, &u) == NULL && u.user.n > 0)
		uri = u.user;
	cut(out, cap, uri);
}

/* The call of an in-dialog request: Call-ID, their tag (From), ours (To). */
static struct call *dialog_of(const struct sip_msg *m)
{
	for (size_t k = 0; k < ncalls; k++) {
		struct call *c = &calls[k];
		if (c->state != C_FREE && sip_eq(m->call_id, c->call_id) &&
		    sip_eq(m->from_tag, c->rtag) && sip_eq(m->to_tag, c->ltag))
			return c;
	}
	return NULL;
}

/* The answerer's call of an INVITE or CANCEL without a To tag. */
static struct call *invite_of(const struct sip_msg *m)
{
	for (size_t k = 0; k < ncalls; k++) {
		struct call *c = &calls[k];
		if (c->state != C_FREE && !c->uac && c->inv_cseq == m->cseq &&
		    sip_eq(m->call_id, c->call_id) && sip_eq(m->from_tag, c->rtag))
			return c;
	}
	return NULL;
}

static void uas_invite(const struct sip_msg *m, const struct sockaddr_in *src, int64_t now)
{
	struct call *c = invite_of(m);
	struct sockaddr_in peer;
	struct sip_addr to;
	char sdp[SDP_MAX], extra[SIP_URI_MAX + 32];
	const char *why;
	long n;

	if (c) { /* a retransmission: the 200 again */
		if (c->inv.len)
			sip_send(c->inv.msg, c->inv.len, src);
		return;
	}
	if (stopping) {
		respond_stateless(m, src, 503, "Service Unavailable");
		return;
	}
	if (m->contact.n == 0 || m->call_id.n >= ID_MAX || m->from_tag.n >= ID_MAX) {
		respond_stateless(m, src, 400, "Bad Request");
		return;
	}
	if ((why = sdp_peer(m->body, &peer)) != NULL) {
		diag("INVITE %.*s: %s", (int)m->call_id.n, m->call_id.p, why);
		respond_stateless(m, src, 488, "Not Acceptable Here");
		return;
	}
	if (!(c = call_new())) {
		respond_stateless(m, src, 486, "Busy Here");
		return;
	}
	to = m->to;
	if (!copy(c->target, sizeof(c->target), m->contact) || m->nrr > SIP_ROUTE_MAX ||
	    snprintf(c->lparty, sizeof(c->lparty), "<%.*s>", (int)to.uri.n, to.uri.p) >=
	        (int)sizeof(c->lparty) ||
	    snprintf(c->rparty, sizeof(c->rparty), "<%.*s>", (int)m->from.uri.n, m->from.uri.p) >=
	        (int)sizeof(c->rparty)) {
		c->state = C_FREE;
		respond_stateless(m, src, 400, "Bad Request");
		return;
	}
	for (size_t k = 0; k < m->nrr; k++) {
		if (!copy(c->routes[k], sizeof(c->routes[0]), m->rr[k])) {
			c->state = C_FREE;
			respond_stateless(m, src, 400, "Bad Request");
			return;
		}
	}
	c->nroutes = m->nrr; /* the answerer keeps their order (RFC 3261 12.1.1) */
	copy(c->call_id, sizeof(c->call_id), m->call_id);
	copy(c->rtag, sizeof(c->rtag), m->from_tag);
	random_id(c->ltag, "");
	user_of(m->from.uri, c->from_user, sizeof(c->from_user));
	user_of(m->to.uri, c->to_user, sizeof(c->to_user));
	c->inv_cseq = m->cseq;
	c->lcseq = random32() >> 17; /* our own CSeq space, far below 2**31 */
	c->rtp_dst = peer;
	if (media_open(c) != 0) {
		c->state = C_FREE;
		respond_stateless(m, src, 500, "Server Internal Error");
		return;
	}
	snprintf(extra, sizeof(extra), "Contact: <sip:%s%s%s:%u>\r\n", o.reg ? o.reg : "",
	         o.reg ? "@" : "", local_host, local_port);
	respond(m, src, 180, "Ringing", c->ltag, extra);
	sdp_build(sdp, sizeof(sdp), c->rtp_port);
	n = sip_response(m, 200, "OK", c->ltag, extra, "application/sdp", sdp, c->inv.msg,
	                 sizeof(c->inv.msg));
	if (n < 0) {
		close(c->rtp_fd);
		c->state = C_FREE;
		respond_stateless(m, src, 500, "Server Internal Error");
		return;
	}
	c->inv.len = (size_t)n;
	c->inv.dst = *src;
	c->state = C_WAIT_ACK;
	c->limit = UINT64_MAX; /* until the far end hangs up */
	txn_start(&c->inv, true, now);
}

static void uas_ack(const struct sip_msg *m, int64_t now)
{
	struct call *c = dialog_of(m);

	if (!c || c->state != C_WAIT_ACK)
		return; /* an ACK of a 3xx-6xx, or of a 2xx already ACKed */
	txn_stop(&c->inv);
	c->state = C_CONFIRMED;
	c->answered_us = wall_us();
	rtp_start(c, now);
	rtp_send_due(c, now);
	ev_answered(c);
	if (stopping)
		send_bye(c, now);
}

/* Requests, whichever the role */

static void on_bye(const struct sip_msg *m, const struct sockaddr_in *src, int64_t now)
{
	struct call *c = dialog_of(m);

	if (!c) {
		respond(m, src, 481, "Call/Transaction Does Not Exist", NULL, NULL);
		return;
	}
	respond(m, src, 200, "OK", NULL, NULL);
	if (c->state == C_ENDED || c->state == C_DRAIN)
		return; /* a retransmission */
	/* after our own BYE it ends as ours; before the ACK as theirs all the same */
	call_end(c, c->state != C_BYE, now);
}

static void on_cancel(const struct sip_msg *m, const struct sockaddr_in *src)
{
	/* every INVITE is answered at once: a CANCEL comes after the final response, and
	 * changes nothing (RFC 3261 9.2) */
	if (!o.answer || !invite_of(m))
		respond(m, src, 481, "Call/Transaction Does Not Exist", NULL, NULL);
	else
		respond(m, src, 200, "OK", NULL, NULL);
}

static void on_request(const struct sip_msg *m, const struct sockaddr_in *src, int64_t now)
{
	if (sip_eq(m->method, "ACK")) {
		uas_ack(m, now);
	} else if (sip_eq(m->method, "BYE")) {
		on_bye(m, src, now);
	} else if (sip_eq(m->method, "INVITE") && m->to_tag.n > 0) {
		/* a re-INVITE: the session stays as it is */
		if (dialog_of(m))
			respond(m, src, 488, "Not Acceptable Here", NULL, NULL);
		else
			respond(m, src, 481, "Call/Transaction Does Not Exist", NULL, NULL);
	} else if (sip_eq(m->method, "INVITE")) {
		if (o.answer)
			uas_invite(m, src, now);
		else
			respond_stateless(m, src, 486, "Busy Here");
	} else if (sip_eq(m->method, "CANCEL")) {
		on_cancel(m, src);
	} else if (sip_eq(m->method, "OPTIONS")) {
		respond_stateless(m, src, 200, "OK");
	} else {
		respond_stateless(m, src, 501, "Not Implemented");
	}
}

/* Registration */

static void reg_send(int64_t now, int expires)
{
	struct out w = {reg.t.msg, sizeof(reg.t.msg), 0, false};

	random_id(reg.t.branch, BRANCH_MAGIC);
	put(&w, "REGISTER sip:%s:%u SIP/2.0\r\n", proxy_host, proxy_port);
	put(&w, "Via: SIP/2.0/UDP %s:%u;branch=%s;rport\r\n", local_host, local_port, reg.t.branch);
	put(&w, "Max-Forwards: %d\r\n", MAX_FORWARDS);
	put(&w, "From: <sip:%s@%s>;tag=%s\r\nTo: <sip:%s@%s>\r\n", o.reg, proxy_host, reg.ltag,
	    o.reg, proxy_host);
	put(&w, "Call-ID: %s\r\nCSeq: %u REGISTER\r\nUser-Agent: " USER_AGENT "\r\n", reg.call_id,
	    ++reg.cseq);
	put(&w, "Contact: <%s>\r\nExpires: %d\r\n", reg.contact, expires);
	body_end(&w, NULL, NULL);
	reg.t.len = w.len;
	reg.t.dst = proxy_addr;
	reg.refresh_at = 0;
	txn_start(&reg.t, true, now);
}

static void reg_start(int64_t now)
{
	reg.on = true;
	random_id(reg.call_id, "");
	strcat(reg.call_id, "@");
	strcat(reg.call_id, local_host);
	random_id(reg.ltag, "");
	snprintf(reg.contact, sizeof(reg.contact), "sip:%s@%s:%u", o.reg, local_host, local_port);
	reg_send(now, REG_EXPIRES);
}

/* The time the registrar granted our Contact (its expires parameter, else Expires). */
static long reg_granted(const struct sip_msg *m)
{
	long granted = -1;

	for (size_t k = 0; k < m->nhdr; k++) {
		const struct sip_hdr *h = &m->hdr[k];
		struct sip_str rest = h->value, item, val;
		struct sip_addr a;
		if (h->id == SIP_H_EXPIRES && granted < 0)
			granted = slice_long(h->value);
		if (h->id != SIP_H_CONTACT)
			continue;
		while (sip_list_next(&rest, &item) == 1) {
			if (sip_addr_parse(item, &a) == NULL && sip_eq(a.uri, reg.contact) &&
			    sip_param(a.params, "expires", &val) == 1 && slice_long(val) >= 0)
				return slice_long(val);
		}
	}
	return granted >= 0 ? granted : REG_EXPIRES;
}

static void reg_failed(int status, const char *reason, int64_t now)
{
	event("{\"event\":\"failed\",\"method\":\"REGISTER\",\"number\":\"%s\",\"at\":%lld,"
	      "\"status\":%d,\"reason\":\"%s\"}",
	      js(o.reg), (long long)wall_us(), status, js(reason));
	if (reg.removing) {
		reg.on = false;
	} else if (!reg.registered) {
		reg.on = false; /* the first registration: the agent is useless, it ends */
		exit_code = status / 100;
		stopping = true;
	} else {
		reg.refresh_at = now + REG_RETRY_S * NS;
	}
}

static void reg_response(const struct sip_msg *m, int64_t now)
{
	char reason[SIP_URI_MAX];
	long granted;

	if (m->status < 200) {
		txn_provisional(&reg.t, now);
		return;
	}
	txn_stop(&reg.t);
	if (m->status >= 300) {
		cut(reason, sizeof(reason), m->reason);
		reg_failed(m->status, reason, now);
		return;
	}
	if (reg.removing) {
		reg.on = false;
		return;
	}
	if (stopping) { /* registered while stopping: removed at once */
		reg.removing = true;
		reg_send(now, 0);
		return;
	}
	granted = reg_granted(m);
	if (granted < 1)
		granted = 1;
	reg.registered = true;
	reg.refresh_at = now + granted * NS / 2;
	event("{\"event\":\"registered\",\"number\":\"%s\",\"expires\":%ld,\"at\":%lld}", js(o.reg),
	      granted, (long long)wall_us());
}

/* Responses */

static void on_response(const struct sip_msg *m, int64_t now)
{
	if (reg.t.on && sip_eq(m->call_id, reg.call_id) && sip_eq(m->via.branch, reg.t.branch)) {
		reg_response(m, now);
		return;
	}
	for (size_t k = 0; k < ncalls; k++) {
		struct call *c = &calls[k];
		if (c->state == C_FREE || c->state == C_ENDED || c->state == C_DRAIN ||
		    !sip_eq(m->call_id, c->call_id))
			continue;
		if (c->uac && sip_eq(m->cseq_method, "INVITE") &&
		    sip_eq(m->via.branch, c->inv_branch)) {
			uac_invite_response(c, m, now);
		} else if (c->req.on && sip_eq(m->via.branch, c->req.branch) &&
		           !sip_eq(m->cseq_method, "INVITE")) {
			if (m->status < 200)
				txn_provisional(&c->req, now);
			else if (sip_eq(m->cseq_method, "CANCEL"))
				txn_stop(&c->req); /* the INVITE's 487 follows */
			else if (c->state == C_BYE)
				call_end(c, false, now);
		}
		return;
	}
}

static void on_sip(int64_t now)
{
	char buf[SIP_MSG_MAX + 1];
	struct sockaddr_in src;
	socklen_t len = sizeof(src);
	struct sip_msg m;
	const char *why;
	ssize_t n;

	while ((n = recvfrom(sip_fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&src, &len)) >=
	       0) {
		len = sizeof(src);
		if ((size_t)n > SIP_MSG_MAX) {
			diag("SIP datagram of %zd bytes dropped (over %d)", n, SIP_MSG_MAX);
			continue;
		}
		show("received from", buf, (size_t)n, &src);
		if ((why = sip_parse(buf, (size_t)n, &m)) != NULL) {
			diag("SIP datagram dropped: %s", why);
			continue;
		}
		if (m.request)
			on_request(&m, &src, now);
		else
			on_response(&m, now);
	}
}

/* The loop */

static void on_signal(int64_t now)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (stopping) { /* the second one */
			diag("stopped at once");
			exit_code = EXIT_FAIL;
			done = true;
			return;
		}
		stopping = true;
		for (size_t k = 0; k < ncalls; k++) {
			struct call *c = &calls[k];
			if (c->uac && c->state != C_FREE)
				uac_hangup(c, now);
			else if (!c->uac && c->state == C_CONFIRMED)
				send_bye(c, now);
		}
		if (reg.registered && reg.on) {
			reg.removing = true;
			reg_send(now, 0);
		}
	}
}

static void tick(int64_t now)
{
	for (size_t k = 0; k < ncalls; k++) {
		struct call *c = &calls[k];
		if (c->state == C_FREE)
			continue;
		if (c->state == C_DRAIN) {
			if (now >= c->drain_until)
				call_finish(c, now);
			continue;
		}
		if (txn_tick(&c->inv, now)) {
			if (c->uac && c->state != C_CONFIRMED && c->state != C_BYE) {
				/* a timeout counts as a 408; after a CANCEL, as its 487 */
				uac_failed(c, c->cancel ? 487 : 408,
				           c->cancel ? "Request Terminated" : "Request Timeout", 4);
				continue;
			}
			if (!c->uac && c->state == C_WAIT_ACK) {
				ev_failed(c, 408, "no ACK");
				c->quiet = true;
				send_bye(c, now);
			}
		}
		if (txn_tick(&c->req, now) && c->state == C_BYE) {
			diag("%s: no answer to BYE", c->call_id);
			call_end(c, false, now);
			continue;
		}
		rtp_send_due(c, now);
		if (c->hangup_at && now >= c->hangup_at)
			uac_hangup(c, now);
		if (c->state == C_ENDED && now >= c->linger_until)
			c->state = C_FREE;
	}
	if (reg.on) {
		if (txn_tick(&reg.t, now))
			reg_failed(408, "Request Timeout", now);
		if (reg.refresh_at && now >= reg.refresh_at)
			reg_send(now, REG_EXPIRES);
	}
	if (o.answer && stopping) {
		bool busy = reg.on && reg.t.on;
		for (size_t k = 0; k < ncalls; k++)
			busy |= calls[k].state == C_WAIT_ACK || calls[k].state == C_CONFIRMED ||
			        calls[k].state == C_BYE || calls[k].state == C_DRAIN;
		if (!busy)
			done = true;
	}
}

static int64_t next_due(void)
{
	int64_t next = INT64_MAX;

	for (size_t k = 0; k < ncalls; k++) {
		struct call *c = &calls[k];
		if (c->state == C_FREE)
			continue;
		txn_due(&c->inv, &next);
		txn_due(&c->req, &next);
		if (c->rtp_next && c->rtp_next < next)
			next = c->rtp_next;
		if (c->hangup_at && c->hangup_at < next)
			next = c->hangup_at;
		if (c->state == C_ENDED && c->linger_until < next)
			next = c->linger_until;
		if (c->state == C_DRAIN && c->drain_until < next)
			next = c->drain_until;
	}
	if (reg.on) {
		txn_due(&reg.t, &next);
		if (reg.refresh_at && reg.refresh_at < next)
			next = reg.refresh_at;
	}
	return next;
}

/* The timer fires at the next due time, an absolute CLOCK_MONOTONIC time. */
static void arm(int64_t at)
{
	struct itimerspec its = {0};

	if (at != INT64_MAX) {
		if (at < 1)
			at = 1;
		its.it_value.tv_sec = at / NS;
		its.it_value.tv_nsec = at % NS;
	}
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
		diag("timerfd: %s", strerror(errno));
}

static int run(void)
{
	struct pollfd *fds = calloc(ncalls + 3, sizeof(*fds));
	size_t *owner = calloc(ncalls + 3, sizeof(*owner));

	if (!fds || !owner) {
		free(fds);
		free(owner);
		return EXIT_FAIL;
	}
	while (!done) {
		int64_t now = mono_ns();
		nfds_t n = 3;
		uint64_t ticks;
		tick(now);
		if (done)
			break;
		arm(next_due());
		fds[0] = (struct pollfd){.fd = sip_fd, .events = POLLIN};
		fds[1] = (struct pollfd){.fd = tfd, .events = POLLIN};
		fds[2] = (struct pollfd){.fd = sfd, .events = POLLIN};
		for (size_t k = 0; k < ncalls; k++) {
			if (calls[k].rtp_fd >= 0) {
				owner[n] = k;
				fds[n++] = (struct pollfd){.fd = calls[k].rtp_fd, .events = POLLIN};
			}
		}
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			diag("poll: %s", strerror(errno));
			exit_code = EXIT_FAIL;
			break;
		}
		now = mono_ns();
		for (nfds_t i = 3; i < n; i++)
			if (fds[i].revents)
				rtp_recv(&calls[owner[i]]);
		if (fds[0].revents)
			on_sip(now);
		if (fds[1].revents && read(tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
			diag("timerfd read: %s", strerror(errno));
		if (fds[2].revents)
			on_signal(now);
	}
	free(fds);
	free(owner);
	return exit_code;
}

/* Options */

static void usage(void)
{
	fputs(
	    "usage: pc-ua call --proxy HOST:PORT --from NUMBER --to NUMBER [--local HOST[:PORT]]\n"
	    "                  [--seconds N] [--audio FILE.wav] [--caller-name NAME] [--verbose]\n"
	    "       pc-ua answer --listen HOST:PORT [--register NUMBER --proxy HOST:PORT]\n"
	    "                    [--tone HZ] [--verbose]\n",
	    stderr);
}

/* A number fit for the user part of a SIP URI. */
static bool number_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > NUMBER_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      strchr("-_.!~*'()+", c)))
			return false;
	}
	return true;
}

static bool long_opt(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Reads --audio and turns it into µ-law. 0, or -1 with the reason printed. */
static int load_wav(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	const uint8_t *pcm;
	const char *why;
	struct stat st;
	size_t n;
	int rc = -1;

	if (!f) {
		diag("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) != 0 || st.st_size > WAV_MAX || !S_ISREG(st.st_mode)) {
		diag("%s: not a regular file of at most %ld bytes", path, WAV_MAX);
		goto err;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || (n = fread(buf, 1, (size_t)st.st_size, f)) != (size_t)st.st_size) {
		diag("%s: not read", path);
		goto err;
	}
	if ((why = wav_pcm(buf, n, &pcm, &wav_len)) != NULL) {
		diag("%s: %s; --audio takes an 8000 Hz mono 16-bit PCM WAV file", path, why);
		goto err;
	}
	if (!(wav = malloc(wav_len)))
		goto err;
	for (size_t i = 0; i < wav_len; i++)
		wav[i] = ulaw_encode((int16_t)(pcm[2 * i] | pcm[2 * i + 1] << 8));
	rc = 0;
err:
	free(buf);
	fclose(f);
	return rc;
}

static int options(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"proxy", required_argument, NULL, 'p'},       {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},          {"local", required_argument, NULL, 'l'},
	    {"seconds", required_argument, NULL, 's'},     {"audio", required_argument, NULL, 'a'},
	    {"caller-name", required_argument, NULL, 'n'}, {"listen", required_argument, NULL, 'L'},
	    {"register", required_argument, NULL, 'r'},    {"tone", required_argument, NULL, 'T'},
	    {"verbose", no_argument, NULL, 'v'},           {NULL, 0, NULL, 0}};
	int c;

	if (argc < 2 || (strcmp(argv[1], "call") != 0 && strcmp(argv[1], "answer") != 0))
		return -1;
	o.answer = strcmp(argv[1], "answer") == 0;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.proxy = optarg;
			break;
		case 'f':
			o.from = optarg;
			break;
		case 't':
			o.to = optarg;
			break;
		case 'l':
			o.local = optarg;
			break;
		case 'a':
			o.audio = optarg;
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'L':
			o.listen = optarg;
			break;
		case 'r':
			o.reg = optarg;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 's':
			if (!long_opt(optarg, 0, SECONDS_MAX, &o.seconds)) {
				diag("--seconds: 0 to %d", SECONDS_MAX);
				return -1;
			}
			break;
		case 'T':
			if (!long_opt(optarg, 1, TONE_HZ_MAX, &o.tone)) {
				diag("--tone: 1 to %d Hz", TONE_HZ_MAX);
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	if (optind != argc - 1) {
		diag("unexpected argument %s", argv[optind + 1]);
		return -1;
	}
	if (o.answer) {
		if (!o.listen || o.from || o.to || o.local || o.audio || o.name ||
		    o.seconds != SECONDS_DEFAULT) {
			diag("answer takes --listen, --register, --proxy, --tone");
			return -1;
		}
		if (!o.reg != !o.proxy) {
			diag("--register and --proxy go together");
			return -1;
		}
		if (o.reg && !number_ok(o.reg)) {
			diag("--register: 1 to %d of [A-Za-z0-9-_.!~*'()+]", NUMBER_MAX);
			return -1;
		}
		o.local = o.listen;
	} else {
		if (!o.proxy || !o.from || !o.to || o.listen || o.reg || o.tone) {
			diag("call takes --proxy, --from, --to, --local, --seconds, --audio, "
			     "--caller-name");
			return -1;
		}
		if (!number_ok(o.from) || !number_ok(o.to)) {
			diag("--from, --to: 1 to %d of [A-Za-z0-9-_.!~*'()+]", NUMBER_MAX);
			return -1;
		}
		if (o.name) {
			for (const char *p = o.name; *p; p++)
				if ((unsigned char)*p < ' ' || *p == 0x7f)
					o.name = NULL;
			if (!o.name || strlen(o.name) > DISPLAY_MAX) {
				diag("--caller-name: 1 to %d characters, no control character",
				     DISPLAY_MAX);
				return -1;
			}
		}
		if (!o.local)
			o.local = "127.0.0.1";
	}
	if (o.proxy) {
		if (host_port(o.proxy, proxy_host, &proxy_port, false) != 0 ||
		    resolve(proxy_host, proxy_port, &proxy_addr) != 0) {
			diag("--proxy: HOST:PORT, an IPv4 address or a name");
			return -1;
		}
	}
	{
		struct in_addr a;
		if (host_port(o.local, local_host, &local_port, !o.answer) != 0 ||
		    inet_pton(AF_INET, local_host, &a) != 1 || a.s_addr == htonl(INADDR_ANY)) {
			diag("%s: an IPv4 address (not 0.0.0.0)%s",
			     o.answer ? "--listen" : "--local",
			     o.answer ? " and a port" : ", a port if one is wanted");
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	sigset_t sigs;
	int rc = EXIT_FAIL;

	if (options(argc, argv) != 0) {
		usage();
		return EXIT_USAGE;
	}
	if (o.audio && load_wav(o.audio) != 0)
		return EXIT_USAGE;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) != 0 ||
	    (sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0) {
		diag("signalfd, timerfd: %s", strerror(errno));
		goto err;
	}
	if ((sip_fd = udp_socket(local_host, local_port, &local_port)) < 0) {
		diag("SIP socket on %s:%u: %s", local_host, local_port, strerror(errno));
		goto err;
	}
	ncalls = o.answer ? CALLS_MAX : 1;
	if (!(calls = calloc(ncalls, sizeof(*calls)))) {
		diag("out of memory");
		goto err;
	}
	for (size_t k = 0; k < ncalls; k++)
		calls[k].rtp_fd = -1;
	if (o.answer) {
		diag("answering on %s:%u", local_host, local_port);
		if (o.reg)
			reg_start(mono_ns());
	} else if (uac_start(mono_ns()) != 0) {
		diag("the INVITE was not sent");
		goto err;
	}
	rc = run();
err:
	if (calls)
		for (size_t k = 0; k < ncalls; k++)
			if (calls[k].rtp_fd >= 0)
				close(calls[k].rtp_fd);
	free(calls);
	free(wav);
	if (sip_fd >= 0)
		close(sip_fd);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	return rc;
}
