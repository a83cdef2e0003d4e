/*
 * bench-media.c - the recording cut: the load and the capture reader of tools/bench-media,
 * which measures how long after a StopRecording's 202 the media engine writes the last
 * packet of the capture that stop ends. It links libc and the project's pcap reader
 * (media/pcap.c) alone. Two modes:
 *
 *   bench-media drive -p PORT -s STOPS [-g MIN_MS-MAX_MS] [-r SEED] -o FILE CALL...
 *
 * On every CALL at once (a phoneCallId of the demo's extension 0003*210, user 12, view
 * 01: the calls pc-ua places), one keep-alive connection each, StartRecording and
 * StopRecording PUTs through nginx in turn, each a random gap (150-400 ms) after the
 * answer to the one before, the first a start and the last a stop; STOPS stops in all,
 * spread evenly over the calls. A PUT answered other than 202 (or not at all) is sent
 * again after the next gap, so that each call goes start, stop, start, ... whatever
 * happens, and counted; FAILS_MAX failures in a row give the call up. FILE gets one line
 * per PUT, tab-separated:
 *   phoneCallId action status request_id sent_us answered_us
 * (action start or stop; the request id from the answer's X-Request-Id, "-" without one;
 * times in Unix microseconds, CLOCK_REALTIME: the clock of nginx's log, of the adapter's
 * media_outcome and of rtpengine's captures). Exit 0 when every PUT was answered 202 the
 * first time, 1 when one was not, 2 on bad usage.
 *
 *   bench-media pcaps SPOOL
 *
 * Every capture in SPOOL/pcaps (rtpengine's recording-dir), one line each, tab-separated:
 *   sipCallId first_us last_us rtp_packets closed file
 * the Call-ID unescaped from the file's name (<escaped Call-ID>-<16 hex digits>.pcap),
 * the capture times of its first and last RTP packet (RTCP and other records left out),
 * and closed 1 once rtpengine closed the file (its metadata file is in SPOOL/metadata).
 * Exit 0, or 1 when a capture cannot be read.
 */
#define _GNU_SOURCE /* ppoll (a timeout in nanoseconds) */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../media/pcap.h"
#include "bench-http.h"

#define CALLS_MAX 256          /* calls driven at once, one connection each */
#define STOPS_MAX 100000       /* stops in one run */
#define CALL_ID_MAX 64         /* a phoneCallId (schema: media_call) */
#define RESP_MAX 8192          /* longest answer (head and body) */
#define REQ_MAX 1024           /* longest request */
#define ID_MAX 64              /* longest request id */
#define GAP_MIN_MS 150         /* default gap between an answer and the next PUT */
#define GAP_MAX_MS 400         /* (a view is stopped, or recorded, this long at least) */
#define GAP_LIMIT_MS 60000     /* the longest gap -g takes */
#define ANSWER_TIMEOUT_S 10    /* a PUT unanswered this long is lost (status 0) */
#define FAILS_MAX 5            /* a call given up after this many failed PUTs in a row */
#define TICK_NS 100000000LL    /* the longest wait with nothing due */
#define CAPTURE_MAX (64 << 20) /* a capture larger than this is not read */
#define SIP_ID_MAX 255         /* a SIP Call-ID (schema: media_call) */
#define NAME_TAG 16            /* hex digits rtpengine puts after the Call-ID */
#define NS 1000000000LL

/* The demo's caller: the extension pc-ua calls from, its user and token, its view. */
#define DEMO_USER "12"
#define DEMO_EXT "0003*210"
#define DEMO_TOKEN "demo-user-12-token"
#define DEMO_VIEW "01"

enum { START, STOP };

struct call {
	char id[CALL_ID_MAX + 1];
	int fd;
	int stops_left; /* stops still to be answered 202 */
	int action;     /* of the PUT in flight or due next */
	int busy;       /* a PUT in flight */
	int fails;      /* PUTs failed in a row */
	int64_t due;    /* CLOCK_MONOTONIC ns of the next PUT */
	int64_t sent;   /* of the one in flight: monotonic ns, and Unix us */
	int64_t sent_us;
	size_t len;
	char buf[RESP_MAX];
};

static struct call calls[CALLS_MAX];
static int ncalls, port = -1, gap_min = GAP_MIN_MS, gap_max = GAP_MAX_MS;
static uint64_t rng;
static FILE *out;
/* Counts over the run: PUTs, answered 202, and the others (sent again). */
static int n_puts, n_202, n_failed, n_given_up;

static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * NS + t.tv_nsec;
}

static int64_t unix_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* splitmix64: the gaps, reproducible with -r. */
static uint64_t next_rand(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t gap_ns(void)
{
	return ((int64_t)gap_min + (int64_t)(next_rand() % (uint64_t)(gap_max - gap_min + 1))) *
	       1000000;
}

/* The PUT's outcome: a line of FILE, and the call's next PUT scheduled. */
static void settle(struct call *c, int status, const char *rid, size_t rlen, int64_t now)
{
	fprintf(out, "%s\t%s\t%d\t%.*s\t%lld\t%lld\n", c->id, c->action == START ? "start" : "stop",
	        status, (int)rlen, rid, (long long)c->sent_us, (long long)unix_us());
	n_puts++;
	if (status == 202) {
		n_202++;
		if (c->action == STOP)
			c->stops_left--;
		c->action = c->action == START ? STOP : START;
		c->fails = 0;
	} else {
		n_failed++; /* the same action again: the call's state stays in step */
		if (++c->fails == FAILS_MAX) {
			fprintf(stderr, "bench-media: call %s given up after %d failed PUTs\n",
			        c->id, FAILS_MAX);
			c->stops_left = 0;
			n_given_up++;
		}
	}
	c->busy = 0;
	c->len = 0;
	c->due = now + gap_ns();
}

/* Reads what call c's connection has; a closed or broken connection loses the PUT in
 * flight (status 0) and is dialled again. */
static void conn_read(struct call *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
		size_t hlen, vl;
		long whole;
		const char *v;
		int status;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0 || !c->busy)
			goto redial;
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		whole = bh_framed(c->buf, c->len, &hlen);
		if (whole < 0 || (whole == 0 && c->len == sizeof(c->buf) - 1))
			goto redial;
		if (whole == 0)
			continue;
		if (sscanf(c->buf, "HTTP/1.%*1[01] %3d", &status) != 1)
			status = 0;
		if ((v = bh_header(c->buf, hlen, "X-Request-Id", &vl)) == NULL || vl == 0 ||
		    vl > ID_MAX) {
			v = "-";
			vl = 1;
			if (status == 202)
				status = -202; /* a 202 that cannot be matched */
		}
		settle(c, status, v, vl, mono_ns());
		if ((v = bh_header(c->buf, hlen, "Connection", &vl)) != NULL && vl == 5 &&
		    strncasecmp(v, "close", 5) == 0)
			goto redial;
		return;
	}
redial:
	if (c->busy)
		settle(c, 0, "-", 1, mono_ns());
	close(c->fd);
	c->fd = bh_dial(port);
}

/* Sends call c's PUT. A failure to send counts as a PUT lost. */
static void conn_send(struct call *c)
{
	static const char *const bodies[2] = {
	    "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"" DEMO_VIEW
	    "\",\"format\":\"wav\"}",
	    "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"" DEMO_VIEW "\"}"};
	const char *body = bodies[c->action];
	char req[REQ_MAX];
	int len = snprintf(req, sizeof(req),
	                   "PUT /uapi/phoneCalls/" DEMO_USER "/" DEMO_EXT "/%s HTTP/1.1\r\n"
	                   "Host: 127.0.0.1:%d\r\n"
	                   "Authorization: Bearer " DEMO_TOKEN "\r\n"
	                   "Content-Type: application/json\r\n"
	                   "Content-Length: %zu\r\n\r\n%s",
	                   c->id, port, strlen(body), body);

	c->busy = 1;
	c->len = 0;
	c->sent = mono_ns();
	c->sent_us = unix_us();
	if (c->fd < 0)
		c->fd = bh_dial(port);
	/* a small request into an empty socket buffer goes whole */
	if (len <= 0 || (size_t)len >= sizeof(req) || c->fd < 0 ||
	    send(c->fd, req, (size_t)len, MSG_NOSIGNAL) != len) {
		settle(c, 0, "-", 1, mono_ns());
		if (c->fd >= 0)
			close(c->fd);
		c->fd = bh_dial(port);
	}
}

/* Every call's PUTs until each has had its stops answered 202. 0, or -1 on a poll error. */
static int drive(void)
{
	struct pollfd pf[CALLS_MAX];

	for (;;) {
		int64_t t = mono_ns(), next = t + TICK_NS;
		int left = 0;

		for (int i = 0; i < ncalls; i++) {
			struct call *c = &calls[i];
			if (c->busy && t - c->sent > ANSWER_TIMEOUT_S * NS) {
				settle(c, 0, "-", 1, t); /* lost: a new connection for the next */
				close(c->fd);
				c->fd = bh_dial(port);
			}
			if (!c->busy && c->stops_left > 0 && c->due <= t)
				conn_send(c);
			if (!c->busy && c->stops_left > 0 && c->due < next)
				next = c->due;
			left += c->busy || c->stops_left > 0;
			pf[i].fd = c->busy ? c->fd : -1;
			pf[i].events = POLLIN;
		}
		if (left == 0)
			return 0;
		t = mono_ns();
		/* poll's milliseconds would send up to 1 ms late: ppoll takes nanoseconds */
		int64_t wait = next > t ? next - t : 0;
		struct timespec ts = {wait / NS, wait % NS};
		if (ppoll(pf, (nfds_t)ncalls, &ts, NULL) < 0 && errno != EINTR)
			return -1;
		for (int i = 0; i < ncalls; i++)
			if (pf[i].fd >= 0 && (pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				conn_read(&calls[i]);
	}
}

static int number(const char *s, int lo, int hi, int *v)
{
	char *e;
	long n = strtol(s, &e, 10);

	if (*s == '\0' || *e != '\0' || n < lo || n > hi)
		return -1;
	*v = (int)n;
	return 0;
}

static int drive_main(int argc, char **argv)
{
	const char *path = NULL;
	int opt, stops = -1, rc = 1;
	unsigned long long seed = (unsigned long long)unix_us() ^ (unsigned long long)getpid();

	while ((opt = getopt(argc, argv, "p:s:g:r:o:")) != -1) {
		int bad = 0;
		char *e;
		switch (opt) {
		case 'p':
			bad = number(optarg, 1, 65535, &port);
			break;
		case 's':
			bad = number(optarg, 1, STOPS_MAX, &stops);
			break;
		case 'g':
			bad = sscanf(optarg, "%d-%d", &gap_min, &gap_max) != 2 || gap_min < 0 ||
			      gap_max < gap_min || gap_max > GAP_LIMIT_MS;
			break;
		case 'r':
			seed = strtoull(optarg, &e, 10);
			bad = *optarg == '\0' || *e != '\0';
			break;
		case 'o':
			path = optarg;
			break;
		default:
			bad = 1;
		}
		if (bad)
			goto usage;
	}
	ncalls = argc - optind;
	if (port < 0 || stops < 0 || path == NULL || ncalls < 1 || ncalls > CALLS_MAX ||
	    stops < ncalls)
		goto usage;
	rng = seed;
	if ((out = fopen(path, "w")) == NULL) {
		fprintf(stderr, "bench-media: %s: %s\n", path, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < ncalls; i++) {
		struct call *c = &calls[i];
		const char *id = argv[optind + i];
		if (strlen(id) > CALL_ID_MAX ||
		    strspn(id, "0123456789abcdefABCDEF") != strlen(id)) {
			fprintf(stderr, "bench-media: not a phoneCallId: %s\n", id);
			goto close;
		}
		strcpy(c->id, id);
		c->stops_left = stops / ncalls + (i < stops % ncalls);
		c->action = START;
		/* the calls begin apart, not in step */
		c->due = mono_ns() + gap_ns() / 2;
		if ((c->fd = bh_dial(port)) < 0) {
			fprintf(stderr, "bench-media: cannot connect to 127.0.0.1:%d\n", port);
			goto close;
		}
	}
	if (drive() != 0) {
		fprintf(stderr, "bench-media: poll: %s\n", strerror(errno));
		goto close;
	}
	printf("%d calls, %d stops, gaps %d-%d ms: %d PUTs, %d answered 202, %d sent again, "
	       "%d calls given up\n",
	       ncalls, stops, gap_min, gap_max, n_puts, n_202, n_failed, n_given_up);
	rc = n_failed ? 1 : 0;
close:
	for (int i = 0; i < ncalls; i++)
		if (calls[i].fd > 0)
			close(calls[i].fd);
	if (fclose(out) != 0)
		rc = 1;
	return rc;
usage:
	fprintf(stderr, "usage: bench-media drive -p PORT -s STOPS [-g MIN_MS-MAX_MS] [-r SEED] "
	                "-o FILE CALL...\n");
	return 2;
}

/* The Call-ID of rtpengine's capture name (GLib's URI escape undone) into id, or -1
 * when the name is not "<escaped Call-ID>-<16 hex digits>.pcap". */
static int capture_call(const char *name, char *id, size_t cap)
{
	size_t nl = strlen(name), k = 0, end;

	if (nl < NAME_TAG + 7 || strcmp(name + nl - 5, ".pcap") != 0 ||
	    name[nl - 5 - NAME_TAG - 1] != '-')
		return -1;
	end = nl - 5 - NAME_TAG - 1;
	for (size_t i = 0; i < end; i++) {
		unsigned int b;
		if (k + 1 >= cap)
			return -1;
		if (name[i] == '%' && i + 2 < end && sscanf(name + i + 1, "%2x", &b) == 1) {
			id[k++] = (char)b;
			i += 2;
		} else {
			id[k++] = name[i];
		}
	}
	id[k] = '\0';
	return k > 0 ? 0 : -1;
}

/* One capture's line; -1 when it cannot be read. */
static int capture_line(const char *spool, const char *name)
{
	char path[PATH_MAX], meta[PATH_MAX], id[SIP_ID_MAX + 1];
	struct pcap_iter it;
	struct pcap_rec r;
	const uint8_t *data;
	uint8_t *buf = NULL;
	struct stat st;
	int64_t first = 0, last = 0;
	long packets = 0;
	int fd = -1, rc = -1, k;
	size_t got = 0;

	if (capture_call(name, id, sizeof(id)) != 0)
		return 0; /* not a capture of a call */
	snprintf(path, sizeof(path), "%s/pcaps/%s", spool, name);
	snprintf(meta, sizeof(meta), "%s/metadata/rtpengine-meta-%.*s.txt", spool,
	         (int)(strlen(name) - 5), name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0 ||
	    st.st_size > CAPTURE_MAX || (buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto err;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* a capture being written may be shorter than it was */
		got += (size_t)n;
	}
	if (pcap_iter_open(&it, buf, got) != PCAP_OK)
		goto err;
	/* a record cut short at the end is one rtpengine is writing: what precedes counts */
	while ((k = pcap_iter_next(&it, &r, &data)) == 1) {
		struct pcap_udp u;
		struct pcap_rtp p;
		if (pcap_packet(&it.file, data, r.caplen, &u) != PCAP_UDP ||
		    pcap_rtp_parse(u.payload, u.len, &p) != PCAP_RTP)
			continue;
		if (packets++ == 0)
			first = r.time_us;
		last = r.time_us;
	}
	printf("%s\t%lld\t%lld\t%ld\t%d\t%s\n", id, (long long)first, (long long)last, packets,
	       access(meta, F_OK) == 0, name);
	rc = 0;
err:
	if (rc != 0)
		fprintf(stderr, "bench-media: cannot read the capture %s\n", path);
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static int pcaps_main(int argc, char **argv)
{
	char dir[PATH_MAX];
	struct dirent *d;
	DIR *dp;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-media pcaps SPOOL\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/pcaps", argv[1]);
	if ((dp = opendir(dir)) == NULL) {
		fprintf(stderr, "bench-media: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((d = readdir(dp)) != NULL)
		if (capture_line(argv[1], d->d_name) != 0)
			rc = 1;
	closedir(dp);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "drive") == 0)
		return drive_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "pcaps") == 0)
		return pcaps_main(argc - 1, argv + 1);
	fprintf(stderr, "usage: bench-media drive|pcaps ...\n");
	return 2;
}
