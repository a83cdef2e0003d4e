/*
 * throttle.c - counts authentication failures per client address in one table of
 * THROTTLE_ENTRIES slots, open addressing over a bounded probe window (throttle.h has
 * the policy), shared by every worker of the host through a file they map.
 *
 * Concurrency: the workers are separate processes, and any of them may be killed at
 * any moment (multiwatch starts another). The table has one robust, process-shared
 * mutex, held for a look-up or a count: a scan of at most THROTTLE_PROBE slots, with no
 * system call and no allocation. A lock-free table would need the key and the counts
 * of a slot changed as one, and a new address's slot chosen with the whole probe window
 * in view; done with separate atomic words, two workers counting one address at once
 * could each take a slot for it and split its count. A worker killed while holding the
 * mutex does not keep it: the next one to lock it gets EOWNERDEAD and goes on. What the
 * dead one left is valid, because every update is ordered so that each of its steps
 * leaves a valid entry (add_fail, claim). (A worker stopped, not killed, while holding
 * it would hold up the others' authentication until it runs again; nothing in the
 * service stops workers.)
 *
 * The file is sized and initialized once, under an flock, by the first worker that maps
 * it empty, and never resized or truncated: another worker may have it mapped, and
 * shrinking it would kill that one with SIGBUS. A new file (tools/stack makes one at
 * each `up`) starts with no counts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "shm.h"
#include "throttle.h"

_Static_assert((THROTTLE_ENTRIES & (THROTTLE_ENTRIES - 1)) == 0, "a power of two");
_Static_assert(THROTTLE_PROBE <= THROTTLE_ENTRIES, "a window within the table");
_Static_assert(sizeof(struct throttle_table) <= UINT32_MAX, "the header records the size");

/* The kinds of address a key is made of (its first byte). */
enum { KIND_V4 = 4, KIND_V6 = 6, KIND_TEXT = 't' };

/* addr as what identifies its client, whole: an IPv4 address (4 bytes; an IPv4-mapped
 * IPv6 address is one), an IPv6 address (16 bytes), or else its text. -1: NULL, empty or
 * longer than THROTTLE_ADDR_MAX. */
static int addr_key(const char *addr, struct throttle_addr *a)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned char b[16];
	size_t n;

	if (addr == NULL || (n = strlen(addr)) == 0 || n > THROTTLE_ADDR_MAX)
		return -1;
	if (inet_pton(AF_INET, addr, b) == 1) {
		a->b[0] = KIND_V4;
		memcpy(a->b + 1, b, 4);
		a->n = 5;
	} else if (inet_pton(AF_INET6, addr, b) == 1 && memcmp(b, mapped, 12) == 0) {
		a->b[0] = KIND_V4;
		memcpy(a->b + 1, b + 12, 4);
		a->n = 5;
	} else if (inet_pton(AF_INET6, addr, b) == 1) {
		a->b[0] = KIND_V6;
		memcpy(a->b + 1, b, 16);
		a->n = 17;
	} else {
		a->b[0] = KIND_TEXT;
		memcpy(a->b + 1, addr, n);
		a->n = (unsigned char)(n + 1);
	}
	return 0;
}

/* What an address is counted by: an IPv6 address's /64, anything else whole. */
static void counted_part(struct throttle_addr *a)
{
	if (a->b[0] == KIND_V6)
		a->n = 1 + 8;
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = ROTL(v1, 13);                                                                 \
		v1 ^= v0;                                                                          \
		v0 = ROTL(v0, 32);                                                                 \
		v2 += v3;                                                                          \
		v3 = ROTL(v3, 16);                                                                 \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = ROTL(v3, 21);                                                                 \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = ROTL(v1, 17);                                                                 \
		v1 ^= v2;                                                                          \
		v2 = ROTL(v2, 32);                                                                 \
	} while (0)

/* SipHash-2-4 of in[0..n) under the 128-bit key k (k[0] its first 8 bytes, read little
 * endian): a keyed hash, so that without k no one can tell which addresses share a
 * home slot. */
static uint64_t siphash(const uint64_t k[2], const unsigned char *in, size_t n)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ k[0], v1 = 0x646f72616e646f6dULL ^ k[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ k[0], v3 = 0x7465646279746573ULL ^ k[1];
	uint64_t m, last = (uint64_t)n << 56;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		m = 0;
		for (int j = 0; j < 8; j++)
			m |= (uint64_t)in[i + (size_t)j] << (8 * j);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (int j = 0; i + (size_t)j < n; j++)
		last |= (uint64_t)in[i + (size_t)j] << (8 * j);
	v3 ^= last;
	SIPROUND;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The key of a counted address (never 0, which marks a slot never used). */
static uint64_t key_of(const struct throttle_table *tab, const struct throttle_addr *a)
{
	uint64_t h = siphash(tab->secret, a->b, a->n);

	return h != 0 ? h : 1;
}

/* The home slot of a key: bits of the hash apart from those the key is compared by
 * first, though any would do. */
static size_t home_of(uint64_t key)
{
	return (size_t)(key >> 32) & (THROTTLE_ENTRIES - 1);
}

static size_t probe(size_t home, int i)
{
	return (home + (size_t)i) & (THROTTLE_ENTRIES - 1);
}

/* Keeps the compiler from reordering the stores of an update: a worker killed between
 * two of them must leave them in program order (the mutex orders them for the others). */
static void step(void)
{
	atomic_signal_fence(memory_order_seq_cst);
}

/* Seconds a window (start, fails) has still to run when it is at its limit, else 0. */
static int wait_of(int64_t start, int32_t fails, long long now)
{
	long long left = start + THROTTLE_WINDOW_MS - now;

	if (fails < THROTTLE_FAILS_MAX || left <= 0)
		return 0;
	if (left > THROTTLE_WINDOW_MS) /* a time read just before another worker's count */
		left = THROTTLE_WINDOW_MS;
	return (int)((left + 999) / 1000);
}

/* Counts a failure at now in the window (start, fails), starting a new window when the
 * old one has passed. The count is cleared before the window moves, so that a worker
 * killed in between never leaves an old count in a new window. */
static void add_fail(int64_t *start, int32_t *fails, long long now)
{
	if (now - *start >= THROTTLE_WINDOW_MS) {
		*fails = 0;
		step();
		*start = now;
		step();
	}
	if (*fails < THROTTLE_FAILS_MAX)
		*fails += 1;
}

/* Whether slot e may be given to another address: never used, or its window has passed
 * (or holds nothing: a worker was killed while taking it). */
static int reusable(const struct throttle_entry *e, long long now)
{
	return e->key == 0 || e->fails == 0 || now - e->start >= THROTTLE_WINDOW_MS;
}

/* Gives slot e to key, with no failure yet, in an order that leaves a valid entry at
 * each step: first no count, then the new key and window. */
static void claim(struct throttle_entry *e, uint64_t key, long long now)
{
	e->fails = 0;
	step();
	e->start = now;
	e->key = key;
	step();
}

/* The entry of key in its probe window, or NULL. */
static struct throttle_entry *find(struct throttle_table *tab, uint64_t key)
{
	size_t home = home_of(key);

	for (int i = 0; i < THROTTLE_PROBE; i++) {
		struct throttle_entry *e = &tab->slot[probe(home, i)];
		if (e->key == key)
			return e;
	}
	return NULL;
}

static int lock(struct throttle_table *tab)
{
	static int said; /* one log line per process */
	int rc = pthread_mutex_lock(&tab->lock);

	if (rc == EOWNERDEAD) {
		/* a worker died holding it; what it left is valid (see the top) */
		rc = pthread_mutex_consistent(&tab->lock);
		if (rc != 0)
			pthread_mutex_unlock(&tab->lock);
	}
	if (rc != 0) {
		if (!said++)
			log_msg("throttle: cannot lock the table: error %d; not throttling", rc);
		return -1;
	}
	return 0;
}

static void unlock(struct throttle_table *tab)
{
	pthread_mutex_unlock(&tab->lock);
}

int throttle_table_init(struct throttle_table *tab, int shared, const uint64_t secret[2])
{
	pthread_mutexattr_t attr;
	int rc;

	memset(tab, 0, sizeof(*tab));
	tab->version = THROTTLE_VERSION;
	tab->size = (uint32_t)sizeof(*tab);
	tab->secret[0] = secret[0];
	tab->secret[1] = secret[1];
	if (pthread_mutexattr_init(&attr) != 0)
		return -1;
	rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	if (rc == 0 && shared)
		rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutex_init(&tab->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0)
		return -1;
	atomic_thread_fence(memory_order_release);
	tab->magic = THROTTLE_MAGIC;
	return 0;
}

void throttle_init(struct throttle *t, struct throttle_table *tab, const char *list)
{
	memset(t, 0, sizeof(*t));
	t->tab = tab;
	for (const char *p = list; p != NULL && *p != '\0';) {
		char one[THROTTLE_ADDR_MAX + 1];
		size_t n;
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n > 0 && n <= THROTTLE_ADDR_MAX && t->nexempt < THROTTLE_EXEMPT_MAX) {
			memcpy(one, p, n);
			one[n] = '\0';
			if (addr_key(one, &t->exempt[t->nexempt]) == 0)
				t->nexempt++;
		}
		p += n;
	}
}

/* Whether addr is counted, and by what (*a). */
static int counted(const struct throttle *t, const char *addr, struct throttle_addr *a)
{
	if (t == NULL || t->tab == NULL || addr_key(addr, a) != 0)
		return 0;
	for (int i = 0; i < t->nexempt; i++)
		if (t->exempt[i].n == a->n && memcmp(t->exempt[i].b, a->b, a->n) == 0)
			return 0;
	counted_part(a);
	return 1;
}

int throttle_wait(const struct throttle *t, const char *addr, long long now_ms)
{
	struct throttle_addr a;
	struct throttle_entry *e;
	uint64_t key;
	int wait;

	if (!counted(t, addr, &a))
		return 0;
	key = key_of(t->tab, &a);
	if (lock(t->tab) != 0)
		return 0;
	if ((e = find(t->tab, key)) != NULL) {
		wait = wait_of(e->start, e->fails, now_ms);
	} else {
		/* no entry of its own: its home's overflow count judges it */
		e = &t->tab->slot[home_of(key)];
		wait = wait_of(e->ostart, e->ofails, now_ms);
	}
	unlock(t->tab);
	return wait;
}

void throttle_fail(const struct throttle *t, const char *addr, long long now_ms)
{
	static int said; /* one log line per process */
	struct throttle_addr a;
	struct throttle_entry *e, *free_slot = NULL;
	uint64_t key;
	size_t home;

	if (!counted(t, addr, &a))
		return;
	key = key_of(t->tab, &a);
	home = home_of(key);
	if (lock(t->tab) != 0)
		return;
	/* its entry anywhere in the window, else the first slot it may take */
	for (int i = 0; i < THROTTLE_PROBE; i++) {
		struct throttle_entry *s = &t->tab->slot[probe(home, i)];
		if (s->key == key) {
			add_fail(&s->start, &s->fails, now_ms);
			unlock(t->tab);
			return;
		}
		if (free_slot == NULL && reusable(s, now_ms))
			free_slot = s;
	}
	if (free_slot != NULL) {
		claim(free_slot, key, now_ms);
		add_fail(&free_slot->start, &free_slot->fails, now_ms);
	} else {
		e = &t->tab->slot[home];
		add_fail(&e->ostart, &e->ofails, now_ms);
	}
	unlock(t->tab);
	if (free_slot == NULL && !said++)
		log_msg("throttle: a probe window is full (many addresses failing at once): "
		        "counting those that find no room by their home slot");
}

/* A secret for a new table: random, or (no entropy yet at boot) the clock and pid. */
static void new_secret(uint64_t s[2])
{
	struct timespec a, b;

	if (getrandom(s, 2 * sizeof(*s), GRND_NONBLOCK) == (ssize_t)(2 * sizeof(*s)))
		return;
	clock_gettime(CLOCK_REALTIME, &a);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s[0] = (uint64_t)a.tv_sec * 1000000007ULL ^ (uint64_t)a.tv_nsec ^ (uint64_t)getpid() << 40;
	s[1] = (uint64_t)b.tv_sec * 998244353ULL ^ (uint64_t)b.tv_nsec ^ (uint64_t)getppid() << 32;
}

/*
 * Under the file's lock: a table whose magic is 0 (a new file, or one whose first worker
 * died initializing it, so that no worker uses it) is initialized; one with this
 * layout's header is used as it is; anything else is refused (-1).
 */
static int adopt(void *mem, void *arg)
{
	struct throttle_table *tab = mem;
	uint64_t s[2];

	(void)arg;
	if (tab->magic == 0) {
		new_secret(s);
		return throttle_table_init(tab, 1, s);
	}
	if (tab->magic == THROTTLE_MAGIC && tab->version == THROTTLE_VERSION &&
	    tab->size == (uint32_t)sizeof(*tab))
		return 0;
	return -1;
}

/* The worker's own table, when the host's cannot be had. */
static struct throttle_table *map_private(void)
{
	struct throttle_table *tab =
	    mmap(NULL, sizeof(*tab), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t s[2];

	if (tab == MAP_FAILED)
		return NULL;
	new_secret(s);
	if (throttle_table_init(tab, 0, s) != 0) {
		munmap(tab, sizeof(*tab));
		return NULL;
	}
	return tab;
}

int throttle_open(struct throttle *t, const char *path, const char *list)
{
	struct throttle_table *tab = NULL;
	int shared;

	if (path == NULL || *path == '\0')
		log_msg("throttle: PC_THROTTLE is not set: counting failures in this worker only");
	else
		tab = shm_map(path, sizeof(*tab), adopt, NULL, "throttle",
		              "counting failures in this worker only");
	shared = tab != NULL;
	if (tab == NULL && (tab = map_private()) == NULL) {
		log_msg("throttle: cannot map memory: errno=%d", errno);
		memset(t, 0, sizeof(*t));
		return -1;
	}
	throttle_init(t, tab, list);
	t->shared = shared;
	return 0;
}

void throttle_close(struct throttle *t)
{
	if (t->tab != NULL)
		munmap(t->tab, sizeof(*t->tab));
	t->tab = NULL;
}

int throttle_left(const struct throttle *t, const char *addr)
{
	return t == NULL ? 0 : throttle_wait(t, addr, clock_ms());
}

void throttle_count(const struct throttle *t, const char *addr)
{
	if (t != NULL)
		throttle_fail(t, addr, clock_ms());
}
