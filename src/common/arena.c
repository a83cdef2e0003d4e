/*
 * arena.c - bump allocation for yajl. Each block is preceded by a header holding its
 * size and where it lives; freeing the last block of the arena takes it back (yajl frees
 * in reverse order often enough), any other arena block waits for the reset.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ALIGN _Alignof(max_align_t)
#define HEAD ((sizeof(struct head) + ALIGN - 1) / ALIGN * ALIGN)

struct head {
	size_t size;  /* bytes asked for */
	int in_arena; /* 0: from malloc */
};

static size_t rounded(size_t n)
{
	return (n + ALIGN - 1) / ALIGN * ALIGN;
}

static struct head *head_of(void *p)
{
	return (struct head *)((unsigned char *)p - HEAD);
}

static void *a_malloc(void *ctx, size_t size)
{
	struct arena *a = ctx;
	struct head *h;

	if (size <= ARENA_SIZE && rounded(size) + HEAD <= ARENA_SIZE - a->used) {
		h = (struct head *)(a->mem + a->used);
		a->used += HEAD + rounded(size);
		h->in_arena = 1;
	} else {
		if (size > (size_t)-1 - HEAD || (h = malloc(HEAD + size)) == NULL)
			return NULL;
		h->in_arena = 0;
	}
	h->size = size;
	return (unsigned char *)h + HEAD;
}

/* Whether p is the last block handed out from the arena. */
static int last(const struct arena *a, void *p)
{
	return (unsigned char *)p + rounded(head_of(p)->size) == a->mem + a->used;
}

static void a_free(void *ctx, void *p)
{
	struct arena *a = ctx;

	if (p == NULL)
		return;
	if (!head_of(p)->in_arena)
		free(head_of(p));
	else if (last(a, p))
		a->used -= HEAD + rounded(head_of(p)->size);
}

static void *a_realloc(void *ctx, void *p, size_t size)
{
	struct arena *a = ctx;
	struct head *h;
	void *q;

	if (p == NULL)
		return a_malloc(ctx, size);
	h = head_of(p);
	/* the last arena block grows (or shrinks) in place while there is room */
	if (h->in_arena && last(a, p) && size <= ARENA_SIZE &&
	    rounded(size) <= ARENA_SIZE - (a->used - rounded(h->size))) {
		a->used = a->used - rounded(h->size) + rounded(size);
		h->size = size;
		return p;
	}
	if ((q = a_malloc(ctx, size)) == NULL)
		return NULL;
	memcpy(q, p, h->size < size ? h->size : size);
	a_free(ctx, p);
	return q;
}

void arena_reset(struct arena *a)
{
	a->used = 0;
}

void arena_yajl(struct arena *a, yajl_alloc_funcs *f)
{
	f->malloc = a_malloc;
	f->realloc = a_realloc;
	f->free = a_free;
	f->ctx = a;
}
