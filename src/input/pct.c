/*
 * pct.c - percent-decoding (pct.h).
 */
#include "pct.h"

#include "chars.h"

long pct_decode(const char *s, size_t len, char *out, size_t cap, unsigned flags)
{
	size_t n = 0;

	if (out != NULL && cap == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi, lo;
			if (len - i < 3 || (hi = chars_hex((unsigned char)s[i + 1])) < 0 ||
			    (lo = chars_hex((unsigned char)s[i + 2])) < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && (flags & PCT_PLUS)) {
			c = ' ';
		}
		if (c == '\0' && (flags & PCT_NO_NUL))
			return -1;
		if (out != NULL) {
			if (n + 1 >= cap)
				return -1;
			out[n] = (char)c;
		}
		n++;
	}
	if (out != NULL)
		out[n] = '\0';
	return (long)n;
}
