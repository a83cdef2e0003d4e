/*
 * rtpengine.c - the media engine behind engine.h: rtpengine, driven over its NG control
 * protocol. A request is one UDP datagram, "<cookie> <bencoded dictionary>", and so is
 * its reply, with the same cookie. rtpengine keeps the replies it sent by cookie for a
 * while and sends the same one again for a repeated request, so a request whose reply
 * was lost is sent again unchanged: it is carried out once.
 *
 * Capture is rtpengine's "start recording" / "stop recording" of the call (by Call-ID):
 * recording a call that records, or stopping one that does not, does nothing. With
 * recording-method pcap each start opens a new pcap file of the call,
 * <dir>/pcaps/<Call-ID escaped>-<16 hex digits>.pcap, and each stop closes it and then
 * moves its metadata file to <dir>/metadata/rtpengine-meta-<same name>.txt: a file with
 * its metadata there is finished (rtpengine 10.5, daemon/recording.c).
 */
#include <dirent.h>
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
#define CALL_ID_MAX 255 /* a SIP Call-ID (media_call.sip_call_id) */
#define ESCAPED_MAX (3 * CALL_ID_MAX + 1)
#define SEGMENT_TAG 16 /* hexadecimal digits after the Call-ID in a recording's name */

struct engine {
	int fd;
	unsigned long long seq; /* requests sent: each its own cookie */
	unsigned int tag;       /* this process's part of the cookies */
	char name[NG_NAME_MAX]; /* "rtpengine HOST:PORT" */
	char dir[PATH_MAX / 2]; /* recording-dir */
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

struct engine *engine_open(const char *addr, const char *dir, char *err, size_t errlen)
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
	if (strlen(dir) >= PATH_MAX / 2) {
		set_err(err, errlen, "recording directory name too long", NULL, 0);
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
	snprintf(e->dir, sizeof(e->dir), "%s", dir);
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

/* The Call-ID as rtpengine names its files: every byte but A-Z a-z 0-9 - . _ ~ as %XX
 * (GLib's g_uri_escape_string). Returns the length, or 0 when it does not fit in cap. */
static size_t escape_call(const char *id, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		             (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
		             *p == '~';
		if (n + (plain ? 1 : 3) + 1 > cap) /* and the NUL */
			return 0;
		if (plain) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	if (n == 0)
		return 0;
	out[n] = '\0';
	return n;
}

/* Whether name is one of the call's recordings: "<escaped>-<16 lowercase hex>.pcap". */
static bool segment_name(const char *name, const char *esc, size_t elen)
{
	static const char ext[] = ".pcap";
	size_t nl = strlen(name);

	if (nl != elen + 1 + SEGMENT_TAG + sizeof(ext) - 1 || strncmp(name, esc, elen) != 0 ||
	    name[elen] != '-' || strcmp(name + nl - (sizeof(ext) - 1), ext) != 0)
		return false;
	for (size_t i = elen + 1; i < elen + 1 + SEGMENT_TAG; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return true;
}

/* The metadata file of recording name (a segment_name) into out. */
static void meta_path(const struct engine *e, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/metadata/rtpengine-meta-%.*s.txt", e->dir, (int)(strlen(name) - 5),
	         name);
}

int engine_recording(struct engine *e, const char *call_id, char (*paths)[PATH_MAX], size_t max,
                     size_t *n)
{
	char esc[ESCAPED_MAX], dir[PATH_MAX], meta[PATH_MAX];
	size_t elen = escape_call(call_id, esc, sizeof(esc));
	struct dirent *d;
	DIR *dp;
	int done = 1;

	*n = 0;
	if (elen == 0) {
		errno = EINVAL;
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/pcaps", e->dir);
	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL && *n < max) {
		if (!segment_name(d->d_name, esc, elen))
			continue;
		/* e->dir fits in half of PATH_MAX, a recording's name in a quarter */
		snprintf(paths[*n], PATH_MAX, "%.*s/%.*s", PATH_MAX / 2, dir, PATH_MAX / 4,
		         d->d_name);
		meta_path(e, d->d_name, meta, sizeof(meta));
		if (access(meta, F_OK) != 0)
			done = 0;
		(*n)++;
	}
	closedir(dp);
	return done;
}

void engine_recording_drop(struct engine *e, const char *call_id)
{
	static char paths[ENGINE_RECORDINGS_MAX][PATH_MAX];
	char meta[PATH_MAX];
	size_t n;

	if (engine_recording(e, call_id, paths, ENGINE_RECORDINGS_MAX, &n) < 0)
		return;
	for (size_t k = 0; k < n; k++) {
		meta_path(e, strrchr(paths[k], '/') + 1, meta, sizeof(meta));
		unlink(paths[k]);
		unlink(meta);
	}
}
