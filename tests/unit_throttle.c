/* unit_throttle.c - failed authentications per client address: the window, the
 * threshold, the wait, exemptions and slots taken over. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../src/throttle.c"

static struct throttle t; /* large: not on the stack */

static void fail_n(const char *addr, int n, long long at)
{
	for (int i = 0; i < n; i++)
		throttle_fail(&t, addr, at);
}

Test(throttle, threshold_and_window)
{
	throttle_init(&t, NULL);
	fail_n("192.0.2.1", THROTTLE_FAILS_MAX - 1, 1000);
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 1000), 0, "one failure short: may try");
	throttle_fail(&t, "192.0.2.1", 2000);
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 2000), 9, "the window began at 1000 ms");
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 1000 + THROTTLE_WINDOW_MS - 1), 1,
	             "a ms left is a second to wait");
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 1000 + THROTTLE_WINDOW_MS), 0,
	             "the window is over");
	cr_expect_eq(throttle_wait(&t, "192.0.2.2", 2000), 0, "another address may try");
	/* a failure after the window starts a new one */
	throttle_fail(&t, "192.0.2.1", 1000 + THROTTLE_WINDOW_MS);
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 1000 + THROTTLE_WINDOW_MS), 0,
	             "one failure in the new window");
}

Test(throttle, exempt_and_odd_addresses)
{
	char longaddr[THROTTLE_ADDR_MAX + 2];

	throttle_init(&t, " 127.0.0.1,::1\t10.0.0.7 ");
	cr_expect_eq(t.nexempt, 3);
	fail_n("127.0.0.1", 100, 0);
	fail_n("::1", 100, 0);
	cr_expect_eq(throttle_wait(&t, "127.0.0.1", 0), 0, "exempt");
	cr_expect_eq(throttle_wait(&t, "::1", 0), 0, "exempt");
	fail_n("127.0.0.10", THROTTLE_FAILS_MAX, 0);
	cr_expect(throttle_wait(&t, "127.0.0.10", 0) > 0, "a prefix of an exempt one is not");
	fail_n(NULL, 100, 0);
	cr_expect_eq(throttle_wait(&t, NULL, 0), 0, "no address: never throttled");
	memset(longaddr, '9', sizeof(longaddr) - 1);
	longaddr[sizeof(longaddr) - 1] = '\0';
	fail_n(longaddr, 100, 0);
	cr_expect_eq(throttle_wait(&t, longaddr, 0), 0, "too long to track");
}

Test(throttle, a_slot_taken_over_starts_afresh)
{
	char a[32], b[32];
	size_t sa;

	throttle_init(&t, NULL);
	/* find two addresses that share a slot */
	snprintf(a, sizeof(a), "198.51.100.1");
	sa = slot_of(a);
	for (int i = 2;; i++) {
		snprintf(b, sizeof(b), "198.51.100.%d.%d", i / 256, i % 256);
		if (slot_of(b) == sa)
			break;
	}
	fail_n(a, THROTTLE_FAILS_MAX, 0);
	cr_expect(throttle_wait(&t, a, 0) > 0);
	throttle_fail(&t, b, 1);
	cr_expect_eq(throttle_wait(&t, a, 1), 0, "a's slot went to b");
	cr_expect_eq(throttle_wait(&t, b, 1), 0, "b has one failure");
}
