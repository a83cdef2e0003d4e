/* unit_body.c - tests of src/input/body.c: the PhoneCallAction body and the json_invalid rules. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/input/body.c"

/*
 * Parses a copy of s[0..n) in a buffer of exactly n bytes, so that the sanitizers catch
 * any read past the length given.
 */
static enum err jparse_n(const char *s, size_t n, struct body *b)
{
	char *copy = malloc(n ? n : 1);
	enum err e;

	cr_assert_not_null(copy, "malloc");
	memcpy(copy, s, n);
	e = body_parse(copy, n, b);
	free(copy);
	return e;
}

static enum err jparse(const char *s, struct body *b)
{
	return jparse_n(s, strlen(s), b);
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i] != 0)
			return 0;
	return 1;
}

/* Asserts s[0..n) is json_invalid and that out comes back zeroed. */
static void bad_n(const char *s, size_t n, const char *what)
{
	struct body b;

	memset(&b, 0xa5, sizeof(b));
	cr_assert_eq(jparse_n(s, n, &b), ERR_JSON_INVALID, "%s must be json_invalid", what);
	cr_assert(all_zero(&b, sizeof(b)), "%s: out must be zeroed on error", what);
}

static void bad(const char *s)
{
	bad_n(s, strlen(s), s);
}

/* Asserts s parses, into b. */
static void good(const char *s, struct body *b)
{
	memset(b, 0xa5, sizeof(*b));
	cr_assert_eq(jparse(s, b), ERR_NONE, "%s must be well-formed", s);
}

/*
 * A malloc'd body n containers deep (the outer object is depth 1): {"a":[[...[1]...]]}
 * when arrays, else {"a":{"a":...{"a":1}...}}.
 */
static char *nest(int n, int arrays, size_t *len)
{
	char *s = malloc(8 * (size_t)n + 16), *p = s;

	cr_assert_not_null(s, "malloc");
	if (arrays) {
		p += sprintf(p, "{\"a\":");
		for (int i = 1; i < n; i++)
			*p++ = '[';
		*p++ = '1';
		for (int i = 1; i < n; i++)
			*p++ = ']';
		*p++ = '}';
	} else {
		for (int i = 0; i < n; i++)
			p += sprintf(p, "{\"a\":");
		*p++ = '1';
		for (int i = 0; i < n; i++)
			*p++ = '}';
	}
	*p = '\0';
	*len = (size_t)(p - s);
	return s;
}

/* Valid bodies */

Test(body, stop_recording)
{
	struct body b;

	good("{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}", &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "StopRecording");
	cr_assert_eq(b.view, BODY_OK, "phoneCallViewId");
	cr_assert_str_eq(b.view_id, "01", "phoneCallViewId copied");
	cr_assert_eq(b.view_len, (size_t)2, "phoneCallViewId length");
	cr_assert_eq(b.format, BODY_ABSENT, "no format");
	cr_assert_eq(b.fmt, BODY_FMT_WAV, "absent format means wav");
}

Test(body, stop_recording_whitespace_and_order)
{
	struct body b;

	good(" \t\r\n{ \"phoneCallViewId\" :\t\"00\" ,\r\n  \"action\" : \"StopRecording\"\n} \n\t",
	     &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "StopRecording");
	cr_assert_eq(b.view, BODY_OK, "phoneCallViewId");
	cr_assert_str_eq(b.view_id, "00", "phoneCallViewId copied");
}

Test(body, start_recording)
{
	struct body b;

	good("{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":\"wav\"}", &b);
	cr_assert_eq(b.action, BODY_ACT_START, "StartRecording");
	cr_assert_eq(b.view, BODY_OK, "phoneCallViewId");
	cr_assert_eq(b.format, BODY_OK, "format");
	cr_assert_eq(b.fmt, BODY_FMT_WAV, "wav");
	cr_assert_str_eq(body_format_name(b.fmt), "wav", "name of wav");

	good("\n{\n  \"format\": \"wav49\",\n  \"phoneCallViewId\": \"b817\",\n"
	     "  \"action\": \"StartRecording\"\n}\n",
	     &b);
	cr_assert_eq(b.action, BODY_ACT_START, "StartRecording");
	cr_assert_eq(b.format, BODY_OK, "format");
	cr_assert_eq(b.fmt, BODY_FMT_WAV49, "wav49");
	cr_assert_str_eq(body_format_name(b.fmt), "wav49", "name of wav49");
	cr_assert_str_eq(b.view_id, "b817", "phoneCallViewId copied");

	good("{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\"}", &b);
	cr_assert_eq(b.format, BODY_ABSENT, "format absent");
	cr_assert_eq(b.fmt, BODY_FMT_WAV, "absent format means wav");
}

Test(body, escaped_values)
{
	struct body b;

	/* Escapes are decoded before values are compared. */
	good("{\"\\u0061ction\":\"Stop\\u0052ecording\",\"phoneCallViewId\":\"\\u0030\\u0031\"}",
	     &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "escaped StopRecording");
	cr_assert_eq(b.view, BODY_OK, "escaped phoneCallViewId");
	cr_assert_str_eq(b.view_id, "01", "escaped phoneCallViewId decoded");
}

Test(body, other_actions)
{
	static const char *const acts[] = {
	    "OnHold",  "OffHold",  "PickUp",
	    "BargeIn", "Park",     "UnPark",
	    "Whisper", "Transfer", "TransferToVoicemail",
	};
	struct body b;

	for (size_t i = 0; i < sizeof(acts) / sizeof(*acts); i++) {
		char s[128];
		snprintf(s, sizeof(s), "{\"action\":\"%s\",\"phoneCallViewId\":\"01\"}", acts[i]);
		good(s, &b);
		cr_assert_eq(b.action, BODY_ACT_OTHER, "%s is a listed action (501)", acts[i]);
	}
}

Test(body, action_invalid)
{
	static const char *const vals[] = {
	    "\"stoprecording\"",
	    "\"STOPRECORDING\"",
	    "\"startRecording\"",
	    "\"onhold\"",
	    "\"StopRecording \"",
	    "\" StopRecording\"",
	    "\"Stop\"",
	    "\"\"",
	    "\"OnHoldX\"",
	    "\"StopRecording\\u0000\"",
	    "\"Delete\"",
	    "1",
	    "0",
	    "-1.5",
	    "null",
	    "true",
	    "false",
	    "{}",
	    "[]",
	    "[\"StopRecording\"]",
	    "{\"action\":\"StopRecording\"}",
	};
	struct body b;

	for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++) {
		char s[128];
		snprintf(s, sizeof(s), "{\"action\":%s,\"phoneCallViewId\":\"01\"}", vals[i]);
		good(s, &b);
		cr_assert_eq(b.action, BODY_ACT_INVALID, "action %s must be invalid", vals[i]);
		cr_assert_eq(b.view, BODY_OK, "action %s: phoneCallViewId unaffected", vals[i]);
	}
}

Test(body, action_missing)
{
	struct body b;

	good("{\"phoneCallViewId\":\"01\"}", &b);
	cr_assert_eq(b.action, BODY_ACT_INVALID, "missing action");
	good("{}", &b);
	cr_assert_eq(b.action, BODY_ACT_INVALID, "empty object: no action");
	cr_assert_eq(b.view, BODY_ABSENT, "empty object: no phoneCallViewId");
	cr_assert_eq(b.format, BODY_ABSENT, "empty object: no format");
	/* Only the top level counts. */
	good("{\"x\":{\"action\":\"StopRecording\"},\"y\":[{\"action\":\"StopRecording\"}]}", &b);
	cr_assert_eq(b.action, BODY_ACT_INVALID, "a nested action is not the action");
	good("{\"action\":\"StopRecording\",\"x\":{\"action\":\"StartRecording\","
	     "\"phoneCallViewId\":\"02\",\"format\":\"x\"}}",
	     &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "nested fields do not override top-level ones");
	cr_assert_eq(b.view, BODY_ABSENT, "nested phoneCallViewId ignored");
	cr_assert_eq(b.format, BODY_ABSENT, "nested format ignored");
	/* A field after a nested container at the top level is still read. */
	good("{\"x\":{\"a\":[1,{\"b\":2}]},\"action\":\"StartRecording\"}", &b);
	cr_assert_eq(b.action, BODY_ACT_START, "action after a nested container");
}

Test(body, view_id)
{
	struct body b;
	char s[256], id[80];

	good("{\"action\":\"StopRecording\"}", &b);
	cr_assert_eq(b.view, BODY_ABSENT, "missing phoneCallViewId");
	cr_assert_eq(b.view_len, (size_t)0, "missing: no length");

	memset(id, 'A', BODY_VIEWID_MAX);
	id[BODY_VIEWID_MAX] = '\0';
	snprintf(s, sizeof(s), "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"%s\"}", id);
	good(s, &b);
	cr_assert_eq(b.view, BODY_OK, "BODY_VIEWID_MAX characters");
	cr_assert_eq(b.view_len, (size_t)BODY_VIEWID_MAX, "BODY_VIEWID_MAX length");
	cr_assert_str_eq(b.view_id, id, "BODY_VIEWID_MAX copied");
}

Test(body, view_id_invalid)
{
	static const char *const vals[] = {
	    "1",
	    "0",
	    "1.0",
	    "null",
	    "true",
	    "{}",
	    "{\"id\":\"01\"}",
	    "[]",
	    "[\"01\"]",
	    "\"\"",
	    "\"0-1\"",
	    "\"0 1\"",
	    "\" 01\"",
	    "\"01 \"",
	    "\"0.1\"",
	    "\"0_1\"",
	    "\"\\u00e9\"",
	    "\"\xc3\xa9\"",
	    "\"01\\u0000\"",
	    "\"01\\n\"",
	    /* 65 and 66 characters */
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
	};
	struct body b;

	cr_assert_eq(strlen(vals[sizeof(vals) / sizeof(*vals) - 2]), (size_t)65 + 2, "65 chars");
	cr_assert_eq(strlen(vals[sizeof(vals) / sizeof(*vals) - 1]), (size_t)66 + 2, "66 chars");
	for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++) {
		char s[256];
		snprintf(s, sizeof(s), "{\"action\":\"StopRecording\",\"phoneCallViewId\":%s}",
		         vals[i]);
		good(s, &b);
		cr_assert_eq(b.view, BODY_INVALID, "phoneCallViewId %s must be invalid", vals[i]);
		cr_assert_eq(b.action, BODY_ACT_STOP, "phoneCallViewId %s: action unaffected",
		             vals[i]);
	}
}

Test(body, format)
{
	static const char *const vals[] = {
	    "\"WAV\"",        "\"Wav\"",    "\"WAV49\"", "\"wav 49\"",
	    "\"wav4\"",       "\"wav490\"", "\" wav\"",  "\"mp3\"",
	    "\"\"",           "null",       "49",        "0",
	    "true",           "{}",         "[]",        "[\"wav\"]",
	    "\"wav\\u0000\"",
	};
	struct body b;

	good("{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":\"wav\"}", &b);
	cr_assert_eq(b.format, BODY_OK, "wav");
	cr_assert_eq(b.fmt, BODY_FMT_WAV, "wav value");
	good("{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":\"wav49\"}", &b);
	cr_assert_eq(b.format, BODY_OK, "wav49");
	cr_assert_eq(b.fmt, BODY_FMT_WAV49, "wav49 value");
	for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++) {
		char s[256];
		snprintf(s, sizeof(s),
		         "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":%s}",
		         vals[i]);
		good(s, &b);
		cr_assert_eq(b.format, BODY_INVALID, "format %s must be invalid", vals[i]);
		cr_assert_eq(b.action, BODY_ACT_START, "format %s: action unaffected", vals[i]);
		cr_assert_eq(b.view, BODY_OK, "format %s: phoneCallViewId unaffected", vals[i]);
	}
}

Test(body, unknown_members_allowed)
{
	struct body b;

	good("{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\",\"extra\":{\"x\":[1,2.5e3,"
	     "-0,{\"y\":null},true,false,\"s\"]},\"n\":1e999,\"e\":[],\"o\":{}}",
	     &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "unknown members do not disturb the fields");
	cr_assert_eq(b.view, BODY_OK, "phoneCallViewId");
	/* \u0000 is valid JSON. */
	good("{\"action\":\"StopRecording\",\"note\":\"a\\u0000b\"}", &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "\\u0000 in an unknown member's value");
	good("{\"action\":\"StopRecording\",\"\\u0000\":\"\\u0000\"}", &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "\\u0000 as an unknown key");
	/* Valid multi-byte UTF-8, raw and escaped, at each length and range boundary. */
	good("{\"action\":\"StopRecording\",\"u\":\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf"
	     "\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xc3\xa9\xe2\x82\xac\","
	     "\"\xe2\x82\xac\":\"\\u00e9\\u20AC\\uFFFF\"}",
	     &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "multi-byte UTF-8");
}

/* json_invalid: syntax */

Test(body, invalid_empty_and_whitespace)
{
	bad_n("", 0, "the empty body");
	bad(" ");
	bad(" \t\r\n ");
	bad("\n");
}

Test(body, invalid_whitespace)
{
	/* JSON whitespace is space, tab, LF and CR only (yajl alone also skips \f and \v). */
	static const char *const docs[] = {
	    "{}\f",        "\f{}",
	    "\v{}",        "{}\v",
	    "{\f}",        "{\"a\":\v1}",
	    "{\"a\"\f:1}", "{\"action\":\"StopRecording\",\f\"phoneCallViewId\":\"01\"}",
	    "\x01{}",      "{}\x1f",
	    "{\x1b}",      "{}\x7f",
	};
	struct body b;

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
		bad(docs[i]);
	good("\t\n\r {\t\n\r \"action\"\t\n\r :\t\n\r \"StopRecording\"\t\n\r }\t\n\r ", &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "the four JSON whitespace characters");
}

Test(body, invalid_not_an_object)
{
	static const char *const docs[] = {
	    "[]",
	    "[{\"action\":\"StopRecording\"}]",
	    "[{\"a\":1},{\"a\":2}]",
	    "1",
	    "0",
	    "-1",
	    "1.5",
	    "null",
	    "true",
	    "false",
	    "\"x\"",
	    "\"{}\"",
	    "\"\"",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
		bad(docs[i]);
}

Test(body, invalid_several_values_or_garbage)
{
	static const char *const docs[] = {
	    "{}{}",
	    "{} {}",
	    "{}\n{}",
	    "{},{}",
	    "{}[]",
	    "{}1",
	    "{}\"x\"",
	    "{}x",
	    "{} x",
	    "{}}",
	    "{}]",
	    "{\"action\":\"StopRecording\"}garbage",
	    "{\"action\":\"StopRecording\"} 0",
	    "{\"a\":1}\xff",
	    "{\"a\":1}\x01",
	    "{}\\",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
		bad(docs[i]);
	bad_n("{}\0", 3, "an object and a NUL byte");
}

/*
 * Found by fuzzing: after a complete value yajl takes an unterminated string for input yet
 * to come, even from yajl_complete_parse, so these once came back ERR_NONE.
 */
Test(body, invalid_string_left_open_after_value)
{
	static const char *const docs[] = {
	    "{}\"x",
	    "{} \"",
	    "{}\"}",
	    "{}\"\\",
	    "{}\"\\u00",
	    "{}\"}\\ud83d",
	    "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"} \"x",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		bad(docs[i]);
		cr_assert_eq(prescan((const unsigned char *)docs[i], strlen(docs[i])), -1,
		             "prescan must refuse %s", docs[i]);
	}
}

Test(body, invalid_truncated)
{
	static const char *const docs[] = {
	    "{",
	    "{\"",
	    "{\"a",
	    "{\"a\"",
	    "{\"a\":",
	    "{\"a\":1",
	    "{\"a\":1,",
	    "{\"a\":\"x",
	    "{\"a\":\"x\\",
	    "{\"a\":\"\\u00",
	    "{\"a\":[",
	    "{\"a\":[1,",
	    "{\"a\":{\"b\":1}",
	    "{\"a\":tru",
	    "{\"a\":nul",
	    "{\"a\":1.",
	    "{\"a\":1e",
	    "{\"a\":-",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
		bad(docs[i]);
}

Test(body, invalid_syntax)
{
	static const char *const docs[] = {
	    "{\"a\":1,}",
	    "{,}",
	    "{\"a\"}",
	    "{\"a\" 1}",
	    "{\"a\":1 \"b\":2}",
	    "{'a':1}",
	    "{a:1}",
	    "{\"a\":'x'}",
	    "{\"a\":01}",
	    "{\"a\":+1}",
	    "{\"a\":.5}",
	    "{\"a\":NaN}",
	    "{\"a\":Infinity}",
	    "{\"a\":True}",
	    "{\"a\":undefined}",
	    "{\"a\":[1,]}",
	    "{\"a\":\"\\x41\"}",
	    "{\"a\":\"\\u00zz\"}",
	    "{\"a\":\"\\u12\"}",
	    "{\"a\":\"tab\there\"}",
	    "{\"a\":\"nl\nhere\"}",
	    "{\"a\":\"\x01\"}",
	    "{\"a\":\"\x1f\"}",
	    "{1:2}",
	    "{null:1}",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
		bad(docs[i]);
	bad_n("{\"a\":\"\0\"}", 8, "a raw NUL in a string");
	bad_n("{\0}", 3, "a raw NUL between tokens");
}

Test(body, invalid_comments)
{
	static const char *const docs[] = {
	    "/* c */{\"action\":\"StopRecording\"}", "{/* c */\"action\":\"StopRecording\"}",
	    "{\"action\":\"StopRecording\"/* c */}", "{\"action\":\"StopRecording\"}/* c */",
	    "// c\n{\"action\":\"StopRecording\"}",  "{\"action\":\"StopRecording\" // c\n}",
	    "{\"action\":\"StopRecording\"}// c",    "{\"action\":\"StopRecording\"}#",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
		bad(docs[i]);
}

Test(body, invalid_bom)
{
	bad("\xef\xbb\xbf{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}");
	bad("\xef\xbb\xbf{}");
	bad(" \xef\xbb\xbf{}");
	bad("{}\xef\xbb\xbf");
	/* A U+FEFF inside a string is a character like another. */
	struct body b;
	good("{\"action\":\"StopRecording\",\"x\":\"\xef\xbb\xbf\"}", &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "U+FEFF inside a string");
}

/* json_invalid: duplicate keys */

Test(body, invalid_duplicate_keys)
{
	static const char *const docs[] = {
	    "{\"a\":1,\"a\":2}",
	    "{\"a\":1,\"a\":1}",
	    "{\"action\":\"StopRecording\",\"action\":\"StopRecording\"}",
	    "{\"action\":\"StopRecording\",\"action\":\"StartRecording\"}",
	    "{\"phoneCallViewId\":\"01\",\"action\":\"StopRecording\","
	    "\"phoneCallViewId\":\"02\"}",
	    "{\"format\":\"wav\",\"format\":\"wav49\"}",
	    "{\"\":1,\"\":2}",
	    "{\"a\":1,\"b\":2,\"c\":3,\"b\":4}",
	    /* nested */
	    "{\"x\":{\"b\":1,\"b\":2}}",
	    "{\"x\":[{\"b\":1,\"b\":2}]}",
	    "{\"x\":[1,[{\"y\":{\"b\":1,\"c\":2,\"b\":3}}]]}",
	    "{\"x\":{\"y\":{\"z\":{\"b\":[],\"b\":{}}}}}",
	    /* after a nested container closes, the outer keys are still there */
	    "{\"a\":1,\"x\":{\"y\":1},\"a\":2}",
	    "{\"a\":{\"b\":1},\"c\":2,\"a\":3}",
	    "{\"x\":[{\"a\":1}],\"x\":2}",
	    "{\"a\":{\"a\":1,\"b\":{\"c\":1}},\"a\":1}",
	    /* the same key written with different escapes */
	    "{\"a\":1,\"\\u0061\":2}",
	    "{\"\\u0061\":1,\"a\":2}",
	    "{\"action\":\"StopRecording\",\"\\u0061ction\":\"StopRecording\"}",
	    "{\"a/\":1,\"a\\/\":2}",
	    "{\"\\u00e9\":1,\"\xc3\xa9\":2}",
	    "{\"\\uD83D\\uDE00\":1,\"\xf0\x9f\x98\x80\":2}",
	    "{\"x\":{\"\\u0062\":1,\"b\":2}}",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
		bad(docs[i]);
}

Test(body, distinct_keys_in_distinct_objects)
{
	static const char *const docs[] = {
	    "{\"x\":[{\"a\":1},{\"a\":2}]}",
	    "{\"a\":{\"a\":{\"a\":1}}}",
	    "{\"a\":1,\"b\":{\"a\":2},\"c\":[{\"a\":3},{\"a\":4,\"b\":5}]}",
	    "{\"x\":[{\"a\":1,\"b\":2},{\"b\":1,\"a\":2}],\"a\":1,\"b\":2}",
	    "{\"x\":{\"y\":1},\"y\":2}",
	    "{\"a\":1,\"A\":2,\"a \":3,\"ab\":4,\"\":5,\"\\u0000\":6,\"a\\u0000\":7}",
	    "{\"x\":[[{\"k\":1}],[{\"k\":2}],{\"k\":3}],\"y\":{\"k\":{\"k\":{\"k\":[]}}}}",
	};
	struct body b;

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
		good(docs[i], &b);
}

Test(body, many_keys)
{
	char *s = malloc(BODY_MAX + 64), *p = s;
	struct body b;
	size_t len;
	int n = 0;

	cr_assert_not_null(s, "malloc");
	p += sprintf(p, "{\"action\":\"StopRecording\"");
	while ((size_t)(p - s) < BODY_MAX - 32)
		p += sprintf(p, ",\"k%d\":%d", n, n), n++;
	len = (size_t)(p - s);
	strcpy(p, "}");
	good(s, &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "%d distinct keys", n);
	/* The same, with the first key repeated last. */
	p = s + len;
	strcpy(p, ",\"k0\":0}");
	bad_n(s, strlen(s), "a duplicate after many keys");
	free(s);
}

/* json_invalid: nesting */

Test(body, depth_limit)
{
	struct body b;
	size_t len;
	char *s;

	for (int arrays = 0; arrays <= 1; arrays++) {
		const char *kind = arrays ? "arrays" : "objects";
		s = nest(1, arrays, &len);
		memset(&b, 0xa5, sizeof(b));
		cr_assert_eq(jparse_n(s, len, &b), ERR_NONE, "depth 1 (%s)", kind);
		free(s);
		s = nest(BODY_DEPTH_MAX, arrays, &len);
		memset(&b, 0xa5, sizeof(b));
		cr_assert_eq(jparse_n(s, len, &b), ERR_NONE, "depth %d (%s): %s", BODY_DEPTH_MAX,
		             kind, s);
		free(s);
		s = nest(BODY_DEPTH_MAX + 1, arrays, &len);
		bad_n(s, len, "depth 33");
		free(s);
	}
	/* Mixed, with the action still read at the top. */
	s = malloc(BODY_MAX);
	cr_assert_not_null(s, "malloc");
	char *p = s + sprintf(s, "{\"action\":\"StopRecording\",\"x\":");
	for (int i = 1; i < BODY_DEPTH_MAX; i++)
		p += sprintf(p, i % 2 ? "[" : "{\"y\":");
	p += sprintf(p, "0");
	for (int i = BODY_DEPTH_MAX - 1; i >= 1; i--)
		p += sprintf(p, i % 2 ? "]" : "}");
	p += sprintf(p, "}");
	good(s, &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "32 deep, mixed");
	/* An empty container at the deepest level counts too. */
	p = s + sprintf(s, "{\"x\":");
	for (int i = 2; i < BODY_DEPTH_MAX; i++)
		*p++ = '[';
	p += sprintf(p, "{}");
	for (int i = 2; i < BODY_DEPTH_MAX; i++)
		*p++ = ']';
	p += sprintf(p, "}");
	good(s, &b);
	p = s + sprintf(s, "{\"x\":");
	for (int i = 2; i < BODY_DEPTH_MAX + 1; i++)
		*p++ = '[';
	p += sprintf(p, "{}");
	for (int i = 2; i < BODY_DEPTH_MAX + 1; i++)
		*p++ = ']';
	p += sprintf(p, "}");
	bad(s);
	free(s);
}

Test(body, very_deep)
{
	char *s = malloc(BODY_MAX + 1);
	size_t n;

	cr_assert_not_null(s, "malloc");
	/* 10,000 deep: 9,999 arrays inside the object, never closed (closing them all would
	 * not fit in BODY_MAX). */
	n = (size_t)sprintf(s, "{\"a\":");
	memset(s + n, '[', 9999);
	n += 9999;
	bad_n(s, n, "10,000 deep");
	/* 4,000 objects deep, as many as fit. */
	n = 0;
	for (int i = 0; i < 4000; i++)
		n += (size_t)sprintf(s + n, "{\"\":");
	bad_n(s, n, "4,000 objects deep");
	/* As deep as fits, fully closed: 8,000 levels. */
	n = (size_t)sprintf(s, "{\"a\":");
	memset(s + n, '[', 7999);
	n += 7999;
	memset(s + n, ']', 7999);
	n += 7999;
	s[n++] = '}';
	cr_assert_leq(n, (size_t)BODY_MAX, "fits");
	bad_n(s, n, "8,000 deep, closed");
	/* Top-level arrays all the way. */
	memset(s, '[', BODY_MAX);
	bad_n(s, BODY_MAX, "16 KiB of '['");
	memset(s, '{', BODY_MAX);
	bad_n(s, BODY_MAX, "16 KiB of '{'");
	free(s);
}

/* json_invalid: UTF-8 */

Test(body, invalid_utf8)
{
	static const struct {
		const char *bytes, *what;
	} seqs[] = {
	    {"\x80", "a lone continuation byte"},
	    {"\xbf", "a lone continuation byte (BF)"},
	    {"\xff", "0xFF"},
	    {"\xfe", "0xFE"},
	    {"\xc3", "a truncated 2-byte sequence"},
	    {"\xe2\x82", "a truncated 3-byte sequence"},
	    {"\xf0\x9f\x98", "a truncated 4-byte sequence"},
	    {"\xc3\x28", "a bad continuation"},
	    {"\xe2\x28\xa1", "a bad second byte"},
	    {"\xe2\x82\x28", "a bad third byte"},
	    {"\xf0\x9f\x98\x28", "a bad fourth byte"},
	    {"\xc0\x80", "overlong NUL (C0 80)"},
	    {"\xc1\xbf", "overlong (C1 BF)"},
	    {"\xc0\xaf", "overlong '/' (C0 AF)"},
	    {"\xe0\x80\x80", "overlong (E0 80 80)"},
	    {"\xe0\x9f\xbf", "overlong U+07FF (E0 9F BF)"},
	    {"\xf0\x80\x80\x80", "overlong (F0 80 80 80)"},
	    {"\xf0\x8f\xbf\xbf", "overlong U+FFFF (F0 8F BF BF)"},
	    {"\xed\xa0\x80", "the surrogate U+D800 (ED A0 80)"},
	    {"\xed\xbf\xbf", "the surrogate U+DFFF (ED BF BF)"},
	    {"\xed\xa0\xbd\xed\xb8\x80", "a CESU-8 surrogate pair"},
	    {"\xf4\x90\x80\x80", "U+110000 (F4 90 80 80)"},
	    {"\xf5\x80\x80\x80", "F5"},
	    {"\xf7\xbf\xbf\xbf", "F7"},
	    {"\xf8\x88\x80\x80\x80", "a 5-byte sequence"},
	    {"\xfc\x84\x80\x80\x80\x80", "a 6-byte sequence"},
	};

	for (size_t i = 0; i < sizeof(seqs) / sizeof(*seqs); i++) {
		char s[128], what[160];
		snprintf(s, sizeof(s), "{\"a\":\"x%sy\"}", seqs[i].bytes);
		snprintf(what, sizeof(what), "%s in a value", seqs[i].what);
		bad_n(s, strlen(s), what);
		snprintf(s, sizeof(s), "{\"%s\":1}", seqs[i].bytes);
		snprintf(what, sizeof(what), "%s in a key", seqs[i].what);
		bad_n(s, strlen(s), what);
		snprintf(s, sizeof(s), "{\"a\":\"x\"}%s", seqs[i].bytes);
		snprintf(what, sizeof(what), "%s after the object", seqs[i].what);
		bad_n(s, strlen(s), what);
	}
	/* A body that ends in the middle of a sequence. */
	bad_n("{\"a\":\"\xe2\x82", 8, "a sequence cut by the end of the body");
}

Test(body, surrogate_escapes)
{
	static const char *const docs[] = {
	    "{\"a\":\"\\ud800\"}",                    /* lone high */
	    "{\"a\":\"\\uDBFF\"}",                    /* lone high, upper case */
	    "{\"a\":\"\\udc00\"}",                    /* lone low */
	    "{\"a\":\"\\uDFFF\"}",                    /* lone low, upper case */
	    "{\"a\":\"x\\udc00y\"}",                  /* lone low inside text */
	    "{\"a\":\"\\ud800\\u0041\"}",             /* high, then not a low */
	    "{\"a\":\"\\ud800\\ud800\"}",             /* high, then high */
	    "{\"a\":\"\\ud800\\u0041\\udc00\"}",      /* high, not a low, then a low */
	    "{\"a\":\"\\ude00\\ud83d\"}",             /* reversed pair */
	    "{\"a\":\"\\ud800x\"}",                   /* high, then a character */
	    "{\"a\":\"\\ud800\\n\"}",                 /* high, then another escape */
	    "{\"a\":\"\\ud800\\\\udc00\"}",           /* high, then an escaped backslash */
	    "{\"a\":\"\\ud83d\", \"b\":\"\\ude00\"}", /* split across strings */
	    "{\"\\ud800\":1}",                        /* in a key */
	    "{\"action\":\"\\udc00\"}",               /* in a field */
	    "{\"a\":\"\\ud83d\\ude00\\ude00\"}",      /* pair, then lone low */
	};
	struct body b;

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
		bad(docs[i]);
	good("{\"action\":\"StopRecording\",\"a\":\"\\ud83d\\ude00\"}", &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "a valid pair");
	good("{\"action\":\"StopRecording\",\"a\":\"\\uD83D\\uDE00x\\udbff\\udfff\"}", &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "valid pairs, upper case, U+10FFFF");
	good("{\"action\":\"StopRecording\",\"\\ud83d\\ude00\":\"\\ud7ff\\ue000\"}", &b);
	cr_assert_eq(b.action, BODY_ACT_STOP, "a pair in a key; neighbours of the range");
}

/* Size */

Test(body, size_limit)
{
	static const char head[] =
	    "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\",\"pad\":\"";
	char *s = malloc(BODY_MAX + 2);
	struct body b;
	size_t n = sizeof(head) - 1;

	cr_assert_not_null(s, "malloc");
	memcpy(s, head, n);
	memset(s + n, 'x', BODY_MAX - n - 2);
	memcpy(s + BODY_MAX - 2, "\"}", 2);
	memset(&b, 0xa5, sizeof(b));
	cr_assert_eq(jparse_n(s, BODY_MAX, &b), ERR_NONE, "exactly BODY_MAX bytes");
	cr_assert_eq(b.action, BODY_ACT_STOP, "read to the end");
	cr_assert_eq(b.view, BODY_OK, "phoneCallViewId");

	/* One more byte of the same valid JSON. */
	memset(s + n, 'x', BODY_MAX + 1 - n - 2);
	memcpy(s + BODY_MAX + 1 - 2, "\"}", 2);
	memset(&b, 0xa5, sizeof(b));
	cr_assert_eq(jparse_n(s, BODY_MAX + 1, &b), ERR_TOO_LARGE, "BODY_MAX + 1 bytes");
	cr_assert(all_zero(&b, sizeof(b)), "out zeroed on ERR_TOO_LARGE");

	/* Whitespace counts too. */
	n = (size_t)sprintf(s, "{\"action\":\"StartRecording\"}");
	memset(s + n, ' ', BODY_MAX + 1 - n);
	cr_assert_eq(jparse_n(s, BODY_MAX, &b), ERR_NONE, "padded to BODY_MAX");
	cr_assert_eq(b.action, BODY_ACT_START, "padded: action");
	cr_assert_eq(jparse_n(s, BODY_MAX + 1, &b), ERR_TOO_LARGE, "padded to BODY_MAX + 1");

	/* Size is checked before syntax. */
	memset(s, 0xff, BODY_MAX + 1);
	cr_assert_eq(jparse_n(s, BODY_MAX + 1, &b), ERR_TOO_LARGE, "garbage over BODY_MAX");
	free(s);
}

Test(body, out_zeroed_after_fields_were_seen)
{
	struct body b;

	/* The fields are read before the error further on: none of them may survive. */
	memset(&b, 0xa5, sizeof(b));
	cr_assert_eq(jparse("{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\","
	                    "\"format\":\"wav49\",\"x\":[}",
	                    &b),
	             ERR_JSON_INVALID, "error after the fields");
	cr_assert(all_zero(&b, sizeof(b)), "out zeroed");
	memset(&b, 0xa5, sizeof(b));
	cr_assert_eq(jparse("{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\","
	                    "\"action\":\"StopRecording\"}",
	                    &b),
	             ERR_JSON_INVALID, "duplicate after the fields");
	cr_assert(all_zero(&b, sizeof(b)), "out zeroed");
}

/* The static helpers */

Test(body, utf8_len)
{
	static const struct {
		const char *s;
		size_t left, want;
	} cases[] = {
	    {"A", 1, 1},
	    {"\x7f", 1, 1},
	    {"\xc2\x80", 2, 2},
	    {"\xdf\xbf", 2, 2},
	    {"\xe0\xa0\x80", 3, 3},
	    {"\xed\x9f\xbf", 3, 3},
	    {"\xee\x80\x80", 3, 3},
	    {"\xef\xbf\xbf", 3, 3},
	    {"\xf0\x90\x80\x80", 4, 4},
	    {"\xf4\x8f\xbf\xbf", 4, 4},
	    {"\xe2\x82\xac"
	     "abc",
	     6, 3},
	    {"\x80", 1, 0},
	    {"\xbf", 1, 0},
	    {"\xc0\x80", 2, 0},
	    {"\xc1\xbf", 2, 0},
	    {"\xe0\x80\x80", 3, 0},
	    {"\xe0\x9f\xbf", 3, 0},
	    {"\xed\xa0\x80", 3, 0},
	    {"\xed\xbf\xbf", 3, 0},
	    {"\xf0\x80\x80\x80", 4, 0},
	    {"\xf0\x8f\xbf\xbf", 4, 0},
	    {"\xf4\x90\x80\x80", 4, 0},
	    {"\xf5\x80\x80\x80", 4, 0},
	    {"\xf8\x80\x80\x80", 4, 0},
	    {"\xff", 1, 0},
	    {"\xc3\xa9", 1, 0},         /* cut by left */
	    {"\xe2\x82\xac", 2, 0},     /* cut by left */
	    {"\xf0\x9f\x98\x80", 3, 0}, /* cut by left */
	    {"\xc3\x28", 2, 0},
	    {"\xe2\x82\x28", 3, 0},
	    {"\xf0\x9f\x98\xc0", 4, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		unsigned char buf[8];
		memcpy(buf, cases[i].s, cases[i].left);
		cr_assert_eq(utf8_len(buf, cases[i].left), cases[i].want,
		             "case %zu: got %zu, want %zu", i, utf8_len(buf, cases[i].left),
		             cases[i].want);
	}
}

Test(body, prescan)
{
	static const char *const ok[] = {
	    "{}",
	    "{\"a\":\"\\ud83d\\ude00\"}",
	    "{\"a\":\"\\u0000\"}",
	    "{\"a\":\"\\\\ud800\"}",
	    "{\"a\":\"\\\"\"}", /* an escaped quote does not end the string */
	};
	static const char *const ko[] = {
	    "\xef\xbb\xbf{}",
	    "{\"a\":\"\\ud800\"}",
	    "{\"a\":\"\\udc00\"}",
	    "{\"a\":\"\\uzzzz\"}",
	    "{\"a\":\"\xc0\x80\"}",
	    "\f{}",
	    "{}\v",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		cr_assert_eq(prescan((const unsigned char *)ok[i], strlen(ok[i])), 0,
		             "prescan must pass %s", ok[i]);
	for (size_t i = 0; i < sizeof(ko) / sizeof(*ko); i++)
		cr_assert_eq(prescan((const unsigned char *)ko[i], strlen(ko[i])), -1,
		             "prescan must refuse %s", ko[i]);
}

Test(body, format_name)
{
	cr_assert_str_eq(body_format_name(BODY_FMT_WAV), "wav", "wav");
	cr_assert_str_eq(body_format_name(BODY_FMT_WAV49), "wav49", "wav49");
}
