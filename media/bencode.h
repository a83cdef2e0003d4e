/*
 * bencode.h - the bencoded dictionaries of rtpengine's NG control protocol, decoded and
 * encoded strictly and without allocation.
 *
 * The decoder reads one value into a flat array of nodes the caller provides: each node
 * is followed by its subtree, so a container's children come right after it and a whole
 * subtree is skipped in one step. Strings point into the parsed buffer. Only the
 * canonical forms are accepted (integers without a leading zero or "-0", string lengths
 * without a leading zero), so a value decoded and encoded again is the same bytes.
 * Dictionary keys must be strings and unique, but may come in any order: rtpengine's own
 * encoder does not sort them.
 *
 * The encoder writes into a caller's buffer of fixed capacity; a value that does not fit
 * sets a sticky flag and nothing more is written, so a message is built without checks
 * and checked once, by benc_out_end.
 */
#ifndef PC_BENCODE_H
#define PC_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENC_DEPTH_MAX 16 /* deepest nesting of lists and dictionaries, the outermost is 1 */

enum benc_type { BENC_INT, BENC_STR, BENC_LIST, BENC_DICT };

struct benc_node {
	enum benc_type type;
	size_t span;     /* nodes of its subtree, itself included: the next sibling is at +span */
	size_t count;    /* a list's elements, a dictionary's entries (key and value pairs) */
	const char *str; /* a string's bytes, in the parsed buffer (no NUL after them) */
	size_t len;      /* a string's length */
	int64_t num;     /* an integer's value */
};

enum benc_err {
	BENC_OK,
	BENC_ERR_TRUNCATED, /* the input ends inside a value (or is empty), a string past it */
	BENC_ERR_SYNTAX,    /* a byte that starts no value, or a length without its ':' */
	BENC_ERR_INT,       /* an integer not written i0e or i-?[1-9][0-9]*e */
	BENC_ERR_INT_RANGE, /* an integer outside int64_t */
	BENC_ERR_STRLEN,    /* a string length with a leading zero */
	BENC_ERR_DEPTH,     /* nested deeper than BENC_DEPTH_MAX */
	BENC_ERR_NODES,     /* more values than the caller's nodes */
	BENC_ERR_KEY,       /* a dictionary key that is not a string */
	BENC_ERR_DUP_KEY,   /* a key given twice in one dictionary */
	BENC_ERR_VALUE,     /* a dictionary's last key without a value */
	BENC_ERR_TRAILING,  /* bytes after the value */
	BENC_ERR__MAX
};

/* A short English description; never NULL (an out-of-range value has one too). */
const char *benc_strerror(enum benc_err e);

/*
 * Decodes buf[0..len), which must hold exactly one value, into nodes[0..max_nodes).
 * On BENC_OK nodes[0] is the value and *n_used the nodes written; on an error *n_used is
 * 0 and the nodes hold nothing of use. Time is linear in len, but for the duplicate key
 * check, which compares each key with the earlier keys of its dictionary.
 */
enum benc_err benc_parse(const char *buf, size_t len, struct benc_node *nodes, size_t max_nodes,
                         size_t *n_used);

/* The first child of a list or dictionary (a dictionary's children alternate key, value),
 * or NULL when it has none or n is not a container. */
const struct benc_node *benc_first(const struct benc_node *n);

/* The child after child in container c, or NULL after the last. */
const struct benc_node *benc_next(const struct benc_node *c, const struct benc_node *child);

/* The value of key (klen bytes) in dictionary d, or NULL: no such key, or d NULL or not a
 * dictionary. */
const struct benc_node *benc_dict_get_len(const struct benc_node *d, const char *key, size_t klen);

/* The same for a NUL-terminated key. */
const struct benc_node *benc_dict_get(const struct benc_node *d, const char *key);

/* Whether n is a string equal to the NUL-terminated s (false for NULL). */
bool benc_str_is(const struct benc_node *n, const char *s);

/* Sets *out to n's value when n is an integer: 0, or -1 (n NULL or not an integer). */
int benc_int(const struct benc_node *n, int64_t *out);

struct benc_out {
	char *p;         /* the caller's buffer; no NUL is written */
	size_t len;      /* bytes written */
	size_t cap;      /* capacity of p */
	int depth;       /* containers open */
	bool overflow;   /* a value did not fit: sticky, nothing written after it */
	bool unbalanced; /* a close without an open container: sticky */
};

/* Starts an empty message in p[0..cap). */
void benc_out_init(struct benc_out *o, char *p, size_t cap);
void benc_put_int(struct benc_out *o, int64_t v);
void benc_put_str(struct benc_out *o, const char *s, size_t len);
void benc_put_cstr(struct benc_out *o, const char *s);
void benc_put_list(struct benc_out *o); /* opens a list */
void benc_put_dict(struct benc_out *o); /* opens a dictionary: then key, value, key, ... */
void benc_put_end(struct benc_out *o);  /* closes the innermost open container */

/* 0 when everything fit and every container was closed (o->len bytes are the message),
 * -1 otherwise. */
int benc_out_end(const struct benc_out *o);

#endif
