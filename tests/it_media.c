/*
 * it_media.c - StopRecording and StartRecording proven in the audio, on the real media
 * plane (tools/media: kamailio, rtpengine, the adapter pc-media). SIP agents (build/pc-ua)
 * call through the proxy while the tests stop and start the recording through nginx.
 * Then each view's WAV must carry the caller's own tone in every second it recorded and
 * silence where it was stopped; its sidecar the sequence numbers the stop skipped and no
 * more packets captured outside its intervals than the adapter's delay explains; the
 * engine's log one capture toggle per change of the events' capture flag; media_outcome
 * one applied outcome per event. Also with the adapter killed, the engine restarted, and
 * a second adapter under the same consumer name.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "it_util.h"

/* The caller's default signal (sip/ua.c): from its first RTP packet, second k is a sine
 * of SIG_BASE_HZ + SIG_STEP_HZ * (k % SIG_STEPS) Hz at SIG_AMPLITUDE. */
#define SIG_BASE_HZ 300
#define SIG_STEP_HZ 50
#define SIG_STEPS 60
#define SIG_AMPLITUDE 8000.0
#define RATE 8000         /* the WAVs' samples a second */
#define WAV_HEADER 44     /* rec.c's: RIFF, fmt, data */
#define US 1000000LL      /* microseconds a second */
#define PACKET_US 20000LL /* one RTP packet (PCMU, 20 ms) */
#define PI 3.14159265358979323846

/* What the audio must show. A second of the signal is read without its first and last
 * WINDOW_EDGE_US (the tone changes there), and judged only when that lies SPAN_EDGE_US
 * inside a recorded or a stopped span (a packet's 20 ms, the engine's delay). */
#define WINDOW_EDGE_US 50000LL
#define SPAN_EDGE_US 100000LL
#define TONE_MIN_AMP (SIG_AMPLITUDE / 2) /* a recorded second: its own tone this strong */
#define TONE_RATIO 10.0  /* ... and 10 times (20 dB) the strongest other tone of the signal */
#define QUIET_RMS 50.0   /* a stopped second: RMS below this */
#define ABSENT_AMP 200.0 /* a second missing from a view's file: its tone over the whole file */
#define SEQ_SLACK 2      /* packets: the sequence numbers a stop skipped, against the clock */
#define OUTSIDE_SLACK 2  /* packets a direction: captured outside the intervals, past the lag */
#define ENGINE_LOG_SLACK_US 1000LL /* the engine's log line and the database's clock */

#define WAIT_ANSWER_MS 5000   /* for a call to be answered */
#define WAIT_APPLIED_MS 10000 /* for the adapter to apply events and make files */
#define WAIT_STALE_MS 6000    /* for the heartbeat to go stale (2 s) or fresh again */
#define WAIT_EXIT_MS 5000     /* for an agent to exit after its signal or its call */
#define WAIT_GONE_MS 3000     /* for the pcaps of a call to go */
#define WAIT_START_MS 5000    /* for an agent or an adapter to be ready */
#define WAIT_KILL_MS 3000     /* for a process killed with -9 to be gone */
#define NO_PCAP_POLL_MS 50    /* how often a call without recording is looked for in the spool */
#define POLL_MS 50            /* between two looks at the database, health, the spool */
#define SETTLE_MS 300         /* for what must not happen to have had its chance */
#define POLL_FAST_MS 20       /* between two looks at an agent's output or a process */
#define WAIT_BYE_MS 2000      /* the clean-up: for a call's BYE to end it, before it ends it */

#define AGENTS_MAX 8
#define CALLS_MAX 8
#define EVENTS_MAX 64
#define SIDE_IV_MAX 32
#define SIDE_STREAMS_MAX 4
#define SIDE_RUNS_MAX 32
#define TOGGLES_MAX 64
#define SPANS_MAX 16 /* recorded or stopped spans of a view */
#define PATH_MAX_ 512
#define ID_MAX_ 128
#define LINE_MAX_ 4096
#define NUM_MAX 32
#define NG_WAIT_MS 2000     /* for rtpengine's answer on its control port */
#define NG_ANSWER_MAX 65536 /* its longest answer (a UDP datagram) */

/* The number that no extension has: the "external" agent answers it. */
#define EXTERNAL_NUMBER "5550100"
#define USER 12 /* 0003*210, 0003*211 and 0003*212 are user 12's */
#define ADAPTER_USER "phonecalls-media"

#define START_BODY(v)                                                                              \
	"{\"action\":\"StartRecording\",\"phoneCallViewId\":\"" v "\",\"format\":\"wav\"}"
#define STOP_BODY(v) "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"" v "\"}"

/* SQL: a timestamptz as Unix microseconds, rounded as pc_media_intervals does. */
#define SQL_US(x) "(extract(epoch FROM " x ") * 1000000)::bigint"

/* Processes and calls */

/* A child process: a SIP agent or an adapter, its output in files. */
struct agent {
	pid_t pid;
	int status;
	char out[PATH_MAX_], err[PATH_MAX_];
};

static pid_t agent_pids[AGENTS_MAX];        /* stopped by the clean-up if still running */
static char calls_made[CALLS_MAX][ID_MAX_]; /* ended by the clean-up if still live */
static size_t ncalls_made;

static long long wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * US + ts.tv_nsec / 1000;
}

static void sleep_until(long long t)
{
	for (long long d; (d = t - wall_us()) > 0;)
		it_nap(d > POLL_MS * 1000 ? POLL_MS : (int)(d / 1000) + 1);
}

/* A directory of the test's own files under the state directory. */
static const char *work_dir(void)
{
	static char dir[PATH_MAX_];

	snprintf(dir, sizeof(dir), "%s/it-media", it_env("PC_VAR"));
	mkdir(dir, 0755);
	return dir;
}

/*
 * Starts bin with args (NULL-terminated, without argv[0]); its output in files named
 * after name. envs ("K=V", NULL-terminated, may be NULL) are added; user (may be NULL)
 * is the user it runs as when the tests run as root. It dies with the test's process.
 */
static void agent_spawn(struct agent *a, const char *name, const char *bin, const char *const *args,
                        const char *const *envs, const char *user)
{
	static int seq;
	const char *argv[32];
	size_t n = 0;
	pid_t parent = getpid();
	int slot = -1;

	memset(a, 0, sizeof(*a));
	snprintf(a->out, sizeof(a->out), "%.400s/%.32s-%d-%d.out", work_dir(), name, (int)parent,
	         seq);
	snprintf(a->err, sizeof(a->err), "%.400s/%.32s-%d-%d.err", work_dir(), name, (int)parent,
	         seq++);
	argv[n++] = bin;
	while (args[n - 1] != NULL && n < 31) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	for (int i = 0; i < AGENTS_MAX && slot < 0; i++)
		if (agent_pids[i] == 0)
			slot = i;
	cr_assert(slot >= 0, "more than %d processes", AGENTS_MAX);
	a->pid = fork();
	cr_assert(a->pid >= 0, "fork failed");
	if (a->pid == 0) {
		int out = open(a->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(a->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int in = open("/dev/null", O_RDONLY);
		struct passwd *pw = user && getuid() == 0 ? getpwnam(user) : NULL;
		if (out < 0 || err < 0 || in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(127);
		for (size_t i = 0; envs && envs[i]; i++)
			putenv((char *)envs[i]);
		if (pw && (initgroups(user, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
		           setuid(pw->pw_uid) != 0))
			_exit(126);
		/* after the change of user, which clears it: never left running by a test */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(125);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	agent_pids[slot] = a->pid;
}

/* Whether a has exited, waiting up to ms. */
static int agent_exited(struct agent *a, int ms)
{
	double t0 = it_now();

	if (a->pid <= 0)
		return 1;
	for (;;) {
		pid_t r = waitpid(a->pid, &a->status, WNOHANG);
		if (r == a->pid || (r < 0 && errno == ECHILD)) {
			for (int i = 0; i < AGENTS_MAX; i++)
				if (agent_pids[i] == a->pid)
					agent_pids[i] = 0;
			a->pid = 0;
			return 1;
		}
		if ((it_now() - t0) * 1000 >= ms)
			return 0;
		it_nap(POLL_FAST_MS);
	}
}

/* Signals a and waits for it up to ms, then kills it. */
static void agent_stop(struct agent *a, int sig, int ms)
{
	if (a->pid <= 0)
		return;
	kill(a->pid, sig);
	if (!agent_exited(a, ms)) {
		kill(a->pid, SIGKILL);
		agent_exited(a, WAIT_KILL_MS);
	}
}

/* The first line of a's output with event (and sip, when not NULL), waiting up to ms;
 * malloc'd, NULL when none came. */
static char *agent_line(const struct agent *a, const char *event, const char *sip, int ms)
{
	char ev[64], id[ID_MAX_ + 16];
	double t0 = it_now();

	snprintf(ev, sizeof(ev), "\"event\":\"%s\"", event);
	snprintf(id, sizeof(id), "\"sipCallId\":\"%s\"", sip ? sip : "");
	for (;;) {
		char *text = it_read_file(a->out, NULL), *line, *save = NULL;
		for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (strstr(line, ev) && (sip == NULL || strstr(line, id))) {
				char *copy = strdup(line);
				free(text);
				return copy;
			}
		}
		free(text);
		if ((it_now() - t0) * 1000 >= ms)
			return NULL;
		it_nap(POLL_FAST_MS);
	}
}

/* An agent's JSON line, parsed (yajl_tree_free it). */
static yajl_val line_json(const char *line)
{
	char err[128];
	yajl_val v = yajl_tree_parse(line, err, sizeof(err));

	cr_assert(v != NULL && YAJL_IS_OBJECT(v), "not a JSON object (%s): %s", err, line);
	return v;
}

/* The agent on $PC_SIP_EXTERNAL, once its port is bound. */
static void external_start(struct agent *a)
{
	const char *addr = it_env("PC_SIP_EXTERNAL");
	const char *args[] = {"answer", "--listen", addr, NULL};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const char *colon = strrchr(addr, ':');
	int bound = 0;

	cr_assert(colon != NULL, "PC_SIP_EXTERNAL: %s", addr);
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	agent_spawn(a, "external", it_env("PC_UA"), args, NULL, NULL);
	/* bound when another socket cannot bind its port */
	for (double t0 = it_now(); !bound && it_now() - t0 < WAIT_START_MS / 1e3;
	     it_nap(POLL_FAST_MS)) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		bound = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
		        errno == EADDRINUSE;
		if (fd >= 0)
			close(fd);
	}
	cr_assert(bound, "the external agent does not listen on %s", addr);
}

/* An agent registered as number at a free port of its own. */
static void registered_start(struct agent *a, const char *number)
{
	char cmd[PATH_MAX_], port[NUM_MAX] = "", listen[64], proxy[64];
	const char *args[] = {"answer", "--listen", listen, "--register",
	                      number,   "--proxy",  proxy,  NULL};
	FILE *p;
	char *line;

	snprintf(cmd, sizeof(cmd), "%s/tools/freeport", it_env("PC_TOP"));
	p = popen(cmd, "r");
	cr_assert(p != NULL && fgets(port, sizeof(port), p) != NULL, "tools/freeport failed");
	pclose(p);
	port[strcspn(port, "\n")] = '\0';
	snprintf(listen, sizeof(listen), "127.0.0.1:%s", port);
	snprintf(proxy, sizeof(proxy), "127.0.0.1:%s", it_env("PC_SIP_PORT"));
	agent_spawn(a, "registered", it_env("PC_UA"), args, NULL, NULL);
	line = agent_line(a, "registered", NULL, WAIT_START_MS);
	cr_assert(line != NULL, "the agent of %s did not register", number);
	free(line);
}

/* A call placed by a caller agent, as the API knows it. */
struct call {
	struct agent ua;
	char sip[ID_MAX_], id[ID_MAX_], ext[NUM_MAX], path[PATH_MAX_];
	long long rtp_start, rtp_end; /* the caller's signal, Unix µs */
	long long sent, first_seq;    /* from its "ended" line */
	int seconds;
};

/* from calls to for seconds; returns once answered, with the call's phoneCallId. */
static void call_start(struct call *c, const char *from, const char *to, int seconds)
{
	char proxy[64], secs[NUM_MAX];
	const char *args[] = {"call", "--proxy", proxy,       "--from", from,
	                      "--to", to,        "--seconds", secs,     NULL};
	yajl_val v;
	char *line, *id, *ext;

	memset(c, 0, sizeof(*c));
	c->seconds = seconds;
	snprintf(proxy, sizeof(proxy), "127.0.0.1:%s", it_env("PC_SIP_PORT"));
	snprintf(secs, sizeof(secs), "%d", seconds);
	agent_spawn(&c->ua, "caller", it_env("PC_UA"), args, NULL, NULL);
	line = agent_line(&c->ua, "answered", NULL, WAIT_ANSWER_MS);
	cr_assert(line != NULL, "%s to %s: not answered", from, to);
	v = line_json(line);
	cr_assert(it_str(v, "sipCallId") != NULL && it_int(v, "rtpStart") > 0, "%s", line);
	snprintf(c->sip, sizeof(c->sip), "%s", it_str(v, "sipCallId"));
	c->rtp_start = it_int(v, "rtpStart");
	c->rtp_end = c->rtp_start + seconds * US;
	yajl_tree_free(v);
	free(line);
	/* the proxy wrote the call before it passed the answer on */
	id = DB_TEXT("SELECT call_id FROM media_call WHERE sip_call_id = $1", c->sip);
	cr_assert(id != NULL);
	snprintf(c->id, sizeof(c->id), "%s", id);
	ext = DB_TEXT("SELECT e.number FROM phone_call c JOIN extension e ON e.id = "
	              "c.extension_id WHERE c.id = $1",
	              id);
	snprintf(c->ext, sizeof(c->ext), "%s", ext);
	snprintf(c->path, sizeof(c->path), P_PREFIX "%d/%s/%s", USER, ext, id);
	free(id);
	free(ext);
	if (ncalls_made < CALLS_MAX)
		snprintf(calls_made[ncalls_made++], ID_MAX_, "%s", c->id);
}

/* Sleeps until s seconds of the caller's signal have gone. */
static void signal_at(const struct call *c, double s)
{
	sleep_until(c->rtp_start + (long long)(s * US));
}

/* Waits until second s of c's signal, or, when that is too soon, until the middle of
 * the second after the next whole `whole` seconds from now (a change made then leaves
 * that many whole seconds since the last). Returns the second it waited for. */
static double signal_after(const struct call *c, double s, double whole)
{
	double now = (double)(wall_us() - c->rtp_start) / US;
	double soon = (double)(long long)now + 1.0 + whole;

	if (s < soon)
		s = soon;
	signal_at(c, s);
	return s;
}

/* Waits for the caller to hang up (sig 0: at the end of its signal; else sent sig), and
 * reads its "ended" line. */
static void call_end(struct call *c, int sig)
{
	long long left = c->rtp_end - wall_us();
	yajl_val v;
	char *line;

	if (sig)
		kill(c->ua.pid, sig);
	cr_assert(agent_exited(&c->ua, WAIT_EXIT_MS + (sig || left < 0 ? 0 : (int)(left / 1000))),
	          "the caller of %s did not hang up", c->id);
	cr_assert(WIFEXITED(c->ua.status) && WEXITSTATUS(c->ua.status) == 0,
	          "the caller of %s exited with %d", c->id, c->ua.status);
	line = agent_line(&c->ua, "ended", c->sip, 0);
	cr_assert(line != NULL, "the caller of %s printed no ended line", c->id);
	v = line_json(line);
	c->sent = it_int(v, "sent");
	c->first_seq = it_int(v, "firstSeq");
	yajl_tree_free(v);
	free(line);
}

/* What the far end (a) counted of call c, from its "ended" line: received and lost, which
 * must be every packet sent and none. */
static void far_end(const struct agent *a, const struct call *c, long long *received,
                    long long *lost)
{
	char *line = agent_line(a, "ended", c->sip, WAIT_EXIT_MS);
	yajl_val v;

	cr_assert(line != NULL, "the far end printed no ended line for %s", c->sip);
	v = line_json(line);
	*received = it_int(v, "received");
	*lost = it_int(v, "lost");
	yajl_tree_free(v);
	free(line);
	cr_expect(*received == c->sent && *lost == 0,
	          "the far end received %lld of the %lld packets sent, lost %lld", *received,
	          c->sent, *lost);
}

/* Requests */

static void put_ok(const struct call *c, const char *body)
{
	struct http_resp r;

	it_put(&r, TOK_U12, c->path, body);
	it_assert_status(&r, 202, body);
	http_free(&r);
}

/* A PUT that must answer the contract's error; returns the status it answered. */
static int put_error(const struct call *c, const char *body, int status, const char *code)
{
	struct http_resp r;
	int got;

	it_put(&r, TOK_U12, c->path, body);
	it_check_error(&r, status, code, body);
	got = r.status;
	http_free(&r);
	return got;
}

/* What /uapi/health says of the media plane (malloc'd). */
static char *health_media(void)
{
	struct http_resp r;
	yajl_val v;
	char *media;

	it_get(&r, NULL, "/uapi/health");
	it_assert_status(&r, 200, "health");
	v = it_json(&r);
	media = strdup(it_str(v, "media") ? it_str(v, "media") : "(none)");
	yajl_tree_free(v);
	http_free(&r);
	return media;
}

/* Until /uapi/health says want (fails after WAIT_STALE_MS); returns the seconds taken. */
static double wait_media(const char *want)
{
	double t0 = it_now();
	char *got = NULL;

	for (;;) {
		free(got);
		got = health_media();
		if (strcmp(got, want) == 0)
			break;
		cr_assert(it_now() - t0 < WAIT_STALE_MS / 1000.0,
		          "/uapi/health says media \"%s\", not \"%s\"", got, want);
		it_nap(POLL_MS);
	}
	free(got);
	return it_now() - t0;
}

/* The value of phonecalls_media_up in /uapi/metrics, -1 when absent. */
static int metrics_media_up(void)
{
	struct http_resp r;
	const char *p, *end;
	int v = -1;

	it_req(&r, "GET", "/uapi/metrics", "", NULL);
	it_assert_status(&r, 200, "metrics");
	if ((p = strstr(r.body, "\nphonecalls_media_up{")) != NULL && (end = strchr(p, '}')))
		v = atoi(end + 1);
	http_free(&r);
	return v;
}

/* The media plane */

/* A setting of $PC_VAR/media/env (the media plane's), malloc'd. */
static char *media_env(const char *key)
{
	char path[PATH_MAX_], *text, *line, *save = NULL, *v = NULL;
	size_t kl = strlen(key);

	snprintf(path, sizeof(path), "%s/media/env", it_env("PC_VAR"));
	text = it_read_file(path, NULL);
	cr_assert(text != NULL, "no %s: the media plane is not running", path);
	for (line = strtok_r(text, "\n", &save); line && !v; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, key, kl) == 0 && line[kl] == '=')
			v = strdup(line + kl + 1);
	free(text);
	cr_assert(v != NULL, "%s has no %s", path, key);
	return v;
}

/* Runs tools/media cmd on the suite's state directory, its messages in the test's
 * directory (media-tool.log); its exit status. */
static int media_tool(const char *cmd)
{
	char tool[PATH_MAX_], log[PATH_MAX_];
	const char *var = getenv("PC_VAR"), *top = getenv("PC_TOP");
	int st, fd;
	pid_t pid;

	if (!var || !top)
		return 127;
	snprintf(tool, sizeof(tool), "%s/tools/media", top);
	snprintf(log, sizeof(log), "%.400s/media-tool.log", work_dir());
	if ((pid = fork()) < 0)
		return 127;
	if (pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* the cluster's port, for the adapter's connection */
		setenv("PC_PG_PORT", getenv("PGPORT") ? getenv("PGPORT") : "5432", 1);
		execl(tool, tool, cmd, var, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The pid in $PC_VAR/run/<name>.pid when that process runs, else -1. */
static long run_pid(const char *name)
{
	char path[PATH_MAX_], stat[PATH_MAX_], *text, *s;
	long pid = -1;

	snprintf(path, sizeof(path), "%s/run/%s.pid", getenv("PC_VAR") ? getenv("PC_VAR") : "",
	         name);
	if ((text = it_read_file(path, NULL)) == NULL)
		return -1;
	pid = strtol(text, NULL, 10);
	free(text);
	snprintf(stat, sizeof(stat), "/proc/%ld/stat", pid);
	if (pid <= 0 || (s = it_read_file(stat, NULL)) == NULL)
		return -1;
	/* a zombie has exited */
	if (strchr(s, ')') == NULL || strstr(strrchr(s, ')'), ") Z ") != NULL)
		pid = -1;
	free(s);
	return pid;
}

/* kill -9 of the stack's adapter, waited for. */
static void adapter_kill(void)
{
	long pid = run_pid("pc-media");

	cr_assert(pid > 0, "the stack's adapter is not running");
	cr_assert_eq(kill((pid_t)pid, SIGKILL), 0);
	for (double t0 = it_now(); run_pid("pc-media") > 0; it_nap(POLL_FAST_MS))
		cr_assert(it_now() - t0 < WAIT_KILL_MS / 1e3, "the adapter outlived kill -9");
}

static void adapter_start(void)
{
	cr_assert_eq(media_tool("adapter-start"), 0, "tools/media adapter-start failed");
}

/* One request to rtpengine's control port (NG: a cookie, then a bencoded dictionary);
 * the answer NUL-terminated in resp, or "" when none came. */
static void ng_request(const char *body, char *resp, size_t cap)
{
	char req[LINE_MAX_];
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct pollfd pfd = {.events = POLLIN};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	ssize_t n = -1;

	cr_assert(fd >= 0);
	sa.sin_port = htons((uint16_t)atoi(it_env("PC_NG_PORT")));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* a cookie of its own: rtpengine answers a cookie it saw with its cached answer */
	snprintf(req, sizeof(req), "it%d-%lld %s", (int)getpid(), wall_us(), body);
	pfd.fd = fd;
	if (sendto(fd, req, strlen(req), 0, (struct sockaddr *)&sa, sizeof(sa)) > 0 &&
	    poll(&pfd, 1, NG_WAIT_MS) == 1)
		n = recv(fd, resp, cap - 1, 0);
	close(fd);
	resp[n > 0 ? n : 0] = '\0';
}

/* Whether rtpengine carries the call (its "query"): 1 yes, 0 "Unknown call-id", -1 no
 * answer. */
static int engine_has_call(const char *sip)
{
	static char resp[NG_ANSWER_MAX];
	char body[ID_MAX_ + 64];

	snprintf(body, sizeof(body), "d7:call-id%zu:%s7:command5:querye", strlen(sip), sip);
	ng_request(body, resp, sizeof(resp));
	return strstr(resp, "6:result2:ok") ? 1 : strstr(resp, "Unknown call-id") ? 0 : -1;
}

/* How many "start recording" and "stop recording" requests rtpengine received since it
 * started (its "statistics": controlstatistics' totals). */
static void engine_rec_requests(long long *starts, long long *stops)
{
	static char resp[NG_ANSWER_MAX];
	const char *p, *q;

	ng_request("d7:command10:statisticse", resp, sizeof(resp));
	p = strstr(resp, "18:totalstartreccounti");
	q = strstr(resp, "17:totalstopreccounti");
	cr_assert(p && q, "rtpengine's statistics have no recording totals: %.200s", resp);
	*starts = atoll(p + strlen("18:totalstartreccounti"));
	*stops = atoll(q + strlen("17:totalstopreccounti"));
}

/* The Call-ID as rtpengine names its files (GLib's URI escaping). */
static void escape_call(const char *id, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)id; *p && n + 4 <= cap; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
}

/* How many of the engine's pcap files the call has in its spool. */
static int pcaps_of(const char *sip)
{
	char esc[3 * ID_MAX_], dir[PATH_MAX_], *spool = media_env("PC_MEDIA_SPOOL");
	struct dirent *d;
	DIR *dp;
	int n = 0;
	size_t el;

	escape_call(sip, esc, sizeof(esc));
	el = strlen(esc);
	snprintf(dir, sizeof(dir), "%s/pcaps", spool);
	free(spool);
	dp = opendir(dir);
	cr_assert(dp != NULL, "cannot list %s", dir);
	while ((d = readdir(dp)) != NULL)
		if (strncmp(d->d_name, esc, el) == 0 && d->d_name[el] == '-')
			n++;
	closedir(dp);
	return n;
}

/* Until the call's pcaps are gone (the adapter removes them after its last file). */
static void expect_pcaps_gone(const struct call *c)
{
	int n;

	for (double t0 = it_now();
	     (n = pcaps_of(c->sip)) > 0 && it_now() - t0 < WAIT_GONE_MS / 1e3;)
		it_nap(POLL_MS);
	cr_expect_eq(n, 0, "%d pcaps of call %s are left in the spool", n, c->id);
}

/* The engine's capture toggles of a call, from its log ("Turning on/off call recording"). */
struct toggle {
	long long at; /* Unix µs */
	int on;
};

static size_t engine_toggles(const char *sip, struct toggle *t, size_t cap)
{
	char path[PATH_MAX_], tag[ID_MAX_ + 4], *text, *line, *save = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/log/rtpengine.log", it_env("PC_VAR"));
	snprintf(tag, sizeof(tag), "[%s]", sip);
	text = it_read_file(path, NULL);
	cr_assert(text != NULL, "cannot read %s", path);
	for (line = strtok_r(text, "\n", &save); line && n < cap;
	     line = strtok_r(NULL, "\n", &save)) {
		long long s, frac;
		int on = strstr(line, "Turning on call recording") != NULL;
		if (!strstr(line, tag) || (!on && !strstr(line, "Turning off call recording")))
			continue;
		cr_assert(sscanf(line, "[%lld.%6lld]", &s, &frac) == 2, "%s", line);
		t[n++] = (struct toggle){s * US + frac, on};
	}
	free(text);
	return n;
}

/* Events and outcomes */

/* One recording_event of a call with its media_outcome and media_file. */
struct mev {
	long long id, created, started, stopped, sent, applied;
	char view[8], action[8], file[ID_MAX_];
	int capture; /* -1: NULL (not a media call's event) */
	int outcomes, failed, file_row, made;
};

static PGconn *db(void)
{
	static PGconn *kept;

	if (kept == NULL || PQstatus(kept) != CONNECTION_OK) {
		PQfinish(kept);
		kept = PQconnectdb("");
		cr_assert(PQstatus(kept) == CONNECTION_OK, "database: %s", PQerrorMessage(kept));
	}
	return kept;
}

static size_t events_of(const char *call, struct mev *ev)
{
	static const char sql[] =
	    "SELECT e.id, e.view_id, e.action, coalesce(e.capture::int, "
	    "-1), " SQL_US(
	        "e."
	        "created"
	        "_at") ", " SQL_US("e.started_at") ", "
	                                           "coalesce(" SQL_US(
	                                               "e."
	                                               "stoppe"
	                                               "d_at") ", 0), coalesce(" SQL_US("o."
	                                                                                "sent_"
	                                                                                "at") ", "
	                                                                                      "0), "
	                                                                                      "coal"
	                                                                                      "esce"
	                                                                                      "(" SQL_US(
	                                                                                          "o."
	                                                                                          "appl"
	                                                                                          "ied_"
	                                                                                          "at") ", 0), (o.error IS NOT "
	                                                                                                "NULL)::int, "
	                                                                                                "(SELECT count(*) FROM "
	                                                                                                "media_outcome x WHERE "
	                                                                                                "x.event_id = e.id), "
	                                                                                                "coalesce(e.file, ''), "
	                                                                                                "(f.event_id IS NOT "
	                                                                                                "NULL)::int, (f.made_at IS "
	                                                                                                "NOT NULL)::int "
	                                                                                                "FROM recording_event e LEFT "
	                                                                                                "JOIN media_outcome o ON "
	                                                                                                "o.event_id = e.id "
	                                                                                                "LEFT JOIN media_file f ON "
	                                                                                                "f.event_id = e.id WHERE "
	                                                                                                "e.call_id = $1 ORDER BY e.id";
	const char *p[1] = {call};
	PGresult *r = PQexecParams(db(), sql, 1, NULL, p, NULL, NULL, 0);
	size_t n;

	cr_assert(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
	n = (size_t)PQntuples(r);
	cr_assert(n <= EVENTS_MAX);
	for (size_t i = 0; i < n; i++) {
		struct mev *e = &ev[i];
		int k = (int)i;
		e->id = atoll(PQgetvalue(r, k, 0));
		snprintf(e->view, sizeof(e->view), "%s", PQgetvalue(r, k, 1));
		snprintf(e->action, sizeof(e->action), "%s", PQgetvalue(r, k, 2));
		e->capture = atoi(PQgetvalue(r, k, 3));
		e->created = atoll(PQgetvalue(r, k, 4));
		e->started = atoll(PQgetvalue(r, k, 5));
		e->stopped = atoll(PQgetvalue(r, k, 6));
		e->sent = atoll(PQgetvalue(r, k, 7));
		e->applied = atoll(PQgetvalue(r, k, 8));
		e->failed = atoi(PQgetvalue(r, k, 9));
		e->outcomes = atoi(PQgetvalue(r, k, 10));
		snprintf(e->file, sizeof(e->file), "%s", PQgetvalue(r, k, 11));
		e->file_row = atoi(PQgetvalue(r, k, 12));
		e->made = atoi(PQgetvalue(r, k, 13));
	}
	PQclear(r);
	return n;
}

/* Whether every event has its outcome and every end its file settled. */
static int settled(const struct mev *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ev[i].outcomes == 0 || (ev[i].file[0] && !ev[i].made))
			return 0;
	return 1;
}

/* Until the call has want events, each with its outcome, each end with its file made. */
static size_t wait_settled(const char *call, size_t want, struct mev *ev)
{
	size_t n;

	for (double t0 = it_now();; it_nap(POLL_MS)) {
		n = events_of(call, ev);
		if (n >= want && settled(ev, n))
			break;
		cr_assert(it_now() - t0 < WAIT_APPLIED_MS / 1e3,
		          "call %s: %zu events of %zu, not all applied or their files not made "
		          "(see log/pc-media.log)",
		          call, n, want);
	}
	return n;
}

/* Each event exactly one outcome, applied; each end's file made. Returns the largest
 * delay from an event's commit to the engine's confirmation, µs. */
static long long expect_applied_once(const struct mev *ev, size_t n, const char *label)
{
	long long lag = 0;

	for (size_t i = 0; i < n; i++) {
		cr_expect(ev[i].capture >= 0, "%s: event %lld has no capture flag", label,
		          ev[i].id);
		cr_expect_eq(ev[i].outcomes, 1, "%s: event %lld (%s) has %d outcomes", label,
		             ev[i].id, ev[i].action, ev[i].outcomes);
		cr_expect(ev[i].applied > 0 && !ev[i].failed, "%s: event %lld (%s) was not applied",
		          label, ev[i].id, ev[i].action);
		if (ev[i].file[0])
			cr_expect(ev[i].made, "%s: file %s not made", label, ev[i].file);
		if (ev[i].applied - ev[i].created > lag)
			lag = ev[i].applied - ev[i].created;
	}
	return lag;
}

/*
 * The engine's log against the events: one toggle per change of the capture flag, in
 * order (from off, or on from the answer when at_answer), each logged between its
 * event's commit and the adapter's record of the confirmation. Returns the toggles seen.
 */
static size_t expect_toggles(const struct call *c, int at_answer, const struct mev *ev, size_t n)
{
	struct toggle t[TOGGLES_MAX];
	size_t nt = engine_toggles(c->sip, t, TOGGLES_MAX), k = 0;
	int state = 0;

	if (at_answer) {
		cr_expect(nt > 0 && t[0].on, "call %s: the engine did not capture from the answer",
		          c->id);
		state = 1;
		k = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ev[i].action, "end") == 0 || ev[i].capture < 0 || ev[i].capture == state)
			continue;
		state = ev[i].capture;
		cr_expect(k < nt,
		          "call %s: event %lld turned the capture %s, the engine's log has "
		          "no such toggle (%zu toggles)",
		          c->id, ev[i].id, state ? "on" : "off", nt);
		if (k >= nt)
			return nt;
		cr_expect(t[k].on == state, "call %s: toggle %zu is %s, event %lld turned it %s",
		          c->id, k, t[k].on ? "on" : "off", ev[i].id, state ? "on" : "off");
		cr_expect(t[k].at >= ev[i].created - ENGINE_LOG_SLACK_US &&
		              t[k].at <= ev[i].applied + ENGINE_LOG_SLACK_US,
		          "call %s: toggle %zu at %lld, outside event %lld's %lld..%lld", c->id, k,
		          t[k].at, ev[i].id, ev[i].created, ev[i].applied);
		k++;
	}
	cr_expect_eq(nt, k, "call %s: the engine toggled the capture %zu times, the events %zu",
	             c->id, nt, k);
	return nt;
}

/* The engine's recording requests counted from a mark (engine_rec_requests). */
struct requests {
	long long starts, stops;
};

static struct requests requests_mark(void)
{
	struct requests r;

	engine_rec_requests(&r.starts, &r.stops);
	return r;
}

/*
 * The requests the engine received since mark, against the events of the calls: one
 * "start recording" for each event that captures, one "stop recording" for each other
 * (an end's too). exact: no more either (nothing applied twice); else at least as many
 * (an adapter killed before its commit applies again). Returns the requests received.
 */
static struct requests expect_requests(struct requests mark, const struct mev *ev, size_t n,
                                       int exact, const char *label)
{
	struct requests now = requests_mark(), want = {0, 0};

	for (size_t i = 0; i < n; i++)
		*(ev[i].capture == 1 ? &want.starts : &want.stops) += 1;
	now.starts -= mark.starts;
	now.stops -= mark.stops;
	if (exact)
		cr_expect(now.starts == want.starts && now.stops == want.stops,
		          "%s: the engine received %lld starts and %lld stops of recording, the "
		          "events call for %lld and %lld",
		          label, now.starts, now.stops, want.starts, want.stops);
	else
		cr_expect(now.starts >= want.starts && now.stops >= want.stops,
		          "%s: the engine received %lld starts and %lld stops of recording, the "
		          "events call for %lld and %lld at least",
		          label, now.starts, now.stops, want.starts, want.stops);
	return now;
}

/* Spans of wall-clock time (Unix µs) where a view's file must have audio, or none. */
struct span {
	long long from, to;
};

#define SPAN_OPEN_FROM (-(1LL << 60))
#define SPAN_OPEN_TO (1LL << 60)

/*
 * A view's recorded and stopped spans from its events: recorded from a start (its
 * commit when the engine captured the call already, else the engine's confirmation; from
 * before the signal when the view records from the answer) to a stop's commit (the file
 * is cut there); stopped from a stop's commit to the next start. The hang-up cuts nothing
 * (the caller's signal ended just before it): a span the end closes runs past the
 * signal. call_on: the engine captures the call from the answer (a view records always).
 */
static void view_spans(const struct call *c, const struct mev *ev, size_t n, const char *view,
                       int from_answer, int call_on, struct span *rec, size_t *nrec,
                       struct span *quiet, size_t *nquiet)
{
	long long from = from_answer ? c->rtp_start - SPAN_EDGE_US : SPAN_OPEN_FROM;
	int recording = from_answer, capture = call_on;

	*nrec = *nquiet = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mev *e = &ev[i];
		int end = strcmp(e->action, "end") == 0, was = capture;
		long long to = end && e->stopped < c->rtp_end + SPAN_EDGE_US
		                   ? c->rtp_end + SPAN_EDGE_US
		                   : e->stopped;
		if (!end && e->capture >= 0)
			capture = e->capture;
		if (strcmp(e->view, view) != 0)
			continue;
		if (strcmp(e->action, "start") == 0 && !recording) {
			long long on = was ? e->started : e->applied;
			quiet[(*nquiet)++] = (struct span){from, on};
			from = on;
			recording = 1;
		} else if (strcmp(e->action, "stop") == 0 && recording) {
			rec[(*nrec)++] = (struct span){from, to};
			from = e->stopped;
			recording = 0;
		} else if (end) {
			if (recording)
				rec[(*nrec)++] = (struct span){from, to};
			else
				quiet[(*nquiet)++] = (struct span){from, SPAN_OPEN_TO};
			recording = 0;
		}
	}
}

/* A view's WAV and its JSON sidecar */

struct run {
	long first, last;
	long long from, to;
};

struct stream {
	size_t nruns;
	struct run runs[SIDE_RUNS_MAX];
};

struct view_file {
	char wav_path[PATH_MAX_];
	int16_t *pcm;
	size_t n;
	long long origin, samples, outside, mixed;
	size_t npcaps, niv, nstreams, streams; /* streams: in the sidecar, nstreams: kept */
	struct span iv[SIDE_IV_MAX];
	struct stream st[SIDE_STREAMS_MAX];
};

static long long num(yajl_val obj, const char *key)
{
	yajl_val v = it_key(obj, key);

	cr_assert(YAJL_IS_INTEGER(v), "sidecar: %s is not an integer", key);
	return YAJL_GET_INTEGER(v);
}

static yajl_val array(yajl_val obj, const char *key)
{
	yajl_val v = it_key(obj, key);

	cr_assert(YAJL_IS_ARRAY(v), "sidecar: %s is not an array", key);
	return v;
}

static unsigned le(const unsigned char *p, int bytes)
{
	unsigned v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Reads the WAV of file (recordings-relative, as the 'end' event names it) and its
 * sidecar. */
static void view_file_load(const char *file, struct view_file *vf)
{
	char json_path[PATH_MAX_], err[128], *dir = media_env("PC_MEDIA_RECORDINGS");
	unsigned char *w;
	char *js;
	size_t len;
	yajl_val root, a;

	memset(vf, 0, sizeof(*vf));
	snprintf(vf->wav_path, sizeof(vf->wav_path), "%s/%s", dir, file);
	snprintf(json_path, sizeof(json_path), "%.*s.json", (int)strlen(vf->wav_path) - 4,
	         vf->wav_path);
	free(dir);
	w = (unsigned char *)it_read_file(vf->wav_path, &len);
	cr_assert(w != NULL, "no WAV %s", vf->wav_path);
	cr_assert(len >= WAV_HEADER && memcmp(w, "RIFF", 4) == 0 &&
	              memcmp(w + 8, "WAVEfmt ", 8) == 0 && le(w + 20, 2) == 1 &&
	              le(w + 22, 2) == 1 && le(w + 24, 4) == RATE && le(w + 34, 2) == 16 &&
	              memcmp(w + 36, "data", 4) == 0 && le(w + 40, 4) == len - WAV_HEADER,
	          "%s: not a mono 16-bit %d Hz PCM WAV of its size", vf->wav_path, RATE);
	vf->n = (len - WAV_HEADER) / 2;
	vf->pcm = malloc((vf->n ? vf->n : 1) * sizeof(*vf->pcm));
	cr_assert(vf->pcm != NULL);
	for (size_t i = 0; i < vf->n; i++)
		vf->pcm[i] = (int16_t)le(w + WAV_HEADER + 2 * i, 2);
	free(w);

	js = it_read_file(json_path, NULL);
	cr_assert(js != NULL, "no sidecar %s", json_path);
	root = yajl_tree_parse(js, err, sizeof(err));
	free(js);
	cr_assert(root != NULL, "%s is not JSON: %s", json_path, err);
	cr_assert(YAJL_IS_INTEGER(it_key(root, "originUs")),
	          "%s: no origin, the file has no audio (nothing captured in its intervals)",
	          vf->wav_path);
	vf->origin = num(root, "originUs");
	vf->samples = num(root, "samples");
	vf->outside = num(it_key(root, "counts"), "outside");
	vf->mixed = num(it_key(root, "counts"), "mixed");
	vf->npcaps = array(root, "pcaps")->u.array.len;
	a = array(root, "intervals");
	cr_assert(a->u.array.len <= SIDE_IV_MAX);
	for (size_t i = 0; i < a->u.array.len; i++)
		vf->iv[vf->niv++] = (struct span){num(a->u.array.values[i], "from"),
		                                  num(a->u.array.values[i], "to")};
	a = array(root, "streams");
	vf->streams = a->u.array.len;
	for (size_t i = 0; i < a->u.array.len && vf->nstreams < SIDE_STREAMS_MAX; i++) {
		yajl_val runs = array(a->u.array.values[i], "runs");
		struct stream *s = &vf->st[vf->nstreams++];
		for (size_t k = 0; k < runs->u.array.len && s->nruns < SIDE_RUNS_MAX; k++) {
			yajl_val r = runs->u.array.values[k];
			s->runs[s->nruns++] = (struct run){num(r, "firstSeq"), num(r, "lastSeq"),
			                                   num(r, "from"), num(r, "to")};
		}
	}
	yajl_tree_free(root);
	cr_assert_eq(vf->samples, (long long)vf->n, "%s: the sidecar's samples and the WAV's",
	             vf->wav_path);
	/* the caller's and the far end's; a third is another call's packets on this call's
	 * ports (another stack's rtpengine bound the same RTP port) */
	cr_expect_eq(vf->streams, 2, "%s: %zu streams, the call has 2", vf->wav_path, vf->streams);
}

/* The sidecar's intervals are the view's events' [started_at, stopped_at), each once. */
static void expect_intervals(const struct view_file *vf, const struct mev *ev, size_t n,
                             const char *view)
{
	struct span want[SIDE_IV_MAX];
	size_t nw = 0;

	for (size_t i = 0; i < n && nw < SIDE_IV_MAX; i++) {
		int seen = 0;
		if (strcmp(ev[i].view, view) != 0 || strcmp(ev[i].action, "start") == 0)
			continue;
		for (size_t k = 0; k < nw; k++)
			seen |= want[k].from == ev[i].started && want[k].to == ev[i].stopped;
		if (!seen)
			want[nw++] = (struct span){ev[i].started, ev[i].stopped};
	}
	cr_expect_eq(vf->niv, nw, "%s: %zu intervals, the events have %zu", vf->wav_path, vf->niv,
	             nw);
	for (size_t i = 0; i < nw && i < vf->niv; i++)
		cr_expect(vf->iv[i].from == want[i].from && vf->iv[i].to == want[i].to,
		          "%s: interval %zu is %lld..%lld, the events' %lld..%lld", vf->wav_path, i,
		          vf->iv[i].from, vf->iv[i].to, want[i].from, want[i].to);
}

/* Audio */

/* cos(x) for 0 <= x <= pi, by its series (the tests link no libm). */
static double cos_series(double x)
{
	double x2 = x * x, term = 1, sum = 1;

	for (int k = 1; k < 30; k++) {
		term *= -x2 / ((2.0 * k - 1) * (2.0 * k));
		sum += term;
	}
	return sum;
}

static double sqrt_newton(double v)
{
	double x = v > 1 ? v : 1;

	if (v <= 0)
		return 0;
	for (int i = 0; i < 100; i++)
		x = (x + v / x) / 2;
	return x;
}

static double sig_hz(int k)
{
	return SIG_BASE_HZ + SIG_STEP_HZ * (k % SIG_STEPS);
}

/* The amplitude of the hz component of n samples (Goertzel). */
static double tone_amp(const int16_t *x, size_t n, double hz)
{
	double c = 2 * cos_series(2 * PI * hz / RATE), s1 = 0, s2 = 0, p;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	p = s1 * s1 + s2 * s2 - c * s1 * s2;
	return n ? 2 * sqrt_newton(p) / (double)n : 0;
}

static double rms(const int16_t *x, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += (double)x[i] * x[i];
	return n ? sqrt_newton(sum / (double)n) : 0;
}

/* The sample of wall-clock time t, nearest (as rec.c places packets). */
static long long sample_of(long long origin, long long t)
{
	long long d = t - origin;

	return d >= 0 ? (d * RATE + US / 2) / US : -((-d * RATE + US / 2) / US);
}

static int within(const struct span *s, size_t n, long long from, long long to)
{
	for (size_t i = 0; i < n; i++)
		if (from >= s[i].from + SPAN_EDGE_US && to <= s[i].to - SPAN_EDGE_US)
			return 1;
	return 0;
}

/* What the audio of a view's file showed. */
struct audio {
	int tones, quiet, absent; /* seconds judged */
	double weakest, ratio;    /* the weakest own tone, the lowest ratio to another */
	double loudest;           /* the highest RMS of a stopped second */
	double absent_max;        /* the strongest tone of a second missing from the file */
};

/*
 * Each second of the caller's signal: inside a recorded span its own tone (at least
 * TONE_MIN_AMP and TONE_RATIO times any other of the signal's tones); inside a stopped
 * span silence (RMS below QUIET_RMS) where the file has samples, and where it has none
 * (before its first packet or after its last) no trace of that second's tone in the
 * whole file.
 */
static void expect_audio(const struct view_file *vf, const struct call *c, const struct span *rec,
                         size_t nrec, const struct span *quiet, size_t nquiet, struct audio *au)
{
	*au = (struct audio){.weakest = 1e9, .ratio = 1e9};
	for (int k = 0; k < c->seconds; k++) {
		long long a = c->rtp_start + k * US + WINDOW_EDGE_US;
		long long b = c->rtp_start + (k + 1) * US - WINDOW_EDGE_US;
		long long s0 = sample_of(vf->origin, a), s1 = sample_of(vf->origin, b);
		if (within(rec, nrec, a, b)) {
			double amp, other = 0;
			cr_expect(
			    s0 >= 0 && s1 <= (long long)vf->n,
			    "%s: second %d (samples %lld..%lld) is not in the file (%zu samples)",
			    vf->wav_path, k, s0, s1, vf->n);
			if (s0 < 0 || s1 > (long long)vf->n)
				continue;
			amp = tone_amp(vf->pcm + s0, (size_t)(s1 - s0), sig_hz(k));
			for (int j = 0; j < SIG_STEPS; j++) {
				double o =
				    j == k % SIG_STEPS
				        ? 0
				        : tone_amp(vf->pcm + s0, (size_t)(s1 - s0), sig_hz(j));
				other = o > other ? o : other;
			}
			cr_expect(
			    amp >= TONE_MIN_AMP && amp >= TONE_RATIO * other,
			    "%s: recorded second %d: its tone (%.0f Hz) %.1f, the strongest other "
			    "%.1f",
			    vf->wav_path, k, sig_hz(k), amp, other);
			au->tones++;
			au->weakest = amp < au->weakest ? amp : au->weakest;
			au->ratio = amp / (other > 0 ? other : 1e-9) < au->ratio
			                ? amp / (other > 0 ? other : 1e-9)
			                : au->ratio;
		} else if (within(quiet, nquiet, a, b)) {
			long long c0 = s0 < 0 ? 0 : s0,
			          c1 = s1 > (long long)vf->n ? (long long)vf->n : s1;
			if (c1 > c0) {
				double r = rms(vf->pcm + c0, (size_t)(c1 - c0));
				cr_expect(r < QUIET_RMS, "%s: stopped second %d: RMS %.1f",
				          vf->wav_path, k, r);
				au->quiet++;
				au->loudest = r > au->loudest ? r : au->loudest;
			} else {
				double amp = tone_amp(vf->pcm, vf->n, sig_hz(k));
				cr_expect(amp < ABSENT_AMP,
				          "%s: second %d, stopped, left its tone (%.0f Hz) in the "
				          "file: %.1f",
				          vf->wav_path, k, sig_hz(k), amp);
				au->absent++;
				au->absent_max = amp > au->absent_max ? amp : au->absent_max;
			}
		}
	}
}

/* The sidecar's stream of the caller: the one whose first sequence number is as far from
 * the caller's first as its first packet from the caller's first (within 3 packets). */
static const struct stream *caller_stream(const struct view_file *vf, const struct call *c)
{
	for (size_t i = 0; i < vf->nstreams; i++) {
		const struct stream *s = &vf->st[i];
		long long dseq, dt;
		if (s->nruns == 0)
			continue;
		dseq = (s->runs[0].first - c->first_seq) & 0xffff;
		dt = (s->runs[0].from - c->rtp_start + PACKET_US / 2) / PACKET_US;
		if (dseq - dt <= 3 && dt - dseq <= 3)
			return s;
	}
	return NULL;
}

/* A delay in whole packets, rounded up (none when not positive). */
static long long late_packets(long long us)
{
	return us > 0 ? (us + PACKET_US - 1) / PACKET_US : 0;
}

/* When the caller sent packet seq (it sends on absolute times: one each PACKET_US from
 * its first, firstSeq, at rtpStart). */
static long long sent_at(const struct call *c, long seq)
{
	return c->rtp_start + ((seq - c->first_seq) & 0xffff) * PACKET_US;
}

/* Suite */

/* Kills what the test started, ends its calls if still live, and brings the media plane
 * back (a test that failed halfway may have left the adapter or the engine stopped). */
static void media_fini(void)
{
	for (int i = 0; i < AGENTS_MAX; i++) {
		struct agent a = {.pid = agent_pids[i]};
		agent_stop(&a, SIGTERM, WAIT_EXIT_MS);
	}
	for (size_t i = 0; i < ncalls_made; i++) {
		const char *p[1] = {calls_made[i]};
		PGconn *c = PQconnectdb("");
		PGresult *r = NULL;
		/* the proxy ends a call at its BYE; one whose agent died is ended here */
		for (int waited = 0; PQstatus(c) == CONNECTION_OK; waited += POLL_MS) {
			r = PQexecParams(c,
			                 "SELECT count(*) FROM media_call WHERE call_id = $1 AND "
			                 "ended_at IS NULL",
			                 1, NULL, p, NULL, NULL, 0);
			int live =
			    PQresultStatus(r) == PGRES_TUPLES_OK && atoi(PQgetvalue(r, 0, 0));
			PQclear(r);
			if (!live)
				break;
			if (waited >= WAIT_BYE_MS) {
				PQclear(PQexecParams(c, "SELECT pc_call_end($1)", 1, NULL, p, NULL,
				                     NULL, 0));
				break;
			}
			it_nap(POLL_MS);
		}
		PQfinish(c);
	}
	ncalls_made = 0;
	if (run_pid("rtpengine") < 0)
		media_tool("engine-start");
	if (run_pid("pc-media") < 0)
		media_tool("adapter-start");
}

static void media_init(void)
{
	it_restore_demo();
	/* a PUT on a media call needs a fresh heartbeat */
	wait_media("live");
}

TestSuite(media, .init = media_init, .fini = media_fini, .timeout = 120);

/*
 * 0003*210 calls the external agent for 12 s with the default signal; StartRecording
 * after the answer, StopRecording at 4.5 s, StartRecording at 8.5 s. The file must have
 * the tones while recorded and silence while stopped, the caller's sequence numbers skip
 * the stopped time, the engine captured nothing outside the intervals but what the
 * adapter's delay explains, and its log shows on, off, on.
 */
Test(media, stop_and_start_are_in_the_audio)
{
	struct agent ext;
	struct call c;
	struct mev ev[EVENTS_MAX];
	struct view_file vf;
	struct span rec[SPANS_MAX], quiet[SPANS_MAX];
	size_t n, nrec, nquiet;
	struct audio au;
	const struct stream *cs;
	long long received, lost, lag, gap = -1, cut_packets = -1, applied_packets, stop_lag;
	long long late0 = 0, late1 = 0;
	struct requests mark, got;

	external_start(&ext);
	mark = requests_mark();
	call_start(&c, "0003*210", EXTERNAL_NUMBER, 12);
	put_ok(&c, START_BODY("01"));
	signal_at(&c, 4.5);
	put_ok(&c, STOP_BODY("01"));
	signal_at(&c, 8.5);
	put_ok(&c, START_BODY("01"));
	call_end(&c, 0);
	far_end(&ext, &c, &received, &lost);

	n = wait_settled(c.id, 4, ev);
	cr_assert_eq(n, 4, "events: start, stop, start, end");
	cr_assert(strcmp(ev[0].action, "start") == 0 && strcmp(ev[1].action, "stop") == 0 &&
	          strcmp(ev[2].action, "start") == 0 && strcmp(ev[3].action, "end") == 0);
	cr_expect(ev[0].capture == 1 && ev[1].capture == 0 && ev[2].capture == 1 &&
	          ev[3].capture == 0);
	lag = expect_applied_once(ev, n, c.id);
	got = expect_requests(mark, ev, n, 1, c.id);
	expect_toggles(&c, 0, ev, n);

	view_file_load(ev[3].file, &vf);
	expect_intervals(&vf, ev, n, "01");
	/* each start of the capture opens a pcap file of its own */
	cr_expect_eq(vf.npcaps, 2, "%zu pcaps: the engine's capture did not stop and start again",
	             vf.npcaps);
	view_spans(&c, ev, n, "01", 0, 0, rec, &nrec, quiet, &nquiet);
	expect_audio(&vf, &c, rec, nrec, quiet, nquiet, &au);
	cr_expect(au.tones >= 5 && au.quiet >= 3, "seconds judged: %d recorded, %d stopped",
	          au.tones, au.quiet);

	/*
	 * The stopped time in the caller's sequence numbers: the packets sent from the cut
	 * (the stop's commit) to the engine's capture again (the start's confirmation). The
	 * engine stamps a packet when it reads it, late under load: each side of the gap is
	 * moved by that delay, measured on the packet there (its capture time against the
	 * time the caller sent it, from its sequence number).
	 */
	cs = caller_stream(&vf, &c);
	cr_assert(cs != NULL, "no stream of the caller in the sidecar");
	cr_expect_eq(cs->nruns, 2, "the caller's stream has %zu runs", cs->nruns);
	applied_packets = (ev[2].applied - ev[1].applied + PACKET_US / 2) / PACKET_US;
	stop_lag = (ev[1].applied - ev[1].stopped + PACKET_US - 1) / PACKET_US;
	if (cs->nruns == 2) {
		gap = (cs->runs[1].first - cs->runs[0].last - 1) & 0xffff;
		late0 = cs->runs[0].to - sent_at(&c, cs->runs[0].last);
		late1 = cs->runs[1].from - sent_at(&c, cs->runs[1].first);
		cut_packets =
		    (ev[2].applied - late1 - (ev[1].stopped - late0) + PACKET_US / 2) / PACKET_US;
		cr_expect(gap >= cut_packets - SEQ_SLACK && gap <= cut_packets + SEQ_SLACK,
		          "the stop skipped %lld packets; sent from the cut to the capture again "
		          "%lld (the engine read them %.1f and %.1f ms late)",
		          gap, cut_packets, late0 / 1e3, late1 / 1e3);
		/* gap = applied_packets + stop_lag + late0 - late1, in packets */
		cr_expect(gap >= applied_packets - late_packets(late1) - SEQ_SLACK &&
		              gap <= applied_packets + stop_lag + late_packets(late0) + SEQ_SLACK,
		          "the stop skipped %lld packets; between the engine's two confirmations "
		          "%lld (the stop applied %lld packets after its commit, the edges read "
		          "%.1f and %.1f ms late)",
		          gap, applied_packets, stop_lag, late0 / 1e3, late1 / 1e3);
	}
	/* captured outside the intervals: only while the stop was on its way to the engine,
	 * both directions */
	cr_expect(vf.outside <= 2 * (stop_lag + OUTSIDE_SLACK),
	          "%lld packets captured outside the intervals; the stop took %lld packets' time "
	          "to apply",
	          vf.outside, stop_lag);
	expect_pcaps_gone(&c);
	fprintf(stderr,
	        "media stop_and_start: sent %lld, received %lld, lost %lld; %d tones (weakest "
	        "%.0f, >= %.0fx any other), %d stopped seconds (RMS <= %.1f); seq gap %lld, "
	        "cut-to-capture %lld, between confirmations %lld packets (read late %.1f/%.1f "
	        "ms); outside %lld; largest commit-to-applied %.1f ms; engine requests %lld "
	        "start, %lld stop\n",
	        c.sent, received, lost, au.tones, au.weakest, au.ratio, au.quiet, au.loudest, gap,
	        cut_packets, applied_packets, late0 / 1e3, late1 / 1e3, vf.outside, lag / 1000.0,
	        got.starts, got.stops);
	free(vf.pcm);
	agent_stop(&ext, SIGTERM, WAIT_EXIT_MS);
}

/* 0003*211 (recording disabled) calls the external agent: the engine never captures it
 * (no pcap of its Call-ID while it runs, no toggle), a StartRecording is refused, and
 * its end makes no event and no file. */
Test(media, an_extension_without_recording_is_never_captured)
{
	struct agent ext;
	struct call c;
	struct mev ev[EVENTS_MAX];
	struct toggle t[TOGGLES_MAX];
	char dir[PATH_MAX_], *rdir;
	struct stat sb;
	int looks = 0, seen = 0;
	long long mark;

	external_start(&ext);
	mark = it_event_mark();
	call_start(&c, "0003*211", EXTERNAL_NUMBER, 4);
	put_error(&c, START_BODY("01"), 400, "pc_recording_disabled");
	while (!agent_exited(&c.ua, 0)) {
		seen += pcaps_of(c.sip);
		looks++;
		it_nap(NO_PCAP_POLL_MS);
	}
	cr_expect_eq(seen, 0, "the engine captured a call of an extension without recording");
	cr_assert(looks > 10, "the spool was looked at %d times", looks);
	for (double t0 = it_now();
	     DB_LL("SELECT count(*) FROM media_call WHERE call_id = $1 AND ended_at IS NULL",
	           c.id) > 0;
	     it_nap(POLL_MS))
		cr_assert(it_now() - t0 < WAIT_EXIT_MS / 1e3, "the call did not end");
	it_nap(SETTLE_MS); /* an 'end' event would be written with the end */
	cr_expect_eq(events_of(c.id, ev), 0, "events of a call that never recorded");
	cr_expect_eq(it_event_mark(), mark, "events were written");
	cr_expect_eq(engine_toggles(c.sip, t, TOGGLES_MAX), 0, "the engine's capture toggled");
	rdir = media_env("PC_MEDIA_RECORDINGS");
	snprintf(dir, sizeof(dir), "%s/3/%s", rdir, c.id);
	free(rdir);
	cr_expect(stat(dir, &sb) != 0 && errno == ENOENT, "%s exists", dir);
	cr_expect_eq(pcaps_of(c.sip), 0);
	fprintf(stderr,
	        "media no_recording: spool looked at %d times during the call, %d pcaps seen\n",
	        looks, seen);
	agent_stop(&ext, SIGTERM, WAIT_EXIT_MS);
}

/*
 * 0003*212 (records always) calls an agent registered as 0003*210 (on demand): view 01
 * records from the answer, view 02 from 2.5 s to 6.5 s of 9. View 01's file has the tones
 * throughout; view 02's only those of its interval, though the engine captured on for
 * view 01. A stop of view 01 is refused and changes nothing.
 */
Test(media, two_local_views_with_different_choices)
{
	struct agent reg;
	struct call c;
	struct mev ev[EVENTS_MAX];
	struct view_file v1, v2;
	struct span rec[SPANS_MAX], quiet[SPANS_MAX];
	size_t n, nrec, nquiet;
	struct audio a1, a2;
	long long received, lost, mark, min_outside, span2;
	char *recording;

	registered_start(&reg, "0003*210");
	mark = it_event_mark();
	call_start(&c, "0003*212", "0003*210", 9);
	cr_assert_str_eq(c.ext, "0003*212", "the call is the caller's");
	put_error(&c, STOP_BODY("01"), 400, "pc_recording_disabled");
	cr_expect_eq(it_events_since(mark, c.id, "01"), 0, "the refused stop wrote an event");
	recording = it_view_recording(c.id, "01");
	cr_expect(recording != NULL, "view 01 no longer records after a refused stop");
	free(recording);
	signal_at(&c, 2.5);
	put_ok(&c, START_BODY("02"));
	signal_at(&c, 6.5);
	put_ok(&c, STOP_BODY("02"));
	call_end(&c, 0);
	far_end(&reg, &c, &received, &lost);

	n = wait_settled(c.id, 4, ev);
	cr_assert_eq(n, 4, "events: start 02, stop 02, end 01, end 02");
	cr_assert(strcmp(ev[0].view, "02") == 0 && strcmp(ev[0].action, "start") == 0 &&
	          strcmp(ev[1].view, "02") == 0 && strcmp(ev[1].action, "stop") == 0 &&
	          strcmp(ev[2].view, "01") == 0 && strcmp(ev[2].action, "end") == 0 &&
	          strcmp(ev[3].view, "02") == 0 && strcmp(ev[3].action, "end") == 0);
	/* view 01 records throughout: the capture never stops before the end */
	cr_expect(ev[0].capture == 1 && ev[1].capture == 1);
	expect_applied_once(ev, n, c.id);
	expect_toggles(&c, 1, ev, n);

	view_file_load(ev[2].file, &v1);
	view_spans(&c, ev, n, "01", 1, 1, rec, &nrec, quiet, &nquiet);
	expect_audio(&v1, &c, rec, nrec, quiet, nquiet, &a1);
	cr_expect(a1.tones == c.seconds, "view 01: %d seconds with their tones of %d", a1.tones,
	          c.seconds);
	cr_expect_eq(v1.niv, 1);

	view_file_load(ev[3].file, &v2);
	expect_intervals(&v2, ev, n, "02");
	view_spans(&c, ev, n, "02", 0, 1, rec, &nrec, quiet, &nquiet);
	expect_audio(&v2, &c, rec, nrec, quiet, nquiet, &a2);
	cr_expect(a2.tones >= 3 && a2.absent >= 4, "view 02: %d recorded seconds, %d left out",
	          a2.tones, a2.absent);
	/* the file lasts its interval (the engine captured the call all along) */
	span2 = ev[1].stopped - ev[0].started;
	cr_expect((long long)v2.n * US / RATE >= span2 - 2 * PACKET_US &&
	              (long long)v2.n * US / RATE <= span2 + 2 * PACKET_US,
	          "view 02's file lasts %.3f s, its interval %.3f s", (double)v2.n / RATE,
	          span2 / 1e6);
	/* the engine captured the rest of the call too (for view 01), left out of this file */
	min_outside = 2 * (c.seconds * US - span2 - US) / PACKET_US;
	cr_expect(v2.outside >= min_outside,
	          "view 02: %lld packets captured outside its interval, expected %lld or more",
	          v2.outside, min_outside);
	expect_pcaps_gone(&c);
	fprintf(stderr,
	        "media two_views: view 01 %d tones (weakest %.0f, >= %.0fx); view 02 %d tones "
	        "(weakest %.0f, >= %.0fx), %d seconds absent (strongest trace %.1f), file %.3f s "
	        "for an interval of %.3f s, %lld packets captured outside it\n",
	        a1.tones, a1.weakest, a1.ratio, a2.tones, a2.weakest, a2.ratio, a2.absent,
	        a2.absent_max, (double)v2.n / RATE, span2 / 1e6, v2.outside);
	free(v1.pcm);
	free(v2.pcm);
	agent_stop(&reg, SIGTERM, WAIT_EXIT_MS);
}

/* Start, stop, hang up while stopped: the view still gets its file, of the earlier
 * interval, named by the 'end' event. */
Test(media, a_hang_up_while_stopped)
{
	struct agent ext;
	struct call c;
	struct mev ev[EVENTS_MAX];
	struct view_file vf;
	struct span rec[SPANS_MAX], quiet[SPANS_MAX];
	size_t n, nrec, nquiet;
	struct audio au;
	long long span;
	char want[PATH_MAX_];
	struct requests mark;

	external_start(&ext);
	mark = requests_mark();
	call_start(&c, "0003*210", EXTERNAL_NUMBER, 6);
	put_ok(&c, START_BODY("01"));
	signal_at(&c, 3.5);
	put_ok(&c, STOP_BODY("01"));
	call_end(&c, 0);
	n = wait_settled(c.id, 3, ev);
	cr_assert_eq(n, 3, "events: start, stop, end");
	cr_assert(strcmp(ev[2].action, "end") == 0);
	cr_expect(ev[2].started == ev[0].started && ev[2].stopped == ev[1].stopped,
	          "the end's interval %lld..%lld is not the stop's %lld..%lld", ev[2].started,
	          ev[2].stopped, ev[1].started, ev[1].stopped);
	snprintf(want, sizeof(want), "3/%s/01.wav", c.id);
	cr_expect_str_eq(ev[2].file, want);
	expect_applied_once(ev, n, c.id);
	expect_requests(mark, ev, n, 1, c.id);
	expect_toggles(&c, 0, ev, n);

	view_file_load(ev[2].file, &vf);
	expect_intervals(&vf, ev, n, "01");
	view_spans(&c, ev, n, "01", 0, 0, rec, &nrec, quiet, &nquiet);
	expect_audio(&vf, &c, rec, nrec, quiet, nquiet, &au);
	cr_expect(au.tones >= 2 && au.absent >= 2, "%d recorded seconds, %d left out", au.tones,
	          au.absent);
	span = ev[1].stopped - ev[0].applied;
	cr_expect((long long)vf.n * US / RATE >= span - 2 * PACKET_US &&
	              (long long)vf.n * US / RATE <= span + 2 * PACKET_US,
	          "the file lasts %.3f s, its interval %.3f s", (double)vf.n / RATE, span / 1e6);
	expect_pcaps_gone(&c);
	fprintf(stderr,
	        "media hang_up_while_stopped: file %.3f s for an interval of %.3f s; %d tones "
	        "(weakest %.0f), %d seconds after the stop absent (strongest trace %.1f)\n",
	        (double)vf.n / RATE, span / 1e6, au.tones, au.weakest, au.absent, au.absent_max);
	free(vf.pcm);
	agent_stop(&ext, SIGTERM, WAIT_EXIT_MS);
}

/* A StopRecording after the hang-up: the call is gone, 400 pc_phonecall_invalid, and
 * nothing changes. */
Test(media, stop_on_a_call_that_ended_in_between)
{
	struct agent ext;
	struct call c;
	struct mev ev[EVENTS_MAX];
	long long mark, after;
	char *fp, *fp2;
	size_t n;
	int stop, start;

	external_start(&ext);
	call_start(&c, "0003*210", EXTERNAL_NUMBER, 2);
	put_ok(&c, START_BODY("01"));
	call_end(&c, 0);
	n = wait_settled(c.id, 2, ev);
	cr_assert(n == 2 && strcmp(ev[1].action, "end") == 0, "the call did not end");
	mark = it_event_mark();
	fp = it_fingerprint();
	stop = put_error(&c, STOP_BODY("01"), 400, "pc_phonecall_invalid");
	start = put_error(&c, START_BODY("01"), 400, "pc_phonecall_invalid");
	fp2 = it_fingerprint();
	after = it_event_mark();
	cr_expect_eq(after, mark, "an event was written");
	cr_expect_str_eq(fp2, fp, "a table changed");
	cr_expect_eq(events_of(c.id, ev), 2);
	fprintf(stderr,
	        "media stop_after_the_end: StopRecording %d, StartRecording %d, %lld new events, "
	        "tables %s\n",
	        stop, start, after - mark, strcmp(fp, fp2) == 0 ? "unchanged" : "changed");
	free(fp);
	free(fp2);
	expect_pcaps_gone(&c);
	agent_stop(&ext, SIGTERM, WAIT_EXIT_MS);
}

/*
 * The adapter killed (-9) between PUTs (a PUT meanwhile answers 503 at once) and
 * restarted, once right after a commit: each event applied once, the engine's toggles
 * as the events', the file's intervals and audio as the events say. Then rtpengine restarted under
 * a live call: while it is down a PUT answers 503 with Retry-After once the heartbeat is stale and
 * changes nothing, health says "down" and the metrics 0; after, the old call is gone from the
 * engine, and a new call's PUT answers 202 and is applied.
 */
Test(media, the_adapter_restarted_and_rtpengine_restarted_lose_nothing)
{
	struct agent ext;
	struct call a, b, d;
	struct mev ev[EVENTS_MAX];
	struct view_file vf;
	struct span rec[SPANS_MAX], quiet[SPANS_MAX];
	size_t n, nrec, nquiet, ntog;
	struct audio au;
	long long mark;
	double down_s, live_s, gone_s, t;
	char *fp, *fp2;
	int up;
	struct requests before, got;

	external_start(&ext);
	before = requests_mark();
	call_start(&a, "0003*210", EXTERNAL_NUMBER, 14);
	call_start(&b, "0003*210", EXTERNAL_NUMBER, 60); /* hung up by the test */

	put_ok(&a, START_BODY("01"));
	wait_settled(a.id, 1, ev);
	/* killed: its session ends, and with it the lock that says an adapter is there, so
	 * a PUT answers 503 at once (not once the heartbeat is 2 s old) and changes nothing;
	 * back, the stop is accepted */
	signal_at(&a, 3.5);
	adapter_kill();
	gone_s = wait_media("down");
	cr_expect_lt(gone_s, 1.0, "\"down\" %.2f s after the adapter was killed", gone_s);
	mark = it_event_mark();
	put_error(&a, STOP_BODY("01"), 503, "service_unavailable");
	cr_expect_eq(it_event_mark(), mark, "a PUT refused while no adapter ran wrote an event");
	adapter_start();
	wait_media("live");
	put_ok(&a, STOP_BODY("01"));
	wait_settled(a.id, 2, ev);
	/* killed right after a commit, while it is likely applying it; two whole seconds
	 * after the stop at least, however long the restart before it took, so that two
	 * stopped seconds are judged */
	t = signal_after(&a, 6.5, 2.5);
	put_ok(&a, START_BODY("01"));
	adapter_kill();
	adapter_start();
	wait_settled(a.id, 3, ev);
	signal_after(&a, t + 3.0, 2.5);
	put_ok(&a, STOP_BODY("01"));
	put_ok(&a, START_BODY("01"));
	adapter_kill();
	adapter_start();
	wait_settled(a.id, 5, ev);
	cr_expect_eq(engine_has_call(a.sip), 1, "the engine does not carry call %s", a.id);
	call_end(&a, 0);

	n = wait_settled(a.id, 6, ev);
	cr_assert_eq(n, 6, "events: start, stop, start, stop, start, end");
	expect_applied_once(ev, n, a.id);
	got = expect_requests(before, ev, n, 0, a.id);
	/* the capture as the last change left it: on until the hang-up */
	cr_expect(ev[4].capture == 1 && strcmp(ev[4].action, "start") == 0);
	ntog = expect_toggles(&a, 0, ev, n);
	view_file_load(ev[5].file, &vf);
	expect_intervals(&vf, ev, n, "01");
	cr_expect_eq(vf.npcaps, 3, "%zu pcaps for 3 starts of the capture", vf.npcaps);
	view_spans(&a, ev, n, "01", 0, 0, rec, &nrec, quiet, &nquiet);
	expect_audio(&vf, &a, rec, nrec, quiet, nquiet, &au);
	cr_expect(au.tones >= 4 && au.quiet >= 2, "seconds judged: %d recorded, %d stopped",
	          au.tones, au.quiet);
	expect_pcaps_gone(&a);
	free(vf.pcm);

	/* the engine stops under call b */
	cr_assert_eq(engine_has_call(b.sip), 1, "the engine does not carry call %s", b.id);
	cr_assert_eq(media_tool("engine-stop"), 0);
	down_s = wait_media("down");
	mark = it_event_mark();
	fp = it_fingerprint();
	put_error(&b, START_BODY("01"), 503, "service_unavailable");
	fp2 = it_fingerprint();
	cr_expect_eq(it_event_mark(), mark, "a refused PUT wrote an event");
	cr_expect_str_eq(fp2, fp, "a refused PUT changed a table");
	free(fp);
	free(fp2);
	up = metrics_media_up();
	cr_expect_eq(up, 0, "phonecalls_media_up is %d with the engine down", up);
	cr_assert_eq(media_tool("engine-start"), 0);
	live_s = wait_media("live");
	cr_expect_eq(engine_has_call(b.sip), 0, "the restarted engine still carries call %s", b.id);
	cr_expect_eq(metrics_media_up(), 1);

	/* a new call is recorded */
	call_start(&d, "0003*210", EXTERNAL_NUMBER, 3);
	put_ok(&d, START_BODY("01"));
	call_end(&b, SIGTERM);
	call_end(&d, 0);
	n = wait_settled(d.id, 2, ev);
	expect_applied_once(ev, n, d.id);
	expect_toggles(&d, 0, ev, n);
	cr_expect_eq(events_of(b.id, ev), 0, "call %s, never recorded, has events", b.id);
	expect_pcaps_gone(&d);
	fprintf(stderr,
	        "media restarts: adapter killed 3 times, 5 changes, %zu toggles, engine requests "
	        "%lld start and %lld stop for 6 events, \"down\" %.3f s after a kill; %d "
	        "tones (weakest %.0f), %d stopped seconds (RMS <= %.1f); engine stopped: health "
	        "\"down\" after %.2f s, PUT 503; started: \"live\" after %.2f s, the old call "
	        "gone\n",
	        ntog, got.starts, got.stops, gone_s, au.tones, au.weakest, au.quiet, au.loudest,
	        down_s, live_s);
	agent_stop(&ext, SIGTERM, WAIT_EXIT_MS);
}

/*
 * A second adapter under the same consumer name, as the stack runs its own, started
 * while the first runs: 20 StartRecording/StopRecording on a call, the stack's adapter
 * killed after 10 (the second carries on alone), then started again. Each event has one
 * outcome, applied, and the engine toggled the capture exactly as often as the events
 * say.
 */
Test(media, two_adapters_never_apply_an_event_twice)
{
	enum { PUTS = 20, PUT_GAP_MS = 100 };
	struct agent ext, second;
	struct call c;
	struct mev ev[EVENTS_MAX];
	struct view_file vf;
	char bin[PATH_MAX_], engine[64], pghost[PATH_MAX_], pgport[64];
	char *spool = media_env("PC_MEDIA_SPOOL"), *recordings = media_env("PC_MEDIA_RECORDINGS");
	const char *args[] = {"-c", "media",    "-e", engine, "-s", spool,
	                      "-r", recordings, "-k", "30",   NULL};
	const char *envs[] = {pghost, pgport, "PGUSER=pc_media", "PGDATABASE=pc", NULL};
	char *started;
	size_t n, ntog;
	struct requests mark, got;

	snprintf(bin, sizeof(bin), "%s/bin/pc-media", it_env("PC_VAR"));
	snprintf(engine, sizeof(engine), "127.0.0.1:%s", it_env("PC_NG_PORT"));
	snprintf(pghost, sizeof(pghost), "PGHOST=%s/pg-media", it_env("PC_VAR"));
	snprintf(pgport, sizeof(pgport), "PGPORT=%s", getenv("PGPORT") ? getenv("PGPORT") : "5432");
	agent_spawn(&second, "adapter", bin, args, envs, ADAPTER_USER);
	for (double t0 = it_now();; it_nap(POLL_MS)) {
		started = it_read_file(second.err, NULL);
		if (started && strstr(started, "consumer media"))
			break;
		cr_assert(it_now() - t0 < WAIT_START_MS / 1e3 && !agent_exited(&second, 0),
		          "the second adapter did not start: %s", started ? started : "");
		free(started);
	}
	free(started);
	cr_assert(run_pid("pc-media") > 0, "the stack's adapter is not running");

	external_start(&ext);
	mark = requests_mark();
	call_start(&c, "0003*210", EXTERNAL_NUMBER, 8);
	for (int i = 0; i < PUTS; i++) {
		if (i == PUTS / 2) {
			wait_settled(c.id, (size_t)i, ev);
			adapter_kill(); /* the second carries on alone */
		}
		put_ok(&c, i % 2 ? STOP_BODY("01") : START_BODY("01"));
		it_nap(PUT_GAP_MS);
	}
	wait_settled(c.id, PUTS, ev);
	adapter_start();
	cr_expect(!agent_exited(&second, 0), "the second adapter exited");
	call_end(&c, 0);
	n = wait_settled(c.id, PUTS + 1, ev);
	cr_assert_eq(n, PUTS + 1);
	expect_applied_once(ev, n, c.id);
	got = expect_requests(mark, ev, n, 1, c.id);
	ntog = expect_toggles(&c, 0, ev, n);
	cr_expect_eq(ntog, PUTS);
	view_file_load(ev[PUTS].file, &vf);
	expect_intervals(&vf, ev, n, "01");
	cr_expect_eq(vf.npcaps, PUTS / 2, "%zu pcaps for %d starts", vf.npcaps, PUTS / 2);
	free(vf.pcm);
	expect_pcaps_gone(&c);

	agent_stop(&second, SIGTERM, WAIT_EXIT_MS);
	cr_expect(WIFEXITED(second.status) && WEXITSTATUS(second.status) == 0,
	          "the second adapter stopped with %d", second.status);
	fprintf(stderr,
	        "media two_adapters: %d PUTs (the stack's adapter killed after %d), %zu "
	        "events, each one outcome, engine requests %lld start and %lld stop, %zu "
	        "toggles, %zu pcaps\n",
	        PUTS, PUTS / 2, n, got.starts, got.stops, ntog, vf.npcaps);
	free(spool);
	free(recordings);
	agent_stop(&ext, SIGTERM, WAIT_EXIT_MS);
}
