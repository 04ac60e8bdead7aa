/* Small IPv4 helpers shared by the stack and the shell: address text conversion, the
 * Internet checksum (RFC 1071) and the IP protocol numbers. */
#ifndef NET_INET_COMMON_H
#define NET_INET_COMMON_H

#include <seqos/types.h>

#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

#define INADDR_ANY 0x00000000u
#define INADDR_BROADCAST 0xffffffffu
#define INADDR_LOOPBACK 0x7f000001u

static inline be32 inet_addr_be(u32 host) { return to_be32(host); }
static inline bool ipv4_is_zeronet(be32 a) { return (get_be32(a) >> 24) == 0; }
static inline bool ipv4_is_loopback(be32 a) { return (get_be32(a) >> 24) == 127; }
static inline bool ipv4_is_multicast(be32 a) { return (get_be32(a) >> 28) == 0xe; }
static inline bool ipv4_is_lbcast(be32 a) { return get_be32(a) == INADDR_BROADCAST; }
static inline bool ipv4_is_any(be32 a) { return a.v == 0; }
static inline bool be32_eq(be32 a, be32 b) { return a.v == b.v; }
static inline be32 inet_make_mask(int prefixlen)
{
	return to_be32(prefixlen <= 0 ? 0 : prefixlen >= 32 ? 0xffffffffu : ~0u << (32 - prefixlen));
}
static inline bool inet_same_subnet(be32 a, be32 b, be32 mask)
{
	return ((a.v ^ b.v) & mask.v) == 0;
}

/* "10.0.2.15" -> address; returns 0, or -EINVAL for anything but four decimal octets. */
int in4_pton(const char *s, be32 *out);
/* "10.0.2.15/24" -> address and prefix length (32 when no "/N"). */
int in4_pton_prefix(const char *s, be32 *out, int *prefixlen);
/* Formats an address into buf (at least 16 bytes); returns buf. */
char *in_ntoa(be32 a, char *buf);
/* Formats a MAC address into buf (at least 18 bytes); returns buf. */
char *mac_ntoa(const u8 *mac, char *buf);

/* Internet checksum over bytes (RFC 1071), as a 32-bit running sum of big-endian 16-bit
 * words; csum_fold() gives the final one's complement 16-bit checksum (host order, to be
 * stored with wr_be16). A buffer whose checksum field is correct folds to 0. */
u32 csum_partial(const void *buf, size_t len, u32 sum);
static inline u16 csum_fold(u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}
static inline u16 ip_compute_csum(const void *buf, size_t len)
{
	return csum_fold(csum_partial(buf, len, 0));
}
/* The TCP/UDP pseudo-header sum (RFC 768, RFC 793 3.1) added to sum. */
static inline u32 csum_tcpudp_nofold(be32 saddr, be32 daddr, u32 len, u8 proto, u32 sum)
{
	u32 s = get_be32(saddr), d = get_be32(daddr);
	u64 t = (u64)sum + (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + proto + len;
	t = (t & 0xffffffff) + (t >> 32);
	return (u32)((t & 0xffffffff) + (t >> 32));
}

#endif
