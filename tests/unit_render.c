/* unit_render.c - tests of src/render/render.c: the JSON of a call (fields, views, members left
 * out, lists), of a page, of an action's answer. */
#include <criterion/criterion.h>
#include <string.h>

#include "../src/render/render.c"

#define S(lit) ((struct str){(lit), sizeof(lit) - 1})
#define NONE ((struct str){NULL, 0})

/* What g generated, NUL-terminated in buf. */
static const char *text(yajl_gen g, char *buf, size_t cap)
{
	const unsigned char *p;
	size_t n;

	cr_assert_eq(yajl_gen_get_buf(g, &p, &n), yajl_gen_status_ok);
	cr_assert_lt(n, cap);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static struct call demo_call(void)
{
	struct call c = {.id = S("444444"), .ext = S("0003*210"), .org_id = S("3"),
	                 .org_name = S("Acme"), .answered = S("2026-01-01T10:00:00+02:00"),
	                 .published = NONE, .owner_user = 12, .nviews = 1};

	c.views[0] = (struct call_view){.id = S("01"), .ext = S("0003*210"), .status = S("1"),
	                                .caller_id = NONE, .source = S("a\x1f" "b"),
	                                .destination = S(""), .recording = NONE};
	return c;
}

Test(render, call_all_fields)
{
	struct call c = demo_call();
	yajl_gen g = yajl_gen_alloc(NULL);
	char buf[2048];

	render_call(g, &c, "http://h", QUERY_F_ALL);
	cr_assert_str_eq(text(g, buf, sizeof(buf)),
	                 "{\"id\":\"444444\",\"extension\":\"0003*210\",\"ownerId\":\"3\","
	                 "\"ownerName\":\"Acme\",\"answered\":\"2026-01-01T10:00:00+02:00\","
	                 "\"phoneCallView\":[{\"id\":\"01\",\"extension\":\"0003*210\","
	                 "\"status\":\"1\",\"source\":[\"a\",\"b\"],\"destination\":[]}],"
	                 "\"link\":{\"self\":\"http://h/uapi/phoneCalls/12/0003*210/444444\"}}");
	yajl_gen_free(g);
}

Test(render, call_fields_chosen)
{
	struct call c = demo_call();
	yajl_gen g = yajl_gen_alloc(NULL);
	char buf[1024];

	render_call(g, &c, "", QUERY_F_ALWAYS | QUERY_F_EXTENSION);
	cr_assert_str_eq(text(g, buf, sizeof(buf)),
	                 "{\"id\":\"444444\",\"extension\":\"0003*210\","
	                 "\"link\":{\"self\":\"/uapi/phoneCalls/12/0003*210/444444\"}}");
	yajl_gen_free(g);
}

Test(render, page_and_action)
{
	struct call c = demo_call();
	struct act_result a = {.outcome = ACT_CHANGED, .call = "444444", .ext = "@x", .user_id = 7};
	yajl_gen g = yajl_gen_alloc(NULL);
	char buf[1024];

	render_page_begin(g, 5, 1, 9);
	render_call(g, &c, "", QUERY_F_ALWAYS);
	render_page_end(g);
	cr_assert_str_eq(text(g, buf, sizeof(buf)),
	                 "{\"startIndex\":5,\"itemsPerPage\":1,\"totalResults\":9,\"entry\":["
	                 "{\"id\":\"444444\",\"link\":{\"self\":"
	                 "\"/uapi/phoneCalls/12/0003*210/444444\"}}]}");
	yajl_gen_free(g);
	g = yajl_gen_alloc(NULL);
	render_action(g, &a, "https://x");
	cr_assert_str_eq(text(g, buf, sizeof(buf)),
	                 "{\"id\":\"444444\",\"extension\":\"@x\",\"link\":{\"self\":"
	                 "\"https://x/uapi/phoneCalls/7/@x/444444\"}}");
	yajl_gen_free(g);
}

/* The self link is cut, not overrun, by a base at its longest. */
Test(render, link_clamped)
{
	char base[REQ_BASE_MAX + 64], buf[4096];
	struct call c = demo_call();
	yajl_gen g = yajl_gen_alloc(NULL);

	memset(base, 'b', sizeof(base) - 1);
	base[sizeof(base) - 1] = '\0';
	render_call(g, &c, base, QUERY_F_ALWAYS);
	cr_assert_not_null(strstr(text(g, buf, sizeof(buf)), "\"self\":\"bbbb"));
	yajl_gen_free(g);
}
