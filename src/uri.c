/*
 * uri.c - URI fragment and query string parsing: pure functions over (pointer, length),
 * no allocation, exactly one round of percent-decoding.
 */
#include <string.h>

#include "chars.h"
#include "uri.h"

/*
 * Decodes s[0..len) into out (capacity cap, NUL-terminated). plus_space turns '+' into a
 * space (query strings only). Returns the decoded length, or -1 for a bad escape or
 * an output longer than cap - 1.
 */
static long decode(const char *s, size_t len, char *out, size_t cap, bool plus_space)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= len)
				return -1;
			hi = chars_hex((unsigned char)s[i + 1]);
			lo = chars_hex((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return (long)n;
}

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

enum uri_route uri_parse(const char *path, size_t len, struct uri *u)
{
	const size_t plen = sizeof(URI_PREFIX) - 1;
	const char *seg[3];
	size_t seglen[3], nseg = 0;
	char buf[URI_SEG_MAX + 1];
	long n;

	memset(u, 0, sizeof(*u));
	if (len <= plen || memcmp(path, URI_PREFIX, plen) != 0)
		return URI_NONE;
	/* One trailing slash names the same resource (the vendor's client ends every
	 * fragment with one); what is left is split as usual, so an extra segment is
	 * another path and an empty one a malformed value. */
	if (path[len - 1] == '/' && --len == plen)
		return URI_NONE;
	const char *p = path + plen, *end = path + len;
	while (p <= end && nseg < 4) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *stop = slash ? slash : end;
		if (nseg == 3)
			return URI_NONE;
		seg[nseg] = p;
		seglen[nseg++] = (size_t)(stop - p);
		if (!slash)
			break;
		p = slash + 1;
	}
	if (nseg < 2)
		return URI_NONE;

	n = decode(seg[0], seglen[0], buf, sizeof(buf), false);
	parse_user(buf, n, u);
	n = decode(seg[1], seglen[1], buf, sizeof(buf), false);
	parse_ext(buf, n, u);
	if (nseg == 2)
		return u->route = URI_LIST;
	n = decode(seg[2], seglen[2], buf, sizeof(buf), false);
	parse_call(buf, n, u);
	return u->route = URI_CALL;
}

/* base alone (0), base/N with N an instance number (N), or anything else (-1). */
static int instance_path(const char *path, size_t len, const char *base, size_t n)
{
	long long inst;

	if (len < n || memcmp(path, base, n) != 0)
		return -1;
	if (len == n)
		return 0;
	if (path[n] != '/' || uri_num(path + n + 1, len - n - 1, URI_INSTANCE_MAX, &inst) != 0 ||
	    inst < 1)
		return -1;
	return (int)inst;
}

int uri_health(const char *path, size_t len)
{
	return instance_path(path, len, URI_HEALTH, sizeof(URI_HEALTH) - 1);
}

int uri_metrics(const char *path, size_t len)
{
	return instance_path(path, len, URI_METRICS, sizeof(URI_METRICS) - 1);
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
		long n = raw ? (long)klen : decode(p, klen, buf, sizeof(buf), true);
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
	if ((n = decode(v, vlen, out, cap, true)) < 0)
		return -1;
	*outlen = (size_t)n;
	return 1;
}

int uri_query_raw(const char *q, size_t len, const char *name, const char **val, size_t *vlen)
{
	return find(q, len, name, true, val, vlen);
}
