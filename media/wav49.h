/*
 * wav49.h - a view's WAV in GSM 06.10 ("wav49"), for the extensions that record in that
 * format, made from the PCM WAV rec.c writes.
 */
#ifndef PC_MEDIA_WAV49_H
#define PC_MEDIA_WAV49_H

#include <stddef.h>

/* Encodes the 8 kHz mono 16-bit PCM WAV at pcm_path (rec.c's) into a GSM 06.10 WAV at
 * out_path: written to a temporary file beside it (mode 0640), flushed to the disk and
 * renamed over it. 0, or -1 with err set (nothing left behind). */
int rec_wav49(const char *pcm_path, const char *out_path, char *err, size_t errlen);

#endif
