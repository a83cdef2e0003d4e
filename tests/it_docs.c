/* it_docs.c - the API reference at /uapi/docs/: nginx serves docs/openapi.yaml and
 * Swagger UI from this server, and headless Chromium (Debian's chromium; $PC_CHROMIUM
 * names another) renders the StopRecording operation with its error table, loading
 * nothing from anywhere else. And the answers the document lists for the operations'
 * paths besides their own (nginx's), each produced once, so that tools/openapi-check
 * sees every one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "it_util.h"

#define DOCS "/uapi/docs/"
#define DEEP_LINK "#/PhoneCalls/updatePhoneCall" /* opens the PUT operation */
#define CMD_MAX 2048
#define PATH_MAX_LEN 512
#define DOM_MAX (8u << 20) /* more than the rendered page can be */
#define BUDGET_MS 20000    /* virtual time Chromium gives the page to settle */
#define PAGE_LOADS_MIN 6   /* the page, its 4 assets and openapi.yaml, at least */
#define BODY_LIMIT 16384   /* nginx's client_max_body_size */
#define HEADER_LONG 17000  /* one header line over nginx's 16 KiB buffers */
#define QUERY_LONG 17000   /* a request line over them */

TestSuite(docs);

/* A new private directory under $PC_VAR for one Chromium run. */
static void scratch(char *dir, size_t cap)
{
	cr_assert(snprintf(dir, cap, "%s/chromium-XXXXXX", it_env("PC_VAR")) < (int)cap);
	cr_assert(mkdtemp(dir) != NULL, "mkdtemp %s", dir);
}

static void remove_dir(const char *dir)
{
	char cmd[CMD_MAX];

	if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) >= (int)sizeof(cmd))
		return;
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

/* Runs Chromium on url and returns the DOM it rendered (malloc'd), its network log
 * in dir/net.json. External host names resolve to nothing, so a page that needed one
 * would not render. */
static char *render(const char *url, const char *dir)
{
	const char *bin = getenv("PC_CHROMIUM") ? getenv("PC_CHROMIUM") : "chromium";
	char cmd[CMD_MAX];
	size_t len = 0, n;
	char *dom = malloc(DOM_MAX + 1);
	FILE *p;
	int st;

	cr_assert(dom != NULL);
	n = (size_t)snprintf(cmd, sizeof(cmd),
	                     "'%s' --headless --no-sandbox --disable-gpu --no-first-run "
	                     "--no-default-browser-check --disable-extensions --disable-sync "
	                     "--disable-background-networking --disable-component-update "
	                     "--user-data-dir='%s/profile' --log-net-log='%s/net.json' "
	                     "--host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' "
	                     "--virtual-time-budget=%d --dump-dom '%s' 2>'%s/stderr'",
	                     bin, dir, dir, BUDGET_MS, url, dir);
	cr_assert(n < sizeof(cmd), "command too long");
	p = popen(cmd, "r");
	cr_assert(p != NULL, "popen %s", bin);
	while (len < DOM_MAX && (n = fread(dom + len, 1, DOM_MAX - len, p)) > 0)
		len += n;
	dom[len] = '\0';
	st = pclose(p);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	          "%s exited with %d (see %s/stderr); is Debian's chromium installed?", bin,
	          WIFEXITED(st) ? WEXITSTATUS(st) : -1, dir);
	return dom;
}

/* Counts the requests the page made (those it initiated) and fails on any that left
 * origin. Chromium's own background requests have no page as initiator. */
static int page_loads(const char *dir, const char *origin)
{
	char path[PATH_MAX_LEN], err[256];
	const char *events_path[] = {"events", NULL};
	size_t len, n = 0;
	char *text;
	yajl_val root, events;

	cr_assert(snprintf(path, sizeof(path), "%s/net.json", dir) < (int)sizeof(path));
	text = it_read_file(path, &len);
	cr_assert(text != NULL, "no network log at %s", path);
	root = yajl_tree_parse(text, err, sizeof(err));
	free(text);
	cr_assert(root != NULL, "network log: %s", err);
	events = yajl_tree_get(root, events_path, yajl_t_array);
	cr_assert(events != NULL, "network log without events");
	for (size_t i = 0; i < YAJL_GET_ARRAY(events)->len; i++) {
		yajl_val params = it_key(YAJL_GET_ARRAY(events)->values[i], "params");
		const char *init = it_str(params, "initiator"), *url = it_str(params, "url");
		if (init == NULL || url == NULL || strcmp(init, origin) != 0)
			continue;
		cr_expect(strncmp(url, origin, strlen(origin)) == 0 && url[strlen(origin)] == '/',
		          "the page loaded %s, from outside this server", url);
		n++;
	}
	yajl_tree_free(root);
	return (int)n;
}

Test(docs, served_by_nginx)
{
	struct http_resp r;
	char path[PATH_MAX_LEN];
	size_t len;
	char *doc;

	it_req(&r, "GET", DOCS, "", NULL);
	it_assert_status(&r, 200, "the reference page");
	cr_expect(strncmp(http_header(&r, "Content-Type"), "text/html", 9) == 0, "%s",
	          http_header(&r, "Content-Type"));
	cr_expect(http_header(&r, "Content-Security-Policy") != NULL &&
	              strstr(http_header(&r, "Content-Security-Policy"), "default-src 'none'"),
	          "no Content-Security-Policy that limits the page to this server");
	cr_expect(strstr(r.body, "swagger-ui-bundle.js") != NULL, "%s", r.body);
	cr_expect(strstr(r.body, "http:") == NULL && strstr(r.body, "https:") == NULL &&
	              strstr(r.body, "src=\"//") == NULL,
	          "the page names another server: %s", r.body);
	http_free(&r);

	/* The document served is the repository's, byte for byte. */
	cr_assert(snprintf(path, sizeof(path), "%s/docs/openapi.yaml", it_env("PC_TOP")) <
	          (int)sizeof(path));
	doc = it_read_file(path, &len);
	cr_assert(doc != NULL);
	it_req(&r, "GET", DOCS "openapi.yaml", "", NULL);
	it_assert_status(&r, 200, "openapi.yaml");
	cr_expect(r.body_len == len && memcmp(r.body, doc, len) == 0,
	          "the served openapi.yaml differs from docs/openapi.yaml");
	http_free(&r);
	free(doc);

	it_req(&r, "GET", "/uapi/docs", "", NULL);
	it_assert_status(&r, 301, "/uapi/docs");
	it_expect_str(http_header(&r, "Location"), DOCS, "Location");
	http_free(&r);

	it_req(&r, "GET", DOCS "missing.js", "", NULL);
	it_check_error(&r, 404, "resource_not_found", "a file the reference does not have");
	http_free(&r);
}

Test(docs, stop_recording_and_its_errors_render_in_chromium, .timeout = 120)
{
	/* The statuses of the PUT operation and the codes of its error table. */
	static const char *const statuses[] = {"202", "400", "401", "403", "404", "405", "409",
	                                       "413", "414", "415", "500", "501", "503"};
	static const char *const codes[] = {"request_invalid",
	                                    "request_too_large",
	                                    "access_denied",
	                                    "content_type_invalid",
	                                    "json_invalid",
	                                    "pc_action_invalid",
	                                    "request_not_implemented",
	                                    "user_invalid",
	                                    "extension_invalid",
	                                    "pc_phonecall_invalid",
	                                    "pc_phonecallview_invalid",
	                                    "pc_format_invalid",
	                                    "pc_recording_disabled",
	                                    "idempotency_key_conflict",
	                                    "service_unavailable",
	                                    "internal_server_error"};
	char dir[PATH_MAX_LEN], url[PATH_MAX_LEN], want[256];
	const char *origin = it_base();
	const char *op, *table;
	char *dom;

	scratch(dir, sizeof(dir));
	cr_assert(snprintf(url, sizeof(url), "%s" DOCS DEEP_LINK, origin) < (int)sizeof(url));
	dom = render(url, dir);

	/* The operation, opened by the deep link, with its summary. */
	op = strstr(dom, "id=\"operations-PhoneCalls-updatePhoneCall\"");
	cr_assert(op != NULL, "the PUT operation did not render (%zu bytes of DOM)", strlen(dom));
	cr_expect(strstr(dom, "opblock opblock-put is-open") != NULL, "the PUT is not open");
	cr_expect(strstr(op, "StopRecording or StartRecording on a view of a live call") != NULL,
	          "no summary");
	cr_expect(strstr(op, "/uapi/phoneCalls/{userId}/{extension}/{phoneCallId}") != NULL,
	          "no path");

	/* The error table of its description, rendered from Markdown. */
	table = strstr(op, "<table>");
	cr_assert(table != NULL, "the error table did not render");
	for (size_t i = 0; i < sizeof(codes) / sizeof(*codes); i++) {
		snprintf(want, sizeof(want), "<td><code>%s</code></td>", codes[i]);
		cr_expect(strstr(table, want) != NULL, "the error table lacks %s", codes[i]);
	}

	/* Its responses table: one row per documented status. */
	cr_expect(strstr(op, "responses-table") != NULL, "no responses table");
	for (size_t i = 0; i < sizeof(statuses) / sizeof(*statuses); i++) {
		snprintf(want, sizeof(want), "data-code=\"%s\"", statuses[i]);
		cr_expect(strstr(op, want) != NULL, "the responses table lacks %s", statuses[i]);
	}

	cr_expect(page_loads(dir, origin) >= PAGE_LOADS_MIN,
	          "the page made fewer loads than it has files");
	free(dom);
	remove_dir(dir);
}

/* The operations' paths, the health checks and the metrics, each also answer what nginx
 * answers before a worker: 400 for a header line too long, 413 for a body over 16 KiB,
 * 414 for a URI too long; and /uapi/health/N, like /uapi/health, 405 to another method
 * than GET. docs/openapi.yaml lists them (the metrics from an allowed address: the
 * suite's own). */
Test(docs, operations_answer_what_the_document_lists)
{
	static const char *const paths[] = {"/uapi/health", "/uapi/health/1", "/uapi/metrics",
	                                    "/uapi/metrics/1"};
	char *pad = malloc(HEADER_LONG + 16), *body = malloc(BODY_LIMIT + 2),
	     *target = malloc(QUERY_LONG + 64);
	struct http_resp r;

	cr_assert(pad != NULL && body != NULL && target != NULL);
	memset(body, 'x', BODY_LIMIT + 1);
	body[BODY_LIMIT + 1] = '\0';
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		const char *p = paths[i];

		snprintf(pad, HEADER_LONG + 16, "X-Pad: %0*d\r\n", HEADER_LONG, 0);
		it_req(&r, "GET", p, pad, NULL);
		it_check_error(&r, 400, "request_invalid", p);
		http_free(&r);
		it_req(&r, "GET", p, "", body);
		it_check_error(&r, 413, "request_too_large", p);
		http_free(&r);
		snprintf(target, QUERY_LONG + 64, "%s?pad=%0*d", p, QUERY_LONG, 0);
		it_req(&r, "GET", target, "", NULL);
		it_check_error(&r, 414, "request_invalid", p);
		http_free(&r);
	}
	it_req(&r, "PUT", "/uapi/health/1", H_JSON, "{}");
	it_check_error(&r, 405, "method_not_allowed", "PUT /uapi/health/1");
	it_expect_str(http_header(&r, "Allow"), "GET", "Allow");
	http_free(&r);
	free(pad);
	free(body);
	free(target);
}
