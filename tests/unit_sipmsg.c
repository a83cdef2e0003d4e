/* unit_sipmsg.c - tests of sip/sipmsg.c and sip/media.c: the SIP user agent's pure parts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sip/media.c"
#include "../sip/sipmsg.c"

#define GOERTZEL_RATIO 100.0 /* the tone's power over its neighbours' */
#define FUZZ_ROUNDS 20000

/* A copy of s[0..n) in a buffer of exactly n bytes, so the sanitizers catch any read
 * past the length given; parsed into m. The copy stays alive in *keep for the slices. */
static const char *parse_n(const char *s, size_t n, struct sip_msg *m, char **keep)
{
	char *copy = malloc(n ? n : 1);
	const char *why;

	cr_assert_not_null(copy, "malloc");
	memcpy(copy, s, n);
	why = sip_parse(copy, n, m);
	*keep = copy;
	return why;
}

static struct sip_msg msg;
static char *kept;

static struct sip_str str_of(const char *s)
{
	return (struct sip_str){s, strlen(s)};
}

static const char *parse(const char *s)
{
	free(kept);
	return parse_n(s, strlen(s), &msg, &kept);
}

static void ok(const char *s)
{
	const char *why = parse(s);

	cr_assert_null(why, "must parse, failed: %s\n%s", why, s);
}

static void bad(const char *s, const char *expect)
{
	const char *why = parse(s);

	cr_assert_not_null(why, "must be rejected:\n%s", s);
	if (expect)
		cr_assert_str_eq(why, expect, "rejected for another reason:\n%s", s);
}

static void teardown(void)
{
	free(kept);
	kept = NULL;
}

TestSuite(sipmsg, .fini = teardown);

static bool eq(struct sip_str s, const char *c)
{
	return sip_eq(s, c);
}

#define HEAD_MIN                                                                                   \
	"Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKabc;rport\r\n"                               \
	"From: \"Alice\" <sip:1001@example.com>;tag=ft1\r\n"                                       \
	"To: <sip:2002@example.com>\r\n"                                                           \
	"Call-ID: cid-1@10.0.0.1\r\n"
#define SDP_OFFER                                                                                  \
	"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"                  \
	"m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
#define INVITE                                                                                     \
	"INVITE sip:2002@example.com SIP/2.0\r\n" HEAD_MIN "CSeq: 1 INVITE\r\n"                    \
	"Contact: <sip:1001@10.0.0.1:5070;transport=udp>\r\n"                                      \
	"Content-Type: application/sdp\r\n"                                                        \
	"Content-Length: 114\r\n\r\n" SDP_OFFER

/* Start line, headers, shortcuts */

Test(sipmsg, invite)
{
	cr_assert_eq(strlen(SDP_OFFER), 114, "the test's Content-Length");
	ok(INVITE);
	cr_assert(msg.request);
	cr_assert(eq(msg.method, "INVITE") && eq(msg.ruri, "sip:2002@example.com"));
	cr_assert(eq(msg.via.transport, "UDP") && eq(msg.via.host, "10.0.0.1"));
	cr_assert_eq(msg.via.port, 5070);
	cr_assert(eq(msg.via.branch, "z9hG4bKabc") && msg.via.rport);
	cr_assert_eq(msg.nvia, 1);
	cr_assert(eq(msg.from.display, "Alice") && eq(msg.from.uri, "sip:1001@example.com"));
	cr_assert(eq(msg.from_tag, "ft1") && msg.to_tag.n == 0);
	cr_assert(eq(msg.to.uri, "sip:2002@example.com"));
	cr_assert(eq(msg.call_id, "cid-1@10.0.0.1"));
	cr_assert(msg.cseq == 1 && eq(msg.cseq_method, "INVITE"));
	cr_assert(eq(msg.contact, "sip:1001@10.0.0.1:5070;transport=udp"));
	cr_assert(eq(msg.ctype, "application/sdp"));
	cr_assert(msg.has_clen && msg.clen == 114 && eq(msg.body, SDP_OFFER));
	cr_assert_eq(msg.nhdr, 8);
}

Test(sipmsg, response)
{
	ok("SIP/2.0 486 Busy Here\r\n" HEAD_MIN "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
	cr_assert(!msg.request && msg.status == 486 && eq(msg.reason, "Busy Here"));
	ok("SIP/2.0 200 OK\r\n" HEAD_MIN "CSeq: 7 BYE\r\n\r\n");
	cr_assert(msg.status == 200 && eq(msg.cseq_method, "BYE") && msg.cseq == 7);
	/* an empty reason phrase */
	ok("SIP/2.0 180 \r\n" HEAD_MIN "CSeq: 1 INVITE\r\n\r\n");
	cr_assert(msg.status == 180 && msg.reason.n == 0);
	ok("SIP/2.0 180\r\n" HEAD_MIN "CSeq: 1 INVITE\r\n\r\n");
	cr_assert(msg.status == 180);
}

Test(sipmsg, start_line_rejected)
{
	static const char *const lines[] = {
	    "SIP/2.0 99 Low\r\n",
	    "SIP/2.0 700 High\r\n",
	    "SIP/2.0 2000 OK\r\n",
	    "SIP/2.0 20x OK\r\n",
	    "SIP/2.0  200 OK\r\n",
	    "SIP/2.0 200OK\r\n",
	    "SIP/3.0 200 OK\r\n",
	    "INVITE sip:a@b SIP/3.0\r\n",
	    "INVITE  sip:a@b SIP/2.0\r\n",
	    "INVITE sip:a@b  SIP/2.0\r\n",
	    "INVITE sip:a@b\r\n",
	    "INVITE\r\n",
	    " INVITE sip:a@b SIP/2.0\r\n",
	    "INV@TE sip:a@b SIP/2.0\r\n",
	    "INVITE sip:a@b SIP/2.0 \r\n",
	    "\r\n",
	    "INVITE sip:a\x01@b SIP/2.0\r\n",
	};
	char buf[1024];

	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		snprintf(buf, sizeof(buf), "%s" HEAD_MIN "CSeq: 1 INVITE\r\n\r\n", lines[i]);
		bad(buf, NULL);
	}
	bad("", "empty");
	bad("INVITE sip:a@b SIP/2.0", "no CRLF after the start line");
	bad("INVITE sip:a@b SIP/2.0\n" HEAD_MIN "CSeq: 1 INVITE\r\n\r\n", NULL);
}

Test(sipmsg, compact_forms)
{
	ok("BYE sip:1001@10.0.0.1 SIP/2.0\r\n"
	   "v: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKx\r\n"
	   "f: <sip:2002@example.com>;tag=b\r\n"
	   "t: <sip:1001@example.com>;tag=a\r\n"
	   "i: cid-2\r\n"
	   "CSEQ: 2 BYE\r\n"
	   "m: <sip:2002@10.0.0.2>\r\n"
	   "c: text/plain\r\n"
	   "l: 2\r\n\r\nhi");
	cr_assert(eq(msg.via.host, "10.0.0.2") && eq(msg.from_tag, "b") && eq(msg.to_tag, "a"));
	cr_assert(eq(msg.call_id, "cid-2") && msg.cseq == 2);
	cr_assert(eq(msg.contact, "sip:2002@10.0.0.2") && eq(msg.ctype, "text/plain"));
	cr_assert(msg.clen == 2 && eq(msg.body, "hi"));
	cr_assert_eq(msg.hdr[0].id, SIP_H_VIA);
	cr_assert(eq(msg.hdr[0].name, "v"), "the name stays as written");
	/* names in any case, white space before the colon */
	ok("ACK sip:a@b SIP/2.0\r\nvIA : SIP/2.0/UDP h;branch=z9hG4bK1\r\nFROM:<sip:a@b>;tag=1\r\n"
	   "TO :<sip:c@d>\r\ncall-ID:x\r\ncseq:1 ACK\r\n\r\n");
	cr_assert(eq(msg.call_id, "x") && eq(msg.via.host, "h"));
}

Test(sipmsg, folded_lines)
{
	ok("OPTIONS sip:a@b SIP/2.0\r\n"
	   "Via: SIP/2.0/UDP 10.0.0.1\r\n ;branch=z9hG4bKf\r\n"
	   "From: <sip:a@b>\r\n\t;tag=ff\r\n"
	   "To: <sip:c@d>\r\n"
	   "Subject: one\r\n two\r\n"
	   "Call-ID: c\r\nCSeq: 3\r\n  OPTIONS\r\n\r\n");
	cr_assert(eq(msg.via.branch, "z9hG4bKf") && eq(msg.from_tag, "ff"));
	cr_assert(msg.cseq == 3 && eq(msg.cseq_method, "OPTIONS"));
	cr_assert(eq(msg.hdr[3].value, "one\r\n two"));
	cr_assert(eq(msg.hdr[3].line, "Subject: one\r\n two"));
	/* a continuation with no header before it */
	bad("OPTIONS sip:a@b SIP/2.0\r\n one\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\n\r\n", NULL);
}

Test(sipmsg, via_lists)
{
	ok("SIP/2.0 200 OK\r\n"
	   "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP 10.0.0.9:5062"
	   ";branch=z9hG4bKp0\r\n"
	   "v: SIP / 2.0 / UDP 10.0.0.1:5070 ;branch=z9hG4bKu;received=10.1.1.1\r\n"
	   "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n");
	cr_assert_eq(msg.nvia, 3);
	cr_assert(eq(msg.via.host, "proxy.example.com") && msg.via.port == 0);
	cr_assert(eq(msg.via.branch, "z9hG4bKp1") && !msg.via.rport);
}

Test(sipmsg, via_rejected)
{
	static const char *const vias[] = {
	    "",
	    "SIP/2.0/UDP",
	    "SIP/2.0/UDP ;branch=z9hG4bK1",
	    "SIP/1.0/UDP h",
	    "HTTP/2.0/UDP h",
	    "SIP/2.0 h",
	    "SIP/2.0/UDP h:0",
	    "SIP/2.0/UDP h:65536",
	    "SIP/2.0/UDP h:x",
	    "SIP/2.0/UDP h;branch=",
	    "SIP/2.0/UDP h x",
	    "SIP/2.0/UDP h,",
	    "SIP/2.0/UDP h,,SIP/2.0/UDP g",
	    "SIP/2.0/UDP [::1",
	};
	char buf[1024];

	for (size_t i = 0; i < sizeof(vias) / sizeof(*vias); i++) {
		snprintf(buf, sizeof(buf),
		         "OPTIONS sip:a@b SIP/2.0\r\nVia: %s\r\nFrom: <sip:a@b>;tag=1\r\n"
		         "To: <sip:c@d>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		         vias[i]);
		bad(buf, NULL);
	}
}

Test(sipmsg, record_route_lists)
{
	ok("SIP/2.0 200 OK\r\n" HEAD_MIN "CSeq: 1 INVITE\r\n"
	   "Record-Route: <sip:p3.example.com;lr>, \"Edge, one\" <sip:p2.example.com;lr>\r\n"
	   "Contact: <sip:2002@10.0.0.2:5080>\r\n"
	   "record-route: <sip:10.0.0.7;lr;ftag=ft1;did=a.b>\r\n"
	   "Record-Route:<sip:p0.example.com>\r\n\r\n");
	cr_assert_eq(msg.nrr, 4);
	cr_assert(eq(msg.rr[0], "<sip:p3.example.com;lr>"));
	cr_assert(eq(msg.rr[1], "\"Edge, one\" <sip:p2.example.com;lr>"));
	cr_assert(eq(msg.rr[2], "<sip:10.0.0.7;lr;ftag=ft1;did=a.b>"));
	cr_assert(eq(msg.rr[3], "<sip:p0.example.com>"));
}

Test(sipmsg, record_route_rejected)
{
	char buf[4096];
	size_t n;

	/* over the limit, over several headers and lists */
	n = (size_t)snprintf(buf, sizeof(buf), "SIP/2.0 200 OK\r\n" HEAD_MIN "CSeq: 1 INVITE\r\n");
	for (int k = 0; k <= SIP_ROUTE_MAX; k += 2)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		                      "Record-Route: <sip:p%d.example.com;lr>,<sip:q%d;lr>\r\n", k,
		                      k);
	snprintf(buf + n, sizeof(buf) - n, "\r\n");
	bad(buf, "route set too large");
	/* exactly the limit is fine */
	n = (size_t)snprintf(buf, sizeof(buf), "SIP/2.0 200 OK\r\n" HEAD_MIN "CSeq: 1 INVITE\r\n");
	for (int k = 0; k < SIP_ROUTE_MAX; k++)
		n +=
		    (size_t)snprintf(buf + n, sizeof(buf) - n, "Record-Route: <sip:p%d;lr>\r\n", k);
	snprintf(buf + n, sizeof(buf) - n, "\r\n");
	ok(buf);
	cr_assert_eq(msg.nrr, SIP_ROUTE_MAX);

	static const char *const rrs[] = {
	    "sip:p1.example.com;lr", /* an addr-spec: not a name-addr */
	    "<sip:p1;lr>,",          "<sip:p1;lr>,,<sip:p2>", "<sip:p1;lr", "<sip:p1;lr>>",
	    "<sip:p1 <sip:p2>>",     "\"open <sip:p1>",       "<>",         "",
	    "<sip:p1>;x=\"y",
	};
	for (size_t i = 0; i < sizeof(rrs) / sizeof(*rrs); i++) {
		snprintf(buf, sizeof(buf),
		         "SIP/2.0 200 OK\r\n" HEAD_MIN "CSeq: 1 INVITE\r\nRecord-Route: %s\r\n\r\n",
		         rrs[i]);
		bad(buf, NULL);
	}
}

Test(sipmsg, addresses_and_tags)
{
	/* an addr-spec's parameters are the header's: tag belongs to From */
	ok("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
	   "From: sip:1001@example.com;tag=plain\r\n"
	   "To: Bob <sip:2002@example.com;tag=inside>;tag=outside\r\n"
	   "Call-ID: c\r\nCSeq: 1 OPTIONS\r\n"
	   "Contact: \"A <b>, c\" <sip:x@10.0.0.1>, <sip:y@10.0.0.2>\r\n\r\n");
	cr_assert(eq(msg.from.uri, "sip:1001@example.com") && eq(msg.from_tag, "plain"));
	cr_assert(eq(msg.to.display, "Bob") && eq(msg.to.uri, "sip:2002@example.com;tag=inside"));
	cr_assert(eq(msg.to_tag, "outside"));
	cr_assert(eq(msg.contact, "sip:x@10.0.0.1"), "the first Contact");
	ok("REGISTER sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
	   "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 9 REGISTER\r\n"
	   "Contact: *\r\nExpires: 0\r\n\r\n");
	cr_assert(msg.contact_star && msg.contact.n == 0);

	static const char *const froms[] = {
	    "",
	    "<sip:a@b",
	    "\"x <sip:a@b>",
	    "\"x\" y <sip:a@b>",
	    "a,b <sip:a@b>",
	    "<sip:a@b> x",
	    "<sip:a@b>;tag",
	    "<sip:a@b>;tag=",
	    "<sip:a@b>;=x",
	    "<sip:a b@c>",
	    "sip:a@b x",
	    "<>",
	};
	char buf[1024];
	for (size_t i = 0; i < sizeof(froms) / sizeof(*froms); i++) {
		snprintf(buf, sizeof(buf),
		         "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: %s\r\n"
		         "To: <sip:c@d>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		         froms[i]);
		bad(buf, NULL);
	}
}

Test(sipmsg, content_length_strict)
{
	static const char *const lens[] = {"",
	                                   "x",
	                                   "2a",
	                                   "-1",
	                                   "+2",
	                                   "0x2",
	                                   "2 2",
	                                   "1.0",
	                                   "000008193",
	                                   "8193",
	                                   "99999999999999999999"};
	char buf[1024];

	for (size_t i = 0; i < sizeof(lens) / sizeof(*lens); i++) {
		snprintf(buf, sizeof(buf),
		         "MESSAGE sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 MESSAGE\r\n"
		         "Content-Length: %s\r\n\r\nhi",
		         lens[i]);
		bad(buf, NULL);
	}
	/* twice, even with the same value */
	bad("MESSAGE sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 MESSAGE\r\nContent-Length: 2\r\n"
	    "l: 2\r\n\r\nhi",
	    "header repeated");
	/* fewer bytes than announced */
	bad("MESSAGE sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 MESSAGE\r\nContent-Length: 3\r\n\r\nhi",
	    "body shorter than Content-Length");
	/* more: the rest of the datagram is discarded (RFC 3261 18.3) */
	ok("MESSAGE sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 MESSAGE\r\nContent-Length: 1\r\n\r\nhi");
	cr_assert(eq(msg.body, "h"));
	/* white space around the number; none at all: the datagram's end */
	ok("MESSAGE sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 MESSAGE\r\nContent-Length:  02 \r\n\r\n"
	   "hi");
	cr_assert(msg.clen == 2 && eq(msg.body, "hi"));
	ok("MESSAGE sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 MESSAGE\r\n\r\nhello");
	cr_assert(!msg.has_clen && eq(msg.body, "hello"));
}

Test(sipmsg, cseq_rules)
{
	static const char *const cseqs[] = {
	    "",          "INVITE",     "1",        "1INVITE",           "x INVITE",
	    "-1 INVITE", "1 INVITE x", "1 INV@TE", "2147483648 INVITE", "12345678901 INVITE",
	    "1 invite",  "1 BYE"};
	char buf[1024];

	for (size_t i = 0; i < sizeof(cseqs) / sizeof(*cseqs); i++) {
		snprintf(buf, sizeof(buf), "INVITE sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: %s\r\n\r\n",
		         cseqs[i]);
		bad(buf, NULL);
	}
	ok("INVITE sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 2147483647 INVITE\r\n\r\n");
	cr_assert_eq(msg.cseq, 2147483647u);
	/* a response's CSeq names the request's method, not its own */
	ok("SIP/2.0 200 OK\r\n" HEAD_MIN "CSeq: 0 CANCEL\r\n\r\n");
	bad("INVITE sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 INVITE\r\nCSeq: 1 INVITE\r\n\r\n",
	    "header repeated");
}

Test(sipmsg, required_headers)
{
	static const char *const why[] = {"no Via", "no From or To", "no From or To", "no Call-ID",
	                                  "no CSeq"};
	static const char *const lines[] = {"Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n",
	                                    "From: <sip:a@b>;tag=1\r\n", "To: <sip:c@d>\r\n",
	                                    "Call-ID: c\r\n", "CSeq: 1 OPTIONS\r\n"};
	char buf[1024];

	for (size_t skip = 0; skip < 5; skip++) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "OPTIONS sip:a@b SIP/2.0\r\n");
		for (size_t k = 0; k < 5; k++)
			if (k != skip)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", lines[k]);
		snprintf(buf + n, sizeof(buf) - n, "\r\n");
		bad(buf, why[skip]);
	}
	bad("OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\nCall-ID: d\r\n\r\n",
	    "header repeated");
	bad("OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\nFrom: <sip:x@y>\r\n\r\n",
	    "header repeated");
	bad("OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\nt: <sip:x@y>\r\n\r\n",
	    "header repeated");
	bad("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\n"
	    "Call-ID: a b\r\nCSeq: 1 OPTIONS\r\n\r\n",
	    "bad Call-ID");
}

Test(sipmsg, head_rejected)
{
	bad("OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\n",
	    "head not ended by an empty line");
	bad("OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS",
	    "head not ended by an empty line");
	bad("OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\nNoColon\r\n\r\n",
	    "header without a colon");
	bad("OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\n: x\r\n\r\n",
	    "header without a name");
	bad("OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\nX-A: a\nb\r\n\r\n",
	    "control character in a header");
	bad("OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\nX-A: a\rb\r\n\r\n",
	    "control character in a header");
	bad("OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\nX-A: a\x7f\r\n\r\n",
	    "control character in a header");

	const char nul[] =
	    "OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\nX: a\0b\r\n\r\n";
	free(kept);
	cr_assert_str_eq(parse_n(nul, sizeof(nul) - 1, &msg, &kept),
	                 "control character in a header");
}

Test(sipmsg, limits)
{
	static char buf[SIP_MSG_MAX + 64];
	size_t n;

	/* SIP_HDR_MAX headers pass, one more does not */
	n = (size_t)snprintf(buf, sizeof(buf),
	                     "OPTIONS sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 OPTIONS\r\n");
	for (int k = 5; k < SIP_HDR_MAX; k++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X-%d: v\r\n", k);
	snprintf(buf + n, sizeof(buf) - n, "\r\n");
	ok(buf);
	cr_assert_eq(msg.nhdr, SIP_HDR_MAX);
	snprintf(buf + n, sizeof(buf) - n, "X-last: v\r\n\r\n");
	bad(buf, "too many headers");

	/* SIP_MSG_MAX bytes pass, one more does not */
	n = (size_t)snprintf(buf, sizeof(buf),
	                     "MESSAGE sip:a@b SIP/2.0\r\n" HEAD_MIN "CSeq: 1 MESSAGE\r\n\r\n");
	memset(buf + n, 'x', SIP_MSG_MAX - n);
	buf[SIP_MSG_MAX] = '\0';
	ok(buf);
	cr_assert_eq(msg.body.n, SIP_MSG_MAX - n);
	buf[SIP_MSG_MAX] = 'x';
	buf[SIP_MSG_MAX + 1] = '\0';
	bad(buf, "message too large");
}

/* Every cut of a valid message is rejected, never read past; only the whole one parses. */
Test(sipmsg, every_prefix_rejected)
{
	const char *whole = INVITE;
	size_t n = strlen(whole);
	struct sip_msg m;
	char *copy;

	for (size_t len = 0; len < n; len++) {
		cr_assert_not_null(parse_n(whole, len, &m, &copy), "a cut at %zu parsed", len);
		free(copy);
	}
	cr_assert_null(parse_n(whole, n, &m, &copy));
	free(copy);
}

/* Random bytes changed in valid messages: whatever comes back, nothing is read past the
 * message (the sanitizers watch), and what parses keeps its slices inside it. */
Test(sipmsg, mutations_do_not_crash)
{
	static const char *const seeds[] = {
	    INVITE,
	    "SIP/2.0 200 OK\r\n" HEAD_MIN
	    "CSeq: 1 INVITE\r\nRecord-Route: <sip:p;lr>, <sip:q;lr>\r\n"
	    "Contact: <sip:b@10.0.0.2>\r\nl: 0\r\n\r\n",
	};
	static const char alphabet[] = "\r\n \t:;,<>\"\\=@0aZ\x00\xff/";
	uint32_t x = 12345;

	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		const char *seed = seeds[round % 2];
		size_t n = strlen(seed);
		char *buf = malloc(n);
		struct sip_msg m;
		const char *why;
		memcpy(buf, seed, n);
		for (int k = 0; k < 1 + round % 4; k++) {
			x = x * 1103515245 + 12345;
			size_t at = (x >> 8) % n;
			x = x * 1103515245 + 12345;
			buf[at] = alphabet[(x >> 8) % (sizeof(alphabet) - 1)];
		}
		why = sip_parse(buf, n, &m);
		if (!why) {
			cr_assert(m.body.p >= buf && m.body.p + m.body.n <= buf + n);
			cr_assert(m.call_id.p >= buf && m.call_id.p + m.call_id.n <= buf + n);
			for (size_t k = 0; k < m.nrr; k++)
				cr_assert(m.rr[k].p >= buf && m.rr[k].p + m.rr[k].n <= buf + n);
		}
		free(buf);
	}
}

/* URIs, parameters, lists */

static const char *uri(const char *s, struct sip_uri *u)
{
	return sip_uri_parse(str_of(s), u);
}

Test(sipmsg, uris)
{
	struct sip_uri u;

	cr_assert_null(uri("sip:2002@10.0.0.2:5080;transport=udp;lr?h=v", &u));
	cr_assert(eq(u.user, "2002") && eq(u.host, "10.0.0.2") && u.port == 5080 && u.lr);
	cr_assert_null(uri("SIP:proxy.example.com", &u));
	cr_assert(u.user.n == 0 && eq(u.host, "proxy.example.com") && u.port == 0 && !u.lr);
	cr_assert_null(uri("sip:a:secret@[2001:db8::1]:5061;LR", &u));
	cr_assert(eq(u.user, "a:secret") && eq(u.host, "[2001:db8::1]") && u.port == 5061 && u.lr);
	cr_assert_null(uri("sip:0003*210@h;ftag=a.b;did=1~2;maddr=1.2.3.4;x=/a&$", &u));
	cr_assert(eq(u.user, "0003*210") && !u.lr);

	static const char *const bad_uris[] = {
	    "",          "sip:",     "sips:a@b",     "tel:+123",  "sip:@h",    "sip:a@",
	    "sip:a@b@c", "sip:h:0",  "sip:h:65536",  "sip:h:",    "sip:h:5x",  "sip:h x",
	    "sip:h_y",   "sip:[::1", "sip:h;lr=\"x", "sip:h;;lr", "sip:a@<b>", "sip:h\x01",
	};
	for (size_t i = 0; i < sizeof(bad_uris) / sizeof(*bad_uris); i++)
		cr_assert_not_null(uri(bad_uris[i], &u), "%s must be rejected", bad_uris[i]);
}

Test(sipmsg, params)
{
	struct sip_str v;

	cr_assert_eq(sip_param(str_of(";tag=a1;lr; Expires = 30 ;q=\"x;y\""), "expires", &v), 1);
	cr_assert(eq(v, "30"));
	cr_assert_eq(sip_param(str_of(";tag=a1;lr;q=\"x;y\""), "LR", &v), 1);
	cr_assert_eq(v.n, 0, "a flag has an empty value");
	cr_assert_eq(sip_param(str_of(";tag=a1;lr;q=\"x;y\""), "q", &v), 1);
	cr_assert(eq(v, "\"x;y\""));
	cr_assert_eq(sip_param(str_of(";received=[2001:db8::1]"), "received", &v), 1);
	cr_assert(eq(v, "[2001:db8::1]"));
	cr_assert_eq(sip_param(str_of(""), "tag", &v), 0);
	cr_assert_eq(sip_param(str_of(";tag=1"), "ta", &v), 0);
	/* the first one counts, the rest is still checked */
	cr_assert_eq(sip_param(str_of(";tag=1;tag=2"), "tag", &v), 1);
	cr_assert(eq(v, "1"));
	cr_assert_eq(sip_param(str_of(";tag=1;=2"), "tag", &v), -1);

	static const char *const bads[] = {"tag=1", ";",    ";tag=",  ";tag=\"1", ";tag==1",
	                                   "; ;a",  ";a b", ";a=1 x", ";a=<x>"};
	for (size_t i = 0; i < sizeof(bads) / sizeof(*bads); i++)
		cr_assert_eq(sip_param(str_of(bads[i]), "tag", &v), -1, "%s", bads[i]);
}

Test(sipmsg, lists)
{
	struct sip_str rest = str_of(" <sip:a,b@c>;x=\"1,2\" ,\"d,e\" <sip:f> ,g"), item;

	cr_assert_eq(sip_list_next(&rest, &item), 1);
	cr_assert(eq(item, "<sip:a,b@c>;x=\"1,2\""));
	cr_assert_eq(sip_list_next(&rest, &item), 1);
	cr_assert(eq(item, "\"d,e\" <sip:f>"));
	cr_assert_eq(sip_list_next(&rest, &item), 1);
	cr_assert(eq(item, "g"));
	cr_assert_eq(sip_list_next(&rest, &item), 0);

	static const char *const bads[] = {",a", "a,",    "a,,b", "a, ,b",  "<a",
	                                   "a>", "<<a>>", "\"a",  "\"a\\\""};
	for (size_t i = 0; i < sizeof(bads) / sizeof(*bads); i++) {
		int r;
		rest = str_of(bads[i]);
		while ((r = sip_list_next(&rest, &item)) == 1)
			;
		cr_assert_eq(r, -1, "%s", bads[i]);
	}
}

/* The route of in-dialog requests */

Test(sipmsg, route_loose)
{
	struct sip_str routes[2] = {str_of("<sip:10.0.0.7;lr;ftag=x>"),
	                            str_of("\"p\" <sip:p2.example.com;lr>")};
	struct sip_str ruri, hop;
	char out[512];
	long n =
	    sip_route(routes, 2, str_of("sip:2002@10.0.0.2:5080"), &ruri, &hop, out, sizeof(out));

	cr_assert_gt(n, 0);
	cr_assert(eq(ruri, "sip:2002@10.0.0.2:5080"), "loose: the Request-URI is the target");
	cr_assert(eq(hop, "sip:10.0.0.7;lr;ftag=x"), "to the first route");
	cr_assert_str_eq(out, "Route: <sip:10.0.0.7;lr;ftag=x>\r\n"
	                      "Route: \"p\" <sip:p2.example.com;lr>\r\n");
	cr_assert_eq((size_t)n, strlen(out));
	cr_assert_eq(sip_route(routes, 2, str_of("sip:t"), &ruri, &hop, out, 40), -1, "too small");
}

Test(sipmsg, route_strict_and_empty)
{
	struct sip_str routes[2] = {str_of("<sip:strict.example.com>"), str_of("<sip:p2;lr>")};
	struct sip_str ruri, hop;
	char out[512];

	cr_assert_gt(sip_route(routes, 2, str_of("sip:b@10.0.0.2"), &ruri, &hop, out, sizeof(out)),
	             0);
	cr_assert(eq(ruri, "sip:strict.example.com") && eq(hop, "sip:strict.example.com"));
	cr_assert_str_eq(out, "Route: <sip:p2;lr>\r\nRoute: <sip:b@10.0.0.2>\r\n",
	                 "strict: the rest, then the target");
	cr_assert_eq(sip_route(routes, 0, str_of("sip:b@10.0.0.2"), &ruri, &hop, out, sizeof(out)),
	             0);
	cr_assert(eq(ruri, "sip:b@10.0.0.2") && eq(hop, "sip:b@10.0.0.2") && out[0] == '\0');
	routes[0] = str_of("<tel:123>");
	cr_assert_eq(sip_route(routes, 1, str_of("sip:b"), &ruri, &hop, out, sizeof(out)), -1);
}

/* Responses */

Test(sipmsg, response_copies)
{
	const char *req = "INVITE sip:2002@10.0.0.2 SIP/2.0\r\n"
	                  "Via: SIP/2.0/UDP 10.0.0.7;branch=z9hG4bKp\r\n"
	                  "Record-Route: <sip:10.0.0.7;lr>\r\n"
	                  "v: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKu;rport=5070\r\n"
	                  "From: <sip:1001@example.com>;tag=ft\r\nTo: <sip:2002@example.com>\r\n"
	                  "Call-ID: c1\r\nCSeq: 5 INVITE\r\nMax-Forwards: 69\r\n"
	                  "Contact: <sip:1001@10.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n";
	char out[SIP_MSG_MAX];
	long n;
	struct sip_msg r;
	char *copy;

	ok(req);
	n = sip_response(&msg, 200, "OK", "tt", "Contact: <sip:10.0.0.2>\r\n", "application/sdp",
	                 "v=0\r\n", out, sizeof(out));
	cr_assert_gt(n, 0);
	cr_assert_str_eq(out, "SIP/2.0 200 OK\r\n"
	                      "Via: SIP/2.0/UDP 10.0.0.7;branch=z9hG4bKp\r\n"
	                      "Record-Route: <sip:10.0.0.7;lr>\r\n"
	                      "v: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKu;rport=5070\r\n"
	                      "From: <sip:1001@example.com>;tag=ft\r\n"
	                      "To: <sip:2002@example.com>;tag=tt\r\n"
	                      "Call-ID: c1\r\nCSeq: 5 INVITE\r\n"
	                      "Contact: <sip:10.0.0.2>\r\n"
	                      "Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n");
	cr_assert_null(parse_n(out, (size_t)n, &r, &copy), "the response parses");
	cr_assert(eq(r.to_tag, "tt") && r.nvia == 2 && r.nrr == 1 && eq(r.body, "v=0\r\n"));
	free(copy);

	/* no Record-Route in a final error, nor in a BYE's 200 */
	n = sip_response(&msg, 486, "Busy Here", "tt", NULL, NULL, NULL, out, sizeof(out));
	cr_assert(n > 0 && !strstr(out, "Record-Route") &&
	          strstr(out, "Content-Length: 0\r\n\r\n"));
	/* too small */
	cr_assert_eq(sip_response(&msg, 200, "OK", "tt", NULL, NULL, NULL, out, 100), -1);

	ok("BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
	   "Record-Route: <sip:p;lr>\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
	   "Call-ID: c\r\nCSeq: 2 BYE\r\n\r\n");
	n = sip_response(&msg, 200, "OK", "other", NULL, NULL, NULL, out, sizeof(out));
	cr_assert(n > 0 && !strstr(out, "Record-Route"));
	cr_assert(strstr(out, "To: <sip:c@d>;tag=2\r\n") && !strstr(out, "other"),
	          "a To with a tag keeps it");
}

/* SDP */

static const char *sdp(const char *s, struct sdp_info *i)
{
	char *copy = malloc(strlen(s) + 1);
	const char *why;

	memcpy(copy, s, strlen(s));
	why = sdp_parse(copy, strlen(s), i);
	/* the slices must not outlive the copy: compare now */
	static char addr[64];
	snprintf(addr, sizeof(addr), "%.*s", why ? 0 : (int)i->addr.n, why ? "" : i->addr.p);
	free(copy);
	i->addr = str_of(addr);
	return why;
}

Test(sipmsg, sdp_offer)
{
	struct sdp_info s;

	cr_assert_null(sdp(SDP_OFFER, &s));
	cr_assert(eq(s.addr, "10.0.0.1") && s.ip4 && s.port == 40000);
	cr_assert(s.npt == 3 && s.pt[0] == 0 && s.pt[1] == 8 && s.pt[2] == 101);
	/* the media level's c= wins; only the first audio stream counts; LF alone */
	cr_assert_null(sdp("v=0\no=- 1 1 IN IP4 1.1.1.1\nc=IN IP4 1.1.1.1\nt=0 0\n"
	                   "m=video 5000 RTP/AVP 96\nc=IN IP4 3.3.3.3\n"
	                   "m=audio 6000 RTP/AVP 0\nc=IN IP4 2.2.2.2/127\n"
	                   "m=audio 7000 RTP/AVP 8\nc=IN IP4 4.4.4.4\n",
	                   &s));
	cr_assert(eq(s.addr, "2.2.2.2") && s.port == 6000 && s.npt == 1 && s.pt[0] == 0);
	/* a refused stream, an IPv6 address, a port count */
	cr_assert_null(sdp("v=0\r\nc=IN IP6 ::1\r\nm=audio 0 RTP/AVP 0\r\n", &s));
	cr_assert(!s.ip4 && s.port == 0 && eq(s.addr, "::1"));
	cr_assert_null(sdp("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 6000/2 RTP/AVP 0\r\n", &s));
	cr_assert_eq(s.port, 6000);
}

Test(sipmsg, sdp_rejected)
{
	static const char *const bads[] = {
	    "",
	    "o=- 1 1 IN IP4 1.1.1.1\r\nv=0\r\n",
	    "v=1\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP 0\r\n",
	    "v=0\r\nm=audio 5 RTP/AVP 0\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1\r\nm=video 5 RTP/AVP 0\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio x RTP/AVP 0\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 65536 RTP/AVP 0\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP 128\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP 0  8\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP 0 x\r\n",
	    "v=0\r\nc=IN\r\nm=audio 5 RTP/AVP 0\r\n",
	    "v=0\r\nc=IN IP4 \r\nm=audio 5 RTP/AVP 0\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1 x\r\nm=audio 5 RTP/AVP 0\r\n",
	    "v=0\r\nc=ON IP4 1.1.1.1\r\nm=audio 5 RTP/AVP 0\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP 0\r\nbad line\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP 0\r\nX=1\r\n",
	    "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP 0\r\na=\x01\r\n",
	};
	struct sdp_info s;
	char many[512] = "v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 5 RTP/AVP";

	for (size_t i = 0; i < sizeof(bads) / sizeof(*bads); i++)
		cr_assert_not_null(sdp(bads[i], &s), "must be rejected: %s", bads[i]);
	for (int k = 0; k <= SDP_PT_MAX; k++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), " %d", k);
	strcat(many, "\r\n");
	cr_assert_str_eq(sdp(many, &s), "too many payload types");
}

Test(sipmsg, json_strings)
{
	char out[64];

	cr_assert_eq(sip_json("a\"b\\c\n\x01\xc3\xa9", 9, out, sizeof(out)), 31);
	cr_assert_str_eq(out, "a\\\"b\\\\c\\u000a\\u0001\\u00c3\\u00a9");
	/* cut whole, never inside an escape */
	cr_assert_eq(sip_json("ab\"", 3, out, 4), 2);
	cr_assert_str_eq(out, "ab");
	cr_assert_eq(sip_json("x", 1, out, 1), 0);
}

/* Media */

Test(media, ulaw)
{
	cr_assert_eq(ulaw_encode(0), ULAW_SILENCE);
	cr_assert_eq(ulaw_encode(-1), 0x7f);
	cr_assert_eq(ulaw_encode(32767), 0x80);
	cr_assert_eq(ulaw_encode(-32768), 0x00);
	cr_assert_eq(ulaw_decode(0x80), 32124);
	cr_assert_eq(ulaw_decode(0x00), -32124);
	cr_assert_eq(ulaw_decode(ULAW_SILENCE), 0);
	/* every code is its own decoding's code, but the negative zero */
	for (int u = 0; u < 256; u++)
		if (u != 0x7f)
			cr_assert_eq(ulaw_encode(ulaw_decode((uint8_t)u)), u, "code %#x", u);
	/* the quantization error stays within half a step of its segment */
	for (int v = -32000; v <= 32000; v += 7) {
		int d = ulaw_decode(ulaw_encode((int16_t)v)) - v;
		int step = 1 << ((((uint8_t)~ulaw_encode((int16_t)v)) >> 4 & 7) + 3);
		cr_assert_leq(abs(d), step / 2 + 1, "%d decodes %d away (step %d)", v, d, step);
	}
}

Test(media, sine)
{
	cr_assert_float_eq(media_sin(0), 0, 1e-12);
	cr_assert_float_eq(media_sin(PI / 6), 0.5, 1e-12);
	cr_assert_float_eq(media_sin(PI / 2), 1, 1e-12);
	cr_assert_float_eq(media_sin(PI / 4), 0.70710678118654752, 1e-12);
	cr_assert_float_eq(media_sin(-PI / 6), -0.5, 1e-12);
	cr_assert_float_eq(media_sin(7 * PI / 6), -0.5, 1e-12);
	cr_assert_float_eq(media_sin(1000 * PI + PI / 6), 0.5, 1e-9);
	for (double x = -20; x < 20; x += 0.01) {
		double s = media_sin(x), c = media_sin(x + PI / 2);
		cr_assert_float_eq(s * s + c * c, 1, 1e-9, "at %f", x);
	}
}

/* The power of frequency hz in n samples (Goertzel). */
static double goertzel(const int16_t *x, size_t n, double hz)
{
	double coeff = 2 * media_sin(2 * PI * hz / RTP_RATE + PI / 2), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + coeff * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/* The default signal, packet by packet as the caller sends it: each second its tone. */
Test(media, default_signal)
{
	struct tone t = {0};
	static int16_t second[RTP_RATE];
	uint8_t pkt[RTP_SAMPLES];

	cr_assert_eq(tone_hz(0), 300);
	cr_assert_eq(tone_hz(1), 350);
	cr_assert_eq(tone_hz(59), 3250);
	cr_assert_eq(tone_hz(60), 300);
	cr_assert_eq(tone_hz(61), 350);
	for (uint64_t k = 0; k < 62; k++) {
		double hz = tone_hz(k), on, power = 0, rms;
		for (int p = 0; p < RTP_PPS; p++) {
			tone_fill(&t, hz, TONE_AMPLITUDE, pkt, RTP_SAMPLES);
			for (int i = 0; i < RTP_SAMPLES; i++)
				second[p * RTP_SAMPLES + i] = ulaw_decode(pkt[i]);
		}
		on = goertzel(second, RTP_RATE, hz);
		/* the amplitude: a sine's RMS over whole periods is its peak over sqrt(2) */
		for (int i = 0; i < RTP_RATE; i++)
			power += (double)second[i] * second[i];
		rms = power / RTP_RATE;
		cr_assert(rms > 0.97 * 0.97 * TONE_AMPLITUDE * TONE_AMPLITUDE / 2 &&
		              rms < 1.03 * 1.03 * TONE_AMPLITUDE * TONE_AMPLITUDE / 2,
		          "second %lu: mean power %f", (unsigned long)k, rms);
		for (int d = -1; d <= 1; d += 2) {
			double off = goertzel(second, RTP_RATE, hz + d * TONE_STEP_HZ);
			cr_assert_gt(on, off * GOERTZEL_RATIO, "second %lu: %f Hz not dominant",
			             (unsigned long)k, hz);
		}
	}
}

/* A WAV file: RIFF, fmt (format, channels, rate, byte rate, align, bits), chunks. */
static size_t wav_make(uint8_t *out, unsigned fmt, unsigned ch, unsigned rate, unsigned bits,
                       const char *extra, size_t extra_len, size_t samples)
{
	size_t n = 0;
	unsigned align = ch * bits / 8;
#define LE16(v) (out[n++] = (uint8_t)(v), out[n++] = (uint8_t)((v) >> 8))
#define LE32(v) (LE16((v)&0xffff), LE16((v) >> 16))
	memcpy(out, "RIFF\0\0\0\0WAVEfmt ", 16);
	n = 16;
	LE32(16u);
	LE16(fmt);
	LE16(ch);
	LE32(rate);
	LE32(rate * align);
	LE16(align);
	LE16(bits);
	memcpy(out + n, extra, extra_len);
	n += extra_len;
	memcpy(out + n, "data", 4);
	n += 4;
	LE32((unsigned)(samples * 2));
	for (size_t i = 0; i < samples; i++)
		LE16((unsigned)(i * 100));
	return n;
#undef LE16
#undef LE32
}

Test(media, wav)
{
	static uint8_t f[4096];
	const uint8_t *pcm;
	size_t samples, n;

	n = wav_make(f, 1, 1, 8000, 16, "", 0, 100);
	cr_assert_null(wav_pcm(f, n, &pcm, &samples));
	cr_assert(samples == 100 && pcm == f + 44 && pcm[2] == 100);
	/* an odd-sized chunk before the data is padded */
	n = wav_make(f, 1, 1, 8000, 16, "LIST\3\0\0\0abc\0", 12, 10);
	cr_assert_null(wav_pcm(f, n, &pcm, &samples));
	cr_assert(samples == 10 && pcm == f + 56);

	n = wav_make(f, 1, 1, 44100, 16, "", 0, 10);
	cr_assert_str_eq(wav_pcm(f, n, &pcm, &samples), "not 8000 Hz");
	n = wav_make(f, 1, 2, 8000, 16, "", 0, 10);
	cr_assert_str_eq(wav_pcm(f, n, &pcm, &samples), "not mono");
	n = wav_make(f, 1, 1, 8000, 8, "", 0, 10);
	cr_assert_str_eq(wav_pcm(f, n, &pcm, &samples), "not 16-bit");
	n = wav_make(f, 3, 1, 8000, 16, "", 0, 10);
	cr_assert_str_eq(wav_pcm(f, n, &pcm, &samples), "not PCM (an encoded or extensible WAV)");
	n = wav_make(f, 0xfffe, 1, 8000, 16, "", 0, 10);
	cr_assert_not_null(wav_pcm(f, n, &pcm, &samples));
	n = wav_make(f, 7, 1, 8000, 8, "", 0, 10); /* µ-law already: still refused */
	cr_assert_not_null(wav_pcm(f, n, &pcm, &samples));
	n = wav_make(f, 1, 1, 8000, 16, "", 0, 10);
	cr_assert_str_eq(wav_pcm(f, n - 1, &pcm, &samples), "data chunk longer than the file");
	cr_assert_str_eq(wav_pcm(f, 36, &pcm, &samples), "no data chunk");
	cr_assert_str_eq(wav_pcm(f, 20, &pcm, &samples), "bad fmt chunk");
	cr_assert_str_eq(wav_pcm(f, 12, &pcm, &samples), "no fmt chunk");
	n = wav_make(f, 1, 1, 8000, 16, "", 0, 0);
	cr_assert_str_eq(wav_pcm(f, n, &pcm, &samples), "no samples");
	memcpy(f + 8, "AVI ", 4);
	cr_assert_str_eq(wav_pcm(f, n, &pcm, &samples), "not a RIFF WAVE file");
	cr_assert_str_eq(wav_pcm(f, 3, &pcm, &samples), "not a RIFF WAVE file");
	/* data before fmt */
	memcpy(f, "RIFF\0\0\0\0WAVEdata\2\0\0\0\0\0", 20);
	cr_assert_str_eq(wav_pcm(f, 20, &pcm, &samples), "data chunk before the fmt chunk");
	/* a chunk size past the end of the file */
	memcpy(f, "RIFF\0\0\0\0WAVEJUNK\xff\xff\xff\xff", 20);
	cr_assert_str_eq(wav_pcm(f, 20, &pcm, &samples), "chunk longer than the file");
}

Test(media, rtp_packets)
{
	uint8_t p[64] = {0};
	struct rtp_pkt r;

	rtp_header(p, true, RTP_PT_PCMU, 0xabcd, 0x01020304, 0xdeadbeef);
	cr_assert_eq(rtp_parse(p, 52, &r), 0);
	cr_assert(r.marker && r.pt == 0 && r.seq == 0xabcd && r.ts == 0x01020304);
	cr_assert(r.ssrc == 0xdeadbeef && r.payload == 12 && r.len == 40);
	cr_assert_eq(p[0], 0x80);
	cr_assert_eq(p[1], 0x80);
	rtp_header(p, false, 8, 1, 2, 3);
	cr_assert(rtp_parse(p, 12, &r) == 0 && !r.marker && r.pt == 8 && r.len == 0);

	/* two CSRCs and an extension of one word, then padding of 4 */
	p[0] = 0x80 | 0x20 | 0x10 | 2;
	p[20] = 0xbe, p[21] = 0xde, p[22] = 0, p[23] = 1;
	p[63] = 4;
	cr_assert_eq(rtp_parse(p, 64, &r), 0);
	cr_assert(r.payload == 12 + 8 + 8 && r.len == 64 - 28 - 4);

	cr_assert_eq(rtp_parse(p, 11, &r), -1, "short");
	p[63] = 0;
	cr_assert_eq(rtp_parse(p, 64, &r), -1, "padding of 0");
	p[63] = 37;
	cr_assert_eq(rtp_parse(p, 64, &r), -1, "padding past the payload");
	p[0] = 0x80 | 15;
	cr_assert_eq(rtp_parse(p, 64, &r), -1, "CSRCs past the end");
	p[0] = 0x90;
	p[14] = 0xff, p[15] = 0xff;
	cr_assert_eq(rtp_parse(p, 64, &r), -1, "extension past the end");
	p[0] = 0x40;
	cr_assert_eq(rtp_parse(p, 64, &r), -1, "version 1");
}

static struct rtp_count count_of(const uint16_t *seqs, size_t n, uint32_t ssrc)
{
	struct rtp_rx rx = {0};

	for (size_t i = 0; i < n; i++)
		rtp_rx_add(&rx, ssrc, seqs[i]);
	return rtp_rx_count(&rx);
}

Test(media, rtp_count)
{
	static uint16_t seqs[5000];
	struct rtp_count c;
	struct rtp_rx rx = {0};

	/* in order, across the wrap of the sequence number, longer than the window */
	for (size_t i = 0; i < 5000; i++)
		seqs[i] = (uint16_t)(65000 + i);
	c = count_of(seqs, 5000, 1);
	cr_assert(c.received == 5000 && c.expected == 5000 && c.lost == 0 && c.duplicates == 0,
	          "%lu %lu %lu %lu", (unsigned long)c.received, (unsigned long)c.expected,
	          (unsigned long)c.lost, (unsigned long)c.duplicates);

	/* a gap, a duplicate, a late one, a late one before the first */
	{
		static const uint16_t s[] = {10, 11, 13, 14, 14, 12, 9, 20, 11};
		c = count_of(s, sizeof(s) / sizeof(*s), 1);
		cr_assert(c.expected == 12 && c.received == 7 && c.lost == 5 && c.duplicates == 2,
		          "%lu %lu %lu %lu", (unsigned long)c.received, (unsigned long)c.expected,
		          (unsigned long)c.lost, (unsigned long)c.duplicates);
	}
	/* a duplicate after a jump of exactly the window is still one */
	{
		uint16_t s[] = {100, 100 + RTP_DUP_WINDOW, 100 + RTP_DUP_WINDOW};
		c = count_of(s, 3, 1);
		cr_assert(c.received == 2 && c.duplicates == 1 && c.expected == RTP_DUP_WINDOW + 1);
	}
	/* a new SSRC starts a new span; the old one stays counted */
	for (uint16_t k = 0; k < 10; k++)
		rtp_rx_add(&rx, 1, k);
	for (uint16_t k = 500; k < 505; k++)
		rtp_rx_add(&rx, 2, k);
	rtp_rx_add(&rx, 2, 507);
	c = rtp_rx_count(&rx);
	cr_assert(c.received == 16 && c.expected == 18 && c.lost == 2 && c.duplicates == 0);
	/* nothing received */
	memset(&rx, 0, sizeof(rx));
	c = rtp_rx_count(&rx);
	cr_assert(c.received == 0 && c.expected == 0 && c.lost == 0);
}
