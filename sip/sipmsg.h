/*
 * sipmsg.h - the SIP (RFC 3261) and SDP (RFC 4566) subset pc-ua speaks, as pure functions
 * over (pointer, length): parsing a datagram into slices of it, URIs, addresses and their
 * parameters, comma lists, the route of an in-dialog request, responses built from a
 * request, and JSON strings for the event lines. Nothing allocates; nothing reads past
 * the length it is given.
 */
#ifndef PC_SIPMSG_H
#define PC_SIPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIP_MSG_MAX 8192        /* longest datagram parsed or built */
#define SIP_HDR_MAX 64          /* header lines in one message */
#define SIP_ROUTE_MAX 8         /* Record-Route entries (the route set of a dialog) */
#define SIP_URI_MAX 256         /* longest URI kept from a message */
#define SIP_CSEQ_MAX 2147483647 /* CSeq numbers are below 2**31 (RFC 3261 8.1.1.5) */
#define SIP_PORT_DEFAULT 5060
#define SDP_PT_MAX 32 /* payload types on one m= line */

/* A slice of a message: not NUL-terminated. */
struct sip_str {
	const char *p;
	size_t n;
};

enum sip_hdr_id {
	SIP_H_OTHER,
	SIP_H_VIA,
	SIP_H_FROM,
	SIP_H_TO,
	SIP_H_CALL_ID,
	SIP_H_CSEQ,
	SIP_H_CONTACT,
	SIP_H_CONTENT_LENGTH,
	SIP_H_CONTENT_TYPE,
	SIP_H_RECORD_ROUTE,
	SIP_H_ROUTE,
	SIP_H_EXPIRES,
	SIP_H_MAX_FORWARDS,
};

struct sip_hdr {
	enum sip_hdr_id id;
	struct sip_str name;  /* as written (a compact form stays compact) */
	struct sip_str value; /* without the surrounding white space; may hold folded lines */
	struct sip_str line;  /* the whole header, folded lines included, without its CRLF */
};

/* name-addr or addr-spec (RFC 3261 20.10) */
struct sip_addr {
	struct sip_str display; /* without quotes; empty when none */
	struct sip_str uri;
	struct sip_str params; /* the header's parameters after the URI: "" or ";tag=..." */
};

struct sip_uri {
	struct sip_str user; /* empty when none */
	struct sip_str host; /* an IPv6 reference keeps its brackets */
	unsigned port;       /* 0 when none */
	bool lr;             /* the loose-routing parameter */
};

struct sip_via {
	struct sip_str transport; /* "UDP" */
	struct sip_str host;
	unsigned port; /* 0 when none */
	struct sip_str branch, received;
	bool rport;
};

struct sip_msg {
	bool request;
	struct sip_str method, ruri; /* request */
	int status;                  /* response */
	struct sip_str reason;

	struct sip_hdr hdr[SIP_HDR_MAX];
	size_t nhdr;

	struct sip_via via; /* the top Via entry */
	size_t nvia;        /* Via entries, every header and list counted */
	struct sip_addr from, to;
	struct sip_str from_tag, to_tag; /* empty when none */
	struct sip_str call_id;
	uint32_t cseq;
	struct sip_str cseq_method;
	bool contact_star;                /* "Contact: *" */
	struct sip_str contact;           /* the first Contact's URI; empty when none */
	struct sip_str rr[SIP_ROUTE_MAX]; /* Record-Route entries, top first, each a name-addr */
	size_t nrr;
	bool has_clen;
	size_t clen;
	struct sip_str ctype; /* Content-Type; empty when none */
	struct sip_str body;
};

/* SDP: what the first audio stream is sent to and which payload types it takes */
struct sdp_info {
	struct sip_str addr; /* the connection address of the stream (media level first) */
	bool ip4;            /* the address type is IP4 */
	unsigned port;       /* 0: the stream is refused */
	unsigned pt[SDP_PT_MAX];
	size_t npt;
};

/* Parses a datagram. NULL, or why it is malformed. */
const char *sip_parse(const char *p, size_t n, struct sip_msg *m);

/* Compares a slice with a C string. */
bool sip_eq(struct sip_str s, const char *c);
bool sip_ieq(struct sip_str s, const char *c);

/* Splits the next element off a comma-separated header value (commas inside quotes and
 * angle brackets are not separators): 1 with *item, 0 at the end, -1 when malformed. */
int sip_list_next(struct sip_str *rest, struct sip_str *item);

/* Parses one name-addr or addr-spec, with its header parameters. */
const char *sip_addr_parse(struct sip_str v, struct sip_addr *a);

/* Looks parameter name up in ";a=1;b;c=\"x\"": 1 with *val (empty for a flag), 0 when
 * absent, -1 when the list is malformed. */
int sip_param(struct sip_str params, const char *name, struct sip_str *val);

/* Parses a sip: URI. */
const char *sip_uri_parse(struct sip_str s, struct sip_uri *u);

/* Parses one Via entry. */
const char *sip_via_parse(struct sip_str v, struct sip_via *via);

/*
 * Where an in-dialog request goes (RFC 3261 12.2.1.1): from the route set (name-addrs,
 * in the order the request visits them) and the remote target, its Request-URI, the URI
 * of the next hop (whose host and port it is sent to) and its Route header lines,
 * written to out. The length of those lines, or -1 when malformed or out is too small.
 */
long sip_route(const struct sip_str *routes, size_t n, struct sip_str target, struct sip_str *ruri,
               struct sip_str *hop, char *out, size_t cap);

/*
 * A response to req: its Via, From, To (given to_tag when the request's To has none),
 * Call-ID and CSeq lines copied, the Record-Route lines too when it is an INVITE's
 * 101-299, then extra (whole header lines, may be NULL), then the body of type ctype
 * (NULL: none). Its length, or -1 when it does not fit in cap.
 */
long sip_response(const struct sip_msg *req, int status, const char *reason, const char *to_tag,
                  const char *extra, const char *ctype, const char *body, char *out, size_t cap);

/* Parses an SDP body. NULL, or why it is unusable. */
const char *sdp_parse(const char *p, size_t n, struct sdp_info *s);

/* Writes s as the contents of a JSON string (no quotes) into out, NUL-terminated and cut
 * at cap. Its length. */
size_t sip_json(const char *s, size_t n, char *out, size_t cap);

#endif
