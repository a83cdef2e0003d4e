/*
 * nginx-errors.c - prints nginx/uapi-errors.conf: the error_page lines and the pages of
 * every error nginx answers itself (tools/nginx-errors.h), each body the contract's JSON
 * error with the code, and the message unless the page has its own, of its entry in
 * src/render/err.c. `make` writes the file with it; `make nginx-check` fails when the committed
 * file is not what it prints. Exit 0, or 1 (and nothing usable printed) when an entry
 * cannot be written into nginx's configuration as it is.
 *
 *   nginx-errors > nginx/uapi-errors.conf
 */
#include <stdio.h>
#include <string.h>

#include "../tools/nginx-errors.h"

#define COMMENT_WIDTH 88 /* a comment line's text, past its "# " and indentation */
#define STATUS_MIN 400
#define STATUS_MAX 599

static const char head[] =
    "# uapi-errors.conf - the contract's JSON error for every error nginx answers itself,\n"
    "# included by uapi-server.conf. Made by tools/nginx-errors.c from src/render/err.c (each page's\n"
    "# code, and its message unless tools/nginx-errors.h gives one of its own): do not edit.\n"
    "# `make` writes it again when they change; `make nginx-check` (run by `make check`)\n"
    "# fails when it is not what they make.\n"
    "#\n"
    "# Error pages are internal URIs, not named locations: a request whose request line\n"
    "# could not be parsed has no URI, and nginx cannot send it to a named location.\n";

/* Whether s can stand in a quoted nginx string and a JSON string as it is: printable
 * ASCII, no quote nginx or JSON would end on, no backslash, no $ (nginx would read a
 * variable; it has no escape for it). A single quote is escaped where it is written. */
static int plain(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\' || *s == '$')
			return 0;
	return 1;
}

/* A comment, wrapped at COMMENT_WIDTH, each line after indent. */
static void comment(const char *indent, const char *text)
{
	while (*text) {
		size_t n = strlen(text);
		if (n > COMMENT_WIDTH) {
			n = COMMENT_WIDTH;
			while (n > 0 && text[n] != ' ')
				n--;
			if (n == 0)
				n = strcspn(text, " ");
		}
		printf("%s# %.*s\n", indent, (int)n, text);
		text += n;
		text += strspn(text, " ");
	}
}

/* Checks one entry; prints why it cannot be written and returns 0 when it cannot. */
static int valid(const struct nginx_error *ne)
{
	const struct err_info *ei = err_info(ne->err);
	const char *msg = ne->message ? ne->message : ei->message;

	if (ne->err <= ERR_NONE || ne->err >= ERR__MAX || *ei->code == '\0') {
		fprintf(stderr, "nginx-errors: page %d: not an error of src/render/err.c\n", ne->page);
		return 0;
	}
	if (ne->page < STATUS_MIN || ne->page > STATUS_MAX || ne->status < STATUS_MIN ||
	    ne->status > STATUS_MAX) {
		fprintf(stderr, "nginx-errors: page %d: status %d is not an error's\n", ne->page,
		        ne->status);
		return 0;
	}
	if (!plain(ei->code) || !plain(msg) || (ne->retry_after && !plain(ne->retry_after)) ||
	    (ne->allow && !plain(ne->allow)) || (ne->also && !plain(ne->also))) {
		fprintf(stderr,
		        "nginx-errors: page %d: a character nginx's configuration or JSON would "
		        "read otherwise (\", \\, $, or not printable ASCII)\n",
		        ne->page);
		return 0;
	}
	return 1;
}

/* The body's JSON, with a single quote escaped for nginx's single-quoted string. */
static void body(const struct nginx_error *ne)
{
	const struct err_info *ei = err_info(ne->err);
	const char *msg = ne->message ? ne->message : ei->message;

	printf("'{\"error\":{\"code\":\"%s\",\"message\":\"", ei->code);
	for (; *msg; msg++)
		printf(*msg == '\'' ? "\\%c" : "%c", *msg);
	printf("\"}}'");
}

static void error_page(const struct nginx_error *ne)
{
	if (ne->why)
		comment("", ne->why);
	printf("error_page %d", ne->page);
	if (ne->also)
		printf(" %s", ne->also);
	/* the status sent for every status the page answers (a 494 goes out as 400) */
	if (ne->also || ne->status != ne->page)
		printf(" =%d", ne->status);
	printf(" " NGINX_ERROR_URI "%d;\n", ne->page);
}

static void location(const struct nginx_error *ne)
{
	printf("    location = " NGINX_ERROR_URI "%d {\n", ne->page);
	if (ne->retry_after || ne->allow)
		/* a location with an add_header of its own inherits none of the server's */
		printf("        add_header Strict-Transport-Security $uapi_hsts always;\n");
	if (ne->allow)
		printf("        add_header Allow \"%s\" always;\n", ne->allow);
	if (ne->retry_after)
		printf("        add_header Retry-After %s always;\n", ne->retry_after);
	printf("        return %d ", ne->status);
	body(ne);
	printf(";\n    }\n");
}

int main(void)
{
	for (size_t i = 0; i < NGINX_NERRORS; i++)
		if (!valid(&nginx_errors[i]))
			return 1;
	fputs(head, stdout);
	for (size_t i = 0; i < NGINX_NERRORS; i++) {
		printf("\n");
		error_page(&nginx_errors[i]);
	}
	printf("\nlocation ^~ " NGINX_ERROR_URI " {\n    internal;\n");
	comment("    ", "The redirect of a 413 is checked against the body limit again; here "
	                "it must not be.");
	printf("    client_max_body_size 0;\n");
	for (size_t i = 0; i < NGINX_NERRORS; i++)
		location(&nginx_errors[i]);
	printf("}\n");
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
