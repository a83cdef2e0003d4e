/*
 * unit_query.c - tests of src/input/query.c: the List parameters of docs/api.md (startIndex,
 * count, sortOrder, filterBy, filterOp, filterValue, fields), their order of checks, and
 * RFC 3339 dates (query_date).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/input/query.c"

#define NELEM(a) (sizeof(a) / sizeof(*(a)))
#define BIG 16384 /* a buffer for query strings built by the tests */

static const char *code(enum err e)
{
	return e == ERR_NONE ? "ERR_NONE" : err_info(e)->code;
}

/*
 * Parses a copy of s[0..n) in a buffer of exactly n bytes (so that the sanitizers catch
 * any read past the length given) into out, filled with garbage first.
 */
static enum err qparse_n(const char *s, size_t n, struct query *out)
{
	char *copy = malloc(n ? n : 1);
	enum err e;

	cr_assert_not_null(copy, "malloc");
	memcpy(copy, s, n);
	memset(out, 0xa5, sizeof(*out));
	e = query_parse(copy, n, out);
	free(copy);
	return e;
}

static enum err qparse(const char *s, struct query *out)
{
	return qparse_n(s, strlen(s), out);
}

/* Asserts s parses, into out. */
static void ok(const char *s, struct query *out)
{
	enum err e = qparse(s, out);

	cr_assert_eq(e, ERR_NONE, "\"%.300s\": got %s, expected success", s, code(e));
}

/* Asserts s answers want. */
static void bad(const char *s, enum err want)
{
	struct query q;
	enum err e = qparse(s, &q);

	cr_assert_eq(e, want, "\"%.300s\": got %s, expected %s", s, code(e), code(want));
}

/* Asserts that every string of a NULL-terminated list answers want. */
static void bad_all(const char *const *list, enum err want)
{
	for (size_t i = 0; list[i]; i++)
		bad(list[i], want);
}

/* Asserts that q holds no filter, ascending order and every field. */
static void expect_plain(const struct query *q, const char *what)
{
	cr_assert_eq(q->desc, false, "%s: ascending", what);
	cr_assert_eq(q->by, QUERY_BY_NONE, "%s: no filter", what);
	cr_assert_eq(q->op, QUERY_OP_CONTAINS, "%s: op", what);
	cr_assert_eq(q->nvals, (size_t)0, "%s: no values", what);
	cr_assert_eq(q->fields, QUERY_F_ALL, "%s: every field", what);
}

/* query_date over a copy of s[0..n) in a buffer of exactly n bytes. */
static int qdate_n(const char *s, size_t n, long long *secs)
{
	char *copy = malloc(n ? n : 1);
	int r;

	cr_assert_not_null(copy, "malloc");
	memcpy(copy, s, n);
	r = query_date(copy, n, secs);
	free(copy);
	return r;
}

static void date_is(const char *s, long long want)
{
	long long secs = 0x5a5a5a5a;
	int r = qdate_n(s, strlen(s), &secs);

	cr_assert_eq(r, 0, "\"%s\" must be a date", s);
	cr_assert_eq(secs, want, "\"%s\": %lld, expected %lld", s, secs, want);
}

static void date_bad_n(const char *s, size_t n)
{
	long long secs;

	cr_assert_eq(qdate_n(s, n, &secs), -1, "\"%.*s\" (%zu bytes) must not be a date", (int)n, s,
	             n);
}

static void date_bad(const char *s)
{
	date_bad_n(s, strlen(s));
}

/* Defaults */

Test(query, defaults_without_query)
{
	struct query q;

	cr_assert_eq(qparse_n("", 0, &q), ERR_NONE, "no query");
	cr_assert_eq(q.start, 0LL, "startIndex defaults to 0");
	cr_assert_eq(q.count, 20LL, "count defaults to 20");
	cr_assert_eq(QUERY_COUNT_DEFAULT, 20, "the contract's default");
	expect_plain(&q, "no query");
	cr_assert_eq(QUERY_F_ALL, 0xffu, "every field is 8 bits");

	/* a NULL pointer with length 0: nothing is read */
	memset(&q, 0xa5, sizeof(q));
	cr_assert_eq(query_parse(NULL, 0, &q), ERR_NONE, "NULL, 0");
	cr_assert(q.start == 0 && q.count == 20, "NULL, 0: paging");
	expect_plain(&q, "NULL, 0");
}

Test(query, defaults_with_other_parameters)
{
	static const char *const qs[] = {
	    "&",
	    "&&&",
	    "=",
	    "x=1",
	    "accessRequestToken=abc&x",
	    "StartIndex=-1&COUNT=0&sortorder=x&filterby=x&FilterOp=x&filtervalue=x&Fields=x",
	    "?count=0",          /* no leading '?' is stripped: "?count" is another name */
	    "count%3D0",         /* the name is "count=0" once decoded */
	    "+count=0",          /* " count" */
	    "count+=0",          /* "count " */
	    "startIndex%00=1",   /* a NUL in the name */
	    "sortOrder.x=bogus", /* another name */
	    "filterBy[]=id",     /* another name */
	    "fields%2C=foo",     /* "fields," */
	};
	struct query q;

	for (size_t i = 0; i < NELEM(qs); i++) {
		ok(qs[i], &q);
		cr_assert_eq(q.start, 0LL, "\"%s\": startIndex", qs[i]);
		cr_assert_eq(q.count, 20LL, "\"%s\": count", qs[i]);
		expect_plain(&q, qs[i]);
	}
}

/* Paging */

Test(query, paging_values)
{
	static const struct {
		const char *q;
		long long start, count;
	} cases[] = {
	    {"startIndex=0", 0, 20},
	    {"startIndex=1", 1, 20},
	    {"startIndex=4999", 4999, 20},
	    {"startIndex=5000", 5000, 20},
	    {"count=1", 0, 1},
	    {"count=2", 0, 2},
	    {"count=20", 0, 20},
	    {"count=4999", 0, 4999},
	    {"count=5000", 0, 5000},
	    {"startIndex=7&count=3", 7, 3},
	    {"count=3&startIndex=7", 7, 3},
	    {"startIndex=5000&count=5000", 5000, 5000},
	    {"&startIndex=12&&count=34&", 12, 34},
	    /* escaped digits are the digits (values are decoded once) */
	    {"startIndex=%31%30&count=%35%30%30%30", 10, 5000},
	    /* escaped names are the names */
	    {"%73tartIndex=9&%63%6F%75%6E%74=8", 9, 8},
	    {"start%49ndex=9", 9, 20},
	};
	struct query q;

	for (size_t i = 0; i < NELEM(cases); i++) {
		ok(cases[i].q, &q);
		cr_assert_eq(q.start, cases[i].start, "\"%s\": startIndex %lld, expected %lld",
		             cases[i].q, q.start, cases[i].start);
		cr_assert_eq(q.count, cases[i].count, "\"%s\": count %lld, expected %lld",
		             cases[i].q, q.count, cases[i].count);
		expect_plain(&q, cases[i].q);
	}
	cr_assert_eq(QUERY_START_MAX, 5000, "the contract's largest startIndex");
	cr_assert_eq(QUERY_COUNT_MAX, 5000, "the contract's largest count");
}

/* Values that are malformed or out of range for both paging parameters. */
static const char *const paging_bad_values[] = {
    "",
    "5001",
    "9999",
    "10000",
    "-1",
    "-0",
    "+1",   /* " 1" */
    "%2B1", /* "+1" */
    "%2D1", /* "-1" */
    "01",
    "00",
    "0005",
    "005000",
    "%201", /* " 1" */
    "1%20",
    "1+",
    "%091",
    "1%00",
    "%001",
    "1.0",
    "1e3",
    "0x10",
    "１", /* a full-width digit, UTF-8 */
    "5000a",
    "a",
    "twenty",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551617",
    "99999999999999999999",
    "100000000000000000000000000000000",        /* 33 digits: longer than QUERY_NUM_MAX */
    "00000000000000000000000000000001",         /* 32 bytes, leading zeros */
    "1000000000000000000000000000000000000000", /* 40 digits */
    "%zz",
    "%3",
    "1%",
    "%2531", /* "%31": decoded once, not twice */
    NULL,
};

Test(query, startindex_invalid)
{
	char b[256];

	for (size_t i = 0; paging_bad_values[i]; i++) {
		snprintf(b, sizeof(b), "startIndex=%s", paging_bad_values[i]);
		bad(b, ERR_STARTINDEX_INVALID);
		snprintf(b, sizeof(b), "count=5&startIndex=%s&sortOrder=ascending",
		         paging_bad_values[i]);
		bad(b, ERR_STARTINDEX_INVALID);
	}
	static const char *const more[] = {
	    "startIndex",                /* no '=': an empty value */
	    "startIndex=1&startIndex=1", /* repeated, even with the same value */
	    "startIndex=1&startIndex=2",
	    "startIndex=&startIndex=1",
	    "startIndex=1&%73tartIndex=1", /* repeated under an escaped name */
	    "startIndex=1&startIndex",
	    "startIndex=1=",
	    "startIndex==1",
	    NULL,
	};
	bad_all(more, ERR_STARTINDEX_INVALID);
}

Test(query, count_invalid)
{
	char b[256];

	for (size_t i = 0; paging_bad_values[i]; i++) {
		snprintf(b, sizeof(b), "count=%s", paging_bad_values[i]);
		bad(b, ERR_COUNT_INVALID);
		snprintf(b, sizeof(b), "startIndex=5&count=%s&fields=id", paging_bad_values[i]);
		bad(b, ERR_COUNT_INVALID);
	}
	static const char *const more[] = {
	    "count=0", /* startIndex may be 0, count may not */
	    "count",   "count=", "count=5&count=5", "count=5&c%6Funt=6", "count=5&count", NULL,
	};
	bad_all(more, ERR_COUNT_INVALID);
}

/* sortOrder */

Test(query, sortorder_values)
{
	static const struct {
		const char *q;
		bool desc;
	} cases[] = {
	    {"sortOrder=ascending", false},
	    {"sortOrder=descending", true},
	    {"%73ortOrder=descending", true},
	    {"sort%4Frder=descending", true},
	    {"%73%6F%72%74%4F%72%64%65%72=descending", true},
	    {"sortOrder=%64escending", true}, /* an escaped letter is the letter */
	    {"sortOrder=%64%65%73%63%65%6E%64%69%6E%67", true},
	    {"sortOrder=%61scending", false},
	    {"count=5&sortOrder=descending&startIndex=1", true},
	    {"sortorder=descending", false}, /* another name: ignored */
	    {"SortOrder=descending", false},
	};
	struct query q;

	for (size_t i = 0; i < NELEM(cases); i++) {
		ok(cases[i].q, &q);
		cr_assert_eq(q.desc, cases[i].desc, "\"%s\": desc %d, expected %d", cases[i].q,
		             q.desc, cases[i].desc);
		cr_assert_eq(q.by, QUERY_BY_NONE, "\"%s\": no filter", cases[i].q);
		cr_assert_eq(q.fields, QUERY_F_ALL, "\"%s\": every field", cases[i].q);
	}
}

Test(query, sortorder_invalid)
{
	static const char *const qs[] = {
	    "sortOrder=Ascending",
	    "sortOrder=ASCENDING",
	    "sortOrder=Descending",
	    "sortOrder=DESCENDING",
	    "sortOrder=descendinG",
	    "sortOrder=asc",
	    "sortOrder=desc",
	    "sortOrder=up",
	    "sortOrder=down",
	    "sortOrder=descend",
	    "sortOrder=ascendin",
	    "sortOrder=0",
	    "sortOrder=1",
	    "sortOrder=true",
	    "sortOrder=",
	    "sortOrder",
	    "sortOrder=descending+", /* "descending " */
	    "sortOrder=+descending", /* " descending" */
	    "sortOrder=descending%20",
	    "sortOrder=descending%09",
	    "sortOrder=descending%00",
	    "sortOrder=%00descending",
	    "sortOrder=descendingg",
	    "sortOrder=descending,ascending",
	    "sortOrder=descendingdescen",  /* 16 bytes: read, then not found */
	    "sortOrder=descendingdescend", /* 17 bytes: longer than QUERY_WORD_MAX */
	    "sortOrder=ascendingascendingascendingascending",
	    "sortOrder=%zzescending",
	    "sortOrder=%6",
	    "sortOrder=descending%",
	    "sortOrder=%2564escending", /* "%64escending": one round of decoding */
	    "sortOrder=%C3%A9",
	    "sortOrder=ascending&sortOrder=ascending",
	    "sortOrder=descending&sortOrder=descending",
	    "sortOrder=ascending&%73ortOrder=descending",
	    "%73ortOrder=descending&sortOrder=descending",
	    "sortOrder=descending&sortOrder",
	    "sortOrder=descending&sortOrder=",
	    "count=5&sortOrder=bogus&fields=id",
	    NULL,
	};

	bad_all(qs, ERR_SORTORDER_INVALID);
	cr_assert_eq(strlen("descendingdescen"), (size_t)QUERY_WORD_MAX, "16 bytes");
}

/* filterBy=id */

Test(query, id_every_op)
{
	static const struct {
		const char *op;
		enum query_op want;
	} ops[] = {
	    {"equals", QUERY_OP_EQUALS},     {"contains", QUERY_OP_CONTAINS},
	    {"startsWith", QUERY_OP_STARTS}, {"greaterThan", QUERY_OP_GT},
	    {"lessThan", QUERY_OP_LT},       {"inArray", QUERY_OP_IN},
	};
	char b[256];
	struct query q;

	for (size_t i = 0; i < NELEM(ops); i++) {
		snprintf(b, sizeof(b), "filterBy=id&filterOp=%s&filterValue=b817d2618fe6f1804333",
		         ops[i].op);
		ok(b, &q);
		cr_assert_eq(q.by, QUERY_BY_ID, "%s: by id", b);
		cr_assert_eq(q.op, ops[i].want, "%s: op %d, expected %d", b, q.op, ops[i].want);
		cr_assert_eq(q.nvals, (size_t)1, "%s: one value", b);
		cr_assert_str_eq(q.ids[0], "b817d2618fe6f1804333", "%s: the id copied", b);
		cr_assert_eq(q.fields, QUERY_F_ALL, "%s: every field", b);
		cr_assert_eq(q.start, 0LL, "%s: paging untouched", b);
		cr_assert_eq(q.count, 20LL, "%s: paging untouched", b);
		cr_assert_not(q.desc, "%s: ascending", b);
	}
	/* the parameters in another order, and escaped names */
	ok("filterValue=444444&filterOp=lessThan&filterBy=id", &q);
	cr_assert(q.by == QUERY_BY_ID && q.op == QUERY_OP_LT && q.nvals == 1, "any order");
	cr_assert_str_eq(q.ids[0], "444444", "any order: value");
	ok("%66ilterBy=%69d&filter%4Fp=%65quals&filterValu%65=%41%62%63", &q);
	cr_assert(q.by == QUERY_BY_ID && q.op == QUERY_OP_EQUALS && q.nvals == 1, "escapes");
	cr_assert_str_eq(q.ids[0], "Abc", "escapes: the decoded value");
}

Test(query, id_contains_is_the_default_op)
{
	struct query q;

	ok("filterBy=id&filterValue=lst", &q);
	cr_assert_eq(q.by, QUERY_BY_ID, "by id");
	cr_assert_eq(q.op, QUERY_OP_CONTAINS, "no filterOp: contains (OpenSocial)");
	cr_assert_eq(q.nvals, (size_t)1, "one value");
	cr_assert_str_eq(q.ids[0], "lst", "value");
	/* no filterOp still needs a value */
	bad("filterBy=id", ERR_FILTERVALUE_INVALID);
	/* a default op reads one value: a comma is not a separator */
	bad("filterBy=id&filterValue=abc,def", ERR_FILTERVALUE_INVALID);
}

/* contains takes QUERY_CONTAINS_MIN (3) characters at least, counted decoded; the other
 * ops take any id. */
Test(query, id_contains_minimum)
{
	static const char *const heads[] = {
	    "filterBy=id&filterOp=contains&filterValue=", "filterBy=id&filterValue=",
	    "filterOp=contains&filterBy=id&filterValue="};
	static const char *const shorts[] = {"", "a", "ab", "Z9", "%61", "%61%62", "a+", NULL};
	static const struct {
		const char *v, *id;
	} longs[] = {{"abc", "abc"},       {"%61bc", "abc"},
	             {"%61%62%63", "abc"}, {"000", "000"},
	             {"b817", "b817"},     {"b817d2618fe6f1804333", "b817d2618fe6f1804333"}};
	char b[256];
	struct query q;

	cr_assert_eq(QUERY_CONTAINS_MIN, 3, "the trigram index's 3");
	for (size_t h = 0; h < NELEM(heads); h++) {
		const char *head = heads[h];
		for (size_t i = 0; shorts[i]; i++) {
			snprintf(b, sizeof(b), "%s%s", head, shorts[i]);
			bad(b, ERR_FILTERVALUE_INVALID);
		}
		for (size_t i = 0; i < NELEM(longs); i++) {
			snprintf(b, sizeof(b), "%s%s", head, longs[i].v);
			ok(b, &q);
			cr_assert_eq(q.op, QUERY_OP_CONTAINS, "%s: contains", b);
			cr_assert_eq(q.nvals, (size_t)1, "%s: one value", b);
			cr_assert_str_eq(q.ids[0], longs[i].id, "%s: the decoded value", b);
		}
	}
	bad("filterValue=ab", ERR_FILTERBY_INVALID);
	/* a 64-character id is still the longest */
	snprintf(b, sizeof(b), "filterBy=id&filterOp=contains&filterValue=%064d", 7);
	ok(b, &q);
	snprintf(b, sizeof(b), "filterBy=id&filterOp=contains&filterValue=%065d", 7);
	bad(b, ERR_FILTERVALUE_INVALID);

	/* one or two characters are ids to every other op */
	static const char *const ops[] = {"equals", "startsWith", "greaterThan", "lessThan",
	                                  "inArray"};
	for (size_t o = 0; o < NELEM(ops); o++) {
		snprintf(b, sizeof(b), "filterBy=id&filterOp=%s&filterValue=a", ops[o]);
		ok(b, &q);
		cr_assert_str_eq(q.ids[0], "a", "%s: one character", b);
		snprintf(b, sizeof(b), "filterBy=id&filterOp=%s&filterValue=ab", ops[o]);
		ok(b, &q);
		cr_assert_str_eq(q.ids[0], "ab", "%s: two characters", b);
	}
	ok("filterBy=id&filterOp=inArray&filterValue=a,bc,def", &q);
	cr_assert_eq(q.nvals, (size_t)3, "inArray: short ids");
	cr_assert_str_eq(q.ids[0], "a", "inArray: one character");
	/* present ignores a short value too */
	ok("filterBy=id&filterOp=present&filterValue=a", &q);
	cr_assert_eq(q.nvals, (size_t)0, "present");
}

Test(query, id_values_lengths_and_grammar)
{
	char id64[65], b[256];
	struct query q;

	memset(id64, 'z', 64);
	id64[64] = '\0';
	id64[0] = 'A';
	id64[63] = '9';
	snprintf(b, sizeof(b), "filterBy=id&filterOp=equals&filterValue=%s", id64);
	ok(b, &q);
	cr_assert_eq(q.nvals, (size_t)1, "64 characters: one value");
	cr_assert_str_eq(q.ids[0], id64, "64 characters copied");
	cr_assert_eq(strlen(q.ids[0]), (size_t)URI_CALLID_MAX, "64 characters long");

	static const char *const good_ids[] = {"a", "Z", "0", "09", "AbCdEf0123456789", NULL};
	for (size_t i = 0; good_ids[i]; i++) {
		snprintf(b, sizeof(b), "filterBy=id&filterOp=equals&filterValue=%s", good_ids[i]);
		ok(b, &q);
		cr_assert_str_eq(q.ids[0], good_ids[i], "%s: copied", b);
	}

	/* "a+b" is "a b", "%2541" is "%41" (one round of decoding), "é" is UTF-8 */
	static const char *const bad_ids[] = {
	    "",        "a-b",   "a_b", "a.b",   "-",     "a+b",      "+a",
	    "a%20",    "a%00",  "%00", "%00a",  "a%00b", "é",        "%C3%A9",
	    "a%C3%A9", "%FF",   "a/b", "a%2Fb", "*",     "0003*210", "a%zz",
	    "a%",      "%2541", "a;b", "a\"b",  "%0A",   "a%09",     NULL,
	};
	static const char *const ops[] = {"equals",      "contains", "startsWith",
	                                  "greaterThan", "lessThan", "inArray"};
	for (size_t o = 0; o < NELEM(ops); o++) {
		for (size_t i = 0; bad_ids[i]; i++) {
			snprintf(b, sizeof(b), "filterBy=id&filterOp=%s&filterValue=%s", ops[o],
			         bad_ids[i]);
			bad(b, ERR_FILTERVALUE_INVALID);
		}
		snprintf(b, sizeof(b), "filterBy=id&filterOp=%s&filterValue=%sz", ops[o], id64);
		bad(b, ERR_FILTERVALUE_INVALID); /* 65 characters */
		snprintf(b, sizeof(b), "filterBy=id&filterOp=%s", ops[o]);
		bad(b, ERR_FILTERVALUE_INVALID); /* no value */
		snprintf(b, sizeof(b), "filterBy=id&filterOp=%s&filterValue", ops[o]);
		bad(b, ERR_FILTERVALUE_INVALID); /* an empty value */
		snprintf(b, sizeof(b), "filterBy=id&filterOp=%s&filterValue=a&filterValue=a",
		         ops[o]);
		bad(b, ERR_FILTERVALUE_INVALID); /* repeated */
		snprintf(b, sizeof(b), "filterBy=id&filterOp=%s&filterValue=a&filterValue", ops[o]);
		bad(b, ERR_FILTERVALUE_INVALID); /* repeated, the second empty */
	}
}

/* A query string with an inArray of n ids, "i0,i1,...", joined by sep. */
static void in_query(char *b, size_t cap, size_t n, const char *sep)
{
	size_t k = (size_t)snprintf(b, cap, "filterBy=id&filterOp=inArray&filterValue=");

	for (size_t i = 0; i < n; i++) {
		k += (size_t)snprintf(b + k, cap - k, "%si%zu", i ? sep : "", i);
		cr_assert_lt(k, cap, "buffer");
	}
}

Test(query, id_in_array)
{
	static char b[BIG];
	struct query q;
	char want[16];

	ok("filterBy=id&filterOp=inArray&filterValue=444444", &q);
	cr_assert_eq(q.op, QUERY_OP_IN, "inArray");
	cr_assert_eq(q.nvals, (size_t)1, "a list of one");
	cr_assert_str_eq(q.ids[0], "444444", "the one");

	ok("filterBy=id&filterOp=inArray&filterValue=444444,b817d2618fe6f1804333", &q);
	cr_assert_eq(q.nvals, (size_t)2, "a list of two");
	cr_assert_str_eq(q.ids[0], "444444", "first");
	cr_assert_str_eq(q.ids[1], "b817d2618fe6f1804333", "second, in the order given");

	/* %2C is a comma once decoded, which separates as well */
	ok("filterBy=id&filterOp=inArray&filterValue=xyz5%2Clst1%2cnope", &q);
	cr_assert_eq(q.nvals, (size_t)3, "%%2C separates");
	cr_assert_str_eq(q.ids[0], "xyz5", "first");
	cr_assert_str_eq(q.ids[1], "lst1", "second");
	cr_assert_str_eq(q.ids[2], "nope", "third");

	/* duplicates are kept as given */
	ok("filterBy=id&filterOp=inArray&filterValue=a,a,b", &q);
	cr_assert_eq(q.nvals, (size_t)3, "duplicates are values");

	for (size_t n = 1; n <= QUERY_IN_MAX; n += n < 10 ? 1 : 9) {
		in_query(b, sizeof(b), n, ",");
		ok(b, &q);
		cr_assert_eq(q.nvals, n, "%zu values: nvals %zu", n, q.nvals);
		for (size_t i = 0; i < n; i++) {
			snprintf(want, sizeof(want), "i%zu", i);
			cr_assert_str_eq(q.ids[i], want, "%zu values: value %zu", n, i);
		}
	}
	in_query(b, sizeof(b), QUERY_IN_MAX, "%2C");
	ok(b, &q);
	cr_assert_eq(q.nvals, (size_t)QUERY_IN_MAX, "exactly QUERY_IN_MAX, %%2C-separated");
	cr_assert_str_eq(q.ids[QUERY_IN_MAX - 1], "i99", "the last one");
	cr_assert_eq(QUERY_IN_MAX, 100, "the contract's 100");

	/* one more than QUERY_IN_MAX, even a duplicate, and however separated */
	in_query(b, sizeof(b), QUERY_IN_MAX + 1, ",");
	bad(b, ERR_FILTERVALUE_INVALID);
	in_query(b, sizeof(b), QUERY_IN_MAX + 1, "%2C");
	bad(b, ERR_FILTERVALUE_INVALID);
	in_query(b, sizeof(b), QUERY_IN_MAX, ",");
	strcat(b, ",i0");
	bad(b, ERR_FILTERVALUE_INVALID);
	in_query(b, sizeof(b), QUERY_IN_MAX, ",");
	strcat(b, ","); /* 100 values and an empty 101st */
	bad(b, ERR_FILTERVALUE_INVALID);
	in_query(b, sizeof(b), 250, ",");
	bad(b, ERR_FILTERVALUE_INVALID);

	/* empty items, blanks, bad ids or escapes; "a%252Cb" is "a%2Cb" (decoded once) */
	static const char *const lists[] = {
	    "",     ",",    ",,",       "a,",    ",a",     "a,,b",    "a,b,",  "a%2C",
	    "%2Ca", "a, b", "a,+b",     "a+,b",  "a%20,b", "a,b-c",   "a,%00", "a;b",
	    "a b",  "a,é",  "a%2C%2Cb", "a,%zz", "a,b%",   "a%252Cb", NULL,
	};
	for (size_t i = 0; lists[i]; i++) {
		snprintf(b, sizeof(b), "filterBy=id&filterOp=inArray&filterValue=%s", lists[i]);
		bad(b, ERR_FILTERVALUE_INVALID);
	}
	/* a 65-character id among good ones */
	snprintf(b, sizeof(b), "filterBy=id&filterOp=inArray&filterValue=a,%065d,b", 0);
	bad(b, ERR_FILTERVALUE_INVALID);
	snprintf(b, sizeof(b), "filterBy=id&filterOp=inArray&filterValue=a,%064d,b", 0);
	ok(b, &q);
	cr_assert_eq(q.nvals, (size_t)3, "a 64-character id among others");
	cr_assert_eq(strlen(q.ids[1]), (size_t)64, "kept whole");
	cr_assert_str_eq(q.ids[2], "b", "and the next");
}

Test(query, present_needs_no_value)
{
	static char b[BIG];
	struct query q;

	static const char *const qs[] = {
	    "filterBy=id&filterOp=present",
	    "filterBy=id&filterOp=present&filterValue",
	    "filterBy=id&filterOp=present&filterValue=",
	    "filterBy=id&filterOp=present&filterValue=x-y",
	    "filterBy=id&filterOp=present&filterValue=a,,b,",
	    "filterBy=id&filterOp=present&filterValue=%C3%A9%00",
	    "filterOp=present&filterBy=id&filterValue=2012-06-27T16:08:40Z",
	    "filterBy=published&filterOp=present",
	    "filterBy=published&filterOp=present&filterValue=",
	    "filterBy=published&filterOp=present&filterValue=yesterday",
	    "filterBy=published&filterOp=present&filterValue=2012-02-30T00:00:00Z",
	    "filterBy=published&filterOp=present&filterValue=b817d2618fe6f1804333",
	    NULL,
	};
	for (size_t i = 0; qs[i]; i++) {
		ok(qs[i], &q);
		cr_assert_eq(q.op, QUERY_OP_PRESENT, "%s: present", qs[i]);
		cr_assert_eq(q.nvals, (size_t)0, "%s: no values", qs[i]);
		cr_assert_eq(q.by, strstr(qs[i], "published") ? QUERY_BY_PUBLISHED : QUERY_BY_ID,
		             "%s: by", qs[i]);
	}
	/* the value is still a parameter read: encoding, repetition and size apply */
	bad("filterBy=id&filterOp=present&filterValue=%zz", ERR_FILTERVALUE_INVALID);
	bad("filterBy=id&filterOp=present&filterValue=a&filterValue=a", ERR_FILTERVALUE_INVALID);
	bad("filterBy=published&filterOp=present&filterValue&filterValue", ERR_FILTERVALUE_INVALID);

	/* exactly QUERY_VALUE_MAX decoded bytes, then one more */
	size_t k = (size_t)snprintf(b, sizeof(b), "filterBy=id&filterOp=present&filterValue=");
	memset(b + k, 'x', QUERY_VALUE_MAX);
	b[k + QUERY_VALUE_MAX] = '\0';
	ok(b, &q);
	cr_assert_eq(q.nvals, (size_t)0, "8192 bytes ignored");
	strcat(b, "x");
	bad(b, ERR_FILTERVALUE_INVALID);
	cr_assert_eq(QUERY_VALUE_MAX, 8192, "the contract's 8 KiB");
}

Test(query, filtervalue_too_long)
{
	static char b[3 * QUERY_VALUE_MAX + 256];
	size_t k;

	/* decoded length counts: 8192 escapes are 8192 bytes */
	k = (size_t)snprintf(b, sizeof(b), "filterBy=id&filterOp=present&filterValue=");
	for (size_t i = 0; i < QUERY_VALUE_MAX; i++, k += 3)
		memcpy(b + k, "%41", 3);
	b[k] = '\0';
	struct query q;
	ok(b, &q);
	strcpy(b + k, "%41");
	bad(b, ERR_FILTERVALUE_INVALID);

	/* over the limit, whatever the op and the key */
	static const char *const heads[] = {
	    "filterBy=id&filterOp=equals&filterValue=",
	    "filterBy=id&filterOp=inArray&filterValue=",
	    "filterBy=id&filterValue=",
	    "filterBy=published&filterOp=greaterThan&filterValue=",
	    "filterBy=published&filterOp=inArray&filterValue=",
	};
	for (size_t h = 0; h < NELEM(heads); h++) {
		k = (size_t)snprintf(b, sizeof(b), "%s", heads[h]);
		memset(b + k, 'a', QUERY_VALUE_MAX + 1);
		b[k + QUERY_VALUE_MAX + 1] = '\0';
		bad(b, ERR_FILTERVALUE_INVALID);
	}
}

Test(query, filter_without_filterby)
{
	static const char *const qs[] = {
	    "filterOp=equals",
	    "filterOp=present",
	    "filterOp=",
	    "filterOp",
	    "filterOp=bogus", /* filterBy is checked first */
	    "filterValue=abc",
	    "filterValue=",
	    "filterValue",
	    "filterValue=%zz",
	    "filterOp=equals&filterValue=abc",
	    "count=5&filterValue=abc&fields=id",
	    "filterOp=equals&filterOp=equals",
	    "filterValue=a&filterValue=b",
	    "%66ilterOp=equals",
	    "filterBy=&filterOp=equals",
	    NULL,
	};
	bad_all(qs, ERR_FILTERBY_INVALID);
}

Test(query, filterby_invalid)
{
	static const char *const qs[] = {
	    "filterBy=Id",
	    "filterBy=ID",
	    "filterBy=iD",
	    "filterBy=Published",
	    "filterBy=PUBLISHED",
	    "filterBy=publisheD",
	    "filterBy=name",
	    "filterBy=extension",
	    "filterBy=phoneCallView",
	    "filterBy=phoneCallView.id",
	    "filterBy=",
	    "filterBy",
	    "filterBy=id+",
	    "filterBy=+id",
	    "filterBy=id%00",
	    "filterBy=i%zz",
	    "filterBy=%2569d",
	    "filterBy=id,published",
	    "filterBy=publishedpublishedx", /* longer than QUERY_WORD_MAX */
	    "filterBy=id&filterBy=id",
	    "filterBy=id&filterBy=published",
	    "filterBy=id&%66ilterBy=id",
	    "filterBy=bogus&filterOp=bogus&filterValue=%zz",
	    "filterBy=id&filterBy&filterOp=equals&filterValue=a",
	    NULL,
	};
	bad_all(qs, ERR_FILTERBY_INVALID);
}

Test(query, filterop_invalid)
{
	static const char *const qs[] = {
	    "filterBy=id&filterOp=Equals",
	    "filterBy=id&filterOp=EQUALS",
	    "filterBy=id&filterOp=Contains",
	    "filterBy=id&filterOp=startswith",
	    "filterBy=id&filterOp=StartsWith",
	    "filterBy=id&filterOp=greaterthan",
	    "filterBy=id&filterOp=lessthan",
	    "filterBy=id&filterOp=Present",
	    "filterBy=id&filterOp=inarray",
	    "filterBy=id&filterOp=InArray",
	    "filterBy=id&filterOp=eq",
	    "filterBy=id&filterOp=like",
	    "filterBy=id&filterOp=notEquals",
	    "filterBy=id&filterOp=",
	    "filterBy=id&filterOp",
	    "filterBy=id&filterOp=equals+",
	    "filterBy=id&filterOp=equals%00",
	    "filterBy=id&filterOp=%zz",
	    "filterBy=id&filterOp=%2565quals",
	    "filterBy=id&filterOp=greaterThanOrEqual", /* longer than QUERY_WORD_MAX */
	    "filterBy=id&filterOp=equals&filterOp=equals",
	    "filterBy=id&filterOp=equals&filter%4Fp=equals",
	    "filterBy=id&filterOp=bogus&filterValue=a-b", /* before filterValue */
	    "filterBy=id&filterOp=bogus&filterValue=%zz",
	    "filterBy=published&filterOp=Equals&filterValue=2012-06-27T16:08:40Z",
	    NULL,
	};
	bad_all(qs, ERR_FILTEROP_INVALID);
}

Test(query, published_text_ops_invalid)
{
	static const char *const qs[] = {
	    "filterBy=published&filterOp=contains&filterValue=2012-06-27T16:08:40Z",
	    "filterBy=published&filterOp=startsWith&filterValue=2012-06-27T16:08:40Z",
	    "filterBy=published&filterOp=contains",
	    "filterBy=published&filterOp=startsWith&filterValue=2012",
	    "filterBy=published&filterOp=contains&filterValue=%zz",
	    NULL,
	};
	struct query q;

	bad_all(qs, ERR_FILTEROP_INVALID);
	/* without filterOp, a date takes equals: OpenSocial's contains does not apply */
	ok("filterBy=published&filterValue=2012-06-27T16:08:40Z", &q);
	cr_assert_eq(q.op, QUERY_OP_EQUALS, "published without filterOp: equals");
	cr_assert(q.nvals == 1 && q.secs[0] == 1340813320, "its value");
	bad("filterBy=published", ERR_FILTERVALUE_INVALID);
	ok("filterBy=id&filterValue=444", &q);
	cr_assert_eq(q.op, QUERY_OP_CONTAINS, "id without filterOp: contains");
}

/* filterBy=published */

Test(query, published_values)
{
	static const struct {
		const char *q;
		enum query_op op;
		size_t n;
		long long secs[3];
	} cases[] = {
	    {"filterBy=published&filterOp=equals&filterValue=2012-06-27T16:08:40%2B03:00",
	     QUERY_OP_EQUALS,
	     1,
	     {1340802520}},
	    {"filterBy=published&filterOp=equals&filterValue=2012-06-27T16:08:40+03:00",
	     QUERY_OP_EQUALS,
	     1,
	     {1340802520}}, /* an unescaped '+' decodes to a blank: still the offset's sign */
	    {"filterBy=published&filterOp=greaterThan&filterValue=2012-06-27T13:08:40Z",
	     QUERY_OP_GT,
	     1,
	     {1340802520}},
	    {"filterBy=published&filterOp=lessThan&filterValue=1970-01-01T00:00:00Z",
	     QUERY_OP_LT,
	     1,
	     {0}},
	    {"filterBy=published&filterOp=lessThan&filterValue=1969-12-31T23:59:59.999z",
	     QUERY_OP_LT,
	     1,
	     {-1}},
	    {"filterBy=published&filterOp=equals&filterValue=2013-01-01T05:00:00-05:00",
	     QUERY_OP_EQUALS,
	     1,
	     {1357034400}},
	    {"filterBy=published&filterOp=equals&filterValue=2013-01-01t10:00:00.999z",
	     QUERY_OP_EQUALS,
	     1,
	     {1357034400}},
	    {"filterBy=published&filterOp=equals&filterValue=2013-01-01+10:00:00Z",
	     QUERY_OP_EQUALS,
	     1,
	     {1357034400}}, /* '+' is a blank, which may stand for 'T' */
	    {"filterBy=published&filterOp=inArray&filterValue=2012-06-27T16:08:40%2B03:00",
	     QUERY_OP_IN,
	     1,
	     {1340802520}},
	    {"filterBy=published&filterOp=inArray"
	     "&filterValue=2013-01-01T12:00:00Z,2013-01-01T09:00:00Z,2012-06-27T16:08:45+03:00",
	     QUERY_OP_IN,
	     3,
	     {1357041600, 1357030800, 1340802525}},
	    {"filterBy=published&filterOp=inArray"
	     "&filterValue=2012-06-27T16%3A08%3A45%2B03%3A00%2C2012-06-27T13%3A08%3A40.123Z",
	     QUERY_OP_IN,
	     2,
	     {1340802525, 1340802520}},
	    {"filterBy=published&filterOp=greaterThan&filterValue=9999-12-31T23:59:59-23:59",
	     QUERY_OP_GT,
	     1,
	     {253402387139}},
	    {"filterBy=published&filterOp=lessThan&filterValue=0000-01-01T00:00:00%2B23:59",
	     QUERY_OP_LT,
	     1,
	     {-62167305540}},
	};
	struct query q;

	for (size_t i = 0; i < NELEM(cases); i++) {
		ok(cases[i].q, &q);
		cr_assert_eq(q.by, QUERY_BY_PUBLISHED, "%s: by published", cases[i].q);
		cr_assert_eq(q.op, cases[i].op, "%s: op %d", cases[i].q, q.op);
		cr_assert_eq(q.nvals, cases[i].n, "%s: %zu values", cases[i].q, q.nvals);
		for (size_t k = 0; k < cases[i].n; k++)
			cr_assert_eq(q.secs[k], cases[i].secs[k],
			             "%s: value %zu is %lld, expected %lld", cases[i].q, k,
			             q.secs[k], cases[i].secs[k]);
		cr_assert_eq(q.fields, QUERY_F_ALL, "%s: every field", cases[i].q);
	}
}

Test(query, published_in_array_bounds)
{
	static char b[BIG];
	struct query q;
	size_t k;

	k = (size_t)snprintf(b, sizeof(b), "filterBy=published&filterOp=inArray&filterValue=");
	for (size_t i = 0; i < QUERY_IN_MAX; i++)
		k += (size_t)snprintf(b + k, sizeof(b) - k, "%s1970-01-01T00:%02zu:%02zuZ",
		                      i ? "," : "", i / 60, i % 60);
	ok(b, &q);
	cr_assert_eq(q.nvals, (size_t)QUERY_IN_MAX, "100 dates");
	for (size_t i = 0; i < QUERY_IN_MAX; i++)
		cr_assert_eq(q.secs[i], (long long)i, "date %zu", i);
	strcat(b, ",1970-01-01T00:00:00Z");
	bad(b, ERR_FILTERVALUE_INVALID);

	static const char *const lists[] = {
	    "",
	    ",",
	    "2012-06-27T16:08:40Z,",
	    ",2012-06-27T16:08:40Z",
	    "2012-06-27T16:08:40Z,,2012-06-27T16:08:40Z",
	    "2012-06-27T16:08:40Z,2012-06-27T16:08:40",
	    "2012-06-27T16:08:40Z%2C%2C2012-06-27T16:08:40Z",
	    "2012-06-27T16:08:40Z;2012-06-27T16:08:40Z",
	    NULL,
	};
	for (size_t i = 0; lists[i]; i++) {
		snprintf(b, sizeof(b), "filterBy=published&filterOp=inArray&filterValue=%s",
		         lists[i]);
		bad(b, ERR_FILTERVALUE_INVALID);
	}
}

Test(query, published_values_invalid)
{
	static const char *const values[] = {
	    "",
	    "2012-06-27T16:08:40",
	    "2012-06-27",
	    "2012-06-27T16:08:40%2B0300",
	    "2012-06-27T16:08:40%2B03",
	    "2012-02-30T00:00:00Z",
	    "2012-06-27T16:08:40Z%00",
	    "2012-06-27T16:08:40Z+",
	    "1340802520",
	    "b817d2618fe6f1804333",
	    "2012-06-27T16:08:40%zz",
	    "2012-06-27T16%253A08:40Z", /* decoded once: "%3A" is not ':' */
	    NULL,
	};
	static const char *const ops[] = {"equals", "greaterThan", "lessThan", "inArray"};
	char b[256];

	for (size_t o = 0; o < NELEM(ops); o++)
		for (size_t i = 0; values[i]; i++) {
			snprintf(b, sizeof(b), "filterBy=published&filterOp=%s&filterValue=%s",
			         ops[o], values[i]);
			bad(b, ERR_FILTERVALUE_INVALID);
		}
	/* a list is one value unless inArray */
	for (size_t o = 0; o < 3; o++) {
		snprintf(b, sizeof(b),
		         "filterBy=published&filterOp=%s"
		         "&filterValue=2012-06-27T16:08:40Z,2012-06-27T16:08:41Z",
		         ops[o]);
		bad(b, ERR_FILTERVALUE_INVALID);
	}
	bad("filterBy=published&filterOp=equals", ERR_FILTERVALUE_INVALID);
	bad("filterBy=published&filterOp=equals&filterValue", ERR_FILTERVALUE_INVALID);
	bad("filterBy=published&filterOp=equals&filterValue=2012-06-27T16:08:40Z"
	    "&filterValue=2012-06-27T16:08:40Z",
	    ERR_FILTERVALUE_INVALID);
}

/* query_date */

Test(query, date_known_instants)
{
	static const struct {
		const char *s;
		long long secs;
	} cases[] = {
	    /* the values were computed with `date -u -d ... +%s` and Python's calendar */
	    {"1970-01-01T00:00:00Z", 0},
	    {"1970-01-01T00:00:01Z", 1},
	    {"1970-01-01T00:01:00Z", 60},
	    {"1970-01-01T01:00:00Z", 3600},
	    {"1970-01-02T00:00:00Z", 86400},
	    {"1969-12-31T23:59:59Z", -1},
	    {"2012-06-27T16:08:40+03:00", 1340802520},
	    {"2012-06-27T13:08:40Z", 1340802520},
	    {"2012-06-27T13:08:40+00:00", 1340802520},
	    {"2012-06-27T13:08:40-00:00", 1340802520},
	    {"2012-06-27T08:08:40-05:00", 1340802520},
	    {"2012-06-27T16:08:45+03:00", 1340802525},
	    {"2012-06-27T16:08:40-05:30", 1340833120},
	    {"2012-06-27T16:08:40+23:59", 1340726980},
	    {"2012-06-27T16:08:40-23:59", 1340899660},
	    {"2013-01-01T10:00:00Z", 1357034400},
	    {"1999-12-31T23:59:59Z", 946684799},
	    {"2000-02-29T12:00:00Z", 951825600},
	    {"2000-03-01T00:00:00Z", 951868800},
	    {"2000-12-31T00:00:00Z", 978220800},
	    {"2024-02-29T00:00:00Z", 1709164800},
	    {"2038-01-19T03:14:08Z", 2147483648},
	    {"1900-02-28T00:00:00Z", -2203977600},
	    {"1900-03-01T00:00:00Z", -2203891200},
	    {"2100-02-28T23:59:59Z", 4107542399},
	    {"2100-03-01T00:00:00Z", 4107542400},
	    {"2400-02-29T00:00:00Z", 13574563200},
	    {"1600-02-29T00:00:00Z", -11670998400},
	    {"0004-02-29T00:00:00Z", -62035891200},
	    {"0001-01-01T00:00:00Z", -62135596800},
	    {"0000-02-29T00:00:00Z", -62162121600}, /* year 0 is a leap year (proleptic) */
	    {"0000-01-01T00:00:00Z", -62167219200},
	    {"9999-12-31T23:59:59Z", 253402300799},
	    {"9999-12-31T23:59:59-23:59", 253402387139},
	    {"0000-01-01T00:00:00+23:59", -62167305540},
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		date_is(cases[i].s, cases[i].secs);
	cr_assert_eq(QUERY_DATE_MAX, 64, "64 bytes");
}

Test(query, date_forms)
{
	/* 'z', 't', a blank for 'T', and a blank for the offset's '+' (a form-decoded '+') */
	date_is("1970-01-01T00:00:00z", 0);
	date_is("2012-06-27t16:08:40+03:00", 1340802520);
	date_is("2012-06-27 16:08:40+03:00", 1340802520);
	date_is("2012-06-27T16:08:40 03:00", 1340802520);
	date_is("2012-06-27 16:08:40 03:00", 1340802520);
	date_is("2012-06-27t13:08:40z", 1340802520);
	date_is("2012-06-27T16:08:40 23:59", 1340726980);
	/* fractions of any length are dropped, never rounded */
	date_is("2012-06-27T13:08:40.5Z", 1340802520);
	date_is("2012-06-27T13:08:40.0Z", 1340802520);
	date_is("2012-06-27T13:08:40.9Z", 1340802520);
	date_is("2012-06-27T13:08:40.999999999Z", 1340802520);
	date_is("2012-06-27T13:08:40.123456789012345678901234567890Z", 1340802520);
	date_is("2012-06-27T16:08:40.123+03:00", 1340802520);
	date_is("2012-06-27T16:08:40.1 03:00", 1340802520);
	date_is("1969-12-31T23:59:59.999999999Z", -1);
	date_is("1970-01-01T00:00:00.999-00:01", 60);
	/* a leap second is the next second's start */
	date_is("2016-12-31T23:59:60Z", 1483228800);
	date_is("2016-12-31T23:59:60.5Z", 1483228800);
	date_is("1970-01-01T00:00:60Z", 60);
	date_is("1972-06-30T23:59:60Z", 78796800);
	/* the length bounds the date: bytes after it are not read */
	long long secs = 0;
	cr_assert_eq(query_date("1970-01-01T00:00:00Zjunk", 20, &secs), 0, "length respected");
	cr_assert_eq(secs, 0LL, "length respected: value");
	cr_assert_eq(query_date("2012-06-27T16:08:40+03:00\0x", 25, &secs), 0, "before a NUL");
	cr_assert_eq(secs, 1340802520LL, "before a NUL: value");
}

Test(query, date_length_limit)
{
	char s[QUERY_DATE_MAX + 2];

	/* 19 + '.' + 43 digits + 'Z' = 64 bytes */
	memcpy(s, "2012-06-27T13:08:40.", 20);
	memset(s + 20, '7', QUERY_DATE_MAX - 21);
	s[QUERY_DATE_MAX - 1] = 'Z';
	s[QUERY_DATE_MAX] = '\0';
	cr_assert_eq(strlen(s), (size_t)QUERY_DATE_MAX, "64 bytes");
	date_is(s, 1340802520);
	/* 65 bytes */
	s[QUERY_DATE_MAX - 1] = '7';
	s[QUERY_DATE_MAX] = 'Z';
	s[QUERY_DATE_MAX + 1] = '\0';
	date_bad(s);
	/* with an offset: 65 bytes, then 64 */
	memcpy(s + QUERY_DATE_MAX - 5, "+03:00", 7);
	cr_assert_eq(strlen(s), (size_t)QUERY_DATE_MAX + 1, "65 bytes with an offset");
	date_bad(s);
	memcpy(s + QUERY_DATE_MAX - 6, "+03:00", 7);
	cr_assert_eq(strlen(s), (size_t)QUERY_DATE_MAX, "64 bytes with an offset");
	date_is(s, 1340791720);
	/* the shortest date: 20 bytes */
	date_is("2012-06-27T13:08:40Z", 1340802520);
	date_bad_n("2012-06-27T13:08:40Z", 19);
	date_bad_n("2012-06-27T13:08:40Z", 0);
	date_bad_n("", 0);
}

Test(query, date_invalid)
{
	static const char *const dates[] = {
	    /* no offset, or a date alone */
	    "2012-06-27T16:08:40",
	    "2012-06-27T16:08:40.5",
	    "2012-06-27",
	    "2012-06-27Z",
	    "2012-06-27T16:08Z",
	    "2012-06-27T16:08+03:00",
	    "16:08:40Z",
	    /* Feb 29 of a year that is not leap, and Feb 30 */
	    "1900-02-29T00:00:00Z",
	    "2100-02-29T00:00:00Z",
	    "2023-02-29T00:00:00Z",
	    "0001-02-29T00:00:00Z",
	    "2000-02-30T00:00:00Z",
	    "2012-02-30T00:00:00Z",
	    /* fields out of range */
	    "2012-00-27T16:08:40Z",
	    "2012-13-27T16:08:40Z",
	    "2012-99-27T16:08:40Z",
	    "2012-06-00T16:08:40Z",
	    "2012-06-31T16:08:40Z",
	    "2012-07-32T16:08:40Z",
	    "2012-06-99T16:08:40Z",
	    "2012-06-27T24:00:00Z",
	    "2012-06-27T99:00:00Z",
	    "2012-06-27T16:60:40Z",
	    "2012-06-27T16:08:61Z",
	    "2012-06-27T16:08:99Z",
	    "2012-06-27T16:08:40+24:00",
	    "2012-06-27T16:08:40-24:00",
	    "2012-06-27T16:08:40+99:00",
	    "2012-06-27T16:08:40+00:60",
	    "2012-06-27T16:08:40-00:60",
	    "2012-06-27T16:08:40+00:99",
	    /* fractions */
	    "2012-06-27T16:08:40.Z",
	    "2012-06-27T16:08:40.+03:00",
	    "2012-06-27T16:08:40..5Z",
	    "2012-06-27T16:08:40.5.5Z",
	    "2012-06-27T16:08:40,5Z",
	    "2012-06-27T16:08:40.aZ",
	    /* trailing or leading garbage */
	    "2012-06-27T16:08:40Zx",
	    "2012-06-27T16:08:40ZZ",
	    "2012-06-27T16:08:40Z ",
	    "2012-06-27T16:08:40+03:00 ",
	    "2012-06-27T16:08:40+03:00Z",
	    "2012-06-27T16:08:40Z+03:00",
	    " 2012-06-27T16:08:40Z",
	    "x2012-06-27T16:08:40Z",
	    /* offsets of another shape */
	    "2012-06-27T16:08:40+0300",
	    "2012-06-27T16:08:40+03",
	    "2012-06-27T16:08:40+3:00",
	    "2012-06-27T16:08:40+03:0",
	    "2012-06-27T16:08:40+03-00",
	    "2012-06-27T16:08:40+03:00:00",
	    "2012-06-27T16:08:40+a3:00",
	    "2012-06-27T16:08:40+03:a0",
	    "2012-06-27T16:08:40UTC",
	    "2012-06-27T16:08:40GMT",
	    "2012-06-27T16:08:40\t03:00",
	    "2012-06-27T16:08:40_03:00",
	    /* other shapes of the date and time */
	    "12-06-27T16:08:40Z",
	    "012-06-27T16:08:40Z",
	    "+2012-06-27T16:08:40Z",
	    "-2012-06-27T16:08:40Z",
	    "20120-06-27T16:08:40Z",
	    "2012-6-27T16:08:40Z",
	    "2012-06-7T16:08:40Z",
	    "2012-06-27T6:08:40Z",
	    "2012-06-27T16:8:40Z",
	    "2012-06-27T16:08:4Z",
	    "2012/06/27T16:08:40Z",
	    "2012-06-27T16.08.40Z",
	    "20120627T160840Z",
	    "2012-06-27X16:08:40Z",
	    "2012-06-27_16:08:40Z",
	    "2012-06-27\t16:08:40Z",
	    "2012-06-27TT16:08:40Z",
	    "2012-06-27  16:08:40Z",
	    "2012-06-27T16:08:40 Z",
	    "2012-O6-27T16:08:40Z",
	    "２０１２-06-27T16:08:40Z",
	    "2012-06-27T16:08:40+03：00",
	    "yesterday",
	    "",
	    NULL,
	};

	for (size_t i = 0; dates[i]; i++)
		date_bad(dates[i]);
}

Test(query, date_embedded_nul)
{
	static const struct {
		const char *s;
		size_t n;
	} cases[] = {
	    {"2012-06-27T16:08:40Z\0", 21},
	    {"2012-06-27T16:08:40\0Z", 21},
	    {"2012-06-27\0"
	     "16:08:40Z",
	     20},
	    {"\0"
	     "012-06-27T16:08:40Z",
	     20},
	    {"2012-06-27T16:08:40.\0"
	     "5Z",
	     23},
	    {"2012-06-27T16:08:40.5\0Z", 23},
	    {"2012-06-27T16:08:40+03:0\0", 25},
	    {"2012-06-27T16:08:40\0"
	     "03:00",
	     25},
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		date_bad_n(cases[i].s, cases[i].n);
}

/* The last day of each month is a date, the day after it is not. */
Test(query, date_month_lengths)
{
	static const int days[2][12] = {
	    {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
	    {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
	};
	static const struct {
		int year, leap;
	} years[] = {{0, 1},    {1, 0},    {4, 1},    {100, 0},  {400, 1},
	             {1900, 0}, {1970, 0}, {1996, 1}, {2000, 1}, {2023, 0},
	             {2024, 1}, {2100, 0}, {2400, 1}, {9996, 1}, {9999, 0}};
	char s[32];
	long long secs, next;

	for (size_t y = 0; y < NELEM(years); y++)
		for (int m = 1; m <= 12; m++) {
			int last = days[years[y].leap][m - 1];
			snprintf(s, sizeof(s), "%04d-%02d-%02dT00:00:00Z", years[y].year, m, last);
			cr_assert_eq(qdate_n(s, strlen(s), &secs), 0, "%s: the last day", s);
			snprintf(s, sizeof(s), "%04d-%02d-%02dT00:00:00Z", years[y].year, m,
			         last + 1);
			date_bad(s);
			if (m == 12)
				continue;
			snprintf(s, sizeof(s), "%04d-%02d-01T00:00:00Z", years[y].year, m + 1);
			cr_assert_eq(qdate_n(s, strlen(s), &next), 0, "%s", s);
			cr_assert_eq(next - secs, 86400LL, "%s: a day after the last of the month",
			             s);
		}
}

/* Days from 1970-01-01 to y-01-01, counted year by year (not days_from_civil's eras). */
static long long ref_days_to_year(int y)
{
	long long n = 0;

	for (int k = 1970; k < y; k++)
		n += (k % 400 == 0 || (k % 4 == 0 && k % 100 != 0)) ? 366 : 365;
	for (int k = y; k < 1970; k++)
		n -= (k % 400 == 0 || (k % 4 == 0 && k % 100 != 0)) ? 366 : 365;
	return n;
}

/* Every New Year and every first of March from 0000 to 9999 against the count above. */
Test(query, date_every_year)
{
	char s[32];
	long long secs;

	for (int y = 0; y <= 9999; y++) {
		bool leap = y % 400 == 0 || (y % 4 == 0 && y % 100 != 0);
		long long jan1 = ref_days_to_year(y) * 86400;
		snprintf(s, sizeof(s), "%04d-01-01T00:00:00Z", y);
		cr_assert_eq(qdate_n(s, strlen(s), &secs), 0, "%s", s);
		cr_assert_eq(secs, jan1, "%s: %lld, expected %lld", s, secs, jan1);
		snprintf(s, sizeof(s), "%04d-03-01T00:00:00Z", y);
		cr_assert_eq(qdate_n(s, strlen(s), &secs), 0, "%s", s);
		cr_assert_eq(secs, jan1 + (59 + leap) * 86400LL, "%s", s);
		snprintf(s, sizeof(s), "%04d-02-29T12:00:00Z", y);
		if (leap)
			date_is(s, jan1 + 59 * 86400LL + 12 * 3600);
		else
			date_bad(s);
	}
}

/* fields */

Test(query, fields_each_name)
{
	static const struct {
		const char *name;
		unsigned bits;
	} names[] = {
	    {"id", QUERY_F_ID},
	    {"extension", QUERY_F_EXTENSION},
	    {"ownerId", QUERY_F_OWNER_ID},
	    {"ownerName", QUERY_F_OWNER_NAME},
	    {"answered", QUERY_F_ANSWERED},
	    {"published", QUERY_F_PUBLISHED},
	    {"phoneCallView", QUERY_F_VIEWS},
	    {"link", QUERY_F_LINK},
	};
	char b[128];
	struct query q;

	cr_assert_eq(QUERY_F_ALWAYS, 0x81u, "id and link");
	for (size_t i = 0; i < NELEM(names); i++) {
		cr_assert_eq(names[i].bits, 1u << i, "%s: bit %zu, the order written",
		             names[i].name, i);
		snprintf(b, sizeof(b), "fields=%s", names[i].name);
		ok(b, &q);
		cr_assert_eq(q.fields, names[i].bits | 0x81u, "%s: fields 0x%x, expected 0x%x", b,
		             q.fields, names[i].bits | 0x81u);
		cr_assert(q.by == QUERY_BY_NONE && q.nvals == 0 && !q.desc, "%s: nothing else", b);
		cr_assert(q.start == 0 && q.count == 20, "%s: default paging", b);
	}
}

Test(query, fields_lists)
{
	static const struct {
		const char *q;
		unsigned fields;
	} cases[] = {
	    {"fields=id", 0x81},
	    {"fields=link", 0x81},
	    {"fields=id,link", 0x81},
	    {"fields=id,extension", 0x83},
	    {"fields=id%2Cextension", 0x83},
	    {"fields=id%2cextension", 0x83},
	    {"fields=extension,published,phoneCallView", 0xe3},
	    {"fields=phoneCallView,published,extension", 0xe3}, /* any order */
	    {"fields=ownerId,ownerName", 0x8d},
	    {"fields=answered", 0x91},
	    {"fields=id,extension,ownerId,ownerName,answered,published,phoneCallView,link", 0xff},
	    {"fields=link,phoneCallView,published,answered,ownerName,ownerId,extension,id", 0xff},
	    {"fields=extension,ownerId,ownerName,answered,published,phoneCallView", 0xff},
	    /* duplicates count once */
	    {"fields=id,id", 0x81},
	    {"fields=extension,extension,extension", 0x83},
	    {"fields=answered,id,answered,link,answered", 0x91},
	    /* blanks and tabs around a name are dropped */
	    {"fields=+id", 0x81},
	    {"fields=id+", 0x81},
	    {"fields=+id+,+extension+", 0x83},
	    {"fields=%20id%20,%20extension", 0x83},
	    {"fields=%09id%09,%09%20extension%20%09", 0x83},
	    {"fields=id%2C+extension+%2CphoneCallView", 0xc3},
	    {"fields=+++++++answered+++++++", 0x91},
	    /* escaped letters are letters */
	    {"fields=%65xtension", 0x83},
	    {"%66ields=extension", 0x83},
	};
	struct query q;

	for (size_t i = 0; i < NELEM(cases); i++) {
		ok(cases[i].q, &q);
		cr_assert_eq(q.fields, cases[i].fields, "\"%s\": fields 0x%x, expected 0x%x",
		             cases[i].q, q.fields, cases[i].fields);
		cr_assert_eq(q.by, QUERY_BY_NONE, "\"%s\": no filter", cases[i].q);
	}
}

Test(query, fields_invalid)
{
	static const char *const qs[] = {
	    "fields=",
	    "fields",
	    "fields=+",
	    "fields=%09",
	    "fields=foo",
	    "fields=Id",
	    "fields=ID",
	    "fields=Extension",
	    "fields=ownerid",
	    "fields=OwnerName",
	    "fields=phonecallview",
	    "fields=PhoneCallView",
	    "fields=Link",
	    "fields=phoneCallView.id",
	    "fields=link.self",
	    "fields=phoneCallViews",
	    "fields=entry",
	    "fields=startIndex",
	    "fields=totalResults",
	    "fields=*",
	    "fields=@all",
	    "fields=id,foo",
	    "fields=foo,id",
	    "fields=id,,link",
	    "fields=id%2C%2Clink",
	    "fields=,id",
	    "fields=id,",
	    "fields=id%2C",
	    "fields=,",
	    "fields=+,+",
	    "fields=id,+,link",
	    "fields=id+extension", /* a blank inside is not a separator */
	    "fields=id;extension",
	    "fields=id%0A", /* only blanks and tabs are dropped */
	    "fields=%0Did",
	    "fields=id%0B",
	    "fields=id%00",
	    "fields=%00",
	    "fields=i%00d",
	    "fields=%C2%A0id", /* a no-break space is no blank */
	    "fields=id%zz",
	    "fields=id%",
	    "fields=%2569d",
	    "fields=id&fields=id",
	    "fields=id&fields=extension",
	    "fields=id&%66ields=id",
	    "fields=id&fields",
	    NULL,
	};
	bad_all(qs, ERR_FIELDS_INVALID);
}

Test(query, fields_length_limit)
{
	static char b[4 * QUERY_FIELDS_MAX + 64];
	size_t k;
	struct query q;

	cr_assert_eq(QUERY_FIELDS_MAX, 1024, "the contract's 1 KiB");
	/* "id," 340 times then "link": exactly 1024 bytes of valid names */
	k = (size_t)snprintf(b, sizeof(b), "fields=");
	for (int i = 0; i < 340; i++, k += 3)
		memcpy(b + k, "id,", 3);
	strcpy(b + k, "link");
	cr_assert_eq(strlen(b) - 7, (size_t)QUERY_FIELDS_MAX, "1024 bytes");
	ok(b, &q);
	cr_assert_eq(q.fields, 0x81u, "1024 bytes of names");
	/* one blank more: 1025 bytes */
	strcpy(b + k, "+link");
	bad(b, ERR_FIELDS_INVALID);
	strcpy(b + k, "link,");
	bad(b, ERR_FIELDS_INVALID);

	/* the decoded length counts: "%2C" is one byte */
	k = (size_t)snprintf(b, sizeof(b), "fields=");
	for (int i = 0; i < 340; i++, k += 5)
		memcpy(b + k, "id%2C", 5);
	strcpy(b + k, "%6Cink");
	ok(b, &q);
	cr_assert_eq(q.fields, 0x81u, "1024 decoded bytes of escapes");
	strcpy(b + k, "%20link");
	bad(b, ERR_FIELDS_INVALID);

	/* many names, every one, blanks around, within the limit */
	static const char *const names[] = {"id",       "extension", "ownerId",       "ownerName",
	                                    "answered", "published", "phoneCallView", "link"};
	k = (size_t)snprintf(b, sizeof(b), "fields=");
	for (int i = 0; k < 900; i++)
		k += (size_t)snprintf(b + k, sizeof(b) - k, "%s+%s", i ? "," : "", names[i % 8]);
	ok(b, &q);
	cr_assert_eq(q.fields, 0xffu, "%zu bytes of names", k - 7);

	/* far over */
	k = (size_t)snprintf(b, sizeof(b), "fields=");
	memset(b + k, '+', 3000);
	strcpy(b + k + 3000, "id");
	bad(b, ERR_FIELDS_INVALID);
}

/* The order of checks */

Test(query, order_of_checks_table)
{
	static const struct {
		const char *q;
		enum err want;
	} cases[] = {
	    {"startIndex=-1&count=0&sortOrder=x&filterBy=x&filterOp=x&filterValue=%zz&fields=x",
	     ERR_STARTINDEX_INVALID},
	    {"fields=x&filterValue=%zz&filterOp=x&filterBy=x&sortOrder=x&count=0&startIndex=-1",
	     ERR_STARTINDEX_INVALID},
	    {"count=0&sortOrder=x&filterBy=x&filterOp=x&filterValue=%zz&fields=x",
	     ERR_COUNT_INVALID},
	    {"fields=x&filterBy=x&sortOrder=x&count=5001&startIndex=5000", ERR_COUNT_INVALID},
	    {"sortOrder=x&filterBy=x&filterOp=x&filterValue=%zz&fields=x", ERR_SORTORDER_INVALID},
	    {"fields=x&filterOp=x&sortOrder=DESCENDING&count=1", ERR_SORTORDER_INVALID},
	    {"filterBy=x&filterOp=x&filterValue=%zz&fields=x", ERR_FILTERBY_INVALID},
	    {"fields=x&filterValue=x&filterOp=x", ERR_FILTERBY_INVALID}, /* no filterBy */
	    {"fields=x&filterValue=x", ERR_FILTERBY_INVALID},
	    {"filterBy=id&filterOp=x&filterValue=%zz&fields=x", ERR_FILTEROP_INVALID},
	    {"filterBy=published&filterOp=contains&filterValue=x&fields=x", ERR_FILTEROP_INVALID},
	    {"filterBy=published&filterValue=x&fields=x", ERR_FILTERVALUE_INVALID},
	    {"filterBy=id&filterOp=equals&filterValue=a-b&fields=x", ERR_FILTERVALUE_INVALID},
	    {"fields=x&filterBy=id&filterOp=equals", ERR_FILTERVALUE_INVALID},
	    {"filterBy=published&filterOp=present&filterValue=%zz&fields=x",
	     ERR_FILTERVALUE_INVALID},
	    {"filterBy=id&filterOp=present&filterValue=a-b&fields=x", ERR_FIELDS_INVALID},
	    {"startIndex=5000&count=5000&sortOrder=descending&filterBy=id&filterOp=equals"
	     "&filterValue=a&fields=id,,link",
	     ERR_FIELDS_INVALID},
	    {"startIndex=5000&count=5000&sortOrder=descending&filterBy=id&filterOp=equals"
	     "&filterValue=a&fields=id,link",
	     ERR_NONE},
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		bad(cases[i].q, cases[i].want);
}

/* Every combination of the seven parameters, each good or bad, in both orders: the first
 * bad one in the contract's order answers. */
Test(query, order_of_checks_every_combination)
{
	static const char *const good[] = {
	    "startIndex=5",    "count=10", "sortOrder=descending", "filterBy=id", "filterOp=equals",
	    "filterValue=abc", "fields=id"};
	static const char *const badp[] = {"startIndex=-1", "count=0",       "sortOrder=down",
	                                   "filterBy=name", "filterOp=like", "filterValue=a-b",
	                                   "fields=foo"};
	static const enum err errs[] = {ERR_STARTINDEX_INVALID, ERR_COUNT_INVALID,
	                                ERR_SORTORDER_INVALID,  ERR_FILTERBY_INVALID,
	                                ERR_FILTEROP_INVALID,   ERR_FILTERVALUE_INVALID,
	                                ERR_FIELDS_INVALID};
	char b[512];

	for (unsigned mask = 0; mask < 128; mask++) {
		enum err want = ERR_NONE;
		for (int i = 6; i >= 0; i--)
			if (mask & (1u << i))
				want = errs[i];
		for (int rev = 0; rev < 2; rev++) {
			size_t k = 0;
			for (int j = 0; j < 7; j++) {
				int i = rev ? 6 - j : j;
				k += (size_t)snprintf(b + k, sizeof(b) - k, "%s%s", j ? "&" : "",
				                      mask & (1u << i) ? badp[i] : good[i]);
			}
			bad(b, want);
		}
	}
	struct query q;
	ok("fields=id&filterValue=abc&filterOp=equals&filterBy=id&sortOrder=descending&count=10"
	   "&startIndex=5",
	   &q);
	cr_assert(q.start == 5 && q.count == 10 && q.desc, "paging and order");
	cr_assert(q.by == QUERY_BY_ID && q.op == QUERY_OP_EQUALS && q.nvals == 1, "filter");
	cr_assert_str_eq(q.ids[0], "abc", "value");
	cr_assert_eq(q.fields, 0x81u, "fields");
}

/*
 * The vendor's client (the phone-calls-list tool of mcp-voipnow's calls package, as
 * tests/compat/client.mjs reproduces it): URLSearchParams in the order count, filterBy,
 * filterOp, filterValue, fields, startIndex, sortOrder, each only when truthy, count and
 * startIndex defaulting to "20" and "0", fields an array joined with ','. Each string is
 * built as it builds one; those tests/it_compat.c sees are copied verbatim.
 */
Test(query, vendor_query_strings)
{
	struct query q;

	/* {count: "20", filterBy: "published", filterOp: "greaterThan",
	 *  filterValue: "2012-06-27T16:08:45+03:00", fields: ["id", "extension"],
	 *  startIndex: "0", sortOrder: "descending"} */
	ok("count=20&filterBy=published&filterOp=greaterThan"
	   "&filterValue=2012-06-27T16%3A08%3A45%2B03%3A00&fields=id%2Cextension&startIndex=0"
	   "&sortOrder=descending",
	   &q);
	cr_assert_eq(q.start, 0LL, "startIndex");
	cr_assert_eq(q.count, 20LL, "count");
	cr_assert(q.desc, "descending");
	cr_assert_eq(q.by, QUERY_BY_PUBLISHED, "by published");
	cr_assert_eq(q.op, QUERY_OP_GT, "greaterThan");
	cr_assert_eq(q.nvals, (size_t)1, "one date");
	cr_assert_eq(q.secs[0], 1340802525LL, "2012-06-27T13:08:45Z");
	cr_assert_eq(q.fields, 0x83u, "id, extension (and link)");

	/* the defaults alone: {extension} */
	ok("count=20&startIndex=0", &q);
	cr_assert(q.start == 0 && q.count == 20, "paging");
	expect_plain(&q, "the client's defaults");

	ok("count=20&startIndex=0&sortOrder=descending", &q);
	cr_assert(q.start == 0 && q.count == 20 && q.desc, "descending");
	cr_assert(q.by == QUERY_BY_NONE && q.fields == QUERY_F_ALL, "descending: nothing else");

	/* the largest page it allows itself (count and startIndex 1..4999 / 0..4999) */
	ok("count=4999&startIndex=4999&sortOrder=ascending", &q);
	cr_assert(q.start == 4999 && q.count == 4999 && !q.desc, "the client's largest page");

	ok("count=20&filterBy=id&filterOp=equals&filterValue=444444&startIndex=0", &q);
	cr_assert(q.by == QUERY_BY_ID && q.op == QUERY_OP_EQUALS && q.nvals == 1, "equals");
	cr_assert_str_eq(q.ids[0], "444444", "equals: id");

	ok("count=20&filterBy=id&filterOp=inArray&filterValue=444444%2Cb817d2618fe6f1804333"
	   "&startIndex=0",
	   &q);
	cr_assert(q.by == QUERY_BY_ID && q.op == QUERY_OP_IN, "inArray of ids");
	cr_assert_eq(q.nvals, (size_t)2, "two ids");
	cr_assert_str_eq(q.ids[0], "444444", "first");
	cr_assert_str_eq(q.ids[1], "b817d2618fe6f1804333", "second");

	ok("count=20&filterBy=id&filterOp=startsWith&filterValue=b817&startIndex=0", &q);
	cr_assert(q.op == QUERY_OP_STARTS && q.nvals == 1, "startsWith");
	cr_assert_str_eq(q.ids[0], "b817", "startsWith: prefix");

	ok("count=20&filterBy=id&filterOp=contains&filterValue=817d&startIndex=0", &q);
	cr_assert(q.op == QUERY_OP_CONTAINS && q.nvals == 1, "contains");
	cr_assert_str_eq(q.ids[0], "817d", "contains: substring");

	ok("count=20&filterBy=id&filterValue=b817&startIndex=0", &q);
	cr_assert(q.op == QUERY_OP_CONTAINS && q.nvals == 1, "no filterOp: contains");

	ok("count=20&filterBy=id&filterOp=present&startIndex=0", &q);
	cr_assert(q.by == QUERY_BY_ID && q.op == QUERY_OP_PRESENT && q.nvals == 0, "present");

	ok("count=20&filterBy=published&filterOp=lessThan"
	   "&filterValue=2012-06-27T13%3A08%3A45Z&startIndex=0",
	   &q);
	cr_assert(q.by == QUERY_BY_PUBLISHED && q.op == QUERY_OP_LT, "lessThan");
	cr_assert_eq(q.secs[0], 1340802525LL, "lessThan: date");

	ok("count=20&filterBy=published&filterOp=equals"
	   "&filterValue=2012-06-27T16%3A08%3A40%2B03%3A00&startIndex=0",
	   &q);
	cr_assert(q.op == QUERY_OP_EQUALS && q.nvals == 1, "equals a date");
	cr_assert_eq(q.secs[0], 1340802520LL, "equals: date");

	ok("count=20&filterBy=published&filterOp=inArray"
	   "&filterValue=2012-06-27T16%3A08%3A45%2B03%3A00%2C2012-06-27T13%3A08%3A40.123Z"
	   "&startIndex=0",
	   &q);
	cr_assert_eq(q.nvals, (size_t)2, "two dates");
	cr_assert_eq(q.secs[0], 1340802525LL, "first date");
	cr_assert_eq(q.secs[1], 1340802520LL, "second date, fraction dropped");

	ok("count=20&fields=id%2Cextension&startIndex=0", &q);
	cr_assert_eq(q.fields, 0x83u, "fields: id, extension (and link)");
	ok("count=20&fields=published&startIndex=0", &q);
	cr_assert_eq(q.fields, 0xa1u, "fields: published (and id, link)");
	/* fields: ["id", " extension ", "phoneCallView"] */
	ok("count=20&fields=id%2C+extension+%2CphoneCallView&startIndex=0", &q);
	cr_assert_eq(q.fields, 0xc3u, "fields with blanks around a name");

	/* what it sends that the service refuses (filterValue and fields are free strings in
	 * its schema) */
	bad("count=20&filterBy=published&filterOp=equals&filterValue=not-a-date&startIndex=0",
	    ERR_FILTERVALUE_INVALID);
	bad("count=20&fields=id%2Cnope&startIndex=0", ERR_FIELDS_INVALID);
	bad("count=20&filterBy=published&filterOp=contains&filterValue=2012&startIndex=0",
	    ERR_FILTEROP_INVALID);
	bad("count=20&filterBy=id&filterOp=contains&filterValue=b8&startIndex=0",
	    ERR_FILTERVALUE_INVALID);
	/* without filterOp, a date is compared with equals */
	ok("count=20&filterBy=published&filterValue=2012-06-27T16%3A08%3A45%2B03%3A00"
	   "&startIndex=0",
	   &q);
	cr_assert(q.by == QUERY_BY_PUBLISHED && q.op == QUERY_OP_EQUALS && q.nvals == 1 &&
	              q.secs[0] == 1340802525,
	          "published without filterOp: equals 2012-06-27T13:08:45Z");
	bad("count=20&filterBy=published&filterOp=equals&filterValue=2012-06-27+16%3A08%3A45"
	    "&startIndex=0",
	    ERR_FILTERVALUE_INVALID); /* "2012-06-27 16:08:45": no offset */
	/* a value its schema does not check: filterValue without filterBy */
	bad("count=20&filterValue=444444&startIndex=0", ERR_FILTERBY_INVALID);
}

/* Parsing is a function of the input: twice, and over a larger buffer, alike. */
Test(query, deterministic_and_bounded_by_length)
{
	static const char *const qs[] = {
	    "count=20&filterBy=published&filterOp=greaterThan"
	    "&filterValue=2012-06-27T16%3A08%3A45%2B03%3A00&fields=id%2Cextension&startIndex=0"
	    "&sortOrder=descending",
	    "filterBy=id&filterOp=inArray&filterValue=a,b,c&fields=id",
	    "filterBy=id&filterOp=present",
	};
	struct query a, b;

	for (size_t i = 0; i < NELEM(qs); i++) {
		ok(qs[i], &a);
		ok(qs[i], &b);
		cr_assert_eq(a.start, b.start, "%s", qs[i]);
		cr_assert_eq(a.count, b.count, "%s", qs[i]);
		cr_assert_eq(a.desc, b.desc, "%s", qs[i]);
		cr_assert_eq(a.by, b.by, "%s", qs[i]);
		cr_assert_eq(a.op, b.op, "%s", qs[i]);
		cr_assert_eq(a.fields, b.fields, "%s", qs[i]);
		cr_assert_eq(a.nvals, b.nvals, "%s", qs[i]);
		for (size_t k = 0; k < a.nvals; k++)
			cr_assert(a.by == QUERY_BY_ID ? strcmp(a.ids[k], b.ids[k]) == 0
			                              : a.secs[k] == b.secs[k],
			          "%s: value %zu", qs[i], k);
	}
	/* bytes past len are not read: "count=5" cut to "count=" */
	cr_assert_eq(qparse_n("count=5", 6, &a), ERR_COUNT_INVALID, "cut after '='");
	cr_assert_eq(qparse_n("count=50", 7, &a), ERR_NONE, "cut to count=5");
	cr_assert_eq(a.count, 5LL, "cut to count=5: value");
	cr_assert_eq(qparse_n("fields=id,", 9, &a), ERR_NONE, "cut before the trailing comma");
	cr_assert_eq(a.fields, 0x81u, "fields=id");
}
