/* Socket basics shared by protocols (Linux net/core/sock.c): initialisation, the default
 * wake-ups, the pending error, receive queue accounting, and ownership: lock_sock() /
 * release_sock() with the backlog of segments that arrived while a thread owned the
 * socket (DESIGN.md "Execution contexts"). */
#include <net/sock.h>
#include <seqos/errno.h>
#include <seqos/string.h>
#include <seqos/trace.h>

static u32 sock_next_id = 1;

void sock_def_readable(struct sock *sk)
{
	trace_event(sk_data_ready, 0, sk->id, skb_queue_len(&sk->receive_queue));
	wake_up(&sk->wq);
}

void sock_def_error_report(struct sock *sk) { wake_up(&sk->wq); }

void sock_init_data(struct net *net, struct sock *sk, u8 protocol)
{
	memset(sk, 0, sizeof(*sk));
	sk->net = net;
	sk->protocol = protocol;
	sk->state = SS_UNCONNECTED;
	skb_queue_head_init(&sk->receive_queue);
	init_waitqueue_head(&sk->wq);
	INIT_LIST_HEAD(&sk->node);
	sk->sk_data_ready = sock_def_readable;
	sk->sk_error_report = sock_def_error_report;
	spin_lock_init(&sk->slock);
	sk->slock.name = "sk_lock.slock";
	skb_queue_head_init(&sk->backlog);
	init_waitqueue_head(&sk->lock_wq);
	sk->refcnt = 1;
	sk->sk_write_space = sock_def_write_space;
	sk->sk_state_change = sock_def_wakeup;
	sk->id = __atomic_fetch_add(&sock_next_id, 1, __ATOMIC_RELAXED);
}

int sock_error(struct sock *sk)
{
	int err = __atomic_exchange_n(&sk->err, 0, __ATOMIC_ACQ_REL);
	return -err;
}

int sock_queue_rcv_skb(struct sock *sk, struct sk_buff *skb)
{
	if (sk->dead || sk->rmem_alloc + skb->truesize > sk->rcvbuf ||
	    skb_queue_len(&sk->receive_queue) >= sk->rcvq_max) {
		sk->drops++;
		return -ENOBUFS;
	}
	sk->rmem_alloc += skb->truesize;
	skb_queue_tail(&sk->receive_queue, skb);
	sk->sk_data_ready(sk);
	return 0;
}

void sock_def_write_space(struct sock *sk)
{
	trace_event(sk_write_space, 0, sk->id, sk->wmem_queued);
	wake_up(&sk->wq);
}

void sock_def_wakeup(struct sock *sk)
{
	trace_event(sk_state_change, 0, sk->id, sk->state);
	wake_up(&sk->wq);
}

void sock_put(struct sock *sk)
{
	if (__atomic_sub_fetch(&sk->refcnt, 1, __ATOMIC_ACQ_REL) == 0 && sk->sk_destruct)
		sk->sk_destruct(sk);
}

void lock_sock(struct sock *sk)
{
	spin_lock_bh(&sk->slock);
	while (sk->owned) {
		struct wait_queue_entry e = { 0 };

		prepare_to_wait(&sk->lock_wq, &e, "lock_sock");
		spin_unlock_bh(&sk->slock);
		if (READ_ONCE(sk->owned))
			wait_woken(&e, 0);
		finish_wait(&sk->lock_wq, &e);
		spin_lock_bh(&sk->slock);
	}
	sk->owned = true;
	spin_unlock_bh(&sk->slock);
}

int sk_add_backlog(struct sock *sk, struct sk_buff *skb, u32 limit)
{
	if (sk->backlog_len + skb->truesize > limit)
		return -ENOBUFS;
	sk->backlog_len += skb->truesize;
	__skb_queue_tail(&sk->backlog, skb);
	trace_event(sk_add_backlog, skb->id, sk->id, skb_queue_len(&sk->backlog));
	return 0;
}

void release_sock(struct sock *sk)
{
	spin_lock_bh(&sk->slock);
	while (!skb_queue_empty(&sk->backlog)) {
		struct sk_buff_head q;
		struct sk_buff *skb;

		/* take the whole list; what arrives while it is processed queues behind */
		skb_queue_head_init(&q);
		skb_queue_splice_tail_init(&sk->backlog, &q);
		sk->backlog_len = 0;
		spin_unlock_bh(&sk->slock);
		trace_begin(release_sock, 0, sk->id, skb_queue_len(&q));
		while ((skb = __skb_dequeue(&q)))
			sk->backlog_rcv(sk, skb);
		trace_end(release_sock, 0, sk->id, 0);
		spin_lock_bh(&sk->slock);
	}
	/* with slock held, as Linux: nothing can join the backlog while it runs */
	if (sk->release_cb)
		sk->release_cb(sk);
	sk->owned = false;
	spin_unlock_bh(&sk->slock);
	wake_up(&sk->lock_wq);
}
