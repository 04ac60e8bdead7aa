/* TCP timers (Linux net/ipv4/tcp_timer.c). Three timer_lists per socket, run in the TIMER
 * softirq:
 *   retransmit_timer -> tcp_write_timer(): tcp_retransmit_timer (RTO, RFC 6298 5.4-5.7)
 *                       or tcp_probe_timer (zero-window persist, RFC 9293 3.8.6.1)
 *   delack_timer     -> tcp_delack_timer(): the delayed ACK (RFC 1122 4.2.3.2)
 *   keepalive_timer  -> tcp_keepalive_timer(): keepalive (RFC 1122 4.2.3.6), the end of
 *                       FIN_WAIT2 and of TIME_WAIT, and a listener's SYN-ACK resends.
 * A timer that fires while a thread owns the socket does not touch it: it sets a bit in
 * tp->deferred and release_sock() runs it through tcp_release_cb() in that thread, as
 * Linux does. A pending timer holds a reference on the socket (sk_reset_timer). */
#include <net/net_namespace.h>
#include <net/tcp.h>
#include <seqos/errno.h>
#include <seqos/trace.h>

/* Arms t for expires (jiffies); the socket is held while the timer is pending. */
void sk_reset_timer(struct sock *sk, struct timer_list *t, u64 expires)
{
	if (!mod_timer(t, expires))
		sock_hold(sk);
}

void sk_stop_timer(struct sock *sk, struct timer_list *t)
{
	if (del_timer(t))
		sock_put(sk);
}

void tcp_reset_xmit_timer(struct tcp_sock *tp, u8 what, u64 when_us)
{
	if (when_us > (u64)TCP_RTO_MAX_MS * 1000)
		when_us = (u64)TCP_RTO_MAX_MS * 1000;
	tp->pending = what;
	sk_reset_timer(&tp->sk, &tp->retransmit_timer, jiffies + tcp_jiffies_from_us(when_us));
}

void tcp_clear_xmit_timer(struct tcp_sock *tp, u8 what)
{
	if (what == ICSK_TIME_RETRANS || what == ICSK_TIME_PROBE0) {
		tp->pending = 0;
		sk_stop_timer(&tp->sk, &tp->retransmit_timer);
	} else {
		tp->ack_pending = 0;
		sk_stop_timer(&tp->sk, &tp->delack_timer);
	}
}

/* RFC 6298 5.2/5.3: the timer runs while data is outstanding, restarted by each ACK of
 * new data. */
void tcp_rearm_rto(struct tcp_sock *tp)
{
	if (!tp->packets_out)
		tcp_clear_xmit_timer(tp, ICSK_TIME_RETRANS);
	else
		tcp_reset_xmit_timer(tp, ICSK_TIME_RETRANS, tp->rto_us);
}

u64 tcp_probe0_when_us(const struct tcp_sock *tp)
{
	u64 base = MAX((u64)tp->rto_us, (u64)TCP_RTO_MIN_MS * 1000);
	u64 when = tp->backoff >= 20 ? ~0ULL : base << tp->backoff;

	return MIN(when, (u64)TCP_RTO_MAX_MS * 1000);
}

void tcp_reset_keepalive_timer(struct tcp_sock *tp, u64 ms)
{
	sk_reset_timer(&tp->sk, &tp->keepalive_timer, jiffies + msecs_to_jiffies(ms));
}

void tcp_delete_keepalive_timer(struct tcp_sock *tp)
{
	sk_stop_timer(&tp->sk, &tp->keepalive_timer);
}

void tcp_clear_xmit_timers(struct tcp_sock *tp)
{
	tcp_clear_xmit_timer(tp, ICSK_TIME_RETRANS);
	tcp_clear_xmit_timer(tp, 0);
	tcp_delete_keepalive_timer(tp);
}

/* The connection is given up: the error is the ICMP one heard last, if any
 * (RFC 1122 4.2.3.9), else ETIMEDOUT. */
void tcp_write_err(struct tcp_sock *tp)
{
	struct sock *sk = &tp->sk;

	sk->err = tp->soft_err ? tp->soft_err : ETIMEDOUT;
	NET_INC_STATS(sk->net, LINUX_MIB_TCPABORTONTIMEOUT);
	tcp_write_queue_purge(tp);
	tcp_done(tp);
	if (!tp->orphan)
		sk->sk_error_report(sk);
}

/* Too many timeouts (RFC 1122 4.2.3.5 R2), or unacknowledged for longer than the user
 * timeout (RFC 5482)? Then the connection dies. */
static bool tcp_write_timeout(struct tcp_sock *tp)
{
	u8 state = tp->sk.state;
	u32 retry_until = state == TCP_SYN_SENT ? TCP_SYN_RETRIES
			  : state == TCP_SYN_RECV ? TCP_SYNACK_RETRIES
						  : TCP_RETRIES2;
	bool expired = tp->retransmits >= retry_until;

	if (tp->user_timeout_ms && tp->retrans_stamp)
		expired = ktime_get_ns() - tp->retrans_stamp >= (u64)tp->user_timeout_ms * NSEC_PER_MSEC;
	if (expired)
		tcp_write_err(tp);
	return expired;
}

/* RTO expired (RFC 6298 5.4-5.6): retransmit the earliest unacknowledged segment, back
 * the timer off (double it, up to TCP_RTO_MAX), and start loss recovery from one
 * segment (RFC 5681 3.1, tcp_enter_loss). */
static void tcp_retransmit_timer(struct tcp_sock *tp)
{
	struct sk_buff *head = skb_peek(&tp->write_queue);
	struct net *net = tcp_net(tp);
	TRACE_STEP(tcp_retransmit_timer, head ? head->id : 0, tp->sk.id, tp->backoff);

	if (!tp->packets_out || !head)
		return;
	if (!tp->snd_wnd && !tp->orphan && tp->sk.state != TCP_SYN_SENT &&
	    tp->sk.state != TCP_SYN_RECV) {
		/* the peer shrank its window onto data in flight: keep probing it, but give
		 * up when it has been silent for TCP_RTO_MAX */
		if (ktime_get_ns() - tp->rcv_tstamp > (u64)TCP_RTO_MAX_MS * NSEC_PER_MSEC) {
			tcp_write_err(tp);
			return;
		}
		tcp_enter_loss(tp);
		tcp_retransmit_skb(tp, head);
		goto out_reset_timer;
	}
	if (tcp_write_timeout(tp))
		return;
	NET_INC_STATS(net, LINUX_MIB_TCPTIMEOUTS);
	tcp_enter_loss(tp);
	if (tcp_retransmit_skb(tp, head)) {
		/* no buffer now: retry soon, without backing off */
		tcp_reset_xmit_timer(tp, ICSK_TIME_RETRANS, MIN(tp->rto_us, 500000u));
		return;
	}
out_reset_timer:
	tp->backoff++;
	tp->retransmits++;
	tp->rto_us = (u32)MIN((u64)tp->rto_us * 2, (u64)TCP_RTO_MAX_MS * 1000);
	tcp_reset_xmit_timer(tp, ICSK_TIME_RETRANS, tp->rto_us);
}

/* Persist timer: data waits on a zero window with nothing in flight. Probes go on as
 * long as the peer answers them (each ACK clears probes_out); TCP_RETRIES2 unanswered
 * probes, or the user timeout, end the connection. */
static void tcp_probe_timer(struct tcp_sock *tp)
{
	TRACE_STEP(tcp_probe_timer, 0, tp->sk.id, tp->probes_out);

	if (tp->packets_out || !tp->send_head) {
		tp->probes_out = 0;
		return;
	}
	if (!tp->probes_out)
		tp->retrans_stamp = ktime_get_ns();
	if (tp->probes_out >= TCP_RETRIES2 ||
	    (tp->user_timeout_ms &&
	     ktime_get_ns() - tp->retrans_stamp >= (u64)tp->user_timeout_ms * NSEC_PER_MSEC)) {
		tcp_write_err(tp);
		return;
	}
	tcp_send_probe0(tp);
}

static void tcp_write_timer_handler(struct tcp_sock *tp)
{
	u8 event = tp->pending;
	TRACE_STEP(tcp_write_timer, 0, tp->sk.id, event);

	if (tp->sk.state == TCP_CLOSE || !event || timer_pending(&tp->retransmit_timer))
		return;
	tp->pending = 0;
	if (event == ICSK_TIME_RETRANS)
		tcp_retransmit_timer(tp);
	else
		tcp_probe_timer(tp);
}

static void tcp_delack_timer_handler(struct tcp_sock *tp)
{
	TRACE_STEP(tcp_delack_timer, 0, tp->sk.id, tp->ack_pending);

	if (tp->sk.state == TCP_CLOSE || !(tp->ack_pending & ICSK_ACK_TIMER) ||
	    timer_pending(&tp->delack_timer))
		return;
	tp->ack_pending &= (u8)~ICSK_ACK_TIMER;
	if (tp->ack_pending & ICSK_ACK_SCHED) {
		NET_INC_STATS(tcp_net(tp), LINUX_MIB_DELAYEDACKS);
		tcp_send_ack(tp);
	}
}

/* Common wrapper: run now, or defer to the owner's release_sock. Drops the timer's
 * reference (a deferral keeps it until tcp_release_cb). */
static void tcp_timer_run(struct tcp_sock *tp, u8 bit, void (*handler)(struct tcp_sock *))
{
	struct sock *sk = &tp->sk;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		handler(tp);
		bh_unlock_sock(sk);
		sock_put(sk);
		return;
	}
	trace_event(tcp_timer_deferred, 0, sk->id, bit);
	if (bit == TCP_DELACK_TIMER_DEFERRED)
		NET_INC_STATS(sk->net, LINUX_MIB_DELAYEDACKLOCKED);
	if (tp->deferred & bit)
		sock_put(sk); /* already deferred: one reference is enough */
	tp->deferred |= bit;
	bh_unlock_sock(sk);
}

static void tcp_write_timer(struct timer_list *t)
{
	struct tcp_sock *tp = from_timer(tp, t, retransmit_timer);
	tcp_timer_run(tp, TCP_WRITE_TIMER_DEFERRED, tcp_write_timer_handler);
}

static void tcp_delack_timer(struct timer_list *t)
{
	struct tcp_sock *tp = from_timer(tp, t, delack_timer);
	tcp_timer_run(tp, TCP_DELACK_TIMER_DEFERRED, tcp_delack_timer_handler);
}

/* Keepalive proper (RFC 1122 4.2.3.6): after keepalive_time without anything from the
 * peer, probes every keepalive_intvl; keepalive_probes unanswered (or the user timeout)
 * reset the connection. */
static void tcp_keepalive(struct tcp_sock *tp)
{
	struct sock *sk = &tp->sk;
	u64 now = ktime_get_ns(), last = MAX(tp->lrcvtime, tp->rcv_tstamp);
	u64 elapsed_ms = (now - last) / NSEC_PER_MSEC, time_ms = (u64)tp->keepalive_time_s * 1000;
	u64 next_ms;

	if (!tp->keepalive || (sk->state != TCP_ESTABLISHED && sk->state != TCP_CLOSE_WAIT &&
			       sk->state != TCP_FIN_WAIT1 && sk->state != TCP_FIN_WAIT2))
		return;
	if (tp->packets_out || tp->send_head) {
		next_ms = time_ms; /* data in flight: the retransmission timer watches */
	} else if (elapsed_ms >= time_ms) {
		if ((tp->user_timeout_ms && elapsed_ms >= tp->user_timeout_ms && tp->probes_out) ||
		    (!tp->user_timeout_ms && tp->probes_out >= tp->keepalive_probes)) {
			tcp_send_active_reset(tp);
			tcp_write_err(tp);
			return;
		}
		tcp_xmit_probe_skb(tp);
		NET_INC_STATS(sk->net, LINUX_MIB_TCPKEEPALIVE);
		tp->probes_out++;
		next_ms = (u64)tp->keepalive_intvl_s * 1000;
	} else {
		next_ms = time_ms - elapsed_ms;
	}
	tcp_reset_keepalive_timer(tp, next_ms);
}

static void tcp_keepalive_timer(struct timer_list *t)
{
	struct tcp_sock *tp = from_timer(tp, t, keepalive_timer);
	struct sock *sk = &tp->sk;
	TRACE_STEP(tcp_keepalive_timer, 0, sk->id, sk->state);

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) { /* try again shortly (Linux: HZ/20) */
		tcp_reset_keepalive_timer(tp, 50);
		goto out;
	}
	switch (sk->state) {
	case TCP_LISTEN:
		tcp_synack_timer(tp);
		break;
	case TCP_TIME_WAIT:
		NET_INC_STATS(sk->net, LINUX_MIB_TIMEWAITED);
		tcp_done(tp);
		break;
	case TCP_FIN_WAIT2:
		if (tp->orphan) { /* the peer never sent its FIN (Linux tcp_fin_timeout) */
			tcp_send_active_reset(tp);
			tcp_done(tp);
			break;
		}
		tcp_keepalive(tp);
		break;
	case TCP_CLOSE:
		break;
	default:
		tcp_keepalive(tp);
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

void tcp_init_xmit_timers(struct tcp_sock *tp)
{
	timer_setup(&tp->retransmit_timer, tcp_write_timer, 0);
	timer_setup(&tp->delack_timer, tcp_delack_timer, 0);
	timer_setup(&tp->keepalive_timer, tcp_keepalive_timer, 0);
}

/* Enters TIME_WAIT (2 MSL, RFC 9293 3.4.2) or an orphan's FIN_WAIT2 wait: what was to
 * be sent is dropped, what was received stays for the user. */
void tcp_time_wait(struct tcp_sock *tp, int state, u32 timeo_ms)
{
	struct netns_tcp *t = tcp_net(tp)->tcp;

	trace_event(tcp_time_wait, 0, tp->sk.id, timeo_ms);
	if (state == TCP_TIME_WAIT) {
		bool overflow;

		spin_lock_bh(&t->lock);
		overflow = t->tw_count >= TCP_MAX_TW_BUCKETS;
		if (!overflow && !tp->tw_counted) {
			t->tw_count++;
			tp->tw_counted = true;
			/* no longer closing (Linux: a TIME_WAIT minisock is no orphan), so a
			 * close never resets for the connections that merely wait 2 MSL */
			if (tp->orphan)
				t->orphans--;
		}
		spin_unlock_bh(&t->lock);
		if (overflow) {
			NET_INC_STATS(tcp_net(tp), LINUX_MIB_TCPTIMEWAITOVERFLOW);
			tcp_done(tp);
			return;
		}
		tcp_set_state(tp, TCP_TIME_WAIT);
		tcp_clear_xmit_timer(tp, ICSK_TIME_RETRANS);
		tcp_clear_xmit_timer(tp, 0);
		tcp_write_queue_purge(tp);
		tcp_ofo_purge(tp);
	}
	tcp_reset_keepalive_timer(tp, timeo_ms);
}

/* release_sock() calls this, socket still owned, bottom halves off: the timers that
 * fired while the thread held the socket run now, in its context. */
void tcp_release_cb(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u8 deferred = tp->deferred;

	if (!deferred)
		return;
	tp->deferred = 0;
	if (deferred & TCP_WRITE_TIMER_DEFERRED) {
		tcp_write_timer_handler(tp);
		sock_put(sk);
	}
	if (deferred & TCP_DELACK_TIMER_DEFERRED) {
		tcp_delack_timer_handler(tp);
		sock_put(sk);
	}
	if ((deferred & TCP_MTU_REDUCED_DEFERRED) && sk->state != TCP_CLOSE)
		tcp_v4_mtu_reduced(tp);
}
