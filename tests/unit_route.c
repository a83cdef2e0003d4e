/* unit_route.c - tests of src/routing/route.c: the patterns, the table's 404s and 405s with
 * their Allow headers, and the operation each route is counted under. */
#include <criterion/criterion.h>
#include <string.h>

#include "../src/routing/route.c"

/* The operation method on path is counted under, and its Allow when none (a 405). */
static enum metrics_op op_of(const char *method, const char *path, char allow[RESP_ALLOW_MAX])
{
	struct route_miss miss;
	struct route_args a;
	const struct route *r = route_find(method, path, strlen(path), &a, &miss);

	memcpy(allow, miss.allow, RESP_ALLOW_MAX);
	return r ? r->op : METRICS_OP_OTHER;
}

/* What the table makes of path[0..len) under base ("/uapi/health"): 0 for base alone,
 * N for base/N (pool N), -1 for neither. */
static int instance_path(const char *base, const char *path, size_t len)
{
	struct route_miss miss;
	struct route_args a;
	const struct route *r = route_find("GET", path, len, &a, &miss);
	long long n;

	if (r == NULL || strncmp(r->path, base, strlen(base)) != 0 ||
	    (r->path[strlen(base)] != '\0' && r->path[strlen(base)] != '/'))
		return -1;
	if (a.n == 0)
		return 0;
	cr_assert_eq(uri_num(a.seg[0].p, a.seg[0].len, URI_INSTANCE_MAX, &n), 0);
	return (int)n;
}

static int health(const char *path, size_t len)
{
	return instance_path("/uapi/health", path, len);
}

static int metrics(const char *path, size_t len)
{
	return instance_path("/uapi/metrics", path, len);
}

Test(route, patterns)
{
	struct route_args a;

	cr_assert(route_match("/a/{x}/b", "/a/1/b", 6, &a));
	cr_assert_eq(a.n, (size_t)1);
	cr_assert_eq(a.seg[0].len, (size_t)1);
	cr_assert_eq(a.seg[0].p[0], '1');
	cr_assert(route_match("/a/{x}/b", "/a//b", 5, &a), "an empty segment is captured");
	cr_assert_eq(a.seg[0].len, (size_t)0);
	cr_assert_not(route_match("/a/{x}/b", "/a/1/2/b", 8, &a), "a capture is one segment");
	cr_assert_not(route_match("/a/{x}", "/a/1/", 5, &a), "no trailing slash without [/]");
	cr_assert(route_match("/a/{x}[/]", "/a/1/", 5, &a), "one with [/]");
	cr_assert_eq(a.seg[0].len, (size_t)1, "and not captured");
	cr_assert_not(route_match("/a/{x}[/]", "/a/1//", 6, &a), "one only");
	cr_assert(route_match("/a/{x}/{y}", "/a/%2F/y", 8, &a), "captures stay raw");
	cr_assert_eq(a.n, (size_t)2);
	cr_assert_eq(a.seg[0].len, (size_t)3);
	cr_assert_not(route_match("/a/b", "/a/bc", 5, &a));
	cr_assert_not(route_match("/a/bc", "/a/b", 4, &a));
	cr_assert(route_match("/a/b", "/a/bc", 4, &a), "len bounds the path");
	cr_assert_not(route_match("/h/{instance}", "/h/0", 4, &a), "{instance}: 1 and up");
	cr_assert(route_match("/h/{instance}", "/h/999", 6, &a));
	cr_assert_not(route_match("/h/{instance}", "/h/1000", 7, &a));
}

/* Whether a GET of the token endpoint is answered 405 in OAuth's form. */
static bool token_405_in_oauth_form(void)
{
	struct route_miss miss;
	struct route_args a;

	return route_find("GET", "/oauth/token.php", 16, &a, &miss) == NULL &&
	       miss.form == RESP_OAUTH && strcmp(miss.allow, "POST") == 0;
}

/* The operations and the answers of the table itself: 404 for a path no pattern takes,
 * 405 with the path's methods for another method; methods are exact. */
Test(route, operations_and_methods)
{
	static const char *call = "/uapi/phoneCalls/12/0003*210/444444";
	static const char *list = "/uapi/phoneCalls/12/0003*210";
	char allow[RESP_ALLOW_MAX];

	cr_expect_eq(op_of("PUT", call, allow), METRICS_OP_PUT);
	cr_expect_eq(op_of("GET", call, allow), METRICS_OP_GET);
	cr_expect_eq(op_of("GET", list, allow), METRICS_OP_LIST);
	cr_expect_eq(op_of("POST", "/oauth/token.php", allow), METRICS_OP_TOKEN);
	cr_expect_eq(op_of("GET", "/uapi/health/3", allow), METRICS_OP_HEALTH);
	cr_expect_eq(op_of("GET", "/uapi/metrics", allow), METRICS_OP_METRICS);
	cr_expect_eq(op_of("PUT", list, allow), METRICS_OP_OTHER, "a 405");
	cr_expect_str_eq(allow, "GET");
	cr_expect_eq(op_of("DELETE", call, allow), METRICS_OP_OTHER, "a 405");
	cr_expect_str_eq(allow, "GET, PUT");
	cr_expect_eq(op_of("HEAD", call, allow), METRICS_OP_OTHER, "HEAD is not GET here");
	cr_expect_eq(op_of("put", call, allow), METRICS_OP_OTHER, "methods are exact");
	cr_expect_str_eq(allow, "GET, PUT");
	cr_expect_eq(op_of("GET", "/oauth/token.php", allow), METRICS_OP_OTHER);
	cr_expect_str_eq(allow, "POST");
	cr_expect(token_405_in_oauth_form(), "the token endpoint's 405 in OAuth's form");
	cr_expect_eq(op_of("POST", "/uapi/health", allow), METRICS_OP_OTHER);
	cr_expect_str_eq(allow, "GET");
	cr_expect_eq(op_of("GET", "/uapi/phoneCalls", allow), METRICS_OP_OTHER, "a 404");
	cr_expect_str_eq(allow, "", "no pattern takes it: no methods");
	cr_expect_eq(op_of("", list, allow), METRICS_OP_OTHER);
}

/* Each row's pattern is well-formed: captures closed, at most ROUTE_CAPTURE_MAX, "[/]"
 * only at the end; and no two rows share a method and a pattern. */
Test(route, table_well_formed)
{
	for (size_t i = 0; i < route_count; i++) {
		const char *p = route_table[i].path, *b = strstr(p, "[/]");
		size_t caps = 0;
		cr_assert_eq(p[0], '/', "%s", p);
		cr_assert(b == NULL || b[3] == '\0', "%s: [/] ends a pattern", p);
		for (const char *c = strchr(p, '{'); c; c = strchr(c + 1, '{')) {
			cr_assert_not_null(strchr(c, '}'), "%s", p);
			caps++;
		}
		cr_assert_leq(caps, (size_t)ROUTE_CAPTURE_MAX, "%s", p);
		for (size_t j = 0; j < i; j++)
			cr_assert(strcmp(route_table[j].path, p) != 0 ||
			              strcmp(route_table[j].method, route_table[i].method) != 0,
			          "%s %s twice", route_table[i].method, p);
	}
}

Test(route, health_paths)
{
	static const struct {
		const char *path;
		int want;
	} cases[] = {
	    {"/uapi/health", 0},       {"/uapi/health/1", 1},
	    {"/uapi/health/999", 999}, {"/uapi/health/", -1},
	    {"/uapi/health/0", -1},    {"/uapi/health/01", -1},
	    {"/uapi/health/1000", -1}, {"/uapi/health/+1", -1},
	    {"/uapi/health/1/", -1},   {"/uapi/healthz", -1},
	    {"/uapi/health1", -1},     {"/uapi/healt", -1},
	    {"/UAPI/health", -1},      {"", -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		cr_expect_eq(health(cases[i].path, strlen(cases[i].path)), cases[i].want, "%s",
		             cases[i].path);
	/* the length bounds the path: a longer buffer is not read past it */
	cr_expect_eq(health("/uapi/health/12", 14), 1, "length 14 of /uapi/health/12");
	cr_expect_eq(health("/uapi/health", 11), -1, "cut short");
}

Test(route, metrics_paths)
{
	static const struct {
		const char *path;
		int want;
	} cases[] = {
	    {"/uapi/metrics", 0},
	    {"/uapi/metrics/1", 1},
	    {"/uapi/metrics/2", 2},
	    {"/uapi/metrics/999", 999},
	    {"/uapi/metrics/", -1},
	    {"/uapi/metrics/0", -1},
	    {"/uapi/metrics/01", -1},
	    {"/uapi/metrics/1000", -1},
	    {"/uapi/metrics/-1", -1},
	    {"/uapi/metrics/1/", -1},
	    {"/uapi/metrics/1/2", -1},
	    {"/uapi/metrics/a", -1},
	    {"/uapi/metrics%2F1", -1},
	    {"/uapi/metrics/%31", -1},
	    {"/uapi/metricsz", -1},
	    {"/uapi/metrics1", -1},
	    {"/uapi/metric", -1},
	    {"/uapi/Metrics", -1},
	    {"/uapi/metrics?x", -1},
	    {"/uapi//metrics", -1},
	    {"/uapi/health", -1},
	    {"/uapi/health/1", -1},
	    {"", -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		cr_expect_eq(metrics(cases[i].path, strlen(cases[i].path)), cases[i].want, "%s",
		             cases[i].path);
	/* the health check is not the metrics, and the other way round */
	cr_expect_eq(health("/uapi/metrics", 13), -1);
	cr_expect_eq(health("/uapi/metrics/1", 15), -1);
	/* the length bounds the path: a longer buffer is not read past it */
	cr_expect_eq(metrics("/uapi/metrics/12", 15), 1, "length 15 of /uapi/metrics/12");
	cr_expect_eq(metrics("/uapi/metrics", 12), -1, "cut short");
}
