/*
 * throttle.h - repeated authentication failures, per client address, in one worker: an
 * address that failed THROTTLE_FAILS_MAX times within THROTTLE_WINDOW_MS is answered
 * 429 until the window has passed, valid token or not, so that guessing tokens or
 * secrets from it stops. Pure: the caller passes the time.
 */
#ifndef PC_THROTTLE_H
#define PC_THROTTLE_H

#define THROTTLE_SLOTS 1024      /* addresses one worker tracks at once */
#define THROTTLE_ADDR_MAX 45     /* longest textual address (IPv6 with IPv4 tail) */
#define THROTTLE_FAILS_MAX 10    /* failures per address and window, per worker */
#define THROTTLE_WINDOW_MS 10000 /* the window, from an address's first failure */
#define THROTTLE_EXEMPT_MAX 16   /* addresses never throttled (PC_UNLIMITED) */

struct throttle_slot {
	char addr[THROTTLE_ADDR_MAX + 1]; /* "" when free */
	long long start;                  /* ms of the window's first failure */
	int fails;
};

struct throttle {
	struct throttle_slot slot[THROTTLE_SLOTS];
	char exempt[THROTTLE_EXEMPT_MAX][THROTTLE_ADDR_MAX + 1];
	int nexempt;
};

/* Empties t; list (may be NULL) names exempt addresses, separated by blanks or commas.
 * Addresses longer than THROTTLE_ADDR_MAX and those past THROTTLE_EXEMPT_MAX are
 * ignored. */
void throttle_init(struct throttle *t, const char *list);

/* Seconds addr must still wait (1 or more), or 0 when it may try. addr may be NULL. */
int throttle_wait(const struct throttle *t, const char *addr, long long now_ms);

/* Counts one failed authentication of addr (NULL, exempt or too long: nothing). */
void throttle_fail(struct throttle *t, const char *addr, long long now_ms);

/* The worker's side, at the current time. t may be NULL (no throttling). */
struct resp;
/* Answers 429 too_many_requests with Retry-After into rs and returns 1 when addr must
 * still wait; else 0. */
int throttle_refuse(const struct throttle *t, const char *addr, struct resp *rs);
/* Counts a failed authentication of addr now. */
void throttle_count(struct throttle *t, const char *addr);

#endif
