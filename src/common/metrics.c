/*
 * metrics.c - the pool's counters in a shared mapping, and their Prometheus text.
 *
 * The file holds one struct metrics_shared: a header (magic, layout version, size, the
 * time the counters started) written once, under an flock, by the first worker that
 * maps an empty file; then the counters, which every worker only adds to, with relaxed
 * atomic adds (each counter is exact; a scrape may see one request's counters half
 * added, never a torn value). A file of another size is never resized: another worker
 * may have it mapped, and shrinking it would kill that one with SIGBUS.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "shm.h"

#define NS_PER_S 1000000000ULL

struct metrics_shared {
	uint64_t magic; /* METRICS_MAGIC, written last */
	uint32_t version;
	uint32_t size;   /* sizeof(struct metrics_shared) */
	int64_t created; /* Unix time */
	_Atomic uint64_t starts;
	_Atomic uint64_t requests[METRICS_OPS][METRICS_STATUSES];
	_Atomic uint64_t buckets[METRICS_OPS][METRICS_BUCKETS];
	_Atomic uint64_t sum_ns[METRICS_OPS];
};

struct metrics {
	struct metrics_shared *sh; /* mapped, sizeof(*sh) bytes */
	int pool_wide;
};

/* The statuses the worker answers (err.c, h_phonecalls.c); nginx's own answers never reach it. */
static const int statuses[] = {200, 202, 204, 400, 401, 403, 404, 405,
                               409, 413, 415, 429, 500, 501, 503};
static const char *const status_labels[] = {"200", "202", "204", "400",  "401", "403",
                                            "404", "405", "409", "413",  "415", "429",
                                            "500", "501", "503", "other"};

/* Upper bounds of the buckets, in nanoseconds, and as the le label writes them. */
static const uint64_t bounds_ns[] = {1000000,    2500000,    5000000,    10000000,  25000000,
                                     50000000,   100000000,  250000000,  500000000, 1000000000,
                                     2500000000, 5000000000, 10000000000};
static const char *const bucket_labels[] = {"0.001", "0.0025", "0.005", "0.01", "0.025",
                                            "0.05",  "0.1",    "0.25",  "0.5",  "1",
                                            "2.5",   "5",      "10",    "+Inf"};

static const char *const op_labels[] = {"put",    "get",     "list", "token",
                                        "health", "metrics", "other"};

#define COUNT(a) (sizeof(a) / sizeof(*(a)))
_Static_assert(COUNT(statuses) == METRICS_STATUSES - 1, "a status per row, then other");
_Static_assert(COUNT(status_labels) == METRICS_STATUSES, "a label per status row");
_Static_assert(COUNT(bounds_ns) == METRICS_BUCKETS - 1, "a bound per bucket but +Inf");
_Static_assert(COUNT(bucket_labels) == METRICS_BUCKETS, "a label per bucket");
_Static_assert(COUNT(op_labels) == METRICS_OPS, "a label per operation");
_Static_assert(sizeof(struct metrics_shared) <= UINT32_MAX, "the header records the size");

int metrics_status_index(int status)
{
	for (int i = 0; i < METRICS_STATUSES - 1; i++)
		if (statuses[i] == status)
			return i;
	return METRICS_STATUSES - 1;
}

const char *metrics_status_label(int index)
{
	if (index < 0 || index >= METRICS_STATUSES)
		index = METRICS_STATUSES - 1;
	return status_labels[index];
}

int metrics_bucket_index(uint64_t ns)
{
	for (int i = 0; i < METRICS_BUCKETS - 1; i++)
		if (ns <= bounds_ns[i])
			return i;
	return METRICS_BUCKETS - 1;
}

/*
 * Under the file's lock: a region whose header is all zero (a new file) is cleared and
 * given this layout's header; one with this layout's header is used as it is; anything
 * else is refused (-1). The magic is written last.
 */
static int adopt(void *mem, void *now_p)
{
	struct metrics_shared *sh = mem;
	int64_t now = *(const int64_t *)now_p;

	if (sh->magic == 0 && sh->version == 0 && sh->size == 0) {
		memset(sh, 0, sizeof(*sh));
		sh->version = METRICS_VERSION;
		sh->size = (uint32_t)sizeof(*sh);
		sh->created = now;
		atomic_thread_fence(memory_order_release);
		sh->magic = METRICS_MAGIC;
		return 0;
	}
	if (sh->magic == METRICS_MAGIC && sh->version == METRICS_VERSION &&
	    sh->size == (uint32_t)sizeof(*sh))
		return 0;
	return -1;
}

/* The worker's own counters, when the pool has no file. */
static struct metrics_shared *map_private(void)
{
	struct metrics_shared *sh =
	    mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int64_t now = (int64_t)time(NULL);

	if (sh == MAP_FAILED)
		return NULL;
	adopt(sh, &now); /* zero-filled: always adopted */
	return sh;
}

struct metrics *metrics_open(const char *path)
{
	static _Atomic uint64_t probe;
	struct metrics *m;
	int64_t now = (int64_t)time(NULL);

	/* Counters shared between processes must be lock-free: a lock-based atomic's
	 * lock is in one process's memory, not in the mapping. */
	if (!atomic_is_lock_free(&probe)) {
		log_msg("metrics: 64-bit atomics are not lock-free on this machine; refusing to "
		        "start");
		return NULL;
	}
	if ((m = malloc(sizeof(*m))) == NULL)
		return NULL;
	m->sh = path != NULL && *path != '\0' ? shm_map(path, sizeof(*m->sh), adopt, &now,
	                                                "metrics", "counting this worker only")
	                                      : NULL;
	m->pool_wide = m->sh != NULL;
	if (m->sh == NULL && (m->sh = map_private()) == NULL) {
		log_msg("metrics: cannot map memory: errno=%d", errno);
		free(m);
		return NULL;
	}
	if (!atomic_is_lock_free(&m->sh->starts)) {
		log_msg("metrics: 64-bit atomics are not lock-free in the mapping; refusing to "
		        "start");
		metrics_free(m);
		return NULL;
	}
	atomic_fetch_add_explicit(&m->sh->starts, 1, memory_order_relaxed);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	munmap(m->sh, sizeof(*m->sh));
	free(m);
}

int metrics_pool_wide(const struct metrics *m)
{
	return m != NULL && m->pool_wide;
}

void metrics_record(struct metrics *m, enum metrics_op op, int status, uint64_t ns)
{
	struct metrics_shared *sh;

	if (m == NULL)
		return;
	sh = m->sh;
	if ((unsigned)op >= METRICS_OPS)
		op = METRICS_OP_OTHER;
	atomic_fetch_add_explicit(&sh->requests[op][metrics_status_index(status)], 1,
	                          memory_order_relaxed);
	atomic_fetch_add_explicit(&sh->buckets[op][metrics_bucket_index(ns)], 1,
	                          memory_order_relaxed);
	atomic_fetch_add_explicit(&sh->sum_ns[op], ns, memory_order_relaxed);
}

void metrics_snapshot(const struct metrics *m, const char *instance, struct metrics_snapshot *s)
{
	const struct metrics_shared *sh = m->sh;

	memset(s, 0, sizeof(*s));
	snprintf(s->instance, sizeof(s->instance), "%s", instance != NULL ? instance : "1");
	s->pool_wide = m->pool_wide;
	s->created = sh->created;
	s->starts = atomic_load_explicit(&sh->starts, memory_order_relaxed);
	for (int o = 0; o < METRICS_OPS; o++) {
		for (int i = 0; i < METRICS_STATUSES; i++)
			s->requests[o][i] =
			    atomic_load_explicit(&sh->requests[o][i], memory_order_relaxed);
		for (int i = 0; i < METRICS_BUCKETS; i++)
			s->buckets[o][i] =
			    atomic_load_explicit(&sh->buckets[o][i], memory_order_relaxed);
		s->sum_ns[o] = atomic_load_explicit(&sh->sum_ns[o], memory_order_relaxed);
	}
}

/* The text under construction: appends stop at the first that does not fit. */
struct out {
	char *buf;
	size_t cap, len;
	int full;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->full = 1;
		return;
	}
	o->len += (size_t)n;
}

/* A label value as the format wants it: backslash, double quote and newline escaped. */
static void escape(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s != '\0' && n + 3 <= cap; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n')
			out[n++] = '\\';
		out[n++] = *s == '\n' ? 'n' : *s;
	}
	out[n] = '\0';
}

size_t metrics_render(const struct metrics_snapshot *s, char *buf, size_t cap)
{
	char inst[2 * METRICS_INSTANCE_MAX + 1];
	struct out o = {buf, cap, 0, cap == 0};

	escape(s->instance, inst, sizeof(inst));
	if (!s->pool_wide)
		put(&o, "# pool-wide: no (no shared file: the answering worker's requests only)\n");

	put(&o, "# HELP phonecalls_requests_total Requests answered, by operation and HTTP "
	        "status.\n"
	        "# TYPE phonecalls_requests_total counter\n");
	for (int op = 0; op < METRICS_OPS; op++)
		for (int i = 0; i < METRICS_STATUSES; i++)
			put(&o,
			    "phonecalls_requests_total{instance=\"%s\",op=\"%s\",status=\"%s\"} "
			    "%llu\n",
			    inst, op_labels[op], status_labels[i],
			    (unsigned long long)s->requests[op][i]);

	put(&o, "# HELP phonecalls_request_duration_seconds Time from a request's arrival at a "
	        "worker to its answer written, by operation.\n"
	        "# TYPE phonecalls_request_duration_seconds histogram\n");
	for (int op = 0; op < METRICS_OPS; op++) {
		uint64_t cum = 0;
		for (int i = 0; i < METRICS_BUCKETS; i++) {
			cum += s->buckets[op][i];
			put(&o,
			    "phonecalls_request_duration_seconds_bucket{instance=\"%s\",op=\"%s\","
			    "le=\"%s\"} %llu\n",
			    inst, op_labels[op], bucket_labels[i], (unsigned long long)cum);
		}
		put(&o,
		    "phonecalls_request_duration_seconds_sum{instance=\"%s\",op=\"%s\"} "
		    "%llu.%09llu\n",
		    inst, op_labels[op], (unsigned long long)(s->sum_ns[op] / NS_PER_S),
		    (unsigned long long)(s->sum_ns[op] % NS_PER_S));
		/* the +Inf bucket's count: the two always agree */
		put(&o,
		    "phonecalls_request_duration_seconds_count{instance=\"%s\",op=\"%s\"} %llu\n",
		    inst, op_labels[op], (unsigned long long)cum);
	}

	put(&o,
	    "# HELP phonecalls_worker_starts_total Workers started on these counters (a "
	    "worker multiwatch restarts counts again).\n"
	    "# TYPE phonecalls_worker_starts_total counter\n"
	    "phonecalls_worker_starts_total{instance=\"%s\"} %llu\n",
	    inst, (unsigned long long)s->starts);
	put(&o,
	    "# HELP phonecalls_metrics_start_time_seconds When these counters started from "
	    "zero, in Unix time.\n"
	    "# TYPE phonecalls_metrics_start_time_seconds gauge\n"
	    "phonecalls_metrics_start_time_seconds{instance=\"%s\"} %lld\n",
	    inst, (long long)s->created);
	put(&o,
	    "# HELP phonecalls_metrics_pool_wide 1 when these counters are every worker's of "
	    "the pool, 0 when only the answering worker's.\n"
	    "# TYPE phonecalls_metrics_pool_wide gauge\n"
	    "phonecalls_metrics_pool_wide{instance=\"%s\"} %d\n",
	    inst, s->pool_wide ? 1 : 0);
	return o.full ? 0 : o.len;
}

size_t metrics_render_media(const struct metrics_media *m, const char *instance, char *buf,
                            size_t len, size_t cap)
{
	char inst[2 * METRICS_INSTANCE_MAX + 1];
	struct out o = {buf, cap, len, len >= cap};
	double at = m->heartbeat_at > METRICS_SECONDS_MAX ? METRICS_SECONDS_MAX : m->heartbeat_at;
	double lag = m->lag > METRICS_SECONDS_MAX ? METRICS_SECONDS_MAX : m->lag;

	escape(instance ? instance : "1", inst, sizeof(inst));
	put(&o,
	    "# HELP phonecalls_media_up 1 when a media adapter confirmed a live media engine "
	    "recently enough for PUTs on its calls to be accepted.\n"
	    "# TYPE phonecalls_media_up gauge\n"
	    "phonecalls_media_up{instance=\"%s\"} %d\n",
	    inst, m->known && m->live ? 1 : 0);
	put(&o,
	    "# HELP phonecalls_media_configured 1 when a media adapter ever confirmed a media "
	    "engine (0: the service runs without a media plane).\n"
	    "# TYPE phonecalls_media_configured gauge\n"
	    "phonecalls_media_configured{instance=\"%s\"} %d\n",
	    inst, m->known && m->configured ? 1 : 0);
	put(&o,
	    "# HELP phonecalls_media_heartbeat_timestamp_seconds When a media adapter last "
	    "confirmed a live media engine, in Unix time (0: never).\n"
	    "# TYPE phonecalls_media_heartbeat_timestamp_seconds gauge\n"
	    "phonecalls_media_heartbeat_timestamp_seconds{instance=\"%s\"} %.3f\n",
	    inst, m->known && at > 0 ? at : 0.0);
	put(&o,
	    "# HELP phonecalls_media_events_total Recording changes of media calls the engine "
	    "applied (result=applied) or refused (result=failed).\n"
	    "# TYPE phonecalls_media_events_total counter\n"
	    "phonecalls_media_events_total{instance=\"%s\",result=\"applied\"} %llu\n"
	    "phonecalls_media_events_total{instance=\"%s\",result=\"failed\"} %llu\n",
	    inst, (unsigned long long)m->applied, inst, (unsigned long long)m->failed);
	put(&o,
	    "# HELP phonecalls_media_lag_seconds How long the oldest recording change of a media "
	    "call not yet applied has waited (0: none waits).\n"
	    "# TYPE phonecalls_media_lag_seconds gauge\n"
	    "phonecalls_media_lag_seconds{instance=\"%s\"} %.3f\n",
	    inst, m->known && lag > 0 ? lag : 0.0);
	return o.full ? 0 : o.len;
}
