/* unit_arena.c - tests of src/common/arena.c: bump allocation, reuse of the last block, fallback. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "../src/common/arena.c"

static struct arena a; /* large: not on the stack of every test */
static yajl_alloc_funcs f;

static void setup(void)
{
	arena_reset(&a);
	arena_yajl(&a, &f);
}

TestSuite(arena, .init = setup);

static int inside(const void *p)
{
	return (const unsigned char *)p >= a.mem && (const unsigned char *)p < a.mem + ARENA_SIZE;
}

Test(arena, small_blocks_come_from_the_arena_aligned)
{
	void *p = f.malloc(f.ctx, 10), *q = f.malloc(f.ctx, 100);

	cr_assert(inside(p) && inside(q), "both in the arena");
	cr_assert_eq((uintptr_t)p % _Alignof(max_align_t), 0, "aligned");
	cr_assert_eq((uintptr_t)q % _Alignof(max_align_t), 0, "aligned");
	cr_assert((unsigned char *)q >= (unsigned char *)p + 10, "no overlap");
	memset(p, 1, 10);
	memset(q, 2, 100);
	cr_assert_eq(((unsigned char *)p)[9], 1, "p intact");
}

Test(arena, freeing_the_last_block_gives_it_back)
{
	void *p = f.malloc(f.ctx, 64);
	size_t used = a.used;
	void *q = f.malloc(f.ctx, 64);

	f.free(f.ctx, q);
	cr_assert_eq(a.used, used, "the last block is taken back");
	f.free(f.ctx, p);
	cr_assert_eq(a.used, 0, "and then the one before");
	f.free(f.ctx, NULL);
}

Test(arena, realloc_grows_the_last_block_in_place_and_keeps_content)
{
	unsigned char *p = f.malloc(f.ctx, 16), *q;

	memset(p, 7, 16);
	q = f.realloc(f.ctx, p, 4096);
	cr_assert_eq(q, p, "grown in place");
	cr_assert_eq(q[15], 7, "content kept");
	q[4095] = 9;
	p = f.malloc(f.ctx, 8);
	q = f.realloc(f.ctx, q, 8192); /* no longer the last block: moves */
	cr_assert(inside(q), "moved within the arena");
	cr_assert_eq(q[15], 7, "content kept");
	cr_assert_eq(q[4095], 9, "content kept");
	f.free(f.ctx, q);
	f.free(f.ctx, p);
}

Test(arena, too_large_comes_from_malloc_and_goes_back)
{
	unsigned char *p = f.malloc(f.ctx, ARENA_SIZE), *q;

	cr_assert(!inside(p), "a block as large as the arena comes from malloc");
	memset(p, 3, ARENA_SIZE);
	f.free(f.ctx, p); /* freed for real: ASan and valgrind see a leak otherwise */
	q = f.malloc(f.ctx, 100);
	memset(q, 5, 100);
	q = f.realloc(f.ctx, q, 4 * ARENA_SIZE);
	cr_assert(!inside(q), "grown past the arena: moved to malloc");
	cr_assert_eq(q[99], 5, "content kept");
	q = f.realloc(f.ctx, q, 50);
	cr_assert_eq(q[49], 5, "shrunk, content kept");
	f.free(f.ctx, q);
}

Test(arena, full_arena_falls_back)
{
	void *blocks[64];
	size_t n = 0;

	while (n < 64 && inside(blocks[n] = f.malloc(f.ctx, 1024)))
		n++;
	cr_assert(n > 0 && n < 64, "the arena fills up after %zu blocks", n);
	cr_assert(!inside(blocks[n]), "then malloc takes over");
	f.free(f.ctx, blocks[n]);
}
