/*
 * pct.h - percent-decoding (RFC 3986, 2.1), the one decoder of the URI's path and query
 * and of form bodies: one round, pure, over (pointer, length).
 */
#ifndef PC_PCT_H
#define PC_PCT_H

#include <stddef.h>

#define PCT_PLUS 1u   /* '+' is a space (query strings, form bodies) */
#define PCT_NO_NUL 2u /* a decoded NUL is malformed */

/*
 * Decodes s[0..len) into out (cap bytes with the terminating NUL), or only checks it
 * when out is NULL. Returns the decoded length, or -1 for a malformed escape, a NUL
 * under PCT_NO_NUL, or an output longer than cap - 1.
 */
long pct_decode(const char *s, size_t len, char *out, size_t cap, unsigned flags);

#endif
