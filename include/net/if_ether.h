/* Ethernet II framing constants and header (IEEE 802.3 clause 3, RFC 894). */
#ifndef NET_IF_ETHER_H
#define NET_IF_ETHER_H

#include <seqos/types.h>

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60          /* minimum frame without FCS: shorter ones are padded */
#define ETH_DATA_LEN 1500    /* MTU */
#define ETH_FRAME_LEN 1514   /* max frame without FCS */
#define ETH_P_802_3_MIN 0x0600 /* below: an 802.3 length field, not an ethertype */

#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_IPV6 0x86DD

struct ethhdr {
	u8 h_dest[ETH_ALEN];
	u8 h_source[ETH_ALEN];
	be16 h_proto;
} __attribute__((packed));
_Static_assert(sizeof(struct ethhdr) == ETH_HLEN, "Ethernet header is 14 bytes");

static inline bool is_zero_ether_addr(const u8 *a)
{
	return !(a[0] | a[1] | a[2] | a[3] | a[4] | a[5]);
}
static inline bool is_multicast_ether_addr(const u8 *a) { return a[0] & 1; }
static inline bool is_broadcast_ether_addr(const u8 *a)
{
	return (a[0] & a[1] & a[2] & a[3] & a[4] & a[5]) == 0xff;
}
static inline bool is_valid_ether_addr(const u8 *a)
{
	return !is_multicast_ether_addr(a) && !is_zero_ether_addr(a);
}
static inline bool ether_addr_equal(const u8 *a, const u8 *b)
{
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]) |
		 (a[5] ^ b[5]));
}
static inline void ether_addr_copy(u8 *dst, const u8 *src)
{
	for (int i = 0; i < ETH_ALEN; i++)
		dst[i] = src[i];
}
extern const u8 eth_broadcast_addr[ETH_ALEN];

#endif
