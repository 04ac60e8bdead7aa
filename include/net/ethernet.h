/* Ethernet II for the stack (net/ethernet/eth.c); drivers use eth_type_trans() from
 * <net/netdevice.h>. Pure parse/emit over bytes (STYLE.md 4) for tests and tools. */
#ifndef NET_ETHERNET_H
#define NET_ETHERNET_H

#include <net/if_ether.h>
#include <net/skbuff.h>

struct net_device;

struct eth_repr {
	u8 dst[ETH_ALEN], src[ETH_ALEN];
	u16 type;
};
/* Returns the header length (14), or -1 when len is too short. */
int eth_parse(const u8 *buf, size_t len, struct eth_repr *out);
/* Returns bytes written (14), or 0 when cap is too small. */
size_t eth_emit(const struct eth_repr *r, u8 *buf, size_t cap);

/* Pushes an Ethernet header (daddr NULL = broadcast, saddr NULL = the device's);
 * returns ETH_HLEN, or -1 without headroom. */
int eth_header(struct sk_buff *skb, struct net_device *dev, u16 type, const u8 *daddr,
	       const u8 *saddr);

#endif
