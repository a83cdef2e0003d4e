/* unit_wav49.c - tests of media/wav49.c: a PCM WAV of rec.c's made GSM 06.10 (WAV49),
 * its header, its size, and its audio decoded back with libgsm keeping each tone. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../media/wav49.c"

#define TONE_SECONDS 3

static char dir[] = "/tmp/unit-wav49-XXXXXX";

static void setup(void)
{
	strcpy(dir, "/tmp/unit-wav49-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

/* A PCM WAV as rec.c writes it: n samples, second k a tone of 400 + 400 k Hz. */
static void pcm_wav(const char *path, uint32_t n)
{
	uint8_t h[PCM_HEADER];
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	memcpy(h, "RIFF", 4);
	put_le(h + 4, 36 + 2 * n, 4);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le(h + 16, 16, 4);
	put_le(h + 20, 1, 2);
	put_le(h + 22, 1, 2);
	put_le(h + 24, 8000, 4);
	put_le(h + 28, 16000, 4);
	put_le(h + 32, 2, 2);
	put_le(h + 34, 16, 2);
	memcpy(h + 36, "data", 4);
	put_le(h + 40, 2 * n, 4);
	fwrite(h, 1, sizeof(h), f);
	for (uint32_t i = 0; i < n; i++) {
		double hz = 400 + 400 * (i / 8000);
		int16_t s = (int16_t)(8000 * sin(2 * M_PI * hz * i / 8000.0));
		uint8_t b[2];
		put_le(b, (uint16_t)s, 2);
		fwrite(b, 1, 2, f);
	}
	fclose(f);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size);
	cr_assert_eq(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

/* Goertzel power at hz over x[0..n), per sample. */
static double power(const int16_t *x, size_t n, double hz)
{
	double w = 2 * cos(2 * M_PI * hz / 8000), s1 = 0, s2 = 0;
	for (size_t i = 0; i < n; i++) {
		double s = x[i] + w * s1 - s2;
		s2 = s1;
		s1 = s;
	}
	return (s1 * s1 + s2 * s2 - w * s1 * s2) / n / n;
}

TestSuite(wav49, .init = setup, .fini = teardown);

Test(wav49, header_size_and_tones)
{
	char in[96], out[96], err[256];
	uint32_t n = TONE_SECONDS * 8000 + 100; /* not a whole number of blocks */
	uint32_t blocks = (n + GSM_BLOCK_SAMPLES - 1) / GSM_BLOCK_SAMPLES;
	size_t len;
	uint8_t *w;
	struct stat st;

	snprintf(in, sizeof(in), "%s/v.wav.pcm", dir);
	snprintf(out, sizeof(out), "%s/v.wav", dir);
	pcm_wav(in, n);
	cr_assert_eq(rec_wav49(in, out, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(out, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0640);
	w = slurp(out, &len);
	cr_expect_eq(len, GSM_HEADER + blocks * GSM_BLOCK + ((blocks * GSM_BLOCK) & 1));
	cr_expect_eq(memcmp(w, "RIFF", 4), 0);
	cr_expect_eq(get_le(w + 4, 4), len - 8);
	cr_expect_eq(get_le(w + 20, 2), 0x0031, "GSM 06.10");
	cr_expect_eq(get_le(w + 32, 2), 65);
	cr_expect_eq(get_le(w + 38, 2), 320);
	cr_expect_eq(get_le(w + 48, 4), n, "fact: the samples");
	cr_expect_eq(get_le(w + 56, 4), blocks * GSM_BLOCK);

	/* decoded back (WAV49 framing: 32 then 33 bytes), each second keeps its tone */
	gsm g = gsm_create();
	int one = 1;
	int16_t *pcm = calloc((size_t)blocks * GSM_BLOCK_SAMPLES, sizeof(int16_t));
	gsm_option(g, GSM_OPT_WAV49, &one);
	for (uint32_t b = 0; b < blocks; b++) {
		uint8_t *blk = w + GSM_HEADER + (size_t)b * GSM_BLOCK;
		cr_assert_eq(gsm_decode(g, blk, pcm + (size_t)b * GSM_BLOCK_SAMPLES), 0);
		cr_assert_eq(gsm_decode(g, blk + 33, pcm + (size_t)b * GSM_BLOCK_SAMPLES + 160), 0);
	}
	for (int k = 0; k < TONE_SECONDS; k++) {
		const int16_t *sec = pcm + k * 8000 + 800; /* past the codec's start */
		double own = power(sec, 6400, 400 + 400 * k);
		double other = power(sec, 6400, 400 + 400 * ((k + 1) % TONE_SECONDS));
		cr_expect_gt(own, 100 * other, "second %d: its tone %g, another %g", k, own, other);
		cr_expect_gt(own, 1e6, "second %d: loud enough (%g)", k, own);
	}
	gsm_destroy(g);
	free(pcm);
	free(w);
}

Test(wav49, refuses_what_is_not_a_pcm_wav_and_leaves_nothing)
{
	char in[96], out[96], err[256];
	FILE *f;

	snprintf(in, sizeof(in), "%s/x.wav.pcm", dir);
	snprintf(out, sizeof(out), "%s/x.wav", dir);
	cr_expect_eq(rec_wav49(in, out, err, sizeof(err)), -1, "missing");
	f = fopen(in, "wb");
	fputs("RIFF not a wav at all, but long enough for a header.", f);
	fclose(f);
	cr_expect_eq(rec_wav49(in, out, err, sizeof(err)), -1);
	cr_expect(strstr(err, "not a PCM WAV") != NULL, "%s", err);
	pcm_wav(in, 8000);
	truncate(in, PCM_HEADER + 1000); /* the data says 16,000 bytes */
	cr_expect_eq(rec_wav49(in, out, err, sizeof(err)), -1);
	cr_expect(strstr(err, "ends early") != NULL, "%s", err);
	cr_expect_neq(access(out, F_OK), 0, "no file");
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "test $(ls '%s' | wc -l) = 1", dir);
	cr_expect_eq(system(cmd), 0, "no temporary file left");
}
