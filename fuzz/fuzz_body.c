/*
 * fuzz_body.c - libFuzzer target for body_parse, the strict PhoneCallAction body parser.
 *
 * The input is a request body. Besides the limits of body.h, the result is compared with
 * yajl_tree_parse on the same bytes: a body body_parse accepts must be valid JSON to yajl's
 * tree parser too, with the same action, phoneCallViewId and format; and a body the tree
 * parser accepts must be accepted by body_parse unless it breaks one of the stricter rules
 * of the contract (checked here by small reference scanners).
 *
 * yajl_tree_parse is more lenient in these ways: it allows comments, duplicate keys, any
 * nesting depth and any top-level value; and yajl itself lets through overlong and
 * surrogate UTF-8, lone surrogate escapes, a byte-order mark, form feed and vertical tab
 * as whitespace, and, after a complete value, a string left open at the end (it takes it
 * for input yet to come, so {}"x passes). It also reads a C string: it stops at a NUL
 * byte and keeps keys and strings as C strings, so inputs with a NUL byte or a \u0000
 * escape skip the comparisons that depend on that.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "body.h"

#define ERRBUF_MAX 256 /* yajl_tree_parse's error message */

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_body: invariant violated: %s (line %d)\n", #cond,    \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const char *const other_actions[] = {
    "OnHold",  "OffHold",  "PickUp",
    "BargeIn", "Park",     "UnPark",
    "Whisper", "Transfer", "TransferToVoicemail",
};

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Well-formed UTF-8 after the table of RFC 3629, section 4 (no overlongs, no surrogates). */
static int ref_utf8(const unsigned char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t n;

		if (c <= 0x7f) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c == 0xe0)
			n = 2, lo = 0xa0;
		else if (c == 0xed)
			n = 2, hi = 0x9f;
		else if (c >= 0xe1 && c <= 0xef)
			n = 2;
		else if (c == 0xf0)
			n = 3, lo = 0x90;
		else if (c == 0xf4)
			n = 3, hi = 0x8f;
		else if (c >= 0xf1 && c <= 0xf3)
			n = 3;
		else
			return 0;
		if (len - i - 1 < n || p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (size_t k = 2; k <= n; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return 0;
		i += n + 1;
	}
	return 1;
}

/* What a reference scan of the bytes finds, for inputs that are JSON to yajl. */
struct scan {
	int depth_max;    /* deepest nesting of '{' and '[' outside strings */
	int comment;      /* a '/' outside strings: a comment */
	int bad_ws;       /* a control byte other than tab, LF, CR */
	int nul_escape;   /* a \u0000 escape */
	int lone_surr;    /* a \uD800-\uDFFF escape not in a high-low pair */
	int open_string;  /* the input ends inside a string */
	int trailing;     /* a byte other than whitespace after the first value closed */
	size_t first_out; /* offset of the first byte outside whitespace */
};

static void ref_scan(const unsigned char *p, size_t len, struct scan *s)
{
	int depth = 0, in_str = 0, want_low = 0, closed = 0;

	memset(s, 0, sizeof(*s));
	s->first_out = len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			s->bad_ws = 1;
		if (!in_str) {
			int ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
			if (s->first_out == len && !ws)
				s->first_out = i;
			if (closed && !ws)
				s->trailing = 1;
			if (c == '"')
				in_str = 1;
			else if (c == '/')
				s->comment = 1;
			else if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']')
				depth--;
			if (depth > s->depth_max)
				s->depth_max = depth;
			if ((c == '}' || c == ']') && depth == 0)
				closed = 1;
			continue;
		}
		if (c == '"') {
			in_str = 0;
			s->lone_surr |= want_low;
			want_low = 0;
			continue;
		}
		if (c != '\\') {
			s->lone_surr |= want_low;
			want_low = 0;
			continue;
		}
		if (i + 1 < len && p[i + 1] != 'u') {
			s->lone_surr |= want_low;
			want_low = 0;
			i++; /* the escaped character */
			continue;
		}
		unsigned v = 0;
		int ok = i + 5 < len;
		for (size_t k = 2; ok && k <= 5; k++) {
			int h = hexval(p[i + k]);
			ok = h >= 0;
			v = v << 4 | (unsigned)(h < 0 ? 0 : h);
		}
		if (!ok)
			break; /* not JSON: yajl rejects it */
		i += 5;
		if (v == 0)
			s->nul_escape = 1;
		if (v >= 0xdc00 && v <= 0xdfff) {
			s->lone_surr |= !want_low;
			want_low = 0;
		} else {
			s->lone_surr |= want_low;
			want_low = v >= 0xd800 && v <= 0xdbff;
		}
	}
	s->lone_surr |= want_low;
	s->open_string = in_str;
}

/* Whether two keys of one object are equal as C strings (how the tree keeps them). */
static int has_dup_keys(yajl_val v)
{
	if (YAJL_IS_OBJECT(v)) {
		for (size_t i = 0; i < v->u.object.len; i++) {
			for (size_t k = i + 1; k < v->u.object.len; k++)
				if (strcmp(v->u.object.keys[i], v->u.object.keys[k]) == 0)
					return 1;
			if (has_dup_keys(v->u.object.values[i]))
				return 1;
		}
	} else if (YAJL_IS_ARRAY(v)) {
		for (size_t i = 0; i < v->u.array.len; i++)
			if (has_dup_keys(v->u.array.values[i]))
				return 1;
	}
	return 0;
}

/* The value of key in the top-level object, or NULL. */
static yajl_val field(yajl_val root, const char *key)
{
	for (size_t i = 0; i < root->u.object.len; i++)
		if (strcmp(root->u.object.keys[i], key) == 0)
			return root->u.object.values[i];
	return NULL;
}

/* The fields body_parse must find, computed from the tree and the contract. */
static void check_fields(yajl_val root, const struct body *b)
{
	yajl_val a = field(root, "action"), v = field(root, "phoneCallViewId");
	yajl_val f = field(root, "format");
	enum body_action act = BODY_ACT_INVALID;

	if (YAJL_IS_STRING(a)) {
		const char *s = YAJL_GET_STRING(a);
		if (strcmp(s, "StopRecording") == 0)
			act = BODY_ACT_STOP;
		else if (strcmp(s, "StartRecording") == 0)
			act = BODY_ACT_START;
		for (size_t i = 0; i < sizeof(other_actions) / sizeof(*other_actions); i++)
			if (strcmp(s, other_actions[i]) == 0)
				act = BODY_ACT_OTHER;
	}
	CHECK(b->action == act);

	if (!v) {
		CHECK(b->view == BODY_ABSENT);
	} else {
		const char *s = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : "";
		size_t n = strlen(s), ok = n >= 1 && n <= BODY_VIEWID_MAX;
		for (size_t i = 0; ok && i < n; i++)
			ok = is_alnum((unsigned char)s[i]);
		CHECK(b->view == (ok ? BODY_OK : BODY_INVALID));
		CHECK(!ok || (b->view_len == n && memcmp(b->view_id, s, n) == 0));
	}

	if (!f) {
		CHECK(b->format == BODY_ABSENT);
	} else {
		const char *s = YAJL_IS_STRING(f) ? YAJL_GET_STRING(f) : "";
		int wav = strcmp(s, "wav") == 0, wav49 = strcmp(s, "wav49") == 0;
		CHECK(b->format == (wav || wav49 ? BODY_OK : BODY_INVALID));
		CHECK(b->format != BODY_OK || b->fmt == (wav ? BODY_FMT_WAV : BODY_FMT_WAV49));
	}
}

static void check_result(const unsigned char *p, size_t len, enum err e, const struct body *b)
{
	static const struct body zero;

	CHECK(e == ERR_NONE || e == ERR_TOO_LARGE || e == ERR_JSON_INVALID);
	CHECK((len > BODY_MAX) == (e == ERR_TOO_LARGE));
	CHECK(b->view_len <= BODY_VIEWID_MAX);
	if (e != ERR_NONE) {
		/* On failure the result comes back zeroed (as the unit tests require). */
		CHECK(b->action == zero.action && b->view == zero.view && b->view_len == 0);
		CHECK(b->format == zero.format && b->fmt == zero.fmt && b->view_id[0] == '\0');
		return;
	}
	CHECK(b->action == BODY_ACT_INVALID || b->action == BODY_ACT_STOP ||
	      b->action == BODY_ACT_START || b->action == BODY_ACT_OTHER);
	CHECK(b->view == BODY_ABSENT || b->view == BODY_INVALID || b->view == BODY_OK);
	CHECK(b->format == BODY_ABSENT || b->format == BODY_INVALID || b->format == BODY_OK);
	CHECK(b->fmt == BODY_FMT_WAV || b->fmt == BODY_FMT_WAV49);
	CHECK(b->view_id[b->view_len] == '\0');
	if (b->view == BODY_OK) {
		CHECK(b->view_len >= 1);
		for (size_t i = 0; i < b->view_len; i++)
			CHECK(is_alnum((unsigned char)b->view_id[i]));
	}
	/* Strict UTF-8 without a byte-order mark. */
	CHECK(ref_utf8(p, len));
	CHECK(!(len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1); /* exactly size bytes: ASan sees reads past them */
	char *z, errbuf[ERRBUF_MAX];
	struct body b;
	struct scan s;
	enum err e;
	yajl_val tree;
	int has_nul;

	CHECK(p != NULL);
	if (size)
		memcpy(p, data, size);
	memset(&b, 0xa5, sizeof(b));
	e = body_parse(p, size, &b);
	check_result(data, size, e, &b);
	free(p);
	if (size > BODY_MAX)
		return 0;

	z = malloc(size + 1);
	CHECK(z != NULL);
	if (size)
		memcpy(z, data, size);
	z[size] = '\0';
	has_nul = memchr(data, '\0', size) != NULL;
	tree = yajl_tree_parse(z, errbuf, sizeof(errbuf));
	ref_scan(data, size, &s);

	if (e == ERR_NONE) {
		/* Accepted: JSON to the tree parser, an object, within the contract's rules. */
		CHECK(!has_nul);
		CHECK(tree != NULL && YAJL_IS_OBJECT(tree));
		CHECK(s.first_out < size && data[s.first_out] == '{');
		CHECK(s.depth_max <= BODY_DEPTH_MAX);
		CHECK(!s.comment && !s.bad_ws && !s.lone_surr);
		CHECK(!s.open_string && !s.trailing);
		if (!s.nul_escape) {
			CHECK(!has_dup_keys(tree));
			check_fields(tree, &b);
		}
	} else if (tree != NULL && !has_nul && !s.nul_escape) {
		/* The tree parser took what body_parse refused: a strict rule must be broken. */
		int strict_ok =
		    YAJL_IS_OBJECT(tree) && s.depth_max <= BODY_DEPTH_MAX && !s.comment &&
		    !s.bad_ws && !s.lone_surr && !s.open_string && !s.trailing &&
		    ref_utf8(data, size) && !has_dup_keys(tree) &&
		    !(size >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf);
		CHECK(!strict_ok);
	}
	yajl_tree_free(tree);
	free(z);
	return 0;
}
