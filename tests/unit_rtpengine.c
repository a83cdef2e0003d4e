/* unit_rtpengine.c - tests of media/rtpengine.c: the NG exchange against a fake engine on
 * the loopback (replies, errors, silence, a lost reply, a late one), the recordings'
 * names and their listing and removal in a directory of the test's own. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../media/rtpengine.c"

#define FAKE_MAX 2048 /* a request the fake engine reads */

/* The fake engine: answers each request it receives with reply[i] ("" : none), under the
 * request's cookie; with stale, first sends a reply under another cookie. */
struct fake {
	int fd;
	int port;
	const char *reply[4];
	int stale;
	int got;                /* requests received */
	char request[FAKE_MAX]; /* the last one, without its cookie */
};

static void *fake_run(void *arg)
{
	struct fake *f = arg;
	char buf[FAKE_MAX], out[FAKE_MAX];
	struct sockaddr_in from;
	socklen_t fl;

	for (int i = 0; i < 4; i++) {
		fl = sizeof(from);
		ssize_t n = recvfrom(f->fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl);
		if (n <= 0)
			break;
		buf[n] = '\0';
		f->got++;
		char *sp = strchr(buf, ' ');
		if (sp == NULL)
			continue;
		snprintf(f->request, sizeof(f->request), "%s", sp + 1);
		*sp = '\0';
		if (f->stale) {
			int m = snprintf(out, sizeof(out), "x%s d6:result2:oke", buf);
			sendto(f->fd, out, (size_t)m, 0, (struct sockaddr *)&from, fl);
		}
		if (f->reply[i] == NULL || f->reply[i][0] == '\0')
			continue;
		int m = snprintf(out, sizeof(out), "%s %s", buf, f->reply[i]);
		sendto(f->fd, out, (size_t)m, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static pthread_t fake_start(struct fake *f)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {1, 0};
	socklen_t al = sizeof(a);
	pthread_t t;

	f->fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert(f->fd >= 0);
	cr_assert_eq(bind(f->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(f->fd, (struct sockaddr *)&a, &al), 0);
	setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	f->port = ntohs(a.sin_port);
	cr_assert_eq(pthread_create(&t, NULL, fake_run, f), 0);
	return t;
}

static struct engine *open_fake(const struct fake *f)
{
	char addr[64], err[ENGINE_ERR_MAX];
	struct engine *e;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", f->port);
	e = engine_open(addr, "/nonexistent", err, sizeof(err));
	cr_assert_not_null(e, "%s", err);
	return e;
}

/* One capture request against a fake engine answering replies in turn; returns the
 * result, err and the fake's record. */
static enum engine_result exchange(struct fake *f, bool on, char *err, size_t errlen)
{
	pthread_t t = fake_start(f);
	struct engine *e = open_fake(f);
	enum engine_result r = engine_capture(e, "abc@host", on, err, errlen);

	engine_close(e);
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(f->fd);
	return r;
}

Test(rtpengine, capture_on_and_off_are_start_and_stop_recording)
{
	struct fake f = {.reply = {"d6:result2:oke"}};
	char err[ENGINE_ERR_MAX];

	cr_expect_eq(exchange(&f, true, err, sizeof(err)), ENGINE_OK);
	cr_expect_str_eq(f.request, "d7:call-id8:abc@host7:command15:start recordinge");
	struct fake g = {.reply = {"d6:result2:ok7:warning4:soone"}};
	cr_expect_eq(exchange(&g, false, err, sizeof(err)), ENGINE_OK, "a warning is still ok");
	cr_expect_str_eq(g.request, "d7:call-id8:abc@host7:command14:stop recordinge");
	cr_expect_eq(g.got, 1, "one request");
}

Test(rtpengine, errors_are_told_apart)
{
	struct fake nc = {.reply = {"d6:result5:error12:error-reason15:Unknown call-ide"}};
	struct fake other = {.reply = {"d6:result5:error12:error-reason3:bade"}};
	struct fake junk = {.reply = {"not bencode"}};
	char err[ENGINE_ERR_MAX];

	cr_expect_eq(exchange(&nc, false, err, sizeof(err)), ENGINE_NO_CALL);
	cr_expect(strstr(err, "Unknown call-id") != NULL, "%s", err);
	cr_expect_eq(exchange(&other, true, err, sizeof(err)), ENGINE_REFUSED);
	cr_expect(strstr(err, "bad") != NULL, "%s", err);
	cr_expect_eq(exchange(&junk, true, err, sizeof(err)), ENGINE_REFUSED);
	cr_expect_str_eq(err, "malformed reply");
}

/* A reply lost once: the same request (same cookie) is sent again and its reply taken;
 * a silent engine is down after NG_TRIES sends. */
Test(rtpengine, a_lost_reply_is_asked_again_and_silence_is_down)
{
	struct fake once = {.reply = {"", "d6:result2:oke"}};
	struct fake never = {.reply = {"", "", "", ""}};
	char err[ENGINE_ERR_MAX];

	cr_expect_eq(exchange(&once, true, err, sizeof(err)), ENGINE_OK);
	cr_expect_eq(once.got, 2);
	cr_expect_eq(exchange(&never, true, err, sizeof(err)), ENGINE_DOWN);
	cr_expect_eq(never.got, NG_TRIES);
	cr_expect_str_eq(err, "no reply from the engine");
}

Test(rtpengine, a_reply_to_another_request_is_not_taken)
{
	struct fake f = {.reply = {"d6:result5:error12:error-reason3:bade"}, .stale = 1};
	char err[ENGINE_ERR_MAX];

	/* the stale "ok" comes first, under another cookie: the error is this request's */
	cr_expect_eq(exchange(&f, true, err, sizeof(err)), ENGINE_REFUSED);
}

Test(rtpengine, ping)
{
	struct fake f = {.reply = {"d6:result4:ponge", "d6:result2:oke"}};
	pthread_t t = fake_start(&f);
	struct engine *e = open_fake(&f);
	char err[ENGINE_ERR_MAX];

	cr_expect_eq(engine_ping(e, err, sizeof(err)), ENGINE_OK);
	cr_expect_str_eq(f.request, "d7:command4:pinge");
	cr_expect_eq(engine_ping(e, err, sizeof(err)), ENGINE_DOWN, "ok is not pong");
	engine_close(e);
	shutdown(f.fd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(f.fd);
}

Test(rtpengine, addresses)
{
	char err[ENGINE_ERR_MAX];
	struct engine *e;

	cr_expect_null(engine_open("127.0.0.1", "/d", err, sizeof(err)));
	cr_expect_null(engine_open(":2223", "/d", err, sizeof(err)));
	cr_expect_null(engine_open("127.0.0.1:", "/d", err, sizeof(err)));
	cr_expect_null(engine_open("127.0.0.1:port", "/d", err, sizeof(err)));
	e = engine_open("[::1]:2223", "/d", err, sizeof(err));
	cr_assert_not_null(e, "%s", err);
	cr_expect_str_eq(engine_name(e), "rtpengine ::1:2223");
	engine_close(e);
	e = engine_open("127.0.0.1:2223", "/d", err, sizeof(err));
	cr_assert_not_null(e, "%s", err);
	cr_expect_str_eq(engine_name(e), "rtpengine 127.0.0.1:2223");
	engine_close(e);
}

Test(rtpengine, call_ids_escaped_as_rtpengine_names_files)
{
	char out[ESCAPED_MAX], big[CALL_ID_MAX + 2];

	cr_expect_eq(escape_call("abc@host", out, sizeof(out)), 10);
	cr_expect_str_eq(out, "abc%40host");
	escape_call("A-z.0_9~", out, sizeof(out));
	cr_expect_str_eq(out, "A-z.0_9~");
	escape_call("a b/c%\xc3\xa9", out, sizeof(out));
	cr_expect_str_eq(out, "a%20b%2Fc%25%C3%A9");
	cr_expect_eq(escape_call("", out, sizeof(out)), 0);
	cr_expect_eq(escape_call("@@", out, 6), 0, "no room for the NUL");
	cr_expect_eq(escape_call("@@", out, 7), 6);
	cr_expect_eq(escape_call("ab", out, 3), 2);
	cr_expect_eq(escape_call("ab", out, 2), 0);
	memset(big, '@', CALL_ID_MAX);
	big[CALL_ID_MAX] = '\0';
	cr_expect_eq(escape_call(big, out, sizeof(out)), 3 * CALL_ID_MAX, "the longest fits");
}

Test(rtpengine, recordings_named_by_call)
{
	cr_expect(segment_name("abc%40h-0123456789abcdef.pcap", "abc%40h", 7));
	cr_expect_not(segment_name("abc%40h-0123456789ABCDEF.pcap", "abc%40h", 7), "upper case");
	cr_expect_not(segment_name("abc%40h-0123456789abcde.pcap", "abc%40h", 7), "15 digits");
	cr_expect_not(segment_name("abc%40h-0123456789abcdef.txt", "abc%40h", 7));
	cr_expect_not(segment_name("abc%40hx-0123456789abcdef.pcap", "abc%40h", 7),
	              "another call whose id starts the same");
	cr_expect_not(segment_name("abc%40h0123456789abcdef0.pcap", "abc%40h", 7));
	/* a call whose id ends like another's recording */
	cr_expect_not(segment_name("a-0123456789abcdef-0123456789abcdef.pcap", "a", 1));
}

static void touch(const char *dir, const char *name)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	cr_assert_not_null(f, "%s", p);
	fclose(f);
}

Test(rtpengine, a_calls_recording_listed_finished_and_dropped)
{
	char dir[] = "/tmp/unit-rtpengine-XXXXXX", sub[PATH_MAX], err[ENGINE_ERR_MAX];
	static char paths[ENGINE_RECORDINGS_MAX][PATH_MAX];
	struct engine *e;
	size_t n;

	cr_assert_not_null(mkdtemp(dir));
	e = engine_open("127.0.0.1:9", dir, err, sizeof(err));
	cr_assert_not_null(e);
	cr_expect_eq(engine_recording(e, "c@h", paths, ENGINE_RECORDINGS_MAX, &n), -1, "no pcaps/");
	snprintf(sub, sizeof(sub), "%s/pcaps", dir);
	mkdir(sub, 0700);
	touch(sub, "c%40h-00000000000000aa.pcap");
	touch(sub, "c%40h-00000000000000bb.pcap");
	touch(sub, "d%40h-00000000000000cc.pcap");
	snprintf(sub, sizeof(sub), "%s/metadata", dir);
	mkdir(sub, 0700);
	touch(sub, "rtpengine-meta-c%40h-00000000000000aa.txt");
	cr_expect_eq(engine_recording(e, "c@h", paths, ENGINE_RECORDINGS_MAX, &n), 0,
	             "one file still written");
	cr_expect_eq(n, 2);
	touch(sub, "rtpengine-meta-c%40h-00000000000000bb.txt");
	cr_expect_eq(engine_recording(e, "c@h", paths, ENGINE_RECORDINGS_MAX, &n), 1);
	cr_expect_eq(n, 2);
	cr_expect_eq(engine_recording(e, "c@h", paths, 1, &n), 1);
	cr_expect_eq(n, 1, "at most max");
	engine_recording_drop(e, "c@h");
	cr_expect_eq(engine_recording(e, "c@h", paths, ENGINE_RECORDINGS_MAX, &n), 1);
	cr_expect_eq(n, 0, "dropped");
	snprintf(sub, sizeof(sub), "%s/metadata/rtpengine-meta-c%%40h-00000000000000aa.txt", dir);
	cr_expect_neq(access(sub, F_OK), 0, "metadata dropped too");
	cr_expect_eq(engine_recording(e, "d@h", paths, ENGINE_RECORDINGS_MAX, &n), 0,
	             "another call's kept");
	cr_expect_eq(n, 1);
	engine_close(e);
	snprintf(sub, sizeof(sub), "rm -rf '%s'", dir);
	cr_expect_eq(system(sub), 0);
}
