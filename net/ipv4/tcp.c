/* TCP socket calls (Linux net/ipv4/tcp.c, af_inet.c's stream parts): what the BSD socket
 * layer calls from a thread. Each call takes the socket with lock_sock(), so segments
 * arriving meanwhile wait on the backlog and are processed when release_sock() runs, in
 * this thread (DESIGN.md "Execution contexts"). A call that must wait sleeps on sk->wq
 * with the socket released (sk_wait_event); sk_data_ready, sk_write_space and
 * sk_state_change, run from softirq or timers, wake it.
 *
 *   send:    tcp_sendmsg -> [sk_stream_wait_memory] -> tcp_push -> tcp_write_xmit ...
 *   receive: ... sk_data_ready ~> tcp_recvmsg -> tcp_cleanup_rbuf (window update ACK)
 *   open:    tcp_stream_connect -> tcp_v4_connect; tcp_listen; tcp_accept
 *   close:   tcp_shutdown, tcp_close -> tcp_send_fin | tcp_send_active_reset
 *
 * Also: socket allocation and destruction, state changes and the memory accounting that
 * bounds each socket (sndbuf, rcvbuf) and all of them together (TCP_MEM_LIMIT). */
#include <net/net_namespace.h>
#include <net/tcp.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/string.h>
#include <seqos/trace.h>

const char *const tcp_state_names[TCP_MAX_STATES] = {
	"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
};

/* ---- memory ---- */
static u64 tcp_mem_allocated; /* bytes of truesize queued by all TCP sockets */

bool tcp_mem_charge(u32 bytes)
{
	if (__atomic_load_n(&tcp_mem_allocated, __ATOMIC_RELAXED) + bytes > TCP_MEM_LIMIT)
		return false;
	__atomic_add_fetch(&tcp_mem_allocated, bytes, __ATOMIC_RELAXED);
	return true;
}

void tcp_mem_force_charge(u32 bytes)
{
	__atomic_add_fetch(&tcp_mem_allocated, bytes, __ATOMIC_RELAXED);
}

void tcp_mem_uncharge(u32 bytes)
{
	__atomic_sub_fetch(&tcp_mem_allocated, bytes, __ATOMIC_RELAXED);
}

u64 tcp_memory_allocated(void) { return __atomic_load_n(&tcp_mem_allocated, __ATOMIC_RELAXED); }

void tcp_rfree(struct sk_buff *skb)
{
	skb->sk->rmem_alloc -= skb->truesize;
	tcp_mem_uncharge(skb->truesize);
}

void tcp_wmem_free_skb(struct tcp_sock *tp, struct sk_buff *skb)
{
	tp->sk.wmem_queued -= skb->truesize;
	tcp_mem_uncharge(skb->truesize);
	consume_skb(skb);
}

void tcp_write_queue_purge(struct tcp_sock *tp)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&tp->write_queue)))
		tcp_wmem_free_skb(tp, skb);
	tp->send_head = NULL;
	tp->packets_out = tp->sacked_out = tp->lost_out = tp->retrans_out = 0;
}

/* ---- allocation, states, destruction ---- */
static void tcp_sk_destruct(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct netns_tcp *t = sk->net->tcp;

	spin_lock_bh(&t->lock);
	t->nsocks--;
	spin_unlock_bh(&t->lock);
	kfree(tp);
}

struct tcp_sock *tcp_sock_alloc(struct net *net)
{
	struct netns_tcp *t = net->tcp;
	struct tcp_sock *tp;
	struct sock *sk;

	spin_lock_bh(&t->lock);
	if (t->nsocks >= TCP_MAX_SOCKS) {
		spin_unlock_bh(&t->lock);
		return NULL;
	}
	t->nsocks++;
	spin_unlock_bh(&t->lock);
	tp = kzalloc(sizeof(*tp));
	if (!tp) {
		spin_lock_bh(&t->lock);
		t->nsocks--;
		spin_unlock_bh(&t->lock);
		return NULL;
	}
	sk = &tp->sk;
	sock_init_data(net, sk, IPPROTO_TCP);
	sk->refcnt = 2; /* the user's, and the protocol's until tcp_destroy_sock */
	sk->state = TCP_CLOSE;
	sk->rcvbuf = TCP_RMEM_DEFAULT;
	sk->sndbuf = TCP_WMEM_DEFAULT;
	sk->backlog_rcv = tcp_v4_do_rcv;
	sk->release_cb = tcp_release_cb;
	sk->sk_destruct = tcp_sk_destruct;
	INIT_LIST_HEAD(&tp->hash_node);
	INIT_LIST_HEAD(&tp->bind_node);
	INIT_LIST_HEAD(&tp->syn_queue);
	INIT_LIST_HEAD(&tp->accept_queue);
	INIT_LIST_HEAD(&tp->accept_node);
	skb_queue_head_init(&tp->write_queue);
	skb_queue_head_init(&tp->out_of_order_queue);
	tcp_init_xmit_timers(tp);
	tp->mss_clamp = tp->advmss = tp->mss_cache = tp->rcv_mss = TCP_DEFAULT_MSS;
	tp->pmtu = 576;
	tp->tcp_header_len = sizeof(struct tcphdr);
	tp->snd_cwnd = TCP_INIT_CWND;
	tp->reordering = TCP_DUPTHRESH;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->rto_us = TCP_TIMEOUT_INIT_MS * 1000;
	tp->keepalive_time_s = TCP_KEEPALIVE_TIME_S;
	tp->keepalive_intvl_s = TCP_KEEPALIVE_INTVL_S;
	tp->keepalive_probes = TCP_KEEPALIVE_PROBES;
	tp->ca_ops = &tcp_reno;
	return tp;
}

void tcp_set_state(struct tcp_sock *tp, int state)
{
	struct sock *sk = &tp->sk;
	struct net *net = sk->net;
	int old = sk->state;

	trace_event(tcp_set_state, 0, sk->id, (u64)old << 8 | (u64)state);
	if (state == TCP_ESTABLISHED && old != TCP_ESTABLISHED)
		net->tcp->curr_estab++;
	if (old == TCP_ESTABLISHED && state != TCP_ESTABLISHED)
		net->tcp->curr_estab--;
	if (state == TCP_CLOSE) {
		if (old == TCP_ESTABLISHED || old == TCP_CLOSE_WAIT)
			TCP_INC_STATS(net, TCP_MIB_ESTABRESETS);
		tcp_unhash(tp);
		if (tp->autobind)
			tcp_put_port(tp);
	}
	sk->state = (u8)state;
}

void tcp_orphan(struct tcp_sock *tp)
{
	struct netns_tcp *t = tcp_net(tp)->tcp;

	if (tp->orphan)
		return;
	tp->orphan = true;
	tp->sk.dead = true;
	spin_lock_bh(&t->lock);
	if (!tp->tw_counted) /* closed already: TIME_WAIT counts it (tcp_time_wait) */
		t->orphans++;
	spin_unlock_bh(&t->lock);
}

/* Everything a closed socket holds goes; the protocol's reference with it (Linux
 * inet_csk_destroy_sock). The socket is freed when the last reference is dropped. */
void tcp_destroy_sock(struct tcp_sock *tp)
{
	struct sock *sk = &tp->sk;
	struct netns_tcp *t = sk->net->tcp;

	if (tp->destroyed)
		return;
	tp->destroyed = true;
	if (sk->state != TCP_CLOSE)
		tcp_set_state(tp, TCP_CLOSE);
	tcp_clear_xmit_timers(tp);
	tcp_unhash(tp);
	tcp_put_port(tp);
	tcp_write_queue_purge(tp);
	skb_queue_purge(&sk->receive_queue);
	tcp_ofo_purge(tp);
	spin_lock_bh(&t->lock);
	if (tp->orphan && !tp->tw_counted)
		t->orphans--;
	if (tp->tw_counted)
		t->tw_count--;
	tp->tw_counted = false;
	spin_unlock_bh(&t->lock);
	sock_put(sk);
}

void tcp_done(struct tcp_sock *tp)
{
	struct sock *sk = &tp->sk;

	trace_event(tcp_done, 0, sk->id, sk->err);
	if (sk->state == TCP_SYN_SENT || sk->state == TCP_SYN_RECV)
		TCP_INC_STATS(sk->net, TCP_MIB_ATTEMPTFAILS);
	tcp_set_state(tp, TCP_CLOSE);
	tcp_clear_xmit_timers(tp);
	sk->shutdown = SHUTDOWN_MASK;
	if (!tp->orphan)
		sk->sk_state_change(sk);
	else
		tcp_destroy_sock(tp);
}

/* An acceptable reset (RFC 9293 3.10.7): the error the user sees depends on the state. */
void tcp_reset(struct tcp_sock *tp)
{
	struct sock *sk = &tp->sk;

	switch (sk->state) {
	case TCP_SYN_SENT:
		sk->err = ECONNREFUSED;
		break;
	case TCP_SYN_RECV: /* RFC 9293 3.10.7.4: refused, when we opened actively */
		sk->err = tcp_sk(sk)->parent ? ECONNRESET : ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		sk->err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		sk->err = ECONNRESET;
	}
	tcp_write_queue_purge(tp);
	tcp_done(tp);
	if (!tp->orphan)
		sk->sk_error_report(sk);
}

/* ---- the socket calls ---- */
int tcp_sock_create(struct net *net, struct sock **skp)
{
	struct tcp_sock *tp = tcp_sock_alloc(net);

	if (!tp)
		return -ENOMEM;
	*skp = &tp->sk;
	return 0;
}

int tcp_bind(struct sock *sk, be32 addr, u16 port)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int err;

	if (addr.v && inet_addr_type_dev(sk->net, NULL, addr) != RTN_LOCAL)
		return -EADDRNOTAVAIL;
	lock_sock(sk);
	err = sk->state != TCP_CLOSE || tp->bound ? -EINVAL : tcp_get_port(tp, addr, port);
	release_sock(sk);
	return err;
}

int tcp_listen(struct sock *sk, int backlog)
{
	struct tcp_sock *tp = tcp_sk(sk), *o;
	struct netns_tcp *t = sk->net->tcp;
	int err = 0;

	if (backlog < 1)
		backlog = 1;
	if (backlog > TCP_SOMAXCONN)
		backlog = TCP_SOMAXCONN;
	lock_sock(sk);
	if (sk->state == TCP_LISTEN) { /* a second listen() only changes the backlog */
		tp->max_backlog = (u32)backlog;
		goto out;
	}
	if (sk->state != TCP_CLOSE || tp->hashed) {
		err = -EINVAL;
		goto out;
	}
	if (!tp->bound && (err = tcp_get_port(tp, to_be32(0), 0)))
		goto out;
	spin_lock_bh(&t->lock);
	list_for_each_entry(o, &t->listeners, hash_node)
		if (o->sk.sport.v == sk->sport.v &&
		    (!o->sk.rcv_saddr.v || !sk->rcv_saddr.v || be32_eq(o->sk.rcv_saddr, sk->rcv_saddr)))
			err = -EADDRINUSE;
	spin_unlock_bh(&t->lock);
	if (err)
		goto out;
	tp->max_backlog = (u32)backlog;
	tcp_set_state(tp, TCP_LISTEN);
	tcp_listen_hash(tp);
out:
	release_sock(sk);
	return err;
}

int tcp_accept(struct sock *sk, struct sock **newsk, int flags, u64 deadline_ns)
{
	struct tcp_sock *tp = tcp_sk(sk), *c;
	int err = 0;

	lock_sock(sk);
	for (;;) {
		if (sk->state != TCP_LISTEN) {
			err = -EINVAL;
			goto out;
		}
		if (!list_empty(&tp->accept_queue))
			break;
		if (flags & MSG_DONTWAIT) {
			err = -EAGAIN;
			goto out;
		}
		if (!sk_wait_event(sk, deadline_ns,
				   !list_empty(&tp->accept_queue) || sk->state != TCP_LISTEN) &&
		    list_empty(&tp->accept_queue)) {
			err = -EAGAIN;
			goto out;
		}
	}
	c = list_first_entry(&tp->accept_queue, struct tcp_sock, accept_node);
	list_del(&c->accept_node);
	tp->accept_qlen--;
	local_bh_disable();
	c->parent = NULL;
	local_bh_enable();
	*newsk = &c->sk;
out:
	release_sock(sk);
	return err;
}

static bool tcp_connecting(const struct sock *sk)
{
	return sk->state == TCP_SYN_SENT || sk->state == TCP_SYN_RECV;
}

int tcp_stream_connect(struct sock *sk, be32 daddr, u16 dport, int flags, u64 deadline_ns)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int err = 0;

	lock_sock(sk);
	switch (sk->state) {
	case TCP_CLOSE:
		if (tp->destroyed || sk->shutdown) { /* a socket connects once */
			err = -EISCONN;
			goto out;
		}
		err = tcp_v4_connect(tp, daddr, dport);
		if (err)
			goto out;
		break;
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
		if (flags & MSG_DONTWAIT) {
			err = -EALREADY;
			goto out;
		}
		break;
	case TCP_LISTEN:
		err = -EINVAL;
		goto out;
	default:
		err = -EISCONN;
		goto out;
	}
	if (flags & MSG_DONTWAIT) {
		err = -EINPROGRESS;
		goto out;
	}
	while (tcp_connecting(sk))
		if (!sk_wait_event(sk, deadline_ns, !tcp_connecting(sk)) && tcp_connecting(sk)) {
			err = -EINPROGRESS; /* as Linux after SO_SNDTIMEO: still trying */
			goto out;
		}
	if (sk->state == TCP_CLOSE)
		err = sock_error(sk) ?: -ECONNABORTED;
out:
	release_sock(sk);
	return err;
}

static bool sk_stream_memory_free(const struct tcp_sock *tp)
{
	return tp->sk.wmem_queued < tp->sk.sndbuf;
}

/* Sleeps until the write queue has room (Linux sk_stream_wait_memory). False on timeout
 * or when the connection can no longer send. */
static bool sk_stream_wait_memory(struct tcp_sock *tp, u64 deadline_ns)
{
	struct sock *sk = &tp->sk;
	u64 dl = deadline_ns;

	/* the pools, not the socket, are short: try again soon */
	if (sk_stream_memory_free(tp)) {
		u64 soon = ktime_get_ns() + 10 * NSEC_PER_MSEC;
		if (!dl || soon < dl)
			dl = soon;
	}
	tp->nospace = true;
	sk_wait_event(sk, dl, sk->err || (sk->shutdown & SEND_SHUTDOWN) ||
			      (sk_stream_memory_free(tp) && dl == deadline_ns));
	return !(deadline_ns && ktime_get_ns() >= deadline_ns);
}

ssize_t tcp_sendmsg(struct sock *sk, const void *buf, size_t len, int flags, u64 deadline_ns)
{
	struct tcp_sock *tp = tcp_sk(sk);
	const u8 *from = buf;
	size_t copied = 0;
	ssize_t err = 0;
	TRACE_STEP(tcp_sendmsg, 0, sk->id, len);

	lock_sock(sk);
	while (tcp_connecting(sk)) { /* Linux sk_stream_wait_connect */
		if (flags & MSG_DONTWAIT) {
			err = -EAGAIN;
			goto out;
		}
		if (!sk_wait_event(sk, deadline_ns, !tcp_connecting(sk)) && tcp_connecting(sk)) {
			err = -EAGAIN;
			goto out;
		}
	}
	while (copied < len) {
		struct sk_buff *skb = skb_peek_tail_unsent(tp);
		u32 mss = tcp_size_goal(tp), room, n;

		if (sk->err || (sk->shutdown & SEND_SHUTDOWN) ||
		    (sk->state != TCP_ESTABLISHED && sk->state != TCP_CLOSE_WAIT)) {
			err = sk->err ? sock_error(sk)
				      : sk->state == TCP_CLOSE && !sk->shutdown ? -ENOTCONN : -EPIPE;
			break;
		}
		if (!skb || skb->len >= mss || skb_tailroom(skb) == 0 ||
		    (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)) {
			if (!sk_stream_memory_free(tp) || !(skb = tcp_stream_alloc_skb(tp, mss))) {
				tcp_push(tp, 0);
				if (flags & MSG_DONTWAIT) {
					err = -EAGAIN;
					break;
				}
				if (!sk_stream_wait_memory(tp, deadline_ns)) {
					err = -EAGAIN;
					break;
				}
				continue;
			}
		}
		room = MIN(mss - skb->len, skb_tailroom(skb));
		n = (u32)MIN((size_t)room, len - copied);
		memcpy(skb_put(skb, n), from + copied, n);
		TCP_SKB_CB(skb)->end_seq += n;
		tp->write_seq += n;
		copied += n;
		if (skb->len >= mss)
			tcp_write_xmit(tp, 0); /* a full segment goes at once */
	}
	if (copied)
		tcp_push(tp, 0);
out:
	release_sock(sk);
	return copied ? (ssize_t)copied : err;
}

ssize_t tcp_recvmsg(struct sock *sk, void *buf, size_t len, int flags, u64 deadline_ns)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 peek_seq, *seq;
	size_t copied = 0, target = (flags & MSG_WAITALL) ? len : 1;
	ssize_t err = 0;
	u8 *to = buf;
	TRACE_STEP(tcp_recvmsg, 0, sk->id, len);

	lock_sock(sk);
	if (sk->state == TCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	peek_seq = tp->copied_seq;
	seq = (flags & MSG_PEEK) ? &peek_seq : &tp->copied_seq;
	while (copied < len) {
		struct sk_buff *skb, *next;

		for (skb = skb_peek(&sk->receive_queue); skb && copied < len; skb = next) {
			u32 off = *seq - TCP_SKB_CB(skb)->seq, n;

			next = skb->next == (struct sk_buff *)&sk->receive_queue ? NULL : skb->next;
			if (off < skb->len) {
				n = (u32)MIN((size_t)(skb->len - off), len - copied);
				trace_event(skb_copy_datagram_iter, skb->id, n, off);
				memcpy(to + copied, skb->data + off, n);
				copied += n;
				*seq += n;
				off += n;
			}
			if (off >= skb->len && !(flags & MSG_PEEK)) {
				__skb_unlink(skb, &sk->receive_queue);
				consume_skb(skb);
			}
		}
		if (copied >= target)
			break;
		if (copied && (sk->err || sk->state == TCP_CLOSE || (sk->shutdown & RCV_SHUTDOWN)))
			break;
		if (!copied) {
			if (sk->err) {
				err = sock_error(sk);
				break;
			}
			if (sk->shutdown & RCV_SHUTDOWN)
				break;
			if (sk->state == TCP_CLOSE) {
				err = tp->destroyed || !sk->shutdown ? -ENOTCONN : 0;
				break;
			}
		}
		if (flags & MSG_DONTWAIT) {
			err = -EAGAIN;
			break;
		}
		tcp_cleanup_rbuf(tp, (u32)copied);
		if (!sk_wait_event(sk, deadline_ns,
				   !skb_queue_empty(&sk->receive_queue) || sk->err ||
					   (sk->shutdown & RCV_SHUTDOWN) || sk->state == TCP_CLOSE) &&
		    skb_queue_empty(&sk->receive_queue)) {
			if (!copied)
				err = -EAGAIN;
			break;
		}
	}
	if (!(flags & MSG_PEEK))
		tcp_cleanup_rbuf(tp, (u32)copied);
out:
	release_sock(sk);
	return copied ? (ssize_t)copied : err;
}

/* The state a close moves to, and whether a FIN must be sent (RFC 9293 3.10.4). A
 * connection in TIME_WAIT stays there: the 2 MSL wait is not the user's to cut. */
static bool tcp_close_state(struct tcp_sock *tp)
{
	static const u8 next[TCP_MAX_STATES] = {
		[TCP_ESTABLISHED] = TCP_FIN_WAIT1 | 0x80, [TCP_SYN_SENT] = TCP_CLOSE,
		[TCP_SYN_RECV] = TCP_FIN_WAIT1 | 0x80,   [TCP_FIN_WAIT1] = TCP_FIN_WAIT1,
		[TCP_FIN_WAIT2] = TCP_FIN_WAIT2,          [TCP_TIME_WAIT] = TCP_TIME_WAIT,
		[TCP_CLOSE] = TCP_CLOSE,                  [TCP_CLOSE_WAIT] = TCP_LAST_ACK | 0x80,
		[TCP_LAST_ACK] = TCP_LAST_ACK,            [TCP_LISTEN] = TCP_CLOSE,
		[TCP_CLOSING] = TCP_CLOSING,
	};
	u8 ns = next[tp->sk.state];

	if ((ns & 0x7f) != tp->sk.state)
		tcp_set_state(tp, ns & 0x7f);
	return ns & 0x80;
}

int tcp_shutdown(struct sock *sk, int how)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int err = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	lock_sock(sk);
	if (sk->state == TCP_CLOSE || sk->state == TCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	sk->shutdown |= (u8)(how + 1);
	if ((sk->shutdown & SEND_SHUTDOWN) && sk->state == TCP_SYN_SENT) {
		tcp_write_queue_purge(tp);
		tcp_done(tp);
	} else if ((sk->shutdown & SEND_SHUTDOWN) &&
		   (sk->state == TCP_ESTABLISHED || sk->state == TCP_SYN_RECV ||
		    sk->state == TCP_CLOSE_WAIT) && tcp_close_state(tp)) {
		tcp_send_fin(tp);
	}
	sk->sk_state_change(sk);
out:
	release_sock(sk);
	return err;
}

void tcp_close(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct net *net = sk->net;
	u32 unread = 0;
	struct sk_buff *skb;

	lock_sock(sk);
	sk->shutdown = SHUTDOWN_MASK;
	if (sk->state == TCP_LISTEN) {
		tcp_set_state(tp, TCP_CLOSE);
		inet_csk_listen_stop(tp);
	}
	while ((skb = __skb_dequeue(&sk->receive_queue))) {
		unread += skb->len;
		consume_skb(skb);
	}
	if (sk->state == TCP_CLOSE) {
		/* nothing to tell the peer */
	} else if (unread) {
		/* RFC 9293 3.10.4 and RFC 2525 2.17: data the user will never read is lost;
		 * the peer must know: reset */
		NET_INC_STATS(net, LINUX_MIB_TCPABORTONCLOSE);
		tcp_set_state(tp, TCP_CLOSE);
		tcp_send_active_reset(tp);
	} else if (tp->linger && !tp->linger_s) {
		NET_INC_STATS(net, LINUX_MIB_TCPABORTONDATA);
		tcp_send_active_reset(tp);
		tcp_set_state(tp, TCP_CLOSE);
	} else if (tcp_close_state(tp)) {
		tcp_send_fin(tp);
	}
	if (tp->linger && tp->linger_s && sk->state != TCP_CLOSE) {
		u64 dl = ktime_get_ns() + (u64)tp->linger_s * NSEC_PER_SEC;
		while (sk->state == TCP_FIN_WAIT1 || sk->state == TCP_CLOSING ||
		       sk->state == TCP_LAST_ACK)
			if (!sk_wait_event(sk, dl, sk->state != TCP_FIN_WAIT1 &&
						   sk->state != TCP_CLOSING &&
						   sk->state != TCP_LAST_ACK))
				break;
	}
	tcp_orphan(tp);
	if (sk->state != TCP_CLOSE && net->tcp->orphans > TCP_MAX_ORPHANS) {
		NET_INC_STATS(net, LINUX_MIB_TCPABORTONMEMORY);
		tcp_send_active_reset(tp);
		tcp_set_state(tp, TCP_CLOSE);
	}
	if (sk->state == TCP_FIN_WAIT2)
		tcp_reset_keepalive_timer(tp, TCP_FIN_TIMEOUT_MS);
	if (sk->state == TCP_CLOSE)
		tcp_destroy_sock(tp);
	release_sock(sk);
	sock_put(sk); /* the user's reference */
}

u32 tcp_poll(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 mask = 0;
	u8 state = READ_ONCE(sk->state);

	if (state == TCP_LISTEN)
		return list_empty(&tp->accept_queue) ? 0 : TCP_POLLIN;
	if (sk->err)
		mask |= TCP_POLLERR;
	if (sk->shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= TCP_POLLHUP;
	if (sk->shutdown & RCV_SHUTDOWN)
		mask |= TCP_POLLIN | TCP_POLLRDHUP;
	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		if (!skb_queue_empty(&sk->receive_queue))
			mask |= TCP_POLLIN;
		if (!(sk->shutdown & SEND_SHUTDOWN) && state != TCP_CLOSE &&
		    sk_stream_memory_free(tp))
			mask |= TCP_POLLOUT;
	}
	return mask;
}

int tcp_setsockopt(struct sock *sk, int level, int optname, int val)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int err = 0;

	lock_sock(sk);
	if (level == SOL_SOCKET) {
		switch (optname) {
		case SO_REUSEADDR: sk->reuseaddr = val != 0; break;
		case SO_KEEPALIVE:
			tp->keepalive = val != 0;
			if (tp->keepalive && (sk->state == TCP_ESTABLISHED || sk->state == TCP_CLOSE_WAIT))
				tcp_reset_keepalive_timer(tp, (u64)tp->keepalive_time_s * 1000);
			else if (!tp->keepalive && sk->state != TCP_LISTEN)
				tcp_delete_keepalive_timer(tp);
			break;
		case SO_SNDBUF:
		case SO_RCVBUF:
			if (val < 2048 || val > TCP_BUF_MAX) {
				err = -EINVAL;
				break;
			}
			/* Linux doubles the value for overhead; so do we */
			if (optname == SO_SNDBUF)
				sk->sndbuf = (u32)val * 2;
			else if (sk->state == TCP_CLOSE || sk->state == TCP_LISTEN)
				sk->rcvbuf = (u32)val * 2; /* the window scale is chosen at SYN */
			else
				err = -EINVAL;
			break;
		case SO_LINGER: /* val < 0: off; otherwise on with val seconds */
			tp->linger = val >= 0;
			tp->linger_s = val >= 0 ? (u32)val : 0;
			break;
		default: err = -ENOPROTOOPT;
		}
	} else if (level == SOL_TCP) {
		switch (optname) {
		case TCP_NODELAY:
			tp->nodelay = val != 0;
			if (tp->nodelay)
				tcp_push(tp, TCP_NAGLE_PUSH);
			break;
		case TCP_CORK:
			tp->cork = val != 0;
			if (!tp->cork)
				tcp_push(tp, TCP_NAGLE_PUSH);
			break;
		case TCP_MAXSEG:
			if (val && (val < 88 || val > 65495))
				err = -EINVAL;
			else
				tp->user_mss = (u16)val;
			break;
		case TCP_KEEPIDLE:
		case TCP_KEEPINTVL:
			if (val < 1 || val > 32767) {
				err = -EINVAL;
				break;
			}
			if (optname == TCP_KEEPIDLE) {
				tp->keepalive_time_s = (u32)val;
				if (tp->keepalive && sk->state == TCP_ESTABLISHED)
					tcp_reset_keepalive_timer(tp, (u64)val * 1000);
			} else {
				tp->keepalive_intvl_s = (u32)val;
			}
			break;
		case TCP_KEEPCNT:
			if (val < 1 || val > 127)
				err = -EINVAL;
			else
				tp->keepalive_probes = (u8)val;
			break;
		case TCP_USER_TIMEOUT:
			if (val < 0)
				err = -EINVAL;
			else
				tp->user_timeout_ms = (u32)val;
			break;
		case TCP_CONGESTION:
			if (sk->state != TCP_CLOSE && sk->state != TCP_LISTEN) {
				err = -EBUSY;
			} else if (val == 0 || val == 1) {
				tp->ca_ops = val ? &tcp_cubic : &tcp_reno;
			} else {
				err = -ENOENT;
			}
			break;
		default: err = -ENOPROTOOPT;
		}
	} else {
		err = -ENOPROTOOPT;
	}
	release_sock(sk);
	return err;
}

int tcp_getsockopt(struct sock *sk, int level, int optname, int *val)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (level == SOL_SOCKET) {
		switch (optname) {
		case SO_REUSEADDR: *val = sk->reuseaddr; return 0;
		case SO_KEEPALIVE: *val = tp->keepalive; return 0;
		case SO_SNDBUF: *val = (int)sk->sndbuf; return 0;
		case SO_RCVBUF: *val = (int)sk->rcvbuf; return 0;
		case SO_LINGER: *val = tp->linger ? (int)tp->linger_s : -1; return 0;
		}
	} else if (level == SOL_TCP) {
		switch (optname) {
		case TCP_NODELAY: *val = tp->nodelay; return 0;
		case TCP_CORK: *val = tp->cork; return 0;
		case TCP_MAXSEG: *val = tp->sk.state == TCP_ESTABLISHED ? tp->mss_cache : tp->user_mss; return 0;
		case TCP_KEEPIDLE: *val = (int)tp->keepalive_time_s; return 0;
		case TCP_KEEPINTVL: *val = (int)tp->keepalive_intvl_s; return 0;
		case TCP_KEEPCNT: *val = tp->keepalive_probes; return 0;
		case TCP_USER_TIMEOUT: *val = (int)tp->user_timeout_ms; return 0;
		case TCP_CONGESTION: *val = tp->ca_ops == &tcp_cubic; return 0;
		}
	}
	return -ENOPROTOOPT;
}

void tcp_get_info(struct sock *sk, struct tcp_info_lite *info)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;

	memset(info, 0, sizeof(*info));
	local_bh_disable();
	info->state = sk->state;
	info->ca_state = tp->ca_state;
	info->snd_wscale = tp->snd_wscale;
	info->rcv_wscale = tp->rcv_wscale;
	info->backoff = tp->backoff;
	info->retransmits = tp->retransmits;
	info->probes_out = tp->probes_out;
	info->tstamp_ok = tp->tstamp_ok;
	info->sack_ok = tp->sack_ok;
	info->wscale_ok = tp->wscale_ok;
	info->rto_us = tp->rto_us;
	info->srtt_us = tp->srtt_us >> 3;
	info->rttvar_us = tp->mdev_us >> 2;
	info->snd_mss = tp->mss_cache;
	info->rcv_mss = tp->rcv_mss;
	info->advmss = tp->advmss;
	info->snd_cwnd = tp->snd_cwnd;
	info->snd_ssthresh = tp->snd_ssthresh;
	info->packets_out = tp->packets_out;
	info->sacked_out = tp->sacked_out;
	info->lost_out = tp->lost_out;
	info->retrans_out = tp->retrans_out;
	info->snd_wnd = tp->snd_wnd;
	info->rcv_wnd = tp->rcv_wnd;
	info->total_retrans = tp->total_retrans;
	info->unacked = tp->snd_nxt - tp->snd_una;
	info->notsent = tp->write_seq - tp->snd_nxt;
	for (skb = skb_peek(&sk->receive_queue); skb;
	     skb = skb->next == (struct sk_buff *)&sk->receive_queue ? NULL : skb->next)
		info->rcv_queued += skb->len;
	info->ofo_segs = skb_queue_len(&tp->out_of_order_queue);
	local_bh_enable();
}
