/* TCP ACK processing and loss recovery (the sender half of Linux net/ipv4/tcp_input.c):
 * tcp_rcv_established() / tcp_rcv_state_process() -> tcp_ack() -> the send window
 * (RFC 9293 3.10.7.4), SACK blocks onto the scoreboard (tcp_sacktag_write_queue, RFC
 * 2018), acked segments off the write queue with an RTT sample (tcp_clean_rtx_queue,
 * RFC 6298 with Karn's rule; RFC 7323 RTTM), then the recovery state machine
 * (tcp_fastretrans_alert): fast retransmit and NewReno recovery (RFC 5681 3.2, RFC 6582)
 * or SACK-based recovery (RFC 6675), with the window growth of the congestion control
 * (tcp_cong.c) in between. The timers' side of recovery is tcp_enter_loss (RTO).
 *
 * Sending during recovery follows the "pipe" of RFC 6675: segments in flight are
 * packets_out - (sacked_out + lost_out) + retrans_out, and lost segments are resent, then
 * new ones sent, while that is below cwnd. Without SACK, duplicate ACKs stand in for
 * SACKed segments (sacked_out counts them), as Linux does. */
#include <net/net_namespace.h>
#include <net/tcp.h>
#include <seqos/string.h>
#include <seqos/trace.h>

u32 tcp_packets_in_flight(const struct tcp_sock *tp)
{
	s64 n = (s64)tp->packets_out - tp->sacked_out - tp->lost_out + tp->retrans_out;

	return n < 0 ? 0 : (u32)n;
}

static void tcp_trace_cwnd(const struct tcp_sock *tp)
{
	trace_event(tcp_cwnd, 0, tp->snd_cwnd, tp->snd_ssthresh);
}

/* RFC 5681 3.1 and RFC 6928: ten segments, or one if the SYN had to be resent. */
void tcp_init_cwnd(struct tcp_sock *tp)
{
	tp->snd_cwnd = tp->total_retrans ? 1 : TCP_INIT_CWND;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->snd_cwnd_cnt = 0;
	tp->ca_state = TCP_CA_Open;
	tp->high_seq = tp->snd_una;
	memset(tp->ca_priv, 0, sizeof(tp->ca_priv));
	if (tp->ca_ops->init)
		tp->ca_ops->init(tp);
}

/* RFC 6298 2.2-2.3 with Linux's fixed point: srtt_us holds SRTT << 3, mdev_us RTTVAR << 2,
 * so the gains 1/8 and 1/4 are shifts. */
void tcp_rtt_estimator(struct tcp_sock *tp, s64 mrtt_us)
{
	u32 m = mrtt_us < 1 ? 1 : mrtt_us > 0x7fffffff ? 0x7fffffff : (u32)mrtt_us;

	if (!tp->srtt_us) {
		tp->srtt_us = m << 3;
		tp->mdev_us = m << 1; /* RTTVAR = R/2 */
	} else {
		s64 err = (s64)m - (tp->srtt_us >> 3);

		tp->srtt_us = (u32)((s64)tp->srtt_us + err);
		if (err < 0)
			err = -err;
		tp->mdev_us = (u32)((s64)tp->mdev_us + err - (tp->mdev_us >> 2));
	}
	trace_event(tcp_rtt_estimator, 0, m, tp->srtt_us >> 3);
}

/* RTO = SRTT + max(G, 4 * RTTVAR), within [TCP_RTO_MIN, TCP_RTO_MAX] (RFC 6298 2.3-2.5);
 * a fresh sample also ends the backoff (RFC 6298 5.7 with Karn's rule). */
void tcp_set_rto(struct tcp_sock *tp)
{
	u64 g = 1000000 / HZ, var = tp->mdev_us, rto = (tp->srtt_us >> 3) + MAX(g, var);

	if (rto < (u64)TCP_RTO_MIN_MS * 1000)
		rto = (u64)TCP_RTO_MIN_MS * 1000;
	if (rto > (u64)TCP_RTO_MAX_MS * 1000)
		rto = (u64)TCP_RTO_MAX_MS * 1000;
	tp->rto_us = (u32)rto;
	tp->backoff = 0;
}

/* ---- the send window ---- */
static int tcp_ack_update_window(struct tcp_sock *tp, const struct tcp_repr *th, u32 ack)
{
	u32 nwin = (u32)th->window << tp->snd_wscale;

	/* RFC 9293 3.10.7.4: only a segment newer than the last update (SND.WL1/WL2) may
	 * move the window, so a reordered old one cannot shrink it */
	if (after(th->seq, tp->snd_wl1) || (th->seq == tp->snd_wl1 && !before(ack, tp->snd_wl2))) {
		int flag = nwin != tp->snd_wnd ? FLAG_WIN_UPDATE : 0;

		tp->snd_wl1 = th->seq;
		tp->snd_wl2 = ack;
		tp->snd_wnd = nwin;
		if (nwin > tp->max_window) {
			tp->max_window = nwin;
			tcp_sync_mss(tp, tp->pmtu);
		}
		return flag;
	}
	return 0;
}

/* ---- SACK scoreboard (RFC 2018, RFC 2883, RFC 6675) ---- */
static void tcp_sack_tag_one(struct tcp_sock *tp, struct sk_buff *skb, int *flag,
			     s64 *sack_rtt, u32 prior_highest)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	if (cb->sacked & TCPCB_SACKED_ACKED)
		return;
	/* a newly SACKed segment sent once is an RTT sample (Linux sack_rtt) */
	if (!(cb->sacked & (TCPCB_EVER_RETRANS | TCPCB_LOST)) && *sack_rtt < 0)
		*sack_rtt = (s64)(ktime_get_ns() - cb->when_ns) / 1000;
	/* sent once, yet SACKed only after later segments were SACKed by earlier ACKs: the
	 * path reordered it by that many segments, so a hole that deep is not yet a loss
	 * (Linux tcp_check_sack_reordering; RFC 6675 lets DupThresh be adjusted) */
	if (!(cb->sacked & (TCPCB_EVER_RETRANS | TCPCB_LOST)) &&
	    before(cb->end_seq, prior_highest)) {
		u32 dist = (prior_highest - cb->seq) / MAX(tp->mss_cache, 1u) + 1;

		if (dist > tp->reordering) {
			tp->reordering = MIN(dist, (u32)TCP_MAX_REORDERING);
			NET_INC_STATS(tcp_net(tp), LINUX_MIB_TCPSACKREORDER);
		}
	}
	if (cb->sacked & TCPCB_SACKED_RETRANS) {
		cb->sacked &= (u8)~TCPCB_SACKED_RETRANS;
		tp->retrans_out--;
	}
	if (cb->sacked & TCPCB_LOST) {
		cb->sacked &= (u8)~TCPCB_LOST;
		tp->lost_out--;
	}
	cb->sacked |= TCPCB_SACKED_ACKED;
	tp->sacked_out++;
	if (after(cb->end_seq, tp->highest_sack))
		tp->highest_sack = cb->end_seq;
	*flag |= FLAG_DATA_SACKED;
}

/* Marks the sent segments the SACK blocks cover entirely. A block must lie within what
 * was sent and not be ancient; the first block is a D-SACK (RFC 2883 4) when it lies
 * below the cumulative ACK or inside the second one: it reports a duplicate, not new
 * data. */
static int tcp_sacktag_write_queue(struct tcp_sock *tp, const struct tcp_repr *th,
				   s64 *sack_rtt)
{
	struct net *net = tcp_net(tp);
	int flag = 0;
	u32 prior_highest;

	if (!tp->highest_sack || before(tp->highest_sack, tp->snd_una))
		tp->highest_sack = tp->snd_una;
	prior_highest = tp->highest_sack;
	for (u32 i = 0; i < th->num_sacks; i++) {
		u32 start = th->sacks[i].start_seq, end = th->sacks[i].end_seq;
		struct sk_buff *skb;

		if (i == 0 && (before(start, th->ack_seq) ||
			       (th->num_sacks > 1 && !before(start, th->sacks[1].start_seq) &&
				!after(end, th->sacks[1].end_seq)))) {
			NET_INC_STATS(net, LINUX_MIB_TCPDSACKRECV);
			continue;
		}
		if (!after(end, start) || after(end, tp->snd_nxt) ||
		    before(start, tp->snd_una - tp->max_window)) {
			NET_INC_STATS(net, LINUX_MIB_TCPSACKDISCARD);
			continue;
		}
		if (!after(end, tp->snd_una))
			continue;
		tcp_for_write_queue(skb, tp) {
			const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

			if (skb == tp->send_head || !before(cb->seq, end))
				break;
			if (!before(cb->seq, start) && !after(cb->end_seq, end))
				tcp_sack_tag_one(tp, skb, &flag, sack_rtt, prior_highest);
		}
	}
	return flag;
}

/* RFC 6675 4 IsLost(): a segment is lost when DupThresh (tp->reordering) SACKed segments
 * lie above it.
 * Walks the sent part of the queue from its end, counting SACKed segments. */
static void tcp_mark_lost(struct tcp_sock *tp)
{
	struct sk_buff *skb = tp->send_head ? tp->send_head->prev : tp->write_queue.prev;
	u32 sacked_above = 0;

	for (; skb != (struct sk_buff *)&tp->write_queue; skb = skb->prev) {
		struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

		if (cb->sacked & TCPCB_SACKED_ACKED) {
			sacked_above++;
			continue;
		}
		if (sacked_above >= tp->reordering &&
		    !(cb->sacked & (TCPCB_LOST | TCPCB_SACKED_RETRANS))) {
			cb->sacked |= TCPCB_LOST;
			tp->lost_out++;
		}
	}
}

/* The first unacknowledged, un-SACKed segment is lost: fast retransmit (RFC 5681 3.2
 * step 4) and each NewReno partial ACK (RFC 6582 3.2 step 5). */
static void tcp_mark_head_lost(struct tcp_sock *tp)
{
	struct sk_buff *skb;

	tcp_for_write_queue(skb, tp) {
		struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

		if (skb == tp->send_head)
			return;
		if (cb->sacked & TCPCB_SACKED_ACKED)
			continue;
		if (!(cb->sacked & TCPCB_LOST)) {
			cb->sacked |= TCPCB_LOST;
			tp->lost_out++;
		}
		/* a resend of it went and was not answered: may go again */
		if (cb->sacked & TCPCB_SACKED_RETRANS) {
			cb->sacked &= (u8)~TCPCB_SACKED_RETRANS;
			tp->retrans_out--;
		}
		return;
	}
}

/* ---- acked segments ---- */
/* Frees what the cumulative ACK covers and takes one RTT sample: from the oldest newly
 * acked segment never retransmitted (Karn), else from the echoed timestamp (RFC 7323
 * 4.1). Returns FLAG_* bits. */
static int tcp_clean_rtx_queue(struct tcp_sock *tp, u32 *pkts_acked, s64 *rtt_us,
			       s64 sack_rtt)
{
	u64 now = ktime_get_ns();
	struct sk_buff *skb;
	s64 seq_rtt = -1;
	int flag = 0;

	*pkts_acked = 0;
	while ((skb = skb_peek(&tp->write_queue)) && skb != tp->send_head) {
		struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
		u8 sacked = cb->sacked;

		if (after(cb->end_seq, tp->snd_una)) {
			/* partly acked (a smaller MSS, or a probe's byte): trim it */
			if (before(cb->seq, tp->snd_una) && !(cb->tcp_flags & TCPHDR_SYN)) {
				u32 n = tp->snd_una - cb->seq;
				if (n < skb->len) {
					skb_pull(skb, n);
					cb->seq = tp->snd_una;
					flag |= FLAG_DATA_ACKED;
				}
			}
			break;
		}
		if (sacked & TCPCB_SACKED_RETRANS)
			tp->retrans_out--;
		if (sacked & TCPCB_LOST)
			tp->lost_out--;
		if (sacked & TCPCB_SACKED_ACKED)
			tp->sacked_out--;
		/* Karn: not from a retransmitted segment; nor from one that was SACKed or
		 * marked lost, whose cumulative ACK waited for an earlier hole */
		if (!(sacked & (TCPCB_EVER_RETRANS | TCPCB_SACKED_ACKED | TCPCB_LOST))) {
			if (seq_rtt < 0)
				seq_rtt = (s64)(now - cb->when_ns) / 1000;
		}
		if (sacked & TCPCB_EVER_RETRANS)
			flag |= FLAG_RETRANS_DATA_ACKED;
		flag |= (cb->tcp_flags & TCPHDR_SYN) ? FLAG_SYN_ACKED : FLAG_DATA_ACKED;
		tp->packets_out--;
		(*pkts_acked)++;
		tp->bytes_acked += skb->len;
		__skb_unlink(skb, &tp->write_queue);
		tcp_wmem_free_skb(tp, skb);
	}
	if (seq_rtt < 0)
		seq_rtt = sack_rtt;
	if (!(flag & (FLAG_DATA_ACKED | FLAG_SYN_ACKED))) {
		if (seq_rtt >= 0) {
			tcp_rtt_estimator(tp, seq_rtt);
			tcp_set_rto(tp);
		}
		return flag;
	}
	/* RFC 7323 4 (RTTM): the echoed timestamp measures the round trip too, but Karn's
	 * rule applies to it as well: after a retransmission the echo may be of a segment
	 * whose ACK was lost long ago (4.3), and would inflate the RTO */
	if (seq_rtt < 0 && tp->saw_tstamp && tp->rcv_tsecr && tp->tstamp_ok &&
	    !(flag & FLAG_RETRANS_DATA_ACKED)) {
		u32 delta_ms = tcp_time_stamp(tp) - tp->rcv_tsecr;
		if (delta_ms < (u32)TCP_RTO_MAX_MS)
			seq_rtt = (s64)delta_ms * 1000;
	}
	if (seq_rtt >= 0) {
		tcp_rtt_estimator(tp, seq_rtt);
		tcp_set_rto(tp);
	}
	*rtt_us = seq_rtt;
	if (!tp->sack_ok && tp->sacked_out) { /* dupACKs stood for the acked ones */
		u32 n = *pkts_acked ? *pkts_acked - 1 : 0;
		tp->sacked_out = n >= tp->sacked_out ? 0 : tp->sacked_out - n;
	}
	if (tp->sacked_out + tp->lost_out > tp->packets_out)
		tp->sacked_out = tp->packets_out > tp->lost_out ? tp->packets_out - tp->lost_out : 0;
	tcp_rearm_rto(tp);
	return flag;
}

/* ---- recovery ---- */
static void tcp_enter_recovery(struct tcp_sock *tp)
{
	struct net *net = tcp_net(tp);

	NET_INC_STATS(net, tp->sack_ok ? LINUX_MIB_TCPSACKRECOVERY : LINUX_MIB_TCPRENORECOVERY);
	tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = MAX(tp->snd_ssthresh, 1u);
	tp->snd_cwnd_cnt = 0;
	tp->high_seq = tp->snd_nxt;
	tp->ca_state = TCP_CA_Recovery;
	trace_event(tcp_enter_recovery, 0, tp->snd_cwnd, tp->snd_ssthresh);
	tcp_trace_cwnd(tp);
}

/* RTO (RFC 5681 3.1 and 7, RFC 6298 5.5): ssthresh from the flight (held when the same
 * data times out again), cwnd to one segment, everything in flight counted lost and, as
 * RFC 2018 8 asks after a timeout, the SACK marks forgotten (the receiver may have
 * reneged). */
void tcp_enter_loss(struct tcp_sock *tp)
{
	struct sk_buff *skb;

	if (tp->ca_state == TCP_CA_Loss && tp->retransmits)
		NET_INC_STATS(tcp_net(tp), LINUX_MIB_TCPLOSSFAILURES);
	if (tp->ca_state != TCP_CA_Loss || !tp->retransmits)
		tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = 1;
	tp->snd_cwnd_cnt = 0;
	tp->sacked_out = tp->lost_out = tp->retrans_out = 0;
	tcp_for_write_queue(skb, tp) {
		struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

		if (skb == tp->send_head)
			break;
		cb->sacked = (u8)((cb->sacked & TCPCB_EVER_RETRANS) | TCPCB_LOST);
		tp->lost_out++;
	}
	tp->highest_sack = tp->snd_una;
	tp->high_seq = tp->snd_nxt;
	tp->ca_state = TCP_CA_Loss;
	if (tp->ca_ops->on_loss)
		tp->ca_ops->on_loss(tp);
	trace_event(tcp_enter_loss, 0, tp->snd_cwnd, tp->snd_ssthresh);
	tcp_trace_cwnd(tp);
}

/* The path MTU dropped (RFC 1191): segments now too big are lost; resend them at the new
 * size without touching the congestion window (Linux tcp_simple_retransmit). */
void tcp_simple_retransmit(struct tcp_sock *tp)
{
	u32 mss = tcp_current_mss(tp);
	struct sk_buff *skb;

	tcp_for_write_queue(skb, tp) {
		struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

		if (skb == tp->send_head)
			break;
		if (skb->len > mss && !(cb->sacked & (TCPCB_SACKED_ACKED | TCPCB_LOST))) {
			if (cb->sacked & TCPCB_SACKED_RETRANS) {
				cb->sacked &= (u8)~TCPCB_SACKED_RETRANS;
				tp->retrans_out--;
			}
			cb->sacked |= TCPCB_LOST;
			tp->lost_out++;
		}
	}
	if (!tp->lost_out)
		return;
	if (tp->ca_state != TCP_CA_Loss) {
		tp->high_seq = tp->snd_nxt;
		tp->ca_state = TCP_CA_Loss;
	}
	tcp_xmit_retransmit_queue(tp);
}

/* Resends the first segment marked lost and not yet resent, whatever the pipe says:
 * the fast retransmit (RFC 5681 3.2 step 2, RFC 6675 5 (4.3)) and the NewReno partial
 * ACK's retransmission (RFC 6582 3.2 step 5) are not subject to cwnd. */
static void tcp_retransmit_first_lost(struct tcp_sock *tp)
{
	struct sk_buff *skb;

	tcp_for_write_queue(skb, tp) {
		if (skb == tp->send_head)
			return;
		if ((TCP_SKB_CB(skb)->sacked & (TCPCB_LOST | TCPCB_SACKED_RETRANS | TCPCB_SACKED_ACKED)) ==
		    TCPCB_LOST) {
			if (!tcp_retransmit_skb(tp, skb))
				NET_INC_STATS(tcp_net(tp), LINUX_MIB_TCPFASTRETRANS);
			return;
		}
	}
}

static bool tcp_time_to_recover(const struct tcp_sock *tp)
{
	if (tp->lost_out)
		return true;
	if (tp->sacked_out < (tp->sack_ok ? tp->reordering : TCP_DUPTHRESH))
		return false;
	/* RFC 6582 3.2 step 2 (and its SACK analogue): no new recovery for duplicate ACKs
	 * of data sent before the last one began */
	return after(tp->snd_una, tp->high_seq) || tp->high_seq == tp->snd_una;
}

/* The recovery state machine (Linux tcp_fastretrans_alert; RFC 5681 3.2, RFC 6582,
 * RFC 6675 5): leave Recovery/Loss when everything outstanding at its start is acked;
 * enter Recovery on the third duplicate ACK (or SACK evidence); on a partial ACK resend
 * the next hole; then resend what is marked lost, as the window allows. */
static void tcp_fastretrans_alert(struct tcp_sock *tp, u32 pkts_acked, int flag, bool is_dupack)
{
	if (tp->ca_state == TCP_CA_Recovery && !before(tp->snd_una, tp->high_seq)) {
		if (tp->snd_ssthresh < TCP_INFINITE_SSTHRESH)
			tp->snd_cwnd = tp->snd_ssthresh; /* RFC 6582 3.2 step 6 */
		tp->ca_state = TCP_CA_Open;
		if (!tp->sack_ok)
			tp->sacked_out = 0;
		tcp_trace_cwnd(tp);
	} else if (tp->ca_state == TCP_CA_Loss && !before(tp->snd_una, tp->high_seq)) {
		tp->ca_state = TCP_CA_Open;
		if (!tp->sack_ok)
			tp->sacked_out = 0;
	}
	if (!tp->sack_ok && is_dupack && tp->packets_out) {
		tp->sacked_out++;
		if (tp->sacked_out + tp->lost_out > tp->packets_out)
			tp->sacked_out = tp->packets_out - tp->lost_out;
	}
	switch (tp->ca_state) {
	case TCP_CA_Recovery:
		if (!tp->sack_ok && (flag & FLAG_DATA_ACKED) && pkts_acked) {
			tcp_mark_head_lost(tp); /* partial ACK: the next hole */
			tcp_retransmit_first_lost(tp);
		}
		if (tp->sack_ok)
			tcp_mark_lost(tp);
		break;
	case TCP_CA_Loss:
		if (tp->sack_ok)
			tcp_mark_lost(tp);
		break;
	default:
		if (tp->sack_ok && tp->sacked_out)
			tcp_mark_lost(tp);
		if (tcp_time_to_recover(tp)) {
			tcp_enter_recovery(tp);
			tcp_mark_head_lost(tp);
			tcp_retransmit_first_lost(tp);
		} else {
			tp->ca_state = tp->sacked_out || tp->retrans_out ? TCP_CA_Disorder
									 : TCP_CA_Open;
		}
	}
}

/* A window probe was answered: stop probing if the window now takes the next segment,
 * else probe again later, backing off (Linux tcp_ack_probe). */
static void tcp_ack_probe(struct tcp_sock *tp)
{
	struct sk_buff *head = tp->send_head;

	if (!head)
		return;
	if (!after(TCP_SKB_CB(head)->end_seq, tcp_wnd_end(tp))) {
		tp->backoff = 0;
		if (tp->pending == ICSK_TIME_PROBE0)
			tcp_clear_xmit_timer(tp, ICSK_TIME_PROBE0);
	} else if (!tp->packets_out) {
		tcp_reset_xmit_timer(tp, ICSK_TIME_PROBE0, tcp_probe0_when_us(tp));
	}
}

/* Processes the ACK field of a segment (RFC 9293 3.10.7.4 "fifth", RFC 5961 5.2).
 * Returns 1 when it acknowledged something or updated state, 0 for an old duplicate,
 * -1 when the ACK is not acceptable (the segment is dropped). */
int tcp_ack(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th, int flag)
{
	u32 ack = th->ack_seq, prior_snd_una = tp->snd_una, prior_packets = tp->packets_out;
	u32 prior_in_flight = tcp_packets_in_flight(tp), pkts_acked = 0;
	s64 rtt_us = -1, sack_rtt = -1;
	bool is_dupack;
	TRACE_STEP(tcp_ack, skb->id, ack, flag);

	if (before(ack, prior_snd_una)) {
		/* RFC 5961 5.2: an ACK older than the largest window the peer offered is
		 * forged or ancient: challenge it */
		if (before(ack, prior_snd_una - tp->max_window)) {
			if (!(flag & FLAG_NO_CHALLENGE_ACK))
				tcp_send_challenge_ack(tp);
			return -1;
		}
		if (tp->sack_ok && th->num_sacks)
			tcp_sacktag_write_queue(tp, th, &rtt_us);
		return 0;
	}
	if (after(ack, tp->snd_nxt)) { /* acknowledges what we never sent */
		if (!(flag & FLAG_NO_CHALLENGE_ACK))
			tcp_send_challenge_ack(tp);
		return -1;
	}
	if (after(ack, prior_snd_una)) {
		flag |= FLAG_SND_UNA_ADVANCED;
		tp->retransmits = 0;
		tp->retrans_stamp = 0;
	}
	flag |= tcp_ack_update_window(tp, th, ack);
	tp->snd_una = ack;
	if (skb->len || (th->flags & TCPHDR_FIN))
		flag |= FLAG_DATA;
	if (tp->sack_ok && th->num_sacks)
		flag |= tcp_sacktag_write_queue(tp, th, &sack_rtt);
	tp->rcv_tstamp = ktime_get_ns();
	tp->probes_out = 0;
	if (!prior_packets) {
		tcp_ack_probe(tp);
		return 1;
	}
	flag |= tcp_clean_rtx_queue(tp, &pkts_acked, &rtt_us, sack_rtt);
	if (pkts_acked && tp->ca_ops->pkts_acked)
		tp->ca_ops->pkts_acked(tp, pkts_acked, rtt_us);
	is_dupack = ack == prior_snd_una && !(flag & (FLAG_DATA | FLAG_WIN_UPDATE)) &&
		    !(th->flags & (TCPHDR_SYN | TCPHDR_FIN));
	if (!(flag & FLAG_DATA_ACKED) || (flag & FLAG_DATA_SACKED) || tp->ca_state != TCP_CA_Open ||
	    tp->sacked_out)
		tcp_fastretrans_alert(tp, pkts_acked, flag, is_dupack);
	/* window growth: not while recovering a loss by halving (RFC 5681 3.2), and only
	 * when the window was what limited sending (RFC 7661) */
	if ((flag & FLAG_DATA_ACKED) && tp->ca_state != TCP_CA_Recovery &&
	    (tp->is_cwnd_limited || prior_in_flight * 2 >= tp->snd_cwnd)) {
		tp->ca_ops->cong_avoid(tp, ack, pkts_acked);
		if (tp->snd_cwnd > TCP_MAX_CWND)
			tp->snd_cwnd = TCP_MAX_CWND;
		tcp_trace_cwnd(tp);
	}
	/* lost segments go again as the (possibly grown) window allows */
	if (tp->lost_out)
		tcp_xmit_retransmit_queue(tp);
	if ((flag & (FLAG_DATA_ACKED | FLAG_SYN_ACKED)) && tp->nospace &&
	    tp->sk.wmem_queued < tp->sk.sndbuf) {
		tp->nospace = false;
		tp->sk.sk_write_space(&tp->sk);
	}
	return 1;
}
