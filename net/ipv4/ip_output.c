/* IPv4 output (Linux net/ipv4/ip_output.c):
 *   ip_queue_xmit()     routes the flow and prepends the IP header
 *   -> ip_local_out()   final header fields: total length and checksum
 *   -> ip_output()      device and ethertype, output counters
 *   -> ip_finish_output()  fragments when larger than the MTU (ip_fragment)
 *   -> ip_finish_output2() link header: broadcast/loopback directly, else
 *                          neigh_output() (ARP) -> dev_queue_xmit()
 * Called from threads (UDP/TCP send, ping) and softirqs (ICMP replies, TCP ACKs). */
#include <net/arp.h>
#include <net/ethernet.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <seqos/errno.h>
#include <seqos/random.h>
#include <seqos/string.h>
#include <seqos/trace.h>

/* IDs only need to be unique per (src, dst, protocol) for the reassembly lifetime (RFC
 * 6864 4.1); one counter per namespace from a random start does that. */
u16 ip_select_ident(struct net *net)
{
	return __atomic_fetch_add(&net->ipv4.ip_id, 1, __ATOMIC_RELAXED);
}

/* Puts the link header on and sends: no resolution for broadcast, multicast and
 * loopback; ARP for the rest. */
static int ip_finish_output2(struct net *net, struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	be32 nh = IPCB(skb)->nexthop;
	u8 mac[ETH_ALEN];
	TRACE_STEP(ip_finish_output2, skb->id, get_be32(nh), dev->ifindex);

	if ((dev->flags & (IFF_LOOPBACK | IFF_NOARP)) || IPCB(skb)->rt_type == RTN_BROADCAST ||
	    ipv4_is_lbcast(nh) || ipv4_is_multicast(nh)) {
		const u8 *dst = dev->broadcast;
		if (dev->flags & IFF_LOOPBACK) {
			dst = dev->dev_addr;
		} else if (ipv4_is_multicast(nh)) { /* RFC 1112 6.4 */
			u32 g = get_be32(nh);
			u8 m[ETH_ALEN] = { 0x01, 0x00, 0x5e, (u8)((g >> 16) & 0x7f), (u8)(g >> 8), (u8)g };
			memcpy(mac, m, ETH_ALEN);
			dst = mac;
		}
		if (eth_header(skb, dev, ETH_P_IP, dst, NULL) < 0) {
			kfree_skb_reason(skb, SKB_DROP_NOMEM);
			return -ENOBUFS;
		}
		return dev_queue_xmit(skb);
	}
	return neigh_output(dev, nh, skb);
}

/* Splits a datagram larger than the MTU into fragments (RFC 791 3.2 "Fragmentation"),
 * each a new packet whose parent is the original, and sends them. */
static int ip_fragment(struct net *net, struct sk_buff *skb, u32 mtu)
{
	struct iphdr *iph = (struct iphdr *)skb->data;
	u32 hlen = (u32)(iph->ver_ihl & 0xf) * 4;
	u32 left = skb->len - hlen, offset = 0, chunk;
	u16 orig_off = get_be16(iph->frag_off);
	int err = 0;
	TRACE_STEP(ip_fragment, skb->id, skb->len, mtu);

	if ((orig_off & IP_DF) || mtu < hlen + 8) {
		IP_INC_STATS(net, IPSTATS_MIB_FRAGFAILS);
		kfree_skb_reason(skb, SKB_DROP_FRAG);
		return -EMSGSIZE;
	}
	chunk = (mtu - hlen) & ~7u;
	while (left) {
		u32 len = left > chunk ? chunk : left;
		struct sk_buff *f = alloc_skb(MAX_HEADER + hlen + len);
		struct iphdr *fh;
		u16 fo;

		if (!f) {
			err = -ENOBUFS;
			break;
		}
		skb_reserve(f, MAX_HEADER);
		fh = skb_put_data(f, skb->data, hlen);
		skb_put_data(f, skb->data + hlen + offset, len);
		f->dev = skb->dev;
		f->protocol = skb->protocol;
		f->parent_id = skb->id;
		memcpy(f->cb, skb->cb, sizeof(f->cb));
		skb_reset_network_header(f);
		fo = (u16)(((orig_off & IP_OFFSET) + offset / 8) | (orig_off & IP_MF));
		if (left > len)
			fo |= IP_MF;
		fh->frag_off = to_be16(fo);
		fh->tot_len = to_be16((u16)(hlen + len));
		fh->check = to_be16(0);
		fh->check = to_be16(ip_compute_csum(fh, hlen));
		left -= len;
		offset += len;
		IP_INC_STATS(net, IPSTATS_MIB_FRAGCREATES);
		err = ip_finish_output2(net, f);
		if (err && err != -EAGAIN)
			break;
		err = 0;
	}
	IP_INC_STATS(net, err ? IPSTATS_MIB_FRAGFAILS : IPSTATS_MIB_FRAGOKS);
	consume_skb(skb);
	return err;
}

static int ip_finish_output(struct net *net, struct sk_buff *skb)
{
	u32 mtu = skb->dev->mtu;
	TRACE_STEP(ip_finish_output, skb->id, skb->len, mtu);

	if (skb->len > mtu)
		return ip_fragment(net, skb, mtu);
	return ip_finish_output2(net, skb);
}

static int ip_output(struct net *net, struct sk_buff *skb)
{
	TRACE_STEP(ip_output, skb->id, skb->dev->ifindex, skb->len);

	skb->protocol = to_be16(ETH_P_IP);
	IP_INC_STATS(net, IPSTATS_MIB_OUTREQUESTS);
	IP_ADD_STATS(net, IPSTATS_MIB_OUTOCTETS, skb->len);
	if (!(skb->dev->flags & IFF_UP)) {
		IP_INC_STATS(net, IPSTATS_MIB_OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_DEV_DOWN);
		return -ENETDOWN;
	}
	return ip_finish_output(net, skb);
}

/* Completes the header of a locally built datagram (skb->data at the IP header). */
int ip_local_out(struct net *net, struct sk_buff *skb)
{
	struct iphdr *iph = (struct iphdr *)skb->data;
	TRACE_STEP(ip_local_out, skb->id, skb->len, get_be16(iph->id));

	iph->tot_len = to_be16((u16)skb->len);
	iph->check = to_be16(0);
	iph->check = to_be16(ip_compute_csum(iph, (iph->ver_ihl & 0xf) * 4u));
	return ip_output(net, skb);
}

int ip_queue_xmit(struct net *net, struct sk_buff *skb, struct flowi4 *fl,
		  const struct rtable *rt_in)
{
	struct rtable rt_local;
	const struct rtable *rt = rt_in;
	struct iphdr *iph;
	int err;
	TRACE_STEP(ip_queue_xmit, skb->id, get_be32(fl->daddr), fl->proto);

	if (!rt) {
		err = ip_route_output(net, fl, &rt_local);
		if (err) {
			IP_INC_STATS(net, IPSTATS_MIB_OUTNOROUTES);
			kfree_skb_reason(skb, SKB_DROP_NO_ROUTE);
			return err;
		}
		rt = &rt_local;
	}
	if (skb->len + sizeof(*iph) > IP_MAX_DATAGRAM || skb_headroom(skb) < sizeof(*iph) + ETH_HLEN) {
		IP_INC_STATS(net, IPSTATS_MIB_OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_NOMEM);
		return -EMSGSIZE;
	}
	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->ver_ihl = 0x45;
	iph->tos = fl->tos;
	iph->id = to_be16(ip_select_ident(net));
	iph->frag_off = to_be16((fl->flags & FLOWI_F_DF) ? IP_DF : 0);
	iph->ttl = fl->ttl ? fl->ttl : IP_DEFAULT_TTL;
	iph->protocol = fl->proto;
	iph->saddr = fl->saddr.v ? fl->saddr : rt->saddr;
	iph->daddr = fl->daddr;
	skb->dev = rt->dev;
	memset(IPCB(skb), 0, sizeof(struct inet_skb_parm));
	IPCB(skb)->nexthop = rt->nexthop;
	IPCB(skb)->rt_type = rt->type;
	return ip_local_out(net, skb);
}
