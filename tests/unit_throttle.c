/* unit_throttle.c - failed authentications per client address: the threshold, the
 * window, the wait; addresses that share a home slot; a full probe window and a full
 * table; exemptions and odd addresses; IPv6 by its /64; the table shared by processes
 * (at once, and one killed holding its lock); the file the workers share. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/domain/throttle.c"

#define ADDR_LEN 48
#define PROCESS_ADDRS 2000 /* addresses two processes count at once */
#define PROCESS_ROUNDS 10  /* times they do */

static const uint64_t test_secret[2] = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
static struct throttle_table tab; /* large: not on the stack */
static struct throttle t;
static char dir[64];

static void fresh(const char *exempt)
{
	cr_assert_eq(throttle_table_init(&tab, 0, test_secret), 0);
	throttle_init(&t, &tab, exempt);
}

static void fail_n(const char *addr, int n, long long at)
{
	for (int i = 0; i < n; i++)
		throttle_fail(&t, addr, at);
}

/* The key of addr in a table of test_secret. */
static uint64_t key_of_text(const char *addr)
{
	struct throttle_addr a;

	cr_assert_eq(addr_key(addr, &a), 0, "%s", addr);
	counted_part(&a);
	return siphash(test_secret, a.b, a.n) ? siphash(test_secret, a.b, a.n) : 1;
}

/* The next IPv4 address after *i (10.x.y.z) whose home slot is home. */
static void homed_at(size_t home, unsigned *i, char *out)
{
	for (;; (*i)++) {
		snprintf(out, ADDR_LEN, "10.%u.%u.%u", (*i >> 16) & 255, (*i >> 8) & 255, *i & 255);
		if (home_of(key_of_text(out)) == home) {
			(*i)++;
			return;
		}
		cr_assert_lt(*i, 1u << 24, "no address of home %zu", home);
	}
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/unit-throttle-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

/* The reference implementation's vectors: key 00..0f, inputs 00, 01, ... */
Test(throttle, siphash_vectors)
{
	unsigned char in[15];

	for (int i = 0; i < 15; i++)
		in[i] = (unsigned char)i;
	cr_expect_eq(siphash(test_secret, in, 0), 0x726fdb47dd0e0e31ULL);
	cr_expect_eq(siphash(test_secret, in, 8), 0x93f5f5799a932462ULL);
	cr_expect_eq(siphash(test_secret, in, 15), 0xa129ca6149be45e5ULL);
}

Test(throttle, threshold_and_window)
{
	fresh(NULL);
	fail_n("192.0.2.1", THROTTLE_FAILS_MAX - 1, 1000);
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 1000), 0, "one failure short: may try");
	throttle_fail(&t, "192.0.2.1", 2000);
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 2000), 9, "the tenth: the window began at 1 s");
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 1000 + THROTTLE_WINDOW_MS - 1), 1,
	             "a ms left is a second to wait");
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 1000 + THROTTLE_WINDOW_MS), 0,
	             "the window is over");
	cr_expect_eq(throttle_wait(&t, "192.0.2.2", 2000), 0, "another address may try");
	/* a failure after the window starts a new one */
	throttle_fail(&t, "192.0.2.1", 1000 + THROTTLE_WINDOW_MS);
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 1000 + THROTTLE_WINDOW_MS), 0,
	             "one failure in the new window");
	fail_n("192.0.2.1", THROTTLE_FAILS_MAX - 1, 1000 + THROTTLE_WINDOW_MS);
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 1000 + THROTTLE_WINDOW_MS), 10,
	             "ten in the new window");
	/* a time read before another worker's count never asks for more than a window */
	cr_expect_eq(throttle_wait(&t, "192.0.2.1", 999 + THROTTLE_WINDOW_MS), 10);
}

/* Two addresses of one home slot, failing in turn: each has its own entry, and both
 * are throttled at their tenth failure (a direct-mapped table let them push each other
 * out for ever). */
Test(throttle, alternating_addresses_of_one_home)
{
	char a[ADDR_LEN], b[ADDR_LEN];
	unsigned i = 0;

	fresh(NULL);
	homed_at(home_of(key_of_text("198.51.100.1")), &i, b);
	snprintf(a, sizeof(a), "198.51.100.1");
	cr_assert_neq(key_of_text(a), key_of_text(b));
	for (int k = 0; k < THROTTLE_FAILS_MAX; k++) {
		cr_expect_eq(throttle_wait(&t, a, k), 0, "%s, failure %d", a, k);
		cr_expect_eq(throttle_wait(&t, b, k), 0, "%s, failure %d", b, k);
		throttle_fail(&t, a, k);
		throttle_fail(&t, b, k);
	}
	cr_expect_gt(throttle_wait(&t, a, THROTTLE_FAILS_MAX), 0, "%s", a);
	cr_expect_gt(throttle_wait(&t, b, THROTTLE_FAILS_MAX), 0, "%s (same home as %s)", b, a);
}

/* THROTTLE_PROBE addresses of one home fill its window. A further one that fails is
 * counted by the home's overflow count: throttled at its tenth failure all the same.
 * An address of that home with no entry of its own waits with it (the stated cost); the
 * window's own addresses keep their counts, and other homes are not affected. */
Test(throttle, full_probe_window)
{
	char fill[THROTTLE_PROBE][ADDR_LEN], x[ADDR_LEN], y[ADDR_LEN], z[ADDR_LEN];
	size_t home = home_of(key_of_text("203.0.113.9"));
	unsigned i = 0;

	fresh(NULL);
	for (int k = 0; k < THROTTLE_PROBE; k++) {
		homed_at(home, &i, fill[k]);
		throttle_fail(&t, fill[k], 0);
	}
	for (int k = 0; k < THROTTLE_PROBE; k++)
		cr_assert_eq(tab.slot[probe(home, k)].key, key_of_text(fill[k]), "slot %d", k);
	homed_at(home, &i, x);
	homed_at(home, &i, y);
	homed_at(home + 1, &i, z);

	for (int k = 0; k < THROTTLE_FAILS_MAX - 1; k++)
		throttle_fail(&t, x, 100);
	cr_expect_eq(throttle_wait(&t, x, 100), 0, "nine failures in the overflow count");
	cr_expect_null(find(&tab, key_of_text(x)), "no room: no entry");
	throttle_fail(&t, x, 100);
	cr_expect_eq(throttle_wait(&t, x, 100), 10, "its tenth failure throttles it");
	cr_expect_eq(throttle_wait(&t, y, 100), 10, "an address of that home with no entry");
	cr_expect_eq(throttle_wait(&t, z, 100), 0, "an address of the next home");
	cr_expect_eq(throttle_wait(&t, "192.0.2.200", 100), 0, "an address elsewhere");
	cr_expect_eq(throttle_wait(&t, fill[3], 100), 0, "an entry of its own: judged by it");
	fail_n(fill[3], THROTTLE_FAILS_MAX - 1, 100);
	cr_expect_eq(throttle_wait(&t, fill[3], 100), 10, "and throttled by it");
	cr_expect_eq(throttle_wait(&t, fill[4], 100), 0, "one failure");

	/* z's window (home + 1 on) still has a free slot past the full one */
	fail_n(z, THROTTLE_FAILS_MAX, 200);
	cr_expect_not_null(find(&tab, key_of_text(z)), "z has an entry");
	cr_expect_eq(throttle_wait(&t, z, 200), 10);

	/* the window passed: the first failure takes the first slot whose window passed */
	cr_expect_eq(throttle_wait(&t, x, THROTTLE_WINDOW_MS + 100), 0);
	cr_expect_eq(throttle_wait(&t, y, THROTTLE_WINDOW_MS + 100), 0);
	throttle_fail(&t, x, THROTTLE_WINDOW_MS + 100);
	cr_expect_eq(tab.slot[home].key, key_of_text(x), "the first slot, its window passed");
	cr_expect_eq(throttle_wait(&t, fill[3], THROTTLE_WINDOW_MS + 100), 0,
	             "its window began with its first failure, at 0");
}

/* Every slot held by an address within its window: no address escapes by flooding (a new
 * one is throttled at its tenth failure), and none that never failed is locked out. */
Test(throttle, full_table)
{
	char x[ADDR_LEN];
	uint64_t kx;
	int locked = 0;

	fresh(NULL);
	/* as if THROTTLE_ENTRIES addresses had each failed once at 0 */
	for (size_t s = 0; s < THROTTLE_ENTRIES; s++) {
		tab.slot[s].key = (uint64_t)s * 2654435761ULL + 12345;
		tab.slot[s].start = 0;
		tab.slot[s].fails = 1;
	}
	snprintf(x, sizeof(x), "2001:db8:77::1");
	kx = key_of_text(x);
	fail_n(x, THROTTLE_FAILS_MAX - 1, 500);
	cr_expect_eq(throttle_wait(&t, x, 500), 0, "nine failures");
	throttle_fail(&t, x, 500);
	cr_expect_eq(throttle_wait(&t, x, 500), 10, "the tenth throttles it");
	cr_expect_eq(tab.slot[home_of(kx)].ofails, THROTTLE_FAILS_MAX);
	/* a thousand addresses that never failed: only one of x's home could wait */
	for (int k = 0; k < 1000; k++) {
		char a[ADDR_LEN];
		snprintf(a, sizeof(a), "172.16.%d.%d", k / 256, k % 256);
		if (throttle_wait(&t, a, 500) != 0) {
			locked++;
			cr_expect_eq(home_of(key_of_text(a)), home_of(kx), "%s waits", a);
		}
	}
	cr_expect_leq(locked, 1, "%d addresses that never failed wait", locked);
	/* the table's own addresses keep their entries */
	for (size_t s = 0; s < THROTTLE_ENTRIES; s++)
		cr_assert_eq(tab.slot[s].key, (uint64_t)s * 2654435761ULL + 12345);
	/* once their windows pass, a failing address gets an entry of its own */
	throttle_fail(&t, x, THROTTLE_WINDOW_MS + 1);
	cr_expect_not_null(find(&tab, kx));
	cr_expect_eq(throttle_wait(&t, x, THROTTLE_WINDOW_MS + 1), 0);
}

Test(throttle, exempt_and_odd_addresses)
{
	char longaddr[THROTTLE_ADDR_MAX + 2];

	fresh(" 127.0.0.1,::1\t10.0.0.7 2001:db8::5 ");
	cr_expect_eq(t.nexempt, 4);
	fail_n("127.0.0.1", 100, 0);
	fail_n("::1", 100, 0);
	cr_expect_eq(throttle_wait(&t, "127.0.0.1", 0), 0, "exempt");
	cr_expect_eq(throttle_wait(&t, "::1", 0), 0, "exempt");
	cr_expect_eq(throttle_wait(&t, "0:0::1", 0), 0, "exempt however it is written");
	fail_n("::ffff:127.0.0.1", 100, 0);
	cr_expect_eq(throttle_wait(&t, "::ffff:127.0.0.1", 0), 0, "exempt, IPv4-mapped");
	fail_n("127.0.0.10", THROTTLE_FAILS_MAX, 0);
	cr_expect_gt(throttle_wait(&t, "127.0.0.10", 0), 0, "a prefix of an exempt one is not");
	/* an exempt IPv6 address is exempt alone, not its /64 */
	fail_n("2001:db8::6", THROTTLE_FAILS_MAX, 0);
	cr_expect_gt(throttle_wait(&t, "2001:db8::6", 0), 0, "its neighbour is not exempt");
	cr_expect_eq(throttle_wait(&t, "2001:db8::5", 0), 0, "it is");
	fail_n(NULL, 100, 0);
	fail_n("", 100, 0);
	cr_expect_eq(throttle_wait(&t, NULL, 0), 0, "no address: never throttled");
	cr_expect_eq(throttle_wait(&t, "", 0), 0, "an empty one either");
	memset(longaddr, '9', sizeof(longaddr) - 1);
	longaddr[sizeof(longaddr) - 1] = '\0';
	fail_n(longaddr, 100, 0);
	cr_expect_eq(throttle_wait(&t, longaddr, 0), 0, "too long to track");
	longaddr[THROTTLE_ADDR_MAX] = '\0';
	fail_n(longaddr, THROTTLE_FAILS_MAX, 0);
	cr_expect_gt(throttle_wait(&t, longaddr, 0), 0, "the longest there is: tracked");
	/* what is not an address is counted by its text (nginx on a unix socket: "unix:") */
	fail_n("unix:", THROTTLE_FAILS_MAX, 0);
	cr_expect_gt(throttle_wait(&t, "unix:", 0), 0);
	cr_expect_eq(throttle_wait(&t, "unix:x", 0), 0);
	/* no table: nothing */
	cr_expect_eq(throttle_wait(NULL, "192.0.2.1", 0), 0);
	throttle_fail(NULL, "192.0.2.1", 0);
}

/* One host owns a whole /64: its addresses are counted together. An IPv4 address is
 * the same client however it is written. */
Test(throttle, ipv6_by_its_64_and_ipv4_mapped)
{
	char a[ADDR_LEN];

	fresh(NULL);
	for (int k = 0; k < THROTTLE_FAILS_MAX; k++) {
		snprintf(a, sizeof(a), "2001:db8:1:2::%x", k + 1);
		cr_expect_eq(throttle_wait(&t, a, 0), 0, "%s", a);
		throttle_fail(&t, a, 0);
	}
	cr_expect_gt(throttle_wait(&t, "2001:db8:1:2:ffff:ffff:ffff:ffff", 0), 0, "same /64");
	cr_expect_gt(throttle_wait(&t, "2001:DB8:1:2:0:0:0:99", 0), 0, "written otherwise");
	cr_expect_eq(throttle_wait(&t, "2001:db8:1:3::1", 0), 0, "the next /64");
	cr_expect_eq(throttle_wait(&t, "2001:db8:1::2", 0), 0, "not a prefix of the text");

	fail_n("192.0.2.9", THROTTLE_FAILS_MAX / 2, 0);
	fail_n("::ffff:192.0.2.9", THROTTLE_FAILS_MAX - THROTTLE_FAILS_MAX / 2, 0);
	cr_expect_gt(throttle_wait(&t, "192.0.2.9", 0), 0, "one client, two spellings");
	cr_expect_gt(throttle_wait(&t, "::FFFF:192.0.2.9", 0), 0);
	cr_expect_eq(throttle_wait(&t, "::192.0.2.9", 0), 0, "IPv4-compatible is IPv6");
}

/* The table in a shared mapping, as the workers have it. */
static struct throttle_table *shared_table(void)
{
	struct throttle_table *sh =
	    mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(sh, MAP_FAILED);
	cr_assert_eq(throttle_table_init(sh, 1, test_secret), 0);
	return sh;
}

static void wait_child(pid_t pid, const char *label)
{
	int st;

	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status %d", label, st);
}

static void process_addr(char *out, const char *set, int k)
{
	snprintf(out, ADDR_LEN, "10.%s.%d.%d", set, k / 250, k % 250);
}

/* Two processes count at once, on the same addresses in the same order, from a fresh
 * table: every failure is counted (five each make ten: throttled; five and four: not),
 * and once both are done, each refuses what both counted to ten. Returns how many of
 * set 1 the parent finds throttled, and of set 2 in *over. */
static int count_together(struct throttle_table *sh, int *over)
{
	int go[2], done[2], check[2], throttled = 0;
	pid_t kids[2];
	char a[ADDR_LEN], one;
	struct throttle v;

	cr_assert_eq(throttle_table_init(sh, 1, test_secret), 0);
	cr_assert_eq(pipe(go), 0);
	cr_assert_eq(pipe(done), 0);
	cr_assert_eq(pipe(check), 0);
	for (int c = 0; c < 2; c++) {
		kids[c] = fork();
		cr_assert_geq(kids[c], 0);
		if (kids[c] == 0) {
			struct throttle w;
			char b[ADDR_LEN];
			int bad = 0;
			throttle_init(&w, sh, NULL);
			close(go[1]);
			close(check[1]);
			if (read(go[0], &one, 1) != 0) /* both start when the pipe closes */
				_exit(2);
			for (int r = 0; r < THROTTLE_FAILS_MAX / 2; r++) {
				for (int k = 0; k < PROCESS_ADDRS; k++) {
					process_addr(b, "1", k);
					throttle_fail(&w, b, 1000);
					/* set 2: the second process counts one fewer */
					process_addr(b, "2", k);
					if (c == 0 || r > 0)
						throttle_fail(&w, b, 1000);
				}
			}
			if (write(done[1], "x", 1) != 1 || read(check[0], &one, 1) != 0)
				_exit(2);
			for (int k = 0; k < PROCESS_ADDRS; k++) {
				process_addr(b, "1", k);
				bad += throttle_wait(&w, b, 1001) == 0;
			}
			_exit(bad == 0 ? 0 : 1);
		}
	}
	close(go[0]);
	close(go[1]);
	close(check[0]);
	for (int c = 0; c < 2; c++)
		cr_assert_eq(read(done[0], &one, 1), 1);
	close(check[1]);
	close(done[0]);
	close(done[1]);
	for (int c = 0; c < 2; c++)
		wait_child(kids[c], "a counting process refuses every address of set 1");
	throttle_init(&v, sh, NULL);
	*over = 0;
	for (int k = 0; k < PROCESS_ADDRS; k++) {
		process_addr(a, "1", k);
		throttled += throttle_wait(&v, a, 1001) > 0;
		process_addr(a, "2", k);
		*over += throttle_wait(&v, a, 1001) > 0;
	}
	return throttled;
}

Test(throttle, processes_count_together, .timeout = 60)
{
	struct throttle_table *sh = shared_table();
	struct throttle v;
	char a[ADDR_LEN];
	int over;

	/* a few times: two processes meet on one entry now and then, not every time */
	for (int round = 0; round < PROCESS_ROUNDS; round++) {
		cr_expect_eq(count_together(sh, &over), PROCESS_ADDRS, "five and five: throttled");
		cr_expect_eq(over, 0, "five and four: not");
	}
	/* the tenth failure counted by another process than the first nine */
	throttle_init(&v, sh, NULL);
	process_addr(a, "3", 0);
	for (int c = 0; c < 2; c++) {
		pid_t pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			for (int k = 0; k < (c == 0 ? THROTTLE_FAILS_MAX - 1 : 1); k++)
				throttle_fail(&v, a, 2000);
			_exit(throttle_wait(&v, a, 2000) == (c == 0 ? 0 : 10) ? 0 : 1);
		}
		wait_child(pid, c == 0 ? "nine failures" : "the tenth");
	}
	cr_expect_eq(throttle_wait(&v, a, 2000), 10, "refused here too");
	munmap(sh, sizeof(*sh));
}

/* A worker killed while it holds the table's lock does not keep it: the next one goes
 * on (EOWNERDEAD), and the counts are whole. */
Test(throttle, killed_holding_the_lock, .timeout = 10)
{
	struct throttle_table *sh = shared_table();
	struct throttle v;
	pid_t pid;

	throttle_init(&v, sh, NULL);
	for (int k = 0; k < THROTTLE_FAILS_MAX - 1; k++)
		throttle_fail(&v, "192.0.2.50", 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (lock(sh) != 0)
			_exit(1);
		raise(SIGKILL);
		_exit(1);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	cr_expect_eq(throttle_wait(&v, "192.0.2.50", 0), 0, "the lock is had again");
	throttle_fail(&v, "192.0.2.50", 0);
	cr_expect_eq(throttle_wait(&v, "192.0.2.50", 0), 10, "nine and one");
	/* and again, with no one waiting when it died */
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		lock(sh);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	throttle_fail(&v, "192.0.2.51", 0);
	cr_expect_not_null(find(sh, key_of_text("192.0.2.51")));
	munmap(sh, sizeof(*sh));
}

static void path_in_dir(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Two workers that open one file share their counts; the file is made 0600 and sized
 * once; a new file starts empty; anything else leaves the worker counting alone. */
Test(throttle, the_file_workers_share, .init = setup, .fini = teardown)
{
	char path[128];
	struct throttle a, b, c;
	struct stat st;
	FILE *f;

	path_in_dir(path, sizeof(path), "throttle");
	cr_assert_eq(throttle_open(&a, path, "192.0.2.99"), 0);
	cr_assert_eq(throttle_open(&b, path, NULL), 0);
	cr_expect(a.shared && b.shared);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq((size_t)st.st_size, sizeof(struct throttle_table));
	cr_expect_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	cr_expect_neq(a.tab->secret[0] | a.tab->secret[1], 0, "a secret");
	for (int k = 0; k < THROTTLE_FAILS_MAX / 2; k++) {
		throttle_fail(&a, "192.0.2.7", 100);
		throttle_fail(&b, "192.0.2.7", 100);
		throttle_fail(&b, "192.0.2.99", 100);
		throttle_fail(&b, "192.0.2.99", 100);
	}
	cr_expect_eq(throttle_wait(&a, "192.0.2.7", 100), 10, "counted by both");
	cr_expect_eq(throttle_wait(&a, "192.0.2.99", 100), 0, "exempt for a");
	cr_expect_eq(throttle_wait(&b, "192.0.2.99", 100), 10, "not for b");
	throttle_close(&a); /* a worker that exits; another starts */
	cr_assert_eq(throttle_open(&a, path, NULL), 0);
	cr_expect_eq(throttle_wait(&a, "192.0.2.7", 100), 10, "the counts outlive a worker");
	throttle_close(&a);
	throttle_close(&b);

	/* a new file: no counts */
	cr_assert_eq(unlink(path), 0);
	f = fopen(path, "w"); /* empty, as tools/stack makes it */
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(throttle_open(&a, path, NULL), 0);
	cr_expect(a.shared);
	cr_expect_eq(file_size(path), (long)sizeof(struct throttle_table));
	cr_expect_eq(throttle_wait(&a, "192.0.2.7", 100), 0, "a new file starts empty");
	/* another layout's header at the right size: left alone */
	a.tab->version = THROTTLE_VERSION + 1;
	cr_assert_eq(throttle_open(&c, path, NULL), 0);
	cr_expect_not(c.shared, "another version");
	throttle_close(&c);
	a.tab->version = THROTTLE_VERSION;
	throttle_close(&a);

	/* another size: not resized; no file; no variable */
	cr_assert_eq(truncate(path, 100), 0);
	cr_assert_eq(throttle_open(&c, path, NULL), 0);
	cr_expect_not(c.shared, "another size");
	cr_expect_eq(file_size(path), 100, "not resized");
	throttle_fail(&c, "192.0.2.8", 0);
	throttle_close(&c);
	path_in_dir(path, sizeof(path), "missing/throttle");
	cr_assert_eq(throttle_open(&c, path, NULL), 0);
	cr_expect_not(c.shared, "no such directory");
	throttle_close(&c);
	cr_assert_eq(throttle_open(&c, dir, NULL), 0);
	cr_expect_not(c.shared, "a directory");
	throttle_close(&c);
	cr_assert_eq(throttle_open(&c, NULL, NULL), 0);
	cr_expect_not(c.shared, "unset");
	for (int k = 0; k < THROTTLE_FAILS_MAX; k++)
		throttle_fail(&c, "192.0.2.8", 0);
	cr_expect_eq(throttle_wait(&c, "192.0.2.8", 0), 10, "a worker's own table counts");
	throttle_close(&c);
	throttle_close(&c);
}
