/* UDP (RFC 768, RFC 1122 4.1; Linux net/ipv4/udp.c).
 *
 * receive (NET_RX softirq): ip_local_deliver -> udp_rcv(): length and checksum (a zero
 *   checksum means "none", RFC 768), demultiplex to the best-matching socket
 *   (__udp4_lib_lookup: exact peer > wildcard), or to every matching socket for a
 *   broadcast; no socket -> ICMP port unreachable (RFC 1122 4.1.3.1) -> udp_queue_rcv_skb()
 *   on a bounded queue -> sk_data_ready wakes the reader.
 * send (thread): udp_sendmsg() -> route, header, checksum -> ip_queue_xmit().
 * ICMP errors: icmp_unreach -> udp_err() sets the error of a connected socket.
 *
 * Table: net->ipv4.udp_socks under udp_lock (bh off), at most UDP_SOCK_MAX sockets. */
#include <net/icmp.h>
#include <net/net_namespace.h>
#include <net/udp.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/random.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>

#define UDP_MAX_PAYLOAD (IP_MAX_DATAGRAM - 20 - 8) /* 65507 */

/* What a queued datagram carries for udp_recvmsg, in skb->cb. */
struct udp_skb_cb {
	be32 saddr, daddr;
	u16 sport;
	int ifindex;
};
#define UDP_SKB_CB(skb) ((struct udp_skb_cb *)((skb)->cb))

int udp_parse(const u8 *b, size_t len, be32 saddr, be32 daddr, bool verify,
	      struct udp_repr *out)
{
	if (len < sizeof(struct udphdr))
		return -1;
	out->sport = rd_be16(b);
	out->dport = rd_be16(b + 2);
	out->len = rd_be16(b + 4);
	out->check = rd_be16(b + 6);
	if (out->len < sizeof(struct udphdr) || out->len > len)
		return -1;
	if (verify && out->check &&
	    csum_fold(csum_partial(b, out->len,
				   csum_tcpudp_nofold(saddr, daddr, out->len, IPPROTO_UDP, 0))) != 0)
		return -2;
	return out->len;
}

size_t udp_emit(const struct udp_repr *r, u8 *b, size_t cap, size_t payload_len,
		be32 saddr, be32 daddr)
{
	u32 len = (u32)(sizeof(struct udphdr) + payload_len);
	u16 check;

	if (cap < len || len > 0xffff)
		return 0;
	wr_be16(b, r->sport);
	wr_be16(b + 2, r->dport);
	wr_be16(b + 4, (u16)len);
	wr_be16(b + 6, 0);
	check = csum_fold(csum_partial(b, len, csum_tcpudp_nofold(saddr, daddr, len, IPPROTO_UDP, 0)));
	wr_be16(b + 6, check ? check : 0xffff);
	return sizeof(struct udphdr);
}

/* How well sk matches a datagram; -1 for not at all (Linux compute_score). */
static int udp_score(const struct sock *sk, be32 saddr, u16 sport, be32 daddr, u16 dport,
		     int ifindex)
{
	int score = 0;

	if (sk->dead || get_be16(sk->sport) != dport)
		return -1;
	if (sk->rcv_saddr.v) {
		if (!be32_eq(sk->rcv_saddr, daddr))
			return -1;
		score += 4;
	}
	if (sk->daddr.v) {
		if (!be32_eq(sk->daddr, saddr) || get_be16(sk->dport) != sport)
			return -1;
		score += 4;
	}
	if (sk->bound_dev_if) {
		if (sk->bound_dev_if != ifindex)
			return -1;
		score += 4;
	}
	return score;
}

static struct sock *__udp4_lib_lookup(struct net *net, be32 saddr, u16 sport, be32 daddr,
				      u16 dport, int ifindex)
{
	struct sock *sk, *best = NULL;
	int best_score = -1;

	list_for_each_entry(sk, &net->ipv4.udp_socks, node) {
		int s = udp_score(sk, saddr, sport, daddr, dport, ifindex);
		if (s > best_score) {
			best = sk;
			best_score = s;
		}
	}
	return best;
}

static int udp_queue_rcv_skb(struct sock *sk, struct sk_buff *skb)
{
	struct net *net = sk->net;
	TRACE_STEP(udp_queue_rcv_skb, skb->id, sk->id, skb_queue_len(&sk->receive_queue));

	if (sock_queue_rcv_skb(sk, skb)) {
		UDP_INC_STATS(net, UDP_MIB_RCVBUFERRORS);
		UDP_INC_STATS(net, UDP_MIB_INERRORS);
		kfree_skb_reason(skb, SKB_DROP_SOCKET_RCVBUFF);
		return -ENOBUFS;
	}
	UDP_INC_STATS(net, UDP_MIB_INDATAGRAMS);
	return 0;
}

static int udp_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	const u8 *nh = skb_network_header(skb);
	be32 saddr = to_be32(rd_be32(nh + 12)), daddr = to_be32(rd_be32(nh + 16));
	bool bcast = IPCB(skb)->flags & IPSKB_BROADCAST;
	struct udp_repr r;
	struct sock *sk;
	int ulen;
	TRACE_STEP(udp_rcv, skb->id, skb->len >= 2 ? rd_be16(skb->data) : 0,
		   skb->len >= 4 ? rd_be16(skb->data + 2) : 0);

	ulen = udp_parse(skb->data, skb->len, saddr, daddr, skb->ip_summed != CHECKSUM_UNNECESSARY,
			 &r);
	if (ulen < 0) {
		if (ulen == -2)
			UDP_INC_STATS(net, UDP_MIB_INCSUMERRORS);
		UDP_INC_STATS(net, UDP_MIB_INERRORS);
		kfree_skb_reason(skb, ulen == -2 ? SKB_DROP_CSUM : SKB_DROP_PKT_TOO_SMALL);
		return 0;
	}
	skb_trim(skb, (u32)ulen);
	skb_pull(skb, sizeof(struct udphdr));
	UDP_SKB_CB(skb)->saddr = saddr;
	UDP_SKB_CB(skb)->daddr = daddr;
	UDP_SKB_CB(skb)->sport = r.sport;
	UDP_SKB_CB(skb)->ifindex = skb->dev->ifindex;

	/* Sockets are found under the table lock and fed after it is dropped, so a
	 * sk_data_ready callback may use the socket API. They cannot go away meanwhile:
	 * udp_sock_release runs in a thread, which cannot run while this softirq does. */
	if (bcast) {
		/* every socket that matches gets a copy (Linux __udp4_lib_mcast_deliver) */
		struct sock *match[16];
		int nmatch = 0;

		spin_lock_bh(&net->ipv4.udp_lock);
		list_for_each_entry(sk, &net->ipv4.udp_socks, node) {
			/* a socket bound to one unicast address does not see broadcasts */
			be32 as = sk->rcv_saddr.v && !ipv4_is_lbcast(sk->rcv_saddr) ? daddr
										   : sk->rcv_saddr;
			if (udp_score(sk, saddr, r.sport, as, r.dport, skb->dev->ifindex) >= 0 &&
			    nmatch < (int)ARRAY_SIZE(match))
				match[nmatch++] = sk;
		}
		spin_unlock_bh(&net->ipv4.udp_lock);
		if (!nmatch) {
			UDP_INC_STATS(net, UDP_MIB_IGNOREDMULTI);
			consume_skb(skb);
			return 0;
		}
		for (int i = 0; i < nmatch - 1; i++) {
			struct sk_buff *c = skb_clone(skb);
			if (c)
				udp_queue_rcv_skb(match[i], c);
		}
		udp_queue_rcv_skb(match[nmatch - 1], skb);
		return 0;
	}
	spin_lock_bh(&net->ipv4.udp_lock);
	sk = __udp4_lib_lookup(net, saddr, r.sport, daddr, r.dport, skb->dev->ifindex);
	spin_unlock_bh(&net->ipv4.udp_lock);
	if (sk) {
		udp_queue_rcv_skb(sk, skb);
		return 0;
	}
	UDP_INC_STATS(net, UDP_MIB_NOPORTS);
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	kfree_skb_reason(skb, SKB_DROP_NO_SOCKET);
	return 0;
}

/* An ICMP error about a datagram a socket sent: a connected socket learns of hard errors
 * (Linux without IP_RECVERR); unconnected ones cannot tell which send it was. */
static void udp_err(struct net *net, const struct icmp_err *e)
{
	u16 sport = rd_be16(e->l4), dport = rd_be16(e->l4 + 2);
	struct sock *sk;

	spin_lock_bh(&net->ipv4.udp_lock);
	sk = __udp4_lib_lookup(net, e->daddr, dport, e->saddr, sport, 0);
	if (sk && (sk->state != SS_CONNECTED || !e->fatal))
		sk = NULL;
	if (sk)
		sk->err = e->err;
	spin_unlock_bh(&net->ipv4.udp_lock);
	if (sk) {
		trace_event(udp_err, 0, sk->id, e->err);
		sk->sk_error_report(sk);
	}
}

static const struct net_protocol udp_protocol = { .handler = udp_rcv, .err_handler = udp_err };

/* ---- the socket API ---- */
int udp_sock_create(struct net *net, struct sock **skp)
{
	struct sock *sk = kmalloc(sizeof(*sk));

	if (!sk)
		return -ENOMEM;
	sock_init_data(net, sk, IPPROTO_UDP);
	sk->rcvbuf = UDP_RMEM_DEFAULT;
	sk->rcvq_max = UDP_RCVQ_MAX;
	*skp = sk;
	return 0;
}

static bool port_in_use(struct net *net, be32 addr, u16 port, const struct sock *self)
{
	struct sock *sk;

	list_for_each_entry(sk, &net->ipv4.udp_socks, node)
		if (sk != self && get_be16(sk->sport) == port &&
		    (!sk->rcv_saddr.v || !addr.v || be32_eq(sk->rcv_saddr, addr)) &&
		    !(sk->reuseaddr && self->reuseaddr))
			return true;
	return false;
}

int udp_bind(struct sock *sk, be32 addr, u16 port)
{
	struct net *net = sk->net;
	int err = 0;

	if (sk->sport.v)
		return -EINVAL;
	if (addr.v && inet_addr_type_dev(net, NULL, addr) != RTN_LOCAL &&
	    !ipv4_is_lbcast(addr))
		return -EADDRNOTAVAIL;
	spin_lock_bh(&net->ipv4.udp_lock);
	if (net->ipv4.udp_count >= UDP_SOCK_MAX) {
		err = -EMFILE;
		goto out;
	}
	if (!port) {
		u32 range = INET_PORT_HIGH - INET_PORT_LOW + 1;
		u32 start = get_random_u32() % range;
		err = -EADDRINUSE;
		for (u32 i = 0; i < range; i++) {
			u16 p = (u16)(INET_PORT_LOW + (start + i) % range);
			if (!port_in_use(net, addr, p, sk)) {
				port = p;
				err = 0;
				break;
			}
		}
		if (err)
			goto out;
	} else if (port_in_use(net, addr, port, sk)) {
		err = -EADDRINUSE;
		goto out;
	}
	sk->rcv_saddr = addr;
	sk->sport = to_be16(port);
	list_add_tail(&sk->node, &net->ipv4.udp_socks);
	net->ipv4.udp_count++;
out:
	spin_unlock_bh(&net->ipv4.udp_lock);
	return err;
}

int udp_connect(struct sock *sk, be32 addr, u16 port)
{
	int err = 0;

	if (!port || ipv4_is_zeronet(addr))
		return -EINVAL;
	if (!sk->sport.v)
		err = udp_bind(sk, to_be32(0), 0);
	if (err)
		return err;
	local_bh_disable();
	sk->daddr = addr;
	sk->dport = to_be16(port);
	sk->state = SS_CONNECTED;
	local_bh_enable();
	return 0;
}

int udp_sendmsg(struct sock *sk, const void *buf, size_t len, be32 daddr, u16 dport)
{
	struct net *net = sk->net;
	struct flowi4 fl = { .oif = sk->bound_dev_if, .saddr = sk->rcv_saddr, .proto = IPPROTO_UDP,
			     .ttl = sk->ttl, .tos = sk->tos,
			     .flags = sk->broadcast ? FLOWI_F_BROADCAST : 0 };
	struct udp_repr r;
	struct rtable rt;
	struct sk_buff *skb;
	int err;
	TRACE_STEP(udp_sendmsg, 0, len, dport);

	err = sock_error(sk);
	if (err)
		return err;
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (!daddr.v && !dport) {
		if (sk->state != SS_CONNECTED)
			return -EDESTADDRREQ;
		daddr = sk->daddr;
		dport = get_be16(sk->dport);
	}
	if (!dport)
		return -EINVAL;
	if (!sk->sport.v && (err = udp_bind(sk, to_be32(0), 0)))
		return err;
	fl.daddr = daddr;
	if (ipv4_is_lbcast(fl.saddr)) /* bound to the broadcast address to receive it */
		fl.saddr = to_be32(0);
	err = ip_route_output(net, &fl, &rt);
	if (err) {
		IP_INC_STATS(net, IPSTATS_MIB_OUTNOROUTES);
		return err;
	}
	skb = alloc_skb(MAX_HEADER + sizeof(struct udphdr) + (u32)len);
	if (!skb) {
		UDP_INC_STATS(net, UDP_MIB_SNDBUFERRORS);
		return -ENOBUFS;
	}
	skb_reserve(skb, MAX_HEADER);
	skb_put(skb, (u32)(sizeof(struct udphdr) + len));
	memcpy(skb->data + sizeof(struct udphdr), buf, len);
	r.sport = get_be16(sk->sport);
	r.dport = dport;
	udp_emit(&r, skb->data, skb->len, len, fl.saddr, daddr);
	skb_reset_transport_header(skb);
	err = ip_queue_xmit(net, skb, &fl, &rt);
	if (err) {
		if (err == -ENOBUFS)
			UDP_INC_STATS(net, UDP_MIB_SNDBUFERRORS);
		return err;
	}
	UDP_INC_STATS(net, UDP_MIB_OUTDATAGRAMS);
	return (int)len;
}

int udp_recvmsg(struct sock *sk, void *buf, size_t len, struct udp_rx_info *info, int flags,
		u64 deadline_ns)
{
	for (;;) {
		struct sk_buff *skb;
		int err;

		local_bh_disable();
		skb = skb_dequeue(&sk->receive_queue);
		if (skb)
			sk->rmem_alloc -= skb->truesize;
		local_bh_enable();
		if (skb) {
			u32 n = skb->len < len ? skb->len : (u32)len;
			TRACE_STEP(udp_recvmsg, skb->id, sk->id, n);

			memcpy(buf, skb->data, n);
			if (info) {
				info->saddr = UDP_SKB_CB(skb)->saddr;
				info->daddr = UDP_SKB_CB(skb)->daddr;
				info->sport = UDP_SKB_CB(skb)->sport;
				info->ifindex = UDP_SKB_CB(skb)->ifindex;
				info->truncated = skb->len > len;
			}
			consume_skb(skb);
			return (int)n;
		}
		err = sock_error(sk);
		if (err)
			return err;
		if (flags & MSG_DONTWAIT)
			return -EAGAIN;
		if (!wait_event_deadline(&sk->wq, !skb_queue_empty(&sk->receive_queue) ||
						  READ_ONCE(sk->err) || sk->dead,
					 deadline_ns) &&
		    skb_queue_empty(&sk->receive_queue))
			return READ_ONCE(sk->err) ? sock_error(sk) : -EAGAIN;
	}
}

void udp_sock_release(struct sock *sk)
{
	struct net *net;

	if (!sk)
		return;
	net = sk->net;
	spin_lock_bh(&net->ipv4.udp_lock);
	if (sk->sport.v) {
		list_del(&sk->node);
		net->ipv4.udp_count--;
	}
	sk->dead = true;
	spin_unlock_bh(&net->ipv4.udp_lock);
	skb_queue_purge(&sk->receive_queue);
	kfree(sk);
}

int udp_net_init(struct net *net)
{
	spin_lock_init(&net->ipv4.udp_lock);
	net->ipv4.udp_lock.name = "udp_lock";
	INIT_LIST_HEAD(&net->ipv4.udp_socks);
	return 0;
}

void udp_net_exit(struct net *net) { WARN_ON(!list_empty(&net->ipv4.udp_socks)); }

int udp_init(void) { return inet_add_protocol(&udp_protocol, IPPROTO_UDP); }
