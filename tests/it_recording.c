/* it_recording.c - StartRecording and StopRecording: state, events, formats, idempotence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_util.h"

TestSuite(recording, .init = it_restore_demo);

/* A PUT that must answer 202; returns its X-Request-Id (malloc'd). */
static char *put_ok(const char *body)
{
	struct http_resp r;
	char *rid;

	it_put(&r, TOK_U12, P_CALL444, body);
	it_assert_status(&r, 202, body);
	rid = strdup(http_header(&r, "X-Request-Id") ? http_header(&r, "X-Request-Id") : "");
	http_free(&r);
	return rid;
}

/* The recording_format of view 01 of 444444, NULL when not recorded. */
static char *view_format(void)
{
	return DB_TEXT("SELECT recording_format FROM phone_call_view "
	               "WHERE call_id = '444444' AND id = '01'");
}

/* The single event after mark on 444444/01, as action|format|started_at|stopped|
 * app|actor|token|request_id (epochs as text). */
static char *event_after(long long mark)
{
	char m[24];

	cr_assert_eq(it_events_since(mark, "444444", "01"), 1, "expected one new event");
	snprintf(m, sizeof(m), "%lld", mark);
	return DB_TEXT("SELECT concat_ws('|', action, format, extract(epoch FROM started_at),"
	               " stopped_at IS NOT NULL, app_id, actor_user_id, token_id, request_id)"
	               " FROM recording_event WHERE id > $1::bigint AND call_id = '444444'"
	               " AND view_id = '01'",
	               m);
}

/* The GET of 444444 shows the recording date of the database, RFC 3339. */
static void expect_recording_shown(void)
{
	struct http_resp r;
	yajl_val root, views;
	const char *rec;
	char *same;

	it_get(&r, TOK_U12, P_CALL444);
	it_assert_status(&r, 200, "GET 444444");
	root = it_json(&r);
	views = it_key(root, "phoneCallView");
	cr_assert(YAJL_IS_ARRAY(views) && views->u.array.len == 1);
	rec = it_str(views->u.array.values[0], "recording");
	cr_assert(rec != NULL && strlen(rec) == 25 && rec[10] == 'T' &&
	              (rec[19] == '+' || rec[19] == '-') && rec[22] == ':',
	          "recording is not an RFC 3339 date with an offset: %s", rec ? rec : "(none)");
	same = DB_TEXT("SELECT ($1::timestamptz = date_trunc('second', recording))::text "
	               "FROM phone_call_view WHERE call_id = '444444' AND id = '01'",
	               rec);
	it_expect_str(same, "true", "the shown recording date is the stored one");
	free(same);
	yajl_tree_free(root);
	http_free(&r);
}

Test(recording, start_after_stop)
{
	char expect[512], want[256], *rid, *rec, *fmt, *ev;
	struct http_resp r;
	long long mark;

	free(put_ok(BODY_STOP01));
	mark = it_event_mark();
	it_put(&r, TOK_U12, P_CALL444, BODY_START01_WAV49);
	it_assert_status(&r, 202, "StartRecording wav49");
	snprintf(expect, sizeof(expect),
	         "{\"id\":\"444444\",\"extension\":\"0003*210\",\"link\":{\"self\":\"%s%s\"}}",
	         it_base(), P_CALL444);
	it_expect_str(r.body, expect, "StartRecording body");
	rid = strdup(http_header(&r, "X-Request-Id") ? http_header(&r, "X-Request-Id") : "");
	http_free(&r);

	rec = it_view_recording("444444", "01");
	fmt = view_format();
	cr_expect_not_null(rec, "the view is recorded again");
	it_expect_str(fmt, "wav49", "recording_format");
	ev = event_after(mark);
	snprintf(want, sizeof(want), "start|wav49|%s|f|1|12|1|%s", rec ? rec : "", rid);
	it_expect_str(ev, want,
	              "start event (action|format|started_at|stopped|app|actor|token|rid)");
	expect_recording_shown();
	free(ev);
	free(fmt);
	free(rec);
	free(rid);
}

Test(recording, start_again_is_a_noop)
{
	char *before, *after, *fmt;
	long long mark;

	free(put_ok(BODY_STOP01));
	free(put_ok(BODY_START01_WAV49));
	before = it_view_recording("444444", "01");
	mark = it_event_mark();
	free(put_ok(BODY_START01));
	free(put_ok(BODY_START01_WAV49));
	after = it_view_recording("444444", "01");
	fmt = view_format();
	cr_expect_eq(it_event_mark(), mark, "starting a recorded view records nothing");
	it_expect_str(after, before ? before : "", "the recording start stays");
	it_expect_str(fmt, "wav49", "the format stays");
	free(before);
	free(after);
	free(fmt);
}

Test(recording, start_defaults_to_wav)
{
	char *fmt, *ev;
	long long mark;

	free(put_ok(BODY_STOP01));
	mark = it_event_mark();
	free(put_ok(BODY_START01));
	fmt = view_format();
	it_expect_str(fmt, "wav", "recording_format without a format");
	ev = event_after(mark);
	cr_expect(strncmp(ev, "start|wav|", 10) == 0, "start event %s", ev);
	free(ev);
	free(fmt);
}

Test(recording, bad_format_changes_nothing)
{
	static const char *const bodies[] = {
	    "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":\"mp3\"}",
	    "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":null}",
	    "{\"action\":\"StartRecording\",\"phoneCallViewId\":\"01\",\"format\":1}",
	};
	struct http_resp r;
	long long mark;

	free(put_ok(BODY_STOP01));
	mark = it_event_mark();
	for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
		it_put(&r, TOK_U12, P_CALL444, bodies[i]);
		it_check_error(&r, 400, "pc_format_invalid", bodies[i]);
		http_free(&r);
	}
	cr_expect_null(it_view_recording("444444", "01"), "still not recorded");
	cr_expect_eq(it_event_mark(), mark, "no event");
}

Test(recording, stop_records_the_interval)
{
	char want[256], *rec, *rid, *ev;
	long long mark;

	free(put_ok(BODY_STOP01));
	free(put_ok(BODY_START01_WAV49));
	rec = it_view_recording("444444", "01");
	cr_assert_not_null(rec);
	mark = it_event_mark();
	rid = put_ok(BODY_STOP01);
	ev = event_after(mark);
	snprintf(want, sizeof(want), "stop|wav49|%s|t|1|12|1|%s", rec, rid);
	it_expect_str(ev, want,
	              "stop event (action|format|started_at|stopped|app|actor|token|rid)");
	cr_expect_null(it_view_recording("444444", "01"));
	cr_expect_null(view_format(), "no format without a recording");
	free(ev);
	free(rid);
	free(rec);
}

Test(recording, other_contexts_record_their_actor)
{
	char m[24], *ev;
	struct http_resp r;
	long long mark = it_event_mark();

	/* an Organization App has no user: the event names no actor, but its App and token */
	it_put(&r, TOK_ORG3, P_CALL777, BODY_STOP01);
	it_assert_status(&r, 202, "org stop of 777777");
	http_free(&r);
	snprintf(m, sizeof(m), "%lld", mark);
	ev = DB_TEXT(
	    "SELECT concat_ws('|', action, org_id, extension_id, coalesce(actor_user_id, 0),"
	    " app_id, token_id) FROM recording_event WHERE id > $1::bigint",
	    m);
	it_expect_str(ev, "stop|3|3|0|2|2", "org stop event (action|org|ext|actor|app|token)");
	free(ev);
}
