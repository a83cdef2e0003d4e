/*
 * throttle.h - repeated authentication failures, per client address, counted by every
 * worker of every pool on the host: an address that failed THROTTLE_FAILS_MAX times
 * within THROTTLE_WINDOW_MS is answered 429 until the window has passed, valid token
 * or not, whichever worker it reaches, so that guessing tokens or secrets from it stops.
 *
 * The counts live in one table, struct throttle_table: in a file every worker maps
 * shared ($PC_THROTTLE), or, without one, in the worker's own memory. The functions that
 * take the time (throttle_wait, throttle_fail) are pure over the table: where it lives
 * is the caller's business.
 *
 * An address is counted by what one client owns: an IPv4 address (also when written as
 * IPv4-mapped IPv6), the /64 of an IPv6 address (one host owns a whole /64 and may use
 * any address in it), or the text of anything else. Its key is a 64-bit SipHash of that,
 * under a secret chosen when the table is made, so that no one can aim addresses at
 * one part of the table. An address has a home slot, and its entry is the first slot of
 * its probe window (its home and the THROTTLE_PROBE - 1 slots after it) that holds its
 * key. A failure of an address without an entry takes the first slot of the window that
 * is free or whose window has passed: an entry still within its window (a throttled one
 * among them) is never given to another address, so no two addresses can push each
 * other out.
 *
 * When the probe window is full (THROTTLE_PROBE other addresses failed within the last
 * window, or the whole table is taken), the failure is counted in the home slot's
 * overflow count instead, shared by every address of that home that found no room, and
 * an address with no entry of its own is refused while its home's overflow count is at
 * THROTTLE_FAILS_MAX. So:
 * - flooding with addresses lets none escape: those that find no room are throttled
 *   together, at most THROTTLE_FAILS_MAX failures per home slot and window;
 * - nor does it lock everyone out: an address that has its own entry is judged by it
 *   alone, and one that never failed is refused only if it shares its home slot (1 in
 *   THROTTLE_ENTRIES, not chosen by the attacker: the key is secret) with addresses that
 *   failed THROTTLE_FAILS_MAX times in a full window, and only for that window.
 */
#ifndef PC_THROTTLE_H
#define PC_THROTTLE_H

#include <pthread.h>
#include <stdint.h>

#define THROTTLE_ENTRIES 65536   /* addresses tracked at once, host-wide: 2 MiB of table */
#define THROTTLE_PROBE 16        /* slots an address may take: its home and those after */
#define THROTTLE_ADDR_MAX 45     /* longest textual address (IPv6 with IPv4 tail) */
#define THROTTLE_FAILS_MAX 10    /* failures per address and window, host-wide */
#define THROTTLE_WINDOW_MS 10000 /* the window, from an address's first failure */
#define THROTTLE_EXEMPT_MAX 16   /* addresses never throttled (PC_UNLIMITED) */
#define THROTTLE_KEY_MAX (1 + THROTTLE_ADDR_MAX) /* a kind, then the address's bytes */
#define THROTTLE_MAGIC 0x7063746872746c31ULL     /* "pcthrtl1": the file is one of ours */
#define THROTTLE_VERSION 1 /* of the table's layout; a file of another one is refused */

/* One slot: an address's entry, and the overflow count of the addresses whose home it
 * is. The times are milliseconds of CLOCK_MONOTONIC, the same in every process. */
struct throttle_entry {
	uint64_t key;   /* the address's key; 0: never used */
	int64_t start;  /* its window's first failure */
	int32_t fails;  /* failures in that window, at most THROTTLE_FAILS_MAX */
	int32_t ofails; /* the overflow count: failures that found the window full */
	int64_t ostart; /* the overflow count's window */
};

struct throttle_table {
	uint64_t magic; /* THROTTLE_MAGIC, written last */
	uint32_t version;
	uint32_t size;        /* sizeof(struct throttle_table) */
	uint64_t secret[2];   /* the SipHash key */
	pthread_mutex_t lock; /* robust; process-shared in a file (throttle.c says why) */
	struct throttle_entry slot[THROTTLE_ENTRIES];
};

/* A normalized address: its kind and bytes (addr_key in throttle.c). */
struct throttle_addr {
	unsigned char b[THROTTLE_KEY_MAX];
	unsigned char n;
};

/* A worker's view: the table and the addresses it never throttles. */
struct throttle {
	struct throttle_table *tab;
	int shared; /* tab is the host's file, mapped */
	struct throttle_addr exempt[THROTTLE_EXEMPT_MAX];
	int nexempt;
};

/* Makes tab an empty table under secret; shared: its lock works across processes (the
 * table is in a shared mapping). Returns 0, or -1 when the lock cannot be made. */
int throttle_table_init(struct throttle_table *tab, int shared, const uint64_t secret[2]);

/* Points t at tab; list (may be NULL) names exempt addresses, separated by blanks or
 * commas, each exempt as written (an IPv6 address alone, not its /64). Those longer
 * than THROTTLE_ADDR_MAX and those past THROTTLE_EXEMPT_MAX are ignored. */
void throttle_init(struct throttle *t, struct throttle_table *tab, const char *list);

/* Seconds addr must still wait (1 or more), or 0 when it may try. addr NULL, empty,
 * exempt or too long: 0. */
int throttle_wait(const struct throttle *t, const char *addr, long long now_ms);

/* Counts one failed authentication of addr (NULL, empty, exempt or too long: nothing). */
void throttle_fail(const struct throttle *t, const char *addr, long long now_ms);

/*
 * The worker's side. throttle_open maps the table of path (the file every worker of
 * the host shares: created 0600 when missing, sized and initialized when empty; never
 * resized) into t, with the exempt list. path NULL or empty, or a file that cannot be
 * used: a table of the worker's own, with one log line saying why. Returns -1 only when
 * there is no memory for either. throttle_close unmaps it (t may be unopened: zeroed).
 */
int throttle_open(struct throttle *t, const char *path, const char *list);
void throttle_close(struct throttle *t);

/* The seconds addr must still wait before it may try again (0: none; the caller answers
 * 429 with them). t may be NULL (no throttling). */
int throttle_left(const struct throttle *t, const char *addr);
/* Counts a failed authentication of addr now. t may be NULL. */
void throttle_count(const struct throttle *t, const char *addr);

#endif
