/*
 * fuzz_pcap.c - libFuzzer target for the pcap reader (media/pcap.c) and one view's WAV
 * (media/rec.c) over captures in memory.
 *
 * The input is a control header, then up to three captures back to back:
 *
 *   byte 0      captures - 1 (low two bits; 3 counts as 2)
 *   bytes 1-4   the first two captures' lengths (16-bit little-endian each, cut to what
 *               is left; the last capture takes the rest)
 *   bytes 5-12  two intervals: a start (signed 16-bit, modulo SPAN, in 10 ms, from the
 *               first record of the first capture) and a length (unsigned 16-bit, modulo
 *               SPAN, in 10 ms, plus 1 us)
 *   byte 13     how many of them the view has (modulo 3)
 *
 * Intervals near the captures' own times keep the WAV short (its length is bounded by
 * their span, checked below) whatever times the records claim, and their span (up to
 * 20 s) still exceeds the mixing window (REC_WINDOW), so the window moves on.
 *
 * Checked: each capture read through pcap_iter gives records inside the input, and each
 * record's UDP payload and RTP payload lie inside the record; rec_mix fails exactly when
 * a capture's file header is not valid, with a reason; otherwise every record lands in
 * exactly one count, the record and corrupt counts agree with the iterator's framing,
 * the WAV's header matches its length and the sample count, and the sidecar is JSON with
 * the same sample count.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <yajl/yajl_tree.h>

#include "../media/pcap.h"
#include "../media/rec.h"

#define CTL 14        /* the control header */
#define CAPS_MAX 3    /* captures in one input */
#define STEP_US 10000 /* the intervals' unit */
#define SPAN 1000     /* steps: intervals start within 10 s of the first record, last 10 s */
#define ERRBUF_MAX 256
#define WAV_HEAD 44

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_pcap: invariant violated: %s (line %d)\n", #cond,    \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether [p, p + n) lies inside [lo, lo + len). */
static int inside(const uint8_t *p, size_t n, const uint8_t *lo, size_t len)
{
	return p >= lo && n <= len && (size_t)(p - lo) <= len - n;
}

/* What the iterator makes of one capture, every record decoded down to RTP. */
struct framing {
	int header_ok;
	uint64_t records; /* as rec_mix counts them: a record cut off at the end is one */
	uint64_t corrupt;
	int64_t first_us; /* the first record's time, 0 when none */
};

static void frame(const uint8_t *p, size_t len, struct framing *fr)
{
	struct pcap_iter it;
	struct pcap_rec r;
	struct pcap_udp u;
	struct pcap_rtp rtp;
	const uint8_t *d;
	int k;

	memset(fr, 0, sizeof(*fr));
	fr->header_ok = pcap_iter_open(&it, p, len) == PCAP_OK;
	if (!fr->header_ok)
		return;
	while ((k = pcap_iter_next(&it, &r, &d)) == 1) {
		CHECK(inside(d, r.caplen, p, len));
		CHECK(r.caplen <= PCAP_CAPLEN_MAX && r.caplen <= r.origlen);
		if (fr->records++ == 0)
			fr->first_us = r.time_us;
		if (pcap_packet(&it.file, d, r.caplen, &u) != PCAP_UDP)
			continue;
		CHECK(u.family == 4 || u.family == 6);
		CHECK(inside(u.payload, u.len, d, r.caplen));
		if (pcap_rtp_parse(u.payload, u.len, &rtp) == PCAP_RTP) {
			CHECK(inside(rtp.payload, rtp.len, u.payload, u.len));
			CHECK(rtp.pt < 128);
		}
	}
	CHECK(k == 0 || k == -PCAP_SHORT || k == -PCAP_CORRUPT);
	CHECK(pcap_iter_next(&it, &r, &d) == k); /* it stays at its end */
	fr->records += k == -PCAP_SHORT;
	fr->corrupt = k == -PCAP_CORRUPT;
}

/* A file in memory: rec_mix writes the WAV's header last, after a seek back, which
 * open_memstream's streams do not take (they end where the last write did). */
static FILE *mem_file(const char *name)
{
	int fd = memfd_create(name, 0);
	FILE *f = fd >= 0 ? fdopen(fd, "w+b") : NULL;

	CHECK(f != NULL);
	return f;
}

/* A file's bytes, NUL-terminated, malloc'd; the file closed. */
static char *contents(FILE *f, size_t *len)
{
	long n;
	char *b;

	CHECK(fflush(f) == 0 && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0);
	rewind(f);
	b = malloc((size_t)n + 1);
	CHECK(b != NULL && fread(b, 1, (size_t)n, f) == (size_t)n);
	b[n] = '\0';
	*len = (size_t)n;
	CHECK(fclose(f) == 0);
	return b;
}

/* The WAV's header against its bytes. */
static void check_wav(const uint8_t *w, size_t len, uint64_t samples)
{
	CHECK(len == WAV_HEAD + 2 * samples);
	CHECK(memcmp(w, "RIFF", 4) == 0 && memcmp(w + 8, "WAVEfmt ", 8) == 0);
	CHECK(le32(w + 4) == len - 8);
	CHECK(le16(w + 20) == 1 && le16(w + 22) == 1 && le32(w + 24) == REC_RATE);
	CHECK(le16(w + 34) == 16 && memcmp(w + 36, "data", 4) == 0);
	CHECK(le32(w + 40) == len - WAV_HEAD);
}

static void check_json(const char *json, const struct rec_stats *st)
{
	char err[ERRBUF_MAX];
	const char *samples[] = {"samples", NULL}, *streams[] = {"streams", NULL};
	yajl_val tree = yajl_tree_parse(json, err, sizeof(err));
	yajl_val v;

	if (!tree)
		fprintf(stderr, "fuzz_pcap: sidecar not JSON (%s):\n%s\n", err, json);
	CHECK(tree != NULL);
	v = yajl_tree_get(tree, samples, yajl_t_number);
	CHECK(v && YAJL_IS_INTEGER(v) && (uint64_t)YAJL_GET_INTEGER(v) == st->samples);
	v = yajl_tree_get(tree, streams, yajl_t_array);
	CHECK(v && v->u.array.len == st->streams);
	yajl_tree_free(tree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec_input in[CAPS_MAX];
	struct framing fr[CAPS_MAX];
	struct rec_interval iv[2];
	struct rec_stats st;
	uint8_t *copy[CAPS_MAX] = {0};
	char *wav = NULL, *json = NULL;
	size_t wav_len = 0, json_len = 0, off = CTL, ncap, niv;
	int all_ok = 1;
	FILE *fw, *fj;

	if (size < CTL)
		return 0;
	ncap = (data[0] & 3) == 3 ? 2 : (size_t)(data[0] & 3) + 1;
	for (size_t i = 0; i < ncap; i++) {
		size_t left = size - off, n = i + 1 < ncap && i < 2 ? le16(data + 1 + 2 * i) : left;
		if (n > left)
			n = left;
		/* each capture in a buffer of exactly its bytes: ASan sees reads past them */
		copy[i] = malloc(n ? n : 1);
		CHECK(copy[i] != NULL);
		memcpy(copy[i], data + off, n);
		in[i] = (struct rec_input){NULL, copy[i], n};
		off += n;
		frame(copy[i], n, &fr[i]);
		all_ok &= fr[i].header_ok;
	}
	niv = data[13] % 3;
	for (size_t i = 0; i < 2; i++) {
		int start = (int16_t)le16(data + 5 + 4 * i) % SPAN;
		int len = le16(data + 7 + 4 * i) % SPAN;
		iv[i].from_us = fr[0].first_us + (int64_t)start * STEP_US;
		iv[i].to_us = iv[i].from_us + (int64_t)len * STEP_US + 1;
	}

	fw = mem_file("wav");
	fj = mem_file("json");
	int rc = rec_mix(in, ncap, iv, niv, fw, fj, &st);
	wav = contents(fw, &wav_len);
	json = contents(fj, &json_len);
	CHECK((rc == 0) == all_ok);
	if (rc != 0) {
		CHECK(st.error[0] != '\0');
	} else {
		uint64_t records = 0, corrupt = 0;
		for (size_t i = 0; i < ncap; i++) {
			records += fr[i].records;
			corrupt += fr[i].corrupt;
		}
		CHECK(st.records == records);
		CHECK(st.corrupt == corrupt);
		CHECK(st.records == st.truncated + st.not_udp + st.rtcp + st.not_rtp + st.outside +
		                        st.duplicate + st.other_pt + st.late + st.dropped +
		                        st.mixed);
		CHECK(st.streams <= REC_STREAMS_MAX);
		CHECK(st.mixed == 0 || st.has_origin);
		/* no sample before the first interval's start or past the last one's end, give
		 * or take the anchor's tolerance and one packet */
		if (niv > 0) {
			int64_t lo = iv[0].from_us, hi = iv[0].to_us;
			for (size_t i = 1; i < niv; i++) {
				lo = iv[i].from_us < lo ? iv[i].from_us : lo;
				hi = iv[i].to_us > hi ? iv[i].to_us : hi;
			}
			CHECK(st.samples <= (uint64_t)((hi - lo) / 125 + REC_ANCHOR_TOLERANCE +
			                               REC_PACKET_SAMPLES_MAX + 1));
		} else {
			CHECK(st.samples == 0 && st.mixed == 0);
		}
		check_wav((const uint8_t *)wav, wav_len, st.samples);
		check_json(json, &st);
	}
	free(wav);
	free(json);
	for (size_t i = 0; i < ncap; i++)
		free(copy[i]);
	return 0;
}
