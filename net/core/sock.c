/* Socket basics shared by protocols (Linux net/core/sock.c): initialisation, the default
 * wake-ups, the pending error, and receive queue accounting. */
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
