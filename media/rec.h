/*
 * rec.h - one view's WAV from rtpengine's pcap recordings of a call.
 *
 * rtpengine (recording-method pcap) writes a call's RTP, both directions, into pcap
 * files, a new file each time recording starts again. A view of the call records
 * during its intervals; its WAV holds the G.711 audio of the packets captured inside
 * them and nothing else: mono, 16-bit, 8 kHz, both directions mixed, the time between
 * intervals and lost packets silent. Sample 0 is the first packet counted (the origin);
 * every stream (an SSRC from one address) is placed by its RTP timestamps, anchored to
 * the capture's clock by its first packet counted, again when the two disagree by more
 * than REC_ANCHOR_TOLERANCE. Memory stays bounded however long the call: the mix goes
 * through a window of REC_WINDOW samples written out as the packets move on.
 */
#ifndef PC_MEDIA_REC_H
#define PC_MEDIA_REC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REC_RATE 8000 /* G.711's sample rate, the WAV's */
#define REC_FILES_MAX 256
#define REC_INTERVALS_MAX 4096
#define REC_STREAMS_MAX 64        /* streams of one view; packets of more are dropped */
#define REC_RUNS_MAX 1024         /* runs of sequence numbers kept per stream, for the sidecar */
#define REC_WINDOW (REC_RATE * 8) /* the mixing window: 8 s of samples */
/* A stream whose RTP clock and the capture's differ by more than this is re-anchored. */
#define REC_ANCHOR_TOLERANCE (REC_RATE * 1)
#define REC_PACKET_SAMPLES_MAX (REC_RATE / 2) /* longer G.711 payloads are dropped */
/* The most samples a WAV holds: its data chunk's 32-bit size (about 74 hours). */
#define REC_SAMPLES_MAX ((UINT32_MAX - 64) / 2)
#define REC_ERROR_MAX 256

#define REC_PT_PCMU 0
#define REC_PT_PCMA 8

/* A recorded interval: capture times from_us <= t < to_us, microseconds since the epoch. */
struct rec_interval {
	int64_t from_us, to_us;
};

/* A pcap capture to read: a file, or bytes in memory when path is NULL. */
struct rec_input {
	const char *path;
	const void *mem;
	size_t len;
};

/* What a run found; every packet and record lands in exactly one count. */
struct rec_stats {
	uint64_t records;   /* pcap records read */
	uint64_t truncated; /* records captured short of their length, or cut off at the end */
	uint64_t corrupt;   /* files that end in a corrupt record header (the rest unread) */
	uint64_t not_udp;   /* not IPv4/IPv6 UDP, IP fragments, IP or UDP lengths wrong */
	uint64_t rtcp;      /* RTCP packets */
	uint64_t not_rtp;   /* UDP payloads that are not RTP version 2 */
	uint64_t outside;   /* RTP packets outside every interval */
	uint64_t duplicate; /* RTP packets inside whose sequence number was seen just before */
	uint64_t other_pt;  /* inside, of another payload type (telephone-event, comfort noise) */
	uint64_t late;      /* G.711 packets placed before what the window had written out */
	uint64_t dropped;   /* streams over REC_STREAMS_MAX, payloads too long, WAV full */
	uint64_t mixed;     /* G.711 packets in the WAV */
	uint64_t reanchors; /* streams re-anchored to the capture's clock */
	uint64_t samples;   /* the WAV's */
	size_t streams;
	int64_t origin_us; /* the first packet counted; 0 when none */
	int has_origin;
	char error[REC_ERROR_MAX]; /* why a run failed */
};

/* G.711 decoding, ITU-T G.711's tables. */
int16_t rec_ulaw(uint8_t u);
int16_t rec_alaw(uint8_t a);

/*
 * One view's WAV, and its JSON sidecar (origin, intervals, counts, streams with their
 * runs of sequence numbers) when json is not NULL, from n captures of one call and
 * niv intervals (any order; overlapping ones are merged). wav must be a file, its
 * header is written last, after a seek back (not open_memstream's stream, which ends
 * where the last write did). 0 on success; -1 with st->error set when a capture cannot
 * be read or is not a pcap capture, the intervals are invalid, or writing fails.
 */
int rec_mix(const struct rec_input *in, size_t n, const struct rec_interval *iv, size_t niv,
            FILE *wav, FILE *json, struct rec_stats *st);

/* Reads "FROM_US-TO_US" (decimal digits only, FROM_US < TO_US) into iv; -1 if it is not. */
int rec_interval_parse(const char *s, struct rec_interval *iv);

/*
 * rec_mix from pcap files into wav_path and json_path (NULL: no sidecar), each written
 * to a temporary file beside it (mode 0640), flushed to the disk and renamed over it at
 * the end, the sidecar first; a run that fails leaves no temporary file behind.
 */
int rec_view_wav(const char *const *pcaps, size_t n, const struct rec_interval *iv, size_t niv,
                 const char *wav_path, const char *json_path, struct rec_stats *st);

#endif
