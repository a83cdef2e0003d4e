/*
 * uri.c - URI fragment and query string parsing: pure functions over (pointer, length),
 * no allocation, exactly one round of percent-decoding.
 */
#include <string.h>

#include "chars.h"
#include "pct.h"
#include "uri.h"

int uri_num(const char *s, size_t len, long long max, long long *out)
{
	unsigned long long v = 0;

	if (len == 0 || len > 19 || max < 0)
		return -1;
	if (s[0] == '0' && len > 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	/* 19 digits fit in an unsigned 64-bit value, so the comparison is exact. */
	if (v > (unsigned long long)max)
		return -1;
	*out = (long long)v;
	return 0;
}

static void parse_user(const char *s, long n, struct uri *u)
{
	u->user = URI_USER_INVALID;
	if (n < 0)
		return;
	if ((n == 3 && memcmp(s, "@me", 3) == 0) || (n == 7 && memcmp(s, "@viewer", 7) == 0))
		u->user = URI_USER_ME;
	else if (n == 6 && memcmp(s, "@owner", 6) == 0)
		u->user = URI_USER_OWNER;
	else if (uri_num(s, (size_t)n, 0x7fffffffffffffffLL, &u->user_id) == 0)
		u->user = URI_USER_ID;
}

static void parse_ext(const char *s, long n, struct uri *u)
{
	u->ext_ok = false;
	if (n < 0)
		return;
	if (n == 5 && memcmp(s, "@self", 5) == 0) {
		u->ext_ok = u->ext_self = true;
		return;
	}
	if (n == 0 || n > URI_EXT_MAX)
		return;
	for (long i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '*'))
			return;
	memcpy(u->ext, s, (size_t)n);
	u->ext[n] = '\0';
	u->ext_len = (size_t)n;
	u->ext_ok = true;
}

static void parse_call(const char *s, long n, struct uri *u)
{
	u->call_ok = false;
	if (n <= 0 || n > URI_CALLID_MAX)
		return;
	for (long i = 0; i < n; i++)
		if (!chars_alnum((unsigned char)s[i]))
			return;
	memcpy(u->call, s, (size_t)n);
	u->call[n] = '\0';
	u->call_len = (size_t)n;
	u->call_ok = true;
}

void uri_parts(const struct uri_seg *seg, size_t n, struct uri *u)
{
	char buf[URI_SEG_MAX + 1];

	memset(u, 0, sizeof(*u));
	if (n < 2 || n > 3)
		return;
	parse_user(buf, pct_decode(seg[0].p, seg[0].len, buf, sizeof(buf), 0), u);
	parse_ext(buf, pct_decode(seg[1].p, seg[1].len, buf, sizeof(buf), 0), u);
	if (n == 3)
		parse_call(buf, pct_decode(seg[2].p, seg[2].len, buf, sizeof(buf), 0), u);
}

/*
 * The value of parameter name in q, as a slice of q: 1 when it comes once, 0 when absent,
 * -1 when more than once. Names are compared form-decoded (an escaped letter is the
 * letter, RFC 3986, 2.3; a bad escape names nothing), or as sent when raw.
 */
static int find(const char *q, size_t len, const char *name, bool raw, const char **val,
                size_t *vlen)
{
	size_t nlen = strlen(name);
	int found = 0;
	const char *p = q, *end = q + len;
	char buf[URI_NAME_MAX + 1];

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		size_t klen = (size_t)((eq ? eq : stop) - p);
		long n = raw ? (long)klen : pct_decode(p, klen, buf, sizeof(buf), PCT_PLUS);
		if (n == (long)nlen && memcmp(raw ? p : buf, name, nlen) == 0) {
			if (found)
				return -1;
			found = 1;
			*val = eq ? eq + 1 : stop;
			*vlen = (size_t)(stop - *val);
		}
		p = amp ? amp + 1 : end;
	}
	return found;
}

int uri_query(const char *q, size_t len, const char *name, char *out, size_t cap, size_t *outlen)
{
	const char *v;
	size_t vlen;
	long n;
	int found;

	if (cap == 0) /* no room for even the terminating NUL */
		return -1;
	if ((found = find(q, len, name, false, &v, &vlen)) != 1)
		return found;
	if ((n = pct_decode(v, vlen, out, cap, PCT_PLUS)) < 0)
		return -1;
	*outlen = (size_t)n;
	return 1;
}

int uri_query_raw(const char *q, size_t len, const char *name, const char **val, size_t *vlen)
{
	return find(q, len, name, true, val, vlen);
}
