/* unit_bencode.c - tests of media/bencode.c: rtpengine's NG messages, every rejection rule,
 * the limits, look-ups, and the encoder. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../media/bencode.c"

#define NODES 64      /* the nodes a test gives the decoder */
#define OUT_CAP 1024  /* an encoder buffer that holds any message built here */
#define GUARD 0x5a    /* the byte after an encoder's capacity, which it must not write */
#define QUERY_NODES 7 /* the nodes of QUERY_REPLY's "tags" value */

#define PING "d7:command4:pinge"
#define PONG "d6:result4:ponge"
#define START_REC "d7:command15:start recording7:call-id16:a84b4c76e66710@h8:from-tag7:1928301e"
#define STOP_REC "d7:command14:stop recording7:call-id16:a84b4c76e66710@he"
#define ERROR_REPLY "d6:result5:error12:error-reason15:Unknown call-ide"
#define WARNING_REPLY "d6:result2:ok7:warning20:Call-ID not found ore"
/* rtpengine's query reply, its keys unsorted as rtpengine writes them */
#define QUERY_REPLY                                                                                \
	"d7:createdi1402064111e11:last signali1402064116e"                                         \
	"4:tagsd10:cs6kn1rlocd7:createdi1402064111e3:tag10:cs6kn1rlocee"                           \
	"6:totalsd3:RTPd5:bytesi100287e7:packetsi705e6:errorsi0ee"                                 \
	"4:RTCPd5:bytesi2244e7:packetsi22e6:errorsi0eee"                                           \
	"6:result2:oke"

/* Parses a copy of s[0..n) in a buffer of exactly n bytes, so that the sanitizers catch
 * any read past the length given. */
static enum benc_err parse_n(const char *s, size_t n, struct benc_node *nodes, size_t max,
                             size_t *used)
{
	char *copy = malloc(n ? n : 1);
	enum benc_err e;

	cr_assert_not_null(copy, "malloc");
	if (n)
		memcpy(copy, s, n);
	*used = 12345;
	e = benc_parse(copy, n, nodes, max, used);
	free(copy);
	return e;
}

/* Asserts s[0..n) is rejected with want. */
static void bad_n(const char *s, size_t n, enum benc_err want, const char *what)
{
	struct benc_node nodes[NODES];
	size_t used;
	enum benc_err e = parse_n(s, n, nodes, NODES, &used);

	cr_assert_eq(e, want, "%s: want %s, got %s", what, benc_strerror(want), benc_strerror(e));
	cr_assert_eq(used, (size_t)0, "%s: nothing used on an error", what);
}

static void bad(const char *s, enum benc_err want)
{
	bad_n(s, strlen(s), want, s);
}

/* Asserts s parses into nodes (which must stay alive as long as s: strings point into
 * it); returns the nodes used. */
static size_t good(const char *s, struct benc_node *nodes)
{
	size_t used = 12345;
	enum benc_err e = benc_parse(s, strlen(s), nodes, NODES, &used);

	cr_assert_eq(e, BENC_OK, "%s: %s", s, benc_strerror(e));
	cr_assert(used >= 1 && used <= NODES, "%s: nodes used", s);
	cr_assert_eq(nodes[0].span, used, "%s: the value spans every node", s);
	return used;
}

static int64_t int_of(const struct benc_node *n)
{
	int64_t v = 0;

	cr_assert_eq(benc_int(n, &v), 0, "an integer");
	return v;
}

/* Whether two parsed trees are the same values (strings compared by bytes). */
static bool same_tree(const struct benc_node *a, const struct benc_node *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i].type != b[i].type || a[i].span != b[i].span || a[i].count != b[i].count)
			return false;
		if (a[i].type == BENC_INT && a[i].num != b[i].num)
			return false;
		if (a[i].type == BENC_STR &&
		    (a[i].len != b[i].len || memcmp(a[i].str, b[i].str, a[i].len) != 0))
			return false;
	}
	return true;
}

/* Real messages */

Test(bencode, ping_and_pong)
{
	struct benc_node n[NODES];

	cr_assert_eq(good(PING, n), (size_t)3);
	cr_assert_eq(n[0].type, BENC_DICT);
	cr_assert_eq(n[0].count, (size_t)1, "one entry");
	cr_assert(benc_str_is(benc_dict_get(n, "command"), "ping"));
	good(PONG, n);
	cr_assert(benc_str_is(benc_dict_get(n, "result"), "pong"));
	cr_assert_null(benc_dict_get(n, "command"), "no such key");
}

Test(bencode, start_recording_request)
{
	struct benc_node n[NODES];

	cr_assert_eq(good(START_REC, n), (size_t)7);
	cr_assert_eq(n[0].count, (size_t)3);
	cr_assert(benc_str_is(benc_dict_get(n, "command"), "start recording"));
	cr_assert(benc_str_is(benc_dict_get(n, "call-id"), "a84b4c76e66710@h"));
	cr_assert(benc_str_is(benc_dict_get(n, "from-tag"), "1928301"));
	good(STOP_REC, n);
	cr_assert(benc_str_is(benc_dict_get(n, "command"), "stop recording"));
}

Test(bencode, error_and_warning_replies)
{
	struct benc_node n[NODES];
	const struct benc_node *r;

	good(ERROR_REPLY, n);
	cr_assert(benc_str_is(benc_dict_get(n, "result"), "error"));
	r = benc_dict_get(n, "error-reason");
	cr_assert(benc_str_is(r, "Unknown call-id"));
	cr_assert_eq(r->len, (size_t)15);
	good(WARNING_REPLY, n);
	cr_assert(benc_str_is(benc_dict_get(n, "result"), "ok"));
	cr_assert(benc_str_is(benc_dict_get(n, "warning"), "Call-ID not found or"));
}

/* Look-ups skip whole subtrees: "result" comes after two nested dictionaries. */
Test(bencode, query_reply_nested)
{
	struct benc_node n[NODES];
	const struct benc_node *tags, *tag, *totals, *rtcp;

	good(QUERY_REPLY, n);
	cr_assert(benc_str_is(benc_dict_get(n, "result"), "ok"));
	cr_assert_eq(int_of(benc_dict_get(n, "created")), 1402064111);
	cr_assert_eq(int_of(benc_dict_get(n, "last signal")), 1402064116);
	tags = benc_dict_get(n, "tags");
	cr_assert(tags && tags->type == BENC_DICT && tags->count == 1);
	cr_assert_eq(tags->span, (size_t)QUERY_NODES);
	tag = benc_dict_get(tags, "cs6kn1rloc");
	cr_assert(benc_str_is(benc_dict_get(tag, "tag"), "cs6kn1rloc"));
	totals = benc_dict_get(n, "totals");
	rtcp = benc_dict_get(totals, "RTCP");
	cr_assert_eq(int_of(benc_dict_get(rtcp, "bytes")), 2244);
	cr_assert_eq(int_of(benc_dict_get(rtcp, "errors")), 0);
	cr_assert_eq(int_of(benc_dict_get(benc_dict_get(totals, "RTP"), "packets")), 705);
	/* a key of an inner dictionary is not one of the outer */
	cr_assert_null(benc_dict_get(n, "bytes"));
	cr_assert_null(benc_dict_get(n, "tag"));
}

/* Node layout: each node followed by its subtree, spans and counts */

Test(bencode, layout)
{
	struct benc_node n[NODES];

	cr_assert_eq(good("d1:ali1ei2ee1:bi3ee", n), (size_t)7);
	cr_assert(n[0].type == BENC_DICT && n[0].span == 7 && n[0].count == 2);
	cr_assert(n[1].type == BENC_STR && n[1].len == 1 && n[1].str[0] == 'a');
	cr_assert(n[2].type == BENC_LIST && n[2].span == 3 && n[2].count == 2);
	cr_assert(n[3].type == BENC_INT && n[3].num == 1 && n[3].span == 1);
	cr_assert(n[4].type == BENC_INT && n[4].num == 2);
	cr_assert(n[5].type == BENC_STR && n[5].str[0] == 'b');
	cr_assert(n[6].type == BENC_INT && n[6].num == 3);
	cr_assert_eq(good("le", n), (size_t)1);
	cr_assert(n[0].type == BENC_LIST && n[0].span == 1 && n[0].count == 0);
	cr_assert_eq(good("de", n), (size_t)1);
	cr_assert(n[0].type == BENC_DICT && n[0].count == 0);
	/* a lone scalar is a whole input too */
	cr_assert_eq(good("i7e", n), (size_t)1);
	cr_assert_eq(good("3:abc", n), (size_t)1);
	cr_assert(n[0].type == BENC_STR && n[0].len == 3 && memcmp(n[0].str, "abc", 3) == 0);
}

/* Integers */

Test(bencode, integers_canonical)
{
	struct benc_node n[NODES];

	good("i0e", n);
	cr_assert_eq(n[0].num, 0);
	good("i7e", n);
	cr_assert_eq(n[0].num, 7);
	good("i-7e", n);
	cr_assert_eq(n[0].num, -7);
	good("i10e", n);
	cr_assert_eq(n[0].num, 10);
	good("i9223372036854775807e", n);
	cr_assert_eq(n[0].num, INT64_MAX);
	good("i-9223372036854775808e", n);
	cr_assert_eq(n[0].num, INT64_MIN);
}

Test(bencode, integer_leading_zero)
{
	bad("i00e", BENC_ERR_INT);
	bad("i01e", BENC_ERR_INT);
	bad("i-01e", BENC_ERR_INT);
	bad("li007ee", BENC_ERR_INT);
}

Test(bencode, integer_negative_zero)
{
	bad("i-0e", BENC_ERR_INT);
	bad("d1:ai-0ee", BENC_ERR_INT);
}

Test(bencode, integer_no_digits_or_other_bytes)
{
	bad("ie", BENC_ERR_INT);
	bad("i-e", BENC_ERR_INT);
	bad("i+1e", BENC_ERR_INT);
	bad("i 1e", BENC_ERR_INT);
	bad("i1 e", BENC_ERR_INT);
	bad("i1.5e", BENC_ERR_INT);
	bad("i--1e", BENC_ERR_INT);
	bad("i0x1e", BENC_ERR_INT);
}

Test(bencode, integer_overflow)
{
	bad("i9223372036854775808e", BENC_ERR_INT_RANGE);
	bad("i-9223372036854775809e", BENC_ERR_INT_RANGE);
	bad("i18446744073709551616e", BENC_ERR_INT_RANGE);  /* 2^64: wraps to 0 */
	bad("i18446744073709551617e", BENC_ERR_INT_RANGE);  /* 2^64 + 1: wraps to 1 */
	bad("i100000000000000000000e", BENC_ERR_INT_RANGE); /* 10^20 */
	bad("i99999999999999999999999e", BENC_ERR_INT_RANGE);
}

Test(bencode, integer_truncated)
{
	bad("i", BENC_ERR_TRUNCATED);
	bad("i-", BENC_ERR_TRUNCATED);
	bad("i1", BENC_ERR_TRUNCATED);
	bad("i-12", BENC_ERR_TRUNCATED);
	bad("i0", BENC_ERR_TRUNCATED);
}

/* Strings */

Test(bencode, strings)
{
	struct benc_node n[NODES];
	static const char bin[] = "4:a\0\xff"
	                          "b";

	good("0:", n);
	cr_assert(n[0].type == BENC_STR && n[0].len == 0);
	good("10:0123456789", n);
	cr_assert_eq(n[0].len, (size_t)10);
	/* bytes are bytes: NUL, high and 'e' included */
	cr_assert_eq(benc_parse(bin, sizeof(bin) - 1, n, NODES, &(size_t){0}), BENC_OK);
	cr_assert(n[0].len == 4 && memcmp(n[0].str,
	                                  "a\0\xff"
	                                  "b",
	                                  4) == 0);
	good("3:e:d", n);
	cr_assert(n[0].len == 3 && memcmp(n[0].str, "e:d", 3) == 0);
}

Test(bencode, string_length_leading_zero)
{
	bad("00:", BENC_ERR_STRLEN);
	bad("01:a", BENC_ERR_STRLEN);
	bad("d01:ai1ee", BENC_ERR_STRLEN);
}

Test(bencode, string_past_the_end)
{
	bad("5:abc", BENC_ERR_TRUNCATED);
	bad("1:", BENC_ERR_TRUNCATED);
	bad("l4:abce", BENC_ERR_TRUNCATED); /* the 'e' is the string's, then nothing */
	/* a length no input can hold, and one beyond size_t, without overflow */
	bad("4294967296:x", BENC_ERR_TRUNCATED);
	bad("18446744073709551617:x", BENC_ERR_TRUNCATED);
	bad("99999999999999999999999999999999:x", BENC_ERR_TRUNCATED);
}

Test(bencode, string_length_without_colon)
{
	bad("3abc", BENC_ERR_SYNTAX);
	bad("3-abc", BENC_ERR_SYNTAX);
	bad("3", BENC_ERR_TRUNCATED);
	bad("12", BENC_ERR_TRUNCATED);
	/* a length past the input is still read to its end: the ':' is missing first */
	bad("99999999999999999999999x", BENC_ERR_SYNTAX);
}

/* Structure */

Test(bencode, empty_and_stray_bytes)
{
	bad("", BENC_ERR_TRUNCATED);
	bad("e", BENC_ERR_SYNTAX);
	bad("x", BENC_ERR_SYNTAX);
	bad(" de", BENC_ERR_SYNTAX);
	bad("-1:a", BENC_ERR_SYNTAX);
	bad("lxe", BENC_ERR_SYNTAX);
	bad("d1:axe", BENC_ERR_SYNTAX);
	bad_n("\0", 1, BENC_ERR_SYNTAX, "NUL");
}

Test(bencode, container_not_closed)
{
	bad("l", BENC_ERR_TRUNCATED);
	bad("d", BENC_ERR_TRUNCATED);
	bad("li1e", BENC_ERR_TRUNCATED);
	bad("d1:ai1e", BENC_ERR_TRUNCATED);
	bad("d1:a", BENC_ERR_TRUNCATED);
	bad("lllee", BENC_ERR_TRUNCATED);
}

/* Every proper prefix of a message is incomplete. */
Test(bencode, every_prefix_truncated)
{
	static const char *const msgs[] = {PING, START_REC, ERROR_REPLY, QUERY_REPLY};

	for (size_t m = 0; m < sizeof(msgs) / sizeof(*msgs); m++)
		for (size_t k = 0; k < strlen(msgs[m]); k++)
			bad_n(msgs[m], k, BENC_ERR_TRUNCATED, msgs[m]);
}

Test(bencode, trailing_bytes)
{
	bad("dee", BENC_ERR_TRAILING);
	bad("de ", BENC_ERR_TRAILING);
	bad("de\n", BENC_ERR_TRAILING);
	bad("i1ei2e", BENC_ERR_TRAILING);
	bad("0:0:", BENC_ERR_TRAILING);
	bad(PING "d", BENC_ERR_TRAILING);
	bad_n("de\0", 3, BENC_ERR_TRAILING, "NUL after the value");
}

Test(bencode, key_not_a_string)
{
	bad("di1e1:ae", BENC_ERR_KEY);
	bad("dle1:ae", BENC_ERR_KEY);
	bad("dde1:ae", BENC_ERR_KEY);
	bad("d1:ai1ei2ei3ee", BENC_ERR_KEY); /* the second key */
	bad("d1:ad1:bi1ei2ei3eee", BENC_ERR_KEY);
	bad("dxe", BENC_ERR_SYNTAX);
}

Test(bencode, key_without_value)
{
	bad("d1:ae", BENC_ERR_VALUE);
	bad("d1:ai1e1:be", BENC_ERR_VALUE);
	bad("ld1:aee", BENC_ERR_VALUE);
}

Test(bencode, duplicate_key)
{
	bad("d1:ai1e1:ai2ee", BENC_ERR_DUP_KEY);
	bad("d0:i1e0:i2ee", BENC_ERR_DUP_KEY);
	bad("d7:command4:ping7:command4:pinge", BENC_ERR_DUP_KEY);
	/* apart, with a nested subtree between them */
	bad("d1:ad1:xi1e1:yli1ei2eee1:bi1e1:ai2ee", BENC_ERR_DUP_KEY);
	/* in an inner dictionary */
	bad("d1:xd1:ai1e1:ai2eee", BENC_ERR_DUP_KEY);
}

Test(bencode, keys_unsorted_or_alike_accepted)
{
	struct benc_node n[NODES];

	good("d1:bi1e1:ai2ee", n); /* rtpengine does not sort */
	cr_assert_eq(int_of(benc_dict_get(n, "a")), 2);
	cr_assert_eq(int_of(benc_dict_get(n, "b")), 1);
	good("d1:a2:aa2:abi0e0:i1ee", n); /* prefixes and the empty key are other keys */
	cr_assert_eq(n[0].count, (size_t)3);
	cr_assert(benc_str_is(benc_dict_get(n, "a"), "aa"));
	cr_assert_eq(int_of(benc_dict_get(n, "ab")), 0);
	cr_assert_eq(int_of(benc_dict_get_len(n, "", 0)), 1);
	/* the same key in two dictionaries */
	good("d1:ad1:ai1eee", n);
	cr_assert_eq(int_of(benc_dict_get(benc_dict_get(n, "a"), "a")), 1);
	/* a string inside a value is no key: neither a duplicate nor found */
	good("d1:xl1:ae1:ai1ee", n);
	cr_assert_eq(int_of(benc_dict_get(n, "a")), 1);
	good("d1:xd1:ai2ee1:ai1ee", n);
	cr_assert_eq(int_of(benc_dict_get(n, "a")), 1);
	/* a value equal to a key */
	good("d1:a1:a1:b1:ae", n);
	cr_assert(benc_str_is(benc_dict_get(n, "b"), "a"));
}

/* Limits */

/* depth nested lists around i0e. */
static char *nested(char *buf, int depth)
{
	int k = 0;

	for (int i = 0; i < depth; i++)
		buf[k++] = 'l';
	memcpy(buf + k, "i0e", 3);
	k += 3;
	for (int i = 0; i < depth; i++)
		buf[k++] = 'e';
	buf[k] = '\0';
	return buf;
}

/* depth nested dictionaries, each with one key, around inner. */
static char *nested_dicts(char *buf, int depth, const char *inner)
{
	size_t k = 0;

	for (int i = 0; i < depth; i++)
		k += (size_t)sprintf(buf + k, "d1:k");
	k += (size_t)sprintf(buf + k, "%s", inner);
	for (int i = 0; i < depth; i++)
		buf[k++] = 'e';
	buf[k] = '\0';
	return buf;
}

Test(bencode, depth_limit)
{
	struct benc_node n[NODES];
	char buf[6 * BENC_DEPTH_MAX + 8]; /* up to 3 * BENC_DEPTH_MAX lists */

	cr_assert_eq(good(nested(buf, BENC_DEPTH_MAX), n), (size_t)BENC_DEPTH_MAX + 1);
	cr_assert_eq(n[BENC_DEPTH_MAX].num, 0);
	bad(nested(buf, BENC_DEPTH_MAX + 1), BENC_ERR_DEPTH);
	bad(nested(buf, 3 * BENC_DEPTH_MAX), BENC_ERR_DEPTH);
	/* dictionaries count alike */
	char d[8 * BENC_DEPTH_MAX + 8];
	good(nested_dicts(d, BENC_DEPTH_MAX, "i0e"), n);
	bad(nested_dicts(d, BENC_DEPTH_MAX, "le"), BENC_ERR_DEPTH);
	bad(nested_dicts(d, BENC_DEPTH_MAX + 1, "i0e"), BENC_ERR_DEPTH);
}

Test(bencode, node_limit)
{
	struct benc_node n[QUERY_NODES + 1];
	const char *tags = "d10:cs6kn1rlocd7:createdi1402064111e3:tag10:cs6kn1rlocee";
	size_t used;

	cr_assert_eq(parse_n(tags, strlen(tags), n, QUERY_NODES, &used), BENC_OK, "exactly");
	cr_assert_eq(used, (size_t)QUERY_NODES);
	cr_assert_eq(parse_n(tags, strlen(tags), n, QUERY_NODES - 1, &used), BENC_ERR_NODES,
	             "one past");
	cr_assert_eq(used, (size_t)0);
	cr_assert_eq(parse_n("de", 2, NULL, 0, &used), BENC_ERR_NODES, "no nodes");
	/* a byte that starts no value is that, whatever room is left */
	cr_assert_eq(parse_n("x", 1, NULL, 0, &used), BENC_ERR_SYNTAX, "syntax first");
	cr_assert_eq(parse_n("i1e", 3, n, 1, &used), BENC_OK, "one node");
	/* the decoder never writes past max_nodes */
	memset(n, 0xa5, sizeof(n));
	cr_assert_eq(parse_n(tags, strlen(tags), n, 2, &used), BENC_ERR_NODES);
	for (size_t i = 0; i < sizeof(n[2]); i++)
		cr_assert_eq(((unsigned char *)&n[2])[i], 0xa5, "node 2 untouched");
}

/* Look-ups */

Test(bencode, list_iteration)
{
	struct benc_node n[NODES];
	static const char *const want[] = {"trust address", "", "SIP source address"};
	const struct benc_node *flags, *it;
	size_t i = 0;

	good("d5:flagsl13:trust address0:18:SIP source addressee", n);
	flags = benc_dict_get(n, "flags");
	cr_assert(flags && flags->type == BENC_LIST && flags->count == 3);
	for (it = benc_first(flags); it; it = benc_next(flags, it), i++)
		cr_assert(benc_str_is(it, want[i]), "element %zu", i);
	cr_assert_eq(i, (size_t)3);
	/* elements that are containers are stepped over whole */
	good("lli1ei2eed1:ali3eeei4ee", n);
	i = 0;
	for (it = benc_first(n); it; it = benc_next(n, it))
		i++;
	cr_assert_eq(i, (size_t)3);
	cr_assert_eq(n[0].count, (size_t)3);
	good("le", n);
	cr_assert_null(benc_first(n), "empty list");
	good("i1e", n);
	cr_assert_null(benc_first(n), "not a container");
	cr_assert_null(benc_first(NULL));
}

Test(bencode, getters_reject_other_types)
{
	struct benc_node n[NODES];
	int64_t v = 42;

	good("d1:s2:251:ii25ee", n);
	cr_assert_eq(benc_int(benc_dict_get(n, "s"), &v), -1, "a string is no integer");
	cr_assert_eq(v, 42, "untouched");
	cr_assert_eq(benc_int(NULL, &v), -1);
	cr_assert_not(benc_str_is(benc_dict_get(n, "i"), "25"), "an integer is no string");
	cr_assert_not(benc_str_is(NULL, ""));
	cr_assert_not(benc_str_is(benc_dict_get(n, "s"), "2"), "a prefix is not equal");
	cr_assert_not(benc_str_is(benc_dict_get(n, "s"), "250"));
	cr_assert_null(benc_dict_get(n + 2, "s"), "a string is no dictionary");
	cr_assert_null(benc_dict_get(NULL, "s"));
	good("l1:s1:ae", n);
	cr_assert_null(benc_dict_get(n, "s"), "a list is no dictionary");
	/* a key with a NUL in it */
	static const char k[] = "d3:a\0bi1e1:ai2ee";
	cr_assert_eq(benc_parse(k, sizeof(k) - 1, n, NODES, &(size_t){0}), BENC_OK);
	cr_assert_eq(int_of(benc_dict_get_len(n, "a\0b", 3)), 1);
	cr_assert_eq(int_of(benc_dict_get(n, "a")), 2);
}

/* Error strings */

Test(bencode, strerror_table)
{
	for (int i = 0; i < BENC_ERR__MAX; i++) {
		const char *s = benc_strerror((enum benc_err)i);
		cr_assert(s && *s && strcmp(s, "unknown error") != 0, "error %d has its text", i);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(s, benc_strerror((enum benc_err)j), "%d and %d", i, j);
	}
	cr_assert_str_eq(benc_strerror(BENC_ERR__MAX), "unknown error");
	cr_assert_str_eq(benc_strerror((enum benc_err) - 1), "unknown error");
}

/* Encoder */

/* Builds the stop recording request of call id. */
static void stop_recording(struct benc_out *o, const char *call_id)
{
	benc_put_dict(o);
	benc_put_cstr(o, "command");
	benc_put_cstr(o, "stop recording");
	benc_put_cstr(o, "call-id");
	benc_put_cstr(o, call_id);
	benc_put_end(o);
}

Test(bencode, encode_messages)
{
	char buf[OUT_CAP];
	struct benc_out o;

	benc_out_init(&o, buf, sizeof(buf));
	benc_put_dict(&o);
	benc_put_cstr(&o, "command");
	benc_put_cstr(&o, "ping");
	benc_put_end(&o);
	cr_assert_eq(benc_out_end(&o), 0);
	cr_assert(o.len == strlen(PING) && memcmp(buf, PING, o.len) == 0);

	benc_out_init(&o, buf, sizeof(buf));
	stop_recording(&o, "a84b4c76e66710@h");
	cr_assert_eq(benc_out_end(&o), 0);
	cr_assert(o.len == strlen(STOP_REC) && memcmp(buf, STOP_REC, o.len) == 0);
}

Test(bencode, encode_scalars)
{
	static const struct {
		int64_t v;
		const char *text;
	} ints[] = {{0, "i0e"},
	            {-1, "i-1e"},
	            {42, "i42e"},
	            {INT64_MAX, "i9223372036854775807e"},
	            {INT64_MIN, "i-9223372036854775808e"}};
	char buf[OUT_CAP];
	struct benc_out o;

	for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++) {
		benc_out_init(&o, buf, sizeof(buf));
		benc_put_int(&o, ints[i].v);
		cr_assert_eq(benc_out_end(&o), 0);
		cr_assert(o.len == strlen(ints[i].text) && memcmp(buf, ints[i].text, o.len) == 0,
		          "%s", ints[i].text);
	}
	benc_out_init(&o, buf, sizeof(buf));
	benc_put_str(&o, NULL, 0);
	benc_put_str(&o, "a\0b", 3);
	cr_assert_eq(benc_out_end(&o), 0);
	cr_assert(o.len == 7 && memcmp(buf, "0:3:a\0b", 7) == 0);
}

/* Encode, decode, compare; and encode the decoded tree again to the same bytes. */
Test(bencode, round_trip)
{
	char buf[OUT_CAP], again[OUT_CAP];
	struct benc_out o;
	struct benc_node n[NODES];
	size_t used;
	const struct benc_node *l, *it;

	benc_out_init(&o, buf, sizeof(buf));
	benc_put_dict(&o);
	benc_put_cstr(&o, "result");
	benc_put_cstr(&o, "ok");
	benc_put_cstr(&o, "min");
	benc_put_int(&o, INT64_MIN);
	benc_put_cstr(&o, "max");
	benc_put_int(&o, INT64_MAX);
	benc_put_cstr(&o, "bin");
	benc_put_str(&o, "\0\xff", 2);
	benc_put_cstr(&o, "list");
	benc_put_list(&o);
	benc_put_int(&o, 0);
	benc_put_dict(&o);
	benc_put_end(&o);
	benc_put_list(&o);
	benc_put_end(&o);
	benc_put_end(&o);
	benc_put_end(&o);
	cr_assert_eq(benc_out_end(&o), 0);

	cr_assert_eq(benc_parse(buf, o.len, n, NODES, &used), BENC_OK);
	cr_assert_eq(used, (size_t)14);
	cr_assert(benc_str_is(benc_dict_get(n, "result"), "ok"));
	cr_assert_eq(int_of(benc_dict_get(n, "min")), INT64_MIN);
	cr_assert_eq(int_of(benc_dict_get(n, "max")), INT64_MAX);
	cr_assert(benc_dict_get(n, "bin")->len == 2 &&
	          memcmp(benc_dict_get(n, "bin")->str, "\0\xff", 2) == 0);
	l = benc_dict_get(n, "list");
	cr_assert(l->count == 3 && l->span == 4);
	it = benc_first(l);
	cr_assert_eq(int_of(it), 0);
	it = benc_next(l, it);
	cr_assert(it->type == BENC_DICT && it->count == 0);
	it = benc_next(l, it);
	cr_assert(it->type == BENC_LIST && it->count == 0);
	cr_assert_null(benc_next(l, it));

	/* every real message, decoded and encoded back, is the same bytes */
	const char *const msgs[] = {PING, START_REC, ERROR_REPLY, QUERY_REPLY, buf};
	for (size_t m = 0; m < sizeof(msgs) / sizeof(*msgs); m++) {
		size_t mlen = msgs[m] == buf ? o.len : strlen(msgs[m]);
		struct benc_node n2[NODES];
		size_t used2;
		int open[NODES], depth = 0;
		struct benc_out a;

		cr_assert_eq(benc_parse(msgs[m], mlen, n, NODES, &used), BENC_OK);
		benc_out_init(&a, again, sizeof(again));
		for (size_t i = 0; i < used; i++) {
			while (depth > 0 &&
			       (size_t)open[depth - 1] + n[open[depth - 1]].span == i) {
				benc_put_end(&a);
				depth--;
			}
			if (n[i].type == BENC_INT)
				benc_put_int(&a, n[i].num);
			else if (n[i].type == BENC_STR)
				benc_put_str(&a, n[i].str, n[i].len);
			else if (n[i].type == BENC_LIST)
				benc_put_list(&a);
			else
				benc_put_dict(&a);
			if (n[i].type == BENC_LIST || n[i].type == BENC_DICT)
				open[depth++] = (int)i;
		}
		while (depth-- > 0)
			benc_put_end(&a);
		cr_assert_eq(benc_out_end(&a), 0);
		cr_assert(a.len == mlen && memcmp(again, msgs[m], mlen) == 0, "message %zu", m);
		cr_assert_eq(benc_parse(again, a.len, n2, NODES, &used2), BENC_OK);
		cr_assert(used2 == used && same_tree(n, n2, used), "message %zu tree", m);
	}
}

/* A buffer exactly the message's size holds it; one byte less overflows, and nothing is
 * written past the capacity. */
Test(bencode, encode_overflow)
{
	const size_t len = strlen(STOP_REC);
	char buf[OUT_CAP];
	struct benc_out o;

	memset(buf, GUARD, sizeof(buf));
	benc_out_init(&o, buf, len);
	stop_recording(&o, "a84b4c76e66710@h");
	cr_assert_eq(benc_out_end(&o), 0, "exactly the size");
	cr_assert_not(o.overflow);
	cr_assert(o.len == len && memcmp(buf, STOP_REC, len) == 0);
	cr_assert_eq((unsigned char)buf[len], GUARD);

	for (size_t cap = 0; cap < len; cap++) {
		memset(buf, GUARD, sizeof(buf));
		benc_out_init(&o, buf, cap);
		stop_recording(&o, "a84b4c76e66710@h");
		cr_assert_eq(benc_out_end(&o), -1, "cap %zu", cap);
		cr_assert(o.overflow && o.len <= cap, "cap %zu", cap);
		cr_assert_eq(memcmp(buf, STOP_REC, o.len), 0, "a prefix, cap %zu", cap);
		for (size_t i = cap; i < sizeof(buf); i++)
			cr_assert_eq((unsigned char)buf[i], GUARD, "cap %zu: byte %zu", cap, i);
	}
}

/* After an overflow nothing more is written, even what would fit: a message with a hole
 * in it is never sent. */
Test(bencode, encode_overflow_sticky)
{
	char buf[8];
	struct benc_out o;

	benc_out_init(&o, buf, sizeof(buf));
	benc_put_list(&o);
	benc_put_cstr(&o, "too long a string");
	cr_assert(o.overflow && o.len == 1);
	benc_put_int(&o, 1);
	benc_put_end(&o);
	cr_assert_eq(o.len, (size_t)1, "nothing after the overflow");
	cr_assert_eq(benc_out_end(&o), -1);
	/* a string whose header fits but not its bytes is not begun */
	benc_out_init(&o, buf, sizeof(buf));
	benc_put_str(&o, "abcdefg", 7);
	cr_assert(o.overflow && o.len == 0);
	benc_out_init(&o, buf, sizeof(buf));
	benc_put_int(&o, -1234567);
	cr_assert(o.overflow && o.len == 0, "integer not begun");
}

Test(bencode, encode_unbalanced)
{
	char buf[OUT_CAP];
	struct benc_out o;

	benc_out_init(&o, buf, sizeof(buf));
	benc_put_dict(&o);
	cr_assert_eq(benc_out_end(&o), -1, "left open");
	benc_out_init(&o, buf, sizeof(buf));
	benc_put_end(&o);
	cr_assert_eq(benc_out_end(&o), -1, "closed without an open");
	cr_assert_eq(o.len, (size_t)0);
	benc_out_init(&o, buf, sizeof(buf));
	benc_put_end(&o);
	benc_put_list(&o);
	cr_assert_eq(benc_out_end(&o), -1, "the stray close is not undone by an open");
	benc_out_init(&o, buf, sizeof(buf));
	cr_assert_eq(benc_out_end(&o), 0, "an empty message");
}
