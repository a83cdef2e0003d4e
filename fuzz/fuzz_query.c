/*
 * fuzz_query.c - libFuzzer target for the List parameters: query_parse and query_date.
 *
 * The input is a query string (no leading '?'). It goes to query_parse, whose answer is
 * compared with a reference model of docs/api.md's "List parameters" written here
 * independently (its own form decoding, lookup, number, id and date readers); every
 * success is checked against query.h's invariants, and parsing twice must agree. The
 * input is also read as one value: by query_date (against a reference that counts days
 * year by year, and against timegm(3) from 1970), and percent-encoded into filterValue,
 * fields, sortOrder and count, where the service's answer must agree with the models
 * and with query_date. A violation aborts.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "query.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_query: invariant violated: %s (line %d)\n", #cond,   \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define NELEM(a) (sizeof(a) / sizeof(*(a)))

/* The limits of docs/api.md, written out rather than taken from query.h. */
#define REF_PAGING_MAX 5000
#define REF_IN_MAX 100
#define REF_ID_MAX 64
#define REF_CONTAINS_MIN 3 /* the shortest value contains takes */
#define REF_VALUE_MAX 8192
#define REF_FIELDS_MAX 1024
#define REF_DATE_MAX 64
#define REF_WORD_MAX 16 /* the buffer query.c reads a sortOrder, filterBy or filterOp into */
#define REF_NUM_MAX 32  /* and a paging parameter */
/* the earliest and latest instants a date can write: 0000-01-01T00:00:00+23:59 and
 * 9999-12-31T23:59:60-23:59 */
#define REF_SECS_MIN (-62167219200LL - 86340)
#define REF_SECS_MAX (253402300800LL + 86340)

static_assert(QUERY_COUNT_MAX == REF_PAGING_MAX && QUERY_START_MAX == REF_PAGING_MAX, "paging");
static_assert(QUERY_IN_MAX == REF_IN_MAX && URI_CALLID_MAX == REF_ID_MAX, "inArray, ids");
static_assert(QUERY_VALUE_MAX == REF_VALUE_MAX && QUERY_FIELDS_MAX == REF_FIELDS_MAX, "sizes");
static_assert(QUERY_DATE_MAX == REF_DATE_MAX && QUERY_WORD_MAX == REF_WORD_MAX, "sizes");
static_assert(QUERY_NUM_MAX == REF_NUM_MAX && QUERY_CONTAINS_MIN == REF_CONTAINS_MIN, "sizes");

/* A copy of p[0..len) in a buffer of exactly len bytes, so that ASan sees reads past it. */
static char *dup_exact(const char *p, size_t len)
{
	char *c = malloc(len ? len : 1);

	CHECK(c != NULL);
	if (len)
		memcpy(c, p, len);
	return c;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_id_char(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexval(unsigned char c)
{
	static const char digits[] = "0123456789abcdef0123456789ABCDEF";
	const char *p = c ? strchr(digits, c) : NULL;

	return p ? (int)(p - digits) % 16 : -1;
}

/* Form-decodes s[0..n) into a malloc'd buffer: '+' is a blank, %XX a byte. NULL for a
 * bad escape. */
static char *ref_decode(const char *s, size_t n, size_t *outlen)
{
	char *out = malloc(n + 1);
	size_t k = 0;

	CHECK(out != NULL);
	for (size_t i = 0; i < n; k++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(out);
				return NULL;
			}
			out[k] = (char)(hi * 16 + lo);
			i += 3;
		} else {
			out[k] = s[i] == '+' ? ' ' : s[i];
			i++;
		}
	}
	out[k] = '\0';
	*outlen = k;
	return out;
}

/*
 * A parameter of q[0..len), as the contract reads it: 0 absent; -1 given more than once,
 * with a bad escape in its value, or longer than max decoded bytes; 1 and its decoded
 * value (malloc'd, in *val) when given once.
 */
static int ref_param(const char *q, size_t len, const char *name, size_t max, char **val,
                     size_t *vlen)
{
	size_t start = 0, hits = 0, vs = 0, ve = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && q[i] != '&')
			continue;
		const char *eq = memchr(q + start, '=', i - start);
		size_t kend = eq ? (size_t)(eq - q) : i;
		size_t dn;
		char *d = ref_decode(q + start, kend - start, &dn);
		if (d && dn == strlen(name) && memcmp(d, name, dn) == 0) {
			hits++;
			vs = eq ? kend + 1 : i;
			ve = i;
		}
		free(d);
		start = i + 1;
	}
	if (hits == 0)
		return 0;
	if (hits > 1)
		return -1;
	*val = ref_decode(q + vs, ve - vs, vlen);
	if (!*val)
		return -1;
	if (*vlen > max) {
		free(*val);
		*val = NULL;
		return -1;
	}
	return 1;
}

/* A paging value: "0" or no leading zero, digits only, lo..hi; -1 otherwise. */
static long long ref_number(const char *s, size_t n, long long lo, long long hi)
{
	long long v = 0;

	if (n == 0 || n > 4 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = 10 * v + (s[i] - '0');
	}
	return v < lo || v > hi ? -1 : v;
}

static bool ref_id(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_id_char((unsigned char)s[i]))
		i++;
	return n >= 1 && n <= REF_ID_MAX && i == n;
}

static bool ref_leap(long long y)
{
	if (y % 400 == 0)
		return true;
	if (y % 100 == 0)
		return false;
	return y % 4 == 0;
}

static int ref_month_len(long long y, int m)
{
	if (m == 2)
		return ref_leap(y) ? 29 : 28;
	return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/* Days from 1970-01-01 to the first of January of years 0 to 9999, counted year by year
 * from year 0, which lies 719528 days before 1970 (62167219200 s, date(1)). */
static long long year_start[10000];

static void init_years(void)
{
	static bool done;

	if (done)
		return;
	year_start[0] = -719528;
	for (int y = 1; y < 10000; y++)
		year_start[y] = year_start[y - 1] + (ref_leap(y - 1) ? 366 : 365);
	CHECK(year_start[1970] == 0);
	CHECK(year_start[2000] == 10957);
	done = true;
}

/* Reads exactly k digits at s[*i]. */
static bool take_digits(const char *s, size_t n, size_t *i, int k, int *v)
{
	*v = 0;
	for (int j = 0; j < k; j++, (*i)++) {
		if (*i >= n || !is_digit((unsigned char)s[*i]))
			return false;
		*v = *v * 10 + (s[*i] - '0');
	}
	return true;
}

static bool take_char(const char *s, size_t n, size_t *i, const char *set)
{
	if (*i >= n || s[*i] == '\0' || !strchr(set, s[*i]))
		return false;
	(*i)++;
	return true;
}

/* The reference of query_date: RFC 3339 date-time with an offset, as documented. */
static int ref_date(const char *s, size_t n, long long *secs, int f[6], int *off)
{
	size_t i = 0;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 1;

	init_years();
	if (n > REF_DATE_MAX)
		return -1;
	if (!take_digits(s, n, &i, 4, &y) || !take_char(s, n, &i, "-") ||
	    !take_digits(s, n, &i, 2, &mo) || !take_char(s, n, &i, "-") ||
	    !take_digits(s, n, &i, 2, &d) || !take_char(s, n, &i, "Tt ") ||
	    !take_digits(s, n, &i, 2, &h) || !take_char(s, n, &i, ":") ||
	    !take_digits(s, n, &i, 2, &mi) || !take_char(s, n, &i, ":") ||
	    !take_digits(s, n, &i, 2, &sec))
		return -1;
	if (i < n && s[i] == '.') {
		size_t first = ++i;
		while (i < n && is_digit((unsigned char)s[i]))
			i++;
		if (i == first)
			return -1;
	}
	if (i == n)
		return -1; /* no offset */
	if (s[i] == 'Z' || s[i] == 'z') {
		if (i + 1 != n)
			return -1;
	} else {
		if (s[i] != '+' && s[i] != '-' && s[i] != ' ')
			return -1;
		sign = s[i] == '-' ? -1 : 1;
		i++;
		if (!take_digits(s, n, &i, 2, &oh) || !take_char(s, n, &i, ":") ||
		    !take_digits(s, n, &i, 2, &om) || i != n || oh > 23 || om > 59)
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > ref_month_len(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	long long days = year_start[y] + d - 1;
	for (int m = 1; m < mo; m++)
		days += ref_month_len(y, m);
	*secs = ((days * 24 + h) * 60 + mi) * 60 + sec - sign * (oh * 60 + om) * 60;
	f[0] = y, f[1] = mo, f[2] = d, f[3] = h, f[4] = mi, f[5] = sec;
	*off = sign * (oh * 60 + om) * 60;
	return 0;
}

/* query_date against ref_date, and against timegm(3) for years from 1970. */
static void check_date(const char *s, size_t n)
{
	char *c = dup_exact(s, n);
	long long got = 0x5a5a5a5a5a5aLL, want = 0;
	int f[6], off;
	int r = query_date(c, n, &got);
	int rr = ref_date(s, n, &want, f, &off);

	free(c);
	CHECK(r == 0 || r == -1);
	CHECK(r == rr);
	if (r != 0)
		return;
	CHECK(got == want);
	CHECK(got >= REF_SECS_MIN && got <= REF_SECS_MAX);
	if (f[0] >= 1970) {
		struct tm tm = {.tm_year = f[0] - 1900,
		                .tm_mon = f[1] - 1,
		                .tm_mday = f[2],
		                .tm_hour = f[3],
		                .tm_min = f[4],
		                .tm_sec = f[5]}; /* 60 rolls over to the next minute */
		time_t t = timegm(&tm);
		CHECK((long long)t - off == got);
	}
}

/* A parse reduced to what the contract defines; errors leave only the code. */
struct result {
	enum err e;
	long long start, count;
	bool desc;
	enum query_by by;
	enum query_op op;
	size_t nvals;
	char ids[REF_IN_MAX][REF_ID_MAX + 1];
	long long secs[REF_IN_MAX];
	unsigned fields;
};

static const char *const op_names[] = {"contains", "equals",  "startsWith", "greaterThan",
                                       "lessThan", "present", "inArray"};
static const enum query_op op_values[] = {QUERY_OP_CONTAINS, QUERY_OP_EQUALS, QUERY_OP_STARTS,
                                          QUERY_OP_GT,       QUERY_OP_LT,     QUERY_OP_PRESENT,
                                          QUERY_OP_IN};
static const char *const field_names[] = {"id",       "extension", "ownerId",       "ownerName",
                                          "answered", "published", "phoneCallView", "link"};

/* The index of s[0..n) in names, or -1. */
static int lookup(const char *const *names, size_t count, const char *s, size_t n)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return (int)i;
	return -1;
}

/* One value of the filter into slot k of r. */
static bool ref_value(struct result *r, size_t k, const char *s, size_t n)
{
	int f[6], off;

	if (r->by == QUERY_BY_ID) {
		if (!ref_id(s, n) || (r->op == QUERY_OP_CONTAINS && n < REF_CONTAINS_MIN))
			return false;
		memcpy(r->ids[k], s, n);
		r->ids[k][n] = '\0';
		return true;
	}
	return ref_date(s, n, &r->secs[k], f, &off) == 0;
}

static enum err ref_filter(const char *q, size_t len, struct result *r)
{
	char *by = NULL, *op = NULL, *val = NULL;
	size_t byn = 0, opn = 0, valn = 0;
	int hb = ref_param(q, len, "filterBy", REF_WORD_MAX, &by, &byn);
	int ho = ref_param(q, len, "filterOp", REF_WORD_MAX, &op, &opn);
	int hv = ref_param(q, len, "filterValue", REF_VALUE_MAX, &val, &valn);
	int opi = ho == 1 ? lookup(op_names, NELEM(op_names), op, opn) : -1;
	enum err e = ERR_NONE;

	if (hb == 0) {
		if (ho != 0 || hv != 0)
			e = ERR_FILTERBY_INVALID;
		goto out;
	}
	if (hb < 0 || !((byn == 2 && memcmp(by, "id", 2) == 0) ||
	                (byn == 9 && memcmp(by, "published", 9) == 0))) {
		e = ERR_FILTERBY_INVALID;
		goto out;
	}
	r->by = byn == 2 ? QUERY_BY_ID : QUERY_BY_PUBLISHED;
	if (ho != 0 && opi < 0) {
		e = ERR_FILTEROP_INVALID;
		goto out;
	}
	/* no filterOp: contains for an id, equals for a date */
	if (ho == 0)
		r->op = r->by == QUERY_BY_PUBLISHED ? QUERY_OP_EQUALS : QUERY_OP_CONTAINS;
	else
		r->op = op_values[opi];
	if (r->by == QUERY_BY_PUBLISHED &&
	    (r->op == QUERY_OP_CONTAINS || r->op == QUERY_OP_STARTS)) {
		e = ERR_FILTEROP_INVALID;
		goto out;
	}
	if (hv < 0) {
		e = ERR_FILTERVALUE_INVALID;
		goto out;
	}
	if (r->op == QUERY_OP_PRESENT)
		goto out;
	if (hv == 0) {
		e = ERR_FILTERVALUE_INVALID;
		goto out;
	}
	if (r->op != QUERY_OP_IN) {
		if (!ref_value(r, 0, val, valn))
			e = ERR_FILTERVALUE_INVALID;
		else
			r->nvals = 1;
		goto out;
	}
	/* inArray: 1 to REF_IN_MAX items separated by ',' */
	size_t items = 1;
	for (size_t i = 0; i < valn; i++)
		items += val[i] == ',';
	if (items > REF_IN_MAX) {
		e = ERR_FILTERVALUE_INVALID;
		goto out;
	}
	for (size_t i = 0, s = 0; i <= valn; i++) {
		if (i < valn && val[i] != ',')
			continue;
		if (!ref_value(r, r->nvals, val + s, i - s)) {
			e = ERR_FILTERVALUE_INVALID;
			goto out;
		}
		r->nvals++;
		s = i + 1;
	}
out:
	free(by);
	free(op);
	free(val);
	return e;
}

static enum err ref_fields(const char *q, size_t len, struct result *r)
{
	char *v = NULL;
	size_t n = 0;
	int h = ref_param(q, len, "fields", REF_FIELDS_MAX, &v, &n);
	enum err e = ERR_NONE;

	r->fields = 0xff;
	if (h == 0)
		return ERR_NONE;
	if (h < 0)
		return ERR_FIELDS_INVALID;
	r->fields = QUERY_F_ID | QUERY_F_LINK;
	for (size_t i = 0, s = 0; i <= n; i++) {
		if (i < n && v[i] != ',')
			continue;
		size_t a = s, b = i;
		while (a < b && (v[a] == ' ' || v[a] == '\t'))
			a++;
		while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
			b--;
		int f = lookup(field_names, NELEM(field_names), v + a, b - a);
		if (f < 0) {
			e = ERR_FIELDS_INVALID;
			break;
		}
		r->fields |= 1u << f;
		s = i + 1;
	}
	free(v);
	return e;
}

/* A paging parameter into *out; false when it answers its code. */
static bool ref_paging(const char *q, size_t len, const char *name, long long def, long long lo,
                       long long *out)
{
	char *v = NULL;
	size_t n = 0;
	int h = ref_param(q, len, name, REF_NUM_MAX, &v, &n);

	*out = h == 0 ? def : h < 0 ? -1 : ref_number(v, n, lo, REF_PAGING_MAX);
	free(v);
	return *out >= 0;
}

/* The contract's answer for q[0..len). */
static void ref_parse(const char *q, size_t len, struct result *r)
{
	char *v = NULL;
	size_t n = 0;
	int h;

	memset(r, 0, sizeof(*r));
	r->by = QUERY_BY_NONE;
	r->op = QUERY_OP_CONTAINS;
	if (!ref_paging(q, len, "startIndex", 0, 0, &r->start)) {
		r->e = ERR_STARTINDEX_INVALID;
		return;
	}
	if (!ref_paging(q, len, "count", 20, 1, &r->count)) {
		r->e = ERR_COUNT_INVALID;
		return;
	}
	h = ref_param(q, len, "sortOrder", REF_WORD_MAX, &v, &n);
	if (h < 0 || (h == 1 && !(n == 9 && memcmp(v, "ascending", 9) == 0) &&
	              !(n == 10 && memcmp(v, "descending", 10) == 0))) {
		free(v);
		r->e = ERR_SORTORDER_INVALID;
		return;
	}
	r->desc = h == 1 && n == 10;
	free(v);
	if ((r->e = ref_filter(q, len, r)) != ERR_NONE)
		return;
	r->e = ref_fields(q, len, r);
}

/* query_parse on an exact copy of q[0..len), out filled with fill first. */
static void run_parse(const char *q, size_t len, int fill, struct result *r)
{
	char *c = dup_exact(q, len);
	struct query *out = malloc(sizeof(*out));

	CHECK(out != NULL);
	memset(out, fill, sizeof(*out));
	memset(r, 0, sizeof(*r));
	r->e = query_parse(c, len, out);
	free(c);
	if (r->e == ERR_NONE) {
		r->start = out->start;
		r->count = out->count;
		r->desc = out->desc;
		r->by = out->by;
		r->op = out->op;
		r->nvals = out->nvals;
		r->fields = out->fields;
		CHECK(out->nvals <= REF_IN_MAX);
		for (size_t k = 0; k < out->nvals; k++) {
			if (out->by == QUERY_BY_ID) {
				CHECK(memchr(out->ids[k], '\0', sizeof(out->ids[k])) != NULL);
				strcpy(r->ids[k], out->ids[k]);
			} else {
				r->secs[k] = out->secs[k];
			}
		}
	}
	free(out);
}

/* query.h's invariants of a successful parse. */
static void check_invariants(const struct result *r)
{
	CHECK(r->start >= 0 && r->start <= QUERY_START_MAX);
	CHECK(r->count >= 1 && r->count <= QUERY_COUNT_MAX);
	CHECK(r->by == QUERY_BY_NONE || r->by == QUERY_BY_ID || r->by == QUERY_BY_PUBLISHED);
	CHECK(r->op >= QUERY_OP_CONTAINS && r->op <= QUERY_OP_IN);
	CHECK((r->fields & QUERY_F_ALWAYS) == QUERY_F_ALWAYS);
	CHECK((r->fields & ~QUERY_F_ALL) == 0);
	CHECK(r->nvals <= QUERY_IN_MAX);
	if (r->by == QUERY_BY_NONE) {
		CHECK(r->nvals == 0 && r->op == QUERY_OP_CONTAINS);
		return;
	}
	CHECK(r->by != QUERY_BY_PUBLISHED ||
	      (r->op != QUERY_OP_CONTAINS && r->op != QUERY_OP_STARTS));
	CHECK((r->op == QUERY_OP_PRESENT) == (r->nvals == 0));
	CHECK(r->op == QUERY_OP_IN || r->op == QUERY_OP_PRESENT || r->nvals == 1);
	for (size_t k = 0; k < r->nvals; k++) {
		if (r->by == QUERY_BY_ID)
			CHECK(
			    ref_id(r->ids[k], strlen(r->ids[k])) &&
			    (r->op != QUERY_OP_CONTAINS || strlen(r->ids[k]) >= REF_CONTAINS_MIN));
		else
			CHECK(r->secs[k] >= REF_SECS_MIN && r->secs[k] <= REF_SECS_MAX);
	}
}

static bool same(const struct result *a, const struct result *b)
{
	if (a->e != b->e)
		return false;
	if (a->e != ERR_NONE)
		return true;
	if (a->start != b->start || a->count != b->count || a->desc != b->desc || a->by != b->by ||
	    a->op != b->op || a->nvals != b->nvals || a->fields != b->fields)
		return false;
	for (size_t k = 0; k < a->nvals; k++)
		if (a->by == QUERY_BY_ID ? strcmp(a->ids[k], b->ids[k]) != 0
		                         : a->secs[k] != b->secs[k])
			return false;
	return true;
}

/* query_parse of q[0..len): its code, the invariants, twice alike, and the model. */
static void check_parse(const char *q, size_t len, struct result *got)
{
	struct result again, want;

	run_parse(q, len, 0xa5, got);
	CHECK(got->e == ERR_NONE || got->e == ERR_STARTINDEX_INVALID ||
	      got->e == ERR_COUNT_INVALID || got->e == ERR_SORTORDER_INVALID ||
	      got->e == ERR_FILTERBY_INVALID || got->e == ERR_FILTEROP_INVALID ||
	      got->e == ERR_FILTERVALUE_INVALID || got->e == ERR_FIELDS_INVALID);
	if (got->e == ERR_NONE)
		check_invariants(got);
	run_parse(q, len, 0x00, &again);
	CHECK(same(got, &again));
	ref_parse(q, len, &want);
	CHECK(got->e == want.e);
	CHECK(same(got, &want));
}

/* head, then s[0..n) percent-encoded ('+' for a blank, some escapes in lower case). */
static char *encode(const char *head, const char *s, size_t n, size_t *len)
{
	static const char hex[] = "0123456789ABCDEF0123456789abcdef";
	size_t h = strlen(head), k = h;
	char *b = malloc(h + 3 * n + 1);

	CHECK(b != NULL);
	memcpy(b, head, h);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_id_char(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':') {
			b[k++] = (char)c;
		} else if (c == ' ') {
			b[k++] = '+';
		} else {
			int lower = (i & 1) * 16;
			b[k++] = '%';
			b[k++] = hex[(c >> 4) + lower];
			b[k++] = hex[(c & 15) + lower];
		}
	}
	*len = k;
	return b;
}

/* The input as one value: query_date, and every parameter it may be the value of. */
static void check_value(const char *s, size_t n)
{
	static const char *const heads[] = {
	    "filterBy=id&filterOp=equals&filterValue=",
	    "filterBy=id&filterOp=inArray&filterValue=",
	    "filterBy=published&filterOp=inArray&filterValue=",
	    "fields=",
	    "sortOrder=",
	    "count=",
	};
	struct result r;
	size_t len;
	char *q;

	check_date(s, n);

	/* a date's answer is query_date's, through one round of form encoding */
	q = encode("filterBy=published&filterOp=equals&filterValue=", s, n, &len);
	check_parse(q, len, &r);
	free(q);
	long long secs;
	int d = query_date(s, n, &secs);
	if (n > REF_VALUE_MAX || d != 0) {
		CHECK(r.e == ERR_FILTERVALUE_INVALID);
	} else {
		CHECK(r.e == ERR_NONE && r.nvals == 1 && r.secs[0] == secs);
	}

	for (size_t i = 0; i < NELEM(heads); i++) {
		q = encode(heads[i], s, n, &len);
		check_parse(q, len, &r);
		free(q);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct result r;

	check_parse(s, size, &r);
	check_value(s, size);
	/* every prefix of a short input as a date */
	if (size <= REF_DATE_MAX + 8)
		for (size_t n = 0; n < size; n++)
			check_date(s, n);
	return 0;
}
