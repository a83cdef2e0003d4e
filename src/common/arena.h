/*
 * arena.h - memory for one request's yajl parser or generator: a fixed block handed out
 * by moving a pointer, given back whole when the request ends, so that a request costs
 * no malloc and free of its own. What does not fit in the block (a list of thousands of
 * calls) comes from malloc and goes back to free.
 */
#ifndef PC_ARENA_H
#define PC_ARENA_H

#include <stddef.h>

#include <yajl/yajl_common.h>

#define ARENA_SIZE (32 * 1024) /* the bodies and most answers fit several times over */

struct arena {
	size_t used;
	_Alignas(max_align_t) unsigned char mem[ARENA_SIZE];
};

/* Empties the arena (what came from malloc must have been freed through it). */
void arena_reset(struct arena *a);
/* Allocation functions for yajl_alloc / yajl_gen_alloc, drawing on a, which must stay
 * where it is while they are in use. */
void arena_yajl(struct arena *a, yajl_alloc_funcs *f);

#endif
