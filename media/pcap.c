/*
 * pcap.c - the strict pcap, IP, UDP and RTP reader of pcap.h. Nothing here allocates or
 * keeps state: each function reads the bytes it is handed and checks every length
 * before it reads at that length.
 */
#include <string.h>

#include "pcap.h"

#define MAGIC_US 0xa1b2c3d4u /* the classic magic, microsecond fractions */
#define MAGIC_NS 0xa1b23c4du /* the same with nanosecond fractions */
#define MAGIC_US_BE 0xd4c3b2a1u
#define MAGIC_NS_BE 0x4d3cb2a1u
#define PCAP_MAJOR 2
#define LINK_TYPE_MASK 0xffffu    /* the link type proper */
#define LINK_RESERVED 0x03ff0000u /* must be zero; above them, frame check sequence bits */
#define PCAP_US_PER_S 1000000u
#define PCAP_NS_PER_S 1000000000u
#define PCAP_NS_PER_US 1000u

#define ETH_HEADER 14
#define ETH_TYPE_OFF 12
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define VLAN_TAG 4
#define IPV4_HEADER 20
#define IPV4_FRAG_MASK 0x3fff /* more-fragments flag and fragment offset */
#define IPV6_HEADER 40
#define IPPROTO_UDP_ 17
#define UDP_HEADER 8

#define RTP_VERSION 2
#define RTP_HEADER 12
#define RTP_EXT_HEADER 4
#define RTCP_PT_FIRST 192 /* RFC 5761, section 4: the second byte of RTCP is 192-223 */
#define RTCP_PT_LAST 223
#define RTCP_HEADER 4

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t rd32(const struct pcap_file *f, const uint8_t *p)
{
	return f->big_endian ? be32(p) : le32(p);
}

static uint16_t rd16(const struct pcap_file *f, const uint8_t *p)
{
	return f->big_endian ? be16(p) : (uint16_t)(p[1] << 8 | p[0]);
}

enum pcap_status pcap_file_header(const uint8_t *p, size_t len, struct pcap_file *f)
{
	uint32_t magic, link;

	memset(f, 0, sizeof(*f));
	if (len < PCAP_FILE_HEADER)
		return PCAP_SHORT;
	magic = le32(p);
	if (magic == MAGIC_US || magic == MAGIC_NS) {
		f->big_endian = 0;
	} else if (magic == MAGIC_US_BE || magic == MAGIC_NS_BE) {
		f->big_endian = 1;
	} else {
		return PCAP_MAGIC;
	}
	f->nsec = magic == MAGIC_NS || magic == MAGIC_NS_BE;
	if (rd16(f, p + 4) != PCAP_MAJOR)
		return PCAP_VERSION;
	f->snaplen = rd32(f, p + 16);
	link = rd32(f, p + 20);
	if (link & LINK_RESERVED)
		return PCAP_LINKTYPE;
	f->linktype = link & LINK_TYPE_MASK;
	if (f->linktype != PCAP_LINK_ETHERNET && f->linktype != PCAP_LINK_RAW &&
	    f->linktype != PCAP_LINK_IPV4 && f->linktype != PCAP_LINK_IPV6)
		return PCAP_LINKTYPE;
	return PCAP_OK;
}

enum pcap_status pcap_record_header(const struct pcap_file *f, const uint8_t *p, struct pcap_rec *r)
{
	uint32_t sec = rd32(f, p), frac = rd32(f, p + 4);

	memset(r, 0, sizeof(*r));
	r->caplen = rd32(f, p + 8);
	r->origlen = rd32(f, p + 12);
	if (frac >= (f->nsec ? PCAP_NS_PER_S : PCAP_US_PER_S) || r->caplen > PCAP_CAPLEN_MAX ||
	    r->caplen > r->origlen)
		return PCAP_CORRUPT;
	r->time_us = (int64_t)sec * PCAP_US_PER_S + (f->nsec ? frac / PCAP_NS_PER_US : frac);
	return PCAP_OK;
}

static enum pcap_kind udp(const uint8_t *p, size_t len, struct pcap_udp *u)
{
	size_t ulen;

	if (len < UDP_HEADER)
		return PCAP_MALFORMED;
	ulen = be16(p + 4);
	if (ulen < UDP_HEADER || ulen > len)
		return PCAP_MALFORMED;
	u->sport = be16(p);
	u->dport = be16(p + 2);
	u->payload = p + UDP_HEADER;
	u->len = ulen - UDP_HEADER;
	return PCAP_UDP;
}

static enum pcap_kind ipv4(const uint8_t *p, size_t len, struct pcap_udp *u)
{
	size_t ihl, total;

	if (len < IPV4_HEADER || p[0] >> 4 != 4)
		return PCAP_MALFORMED;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	total = be16(p + 2);
	/* a total length under the link's bytes leaves link padding out */
	if (ihl < IPV4_HEADER || total < ihl || total > len)
		return PCAP_MALFORMED;
	if ((be16(p + 6) & IPV4_FRAG_MASK) != 0 || p[9] != IPPROTO_UDP_)
		return PCAP_NOT_UDP;
	u->family = 4;
	memcpy(u->src, p + 12, 4);
	memcpy(u->dst, p + 16, 4);
	return udp(p + ihl, total - ihl, u);
}

static enum pcap_kind ipv6(const uint8_t *p, size_t len, struct pcap_udp *u)
{
	size_t plen;

	if (len < IPV6_HEADER || p[0] >> 4 != 6)
		return PCAP_MALFORMED;
	plen = be16(p + 4);
	if (plen > len - IPV6_HEADER)
		return PCAP_MALFORMED;
	/* extension headers (fragments among them) are not followed */
	if (p[6] != IPPROTO_UDP_)
		return PCAP_NOT_UDP;
	u->family = 6;
	memcpy(u->src, p + 8, 16);
	memcpy(u->dst, p + 24, 16);
	return udp(p + IPV6_HEADER, plen, u);
}

/* An IPv4 or IPv6 packet, told apart by its version. */
static enum pcap_kind ip(const uint8_t *p, size_t len, struct pcap_udp *u)
{
	if (len < 1)
		return PCAP_MALFORMED;
	if (p[0] >> 4 == 4)
		return ipv4(p, len, u);
	if (p[0] >> 4 == 6)
		return ipv6(p, len, u);
	return PCAP_MALFORMED;
}

static enum pcap_kind ethernet(const uint8_t *p, size_t len, struct pcap_udp *u)
{
	size_t off = ETH_TYPE_OFF;
	uint16_t type;

	if (len < ETH_HEADER)
		return PCAP_MALFORMED;
	type = be16(p + off);
	off += 2;
	for (int tags = 0; type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ; tags++) {
		if (tags == PCAP_VLAN_MAX)
			return PCAP_NOT_UDP;
		if (len - off < VLAN_TAG)
			return PCAP_MALFORMED;
		type = be16(p + off + 2);
		off += VLAN_TAG;
	}
	if (type == ETHERTYPE_IPV4)
		return ipv4(p + off, len - off, u);
	if (type == ETHERTYPE_IPV6)
		return ipv6(p + off, len - off, u);
	return PCAP_NOT_UDP;
}

enum pcap_kind pcap_packet(const struct pcap_file *f, const uint8_t *p, size_t caplen,
                           struct pcap_udp *u)
{
	memset(u, 0, sizeof(*u));
	switch (f->linktype) {
	case PCAP_LINK_ETHERNET:
		return ethernet(p, caplen, u);
	case PCAP_LINK_RAW:
		return ip(p, caplen, u);
	case PCAP_LINK_IPV4:
		return ipv4(p, caplen, u);
	case PCAP_LINK_IPV6:
		return ipv6(p, caplen, u);
	default:
		return PCAP_MALFORMED;
	}
}

enum pcap_rtp_kind pcap_rtp_parse(const uint8_t *p, size_t len, struct pcap_rtp *r)
{
	size_t off, pad = 0;

	memset(r, 0, sizeof(*r));
	if (len < 2 || p[0] >> 6 != RTP_VERSION)
		return PCAP_NOT_RTP;
	if (p[1] >= RTCP_PT_FIRST && p[1] <= RTCP_PT_LAST)
		return len >= RTCP_HEADER ? PCAP_RTCP : PCAP_NOT_RTP;
	if (len < RTP_HEADER)
		return PCAP_NOT_RTP;
	off = RTP_HEADER + (size_t)(p[0] & 0x0f) * 4; /* the CSRC list */
	if (off > len)
		return PCAP_NOT_RTP;
	if (p[0] & 0x10) { /* a header extension: its profile word, then its length in words */
		if (len - off < RTP_EXT_HEADER)
			return PCAP_NOT_RTP;
		size_t ext = (size_t)be16(p + off + 2) * 4;
		off += RTP_EXT_HEADER;
		if (len - off < ext)
			return PCAP_NOT_RTP;
		off += ext;
	}
	if (p[0] & 0x20) { /* padding: the last byte counts the padding, itself included */
		if (len == off)
			return PCAP_NOT_RTP;
		pad = p[len - 1];
		if (pad == 0 || pad > len - off)
			return PCAP_NOT_RTP;
	}
	r->marker = p[1] >> 7;
	r->pt = p[1] & 0x7f;
	r->seq = be16(p + 2);
	r->ts = be32(p + 4);
	r->ssrc = be32(p + 8);
	r->payload = p + off;
	r->len = len - off - pad;
	return PCAP_RTP;
}

enum pcap_status pcap_iter_open(struct pcap_iter *it, const void *p, size_t len)
{
	enum pcap_status s;

	memset(it, 0, sizeof(*it));
	it->p = p;
	it->len = len;
	s = pcap_file_header(it->p, len, &it->file);
	it->off = PCAP_FILE_HEADER;
	it->end = s == PCAP_OK ? 1 : -(int)s;
	return s;
}

int pcap_iter_next(struct pcap_iter *it, struct pcap_rec *r, const uint8_t **data)
{
	memset(r, 0, sizeof(*r));
	*data = NULL;
	if (it->end <= 0)
		return it->end;
	if (it->off == it->len)
		return it->end = 0;
	if (it->len - it->off < PCAP_RECORD_HEADER)
		return it->end = -PCAP_SHORT;
	if (pcap_record_header(&it->file, it->p + it->off, r) != PCAP_OK)
		return it->end = -PCAP_CORRUPT;
	if (r->caplen > it->len - it->off - PCAP_RECORD_HEADER)
		return it->end = -PCAP_SHORT;
	*data = it->p + it->off + PCAP_RECORD_HEADER;
	it->off += PCAP_RECORD_HEADER + r->caplen;
	return 1;
}

const char *pcap_strerror(enum pcap_status s)
{
	switch (s) {
	case PCAP_OK:
		return "ok";
	case PCAP_SHORT:
		return "cut short";
	case PCAP_MAGIC:
		return "not a pcap capture (unknown magic number)";
	case PCAP_VERSION:
		return "a pcap version other than 2";
	case PCAP_LINKTYPE:
		return "a link type other than Ethernet and raw IP";
	case PCAP_CORRUPT:
		return "a corrupt record header";
	}
	return "unknown";
}
