/*
 * rec.c - one view's WAV and JSON sidecar from a call's pcap recordings (rec.h).
 *
 * The captures are read side by side, a record at a time each, and merged by capture
 * time, so memory holds one record per capture, the streams, and the mixing window. A
 * record becomes a packet counted in exactly one of struct rec_stats's counts. The
 * counted G.711 packets are decoded and added into the window at their stream's place;
 * samples the window moves past are written out, saturated to 16 bits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcap.h"
#include "rec.h"

#define WAV_HEADER 44
#define WAV_FMT_CHUNK 16
#define WAV_PCM 1
#define WAV_BITS 16
#define OUT_CHUNK 4096   /* samples converted and written at a time */
#define SEQ_REORDER 64   /* sequence numbers behind the highest still told apart (a bitmap) */
#define SEQ_DROPOUT 3000 /* a jump further ahead is a new sequence, not a loss (RFC 3550 A.1) */
#define US_PER_S 1000000
#define WAV_MODE 0640
#define ADDR_TEXT 64 /* "[IPv6]:port" */

/* G.711 (Sun's reference decoder): sign, 3-bit segment, 4-bit step. */
#define G711_SIGN 0x80
#define G711_SEG 0x70
#define G711_SEG_SHIFT 4
#define G711_QUANT 0x0f
#define ULAW_BIAS 0x84
#define ALAW_XOR 0x55

int16_t rec_ulaw(uint8_t u)
{
	int t;

	u = (uint8_t)~u;
	t = ((u & G711_QUANT) << 3) + ULAW_BIAS;
	t <<= (u & G711_SEG) >> G711_SEG_SHIFT;
	return (int16_t)((u & G711_SIGN) ? ULAW_BIAS - t : t - ULAW_BIAS);
}

int16_t rec_alaw(uint8_t a)
{
	int t, seg;

	a ^= ALAW_XOR;
	t = (a & G711_QUANT) << 4;
	seg = (a & G711_SEG) >> G711_SEG_SHIFT;
	if (seg == 0)
		t += 8;
	else
		t = (t + 0x108) << (seg - 1);
	return (int16_t)((a & G711_SIGN) ? t : -t);
}

/* Consecutive sequence numbers as they arrived. */
struct run {
	uint16_t first, last;
	int64_t from_us, to_us;
};

struct stream {
	int family;
	uint8_t addr[16];
	uint16_t port;
	uint32_t ssrc;
	int pt_first, pt_audio; /* the first payload type seen; the first G.711 one (-1: none) */
	uint64_t packets, mixed, lost, reanchors;
	/* sequence numbers */
	int64_t seq_max;  /* the highest, extended past 16 bits */
	uint64_t seen;    /* bit i: seq_max - i arrived */
	ptrdiff_t seq_iv; /* the interval seq_max arrived in */
	/* the RTP clock, anchored to the capture's */
	int anchored;
	int64_t ts_last;   /* the last timestamp, extended past 32 bits */
	int64_t ts_anchor; /* the anchor's timestamp, capture time and sample */
	int64_t wall_anchor_us;
	int64_t pos_anchor;
	struct run *runs;
	size_t nruns;
	uint64_t runs_omitted;
};

/* One capture being read: its next record waits in rec and data. */
struct src {
	const char *path; /* NULL: in memory */
	FILE *f;
	const uint8_t *mem;
	size_t len, off;
	struct pcap_file file;
	uint8_t *buf; /* a file's record bytes */
	size_t cap;
	int have;
	struct pcap_rec rec;
	const uint8_t *data;
};

struct mix {
	int32_t acc[REC_WINDOW]; /* samples base .. base + REC_WINDOW, at sample % REC_WINDOW */
	int64_t base;            /* the first sample not yet written out */
	int64_t end;             /* one past the last sample placed */
	uint8_t out[OUT_CHUNK * 2];
	FILE *wav;
	int failed; /* a write failed */
};

struct run_state {
	struct rec_stats *st;
	struct rec_interval *iv;
	size_t niv;
	struct stream streams[REC_STREAMS_MAX];
	struct mix mix;
};

static int fail(struct rec_stats *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct rec_stats *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->error, sizeof(st->error), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *src_name(const struct src *s)
{
	return s->path ? s->path : "(capture in memory)";
}

/*
 * Reads n bytes of the capture into *p (pointing into the memory or the buffer): how
 * many it got, fewer only at the end; -1 on a read error.
 */
static ptrdiff_t src_read(struct src *s, size_t n, const uint8_t **p)
{
	size_t got;

	if (!s->f) {
		got = s->len - s->off < n ? s->len - s->off : n;
		*p = s->mem + s->off;
		s->off += got;
		return (ptrdiff_t)got;
	}
	if (n > s->cap) {
		uint8_t *b = realloc(s->buf, n);
		if (!b)
			return -1;
		s->buf = b;
		s->cap = n;
	}
	got = fread(s->buf, 1, n, s->f);
	if (got < n && ferror(s->f))
		return -1;
	*p = s->buf;
	return (ptrdiff_t)got;
}

/* Skips n bytes: how many it skipped, -1 on a read error. */
static ptrdiff_t src_skip(struct src *s, size_t n)
{
	size_t done = 0;
	const uint8_t *p;

	while (done < n) {
		size_t k = n - done < PCAP_PACKET_MAX ? n - done : PCAP_PACKET_MAX;
		ptrdiff_t got = src_read(s, k, &p);
		if (got < 0)
			return -1;
		done += (size_t)got;
		if ((size_t)got < k)
			break;
	}
	return (ptrdiff_t)done;
}

/*
 * Reads the capture's next record into s->rec and s->data (s->have), counting what it
 * skips: records too long for a UDP datagram, a record cut off at the end, a corrupt
 * record header (the rest of the capture cannot be framed). -1 on a read error.
 */
static int src_next(struct src *s, struct rec_stats *st)
{
	const uint8_t *p;
	ptrdiff_t got;

	s->have = 0;
	for (;;) {
		if ((got = src_read(s, PCAP_RECORD_HEADER, &p)) < 0)
			goto err;
		if (got == 0)
			return 0;
		if (got < PCAP_RECORD_HEADER) {
			st->records++;
			st->truncated++;
			return 0;
		}
		if (pcap_record_header(&s->file, p, &s->rec) != PCAP_OK) {
			st->corrupt++;
			return 0;
		}
		if (s->rec.caplen <= PCAP_PACKET_MAX)
			break;
		st->records++;
		if ((got = src_skip(s, s->rec.caplen)) < 0)
			goto err;
		if ((size_t)got < s->rec.caplen) {
			st->truncated++;
			return 0;
		}
		st->not_udp++;
	}
	if ((got = src_read(s, s->rec.caplen, &s->data)) < 0)
		goto err;
	if ((size_t)got < s->rec.caplen) {
		st->records++;
		st->truncated++;
		return 0;
	}
	s->have = 1;
	return 0;
err:
	return fail(st, "%s: read: %s", src_name(s), strerror(errno));
}

/* Opens a capture and reads its file header and first record. */
static int src_open(struct src *s, const struct rec_input *in, struct rec_stats *st)
{
	const uint8_t *p;
	ptrdiff_t got;
	enum pcap_status ps;

	memset(s, 0, sizeof(*s));
	s->path = in->path;
	if (in->path) {
		if (!(s->f = fopen(in->path, "rb")))
			return fail(st, "%s: %s", in->path, strerror(errno));
	} else {
		s->mem = in->mem;
		s->len = in->mem ? in->len : 0;
	}
	if ((got = src_read(s, PCAP_FILE_HEADER, &p)) < 0)
		return fail(st, "%s: read: %s", src_name(s), strerror(errno));
	ps = pcap_file_header(p, (size_t)got, &s->file);
	if (ps != PCAP_OK)
		return fail(st, "%s: %s", src_name(s),
		            ps == PCAP_SHORT ? "not a pcap capture (shorter than its header)"
		                             : pcap_strerror(ps));
	return src_next(s, st);
}

static void src_close(struct src *s)
{
	if (s->f)
		fclose(s->f);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/* Sorts and merges the intervals into rs->iv; -1 when one is empty or reversed. */
static int cmp_iv(const void *a, const void *b)
{
	const struct rec_interval *x = a, *y = b;

	return (x->from_us > y->from_us) - (x->from_us < y->from_us);
}

static int intervals(struct run_state *rs, const struct rec_interval *iv, size_t niv)
{
	size_t k = 0;

	if (niv > REC_INTERVALS_MAX)
		return fail(rs->st, "%zu intervals: at most %d", niv, REC_INTERVALS_MAX);
	for (size_t i = 0; i < niv; i++)
		if (iv[i].from_us >= iv[i].to_us)
			return fail(rs->st, "interval %" PRId64 "-%" PRId64 " is empty",
			            iv[i].from_us, iv[i].to_us);
	if (niv == 0)
		return 0;
	if (!(rs->iv = malloc(niv * sizeof(*rs->iv))))
		return fail(rs->st, "out of memory");
	memcpy(rs->iv, iv, niv * sizeof(*iv));
	qsort(rs->iv, niv, sizeof(*rs->iv), cmp_iv);
	for (size_t i = 1; i < niv; i++) {
		if (rs->iv[i].from_us <= rs->iv[k].to_us) {
			if (rs->iv[i].to_us > rs->iv[k].to_us)
				rs->iv[k].to_us = rs->iv[i].to_us;
		} else {
			rs->iv[++k] = rs->iv[i];
		}
	}
	rs->niv = k + 1;
	return 0;
}

/* The interval holding capture time t, or -1. */
static ptrdiff_t interval_of(const struct run_state *rs, int64_t t)
{
	size_t lo = 0, hi = rs->niv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t < rs->iv[mid].from_us)
			hi = mid;
		else if (t >= rs->iv[mid].to_us)
			lo = mid + 1;
		else
			return (ptrdiff_t)mid;
	}
	return -1;
}

static int16_t saturate(int32_t v)
{
	return (int16_t)(v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v);
}

/* Writes out the window's samples up to target (silence past what it holds). */
static void mix_flush(struct mix *m, int64_t target)
{
	while (m->base < target) {
		size_t idx = (size_t)(m->base % REC_WINDOW), k = REC_WINDOW - idx;
		if ((int64_t)k > target - m->base)
			k = (size_t)(target - m->base);
		if (k > OUT_CHUNK)
			k = OUT_CHUNK;
		for (size_t i = 0; i < k; i++) {
			uint16_t v = (uint16_t)saturate(m->acc[idx + i]);
			m->out[2 * i] = (uint8_t)(v & 0xff); /* WAV samples are little-endian */
			m->out[2 * i + 1] = (uint8_t)(v >> 8);
			m->acc[idx + i] = 0;
		}
		if (!m->failed && fwrite(m->out, 2, k, m->wav) != k)
			m->failed = 1;
		m->base += (int64_t)k;
	}
}

/* Adds n samples at sample pos; counts the packet as mixed, late or dropped. */
static void mix_place(struct mix *m, struct rec_stats *st, int64_t pos, const int16_t *pcm,
                      size_t n)
{
	if (pos < m->base) {
		st->late++;
		return;
	}
	if (pos + (int64_t)n > REC_SAMPLES_MAX) {
		st->dropped++;
		return;
	}
	if (pos + (int64_t)n > m->base + REC_WINDOW)
		mix_flush(m, pos + (int64_t)n - REC_WINDOW);
	for (size_t i = 0; i < n; i++) {
		/* held to 32 bits: packets piled on one place (a crafted capture) saturate */
		int32_t *a = &m->acc[(size_t)((pos + (int64_t)i) % REC_WINDOW)];
		int64_t v = (int64_t)*a + pcm[i];
		*a = (int32_t)(v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v);
	}
	if (pos + (int64_t)n > m->end)
		m->end = pos + (int64_t)n;
	st->mixed++;
}

/* Samples from the origin to capture time t, rounded to the nearest (whole seconds apart
 * first: microseconds times the rate could overflow). */
static int64_t sample_at(const struct rec_stats *st, int64_t t)
{
	int64_t d = t - st->origin_us, r = d % US_PER_S * REC_RATE;

	return d / US_PER_S * REC_RATE +
	       (r >= 0 ? (r + US_PER_S / 2) / US_PER_S : -((-r + US_PER_S / 2) / US_PER_S));
}

static struct stream *stream_of(struct run_state *rs, const struct pcap_udp *u,
                                const struct pcap_rtp *r)
{
	size_t alen = u->family == 4 ? 4 : 16;
	struct stream *s;

	for (size_t i = 0; i < rs->st->streams; i++) {
		s = &rs->streams[i];
		if (s->ssrc == r->ssrc && s->family == u->family && s->port == u->sport &&
		    memcmp(s->addr, u->src, alen) == 0)
			return s;
	}
	if (rs->st->streams == REC_STREAMS_MAX)
		return NULL;
	s = &rs->streams[rs->st->streams++];
	memset(s, 0, sizeof(*s));
	s->family = u->family;
	memcpy(s->addr, u->src, alen);
	s->port = u->sport;
	s->ssrc = r->ssrc;
	s->pt_first = r->pt;
	s->pt_audio = -1;
	s->seq_max = -1;
	return s;
}

/* Starts a new run of sequence numbers at this packet, or counts it omitted. */
static void run_start(struct stream *s, uint16_t seq, int64_t t)
{
	if (s->nruns == REC_RUNS_MAX) {
		s->runs_omitted++;
		return;
	}
	if ((s->nruns & (s->nruns - 1)) == 0) { /* grown at powers of two */
		size_t cap = s->nruns ? s->nruns * 2 : 1;
		struct run *r = realloc(s->runs, cap * sizeof(*r));
		if (!r) {
			s->runs_omitted++;
			return;
		}
		s->runs = r;
	}
	s->runs[s->nruns++] = (struct run){seq, seq, t, t};
}

/*
 * Tracks the packet's sequence number: -1 if it arrived before (among the last
 * SEQ_REORDER), else 0. A gap inside one interval counts as lost (and a late arrival
 * that fills it back), a gap across intervals does not: the view was not recording. A
 * jump past SEQ_DROPOUT ahead or SEQ_REORDER behind starts a new sequence, as does
 * restart (the stream is re-anchored: the sender started again).
 */
static int stream_seq(struct stream *s, uint16_t seq, int64_t t, ptrdiff_t ivx, int restart)
{
	int d = (int16_t)(seq - (uint16_t)s->seq_max);

	if (s->seq_max >= 0 && d <= 0 && d > -SEQ_REORDER && (s->seen & (uint64_t)1 << -d))
		return -1;
	if (s->seq_max < 0 || restart || d > SEQ_DROPOUT || d <= -SEQ_REORDER) {
		s->seq_max = seq;
		s->seen = 1;
		s->seq_iv = ivx;
		run_start(s, seq, t);
		return 0;
	}
	if (d <= 0) {
		s->seen |= (uint64_t)1 << -d;
		if (ivx == s->seq_iv && s->lost > 0)
			s->lost--;
		return 0;
	}
	if (ivx == s->seq_iv)
		s->lost += (uint64_t)(d - 1);
	s->seen = d >= SEQ_REORDER ? 1 : s->seen << d | 1;
	s->seq_max += d;
	s->seq_iv = ivx;
	if (d == 1 && s->nruns > 0 && s->runs_omitted == 0 &&
	    s->runs[s->nruns - 1].last == (uint16_t)(seq - 1)) {
		s->runs[s->nruns - 1].last = seq;
		s->runs[s->nruns - 1].to_us = t;
	} else {
		run_start(s, seq, t);
	}
	return 0;
}

/*
 * Whether the packet's RTP timestamp, extended past 32 bits from the stream's last one
 * (*ext), agrees with its capture time t within REC_ANCHOR_TOLERANCE, counted from the
 * stream's anchor; 0 too when the stream has no anchor yet.
 */
static int stream_on_clock(const struct stream *s, const struct rec_stats *st, uint32_t ts,
                           int64_t t, int64_t *ext)
{
	int64_t drift;

	if (!s->anchored)
		return 0;
	*ext = s->ts_last + (int32_t)(ts - (uint32_t)s->ts_last);
	drift = (*ext - s->ts_anchor) - (sample_at(st, t) - sample_at(st, s->wall_anchor_us));
	return drift <= REC_ANCHOR_TOLERANCE && drift >= -REC_ANCHOR_TOLERANCE;
}

/*
 * The sample the packet starts at: its stream's anchor plus the RTP time since; or, when
 * the two clocks disagree (stream_on_clock), the packet becomes the stream's anchor, at
 * its capture time.
 */
static int64_t stream_place(struct stream *s, const struct rec_stats *st, uint32_t ts, int64_t t)
{
	int64_t ext;

	if (stream_on_clock(s, st, ts, t, &ext)) {
		s->ts_last = ext;
		return s->pos_anchor + (ext - s->ts_anchor);
	}
	/* the extended timestamp starts again from this one, so it stays small */
	s->anchored = 1;
	s->ts_last = s->ts_anchor = ts;
	s->wall_anchor_us = t;
	return s->pos_anchor = sample_at(st, t);
}

/* Counts or mixes one record. */
static void take(struct run_state *rs, const struct src *src)
{
	struct rec_stats *st = rs->st;
	const struct pcap_rec *rec = &src->rec;
	int16_t pcm[REC_PACKET_SAMPLES_MAX];
	struct pcap_udp u;
	struct pcap_rtp r;
	struct stream *s;
	ptrdiff_t ivx;
	int64_t ext, pos;
	int audio, reanchor;

	st->records++;
	if (rec->caplen < rec->origlen) {
		st->truncated++;
		return;
	}
	if (pcap_packet(&src->file, src->data, rec->caplen, &u) != PCAP_UDP) {
		st->not_udp++;
		return;
	}
	switch (pcap_rtp_parse(u.payload, u.len, &r)) {
	case PCAP_RTCP:
		st->rtcp++;
		return;
	case PCAP_NOT_RTP:
		st->not_rtp++;
		return;
	case PCAP_RTP:
		break;
	}
	if ((ivx = interval_of(rs, rec->time_us)) < 0) {
		st->outside++;
		return;
	}
	if (!(s = stream_of(rs, &u, &r))) {
		st->dropped++;
		return;
	}
	audio = r.pt == REC_PT_PCMU || r.pt == REC_PT_PCMA;
	/* a sender that started again starts its sequence numbers again too */
	reanchor = audio && s->anchored && !stream_on_clock(s, st, r.ts, rec->time_us, &ext);
	if (stream_seq(s, r.seq, rec->time_us, ivx, reanchor) < 0) {
		st->duplicate++;
		return;
	}
	s->packets++;
	if (!audio) {
		st->other_pt++;
		return;
	}
	if (r.len > REC_PACKET_SAMPLES_MAX) {
		st->dropped++;
		return;
	}
	if (!st->has_origin) {
		st->has_origin = 1;
		st->origin_us = rec->time_us;
	}
	pos = stream_place(s, st, r.ts, rec->time_us);
	if (reanchor) {
		s->reanchors++;
		st->reanchors++;
	}
	if (s->pt_audio < 0)
		s->pt_audio = r.pt;
	for (size_t i = 0; i < r.len; i++)
		pcm[i] = r.pt == REC_PT_PCMU ? rec_ulaw(r.payload[i]) : rec_alaw(r.payload[i]);
	uint64_t before = st->mixed;
	mix_place(&rs->mix, st, pos, pcm, r.len);
	if (st->mixed != before)
		s->mixed++;
}

static void put_le(uint8_t *p, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The 44-byte header of a mono 16-bit PCM WAV of that many samples. */
static void wav_header(uint8_t *h, uint64_t samples)
{
	uint32_t data = (uint32_t)(samples * 2);

	memcpy(h, "RIFF", 4);
	put_le(h + 4, data + WAV_HEADER - 8, 4);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le(h + 16, WAV_FMT_CHUNK, 4);
	put_le(h + 20, WAV_PCM, 2);
	put_le(h + 22, 1, 2); /* channels */
	put_le(h + 24, REC_RATE, 4);
	put_le(h + 28, REC_RATE * WAV_BITS / 8, 4); /* bytes a second */
	put_le(h + 32, WAV_BITS / 8, 2);            /* bytes a frame */
	put_le(h + 34, WAV_BITS, 2);
	memcpy(h + 36, "data", 4);
	put_le(h + 40, data, 4);
}

/* A JSON string: escapes, and U+FFFD for each byte that is not part of valid UTF-8. */
static void json_str(FILE *f, const char *str)
{
	const unsigned char *p = (const unsigned char *)str;

	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		size_t n = 0;
		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else {
			unsigned char lo = 0x80, hi = 0xbf;
			if (c >= 0xc2 && c <= 0xdf)
				n = 1;
			else if (c == 0xe0)
				n = 2, lo = 0xa0;
			else if (c == 0xed)
				n = 2, hi = 0x9f;
			else if (c >= 0xe1 && c <= 0xef)
				n = 2;
			else if (c == 0xf0)
				n = 3, lo = 0x90;
			else if (c == 0xf4)
				n = 3, hi = 0x8f;
			else if (c >= 0xf1 && c <= 0xf3)
				n = 3;
			int ok = n > 0 && p[1] >= lo && p[1] <= hi;
			for (size_t k = 2; ok && k <= n; k++)
				ok = p[k] >= 0x80 && p[k] <= 0xbf;
			if (ok)
				fwrite(p, 1, n + 1, f);
			else
				fputs("\xef\xbf\xbd", f), n = 0;
		}
		p += n + 1;
	}
	fputc('"', f);
}

/* "a.b.c.d:port" or "[v6]:port". */
static void addr_text(char *out, size_t size, int family, const uint8_t *addr, uint16_t port)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, ip, sizeof(ip));
	snprintf(out, size, family == 4 ? "%s:%u" : "[%s]:%u", ip, port);
}

/* Capture time as ISO 8601 UTC with microseconds, or null past what gmtime takes. */
static void json_time(FILE *f, int64_t us)
{
	int64_t sec = us / US_PER_S - (us % US_PER_S < 0);
	int64_t frac = us - sec * US_PER_S;
	time_t tt = (time_t)sec;
	struct tm tm;
	char buf[64];

	if ((int64_t)tt != sec || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm)) {
		fputs("null", f);
		return;
	}
	fprintf(f, "\"%s.%06" PRId64 "Z\"", buf, frac);
}

static void json_write(FILE *f, const struct run_state *rs, const struct rec_input *in, size_t n)
{
	const struct rec_stats *st = rs->st;
	char addr[ADDR_TEXT];

	fputs("{\"origin\":", f);
	if (st->has_origin) {
		json_time(f, st->origin_us);
		fprintf(f, ",\"originUs\":%" PRId64, st->origin_us);
	} else {
		fputs("null,\"originUs\":null", f);
	}
	fputs(",\"intervals\":[", f);
	for (size_t i = 0; i < rs->niv; i++)
		fprintf(f, "%s{\"from\":%" PRId64 ",\"to\":%" PRId64 "}", i ? "," : "",
		        rs->iv[i].from_us, rs->iv[i].to_us);
	fprintf(f, "],\"rate\":%d,\"samples\":%" PRIu64 ",\"seconds\":%" PRIu64 ".%06" PRIu64,
	        REC_RATE, st->samples, st->samples / REC_RATE,
	        st->samples % REC_RATE * (US_PER_S / REC_RATE));
	fputs(",\"pcaps\":[", f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? "," : "", f);
		if (in[i].path)
			json_str(f, in[i].path);
		else
			fputs("null", f);
	}
	fprintf(f,
	        "],\"counts\":{\"records\":%" PRIu64 ",\"truncated\":%" PRIu64
	        ",\"corrupt\":%" PRIu64 ",\"notUdp\":%" PRIu64 ",\"rtcp\":%" PRIu64
	        ",\"notRtp\":%" PRIu64 ",\"outside\":%" PRIu64 ",\"duplicate\":%" PRIu64
	        ",\"otherPayloadType\":%" PRIu64 ",\"late\":%" PRIu64 ",\"dropped\":%" PRIu64
	        ",\"mixed\":%" PRIu64 ",\"reanchors\":%" PRIu64 "},\"streams\":[",
	        st->records, st->truncated, st->corrupt, st->not_udp, st->rtcp, st->not_rtp,
	        st->outside, st->duplicate, st->other_pt, st->late, st->dropped, st->mixed,
	        st->reanchors);
	for (size_t i = 0; i < st->streams; i++) {
		const struct stream *s = &rs->streams[i];
		addr_text(addr, sizeof(addr), s->family, s->addr, s->port);
		fprintf(f, "%s{\"ssrc\":%" PRIu32 ",\"source\":", i ? "," : "", s->ssrc);
		json_str(f, addr);
		fprintf(f,
		        ",\"payloadType\":%d,\"packets\":%" PRIu64 ",\"mixed\":%" PRIu64
		        ",\"lost\":%" PRIu64 ",\"reanchors\":%" PRIu64 ",\"runs\":[",
		        s->pt_audio >= 0 ? s->pt_audio : s->pt_first, s->packets, s->mixed, s->lost,
		        s->reanchors);
		for (size_t k = 0; k < s->nruns; k++)
			fprintf(f,
			        "%s{\"firstSeq\":%u,\"lastSeq\":%u,\"from\":%" PRId64
			        ",\"to\":%" PRId64 "}",
			        k ? "," : "", s->runs[k].first, s->runs[k].last, s->runs[k].from_us,
			        s->runs[k].to_us);
		fprintf(f, "],\"runsOmitted\":%" PRIu64 "}", s->runs_omitted);
	}
	fputs("]}\n", f);
}

int rec_mix(const struct rec_input *in, size_t n, const struct rec_interval *iv, size_t niv,
            FILE *wav, FILE *json, struct rec_stats *st)
{
	struct run_state *rs = NULL;
	struct src *srcs = NULL;
	uint8_t head[WAV_HEADER];
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (n > REC_FILES_MAX)
		return fail(st, "%zu captures: at most %d", n, REC_FILES_MAX);
	if (!(rs = calloc(1, sizeof(*rs))) || !(srcs = calloc(n ? n : 1, sizeof(*srcs)))) {
		fail(st, "out of memory");
		goto err;
	}
	rs->st = st;
	rs->mix.wav = wav;
	if (intervals(rs, iv, niv) < 0)
		goto err;
	for (size_t i = 0; i < n; i++)
		if (src_open(&srcs[i], &in[i], st) < 0)
			goto err;
	wav_header(head, 0);
	if (fwrite(head, 1, sizeof(head), wav) != sizeof(head))
		rs->mix.failed = 1;

	/* the captures merged by capture time; on a tie the earlier capture first */
	for (;;) {
		struct src *next = NULL;
		for (size_t i = 0; i < n; i++)
			if (srcs[i].have && (!next || srcs[i].rec.time_us < next->rec.time_us))
				next = &srcs[i];
		if (!next)
			break;
		take(rs, next);
		if (src_next(next, st) < 0)
			goto err;
	}
	mix_flush(&rs->mix, rs->mix.end);
	st->samples = (uint64_t)rs->mix.base;
	wav_header(head, st->samples);
	if (rs->mix.failed || fflush(wav) != 0 || fseek(wav, 0, SEEK_SET) != 0 ||
	    fwrite(head, 1, sizeof(head), wav) != sizeof(head) || fflush(wav) != 0 ||
	    fseek(wav, 0, SEEK_END) != 0) {
		fail(st, "writing the WAV: %s", strerror(errno));
		goto err;
	}
	if (json) {
		json_write(json, rs, in, n);
		if (fflush(json) != 0 || ferror(json)) {
			fail(st, "writing the JSON: %s", strerror(errno));
			goto err;
		}
	}
	rc = 0;
err:
	for (size_t i = 0; srcs && i < n; i++)
		src_close(&srcs[i]);
	free(srcs);
	if (rs) {
		for (size_t i = 0; i < st->streams; i++)
			free(rs->streams[i].runs);
		free(rs->iv);
	}
	free(rs);
	return rc;
}

/* A decimal number, digits only, that fits in int64_t; *end: the byte after it. */
static int parse_us(const char *s, int64_t *v, const char **end)
{
	int64_t n = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	*v = n;
	*end = s;
	return 0;
}

int rec_interval_parse(const char *s, struct rec_interval *iv)
{
	const char *e;

	if (parse_us(s, &iv->from_us, &e) < 0 || *e != '-' || parse_us(e + 1, &iv->to_us, &e) < 0 ||
	    *e != '\0' || iv->from_us >= iv->to_us)
		return -1;
	return 0;
}

/* A temporary file beside path, mode WAV_MODE: its stream, its name in *tmp (malloc'd). */
static FILE *temp_beside(const char *path, char **tmp, struct rec_stats *st)
{
	static const char suffix[] = ".XXXXXX";
	size_t len = strlen(path);
	FILE *f;
	int fd;

	if (!(*tmp = malloc(len + sizeof(suffix)))) {
		fail(st, "out of memory");
		return NULL;
	}
	memcpy(*tmp, path, len);
	memcpy(*tmp + len, suffix, sizeof(suffix));
	if ((fd = mkstemp(*tmp)) < 0) {
		fail(st, "%s: %s", *tmp, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	if (fchmod(fd, WAV_MODE) != 0 || !(f = fdopen(fd, "w+b"))) {
		fail(st, "%s: %s", *tmp, strerror(errno));
		close(fd);
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	return f;
}

/* Flushes f to the disk and closes it; -1 on any failure. */
static int finish(FILE *f)
{
	int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;

	return fclose(f) == 0 ? rc : -1;
}

int rec_view_wav(const char *const *pcaps, size_t n, const struct rec_interval *iv, size_t niv,
                 const char *wav_path, const char *json_path, struct rec_stats *st)
{
	struct rec_input *in = NULL;
	char *wav_tmp = NULL, *json_tmp = NULL;
	FILE *wav = NULL, *json = NULL;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (n > REC_FILES_MAX)
		return fail(st, "%zu captures: at most %d", n, REC_FILES_MAX);
	if (!(in = calloc(n ? n : 1, sizeof(*in)))) {
		fail(st, "out of memory");
		goto err;
	}
	for (size_t i = 0; i < n; i++)
		in[i].path = pcaps[i];
	if (!(wav = temp_beside(wav_path, &wav_tmp, st)))
		goto err;
	if (json_path && !(json = temp_beside(json_path, &json_tmp, st)))
		goto err;
	if (rec_mix(in, n, iv, niv, wav, json, st) < 0)
		goto err;
	rc = finish(wav);
	wav = NULL;
	if (json && finish(json) < 0)
		rc = -1;
	json = NULL;
	if (rc < 0) {
		fail(st, "writing the output: %s", strerror(errno));
		goto err;
	}
	/* the sidecar first: a WAV in place has its sidecar beside it */
	if ((json_tmp && rename(json_tmp, json_path) != 0) || rename(wav_tmp, wav_path) != 0) {
		rc = fail(st, "renaming the output into place: %s", strerror(errno));
		goto err;
	}
	free(json_tmp);
	json_tmp = NULL;
	free(wav_tmp);
	wav_tmp = NULL;
err:
	if (wav)
		fclose(wav);
	if (json)
		fclose(json);
	if (wav_tmp)
		unlink(wav_tmp);
	if (json_tmp)
		unlink(json_tmp);
	free(wav_tmp);
	free(json_tmp);
	free(in);
	return rc;
}
