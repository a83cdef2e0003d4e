/* unit_metrics.c - the pool's counters: statuses, buckets and operations; the text
 * exposition format; the shared file (new, reused, of another layout, by several
 * processes at once) and the private fallback. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/common/metrics.c"

#define CHILDREN 4
#define ADDS 20000 /* per child */

static char dir[64];
static char text[METRICS_TEXT_MAX];
static struct metrics_snapshot snap;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/unit-metrics-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
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

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(p, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

/* Whether text has exactly this line. */
static int has_line(const char *t, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = t; (p = strstr(p, line)) != NULL; p++)
		if ((p == t || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

Test(metrics, status_rows)
{
	static const int known[] = {200, 202, 204, 400, 401, 403, 404, 405,
	                            409, 413, 415, 429, 500, 501, 503};
	static const int other[] = {0, -1, 100, 201, 301, 302, 402, 408, 418, 502, 504, 600};
	char want[8];

	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++) {
		int row = metrics_status_index(known[i]);
		cr_expect_eq(row, (int)i, "%d", known[i]);
		snprintf(want, sizeof(want), "%d", known[i]);
		cr_expect_str_eq(metrics_status_label(row), want);
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(*other); i++)
		cr_expect_eq(metrics_status_index(other[i]), METRICS_STATUSES - 1, "%d", other[i]);
	cr_expect_str_eq(metrics_status_label(METRICS_STATUSES - 1), "other");
	cr_expect_str_eq(metrics_status_label(-1), "other");
	cr_expect_str_eq(metrics_status_label(METRICS_STATUSES), "other");
}

/* A bucket holds what does not exceed its bound: the bound itself, not a nanosecond more. */
Test(metrics, bucket_boundaries)
{
	cr_expect_eq(metrics_bucket_index(0), 0);
	cr_expect_eq(metrics_bucket_index(999999), 0);
	for (int i = 0; i < METRICS_BUCKETS - 1; i++) {
		cr_expect_eq(metrics_bucket_index(bounds_ns[i]), i, "le=%s", bucket_labels[i]);
		cr_expect_eq(metrics_bucket_index(bounds_ns[i] + 1), i + 1, "past le=%s",
		             bucket_labels[i]);
		if (i > 0)
			cr_expect_gt(bounds_ns[i], bounds_ns[i - 1], "bounds ascend");
	}
	cr_expect_eq(metrics_bucket_index(1000000), 0, "1 ms: le=0.001");
	cr_expect_eq(metrics_bucket_index(2500000), 1, "2.5 ms: le=0.0025");
	cr_expect_eq(metrics_bucket_index(10 * NS_PER_S), METRICS_BUCKETS - 2, "10 s: le=10");
	cr_expect_eq(metrics_bucket_index(10 * NS_PER_S + 1), METRICS_BUCKETS - 1, "+Inf");
	cr_expect_eq(metrics_bucket_index(UINT64_MAX), METRICS_BUCKETS - 1, "+Inf");
	cr_expect_str_eq(bucket_labels[METRICS_BUCKETS - 1], "+Inf");
	/* each label is its bound in seconds */
	for (int i = 0; i < METRICS_BUCKETS - 1; i++)
		cr_expect_eq((uint64_t)(strtod(bucket_labels[i], NULL) * 1e9 + 0.5), bounds_ns[i],
		             "%s", bucket_labels[i]);
}

/* Counters recorded, then rendered: exact lines, cumulative buckets, sum and count. */
Test(metrics, render_exact_lines)
{
	struct metrics *m = metrics_open(NULL);
	size_t n;

	cr_assert_not_null(m);
	metrics_record(m, METRICS_OP_PUT, 202, 1000000);          /* le=0.001 */
	metrics_record(m, METRICS_OP_PUT, 202, 1000001);          /* le=0.0025 */
	metrics_record(m, METRICS_OP_PUT, 409, 3 * NS_PER_S / 2); /* le=2.5 */
	metrics_record(m, METRICS_OP_PUT, 418, 11 * NS_PER_S);    /* other, +Inf */
	metrics_record(m, METRICS_OP_LIST, 200, 0);
	metrics_record(m, (enum metrics_op)99, 404, 5); /* an unknown op counts as other */
	metrics_snapshot(m, "2", &snap);
	n = metrics_render(&snap, text, sizeof(text));
	cr_assert_gt(n, (size_t)0);
	cr_assert_eq(n, strlen(text));
	cr_expect_eq(text[n - 1], '\n', "the last line ends too");

	cr_expect(has_line(text, "# TYPE phonecalls_requests_total counter"));
	cr_expect(has_line(text, "phonecalls_requests_total{instance=\"2\",op=\"put\",status="
	                         "\"202\"} 2"));
	cr_expect(has_line(text, "phonecalls_requests_total{instance=\"2\",op=\"put\",status="
	                         "\"409\"} 1"));
	cr_expect(has_line(text, "phonecalls_requests_total{instance=\"2\",op=\"put\",status="
	                         "\"other\"} 1"));
	cr_expect(has_line(text, "phonecalls_requests_total{instance=\"2\",op=\"put\",status="
	                         "\"200\"} 0"),
	          "every series, zero or not");
	cr_expect(has_line(text, "phonecalls_requests_total{instance=\"2\",op=\"list\",status="
	                         "\"200\"} 1"));
	cr_expect(has_line(text, "phonecalls_requests_total{instance=\"2\",op=\"other\",status="
	                         "\"404\"} 1"));

	cr_expect(has_line(text, "# TYPE phonecalls_request_duration_seconds histogram"));
#define B(le, v)                                                                                   \
	"phonecalls_request_duration_seconds_bucket{instance=\"2\",op=\"put\",le=\"" le "\"} " v
	cr_expect(has_line(text, B("0.001", "1")));
	cr_expect(has_line(text, B("0.0025", "2")));
	cr_expect(has_line(text, B("0.005", "2")), "cumulative");
	cr_expect(has_line(text, B("1", "2")));
	cr_expect(has_line(text, B("2.5", "3")));
	cr_expect(has_line(text, B("10", "3")));
	cr_expect(has_line(text, B("+Inf", "4")));
#undef B
	cr_expect(has_line(text, "phonecalls_request_duration_seconds_sum{instance=\"2\",op="
	                         "\"put\"} 12.502000001"));
	cr_expect(has_line(text, "phonecalls_request_duration_seconds_count{instance=\"2\",op="
	                         "\"put\"} 4"));
	cr_expect(has_line(text, "phonecalls_request_duration_seconds_sum{instance=\"2\",op="
	                         "\"list\"} 0.000000000"));
	cr_expect(has_line(text, "phonecalls_request_duration_seconds_bucket{instance=\"2\",op="
	                         "\"list\",le=\"0.001\"} 1"));
	cr_expect(has_line(text, "phonecalls_request_duration_seconds_count{instance=\"2\",op="
	                         "\"token\"} 0"));

	cr_expect(has_line(text, "phonecalls_worker_starts_total{instance=\"2\"} 1"));
	cr_expect(has_line(text, "phonecalls_metrics_pool_wide{instance=\"2\"} 0"));
	cr_expect(has_line(text, "# pool-wide: no (no shared file: the answering worker's "
	                         "requests only)"));
	cr_expect(strstr(text, "phonecalls_metrics_start_time_seconds{instance=\"2\"} ") != NULL);
	metrics_free(m);
}

/*
 * The text exposition format, line by line: comments, or a HELP and a TYPE before the
 * samples of each family; a sample is a name of its family, labels, a space and a
 * value; no series twice; each histogram's buckets ascend, cumulative, to +Inf, which
 * equals _count.
 */
Test(metrics, render_is_the_exposition_format)
{
	struct metrics *m = metrics_open(NULL);
	char family[128] = "", type[32] = "", last_series[256] = "";
	unsigned long long prev_bucket = 0, inf = 0;
	int families = 0, samples = 0, buckets = 0;

	cr_assert_not_null(m);
	for (int i = 0; i < 1000; i++)
		metrics_record(m, (enum metrics_op)(i % METRICS_OPS), 200 + i % 7,
		               (uint64_t)i * 7000003ULL);
	metrics_snapshot(m, NULL, &snap);
	cr_assert_gt(metrics_render(&snap, text, sizeof(text)), (size_t)0);
	for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char name[128], labels[200], value[64];
		if (strncmp(line, "# HELP ", 7) == 0) {
			cr_assert_eq(sscanf(line, "# HELP %127s", family), 1);
			cr_expect_eq(strncmp(family, "phonecalls_", 11), 0, "%s", line);
			type[0] = '\0';
			families++;
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char fam[128];
			cr_assert_eq(sscanf(line, "# TYPE %127s %31s", fam, type), 2, "%s", line);
			cr_expect_str_eq(fam, family, "TYPE right after HELP");
			cr_expect(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
			              strcmp(type, "histogram") == 0,
			          "%s", line);
			continue;
		}
		if (line[0] == '#')
			continue;
		cr_assert_eq(sscanf(line, "%127[a-z_]{%199[^}]} %63s", name, labels, value), 3,
		             "a sample: %s", line);
		cr_assert(type[0] != '\0', "a sample before its TYPE: %s", line);
		cr_expect_eq(strncmp(labels, "instance=\"1\"", 12), 0, "%s", line);
		cr_expect(strcmp(line, last_series) != 0, "twice: %s", line);
		snprintf(last_series, sizeof(last_series), "%s", line);
		samples++;
		if (strcmp(type, "histogram") != 0) {
			cr_expect_str_eq(name, family, "%s", line);
			cr_expect(strspn(value, "0123456789") == strlen(value), "%s", line);
			continue;
		}
		if (strcmp(name, "phonecalls_request_duration_seconds_bucket") == 0) {
			unsigned long long v = strtoull(value, NULL, 10);
			if (buckets++ % METRICS_BUCKETS == 0)
				prev_bucket = 0;
			cr_expect_geq(v, prev_bucket, "cumulative: %s", line);
			prev_bucket = v;
			if (strstr(labels, "le=\"+Inf\"") != NULL) {
				cr_expect_eq(buckets % METRICS_BUCKETS, 0, "+Inf is last: %s",
				             line);
				inf = v;
			}
		} else if (strcmp(name, "phonecalls_request_duration_seconds_count") == 0) {
			cr_expect_eq(strtoull(value, NULL, 10), inf, "_count is +Inf's: %s", line);
		} else {
			cr_expect_str_eq(name, "phonecalls_request_duration_seconds_sum");
			cr_expect(strtod(value, NULL) > 0, "%s", line);
		}
	}
	cr_expect_eq(families, 5);
	cr_expect_eq(buckets, METRICS_OPS * METRICS_BUCKETS);
	cr_expect_eq(samples,
	             METRICS_OPS * METRICS_STATUSES + METRICS_OPS * (METRICS_BUCKETS + 2) + 3);
	metrics_free(m);
}

/* Every counter at its widest, the longest instance label, each character escaped:
 * METRICS_TEXT_MAX holds it. A buffer short by a byte gets nothing. */
Test(metrics, render_bounds)
{
	size_t n;

	memset(&snap, 0xff, sizeof(snap));
	memset(snap.instance, '"', METRICS_INSTANCE_MAX);
	snap.instance[METRICS_INSTANCE_MAX] = '\0';
	snap.created = INT64_MIN;
	for (int o = 0; o < METRICS_OPS; o++)
		for (int i = 0; i < METRICS_BUCKETS; i++)
			snap.buckets[o][i] = UINT64_MAX / METRICS_BUCKETS; /* cumulative: no wrap */
	snap.pool_wide = 0;
	n = metrics_render(&snap, text, sizeof(text));
	cr_assert_gt(n, (size_t)0, "the widest text fits METRICS_TEXT_MAX");
	cr_expect(strstr(text, "instance=\"\\\"\\\"\\\"") != NULL, "quotes escaped");
	cr_expect_eq(metrics_render(&snap, text, n), (size_t)0, "no room for the NUL");
	cr_expect_eq(metrics_render(&snap, text, 0), (size_t)0);
	cr_expect_eq(metrics_render(&snap, text, n + 1), n);

	/* a backslash and a newline escaped too; a long label cut to its maximum */
	snprintf(snap.instance, sizeof(snap.instance), "a\\b\nc");
	cr_assert_gt(metrics_render(&snap, text, sizeof(text)), (size_t)0);
	cr_expect(strstr(text, "{instance=\"a\\\\b\\nc\"}") != NULL, "%.300s", text);
	struct metrics *m = metrics_open(NULL);
	metrics_snapshot(m, "12345678901234567890", &snap);
	cr_expect_str_eq(snap.instance, "1234567890123456");
	metrics_free(m);
}

Test(metrics, private_without_a_file)
{
	struct metrics *m = metrics_open(NULL), *e = metrics_open("");

	cr_assert_not_null(m);
	cr_assert_not_null(e);
	cr_expect_not(metrics_pool_wide(m));
	cr_expect_not(metrics_pool_wide(e));
	cr_expect_not(metrics_pool_wide(NULL));
	metrics_record(m, METRICS_OP_GET, 200, 1);
	metrics_snapshot(e, NULL, &snap);
	cr_expect_eq(snap.requests[METRICS_OP_GET][0], 0, "two private mappings share nothing");
	cr_expect_eq(snap.starts, 1);
	cr_expect_str_eq(snap.instance, "1");
	metrics_free(m);
	metrics_free(e);
	metrics_free(NULL);
	metrics_record(NULL, METRICS_OP_GET, 200, 1); /* nothing */
}

/* A new file is sized and shared: a second worker sees the first's counts, and both
 * starts; the counts survive the first worker, and a new empty file starts from zero. */
Test(metrics, shared_file, .init = setup, .fini = teardown)
{
	char path[128];
	struct metrics *a, *b, *c;
	struct stat st;

	path_in_dir(path, sizeof(path), "metrics-1");
	a = metrics_open(path);
	cr_assert_not_null(a);
	cr_expect(metrics_pool_wide(a));
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq((size_t)st.st_size, sizeof(struct metrics_shared));
	cr_expect_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	metrics_record(a, METRICS_OP_PUT, 202, 42);
	metrics_free(a); /* a worker that exits */

	b = metrics_open(path);
	c = metrics_open(path);
	cr_assert_not_null(b);
	cr_assert_not_null(c);
	metrics_record(c, METRICS_OP_PUT, 202, 8);
	metrics_snapshot(b, "1", &snap);
	cr_expect(snap.pool_wide);
	cr_expect_eq(snap.starts, 3, "three starts on one file");
	cr_expect_eq(snap.requests[METRICS_OP_PUT][metrics_status_index(202)], 2);
	cr_expect_eq(snap.sum_ns[METRICS_OP_PUT], 50);
	cr_expect_gt(snap.created, 0);
	metrics_free(b);
	metrics_free(c);

	cr_assert_eq(unlink(path), 0);
	a = metrics_open(path);
	metrics_snapshot(a, "1", &snap);
	cr_expect_eq(snap.starts, 1, "a new file: from zero");
	cr_expect_eq(snap.requests[METRICS_OP_PUT][metrics_status_index(202)], 0);
	metrics_free(a);

	/* an empty file made beforehand (as tools/stack does) is sized and used */
	cr_assert_eq(truncate(path, 0), 0);
	a = metrics_open(path);
	cr_expect(metrics_pool_wide(a));
	cr_expect_eq(file_size(path), (long)sizeof(struct metrics_shared));
	metrics_free(a);
}

/* A file of another size or header is left as it is, and the worker counts alone. */
Test(metrics, another_layout_is_refused, .init = setup, .fini = teardown)
{
	static struct metrics_shared other; /* large: not on the stack */
	char path[128], junk[100], *back;
	size_t len;
	struct metrics *m;

	path_in_dir(path, sizeof(path), "short");
	memset(junk, 'x', sizeof(junk));
	write_file(path, junk, sizeof(junk));
	m = metrics_open(path);
	cr_assert_not_null(m, "a bad file does not stop the worker");
	cr_expect_not(metrics_pool_wide(m));
	metrics_snapshot(m, NULL, &snap);
	cr_expect_eq(snap.starts, 1);
	metrics_free(m);
	cr_expect_eq(file_size(path), (long)sizeof(junk), "not resized");

	/* the right size with a header of another version, or no magic of ours */
	static const struct {
		uint64_t magic;
		uint32_t version, size;
	} headers[] = {
	    {METRICS_MAGIC, METRICS_VERSION + 1, sizeof(struct metrics_shared)},
	    {METRICS_MAGIC, METRICS_VERSION, sizeof(struct metrics_shared) - 8},
	    {METRICS_MAGIC + 1, METRICS_VERSION, sizeof(struct metrics_shared)},
	    {0, METRICS_VERSION, 0},
	};
	for (size_t i = 0; i < sizeof(headers) / sizeof(*headers); i++) {
		memset(&other, 0, sizeof(other));
		other.magic = headers[i].magic;
		other.version = headers[i].version;
		other.size = headers[i].size;
		other.created = 77;
		path_in_dir(path, sizeof(path), "other");
		write_file(path, &other, sizeof(other));
		m = metrics_open(path);
		cr_assert_not_null(m);
		cr_expect_not(metrics_pool_wide(m), "header %zu", i);
		metrics_record(m, METRICS_OP_GET, 200, 1);
		metrics_free(m);
		back = NULL;
		FILE *f = fopen(path, "rb");
		cr_assert_not_null(f);
		back = malloc(sizeof(other) + 1);
		len = fread(back, 1, sizeof(other) + 1, f);
		fclose(f);
		cr_expect_eq(len, sizeof(other), "header %zu: size kept", i);
		cr_expect_eq(memcmp(back, &other, sizeof(other)), 0, "header %zu: untouched", i);
		free(back);
	}

	/* the right size, all zero (a worker died while sizing it): adopted */
	memset(&other, 0, sizeof(other));
	write_file(path, &other, sizeof(other));
	m = metrics_open(path);
	cr_expect(metrics_pool_wide(m));
	metrics_free(m);

	/* not a regular file, or a directory that does not exist */
	m = metrics_open(dir);
	cr_expect_not(metrics_pool_wide(m), "a directory");
	metrics_free(m);
	path_in_dir(path, sizeof(path), "missing/metrics");
	m = metrics_open(path);
	cr_expect_not(metrics_pool_wide(m), "no such directory");
	metrics_free(m);
	/* a symbolic link is not followed */
	path_in_dir(path, sizeof(path), "link");
	cr_assert_eq(symlink("short", path), 0);
	m = metrics_open(path);
	cr_expect_not(metrics_pool_wide(m), "a symbolic link");
	metrics_free(m);
}

/* Workers that start together and count at once: every start and every add is there. */
Test(metrics, processes_count_together, .init = setup, .fini = teardown)
{
	char path[128];
	pid_t kids[CHILDREN];
	struct metrics *m;

	path_in_dir(path, sizeof(path), "pool");
	for (int k = 0; k < CHILDREN; k++) {
		kids[k] = fork();
		cr_assert_geq(kids[k], 0);
		if (kids[k] == 0) {
			struct metrics *w = metrics_open(path);
			if (w == NULL || !metrics_pool_wide(w))
				_exit(1);
			for (int i = 0; i < ADDS; i++)
				metrics_record(w, (enum metrics_op)(i % 2), 200 + 2 * (i % 3),
				               (uint64_t)i * 1000);
			metrics_free(w);
			_exit(0);
		}
	}
	for (int k = 0; k < CHILDREN; k++) {
		int st;
		cr_assert_eq(waitpid(kids[k], &st, 0), kids[k]);
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d", k);
	}
	m = metrics_open(path);
	cr_assert(metrics_pool_wide(m));
	metrics_snapshot(m, "1", &snap);
	uint64_t total = 0, in_buckets = 0, sum = 0;
	for (int o = 0; o < METRICS_OPS; o++) {
		for (int i = 0; i < METRICS_STATUSES; i++)
			total += snap.requests[o][i];
		for (int i = 0; i < METRICS_BUCKETS; i++)
			in_buckets += snap.buckets[o][i];
		sum += snap.sum_ns[o];
	}
	cr_expect_eq(snap.starts, CHILDREN + 1);
	cr_expect_eq(total, (uint64_t)CHILDREN * ADDS);
	cr_expect_eq(in_buckets, (uint64_t)CHILDREN * ADDS);
	cr_expect_eq(sum, (uint64_t)CHILDREN * 1000 * ((uint64_t)ADDS * (ADDS - 1) / 2));
	cr_expect_eq(snap.requests[METRICS_OP_PUT][metrics_status_index(200)],
	             (uint64_t)CHILDREN * (ADDS / 6 + (ADDS % 6 > 0)));
	metrics_free(m);
}

/* The media plane's series: after the pool's, each always there; 0 and NaN when the
 * database did not answer; ages clamped; everything at its widest still fits. */
Test(metrics, media_series)
{
	struct metrics_media md = {1, 1, 1, 1796400000.25, 7, 2, 0.5};
	size_t n, m;

	memset(&snap, 0, sizeof(snap));
	snprintf(snap.instance, sizeof(snap.instance), "2");
	n = metrics_render(&snap, text, sizeof(text));
	cr_assert_gt(n, (size_t)0);
	m = metrics_render_media(&md, "2", text, n, sizeof(text));
	cr_assert_gt(m, n);
	cr_expect_eq(strlen(text), m);
	cr_expect(strstr(text, "phonecalls_media_up{instance=\"2\"} 1\n") != NULL);
	cr_expect(strstr(text, "phonecalls_media_heartbeat_timestamp_seconds{instance=\"2\"} "
	                       "1796400000.250\n"));
	cr_expect(
	    strstr(text, "phonecalls_media_events_total{instance=\"2\",result=\"applied\"} 7\n"));
	cr_expect(
	    strstr(text, "phonecalls_media_events_total{instance=\"2\",result=\"failed\"} 2\n"));
	cr_expect(strstr(text, "phonecalls_media_lag_seconds{instance=\"2\"} 0.500\n"));

	/* the database did not answer: down, no confirmation */
	memset(&md, 0, sizeof(md));
	md.live = md.configured = 1;
	m = metrics_render_media(&md, "2", text, n, sizeof(text));
	cr_assert_gt(m, n);
	cr_expect(strstr(text, "phonecalls_media_up{instance=\"2\"} 0\n") != NULL);
	cr_expect(strstr(text, "phonecalls_media_configured{instance=\"2\"} 0\n") != NULL);
	cr_expect(
	    strstr(text, "phonecalls_media_heartbeat_timestamp_seconds{instance=\"2\"} 0.000\n"));

	/* at its widest after the widest pool text: within METRICS_TEXT_MAX; short: nothing */
	memset(&snap, 0xff, sizeof(snap));
	memset(snap.instance, '"', METRICS_INSTANCE_MAX);
	snap.instance[METRICS_INSTANCE_MAX] = '\0';
	for (int o = 0; o < METRICS_OPS; o++)
		for (int i = 0; i < METRICS_BUCKETS; i++)
			snap.buckets[o][i] = UINT64_MAX / METRICS_BUCKETS;
	n = metrics_render(&snap, text, sizeof(text));
	cr_assert_gt(n, (size_t)0);
	md = (struct metrics_media){1, 1, 1, 1e300, UINT64_MAX, UINT64_MAX, 1e300};
	m = metrics_render_media(&md, snap.instance, text, n, sizeof(text));
	cr_assert_gt(m, n, "the widest text with the media plane's fits METRICS_TEXT_MAX");
	cr_expect(strstr(text, "100000000000.000") != NULL, "times clamped");
	cr_expect_eq(metrics_render_media(&md, snap.instance, text, n, m), (size_t)0,
	             "no room for the NUL");
}
