/*
 * body.c - strict streaming parser of the PhoneCallAction body.
 *
 * Two passes over at most BODY_MAX bytes. The first is a lexical state machine that
 * enforces what yajl lets through (overlong or surrogate UTF-8, lone surrogate escapes,
 * a byte-order mark, form feed and vertical tab as whitespace, a string left open after
 * the value). The second feeds yajl, whose callbacks track nesting depth, reject
 * duplicate keys and pick the top-level fields. No tree is built: keys of the open
 * objects live in one fixed arena, bounded by the body size.
 */
#include <string.h>

#include <yajl/yajl_parse.h>

#include "arena.h"
#include "body.h"
#include "chars.h"

/* Every key takes at least four bytes of body ("":0 or "":{), so this bounds the keys. */
#define KEYS_MAX (BODY_MAX / 4 + 1)

enum key { KEY_OTHER, KEY_ACTION, KEY_VIEW, KEY_FORMAT };

struct keyref {
	unsigned off, len;
};

struct ctx {
	struct body *out;
	int depth;
	int started;                        /* saw the top-level value */
	enum key cur;                       /* which top-level key the next value belongs to */
	unsigned frame[BODY_DEPTH_MAX + 1]; /* first key index of each open container */
	unsigned nkeys, used;
	struct keyref keys[KEYS_MAX];
	char arena[BODY_MAX];
};

static const char *const other_actions[] = {
    "OnHold",  "OffHold",  "PickUp",
    "BargeIn", "Park",     "UnPark",
    "Whisper", "Transfer", "TransferToVoicemail",
};

/* Strict UTF-8 (RFC 3629): returns the length of the sequence at p, or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	unsigned char c = p[0];
	size_t n;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	return n;
}

/* The lexical pass. Returns 0 when the bytes may be handed to yajl, -1 otherwise. */
static int prescan(const unsigned char *p, size_t len)
{
	enum { OUT, STR, ESC, HEX } st = OUT;
	unsigned hex = 0, nhex = 0;
	int want_low = 0; /* a high surrogate escape must be followed by a low one */

	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return -1;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(p + i, len - i);
		unsigned char c = p[i];
		if (n == 0)
			return -1;
		switch (st) {
		case OUT:
			/* yajl skips \f and \v as whitespace too; JSON (RFC 8259) has only
			 * space, tab, LF and CR. */
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return -1;
			if (c == '"')
				st = STR;
			break;
		case STR:
			if (want_low && c != '\\')
				return -1;
			if (c == '\\')
				st = ESC;
			else if (c == '"')
				st = OUT;
			break;
		case ESC:
			if (want_low && c != 'u')
				return -1;
			if (c == 'u') {
				st = HEX;
				hex = nhex = 0;
			} else {
				st = STR;
			}
			break;
		case HEX: {
			int v = chars_hex(c);
			if (v < 0)
				return -1;
			hex = hex << 4 | (unsigned)v;
			if (++nhex < 4)
				break;
			if (hex >= 0xdc00 && hex <= 0xdfff) {
				if (!want_low)
					return -1;
				want_low = 0;
			} else if (want_low) {
				return -1;
			} else if (hex >= 0xd800 && hex <= 0xdbff) {
				want_low = 1;
			}
			st = STR;
			break;
		}
		}
		i += n;
	}
	/* yajl takes a string still open after the value for input yet to come: {}"x */
	return st == OUT ? 0 : -1;
}

/* Called before every value: enforces a top-level object and nothing after it. */
static int value_start(struct ctx *c, int is_map)
{
	if (c->depth == 0) {
		if (c->started || !is_map)
			return 0;
		c->started = 1;
	}
	return 1;
}

/* A scalar or container value at depth 1 that is not the string the field wants. */
static void field_invalid(struct ctx *c)
{
	if (c->depth != 1)
		return;
	switch (c->cur) {
	case KEY_ACTION:
		c->out->action = BODY_ACT_INVALID;
		break;
	case KEY_VIEW:
		c->out->view = BODY_INVALID;
		break;
	case KEY_FORMAT:
		c->out->format = BODY_INVALID;
		break;
	case KEY_OTHER:
		break;
	}
}

static int on_scalar(void *ud)
{
	struct ctx *c = ud;
	if (!value_start(c, 0))
		return 0;
	field_invalid(c);
	return 1;
}

static int on_null(void *ud)
{
	return on_scalar(ud);
}

static int on_bool(void *ud, int b)
{
	(void)b;
	return on_scalar(ud);
}

static int on_number(void *ud, const char *s, size_t l)
{
	(void)s, (void)l;
	return on_scalar(ud);
}

static int is_id(const unsigned char *s, size_t l)
{
	if (l == 0 || l > BODY_VIEWID_MAX)
		return 0;
	for (size_t i = 0; i < l; i++)
		if (!chars_alnum(s[i]))
			return 0;
	return 1;
}

static int eq(const unsigned char *s, size_t l, const char *lit)
{
	return l == strlen(lit) && memcmp(s, lit, l) == 0;
}

static int on_string(void *ud, const unsigned char *s, size_t l)
{
	struct ctx *c = ud;
	struct body *b = c->out;

	if (!value_start(c, 0))
		return 0;
	if (c->depth != 1)
		return 1;
	switch (c->cur) {
	case KEY_ACTION:
		b->action = BODY_ACT_INVALID;
		if (eq(s, l, "StopRecording"))
			b->action = BODY_ACT_STOP;
		else if (eq(s, l, "StartRecording"))
			b->action = BODY_ACT_START;
		else
			for (size_t i = 0; i < sizeof(other_actions) / sizeof(*other_actions); i++)
				if (eq(s, l, other_actions[i]))
					b->action = BODY_ACT_OTHER;
		break;
	case KEY_VIEW:
		b->view = BODY_INVALID;
		if (is_id(s, l)) {
			memcpy(b->view_id, s, l);
			b->view_id[l] = '\0';
			b->view_len = l;
			b->view = BODY_OK;
		}
		break;
	case KEY_FORMAT:
		b->format = BODY_INVALID;
		if (eq(s, l, "wav")) {
			b->format = BODY_OK;
			b->fmt = BODY_FMT_WAV;
		} else if (eq(s, l, "wav49")) {
			b->format = BODY_OK;
			b->fmt = BODY_FMT_WAV49;
		}
		break;
	case KEY_OTHER:
		break;
	}
	return 1;
}

static int open_container(struct ctx *c, int is_map)
{
	if (!value_start(c, is_map))
		return 0;
	field_invalid(c);
	if (c->depth >= BODY_DEPTH_MAX)
		return 0;
	c->frame[++c->depth] = c->nkeys;
	return 1;
}

static int close_container(struct ctx *c)
{
	/* Keys of the closed object are forgotten; their arena space is reused. */
	c->nkeys = c->frame[c->depth];
	c->used = c->nkeys ? c->keys[c->nkeys - 1].off + c->keys[c->nkeys - 1].len : 0;
	c->depth--;
	return 1;
}

static int on_start_map(void *ud)
{
	return open_container(ud, 1);
}

static int on_start_array(void *ud)
{
	return open_container(ud, 0);
}

static int on_end(void *ud)
{
	return close_container(ud);
}

static int on_key(void *ud, const unsigned char *s, size_t l)
{
	struct ctx *c = ud;

	for (unsigned i = c->frame[c->depth]; i < c->nkeys; i++)
		if (c->keys[i].len == l && memcmp(c->arena + c->keys[i].off, s, l) == 0)
			return 0;
	if (c->nkeys >= KEYS_MAX || l > sizeof(c->arena) - c->used)
		return 0;
	memcpy(c->arena + c->used, s, l);
	c->keys[c->nkeys].off = c->used;
	c->keys[c->nkeys++].len = (unsigned)l;
	c->used += (unsigned)l;

	if (c->depth == 1) {
		c->cur = KEY_OTHER;
		if (eq(s, l, "action"))
			c->cur = KEY_ACTION;
		else if (eq(s, l, "phoneCallViewId"))
			c->cur = KEY_VIEW;
		else if (eq(s, l, "format"))
			c->cur = KEY_FORMAT;
	}
	return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_bool,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

enum err body_parse(const char *p, size_t len, struct body *out)
{
	struct ctx c;
	struct arena mem; /* the parser's memory */
	yajl_alloc_funcs af;
	yajl_handle h = NULL;
	yajl_status st;
	enum err e = ERR_JSON_INVALID;

	memset(out, 0, sizeof(*out));
	if (len > BODY_MAX)
		return ERR_TOO_LARGE;
	if (len == 0 || prescan((const unsigned char *)p, len) != 0)
		return ERR_JSON_INVALID;

	memset(&c, 0, offsetof(struct ctx, keys));
	c.out = out;
	out->action = BODY_ACT_INVALID;
	arena_reset(&mem);
	arena_yajl(&mem, &af);
	h = yajl_alloc(&callbacks, &af, &c); /* owned here, freed below; memory from mem */
	if (h == NULL)
		return ERR_INTERNAL;
	yajl_config(h, yajl_allow_comments, 0);
	yajl_config(h, yajl_allow_trailing_garbage, 0);
	yajl_config(h, yajl_allow_multiple_values, 0);
	yajl_config(h, yajl_allow_partial_values, 0);

	st = yajl_parse(h, (const unsigned char *)p, len);
	if (st != yajl_status_ok)
		goto done;
	st = yajl_complete_parse(h);
	if (st != yajl_status_ok || !c.started)
		goto done;
	e = ERR_NONE;
done:
	yajl_free(h);
	if (e != ERR_NONE)
		memset(out, 0, sizeof(*out));
	return e;
}

const char *body_format_name(enum body_format f)
{
	return f == BODY_FMT_WAV49 ? "wav49" : "wav";
}
