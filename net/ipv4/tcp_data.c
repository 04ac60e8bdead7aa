/* TCP receive queues (the data half of Linux net/ipv4/tcp_input.c): called from
 * tcp_rcv_established() / tcp_rcv_state_process() as tcp_data_queue() ->
 * [tcp_data_queue_ofo() | tcp_queue_rcv() -> tcp_ofo_queue() -> tcp_fin()] ->
 * sk_data_ready(); and then __tcp_ack_snd_check(): ACK now, or arm the delayed ACK.
 *
 *   receive_queue       in-order data for tcp_recvmsg (no headers; seq in TCP_SKB_CB)
 *   out_of_order_queue  data above a hole, sorted, no overlaps; its ranges are the SACK
 *                       blocks we send (RFC 2018 4), most recent first
 *
 * Memory: every queued sk_buff is charged (truesize) to the socket's rmem_alloc and to
 * the global TCP total; the offered window is half the free buffer (tcp_space), and a
 * small segment is copied into the tail buffer when it fits (tcp_try_coalesce), so the
 * charge stays within rcvbuf even for a peer sending tiny segments. When it does not,
 * the out-of-order queue is pruned first, then the segment is dropped (and counted).
 *
 * ACK policy (RFC 1122 4.2.3.2, RFC 5681 4.2): at least every second full-sized segment,
 * at most TCP_DELACK_MS late, and at once for out-of-order data, for data that fills a
 * hole, for duplicates, and for a FIN. */
#include <net/net_namespace.h>
#include <net/tcp.h>
#include <seqos/string.h>
#include <seqos/trace.h>

static void tcp_skb_set_owner_r(struct sk_buff *skb, struct tcp_sock *tp)
{
	skb->sk = &tp->sk;
	skb->destructor = tcp_rfree;
	tp->sk.rmem_alloc += skb->truesize;
	tcp_mem_force_charge(skb->truesize); /* checked by tcp_try_rmem_schedule */
}

void tcp_ofo_purge(struct tcp_sock *tp)
{
	skb_queue_purge(&tp->out_of_order_queue);
	tp->num_sacks = 0;
}

/* Is there room for skb? Prunes the out-of-order queue if that makes some. */
static bool tcp_try_rmem_schedule(struct tcp_sock *tp, const struct sk_buff *skb)
{
	struct sock *sk = &tp->sk;
	struct net *net = sk->net;

	if (sk->rmem_alloc + skb->truesize <= sk->rcvbuf &&
	    tcp_memory_allocated() + skb->truesize <= TCP_MEM_LIMIT)
		return true;
	NET_INC_STATS(net, LINUX_MIB_PRUNECALLED);
	if (tcp_memory_allocated() + skb->truesize > TCP_MEM_LIMIT)
		NET_INC_STATS(net, LINUX_MIB_TCPMEMORYPRESSURES);
	if (!skb_queue_empty(&tp->out_of_order_queue)) {
		NET_INC_STATS(net, LINUX_MIB_OFOPRUNED);
		tcp_ofo_purge(tp);
	}
	return sk->rmem_alloc + skb->truesize <= sk->rcvbuf &&
	       tcp_memory_allocated() + skb->truesize <= TCP_MEM_LIMIT;
}

/* Copies from's payload into to when it continues it and fits (Linux tcp_try_coalesce). */
static bool tcp_try_coalesce(struct tcp_sock *tp, struct sk_buff *to, struct sk_buff *from)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(to), *fcb = TCP_SKB_CB(from);

	if (!to || tcb->end_seq != fcb->seq || (tcb->tcp_flags & TCPHDR_FIN) || skb_cloned(to) ||
	    skb_tailroom(to) < from->len)
		return false;
	skb_put_data(to, from->data, from->len);
	tcb->end_seq = fcb->end_seq;
	tcb->tcp_flags |= fcb->tcp_flags & TCPHDR_FIN;
	NET_INC_STATS(tcp_net(tp), LINUX_MIB_TCPRCVCOALESCE);
	return true;
}

/* Queues in-order data for the reader. Returns true when skb was copied (caller frees). */
static bool tcp_queue_rcv(struct tcp_sock *tp, struct sk_buff *skb, bool charged)
{
	struct sk_buff_head *q = &tp->sk.receive_queue;
	struct sk_buff *tail = skb_queue_empty(q) ? NULL : q->prev;

	TCP_SKB_CB(skb)->tcp_flags &= (u8)~TCPHDR_FIN; /* EOF is sk->shutdown, not a byte */
	TCP_SKB_CB(skb)->end_seq = TCP_SKB_CB(skb)->seq + skb->len;
	if (tail && tcp_try_coalesce(tp, tail, skb))
		return true;
	if (!charged)
		tcp_skb_set_owner_r(skb, tp);
	__skb_queue_tail(q, skb);
	return false;
}

/* Data arrived: note the time and the peer's segment size, and owe an ACK. */
static void tcp_event_data_recv(struct tcp_sock *tp, const struct sk_buff *skb)
{
	tp->lrcvtime = ktime_get_ns();
	if (skb->len > tp->rcv_mss) /* Linux tcp_measure_rcv_mss */
		tp->rcv_mss = (u16)MIN(skb->len, (u32)tp->advmss);
	tp->ack_pending |= ICSK_ACK_SCHED;
}

/* ---- SACK blocks we send (RFC 2018 4, RFC 2883) ---- */
static bool tcp_sack_extend(struct tcp_sack_block *sp, u32 seq, u32 end_seq)
{
	if (after(seq, sp->end_seq) || after(sp->start_seq, end_seq))
		return false;
	if (before(seq, sp->start_seq))
		sp->start_seq = seq;
	if (after(end_seq, sp->end_seq))
		sp->end_seq = end_seq;
	return true;
}

void tcp_dsack_set(struct tcp_sock *tp, u32 seq, u32 end_seq)
{
	if (!tp->sack_ok || !after(end_seq, seq))
		return;
	NET_INC_STATS(tcp_net(tp), LINUX_MIB_TCPDSACKOLDSENT);
	tp->dsack = true;
	tp->ack_pending |= ICSK_ACK_SCHED | ICSK_ACK_NOW; /* tell the sender soon */
	tp->duplicate_sack.start_seq = seq;
	tp->duplicate_sack.end_seq = end_seq;
}

/* The first block reports the most recently received segment (RFC 2018 4): an existing
 * block it touches grows and moves to the front, swallowing any others it now reaches;
 * otherwise it is a new first block and the oldest falls off. */
static void tcp_sack_new_ofo_skb(struct tcp_sock *tp, u32 seq, u32 end_seq)
{
	struct tcp_sack_block *sp = tp->selective_acks, tmp;
	u32 i, j;

	if (!tp->sack_ok)
		return;
	for (i = 0; i < tp->num_sacks; i++) {
		if (!tcp_sack_extend(&sp[i], seq, end_seq))
			continue;
		tmp = sp[i];
		for (j = i; j > 0; j--)
			sp[j] = sp[j - 1];
		sp[0] = tmp;
		for (j = 1; j < tp->num_sacks;) {
			if (tcp_sack_extend(&sp[0], sp[j].start_seq, sp[j].end_seq)) {
				for (u32 k = j; k + 1 < tp->num_sacks; k++)
					sp[k] = sp[k + 1];
				tp->num_sacks--;
			} else {
				j++;
			}
		}
		return;
	}
	j = tp->num_sacks < TCP_MAX_SACKS ? tp->num_sacks : TCP_MAX_SACKS - 1;
	for (; j > 0; j--)
		sp[j] = sp[j - 1];
	sp[0].start_seq = seq;
	sp[0].end_seq = end_seq;
	if (tp->num_sacks < TCP_MAX_SACKS)
		tp->num_sacks++;
}

/* Blocks the cumulative ACK reached are no longer news. */
static void tcp_sack_remove(struct tcp_sock *tp)
{
	u32 i = 0;

	if (skb_queue_empty(&tp->out_of_order_queue)) {
		tp->num_sacks = 0;
		return;
	}
	while (i < tp->num_sacks) {
		if (!after(tp->selective_acks[i].end_seq, tp->rcv_nxt)) {
			for (u32 k = i; k + 1 < tp->num_sacks; k++)
				tp->selective_acks[k] = tp->selective_acks[k + 1];
			tp->num_sacks--;
		} else {
			i++;
		}
	}
}

/* ---- out of order ---- */
static struct sk_buff *ofo_next(struct tcp_sock *tp, struct sk_buff *skb)
{
	return skb->next == (struct sk_buff *)&tp->out_of_order_queue ? NULL : skb->next;
}

static struct sk_buff *ofo_prev(struct tcp_sock *tp, struct sk_buff *skb)
{
	return skb->prev == (struct sk_buff *)&tp->out_of_order_queue ? NULL : skb->prev;
}

/* Keeps data above a hole, in order and without overlaps: what is already there wins
 * (the new segment is trimmed or dropped, and D-SACKed), what the new one covers
 * entirely goes. */
static void tcp_data_queue_ofo(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct net *net = tcp_net(tp);
	struct sk_buff_head *q = &tp->out_of_order_queue;
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	u32 seq = cb->seq, end_seq = cb->end_seq;
	struct sk_buff *prev, *next;
	TRACE_STEP(tcp_data_queue_ofo, skb->id, seq, skb->len);

	tp->ack_pending |= ICSK_ACK_SCHED | ICSK_ACK_NOW;
	NET_INC_STATS(net, LINUX_MIB_TCPOFOQUEUE);
	if (skb_queue_len(q) >= TCP_OFO_MAX || !tcp_try_rmem_schedule(tp, skb)) {
		NET_INC_STATS(net, LINUX_MIB_TCPOFODROP);
		kfree_skb_reason(skb, SKB_DROP_SOCKET_RCVBUFF);
		return;
	}
	/* the last queued segment that starts at or before this one */
	prev = skb_queue_empty(q) ? NULL : q->prev;
	while (prev && after(TCP_SKB_CB(prev)->seq, seq))
		prev = ofo_prev(tp, prev);
	if (prev) {
		struct tcp_skb_cb *pcb = TCP_SKB_CB(prev);

		if (!after(end_seq, pcb->end_seq)) { /* nothing new */
			NET_INC_STATS(net, LINUX_MIB_TCPOFOMERGE);
			tcp_dsack_set(tp, seq, end_seq);
			kfree_skb_reason(skb, SKB_CONSUMED);
			tcp_sack_new_ofo_skb(tp, seq, end_seq);
			return;
		}
		if (after(pcb->end_seq, cb->seq)) { /* overlaps prev's tail: trim our head */
			tcp_dsack_set(tp, cb->seq, pcb->end_seq);
			skb_pull(skb, pcb->end_seq - cb->seq);
			cb->seq = pcb->end_seq;
		}
	}
	/* drop what we cover entirely, trim our tail where the next one starts */
	next = prev ? ofo_next(tp, prev) : skb_peek(q);
	while (next && !before(TCP_SKB_CB(next)->seq, cb->seq) &&
	       !after(TCP_SKB_CB(next)->end_seq, cb->end_seq)) {
		struct sk_buff *n = ofo_next(tp, next);

		tcp_dsack_set(tp, TCP_SKB_CB(next)->seq, TCP_SKB_CB(next)->end_seq);
		__skb_unlink(next, q);
		kfree_skb_reason(next, SKB_CONSUMED);
		next = n;
	}
	if (next && before(TCP_SKB_CB(next)->seq, cb->end_seq)) {
		skb_trim(skb, TCP_SKB_CB(next)->seq - cb->seq);
		cb->end_seq = TCP_SKB_CB(next)->seq;
		cb->tcp_flags &= (u8)~TCPHDR_FIN;
	}
	if (cb->end_seq == cb->seq) { /* the neighbours had all of it */
		tcp_dsack_set(tp, seq, end_seq);
		kfree_skb_reason(skb, SKB_CONSUMED);
		tcp_sack_new_ofo_skb(tp, seq, end_seq);
		return;
	}
	if (prev && tcp_try_coalesce(tp, prev, skb)) {
		consume_skb(skb);
	} else {
		tcp_skb_set_owner_r(skb, tp);
		if (prev) { /* after prev */
			skb->prev = prev;
			skb->next = prev->next;
			prev->next->prev = skb;
			prev->next = skb;
			q->qlen++;
		} else {
			__skb_queue_head(q, skb);
		}
	}
	tcp_sack_new_ofo_skb(tp, seq, end_seq);
}

/* Moves what the new in-order data made contiguous from the out-of-order queue to the
 * receive queue. */
static void tcp_ofo_queue(struct tcp_sock *tp)
{
	struct sk_buff_head *q = &tp->out_of_order_queue;
	struct sk_buff *skb;
	u32 moved = 0;
	TRACE_STEP(tcp_ofo_queue, 0, tp->sk.id, skb_queue_len(q));

	while ((skb = skb_peek(q)) && !after(TCP_SKB_CB(skb)->seq, tp->rcv_nxt)) {
		struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
		bool fin = cb->tcp_flags & TCPHDR_FIN;

		__skb_unlink(skb, q);
		if (!after(cb->end_seq, tp->rcv_nxt)) {
			tcp_dsack_set(tp, cb->seq, cb->end_seq);
			kfree_skb_reason(skb, SKB_CONSUMED);
			continue;
		}
		if (before(cb->seq, tp->rcv_nxt)) {
			skb_pull(skb, tp->rcv_nxt - cb->seq);
			cb->seq = tp->rcv_nxt;
		}
		tp->rcv_nxt = cb->end_seq;
		moved++;
		if (tcp_queue_rcv(tp, skb, true))
			consume_skb(skb);
		if (fin) {
			tcp_fin(tp);
			break;
		}
	}
}

/* "seventh, process the segment text" (RFC 9293 3.10.7.4). Consumes skb. */
void tcp_data_queue(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct sock *sk = &tp->sk;
	struct net *net = sk->net;
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	bool fin, copied;
	u32 win;
	TRACE_STEP(tcp_data_queue, skb->id, cb->seq, skb->len);

	if (cb->seq == cb->end_seq) { /* nothing in it */
		consume_skb(skb);
		return;
	}
	win = tcp_receive_window(tp);
	/* trim what lies beyond the window (RFC 9293 3.10.7.4: "only the portion within the
	 * window"), a FIN included */
	if (win && before(cb->seq, tp->rcv_nxt + win) && after(cb->end_seq, tp->rcv_nxt + win)) {
		u32 keep = tp->rcv_nxt + win - cb->seq;

		if (keep < skb->len)
			skb_trim(skb, keep);
		cb->tcp_flags &= (u8)~TCPHDR_FIN;
		cb->end_seq = cb->seq + skb->len;
		if (!before(cb->seq, tp->rcv_nxt)) /* in window: the peer overran it */
			NET_INC_STATS(net, LINUX_MIB_TCPZEROWINDOWDROP);
	}
	if (cb->seq == tp->rcv_nxt) {
		if (!win && !(skb->len == 0 && (cb->tcp_flags & TCPHDR_FIN))) {
			NET_INC_STATS(net, LINUX_MIB_TCPZEROWINDOWDROP);
			goto out_of_window;
		}
queue_and_out:
		fin = cb->tcp_flags & TCPHDR_FIN;
		copied = false;
		if (skb->len) {
			struct sk_buff *tail = skb_queue_empty(&sk->receive_queue) ? NULL
										   : sk->receive_queue.prev;
			if (!(tail && TCP_SKB_CB(tail)->end_seq == cb->seq && !skb_cloned(tail) &&
			      skb_tailroom(tail) >= skb->len) &&
			    !tcp_try_rmem_schedule(tp, skb)) {
				NET_INC_STATS(net, LINUX_MIB_TCPRCVQDROP);
				tp->ack_pending |= ICSK_ACK_SCHED | ICSK_ACK_NOW;
				kfree_skb_reason(skb, SKB_DROP_SOCKET_RCVBUFF);
				return;
			}
			tcp_event_data_recv(tp, skb);
		}
		tp->rcv_nxt = cb->end_seq;
		if (skb->len)
			copied = tcp_queue_rcv(tp, skb, false);
		if (fin)
			tcp_fin(tp);
		if (!skb_queue_empty(&tp->out_of_order_queue)) {
			tcp_ofo_queue(tp);
			/* RFC 5681 4.2: a segment that fills a hole is ACKed at once */
			if (skb_queue_empty(&tp->out_of_order_queue))
				tp->ack_pending |= ICSK_ACK_SCHED | ICSK_ACK_NOW;
		}
		if (tp->num_sacks)
			tcp_sack_remove(tp);
		if (copied || !skb->len)
			consume_skb(skb);
		if (!tp->orphan)
			sk->sk_data_ready(sk);
		return;
	}
	if (!after(cb->end_seq, tp->rcv_nxt)) { /* all of it is old: a retransmission */
		NET_INC_STATS(net, LINUX_MIB_DELAYEDACKLOST);
		tcp_dsack_set(tp, cb->seq, cb->end_seq);
		goto out_of_window;
	}
	if (!before(cb->seq, tp->rcv_nxt + win)) { /* all of it beyond the window */
		NET_INC_STATS(net, LINUX_MIB_TCPZEROWINDOWDROP);
		goto out_of_window;
	}
	if (before(cb->seq, tp->rcv_nxt)) { /* partly old: keep the new part */
		tcp_dsack_set(tp, cb->seq, tp->rcv_nxt);
		if (!win) {
			NET_INC_STATS(net, LINUX_MIB_TCPZEROWINDOWDROP);
			goto out_of_window;
		}
		skb_pull(skb, tp->rcv_nxt - cb->seq);
		cb->seq = tp->rcv_nxt;
		goto queue_and_out;
	}
	tcp_data_queue_ofo(tp, skb);
	return;
out_of_window:
	tp->ack_pending |= ICSK_ACK_SCHED | ICSK_ACK_NOW;
	kfree_skb_reason(skb, SKB_DROP_NOT_SPECIFIED);
}

/* ---- ACK now or later ---- */
void __tcp_ack_snd_check(struct tcp_sock *tp, bool ofo_possible)
{
	/* more than one full segment unacknowledged (the second one just came: RFC 5681
	 * 4.2), or something asked for an immediate ACK */
	if (tp->rcv_nxt - tp->rcv_wup > tp->rcv_mss ||
	    (tp->ack_pending & ICSK_ACK_NOW) ||
	    (ofo_possible && !skb_queue_empty(&tp->out_of_order_queue)))
		tcp_send_ack(tp);
	else
		tcp_send_delayed_ack(tp);
}

void tcp_ack_snd_check(struct tcp_sock *tp)
{
	if (tp->ack_pending & ICSK_ACK_SCHED)
		__tcp_ack_snd_check(tp, true);
}

/* After the reader took data (Linux tcp_cleanup_rbuf): send the owed ACK if a full
 * segment is waiting for it, or a window update if the window can at least double, so
 * a sender stopped by a small or zero window learns at once (RFC 9293 3.8.6.2.2). */
void tcp_cleanup_rbuf(struct tcp_sock *tp, u32 copied)
{
	bool time_to_ack = false;

	if (tp->sk.state == TCP_CLOSE || tp->sk.state == TCP_LISTEN)
		return;
	if ((tp->ack_pending & ICSK_ACK_SCHED) && tp->rcv_nxt - tp->rcv_wup > tp->rcv_mss)
		time_to_ack = true;
	if (copied && !time_to_ack && !(tp->sk.shutdown & RCV_SHUTDOWN)) {
		u32 now = tcp_receive_window(tp);

		if (2 * now <= tp->window_clamp) {
			u32 nw = __tcp_select_window(tp);
			if (nw && nw >= 2 * now)
				time_to_ack = true;
		}
	}
	if (time_to_ack)
		tcp_send_ack(tp);
}
