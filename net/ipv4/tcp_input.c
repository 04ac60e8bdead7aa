/* TCP input: called in the order ip_local_deliver() -> tcp_v4_rcv() -> tcp_v4_do_rcv() ->
 * tcp_rcv_established() | tcp_rcv_state_process() (Linux net/ipv4/tcp_input.c; RFC 9293
 * 3.10.7 "SEGMENT ARRIVES").
 *
 * tcp_rcv_established() first tries header prediction: an in-order segment with only an
 * ACK (and timestamps), the expected window and nothing unusual going on is handled with
 * the minimum of checks (a pure ACK straight to tcp_ack, data straight to the receive
 * queue). Everything else takes the slow path: tcp_validate_incoming() (PAWS, RFC 7323
 * 5; the sequence check; RST and SYN per RFC 5961), tcp_ack() (tcp_ack.c),
 * tcp_data_queue() (tcp_data.c), then "anything to send?" and "ACK now or later?".
 *
 * Runs in NET_RX softirq with the socket's lock, or in the owning thread from
 * release_sock(); never both at once. Every function here consumes the skb unless it
 * returns non-zero, which asks the caller to answer with a reset. */
#include <net/net_namespace.h>
#include <net/tcp.h>
#include <seqos/random.h>
#include <seqos/string.h>
#include <seqos/trace.h>

#define TCP_PAWS_24DAYS (60 * 60 * 24 * 24)
#define TCP_PAWS_WINDOW 1

static void tcp_drop(struct tcp_sock *tp, struct sk_buff *skb, int why)
{
	trace_event(tcp_drop, skb->id, tp->sk.id, why);
	kfree_skb_reason(skb, SKB_DROP_NOT_SPECIFIED);
}

/* Rate limit for ACKs sent in answer to out-of-window segments, per socket: one per
 * 500 ms (Linux tcp_oow_rate_limited), so two hosts cannot ping-pong ACKs forever. Data
 * segments are not limited: they are not part of such a loop. */
static bool tcp_oow_rate_limited(struct tcp_sock *tp, const struct sk_buff *skb, int mib)
{
	u64 now = ktime_get_ns();

	if (skb && TCP_SKB_CB(skb)->seq != TCP_SKB_CB(skb)->end_seq &&
	    !(TCP_SKB_CB(skb)->tcp_flags & TCPHDR_SYN))
		return false;
	if (tp->last_oow_ack_ns && now - tp->last_oow_ack_ns < 500 * NSEC_PER_MSEC) {
		NET_INC_STATS(tcp_net(tp), mib);
		return true;
	}
	tp->last_oow_ack_ns = now;
	return false;
}

/* RFC 5961 7: challenge ACKs, at most TCP_CHALLENGE_ACK_LIMIT per second and namespace
 * with the exact budget randomised each second (Linux, after CVE-2016-5696, so the count
 * reveals nothing to an off-path attacker), and one per 500 ms per socket. */
void tcp_send_challenge_ack(struct tcp_sock *tp)
{
	struct net *net = tcp_net(tp);
	struct netns_tcp *t = net->tcp;
	u64 now_s = ktime_get_ns() / NSEC_PER_SEC;

	if (tcp_oow_rate_limited(tp, NULL, LINUX_MIB_TCPACKSKIPPEDCHALLENGE)) {
		trace_event(tcp_challenge_ack, 0, tp->sk.id, 1);
		return;
	}
	if (now_s != t->challenge_stamp_s) {
		t->challenge_stamp_s = now_s;
		t->challenge_count = TCP_CHALLENGE_ACK_LIMIT / 2 +
				     get_random_u32() % TCP_CHALLENGE_ACK_LIMIT;
	}
	if (!t->challenge_count) {
		NET_INC_STATS(net, LINUX_MIB_TCPCHALLENGEACKLIMITED);
		trace_event(tcp_challenge_ack, 0, tp->sk.id, 1);
		return;
	}
	t->challenge_count--;
	tp->challenge_acks++;
	NET_INC_STATS(net, LINUX_MIB_TCPCHALLENGEACK);
	trace_event(tcp_challenge_ack, 0, tp->sk.id, 0);
	tcp_send_ack(tp);
}

/* An ACK for a segment we could not accept; a duplicate of data we have carries a D-SACK
 * for it (RFC 2883). */
static void tcp_send_dupack(struct tcp_sock *tp, const struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	if (cb->end_seq != cb->seq && before(cb->seq, tp->rcv_nxt)) {
		NET_INC_STATS(tcp_net(tp), LINUX_MIB_DELAYEDACKLOST);
		tcp_dsack_set(tp, cb->seq, after(cb->end_seq, tp->rcv_nxt) ? tp->rcv_nxt : cb->end_seq);
	}
	tcp_send_ack(tp);
}

/* RFC 7323 5.3 R1: a timestamp older than TS.Recent means an old duplicate, unless
 * TS.Recent itself is more than 24 days old (5.5). */
static bool tcp_paws_discard(const struct tcp_sock *tp, const struct tcp_repr *th)
{
	if (!tp->tstamp_ok || !(th->opts & TCPOPT_F_TS) || !tp->ts_recent_stamp)
		return false;
	if ((s32)(tp->ts_recent - th->tsval) <= TCP_PAWS_WINDOW)
		return false;
	return ktime_get_ns() / NSEC_PER_SEC < tp->ts_recent_stamp + TCP_PAWS_24DAYS;
}

/* RFC 7323 4.3: TS.Recent follows the segment that starts at or before Last.ACK.sent
 * (rcv_wup), so the echo reflects the segment that advanced the window. */
static void tcp_replace_ts_recent(struct tcp_sock *tp, const struct tcp_repr *th, u32 seq)
{
	if (tp->tstamp_ok && (th->opts & TCPOPT_F_TS) && !after(seq, tp->rcv_wup) &&
	    ((s32)(th->tsval - tp->ts_recent) >= 0 || !tp->ts_recent_stamp ||
	     ktime_get_ns() / NSEC_PER_SEC >= tp->ts_recent_stamp + TCP_PAWS_24DAYS)) {
		tp->ts_recent = th->tsval;
		tp->ts_recent_stamp = ktime_get_ns() / NSEC_PER_SEC;
	}
}

/* RFC 9293 3.10.7.4 "first, check sequence number", in Linux's form: the segment must
 * overlap [rcv_wup, rcv_nxt + receive window]; a segment at rcv_nxt passes even with a
 * zero window, so its ACK and RST are processed (RFC 9293 "special allowance"). */
static bool tcp_sequence(const struct tcp_sock *tp, u32 seq, u32 end_seq)
{
	return !before(end_seq, tp->rcv_wup) && !after(seq, tp->rcv_nxt + tcp_receive_window(tp));
}

/* The checks every segment of a synchronized connection passes before its ACK and data
 * are looked at. Returns false when the segment was consumed. */
static bool tcp_validate_incoming(struct tcp_sock *tp, struct sk_buff *skb,
				  const struct tcp_repr *th)
{
	struct net *net = tcp_net(tp);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	/* RFC 7323 5.3: resets are accepted whatever their timestamp */
	if (!(th->flags & TCPHDR_RST) && tcp_paws_discard(tp, th)) {
		NET_INC_STATS(net, LINUX_MIB_PAWSESTABREJECTED);
		if (!tcp_oow_rate_limited(tp, skb, LINUX_MIB_TCPACKSKIPPEDPAWS))
			tcp_send_dupack(tp, skb);
		tcp_drop(tp, skb, 1);
		return false;
	}
	if (!tcp_sequence(tp, cb->seq, cb->end_seq)) {
		if (!(th->flags & TCPHDR_RST)) { /* RFC 5961 3.2: out-of-window RST: silence */
			if (th->flags & TCPHDR_SYN)
				goto syn_challenge;
			if (!tcp_oow_rate_limited(tp, skb, LINUX_MIB_TCPACKSKIPPEDSEQ))
				tcp_send_dupack(tp, skb);
		}
		tcp_drop(tp, skb, 2);
		return false;
	}
	if (th->flags & TCPHDR_RST) {
		/* RFC 5961 3.2: only an exact match resets; in the window, challenge */
		if (cb->seq == tp->rcv_nxt)
			tcp_reset(tp);
		else
			tcp_send_challenge_ack(tp);
		tcp_drop(tp, skb, 3);
		return false;
	}
	if (th->flags & TCPHDR_SYN) {
		/* simultaneous open: the peer's SYN-ACK acknowledges ours (Linux lets it pass) */
		if (tp->sk.state == TCP_SYN_RECV && (th->flags & TCPHDR_ACK) &&
		    cb->seq + 1 == tp->rcv_nxt && cb->end_seq == tp->rcv_nxt &&
		    th->ack_seq == tp->snd_nxt)
			return true;
syn_challenge: /* RFC 5961 4.2: a SYN on a synchronized connection */
		TCP_INC_STATS(net, TCP_MIB_INERRS);
		NET_INC_STATS(net, LINUX_MIB_TCPSYNCHALLENGE);
		tcp_send_challenge_ack(tp);
		tcp_drop(tp, skb, 4);
		return false;
	}
	return true;
}

/* Sends what waits if the windows have opened (Linux tcp_data_snd_check). */
static void tcp_data_snd_check(struct tcp_sock *tp)
{
	if (tp->send_head && tcp_write_xmit(tp, 0))
		tcp_check_probe_timer(tp);
}

/* Congestion window and RTO at the start of data transfer (RFC 5681 3.1, RFC 6928,
 * RFC 6298 5.7). */
void tcp_init_transfer(struct tcp_sock *tp)
{
	u64 now = ktime_get_ns();

	tcp_init_cwnd(tp);
	if (tp->srtt_us)
		tcp_set_rto(tp);
	else if (tp->total_retrans) /* the handshake timed out once: 3 s (RFC 6298 5.7) */
		tp->rto_us = 3000000;
	tp->backoff = 0;
	tp->retransmits = 0;
	tp->retrans_stamp = 0;
	tp->lrcvtime = tp->rcv_tstamp = now;
	if (tp->keepalive)
		tcp_reset_keepalive_timer(tp, (u64)tp->keepalive_time_s * 1000);
}

static bool tcp_header_predicted(const struct tcp_sock *tp, const struct sk_buff *skb,
				 const struct tcp_repr *th)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	u8 opts = th->opts & (u8)~TCPOPT_F_BAD;

	return (th->flags & (u8)~TCPHDR_PSH) == TCPHDR_ACK && cb->seq == tp->rcv_nxt &&
	       (opts == 0 || (opts == TCPOPT_F_TS && tp->tstamp_ok &&
			      th->doff == sizeof(struct tcphdr) + TCPOLEN_TSTAMP_ALIGNED)) &&
	       !after(th->ack_seq, tp->snd_nxt) && !before(th->ack_seq, tp->snd_una) &&
	       ((u32)th->window << tp->snd_wscale) == tp->snd_wnd &&
	       skb_queue_empty(&tp->out_of_order_queue) && tp->rcv_wnd && !tp->dsack &&
	       tp->sk.rmem_alloc + skb->truesize <= tp->sk.rcvbuf &&
	       skb->len <= tcp_receive_window(tp) &&
	       (!(opts & TCPOPT_F_TS) || (s32)(th->tsval - tp->ts_recent) >= 0);
}

int tcp_rcv_established(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th)
{
	struct net *net = tcp_net(tp);
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	bool fast = tcp_header_predicted(tp, skb, th);
	TRACE_STEP(tcp_rcv_established, skb->id, tp->sk.id, fast);

	tp->saw_tstamp = th->opts & TCPOPT_F_TS;
	tp->rcv_tsecr = th->tsecr;
	if (fast) {
		tcp_replace_ts_recent(tp, th, cb->seq);
		if (!skb->len) { /* a pure ACK: Linux "Bulk data transfer: sender" */
			NET_INC_STATS(net, LINUX_MIB_TCPHPACKS);
			tcp_ack(tp, skb, th, 0);
			consume_skb(skb);
			tcp_data_snd_check(tp);
			return 0;
		}
		/* in-order data: "Bulk data transfer: receiver" */
		NET_INC_STATS(net, LINUX_MIB_TCPHPHITS);
		if (th->ack_seq != tp->snd_una) {
			tcp_ack(tp, skb, th, FLAG_DATA);
			tcp_data_snd_check(tp);
		}
		tcp_data_queue(tp, skb);
		tcp_ack_snd_check(tp);
		return 0;
	}
	/* slow path */
	if (!skb->len && !(th->flags & (TCPHDR_SYN | TCPHDR_FIN | TCPHDR_RST)))
		NET_INC_STATS(net, LINUX_MIB_TCPPUREACKS);
	if (!tcp_validate_incoming(tp, skb, th))
		return 0;
	if (!(th->flags & TCPHDR_ACK)) { /* RFC 9293 "fifth": no ACK, no business */
		tcp_drop(tp, skb, 5);
		return 0;
	}
	if (tcp_ack(tp, skb, th, FLAG_SLOWPATH) < 0) {
		tcp_drop(tp, skb, 6);
		return 0;
	}
	tcp_replace_ts_recent(tp, th, cb->seq);
	tcp_data_queue(tp, skb);
	if (tp->sk.state != TCP_CLOSE) {
		tcp_data_snd_check(tp);
		tcp_ack_snd_check(tp);
	}
	return 0;
}

/* "eighth, check the FIN bit" (RFC 9293 3.10.7.4): the peer has no more data; the state
 * moves on, the FIN is acknowledged at once, and readers see end of file. */
void tcp_fin(struct tcp_sock *tp)
{
	struct sock *sk = &tp->sk;

	sk->shutdown |= RCV_SHUTDOWN;
	tp->ack_pending |= ICSK_ACK_SCHED | ICSK_ACK_NOW;
	switch (sk->state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		tcp_set_state(tp, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1: /* simultaneous close (RFC 9293 Figure 13) */
		tcp_send_ack(tp);
		tcp_set_state(tp, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		tcp_send_ack(tp);
		tcp_time_wait(tp, TCP_TIME_WAIT, TCP_TIMEWAIT_LEN_MS);
		break;
	default: /* CLOSE_WAIT, CLOSING, LAST_ACK: a repeated FIN */
		break;
	}
	/* nothing can come after a FIN: out-of-order data beyond it goes */
	tcp_ofo_purge(tp);
	tp->num_sacks = 0;
	if (!tp->orphan)
		sk->sk_state_change(sk);
}

/* A SYN-ACK or a SYN (simultaneous open) in SYN_SENT (RFC 9293 3.10.7.3). */
static int tcp_rcv_synsent_state_process(struct tcp_sock *tp, struct sk_buff *skb,
					 const struct tcp_repr *th)
{
	struct sock *sk = &tp->sk;
	struct net *net = sk->net;
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	if (th->flags & TCPHDR_ACK) {
		/* an ACK of something other than our SYN: reset (unless it is one) */
		if (!after(th->ack_seq, tp->iss) || after(th->ack_seq, tp->snd_nxt))
			return 1;
		if (th->flags & TCPHDR_RST) { /* acceptable: the peer refused */
			tcp_reset(tp);
			goto discard;
		}
		if (!(th->flags & TCPHDR_SYN))
			goto discard;
		if ((th->opts & TCPOPT_F_TS) && th->tsecr && after(th->tsecr, tcp_time_stamp(tp))) {
			NET_INC_STATS(net, LINUX_MIB_PAWSACTIVEREJECTED);
			return 1;
		}
		/* the options both sides offered (RFC 7323 2, 3; RFC 2018 2) */
		tp->wscale_ok = th->opts & TCPOPT_F_WSCALE;
		tp->snd_wscale = tp->wscale_ok ? MIN(th->wscale, (u8)TCP_MAX_WSCALE) : 0;
		if (tp->wscale_ok && th->wscale > TCP_MAX_WSCALE)
			NET_INC_STATS(net, LINUX_MIB_TCPOPTIONERRORS);
		if (!tp->wscale_ok) {
			tp->rcv_wscale = 0;
			tp->window_clamp = MIN(tp->window_clamp, 65535u);
			tp->rcv_wnd = MIN(tp->rcv_wnd, 65535u);
		}
		tp->sack_ok = th->opts & TCPOPT_F_SACK_PERM;
		tp->tstamp_ok = th->opts & TCPOPT_F_TS;
		if (tp->tstamp_ok) {
			tp->ts_recent = th->tsval;
			tp->ts_recent_stamp = ktime_get_ns() / NSEC_PER_SEC;
		}
		tp->tcp_header_len = (u8)(sizeof(struct tcphdr) +
					  (tp->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0));
		tp->mss_clamp = (th->opts & TCPOPT_F_MSS) && th->mss ? th->mss : TCP_DEFAULT_MSS;
		if (tp->user_mss && tp->user_mss < tp->mss_clamp)
			tp->mss_clamp = tp->user_mss;
		tp->irs = th->seq;
		tp->rcv_nxt = tp->rcv_wup = tp->copied_seq = th->seq + 1;
		/* RFC 7323 2.2: the window of a SYN-ACK is not scaled */
		tp->snd_wnd = th->window;
		tp->snd_wl1 = th->seq;
		tp->snd_wl2 = th->ack_seq;
		tp->max_window = tp->snd_wnd;
		tp->saw_tstamp = tp->tstamp_ok;
		tp->rcv_tsecr = th->tsecr;
		tcp_ack(tp, skb, th, FLAG_SLOWPATH);
		tcp_sync_mss(tp, tp->pmtu);
		tcp_set_state(tp, TCP_ESTABLISHED);
		tcp_init_transfer(tp);
		sk->sk_state_change(sk);
		cb->seq++; /* past the SYN: data in a SYN-ACK is queued like any */
		if (cb->end_seq != cb->seq) {
			tcp_data_queue(tp, skb);
			skb = NULL;
		}
		tcp_send_ack(tp);
		tcp_data_snd_check(tp);
		if (skb)
			consume_skb(skb);
		return 0;
	}
	if (th->flags & TCPHDR_RST)
		goto discard;
	if (th->flags & TCPHDR_SYN) {
		/* simultaneous open (RFC 9293 Figure 7): SYN_RECV, and our SYN again with an ACK */
		tp->irs = th->seq;
		tp->rcv_nxt = tp->rcv_wup = tp->copied_seq = th->seq + 1;
		tp->wscale_ok = th->opts & TCPOPT_F_WSCALE;
		tp->snd_wscale = tp->wscale_ok ? MIN(th->wscale, (u8)TCP_MAX_WSCALE) : 0;
		if (!tp->wscale_ok) {
			tp->rcv_wscale = 0;
			tp->rcv_wnd = MIN(tp->rcv_wnd, 65535u);
		}
		tp->sack_ok = th->opts & TCPOPT_F_SACK_PERM;
		tp->tstamp_ok = th->opts & TCPOPT_F_TS;
		tp->ts_recent = th->tsval;
		tp->ts_recent_stamp = ktime_get_ns() / NSEC_PER_SEC;
		tp->tcp_header_len = (u8)(sizeof(struct tcphdr) +
					  (tp->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0));
		tp->mss_clamp = (th->opts & TCPOPT_F_MSS) && th->mss ? th->mss : TCP_DEFAULT_MSS;
		tp->snd_wnd = th->window;
		tp->snd_wl1 = th->seq;
		tp->max_window = tp->snd_wnd;
		tcp_sync_mss(tp, tp->pmtu);
		tcp_set_state(tp, TCP_SYN_RECV);
		tcp_transmit_skb(tp, skb_peek(&tp->write_queue), true);
		tcp_reset_xmit_timer(tp, ICSK_TIME_RETRANS, tp->rto_us);
	}
discard:
	consume_skb(skb);
	return 0;
}

/* All states but ESTABLISHED (RFC 9293 3.10.7). */
int tcp_rcv_state_process(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th)
{
	struct sock *sk = &tp->sk;
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	bool queued = false;
	TRACE_STEP(tcp_rcv_state_process, skb->id, sk->id, sk->state);

	tp->saw_tstamp = th->opts & TCPOPT_F_TS;
	tp->rcv_tsecr = th->tsecr;
	switch (sk->state) {
	case TCP_CLOSE:
		goto discard;
	case TCP_LISTEN:
		if (th->flags & TCPHDR_ACK)
			return 1; /* RFC 9293 3.10.7.2: any ACK is bad */
		if (th->flags & TCPHDR_RST)
			goto discard;
		if (th->flags & TCPHDR_SYN)
			return tcp_conn_request(tp, skb, th);
		goto discard;
	case TCP_SYN_SENT:
		return tcp_rcv_synsent_state_process(tp, skb, th);
	case TCP_TIME_WAIT:
		return tcp_timewait_state_process(tp, skb, th);
	}
	if (!tcp_validate_incoming(tp, skb, th))
		return 0;
	if (!(th->flags & TCPHDR_ACK))
		goto discard;
	if (sk->state == TCP_SYN_RECV &&
	    (!after(th->ack_seq, tp->iss) || after(th->ack_seq, tp->snd_nxt)))
		return 1; /* RFC 9293 3.10.7.4: <SEQ=SEG.ACK><CTL=RST> */
	if (tcp_ack(tp, skb, th, FLAG_SLOWPATH | FLAG_NO_CHALLENGE_ACK) < 0) {
		tcp_send_challenge_ack(tp);
		goto discard;
	}
	tcp_replace_ts_recent(tp, th, cb->seq);
	if (th->flags & TCPHDR_SYN) /* the simultaneous-open SYN-ACK: only its ACK counts */
		cb->seq++;
	switch (sk->state) {
	case TCP_SYN_RECV:
		tp->snd_wnd = (u32)th->window << tp->snd_wscale;
		tp->snd_wl1 = th->seq;
		tp->snd_wl2 = th->ack_seq;
		if (tp->snd_wnd > tp->max_window)
			tp->max_window = tp->snd_wnd;
		tcp_sync_mss(tp, tp->pmtu);
		tcp_set_state(tp, TCP_ESTABLISHED);
		tcp_init_transfer(tp);
		sk->sk_state_change(sk);
		if (tp->parent) /* wake accept() */
			tp->parent->sk.sk_data_ready(&tp->parent->sk);
		break;
	case TCP_FIN_WAIT1:
		if (tp->snd_una != tp->write_seq)
			break;
		tcp_set_state(tp, TCP_FIN_WAIT2);
		sk->shutdown |= SEND_SHUTDOWN;
		if (!tp->orphan) {
			sk->sk_state_change(sk);
			break;
		}
		/* closed by the user: new data from the peer has nowhere to go (RFC 1122
		 * 4.2.2.13) */
		if (cb->end_seq != cb->seq &&
		    after(cb->end_seq - !!(th->flags & TCPHDR_FIN), tp->rcv_nxt)) {
			NET_INC_STATS(sk->net, LINUX_MIB_TCPABORTONDATA);
			tcp_done(tp);
			return 1;
		}
		tcp_reset_keepalive_timer(tp, TCP_FIN_TIMEOUT_MS);
		break;
	case TCP_CLOSING:
		if (tp->snd_una == tp->write_seq) {
			tcp_time_wait(tp, TCP_TIME_WAIT, TCP_TIMEWAIT_LEN_MS);
			goto discard;
		}
		break;
	case TCP_LAST_ACK:
		if (tp->snd_una == tp->write_seq) {
			tcp_done(tp);
			goto discard;
		}
		break;
	}
	/* "seventh, process the segment text" */
	switch (sk->state) {
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (!before(cb->seq, tp->rcv_nxt))
			break; /* after the peer's FIN: nothing new can come */
		/* an old retransmission, to be ACKed */
		__attribute__((fallthrough));
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		/* RFC 1122 4.2.2.13: data after the user closed (or shut reading) is reset */
		if ((sk->shutdown & RCV_SHUTDOWN) && cb->end_seq != cb->seq &&
		    after(cb->end_seq - !!(th->flags & TCPHDR_FIN), tp->rcv_nxt)) {
			NET_INC_STATS(sk->net, LINUX_MIB_TCPABORTONDATA);
			tcp_reset(tp);
			return 1;
		}
		__attribute__((fallthrough));
	case TCP_ESTABLISHED:
		tcp_data_queue(tp, skb);
		queued = true;
		break;
	}
	if (sk->state != TCP_CLOSE) {
		tcp_data_snd_check(tp);
		tcp_ack_snd_check(tp);
	}
	if (queued)
		return 0;
discard:
	consume_skb(skb);
	return 0;
}
