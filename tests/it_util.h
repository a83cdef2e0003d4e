/* it_util.h - helpers shared by the integration tests: requests, JSON, checks, database, stack. */
#ifndef PC_TESTS_IT_UTIL_H
#define PC_TESTS_IT_UTIL_H

#include <pthread.h>
#include <stddef.h>

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <yajl/yajl_tree.h>

#include "http.h"

/* The demo tokens of schema/demo.sql. */
#define TOK_U12 "demo-user-12-token"
#define TOK_U13 "demo-user-13-token"
#define TOK_U20 "demo-user-20-token"
#define TOK_ORG3 "demo-org-3-token"
#define TOK_ORG4 "demo-org-4-token"
#define TOK_ADMIN "demo-admin-token"
#define TOK_SP "demo-sp-token"
#define TOK_EXPIRED "demo-expired-token"
#define TOK_REVOKED "demo-revoked-token"

/* The demo calls and the paths that reach them. */
#define CALL_B817 "b817d2618fe6f1804333"
#define P_PREFIX "/uapi/phoneCalls/"
#define P_LIST210 P_PREFIX "12/0003*210"
#define P_CALL444 P_LIST210 "/444444"
#define P_CALLB817 P_LIST210 "/" CALL_B817
#define P_CALL555 P_PREFIX "12/0003*211/555555"
#define P_CALL777 P_PREFIX "13/0003*220/777777"
#define P_CALL666 P_PREFIX "20/0004*100/666666"

#define BODY_STOP01 "{\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}"
#define BODY_START01 "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\"}"
#define BODY_START01_WAV49                                                                         \
	"{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":\"wav49\"}"

#define H_JSON "Content-Type: application/json\r\n"
#define H_AUTH(tok) "Authorization: Bearer " tok "\r\n"
/* Host and Connection lines of a request written out raw. */
#define RAW_HOST "Host: 127.0.0.1\r\nConnection: close\r\n"

/* A request expected to fail: what to send and the answer it must get. */
struct it_case {
	const char *method;
	const char *target;
	const char *headers;
	const char *body; /* NULL: none */
	int status;
	const char *code; /* error code; NULL where only the status is checked */
};

/* A non-fatal check that also clears *ok when it fails. */
#define IT_CHECK(ok, cond, ...)                                                                    \
	do {                                                                                       \
		int it_c_ = !!(cond);                                                              \
		cr_expect(it_c_, __VA_ARGS__);                                                     \
		*(ok) &= it_c_;                                                                    \
	} while (0)

/* An environment variable the suite needs; fails the test when unset. */
const char *it_env(const char *name);

/* "http://127.0.0.1:<port>", the base of self links for the Host the tests send. */
const char *it_base(void);

/* Requests; each fails the test when no HTTP answer comes. body NULL: none. */
void it_req(struct http_resp *r, const char *method, const char *target, const char *headers,
            const char *body);
/* GET with a Bearer token (NULL: no Authorization header). */
void it_get(struct http_resp *r, const char *token, const char *target);
/* PUT of a JSON body with a Bearer token (NULL: none). */
void it_put(struct http_resp *r, const char *token, const char *target, const char *body);

/* Fails the test unless r has that status; the message shows the body. */
void it_assert_status(const struct http_resp *r, int status, const char *label);

/* Non-fatal: got (may be NULL) equals want; the message names what and both values. */
int it_expect_str(const char *got, const char *want, const char *what);

/* Whether the media type of Content-Type is application/json. */
int it_is_json(const struct http_resp *r);

/*
 * Checks (non-fatally) an error answer: status, JSON Content-Type, a body that is
 * exactly {"error":{"code":code,"message":<non-empty>}}, and the header its status
 * requires (WWW-Authenticate: Bearer, Allow, Retry-After). Returns 1 when all hold.
 */
int it_check_error(const struct http_resp *r, int status, const char *code, const char *label);

/* A body of exactly size bytes: the stop of view 01 padded with spaces (malloc'd). */
char *it_padded_stop(size_t size);

/* JSON of a response body, which must be an object (yajl_tree_free it). */
yajl_val it_json(const struct http_resp *r);
yajl_val it_key(yajl_val obj, const char *key);
/* A string member, or NULL when absent or not a string. */
const char *it_str(yajl_val obj, const char *key);
/* An integer member, or -1 when absent or not an integer. */
long long it_int(yajl_val obj, const char *key);
/* How many members an object has (0 when it is not an object). */
size_t it_nkeys(yajl_val obj);
/* Whether v is an array of exactly one string, s. */
int it_is_str_array1(yajl_val v, const char *s);

/* Database (PG* variables). Parameters are text, listed up to a NULL. */
char *it_db_text(const char *sql, ...); /* one row, one column: malloc'd, NULL for SQL NULL */
long long it_db_ll(const char *sql, ...);
void it_db_exec(const char *sql, ...);
#define DB_TEXT(...) it_db_text(__VA_ARGS__, (const char *)NULL)
#define DB_LL(...) it_db_ll(__VA_ARGS__, (const char *)NULL)
#define DB_EXEC(...) it_db_exec(__VA_ARGS__, (const char *)NULL)

/* Runs $PC_TOP/schema/demo.sql: every demo row back as shipped. */
void it_restore_demo(void);
/* The highest recording_event id so far (0 when none). */
long long it_event_mark(void);
/* Events after mark of one call's view. */
long long it_events_since(long long mark, const char *call, const char *view);
/* The recording time of a view as epoch seconds text, NULL when not recorded. */
char *it_view_recording(const char *call, const char *view);
/* One digest of the contents of every table ("table=md5;" each, malloc'd), in one query
 * over a connection the test process keeps open: cheap enough after every request. */
char *it_fingerprint(void);

/* Runs `$PC_STACK cmd` on the suite's stack; returns its exit status. */
int it_stack(const char *cmd);
/* The same with one argument (NULL: none), such as an instance number. */
int it_stack_arg(const char *cmd, const char *arg);
/* Opens a transaction that locks every view of a call (FOR UPDATE), so that a request
 * on it waits in the database; NULL on failure. COMMIT and PQfinish it to let go. */
PGconn *it_lock_views(const char *call);

/* A PUT that stops view 01 of 444444 on a thread of its own (it_held_put, the thread's
 * function), for a test that holds it in the database (it_lock_views) meanwhile. */
struct it_held {
	pthread_t thread;
	struct http_resp r; /* the answer, when ok */
	int ok;             /* an answer came */
};
void *it_held_put(void *arg);

/* The pid of instance n's pool (its multiwatch: $PC_VAR/run/pool.pid for 1,
 * pool-<n>.pid for the others), or -1 when it is not running. */
long it_pool_pid(int n);
/* How many instances (worker pools) the stack runs: 1, 2, ... until one has no pool. */
int it_instances(void);
/* The pids of every pool's workers (children of the multiwatch processes), sorted;
 * returns how many (at most cap). */
size_t it_worker_pids(long *pids, size_t cap);
/* The pids of instance n's workers, sorted; returns how many (at most cap). */
size_t it_pool_worker_pids(int n, long *pids, size_t cap);
/* A whole file, NUL-terminated (malloc'd), or NULL. */
char *it_read_file(const char *path, size_t *len);
/* Runs cmd with a shell into out (cap bytes, standard error joined if cmd says 2>&1);
 * returns its exit status (128 when it did not exit). */
int it_shell(const char *cmd, char *out, size_t cap);
/* Monotonic seconds. */
double it_now(void);
/* Sleeps ms milliseconds (between polls). */
void it_nap(int ms);

#endif
