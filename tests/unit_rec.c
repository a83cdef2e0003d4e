/*
 * unit_rec.c - tests of media/pcap.c and media/rec.c: the pcap, IP, UDP and RTP reader,
 * G.711 decoding, and a view's WAV and sidecar from captures built here and from a call
 * rtpengine recorded (tests/data/rec-rtpengine-*.pcap, tests/data/rec-rtpengine.md).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yajl/yajl_tree.h>

#include "../media/pcap.c"
#include "../media/rec.c"

#define T0 1700000000000000LL /* capture times of the built captures start here (us) */
#define PTIME_US 20000        /* one packet: 20 ms, 160 samples */
#define PKT 160
#define CAP_MAX (8 << 20) /* a built capture's bytes */
#define PORT_RTPENGINE 30000
#define PORT_A 4000
#define PORT_B 5000

/* ITU-T G.711 decoded, every code: Python's audioop (Sun's reference code) printed it. */
static const int16_t ulaw_ref[256] = {
    -32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956, -23932, -22908, -21884, -20860,
    -19836, -18812, -17788, -16764, -15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412,
    -11900, -11388, -10876, -10364, -9852,  -9340,  -8828,  -8316,  -7932,  -7676,  -7420,  -7164,
    -6908,  -6652,  -6396,  -6140,  -5884,  -5628,  -5372,  -5116,  -4860,  -4604,  -4348,  -4092,
    -3900,  -3772,  -3644,  -3516,  -3388,  -3260,  -3132,  -3004,  -2876,  -2748,  -2620,  -2492,
    -2364,  -2236,  -2108,  -1980,  -1884,  -1820,  -1756,  -1692,  -1628,  -1564,  -1500,  -1436,
    -1372,  -1308,  -1244,  -1180,  -1116,  -1052,  -988,   -924,   -876,   -844,   -812,   -780,
    -748,   -716,   -684,   -652,   -620,   -588,   -556,   -524,   -492,   -460,   -428,   -396,
    -372,   -356,   -340,   -324,   -308,   -292,   -276,   -260,   -244,   -228,   -212,   -196,
    -180,   -164,   -148,   -132,   -120,   -112,   -104,   -96,    -88,    -80,    -72,    -64,
    -56,    -48,    -40,    -32,    -24,    -16,    -8,     0,      32124,  31100,  30076,  29052,
    28028,  27004,  25980,  24956,  23932,  22908,  21884,  20860,  19836,  18812,  17788,  16764,
    15996,  15484,  14972,  14460,  13948,  13436,  12924,  12412,  11900,  11388,  10876,  10364,
    9852,   9340,   8828,   8316,   7932,   7676,   7420,   7164,   6908,   6652,   6396,   6140,
    5884,   5628,   5372,   5116,   4860,   4604,   4348,   4092,   3900,   3772,   3644,   3516,
    3388,   3260,   3132,   3004,   2876,   2748,   2620,   2492,   2364,   2236,   2108,   1980,
    1884,   1820,   1756,   1692,   1628,   1564,   1500,   1436,   1372,   1308,   1244,   1180,
    1116,   1052,   988,    924,    876,    844,    812,    780,    748,    716,    684,    652,
    620,    588,    556,    524,    492,    460,    428,    396,    372,    356,    340,    324,
    308,    292,    276,    260,    244,    228,    212,    196,    180,    164,    148,    132,
    120,    112,    104,    96,     88,     80,     72,     64,     56,     48,     40,     32,
    24,     16,     8,      0,
};

static const int16_t alaw_ref[256] = {
    -5504,  -5248,  -6016,  -5760,  -4480,  -4224,  -4992,  -4736,  -7552,  -7296,  -8064,  -7808,
    -6528,  -6272,  -7040,  -6784,  -2752,  -2624,  -3008,  -2880,  -2240,  -2112,  -2496,  -2368,
    -3776,  -3648,  -4032,  -3904,  -3264,  -3136,  -3520,  -3392,  -22016, -20992, -24064, -23040,
    -17920, -16896, -19968, -18944, -30208, -29184, -32256, -31232, -26112, -25088, -28160, -27136,
    -11008, -10496, -12032, -11520, -8960,  -8448,  -9984,  -9472,  -15104, -14592, -16128, -15616,
    -13056, -12544, -14080, -13568, -344,   -328,   -376,   -360,   -280,   -264,   -312,   -296,
    -472,   -456,   -504,   -488,   -408,   -392,   -440,   -424,   -88,    -72,    -120,   -104,
    -24,    -8,     -56,    -40,    -216,   -200,   -248,   -232,   -152,   -136,   -184,   -168,
    -1376,  -1312,  -1504,  -1440,  -1120,  -1056,  -1248,  -1184,  -1888,  -1824,  -2016,  -1952,
    -1632,  -1568,  -1760,  -1696,  -688,   -656,   -752,   -720,   -560,   -528,   -624,   -592,
    -944,   -912,   -1008,  -976,   -816,   -784,   -880,   -848,   5504,   5248,   6016,   5760,
    4480,   4224,   4992,   4736,   7552,   7296,   8064,   7808,   6528,   6272,   7040,   6784,
    2752,   2624,   3008,   2880,   2240,   2112,   2496,   2368,   3776,   3648,   4032,   3904,
    3264,   3136,   3520,   3392,   22016,  20992,  24064,  23040,  17920,  16896,  19968,  18944,
    30208,  29184,  32256,  31232,  26112,  25088,  28160,  27136,  11008,  10496,  12032,  11520,
    8960,   8448,   9984,   9472,   15104,  14592,  16128,  15616,  13056,  12544,  14080,  13568,
    344,    328,    376,    360,    280,    264,    312,    296,    472,    456,    504,    488,
    408,    392,    440,    424,    88,     72,     120,    104,    24,     8,      56,     40,
    216,    200,    248,    232,    152,    136,    184,    168,    1376,   1312,   1504,   1440,
    1120,   1056,   1248,   1184,   1888,   1824,   2016,   1952,   1632,   1568,   1760,   1696,
    688,    656,    752,    720,    560,    528,    624,    592,    944,    912,    1008,   976,
    816,    784,    880,    848,
};

/* ---- building captures ---- */

/* A capture being built: its bytes, byte order, time unit and link type. */
struct cap {
	uint8_t *p;
	size_t len;
	int be, nsec;
	uint32_t link;
};

static void put(struct cap *c, const void *d, size_t n)
{
	cr_assert_leq(c->len + n, (size_t)CAP_MAX, "capture fits");
	memcpy(c->p + c->len, d, n);
	c->len += n;
}

static void put32(struct cap *c, uint32_t v)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		b[c->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
	put(c, b, 4);
}

static void put16(struct cap *c, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(c->be ? v >> 8 : v), (uint8_t)(c->be ? v : v >> 8)};

	put(c, b, 2);
}

/* A capture with its file header. */
static void cap_init(struct cap *c, uint32_t link, int be, int nsec)
{
	memset(c, 0, sizeof(*c));
	c->p = malloc(CAP_MAX);
	cr_assert_not_null(c->p);
	c->be = be;
	c->nsec = nsec;
	c->link = link;
	put32(c, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(c, 2);
	put16(c, 4);
	put32(c, 0);
	put32(c, 0);
	put32(c, 65535);
	put32(c, link);
}

static void cap_free(struct cap *c)
{
	free(c->p);
	c->p = NULL;
}

/* A record of caplen bytes of d, the packet origlen long, captured at t_us. */
static void cap_rec(struct cap *c, int64_t t_us, const uint8_t *d, size_t caplen, size_t origlen)
{
	put32(c, (uint32_t)(t_us / 1000000));
	put32(c, (uint32_t)(t_us % 1000000 * (c->nsec ? 1000 : 1)));
	put32(c, (uint32_t)caplen);
	put32(c, (uint32_t)origlen);
	put(c, d, caplen);
}

static void be16_at(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32_at(uint8_t *p, uint32_t v)
{
	be16_at(p, (uint16_t)(v >> 16));
	be16_at(p + 2, (uint16_t)v);
}

static const uint8_t lo4[4] = {127, 0, 0, 1};
static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/*
 * A UDP datagram in an IP packet of that family (4 or 6), framed for the link type
 * (Ethernet as rtpengine writes it: zero addresses, then the ethertype); its length.
 */
static size_t udp_pkt(uint8_t *out, uint32_t link, int family, uint16_t sport, uint16_t dport,
                      const uint8_t *pl, size_t n)
{
	size_t off = 0, iph = family == 4 ? 20 : 40;

	if (link == PCAP_LINK_ETHERNET) {
		memset(out, 0, 12);
		be16_at(out + 12, family == 4 ? 0x0800 : 0x86dd);
		off = 14;
	}
	memset(out + off, 0, iph);
	if (family == 4) {
		out[off] = 0x45;
		be16_at(out + off + 2, (uint16_t)(iph + 8 + n));
		out[off + 8] = 64;
		out[off + 9] = 17;
		memcpy(out + off + 12, lo4, 4);
		memcpy(out + off + 16, lo4, 4);
	} else {
		out[off] = 0x60;
		be16_at(out + off + 4, (uint16_t)(8 + n));
		out[off + 6] = 17;
		out[off + 7] = 64;
		memcpy(out + off + 8, lo6, 16);
		memcpy(out + off + 24, lo6, 16);
	}
	off += iph;
	be16_at(out + off, sport);
	be16_at(out + off + 2, dport);
	be16_at(out + off + 4, (uint16_t)(8 + n));
	be16_at(out + off + 6, 0);
	memcpy(out + off + 8, pl, n);
	return off + 8 + n;
}

/* An RTP packet without CSRCs, extension or padding; its length. */
static size_t rtp_pkt(uint8_t *out, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                      const uint8_t *pl, size_t n)
{
	out[0] = 0x80;
	out[1] = pt;
	be16_at(out + 2, seq);
	be32_at(out + 4, ts);
	be32_at(out + 8, ssrc);
	memcpy(out + 12, pl, n);
	return 12 + n;
}

/* One packet of a stream from 127.0.0.1:sport (IPv4), payload n bytes of fill. */
static void cap_rtp(struct cap *c, int64_t t, uint16_t sport, uint32_t ssrc, uint8_t pt,
                    uint16_t seq, uint32_t ts, uint8_t fill, size_t n)
{
	uint8_t pl[2048], r[2100], pkt[2200];
	size_t rl, pl_len;

	cr_assert_leq(n, sizeof(pl));
	memset(pl, fill, n);
	rl = rtp_pkt(r, pt, seq, ts, ssrc, pl, n);
	pl_len = udp_pkt(pkt, c->link, 4, sport, PORT_RTPENGINE, r, rl);
	cap_rec(c, t, pkt, pl_len, pl_len);
}

/* ---- running a view ---- */

struct view {
	struct rec_stats st;
	int rc;
	int16_t *s; /* the WAV's samples */
	size_t n;
	char *json;
	yajl_val tree;
};

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *slurp(FILE *f, size_t *len)
{
	long n;
	uint8_t *b;

	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	b = malloc((size_t)n + 1);
	cr_assert_not_null(b);
	cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

/* Checks a WAV's header against its length and takes its samples. */
static void wav_samples(const uint8_t *w, size_t len, struct view *v)
{
	cr_assert_geq(len, (size_t)WAV_HEADER);
	cr_assert_eq(memcmp(w, "RIFF", 4), 0);
	cr_assert_eq(le32_at(w + 4), len - 8, "RIFF size");
	cr_assert_eq(memcmp(w + 8, "WAVEfmt ", 8), 0);
	cr_assert_eq(le32_at(w + 16), 16u);
	cr_assert_eq(w[20] | w[21] << 8, 1, "PCM");
	cr_assert_eq(w[22] | w[23] << 8, 1, "mono");
	cr_assert_eq(le32_at(w + 24), 8000u, "8 kHz");
	cr_assert_eq(le32_at(w + 28), 16000u);
	cr_assert_eq(w[32] | w[33] << 8, 2);
	cr_assert_eq(w[34] | w[35] << 8, 16, "16-bit");
	cr_assert_eq(memcmp(w + 36, "data", 4), 0);
	cr_assert_eq(le32_at(w + 40), len - WAV_HEADER, "data size");
	v->n = (len - WAV_HEADER) / 2;
	v->s = malloc(v->n * 2 + 2);
	cr_assert_not_null(v->s);
	for (size_t i = 0; i < v->n; i++)
		v->s[i] = (int16_t)(w[WAV_HEADER + 2 * i] | w[WAV_HEADER + 2 * i + 1] << 8);
}

/* rec_mix over captures in memory; the WAV's samples and the sidecar parsed, on success. */
static void run(struct view *v, const struct cap *caps, size_t n, const struct rec_interval *iv,
                size_t niv)
{
	struct rec_input in[8];
	FILE *wav = tmpfile(), *json = tmpfile();
	char err[256];
	uint8_t *w;
	size_t len;

	cr_assert(n <= 8 && wav && json);
	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		in[i] = (struct rec_input){NULL, caps[i].p, caps[i].len};
	v->rc = rec_mix(in, n, iv, niv, wav, json, &v->st);
	if (v->rc == 0) {
		w = slurp(wav, &len);
		wav_samples(w, len, v);
		free(w);
		cr_assert_eq(v->n, v->st.samples);
		v->json = (char *)slurp(json, &len);
		v->tree = yajl_tree_parse(v->json, err, sizeof(err));
		cr_assert_not_null(v->tree, "sidecar is JSON: %s\n%s", err, v->json);
	}
	fclose(wav);
	fclose(json);
}

static void view_free(struct view *v)
{
	free(v->s);
	free(v->json);
	yajl_tree_free(v->tree);
	memset(v, 0, sizeof(*v));
}

/* Every record lands in exactly one count. */
static void counts_add_up(const struct rec_stats *st)
{
	cr_assert_eq(st->records,
	             st->truncated + st->not_udp + st->rtcp + st->not_rtp + st->outside +
	                 st->duplicate + st->other_pt + st->late + st->dropped + st->mixed,
	             "every record counted once");
}

static yajl_val jget(yajl_val v, const char *path)
{
	const char *p[8];
	char buf[256], *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *t = strtok_r(buf, ".", &save); t && n < 7; t = strtok_r(NULL, ".", &save))
		p[n++] = t;
	p[n] = NULL;
	return yajl_tree_get(v, p, yajl_t_any);
}

static long long jint(yajl_val v, const char *path)
{
	yajl_val x = jget(v, path);

	cr_assert(x && YAJL_IS_INTEGER(x), "%s is an integer", path);
	return YAJL_GET_INTEGER(x);
}

/* The i-th element of an array at path. */
static yajl_val jat(yajl_val v, const char *path, size_t i)
{
	yajl_val a = jget(v, path);

	cr_assert(a && YAJL_IS_ARRAY(a), "%s is an array", path);
	cr_assert_lt(i, a->u.array.len, "%s has element %zu", path, i);
	return a->u.array.values[i];
}

static size_t jlen(yajl_val v, const char *path)
{
	yajl_val a = jget(v, path);

	cr_assert(a && YAJL_IS_ARRAY(a), "%s is an array", path);
	return a->u.array.len;
}

/* Asserts samples [from, to) all equal want. */
static void all_eq(const struct view *v, size_t from, size_t to, int want, const char *what)
{
	cr_assert_leq(to, v->n, "%s: within the WAV", what);
	for (size_t i = from; i < to; i++)
		cr_assert_eq(v->s[i], want, "%s: sample %zu is %d, want %d", what, i, v->s[i],
		             want);
}

/* ---- G.711 ---- */

Test(rec, g711_every_code_decodes_as_the_reference)
{
	for (int b = 0; b < 256; b++) {
		cr_assert_eq(rec_ulaw((uint8_t)b), ulaw_ref[b], "u-law 0x%02x", b);
		cr_assert_eq(rec_alaw((uint8_t)b), alaw_ref[b], "A-law 0x%02x", b);
	}
	/* the codes silence and full scale are known by */
	cr_assert_eq(rec_ulaw(0xff), 0);
	cr_assert_eq(rec_ulaw(0x80), 32124);
	cr_assert_eq(rec_alaw(0xd5), 8);
	cr_assert_eq(rec_alaw(0x55), -8);
	cr_assert_eq(rec_alaw(0xaa), 32256);
}

/* ---- the reader ---- */

Test(rec, pcap_header_byte_orders_and_time_units)
{
	static const struct {
		int be, nsec;
	} kinds[] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
	struct pcap_file f;
	struct pcap_rec r;
	struct cap c;
	uint8_t d[4] = {0};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		cap_init(&c, PCAP_LINK_RAW, kinds[i].be, kinds[i].nsec);
		cap_rec(&c, T0 + 123456, d, sizeof(d), sizeof(d));
		cr_assert_eq(pcap_file_header(c.p, c.len, &f), PCAP_OK);
		cr_assert_eq(f.big_endian, kinds[i].be);
		cr_assert_eq(f.nsec, kinds[i].nsec);
		cr_assert_eq(f.linktype, (uint32_t)PCAP_LINK_RAW);
		cr_assert_eq(f.snaplen, 65535u);
		cr_assert_eq(pcap_record_header(&f, c.p + PCAP_FILE_HEADER, &r), PCAP_OK);
		cr_assert_eq(r.time_us, T0 + 123456, "kind %zu", i);
		cr_assert_eq(r.caplen, 4u);
		cr_assert_eq(r.origlen, 4u);
		cap_free(&c);
	}
	/* nanoseconds are cut to microseconds */
	cap_init(&c, PCAP_LINK_ETHERNET, 0, 1);
	put32(&c, 5);
	put32(&c, 999999999);
	put32(&c, 0);
	put32(&c, 0);
	cr_assert_eq(pcap_file_header(c.p, c.len, &f), PCAP_OK);
	cr_assert_eq(pcap_record_header(&f, c.p + PCAP_FILE_HEADER, &r), PCAP_OK);
	cr_assert_eq(r.time_us, 5999999);
	cap_free(&c);
}

Test(rec, pcap_header_refusals)
{
	struct pcap_file f;
	struct pcap_rec r;
	struct cap c;

	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	cr_assert_eq(pcap_file_header(c.p, PCAP_FILE_HEADER - 1, &f), PCAP_SHORT);
	c.p[0] ^= 1;
	cr_assert_eq(pcap_file_header(c.p, c.len, &f), PCAP_MAGIC);
	c.p[0] ^= 1;
	c.p[4] = 1; /* version 1.4 */
	cr_assert_eq(pcap_file_header(c.p, c.len, &f), PCAP_VERSION);
	c.p[4] = 2;
	cap_free(&c);
	static const uint32_t links[] = {0, 113, 105, 12};
	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++) {
		cap_init(&c, links[i], 1, 0);
		cr_assert_eq(pcap_file_header(c.p, c.len, &f), PCAP_LINKTYPE, "link %u", links[i]);
		cap_free(&c);
	}
	cap_init(&c, PCAP_LINK_ETHERNET | 0x10000, 0, 0); /* a reserved bit */
	cr_assert_eq(pcap_file_header(c.p, c.len, &f), PCAP_LINKTYPE);
	cap_free(&c);
	/* record headers no writer produces */
	static const uint32_t bad[][4] = {
	    {1, 1000000, 10, 10},                    /* microseconds past a second */
	    {1, 0, PCAP_CAPLEN_MAX + 1, UINT32_MAX}, /* longer than any snapshot */
	    {1, 0, 11, 10},                          /* captured more than there was */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
		for (int k = 0; k < 4; k++)
			put32(&c, bad[i][k]);
		cr_assert_eq(pcap_file_header(c.p, c.len, &f), PCAP_OK);
		cr_assert_eq(pcap_record_header(&f, c.p + PCAP_FILE_HEADER, &r), PCAP_CORRUPT,
		             "bad record %zu", i);
		cap_free(&c);
	}
}

Test(rec, packet_link_types_and_ip_versions)
{
	static const uint32_t links[] = {PCAP_LINK_ETHERNET, PCAP_LINK_RAW, PCAP_LINK_IPV4,
	                                 PCAP_LINK_IPV6};
	const uint8_t pl[5] = {1, 2, 3, 4, 5};
	uint8_t pkt[200];
	struct pcap_file f = {0};
	struct pcap_udp u;

	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++) {
		for (int fam = 4; fam <= 6; fam += 2) {
			f.linktype = links[i];
			size_t n = udp_pkt(pkt, links[i] == PCAP_LINK_ETHERNET ? links[i] : 0, fam,
			                   1234, 5678, pl, sizeof(pl));
			enum pcap_kind want = (links[i] == PCAP_LINK_IPV4 && fam == 6) ||
			                              (links[i] == PCAP_LINK_IPV6 && fam == 4)
			                          ? PCAP_MALFORMED
			                          : PCAP_UDP;
			cr_assert_eq(pcap_packet(&f, pkt, n, &u), want, "link %u IPv%d", links[i],
			             fam);
			if (want != PCAP_UDP)
				continue;
			cr_assert_eq(u.family, fam);
			cr_assert_eq(u.sport, 1234);
			cr_assert_eq(u.dport, 5678);
			cr_assert_eq(u.len, sizeof(pl));
			cr_assert_eq(memcmp(u.payload, pl, sizeof(pl)), 0);
			cr_assert_eq(memcmp(u.src, fam == 4 ? lo4 : lo6, fam == 4 ? 4 : 16), 0);
			/* every shorter capture of it is refused, never read past */
			for (size_t k = 0; k < n; k++)
				cr_assert_neq(pcap_packet(&f, pkt, k, &u), PCAP_UDP, "cut at %zu",
				              k);
		}
	}
}

Test(rec, packet_what_is_not_a_whole_udp_datagram)
{
	const uint8_t pl[8] = {0};
	uint8_t pkt[200], tagged[204];
	struct pcap_file f = {.linktype = PCAP_LINK_ETHERNET};
	struct pcap_udp u;
	size_t n = udp_pkt(pkt, PCAP_LINK_ETHERNET, 4, 1, 2, pl, sizeof(pl));

	/* Ethernet padding past the IP packet is left out */
	uint8_t padded[200];
	memcpy(padded, pkt, n);
	memset(padded + n, 0xee, 10);
	cr_assert_eq(pcap_packet(&f, padded, n + 10, &u), PCAP_UDP);
	cr_assert_eq(u.len, sizeof(pl));
	/* an 802.1Q tag is stepped over */
	memcpy(tagged, pkt, 12);
	be16_at(tagged + 12, 0x8100);
	be16_at(tagged + 14, 42);
	memcpy(tagged + 16, pkt + 12, n - 12);
	cr_assert_eq(pcap_packet(&f, tagged, n + 4, &u), PCAP_UDP);
	/* ARP, TCP, a fragment, a second fragment */
	pkt[12] = 0x08, pkt[13] = 0x06;
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_NOT_UDP);
	pkt[13] = 0x00;
	pkt[14 + 9] = 6;
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_NOT_UDP);
	pkt[14 + 9] = 17;
	pkt[14 + 6] = 0x20; /* more fragments */
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_NOT_UDP);
	pkt[14 + 6] = 0x00, pkt[14 + 7] = 0x10; /* offset 16 */
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_NOT_UDP);
	pkt[14 + 7] = 0;
	pkt[14 + 6] = 0x40; /* don't fragment: whole */
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_UDP);
	/* lengths that do not fit: IP total, IP header, UDP length, a wrong version */
	be16_at(pkt + 14 + 2, (uint16_t)(n - 14 + 1));
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_MALFORMED);
	be16_at(pkt + 14 + 2, (uint16_t)(n - 14));
	pkt[14] = 0x44;
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_MALFORMED);
	pkt[14] = 0x4f; /* 60-byte header, longer than the packet */
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_MALFORMED);
	pkt[14] = 0x65;
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_MALFORMED);
	pkt[14] = 0x45;
	be16_at(pkt + 14 + 20 + 4, (uint16_t)(sizeof(pl) + 8 + 1));
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_MALFORMED);
	be16_at(pkt + 14 + 20 + 4, 7);
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_MALFORMED);
	/* IPv6 with an extension header */
	n = udp_pkt(pkt, PCAP_LINK_ETHERNET, 6, 1, 2, pl, sizeof(pl));
	pkt[14 + 6] = 44;
	cr_assert_eq(pcap_packet(&f, pkt, n, &u), PCAP_NOT_UDP);
}

Test(rec, rtp_header_fields_csrc_extension_padding)
{
	uint8_t p[64] = {0};
	struct pcap_rtp r;

	/* version 2, padding, extension, 2 CSRCs; marker, PT 8 */
	p[0] = 0x80 | 0x20 | 0x10 | 2;
	p[1] = 0x80 | 8;
	be16_at(p + 2, 0xfffe);
	be32_at(p + 4, 0xdeadbeef);
	be32_at(p + 8, 0x01020304);
	/* CSRCs at 12..20, extension header at 20: profile, 1 word, the word at 24..28 */
	be16_at(p + 22, 1);
	memset(p + 28, 0x77, 10); /* payload 28..38 */
	p[38] = 0, p[39] = 2;     /* 2 bytes of padding */
	cr_assert_eq(pcap_rtp_parse(p, 40, &r), PCAP_RTP);
	cr_assert_eq(r.pt, 8);
	cr_assert_eq(r.marker, 1);
	cr_assert_eq(r.seq, 0xfffe);
	cr_assert_eq(r.ts, 0xdeadbeefu);
	cr_assert_eq(r.ssrc, 0x01020304u);
	cr_assert_eq(r.payload, p + 28);
	cr_assert_eq(r.len, (size_t)10);
	/* padding counting past the header, or zero */
	p[39] = 13;
	cr_assert_eq(pcap_rtp_parse(p, 40, &r), PCAP_NOT_RTP);
	p[39] = 12;
	cr_assert_eq(pcap_rtp_parse(p, 40, &r), PCAP_RTP);
	cr_assert_eq(r.len, (size_t)0);
	p[39] = 0;
	cr_assert_eq(pcap_rtp_parse(p, 40, &r), PCAP_NOT_RTP);
	p[39] = 2;
	/* an extension longer than the packet; CSRCs past the end */
	be16_at(p + 22, 5);
	cr_assert_eq(pcap_rtp_parse(p, 40, &r), PCAP_NOT_RTP);
	be16_at(p + 22, 1);
	for (size_t k = 0; k < 28; k++)
		cr_assert_eq(pcap_rtp_parse(p, k, &r), PCAP_NOT_RTP, "cut at %zu", k);
	p[0] = 0x80 | 15;
	cr_assert_eq(pcap_rtp_parse(p, 40, &r), PCAP_NOT_RTP);
	/* RTCP, other versions */
	p[0] = 0x80, p[1] = 200;
	cr_assert_eq(pcap_rtp_parse(p, 28, &r), PCAP_RTCP);
	p[1] = 223;
	cr_assert_eq(pcap_rtp_parse(p, 28, &r), PCAP_RTCP);
	p[1] = 224; /* PT 96 with the marker: RTP */
	cr_assert_eq(pcap_rtp_parse(p, 28, &r), PCAP_RTP);
	p[0] = 0x40; /* version 1 */
	cr_assert_eq(pcap_rtp_parse(p, 28, &r), PCAP_NOT_RTP);
	p[0] = 0x00; /* STUN */
	cr_assert_eq(pcap_rtp_parse(p, 28, &r), PCAP_NOT_RTP);
}

Test(rec, iterator_records_cut_short_and_corrupt)
{
	struct pcap_iter it;
	struct pcap_rec r;
	const uint8_t *d;
	uint8_t data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct cap c;

	cap_init(&c, PCAP_LINK_RAW, 1, 0);
	cap_rec(&c, T0, data, 10, 10);
	cap_rec(&c, T0 + 1, data, 4, 10);
	size_t whole = c.len;
	cap_rec(&c, T0 + 2, data, 10, 10);
	cr_assert_eq(pcap_iter_open(&it, c.p, c.len), PCAP_OK);
	cr_assert_eq(pcap_iter_next(&it, &r, &d), 1);
	cr_assert_eq(r.time_us, T0);
	cr_assert_eq(d, c.p + PCAP_FILE_HEADER + PCAP_RECORD_HEADER);
	cr_assert_eq(pcap_iter_next(&it, &r, &d), 1);
	cr_assert_eq(r.caplen, 4u);
	cr_assert_eq(r.origlen, 10u);
	cr_assert_eq(pcap_iter_next(&it, &r, &d), 1);
	cr_assert_eq(pcap_iter_next(&it, &r, &d), 0);
	cr_assert_eq(pcap_iter_next(&it, &r, &d), 0);
	/* cut inside the last record's bytes, then inside its header */
	for (size_t cut = whole + 1; cut < c.len; cut++) {
		cr_assert_eq(pcap_iter_open(&it, c.p, cut), PCAP_OK);
		cr_assert_eq(pcap_iter_next(&it, &r, &d), 1);
		cr_assert_eq(pcap_iter_next(&it, &r, &d), 1);
		cr_assert_eq(pcap_iter_next(&it, &r, &d), -PCAP_SHORT, "cut at %zu", cut);
		cr_assert_null(d);
		cr_assert_eq(pcap_iter_next(&it, &r, &d), -PCAP_SHORT);
	}
	/* a captured length past PCAP_CAPLEN_MAX */
	c.p[whole + 8] = 0x7f;
	cr_assert_eq(pcap_iter_open(&it, c.p, c.len), PCAP_OK);
	cr_assert_eq(pcap_iter_next(&it, &r, &d), 1);
	cr_assert_eq(pcap_iter_next(&it, &r, &d), 1);
	cr_assert_eq(pcap_iter_next(&it, &r, &d), -PCAP_CORRUPT);
	cr_assert_eq(pcap_iter_open(&it, c.p, 10), PCAP_SHORT);
	cr_assert_eq(pcap_iter_next(&it, &r, &d), -PCAP_SHORT);
	cap_free(&c);
}

/* ---- a view's WAV ---- */

/* A stream from PORT_A: k packets from packet first on, u-law byte fill. */
static void stream_a(struct cap *c, int first, int k, uint8_t fill)
{
	for (int i = first; i < first + k; i++)
		cap_rtp(c, T0 + (int64_t)i * PTIME_US, PORT_A, 0xa, REC_PT_PCMU,
		        (uint16_t)(100 + i), (uint32_t)(5000 + i * PKT), fill, PKT);
}

Test(rec, link_types_and_byte_orders_give_the_same_wav)
{
	struct cap a, b;
	struct view va, vb;
	const struct rec_interval all = {T0, T0 + 10 * 1000000LL};

	cap_init(&a, PCAP_LINK_ETHERNET, 0, 0);
	cap_init(&b, PCAP_LINK_RAW, 1, 1);
	for (int i = 0; i < 20; i++) {
		cap_rtp(&a, T0 + i * PTIME_US, PORT_A, 1, REC_PT_PCMU, (uint16_t)i,
		        (uint32_t)(i * PKT), (uint8_t)(0x80 + i), PKT);
		cap_rtp(&b, T0 + i * PTIME_US, PORT_A, 1, REC_PT_PCMU, (uint16_t)i,
		        (uint32_t)(i * PKT), (uint8_t)(0x80 + i), PKT);
	}
	run(&va, &a, 1, &all, 1);
	run(&vb, &b, 1, &all, 1);
	cr_assert_eq(va.rc, 0, "%s", va.st.error);
	cr_assert_eq(vb.rc, 0, "%s", vb.st.error);
	cr_assert_eq(va.n, (size_t)(20 * PKT));
	cr_assert_eq(vb.n, va.n);
	cr_assert_eq(memcmp(va.s, vb.s, va.n * 2), 0, "same samples");
	for (int i = 0; i < 20; i++)
		all_eq(&va, (size_t)i * PKT, (size_t)(i + 1) * PKT, ulaw_ref[0x80 + i], "packet");
	cr_assert_eq(va.st.mixed, 20u);
	counts_add_up(&va.st);
	view_free(&va);
	view_free(&vb);
	cap_free(&a);
	cap_free(&b);
}

/*
 * A call recorded in two captures, stopped for 0.5 s in between: the RTP timestamps run
 * on, so the second capture's audio lands 0.5 s after the first's end.
 */
Test(rec, two_captures_rtp_gap_is_silence)
{
	struct cap c[2];
	struct view v;
	const struct rec_interval iv[] = {{T0 + 1500000, T0 + 2500000}, {T0, T0 + 1000000}};

	cap_init(&c[0], PCAP_LINK_ETHERNET, 0, 0);
	cap_init(&c[1], PCAP_LINK_ETHERNET, 0, 0);
	stream_a(&c[0], 0, 50, 0x8f);
	stream_a(&c[1], 75, 50, 0x9f);
	/* the second capture first: they are merged by time */
	struct cap swapped[2] = {c[1], c[0]};
	run(&v, swapped, 2, iv, 2);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.n, (size_t)20000);
	all_eq(&v, 0, 8000, ulaw_ref[0x8f], "first capture");
	all_eq(&v, 8000, 12000, 0, "stopped");
	all_eq(&v, 12000, 20000, ulaw_ref[0x9f], "second capture");
	cr_assert_eq(v.st.origin_us, T0);
	cr_assert_eq(v.st.mixed, 100u);
	cr_assert_eq(v.st.reanchors, 0u);
	/* intervals sorted in the sidecar; the gap across them is no loss */
	cr_assert_eq(jint(jat(v.tree, "intervals", 0), "from"), T0);
	cr_assert_eq(jint(jat(v.tree, "intervals", 1), "to"), T0 + 2500000);
	yajl_val s = jat(v.tree, "streams", 0);
	cr_assert_eq(jint(s, "lost"), 0);
	cr_assert_eq(jlen(s, "runs"), (size_t)2);
	cr_assert_eq(jint(jat(s, "runs", 0), "lastSeq"), 149);
	cr_assert_eq(jint(jat(s, "runs", 1), "firstSeq"), 175);
	cr_assert_eq(jint(jat(s, "runs", 1), "from"), T0 + 75 * PTIME_US);
	cr_assert_eq(jint(jat(s, "runs", 1), "to"), T0 + 124 * PTIME_US);
	counts_add_up(&v.st);
	view_free(&v);
	cap_free(&c[0]);
	cap_free(&c[1]);
}

/* The capture holds audio the view did not record (another view did): it stays out. */
Test(rec, stopped_view_holds_no_stopped_audio)
{
	struct cap c;
	struct view v;
	const struct rec_interval iv[] = {{T0, T0 + 1000000}, {T0 + 1500000, T0 + 2500000}};

	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	stream_a(&c, 0, 125, 0x8f);
	run(&v, &c, 1, iv, 2);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.n, (size_t)20000);
	all_eq(&v, 0, 8000, ulaw_ref[0x8f], "recorded");
	all_eq(&v, 8000, 12000, 0, "stopped");
	all_eq(&v, 12000, 20000, ulaw_ref[0x8f], "recorded again");
	cr_assert_eq(v.st.outside, 25u);
	cr_assert_eq(v.st.mixed, 100u);
	view_free(&v);
	/* a view that starts late: its origin is its first packet */
	const struct rec_interval late = {T0 + 2000000, T0 + 9000000};
	run(&v, &c, 1, &late, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.st.origin_us, T0 + 2000000);
	cr_assert_eq(v.n, (size_t)4000);
	cr_assert_str_eq(YAJL_GET_STRING(jget(v.tree, "origin")), "2023-11-14T22:13:22.000000Z");
	cr_assert_eq(jint(v.tree, "originUs"), T0 + 2000000);
	view_free(&v);
	cap_free(&c);
}

Test(rec, interval_bounds_from_included_to_excluded)
{
	static const struct {
		int64_t t;
		int in;
	} cases[] = {
	    {T0 - 1, 0}, {T0, 1}, {T0 + 999999, 1}, {T0 + 1000000, 0}, {T0 + 1000001, 0},
	};
	const struct rec_interval iv = {T0, T0 + 1000000};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct cap c;
		struct view v;
		cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
		cap_rtp(&c, cases[i].t, PORT_A, 1, REC_PT_PCMU, 1, 1, 0x8f, PKT);
		run(&v, &c, 1, &iv, 1);
		cr_assert_eq(v.rc, 0);
		cr_assert_eq(v.st.mixed, (uint64_t)cases[i].in, "t = T0%+lld",
		             (long long)(cases[i].t - T0));
		cr_assert_eq(v.st.outside, (uint64_t)!cases[i].in);
		cr_assert_eq(v.n, cases[i].in ? (size_t)PKT : 0);
		if (!cases[i].in)
			cr_assert(YAJL_IS_NULL(jget(v.tree, "origin")));
		view_free(&v);
		cap_free(&c);
	}
	/* an empty or reversed interval is refused */
	const struct rec_interval bad = {T0, T0};
	struct view v;
	run(&v, NULL, 0, &bad, 1);
	cr_assert_eq(v.rc, -1);
	cr_assert_neq(strstr(v.st.error, "empty"), NULL, "%s", v.st.error);
}

Test(rec, sequence_and_timestamp_wrap)
{
	struct cap c;
	struct view v;
	const struct rec_interval all = {0, INT64_MAX};

	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	for (int i = 0; i < 20; i++)
		cap_rtp(&c, T0 + i * PTIME_US, PORT_A, 7, REC_PT_PCMA, (uint16_t)(65530 + i),
		        (uint32_t)(0xfffffc00u + (uint32_t)i * PKT), (uint8_t)(0xd5 + i), PKT);
	run(&v, &c, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.n, (size_t)(20 * PKT), "contiguous across the wraps");
	for (int i = 0; i < 20; i++)
		all_eq(&v, (size_t)i * PKT, (size_t)(i + 1) * PKT, alaw_ref[(0xd5 + i) & 0xff],
		       "packet");
	yajl_val s = jat(v.tree, "streams", 0);
	cr_assert_eq(jint(s, "lost"), 0);
	cr_assert_eq(jint(s, "payloadType"), REC_PT_PCMA);
	cr_assert_eq(jlen(s, "runs"), (size_t)1);
	cr_assert_eq(jint(jat(s, "runs", 0), "firstSeq"), 65530);
	cr_assert_eq(jint(jat(s, "runs", 0), "lastSeq"), 13);
	cr_assert_eq(v.st.reanchors, 0u);
	view_free(&v);
	cap_free(&c);
}

/*
 * A sender that starts its timestamps again (far off the capture's clock) is placed by
 * the capture's clock; a jump within REC_ANCHOR_TOLERANCE is the RTP clock's word.
 */
Test(rec, reanchor_past_the_tolerance_only)
{
	static const struct {
		int64_t jump; /* samples added to the timestamps after packet 10 */
		int reanchored;
		size_t samples;
	} cases[] = {
	    {1000000, 1, 20 * PKT}, /* a reset forward */
	    {-500000, 1, 20 * PKT}, /* a reset backward */
	    {REC_ANCHOR_TOLERANCE / 2, 0, 20 * PKT + REC_ANCHOR_TOLERANCE / 2},
	    {REC_ANCHOR_TOLERANCE + PKT, 1, 20 * PKT},
	};
	const struct rec_interval all = {0, INT64_MAX};

	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		struct cap c;
		struct view v;
		cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
		for (int i = 0; i < 20; i++)
			cap_rtp(&c, T0 + i * PTIME_US, PORT_A, 9, REC_PT_PCMU, (uint16_t)i,
			        (uint32_t)(77777 + i * PKT + (i >= 10 ? cases[k].jump : 0)),
			        i >= 10 ? 0x9f : 0x8f, PKT);
		run(&v, &c, 1, &all, 1);
		cr_assert_eq(v.rc, 0, "%s", v.st.error);
		cr_assert_eq(v.st.reanchors, (uint64_t)cases[k].reanchored, "case %zu", k);
		cr_assert_eq(v.n, cases[k].samples, "case %zu", k);
		all_eq(&v, 0, 10 * PKT, ulaw_ref[0x8f], "before");
		all_eq(&v, v.n - 10 * PKT, v.n, ulaw_ref[0x9f], "after");
		all_eq(&v, 10 * PKT, v.n - 10 * PKT, 0, "between");
		cr_assert_eq(v.st.mixed, 20u);
		view_free(&v);
		cap_free(&c);
	}
}

Test(rec, two_streams_mixed_with_saturation)
{
	struct cap c;
	struct view v;
	const struct rec_interval all = {0, INT64_MAX};

	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	for (int i = 0; i < 10; i++) {
		/* B starts 5 ms after A, with timestamps of its own */
		cap_rtp(&c, T0 + i * PTIME_US, PORT_A, 1, REC_PT_PCMU, (uint16_t)i,
		        (uint32_t)(i * PKT), i < 5 ? 0x8f : 0x00, PKT);
		cap_rtp(&c, T0 + 5000 + i * PTIME_US, PORT_B, 2, REC_PT_PCMA, (uint16_t)(900 + i),
		        (uint32_t)(123 + i * PKT), i < 5 ? 0xaa : 0x2a, PKT);
	}
	run(&v, &c, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.st.streams, (size_t)2);
	cr_assert_eq(v.n, (size_t)(10 * PKT + 40));
	/* u-law 0x8f 16764, 0x00 -32124; A-law 0xaa 32256, 0x2a -32256 */
	all_eq(&v, 0, 40, 16764, "A alone");
	all_eq(&v, 40, 5 * PKT, 32767, "A+B saturated");
	all_eq(&v, 5 * PKT, 5 * PKT + 40, -32124 + 32256, "A+B");
	all_eq(&v, 5 * PKT + 40, 10 * PKT, -32768, "A+B saturated below");
	all_eq(&v, 10 * PKT, 10 * PKT + 40, -32256, "B alone");
	cr_assert_str_eq(YAJL_GET_STRING(jget(jat(v.tree, "streams", 1), "source")),
	                 "127.0.0.1:5000");
	cr_assert_eq(jint(jat(v.tree, "streams", 1), "ssrc"), 2);
	view_free(&v);
	cap_free(&c);
}

/* More packets on one sample than 32 bits can sum: still saturated, never wrapped. */
Test(rec, packets_piled_on_one_place_saturate)
{
	struct cap c;
	struct view v;
	const struct rec_interval all = {0, INT64_MAX};
	const int piled = 70000; /* times 32124 is past INT32_MAX */

	cap_init(&c, PCAP_LINK_RAW, 0, 0);
	for (int i = 0; i < piled; i++)
		cap_rtp(&c, T0, PORT_A, 1, REC_PT_PCMU, (uint16_t)i, 0, 0x80, 1);
	run(&v, &c, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.st.mixed, (uint64_t)piled);
	cr_assert_eq(v.n, (size_t)1);
	cr_assert_eq(v.s[0], 32767);
	view_free(&v);
	cap_free(&c);
}

Test(rec, streams_told_apart_by_ssrc_and_source)
{
	struct cap c;
	struct view v;
	const struct rec_interval all = {0, INT64_MAX};

	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	/* one SSRC from two ports, and a second SSRC from the first port */
	cap_rtp(&c, T0, PORT_A, 1, REC_PT_PCMU, 1, 0, 0xf0, PKT);
	cap_rtp(&c, T0, PORT_B, 1, REC_PT_PCMU, 1, 0, 0xf0, PKT);
	cap_rtp(&c, T0, PORT_A, 2, REC_PT_PCMU, 1, 0, 0xf0, PKT);
	cap_rtp(&c, T0, PORT_A, 1, REC_PT_PCMU, 1, 0, 0xf0, PKT); /* a duplicate */
	run(&v, &c, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.st.streams, (size_t)3);
	cr_assert_eq(v.st.duplicate, 1u);
	all_eq(&v, 0, PKT, 3 * ulaw_ref[0xf0], "three streams, the duplicate left out");
	counts_add_up(&v.st);
	view_free(&v);
	cap_free(&c);
}

Test(rec, lost_packets_are_silence_and_runs_show_them)
{
	struct cap c;
	struct view v;
	const struct rec_interval all = {0, INT64_MAX};

	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	for (int i = 0; i < 10; i++)
		if (i != 3 && i != 4 && i != 7)
			cap_rtp(&c, T0 + i * PTIME_US, PORT_A, 1, REC_PT_PCMU, (uint16_t)(200 + i),
			        (uint32_t)(i * PKT), 0x8f, PKT);
	/* packet 4 arrives late, after 8 */
	cap_rtp(&c, T0 + 8 * PTIME_US + 100, PORT_A, 1, REC_PT_PCMU, 204, 4 * PKT, 0x8f, PKT);
	run(&v, &c, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	all_eq(&v, 0, 3 * PKT, ulaw_ref[0x8f], "0-2");
	all_eq(&v, 3 * PKT, 4 * PKT, 0, "3 lost");
	all_eq(&v, 4 * PKT, 7 * PKT, ulaw_ref[0x8f], "4 late, 5, 6");
	all_eq(&v, 7 * PKT, 8 * PKT, 0, "7 lost");
	yajl_val s = jat(v.tree, "streams", 0);
	cr_assert_eq(jint(s, "lost"), 2, "3 and 7; 4 came late");
	cr_assert_eq(jint(s, "packets"), 8);
	cr_assert_eq(jlen(s, "runs"), (size_t)3);
	cr_assert_eq(jint(jat(s, "runs", 0), "firstSeq"), 200);
	cr_assert_eq(jint(jat(s, "runs", 0), "lastSeq"), 202);
	cr_assert_eq(jint(jat(s, "runs", 1), "firstSeq"), 205);
	cr_assert_eq(jint(jat(s, "runs", 1), "lastSeq"), 206);
	cr_assert_eq(jint(jat(s, "runs", 1), "from"), T0 + 5 * PTIME_US);
	cr_assert_eq(jint(jat(s, "runs", 2), "firstSeq"), 208);
	view_free(&v);
	cap_free(&c);
}

Test(rec, other_payload_types_rtcp_and_garbage_counted)
{
	struct cap c;
	struct view v;
	const struct rec_interval all = {0, INT64_MAX};
	uint8_t rtcp[8] = {0x80, 201, 0, 1, 0, 0, 0, 2}, stun[20] = {0, 1}, pkt[100], tcp[100];

	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	cap_rtp(&c, T0, PORT_A, 1, REC_PT_PCMU, 1, 0, 0x8f, PKT);
	cap_rtp(&c, T0 + 1, PORT_A, 1, 101, 2, 0, 0x05, 4); /* telephone-event */
	cap_rtp(&c, T0 + 2, PORT_A, 1, 13, 3, 0, 0x40, 1);  /* comfort noise */
	size_t n = udp_pkt(pkt, PCAP_LINK_ETHERNET, 4, PORT_A, PORT_RTPENGINE, rtcp, 8);
	cap_rec(&c, T0 + 3, pkt, n, n);
	n = udp_pkt(pkt, PCAP_LINK_ETHERNET, 4, PORT_A, PORT_RTPENGINE, stun, 20);
	cap_rec(&c, T0 + 4, pkt, n, n);
	memcpy(tcp, pkt, n);
	tcp[14 + 9] = 6;
	cap_rec(&c, T0 + 5, tcp, n, n);
	cap_rec(&c, T0 + 6, pkt, n - 1, n); /* captured short */
	run(&v, &c, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.st.records, 7u);
	cr_assert_eq(v.st.mixed, 1u);
	cr_assert_eq(v.st.other_pt, 2u);
	cr_assert_eq(v.st.rtcp, 1u);
	cr_assert_eq(v.st.not_rtp, 1u);
	cr_assert_eq(v.st.not_udp, 1u);
	cr_assert_eq(v.st.truncated, 1u);
	cr_assert_eq(v.n, (size_t)PKT);
	all_eq(&v, 0, PKT, ulaw_ref[0x8f], "only the PCMU packet");
	cr_assert_eq(jint(v.tree, "counts.otherPayloadType"), 2);
	cr_assert_eq(jint(jat(v.tree, "streams", 0), "packets"), 3);
	counts_add_up(&v.st);
	view_free(&v);
	cap_free(&c);
}

/* A packet placed before what the window wrote out is dropped and counted; the window
 * stays REC_WINDOW samples however long the call. */
Test(rec, window_bound_late_packet_dropped)
{
	struct cap c;
	struct view v;
	const struct rec_interval all = {0, INT64_MAX};
	const int packets = 2 * REC_WINDOW / PKT; /* twice the window */

	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	for (int i = 0; i < packets; i++)
		cap_rtp(&c, T0 + i * PTIME_US, PORT_A, 1, REC_PT_PCMU, (uint16_t)i,
		        (uint32_t)(i * PKT), 0x8f, PKT);
	/* recorded out of order: a packet of another stream from the first second, and one
	 * that still fits in the window */
	cap_rtp(&c, T0 + 1000000, PORT_B, 2, REC_PT_PCMU, 1, 0, 0x9f, PKT);
	int64_t fits = (int64_t)(packets * PKT - REC_WINDOW + PKT) * 125;
	cap_rtp(&c, T0 + fits, PORT_B, 3, REC_PT_PCMU, 1, 0, 0xff, PKT);
	run(&v, &c, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.st.late, 1u);
	cr_assert_eq(v.st.mixed, (uint64_t)packets + 1);
	cr_assert_eq(v.n, (size_t)packets * PKT);
	all_eq(&v, 0, v.n, ulaw_ref[0x8f], "the late packet left out (0xff adds 0)");
	cr_assert_eq(jint(v.tree, "counts.late"), 1);
	counts_add_up(&v.st);
	view_free(&v);
	cap_free(&c);
}

Test(rec, truncated_and_garbage_input)
{
	struct cap c, g;
	struct view v;
	const struct rec_interval all = {0, INT64_MAX};

	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	stream_a(&c, 0, 3, 0x8f);
	size_t whole = c.len;
	/* cut anywhere inside the last record: the first two play, the third is counted */
	for (size_t cut = whole - 1; cut > whole - PKT - 60; cut -= 7) {
		struct cap t = c;
		t.len = cut;
		run(&v, &t, 1, &all, 1);
		cr_assert_eq(v.rc, 0, "%s", v.st.error);
		cr_assert_eq(v.st.mixed, 2u, "cut at %zu", cut);
		cr_assert_eq(v.st.truncated, 1u, "cut at %zu", cut);
		cr_assert_eq(v.n, (size_t)(2 * PKT));
		counts_add_up(&v.st);
		view_free(&v);
	}
	/* a corrupt record header ends the capture: the third's captured length */
	struct cap t = c;
	t.p[whole - (PCAP_RECORD_HEADER + 54 + PKT) + 11] = 0x7f;
	run(&v, &t, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.st.corrupt, 1u);
	cr_assert_eq(v.st.mixed, 2u);
	view_free(&v);
	/* not a capture: refused, with the reason */
	uint8_t junk[64];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	g = (struct cap){junk, sizeof(junk), 0, 0, 0};
	run(&v, &g, 1, &all, 1);
	cr_assert_eq(v.rc, -1);
	cr_assert_neq(strstr(v.st.error, "not a pcap"), NULL, "%s", v.st.error);
	g.len = 0;
	run(&v, &g, 1, &all, 1);
	cr_assert_eq(v.rc, -1);
	cr_assert_neq(strstr(v.st.error, "shorter than its header"), NULL, "%s", v.st.error);
	/* a valid header, then garbage: counted, no crash */
	cap_init(&g, PCAP_LINK_RAW, 1, 0);
	srand(7);
	for (int i = 0; i < 2000; i++) {
		uint8_t b = (uint8_t)rand();
		put(&g, &b, 1);
	}
	run(&v, &g, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_geq(v.st.truncated + v.st.corrupt, 1u, "it ends cut short or corrupt");
	counts_add_up(&v.st);
	view_free(&v);
	cap_free(&g);
	cap_free(&c);
}

Test(rec, too_many_streams_dropped)
{
	struct cap c;
	struct view v;
	const struct rec_interval all = {0, INT64_MAX};

	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	for (int i = 0; i < REC_STREAMS_MAX + 3; i++)
		cap_rtp(&c, T0, (uint16_t)(PORT_A + i), 1, REC_PT_PCMU, 1, 0, 0xff, 8);
	run(&v, &c, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.st.streams, (size_t)REC_STREAMS_MAX);
	cr_assert_eq(v.st.dropped, 3u);
	cr_assert_eq(jlen(v.tree, "streams"), (size_t)REC_STREAMS_MAX);
	view_free(&v);
	cap_free(&c);
}

Test(rec, ipv6_source_in_the_sidecar)
{
	struct cap c;
	struct view v;
	const struct rec_interval all = {0, INT64_MAX};
	uint8_t pl[PKT], r[PKT + 12], pkt[300];

	memset(pl, 0x8f, sizeof(pl));
	cap_init(&c, PCAP_LINK_RAW, 0, 1);
	size_t n = rtp_pkt(r, REC_PT_PCMU, 1, 1, 0xfeedface, pl, sizeof(pl));
	n = udp_pkt(pkt, 0, 6, 6000, PORT_RTPENGINE, r, n);
	cap_rec(&c, T0, pkt, n, n);
	run(&v, &c, 1, &all, 1);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.st.mixed, 1u);
	cr_assert_str_eq(YAJL_GET_STRING(jget(jat(v.tree, "streams", 0), "source")), "[::1]:6000");
	cr_assert_eq(jint(jat(v.tree, "streams", 0), "ssrc"), 0xfeedface);
	view_free(&v);
	cap_free(&c);
}

Test(rec, interval_argument)
{
	static const char *bad[] = {
	    "",      "1",     "1-",
	    "-2",    "2-1",   "1-1",
	    "+1-2",  "1-+2",  " 1-2",
	    "1-2 ",  "1--2",  "a-b",
	    "1-2-3", "0x1-2", "9223372036854775808-9223372036854775809", /* past int64_t */
	};
	struct rec_interval iv;

	cr_assert_eq(rec_interval_parse("1700000000000000-1700000001000000", &iv), 0);
	cr_assert_eq(iv.from_us, 1700000000000000LL);
	cr_assert_eq(iv.to_us, 1700000001000000LL);
	cr_assert_eq(rec_interval_parse("0-9223372036854775807", &iv), 0);
	cr_assert_eq(iv.to_us, INT64_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(rec_interval_parse(bad[i], &iv), -1, "\"%s\"", bad[i]);
}

/* ---- files ---- */

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(p, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

static size_t dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

Test(rec, view_wav_files_mode_rename_and_escaping)
{
	char dir[] = "/tmp/unit-rec-XXXXXX", cap1[128], cap2[128], wav[128], json[128];
	const struct rec_interval all = {0, INT64_MAX};
	struct rec_stats st;
	struct stat sb;
	struct cap c;

	cr_assert_not_null(mkdtemp(dir));
	/* a name with a quote, a control byte and a byte that is not UTF-8 */
	snprintf(cap1, sizeof(cap1), "%s/a\"b\x01\xff.pcap", dir);
	snprintf(cap2, sizeof(cap2), "%s/junk.pcap", dir);
	snprintf(wav, sizeof(wav), "%s/view.wav", dir);
	snprintf(json, sizeof(json), "%s/view.json", dir);
	cap_init(&c, PCAP_LINK_ETHERNET, 0, 0);
	stream_a(&c, 0, 5, 0x8f);
	write_file(cap1, c.p, c.len);
	write_file(cap2, "junk", 4);
	const char *one[] = {cap1}, *two[] = {cap1, cap2};

	cr_assert_eq(rec_view_wav(one, 1, &all, 1, wav, json, &st), 0, "%s", st.error);
	cr_assert_eq(stat(wav, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0640u);
	cr_assert_eq(sb.st_size, WAV_HEADER + 5 * PKT * 2);
	cr_assert_eq(stat(json, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0640u);
	cr_assert_eq(dir_entries(dir), (size_t)4, "no temporary file left");
	FILE *f = fopen(json, "rb");
	size_t len;
	char *text = (char *)slurp(f, &len), err[128];
	fclose(f);
	yajl_val tree = yajl_tree_parse(text, err, sizeof(err));
	cr_assert_not_null(tree, "%s: %s", err, text);
	yajl_val name = jat(tree, "pcaps", 0);
	cr_assert(YAJL_IS_STRING(name));
	char want[160];
	snprintf(want, sizeof(want), "%s/a\"b\x01\xef\xbf\xbd.pcap", dir);
	cr_assert_str_eq(YAJL_GET_STRING(name), want);
	cr_assert_eq(jint(tree, "samples"), 5 * PKT);
	yajl_val secs = jget(tree, "seconds");
	cr_assert(secs && YAJL_IS_DOUBLE(secs));
	cr_assert_float_eq(YAJL_GET_DOUBLE(secs), 0.1, 1e-9);
	yajl_tree_free(tree);
	free(text);

	/* a failed run leaves the earlier output alone and no temporary file */
	cr_assert_eq(rec_view_wav(two, 2, &all, 1, wav, json, &st), -1);
	cr_assert_neq(strstr(st.error, "junk.pcap"), NULL, "%s", st.error);
	cr_assert_eq(stat(wav, &sb), 0);
	cr_assert_eq(sb.st_size, WAV_HEADER + 5 * PKT * 2);
	cr_assert_eq(dir_entries(dir), (size_t)4);
	const char *missing[] = {"/nonexistent/x.pcap"};
	cr_assert_eq(rec_view_wav(missing, 1, &all, 1, wav, NULL, &st), -1);
	cr_assert_eq(dir_entries(dir), (size_t)4);

	unlink(cap1);
	unlink(cap2);
	unlink(wav);
	unlink(json);
	rmdir(dir);
	cap_free(&c);
}

/* ---- rtpengine's own recording (tests/data/rec-rtpengine.md) ---- */

#define FIX1 "tests/data/rec-rtpengine-1.pcap"
#define FIX2 "tests/data/rec-rtpengine-2.pcap"
#define FIX_FIRST 1796479249873402LL /* the first packet */
#define FIX_STOP 1796479250874890LL  /* stop recording sent */
#define FIX_START 1796479251374463LL /* start recording sent */
#define FIX_LAST 1796479252353620LL  /* the last packet */
#define FIX_SSRC_A 0x11112222u
#define FIX_SSRC_B 0x33334444u

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;

	cr_assert_not_null(f, "%s (run the tests from the project's top directory)", path);
	p = slurp(f, len);
	fclose(f);
	return p;
}

/* The layout rtpengine writes (daemon/recording.c, lib/socket.c). */
Test(rec, rtpengine_pcap_layout)
{
	const char *paths[] = {FIX1, FIX2};

	for (size_t k = 0; k < 2; k++) {
		size_t len, records = 0;
		uint8_t *p = read_all(paths[k], &len);
		struct pcap_iter it;
		struct pcap_rec r;
		struct pcap_udp u;
		const uint8_t *d;
		int64_t prev = 0;

		cr_assert_eq(pcap_iter_open(&it, p, len), PCAP_OK);
		cr_assert_eq(p[0], 0xd4, "libpcap's microsecond magic in the host's order");
		cr_assert_eq(it.file.nsec, 0);
		cr_assert_eq(it.file.linktype, (uint32_t)PCAP_LINK_ETHERNET);
		cr_assert_eq(it.file.snaplen, 65535u);
		while (pcap_iter_next(&it, &r, &d) == 1) {
			records++;
			cr_assert_eq(r.caplen, r.origlen);
			cr_assert_geq(r.time_us, prev, "in time order");
			prev = r.time_us;
			for (int i = 0; i < 12; i++)
				cr_assert_eq(d[i], 0, "no MAC addresses");
			cr_assert_eq(d[12] << 8 | d[13], 0x0800);
			cr_assert_eq(d[14], 0x45);
			cr_assert_eq(d[14 + 8], 64, "TTL 64");
			cr_assert_eq(d[14 + 10] | d[14 + 11], 0, "no IP checksum");
			cr_assert_eq(d[14 + 26] | d[14 + 27], 0, "no UDP checksum");
			cr_assert_eq(pcap_packet(&it.file, d, r.caplen, &u), PCAP_UDP);
			/* from the sender's port to rtpengine's */
			cr_assert(u.sport != u.dport);
		}
		cr_assert_eq(it.end, 0, "ends on a record boundary");
		cr_assert_eq(records, k == 0 ? 101u : 100u);
		free(p);
	}
}

/* cos(x) for 0 <= x <= pi by its series (no libm in the unit tests' link). */
static double cosine(double x)
{
	double term = 1, sum = 1;

	for (int k = 1; k < 30; k++) {
		term *= -x * x / ((2 * k - 1) * (2 * k));
		sum += term;
	}
	return sum;
}

/* The amplitude of a tone of hz in s[0..n), squared (Goertzel): a sine of amplitude A
 * gives about (A / 2)^2. */
static double tone2(const int16_t *s, size_t n, double hz)
{
	double c = 2 * cosine(2 * 3.14159265358979 * hz / REC_RATE), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = s[i] + c * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return (s1 * s1 + s2 * s2 - c * s1 * s2) / ((double)n * (double)n);
}

/* A view that recorded the whole call: stopped, then started again, with the call. */
Test(rec, rtpengine_call_stopped_and_started)
{
	const char *paths[] = {FIX2, FIX1};
	const struct rec_interval iv[] = {{FIX_FIRST, FIX_STOP}, {FIX_START, FIX_LAST + PTIME_US}};
	char dir[] = "/tmp/unit-rec-XXXXXX", wav[128], json[128];
	struct rec_stats st;
	struct view v = {0};
	size_t len;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(wav, sizeof(wav), "%s/v.wav", dir);
	snprintf(json, sizeof(json), "%s/v.json", dir);
	cr_assert_eq(rec_view_wav(paths, 2, iv, 2, wav, json, &st), 0, "%s", st.error);
	uint8_t *w = read_all(wav, &len);
	wav_samples(w, len, &v);
	free(w);
	char *text = (char *)read_all(json, &len), err[128];
	yajl_val tree = yajl_tree_parse(text, err, sizeof(err));
	cr_assert_not_null(tree, "%s", err);

	/* 2.5 s: the stopped 0.5 s silent, both tones elsewhere */
	cr_assert_eq(st.origin_us, FIX_FIRST);
	cr_assert_eq(v.n, (size_t)20000);
	all_eq(&v, 8000, 12000, 0, "stopped");
	for (size_t part = 0; part < 2; part++) {
		const int16_t *s = v.s + (part ? 12000 : 0);
		double a = tone2(s, 8000, 440), b = tone2(s, 8000, 1000),
		       other = tone2(s, 8000, 700);
		cr_assert(a > 1e6 && b > 1e6 && other < 1e4,
		          "part %zu: 440 Hz %.0f, 1 kHz %.0f, 700 Hz %.0f (squared)", part, a, b,
		          other);
	}
	/* A lost one packet (the 21st): B's tone alone there */
	cr_assert_lt(tone2(v.s + 20 * PKT, PKT, 440), 1e5);
	cr_assert_gt(tone2(v.s + 20 * PKT, PKT, 1000), 1e6);
	cr_assert_eq(st.mixed, 199u);
	cr_assert_eq(st.other_pt, 1u, "B's telephone-event");
	cr_assert_eq(st.rtcp, 1u, "B's receiver report");
	cr_assert_eq(st.outside, 0u);
	cr_assert_eq(st.reanchors, 0u);
	cr_assert_eq(st.late, 0u);

	/* A: sequence numbers and timestamps wrap; one lost; the stop skips 25 */
	yajl_val a = jat(tree, "streams", 0), b = jat(tree, "streams", 1);
	cr_assert_eq(jint(a, "ssrc"), FIX_SSRC_A);
	cr_assert_eq(jint(a, "payloadType"), REC_PT_PCMU);
	cr_assert_eq(jint(a, "lost"), 1);
	cr_assert_eq(jlen(a, "runs"), (size_t)3);
	cr_assert_eq(jint(jat(a, "runs", 0), "lastSeq"), 65519);
	cr_assert_eq(jint(jat(a, "runs", 1), "firstSeq"), 65521);
	cr_assert_eq(jint(jat(a, "runs", 1), "lastSeq"), 13);
	cr_assert_eq(jint(jat(a, "runs", 2), "firstSeq"), 39);
	cr_assert_eq(jint(jat(a, "runs", 2), "lastSeq"), 88);
	cr_assert_gt(jint(jat(a, "runs", 2), "from"), FIX_START);
	cr_assert_eq(jint(b, "ssrc"), FIX_SSRC_B);
	cr_assert_eq(jint(b, "payloadType"), REC_PT_PCMA);
	cr_assert_eq(jint(b, "lost"), 0);
	cr_assert_eq(jint(b, "packets"), 101, "50 + 50 PCMA and the event");
	cr_assert_eq(jint(jat(b, "runs", 0), "lastSeq"), 1050);
	cr_assert_eq(jint(jat(b, "runs", 1), "firstSeq"), 1076);
	cr_assert_str_eq(YAJL_GET_STRING(jget(tree, "origin")), "2026-12-05T14:00:49.873402Z");

	yajl_tree_free(tree);
	free(text);
	view_free(&v);
	unlink(wav);
	unlink(json);
	rmdir(dir);
}

/* A second view, stopped from 0.3 s to 1.8 s into the call, while the first recorded on:
 * the capture's audio from 1.5 s to 1.8 s is not in its WAV. */
Test(rec, rtpengine_second_view_stopped_longer)
{
	struct cap c[2];
	struct view v;
	const struct rec_interval iv[] = {{FIX_FIRST, FIX_FIRST + 300000},
	                                  {FIX_FIRST + 1800000, FIX_LAST + PTIME_US}};

	c[0].p = read_all(FIX1, &c[0].len);
	c[1].p = read_all(FIX2, &c[1].len);
	run(&v, c, 2, iv, 2);
	cr_assert_eq(v.rc, 0, "%s", v.st.error);
	cr_assert_eq(v.n, (size_t)20000);
	/* sample s is 125 us after the origin; a packet's capture time is within a few ms of
	 * its RTP time here */
	all_eq(&v, 2400 + PKT + 80, 14400 - 80, 0, "stopped");
	cr_assert_gt(tone2(v.s, 2400, 1000), 1e6);
	cr_assert_gt(tone2(v.s + 14400 + PKT, 5600 - PKT, 440), 1e6);
	cr_assert_gt(v.st.outside, 40u);
	cr_assert_lt(v.st.mixed, 199u - 40);
	counts_add_up(&v.st);
	view_free(&v);
	free(c[0].p);
	free(c[1].p);
}
