/* unit_pct.c - tests of src/input/pct.c: percent-decoding, one round, with its two options. */
#include <criterion/criterion.h>
#include <string.h>

#include "../src/input/pct.c"

Test(pct, escapes)
{
	char out[16];

	cr_assert_eq(pct_decode("abc", 3, out, sizeof(out), 0), 3L, "plain");
	cr_assert_str_eq(out, "abc", "plain text");
	cr_assert_eq(pct_decode("", 0, out, sizeof(out), 0), 0L, "empty");
	cr_assert_str_eq(out, "", "empty is NUL-terminated");
	cr_assert_eq(pct_decode("%41%62%7a%7A", 12, out, sizeof(out), 0), 4L, "hex of both cases");
	cr_assert_str_eq(out, "Abzz", "decoded");
	cr_assert_eq(pct_decode("%252A", 5, out, sizeof(out), 0), 3L, "one round only");
	cr_assert_str_eq(out, "%2A", "%%25 becomes %%, nothing more");
	cr_assert_eq(pct_decode("a%00b", 5, out, sizeof(out), 0), 3L, "NUL decodes");
	cr_assert_eq(memcmp(out, "a\0b", 4), 0, "NUL kept in place");
	cr_assert_eq(pct_decode("%41", 2, out, sizeof(out), 0), -1L, "len cuts the escape");
}

Test(pct, bad_escapes)
{
	static const char *const bad[] = {"%",   "%4", "a%",   "a%4",  "%zz", "%4z", "%z4",
	                                  "%g0", "%%", "%%41", "% 41", "%-1", "%+1"};
	char out[16];

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(pct_decode(bad[i], strlen(bad[i]), out, sizeof(out), 0), -1L,
		             "\"%s\" must be rejected", bad[i]);
}

Test(pct, plus)
{
	char out[16];

	cr_assert_eq(pct_decode("a+b", 3, out, sizeof(out), 0), 3L, "path");
	cr_assert_str_eq(out, "a+b", "'+' is literal in a path");
	cr_assert_eq(pct_decode("a+b", 3, out, sizeof(out), PCT_PLUS), 3L, "query");
	cr_assert_str_eq(out, "a b", "'+' is a space in a query");
	cr_assert_eq(pct_decode("a%2Bb", 5, out, sizeof(out), PCT_PLUS), 3L, "query escape");
	cr_assert_str_eq(out, "a+b", "%%2B is a literal '+'");
}

Test(pct, capacity)
{
	char out[4];

	cr_assert_eq(pct_decode("abc", 3, out, 4, 0), 3L, "cap - 1 characters fit");
	cr_assert_str_eq(out, "abc", "fits");
	cr_assert_eq(pct_decode("abcd", 4, out, 4, 0), -1L, "cap characters do not");
	cr_assert_eq(pct_decode("%41%42%43", 9, out, 4, 0), 3L, "decoded length counts");
	cr_assert_eq(pct_decode("%41%42%43%44", 12, out, 4, 0), -1L, "decoded over cap");
	cr_assert_eq(pct_decode("", 0, out, 1, 0), 0L, "cap 1 holds the empty string");
	cr_assert_eq(pct_decode("a", 1, out, 1, 0), -1L, "cap 1 holds nothing more");
}

Test(pct, check_only)
{
	static const char *const bad[] = {"%", "%2", "a%2", "%g0", "%%20"};

	cr_assert_eq(pct_decode("a%41+", 5, NULL, 0, PCT_PLUS), 3L, "the decoded length");
	cr_assert_eq(pct_decode("abcdefgh", 8, NULL, 0, 0), 8L, "no bound without an output");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert_eq(pct_decode(bad[i], strlen(bad[i]), NULL, 0, 0), -1L,
		             "\"%s\" must be rejected", bad[i]);
}

Test(pct, nul_refused_only_when_asked)
{
	char out[16];

	cr_assert_eq(pct_decode("a%00b", 5, out, sizeof(out), 0), 3L);
	cr_assert_eq(pct_decode("a%00b", 5, out, sizeof(out), PCT_NO_NUL), -1L);
	cr_assert_eq(pct_decode("a%00b", 5, NULL, 0, PCT_NO_NUL), -1L, "check only");
	cr_assert_eq(pct_decode("a", 1, out, 0, 0), -1L, "no room for the NUL");
}
