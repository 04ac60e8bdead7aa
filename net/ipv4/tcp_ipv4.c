/* TCP over IPv4: the entry from IP and the tables (Linux net/ipv4/tcp_ipv4.c,
 * inet_hashtables.c, inet_connection_sock.c).
 *
 * receive (NET_RX softirq): ip_local_deliver -> tcp_v4_rcv(): checksum and header
 *   (tcp_parse), demultiplex (connected sockets by 4-tuple first, then listeners), then
 *   either tcp_v4_do_rcv() at once, or, when a thread owns the socket (lock_sock), onto
 *   its backlog for release_sock() to run tcp_v4_do_rcv() in that thread. No socket: a
 *   reset (tcp_v4_send_reset, RFC 9293 3.10.7.1).
 * tcp_v4_do_rcv() -> tcp_rcv_established() | listener (tcp_minisocks.c) |
 *   tcp_rcv_state_process().
 * connect (thread): tcp_v4_connect() -> route, source port (RFC 6056), ISN (RFC 6528),
 *   tcp_connect() sends the SYN.
 * ICMP (softirq): icmp_unreach -> tcp_v4_err(): PMTU and errors, checked against the
 *   send window first (RFC 5927 4.1).
 *
 * Tables: per namespace (net->tcp), under net->tcp->lock with bottom halves off. */
#include <net/icmp.h>
#include <net/net_namespace.h>
#include <net/tcp.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/random.h>
#include <seqos/string.h>
#include <seqos/trace.h>

static u32 ehash_seed;

static u32 tcp_ehashfn(be32 laddr, u16 lport, be32 faddr, u16 fport)
{
	u32 h = laddr.v ^ (faddr.v * 0x9e3779b1u) ^ ((u32)lport << 16 | fport) ^ ehash_seed;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h & (TCP_EHASH_SIZE - 1);
}

static struct list_head *tcp_bucket(const struct tcp_sock *tp)
{
	const struct sock *sk = &tp->sk;

	return &tcp_net(tp)->tcp->ehash[tcp_ehashfn(sk->rcv_saddr, get_be16(sk->sport), sk->daddr,
						   get_be16(sk->dport))];
}

void tcp_hash(struct tcp_sock *tp)
{
	struct netns_tcp *t = tcp_net(tp)->tcp;

	spin_lock_bh(&t->lock);
	if (!tp->hashed) {
		list_add_tail(&tp->hash_node, tcp_bucket(tp));
		tp->hashed = true;
	}
	spin_unlock_bh(&t->lock);
}

void tcp_listen_hash(struct tcp_sock *tp)
{
	struct netns_tcp *t = tcp_net(tp)->tcp;

	spin_lock_bh(&t->lock);
	if (!tp->hashed) {
		list_add_tail(&tp->hash_node, &t->listeners);
		tp->hashed = true;
	}
	spin_unlock_bh(&t->lock);
}

void tcp_unhash(struct tcp_sock *tp)
{
	struct netns_tcp *t = tcp_net(tp)->tcp;

	spin_lock_bh(&t->lock);
	if (tp->hashed) {
		list_del(&tp->hash_node);
		tp->hashed = false;
	}
	spin_unlock_bh(&t->lock);
}

/* The connected socket for a segment from faddr:fport to laddr:lport (table lock). */
static struct tcp_sock *__tcp_lookup_established(struct net *net, be32 faddr, u16 fport,
						 be32 laddr, u16 lport)
{
	struct list_head *b = &net->tcp->ehash[tcp_ehashfn(laddr, lport, faddr, fport)];
	struct tcp_sock *tp;

	list_for_each_entry(tp, b, hash_node) {
		const struct sock *sk = &tp->sk;
		if (be32_eq(sk->daddr, faddr) && be32_eq(sk->rcv_saddr, laddr) &&
		    get_be16(sk->dport) == fport && get_be16(sk->sport) == lport)
			return tp;
	}
	return NULL;
}

/* The best listener for laddr:lport: bound to the address beats the wildcard. */
static struct tcp_sock *__tcp_lookup_listener(struct net *net, be32 laddr, u16 lport,
					      int ifindex)
{
	struct tcp_sock *tp, *best = NULL;
	int best_score = -1;

	list_for_each_entry(tp, &net->tcp->listeners, hash_node) {
		const struct sock *sk = &tp->sk;
		int score = 0;

		if (get_be16(sk->sport) != lport)
			continue;
		if (sk->rcv_saddr.v) {
			if (!be32_eq(sk->rcv_saddr, laddr))
				continue;
			score += 2;
		}
		if (sk->bound_dev_if) {
			if (sk->bound_dev_if != ifindex)
				continue;
			score += 1;
		}
		if (score > best_score) {
			best = tp;
			best_score = score;
		}
	}
	return best;
}

/* ---- ports ---- */
static bool tcp_bind_conflict(const struct tcp_sock *tp, const struct tcp_sock *o, be32 addr)
{
	const struct sock *sk = &tp->sk, *osk = &o->sk;

	if (o == tp || (osk->rcv_saddr.v && addr.v && !be32_eq(osk->rcv_saddr, addr)))
		return false;
	/* SO_REUSEADDR: any socket but a listener may share the port (Linux semantics) */
	if (sk->reuseaddr && (osk->reuseaddr || osk->state == TCP_TIME_WAIT) &&
	    osk->state != TCP_LISTEN)
		return false;
	return true;
}

static bool port_taken(struct net *net, const struct tcp_sock *tp, be32 addr, u16 port)
{
	struct tcp_sock *o;

	list_for_each_entry(o, &net->tcp->bound, bind_node)
		if (get_be16(o->sk.sport) == port && tcp_bind_conflict(tp, o, addr))
			return true;
	return false;
}

static void bind_locked(struct tcp_sock *tp, be32 addr, u16 port, bool autobind)
{
	tp->sk.rcv_saddr = addr;
	tp->sk.sport = to_be16(port);
	tp->bound = true;
	tp->autobind = autobind;
	list_add_tail(&tp->bind_node, &tcp_net(tp)->tcp->bound);
}

int tcp_get_port(struct tcp_sock *tp, be32 addr, u16 port)
{
	struct net *net = tcp_net(tp);
	int err = 0;

	spin_lock_bh(&net->tcp->lock);
	if (tp->bound) {
		err = -EINVAL;
	} else if (port) {
		if (port_taken(net, tp, addr, port))
			err = -EADDRINUSE;
		else
			bind_locked(tp, addr, port, false);
	} else {
		u32 range = INET_PORT_HIGH - INET_PORT_LOW + 1, start = get_random_u32() % range;

		err = -EADDRINUSE;
		for (u32 i = 0; i < range; i++) {
			u16 p = (u16)(INET_PORT_LOW + (start + i) % range);
			if (!port_taken(net, tp, addr, p)) {
				bind_locked(tp, addr, p, false);
				err = 0;
				break;
			}
		}
	}
	spin_unlock_bh(&net->tcp->lock);
	return err;
}

void tcp_put_port(struct tcp_sock *tp)
{
	struct netns_tcp *t = tcp_net(tp)->tcp;

	spin_lock_bh(&t->lock);
	if (tp->bound) {
		list_del(&tp->bind_node);
		tp->bound = false;
	}
	spin_unlock_bh(&t->lock);
}

/* RFC 6191-style reuse of a pair in TIME_WAIT by a new active open: safe when the old
 * connection used timestamps and a second has passed, since PAWS then rejects its
 * segments (Linux tcp_twsk_unique with tcp_tw_reuse). */
static bool tcp_twsk_unique(struct tcp_sock *tp, struct tcp_sock *tw)
{
	if (tw->sk.state != TCP_TIME_WAIT || !tw->orphan || !tw->tstamp_ok ||
	    ktime_get_ns() / NSEC_PER_SEC <= tw->ts_recent_stamp + 1)
		return false;
	tp->write_seq = tw->snd_nxt + 65535 + 2;
	if (!tp->write_seq)
		tp->write_seq = 1;
	tp->ts_recent = tw->ts_recent;
	tp->ts_recent_stamp = tw->ts_recent_stamp;
	return true;
}

/* Chooses the local port of an active open (RFC 6056 3.3.3, algorithm 3): the search
 * starts at a keyed hash of the destination plus a counter; a port is free for this
 * destination unless a socket bound it explicitly or the same 4-tuple exists (a pair in
 * TIME_WAIT may be taken over, tcp_twsk_unique). Hashes the socket on success. */
static int inet_hash_connect(struct tcp_sock *tp)
{
	struct net *net = tcp_net(tp);
	struct sock *sk = &tp->sk;
	u32 range = INET_PORT_HIGH - INET_PORT_LOW + 1, offset;
	struct tcp_sock *tw_victim = NULL;
	int err = -EADDRNOTAVAIL;

	spin_lock_bh(&net->tcp->lock);
	if (tp->bound) { /* bound by the user: only the 4-tuple must be unique */
		struct tcp_sock *o = __tcp_lookup_established(net, sk->daddr, get_be16(sk->dport),
							      sk->rcv_saddr, get_be16(sk->sport));
		if (!o || tcp_twsk_unique(tp, o)) {
			tw_victim = o;
			err = 0;
		}
		goto out;
	}
	offset = secure_ipv4_port_ephemeral(sk->rcv_saddr, sk->daddr, get_be16(sk->dport)) +
		 net->tcp->port_offset_next;
	for (u32 i = 0; i < range && i < TCP_PORT_TRIES; i++) {
		u16 port = (u16)(INET_PORT_LOW + (offset + i) % range);
		struct tcp_sock *o;
		bool excl = false;

		list_for_each_entry(o, &net->tcp->bound, bind_node)
			if (get_be16(o->sk.sport) == port && !o->autobind) {
				excl = true;
				break;
			}
		if (excl)
			continue;
		o = __tcp_lookup_established(net, sk->daddr, get_be16(sk->dport), sk->rcv_saddr,
					     port);
		if (o && !tcp_twsk_unique(tp, o))
			continue;
		tw_victim = o;
		net->tcp->port_offset_next += i + 1;
		bind_locked(tp, sk->rcv_saddr, port, true);
		err = 0;
		break;
	}
out:
	if (!err) {
		list_add_tail(&tp->hash_node, tcp_bucket(tp));
		tp->hashed = true;
	}
	spin_unlock_bh(&net->tcp->lock);
	if (tw_victim) { /* the old TIME_WAIT pair makes way */
		NET_INC_STATS(net, LINUX_MIB_TIMEWAITRECYCLED);
		local_bh_disable();
		tcp_done(tw_victim);
		local_bh_enable();
	}
	return err;
}

int tcp_route(struct tcp_sock *tp, struct rtable *rt)
{
	struct sock *sk = &tp->sk;
	struct flowi4 fl = { .oif = sk->bound_dev_if, .daddr = sk->daddr, .saddr = sk->rcv_saddr,
			     .proto = IPPROTO_TCP };
	int err = ip_route_output(tcp_net(tp), &fl, rt);

	if (err)
		return err;
	if (rt->type == RTN_BROADCAST || ipv4_is_multicast(sk->daddr))
		return -ENETUNREACH; /* TCP is unicast (RFC 1122 4.2.3.10) */
	if (!sk->rcv_saddr.v)
		rt->saddr = fl.saddr;
	return 0;
}

int tcp_v4_connect(struct tcp_sock *tp, be32 daddr, u16 dport)
{
	struct sock *sk = &tp->sk;
	struct rtable rt;
	be32 old_saddr = sk->rcv_saddr;
	int err;

	if (!dport || ipv4_is_zeronet(daddr))
		return -EINVAL;
	sk->daddr = daddr;
	sk->dport = to_be16(dport);
	err = tcp_route(tp, &rt);
	if (err)
		goto fail;
	if (!sk->rcv_saddr.v)
		sk->rcv_saddr = rt.saddr;
	tp->pmtu = rt.mtu;
	tcp_set_state(tp, TCP_SYN_SENT);
	err = inet_hash_connect(tp);
	if (err) {
		tcp_set_state(tp, TCP_CLOSE);
		goto fail;
	}
	if (!tp->write_seq)
		tp->write_seq = secure_tcp_seq(sk->rcv_saddr, daddr, get_be16(sk->sport), dport);
	tp->ts_off = secure_tcp_ts_off(sk->rcv_saddr, daddr);
	err = tcp_connect(tp);
	if (err) {
		tcp_set_state(tp, TCP_CLOSE);
		goto fail;
	}
	return 0;
fail:
	sk->daddr = to_be32(0);
	sk->dport = to_be16(0);
	if (!tp->bound)
		sk->rcv_saddr = old_saddr;
	return err;
}

/* Sends a segment no socket keeps: replies to a segment that has no connection (RFC
 * 9293 3.10.7.1): with ACK set, <SEQ=SEG.ACK><CTL=RST>; without, <SEQ=0><ACK=SEG.SEQ +
 * SEG.LEN><CTL=RST,ACK>. Never in reply to a reset. saddr/daddr are the offending
 * segment's. */
void tcp_v4_send_reset(struct net *net, const struct tcp_repr *th, be32 saddr, be32 daddr,
		       u64 pkt_id)
{
	struct tcp_repr r = { .sport = th->dport, .dport = th->sport, .flags = TCPHDR_RST };
	struct flowi4 fl = { .daddr = saddr, .saddr = daddr, .proto = IPPROTO_TCP,
			     .flags = FLOWI_F_DF };
	struct sk_buff *skb;
	size_t hl;

	if (th->flags & TCPHDR_RST)
		return;
	/* never to a broadcast or multicast source (RFC 1122 4.2.3.10) */
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) || ipv4_is_zeronet(saddr) ||
	    inet_addr_type_dev(net, NULL, saddr) == RTN_BROADCAST)
		return;
	if (th->flags & TCPHDR_ACK) {
		r.seq = th->ack_seq;
	} else {
		r.ack_seq = th->seq + th->len + !!(th->flags & TCPHDR_SYN) +
			    !!(th->flags & TCPHDR_FIN);
		r.flags |= TCPHDR_ACK;
	}
	skb = alloc_skb(MAX_HEADER + sizeof(struct tcphdr));
	if (!skb)
		return;
	skb->parent_id = pkt_id;
	skb_reserve(skb, MAX_HEADER);
	hl = tcp_emit(&r, skb_put(skb, sizeof(struct tcphdr)), sizeof(struct tcphdr));
	tcp_v4_send_check(skb->data, (u32)hl, daddr, saddr);
	skb_reset_transport_header(skb);
	trace_event(tcp_v4_send_reset, skb->id, r.seq, r.ack_seq);
	TCP_INC_STATS(net, TCP_MIB_OUTSEGS);
	TCP_INC_STATS(net, TCP_MIB_OUTRSTS);
	ip_queue_xmit(net, skb, &fl, NULL);
}

/* The backlog limit (Linux: receive plus send buffer). */
static u32 tcp_backlog_limit(const struct sock *sk) { return sk->rcvbuf + sk->sndbuf; }

/* The connection, made since, of a segment that found only the listener: it waited on
 * the listener's backlog (the listener was owned) behind the ACK that made its connection
 * (Linux before 4.4: tcp_v4_hnd_req looked up established sockets after the SYN queue).
 * Not TIME_WAIT. Held, or NULL. */
static struct tcp_sock *tcp_v4_lookup_child(struct net *net, be32 saddr, u16 sport,
					    be32 daddr, u16 dport)
{
	struct tcp_sock *tp;

	spin_lock_bh(&net->tcp->lock);
	tp = __tcp_lookup_established(net, saddr, sport, daddr, dport);
	if (tp && tp->sk.state != TCP_TIME_WAIT)
		sock_hold(&tp->sk);
	else
		tp = NULL;
	spin_unlock_bh(&net->tcp->lock);
	return tp;
}

/* The segment in skb for sk (softirq with sk's lock, or its owner in release_sock):
 * re-reads the header (verified by tcp_v4_rcv) and runs the state's handler. Also the
 * socket's backlog_rcv. Consumes skb. */
int tcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	const u8 *nh = skb_network_header(skb);
	be32 saddr = to_be32(rd_be32(nh + 12)), daddr = to_be32(rd_be32(nh + 16));
	struct tcp_repr th;
	TRACE_STEP(tcp_v4_do_rcv, skb->id, sk->id, sk->state);

	if (tcp_parse(skb_transport_header(skb), cb->rx_hdr_len + skb->len, saddr, daddr, false,
		      &th) < 0) {
		kfree_skb_reason(skb, SKB_DROP_HDR_ERROR);
		return 0;
	}
	tp->segs_in++;
	if (sk->state == TCP_ESTABLISHED)
		return tcp_rcv_established(tp, skb, &th);
	if (sk->state == TCP_LISTEN) { /* a half-open connection's, or a cookie's ACK? */
		struct tcp_sock *nsk = tcp_v4_lookup_child(sk->net, saddr, th.sport, daddr, th.dport);

		if (nsk) {
			local_bh_disable();
			bh_lock_sock(&nsk->sk);
			if (!sock_owned_by_user(&nsk->sk))
				tcp_v4_do_rcv(&nsk->sk, skb);
			else if (sk_add_backlog(&nsk->sk, skb, tcp_backlog_limit(&nsk->sk)))
				kfree_skb_reason(skb, SKB_DROP_SOCKET_RCVBUFF);
			bh_unlock_sock(&nsk->sk);
			local_bh_enable();
			sock_put(&nsk->sk);
			return 0;
		}
		nsk = tcp_v4_hnd_req(tp, skb, &th);

		if (!nsk)
			return 0;
		if (nsk != tp)
			return tcp_child_process(tp, nsk, skb, &th);
	}
	if (tcp_rcv_state_process(tp, skb, &th)) {
		tcp_v4_send_reset(sk->net, &th, saddr, daddr, skb->id);
		kfree_skb_reason(skb, SKB_DROP_NOT_SPECIFIED);
	}
	return 0;
}

int tcp_v4_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	const u8 *nh = skb_network_header(skb);
	be32 saddr = to_be32(rd_be32(nh + 12)), daddr = to_be32(rd_be32(nh + 16));
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct tcp_sock *tp;
	struct tcp_repr th;
	int hl;
	TRACE_STEP(tcp_v4_rcv, skb->id, skb->len >= 2 ? rd_be16(skb->data) : 0,
		   skb->len >= 4 ? rd_be16(skb->data + 2) : 0);

	/* TCP is unicast only: no replies, not even resets, to broadcasts (RFC 1122
	 * 4.2.3.10) */
	if (IPCB(skb)->flags & IPSKB_BROADCAST) {
		kfree_skb_reason(skb, SKB_DROP_OTHERHOST);
		return 0;
	}
	hl = tcp_parse(skb->data, skb->len, saddr, daddr, skb->ip_summed != CHECKSUM_UNNECESSARY,
		       &th);
	if (hl < 0) {
		if (hl == TCP_PARSE_CSUM)
			TCP_INC_STATS(net, TCP_MIB_INCSUMERRORS);
		TCP_INC_STATS(net, TCP_MIB_INERRS);
		kfree_skb_reason(skb, hl == TCP_PARSE_CSUM ? SKB_DROP_CSUM : SKB_DROP_PKT_TOO_SMALL);
		return 0;
	}
	TCP_INC_STATS(net, TCP_MIB_INSEGS);
	if (th.opts & TCPOPT_F_BAD)
		NET_INC_STATS(net, LINUX_MIB_TCPOPTIONERRORS);
	memset(cb, 0, sizeof(*cb));
	cb->seq = th.seq;
	cb->end_seq = th.seq + th.len + !!(th.flags & TCPHDR_SYN) + !!(th.flags & TCPHDR_FIN);
	cb->ack_seq = th.ack_seq;
	cb->tcp_flags = th.flags;
	cb->when_ns = ktime_get_ns();
	cb->rx_hdr_len = (u16)hl;
	skb_pull(skb, (u32)hl);

lookup:
	spin_lock(&net->tcp->lock);
	tp = __tcp_lookup_established(net, saddr, th.sport, daddr, th.dport);
	if (!tp)
		tp = __tcp_lookup_listener(net, daddr, th.dport, IPCB(skb)->iif);
	if (tp)
		sock_hold(&tp->sk);
	spin_unlock(&net->tcp->lock);
	if (!tp) {
		tcp_v4_send_reset(net, &th, saddr, daddr, skb->id);
		kfree_skb_reason(skb, SKB_DROP_NO_SOCKET);
		return 0;
	}
	/* A SYN that may reopen a pair in TIME_WAIT (RFC 9293 3.10.7.4 note, RFC 6191):
	 * acceptable when it starts beyond the old connection, or its timestamp is newer;
	 * the old one goes and the SYN goes to the listener. */
	if (tp->sk.state == TCP_TIME_WAIT && tp->orphan &&
	    (th.flags & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_ACK)) == TCPHDR_SYN) {
		bool ok = tp->tstamp_ok && (th.opts & TCPOPT_F_TS)
				  ? (s32)(th.tsval - tp->ts_recent) > 0
				  : after(th.seq, tp->rcv_nxt);
		if (ok && !sock_owned_by_user(&tp->sk)) {
			u32 isn = tp->snd_nxt + 65535 + 2;

			bh_lock_sock(&tp->sk);
			tcp_done(tp);
			bh_unlock_sock(&tp->sk);
			sock_put(&tp->sk);
			cb->tw_isn = isn ? isn : 1;
			goto lookup;
		}
	}
	bh_lock_sock(&tp->sk);
	if (!sock_owned_by_user(&tp->sk)) {
		tcp_v4_do_rcv(&tp->sk, skb);
	} else if (sk_add_backlog(&tp->sk, skb, tcp_backlog_limit(&tp->sk))) {
		NET_INC_STATS(net, LINUX_MIB_TCPBACKLOGDROP);
		kfree_skb_reason(skb, SKB_DROP_SOCKET_RCVBUFF);
	}
	bh_unlock_sock(&tp->sk);
	sock_put(&tp->sk);
	return 0;
}

/* The path MTU fell (RFC 1191 via ICMP "fragmentation needed", mtu_info): a smaller
 * MSS, and what was sent too big goes again at the new size. */
void tcp_v4_mtu_reduced(struct tcp_sock *tp)
{
	u32 mtu = tp->mtu_info;

	if (!mtu || mtu >= tp->pmtu || tp->sk.state == TCP_LISTEN)
		return;
	tcp_sync_mss(tp, mtu);
	tcp_simple_retransmit(tp);
}

/* An ICMP error about a segment we sent (RFC 1122 4.2.3.9, RFC 5927). Only errors that
 * quote a sequence number in flight are believed (RFC 5927 4.1); "fragmentation needed"
 * lowers the path MTU (RFC 1191); hard errors abort a connection still in SYN_SENT, other
 * errors are kept as a soft error, reported if the connection later times out. */
void tcp_v4_err(struct net *net, const struct icmp_err *e)
{
	u16 lport = rd_be16(e->l4), rport = rd_be16(e->l4 + 2);
	u32 seq = rd_be32(e->l4 + 4);
	struct tcp_sock *tp;
	struct sock *sk;

	spin_lock_bh(&net->tcp->lock);
	tp = __tcp_lookup_established(net, e->daddr, rport, e->saddr, lport);
	if (tp)
		sock_hold(&tp->sk);
	spin_unlock_bh(&net->tcp->lock);
	if (!tp)
		return;
	sk = &tp->sk;
	local_bh_disable();
	bh_lock_sock(sk);
	trace_event(tcp_v4_err, 0, sk->id, e->err);
	if (sk->state == TCP_CLOSE || sk->state == TCP_TIME_WAIT)
		goto out;
	if (sk->state != TCP_SYN_SENT && !between(seq, tp->snd_una, tp->snd_nxt)) {
		NET_INC_STATS(net, LINUX_MIB_OUTOFWINDOWICMPS);
		goto out;
	}
	if (e->type == ICMP_DEST_UNREACH && e->code == ICMP_FRAG_NEEDED) {
		if (e->info < 68 || e->info >= tp->pmtu)
			goto out;
		tp->mtu_info = e->info;
		if (sock_owned_by_user(sk))
			tp->deferred |= TCP_MTU_REDUCED_DEFERRED;
		else
			tcp_v4_mtu_reduced(tp);
		goto out;
	}
	if (sock_owned_by_user(sk)) {
		NET_INC_STATS(net, LINUX_MIB_LOCKDROPPEDICMPS);
		tp->soft_err = e->err;
		goto out;
	}
	if ((sk->state == TCP_SYN_SENT || sk->state == TCP_SYN_RECV) && e->fatal) {
		TCP_INC_STATS(net, TCP_MIB_ATTEMPTFAILS);
		sk->err = e->err;
		sk->sk_error_report(sk);
		tcp_done(tp);
	} else {
		tp->soft_err = e->err;
	}
out:
	bh_unlock_sock(sk);
	local_bh_enable();
	sock_put(sk);
}

/* ---- per namespace and protocol registration ---- */
static int tcp_pernet_init(struct net *net)
{
	struct netns_tcp *t = kzalloc(sizeof(*t));

	if (!t)
		return -ENOMEM;
	spin_lock_init(&t->lock);
	t->lock.name = "tcp_hashinfo";
	for (int i = 0; i < TCP_EHASH_SIZE; i++)
		INIT_LIST_HEAD(&t->ehash[i]);
	INIT_LIST_HEAD(&t->listeners);
	INIT_LIST_HEAD(&t->bound);
	t->port_offset_next = get_random_u32();
	net->tcp = t;
	return 0;
}

static void tcp_pernet_exit(struct net *net)
{
	if (!net->tcp)
		return;
	if (net->tcp->nsocks)
		pr_warn("tcp: namespace %s goes with %u sockets open\n", net->name,
			net->tcp->nsocks);
	kfree(net->tcp);
	net->tcp = NULL;
}

static const struct net_protocol tcp_protocol = { .handler = tcp_v4_rcv,
						  .err_handler = tcp_v4_err };
static struct pernet_operations tcp_net_ops = { .init = tcp_pernet_init, .exit = tcp_pernet_exit };

int tcp_init(void)
{
	ehash_seed = get_random_u32();
	register_pernet_subsys(&tcp_net_ops);
	return inet_add_protocol(&tcp_protocol, IPPROTO_TCP);
}
