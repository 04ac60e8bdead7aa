/* Listeners, half-open connections and TIME_WAIT (Linux net/ipv4/tcp_minisocks.c,
 * inet_connection_sock.c, syncookies.c).
 *
 * A SYN to a listener: tcp_rcv_state_process(LISTEN) -> tcp_conn_request() keeps a small
 * tcp_request_sock on the SYN queue (or, when that is full, keeps nothing and answers
 * with a SYN cookie, RFC 4987 3.6) and sends the SYN-ACK. The handshake's ACK:
 * tcp_v4_do_rcv -> tcp_v4_hnd_req() -> tcp_check_req() | cookie_v4_check() ->
 * tcp_v4_syn_recv_sock() creates the child, on the accept queue, in SYN_RECV; then
 * tcp_child_process() runs the ACK through tcp_rcv_state_process(), which makes it
 * ESTABLISHED and wakes accept(). Both queues are bounded by the listen backlog.
 *
 * SYN-ACKs are resent by the listener's keepalive timer (tcp_synack_timer). TIME_WAIT
 * sockets stay full sockets with their queues emptied (tcp_timewait_state_process). All
 * of this runs in softirq with the listener's lock held, or in its owner's release_sock. */
#include <net/net_namespace.h>
#include <net/tcp.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/string.h>
#include <seqos/trace.h>

static void req_init_from_syn(struct tcp_sock *lp, struct tcp_request_sock *req,
			      const struct sk_buff *skb, const struct tcp_repr *th)
{
	memset(req, 0, sizeof(*req));
	req->laddr = tcp_skb_daddr(skb);
	req->raddr = tcp_skb_saddr(skb);
	req->lport = th->dport;
	req->rport = th->sport;
	req->id = skb->id;
	/* MSS 0 is no MSS (Linux); the default applies (RFC 9293 3.7.1) */
	req->mss = (th->opts & TCPOPT_F_MSS) && th->mss ? th->mss : TCP_DEFAULT_MSS;
	if (lp->user_mss && lp->user_mss < req->mss)
		req->mss = lp->user_mss;
	req->wscale_ok = th->opts & TCPOPT_F_WSCALE;
	/* RFC 7323 2.3: a shift above 14 is logged and used as 14 */
	req->snd_wscale = th->wscale > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : th->wscale;
	if (th->wscale > TCP_MAX_WSCALE && req->wscale_ok)
		NET_INC_STATS(tcp_net(lp), LINUX_MIB_TCPOPTIONERRORS);
	req->sack_ok = th->opts & TCPOPT_F_SACK_PERM;
	req->tstamp_ok = th->opts & TCPOPT_F_TS;
	req->ts_recent = th->tsval;
	req->ts_off = secure_tcp_ts_off(req->laddr, req->raddr);
}

/* Route back to the peer and the window we offer: fills advmss, rcv_wnd and rcv_wscale. */
static int req_route(struct tcp_sock *lp, struct tcp_request_sock *req)
{
	struct flowi4 fl = { .oif = lp->sk.bound_dev_if, .daddr = req->raddr,
			     .saddr = req->laddr, .proto = IPPROTO_TCP };
	struct rtable rt;
	u32 clamp;

	if (ip_route_output(tcp_net(lp), &fl, &rt) ||
	    (rt.type != RTN_UNICAST && rt.type != RTN_LOCAL)) /* LOCAL: over loopback */
		return -ENETUNREACH;
	req->advmss = (u16)(rt.mtu - 40);
	if (lp->user_mss && lp->user_mss < req->advmss)
		req->advmss = lp->user_mss;
	tcp_select_initial_window(lp->sk.rcvbuf, req->advmss, req->wscale_ok, &req->rcv_wnd,
				  &clamp, &req->rcv_wscale);
	return 0;
}

void tcp_synack_timer_arm(struct tcp_sock *lp)
{
	struct tcp_request_sock *req;
	u64 next = ~0ULL;

	list_for_each_entry(req, &lp->syn_queue, node)
		if (next == ~0ULL || time_before(req->expires, next))
			next = req->expires;
	if (next != ~0ULL)
		sk_reset_timer(&lp->sk, &lp->keepalive_timer, next);
	else
		sk_stop_timer(&lp->sk, &lp->keepalive_timer);
}

static void req_free(struct tcp_sock *lp, struct tcp_request_sock *req)
{
	list_del(&req->node);
	lp->syn_qlen--;
	kfree(req);
}

/* A SYN to a listener (RFC 9293 3.10.7.2): remember it on the SYN queue, or encode it in
 * a cookie when the queue is full, and answer with SYN-ACK. Consumes skb. */
int tcp_conn_request(struct tcp_sock *lp, struct sk_buff *skb, const struct tcp_repr *th)
{
	struct net *net = tcp_net(lp);
	struct tcp_request_sock tmp, *req = &tmp;
	bool want_cookie = false;
	TRACE_STEP(tcp_conn_request, skb->id, lp->sk.id, lp->syn_qlen);

	{ /* RFC 1122 4.2.3.10: not from a broadcast or multicast source */
		be32 src = tcp_skb_saddr(skb);
		if (ipv4_is_multicast(src) || ipv4_is_lbcast(src) || ipv4_is_zeronet(src) ||
		    inet_addr_type_dev(net, NULL, src) == RTN_BROADCAST)
			goto drop;
	}
	if (lp->accept_qlen >= lp->max_backlog) {
		NET_INC_STATS(net, LINUX_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	if (lp->syn_qlen >= lp->max_backlog) {
		if (!TCP_SYNCOOKIES) {
			NET_INC_STATS(net, LINUX_MIB_TCPREQQFULLDROP);
			goto drop;
		}
		want_cookie = true;
		NET_INC_STATS(net, LINUX_MIB_TCPREQQFULLDOCOOKIES);
	}
	req_init_from_syn(lp, req, skb, th);
	/* a cookie without timestamps has nowhere to keep window scale and SACK */
	if (want_cookie && !req->tstamp_ok)
		req->wscale_ok = req->sack_ok = false;
	if (req_route(lp, req))
		goto drop;
	req->irs = th->seq;
	if (want_cookie) {
		req->iss = __cookie_v4_init_sequence(req->raddr, req->laddr, req->rport,
						     req->lport, req->irs, &req->mss);
		NET_INC_STATS(net, LINUX_MIB_SYNCOOKIESSENT);
	} else {
		u32 isn = TCP_SKB_CB(skb)->tw_isn;

		req->iss = isn ? isn
			       : secure_tcp_seq(req->laddr, req->raddr, req->lport, req->rport);
		req = kmalloc(sizeof(*req));
		if (!req)
			goto drop;
		*req = tmp;
		req->expires = jiffies + msecs_to_jiffies(TCP_TIMEOUT_INIT_MS);
		list_add_tail(&req->node, &lp->syn_queue);
		lp->syn_qlen++;
		tcp_synack_timer_arm(lp);
	}
	tcp_send_synack(lp, req, want_cookie);
	consume_skb(skb);
	return 0;
drop:
	NET_INC_STATS(net, LINUX_MIB_LISTENDROPS);
	kfree_skb_reason(skb, SKB_DROP_QUEUE_FULL);
	return 0;
}

/* Makes the established-to-be child of a listener from what the handshake agreed. */
static struct tcp_sock *tcp_v4_syn_recv_sock(struct tcp_sock *lp,
					     const struct tcp_request_sock *req,
					     struct sk_buff *skb)
{
	struct net *net = tcp_net(lp);
	struct tcp_sock *c;
	struct sock *sk;
	struct rtable rt;
	TRACE_STEP(tcp_v4_syn_recv_sock, skb->id, lp->sk.id, 0);

	c = tcp_sock_alloc(net);
	if (!c)
		return NULL;
	sk = &c->sk;
	/* what the listener's user set */
	sk->reuseaddr = lp->sk.reuseaddr;
	sk->bound_dev_if = lp->sk.bound_dev_if;
	sk->ttl = lp->sk.ttl;
	sk->tos = lp->sk.tos;
	sk->rcvbuf = lp->sk.rcvbuf;
	sk->sndbuf = lp->sk.sndbuf;
	c->nodelay = lp->nodelay;
	c->keepalive = lp->keepalive;
	c->keepalive_time_s = lp->keepalive_time_s;
	c->keepalive_intvl_s = lp->keepalive_intvl_s;
	c->keepalive_probes = lp->keepalive_probes;
	c->user_mss = lp->user_mss;
	c->user_timeout_ms = lp->user_timeout_ms;
	c->linger = lp->linger;
	c->linger_s = lp->linger_s;
	c->ca_ops = lp->ca_ops;
	/* the connection */
	sk->rcv_saddr = req->laddr;
	sk->daddr = req->raddr;
	sk->sport = to_be16(req->lport);
	sk->dport = to_be16(req->rport);
	c->iss = req->iss;
	c->snd_una = c->snd_nxt = c->write_seq = req->iss + 1;
	c->irs = req->irs;
	c->rcv_nxt = c->rcv_wup = c->copied_seq = req->irs + 1;
	c->snd_wl1 = req->irs;
	c->snd_wl2 = req->iss;
	c->wscale_ok = req->wscale_ok;
	c->snd_wscale = req->wscale_ok ? req->snd_wscale : 0;
	c->rcv_wscale = req->wscale_ok ? req->rcv_wscale : 0;
	c->sack_ok = req->sack_ok;
	c->tstamp_ok = req->tstamp_ok;
	c->ts_recent = req->ts_recent;
	c->ts_recent_stamp = ktime_get_ns() / NSEC_PER_SEC;
	c->ts_off = req->ts_off;
	c->tcp_header_len = (u8)(sizeof(struct tcphdr) + (c->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0));
	c->rcv_wnd = req->rcv_wnd;
	c->mss_clamp = req->mss;
	c->advmss = req->advmss;
	c->high_seq = c->snd_una;
	if (tcp_route(c, &rt)) {
		tcp_set_state(c, TCP_CLOSE);
		tcp_destroy_sock(c);
		sock_put(sk);
		return NULL;
	}
	{
		u32 wnd;
		u8 ws;
		tcp_select_initial_window(sk->rcvbuf, c->advmss, c->wscale_ok, &wnd,
					  &c->window_clamp, &ws);
	}
	tcp_sync_mss(c, rt.mtu);
	c->rcv_mss = (u16)MIN(c->advmss, TCP_DEFAULT_MSS);
	tcp_set_state(c, TCP_SYN_RECV);
	spin_lock_bh(&net->tcp->lock);
	c->bound = true;
	list_add_tail(&c->bind_node, &net->tcp->bound);
	spin_unlock_bh(&net->tcp->lock);
	tcp_hash(c);
	c->parent = lp;
	list_add_tail(&c->accept_node, &lp->accept_queue);
	lp->accept_qlen++;
	TCP_INC_STATS(net, TCP_MIB_PASSIVEOPENS);
	return c;
}

static struct tcp_sock *cookie_v4_check(struct tcp_sock *lp, struct sk_buff *skb,
					const struct tcp_repr *th);

/* A segment for a half-open connection (RFC 9293 3.10.7.4, SYN-RECEIVED): the ACK that
 * completes it makes the child; a repeated SYN is answered again; a reset at the
 * expected sequence number drops it. Returns the child, or NULL (skb consumed). */
static struct tcp_sock *tcp_check_req(struct tcp_sock *lp, struct tcp_request_sock *req,
				      struct sk_buff *skb, const struct tcp_repr *th)
{
	struct net *net = tcp_net(lp);
	struct tcp_sock *child;
	u8 flg = th->flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST);
	TRACE_STEP(tcp_check_req, skb->id, lp->sk.id, 0);

	if (flg == TCPHDR_SYN && th->seq == req->irs) { /* our SYN-ACK was lost */
		tcp_send_synack(lp, req, false);
		goto drop;
	}
	if (!between(th->seq, req->irs + 1, req->irs + 1 + req->rcv_wnd))
		goto drop;
	if (flg & TCPHDR_RST) {
		if (th->seq == req->irs + 1) { /* RFC 5961 3.2: only the exact one */
			NET_INC_STATS(net, LINUX_MIB_EMBRYONICRSTS);
			req_free(lp, req);
			tcp_synack_timer_arm(lp);
		}
		goto drop;
	}
	if (flg != TCPHDR_ACK)
		goto drop;
	if (th->ack_seq != req->iss + 1) {
		/* The SYN came twice: the first found the SYN queue full and got a cookie, the
		 * second this request; the peer took the cookie's SYN-ACK, and its ACK still
		 * makes the connection. */
		if (TCP_SYNCOOKIES && flg == TCPHDR_ACK) {
			child = cookie_v4_check(lp, skb, th);
			if (child != lp) {
				if (child) {
					req_free(lp, req);
					tcp_synack_timer_arm(lp);
				}
				return child;
			}
		}
		tcp_v4_send_reset(net, th, tcp_skb_saddr(skb), tcp_skb_daddr(skb), skb->id);
		goto drop;
	}
	if (req->tstamp_ok && (th->opts & TCPOPT_F_TS) && (s32)(th->tsval - req->ts_recent) < 0)
		goto drop; /* PAWS (RFC 7323 5.3) */
	if (lp->accept_qlen >= lp->max_backlog) { /* the peer will retransmit */
		NET_INC_STATS(net, LINUX_MIB_LISTENOVERFLOWS);
		NET_INC_STATS(net, LINUX_MIB_LISTENDROPS);
		goto drop;
	}
	if (th->opts & TCPOPT_F_TS)
		req->ts_recent = th->tsval;
	child = tcp_v4_syn_recv_sock(lp, req, skb);
	if (!child) {
		NET_INC_STATS(net, LINUX_MIB_LISTENDROPS);
		goto drop;
	}
	req_free(lp, req);
	tcp_synack_timer_arm(lp);
	return child;
drop:
	kfree_skb_reason(skb, SKB_DROP_NOT_SPECIFIED);
	return NULL;
}

/* The ACK of a SYN-ACK we sent as a cookie (RFC 4987 3.6): valid cookies rebuild the
 * request from the sequence numbers (and TSecr). Returns the child, NULL (consumed), or
 * lp when the cookie is not valid (the listener then answers with a reset). */
static struct tcp_sock *cookie_v4_check(struct tcp_sock *lp, struct sk_buff *skb,
					const struct tcp_repr *th)
{
	struct net *net = tcp_net(lp);
	struct tcp_request_sock req;
	struct tcp_sock *child;
	int mss;

	req_init_from_syn(lp, &req, skb, th);
	mss = __cookie_v4_check(req.raddr, req.laddr, req.rport, req.lport, th->seq - 1,
				th->ack_seq - 1);
	if (!mss) {
		NET_INC_STATS(net, LINUX_MIB_SYNCOOKIESFAILED);
		return lp;
	}
	NET_INC_STATS(net, LINUX_MIB_SYNCOOKIESRECV);
	req.mss = (u16)mss;
	req.irs = th->seq - 1;
	req.iss = th->ack_seq - 1;
	req.tstamp_ok = th->opts & TCPOPT_F_TS;
	req.wscale_ok = req.sack_ok = false;
	if (req.tstamp_ok && !cookie_ts_decode(th->tsecr, &req.wscale_ok, &req.snd_wscale,
					       &req.sack_ok)) {
		NET_INC_STATS(net, LINUX_MIB_SYNCOOKIESFAILED);
		return lp;
	}
	if (req_route(lp, &req) || lp->accept_qlen >= lp->max_backlog) {
		if (lp->accept_qlen >= lp->max_backlog)
			NET_INC_STATS(net, LINUX_MIB_LISTENOVERFLOWS);
		NET_INC_STATS(net, LINUX_MIB_LISTENDROPS);
		kfree_skb_reason(skb, SKB_DROP_QUEUE_FULL);
		return NULL;
	}
	child = tcp_v4_syn_recv_sock(lp, &req, skb);
	if (!child)
		kfree_skb_reason(skb, SKB_DROP_NOMEM);
	return child;
}

struct tcp_sock *tcp_v4_hnd_req(struct tcp_sock *lp, struct sk_buff *skb,
				const struct tcp_repr *th)
{
	be32 saddr = tcp_skb_saddr(skb), daddr = tcp_skb_daddr(skb);
	struct tcp_request_sock *req;

	list_for_each_entry(req, &lp->syn_queue, node)
		if (req->rport == th->sport && be32_eq(req->raddr, saddr) &&
		    be32_eq(req->laddr, daddr))
			return tcp_check_req(lp, req, skb, th);
	if (TCP_SYNCOOKIES && (th->flags & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_ACK)) == TCPHDR_ACK)
		return cookie_v4_check(lp, skb, th);
	return lp;
}

int tcp_child_process(struct tcp_sock *lp, struct tcp_sock *child, struct sk_buff *skb,
		      const struct tcp_repr *th)
{
	struct sock *sk = &child->sk;

	sock_hold(sk);
	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		if (sk_add_backlog(sk, skb, sk->rcvbuf + sk->sndbuf))
			kfree_skb_reason(skb, SKB_DROP_SOCKET_RCVBUFF);
	} else if (tcp_rcv_state_process(child, skb, th)) {
		tcp_v4_send_reset(sk->net, th, tcp_skb_saddr(skb), tcp_skb_daddr(skb), skb->id);
		kfree_skb_reason(skb, SKB_DROP_NOT_SPECIFIED);
	}
	bh_unlock_sock(sk);
	sock_put(sk);
	return 0;
}

/* The listener's keepalive timer: resends SYN-ACKs whose time came (1 s, doubling) and
 * forgets half-open connections after TCP_SYNACK_RETRIES. */
void tcp_synack_timer(struct tcp_sock *lp)
{
	struct tcp_request_sock *req, *n;
	struct net *net = tcp_net(lp);
	TRACE_STEP(tcp_synack_timer, 0, lp->sk.id, lp->syn_qlen);

	list_for_each_entry_safe(req, n, &lp->syn_queue, node) {
		if (time_before(jiffies, req->expires))
			continue;
		if (req->retrans >= TCP_SYNACK_RETRIES) {
			req_free(lp, req);
			continue;
		}
		req->retrans++;
		tcp_send_synack(lp, req, false);
		NET_INC_STATS(net, LINUX_MIB_TCPSYNRETRANS);
		TCP_INC_STATS(net, TCP_MIB_RETRANSSEGS);
		req->expires = jiffies + msecs_to_jiffies(MIN((u64)TCP_TIMEOUT_INIT_MS << req->retrans,
							      (u64)TCP_RTO_MAX_MS));
	}
	tcp_synack_timer_arm(lp);
}

/* Closing a listener: half-open connections are forgotten, established children nobody
 * accepted are reset (Linux inet_csk_listen_stop). Listener owned, bottom halves on. */
void inet_csk_listen_stop(struct tcp_sock *lp)
{
	struct tcp_request_sock *req, *rn;

	local_bh_disable();
	list_for_each_entry_safe(req, rn, &lp->syn_queue, node)
		req_free(lp, req);
	sk_stop_timer(&lp->sk, &lp->keepalive_timer);
	while (!list_empty(&lp->accept_queue)) {
		struct tcp_sock *c = list_first_entry(&lp->accept_queue, struct tcp_sock, accept_node);

		list_del(&c->accept_node);
		lp->accept_qlen--;
		c->parent = NULL;
		bh_lock_sock(&c->sk);
		tcp_orphan(c);
		if (c->sk.state != TCP_CLOSE) {
			NET_INC_STATS(tcp_net(c), LINUX_MIB_TCPABORTONCLOSE);
			tcp_send_active_reset(c);
			tcp_done(c);
		} else {
			tcp_destroy_sock(c);
		}
		bh_unlock_sock(&c->sk);
		sock_put(&c->sk); /* the accept queue's reference */
	}
	local_bh_enable();
}

/* A segment for a connection in TIME_WAIT (RFC 9293 3.10.7.4): the peer's FIN again is
 * acknowledged and restarts the 2 MSL wait; an exact reset ends it; anything else with
 * data or a SYN gets an ACK (RFC 5961 4.2: a challenge, for a SYN). Consumes skb. */
int tcp_timewait_state_process(struct tcp_sock *tp, struct sk_buff *skb,
			       const struct tcp_repr *th)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	if (th->flags & TCPHDR_RST) {
		if (cb->seq == tp->rcv_nxt)
			tcp_done(tp);
		goto drop;
	}
	if (tp->tstamp_ok && (th->opts & TCPOPT_F_TS) && (s32)(th->tsval - tp->ts_recent) < 0) {
		NET_INC_STATS(tcp_net(tp), LINUX_MIB_PAWSESTABREJECTED);
		tcp_send_ack(tp);
		goto drop;
	}
	if (th->flags & TCPHDR_SYN) {
		tcp_send_challenge_ack(tp);
		goto drop;
	}
	if ((th->flags & TCPHDR_FIN) && cb->end_seq == tp->rcv_nxt) {
		if (th->opts & TCPOPT_F_TS)
			tp->ts_recent = th->tsval;
		tcp_send_ack(tp);
		tcp_reset_keepalive_timer(tp, TCP_TIMEWAIT_LEN_MS);
		goto drop;
	}
	if (cb->end_seq != cb->seq)
		tcp_send_ack(tp);
drop:
	consume_skb(skb);
	return 0;
}
