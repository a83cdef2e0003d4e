/*
 * throttle.c - counts authentication failures per client address in a fixed table of
 * slots, one address per slot (a newer address takes over a slot, as a cache would).
 * No allocation: the table lives in the worker.
 */
#include <string.h>
#include <time.h>

#include "resp.h"
#include "throttle.h"

/* FNV-1a of the address: its slot. */
static size_t slot_of(const char *addr)
{
	unsigned h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % THROTTLE_SLOTS;
}

static int exempt(const struct throttle *t, const char *addr)
{
	for (int i = 0; i < t->nexempt; i++)
		if (strcmp(t->exempt[i], addr) == 0)
			return 1;
	return 0;
}

void throttle_init(struct throttle *t, const char *list)
{
	memset(t, 0, sizeof(*t));
	for (const char *p = list; p != NULL && *p != '\0';) {
		size_t n;
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n > 0 && n <= THROTTLE_ADDR_MAX && t->nexempt < THROTTLE_EXEMPT_MAX) {
			memcpy(t->exempt[t->nexempt], p, n);
			t->exempt[t->nexempt++][n] = '\0';
		}
		p += n;
	}
}

int throttle_wait(const struct throttle *t, const char *addr, long long now_ms)
{
	const struct throttle_slot *s;
	long long left;

	if (addr == NULL || strlen(addr) > THROTTLE_ADDR_MAX || exempt(t, addr))
		return 0;
	s = &t->slot[slot_of(addr)];
	if (strcmp(s->addr, addr) != 0 || s->fails < THROTTLE_FAILS_MAX)
		return 0;
	left = s->start + THROTTLE_WINDOW_MS - now_ms;
	if (left <= 0)
		return 0;
	return (int)((left + 999) / 1000);
}

void throttle_fail(struct throttle *t, const char *addr, long long now_ms)
{
	struct throttle_slot *s;
	size_t n;

	if (addr == NULL || (n = strlen(addr)) > THROTTLE_ADDR_MAX || exempt(t, addr))
		return;
	s = &t->slot[slot_of(addr)];
	if (strcmp(s->addr, addr) != 0 || now_ms - s->start >= THROTTLE_WINDOW_MS) {
		memcpy(s->addr, addr, n + 1);
		s->start = now_ms;
		s->fails = 0;
	}
	if (s->fails < THROTTLE_FAILS_MAX)
		s->fails++;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int throttle_refuse(const struct throttle *t, const char *addr, struct resp *rs)
{
	int wait;

	if (t == NULL || (wait = throttle_wait(t, addr, now_ms())) == 0)
		return 0;
	resp_error(rs, ERR_TOO_MANY);
	rs->retry_after = wait;
	return 1;
}

void throttle_count(struct throttle *t, const char *addr)
{
	if (t != NULL)
		throttle_fail(t, addr, now_ms());
}
