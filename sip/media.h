/*
 * media.h - the media side of pc-ua as pure functions: G.711 µ-law, the default test
 * signal (a distinct tone each second), 8 kHz mono 16-bit PCM WAV files, RTP headers
 * (RFC 3550) and the count of a received stream (packets, expected, lost, duplicates).
 */
#ifndef PC_MEDIA_H
#define PC_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_RATE 8000       /* PCMU's clock and sample rate */
#define RTP_PTIME_MS 20     /* one packet's audio */
#define RTP_SAMPLES 160     /* samples (bytes of PCMU) per packet */
#define RTP_PPS 50          /* packets per second */
#define RTP_PT_PCMU 0       /* payload type of PCMU/8000 (RFC 3551) */
#define RTP_HDR_LEN 12      /* a header without CSRCs or extension */
#define RTP_PKT_MAX 1500    /* longest packet received */
#define RTP_DUP_WINDOW 1024 /* sequence numbers remembered for duplicates (a power of 2) */
#define ULAW_SILENCE 0xff   /* µ-law of 0 */
#define TONE_AMPLITUDE 8000 /* peak of the test signal, of 32767 */
#define TONE_BASE_HZ 300    /* second k of the default signal: 300 + 50 * (k % 60) Hz */
#define TONE_STEP_HZ 50
#define TONE_STEPS 60
#define WAV_MAX (64L << 20) /* longest WAV file read (over 70 minutes at 8 kHz) */

uint8_t ulaw_encode(int16_t pcm);
int16_t ulaw_decode(uint8_t u);

/* sin(x), to within 1e-9 (the agent links libc alone). */
double media_sin(double x);

/* The frequency of second k of the default signal. */
unsigned tone_hz(uint64_t k);

/* A sine generator whose phase runs on across calls (no click when the tone changes). */
struct tone {
	double phase; /* radians, in [0, 2 pi) */
};

/* n µ-law samples of a sine of hz at amplitude. */
void tone_fill(struct tone *t, double hz, int amplitude, uint8_t *out, size_t n);

/* Checks a WAV file of n bytes: NULL with its samples (16-bit little-endian) at *pcm,
 * *samples of them, or why it is not 8 kHz mono 16-bit PCM. */
const char *wav_pcm(const uint8_t *p, size_t n, const uint8_t **pcm, size_t *samples);

/* Writes a 12-byte RTP header. */
void rtp_header(uint8_t *out, bool marker, unsigned pt, uint16_t seq, uint32_t ts, uint32_t ssrc);

struct rtp_pkt {
	bool marker;
	unsigned pt;
	uint16_t seq;
	uint32_t ts, ssrc;
	size_t payload, len; /* offset and length of the payload */
};

/* Parses an RTP packet: 0, or -1 when it is not one. */
int rtp_parse(const uint8_t *p, size_t n, struct rtp_pkt *r);

/*
 * A received stream. Sequence numbers are extended to 64 bits around the highest seen;
 * expected is the span from the lowest to the highest, received counts each number
 * once, duplicates the rest. A new SSRC starts a new span, the old one kept in the
 * totals.
 */
struct rtp_rx {
	bool started;
	uint32_t ssrc;
	int64_t base, max;                     /* extended numbers of the current span */
	uint64_t received;                     /* of the current span */
	uint64_t done_expected, done_received; /* of the spans before */
	uint64_t duplicates;
	uint64_t seen[RTP_DUP_WINDOW / 64]; /* bit (x % RTP_DUP_WINDOW): number x received */
};

void rtp_rx_add(struct rtp_rx *rx, uint32_t ssrc, uint16_t seq);

struct rtp_count {
	uint64_t received, expected, lost, duplicates;
};

struct rtp_count rtp_rx_count(const struct rtp_rx *rx);

#endif
