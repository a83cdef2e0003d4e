/*
 * metrics.h - the counters of one worker pool, for Prometheus: requests by operation and
 * HTTP status, a latency histogram by operation, and worker starts.
 *
 * Every worker of a pool maps the same file ($PC_METRICS) and adds to it with relaxed
 * C11 atomics: no lock, no system call and no allocation per request, and the counts
 * outlive a worker that multiwatch restarts. A new (empty) file starts every counter
 * from zero. Without a usable file a worker counts in a private mapping, and says so in
 * what it renders. Rendering the text exposition format (version 0.0.4) is pure, over a
 * snapshot, for testing.
 */
#ifndef PC_METRICS_H
#define PC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAGIC 0x70636d6574726963ULL /* "pcmetric": the file is one of ours */
#define METRICS_VERSION 1        /* of the file's layout; a file of another one is refused */
#define METRICS_STATUSES 16      /* the statuses the service answers, then "other" */
#define METRICS_BUCKETS 14       /* latency buckets, +Inf the last */
#define METRICS_INSTANCE_MAX 16  /* longest instance label kept */
#define METRICS_TEXT_MAX 49152   /* the rendered text, every counter at its widest */
#define METRICS_SECONDS_MAX 1e11 /* a media time or lag rendered is at most this */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* What a request asked for: a fixed set, so that the labels stay few. */
enum metrics_op {
	METRICS_OP_PUT,     /* PUT of one call: StopRecording, StartRecording */
	METRICS_OP_GET,     /* GET of one call */
	METRICS_OP_LIST,    /* GET of an extension's calls */
	METRICS_OP_TOKEN,   /* /oauth/token.php */
	METRICS_OP_HEALTH,  /* /uapi/health, /uapi/health/N */
	METRICS_OP_METRICS, /* /uapi/metrics, /uapi/metrics/N */
	METRICS_OP_OTHER,   /* anything else: an unknown path, a method a path does not have */
	METRICS_OPS
};

/* A copy of the counters at one moment (each counter read on its own). */
struct metrics_snapshot {
	char instance[METRICS_INSTANCE_MAX + 1]; /* the instance label */
	int pool_wide;   /* 1: every worker of the pool; 0: the answering worker only */
	int64_t created; /* Unix time the counters started from zero */
	uint64_t starts; /* workers started on these counters */
	uint64_t requests[METRICS_OPS][METRICS_STATUSES];
	uint64_t buckets[METRICS_OPS][METRICS_BUCKETS]; /* per bucket, not cumulative */
	uint64_t sum_ns[METRICS_OPS];                   /* total latency */
};

struct metrics;

/*
 * Maps the counters of path (a file the pool's workers share: created 0600 when
 * missing, sized when empty) and counts this worker's start. path NULL or empty, or a
 * file that cannot be used (not a regular file, another size or layout): a private
 * mapping, with a log line. Returns NULL only when the worker must not run: 64-bit
 * atomics that are not lock-free (they could not be shared between processes), or no
 * memory. metrics_free(NULL) does nothing.
 */
struct metrics *metrics_open(const char *path);
void metrics_free(struct metrics *m);

/* Whether m's counters are shared by the pool (a file) or the worker's own. */
int metrics_pool_wide(const struct metrics *m);

/* Counts one answered request: its operation, HTTP status and latency in nanoseconds.
 * Atomic adds only; m may be NULL. */
void metrics_record(struct metrics *m, enum metrics_op op, int status, uint64_t ns);

/* Copies the counters into s, labelled with instance (NULL: "1"). */
void metrics_snapshot(const struct metrics *m, const char *instance, struct metrics_snapshot *s);

/* Renders s in the Prometheus text format into buf, NUL-terminated. Returns the length,
 * or 0 when it does not fit in cap (METRICS_TEXT_MAX always fits). */
size_t metrics_render(const struct metrics_snapshot *s, char *buf, size_t cap);

/*
 * The media plane as the database sees it (pc_media_status): read at each scrape, as
 * it is the cluster's, not the pool's. known 0: the database did not answer.
 */
struct metrics_media {
	int known;           /* the database answered */
	int live;            /* an adapter confirmed a live engine in time */
	int configured;      /* an adapter ever confirmed one */
	double heartbeat_at; /* Unix time of the freshest confirmation; 0: none */
	uint64_t applied;    /* events the engine applied */
	uint64_t failed;     /* events it refused */
	double lag;          /* seconds the oldest event not yet applied has waited */
};

/* Appends m's series to the text s rendered (buf holds len bytes of it), labelled
 * with instance. Returns the new length, or 0 when it does not fit in cap. */
size_t metrics_render_media(const struct metrics_media *m, const char *instance, char *buf,
                            size_t len, size_t cap);

/* The row of a status (METRICS_STATUSES - 1: "other"), and its label. */
int metrics_status_index(int status);
const char *metrics_status_label(int index);

/* The bucket of a latency: the first whose bound it does not exceed (le), or +Inf's. */
int metrics_bucket_index(uint64_t ns);

#endif
