/* TCP output (Linux net/ipv4/tcp_output.c): called in the order tcp_sendmsg() ->
 * tcp_push() -> tcp_write_xmit() -> tcp_transmit_skb() -> ip_queue_xmit(); also from
 * tcp_ack() (new data when the windows open, retransmissions in recovery), from the
 * timers (tcp_retransmit_skb, probes, delayed ACKs) and from the input path (ACKs,
 * resets, SYN-ACKs).
 *
 * The write queue holds the data in sequence order, each sk_buff at most one MSS with
 * MAX_HEADER of headroom and no header: the sent-but-unacked part, then, from
 * send_head on, the unsent part. tcp_transmit_skb() sends a clone, builds the header in
 * the clone's headroom and keeps the original for retransmission; a buffer whose earlier
 * clone is still queued below is copied first (skb_unshare_data), so no header bytes are
 * ever shared.
 *
 * Why a segment waits is traced (tcp_xmit_wait): 1 the congestion window, 2 the peer's
 * window, 3 Nagle, 4 TCP_CORK. */
#include <net/net_namespace.h>
#include <net/tcp.h>
#include <seqos/errno.h>
#include <seqos/string.h>
#include <seqos/trace.h>

enum { WAIT_CWND = 1, WAIT_RWND = 2, WAIT_NAGLE = 3, WAIT_CORK = 4 };

/* RFC 7323 timestamp clock: milliseconds, plus the connection's random offset. */
u32 tcp_time_stamp(const struct tcp_sock *tp)
{
	return (u32)(ktime_get_ns() / NSEC_PER_MSEC) + tp->ts_off;
}

/* ---- windows we offer (RFC 9293 3.8.6.2.2, RFC 7323 2) ---- */
/* Half of the free receive buffer (Linux tcp_adv_win_scale = 1): the other half pays for
 * sk_buff overhead, so an offered window is always backed by memory. */
u32 tcp_space(const struct tcp_sock *tp)
{
	const struct sock *sk = &tp->sk;

	return sk->rmem_alloc >= sk->rcvbuf ? 0 : (sk->rcvbuf - sk->rmem_alloc) / 2;
}

void tcp_select_initial_window(u32 rcvbuf, u32 mss, bool wscale_ok, u32 *rcv_wnd,
			       u32 *window_clamp, u8 *rcv_wscale)
{
	u32 space = rcvbuf / 2;
	u8 ws = 0;

	if (wscale_ok)
		while (space > (65535u << ws) && ws < TCP_MAX_WSCALE)
			ws++;
	if (space > mss)
		space -= space % mss;
	*window_clamp = space;
	*rcv_wscale = ws;
	*rcv_wnd = MIN(space, wscale_ok ? 65535u << ws : 65535u);
}

u32 tcp_receive_window(const struct tcp_sock *tp)
{
	s32 win = (s32)(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt);

	return win < 0 ? 0 : (u32)win;
}

/* The window the buffer can back now: rounded down to whole segments (receiver SWS
 * avoidance, RFC 9293 3.8.6.2.2), zero rather than less than one segment when the buffer
 * is more than half used, and up to the scale's granularity so it survives the shift. */
u32 __tcp_select_window(struct tcp_sock *tp)
{
	u32 mss = tp->rcv_mss ? tp->rcv_mss : TCP_DEFAULT_MSS;
	u32 full = MIN(tp->window_clamp, tp->sk.rcvbuf / 2);
	u32 free = tcp_space(tp), window, gran = 1u << tp->rcv_wscale;

	if (free > full)
		free = full;
	if (free < full / 2 && free < mss)
		return 0;
	window = free > mss ? free - free % mss : free;
	window = ALIGN_UP(window, gran);
	return MIN(window, 65535u << tp->rcv_wscale);
}

/* The window field of the next segment; remembers what was offered (rcv_wnd, from
 * rcv_wup = rcv_nxt). An offered window is never taken back (RFC 9293 3.8.6.2.2, RFC 7323
 * 2.4): if the buffer shrank, the old right edge is kept. */
u32 tcp_select_window(struct tcp_sock *tp)
{
	struct net *net = tcp_net(tp);
	u32 old = tp->rcv_wnd, cur = tcp_receive_window(tp), new_win = __tcp_select_window(tp);

	if (new_win < cur) {
		if (!new_win)
			NET_INC_STATS(net, LINUX_MIB_TCPWANTZEROWINDOWADV);
		new_win = ALIGN_UP(cur, 1u << tp->rcv_wscale);
	}
	if (new_win > (65535u << tp->rcv_wscale))
		new_win = 65535u << tp->rcv_wscale;
	tp->rcv_wnd = new_win;
	tp->rcv_wup = tp->rcv_nxt;
	if (!new_win && old)
		NET_INC_STATS(net, LINUX_MIB_TCPTOZEROWINDOWADV);
	else if (new_win && !old)
		NET_INC_STATS(net, LINUX_MIB_TCPFROMZEROWINDOWADV);
	return new_win >> tp->rcv_wscale;
}

/* ---- segment size ---- */
/* Payload per segment for a path MTU (RFC 9293 3.7.1, RFC 1191): the peer's MSS caps it,
 * TCP_MIN_SND_MSS floors it, timestamps take their 12 bytes, and a tiny peer window caps
 * it at half that window (Linux tcp_bound_to_half_wnd). */
void tcp_sync_mss(struct tcp_sock *tp, u32 pmtu)
{
	u32 mss = pmtu > 40 ? pmtu - 40 : 0, cutoff;

	tp->pmtu = pmtu;
	if (mss > tp->mss_clamp)
		mss = tp->mss_clamp;
	if (mss < TCP_MIN_SND_MSS)
		mss = TCP_MIN_SND_MSS;
	mss -= tp->tcp_header_len - sizeof(struct tcphdr);
	cutoff = tp->max_window > TCP_DEFAULT_MSS ? tp->max_window / 2 : tp->max_window;
	if (cutoff && mss > cutoff)
		mss = MAX(cutoff, 68u - tp->tcp_header_len);
	tp->mss_cache = (u16)mss;
}

/* SACK blocks take payload room too (Linux tcp_current_mss). */
u32 tcp_current_mss(struct tcp_sock *tp)
{
	u32 mss = tp->mss_cache, n = tp->num_sacks + tp->dsack;

	if (tp->sack_ok && n) {
		if (n > (tp->tstamp_ok ? 3u : 4u))
			n = tp->tstamp_ok ? 3 : 4;
		mss -= 4 + TCPOLEN_SACK_PERBLOCK * n;
	}
	return mss;
}

/* How much one write-queue buffer holds: a segment, but no more than a standard 2 KiB
 * buffer takes, so a 64 KiB loopback MSS does not drain the few large buffers. */
u32 tcp_size_goal(struct tcp_sock *tp)
{
	u32 mss = tcp_current_mss(tp), max = NET_SKB_STD_SIZE - MAX_HEADER - 64;

	return mss < max ? mss : max;
}

/* ---- the write queue ---- */
struct sk_buff *skb_peek_tail_unsent(struct tcp_sock *tp)
{
	return tp->send_head ? tp->write_queue.prev : NULL;
}

/* A new empty segment at the tail of the write queue, charged to the socket. */
struct sk_buff *tcp_stream_alloc_skb(struct tcp_sock *tp, u32 size)
{
	struct sk_buff *skb;

	if (tcp_memory_allocated() + MAX_HEADER + size + 256 > TCP_MEM_LIMIT) {
		NET_INC_STATS(tcp_net(tp), LINUX_MIB_TCPMEMORYPRESSURES);
		return NULL;
	}
	skb = alloc_skb(MAX_HEADER + size);
	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_HEADER);
	tcp_mem_force_charge(skb->truesize);
	tp->sk.wmem_queued += skb->truesize;
	memset(TCP_SKB_CB(skb), 0, sizeof(struct tcp_skb_cb));
	TCP_SKB_CB(skb)->seq = TCP_SKB_CB(skb)->end_seq = tp->write_seq;
	TCP_SKB_CB(skb)->tcp_flags = TCPHDR_ACK;
	__skb_queue_tail(&tp->write_queue, skb);
	if (!tp->send_head)
		tp->send_head = skb;
	return skb;
}

/* Splits skb after len bytes into two segments (after a smaller MSS, or to fit a window).
 * The second inherits the flags that belong at the end (FIN, PSH) and the scoreboard. */
int tcp_fragment(struct tcp_sock *tp, struct sk_buff *skb, u32 len)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb), *ncb;
	u32 nlen = skb->len - len;
	bool sent = tp->send_head != skb && !after(cb->end_seq, tp->snd_nxt);
	struct sk_buff *n;

	if (len >= skb->len || !len)
		return 0;
	n = alloc_skb(MAX_HEADER + nlen);
	if (!n)
		return -ENOMEM;
	skb_reserve(n, MAX_HEADER);
	skb_put_data(n, skb->data + len, nlen);
	tcp_mem_force_charge(n->truesize);
	tp->sk.wmem_queued += n->truesize;
	ncb = TCP_SKB_CB(n);
	*ncb = *cb;
	ncb->seq = cb->seq + len;
	cb->end_seq = ncb->seq;
	cb->tcp_flags &= (u8)~(TCPHDR_FIN | TCPHDR_PSH);
	skb_trim(skb, len);
	n->tstamp = skb->tstamp;
	/* after skb on the queue */
	n->next = skb->next;
	n->prev = skb;
	skb->next->prev = n;
	skb->next = n;
	tp->write_queue.qlen++;
	if (sent) {
		tp->packets_out++;
		if (cb->sacked & TCPCB_LOST)
			tp->lost_out++;
		if (cb->sacked & TCPCB_SACKED_ACKED)
			tp->sacked_out++;
		if (cb->sacked & TCPCB_SACKED_RETRANS)
			tp->retrans_out++;
	}
	return 0;
}

/* ---- building and sending one segment ---- */
static void tcp_syn_options(const struct tcp_sock *tp, struct tcp_repr *r, bool synack)
{
	r->opts = TCPOPT_F_MSS;
	r->mss = tp->advmss;
	if (!synack || tp->wscale_ok) {
		r->opts |= TCPOPT_F_WSCALE;
		r->wscale = tp->rcv_wscale;
	}
	if (!synack || tp->sack_ok)
		r->opts |= TCPOPT_F_SACK_PERM;
	if (!synack || tp->tstamp_ok) {
		r->opts |= TCPOPT_F_TS;
		r->tsval = tcp_time_stamp(tp);
		r->tsecr = synack ? tp->ts_recent : 0;
	}
}

/* Timestamps and SACK blocks (D-SACK first, RFC 2883 4) for a synchronized connection. */
static void tcp_established_options(struct tcp_sock *tp, struct tcp_repr *r)
{
	u32 max = tp->tstamp_ok ? 3 : 4, n = 0;

	if (tp->tstamp_ok) {
		r->opts |= TCPOPT_F_TS;
		r->tsval = tcp_time_stamp(tp);
		r->tsecr = tp->ts_recent;
	}
	if (!tp->sack_ok)
		return;
	if (tp->dsack)
		r->sacks[n++] = tp->duplicate_sack;
	for (u32 i = 0; i < tp->num_sacks && n < max; i++)
		r->sacks[n++] = tp->selective_acks[i];
	if (n) {
		r->opts |= TCPOPT_F_SACK;
		r->num_sacks = (u8)n;
	}
}

static void tcp_event_ack_sent(struct tcp_sock *tp)
{
	tp->ack_pending = 0;
	tp->dsack = false;
	sk_stop_timer(&tp->sk, &tp->delack_timer);
}

/* Sends skb's segment (a clone when clone is set; skb itself otherwise, consumed):
 * header and options, window, checksum, then ip_queue_xmit. */
int tcp_transmit_skb(struct tcp_sock *tp, struct sk_buff *skb, bool clone)
{
	struct sock *sk = &tp->sk;
	struct net *net = sk->net;
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct tcp_repr r;
	struct flowi4 fl = { .oif = sk->bound_dev_if, .daddr = sk->daddr, .saddr = sk->rcv_saddr,
			     .proto = IPPROTO_TCP, .ttl = sk->ttl, .tos = sk->tos,
			     .flags = FLOWI_F_DF };
	u32 hlen;
	int err;
	TRACE_STEP(tcp_transmit_skb, skb->id, cb->seq, cb->tcp_flags);

	if (clone) {
		struct sk_buff *c;

		cb->when_ns = ktime_get_ns();
		if (skb_unshare_data(skb))
			return -ENOBUFS;
		c = skb_clone(skb);
		if (!c)
			return -ENOBUFS;
		skb = c;
	}
	memset(&r, 0, sizeof(r));
	r.sport = get_be16(sk->sport);
	r.dport = get_be16(sk->dport);
	r.seq = cb->seq;
	r.flags = cb->tcp_flags;
	if (sk->state == TCP_SYN_SENT)
		r.flags &= (u8)~TCPHDR_ACK; /* the first SYN acknowledges nothing */
	else
		r.flags |= TCPHDR_ACK;
	if (r.flags & TCPHDR_ACK)
		r.ack_seq = tp->rcv_nxt;
	if (r.flags & TCPHDR_SYN) {
		tcp_syn_options(tp, &r, sk->state != TCP_SYN_SENT);
		/* RFC 7323 2.2: the window of a SYN is never scaled */
		r.window = (u16)MIN(tp->rcv_wnd, 65535u);
	} else {
		tcp_established_options(tp, &r);
		r.window = (u16)tcp_select_window(tp);
	}
	hlen = (u32)sizeof(struct tcphdr) + tcp_options_size(&r);
	if (skb_headroom(skb) < hlen + MAX_HEADER / 2) {
		kfree_skb_reason(skb, SKB_DROP_NOMEM);
		return -ENOBUFS;
	}
	tcp_emit(&r, skb_push(skb, hlen), hlen);
	tcp_v4_send_check(skb->data, skb->len, sk->rcv_saddr, sk->daddr);
	skb_reset_transport_header(skb);
	if (r.flags & TCPHDR_ACK)
		tcp_event_ack_sent(tp);
	tp->segs_out++;
	TCP_INC_STATS(net, TCP_MIB_OUTSEGS);
	err = ip_queue_xmit(net, skb, &fl, NULL);
	if (err == -ENETUNREACH || err == -EHOSTUNREACH)
		tp->soft_err = -err;
	return err;
}

/* Bookkeeping after new data left: send_head moves on, snd_nxt with it, and the RTO
 * starts if nothing was in flight (RFC 6298 5.1). */
static void tcp_event_new_data_sent(struct tcp_sock *tp, struct sk_buff *skb)
{
	u32 prior = tp->packets_out;

	tp->send_head = tcp_write_queue_next(tp, skb);
	if (after(TCP_SKB_CB(skb)->end_seq, tp->snd_nxt))
		tp->snd_nxt = TCP_SKB_CB(skb)->end_seq;
	tp->packets_out++;
	NET_INC_STATS(tcp_net(tp), LINUX_MIB_TCPORIGDATASENT);
	if (!prior || tp->pending == ICSK_TIME_PROBE0)
		tcp_rearm_rto(tp);
}

/* ---- the send loop ---- */
/* Sends what the congestion window, the peer's window, Nagle (RFC 9293 3.7.4) and cork
 * allow, in order (TCP_NAGLE_PUSH: the last partial segment too). Returns true when data
 * is left over with nothing in flight (the caller arms the zero-window probe). */
bool tcp_write_xmit(struct tcp_sock *tp, int nonagle)
{
	struct sk_buff *skb;
	u32 mss = tcp_current_mss(tp), goal = tcp_size_goal(tp);
	bool cwnd_stop = false;
	TRACE_STEP(tcp_write_xmit, 0, tp->sk.id, tp->snd_cwnd);

	while ((skb = tp->send_head)) {
		struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
		bool fin_only = (cb->tcp_flags & TCPHDR_FIN) && !skb->len;

		if (tcp_packets_in_flight(tp) >= tp->snd_cwnd && !fin_only) {
			trace_event(tcp_xmit_wait, skb->id, WAIT_CWND, tp->snd_cwnd);
			cwnd_stop = true;
			break;
		}
		if (skb->len > mss && tcp_fragment(tp, skb, mss))
			break;
		if (after(cb->end_seq, tcp_wnd_end(tp))) {
			trace_event(tcp_xmit_wait, skb->id, WAIT_RWND, tp->snd_wnd);
			break;
		}
		if (skb->len < goal && tcp_skb_is_last(tp, skb) && !(cb->tcp_flags & TCPHDR_FIN) &&
		    !(nonagle & TCP_NAGLE_PUSH)) {
			if (tp->cork) {
				trace_event(tcp_xmit_wait, skb->id, WAIT_CORK, skb->len);
				break;
			}
			if (!tp->nodelay && tp->packets_out) {
				trace_event(tcp_xmit_wait, skb->id, WAIT_NAGLE, tp->packets_out);
				break;
			}
		}
		if (tcp_skb_is_last(tp, skb))
			cb->tcp_flags |= TCPHDR_PSH;
		tcp_transmit_skb(tp, skb, true); /* a local drop is a loss: RTO recovers it */
		tcp_event_new_data_sent(tp, skb);
	}
	tp->is_cwnd_limited = cwnd_stop || tcp_packets_in_flight(tp) >= tp->snd_cwnd;
	return !tp->packets_out && tp->send_head;
}

void tcp_check_probe_timer(struct tcp_sock *tp)
{
	if (!tp->packets_out && !tp->pending)
		tcp_reset_xmit_timer(tp, ICSK_TIME_PROBE0, tcp_probe0_when_us(tp));
}

/* Pushes the queued data out (Linux tcp_push / __tcp_push_pending_frames). */
void tcp_push(struct tcp_sock *tp, int nonagle)
{
	TRACE_STEP(tcp_push, 0, tp->sk.id, tp->nodelay | nonagle);

	if (!tp->send_head || tp->sk.state == TCP_CLOSE)
		return;
	if (tcp_write_xmit(tp, nonagle))
		tcp_check_probe_timer(tp);
}

/* ---- retransmission ---- */
int tcp_retransmit_skb(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct net *net = tcp_net(tp);
	u32 mss = tcp_current_mss(tp);
	int err;
	TRACE_STEP(tcp_retransmit_skb, skb->id, cb->seq, skb->len);

	if (before(cb->seq, tp->snd_una)) { /* partly acked: send only the rest */
		u32 acked = tp->snd_una - cb->seq;
		if (acked >= skb->len)
			return -EINVAL;
		skb_pull(skb, acked);
		cb->seq = tp->snd_una;
	}
	if (skb->len > mss && tcp_fragment(tp, skb, mss))
		return -ENOMEM;
	/* RFC 9293 3.8.6.1: beyond the window only the first segment, as a probe */
	if (!before(cb->seq, tcp_wnd_end(tp)) && cb->seq != tp->snd_una)
		return -EAGAIN;
	err = tcp_transmit_skb(tp, skb, true);
	if (err == -ENOBUFS && !skb_cloned(skb))
		return err;
	if (!(cb->sacked & TCPCB_SACKED_RETRANS)) {
		cb->sacked |= TCPCB_SACKED_RETRANS;
		tp->retrans_out++;
	}
	cb->sacked |= TCPCB_EVER_RETRANS;
	tp->total_retrans++;
	TCP_INC_STATS(net, TCP_MIB_RETRANSSEGS);
	if (cb->tcp_flags & TCPHDR_SYN)
		NET_INC_STATS(net, LINUX_MIB_TCPSYNRETRANS);
	if (!tp->retrans_stamp)
		tp->retrans_stamp = cb->when_ns;
	return 0;
}

/* Retransmits segments marked lost while the congestion window has room (RFC 6675 5,
 * step (C); RFC 6582 3.2). */
void tcp_xmit_retransmit_queue(struct tcp_sock *tp)
{
	struct sk_buff *skb;

	tcp_for_write_queue(skb, tp) {
		struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

		if (skb == tp->send_head)
			break;
		if (tcp_packets_in_flight(tp) >= tp->snd_cwnd)
			break;
		if (!(cb->sacked & TCPCB_LOST) ||
		    (cb->sacked & (TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS)))
			continue;
		if (tcp_retransmit_skb(tp, skb))
			break;
		NET_INC_STATS(tcp_net(tp), tp->ca_state == TCP_CA_Loss
						   ? LINUX_MIB_TCPSLOWSTARTRETRANS
						   : LINUX_MIB_TCPFASTRETRANS);
		if (skb == skb_peek(&tp->write_queue))
			tcp_reset_xmit_timer(tp, ICSK_TIME_RETRANS, tp->rto_us);
	}
}

/* ---- control segments ---- */
/* A sequence number the peer will accept for a segment without data. */
static u32 tcp_acceptable_seq(const struct tcp_sock *tp)
{
	return !after(tp->snd_nxt, tcp_wnd_end(tp)) ? tp->snd_nxt : tcp_wnd_end(tp);
}

static struct sk_buff *tcp_ctl_skb(struct tcp_sock *tp, u32 seq, u8 flags)
{
	struct sk_buff *skb = alloc_skb(MAX_HEADER + TCP_MAX_OPT_LEN + sizeof(struct tcphdr));

	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_HEADER + TCP_MAX_OPT_LEN + sizeof(struct tcphdr));
	memset(TCP_SKB_CB(skb), 0, sizeof(struct tcp_skb_cb));
	TCP_SKB_CB(skb)->seq = TCP_SKB_CB(skb)->end_seq = seq;
	TCP_SKB_CB(skb)->tcp_flags = flags;
	return skb;
}

void tcp_send_ack(struct tcp_sock *tp)
{
	struct sk_buff *skb;
	TRACE_STEP(tcp_send_ack, 0, tp->rcv_nxt, tp->rcv_wnd);

	if (tp->sk.state == TCP_CLOSE)
		return;
	skb = tcp_ctl_skb(tp, tcp_acceptable_seq(tp), TCPHDR_ACK);
	if (!skb) { /* out of buffers: try again from the delayed-ACK timer */
		tp->ack_pending |= ICSK_ACK_SCHED;
		tcp_send_delayed_ack(tp);
		return;
	}
	tcp_transmit_skb(tp, skb, false);
}

/* Arms the delayed-ACK timer unless it runs already: the ACK leaves at most
 * TCP_DELACK_MS after the first data it acknowledges (RFC 1122 4.2.3.2). */
void tcp_send_delayed_ack(struct tcp_sock *tp)
{
	tp->ack_pending |= ICSK_ACK_SCHED;
	if ((tp->ack_pending & ICSK_ACK_TIMER) && timer_pending(&tp->delack_timer))
		return;
	trace_event(tcp_send_delayed_ack, 0, tp->sk.id, TCP_DELACK_MS);
	tp->ack_pending |= ICSK_ACK_TIMER;
	sk_reset_timer(&tp->sk, &tp->delack_timer, jiffies + msecs_to_jiffies(TCP_DELACK_MS));
}

/* Queues a FIN behind the data (on the last unsent segment when there is one) and
 * pushes it out. */
void tcp_send_fin(struct tcp_sock *tp)
{
	struct sk_buff *skb = skb_peek_tail_unsent(tp);
	TRACE_STEP(tcp_send_fin, 0, tp->sk.id, tp->write_seq);

	if (!skb) {
		skb = alloc_skb(MAX_HEADER);
		if (!skb) { /* no buffer for a FIN: the peer learns by a reset instead */
			NET_INC_STATS(tcp_net(tp), LINUX_MIB_TCPABORTONMEMORY);
			tcp_send_active_reset(tp);
			tcp_done(tp);
			return;
		}
		skb_reserve(skb, MAX_HEADER);
		tcp_mem_force_charge(skb->truesize);
		tp->sk.wmem_queued += skb->truesize;
		memset(TCP_SKB_CB(skb), 0, sizeof(struct tcp_skb_cb));
		TCP_SKB_CB(skb)->seq = TCP_SKB_CB(skb)->end_seq = tp->write_seq;
		TCP_SKB_CB(skb)->tcp_flags = TCPHDR_ACK;
		__skb_queue_tail(&tp->write_queue, skb);
		tp->send_head = skb;
	}
	TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_FIN;
	TCP_SKB_CB(skb)->end_seq++;
	tp->write_seq++;
	tcp_push(tp, 0);
}

void tcp_send_active_reset(struct tcp_sock *tp)
{
	struct sk_buff *skb = tcp_ctl_skb(tp, tcp_acceptable_seq(tp), TCPHDR_ACK | TCPHDR_RST);

	trace_event(tcp_send_active_reset, 0, tp->sk.id, tp->sk.state);
	TCP_INC_STATS(tcp_net(tp), TCP_MIB_OUTRSTS);
	if (skb)
		tcp_transmit_skb(tp, skb, false);
}

/* The SYN-ACK for a request on a listener's SYN queue, or for a cookie (RFC 4987). */
int tcp_send_synack(struct tcp_sock *lp, struct tcp_request_sock *req, bool cookie)
{
	struct net *net = tcp_net(lp);
	struct tcp_repr r = { .sport = req->lport, .dport = req->rport, .seq = req->iss,
			      .ack_seq = req->irs + 1, .flags = TCPHDR_SYN | TCPHDR_ACK,
			      .window = (u16)MIN(req->rcv_wnd, 65535u), .opts = TCPOPT_F_MSS,
			      .mss = req->advmss };
	struct flowi4 fl = { .oif = lp->sk.bound_dev_if, .daddr = req->raddr, .saddr = req->laddr,
			     .proto = IPPROTO_TCP, .ttl = lp->sk.ttl, .tos = lp->sk.tos,
			     .flags = FLOWI_F_DF };
	struct sk_buff *skb;
	u32 hlen;
	TRACE_STEP(tcp_send_synack, req->id, req->iss, cookie);

	if (req->wscale_ok) {
		r.opts |= TCPOPT_F_WSCALE;
		r.wscale = req->rcv_wscale;
	}
	if (req->sack_ok)
		r.opts |= TCPOPT_F_SACK_PERM;
	if (req->tstamp_ok) {
		r.opts |= TCPOPT_F_TS;
		r.tsval = (u32)(ktime_get_ns() / NSEC_PER_MSEC) + req->ts_off;
		if (cookie)
			r.tsval = cookie_ts_encode(req->wscale_ok, req->snd_wscale, req->sack_ok, r.tsval);
		r.tsecr = req->ts_recent;
	}
	hlen = (u32)sizeof(struct tcphdr) + tcp_options_size(&r);
	skb = alloc_skb(MAX_HEADER + hlen);
	if (!skb)
		return -ENOBUFS;
	skb->parent_id = req->id;
	skb_reserve(skb, MAX_HEADER);
	tcp_emit(&r, skb_put(skb, hlen), hlen);
	tcp_v4_send_check(skb->data, hlen, req->laddr, req->raddr);
	skb_reset_transport_header(skb);
	TCP_INC_STATS(net, TCP_MIB_OUTSEGS);
	return ip_queue_xmit(net, skb, &fl, NULL);
}

/* Active open (RFC 9293 3.10.1): the SYN goes on the write queue like data, so the
 * retransmission timer resends it. */
int tcp_connect(struct tcp_sock *tp)
{
	struct sk_buff *skb;
	TRACE_STEP(tcp_connect, 0, tp->sk.id, tp->write_seq);

	tp->advmss = (u16)(tp->pmtu - 40);
	if (tp->user_mss && tp->user_mss < tp->advmss)
		tp->advmss = tp->user_mss;
	tp->mss_clamp = tp->user_mss ? tp->user_mss : TCP_DEFAULT_MSS;
	tcp_select_initial_window(tp->sk.rcvbuf, tp->advmss, true, &tp->rcv_wnd,
				  &tp->window_clamp, &tp->rcv_wscale);
	tp->iss = tp->snd_una = tp->snd_nxt = tp->high_seq = tp->write_seq;
	tp->snd_wnd = 0;
	tp->rcv_nxt = tp->rcv_wup = tp->copied_seq = 0;
	tp->rto_us = TCP_TIMEOUT_INIT_MS * 1000;
	tp->tstamp_ok = tp->sack_ok = tp->wscale_ok = false;
	tp->tcp_header_len = sizeof(struct tcphdr);
	tp->rcv_mss = (u16)MIN(tp->advmss, TCP_DEFAULT_MSS);
	tcp_sync_mss(tp, tp->pmtu);
	skb = tcp_stream_alloc_skb(tp, 0);
	if (!skb)
		return -ENOBUFS;
	TCP_SKB_CB(skb)->tcp_flags = TCPHDR_SYN;
	TCP_SKB_CB(skb)->end_seq++;
	tp->write_seq++;
	tcp_transmit_skb(tp, skb, true);
	tcp_event_new_data_sent(tp, skb);
	TCP_INC_STATS(tcp_net(tp), TCP_MIB_ACTIVEOPENS);
	return 0;
}

/* ---- probes ---- */
/* A segment with an old sequence number (snd_una - 1) and no data: the peer must answer
 * with an ACK carrying its window (zero-window probes, keepalives: RFC 1122 4.2.3.6). */
void tcp_xmit_probe_skb(struct tcp_sock *tp)
{
	struct sk_buff *skb = tcp_ctl_skb(tp, tp->snd_una - 1, TCPHDR_ACK);

	if (skb)
		tcp_transmit_skb(tp, skb, false);
}

/* Sends what the window allows of the first unsent segment, or a probe when it allows
 * nothing (Linux tcp_write_wakeup). Returns 0 when data went. */
int tcp_write_wakeup(struct tcp_sock *tp)
{
	struct sk_buff *skb = tp->send_head;

	if (tp->sk.state == TCP_CLOSE)
		return -1;
	if (skb && before(TCP_SKB_CB(skb)->seq, tcp_wnd_end(tp))) {
		u32 seg = MIN(tcp_wnd_end(tp) - TCP_SKB_CB(skb)->seq, tcp_current_mss(tp));

		if (skb->len > seg && tcp_fragment(tp, skb, seg))
			return -1;
		TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_PSH;
		tcp_transmit_skb(tp, skb, true);
		tcp_event_new_data_sent(tp, skb);
		return 0;
	}
	tcp_xmit_probe_skb(tp);
	return 1;
}

/* The persist timer fired (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17): probe the zero window,
 * back off exponentially, and keep probing as long as the peer answers. */
void tcp_send_probe0(struct tcp_sock *tp)
{
	trace_event(tcp_send_probe0, 0, tp->sk.id, tp->backoff);
	if (!tcp_write_wakeup(tp) || tp->packets_out || !tp->send_head) {
		tp->probes_out = 0;
		tp->backoff = 0;
		return;
	}
	NET_INC_STATS(tcp_net(tp), LINUX_MIB_TCPWINPROBE);
	tp->probes_out++;
	if (tcp_probe0_when_us(tp) < (u64)TCP_RTO_MAX_MS * 1000)
		tp->backoff++;
	tcp_reset_xmit_timer(tp, ICSK_TIME_PROBE0, tcp_probe0_when_us(tp));
}
