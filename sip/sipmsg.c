/*
 * sipmsg.c - SIP and SDP parsing and building for pc-ua (sipmsg.h). Strict where a
 * mistake would mislead the agent (a duplicated or non-numeric Content-Length, a CSeq
 * whose method is not the request's, a route set past its limit), and otherwise as
 * lenient as RFC 3261 asks a receiver to be (compact names, folded lines, any case).
 */
#include <stdio.h>
#include <string.h>

#include "sipmsg.h"

#define SIP_VERSION "SIP/2.0"
#define CLEN_DIGITS_MAX 5 /* a Content-Length within SIP_MSG_MAX */
#define CSEQ_DIGITS_MAX 10
#define PORT_MAX 65535
#define PT_MAX 127 /* RTP payload types are 7 bits */

static const struct {
	const char *name, *compact;
	enum sip_hdr_id id;
} hdr_names[] = {
    {"via", "v", SIP_H_VIA},
    {"from", "f", SIP_H_FROM},
    {"to", "t", SIP_H_TO},
    {"call-id", "i", SIP_H_CALL_ID},
    {"cseq", NULL, SIP_H_CSEQ},
    {"contact", "m", SIP_H_CONTACT},
    {"content-length", "l", SIP_H_CONTENT_LENGTH},
    {"content-type", "c", SIP_H_CONTENT_TYPE},
    {"record-route", NULL, SIP_H_RECORD_ROUTE},
    {"route", NULL, SIP_H_ROUTE},
    {"expires", NULL, SIP_H_EXPIRES},
    {"max-forwards", NULL, SIP_H_MAX_FORWARDS},
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* token (RFC 3261 25.1) */
static bool is_token(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("-.!%*_+`'~", c) != NULL);
}

static bool is_ws(int c)
{
	return c == ' ' || c == '\t';
}

bool sip_eq(struct sip_str s, const char *c)
{
	return strlen(c) == s.n && memcmp(s.p, c, s.n) == 0;
}

bool sip_ieq(struct sip_str s, const char *c)
{
	if (strlen(c) != s.n)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (lower((unsigned char)s.p[i]) != lower((unsigned char)c[i]))
			return false;
	return true;
}

/* Skips linear white space, folded line breaks included. */
static size_t skip_lws(const char *p, size_t i, size_t n)
{
	for (;;) {
		if (i < n && is_ws(p[i]))
			i++;
		else if (i + 2 < n && p[i] == '\r' && p[i + 1] == '\n' && is_ws(p[i + 2]))
			i += 3;
		else
			return i;
	}
}

static struct sip_str trim(struct sip_str s)
{
	size_t i = skip_lws(s.p, 0, s.n);

	s.p += i;
	s.n -= i;
	while (s.n > 0 && (is_ws(s.p[s.n - 1]) || s.p[s.n - 1] == '\r' || s.p[s.n - 1] == '\n'))
		s.n--;
	return s;
}

/* Reads a decimal number of 1 to digits digits at p[*i]; -1 when there is none. */
static long long number(const char *p, size_t *i, size_t n, int digits)
{
	long long v = 0;
	size_t s = *i;

	while (*i < n && is_digit(p[*i])) {
		if ((int)(*i - s) == digits)
			return -1;
		v = v * 10 + (p[*i] - '0');
		(*i)++;
	}
	return *i == s ? -1 : v;
}

/* The end of a quoted string opened at p[i] (the index past its closing quote), or 0. */
static size_t quoted_end(const char *p, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '"')
			return i + 1;
	}
	return 0;
}

int sip_list_next(struct sip_str *rest, struct sip_str *item)
{
	const char *p = rest->p;
	size_t n = rest->n, i = 0, q;
	int angle = 0;

	if (trim(*rest).n == 0)
		return 0;
	for (; i < n && (p[i] != ',' || angle); i++) {
		if (p[i] == '"') {
			if ((q = quoted_end(p, i, n)) == 0)
				return -1;
			i = q - 1;
		} else if (p[i] == '<') {
			if (angle)
				return -1;
			angle = 1;
		} else if (p[i] == '>') {
			if (!angle)
				return -1;
			angle = 0;
		}
	}
	if (angle)
		return -1;
	*item = trim((struct sip_str){p, i});
	if (item->n == 0)
		return -1;
	rest->p = p + (i < n ? i + 1 : n);
	rest->n = i < n ? n - i - 1 : 0;
	if (i < n && trim(*rest).n == 0)
		return -1; /* a trailing comma */
	return 1;
}

int sip_param(struct sip_str params, const char *name, struct sip_str *val)
{
	const char *p = params.p;
	size_t n = params.n, i = 0;
	int found = 0;

	for (;;) {
		size_t ns, ne, vs, ve;
		i = skip_lws(p, i, n);
		if (i == n)
			return found;
		if (p[i] != ';')
			return -1;
		i = skip_lws(p, i + 1, n);
		for (ns = i; i < n && is_token(p[i]); i++)
			;
		if ((ne = i) == ns)
			return -1;
		i = skip_lws(p, i, n);
		vs = ve = i;
		if (i < n && p[i] == '=') {
			i = skip_lws(p, i + 1, n);
			vs = i;
			if (i < n && p[i] == '"') {
				if ((i = quoted_end(p, i, n)) == 0)
					return -1;
			} else {
				/* token, host (IPv6 references included), URI paramchar */
				while (i < n &&
				       (is_token(p[i]) || (p[i] && strchr(":[]/&$", p[i]))))
					i++;
				if (i == vs)
					return -1;
			}
			ve = i;
		}
		if (!found && sip_ieq((struct sip_str){p + ns, ne - ns}, name)) {
			*val = (struct sip_str){p + vs, ve - vs};
			found = 1; /* the rest is still checked */
		}
	}
}

const char *sip_uri_parse(struct sip_str s, struct sip_uri *u)
{
	const char *p = s.p, *at = NULL;
	size_t n = s.n, i, hs;
	struct sip_str val;

	memset(u, 0, sizeof(*u));
	if (n < 4 || !sip_ieq((struct sip_str){p, 4}, "sip:"))
		return "not a sip: URI";
	for (i = 4; i < n; i++) {
		if ((unsigned char)p[i] <= ' ' || p[i] == '<' || p[i] == '>' || p[i] == '"')
			return "URI with a space, control character, quote or bracket";
		if (p[i] == '@') {
			if (at)
				return "URI with two @";
			at = p + i;
		}
	}
	i = 4;
	if (at) {
		u->user = (struct sip_str){p + 4, (size_t)(at - p) - 4};
		if (u->user.n == 0)
			return "URI with an empty user";
		i = (size_t)(at - p) + 1;
	}
	hs = i;
	if (i < n && p[i] == '[') {
		while (i < n && p[i] != ']')
			i++;
		if (i == n)
			return "unclosed IPv6 reference";
		i++;
	} else {
		while (i < n && (is_alnum(p[i]) || p[i] == '.' || p[i] == '-'))
			i++;
	}
	u->host = (struct sip_str){p + hs, i - hs};
	if (u->host.n == 0)
		return "URI without a host";
	if (i < n && p[i] == ':') {
		long long port;
		i++;
		port = number(p, &i, n, 5);
		if (port < 1 || port > PORT_MAX)
			return "URI with a bad port";
		u->port = (unsigned)port;
	}
	if (i < n && p[i] != ';' && p[i] != '?')
		return "URI with a bad host";
	/* URI parameters run up to the headers ('?') */
	{
		size_t e = i;
		while (e < n && p[e] != '?')
			e++;
		switch (sip_param((struct sip_str){p + i, e - i}, "lr", &val)) {
		case -1:
			return "URI with malformed parameters";
		case 1:
			u->lr = true;
			break;
		}
	}
	return NULL;
}

const char *sip_addr_parse(struct sip_str v, struct sip_addr *a)
{
	const char *p, *lt = NULL, *gt = NULL;
	size_t n, i;
	struct sip_str val;

	memset(a, 0, sizeof(*a));
	v = trim(v);
	p = v.p;
	n = v.n;
	if (n == 0)
		return "empty address";
	/* '<' outside a quoted display name makes it a name-addr */
	for (i = 0; i < n; i++) {
		if (p[i] == '"') {
			size_t q = quoted_end(p, i, n);
			if (q == 0)
				return "unclosed quote";
			i = q - 1;
		} else if (p[i] == '<') {
			lt = p + i;
			break;
		}
	}
	if (lt) {
		struct sip_str d = trim((struct sip_str){p, (size_t)(lt - p)});
		if (d.n >= 2 && d.p[0] == '"') {
			if (quoted_end(d.p, 0, d.n) != d.n)
				return "text after the quoted display name";
			d = (struct sip_str){d.p + 1, d.n - 2};
		} else {
			for (i = 0; i < d.n; i++)
				if (!is_token(d.p[i]) && !is_ws(d.p[i]))
					return "bad display name";
		}
		a->display = d;
		gt = memchr(lt, '>', n - (size_t)(lt - p));
		if (!gt)
			return "unclosed <";
		a->uri = (struct sip_str){lt + 1, (size_t)(gt - lt) - 1};
		a->params = (struct sip_str){gt + 1, n - (size_t)(gt + 1 - p)};
	} else {
		/* addr-spec: its parameters are the header's (RFC 3261 20.10) */
		for (i = 0; i < n && p[i] != ';'; i++)
			if ((unsigned char)p[i] <= ' ' || p[i] == '"' || p[i] == '>')
				return "bad addr-spec";
		a->uri = (struct sip_str){p, i};
		a->params = (struct sip_str){p + i, n - i};
	}
	if (a->uri.n == 0)
		return "empty URI";
	for (i = 0; i < a->uri.n; i++)
		if ((unsigned char)a->uri.p[i] <= ' ' || a->uri.p[i] == '<')
			return "bad URI";
	if (sip_param(a->params, "tag", &val) < 0)
		return "malformed header parameters";
	return NULL;
}

const char *sip_via_parse(struct sip_str v, struct sip_via *via)
{
	static const char *const parts[2] = {"SIP", "2.0"};
	const char *p = v.p;
	size_t n = v.n, i = 0, s;
	struct sip_str val;
	int r;

	memset(via, 0, sizeof(*via));
	for (int k = 0; k < 3; k++) {
		i = skip_lws(p, i, n);
		for (s = i; i < n && is_token(p[i]); i++)
			;
		if (i == s)
			return "bad Via protocol";
		if (k < 2 && !sip_ieq((struct sip_str){p + s, i - s}, parts[k]))
			return "Via not SIP/2.0";
		if (k == 2)
			via->transport = (struct sip_str){p + s, i - s};
		i = skip_lws(p, i, n);
		if (k < 2 && (i == n || p[i++] != '/'))
			return "bad Via protocol";
	}
	s = i;
	if (i < n && p[i] == '[') {
		while (i < n && p[i] != ']')
			i++;
		if (i == n)
			return "bad Via host";
		i++;
	} else {
		while (i < n && (is_alnum(p[i]) || p[i] == '.' || p[i] == '-'))
			i++;
	}
	via->host = (struct sip_str){p + s, i - s};
	if (via->host.n == 0)
		return "Via without a host";
	i = skip_lws(p, i, n);
	if (i < n && p[i] == ':') {
		long long port;
		i = skip_lws(p, i + 1, n);
		port = number(p, &i, n, 5);
		if (port < 1 || port > PORT_MAX)
			return "bad Via port";
		via->port = (unsigned)port;
	}
	v = (struct sip_str){p + i, n - i};
	if (sip_param(v, "branch", &via->branch) < 0)
		return "malformed Via parameters";
	sip_param(v, "received", &via->received);
	r = sip_param(v, "rport", &val);
	via->rport = r == 1;
	return NULL;
}

static enum sip_hdr_id hdr_id(struct sip_str name)
{
	for (size_t k = 0; k < sizeof(hdr_names) / sizeof(*hdr_names); k++)
		if (sip_ieq(name, hdr_names[k].name) ||
		    (hdr_names[k].compact && sip_ieq(name, hdr_names[k].compact)))
			return hdr_names[k].id;
	return SIP_H_OTHER;
}

/* The index of the next CRLF at or after i, or n. */
static size_t crlf(const char *p, size_t i, size_t n)
{
	while (i + 1 < n && !(p[i] == '\r' && p[i + 1] == '\n'))
		i++;
	return i + 1 < n ? i : n;
}

static const char *start_line(const char *p, size_t n, struct sip_msg *m)
{
	size_t vl = strlen(SIP_VERSION), i = 0, s;

	if (n > vl && sip_ieq((struct sip_str){p, vl}, SIP_VERSION) && p[vl] == ' ') {
		long long st;
		i = vl + 1;
		s = i;
		st = number(p, &i, n, 3);
		if (i - s != 3 || st < 100 || st > 699)
			return "bad status code";
		if (i < n && p[i] != ' ')
			return "bad status line";
		m->status = (int)st;
		m->reason =
		    i < n ? (struct sip_str){p + i + 1, n - i - 1} : (struct sip_str){p + i, 0};
		return NULL;
	}
	m->request = true;
	while (i < n && is_token(p[i]))
		i++;
	if (i == 0 || i == n || p[i] != ' ')
		return "bad request line";
	m->method = (struct sip_str){p, i};
	s = ++i;
	while (i < n && (unsigned char)p[i] > ' ')
		i++;
	if (i == s || i == n || p[i] != ' ')
		return "bad Request-URI";
	m->ruri = (struct sip_str){p + s, i - s};
	if (!sip_ieq((struct sip_str){p + i + 1, n - i - 1}, SIP_VERSION))
		return "not SIP/2.0";
	return NULL;
}

/* Splits the head into header lines (folded lines joined). The index past the empty
 * line that ends it, or 0 with *why. */
static size_t split_headers(const char *p, size_t i, size_t n, struct sip_msg *m, const char **why)
{
	for (;;) {
		size_t ls = i, le, ns;
		struct sip_hdr *h;
		if (i + 1 < n && p[i] == '\r' && p[i + 1] == '\n')
			return i + 2;
		if (i >= n) {
			*why = "head not ended by an empty line";
			return 0;
		}
		for (;;) {
			le = crlf(p, i, n);
			if (le == n) {
				*why = "head not ended by an empty line";
				return 0;
			}
			i = le + 2;
			if (i < n && is_ws(p[i]))
				continue; /* a folded line */
			break;
		}
		for (size_t k = ls; k < le; k++) {
			unsigned char c = (unsigned char)p[k];
			/* CR and LF only as the CRLF of a folded line */
			bool fold =
			    (c == '\r' && p[k + 1] == '\n') || (c == '\n' && p[k - 1] == '\r');
			if ((c < ' ' && c != '\t' && !fold) || c == 0x7f) {
				*why = "control character in a header";
				return 0;
			}
		}
		if (m->nhdr == SIP_HDR_MAX) {
			*why = "too many headers";
			return 0;
		}
		h = &m->hdr[m->nhdr++];
		for (ns = ls; ns < le && is_token(p[ns]); ns++)
			;
		if (ns == ls) {
			*why = "header without a name";
			return 0;
		}
		h->name = (struct sip_str){p + ls, ns - ls};
		ns = skip_lws(p, ns, le);
		if (ns == le || p[ns] != ':') {
			*why = "header without a colon";
			return 0;
		}
		h->value = trim((struct sip_str){p + ns + 1, le - ns - 1});
		h->line = (struct sip_str){p + ls, le - ls};
		h->id = hdr_id(h->name);
	}
}

static const char *cseq_parse(struct sip_str v, struct sip_msg *m)
{
	size_t i = 0, s;
	long long num = number(v.p, &i, v.n, CSEQ_DIGITS_MAX);

	if (num < 0 || num > SIP_CSEQ_MAX)
		return "bad CSeq number";
	s = i;
	i = skip_lws(v.p, i, v.n);
	if (i == s)
		return "bad CSeq";
	for (s = i; i < v.n && is_token(v.p[i]); i++)
		;
	if (i == s || i != v.n)
		return "bad CSeq method";
	m->cseq = (uint32_t)num;
	m->cseq_method = (struct sip_str){v.p + s, i - s};
	return NULL;
}

static const char *clen_parse(struct sip_str v, struct sip_msg *m)
{
	size_t i = 0;
	long long len = number(v.p, &i, v.n, CLEN_DIGITS_MAX);

	if (len < 0 || i != v.n)
		return "Content-Length not a decimal number";
	if (len > SIP_MSG_MAX)
		return "Content-Length too large";
	m->has_clen = true;
	m->clen = (size_t)len;
	return NULL;
}

/* The header of id seen once at most. */
static const char *once(const struct sip_msg *m, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (m->hdr[j].id == m->hdr[k].id)
			return "header repeated";
	return NULL;
}

static const char *headers(struct sip_msg *m)
{
	const char *why;
	bool call_id = false, cseq = false;
	struct sip_str rest, item;
	int r;

	for (size_t k = 0; k < m->nhdr; k++) {
		struct sip_hdr *h = &m->hdr[k];
		switch (h->id) {
		case SIP_H_VIA:
			rest = h->value;
			while ((r = sip_list_next(&rest, &item)) == 1) {
				if (m->nvia++ == 0 && (why = sip_via_parse(item, &m->via)))
					return why;
			}
			if (r < 0 || h->value.n == 0)
				return "malformed Via";
			break;
		case SIP_H_FROM:
		case SIP_H_TO:
			if ((why = once(m, k)) != NULL)
				return why;
			{
				struct sip_addr *a = h->id == SIP_H_FROM ? &m->from : &m->to;
				struct sip_str *tag =
				    h->id == SIP_H_FROM ? &m->from_tag : &m->to_tag;
				if ((why = sip_addr_parse(h->value, a)) != NULL)
					return why;
				if (sip_param(a->params, "tag", tag) == 1 && tag->n == 0)
					return "tag without a value";
			}
			break;
		case SIP_H_CALL_ID:
			if ((why = once(m, k)) != NULL)
				return why;
			for (size_t i = 0; i < h->value.n; i++)
				if ((unsigned char)h->value.p[i] <= ' ')
					return "bad Call-ID";
			if (h->value.n == 0)
				return "empty Call-ID";
			m->call_id = h->value;
			call_id = true;
			break;
		case SIP_H_CSEQ:
			if ((why = once(m, k)) != NULL)
				return why;
			if ((why = cseq_parse(h->value, m)) != NULL)
				return why;
			cseq = true;
			break;
		case SIP_H_CONTACT:
			if (m->contact.n > 0 || m->contact_star)
				break; /* the first one is the target */
			rest = h->value;
			if (sip_eq(h->value, "*")) {
				m->contact_star = true;
			} else if ((r = sip_list_next(&rest, &item)) == 1) {
				struct sip_addr a;
				if ((why = sip_addr_parse(item, &a)) != NULL)
					return why;
				m->contact = a.uri;
			} else {
				return "malformed Contact";
			}
			break;
		case SIP_H_CONTENT_LENGTH:
			if ((why = once(m, k)) != NULL)
				return why;
			if ((why = clen_parse(h->value, m)) != NULL)
				return why;
			break;
		case SIP_H_CONTENT_TYPE:
			if ((why = once(m, k)) != NULL)
				return why;
			m->ctype = h->value;
			break;
		case SIP_H_RECORD_ROUTE:
			rest = h->value;
			while ((r = sip_list_next(&rest, &item)) == 1) {
				struct sip_addr a;
				if ((why = sip_addr_parse(item, &a)) != NULL)
					return why;
				if (a.uri.p == item.p || a.uri.p[-1] != '<')
					return "Record-Route not a name-addr";
				if (m->nrr == SIP_ROUTE_MAX)
					return "route set too large";
				m->rr[m->nrr++] = item;
			}
			if (r < 0 || h->value.n == 0)
				return "malformed Record-Route";
			break;
		default:
			break;
		}
	}
	if (m->nvia == 0)
		return "no Via";
	if (m->from.uri.n == 0 || m->to.uri.n == 0)
		return "no From or To";
	if (!call_id)
		return "no Call-ID";
	if (!cseq)
		return "no CSeq";
	if (m->request && !(m->cseq_method.n == m->method.n &&
	                    memcmp(m->cseq_method.p, m->method.p, m->method.n) == 0))
		return "CSeq method not the request's";
	return NULL;
}

const char *sip_parse(const char *p, size_t n, struct sip_msg *m)
{
	const char *why = NULL;
	size_t eol, body;

	memset(m, 0, sizeof(*m));
	if (n == 0)
		return "empty";
	if (n > SIP_MSG_MAX)
		return "message too large";
	eol = crlf(p, 0, n);
	if (eol == n)
		return "no CRLF after the start line";
	for (size_t k = 0; k < eol; k++)
		if ((unsigned char)p[k] < ' ' || p[k] == 0x7f)
			return "control character in the start line";
	if ((why = start_line(p, eol, m)) != NULL)
		return why;
	if ((body = split_headers(p, eol + 2, n, m, &why)) == 0)
		return why;
	if ((why = headers(m)) != NULL)
		return why;
	/* UDP: bytes past Content-Length are discarded, fewer are an error; without it the
	 * body is the rest of the datagram (RFC 3261 18.3) */
	m->body = (struct sip_str){p + body, n - body};
	if (m->has_clen) {
		if (m->clen > m->body.n)
			return "body shorter than Content-Length";
		m->body.n = m->clen;
	}
	return NULL;
}

long sip_route(const struct sip_str *routes, size_t n, struct sip_str target, struct sip_str *ruri,
               struct sip_str *hop, char *out, size_t cap)
{
	struct sip_addr a;
	struct sip_uri u;
	size_t len = 0, first = 0;
	int w;

	if (n == 0) {
		*ruri = *hop = target;
		if (cap == 0)
			return -1;
		out[0] = '\0';
		return 0;
	}
	if (sip_addr_parse(routes[0], &a) || sip_uri_parse(a.uri, &u))
		return -1;
	*hop = a.uri;
	if (u.lr) {
		*ruri = target; /* loose routing: every route in Route */
	} else {
		*ruri = a.uri; /* strict: the first route is the Request-URI, the target last */
		first = 1;
	}
	for (size_t k = first; k < n; k++) {
		w = snprintf(out + len, cap - len, "Route: %.*s\r\n", (int)routes[k].n,
		             routes[k].p);
		if (w < 0 || (size_t)w >= cap - len)
			return -1;
		len += (size_t)w;
	}
	if (!u.lr) {
		w = snprintf(out + len, cap - len, "Route: <%.*s>\r\n", (int)target.n, target.p);
		if (w < 0 || (size_t)w >= cap - len)
			return -1;
		len += (size_t)w;
	}
	return (long)len;
}

/* Appends to out[*len..cap); false when it does not fit. */
static bool add(char *out, size_t cap, size_t *len, const char *p, size_t n)
{
	if (n >= cap - *len)
		return false;
	memcpy(out + *len, p, n);
	*len += n;
	out[*len] = '\0';
	return true;
}

static bool adds(char *out, size_t cap, size_t *len, const char *s)
{
	return add(out, cap, len, s, strlen(s));
}

long sip_response(const struct sip_msg *req, int status, const char *reason, const char *to_tag,
                  const char *extra, const char *ctype, const char *body, char *out, size_t cap)
{
	size_t len = 0, blen = body ? strlen(body) : 0;
	bool rr = status > 100 && status < 300 && sip_eq(req->method, "INVITE");
	char line[64];

	if (cap == 0)
		return -1;
	snprintf(line, sizeof(line), "SIP/2.0 %d ", status);
	if (!adds(out, cap, &len, line) || !adds(out, cap, &len, reason) ||
	    !adds(out, cap, &len, "\r\n"))
		return -1;
	for (size_t k = 0; k < req->nhdr; k++) {
		const struct sip_hdr *h = &req->hdr[k];
		bool copy = h->id == SIP_H_VIA || h->id == SIP_H_FROM || h->id == SIP_H_TO ||
		            h->id == SIP_H_CALL_ID || h->id == SIP_H_CSEQ ||
		            (rr && h->id == SIP_H_RECORD_ROUTE);
		if (!copy)
			continue;
		if (!add(out, cap, &len, h->line.p, h->line.n))
			return -1;
		if (h->id == SIP_H_TO && req->to_tag.n == 0 && to_tag &&
		    (!adds(out, cap, &len, ";tag=") || !adds(out, cap, &len, to_tag)))
			return -1;
		if (!adds(out, cap, &len, "\r\n"))
			return -1;
	}
	if (extra && !adds(out, cap, &len, extra))
		return -1;
	if (body && ctype &&
	    (!adds(out, cap, &len, "Content-Type: ") || !adds(out, cap, &len, ctype) ||
	     !adds(out, cap, &len, "\r\n")))
		return -1;
	snprintf(line, sizeof(line), "Content-Length: %zu\r\n\r\n", blen);
	if (!adds(out, cap, &len, line) || (body && !add(out, cap, &len, body, blen)))
		return -1;
	return (long)len;
}

/* The next SDP line of [*i, n): "x=value" with LF or CRLF; false at the end. */
static int sdp_line(const char *p, size_t *i, size_t n, char *type, struct sip_str *val)
{
	size_t s = *i, e;

	if (s >= n)
		return 0;
	for (e = s; e < n && p[e] != '\n'; e++)
		;
	*i = e < n ? e + 1 : n;
	if (e > s && p[e - 1] == '\r')
		e--;
	if (e - s < 2 || p[s + 1] != '=' || p[s] < 'a' || p[s] > 'z')
		return -1;
	for (size_t k = s; k < e; k++)
		if ((unsigned char)p[k] < ' ' && p[k] != '\t')
			return -1;
	*type = p[s];
	*val = (struct sip_str){p + s + 2, e - s - 2};
	return 1;
}

/* c=IN IP4 addr[/ttl] */
static const char *sdp_conn(struct sip_str v, struct sip_str *addr, bool *ip4)
{
	const char *p = v.p;
	size_t n = v.n, i = 0, s;

	if (n < 3 || memcmp(p, "IN ", 3) != 0)
		return "c= not IN";
	i = 3;
	for (s = i; i < n && p[i] != ' '; i++)
		;
	*ip4 = sip_eq((struct sip_str){p + s, i - s}, "IP4");
	if (i == n)
		return "c= without an address";
	for (s = ++i; i < n && p[i] != ' ' && p[i] != '/'; i++)
		;
	if (i == s || (i < n && p[i] == ' '))
		return "bad c= address";
	*addr = (struct sip_str){p + s, i - s};
	return NULL;
}

const char *sdp_parse(const char *p, size_t n, struct sdp_info *s)
{
	struct sip_str val, sess_addr = {NULL, 0}, media_addr = {NULL, 0};
	bool sess_ip4 = false, media_ip4 = false, in_audio = false, seen_audio = false;
	size_t i = 0;
	char type;
	int r, lines = 0;
	const char *why;

	memset(s, 0, sizeof(*s));
	while ((r = sdp_line(p, &i, n, &type, &val)) == 1) {
		if (lines++ == 0 && !(type == 'v' && sip_eq(val, "0")))
			return "SDP not starting with v=0";
		if (type == 'm') {
			in_audio = false;
			if (seen_audio)
				continue; /* the first audio stream only */
			if (val.n < 6 || memcmp(val.p, "audio ", 6) != 0)
				continue;
			size_t k = 6;
			long long port = number(val.p, &k, val.n, 5);
			if (port < 0 || port > PORT_MAX)
				return "bad m= port";
			if (k < val.n && val.p[k] == '/') { /* port/count */
				k++;
				if (number(val.p, &k, val.n, 5) < 0)
					return "bad m= port count";
			}
			if (k >= val.n || val.p[k] != ' ')
				return "bad m= line";
			k++;
			while (k < val.n && val.p[k] != ' ')
				k++;
			while (k < val.n) {
				long long pt;
				if (val.p[k++] != ' ')
					return "bad m= line";
				pt = number(val.p, &k, val.n, 3);
				if (pt < 0 || pt > PT_MAX)
					return "bad payload type";
				if (s->npt == SDP_PT_MAX)
					return "too many payload types";
				s->pt[s->npt++] = (unsigned)pt;
			}
			s->port = (unsigned)port;
			in_audio = seen_audio = true;
		} else if (type == 'c') {
			if (in_audio) {
				if ((why = sdp_conn(val, &media_addr, &media_ip4)) != NULL)
					return why;
			} else if (!seen_audio) {
				if ((why = sdp_conn(val, &sess_addr, &sess_ip4)) != NULL)
					return why;
			}
		}
	}
	if (r < 0)
		return "malformed SDP line";
	if (lines == 0)
		return "empty SDP";
	if (!seen_audio)
		return "no audio stream";
	if (media_addr.n > 0) {
		s->addr = media_addr;
		s->ip4 = media_ip4;
	} else if (sess_addr.n > 0) {
		s->addr = sess_addr;
		s->ip4 = sess_ip4;
	} else {
		return "no connection address";
	}
	if (s->npt == 0)
		return "no payload type";
	return NULL;
}

size_t sip_json(const char *s, size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 0;

	if (cap == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t k = 0;
		if (c == '"' || c == '\\') {
			esc[k++] = '\\';
			esc[k++] = (char)c;
		} else if (c < ' ' || c == 0x7f || c >= 0x80) {
			/* bytes, not characters: a value off the network need not be UTF-8 */
			memcpy(esc, "\\u00", 4);
			k = 4;
			esc[k++] = hex[c >> 4];
			esc[k++] = hex[c & 15];
		} else {
			esc[k++] = (char)c;
		}
		if (len + k >= cap)
			break;
		memcpy(out + len, esc, k);
		len += k;
	}
	out[len] = '\0';
	return len;
}
