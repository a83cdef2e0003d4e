/*
 * media.c - µ-law, the test signal, WAV files and RTP for pc-ua (media.h).
 */
#include <string.h>

#include "media.h"

#define ULAW_BIAS 0x84 /* G.711: added before the segment is found */
#define ULAW_CLIP 32635
#define PI 3.14159265358979323846
#define WAV_FMT_PCM 1
#define WAV_FMT_LEN 16 /* the PCM fmt chunk */
#define WAV_BITS 16
#define WAV_RIFF_LEN 12 /* "RIFF" size "WAVE" */
#define WAV_CHUNK_LEN 8 /* id, size */
#define RTP_VERSION 2

uint8_t ulaw_encode(int16_t pcm)
{
	int s = pcm, sign = 0, exp = 7, mant;

	if (s < 0) {
		s = -s;
		sign = 0x80;
	}
	if (s > ULAW_CLIP)
		s = ULAW_CLIP;
	s += ULAW_BIAS;
	for (int mask = 0x4000; (s & mask) == 0 && exp > 0; mask >>= 1)
		exp--;
	mant = (s >> (exp + 3)) & 0x0f;
	return (uint8_t) ~(sign | exp << 4 | mant);
}

int16_t ulaw_decode(uint8_t u)
{
	int exp, mant, s;

	u = (uint8_t)~u;
	exp = (u >> 4) & 7;
	mant = u & 0x0f;
	s = (((mant << 3) + ULAW_BIAS) << exp) - ULAW_BIAS;
	return (int16_t)(u & 0x80 ? -s : s);
}

double media_sin(double x)
{
	double x2, term, sum;

	/* to [-pi, pi], then [-pi/2, pi/2] where the series converges fast */
	x -= 2 * PI * (double)(long long)(x / (2 * PI));
	if (x > PI)
		x -= 2 * PI;
	else if (x < -PI)
		x += 2 * PI;
	if (x > PI / 2)
		x = PI - x;
	else if (x < -PI / 2)
		x = -PI - x;
	x2 = x * x;
	term = sum = x;
	for (int k = 1; k < 12; k++) {
		term *= -x2 / ((2 * k) * (2 * k + 1));
		sum += term;
	}
	return sum;
}

unsigned tone_hz(uint64_t k)
{
	return TONE_BASE_HZ + TONE_STEP_HZ * (unsigned)(k % TONE_STEPS);
}

void tone_fill(struct tone *t, double hz, int amplitude, uint8_t *out, size_t n)
{
	double step = 2 * PI * hz / RTP_RATE;

	for (size_t i = 0; i < n; i++) {
		double v = amplitude * media_sin(t->phase);
		out[i] = ulaw_encode((int16_t)(v < 0 ? v - 0.5 : v + 0.5));
		t->phase += step;
		if (t->phase >= 2 * PI)
			t->phase -= 2 * PI;
	}
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned le16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

const char *wav_pcm(const uint8_t *p, size_t n, const uint8_t **pcm, size_t *samples)
{
	size_t i = WAV_RIFF_LEN;
	bool fmt = false;

	if (n < WAV_RIFF_LEN || memcmp(p, "RIFF", 4) != 0 || memcmp(p + 8, "WAVE", 4) != 0)
		return "not a RIFF WAVE file";
	while (n - i >= WAV_CHUNK_LEN) {
		uint32_t size = le32(p + i + 4);
		const uint8_t *c = p + i + WAV_CHUNK_LEN;
		size_t left = n - i - WAV_CHUNK_LEN;
		if (memcmp(p + i, "fmt ", 4) == 0) {
			if (size < WAV_FMT_LEN || size > left)
				return "bad fmt chunk";
			if (le16(c) != WAV_FMT_PCM)
				return "not PCM (an encoded or extensible WAV)";
			if (le16(c + 2) != 1)
				return "not mono";
			if (le32(c + 4) != RTP_RATE)
				return "not 8000 Hz";
			if (le16(c + 14) != WAV_BITS || le16(c + 12) != WAV_BITS / 8 ||
			    le32(c + 8) != RTP_RATE * WAV_BITS / 8)
				return "not 16-bit";
			fmt = true;
		} else if (memcmp(p + i, "data", 4) == 0) {
			if (!fmt)
				return "data chunk before the fmt chunk";
			if (size > left)
				return "data chunk longer than the file";
			if (size < 2)
				return "no samples";
			*pcm = c;
			*samples = size / 2;
			return NULL;
		}
		if (size > left)
			return "chunk longer than the file";
		i += WAV_CHUNK_LEN + size + (size & 1); /* chunks are padded to even sizes */
		if (i > n)
			break;
	}
	return fmt ? "no data chunk" : "no fmt chunk";
}

void rtp_header(uint8_t *out, bool marker, unsigned pt, uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	out[0] = RTP_VERSION << 6;
	out[1] = (uint8_t)((marker ? 0x80 : 0) | (pt & 0x7f));
	out[2] = (uint8_t)(seq >> 8);
	out[3] = (uint8_t)seq;
	for (int k = 0; k < 4; k++) {
		out[4 + k] = (uint8_t)(ts >> (24 - 8 * k));
		out[8 + k] = (uint8_t)(ssrc >> (24 - 8 * k));
	}
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int rtp_parse(const uint8_t *p, size_t n, struct rtp_pkt *r)
{
	size_t off, end = n;

	if (n < RTP_HDR_LEN || p[0] >> 6 != RTP_VERSION)
		return -1;
	off = RTP_HDR_LEN + 4 * (size_t)(p[0] & 0x0f);
	if (p[0] & 0x10) { /* extension: 4 bytes, then its length in words */
		if (off + 4 > n)
			return -1;
		off += 4 + 4 * (size_t)(p[off + 2] << 8 | p[off + 3]);
	}
	if (off > n)
		return -1;
	if (p[0] & 0x20) { /* padding: the last byte counts it */
		if (n == off || p[n - 1] == 0 || p[n - 1] > n - off)
			return -1;
		end = n - p[n - 1];
	}
	r->marker = p[1] & 0x80;
	r->pt = p[1] & 0x7f;
	r->seq = (uint16_t)(p[2] << 8 | p[3]);
	r->ts = be32(p + 4);
	r->ssrc = be32(p + 8);
	r->payload = off;
	r->len = end - off;
	return 0;
}

static bool seen_bit(struct rtp_rx *rx, int64_t x, bool set)
{
	uint64_t i = (uint64_t)x % RTP_DUP_WINDOW, bit = 1ULL << (i % 64);
	bool was = rx->seen[i / 64] & bit;

	if (set)
		rx->seen[i / 64] |= bit;
	else
		rx->seen[i / 64] &= ~bit;
	return was;
}

void rtp_rx_add(struct rtp_rx *rx, uint32_t ssrc, uint16_t seq)
{
	int64_t x;

	if (rx->started && ssrc != rx->ssrc) {
		rx->done_expected += (uint64_t)(rx->max - rx->base + 1);
		rx->done_received += rx->received;
		rx->started = false;
	}
	if (!rx->started) {
		/* far from 0, so that numbers before the first stay positive */
		rx->base = rx->max = (int64_t)1 << 32 | seq;
		rx->ssrc = ssrc;
		rx->started = true;
		memset(rx->seen, 0, sizeof(rx->seen));
		seen_bit(rx, rx->max, true);
		rx->received = 1;
		return;
	}
	/* the extended number nearest to the highest seen */
	x = rx->max + (int16_t)(uint16_t)(seq - (uint16_t)rx->max);
	if (x > rx->max) {
		/* the numbers entering the window take the bits of those leaving it */
		for (int64_t k = rx->max + 1; k <= x && k - rx->max <= RTP_DUP_WINDOW; k++)
			seen_bit(rx, k, false);
		rx->max = x;
	} else if (rx->max - x >= RTP_DUP_WINDOW) {
		rx->received++; /* too old to tell a duplicate */
		if (x < rx->base)
			rx->base = x;
		return;
	}
	if (x < rx->base)
		rx->base = x;
	if (seen_bit(rx, x, true))
		rx->duplicates++;
	else
		rx->received++;
}

struct rtp_count rtp_rx_count(const struct rtp_rx *rx)
{
	struct rtp_count c = {rx->done_received, rx->done_expected, 0, rx->duplicates};

	if (rx->started) {
		c.received += rx->received;
		c.expected += (uint64_t)(rx->max - rx->base + 1);
	}
	c.lost = c.expected > c.received ? c.expected - c.received : 0;
	return c;
}
