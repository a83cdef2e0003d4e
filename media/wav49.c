/*
 * wav49.c - a view's WAV in the format its extension records in, when that is "wav49":
 * GSM 06.10 in a WAV file (format 0x0031, the "WAV49" of Asterisk and VoipNow), made from
 * the 16-bit PCM WAV rec.c writes, with libgsm's WAV49 framing (two 20 ms frames packed
 * in 65 bytes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsm.h>

#include "wav49.h"
#include "rec.h"

#define PCM_HEADER 44 /* rec.c's WAV header */
#define GSM_HEADER 60 /* RIFF, fmt (20 bytes), fact, data */
#define GSM_BLOCK 65  /* bytes of two frames */
#define GSM_BLOCK_SAMPLES 320
#define GSM_BYTES_A_SECOND 1625 /* 8000 / 320 * 65 */

static uint32_t get_le(const uint8_t *p, int bytes)
{
	uint32_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le(uint8_t *p, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void gsm_header(uint8_t *h, uint32_t samples, uint32_t data)
{
	memcpy(h, "RIFF", 4);
	put_le(h + 4, GSM_HEADER - 8 + data + (data & 1), 4);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le(h + 16, 20, 4);
	put_le(h + 20, 0x0031, 2); /* WAVE_FORMAT_GSM610 */
	put_le(h + 22, 1, 2);
	put_le(h + 24, REC_RATE, 4);
	put_le(h + 28, GSM_BYTES_A_SECOND, 4);
	put_le(h + 32, GSM_BLOCK, 2);
	put_le(h + 34, 0, 2);                 /* bits a sample: none */
	put_le(h + 36, 2, 2);                 /* extra bytes: */
	put_le(h + 38, GSM_BLOCK_SAMPLES, 2); /* samples a block */
	memcpy(h + 40, "fact", 4);
	put_le(h + 44, 4, 4);
	put_le(h + 48, samples, 4);
	memcpy(h + 52, "data", 4);
	put_le(h + 56, data, 4);
}

int rec_wav49(const char *pcm_path, const char *out_path, char *err, size_t errlen)
{
	char tmp[4096];
	uint8_t h[GSM_HEADER], block[GSM_BLOCK];
	int16_t pcm[GSM_BLOCK_SAMPLES];
	uint32_t samples, done = 0, data = 0;
	FILE *in = NULL, *out = NULL;
	gsm g = NULL;
	int one = 1, fd = -1, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", out_path, (long)getpid());
	if ((in = fopen(pcm_path, "rb")) == NULL || fread(h, 1, PCM_HEADER, in) != PCM_HEADER ||
	    memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVEfmt ", 8) != 0 ||
	    get_le(h + 20, 2) != 1 || get_le(h + 22, 2) != 1 || get_le(h + 24, 4) != REC_RATE ||
	    get_le(h + 34, 2) != 16 || memcmp(h + 36, "data", 4) != 0) {
		snprintf(err, errlen, "not a PCM WAV of rec.c's: %s", pcm_path);
		goto done;
	}
	samples = get_le(h + 40, 4) / 2;
	if ((g = gsm_create()) == NULL || gsm_option(g, GSM_OPT_WAV49, &one) < 0 ||
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0 ||
	    (out = fdopen(fd, "wb")) == NULL) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	fd = -1;
	memset(h, 0, sizeof(h));
	if (fwrite(h, 1, GSM_HEADER, out) != GSM_HEADER)
		goto write_err;
	while (done < samples) {
		size_t want =
		    samples - done < GSM_BLOCK_SAMPLES ? samples - done : GSM_BLOCK_SAMPLES;
		uint8_t raw[2 * GSM_BLOCK_SAMPLES];
		if (fread(raw, 2, want, in) != want) {
			snprintf(err, errlen, "%s ends early", pcm_path);
			goto done;
		}
		for (size_t i = 0; i < GSM_BLOCK_SAMPLES; i++)
			pcm[i] = i < want ? (int16_t)get_le(raw + 2 * i, 2) : 0;
		/* WAV49: the first frame of a block in 32 bytes, the second in 33 */
		gsm_encode(g, pcm, block);
		gsm_encode(g, pcm + GSM_BLOCK_SAMPLES / 2, block + 32);
		if (fwrite(block, 1, GSM_BLOCK, out) != GSM_BLOCK)
			goto write_err;
		done += (uint32_t)want;
		data += GSM_BLOCK;
	}
	if ((data & 1) && fputc(0, out) == EOF) /* RIFF chunks are even */
		goto write_err;
	gsm_header(h, samples, data);
	if (fseek(out, 0, SEEK_SET) != 0 || fwrite(h, 1, GSM_HEADER, out) != GSM_HEADER ||
	    fflush(out) != 0 || fsync(fileno(out)) != 0)
		goto write_err;
	if (fclose(out) != 0) {
		out = NULL;
		goto write_err;
	}
	out = NULL;
	if (rename(tmp, out_path) != 0)
		goto write_err;
	rc = 0;
	goto done;
write_err:
	snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
done:
	if (out != NULL)
		fclose(out);
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	if (in != NULL)
		fclose(in);
	if (g != NULL)
		gsm_destroy(g);
	return rc;
}
