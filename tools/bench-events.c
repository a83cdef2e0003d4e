/*
 * bench-events.c - how long a committed change takes to reach a waiting consumer of the
 * event stream. It starts the consumer (build/pc-events), sends StopRecording and
 * StartRecording PUTs through nginx on calls of bench/data.sql, and for each measures,
 * on one clock (CLOCK_MONOTONIC) in this one process, from the moment its 202 arrives to
 * the moment the consumer's line carrying its request id (the 202's X-Request-Id)
 * arrives. tools/bench-events runs it. It links libc alone: between a read and its clock
 * reading there is no library's work.
 *
 *   bench-events [options] -- CONSUMER [ARG...]
 *
 *   -p PORT    nginx's port on 127.0.0.1 (required)
 *   -k K       the calls of data set K (0)
 *   -n FIRST   the first call number (1..200,000) of this run (1): PUT i goes to call
 *              FIRST + i, so consecutive PUTs go to consecutive users and organizations,
 *              and no call gets two; even PUTs stop view 1 (recorded), odd ones start
 *              view 2 (not recorded), so every PUT is a state change with its event
 *   -r RATE    PUTs per second, steady (200), for -d SECS (30)
 *   -b COUNT   bursts instead: COUNT PUTs due at once, -B BURSTS times (10), -g GAP_MS
 *              apart (1000)
 *   -c CONNS   keep-alive connections (8); a PUT goes out when it is due and one of them
 *              is free (a later one is counted late)
 *   -w SECS    warm-up at the steady rate first, not measured (2)
 *   -t FILE    read the consumer's lines from FILE, which it appends to (-o FILE), woken
 *              by inotify; without it, from the consumer's standard output (a pipe)
 *   -l FILE    write each measured PUT there, one a line: its delay from 202 to line
 *              and its time from sent to 202 (microseconds)
 *   -W SECS    wait this long for the last lines (15: three times the consumer's poll)
 *
 * Before the warm-up one PUT is sent and its line awaited (the consumer is connected and
 * listening). After the last line, or -W, the consumer is stopped (SIGTERM) and read to
 * its end, so each PUT's line is counted exactly: every PUT must be answered 202 and
 * have exactly one line, and no line may carry an id no PUT got. Figures go to standard
 * output, with a last line "result key=value ..." for the script. Exit 0 when every
 * check held, 1 when one did not, 2 on bad usage.
 */
#define _GNU_SOURCE /* ppoll (a timeout in nanoseconds), pipe2 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-http.h"

#define CALLS 200000         /* calls per data set (bench/data.sql) */
#define USERS 1000           /* users per data set */
#define EXTS 10000           /* extensions per data set */
#define SET_STRIDE 1000000LL /* what data set K adds to every number */
#define CONNS_MAX 256        /* connections */
#define PUTS_MAX 200000      /* PUTs in one run: each its own call */
#define RESP_MAX 8192        /* longest answer (head and body) */
#define REQ_MAX 1024         /* longest request */
#define ID_MAX 64            /* longest request id (schema: recording_event) */
#define LINE_MAX_ 8192       /* longest consumer line */
#define READ_CHUNK 65536     /* consumer output read at a time */
#define READY_TIMEOUT_S 30   /* for the consumer's first line */
#define LATE_NS 1000000LL    /* a PUT sent this much past its due time is late */
#define STOP_TIMEOUT_S 10    /* for the consumer to stop after SIGTERM */
#define TICK_NS 100000000LL  /* the longest wait with nothing due */
#define NS 1000000000LL

enum { MODE_STEADY, MODE_BURST };

struct put {
	int64_t due, sent, reply, line; /* ns on CLOCK_MONOTONIC; 0: not yet */
	int status, warm, lines;
};

struct conn {
	int fd, put; /* put in flight, or -1 */
	size_t len;
	char buf[RESP_MAX];
};

/* Request id -> PUT, open addressing; a line may come before its 202. */
struct slot {
	char id[ID_MAX + 1];
	int put;   /* -1: no 202 carried this id (yet) */
	int lines; /* lines seen before the 202 */
	int64_t line;
};

static struct put reqs[PUTS_MAX + 1];
static struct conn conns[CONNS_MAX];
static struct slot *slots;
static size_t nslots;
static int64_t delays[PUTS_MAX + 1], put_times[PUTS_MAX + 1];
static int port = -1, dataset, first = 1, rate = 200, secs = 30, burst, bursts = 10, gap_ms = 1000,
           nconns = 8, warm_s = 2, wait_s = 15;
static const char *tail_path, *delays_path;
/* Progress: PUTs answered (or lost), answered 202, and of those, with a line. */
static int n_answered, n_202, n_lined;
static int64_t last_reply;

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * NS + t.tv_nsec;
}

static struct slot *slot_of(const char *id, size_t len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)id[i]) * 1099511628211ULL;
	for (i = h % nslots;; i = (i + 1) % nslots) {
		struct slot *s = &slots[i];
		if (s->id[0] == '\0') {
			memcpy(s->id, id, len);
			s->id[len] = '\0';
			s->put = -1;
			return s;
		}
		if (strlen(s->id) == len && memcmp(s->id, id, len) == 0)
			return s;
	}
}

/* The request of PUT i (call FIRST + i of the data set). Its length, or -1. */
static int request(int i, char *buf, size_t cap)
{
	static const char *const bodies[2] = {
	    "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"1\"}",
	    "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"2\",\"format\":\"wav\"}"};
	long long off = dataset * SET_STRIDE, n = first + i;
	long long u = (n - 1) % USERS + 1, e = (n - 1) % EXTS + 1;
	const char *body = bodies[i % 2];
	int len = snprintf(buf, cap,
	                   "PUT /uapi/phoneCalls/%lld/%lld/%lld HTTP/1.1\r\n"
	                   "Host: 127.0.0.1:%d\r\n"
	                   "Authorization: Bearer bench-user-%lld-token\r\n"
	                   "Content-Type: application/json\r\n"
	                   "Content-Length: %zu\r\n\r\n%s",
	                   100000 + off + u, 700000 + off + e, 1000000 + off + n, port, off + u,
	                   strlen(body), body);
	return len > 0 && (size_t)len < cap ? len : -1;
}

/* The answer in conn c's buffer (its head hlen bytes) arrived whole at t. 0, or -1 when
 * the connection is to be closed. */
static int answered(struct conn *c, size_t hlen, int64_t t)
{
	struct put *q = &reqs[c->put];
	const char *v;
	size_t vl;
	int keep = 1;

	q->reply = t;
	last_reply = t;
	n_answered++;
	if (sscanf(c->buf, "HTTP/1.%*1[01] %3d", &q->status) != 1)
		q->status = 0;
	if ((v = bh_header(c->buf, hlen, "Connection", &vl)) != NULL && vl == 5 &&
	    strncasecmp(v, "close", 5) == 0)
		keep = 0;
	if ((v = bh_header(c->buf, hlen, "X-Request-Id", &vl)) != NULL && vl > 0 && vl <= ID_MAX) {
		struct slot *s = slot_of(v, vl);
		s->put = c->put;
		q->lines = s->lines;
		q->line = s->line;
	} else if (q->status == 202) {
		q->status = -202; /* a 202 without an id cannot be matched */
	}
	if (q->status == 202) {
		n_202++;
		n_lined += q->lines > 0;
	}
	c->put = -1;
	return keep ? 0 : -1;
}

/* Reads what conn c has. 0, or -1 when the connection was closed, by nginx or after a
 * broken answer: it is dialled again, and a PUT in flight on it is lost (status 0). */
static int conn_read(struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
		int64_t t = now_ns();
		size_t hlen;
		long whole;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			goto redial;
		if (c->put < 0)
			goto redial; /* nothing was asked */
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		whole = bh_framed(c->buf, c->len, &hlen);
		if (whole < 0 || (whole == 0 && c->len == sizeof(c->buf) - 1))
			goto redial;
		if (whole > 0) {
			int keep = answered(c, hlen, t) == 0;
			c->len = 0; /* one request at a time: nothing follows */
			if (!keep)
				goto redial;
			return 0;
		}
	}
redial:
	close(c->fd);
	if (c->put >= 0) {
		reqs[c->put].reply = last_reply = now_ns(); /* lost: status 0 */
		n_answered++;
	}
	c->put = -1;
	c->len = 0;
	c->fd = bh_dial(port);
	return -1;
}

/* One line of the consumer, read at t: the PUT its requestId names. */
static void line_seen(const char *p, size_t len, int64_t t)
{
	static const char key[] = "\"requestId\":\"";
	const char *v = NULL, *e;
	struct slot *s;

	for (size_t i = 0; i + sizeof(key) - 1 <= len; i++)
		if (memcmp(p + i, key, sizeof(key) - 1) == 0) {
			v = p + i + sizeof(key) - 1;
			break;
		}
	if (v == NULL)
		v = e = "?"; /* no request id: counted as a line of no PUT */
	else
		for (e = v; e < p + len && *e != '"'; e++)
			;
	if (e == v || e - v > ID_MAX)
		v = e = "?";
	s = slot_of(v, e == v ? 1 : (size_t)(e - v));
	if (s->put >= 0) {
		if (reqs[s->put].lines++ == 0) {
			reqs[s->put].line = t;
			n_lined += reqs[s->put].status == 202;
		}
	} else if (s->lines++ == 0) {
		s->line = t;
	}
}

/* The consumer's output: the descriptor read, and the line not yet ended. */
static int out_fd = -1, inot_fd = -1;
static char pending[LINE_MAX_];
static size_t pending_len;

/* Reads the consumer's output to its current end. 0 at the end, 1 at end of file of a
 * pipe (the consumer closed it), -1 on an error. */
static int out_read(void)
{
	static char buf[READ_CHUNK];

	if (inot_fd >= 0) {
		char ev[4096];
		while (read(inot_fd, ev, sizeof(ev)) > 0)
			; /* only a wake-up */
	}
	for (;;) {
		ssize_t n = read(out_fd, buf, sizeof(buf));
		int64_t t = now_ns();
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -1;
		if (n == 0)
			return tail_path ? 0 : 1;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				line_seen(pending, pending_len, t);
				pending_len = 0;
			} else if (pending_len < sizeof(pending)) {
				pending[pending_len++] = buf[i];
			}
		}
	}
}

static pid_t consumer_start(char **argv)
{
	int p[2] = {-1, -1};
	pid_t pid;

	if (tail_path != NULL) {
		out_fd = open(tail_path, O_RDONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644);
		inot_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (out_fd < 0 || inot_fd < 0 || lseek(out_fd, 0, SEEK_END) < 0 ||
		    inotify_add_watch(inot_fd, tail_path, IN_MODIFY) < 0)
			return -1;
	} else if (pipe2(p, O_CLOEXEC) != 0) {
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (p[1] >= 0 && dup2(p[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (p[1] >= 0) {
		close(p[1]);
		out_fd = p[0];
		if (pid < 0 || fcntl(out_fd, F_SETFL, O_NONBLOCK) != 0)
			return -1;
	}
	return pid;
}

/* Stops the consumer and reads its output to the end. Its exit status, or -1. */
static int consumer_stop(pid_t pid)
{
	int64_t until = now_ns() + STOP_TIMEOUT_S * NS;
	int st, eof = 0;

	kill(pid, SIGTERM);
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 || now_ns() > until) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		if (!eof)
			eof = out_read() != 0;
		usleep(1000);
	}
	while (out_read() == 0 && tail_path == NULL)
		; /* a pipe: to its end of file */
	if (tail_path != NULL)
		out_read();
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Sends PUT i on conn c. 0 or -1. */
static int conn_send(struct conn *c, int i)
{
	char req[REQ_MAX];
	int len = request(i, req, sizeof(req));
	ssize_t n;

	if (len < 0)
		return -1;
	if (c->fd < 0 && (c->fd = bh_dial(port)) < 0)
		return -1;
	/* a small request into an empty socket buffer goes whole */
	n = send(c->fd, req, (size_t)len, MSG_NOSIGNAL);
	if (n != len) {
		close(c->fd);
		c->fd = bh_dial(port);
		return -1;
	}
	reqs[i].sent = now_ns();
	c->put = i;
	c->len = 0;
	return 0;
}

/* Runs PUTs [from, to) at their due times until every PUT so far has its answer and
 * each 202 its line, or for wait seconds after the last answer. 0, or -1 on a fatal
 * error. */
static int drive(int from, int to, int wait, pid_t pid)
{
	struct pollfd pf[CONNS_MAX + 1];
	int next = from, rr = 0;

	for (;;) {
		int64_t t = now_ns(), timeout_ns;
		int st;

		/* send what is due on free connections, round robin so that each stays warm */
		while (next < to && reqs[next].due <= t) {
			int k, found = -1;
			for (k = 0; k < nconns && found < 0; k++)
				if (conns[(rr + k) % nconns].put < 0)
					found = (rr + k) % nconns;
			if (found < 0)
				break;
			rr = found + 1;
			if (conn_send(&conns[found], next) != 0) {
				fprintf(stderr, "bench-events: cannot send PUT %d\n", next);
				reqs[next].reply = last_reply = now_ns(); /* lost: status 0 */
				n_answered++;
			}
			next++;
		}
		if (next == to && n_answered == to && n_lined == n_202)
			return 0;
		if (next == to && n_answered == to && now_ns() > last_reply + wait * NS)
			return 0; /* the missing lines are counted */
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "bench-events: the consumer exited (%d)\n", st);
			return -1;
		}
		/* the next due time; with none, or every connection busy, an answer or a line
		 * wakes this up, or the tick checks the deadline */
		timeout_ns = next < to && reqs[next].due > t ? reqs[next].due - t : TICK_NS;
		for (int k = 0; k < nconns; k++) {
			pf[k].fd = conns[k].fd;
			pf[k].events = POLLIN;
		}
		pf[nconns].fd = inot_fd >= 0 ? inot_fd : out_fd;
		pf[nconns].events = POLLIN;
		/* poll's milliseconds would send up to 1 ms late: ppoll takes nanoseconds */
		struct timespec ts = {timeout_ns / NS, timeout_ns % NS};
		if (ppoll(pf, (nfds_t)nconns + 1, &ts, NULL) < 0 && errno != EINTR)
			return -1;
		if (pf[nconns].revents & (POLLIN | POLLHUP) && out_read() < 0)
			return -1;
		for (int k = 0; k < nconns; k++)
			if (pf[k].revents & (POLLIN | POLLHUP | POLLERR))
				conn_read(&conns[k]);
	}
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile p of the n sorted values, in ms. */
static double pct(const int64_t *v, int n, double p)
{
	int k = (int)(p / 100.0 * n + 0.999999);

	if (n == 0)
		return 0;
	k = k < 1 ? 1 : k > n ? n : k;
	return (double)v[k - 1] / 1e6;
}

static int number(const char *s, int lo, int hi, int *out)
{
	char *e;
	long v = strtol(s, &e, 10);

	if (*s == '\0' || *e != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	int opt, mode = MODE_STEADY, nwarm, total, rc = 1, n = 0, nput = 0;
	long long all;
	int not202 = 0, missing = 0, dup = 0, stray = 0, before = 0, late = 0, events = 0;
	int64_t t0, late_max = 0;
	pid_t pid = -1;
	FILE *df = NULL;

	while ((opt = getopt(argc, argv, "p:k:n:r:d:b:B:g:c:w:t:l:W:")) != -1) {
		int bad = 0;
		switch (opt) {
		case 'p':
			bad = number(optarg, 1, 65535, &port);
			break;
		case 'k':
			bad = number(optarg, 0, 8, &dataset);
			break;
		case 'n':
			bad = number(optarg, 1, CALLS, &first);
			break;
		case 'r':
			bad = number(optarg, 1, 100000, &rate);
			break;
		case 'd':
			bad = number(optarg, 1, 3600, &secs);
			break;
		case 'b':
			bad = number(optarg, 1, PUTS_MAX, &burst);
			mode = MODE_BURST;
			break;
		case 'B':
			bad = number(optarg, 1, PUTS_MAX, &bursts);
			break;
		case 'g':
			bad = number(optarg, 0, 600000, &gap_ms);
			break;
		case 'c':
			bad = number(optarg, 1, CONNS_MAX, &nconns);
			break;
		case 'w':
			bad = number(optarg, 0, 3600, &warm_s);
			break;
		case 't':
			tail_path = optarg;
			break;
		case 'l':
			delays_path = optarg;
			break;
		case 'W':
			bad = number(optarg, 1, 3600, &wait_s);
			break;
		default:
			bad = 1;
		}
		if (bad)
			goto usage;
	}
	if (port < 0 || optind >= argc)
		goto usage;
	/* the first: the consumer is ready */
	all = 1 + (long long)rate * warm_s +
	      (mode == MODE_STEADY ? (long long)rate * secs : (long long)burst * bursts);
	if (all > PUTS_MAX || first + all - 1 > CALLS) {
		fprintf(stderr, "bench-events: %lld PUTs from call %d pass the %d calls\n", all,
		        first, CALLS);
		return 2;
	}
	nwarm = 1 + rate * warm_s;
	total = (int)all;
	nslots = 4 * (size_t)total + 64; /* ids of the PUTs and of stray lines */
	slots = calloc(nslots, sizeof(*slots));
	if (slots == NULL)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	for (int k = 0; k < nconns; k++) {
		conns[k].put = -1;
		if ((conns[k].fd = bh_dial(port)) < 0) {
			fprintf(stderr, "bench-events: cannot connect to 127.0.0.1:%d\n", port);
			goto out;
		}
	}
	if ((pid = consumer_start(argv + optind)) < 0) {
		fprintf(stderr, "bench-events: cannot start %s: %s\n", argv[optind],
		        strerror(errno));
		goto out;
	}

	/* the first PUT, alone: its line says the consumer is listening */
	reqs[0].warm = 1;
	if (drive(0, 1, READY_TIMEOUT_S, pid) != 0 || reqs[0].lines == 0) {
		fprintf(stderr, "bench-events: no line from the consumer for the first PUT\n");
		goto stop;
	}
	t0 = now_ns();
	for (int i = 1; i < total; i++) {
		int m = i - nwarm; /* index among the measured */
		reqs[i].warm = m < 0;
		if (m < 0)
			reqs[i].due = t0 + (int64_t)(i - 1) * NS / rate;
		else if (mode == MODE_STEADY)
			reqs[i].due = t0 + (int64_t)warm_s * NS + (int64_t)m * NS / rate;
		else
			reqs[i].due =
			    t0 + (int64_t)warm_s * NS + (int64_t)(m / burst) * gap_ms * 1000000LL;
	}
	if (drive(1, total, wait_s, pid) != 0)
		goto stop;
	rc = 0;
stop:
	if (consumer_stop(pid) != 0) {
		fprintf(stderr, "bench-events: the consumer did not stop cleanly\n");
		rc = 1;
	}
	if (rc != 0)
		goto out;

	for (int i = 0; i < total; i++) {
		struct put *q = &reqs[i];
		nput++;
		if (q->status != 202) {
			not202++;
			continue;
		}
		events += q->lines;
		missing += q->lines == 0;
		dup += q->lines > 1;
		if (q->warm || q->lines == 0)
			continue;
		if (q->sent - q->due > LATE_NS)
			late++;
		if (q->sent - q->due > late_max)
			late_max = q->sent - q->due;
		before += q->line < q->reply;
		put_times[n] = q->reply - q->sent;
		delays[n++] = q->line - q->reply;
	}
	for (size_t i = 0; i < nslots; i++)
		if (slots[i].id[0] != '\0' && slots[i].put < 0)
			stray += slots[i].lines;
	if (delays_path != NULL) {
		if ((df = fopen(delays_path, "w")) == NULL) {
			fprintf(stderr, "bench-events: %s: %s\n", delays_path, strerror(errno));
			rc = 1;
			goto out;
		}
		for (int i = 0; i < n; i++)
			fprintf(df, "%lld %lld\n", (long long)(delays[i] / 1000),
			        (long long)(put_times[i] / 1000));
		if (fclose(df) != 0)
			rc = 1;
	}
	qsort(delays, (size_t)n, sizeof(delays[0]), cmp64);
	qsort(put_times, (size_t)n, sizeof(put_times[0]), cmp64);
	if (mode == MODE_STEADY)
		printf("steady, %d PUTs/s for %d s", rate, secs);
	else
		printf("%d bursts of %d PUTs, %d ms apart", bursts, burst, gap_ms);
	printf(", %d connections, after %d s of warm-up; consumer's lines %s\n", nconns, warm_s,
	       tail_path ? "in its file" : "on a pipe");
	printf("  PUTs %d (%d measured), answered other than 202: %d; events %d\n", nput, n, not202,
	       events);
	printf("  202 -> consumer's line, ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f"
	       "  (%d lines before their 202)\n",
	       pct(delays, n, 50), pct(delays, n, 90), pct(delays, n, 99), pct(delays, n, 100),
	       before);
	printf("  PUT sent -> 202, ms: p50 %.3f  p99 %.3f", pct(put_times, n, 50),
	       pct(put_times, n, 99));
	if (mode == MODE_STEADY) /* (a burst is due at once: late by design) */
		printf("; sent late (> 1 ms): %d, at most %.3f ms", late, (double)late_max / 1e6);
	printf("\n");
	printf("  exactly once: missing %d, duplicated %d, lines of no PUT %d\n", missing, dup,
	       stray);
	printf("result puts=%d measured=%d not202=%d events=%d missing=%d duplicated=%d stray=%d "
	       "p50=%.3f p90=%.3f p99=%.3f max=%.3f before202=%d late=%d put_p50=%.3f "
	       "put_p99=%.3f\n",
	       nput, n, not202, events, missing, dup, stray, pct(delays, n, 50), pct(delays, n, 90),
	       pct(delays, n, 99), pct(delays, n, 100), before, late, pct(put_times, n, 50),
	       pct(put_times, n, 99));
	if (not202 || missing || dup || stray)
		rc = 1;
out:
	for (int k = 0; k < nconns; k++)
		if (conns[k].fd > 0)
			close(conns[k].fd);
	free(slots);
	return rc;
usage:
	fprintf(stderr, "usage: bench-events -p PORT [-k K] [-n FIRST] [-r RATE] [-d SECS] "
	                "[-b COUNT [-B BURSTS] [-g GAP_MS]] [-c CONNS] [-w SECS] [-t FILE] "
	                "[-l FILE] [-W SECS] -- CONSUMER [ARG...]\n");
	return 2;
}
