/* unit_mtype.c - tests of src/input/mtype.c: the media type of a Content-Type, and the two
 * bodies the service reads (JSON in UTF-8, a form). */
#include <criterion/criterion.h>
#include <string.h>

#include "../src/input/mtype.c"

Test(mtype, json_accepted)
{
	static const char *const ok[] = {
	    "application/json",
	    "APPLICATION/JSON",
	    "Application/Json",
	    "application/json; charset=utf-8",
	    "application/json;charset=UTF-8",
	    "application/json; charset=\"utf-8\"",
	    "application/json; CHARSET=Utf-8",
	    "application/json ; charset=utf-8",
	    "application/json;\tcharset=utf-8",
	    "  application/json",
	    "\tapplication/json",
	    "application/json ",
	    "application/json; charset=utf-8 ",
	    "application/json;",
	    "application/json; ",
	    "application/json;;charset=utf-8",
	    "application/json; ; charset=utf-8;",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		cr_assert(mtype_json(ok[i]), "\"%s\" must be accepted", ok[i]);
}

Test(mtype, json_refused)
{
	static const char *const ko[] = {
	    "",
	    " ",
	    "text/plain",
	    "text/json",
	    "application/jsonx",
	    "application/json-patch+json",
	    "application/jso",
	    "application/json5",
	    "xapplication/json",
	    "application/xml",
	    "application",
	    "application/",
	    "/json",
	    "application/ json",
	    "application/json; charset=latin1",
	    "application/json; charset=iso-8859-1",
	    "application/json; charset=utf-16",
	    "application/json; charset=utf8",
	    "application/json; charset=\"latin1\"",
	    "application/json; charset=",
	    "application/json; charset=\"\"",
	    "application/json; charset=\"utf-8",
	    "application/json; charset=utf-8; charset=latin1",
	    "application/json; foo",
	    "application/json; charset",
	    "application/json charset=utf-8",
	    "application/json, text/plain",
	    "application/json; charset=utf-8 x",
	    "application/json; charset=utf-8,",
	};

	cr_assert_not(mtype_json(NULL), "NULL must be refused");
	for (size_t i = 0; i < sizeof(ko) / sizeof(*ko); i++)
		cr_assert_not(mtype_json(ko[i]), "\"%s\" must be refused", ko[i]);
}

Test(mtype, form)
{
	cr_assert(mtype_form("application/x-www-form-urlencoded"));
	cr_assert(mtype_form("Application/X-WWW-Form-Urlencoded; charset=UTF-8"));
	cr_assert(mtype_form(" application/x-www-form-urlencoded ;charset=utf-8"));
	cr_assert(!mtype_form(NULL));
	cr_assert(!mtype_form("application/json"));
	cr_assert(!mtype_form("application/x-www-form-urlencodedx"));
	cr_assert(!mtype_form("multipart/form-data"));
}

/* The parts: type/subtype as sent, whether the parameters are well-formed, a charset
 * other than UTF-8; and what is no media type at all. */
Test(mtype, parts)
{
	struct mtype m;

	cr_assert_eq(mtype_parse(" Text/Plain ; q=1; charset=\"UTF-8\"", &m), 0);
	cr_assert_eq(m.type_len, strlen("Text/Plain"));
	cr_assert_eq(strncmp(m.type, "Text/Plain", m.type_len), 0);
	cr_assert(mtype_is(&m, "text/plain"));
	cr_assert(m.params_ok);
	cr_assert_not(m.charset_other);
	cr_assert_eq(mtype_parse("a/b; charset=latin1", &m), 0);
	cr_assert(m.charset_other);
	cr_assert_eq(mtype_parse("a/b; broken", &m), 0);
	cr_assert_not(m.params_ok);
	cr_assert_eq(mtype_parse(NULL, &m), -1);
	cr_assert_eq(mtype_parse("", &m), -1);
	cr_assert_eq(mtype_parse("  ;charset=utf-8", &m), -1);
	cr_assert_eq(mtype_parse("a/b c", &m), -1, "anything but parameters after the type");
}
