/* unit_uri.c - tests of src/input/uri.c (userId, extension, phoneCallId, numbers, query) and of
 * the PhoneCalls paths of the route table (src/routing/route.c, linked from build/libpc.a). */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/input/uri.c"
#include "route.h"

#define PARAM_MAX 4096 /* a caller's buffer for uri_query */

/* What a path is to the route table's PhoneCalls patterns: a list (its two segments), one
 * call (three), or none of them. */
enum { URI_NONE = 0, URI_LIST = 2, URI_CALL = 3 };

/* path[0..len) through the route table's PhoneCalls patterns, then uri_parts: URI_NONE,
 * URI_LIST or URI_CALL, and the typed values (all invalid with URI_NONE). */
static int uri_parse(const char *path, size_t len, struct uri *u)
{
	struct route_args a;

	for (size_t i = 0; i < route_count; i++) {
		if (strncmp(route_table[i].path, URI_PREFIX, strlen(URI_PREFIX)) != 0 ||
		    !route_match(route_table[i].path, path, len, &a))
			continue;
		uri_parts(a.seg, a.n, u);
		return (int)a.n;
	}
	uri_parts(NULL, 0, u);
	return URI_NONE;
}

static int parse(const char *path, struct uri *u)
{
	return uri_parse(path, strlen(path), u);
}

/* Fills a buffer with n copies of c, NUL-terminated. */
static char *rep(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* Parses URI_PREFIX + rest. */
static int parse_rest(const char *rest, struct uri *u)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s%s", URI_PREFIX, rest);
	return parse(path, u);
}

/* Routes */

Test(uri, route_none_for_other_paths)
{
	static const char *const paths[] = {
	    "",
	    "/",
	    "/uapi",
	    "/uapi/phoneCalls",
	    "/uapi/phoneCalls/",
	    "/uapi/phonecalls/@me/0003*210",
	    "/uapi/phonecalls/@me/0003*210/444444",
	    "/UAPI/phoneCalls/@me/0003*210",
	    "/uapi/PhoneCalls/@me/0003*210",
	    "/uapi/phoneCall/@me/0003*210",
	    "/uapi/phoneCallsX/@me/0003*210",
	    "//uapi/phoneCalls/@me/0003*210",
	    "uapi/phoneCalls/@me/0003*210",
	    "/api/phoneCalls/@me/0003*210",
	    "/uapi/phoneCalls/@me",                     /* one segment */
	    "/uapi/phoneCalls/@me/",                    /* one segment and a trailing slash */
	    "/uapi/phoneCalls//",                       /* no segment: two slashes */
	    "/uapi/phoneCalls/@me/0003*210/444444/x",   /* four segments */
	    "/uapi/phoneCalls/@me/0003*210/444444/x/",  /* four segments, trailing slash */
	    "/uapi/phoneCalls/@me/0003*210/444444/x/y", /* five segments */
	    "/uapi/phoneCalls/@me/0003*210/444444//",   /* empty fourth segment */
	    "/uapi/phoneCalls/@me/0003*210/444444/x/y/z/w/v",
	};
	struct uri u;

	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		memset(&u, 0xa5, sizeof(u));
		cr_assert_eq(parse(paths[i], &u), URI_NONE, "\"%s\" should not route", paths[i]);
	}
}

Test(uri, route_none_respects_length)
{
	struct uri u;
	const char *p = "/uapi/phoneCalls/@me/0003*210";

	/* Only the prefix and one segment are within len. */
	cr_assert_eq(uri_parse(p, strlen("/uapi/phoneCalls/@me"), &u), URI_NONE,
	             "length must bound the path");
	/* len cut just after the prefix: nothing after it. */
	cr_assert_eq(uri_parse(p, strlen(URI_PREFIX), &u), URI_NONE, "bare prefix");
	cr_assert_eq(uri_parse(p, 0, &u), URI_NONE, "empty path");
}

Test(uri, route_list_two_segments)
{
	struct uri u;

	memset(&u, 0xa5, sizeof(u));
	cr_assert_eq(parse("/uapi/phoneCalls/@me/0003*210", &u), URI_LIST, "two segments: list");
	cr_assert_eq(u.user, URI_USER_ME, "@me");
	cr_assert(u.ext_ok, "extension well-formed");
	cr_assert_not(u.ext_self, "not @self");
	cr_assert_str_eq(u.ext, "0003*210", "extension copied");
	cr_assert_eq(u.ext_len, (size_t)8, "extension length");
	cr_assert_not(u.call_ok, "no phoneCallId on a list");
	cr_assert_eq(u.call_len, (size_t)0, "no phoneCallId length on a list");
}

/* One trailing slash names the same resource (the vendor's client ends every fragment
 * with one); an empty segment left after it is a malformed value of its position. */
Test(uri, route_trailing_slash)
{
	struct uri u, v;

	cr_assert_eq(parse("/uapi/phoneCalls/@me/0003*210/", &u), URI_LIST, "list with slash");
	cr_assert(u.user == URI_USER_ME && u.ext_ok, "list with slash: segments");
	cr_assert_str_eq(u.ext, "0003*210", "list with slash: extension");
	cr_assert_eq(parse("/uapi/phoneCalls/@me/0003*210/444444/", &u), URI_CALL,
	             "call with slash");
	cr_assert_eq(parse("/uapi/phoneCalls/@me/0003*210/444444", &v), URI_CALL, "call");
	cr_assert(memcmp(&u, &v, sizeof(u)) == 0, "with and without the slash parse alike");
	cr_assert(u.call_ok && strcmp(u.call, "444444") == 0, "call with slash: id");
	cr_assert_eq(parse("/uapi/phoneCalls/12/@self/", &u), URI_LIST, "@self with slash");
	cr_assert(u.user == URI_USER_ID && u.user_id == 12 && u.ext_self,
	          "@self with slash: fields");
	/* two slashes: one is dropped, the other leaves an empty segment */
	cr_assert_eq(parse("/uapi/phoneCalls/@me/0003*210//", &u), URI_CALL, "empty phoneCallId");
	cr_assert_not(u.call_ok, "an empty phoneCallId is malformed");
	cr_assert(u.ext_ok, "the extension before it stands");
	cr_assert_eq(parse("/uapi/phoneCalls/@me//", &u), URI_LIST, "empty extension");
	cr_assert_not(u.ext_ok, "an empty extension is malformed");
	cr_assert_eq(parse("/uapi/phoneCalls/@me/0003*210/444444//", &u), URI_NONE,
	             "an empty fourth segment is another path");
	/* an escaped slash is no slash */
	cr_assert_eq(parse("/uapi/phoneCalls/@me/0003*210/444444%2F", &u), URI_CALL, "%2F");
	cr_assert_not(u.call_ok, "%2F is part of the phoneCallId, which it makes malformed");
}

Test(uri, route_list_respects_length)
{
	struct uri u;
	const char *p = "/uapi/phoneCalls/@me/0003*210/444444";

	cr_assert_eq(uri_parse(p, strlen("/uapi/phoneCalls/@me/0003*210"), &u), URI_LIST,
	             "the third segment lies past len");
	cr_assert_str_eq(u.ext, "0003*210", "extension");
}

Test(uri, route_call_three_segments)
{
	struct uri u;

	memset(&u, 0xa5, sizeof(u));
	cr_assert_eq(parse("/uapi/phoneCalls/123/0003*210/b817d2618fe6f1804333", &u), URI_CALL,
	             "three segments: one call");
	cr_assert_eq(u.user, URI_USER_ID, "numeric user");
	cr_assert_eq(u.user_id, 123LL, "user id");
	cr_assert(u.ext_ok, "extension well-formed");
	cr_assert_str_eq(u.ext, "0003*210", "extension");
	cr_assert(u.call_ok, "phoneCallId well-formed");
	cr_assert_str_eq(u.call, "b817d2618fe6f1804333", "phoneCallId copied");
	cr_assert_eq(u.call_len, (size_t)20, "phoneCallId length");
}

Test(uri, route_kept_when_segments_invalid)
{
	struct uri u;

	/* Bad segments are reported per field, after authentication: never a 404. */
	cr_assert_eq(parse_rest("bogus/x*y/..", &u), URI_CALL, "route of a malformed call URI");
	cr_assert_eq(u.user, URI_USER_INVALID, "user");
	cr_assert_not(u.ext_ok, "extension");
	cr_assert_not(u.call_ok, "phoneCallId");
	cr_assert_eq(parse_rest("bogus/x*y", &u), URI_LIST, "route of a malformed list URI");
	cr_assert_eq(u.user, URI_USER_INVALID, "user");
	cr_assert_not(u.ext_ok, "extension");
}

/* userId */

Test(uri, user_selectors)
{
	struct uri u;

	parse_rest("@me/0003*210", &u);
	cr_assert_eq(u.user, URI_USER_ME, "@me");
	parse_rest("@viewer/0003*210", &u);
	cr_assert_eq(u.user, URI_USER_ME, "@viewer is @me");
	parse_rest("@owner/0003*210", &u);
	cr_assert_eq(u.user, URI_USER_OWNER, "@owner");
	parse_rest("42/0003*210", &u);
	cr_assert_eq(u.user, URI_USER_ID, "numeric");
	cr_assert_eq(u.user_id, 42LL, "numeric value");
	parse_rest("0/0003*210", &u);
	cr_assert_eq(u.user, URI_USER_ID, "0 is a well-formed number (the context rejects it)");
	cr_assert_eq(u.user_id, 0LL, "0 value");
	parse_rest("9223372036854775807/0003*210", &u);
	cr_assert_eq(u.user, URI_USER_ID, "2^63-1");
	cr_assert_eq(u.user_id, 9223372036854775807LL, "2^63-1 value");
	/* Digits are unreserved: a percent-encoded digit is the digit, decoded once. */
	parse_rest("%34%32/0003*210", &u);
	cr_assert_eq(u.user, URI_USER_ID, "%34%32");
	cr_assert_eq(u.user_id, 42LL, "%34%32 is 42");
}

Test(uri, user_invalid)
{
	static const char *const users[] = {
	    "@ME",
	    "@Me",
	    "@VIEWER",
	    "@Owner",
	    "@self",
	    "@",
	    "me",
	    "@meX",
	    "@me ",
	    "@me%20",
	    "%40%40me",
	    "@viewers",
	    "@own",
	    "-1",
	    "+1",
	    "01",
	    "00",
	    " 1",
	    "1 ",
	    "%201",
	    "1%20",
	    "1.0",
	    "1e3",
	    "0x10",
	    "1,2",
	    "9223372036854775808",
	    "18446744073709551615",
	    "99999999999999999999",
	    "00000000000000000001",
	    "%2531",
	    "1%00",
	    "%",
	    "%4",
	    "%zz",
	    "abc",
	};
	struct uri u;

	for (size_t i = 0; i < sizeof(users) / sizeof(*users); i++) {
		char rest[256];
		snprintf(rest, sizeof(rest), "%s/0003*210/444444", users[i]);
		cr_assert_eq(parse_rest(rest, &u), URI_CALL, "\"%s\": route", users[i]);
		cr_assert_eq(u.user, URI_USER_INVALID, "\"%s\" must be user_invalid", users[i]);
		cr_assert(u.ext_ok, "\"%s\": extension unaffected", users[i]);
		cr_assert(u.call_ok, "\"%s\": phoneCallId unaffected", users[i]);
	}
}

Test(uri, user_empty_segment_is_malformed)
{
	struct uri u;

	/* The contract: anything but @me/@viewer/@owner/a number is user_invalid. */
	cr_assert_eq(parse_rest("/0003*210", &u), URI_LIST, "empty userId still routes");
	cr_assert_eq(u.user, URI_USER_INVALID, "empty userId is malformed");
}

Test(uri, user_segment_too_long)
{
	struct uri u;
	char rest[512], digits[200];

	/* 65 digits: longer than URI_SEG_MAX and than any number. */
	snprintf(rest, sizeof(rest), "%s/0003*210", rep(digits, '1', URI_SEG_MAX + 1));
	cr_assert_eq(parse_rest(rest, &u), URI_LIST, "route");
	cr_assert_eq(u.user, URI_USER_INVALID, "over-long userId");
	snprintf(rest, sizeof(rest), "%s/0003*210", rep(digits, '1', 199));
	cr_assert_eq(parse_rest(rest, &u), URI_LIST, "route");
	cr_assert_eq(u.user, URI_USER_INVALID, "very long userId");
}

/* uri_num */

Test(uri, num_accepts)
{
	long long v = -1;

	cr_assert_eq(uri_num("0", 1, 100, &v), 0, "\"0\" is fine");
	cr_assert_eq(v, 0LL, "\"0\" value");
	cr_assert_eq(uri_num("7", 1, 100, &v), 0, "one digit");
	cr_assert_eq(v, 7LL, "one digit value");
	cr_assert_eq(uri_num("100", 3, 100, &v), 0, "max itself");
	cr_assert_eq(v, 100LL, "max value");
	cr_assert_eq(uri_num("9223372036854775807", 19, 0x7fffffffffffffffLL, &v), 0, "2^63-1");
	cr_assert_eq(v, 9223372036854775807LL, "2^63-1 value");
	cr_assert_eq(uri_num("1234xyz", 4, 5000, &v), 0, "len bounds the number");
	cr_assert_eq(v, 1234LL, "bounded value");
}

Test(uri, num_rejects)
{
	static const char *const bad[] = {
	    "00",
	    "01",
	    "007",
	    "+1",
	    "-1",
	    "-0",
	    " 1",
	    "1 ",
	    "",
	    " ",
	    "1a",
	    "a1",
	    "1.5",
	    "1e2",
	    "0x1",
	    "9223372036854775808",
	    "9999999999999999999",
	    "18446744073709551615",
	    "18446744073709551616",
	    "99999999999999999999",
	    "00000000000000000001",
	    "12345678901234567890",
	    "123456789012345678901234567890",
	};
	long long v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(uri_num(bad[i], strlen(bad[i]), 0x7fffffffffffffffLL, &v), -1,
		             "\"%s\" must be rejected", bad[i]);
	cr_assert_eq(uri_num("101", 3, 100, &v), -1, "over max");
	cr_assert_eq(uri_num("5001", 4, 5000, &v), -1, "over a small max");
	cr_assert_eq(uri_num("1\0", 2, 100, &v), -1, "NUL inside");
	cr_assert_eq(uri_num("\0"
	                     "1",
	                     2, 100, &v),
	             -1, "leading NUL");
}

/* extension */

Test(uri, ext_accepted)
{
	struct uri u;
	char rest[256], digits[64];

	parse_rest("@me/0003*210", &u);
	cr_assert(u.ext_ok, "0003*210");
	cr_assert_str_eq(u.ext, "0003*210", "0003*210 copied");
	parse_rest("@me/210", &u);
	cr_assert(u.ext_ok, "digits only");
	cr_assert_str_eq(u.ext, "210", "digits copied");
	cr_assert_eq(u.ext_len, (size_t)3, "digits length");

	snprintf(rest, sizeof(rest), "@me/%s", rep(digits, '7', URI_EXT_MAX));
	parse_rest(rest, &u);
	cr_assert(u.ext_ok, "URI_EXT_MAX characters");
	cr_assert_eq(u.ext_len, (size_t)URI_EXT_MAX, "URI_EXT_MAX length");
	cr_assert_str_eq(u.ext, digits, "URI_EXT_MAX copied");
}

Test(uri, ext_percent_star_decoded_once)
{
	struct uri u;
	char rest[256], digits[64];

	parse_rest("@me/0003%2A210", &u);
	cr_assert(u.ext_ok, "%%2A is *");
	cr_assert_str_eq(u.ext, "0003*210", "%%2A decoded");
	cr_assert_eq(u.ext_len, (size_t)8, "decoded length");
	parse_rest("@me/0003%2a210", &u);
	cr_assert(u.ext_ok, "%%2a (lower case hex) is *");
	cr_assert_str_eq(u.ext, "0003*210", "%%2a decoded");
	parse_rest("@owner/0003%2A210/444444", &u);
	cr_assert(u.ext_ok, "%%2A in a call URI");
	cr_assert_str_eq(u.ext, "0003*210", "%%2A decoded in a call URI");

	/* Decoded exactly once: %252A is the text "%2A", which is not an extension. */
	parse_rest("@me/0003%252A210", &u);
	cr_assert_not(u.ext_ok, "%%252A must stay invalid");
	parse_rest("@me/0003%25210", &u);
	cr_assert_not(u.ext_ok, "%%25 is a literal %%");

	/* The length limit applies to the decoded extension. */
	snprintf(rest, sizeof(rest), "@me/%s%%2A%%2A", rep(digits, '1', URI_EXT_MAX - 2));
	parse_rest(rest, &u);
	cr_assert(u.ext_ok, "URI_EXT_MAX decoded characters");
	cr_assert_eq(u.ext_len, (size_t)URI_EXT_MAX, "decoded length");
	snprintf(rest, sizeof(rest), "@me/%s%%2A%%2A", rep(digits, '1', URI_EXT_MAX - 1));
	parse_rest(rest, &u);
	cr_assert_not(u.ext_ok, "URI_EXT_MAX + 1 decoded characters");
}

Test(uri, ext_self)
{
	struct uri u;

	cr_assert_eq(parse_rest("@me/@self", &u), URI_LIST, "route");
	cr_assert(u.ext_ok, "@self is well-formed");
	cr_assert(u.ext_self, "@self flagged");
	cr_assert_eq(u.ext_len, (size_t)0, "@self has no number");
	cr_assert_eq(parse_rest("@owner/@self/444444", &u), URI_CALL, "route");
	cr_assert(u.ext_self, "@self in a call URI");
	parse_rest("@me/0003*210", &u);
	cr_assert_not(u.ext_self, "a number is not @self");
}

Test(uri, ext_invalid)
{
	static const char *const exts[] = {
	    "@SELF",       "@Self",      "@self1",    "@selfie",    "@sel",       "self",
	    "@",           "@me",        "0003*21a",  "abc",        "0003#210",   "0003-210",
	    "0003 210",    "0003%20210", "0003+210",  "0003%2B210", "0003%00210", "%00",
	    "0003*210%00", "0003%2F210", "0003.210",  "%",          "0003%",      "0003%2",
	    "%zz",         "%2G",        "0003%*210", "\xc3\xa9",
	};
	struct uri u;

	for (size_t i = 0; i < sizeof(exts) / sizeof(*exts); i++) {
		char rest[256];
		snprintf(rest, sizeof(rest), "@me/%s/444444", exts[i]);
		cr_assert_eq(parse_rest(rest, &u), URI_CALL, "\"%s\": route", exts[i]);
		cr_assert_not(u.ext_ok, "\"%s\" must be extension_invalid", exts[i]);
		cr_assert_not(u.ext_self, "\"%s\" is not @self", exts[i]);
		cr_assert_eq(u.user, URI_USER_ME, "\"%s\": user unaffected", exts[i]);
		cr_assert(u.call_ok, "\"%s\": phoneCallId unaffected", exts[i]);
	}
}

Test(uri, ext_lengths)
{
	struct uri u;
	char rest[512], digits[300];

	snprintf(rest, sizeof(rest), "@me/%s", rep(digits, '1', URI_EXT_MAX + 1));
	parse_rest(rest, &u);
	cr_assert_not(u.ext_ok, "URI_EXT_MAX + 1 characters");
	snprintf(rest, sizeof(rest), "@me/%s", rep(digits, '1', URI_SEG_MAX));
	parse_rest(rest, &u);
	cr_assert_not(u.ext_ok, "URI_SEG_MAX characters");
	snprintf(rest, sizeof(rest), "@me/%s", rep(digits, '1', URI_SEG_MAX + 1));
	parse_rest(rest, &u);
	cr_assert_not(u.ext_ok, "URI_SEG_MAX + 1 characters");
	snprintf(rest, sizeof(rest), "@me/%s", rep(digits, '1', 299));
	parse_rest(rest, &u);
	cr_assert_not(u.ext_ok, "very long extension");
	/* Empty middle segment. */
	cr_assert_eq(parse_rest("@me//444444", &u), URI_CALL, "empty extension still routes");
	cr_assert_not(u.ext_ok, "empty extension");
}

/* phoneCallId */

Test(uri, call_accepted)
{
	struct uri u;
	char rest[256], id[128];

	parse_rest("@me/0003*210/444444", &u);
	cr_assert(u.call_ok, "444444");
	cr_assert_str_eq(u.call, "444444", "444444 copied");
	parse_rest("@me/0003*210/AZaz09", &u);
	cr_assert(u.call_ok, "letters of both cases and digits");
	cr_assert_str_eq(u.call, "AZaz09", "mixed copied");
	parse_rest("@me/0003*210/x", &u);
	cr_assert(u.call_ok, "one character");
	cr_assert_eq(u.call_len, (size_t)1, "one character length");
	parse_rest("@me/0003*210/ab%41", &u);
	cr_assert(u.call_ok, "a percent-encoded letter is the letter");
	cr_assert_str_eq(u.call, "abA", "decoded once");

	snprintf(rest, sizeof(rest), "@me/0003*210/%s", rep(id, 'z', URI_CALLID_MAX));
	parse_rest(rest, &u);
	cr_assert(u.call_ok, "URI_CALLID_MAX characters");
	cr_assert_eq(u.call_len, (size_t)URI_CALLID_MAX, "URI_CALLID_MAX length");
	cr_assert_str_eq(u.call, id, "URI_CALLID_MAX copied");

	/* 64 letters sent as 192 bytes of escapes: the decoded length counts. */
	strcpy(rest, "@me/0003*210/");
	for (int i = 0; i < URI_CALLID_MAX; i++)
		strcat(rest, "%41");
	parse_rest(rest, &u);
	cr_assert(u.call_ok, "64 escaped letters");
	cr_assert_eq(u.call_len, (size_t)URI_CALLID_MAX, "64 escaped letters length");
}

Test(uri, call_invalid)
{
	static const char *const ids[] = {
	    "%00",   "ab%00",   "%00ab",  "%2F",      "ab%2Fcd", "%2f",   "..",  ".",
	    "a.b",   "a-b",     "a_b",    "a~b",      "a b",     "a%20b", "a+b", "a*b",
	    "a%2Ab", "a@b",     "%C3%A9", "\xc3\xa9", "%",       "ab%",   "%4",  "ab%4",
	    "%zz",   "ab%zzcd", "%g0",    "%0g",      "%%41",
	};
	struct uri u;

	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
		char rest[256];
		snprintf(rest, sizeof(rest), "@me/0003*210/%s", ids[i]);
		cr_assert_eq(parse_rest(rest, &u), URI_CALL, "\"%s\": route", ids[i]);
		cr_assert_not(u.call_ok, "\"%s\" must be pc_phonecall_invalid", ids[i]);
		cr_assert_eq(u.user, URI_USER_ME, "\"%s\": user unaffected", ids[i]);
		cr_assert(u.ext_ok, "\"%s\": extension unaffected", ids[i]);
	}
}

Test(uri, call_lengths)
{
	struct uri u;
	char rest[512], id[300];

	snprintf(rest, sizeof(rest), "@me/0003*210/%s", rep(id, 'a', URI_CALLID_MAX + 1));
	cr_assert_eq(parse_rest(rest, &u), URI_CALL, "route");
	cr_assert_not(u.call_ok, "65 characters");
	snprintf(rest, sizeof(rest), "@me/0003*210/%s", rep(id, 'a', 299));
	cr_assert_eq(parse_rest(rest, &u), URI_CALL, "route");
	cr_assert_not(u.call_ok, "very long phoneCallId");
	/* 65 letters, all escaped. */
	strcpy(rest, "@me/0003*210/");
	for (int i = 0; i < URI_CALLID_MAX + 1; i++)
		strcat(rest, "%41");
	parse_rest(rest, &u);
	cr_assert_not(u.call_ok, "65 escaped letters");
}

Test(uri, segment_helpers)
{
	struct uri u;

	/* What uri_parse cannot hand them (an empty last segment is a trailing slash, -1 a
	 * bad escape) must still be refused. */
	memset(&u, 0, sizeof(u));
	u.call_ok = true;
	parse_call("", 0, &u);
	cr_assert_not(u.call_ok, "empty phoneCallId");
	u.call_ok = true;
	parse_call("abc", -1, &u);
	cr_assert_not(u.call_ok, "phoneCallId that failed to decode");
	u.ext_ok = true;
	parse_ext("", 0, &u);
	cr_assert_not(u.ext_ok, "empty extension");
	u.ext_ok = true;
	parse_ext("123", -1, &u);
	cr_assert_not(u.ext_ok, "extension that failed to decode");
	u.user = URI_USER_ME;
	parse_user("@me", -1, &u);
	cr_assert_eq(u.user, URI_USER_INVALID, "userId that failed to decode");
	parse_user("", 0, &u);
	cr_assert_eq(u.user, URI_USER_INVALID, "empty userId");
}

/* uri_query */

static int q(const char *query, const char *name, char *out, size_t cap, size_t *len)
{
	return uri_query(query, strlen(query), name, out, cap, len);
}

Test(uri, query_found)
{
	char out[64];
	size_t len = 99;

	cr_assert_eq(q("count=5", "count", out, sizeof(out), &len), 1, "only parameter");
	cr_assert_str_eq(out, "5", "value");
	cr_assert_eq(len, (size_t)1, "length");
	cr_assert_eq(q("startIndex=10&count=25&x=y", "count", out, sizeof(out), &len), 1, "middle");
	cr_assert_str_eq(out, "25", "middle value");
	cr_assert_eq(q("a=1&count=7", "count", out, sizeof(out), &len), 1, "last");
	cr_assert_str_eq(out, "7", "last value");
	cr_assert_eq(q("count=", "count", out, sizeof(out), &len), 1, "empty value");
	cr_assert_str_eq(out, "", "empty value text");
	cr_assert_eq(len, (size_t)0, "empty value length");
	cr_assert_eq(q("count", "count", out, sizeof(out), &len), 1, "no '='");
	cr_assert_eq(len, (size_t)0, "no '=' is empty");
	cr_assert_eq(q("&&count=3&&", "count", out, sizeof(out), &len), 1, "empty parameters");
	cr_assert_str_eq(out, "3", "empty parameters value");
	cr_assert_eq(q("q=a=b", "q", out, sizeof(out), &len), 1, "'=' in a value");
	cr_assert_str_eq(out, "a=b", "value keeps its '='");
}

Test(uri, query_absent)
{
	char out[64];
	size_t len;

	cr_assert_eq(q("", "count", out, sizeof(out), &len), 0, "empty query");
	cr_assert_eq(uri_query(NULL, 0, "count", out, sizeof(out), &len), 0, "no query");
	cr_assert_eq(q("a=1&b=2", "count", out, sizeof(out), &len), 0, "other parameters");
	cr_assert_eq(q("=5", "count", out, sizeof(out), &len), 0, "empty name");
	cr_assert_eq(q("x=count", "count", out, sizeof(out), &len), 0, "name as a value");
}

Test(uri, query_names_exact)
{
	static const char *const others[] = {
	    "Count=5",    "COUNT=5",  "counts=5", "coun=5",       "xcount=5", "count%20=5",
	    " count=5",   "count+=5", "count.=5", "co%55nt=5",    "co%7=5",   "co%zznt=5",
	    "count%00=5", "%63oun=5", "count%=5", "c%6Fun%74x=5",
	};
	char out[64];
	size_t len;

	for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++)
		cr_assert_eq(q(others[i], "count", out, sizeof(out), &len), 0,
		             "\"%s\" is not count", others[i]);
}

/* Names are form-decoded as values are: an escaped letter is the letter (RFC 3986). */
Test(uri, query_names_decoded)
{
	static const char *const same[] = {"co%75nt=5", "%63%6F%75%6E%74=5", "c%6fun%74=5"};
	char out[64];
	size_t len;

	for (size_t i = 0; i < sizeof(same) / sizeof(*same); i++) {
		cr_assert_eq(q(same[i], "count", out, sizeof(out), &len), 1, "\"%s\" is count",
		             same[i]);
		cr_assert_str_eq(out, "5", "\"%s\": its value", same[i]);
	}
	cr_assert_eq(q("count=1&co%75nt=2", "count", out, sizeof(out), &len), -1,
	             "an escaped name repeats the plain one");
	cr_assert_eq(q("a+b=1", "a b", out, sizeof(out), &len), 1, "'+' in a name is a space");
}

Test(uri, query_duplicate)
{
	char out[64];
	size_t len;

	cr_assert_eq(q("count=1&count=2", "count", out, sizeof(out), &len), -1, "twice");
	cr_assert_eq(q("count=1&count=1", "count", out, sizeof(out), &len), -1, "twice, same");
	cr_assert_eq(q("count&count=1", "count", out, sizeof(out), &len), -1, "twice, one bare");
	cr_assert_eq(q("count=1&a=2&count=", "count", out, sizeof(out), &len), -1,
	             "twice, one empty");
	/* len bounds the query: the second one lies outside it. */
	cr_assert_eq(uri_query("count=1&count=2", 7, "count", out, sizeof(out), &len), 1,
	             "second occurrence past len");
	cr_assert_str_eq(out, "1", "value within len");
}

Test(uri, query_decoding)
{
	char out[64];
	size_t len;

	cr_assert_eq(q("q=a+b+c", "q", out, sizeof(out), &len), 1, "'+'");
	cr_assert_str_eq(out, "a b c", "'+' is a space");
	cr_assert_eq(q("q=%41%62%2B", "q", out, sizeof(out), &len), 1, "escapes");
	cr_assert_str_eq(out, "Ab+", "escapes decoded, %%2B is '+'");
	cr_assert_eq(q("q=%252A", "q", out, sizeof(out), &len), 1, "decoded once");
	cr_assert_str_eq(out, "%2A", "one round");
	cr_assert_eq(q("q=a%00b", "q", out, sizeof(out), &len), 1, "NUL");
	cr_assert_eq(len, (size_t)3, "NUL counted in the length");
	cr_assert_eq(memcmp(out, "a\0b", 4), 0, "NUL kept");
}

Test(uri, query_bad_escape)
{
	static const char *const bad[] = {"q=%", "q=%4", "q=%zz", "q=a%g1", "q=%%"};
	char out[64];
	size_t len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(q(bad[i], "q", out, sizeof(out), &len), -1, "\"%s\"", bad[i]);
	cr_assert_eq(q("q=%zz&count=5", "count", out, sizeof(out), &len), 1,
	             "only the parameter asked for is decoded");
	cr_assert_str_eq(out, "5", "value despite another parameter's bad escape");
}

Test(uri, query_too_long)
{
	char out[4], big[PARAM_MAX + 64], val[PARAM_MAX + 2], *pout;
	size_t len;

	cr_assert_eq(q("q=abc", "q", out, sizeof(out), &len), 1, "cap - 1 fits");
	cr_assert_str_eq(out, "abc", "cap - 1 value");
	cr_assert_eq(q("q=abcd", "q", out, sizeof(out), &len), -1, "cap does not fit");
	cr_assert_eq(q("q=%41%42%43", "q", out, sizeof(out), &len), 1, "decoded length counts");
	cr_assert_eq(q("q=a+b+", "q", out, sizeof(out), &len), -1, "decoded over cap");

	pout = malloc(PARAM_MAX + 1);
	cr_assert_not_null(pout, "malloc");
	snprintf(big, sizeof(big), "q=%s", rep(val, 'x', PARAM_MAX));
	cr_assert_eq(q(big, "q", pout, PARAM_MAX + 1, &len), 1, "PARAM_MAX fits");
	cr_assert_eq(len, (size_t)PARAM_MAX, "PARAM_MAX length");
	snprintf(big, sizeof(big), "q=%s", rep(val, 'x', PARAM_MAX + 1));
	cr_assert_eq(q(big, "q", pout, PARAM_MAX + 1, &len), -1, "PARAM_MAX + 1");
	free(pout);
	/* no room even for the NUL: refused, nothing written */
	out[0] = 'z';
	cr_assert_eq(q("q=", "q", out, 0, &len), -1, "cap 0");
	cr_assert_eq(out[0], 'z', "cap 0 writes nothing");
}

Test(uri, num_negative_max)
{
	long long v = 7;

	cr_assert_eq(uri_num("0", 1, -1, &v), -1, "no number is at most -1");
	cr_assert_eq(uri_num("5", 1, LLONG_MIN, &v), -1, "nor at most LLONG_MIN");
	cr_assert_eq(v, 7LL, "out untouched");
}
