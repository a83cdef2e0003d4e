/*
 * pcap.h - a strict reader of classic pcap captures as rtpengine writes its recordings
 * (recording-method pcap): the file header, each record's header, the link layer
 * (Ethernet, raw IPv4/IPv6), IPv4/IPv6 and UDP, then RTP. Every function reads only the
 * bytes it is given, checks every length against them, and keeps no state of its own.
 */
#ifndef PC_MEDIA_PCAP_H
#define PC_MEDIA_PCAP_H

#include <stddef.h>
#include <stdint.h>

#define PCAP_FILE_HEADER 24   /* magic, version, zone, accuracy, snaplen, link type */
#define PCAP_RECORD_HEADER 16 /* seconds, fraction, captured length, original length */
/* A record longer than this is corrupt (libpcap's own largest snapshot length). */
#define PCAP_CAPLEN_MAX 262144
/* Enough for any UDP datagram with its link and IP headers; longer records are skipped. */
#define PCAP_PACKET_MAX (65535 + 64)
#define PCAP_VLAN_MAX 2 /* 802.1Q tags followed in an Ethernet frame */

#define PCAP_LINK_ETHERNET 1 /* rtpengine's recording-format eth */
#define PCAP_LINK_RAW 101    /* recording-format raw: an IPv4 or IPv6 packet */
#define PCAP_LINK_IPV4 228
#define PCAP_LINK_IPV6 229

enum pcap_status {
	PCAP_OK = 0,
	PCAP_SHORT,    /* fewer bytes than a header needs */
	PCAP_MAGIC,    /* not a classic pcap file */
	PCAP_VERSION,  /* a version other than 2.x */
	PCAP_LINKTYPE, /* a link type this reader does not decode */
	PCAP_CORRUPT,  /* a record header no writer produces: its length or time fraction */
};

/* What the file header says. */
struct pcap_file {
	int big_endian;    /* the headers' fields in big-endian byte order */
	int nsec;          /* time fractions in nanoseconds, not microseconds */
	uint32_t snaplen;  /* as written; not trusted */
	uint32_t linktype; /* one of PCAP_LINK_* */
};

/* One record's header. */
struct pcap_rec {
	int64_t time_us;  /* capture time, microseconds since the epoch (nanoseconds cut) */
	uint32_t caplen;  /* bytes that follow in the file */
	uint32_t origlen; /* bytes the packet had */
};

/* What one record holds, from the link layer to the UDP payload. */
enum pcap_kind {
	PCAP_UDP,       /* a whole UDP datagram: the fields below are set */
	PCAP_NOT_UDP,   /* another protocol, an IP fragment, an IPv6 extension header */
	PCAP_MALFORMED, /* a length that does not fit the bytes, a wrong IP version */
};

struct pcap_udp {
	int family;            /* 4 or 6 */
	uint8_t src[16];       /* source address, 4 or 16 bytes used */
	uint8_t dst[16];       /* destination address */
	uint16_t sport, dport; /* ports */
	const uint8_t *payload;
	size_t len; /* payload bytes, from the UDP length (link padding left out) */
};

/* RTP (RFC 3550) as far as the reader decodes it. */
enum pcap_rtp_kind {
	PCAP_RTP,     /* the fields below are set */
	PCAP_RTCP,    /* RTCP (multiplexed on the RTP port, RFC 5761's rule) */
	PCAP_NOT_RTP, /* not RTP version 2, or a header longer than the datagram */
};

struct pcap_rtp {
	uint8_t pt; /* payload type */
	int marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	const uint8_t *payload; /* after the CSRCs and header extension, before padding */
	size_t len;
};

/* Reads a file header from p[0..len). */
enum pcap_status pcap_file_header(const uint8_t *p, size_t len, struct pcap_file *f);

/* Reads a record header from p[0..PCAP_RECORD_HEADER). PCAP_CORRUPT: a captured length
 * over PCAP_CAPLEN_MAX or the original length, or a fraction of a second out of range. */
enum pcap_status pcap_record_header(const struct pcap_file *f, const uint8_t *p,
                                    struct pcap_rec *r);

/* Decodes a record's captured bytes p[0..caplen) down to UDP. */
enum pcap_kind pcap_packet(const struct pcap_file *f, const uint8_t *p, size_t caplen,
                           struct pcap_udp *u);

/* Decodes a UDP payload as RTP. */
enum pcap_rtp_kind pcap_rtp_parse(const uint8_t *p, size_t len, struct pcap_rtp *r);

/* A cursor over a whole capture in memory. */
struct pcap_iter {
	const uint8_t *p;
	size_t len, off;
	struct pcap_file file;
	int end; /* what pcap_iter_next returns from now on, once it is 0 or less; else 1 */
};

/* Starts reading the capture p[0..len); the file header must be valid. */
enum pcap_status pcap_iter_open(struct pcap_iter *it, const void *p, size_t len);
/* The next record: 1, with its header and captured bytes; 0 at the end of the capture;
 * -PCAP_SHORT when what is left is a record cut short, -PCAP_CORRUPT at a corrupt record
 * header. Once it returned 0 or less it keeps returning that. */
int pcap_iter_next(struct pcap_iter *it, struct pcap_rec *r, const uint8_t **data);

const char *pcap_strerror(enum pcap_status s);

#endif
