/*
 * it_isolation.c - the tenant isolation matrix: every context (user, organization, global,
 * service provider) against every target (its own call, a call of another user of the same
 * organization, a call of another organization), reached by every form of path.
 *
 * Where a context may not reach a target, the answer must be the very answer an unknown id
 * gets (status, headers but Date and X-Request-Id, body bytes), and nothing may change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "it_util.h"

TestSuite(isolation, .init = it_restore_demo);

enum target { OWN, SAME_ORG, OTHER_ORG };

static const char *const target_names[] = {"own call", "same-org user's call", "other org's call"};

/* One cell of the matrix, reached by one path. */
struct cell {
	const char *token;
	enum target target;
	const char *path;
	int get;              /* 200: allowed (with put 202) */
	const char *get_code; /* error code; NULL with 200 and 204 */
	int put;
	const char *put_code;
	const char *twin; /* an unknown id that must answer alike; NULL when allowed */
};

#define ALLOWED 200, NULL, 202, NULL, NULL
#define DENIED(code, twin) 400, code, 400, code, P_PREFIX twin
#define UNSEEN(twin) 204, NULL, 400, "pc_phonecall_invalid", P_PREFIX twin
#define REFUSED(twin) 403, "access_denied", 403, "access_denied", P_PREFIX twin

static const struct cell matrix[] = {
    /* user context: user 12 of organization 3 */
    {TOK_U12, OWN, P_CALL444, ALLOWED},
    {TOK_U12, OWN, P_PREFIX "@me/0003*210/444444", ALLOWED},
    {TOK_U12, OWN, P_PREFIX "12/@self/444444", ALLOWED},
    {TOK_U12, OWN, P_PREFIX "@owner/@self/444444", ALLOWED},
    {TOK_U12, SAME_ORG, P_CALL777, DENIED("user_invalid", "999999/0003*220/777777")},
    {TOK_U12, SAME_ORG, P_PREFIX "12/0003*220/777777",
     DENIED("extension_invalid", "12/0003*999/777777")},
    {TOK_U12, SAME_ORG, P_PREFIX "@owner/0003*220/777777",
     DENIED("extension_invalid", "@owner/0003*999/777777")},
    {TOK_U12, SAME_ORG, P_PREFIX "12/@self/777777", UNSEEN("12/@self/999999")},
    {TOK_U12, SAME_ORG, P_PREFIX "12/0003*210/777777", UNSEEN("12/0003*210/999999")},
    {TOK_U12, SAME_ORG, P_PREFIX "@owner/@self/777777", UNSEEN("@owner/@self/999999")},
    {TOK_U12, OTHER_ORG, P_CALL666, DENIED("user_invalid", "999999/0004*100/666666")},
    {TOK_U12, OTHER_ORG, P_PREFIX "12/0004*100/666666",
     DENIED("extension_invalid", "12/0003*999/666666")},
    {TOK_U12, OTHER_ORG, P_PREFIX "12/@self/666666", UNSEEN("12/@self/999999")},
    {TOK_U12, OTHER_ORG, P_PREFIX "@me/0003*210/666666", UNSEEN("@me/0003*210/999999")},
    /* organization context: organization 3 */
    {TOK_ORG3, OWN, P_CALL444, ALLOWED},
    {TOK_ORG3, OWN, P_PREFIX "@owner/@self/444444", ALLOWED},
    {TOK_ORG3, OWN, P_PREFIX "@owner/0003*210/444444", ALLOWED},
    {TOK_ORG3, SAME_ORG, P_CALL777, ALLOWED},
    {TOK_ORG3, SAME_ORG, P_PREFIX "@owner/@self/777777", ALLOWED},
    {TOK_ORG3, SAME_ORG, P_PREFIX "13/@self/777777", ALLOWED},
    {TOK_ORG3, OTHER_ORG, P_CALL666, DENIED("user_invalid", "999999/0004*100/666666")},
    {TOK_ORG3, OTHER_ORG, P_PREFIX "@owner/0004*100/666666",
     DENIED("extension_invalid", "@owner/0003*999/666666")},
    {TOK_ORG3, OTHER_ORG, P_PREFIX "@owner/@self/666666", UNSEEN("@owner/@self/999999")},
    {TOK_ORG3, OTHER_ORG, P_PREFIX "12/0003*210/666666", UNSEEN("12/0003*210/999999")},
    {TOK_ORG3, OTHER_ORG, P_PREFIX "20/@self/666666",
     DENIED("user_invalid", "999999/@self/666666")},
    /* the other organization's own context cannot reach back */
    {TOK_ORG4, OTHER_ORG, P_CALL444, DENIED("user_invalid", "999999/0003*210/444444")},
    {TOK_ORG4, OTHER_ORG, P_PREFIX "@owner/@self/444444", UNSEEN("@owner/@self/999999")},
    {TOK_U20, OTHER_ORG, P_PREFIX "20/@self/444444", UNSEEN("20/@self/999999")},
    /* global context: an App of the Admin */
    {TOK_ADMIN, OWN, P_CALL444, ALLOWED},
    {TOK_ADMIN, OWN, P_PREFIX "@owner/@self/444444", ALLOWED},
    {TOK_ADMIN, SAME_ORG, P_CALL777, ALLOWED},
    {TOK_ADMIN, SAME_ORG, P_PREFIX "@owner/@self/777777", ALLOWED},
    {TOK_ADMIN, OTHER_ORG, P_CALL666, ALLOWED},
    {TOK_ADMIN, OTHER_ORG, P_PREFIX "@owner/0004*100/666666", ALLOWED},
    /* service provider context: no PhoneCalls at all, whatever the id */
    {TOK_SP, OWN, P_CALL444, REFUSED("999999/0009*999/999999")},
    {TOK_SP, OWN, P_PREFIX "@owner/@self/444444", REFUSED("@owner/@self/999999")},
    {TOK_SP, SAME_ORG, P_CALL777, REFUSED("999999/0009*999/999999")},
    {TOK_SP, OTHER_ORG, P_CALL666, REFUSED("999999/0009*999/999999")},
    {TOK_SP, OTHER_ORG, P_PREFIX "@owner/@self/666666", REFUSED("@owner/@self/999999")},
};

/* Lists: an extension of each target, and whether the context sees it. */
static const struct cell lists[] = {
    {TOK_U12, OWN, P_LIST210, 200, NULL, 0, NULL, NULL},
    {TOK_U12, SAME_ORG, P_PREFIX "13/0003*220", 400, "user_invalid", 0, NULL,
     P_PREFIX "999999/0003*220"},
    {TOK_U12, SAME_ORG, P_PREFIX "12/0003*220", 400, "extension_invalid", 0, NULL,
     P_PREFIX "12/0003*999"},
    {TOK_U12, OTHER_ORG, P_PREFIX "20/0004*100", 400, "user_invalid", 0, NULL,
     P_PREFIX "999999/0004*100"},
    {TOK_ORG3, OWN, P_LIST210, 200, NULL, 0, NULL, NULL},
    {TOK_ORG3, SAME_ORG, P_PREFIX "13/0003*220", 200, NULL, 0, NULL, NULL},
    {TOK_ORG3, OTHER_ORG, P_PREFIX "20/0004*100", 400, "user_invalid", 0, NULL,
     P_PREFIX "999999/0004*100"},
    {TOK_ORG3, OTHER_ORG, P_PREFIX "@owner/0004*100", 400, "extension_invalid", 0, NULL,
     P_PREFIX "@owner/0003*999"},
    {TOK_ADMIN, OWN, P_LIST210, 200, NULL, 0, NULL, NULL},
    {TOK_ADMIN, SAME_ORG, P_PREFIX "13/0003*220", 200, NULL, 0, NULL, NULL},
    {TOK_ADMIN, OTHER_ORG, P_PREFIX "20/0004*100", 200, NULL, 0, NULL, NULL},
    {TOK_SP, OWN, P_LIST210, 403, "access_denied", 0, NULL, P_PREFIX "999999/0009*999"},
    {TOK_SP, OTHER_ORG, P_PREFIX "20/0004*100", 403, "access_denied", 0, NULL,
     P_PREFIX "999999/0009*999"},
};

/* The call id a path ends in. */
static const char *call_of(const char *path)
{
	return strrchr(path, '/') + 1;
}

static void send(struct http_resp *r, const char *method, const char *token, const char *path)
{
	if (strcmp(method, "GET") == 0)
		it_get(r, token, path);
	else
		it_put(r, token, path, BODY_STOP01);
}

/* Headers that differ between any two answers. */
static int per_request(const char *name)
{
	return strcasecmp(name, "Date") == 0 || strcasecmp(name, "X-Request-Id") == 0;
}

/* Whether two answers are the same bytes but for Date and X-Request-Id. */
static int alike(const struct http_resp *a, const struct http_resp *b)
{
	size_t i = 0, j = 0;

	if (a->status != b->status || a->body_len != b->body_len ||
	    memcmp(a->body, b->body, a->body_len) != 0)
		return 0;
	for (;;) {
		while (i < a->nheaders && per_request(a->headers[i].name))
			i++;
		while (j < b->nheaders && per_request(b->headers[j].name))
			j++;
		if (i == a->nheaders || j == b->nheaders)
			return i == a->nheaders && j == b->nheaders;
		if (strcmp(a->headers[i].name, b->headers[j].name) != 0 ||
		    strcmp(a->headers[i].value, b->headers[j].value) != 0)
			return 0;
		i++;
		j++;
	}
}

/* One request of a cell: the expected answer, and for a refusal, the twin's very answer. */
static void check(const struct cell *c, const char *method, int status, const char *code)
{
	char label[320];
	struct http_resp r, twin;

	snprintf(label, sizeof(label), "%s %s with %s (%s)", method, c->path, c->token,
	         target_names[c->target]);
	send(&r, method, c->token, c->path);
	if (code != NULL) {
		it_check_error(&r, status, code, label);
	} else {
		cr_expect_eq(r.status, status, "%s: status %d, expected %d: %.200s", label,
		             r.status, status, r.body);
		if (status == 200 && strcmp(method, "GET") == 0 && c->put != 0) {
			yajl_val root = it_json(&r);
			it_expect_str(it_str(root, "id"), call_of(c->path), label);
			yajl_tree_free(root);
		}
	}
	if (c->twin != NULL) {
		send(&twin, method, c->token, c->twin);
		cr_expect(alike(&r, &twin), "%s: answers unlike the unknown %s:\n%s\n---\n%s",
		          label, c->twin, r.raw, twin.raw);
		http_free(&twin);
	}
	http_free(&r);
}

Test(isolation, matrix)
{
	char *before, *after;
	int seen[5][3] = {{0}};
	static const char *const tokens[] = {TOK_U12, TOK_ORG3, TOK_ADMIN, TOK_SP, NULL};

	/* refusals first: they must leave every table as it was */
	before = it_fingerprint();
	for (size_t i = 0; i < sizeof(matrix) / sizeof(*matrix); i++) {
		const struct cell *c = &matrix[i];
		if (c->twin == NULL)
			continue;
		check(c, "GET", c->get, c->get_code);
		check(c, "PUT", c->put, c->put_code);
	}
	after = it_fingerprint();
	cr_expect_str_eq(after, before, "a refused request changed a table");
	free(before);
	free(after);

	for (size_t i = 0; i < sizeof(matrix) / sizeof(*matrix); i++) {
		const struct cell *c = &matrix[i];
		for (size_t t = 0; tokens[t] != NULL; t++)
			if (strcmp(tokens[t], c->token) == 0)
				seen[t][c->target] = 1;
		if (c->twin != NULL)
			continue;
		check(c, "GET", c->get, c->get_code);
		check(c, "PUT", c->put, c->put_code);
	}
	/* the matrix is whole: every context meets every target */
	for (size_t t = 0; tokens[t] != NULL; t++)
		for (int g = OWN; g <= OTHER_ORG; g++)
			cr_expect(seen[t][g], "no cell for %s against the %s", tokens[t],
			          target_names[g]);
}

/* An allowed stop changes the call it names and no other. */
Test(isolation, allowed_stop_changes_only_its_call)
{
	long long mark = it_event_mark();
	struct http_resp r;
	char *rec;

	it_put(&r, TOK_ORG3, P_CALL777, BODY_STOP01);
	it_assert_status(&r, 202, "organization stops a call of its other user");
	http_free(&r);
	it_put(&r, TOK_U12, P_CALL666, BODY_STOP01);
	it_check_error(&r, 400, "user_invalid", "user stops another organization's call");
	http_free(&r);

	rec = it_view_recording("666666", "01");
	cr_expect_not_null(rec, "666666/01 is still recorded");
	free(rec);
	rec = it_view_recording("444444", "01");
	cr_expect_not_null(rec, "444444/01 is still recorded");
	free(rec);
	cr_expect_eq(it_events_since(mark, "666666", "01"), 0);
	cr_expect_eq(it_events_since(mark, "444444", "01"), 0);
}

Test(isolation, lists)
{
	char *before = it_fingerprint(), *after;

	for (size_t i = 0; i < sizeof(lists) / sizeof(*lists); i++)
		check(&lists[i], "GET", lists[i].get, lists[i].get_code);
	after = it_fingerprint();
	cr_expect_str_eq(after, before, "a list changed a table");
	free(before);
	free(after);
}

/* Runs sql as the suite's database user; returns the SQLSTATE it failed with ("" when it
 * succeeded), copied into state. */
static void sql_state(const char *sql, char *state, size_t cap)
{
	PGconn *c = PQconnectdb("");
	PGresult *r;
	const char *st;

	cr_assert(PQstatus(c) == CONNECTION_OK, "cannot connect: %s", PQerrorMessage(c));
	r = PQexec(c, sql);
	st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	snprintf(state, cap, "%s", st ? st : "");
	PQclear(r);
	PQfinish(c);
}

/* A view's organization is its call's (schema/010): a view of organization 4's extension
 * under organization 3's call cannot be stored, nor can a view be moved to another
 * organization than its call's. */
Test(isolation, a_view_belongs_to_its_calls_organization)
{
	char state[8];

	sql_state("INSERT INTO phone_call_view (call_id, id, org_id, extension_id) "
	          "VALUES ('444444', '09', 4, 4)",
	          state, sizeof(state));
	it_expect_str(state, "23503", "a view of organization 4 under a call of organization 3");
	sql_state("UPDATE phone_call_view SET org_id = 4, extension_id = 4 "
	          "WHERE call_id = '444444' AND id = '01'",
	          state, sizeof(state));
	it_expect_str(state, "23503", "a view moved to another organization than its call's");
	cr_expect_eq(DB_LL("SELECT count(*) FROM phone_call_view v JOIN phone_call c "
	                   "ON c.id = v.call_id WHERE v.org_id <> c.org_id"),
	             0, "no view crosses organizations");
}
