/* ICMP (RFC 792; host requirements RFC 1122 3.2.2; Linux net/ipv4/icmp.c).
 *
 * receive: ip_local_deliver -> icmp_rcv(): checksum, per-type counters, then
 *          echo request -> icmp_reply (an echo reply, rate-limited);
 *          echo reply -> ping_rcv; unreachable / time exceeded / parameter problem ->
 *          icmp_unreach() -> the protocol's err_handler (udp_err, tcp_v4_err).
 * send:    icmp_send() builds errors about a received datagram (port unreachable from
 *          udp_rcv, protocol unreachable from ip_local_deliver, reassembly timeout from
 *          ip_expire), obeying RFC 1122 3.2.2's "never in reply to" list.
 * Both replies and errors are paced by one token bucket per namespace
 * (ICMP_RATE_PER_SEC, burst ICMP_RATE_BURST), as Linux's icmp_global_allow(). */
#include <net/icmp.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <seqos/errno.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>

/* Linux's values; <seqos/errno.h> does not list them (yet). */
#ifndef EPROTO
#define EPROTO 71
#endif
#ifndef ENONET
#define ENONET 64
#endif

#define ICMP_COST_NS (NSEC_PER_SEC / ICMP_RATE_PER_SEC)

int icmp_parse(const u8 *b, size_t len, struct icmp_repr *out)
{
	if (len < 8)
		return -1;
	if (ip_compute_csum(b, len) != 0)
		return -2;
	out->type = b[0];
	out->code = b[1];
	out->ident = rd_be16(b + 4);
	out->seq = rd_be16(b + 6);
	out->un = rd_be32(b + 4);
	return 0;
}

size_t icmp_emit(const struct icmp_repr *r, u8 *b, size_t cap, size_t payload_len)
{
	if (cap < 8 || cap - 8 < payload_len)
		return 0;
	b[0] = r->type;
	b[1] = r->code;
	wr_be16(b + 2, 0);
	if (r->type == ICMP_ECHO || r->type == ICMP_ECHOREPLY) {
		wr_be16(b + 4, r->ident);
		wr_be16(b + 6, r->seq);
	} else {
		wr_be32(b + 4, r->un);
	}
	wr_be16(b + 2, ip_compute_csum(b, 8 + payload_len));
	return 8;
}

bool icmp_global_allow(struct net *net)
{
	struct netns_ipv4 *ip = &net->ipv4;
	u64 now = ktime_get_ns(), cap = (u64)ICMP_RATE_BURST * ICMP_COST_NS;
	bool ok = false;

	spin_lock_bh(&ip->icmp_lock);
	ip->icmp_tokens += now - ip->icmp_last_ns;
	if (ip->icmp_tokens > cap)
		ip->icmp_tokens = cap;
	ip->icmp_last_ns = now;
	if (ip->icmp_tokens >= ICMP_COST_NS) {
		ip->icmp_tokens -= ICMP_COST_NS;
		ok = true;
	}
	spin_unlock_bh(&ip->icmp_lock);
	if (!ok)
		ICMP_INC_STATS(net, ICMP_MIB_RATELIMITGLOBAL);
	return ok;
}

/* Sends an ICMP message with hdr and payload from saddr to daddr. */
static int icmp_push_reply(struct net *net, const struct icmp_repr *r, const u8 *payload,
			   u32 plen, be32 saddr, be32 daddr, u8 tos, int oif)
{
	struct flowi4 fl = { .oif = oif, .daddr = daddr, .saddr = saddr, .proto = IPPROTO_ICMP,
			     .tos = tos };
	struct sk_buff *skb = alloc_skb(MAX_HEADER + 8 + plen);
	u8 *p;

	if (!skb) {
		ICMP_INC_STATS(net, ICMP_MIB_OUTERRORS);
		return -ENOBUFS;
	}
	skb_reserve(skb, MAX_HEADER);
	p = skb_put(skb, 8 + plen);
	memcpy(p + 8, payload, plen);
	icmp_emit(r, p, 8 + plen, plen);
	ICMP_INC_STATS(net, ICMP_MIB_OUTMSGS);
	net->mib.icmp_out_type[r->type]++;
	return ip_queue_xmit(net, skb, &fl, NULL);
}

static bool icmp_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
	       type == ICMP_REDIRECT || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

void icmp_send(struct sk_buff *skb_in, u8 type, u8 code, u32 info)
{
	const u8 *nh = skb_network_header(skb_in);
	struct net_device *dev = skb_in->dev;
	struct net *net = dev_net(dev);
	struct icmp_repr r = { .type = type, .code = code, .un = info };
	u32 ihl, room, avail;
	be32 saddr, daddr, src;
	TRACE_STEP(icmp_send, skb_in->id, type, code);

	if (skb_in->network_header == SKB_HDR_UNSET || skb_in->tail < nh + sizeof(struct iphdr))
		return;
	ihl = (u32)(nh[0] & 0xf) * 4;
	avail = (u32)(skb_in->tail - nh);
	if (ihl < 20 || ihl > avail)
		return;
	saddr = to_be32(rd_be32(nh + 12));
	daddr = to_be32(rd_be32(nh + 16));
	/* RFC 1122 3.2.2: never about a broadcast/multicast, a non-first fragment, a source
	 * that is not one host, or an ICMP error */
	if ((IPCB(skb_in)->flags & IPSKB_BROADCAST) || skb_in->pkt_type != PACKET_HOST ||
	    (rd_be16(nh + 6) & IP_OFFSET) || ipv4_is_zeronet(saddr) || ipv4_is_lbcast(saddr) ||
	    ipv4_is_multicast(saddr) || ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr))
		return;
	if (nh[9] == IPPROTO_ICMP && (avail < ihl + 1 || icmp_is_error(nh[ihl])))
		return;
	if (!icmp_global_allow(net)) {
		trace_event(icmp_ratelimited, skb_in->id, type, code);
		return;
	}
	/* from the address the datagram was sent to, when it is ours */
	src = inet_addr_type_dev(net, NULL, daddr) == RTN_LOCAL ? daddr
								 : inet_select_addr(dev, saddr);
	/* as much of the original as fits in 576 bytes (RFC 1812 4.3.2.3) */
	room = 576 - sizeof(struct iphdr) - 8;
	if (avail > room)
		avail = room;
	icmp_push_reply(net, &r, nh, avail, src, saddr, 0, 0);
}

/* Echo request -> echo reply with the same identifier, sequence and data (RFC 792). */
static void icmp_echo(struct net *net, struct sk_buff *skb, const struct icmp_repr *in)
{
	const u8 *nh = skb_network_header(skb);
	struct icmp_repr r = { .type = ICMP_ECHOREPLY, .ident = in->ident, .seq = in->seq };
	be32 saddr = to_be32(rd_be32(nh + 12)), daddr = to_be32(rd_be32(nh + 16));
	TRACE_STEP(icmp_reply, skb->id, ICMP_ECHOREPLY, skb->len);

	/* RFC 1122 3.2.2.6: replies to broadcast echo requests MAY be dropped (Linux default) */
	if (IPCB(skb)->flags & IPSKB_BROADCAST)
		return;
	if (!icmp_global_allow(net)) {
		trace_event(icmp_ratelimited, skb->id, ICMP_ECHOREPLY, 0);
		return;
	}
	icmp_push_reply(net, &r, skb->data + 8, skb->len - 8, daddr, saddr, nh[1], 0);
}

/* RFC 1122 3.2.2.1: unreachable codes as errors; net/host/proto/port are hard. */
static int icmp_err_convert(u8 type, u8 code, bool *fatal)
{
	*fatal = false;
	if (type == ICMP_DEST_UNREACH) {
		static const struct { int err; bool fatal; } tab[] = {
			{ ENETUNREACH, false }, { EHOSTUNREACH, false }, { ENOPROTOOPT, true },
			{ ECONNREFUSED, true }, { EMSGSIZE, false }, { EOPNOTSUPP, false },
			{ ENETUNREACH, true }, { EHOSTDOWN, true }, { ENONET, true },
			{ ENETUNREACH, true }, { ENETUNREACH, true }, { ENETUNREACH, false },
			{ EHOSTUNREACH, false }, { EACCES, true }, { EHOSTUNREACH, true },
			{ EHOSTUNREACH, true },
		};
		if (code < ARRAY_SIZE(tab)) {
			*fatal = tab[code].fatal;
			return tab[code].err;
		}
		return EHOSTUNREACH;
	}
	if (type == ICMP_PARAMETERPROB) {
		*fatal = true;
		return EPROTO;
	}
	return EHOSTUNREACH; /* time exceeded: soft */
}

/* An error about a datagram we sent: tell its protocol (RFC 1122 3.2.2.1 "MUST pass"). */
static void icmp_unreach(struct net *net, struct sk_buff *skb, const struct icmp_repr *r)
{
	const u8 *in = skb->data + 8;
	u32 len = skb->len - 8, ihl;
	const struct net_protocol *prot;
	struct icmp_err e;

	/* the quoted header must be there, with 8 bytes of transport header (RFC 792) */
	if (len < sizeof(struct iphdr) || (in[0] >> 4) != 4) {
		ICMP_INC_STATS(net, ICMP_MIB_INERRORS);
		return;
	}
	ihl = (u32)(in[0] & 0xf) * 4;
	if (ihl < 20 || len < ihl + 8) {
		ICMP_INC_STATS(net, ICMP_MIB_INERRORS);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.type = r->type;
	e.code = r->code;
	e.err = icmp_err_convert(r->type, r->code, &e.fatal);
	e.info = r->type == ICMP_DEST_UNREACH && r->code == ICMP_FRAG_NEEDED ? (r->un & 0xffff) : 0;
	e.saddr = to_be32(rd_be32(in + 12));
	e.daddr = to_be32(rd_be32(in + 16));
	e.protocol = in[9];
	e.l4 = in + ihl;
	e.l4_len = len - ihl;
	/* only about datagrams we could have sent */
	if (inet_addr_type_dev(net, NULL, e.saddr) != RTN_LOCAL)
		return;
	prot = inet_get_protocol(e.protocol);
	if (prot && prot->err_handler)
		prot->err_handler(net, &e);
}

static int icmp_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	struct icmp_repr r;
	int err;
	TRACE_STEP(icmp_rcv, skb->id, skb->len ? skb->data[0] : 0, skb->len > 1 ? skb->data[1] : 0);

	ICMP_INC_STATS(net, ICMP_MIB_INMSGS);
	err = icmp_parse(skb->data, skb->len, &r);
	if (err) {
		if (err == -2)
			ICMP_INC_STATS(net, ICMP_MIB_INCSUMERRORS);
		ICMP_INC_STATS(net, ICMP_MIB_INERRORS);
		kfree_skb_reason(skb, err == -2 ? SKB_DROP_CSUM : SKB_DROP_PKT_TOO_SMALL);
		return 0;
	}
	net->mib.icmp_in_type[r.type]++;
	switch (r.type) {
	case ICMP_ECHO:
		icmp_echo(net, skb, &r);
		break;
	case ICMP_ECHOREPLY:
		ping_rcv(skb, &r);
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		/* errors about broadcasts are not trusted (RFC 1122 3.2.2) */
		if (!(IPCB(skb)->flags & IPSKB_BROADCAST))
			icmp_unreach(net, skb, &r);
		break;
	default: /* source quench (RFC 6633), redirects (hosts with one gateway), others */
		break;
	}
	consume_skb(skb);
	return 0;
}

static const struct net_protocol icmp_protocol = { .handler = icmp_rcv };

int icmp_net_init(struct net *net)
{
	spin_lock_init(&net->ipv4.icmp_lock);
	net->ipv4.icmp_lock.name = "icmp_lock";
	net->ipv4.icmp_tokens = (u64)ICMP_RATE_BURST * ICMP_COST_NS;
	net->ipv4.icmp_last_ns = ktime_get_ns();
	INIT_LIST_HEAD(&net->ipv4.ping_list);
	return 0;
}

int icmp_init(void) { return inet_add_protocol(&icmp_protocol, IPPROTO_ICMP); }
