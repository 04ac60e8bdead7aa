/* IPv4 input (Linux net/ipv4/ip_input.c):
 *   netif_receive_skb -> ip_rcv() validates the header (RFC 791 3.1, RFC 1122 3.2.1)
 *   -> ip_rcv_finish() decides whether the datagram is for this host
 *   -> ip_local_deliver() reassembles fragments (ip_defrag) and hands the payload to the
 *      protocol handler (icmp_rcv, udp_rcv, tcp_v4_rcv).
 * All in NET_RX softirq (or in the thread that enabled bottom halves). Every drop is
 * counted in the namespace's Ip MIB. Also here: the pure header parser and emitter. */
#include <net/icmp.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <seqos/errno.h>
#include <seqos/string.h>
#include <seqos/trace.h>

static const struct net_protocol *inet_protos[256];

int inet_add_protocol(const struct net_protocol *prot, u8 protocol)
{
	if (inet_protos[protocol])
		return -EBUSY;
	inet_protos[protocol] = prot;
	return 0;
}

const struct net_protocol *inet_get_protocol(u8 protocol) { return inet_protos[protocol]; }

/* Options (RFC 791 3.1): each is one octet (EOL, NOP) or type, length >= 2, data, all
 * within the header. Returns -1 when malformed; notes a source route. */
static int ip_options_check(const u8 *opt, size_t len, struct ip_repr *r)
{
	size_t i = 0;

	while (i < len) {
		u8 type = opt[i];
		if (type == 0) /* end of list */
			break;
		if (type == 1) { /* no-op */
			i++;
			continue;
		}
		if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i)
			return -1;
		if (type == 0x83 || type == 0x89) /* LSRR, SSRR */
			r->has_srr = true;
		i += opt[i + 1];
	}
	return 0;
}

int ip_parse(const u8 *b, size_t len, bool skip_csum, struct ip_repr *out)
{
	size_t ihl;

	if (len < sizeof(struct iphdr))
		return IP_PARSE_TRUNCATED;
	if (b[0] >> 4 != 4)
		return IP_PARSE_HDR;
	ihl = (size_t)(b[0] & 0xf) * 4;
	if (ihl < sizeof(struct iphdr))
		return IP_PARSE_HDR;
	if (ihl > len)
		return IP_PARSE_TRUNCATED;
	out->ihl = (u8)ihl;
	out->tos = b[1];
	out->tot_len = rd_be16(b + 2);
	out->id = rd_be16(b + 4);
	out->frag_off = rd_be16(b + 6);
	out->ttl = b[8];
	out->protocol = b[9];
	out->saddr = to_be32(rd_be32(b + 12));
	out->daddr = to_be32(rd_be32(b + 16));
	out->has_srr = false;
	if (out->tot_len < ihl)
		return IP_PARSE_HDR;
	if (out->tot_len > len)
		return IP_PARSE_TRUNCATED;
	if (!skip_csum && ip_compute_csum(b, ihl) != 0)
		return IP_PARSE_CSUM;
	if (ihl > sizeof(struct iphdr) &&
	    ip_options_check(b + sizeof(struct iphdr), ihl - sizeof(struct iphdr), out))
		return IP_PARSE_HDR;
	return (int)ihl;
}

size_t ip_emit(const struct ip_repr *r, u8 *b, size_t cap)
{
	if (cap < sizeof(struct iphdr))
		return 0;
	b[0] = 0x45;
	b[1] = r->tos;
	wr_be16(b + 2, r->tot_len);
	wr_be16(b + 4, r->id);
	wr_be16(b + 6, r->frag_off);
	b[8] = r->ttl;
	b[9] = r->protocol;
	wr_be16(b + 10, 0);
	wr_be32(b + 12, get_be32(r->saddr));
	wr_be32(b + 16, get_be32(r->daddr));
	wr_be16(b + 10, ip_compute_csum(b, sizeof(struct iphdr)));
	return sizeof(struct iphdr);
}

/* Hands a whole datagram to its protocol. Reassembles first when it is a fragment. */
static int ip_local_deliver(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = (const struct iphdr *)skb_network_header(skb);
	const struct net_protocol *prot;
	u8 proto = iph->protocol;
	u32 ihl;
	TRACE_STEP(ip_local_deliver, skb->id, proto, skb->len);

	if (get_be16(iph->frag_off) & (IP_MF | IP_OFFSET)) {
		skb = ip_defrag(net, skb);
		if (!skb)
			return 0;
		iph = (const struct iphdr *)skb_network_header(skb);
	}
	ihl = (u32)(iph->ver_ihl & 0xf) * 4;
	skb_pull(skb, ihl);
	skb_reset_transport_header(skb);
	prot = inet_protos[proto];
	if (!prot) {
		IP_INC_STATS(net, IPSTATS_MIB_INUNKNOWNPROTOS);
		if (!(IPCB(skb)->flags & IPSKB_BROADCAST))
			icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
		kfree_skb_reason(skb, SKB_DROP_UNHANDLED_PROTO);
		return 0;
	}
	IP_INC_STATS(net, IPSTATS_MIB_INDELIVERS);
	return prot->handler(skb);
}

/* Is this datagram for us? A host does not forward (RFC 1122 3.3.1): anything else is
 * dropped and counted in InAddrErrors, as Linux does with forwarding off. */
static int ip_rcv_finish(struct net *net, struct sk_buff *skb, const struct ip_repr *r)
{
	struct net_device *dev = skb->dev;
	int type;
	TRACE_STEP(ip_rcv_finish, skb->id, get_be32(r->daddr), get_be32(r->saddr));

	/* martian sources (RFC 1122 3.2.1.3, RFC 1812 5.3.7) */
	if (ipv4_is_multicast(r->saddr) || ipv4_is_lbcast(r->saddr) ||
	    (ipv4_is_loopback(r->saddr) && !(dev->flags & IFF_LOOPBACK)) ||
	    ipv4_is_zeronet(r->daddr)) {
		IP_INC_STATS(net, IPSTATS_MIB_INADDRERRORS);
		kfree_skb_reason(skb, SKB_DROP_MARTIAN);
		return NET_RX_DROP;
	}
	type = inet_addr_type_dev(net, dev, r->daddr);
	/* an interface still without an address takes unicasts meant for it (DHCP offers
	 * sent to the address being offered, RFC 2131 4.1) */
	if (type == RTN_UNICAST && skb->pkt_type == PACKET_HOST && !inet_dev_has_addr(dev))
		type = RTN_LOCAL;
	if (type == RTN_BROADCAST) {
		IP_INC_STATS(net, IPSTATS_MIB_INBCASTPKTS);
		IPCB(skb)->flags |= IPSKB_BROADCAST;
	} else if (type != RTN_LOCAL) {
		IP_INC_STATS(net, type == RTN_MULTICAST ? IPSTATS_MIB_INDISCARDS
							: IPSTATS_MIB_INADDRERRORS);
		kfree_skb_reason(skb, SKB_DROP_NOT_FORWARDING);
		return NET_RX_DROP;
	}
	if (skb->pkt_type != PACKET_HOST)
		IPCB(skb)->flags |= IPSKB_BROADCAST; /* link broadcast: no ICMP errors back */
	if (r->has_srr) { /* source routes are for routers; hosts drop them (Linux default) */
		IP_INC_STATS(net, IPSTATS_MIB_INDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_HDR_ERROR);
		return NET_RX_DROP;
	}
	IPCB(skb)->rt_type = (u8)type;
	return ip_local_deliver(net, skb);
}

/* Validates one received datagram (RFC 1122 3.2.1.1..3.2.1.8). A TTL below 2 is no
 * reason to drop a datagram for this host (RFC 1122 3.2.1.7); TTL only matters when
 * forwarding, which a host does not do. */
int ip_rcv(struct sk_buff *skb, struct net_device *dev)
{
	struct net *net = dev_net(dev);
	struct ip_repr r;
	int hl;
	TRACE_STEP(ip_rcv, skb->id, skb->len, skb->len >= 10 ? skb->data[9] : 0);

	if (skb->pkt_type == PACKET_OTHERHOST) { /* promiscuous capture: not ours */
		kfree_skb_reason(skb, SKB_DROP_OTHERHOST);
		return NET_RX_DROP;
	}
	IP_INC_STATS(net, IPSTATS_MIB_INRECEIVES);
	hl = ip_parse(skb->data, skb->len,
		      skb->ip_summed == CHECKSUM_UNNECESSARY && (dev->features & NETIF_F_RXCSUM),
		      &r);
	if (hl < 0) {
		int f = hl == IP_PARSE_TRUNCATED ? IPSTATS_MIB_INTRUNCATEDPKTS :
			hl == IP_PARSE_CSUM ? IPSTATS_MIB_INCSUMERRORS : IPSTATS_MIB_INHDRERRORS;
		IP_INC_STATS(net, f);
		if (f == IPSTATS_MIB_INCSUMERRORS)
			IP_INC_STATS(net, IPSTATS_MIB_INHDRERRORS);
		kfree_skb_reason(skb, hl == IP_PARSE_CSUM ? SKB_DROP_CSUM : SKB_DROP_HDR_ERROR);
		return NET_RX_DROP;
	}
	/* the link may pad (Ethernet minimum 60 bytes): the IP total length is the truth */
	skb_trim(skb, r.tot_len);
	IP_ADD_STATS(net, IPSTATS_MIB_INOCTETS, r.tot_len);
	memset(IPCB(skb), 0, sizeof(struct inet_skb_parm));
	IPCB(skb)->iif = dev->ifindex;
	skb_reset_network_header(skb);
	return ip_rcv_finish(net, skb, &r);
}
