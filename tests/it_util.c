/* it_util.c - helpers shared by the integration tests: requests, JSON, checks, database, stack. */
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "it_util.h"

#define IT_PARAMS_MAX 8
#define IT_HEADERS_MAX 512
#define IT_PATH_MAX 4096
#define IT_INSTANCES_MAX 16 /* pools it_worker_pids looks for */

const char *it_env(const char *name)
{
	const char *v = getenv(name);

	cr_assert(v != NULL && *v != '\0', "%s is not set (run the suite through tools/check)",
	          name);
	return v;
}

const char *it_base(void)
{
	static char base[64];

	snprintf(base, sizeof(base), "http://127.0.0.1:%d", http_port());
	return base;
}

void it_req(struct http_resp *r, const char *method, const char *target, const char *headers,
            const char *body)
{
	cr_assert(http_port() > 0, "PC_HTTP_PORT is not set");
	cr_assert(http_send(r, method, target, headers, body, body ? strlen(body) : 0) == 0,
	          "no HTTP answer to %s %.200s", method, target);
}

static void auth_header(char *buf, size_t cap, const char *token, const char *more)
{
	snprintf(buf, cap, "%s%s%s%s", token ? "Authorization: Bearer " : "", token ? token : "",
	         token ? "\r\n" : "", more);
}

void it_get(struct http_resp *r, const char *token, const char *target)
{
	char h[IT_HEADERS_MAX];

	auth_header(h, sizeof(h), token, "");
	it_req(r, "GET", target, h, NULL);
}

void it_put(struct http_resp *r, const char *token, const char *target, const char *body)
{
	char h[IT_HEADERS_MAX];

	auth_header(h, sizeof(h), token, H_JSON);
	it_req(r, "PUT", target, h, body);
}

void it_assert_status(const struct http_resp *r, int status, const char *label)
{
	cr_assert_eq(r->status, status, "%s: status %d, expected %d; body: %.300s", label,
	             r->status, status, r->body);
}

int it_expect_str(const char *got, const char *want, const char *what)
{
	int ok = got != NULL && strcmp(got, want) == 0;

	cr_expect(ok, "%s: got %s, expected %s", what, got ? got : "(none)", want);
	return ok;
}

int it_is_json(const struct http_resp *r)
{
	const char *ct = http_header(r, "Content-Type");
	size_t n = sizeof("application/json") - 1;

	return ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

yajl_val it_json(const struct http_resp *r)
{
	char err[256];
	yajl_val v = yajl_tree_parse(r->body, err, sizeof(err));

	cr_assert(v != NULL, "body is not JSON (%s): %.300s", err, r->body);
	if (!YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		cr_assert_fail("body is not a JSON object: %.300s", r->body);
	}
	return v;
}

yajl_val it_key(yajl_val obj, const char *key)
{
	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

const char *it_str(yajl_val obj, const char *key)
{
	yajl_val v = it_key(obj, key);

	return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

long long it_int(yajl_val obj, const char *key)
{
	yajl_val v = it_key(obj, key);

	return YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : -1;
}

size_t it_nkeys(yajl_val obj)
{
	return YAJL_IS_OBJECT(obj) ? obj->u.object.len : 0;
}

int it_is_str_array1(yajl_val v, const char *s)
{
	const char *e;

	if (!YAJL_IS_ARRAY(v) || v->u.array.len != 1)
		return 0;
	e = YAJL_GET_STRING(v->u.array.values[0]);
	return e != NULL && strcmp(e, s) == 0;
}

/* The header a status requires, checked non-fatally. */
static void check_status_header(const struct http_resp *r, int *ok, const char *label)
{
	const char *h;

	switch (r->status) {
	case 401:
		h = http_header(r, "WWW-Authenticate");
		IT_CHECK(ok, h != NULL && strncasecmp(h, "Bearer", 6) == 0,
		         "%s: 401 without WWW-Authenticate: Bearer (got %s)", label,
		         h ? h : "none");
		break;
	case 405:
		h = http_header(r, "Allow");
		IT_CHECK(ok, h != NULL && *h != '\0', "%s: 405 without an Allow header", label);
		break;
	case 503:
		h = http_header(r, "Retry-After");
		IT_CHECK(ok, h != NULL && *h != '\0' && strspn(h, "0123456789") == strlen(h),
		         "%s: 503 without a Retry-After of seconds (got %s)", label,
		         h ? h : "none");
		break;
	}
}

int it_check_error(const struct http_resp *r, int status, const char *code, const char *label)
{
	char err[256];
	yajl_val root, e;
	const char *got, *msg;
	int ok = 1;

	IT_CHECK(&ok, r->status == status, "%s: status %d, expected %d; body: %.300s", label,
	         r->status, status, r->body);
	IT_CHECK(&ok, it_is_json(r), "%s: Content-Type %s, expected application/json", label,
	         http_header(r, "Content-Type") ? http_header(r, "Content-Type") : "none");
	check_status_header(r, &ok, label);
	root = yajl_tree_parse(r->body, err, sizeof(err));
	IT_CHECK(&ok, root != NULL, "%s: body is not JSON: %.300s", label, r->body);
	if (root == NULL)
		return 0;
	e = it_key(root, "error");
	got = it_str(e, "code");
	msg = it_str(e, "message");
	IT_CHECK(&ok, it_nkeys(root) == 1 && it_nkeys(e) == 2,
	         "%s: not the error shape {\"error\":{\"code\",\"message\"}}: %.300s", label,
	         r->body);
	IT_CHECK(&ok, got != NULL && strcmp(got, code) == 0, "%s: error.code %s, expected %s",
	         label, got ? got : "missing", code);
	IT_CHECK(&ok, msg != NULL && *msg != '\0', "%s: error.message missing or empty", label);
	yajl_tree_free(root);
	return ok;
}

char *it_padded_stop(size_t size)
{
	const char *stop = BODY_STOP01;
	size_t n = strlen(stop);
	char *b = malloc(size + 1);

	cr_assert(b != NULL && size >= n);
	memset(b, ' ', size);
	memcpy(b, stop, n - 1);
	b[size - 1] = '}';
	b[size] = '\0';
	return b;
}

/* Database */

static PGconn *db_open(void)
{
	PGconn *c = PQconnectdb("");

	if (PQstatus(c) != CONNECTION_OK) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
		PQfinish(c);
		cr_assert_fail("cannot connect to the test database: %s", msg);
	}
	return c;
}

/* Runs sql with the NULL-terminated text parameters of ap; returns the result. */
static PGresult *db_run(PGconn *c, const char *sql, va_list ap)
{
	const char *params[IT_PARAMS_MAX];
	int n = 0;
	const char *p;

	while ((p = va_arg(ap, const char *)) != NULL) {
		cr_assert(n < IT_PARAMS_MAX, "too many parameters for: %s", sql);
		params[n++] = p;
	}
	return PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
}

/* Runs sql; fails the test (after cleaning up) unless it succeeds. */
static PGresult *db_query(const char *sql, va_list ap, PGconn **conn)
{
	PGconn *c = db_open();
	PGresult *r = db_run(c, sql, ap);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		cr_assert_fail("query failed: %s: %s", sql, msg);
	}
	*conn = c;
	return r;
}

char *it_db_text(const char *sql, ...)
{
	PGconn *c;
	PGresult *r;
	char *out = NULL;
	va_list ap;
	int rows, cols;

	va_start(ap, sql);
	r = db_query(sql, ap, &c);
	va_end(ap);
	rows = PQntuples(r);
	cols = PQnfields(r);
	if (rows == 1 && cols == 1 && !PQgetisnull(r, 0, 0))
		out = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	cr_assert(rows == 1 && cols == 1, "expected one value from: %s (got %d rows)", sql, rows);
	return out;
}

long long it_db_ll(const char *sql, ...)
{
	PGconn *c;
	PGresult *r;
	long long v = 0;
	va_list ap;
	int one;

	va_start(ap, sql);
	r = db_query(sql, ap, &c);
	va_end(ap);
	one = PQntuples(r) == 1 && PQnfields(r) == 1 && !PQgetisnull(r, 0, 0);
	if (one)
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	cr_assert(one, "expected one number from: %s", sql);
	return v;
}

void it_db_exec(const char *sql, ...)
{
	PGconn *c;
	PGresult *r;
	va_list ap;

	va_start(ap, sql);
	r = db_query(sql, ap, &c);
	va_end(ap);
	PQclear(r);
	PQfinish(c);
}

void it_restore_demo(void)
{
	char path[IT_PATH_MAX];
	char *sql, msg[512];
	PGconn *c;
	PGresult *r;
	int ok;

	snprintf(path, sizeof(path), "%s/schema/demo.sql", it_env("PC_TOP"));
	sql = it_read_file(path, NULL);
	cr_assert(sql != NULL, "cannot read %s", path);
	c = db_open();
	r = PQexec(c, sql);
	free(sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	cr_assert(ok, "demo.sql failed: %s", msg);
}

long long it_event_mark(void)
{
	return DB_LL("SELECT coalesce(max(id), 0) FROM recording_event");
}

long long it_events_since(long long mark, const char *call, const char *view)
{
	char m[24];

	snprintf(m, sizeof(m), "%lld", mark);
	return DB_LL("SELECT count(*) FROM recording_event WHERE id > $1::bigint "
	             "AND call_id = $2 AND view_id = $3",
	             m, call, view);
}

char *it_view_recording(const char *call, const char *view)
{
	return DB_TEXT("SELECT extract(epoch FROM recording)::text FROM phone_call_view "
	               "WHERE call_id = $1 AND id = $2",
	               call, view);
}

/* The tables a fingerprint covers. */
static const char *const tables[] = {
    "account",         "app",
    "access_token",    "extension",
    "phone_call",      "phone_call_view",
    "recording_event", "schema_migrations",
};
#define NTABLES (sizeof(tables) / sizeof(*tables))
/* The digest of one table (%s: its name). */
#define FP_TABLE_SQL                                                                               \
	"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "                     \
	"FROM %s t"

char *it_fingerprint(void)
{
	static PGconn *kept; /* this process's connection, open until it exits */
	char sql[256 * NTABLES], msg[512];
	size_t n = (size_t)snprintf(sql, sizeof(sql), "SELECT ''");
	PGresult *r = NULL;
	char *out = NULL;

	/* one row, one column: the text it_fingerprint builds, "table=md5;" for each */
	for (size_t i = 0; i < NTABLES; i++) {
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " || '%s=' || (", tables[i]);
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, FP_TABLE_SQL, tables[i]);
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ") || ';'");
	}
	cr_assert(n < sizeof(sql));
	/* a connection the server dropped since is opened again, once */
	for (int attempt = 0; attempt < 2 && out == NULL; attempt++) {
		if (kept == NULL || PQstatus(kept) != CONNECTION_OK) {
			PQfinish(kept);
			kept = db_open();
		}
		r = PQexec(kept, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			out = strdup(PQgetvalue(r, 0, 0));
		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		PQclear(r);
		if (out == NULL) {
			PQfinish(kept);
			kept = NULL;
		}
	}
	cr_assert(out != NULL, "fingerprint query failed: %s", msg);
	return out;
}

/* Stack */

int it_stack(const char *cmd)
{
	return it_stack_arg(cmd, NULL);
}

int it_stack_arg(const char *cmd, const char *arg)
{
	const char *stack = it_env("PC_STACK");
	int st;
	pid_t pid = fork();

	cr_assert(pid >= 0, "fork failed");
	if (pid == 0) {
		/* The PG* variables pass on: tools/stack tells its private cluster (PGHOST
		 * is its socket directory) from a server it must leave alone (make failover's),
		 * and a pool it starts needs them to reach the latter. */
		execl(stack, stack, cmd, arg, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The parent pid of a process from /proc/<pid>/stat, or -1. */
static long parent_of(const char *pid)
{
	char path[300], buf[512];
	const char *rp;
	long ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL && (rp = strrchr(buf, ')')) != NULL &&
	    sscanf(rp + 1, " %*c %ld", &ppid) != 1)
		ppid = -1;
	fclose(f);
	return ppid;
}

PGconn *it_lock_views(const char *call)
{
	const char *vals[1] = {call};
	PGconn *c = PQconnectdb("");
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		return NULL;
	}
	r = PQexec(c, "BEGIN");
	PQclear(r);
	r = PQexecParams(c, "SELECT 1 FROM phone_call_view WHERE call_id = $1 FOR UPDATE", 1, NULL,
	                 vals, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) == 0) {
		PQclear(r);
		PQfinish(c);
		return NULL;
	}
	PQclear(r);
	return c;
}

void *it_held_put(void *arg)
{
	struct it_held *h = arg;

	h->ok = http_send(&h->r, "PUT", P_CALL444, H_AUTH(TOK_U12) H_JSON, BODY_STOP01,
	                  strlen(BODY_STOP01)) == 0;
	return NULL;
}

long it_pool_pid(int n)
{
	char path[IT_PATH_MAX];
	char *text;
	long pid;

	if (n == 1)
		snprintf(path, sizeof(path), "%s/run/pool.pid", it_env("PC_VAR"));
	else
		snprintf(path, sizeof(path), "%s/run/pool-%d.pid", it_env("PC_VAR"), n);
	text = it_read_file(path, NULL);
	if (text == NULL)
		return -1;
	pid = strtol(text, NULL, 10);
	free(text);
	return pid > 0 ? pid : -1;
}

int it_instances(void)
{
	int n = 0;

	while (it_pool_pid(n + 1) > 0)
		n++;
	return n;
}

size_t it_worker_pids(long *pids, size_t cap)
{
	long pools[IT_INSTANCES_MAX];
	int np = 0;
	size_t n = 0;
	struct dirent *d;
	DIR *proc;

	while (np < IT_INSTANCES_MAX && (pools[np] = it_pool_pid(np + 1)) > 0)
		np++;
	cr_assert(np > 0, "no worker pool is running");
	proc = opendir("/proc");
	cr_assert(proc != NULL);
	while ((d = readdir(proc)) != NULL && n < cap) {
		long parent;
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		parent = parent_of(d->d_name);
		for (int i = 0; i < np; i++)
			if (parent == pools[i])
				pids[n++] = strtol(d->d_name, NULL, 10);
	}
	closedir(proc);
	qsort(pids, n, sizeof(*pids), cmp_long);
	return n;
}

size_t it_pool_worker_pids(int n, long *pids, size_t cap)
{
	long pool = it_pool_pid(n);
	size_t count = 0;
	struct dirent *d;
	DIR *proc;

	cr_assert(pool > 0, "worker pool %d is not running", n);
	proc = opendir("/proc");
	cr_assert(proc != NULL);
	while ((d = readdir(proc)) != NULL && count < cap)
		if (isdigit((unsigned char)d->d_name[0]) && parent_of(d->d_name) == pool)
			pids[count++] = strtol(d->d_name, NULL, 10);
	closedir(proc);
	qsort(pids, count, sizeof(*pids), cmp_long);
	return count;
}

char *it_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, n = 0, got;
	char *buf;

	if (f == NULL)
		return NULL;
	buf = malloc(cap);
	while (buf != NULL && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf == NULL)
		return NULL;
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

double it_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void it_nap(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int it_shell(const char *cmd, char *out, size_t cap)
{
	size_t n;
	FILE *p = popen(cmd, "r");
	int st;

	cr_assert(p != NULL, "cannot run %s", cmd);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
