/*
 * bencode.c - strict bencode for rtpengine's NG protocol: an iterative decoder into the
 * caller's flat node array (no recursion, no allocation; the open containers live in a
 * fixed stack of BENC_DEPTH_MAX), look-ups over that array, and an encoder into the
 * caller's buffer.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bencode.h"

#define INT_TEXT_MAX 24 /* "i-9223372036854775808e" and its NUL */
#define LEN_TEXT_MAX 24 /* the decimal of any size_t, ':' and NUL */

static const char *const messages[BENC_ERR__MAX] = {
    [BENC_OK] = "no error",
    [BENC_ERR_TRUNCATED] = "input ends inside a value",
    [BENC_ERR_SYNTAX] = "unexpected byte",
    [BENC_ERR_INT] = "malformed integer",
    [BENC_ERR_INT_RANGE] = "integer out of range",
    [BENC_ERR_STRLEN] = "string length with a leading zero",
    [BENC_ERR_DEPTH] = "nested too deep",
    [BENC_ERR_NODES] = "too many values",
    [BENC_ERR_KEY] = "dictionary key not a string",
    [BENC_ERR_DUP_KEY] = "duplicate dictionary key",
    [BENC_ERR_VALUE] = "dictionary key without a value",
    [BENC_ERR_TRAILING] = "bytes after the value",
};

const char *benc_strerror(enum benc_err e)
{
	if ((unsigned)e >= BENC_ERR__MAX)
		return "unknown error";
	return messages[e];
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The integer starting with the 'i' at buf[*pos]; *pos moves past its 'e'. */
static enum benc_err parse_int(const char *buf, size_t len, size_t *pos, int64_t *out)
{
	size_t i = *pos + 1, digits = 0;
	uint64_t v = 0, limit = INT64_MAX;
	bool neg = false;

	if (i < len && buf[i] == '-') {
		neg = true;
		limit = (uint64_t)INT64_MAX + 1;
		i++;
	}
	for (; i < len && is_digit(buf[i]); i++, digits++) {
		unsigned d = (unsigned)(buf[i] - '0');
		if (digits == 1 && v == 0)
			return BENC_ERR_INT; /* a leading zero */
		if (v > (limit - d) / 10)
			return BENC_ERR_INT_RANGE;
		v = v * 10 + d;
	}
	if (i == len)
		return BENC_ERR_TRUNCATED;
	if (buf[i] != 'e' || digits == 0 || (neg && v == 0))
		return BENC_ERR_INT;
	/* -(2^63) has no positive counterpart in int64_t */
	*out = !neg ? (int64_t)v : v == limit ? INT64_MIN : -(int64_t)v;
	*pos = i + 1;
	return BENC_OK;
}

/* The string whose length starts at buf[*pos] (a digit); *pos moves past its bytes. */
static enum benc_err parse_str(const char *buf, size_t len, size_t *pos, const char **s,
                               size_t *slen)
{
	size_t i = *pos, v = 0;

	if (buf[i] == '0' && i + 1 < len && is_digit(buf[i + 1]))
		return BENC_ERR_STRLEN;
	/* a length past the whole input cannot fit: it saturates at SIZE_MAX, so that it
	 * never overflows and the ':' is still looked for */
	for (; i < len && is_digit(buf[i]); i++)
		v = v > len / 10 ? SIZE_MAX : v * 10 + (size_t)(buf[i] - '0');
	if (i == len)
		return BENC_ERR_TRUNCATED;
	if (buf[i] != ':')
		return BENC_ERR_SYNTAX;
	i++;
	if (v > len - i)
		return BENC_ERR_TRUNCATED;
	*s = buf + i;
	*slen = v;
	*pos = i + v;
	return BENC_OK;
}

/* Whether the key at nodes[k] equals one before it in dictionary nodes[d]. Keys are
 * strings (one node each); the value after each is skipped whole. */
static bool dup_key(const struct benc_node *nodes, size_t d, size_t k)
{
	const struct benc_node *key = &nodes[k];

	for (size_t i = d + 1; i < k; i += 1 + nodes[i + 1].span)
		if (nodes[i].len == key->len &&
		    (key->len == 0 || memcmp(nodes[i].str, key->str, key->len) == 0))
			return true;
	return false;
}

enum benc_err benc_parse(const char *buf, size_t len, struct benc_node *nodes, size_t max_nodes,
                         size_t *n_used)
{
	size_t open[BENC_DEPTH_MAX]; /* the open containers' nodes, outermost first */
	size_t key[BENC_DEPTH_MAX];  /* an open dictionary's key awaiting its value, or 0 */
	size_t pos = 0, n = 0, done;
	int depth = 0;
	enum benc_err e;

	*n_used = 0;
	for (;;) {
		struct benc_node *top = depth ? &nodes[open[depth - 1]] : NULL;
		char c;

		if (pos == len) {
			e = BENC_ERR_TRUNCATED;
			goto err;
		}
		c = buf[pos];
		if (top && c == 'e') {
			if (top->type == BENC_DICT && key[depth - 1]) {
				e = BENC_ERR_VALUE;
				goto err;
			}
			pos++;
			top->span = n - open[depth - 1];
			done = open[--depth];
		} else {
			struct benc_node *v;
			if (c != 'i' && c != 'l' && c != 'd' && !is_digit(c)) {
				e = BENC_ERR_SYNTAX;
				goto err;
			}
			if (top && top->type == BENC_DICT && !key[depth - 1] && !is_digit(c)) {
				e = BENC_ERR_KEY;
				goto err;
			}
			if (n == max_nodes) {
				e = BENC_ERR_NODES;
				goto err;
			}
			v = &nodes[n];
			memset(v, 0, sizeof(*v));
			v->span = 1;
			if (c == 'l' || c == 'd') {
				if (depth == BENC_DEPTH_MAX) {
					e = BENC_ERR_DEPTH;
					goto err;
				}
				v->type = c == 'l' ? BENC_LIST : BENC_DICT;
				key[depth] = 0;
				open[depth++] = n++;
				pos++;
				continue;
			}
			if (c == 'i') {
				v->type = BENC_INT;
				e = parse_int(buf, len, &pos, &v->num);
			} else {
				v->type = BENC_STR;
				e = parse_str(buf, len, &pos, &v->str, &v->len);
			}
			if (e != BENC_OK)
				goto err;
			done = n++;
		}

		/* nodes[done] is complete: the whole input, or one more child of top */
		if (depth == 0) {
			if (pos != len) {
				e = BENC_ERR_TRAILING;
				goto err;
			}
			*n_used = n;
			return BENC_OK;
		}
		top = &nodes[open[depth - 1]];
		if (top->type == BENC_LIST) {
			top->count++;
		} else if (!key[depth - 1]) {
			if (dup_key(nodes, open[depth - 1], done)) {
				e = BENC_ERR_DUP_KEY;
				goto err;
			}
			key[depth - 1] = done; /* never 0: the outermost value is node 0 */
		} else {
			key[depth - 1] = 0;
			top->count++;
		}
	}
err:
	return e;
}

const struct benc_node *benc_first(const struct benc_node *n)
{
	if (!n || (n->type != BENC_LIST && n->type != BENC_DICT) || n->span == 1)
		return NULL;
	return n + 1;
}

const struct benc_node *benc_next(const struct benc_node *c, const struct benc_node *child)
{
	const struct benc_node *next = child + child->span;

	return next < c + c->span ? next : NULL;
}

const struct benc_node *benc_dict_get_len(const struct benc_node *d, const char *key, size_t klen)
{
	if (!d || d->type != BENC_DICT)
		return NULL;
	for (const struct benc_node *k = benc_first(d); k; k = benc_next(d, k + 1))
		if (k->len == klen && (klen == 0 || memcmp(k->str, key, klen) == 0))
			return k + 1;
	return NULL;
}

const struct benc_node *benc_dict_get(const struct benc_node *d, const char *key)
{
	return benc_dict_get_len(d, key, strlen(key));
}

bool benc_str_is(const struct benc_node *n, const char *s)
{
	size_t len = strlen(s);

	return n && n->type == BENC_STR && n->len == len &&
	       (len == 0 || memcmp(n->str, s, len) == 0);
}

int benc_int(const struct benc_node *n, int64_t *out)
{
	if (!n || n->type != BENC_INT)
		return -1;
	*out = n->num;
	return 0;
}

void benc_out_init(struct benc_out *o, char *p, size_t cap)
{
	memset(o, 0, sizeof(*o));
	o->p = p;
	o->cap = cap;
}

/* Appends a[0..an) and b[0..bn) whole, or nothing and sets the overflow flag. */
static void put2(struct benc_out *o, const char *a, size_t an, const char *b, size_t bn)
{
	size_t room = o->cap - o->len;

	if (o->overflow)
		return;
	if (an > room || bn > room - an) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, a, an);
	if (bn)
		memcpy(o->p + o->len + an, b, bn);
	o->len += an + bn;
}

void benc_put_int(struct benc_out *o, int64_t v)
{
	char t[INT_TEXT_MAX];
	int n = snprintf(t, sizeof(t), "i%" PRId64 "e", v);

	put2(o, t, (size_t)n, NULL, 0);
}

void benc_put_str(struct benc_out *o, const char *s, size_t len)
{
	char t[LEN_TEXT_MAX];
	int n = snprintf(t, sizeof(t), "%zu:", len);

	put2(o, t, (size_t)n, s, len);
}

void benc_put_cstr(struct benc_out *o, const char *s)
{
	benc_put_str(o, s, strlen(s));
}

void benc_put_list(struct benc_out *o)
{
	o->depth++;
	put2(o, "l", 1, NULL, 0);
}

void benc_put_dict(struct benc_out *o)
{
	o->depth++;
	put2(o, "d", 1, NULL, 0);
}

void benc_put_end(struct benc_out *o)
{
	if (o->depth == 0) {
		o->unbalanced = true;
		return;
	}
	o->depth--;
	put2(o, "e", 1, NULL, 0);
}

int benc_out_end(const struct benc_out *o)
{
	return o->overflow || o->unbalanced || o->depth != 0 ? -1 : 0;
}
