/* Ethernet II framing (RFC 894): the receive classification drivers call before
 * netif_receive_skb(), and the header the stack pushes before dev_queue_xmit().
 *
 * receive:  <driver>_poll -> eth_type_trans() -> netif_receive_skb()
 * transmit: ip_finish_output2 / arp_xmit -> eth_header() -> dev_queue_xmit() */
#include <net/ethernet.h>
#include <net/netdevice.h>
#include <seqos/random.h>
#include <seqos/string.h>

const u8 eth_broadcast_addr[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Records where the frame was addressed and strips the Ethernet header; returns the
 * ethertype (big endian). A frame too short for a header returns 0, which
 * netif_receive_skb() drops; an 802.3 length field (< 0x0600) finds no handler. */
be16 eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	const struct ethhdr *eth;

	skb->dev = dev;
	skb_reset_mac_header(skb);
	if (unlikely(skb->len < ETH_HLEN)) {
		dev->stats.rx_length_errors++;
		skb->pkt_type = PACKET_OTHERHOST;
		return to_be16(0);
	}
	eth = (const struct ethhdr *)skb->data;
	skb_pull(skb, ETH_HLEN);
	if (is_multicast_ether_addr(eth->h_dest))
		skb->pkt_type = is_broadcast_ether_addr(eth->h_dest) ? PACKET_BROADCAST
								    : PACKET_MULTICAST;
	else if (dev->flags & IFF_LOOPBACK)
		skb->pkt_type = PACKET_HOST;
	else if (ether_addr_equal(eth->h_dest, dev->dev_addr))
		skb->pkt_type = PACKET_HOST;
	else
		skb->pkt_type = PACKET_OTHERHOST;
	if (get_be16(eth->h_proto) < ETH_P_802_3_MIN)
		return to_be16(0xffff); /* 802.3/LLC: no handler here */
	return eth->h_proto;
}

int eth_header(struct sk_buff *skb, struct net_device *dev, u16 type, const u8 *daddr,
	       const u8 *saddr)
{
	struct ethhdr *eth;

	if (skb_headroom(skb) < ETH_HLEN)
		return -1;
	eth = skb_push(skb, ETH_HLEN);
	skb_reset_mac_header(skb);
	memcpy(eth->h_dest, daddr ? daddr : dev->broadcast, ETH_ALEN);
	memcpy(eth->h_source, saddr ? saddr : dev->dev_addr, ETH_ALEN);
	eth->h_proto = to_be16(type);
	skb->protocol = eth->h_proto;
	return ETH_HLEN;
}

int eth_parse(const u8 *buf, size_t len, struct eth_repr *out)
{
	if (len < ETH_HLEN)
		return -1;
	memcpy(out->dst, buf, ETH_ALEN);
	memcpy(out->src, buf + 6, ETH_ALEN);
	out->type = rd_be16(buf + 12);
	return ETH_HLEN;
}

size_t eth_emit(const struct eth_repr *r, u8 *buf, size_t cap)
{
	if (cap < ETH_HLEN)
		return 0;
	memcpy(buf, r->dst, ETH_ALEN);
	memcpy(buf + 6, r->src, ETH_ALEN);
	wr_be16(buf + 12, r->type);
	return ETH_HLEN;
}

void eth_hw_addr_random(struct net_device *dev)
{
	get_random_bytes(dev->dev_addr, ETH_ALEN);
	dev->dev_addr[0] &= 0xfe; /* unicast */
	dev->dev_addr[0] |= 0x02; /* locally administered */
}
