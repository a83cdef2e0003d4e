/* unit_auth.c - tests of src/input/auth.c: SHA-256 (FIPS 180-4 vectors, through libcrypto) and Bearer
 * token syntax. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/input/auth.c"

/* The digest of p[0..len) in lower-case hex. */
static void sha_hex(const void *p, size_t len, char hex[2 * AUTH_DIGEST_LEN + 1])
{
	unsigned char d[AUTH_DIGEST_LEN];

	cr_assert_eq(auth_sha256(p, len, d), 0);
	for (int i = 0; i < AUTH_DIGEST_LEN; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

/* The digest of n copies of c. Expected values computed with sha256sum. */
static void sha_rep_hex(char c, size_t n, char hex[2 * AUTH_DIGEST_LEN + 1])
{
	char *p = malloc(n ? n : 1);

	cr_assert_not_null(p, "malloc");
	memset(p, c, n);
	sha_hex(p, n, hex);
	free(p);
}

/* SHA-256 */

Test(auth, sha256_nist_short)
{
	char hex[2 * AUTH_DIGEST_LEN + 1];

	sha_hex("", 0, hex);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	                 "SHA-256(\"\")");
	sha_hex("abc", 3, hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	                 "SHA-256(\"abc\")");
}

Test(auth, sha256_nist_448_bits)
{
	static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[2 * AUTH_DIGEST_LEN + 1];

	cr_assert_eq(sizeof(m) - 1, (size_t)56, "448 bits");
	sha_hex(m, sizeof(m) - 1, hex);
	cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	                 "SHA-256 of the 448-bit message");
}

Test(auth, sha256_896_bits)
{
	static const char m[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	                        "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char hex[2 * AUTH_DIGEST_LEN + 1];

	cr_assert_eq(sizeof(m) - 1, (size_t)112, "896 bits");
	sha_hex(m, sizeof(m) - 1, hex);
	cr_assert_str_eq(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
	                 "SHA-256 of the 896-bit message");
}

Test(auth, sha256_million_a)
{
	char hex[2 * AUTH_DIGEST_LEN + 1];

	sha_rep_hex('a', 1000000, hex);
	cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	                 "SHA-256 of 1,000,000 'a'");
}

Test(auth, sha256_padding_boundaries)
{
	/* Lengths around the one-or-two final blocks boundary (56) and the block size. */
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
	    {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
	    {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
	    {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
	    {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
	    {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
	    {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
	    {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
	    {128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
	};
	char hex[2 * AUTH_DIGEST_LEN + 1];

	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		sha_rep_hex('a', v[i].n, hex);
		cr_assert_str_eq(hex, v[i].hex, "SHA-256 of %zu 'a'", v[i].n);
	}
}

Test(auth, sha256_reads_only_len)
{
	char a[2 * AUTH_DIGEST_LEN + 1], b[2 * AUTH_DIGEST_LEN + 1];

	sha_hex("abcdef", 3, a);
	sha_hex("abc", 3, b);
	cr_assert_str_eq(a, b, "only len bytes are hashed");
	sha_hex("abd", 3, b);
	cr_assert_str_neq(a, b, "one changed byte changes the digest");
}

/* auth_bearer */

static int bearer(const char *h, const char **tok, size_t *len)
{
	return auth_bearer(h, strlen(h), tok, len);
}

static void bearer_ok(const char *h, const char *want)
{
	const char *tok = NULL;
	size_t len = 0;

	cr_assert_eq(bearer(h, &tok, &len), 0, "\"%s\" must be accepted", h);
	cr_assert_eq(len, strlen(want), "\"%s\": token length", h);
	cr_assert_eq(memcmp(tok, want, len), 0, "\"%s\": token", h);
	cr_assert(tok >= h && tok + len == h + strlen(h), "\"%s\": token points into h", h);
}

static void bearer_ko(const char *h, size_t len, const char *what)
{
	const char *tok;
	size_t toklen;

	cr_assert_eq(auth_bearer(h, len, &tok, &toklen), -1, "%s must be refused", what);
}

Test(auth, bearer_accepted)
{
	bearer_ok("Bearer abc", "abc");
	bearer_ok("bearer abc", "abc");
	bearer_ok("BEARER abc", "abc");
	bearer_ok("bEaReR abc", "abc");
	bearer_ok("Bearer  abc", "abc");
	bearer_ok("Bearer      abc", "abc");
	bearer_ok("Bearer a", "a");
	bearer_ok("Bearer abc=", "abc=");
	bearer_ok("Bearer abc==", "abc==");
	bearer_ok("Bearer aZ09-._~+/", "aZ09-._~+/");
	bearer_ok("Bearer b817d2618fe6f1804333b817d2618fe6f1804333",
	          "b817d2618fe6f1804333b817d2618fe6f1804333");
}

Test(auth, bearer_refused)
{
	static const char *const hs[] = {
	    "",
	    "B",
	    "Bearer",
	    "Bearer ",
	    "Bearer  ",
	    "Bearer      ",
	    "Basic abc",
	    "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
	    "Bearerabc",
	    "Bearer\tabc",
	    "Bearer \tabc",
	    "Bearer:abc",
	    "Bearer: abc",
	    "Bearer=abc",
	    " Bearer abc",
	    "Bear abc",
	    "Bearers abc",
	    "Token abc",
	    "abc",
	    "Bearer =",
	    "Bearer ==abc",
	    "Bearer a=b",
	    "Bearer abc=d",
	    "Bearer abc= ",
	    "Bearer abc=\t",
	    "Bearer abc def",
	    "Bearer abc,def",
	    "Bearer abc;",
	    "Bearer \"abc\"",
	    "Bearer ab\x01"
	    "c",
	    "Bearer abc\x7f",
	    "Bearer abc\r\n",
	    "Bearer abc\n",
	    "Bearer ab\xc3\xa9",
	    "Bearer ab%20c",
	    "Bearer ab\\c",
	    "Bearer ab:c",
	    "Bearer ab@c",
	};

	for (size_t i = 0; i < sizeof(hs) / sizeof(*hs); i++)
		bearer_ko(hs[i], strlen(hs[i]), hs[i]);
	bearer_ko("Bearer ab\0c", 11, "a NUL inside the token");
	bearer_ko("Bearer abc\0", 11, "a NUL after the token");
	bearer_ko("Bearer\0abc", 10, "a NUL as the separator");
}

Test(auth, bearer_respects_length)
{
	const char *tok;
	size_t len;

	cr_assert_eq(auth_bearer("Bearer abcdef", 10, &tok, &len), 0, "cut by len");
	cr_assert_eq(len, (size_t)3, "token ends at len");
	cr_assert_eq(memcmp(tok, "abc", 3), 0, "token");
	cr_assert_eq(auth_bearer("Bearer abcdef", 7, &tok, &len), -1, "only the scheme");
	cr_assert_eq(auth_bearer("Bearer abcdef", 3, &tok, &len), -1, "part of the scheme");
	cr_assert_eq(auth_bearer("Bearer abcdef", 0, &tok, &len), -1, "nothing");
}

Test(auth, bearer_token_max)
{
	char h[16 + AUTH_TOKEN_MAX + 8];
	const char *tok;
	size_t len, n;

	n = (size_t)sprintf(h, "Bearer ");
	memset(h + n, 'x', AUTH_TOKEN_MAX);
	h[n + AUTH_TOKEN_MAX] = '\0';
	cr_assert_eq(bearer(h, &tok, &len), 0, "AUTH_TOKEN_MAX characters");
	cr_assert_eq(len, (size_t)AUTH_TOKEN_MAX, "AUTH_TOKEN_MAX length");
	cr_assert_eq(tok, h + n, "token start");

	memset(h + n, 'x', AUTH_TOKEN_MAX + 1);
	h[n + AUTH_TOKEN_MAX + 1] = '\0';
	cr_assert_eq(bearer(h, &tok, &len), -1, "AUTH_TOKEN_MAX + 1 characters");

	/* The limit is on the token, not on the header. */
	n = (size_t)sprintf(h, "Bearer     ");
	memset(h + n, 'x', AUTH_TOKEN_MAX);
	h[n + AUTH_TOKEN_MAX] = '\0';
	cr_assert_eq(bearer(h, &tok, &len), 0, "AUTH_TOKEN_MAX after several spaces");
	cr_assert_eq(len, (size_t)AUTH_TOKEN_MAX, "token length after several spaces");

	/* Padding counts toward the limit. */
	n = (size_t)sprintf(h, "Bearer ");
	memset(h + n, 'x', AUTH_TOKEN_MAX - 1);
	h[n + AUTH_TOKEN_MAX - 1] = '=';
	h[n + AUTH_TOKEN_MAX] = '\0';
	cr_assert_eq(bearer(h, &tok, &len), 0, "AUTH_TOKEN_MAX with padding");
	h[n + AUTH_TOKEN_MAX] = '=';
	h[n + AUTH_TOKEN_MAX + 1] = '\0';
	cr_assert_eq(bearer(h, &tok, &len), -1, "AUTH_TOKEN_MAX + 1 with padding");
}

/* auth_token_ok */

Test(auth, token_ok)
{
	static const char *const ok[] = {
	    "a", "abc", "abc=", "abc==", "a=====", "aZ09-._~+/", "-", "~", "+/+/"};
	static const char *const ko[] = {"",      "=",         "==",   "=abc",  "a=b", "abc=d",
	                                 "a b",   " abc",      "abc ", "a%20b", "a&b", "a?b",
	                                 "a#b",   "a\"b",      "a\tb", "a,b",   "a;b", "a\x01",
	                                 "a\x7f", "a\xc3\xa9", "a*b"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		cr_assert_eq(auth_token_ok(ok[i], strlen(ok[i])), 0, "\"%s\" is a token68", ok[i]);
	for (size_t i = 0; i < sizeof(ko) / sizeof(*ko); i++)
		cr_assert_eq(auth_token_ok(ko[i], strlen(ko[i])), -1, "\"%s\" is not a token68",
		             ko[i]);
	cr_assert_eq(auth_token_ok("ab\0", 3), -1, "a NUL");
	cr_assert_eq(auth_token_ok("abc&x=y", 3), 0, "len bounds the token");
}

Test(auth, token_ok_max)
{
	char t[AUTH_TOKEN_MAX + 2];

	memset(t, 'Q', sizeof(t));
	cr_assert_eq(auth_token_ok(t, AUTH_TOKEN_MAX), 0, "AUTH_TOKEN_MAX");
	cr_assert_eq(auth_token_ok(t, AUTH_TOKEN_MAX + 1), -1, "AUTH_TOKEN_MAX + 1");
	cr_assert_eq(auth_token_ok(t, AUTH_TOKEN_MAX + 2), -1, "AUTH_TOKEN_MAX + 2");
}

Test(auth, token68_char)
{
	for (int c = 0; c < 256; c++) {
		int want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || memchr("-._~+/", c, 6) != NULL;
		cr_assert_eq(token68_char((unsigned char)c), want, "character %d", c);
	}
}
