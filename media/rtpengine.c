/*
 * rtpengine.c - the media engine behind engine.h: rtpengine, driven over its NG control
 * protocol. A request is one UDP datagram, "<cookie> <bencoded dictionary>", and so is
 * its reply, with the same cookie. rtpengine keeps the replies it sent by cookie for a
 * while and sends the same one again for a repeated request, so a request whose reply
 * was lost is sent again unchanged: it is carried out once.
 *
 * Capture is rtpengine's "start recording" / "stop recording" of the call (by Call-ID):
 * recording a call that records, or stopping one that does not, does nothing. With
 * recording-method pcap each start opens a new pcap file of the call.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bencode.h"
#include "engine.h"

#define NG_WAIT_MS 100     /* wait for a reply before sending the request again */
#define NG_TRIES 3         /* sends of one request before the engine counts as down */
#define NG_MSG_MAX 2048    /* longest request built */
#define NG_REPLY_MAX 65536 /* longest reply read (one datagram) */
#define NG_NODES 256       /* values of a reply decoded */
#define NG_COOKIE_MAX 32
#define NG_NAME_MAX 300

struct engine {
	int fd;
	unsigned long long seq; /* requests sent: each its own cookie */
	unsigned int tag;       /* this process's part of the cookies */
	char name[NG_NAME_MAX]; /* "rtpengine HOST:PORT" */
	char reply[NG_REPLY_MAX];
	struct benc_node nodes[NG_NODES];
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_err(char *err, size_t errlen, const char *what, const char *detail, size_t dlen)
{
	if (errlen == 0)
		return;
	if (detail == NULL)
		snprintf(err, errlen, "%s", what);
	else
		snprintf(err, errlen, "%s: %.*s", what, (int)(dlen > 150 ? 150 : dlen), detail);
}

struct engine *engine_open(const char *addr, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	struct engine *e = NULL;
	char host[256];
	const char *colon = strrchr(addr, ':');
	size_t hlen;
	int rc;

	if (colon == NULL || colon == addr || colon[1] == '\0') {
		set_err(err, errlen, "engine address is not HOST:PORT", NULL, 0);
		return NULL;
	}
	hlen = (size_t)(colon - addr);
	if (addr[0] == '[' && colon[-1] == ']') { /* [IPv6]:PORT */
		addr++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host)) {
		set_err(err, errlen, "engine host name too long", NULL, 0);
		return NULL;
	}
	memcpy(host, addr, hlen);
	host[hlen] = '\0';
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		set_err(err, errlen, "engine address", gai_strerror(rc), strlen(gai_strerror(rc)));
		return NULL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		set_err(err, errlen, "out of memory", NULL, 0);
		goto err;
	}
	e->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* connected: only the engine's datagrams arrive, and its port being closed is an
	 * error at once rather than a timeout */
	if (e->fd < 0 || connect(e->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		set_err(err, errlen, "engine socket", strerror(errno), strlen(strerror(errno)));
		goto err;
	}
	e->tag = (unsigned int)getpid() ^ (unsigned int)now_ms();
	snprintf(e->name, sizeof(e->name), "rtpengine %s:%s", host, colon + 1);
	freeaddrinfo(ai);
	return e;
err:
	if (e != NULL && e->fd >= 0)
		close(e->fd);
	free(e);
	freeaddrinfo(ai);
	return NULL;
}

void engine_close(struct engine *e)
{
	if (e == NULL)
		return;
	close(e->fd);
	free(e);
}

const char *engine_name(const struct engine *e)
{
	return e->name;
}

/*
 * Sends the request body (a bencoded dictionary) under a new cookie and waits for its
 * reply, sending it again every NG_WAIT_MS, NG_TRIES times. On ENGINE_OK *out is the
 * reply's dictionary (decoded into e->nodes) and its result is "ok" or "pong"; an
 * "error" result is ENGINE_NO_CALL or ENGINE_REFUSED with its reason in err.
 */
static enum engine_result ng_call(struct engine *e, const char *body, size_t blen,
                                  const struct benc_node **out, char *err, size_t errlen)
{
	char msg[NG_MSG_MAX], cookie[NG_COOKIE_MAX];
	int clen = snprintf(cookie, sizeof(cookie), "%x_%llu", e->tag, ++e->seq);
	size_t mlen = (size_t)clen + 1 + blen;

	if (mlen > sizeof(msg)) {
		set_err(err, errlen, "request too long", NULL, 0);
		return ENGINE_REFUSED;
	}
	memcpy(msg, cookie, (size_t)clen);
	msg[clen] = ' ';
	memcpy(msg + clen + 1, body, blen);
	for (int try = 0; try < NG_TRIES; try++) {
		long long until = now_ms() + NG_WAIT_MS;
		if (send(e->fd, msg, mlen, 0) < 0) {
			set_err(err, errlen, "send", strerror(errno), strlen(strerror(errno)));
			return ENGINE_DOWN;
		}
		for (long long left; (left = until - now_ms()) > 0;) {
			struct pollfd p = {.fd = e->fd, .events = POLLIN};
			ssize_t n;
			size_t used;
			if (poll(&p, 1, (int)left) <= 0)
				continue;
			if ((n = recv(e->fd, e->reply, sizeof(e->reply), 0)) < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				set_err(err, errlen, "receive", strerror(errno),
				        strlen(strerror(errno)));
				return ENGINE_DOWN;
			}
			/* a late reply to an earlier request: not this one's */
			if ((size_t)n <= (size_t)clen ||
			    memcmp(e->reply, cookie, (size_t)clen) != 0 || e->reply[clen] != ' ')
				continue;
			if (benc_parse(e->reply + clen + 1, (size_t)n - (size_t)clen - 1, e->nodes,
			               NG_NODES, &used) != BENC_OK ||
			    e->nodes[0].type != BENC_DICT) {
				set_err(err, errlen, "malformed reply", NULL, 0);
				return ENGINE_REFUSED;
			}
			const struct benc_node *res = benc_dict_get(&e->nodes[0], "result");
			if (benc_str_is(res, "ok") || benc_str_is(res, "pong")) {
				*out = &e->nodes[0];
				return ENGINE_OK;
			}
			const struct benc_node *why = benc_dict_get(&e->nodes[0], "error-reason");
			if (why == NULL || why->type != BENC_STR)
				set_err(err, errlen, "engine error", NULL, 0);
			else
				set_err(err, errlen, "engine error", why->str, why->len);
			return benc_str_is(why, "Unknown call-id") ? ENGINE_NO_CALL
			                                           : ENGINE_REFUSED;
		}
	}
	set_err(err, errlen, "no reply from the engine", NULL, 0);
	return ENGINE_DOWN;
}

enum engine_result engine_ping(struct engine *e, char *err, size_t errlen)
{
	static const char body[] = "d7:command4:pinge";
	const struct benc_node *reply;
	enum engine_result r = ng_call(e, body, sizeof(body) - 1, &reply, err, errlen);

	if (r == ENGINE_OK && !benc_str_is(benc_dict_get(reply, "result"), "pong")) {
		set_err(err, errlen, "no pong", NULL, 0);
		return ENGINE_DOWN;
	}
	return r == ENGINE_OK ? ENGINE_OK : ENGINE_DOWN;
}

enum engine_result engine_capture(struct engine *e, const char *call_id, bool on, char *err,
                                  size_t errlen)
{
	char body[NG_MSG_MAX];
	struct benc_out o;
	const struct benc_node *reply;

	benc_out_init(&o, body, sizeof(body));
	benc_put_dict(&o);
	benc_put_cstr(&o, "call-id");
	benc_put_cstr(&o, call_id);
	benc_put_cstr(&o, "command");
	benc_put_cstr(&o, on ? "start recording" : "stop recording");
	benc_put_end(&o);
	if (benc_out_end(&o) != 0) {
		set_err(err, errlen, "request too long", NULL, 0);
		return ENGINE_REFUSED;
	}
	return ng_call(e, body, o.len, &reply, err, errlen);
}
