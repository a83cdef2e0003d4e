/*
 * fuzz_bencode.c - libFuzzer target for the bencode codec of the NG protocol
 * (media/bencode.c).
 *
 * The input is the bencoded part of an NG message (after the cookie and its space). It is
 * decoded with a node array of FUZZ_NODES and with a smaller one the input chooses, and
 * each answer is compared with a reference decoder written here independently (recursive
 * descent over the grammar and rules documented in bencode.h, which finds the same first
 * error). A decoded tree is checked for its invariants (spans, counts, strings inside the
 * input, every key found by look-up), encoded again, which must give the input's bytes
 * (the decoder accepts canonical forms only) and decode to the same tree, and encoded into
 * every too small buffer, which must overflow without writing past it. A violation aborts.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../media/bencode.h"

#define FUZZ_NODES 1024  /* the larger node array the input is decoded into */
#define REF_DEPTH_MAX 16 /* containers nested at most this deep, written out */
#define REF_INT_MAX "9223372036854775807"
#define REF_INT_MIN_ABS "9223372036854775808"
#define SIZE_DIGITS 24    /* the decimal of any size_t and its NUL */
#define SMALL_CAPS_MAX 64 /* too small encoder buffers tried, at most */

static_assert(BENC_DEPTH_MAX == REF_DEPTH_MAX, "depth limit");

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_bencode: invariant violated: %s (line %d)\n", #cond, \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A copy of p[0..len) in a buffer of exactly len bytes, so that ASan sees reads past it. */
static char *dup_exact(const char *p, size_t len)
{
	char *c = malloc(len ? len : 1);

	CHECK(c != NULL);
	if (len)
		memcpy(c, p, len);
	return c;
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Compares two decimals without leading zeros (as strings of n and m digits). */
static int dec_cmp(const char *a, size_t n, const char *b, size_t m)
{
	if (n != m)
		return n < m ? -1 : 1;
	return memcmp(a, b, n);
}

/* The reference decoder's state: the input, where it is, the nodes counted and allowed. */
struct ref {
	const char *s;
	size_t n, i;
	size_t nodes, max;
};

static enum benc_err ref_value(struct ref *r, int depth);

/* A value starts here: one node more, if there is room for it. */
static enum benc_err ref_node(struct ref *r)
{
	if (r->nodes == r->max)
		return BENC_ERR_NODES;
	r->nodes++;
	return BENC_OK;
}

static enum benc_err ref_int(struct ref *r)
{
	size_t j = r->i + 1, start;
	int neg = 0;

	if (j < r->n && r->s[j] == '-')
		neg = 1, j++;
	start = j;
	while (j < r->n && is_digit((unsigned char)r->s[j]))
		j++;
	size_t nd = j - start;
	const char *d = r->s + start;
	const char *lim = neg ? REF_INT_MIN_ABS : REF_INT_MAX;
	if (nd >= 2 && d[0] == '0')
		return BENC_ERR_INT;
	if (dec_cmp(d, nd, lim, strlen(lim)) > 0)
		return BENC_ERR_INT_RANGE;
	if (j == r->n)
		return BENC_ERR_TRUNCATED;
	if (r->s[j] != 'e' || nd == 0 || (neg && d[0] == '0'))
		return BENC_ERR_INT;
	r->i = j + 1;
	return BENC_OK;
}

/* A string; its bytes in *str, *len. */
static enum benc_err ref_str(struct ref *r, const char **str, size_t *len)
{
	size_t j = r->i, left;
	char room[SIZE_DIGITS];

	while (j < r->n && is_digit((unsigned char)r->s[j]))
		j++;
	size_t nd = j - r->i;
	const char *d = r->s + r->i;
	if (nd >= 2 && d[0] == '0')
		return BENC_ERR_STRLEN;
	if (j == r->n)
		return BENC_ERR_TRUNCATED;
	if (r->s[j] != ':')
		return BENC_ERR_SYNTAX;
	left = r->n - j - 1;
	snprintf(room, sizeof(room), "%zu", left);
	if (dec_cmp(d, nd, room, strlen(room)) > 0)
		return BENC_ERR_TRUNCATED;
	*len = (size_t)strtoull(d, NULL, 10); /* at most left: fits */
	*str = r->s + j + 1;
	r->i = j + 1 + *len;
	return BENC_OK;
}

static enum benc_err ref_list(struct ref *r, int depth)
{
	enum benc_err e;

	r->i++;
	for (;;) {
		if (r->i == r->n)
			return BENC_ERR_TRUNCATED;
		if (r->s[r->i] == 'e') {
			r->i++;
			return BENC_OK;
		}
		if ((e = ref_value(r, depth + 1)) != BENC_OK)
			return e;
	}
}

static enum benc_err ref_dict(struct ref *r, int depth)
{
	const char **keys = NULL;
	size_t *klens = NULL, nkeys = 0;
	enum benc_err e;

	r->i++;
	for (;;) {
		const char *k;
		size_t kl;
		if (r->i == r->n) {
			e = BENC_ERR_TRUNCATED;
			break;
		}
		char c = r->s[r->i];
		if (c == 'e') {
			r->i++;
			e = BENC_OK;
			break;
		}
		if (!is_digit((unsigned char)c)) {
			e = c == 'i' || c == 'l' || c == 'd' ? BENC_ERR_KEY : BENC_ERR_SYNTAX;
			break;
		}
		if ((e = ref_node(r)) != BENC_OK || (e = ref_str(r, &k, &kl)) != BENC_OK)
			break;
		for (size_t q = 0; q < nkeys && e == BENC_OK; q++)
			if (klens[q] == kl && memcmp(keys[q], k, kl) == 0)
				e = BENC_ERR_DUP_KEY;
		if (e != BENC_OK)
			break;
		keys = realloc(keys, (nkeys + 1) * sizeof(*keys));
		klens = realloc(klens, (nkeys + 1) * sizeof(*klens));
		CHECK(keys && klens);
		keys[nkeys] = k;
		klens[nkeys++] = kl;
		if (r->i == r->n) {
			e = BENC_ERR_TRUNCATED;
			break;
		}
		if (r->s[r->i] == 'e') {
			e = BENC_ERR_VALUE;
			break;
		}
		if ((e = ref_value(r, depth + 1)) != BENC_OK)
			break;
	}
	free(keys);
	free(klens);
	return e;
}

/* A value inside depth open containers. */
static enum benc_err ref_value(struct ref *r, int depth)
{
	const char *str;
	size_t len;
	enum benc_err e;

	if (r->i == r->n)
		return BENC_ERR_TRUNCATED;
	char c = r->s[r->i];
	if (c != 'i' && c != 'l' && c != 'd' && !is_digit((unsigned char)c))
		return BENC_ERR_SYNTAX;
	if ((e = ref_node(r)) != BENC_OK)
		return e;
	if ((c == 'l' || c == 'd') && depth == REF_DEPTH_MAX)
		return BENC_ERR_DEPTH;
	if (c == 'i')
		return ref_int(r);
	if (c == 'l')
		return ref_list(r, depth);
	if (c == 'd')
		return ref_dict(r, depth);
	return ref_str(r, &str, &len);
}

/* The reference's answer for s[0..n) with max nodes; the nodes used in *used. */
static enum benc_err ref_parse(const char *s, size_t n, size_t max, size_t *used)
{
	struct ref r = {.s = s, .n = n, .i = 0, .nodes = 0, .max = max};
	enum benc_err e = ref_value(&r, 0);

	if (e == BENC_OK && r.i != n)
		e = BENC_ERR_TRAILING;
	*used = r.nodes;
	return e;
}

/* The invariants of a decoded tree of used nodes over buf[0..len). */
static void check_tree(const struct benc_node *nodes, size_t used, const char *buf, size_t len)
{
	CHECK(nodes[0].span == used);
	for (size_t i = 0; i < used; i++) {
		const struct benc_node *n = &nodes[i];
		CHECK(n->span >= 1 && i + n->span <= used);
		if (n->type == BENC_STR) {
			CHECK(n->span == 1 && n->str >= buf && n->len <= len &&
			      n->str + n->len <= buf + len);
			continue;
		}
		if (n->type == BENC_INT) {
			CHECK(n->span == 1);
			continue;
		}
		CHECK(n->type == BENC_LIST || n->type == BENC_DICT);
		size_t kids = 0;
		for (const struct benc_node *c = benc_first(n); c; c = benc_next(n, c)) {
			CHECK(c > n && c < n + n->span);
			if (n->type == BENC_DICT && kids % 2 == 0) {
				CHECK(c->type == BENC_STR);
				CHECK(benc_dict_get_len(n, c->str, c->len) == c + 1);
			}
			kids++;
		}
		CHECK(kids == (n->type == BENC_DICT ? 2 * n->count : n->count));
		CHECK(kids != 0 || n->span == 1);
	}
}

/* Encodes the tree of used nodes into o, depth first. */
static void encode(struct benc_out *o, const struct benc_node *nodes, size_t used)
{
	size_t open[REF_DEPTH_MAX];
	int depth = 0;

	for (size_t i = 0; i < used; i++) {
		while (depth > 0 && open[depth - 1] + nodes[open[depth - 1]].span == i) {
			benc_put_end(o);
			depth--;
		}
		switch (nodes[i].type) {
		case BENC_INT:
			benc_put_int(o, nodes[i].num);
			break;
		case BENC_STR:
			benc_put_str(o, nodes[i].str, nodes[i].len);
			break;
		case BENC_LIST:
		case BENC_DICT:
			if (nodes[i].type == BENC_LIST)
				benc_put_list(o);
			else
				benc_put_dict(o);
			CHECK(depth < REF_DEPTH_MAX);
			open[depth++] = i;
			break;
		}
	}
	while (depth-- > 0)
		benc_put_end(o);
}

static int same_tree(const struct benc_node *a, const struct benc_node *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i].type != b[i].type || a[i].span != b[i].span || a[i].count != b[i].count)
			return 0;
		if (a[i].type == BENC_INT && a[i].num != b[i].num)
			return 0;
		if (a[i].type == BENC_STR &&
		    (a[i].len != b[i].len || memcmp(a[i].str, b[i].str, a[i].len) != 0))
			return 0;
	}
	return 1;
}

/* Encodes a decoded tree again: exactly the input's bytes, the same tree decoded, and an
 * overflow, without a byte past the buffer, in any buffer too small. */
static void check_encode(const struct benc_node *nodes, size_t used, const char *in, size_t len)
{
	char *out = malloc(len);
	struct benc_node *again = malloc(used * sizeof(*again));
	struct benc_out o;
	size_t used2 = 0;

	CHECK(out && again);
	benc_out_init(&o, out, len);
	encode(&o, nodes, used);
	CHECK(benc_out_end(&o) == 0 && !o.overflow && o.len == len);
	CHECK(memcmp(out, in, len) == 0);
	CHECK(benc_parse(out, len, again, used, &used2) == BENC_OK && used2 == used);
	CHECK(same_tree(nodes, again, used));
	free(again);
	free(out);

	/* every size below len for short inputs, a spread of them for long ones */
	size_t step = len / SMALL_CAPS_MAX + 1;
	for (size_t cap = 0; cap < len; cap += step) {
		char *small = malloc(cap ? cap : 1);
		CHECK(small != NULL);
		benc_out_init(&o, small, cap);
		encode(&o, nodes, used);
		CHECK(benc_out_end(&o) == -1 && o.overflow && o.len <= cap);
		CHECK(memcmp(small, in, o.len) == 0);
		free(small);
	}
}

/* Decodes data with max nodes; compares with the reference; checks what decoded. */
static void check_parse(const char *data, size_t size, size_t max)
{
	char *buf = dup_exact(data, size);
	struct benc_node *nodes = malloc((max ? max : 1) * sizeof(*nodes));
	size_t used = 12345, ref_used;
	enum benc_err e, want;

	CHECK(nodes != NULL);
	e = benc_parse(buf, size, max ? nodes : NULL, max, &used);
	want = ref_parse(buf, size, max, &ref_used);
	if (e != want)
		fprintf(stderr, "fuzz_bencode: got %s, want %s\n", benc_strerror(e),
		        benc_strerror(want));
	CHECK(e == want);
	CHECK((unsigned)e < BENC_ERR__MAX && benc_strerror(e) != NULL);
	if (e != BENC_OK) {
		CHECK(used == 0);
	} else {
		CHECK(used == ref_used && used >= 1 && used <= max);
		check_tree(nodes, used, buf, size);
		check_encode(nodes, used, buf, size);
	}
	free(nodes);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	check_parse(s, size, FUZZ_NODES);
	/* a small node array the input picks (its last byte), down to none */
	check_parse(s, size, size ? data[size - 1] % 32 : 0);
	return 0;
}
