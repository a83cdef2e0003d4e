/*
 * query.c - the List parameters of UnifiedAPI (startIndex, count, sortOrder, filterBy,
 * filterOp, filterValue, fields) read from a query string into a struct query. Each is
 * looked up once with uri_query (form-decoded, refused when repeated), then checked
 * against its grammar; nothing is allocated.
 */
#include <string.h>

#include "chars.h"
#include "query.h"

/* A name of a fixed set and its value. */
struct word {
	const char *name;
	int value;
};

static const struct word sort_words[] = {{"ascending", 0}, {"descending", 1}};

static const struct word by_words[] = {{"id", QUERY_BY_ID}, {"published", QUERY_BY_PUBLISHED}};

static const struct word op_words[] = {
    {"equals", QUERY_OP_EQUALS},  {"contains", QUERY_OP_CONTAINS}, {"startsWith", QUERY_OP_STARTS},
    {"greaterThan", QUERY_OP_GT}, {"lessThan", QUERY_OP_LT},       {"present", QUERY_OP_PRESENT},
    {"inArray", QUERY_OP_IN},
};

static const struct word field_words[] = {
    {"id", QUERY_F_ID},
    {"extension", QUERY_F_EXTENSION},
    {"ownerId", QUERY_F_OWNER_ID},
    {"ownerName", QUERY_F_OWNER_NAME},
    {"answered", QUERY_F_ANSWERED},
    {"published", QUERY_F_PUBLISHED},
    {"phoneCallView", QUERY_F_VIEWS},
    {"link", QUERY_F_LINK},
};

#define NWORDS(a) (sizeof(a) / sizeof(*(a)))
#define ABSENT (-2) /* word(): the parameter did not come */

/* The name of value in words (one of them). */
static const char *word_name(const struct word *w, size_t nw, int value)
{
	for (size_t i = 0; i < nw; i++)
		if (w[i].value == value)
			return w[i].name;
	return NULL;
}

const char *query_by_name(enum query_by by)
{
	return word_name(by_words, NWORDS(by_words), (int)by);
}

const char *query_op_name(enum query_op op)
{
	return word_name(op_words, NWORDS(op_words), (int)op);
}

/* The value of s[0..n) in words, or -1. */
static int word_find(const struct word *w, size_t nw, const char *s, size_t n)
{
	for (size_t i = 0; i < nw; i++)
		if (strlen(w[i].name) == n && memcmp(w[i].name, s, n) == 0)
			return w[i].value;
	return -1;
}

/* A paging parameter: def when absent, -1 when malformed or outside [lo, hi]. */
static long long number(const char *q, size_t len, const char *name, long long def, long long lo,
                        long long hi)
{
	char buf[QUERY_NUM_MAX + 1];
	size_t n;
	long long v;
	int found = uri_query(q, len, name, buf, sizeof(buf), &n);

	if (found == 0)
		return def;
	if (found < 0 || uri_num(buf, n, hi, &v) != 0 || v < lo)
		return -1;
	return v;
}

/* A parameter of a fixed set: def when absent, -1 when malformed or not in the set. */
static int word(const char *q, size_t len, const char *name, const struct word *w, size_t nw,
                int def)
{
	char buf[QUERY_WORD_MAX + 1];
	size_t n;
	int found = uri_query(q, len, name, buf, sizeof(buf), &n);

	if (found == 0)
		return def;
	if (found < 0)
		return -1;
	return word_find(w, nw, buf, n);
}

/* Whether s[0..n) is a phoneCallId: 1 to URI_CALLID_MAX of [A-Za-z0-9]. */
static bool id_ok(const char *s, size_t n)
{
	if (n == 0 || n > URI_CALLID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!chars_alnum((unsigned char)s[i]))
			return false;
	return true;
}

/* Digits s[0..n) as a number; -1 unless all are digits. */
static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil), exact for every year RFC 3339 can write. */
static long long days_from_civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int query_date(const char *s, size_t len, long long *secs)
{
	/* date-fullyear "-" date-month "-" date-mday T HH ":" MM ":" SS */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	const size_t fixed = sizeof(shape) - 1;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	size_t i;

	if (len < fixed + 1 || len > QUERY_DATE_MAX)
		return -1;
	for (i = 0; i < fixed; i++) {
		char c = s[i];
		if (shape[i] == 'd'   ? c < '0' || c > '9'
		    : shape[i] == 'T' ? c != 'T' && c != 't' && c != ' '
		                      : c != shape[i])
			return -1;
	}
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	/* time-secfrac: at least one digit; dropped, dates compare to the second */
	if (i < len && s[i] == '.') {
		size_t f = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f)
			return -1;
	}
	/* time-offset: "Z" / ("+" / "-") time-hour ":" time-minute; a blank is a '+' that
	 * a query string's form decoding turned into a space */
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
		sign = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-' || s[i] == ' ') && s[i + 3] == ':') {
		sign = s[i] == '-' ? -1 : 1;
		oh = digits(s + i + 1, 2);
		om = digits(s + i + 4, 2);
		if (oh < 0 || om < 0 || oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	/* a leap second (60) is the next second's start, as PostgreSQL reads it */
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	*secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	        sign * (oh * 3600 + om * 60);
	return 0;
}

/*
 * The next item of a comma-separated list: *p is where it starts (NULL once the list is
 * done), end where the list ends. Sets the item and returns true, or returns false when
 * no item is left.
 */
static bool next_item(const char **p, const char *end, const char **item, size_t *n)
{
	const char *comma;

	if (*p == NULL)
		return false;
	comma = memchr(*p, ',', (size_t)(end - *p));
	*item = *p;
	*n = (size_t)((comma ? comma : end) - *p);
	*p = comma ? comma + 1 : NULL;
	return true;
}

/* One value of a filter into slot k of out. */
static bool value_one(struct query *out, size_t k, const char *s, size_t n)
{
	if (out->by == QUERY_BY_ID) {
		/* a shorter substring matches a large share of the ids, and no index finds it
		 * without reading every one */
		if (!id_ok(s, n) || (out->op == QUERY_OP_CONTAINS && n < QUERY_CONTAINS_MIN))
			return false;
		memcpy(out->ids[k], s, n);
		out->ids[k][n] = '\0';
		return true;
	}
	return query_date(s, n, &out->secs[k]) == 0;
}

/* filterValue, decoded: one value, or inArray's comma-separated list. */
static bool values(struct query *out, const char *v, size_t n)
{
	const char *p = v, *item;
	size_t len;

	out->nvals = 0;
	if (out->op != QUERY_OP_IN) {
		if (!value_one(out, 0, v, n))
			return false;
		out->nvals = 1;
		return true;
	}
	while (next_item(&p, v + n, &item, &len)) {
		if (out->nvals == QUERY_IN_MAX || !value_one(out, out->nvals, item, len))
			return false;
		out->nvals++;
	}
	return true;
}

/* The filter: filterBy, filterOp, filterValue. */
static enum err filter(const char *q, size_t len, struct query *out)
{
	char v[QUERY_VALUE_MAX + 1];
	size_t n = 0;
	int by = word(q, len, "filterBy", by_words, NWORDS(by_words), QUERY_BY_NONE);
	int op = word(q, len, "filterOp", op_words, NWORDS(op_words), ABSENT);
	int found = uri_query(q, len, "filterValue", v, sizeof(v), &n);

	if (by < 0 || (by == QUERY_BY_NONE && (op != ABSENT || found != 0)))
		return ERR_FILTERBY_INVALID;
	out->by = (enum query_by)by;
	if (by == QUERY_BY_NONE)
		return ERR_NONE;
	if (op == -1)
		return ERR_FILTEROP_INVALID;
	/* no filterOp: OpenSocial's contains, which a date cannot take; for it, equals */
	if (op == ABSENT)
		out->op = by == QUERY_BY_PUBLISHED ? QUERY_OP_EQUALS : QUERY_OP_CONTAINS;
	else
		out->op = (enum query_op)op;
	/* published is a date: text operations do not apply */
	if (by == QUERY_BY_PUBLISHED &&
	    (out->op == QUERY_OP_CONTAINS || out->op == QUERY_OP_STARTS))
		return ERR_FILTEROP_INVALID;
	if (found < 0)
		return ERR_FILTERVALUE_INVALID;
	if (out->op == QUERY_OP_PRESENT)
		return ERR_NONE; /* a value, if any, is ignored */
	if (found == 0 || !values(out, v, n))
		return ERR_FILTERVALUE_INVALID;
	return ERR_NONE;
}

/* fields: names separated by commas, blanks around them dropped. */
static enum err fields(const char *q, size_t len, struct query *out)
{
	char v[QUERY_FIELDS_MAX + 1];
	size_t n = 0;
	int found = uri_query(q, len, "fields", v, sizeof(v), &n);
	const char *p = v, *s;
	size_t k;

	out->fields = QUERY_F_ALL;
	if (found == 0)
		return ERR_NONE;
	if (found < 0)
		return ERR_FIELDS_INVALID;
	out->fields = QUERY_F_ALWAYS;
	while (next_item(&p, v + n, &s, &k)) {
		for (; k > 0 && (*s == ' ' || *s == '\t'); k--)
			s++;
		while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
			k--;
		int f = word_find(field_words, NWORDS(field_words), s, k);
		if (f < 0)
			return ERR_FIELDS_INVALID;
		out->fields |= (unsigned)f;
	}
	return ERR_NONE;
}

enum err query_parse(const char *q, size_t len, struct query *out)
{
	enum err e;
	int sort;

	out->by = QUERY_BY_NONE;
	out->op = QUERY_OP_CONTAINS;
	out->nvals = 0;
	out->desc = false;
	out->fields = QUERY_F_ALL;
	if ((out->start = number(q, len, "startIndex", 0, 0, QUERY_START_MAX)) < 0)
		return ERR_STARTINDEX_INVALID;
	if ((out->count = number(q, len, "count", QUERY_COUNT_DEFAULT, 1, QUERY_COUNT_MAX)) < 0)
		return ERR_COUNT_INVALID;
	if ((sort = word(q, len, "sortOrder", sort_words, NWORDS(sort_words), 0)) < 0)
		return ERR_SORTORDER_INVALID;
	out->desc = sort == 1;
	if ((e = filter(q, len, out)) != ERR_NONE)
		return e;
	return fields(q, len, out);
}
