/* it_compat.c - the service driven exactly as VoipNow's own UnifiedAPI client drives it: the
 * token request, phone-calls-list and phone-calls-update-start-stop-recording of the
 * vendor's `calls` package (tests/compat/client.mjs makes its requests, in Node.js, with
 * its URLs, headers, bodies and answer handling), over HTTPS through an nginx made from
 * nginx/production.conf itself (tools/tls), with its certificate verified for real. Each
 * case checks the status, the body, the text the vendor's tool would return, and then
 * the database.
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "it_util.h"

#define APP_KEY "demo-crm-user-12"
#define APP_SECRET "demo-crm-user-12-secret"
#define EXT210 "0003*210"
#define HSTS "max-age=63072000"
#define LIST_FAILED "Error listing phone calls: "
#define STOP_FAILED "Error updating phone call for StopRecording: "
#define OUT_MAX (4 << 20)

static void tls_up(void);
static void tls_down(void);

/* Every test gets a TLS nginx of its own, started from the template and stopped after it,
 * even when the test fails. */
TestSuite(compat, .init = tls_up, .fini = tls_down, .timeout = 120);

/* Set up by tls_up for this test's process. */
static char tls_port[16];
static char tls_base[64]; /* https://localhost:<port>, the client's voipnowHost */

/*
 * Runs argv (argv[0] a path or a name in PATH) with in (NULL: nothing) on its standard
 * input; returns its exit status, and its standard output in *out (malloc'd) when out is
 * not NULL. The mechanism of it_stack: fork, exec, wait.
 */
static int run(char *const argv[], const char *in, char **out)
{
	int to[2], from[2], st;
	size_t n = 0;
	ssize_t got;
	char *buf = malloc(OUT_MAX);
	pid_t pid;

	cr_assert(buf != NULL && pipe(to) == 0 && pipe(from) == 0);
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	cr_assert(pid >= 0, "fork failed");
	if (pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	if (in != NULL && write(to[1], in, strlen(in)) != (ssize_t)strlen(in))
		fprintf(stderr, "compat: short write to %s\n", argv[0]);
	close(to[1]);
	while (n < OUT_MAX - 1 && (got = read(from[0], buf + n, OUT_MAX - 1 - n)) != 0) {
		if (got > 0)
			n += (size_t)got;
	}
	close(from[0]);
	buf[n] = '\0';
	while (waitpid(pid, &st, 0) < 0)
		;
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The first line of a tool's output (malloc'd), for `tools/tls port` and the like. */
static char *first_line(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
	return s;
}

/* `$PC_TOP/tools/<tool> cmd`; its output in *out when out is not NULL. */
static int tool(const char *name, const char *cmd, const char *in, char **out)
{
	char path[4096];
	char *argv[] = {path, (char *)cmd, NULL};

	char *saved = strdup(it_env("PGUSER"));
	int rc;

	snprintf(path, sizeof(path), "%s/tools/%s", it_env("PC_TOP"), name);
	/* tools/apps as the App tool's own role (schema/roles.sql) */
	if (strcmp(name, "apps") == 0)
		setenv("PGUSER", "pc_apps", 1);
	rc = run(argv, in, out);
	setenv("PGUSER", saved, 1);
	free(saved);
	return rc;
}

static void tls_up(void)
{
	char *out;

	it_restore_demo();
	cr_assert_eq(tool("tls", "up", NULL, NULL), 0, "tools/tls up failed (see log/tls-*.log)");
	cr_assert_eq(tool("tls", "port", NULL, &out), 0, "tools/tls port failed");
	snprintf(tls_port, sizeof(tls_port), "%s", first_line(out));
	free(out);
	snprintf(tls_base, sizeof(tls_base), "https://localhost:%s", tls_port);
	/* The client trusts the throwaway CA as it would any extra CA: verification stays on. */
	cr_assert_eq(tool("tls", "ca", NULL, &out), 0, "tools/tls ca failed");
	setenv("NODE_EXTRA_CA_CERTS", first_line(out), 1);
	free(out);
	unsetenv("NODE_TLS_REJECT_UNAUTHORIZED");
}

static void tls_down(void)
{
	if (tool("tls", "down", NULL, NULL) != 0)
		fprintf(stderr, "compat: tools/tls down failed\n");
}

/* A test that crashes or runs out of time never reaches its fini, and its nginx would
 * outlive the suite: after the suite, the runner itself stops whatever is left. No
 * assertion here (this is the runner, not a test). */
ReportHook(POST_SUITE)(struct criterion_suite_stats *stats)
{
	const char *top = getenv("PC_TOP");
	char path[4096];
	pid_t pid;
	int st;

	if (top == NULL || strcmp(stats->suite->name, "compat") != 0)
		return;
	snprintf(path, sizeof(path), "%s/tools/tls", top);
	pid = fork();
	if (pid == 0) {
		execl(path, path, "down", (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0)
		;
}

/* What the client did, as tests/compat/client.mjs prints it. */
struct answer {
	yajl_val root;
	int status;         /* -1: no answer came */
	const char *body;   /* the raw body; NULL when no answer came */
	const char *result; /* the text the vendor's tool returns */
	const char *url;    /* the URL the client requested */
	yajl_val headers;   /* lower-case names */
	char *line;
};

/* Runs the vendor client's request op with the tool arguments args (JSON), with a Bearer
 * token (NULL: none). */
static void client(struct answer *a, const char *token, const char *op, const char *args)
{
	char script[4096], err[256];
	char *argv[] = {"node",     script,       "--url",
	                tls_base,   "--token",    (char *)(token ? token : ""),
	                (char *)op, (char *)args, NULL};
	yajl_val st;
	int rc;

	memset(a, 0, sizeof(*a));
	snprintf(script, sizeof(script), "%s/tests/compat/client.mjs", it_env("PC_TOP"));
	rc = run(argv, NULL, &a->line);
	cr_assert_eq(rc, 0, "client.mjs %s %s: exit status %d: %.300s", op, args, rc, a->line);
	a->root = yajl_tree_parse(a->line, err, sizeof(err));
	cr_assert(a->root != NULL && YAJL_IS_OBJECT(a->root),
	          "client.mjs printed no JSON (%s): %.300s", err, a->line);
	st = it_key(a->root, "status");
	a->status = YAJL_IS_INTEGER(st) ? (int)YAJL_GET_INTEGER(st) : -1;
	a->body = it_str(a->root, "body");
	a->result = it_str(a->root, "result");
	a->url = it_str(a->root, "url");
	a->headers = it_key(a->root, "headers");
	cr_assert(a->result != NULL, "client.mjs gave no result: %.300s", a->line);
	cr_assert(a->status > 0 && a->body != NULL, "%s %s: no answer came: %.400s", op, args,
	          a->line);
}

static void answer_free(struct answer *a)
{
	yajl_tree_free(a->root);
	free(a->line);
}

static const char *header(const struct answer *a, const char *name)
{
	return it_str(a->headers, name);
}

/* Every answer of the TLS server carries the template's HSTS header. */
static void expect_status(const struct answer *a, int status, const char *label)
{
	cr_assert_eq(a->status, status, "%s: status %d, expected %d; body %.300s; result %.300s",
	             label, a->status, status, a->body, a->result);
	it_expect_str(header(a, "strict-transport-security"), HSTS, "Strict-Transport-Security");
}

/* The URL the client requested, from the path on: https://localhost:<port>PATH. */
static void expect_url(const struct answer *a, const char *path)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s%s", tls_base, path);
	it_expect_str(a->url, want, "the URL the client requested");
}

/* A successful answer as the tool returns it: the client re-serializes the JSON it read,
 * which gives the compact body back byte for byte. */
static yajl_val expect_tool_json(const struct answer *a, const char *label)
{
	char err[256];
	yajl_val v = yajl_tree_parse(a->body, err, sizeof(err));

	cr_assert(v != NULL && YAJL_IS_OBJECT(v), "%s: the body is not a JSON object: %.300s",
	          label, a->body);
	it_expect_str(header(a, "content-type"), "application/json", "Content-Type");
	it_expect_str(a->result, a->body, "the tool's text is the body it read");
	return v;
}

/* An error answer and the tool's text for it: the body is exactly
 * {"error":{"code":code,"message":M}} and the text prefix{'code': code, 'message': M}. */
static void expect_error(const struct answer *a, int status, const char *code, const char *prefix,
                         const char *label)
{
	char err[256], want[1024];
	yajl_val v, e;
	const char *msg;

	expect_status(a, status, label);
	it_expect_str(header(a, "content-type"), "application/json", "Content-Type");
	v = yajl_tree_parse(a->body, err, sizeof(err));
	cr_assert(v != NULL, "%s: the body is not JSON: %.300s", label, a->body);
	e = it_key(v, "error");
	msg = it_str(e, "message");
	cr_expect(it_nkeys(v) == 1 && it_nkeys(e) == 2 && msg != NULL && *msg != '\0',
	          "%s: not the error shape: %.300s", label, a->body);
	it_expect_str(it_str(e, "code"), code, "error.code");
	snprintf(want, sizeof(want), "%s{'code': %s, 'message': %s}", prefix, code, msg ? msg : "");
	it_expect_str(a->result, want, "the tool's text");
	if (status == 401) {
		const char *h = header(a, "www-authenticate");
		cr_expect(h != NULL && strncmp(h, "Bearer", 6) == 0,
		          "%s: 401 without WWW-Authenticate: Bearer", label);
	}
	yajl_tree_free(v);
}

/* The token of the demo App (key demo-crm-user-12), as the client obtains it. */
static char *app_token(void)
{
	struct answer a;
	char *t;

	client(&a, NULL, "token", "{\"appId\":\"" APP_KEY "\",\"appSecret\":\"" APP_SECRET "\"}");
	expect_status(&a, 200, "token request");
	t = strdup(a.result);
	answer_free(&a);
	return t;
}

/* The self link of a demo call of user 12. */
static void self_link(char *buf, size_t cap, const char *id)
{
	snprintf(buf, cap, "%s" P_PREFIX "12/%s/%s", tls_base,
	         strcmp(id, "555555") == 0 ? "0003*211" : EXT210, id);
}

/* A 200 list: the page's fields, the calls' ids in order, each with its https self link.
 * Returns the body's JSON (yajl_tree_free it). */
static yajl_val expect_list(const struct answer *a, size_t n, const char *const *ids,
                            long long total, const char *label)
{
	char self[256];
	yajl_val root, e;

	expect_status(a, 200, label);
	root = expect_tool_json(a, label);
	cr_expect_eq(it_nkeys(root), 4, "%s: startIndex, itemsPerPage, totalResults, entry", label);
	cr_expect_eq(it_int(root, "startIndex"), 0, "%s: startIndex", label);
	cr_expect_eq(it_int(root, "itemsPerPage"), (long long)n, "%s: itemsPerPage", label);
	cr_expect_eq(it_int(root, "totalResults"), total, "%s: totalResults", label);
	e = it_key(root, "entry");
	cr_assert(YAJL_IS_ARRAY(e), "%s: no entry array", label);
	cr_assert_eq(e->u.array.len, n, "%s: %zu calls, expected %zu: %.400s", label,
	             e->u.array.len, n, a->body);
	for (size_t i = 0; i < n; i++) {
		it_expect_str(it_str(e->u.array.values[i], "id"), ids[i], "entry id");
		self_link(self, sizeof(self), ids[i]);
		it_expect_str(it_str(it_key(e->u.array.values[i], "link"), "self"), self,
		              "entry link.self");
	}
	return root;
}

/* Lists with the app's token and expects these calls (of 0003*210, the URL's path
 * being /uapi/phoneCalls/@me/0003*210/?<query>). */
static void list_expect(const char *args, const char *query, size_t n, const char *const *ids,
                        long long total)
{
	char *tok = app_token(), path[512];
	struct answer a;

	client(&a, tok, "list", args);
	snprintf(path, sizeof(path), P_PREFIX "@me/" EXT210 "/?%s", query);
	expect_url(&a, path);
	yajl_tree_free(expect_list(&a, n, ids, total, args));
	answer_free(&a);
	free(tok);
}

static const char *const both[] = {"444444", CALL_B817};
static const char *const only444[] = {"444444"};
static const char *const onlyb817[] = {CALL_B817};

/* The id of the access_token row of the token $1 (stored as its SHA-256 digest). */
#define TOKEN_ROW "(SELECT id FROM access_token WHERE token_hash = sha256(convert_to($1, 'UTF8')))"

/* Token */

Test(compat, token_request)
{
	struct answer a;
	yajl_val v;
	long long before = DB_LL("SELECT count(*) FROM access_token");

	client(&a, NULL, "token", "{\"appId\":\"" APP_KEY "\",\"appSecret\":\"" APP_SECRET "\"}");
	expect_status(&a, 200, "token request");
	expect_url(&a, "/oauth/token.php");
	v = it_json(&(struct http_resp){.body = (char *)a.body});
	cr_expect_eq(it_nkeys(v), 3, "access_token, token_type, expires_in: %s", a.body);
	it_expect_str(it_str(v, "token_type"), "Bearer", "token_type");
	cr_expect_eq(it_int(v, "expires_in"), 3600, "expires_in");
	it_expect_str(a.result, it_str(v, "access_token"), "the token the client keeps");
	cr_expect_eq(it_int(a.root, "expires_in"), 3600, "the lifetime the client keeps");
	it_expect_str(header(&a, "cache-control"), "no-store", "Cache-Control");
	it_expect_str(header(&a, "pragma"), "no-cache", "Pragma");
	cr_expect_eq(strlen(a.result), 43, "a token of 43 characters");
	/* one new token, of App 1, for an hour, stored as its digest */
	cr_expect_eq(DB_LL("SELECT count(*) FROM access_token"), before + 1, "one new token");
	cr_expect_eq(DB_LL("SELECT count(*) FROM access_token WHERE app_id = 1 AND org_id = 3 "
	                   "AND token_hash = sha256(convert_to($1, 'UTF8')) AND revoked_at IS NULL "
	                   "AND expires_at BETWEEN now() + interval '59 minutes' "
	                   "AND now() + interval '61 minutes'",
	                   a.result),
	             1, "the token is App 1's, valid one hour");
	yajl_tree_free(v);
	answer_free(&a);
}

Test(compat, token_request_wrong_secret)
{
	struct answer a;
	char want[1024];
	long long before = DB_LL("SELECT count(*) FROM access_token");

	client(&a, NULL, "token", "{\"appId\":\"" APP_KEY "\",\"appSecret\":\"not-the-secret\"}");
	expect_status(&a, 401, "wrong secret");
	cr_expect(strstr(a.body, "\"error\":\"invalid_client\"") != NULL, "invalid_client: %s",
	          a.body);
	it_expect_str(header(&a, "www-authenticate"), "Basic realm=\"UnifiedAPI\"",
	              "WWW-Authenticate");
	/* the client's failure: HTTP <status>: <reason> - <body> */
	snprintf(want, sizeof(want), "HTTP 401: Unauthorized - %s", a.body);
	it_expect_str(a.result, want, "the client's error");
	cr_expect_eq(DB_LL("SELECT count(*) FROM access_token"), before, "no token issued");
	answer_free(&a);
}

/* StopRecording and StartRecording */

/* The recording_event rows after mark, as action|call|view|app|actor|format|token. */
static char *events_since(long long mark)
{
	char m[24];

	snprintf(m, sizeof(m), "%lld", mark);
	return DB_TEXT(
	    "SELECT coalesce(string_agg(concat_ws('|', action, call_id, view_id, app_id, "
	    "actor_user_id, format, token_id), ';' ORDER BY id), '') "
	    "FROM recording_event WHERE id > $1::bigint",
	    m);
}

/* The 202 of a PUT on 444444 through the client: its exact body and the tool's text. */
static void expect_accepted_444(const struct answer *a, const char *label)
{
	char want[512];

	expect_status(a, 202, label);
	snprintf(want, sizeof(want),
	         "{\"id\":\"444444\",\"extension\":\"" EXT210 "\",\"link\":{\"self\":\"%s" P_CALL444
	         "\"}}",
	         tls_base);
	it_expect_str(a->body, want, "202 body");
	it_expect_str(a->result, want, "the tool's text");
	it_expect_str(header(a, "content-type"), "application/json", "Content-Type");
}

#define STOP_444(user)                                                                             \
	"{\"userId\":\"" user "\",\"extension\":\"" EXT210 "\",\"phoneCallId\":\"444444\","        \
	"\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}"

/* The stop event the client's token caused on 444444/01. */
static void expect_stop_event(long long mark, const char *tok)
{
	char *ev = events_since(mark), want[128];
	char *tid = DB_TEXT("SELECT " TOKEN_ROW "::text", tok);

	snprintf(want, sizeof(want), "stop|444444|01|1|12|wav|%s", tid);
	it_expect_str(ev, want, "exactly one new event (action|call|view|app|actor|format|token)");
	free(ev);
	free(tid);
}

Test(compat, stop_recording_trailing_slash)
{
	char *tok = app_token(), *rec;
	long long mark = it_event_mark();
	struct answer a;

	rec = it_view_recording("444444", "01");
	cr_assert(rec != NULL, "demo view 444444/01 should be recorded");
	free(rec);
	client(&a, tok, "update", STOP_444("@me"));
	expect_url(&a, P_PREFIX "@me/" EXT210 "/444444/");
	expect_accepted_444(&a, "StopRecording");
	cr_expect_null(it_view_recording("444444", "01"), "view 01 of 444444 is still recorded");
	expect_stop_event(mark, tok);
	answer_free(&a);
	free(tok);
}

/* Stops view 01 of 444444 through the client, so that a start changes it. */
static void stop_444(const char *tok)
{
	struct answer a;

	client(&a, tok, "update", STOP_444("@me"));
	expect_accepted_444(&a, "StopRecording first");
	answer_free(&a);
	cr_assert_null(it_view_recording("444444", "01"));
}

/* StartRecording of 444444/01 through the client; format NULL: the tool's default. */
static void start_444(const char *format, const char *stored)
{
	char *tok = app_token(), args[512], want[128], *got, *ev, *tid;
	long long mark;
	struct answer a;

	stop_444(tok);
	mark = it_event_mark();
	snprintf(args, sizeof(args),
	         "{\"extension\":\"" EXT210 "\",\"phoneCallId\":\"444444\","
	         "\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\"%s%s%s}",
	         format ? ",\"format\":\"" : "", format ? format : "", format ? "\"" : "");
	client(&a, tok, "update", args);
	expect_url(&a, P_PREFIX "@me/" EXT210 "/444444/");
	expect_accepted_444(&a, "StartRecording");
	got = DB_TEXT("SELECT concat_ws('|', recording IS NOT NULL, recording_format) "
	              "FROM phone_call_view WHERE call_id = '444444' AND id = '01'");
	snprintf(want, sizeof(want), "t|%s", stored);
	it_expect_str(got, want, "view 01 recorded (recording set|format)");
	ev = events_since(mark);
	tid = DB_TEXT("SELECT " TOKEN_ROW "::text", tok);
	snprintf(want, sizeof(want), "start|444444|01|1|12|%s|%s", stored, tid);
	it_expect_str(ev, want, "exactly one new start event");
	free(got);
	free(ev);
	free(tid);
	answer_free(&a);
	free(tok);
}

Test(compat, start_recording_wav49)
{
	start_444("wav49", "wav49");
}

Test(compat, start_recording_default_format)
{
	start_444(NULL, "wav");
}

Test(compat, user_me_without_at)
{
	char *tok = app_token();
	long long mark = it_event_mark();
	struct answer a;

	client(&a, tok, "update", STOP_444("me"));
	expect_url(&a, P_PREFIX "@me/" EXT210 "/444444/");
	expect_accepted_444(&a, "StopRecording as 'me'");
	cr_expect_null(it_view_recording("444444", "01"), "view 01 of 444444 is still recorded");
	expect_stop_event(mark, tok);
	answer_free(&a);
	free(tok);
}

Test(compat, stop_recording_unknown_call)
{
	char *tok = app_token(), *before = it_fingerprint(), *after;
	struct answer a;

	client(&a, tok, "update",
	       "{\"extension\":\"" EXT210 "\",\"phoneCallId\":\"999999\","
	       "\"action\":\"StopRecording\",\"phoneCallViewId\":\"01\"}");
	expect_url(&a, P_PREFIX "@me/" EXT210 "/999999/");
	expect_error(&a, 400, "pc_phonecall_invalid", STOP_FAILED, "PUT on an unknown call");
	after = it_fingerprint();
	it_expect_str(after, before, "nothing changed");
	free(before);
	free(after);
	answer_free(&a);
	free(tok);
}

/* List */

Test(compat, list_calls)
{
	list_expect("{\"userId\":\"@me\",\"extension\":\"" EXT210 "\"}", "count=20&startIndex=0", 2,
	            both, 2);
}

Test(compat, list_one_call)
{
	char *tok = app_token(), self[256];
	struct answer a;
	yajl_val v;

	client(&a, tok, "list", "{\"extension\":\"" EXT210 "\",\"phoneCallId\":\"444444\"}");
	expect_url(&a, P_PREFIX "@me/" EXT210 "/444444/?count=20&startIndex=0");
	expect_status(&a, 200, "one call");
	v = expect_tool_json(&a, "one call");
	cr_expect_eq(it_nkeys(v), 8, "a PhoneCall has 8 fields: %s", a.body);
	it_expect_str(it_str(v, "id"), "444444", "id");
	it_expect_str(it_str(v, "extension"), EXT210, "extension");
	it_expect_str(it_str(v, "published"), "2012-06-27T16:08:40+03:00", "published");
	self_link(self, sizeof(self), "444444");
	it_expect_str(it_str(it_key(v, "link"), "self"), self, "link.self");
	yajl_tree_free(v);
	answer_free(&a);
	free(tok);
}

Test(compat, list_self_extension)
{
	static const char *const ids[] = {"444444", CALL_B817, "555555"};
	char *tok = app_token();
	struct answer a;

	client(&a, tok, "list", "{\"extension\":\"@self\"}");
	expect_url(&a, P_PREFIX "@me/@self/?count=20&startIndex=0");
	yajl_tree_free(expect_list(&a, 3, ids, 3, "@self"));
	answer_free(&a);
	free(tok);
}

/* An Organization App: the client turns 'owner' into @owner, resolved to user 12. */
Test(compat, list_owner_with_org_token)
{
	struct answer a;

	client(&a, TOK_ORG3, "list", "{\"userId\":\"owner\",\"extension\":\"" EXT210 "\"}");
	expect_url(&a, P_PREFIX "@owner/" EXT210 "/?count=20&startIndex=0");
	yajl_tree_free(expect_list(&a, 2, both, 2, "@owner"));
	answer_free(&a);

	client(&a, TOK_ORG3, "list",
	       "{\"userId\":\"@owner\",\"extension\":\"" EXT210 "\",\"phoneCallId\":\"" CALL_B817
	       "\"}");
	expect_url(&a, P_PREFIX "@owner/" EXT210 "/" CALL_B817 "/?count=20&startIndex=0");
	expect_status(&a, 200, "@owner, one call");
	yajl_tree_free(expect_tool_json(&a, "@owner, one call"));
	answer_free(&a);
}

/* The List parameters, as the client encodes them (URLSearchParams: ',' %2C, ':' %3A,
 * '+' %2B). */

Test(compat, list_sort_descending)
{
	static const char *const ids[] = {CALL_B817, "444444"};

	list_expect("{\"extension\":\"" EXT210 "\",\"sortOrder\":\"descending\"}",
	            "count=20&startIndex=0&sortOrder=descending", 2, ids, 2);
}

Test(compat, list_filter_id_equals)
{
	list_expect("{\"extension\":\"" EXT210 "\",\"filterBy\":\"id\",\"filterOp\":\"equals\","
	            "\"filterValue\":\"444444\"}",
	            "count=20&filterBy=id&filterOp=equals&filterValue=444444&startIndex=0", 1,
	            only444, 1);
}

Test(compat, list_filter_id_in_array)
{
	list_expect("{\"extension\":\"" EXT210 "\",\"filterBy\":\"id\",\"filterOp\":\"inArray\","
	            "\"filterValue\":\"444444," CALL_B817 "\"}",
	            "count=20&filterBy=id&filterOp=inArray&filterValue=444444%2C" CALL_B817
	            "&startIndex=0",
	            2, both, 2);
}

Test(compat, list_filter_id_starts_with)
{
	list_expect("{\"extension\":\"" EXT210 "\",\"filterBy\":\"id\",\"filterOp\":\"startsWith\","
	            "\"filterValue\":\"b817\"}",
	            "count=20&filterBy=id&filterOp=startsWith&filterValue=b817&startIndex=0", 1,
	            onlyb817, 1);
}

Test(compat, list_filter_published_greater_than)
{
	list_expect("{\"extension\":\"" EXT210 "\",\"filterBy\":\"published\","
	            "\"filterOp\":\"greaterThan\",\"filterValue\":\"2012-06-27T16:08:45+03:00\"}",
	            "count=20&filterBy=published&filterOp=greaterThan"
	            "&filterValue=2012-06-27T16%3A08%3A45%2B03%3A00&startIndex=0",
	            1, onlyb817, 1);
}

Test(compat, list_filter_published_less_than_utc)
{
	list_expect("{\"extension\":\"" EXT210 "\",\"filterBy\":\"published\","
	            "\"filterOp\":\"lessThan\",\"filterValue\":\"2012-06-27T13:08:45Z\"}",
	            "count=20&filterBy=published&filterOp=lessThan"
	            "&filterValue=2012-06-27T13%3A08%3A45Z&startIndex=0",
	            1, only444, 1);
}

Test(compat, list_filter_published_equals)
{
	list_expect("{\"extension\":\"" EXT210 "\",\"filterBy\":\"published\","
	            "\"filterOp\":\"equals\",\"filterValue\":\"2012-06-27T16:08:40+03:00\"}",
	            "count=20&filterBy=published&filterOp=equals"
	            "&filterValue=2012-06-27T16%3A08%3A40%2B03%3A00&startIndex=0",
	            1, only444, 1);
}

Test(compat, list_filter_id_present)
{
	list_expect("{\"extension\":\"" EXT210 "\",\"filterBy\":\"id\",\"filterOp\":\"present\"}",
	            "count=20&filterBy=id&filterOp=present&startIndex=0", 2, both, 2);
}

/* fields: each entry has exactly the fields asked for, with id and link. */
static void list_fields(const char *fields_json, const char *query, const char *field)
{
	char *tok = app_token(), args[256], path[256];
	struct answer a;
	yajl_val root, e;

	snprintf(args, sizeof(args), "{\"extension\":\"" EXT210 "\",\"fields\":%s}", fields_json);
	client(&a, tok, "list", args);
	snprintf(path, sizeof(path), P_PREFIX "@me/" EXT210 "/?%s", query);
	expect_url(&a, path);
	root = expect_list(&a, 2, both, 2, args);
	e = it_key(root, "entry");
	for (size_t i = 0; i < e->u.array.len; i++) {
		yajl_val c = e->u.array.values[i];
		cr_expect_eq(it_nkeys(c), 3, "entry %zu: id, %s, link only: %s", i, field, a.body);
		cr_expect(it_str(c, field) != NULL, "entry %zu has %s", i, field);
		cr_expect_eq(it_nkeys(it_key(c, "link")), 1, "entry %zu: link.self", i);
	}
	yajl_tree_free(root);
	answer_free(&a);
	free(tok);
}

Test(compat, list_fields_id_extension)
{
	list_fields("[\"id\",\"extension\"]", "count=20&fields=id%2Cextension&startIndex=0",
	            "extension");
}

Test(compat, list_fields_published)
{
	list_fields("[\"published\"]", "count=20&fields=published&startIndex=0", "published");
}

/* What the client can send that the service refuses (filterValue and fields are free
 * strings in its schema). */
static void list_refused(const char *args, const char *query, const char *code)
{
	char *tok = app_token(), path[512];
	struct answer a;

	client(&a, tok, "list", args);
	snprintf(path, sizeof(path), P_PREFIX "@me/" EXT210 "/?%s", query);
	expect_url(&a, path);
	expect_error(&a, 400, code, LIST_FAILED, args);
	answer_free(&a);
	free(tok);
}

Test(compat, list_filter_value_not_a_date)
{
	list_refused(
	    "{\"extension\":\"" EXT210 "\",\"filterBy\":\"published\","
	    "\"filterOp\":\"equals\",\"filterValue\":\"not-a-date\"}",
	    "count=20&filterBy=published&filterOp=equals&filterValue=not-a-date&startIndex=0",
	    "filtervalue_invalid");
}

Test(compat, list_fields_unknown)
{
	list_refused("{\"extension\":\"" EXT210 "\",\"fields\":[\"id\",\"nope\"]}",
	             "count=20&fields=id%2Cnope&startIndex=0", "fields_invalid");
}

Test(compat, list_filter_op_contains_on_published)
{
	list_refused("{\"extension\":\"" EXT210 "\",\"filterBy\":\"published\","
	             "\"filterOp\":\"contains\",\"filterValue\":\"2012\"}",
	             "count=20&filterBy=published&filterOp=contains&filterValue=2012&startIndex=0",
	             "filterop_invalid");
}

/* A 204 has no body: the client's response.json() fails on it, and the tool returns that
 * failure (Node.js's JSON parse error), not an empty list. */
Test(compat, list_no_match_is_204)
{
	char *tok = app_token();
	struct answer a;

	client(&a, tok, "list",
	       "{\"extension\":\"" EXT210 "\",\"filterBy\":\"id\",\"filterOp\":\"equals\","
	       "\"filterValue\":\"999999\"}");
	expect_url(&a, P_PREFIX
	           "@me/" EXT210
	           "/?count=20&filterBy=id&filterOp=equals&filterValue=999999&startIndex=0");
	expect_status(&a, 204, "no call matches");
	it_expect_str(a.body, "", "a 204 has no body");
	cr_expect_null(header(&a, "content-type"), "a 204 has no Content-Type");
	it_expect_str(a.result, LIST_FAILED "Unexpected end of JSON input",
	              "the vendor tool's text for a 204");
	answer_free(&a);
	free(tok);
}

/* Tokens the service refuses */

Test(compat, revoked_and_unknown_tokens)
{
	char *tok = app_token(), *out, *before, *after;
	struct answer a;

	/* the client's own token, revoked by the operator */
	cr_assert_eq(tool("apps", "revoke-token", tok, &out), 0, "tools/apps revoke-token: %s",
	             out);
	free(out);
	client(&a, tok, "list", "{\"extension\":\"" EXT210 "\"}");
	expect_error(&a, 401, "access_denied", LIST_FAILED, "a revoked token");
	answer_free(&a);
	before = it_fingerprint();
	client(&a, tok, "update", STOP_444("@me"));
	expect_error(&a, 401, "access_denied", STOP_FAILED, "a revoked token");
	answer_free(&a);
	after = it_fingerprint();
	it_expect_str(after, before, "a refused PUT changes nothing");
	free(before);
	free(after);

	/* a token this service never issued, and one of the demo's revoked ones */
	client(&a, "no-such-token-0123456789", "list", "{\"extension\":\"" EXT210 "\"}");
	expect_error(&a, 401, "access_denied", LIST_FAILED, "an unknown token");
	answer_free(&a);
	client(&a, TOK_REVOKED, "list", "{\"extension\":\"" EXT210 "\"}");
	expect_error(&a, 401, "access_denied", LIST_FAILED, "a demo revoked token");
	answer_free(&a);
	free(tok);
}

/* The rest of the template: the HTTP server redirects to https, and the reference page
 * is served over TLS with the server's headers. */

Test(compat, template_redirects_http_to_https)
{
	char *out, port[16];
	struct http_resp r;

	cr_assert_eq(tool("tls", "http-port", NULL, &out), 0);
	snprintf(port, sizeof(port), "%s", first_line(out));
	free(out);
	/* http.c speaks to 127.0.0.1:$PC_HTTP_PORT; this answer is the template's, not the
	 * API's, so it stays out of the log that tools/openapi-check reads. */
	setenv("PC_HTTP_PORT", port, 1);
	unsetenv("PC_RESP_LOG");
	it_req(&r, "GET", P_LIST210 "?count=20", H_AUTH(TOK_U12), NULL);
	cr_expect_eq(r.status, 301, "status %d", r.status);
	it_expect_str(http_header(&r, "Location"), "https://127.0.0.1" P_LIST210 "?count=20",
	              "Location");
	http_free(&r);
}

Test(compat, template_serves_the_reference_with_hsts)
{
	char url[128], ca[4096], *out;
	char *argv[] = {"curl", "-sS", "-o", "/dev/null", "-D", "-", "--cacert", ca, url, NULL};

	snprintf(ca, sizeof(ca), "%s", getenv("NODE_EXTRA_CA_CERTS"));
	snprintf(url, sizeof(url), "%s/uapi/docs/", tls_base);
	cr_assert_eq(run(argv, NULL, &out), 0, "curl %s failed", url);
	cr_expect(strncmp(out, "HTTP/2 200", 10) == 0 || strncmp(out, "HTTP/1.1 200", 12) == 0,
	          "the reference page over TLS: %.200s", out);
	cr_expect(strstr(out, "strict-transport-security: " HSTS) != NULL ||
	              strstr(out, "Strict-Transport-Security: " HSTS) != NULL,
	          "the reference page lacks Strict-Transport-Security: %.600s", out);
	cr_expect(strstr(out, "content-security-policy:") != NULL ||
	              strstr(out, "Content-Security-Policy:") != NULL,
	          "the reference page keeps its own headers: %.600s", out);
	free(out);
}

/* nginx's own error pages set headers of their own (Allow, Retry-After), and so inherit
 * none of the server's: HSTS must be set on them too. POST to a static file is nginx's
 * own 405. */
Test(compat, template_error_pages_carry_hsts)
{
	char url[128], ca[4096], *out;
	char *argv[] = {"curl", "-sS",  "-o",       "/dev/null", "-D", "-",
	                "-X",   "POST", "--cacert", ca,          url,  NULL};

	snprintf(ca, sizeof(ca), "%s", getenv("NODE_EXTRA_CA_CERTS"));
	snprintf(url, sizeof(url), "%s/uapi/docs/index.html", tls_base);
	cr_assert_eq(run(argv, NULL, &out), 0, "curl %s failed", url);
	cr_expect(strncmp(out, "HTTP/2 405", 10) == 0 || strncmp(out, "HTTP/1.1 405", 12) == 0,
	          "POST to the reference page: %.200s", out);
	for (char *p = out; *p != '\0'; p++) /* header names in any case */
		*p = (char)tolower((unsigned char)*p);
	cr_expect(strstr(out, "allow: get, put") != NULL, "no Allow: %.600s", out);
	cr_expect(strstr(out, "strict-transport-security: " HSTS) != NULL,
	          "nginx's 405 lacks Strict-Transport-Security: %.600s", out);
	free(out);
}

/* Whether any log of the TLS nginx (production.conf's and the stock nginx.conf's, all
 * named $PC_VAR/log/tls-*) holds s. */
static int logs_hold(const char *s)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "grep -rqsF -- '%s' \"$PC_VAR\"/log/tls-*", s);
	return system(cmd) == 0;
}

/* Under Debian's stock nginx.conf, as production runs it: no log holds a token or a
 * client secret sent in a query string, neither the template's nor the stock ones. */
Test(compat, template_logs_no_secret)
{
	char url[4][256], ca[4096], *port, *out;
	char *argv[] = {"curl", "-s", "-o", "/dev/null", "--cacert", ca, "-X", "GET", NULL, NULL};

	snprintf(ca, sizeof(ca), "%s", getenv("NODE_EXTRA_CA_CERTS"));
	cr_assert_eq(tool("tls", "http-port", NULL, &out), 0);
	port = first_line(out);
	snprintf(url[0], sizeof(url[0]), "%s" P_LIST210 "?accessRequestToken=logsecret1", tls_base);
	snprintf(url[1], sizeof(url[1]), "%s/oauth/token.php?client_secret=logsecret2", tls_base);
	snprintf(url[2], sizeof(url[2]), "%s/nowhere?accessRequestToken=logsecret3", tls_base);
	snprintf(url[3], sizeof(url[3]),
	         "http://127.0.0.1:%s" P_LIST210 "?client_secret=logsecret4", port);
	free(out);
	for (int i = 0; i < 4; i++) {
		argv[8] = url[i];
		cr_assert_eq(run(argv, NULL, NULL), 0, "curl %s failed", url[i]);
	}
	/* the requests were logged (by request id), their secrets not */
	cr_assert(logs_hold("\"request\":\"GET /uapi/phoneCalls/12/0003*210\""),
	          "the template's access log has the list request");
	for (int i = 1; i <= 4; i++) {
		char s[16];
		snprintf(s, sizeof(s), "logsecret%d", i);
		cr_expect(!logs_hold(s), "a log holds %s", s);
	}
}
