/* The protocol-independent socket (Linux struct sock, much reduced): what UDP has today
 * and TCP and the BSD socket layer build on. Protocol sockets embed it first
 * (struct udp_sock { struct sock sk; ... }).
 *
 * Ownership: fields marked (bh) are changed in NET_RX softirq and in threads with bottom
 * halves off; receive_queue has its own lock. sk_data_ready/sk_error_report run in
 * softirq context and must not sleep; the defaults wake sk->wq. */
#ifndef NET_SOCK_H
#define NET_SOCK_H

#include <net/skbuff.h>
#include <seqos/list.h>
#include <seqos/sched.h>
#include <seqos/types.h>

struct net;

struct sock {
	struct net *net;
	u8 protocol;                /* IPPROTO_* */
	u8 state;                   /* UDP: SS_UNCONNECTED/SS_CONNECTED; TCP: its states */
	bool broadcast;             /* SO_BROADCAST */
	bool reuseaddr;             /* SO_REUSEADDR */
	u8 ttl, tos;                /* 0 = default */
	be32 rcv_saddr;             /* bound local address (0 = any) (bh) */
	be32 daddr;                 /* connected peer (bh) */
	be16 sport, dport;          /* local, peer port (bh) */
	int bound_dev_if;           /* SO_BINDTODEVICE, 0 = any */
	int err;                    /* pending error (sk_err), reported once (bh) */
	u32 rcvbuf;                 /* bytes of truesize the receive queue may hold */
	u32 rmem_alloc;             /* bytes queued now (bh) */
	u32 rcvq_max;               /* datagrams the receive queue may hold */
	u64 drops;                  /* datagrams dropped: queue full */
	struct sk_buff_head receive_queue;
	struct wait_queue_head wq;  /* readers and writers sleep here */
	void (*sk_data_ready)(struct sock *sk);
	void (*sk_error_report)(struct sock *sk);
	void *user_data;            /* sk_user_data: kernel users (DHCP, DNS) */
	struct list_head node;      /* on the protocol's table */
	u32 id;                     /* for traces */
	bool dead;                  /* closed: no more deliveries */

	/* ---- ownership (Linux sk_lock, sk_backlog), used by TCP ----
	 * A thread owns the socket between lock_sock() and release_sock(); segments that
	 * arrive in softirq meanwhile wait on backlog and are processed by release_sock() in
	 * the owner's context. slock (taken with bottom halves off) guards owned and
	 * backlog; everything else of a TCP socket belongs to the owner, or, when there is
	 * none, to the softirq holding slock. */
	spinlock_t slock;
	bool owned;                 /* sock_owned_by_user() */
	struct sk_buff_head backlog; /* (slock) */
	u32 backlog_len;            /* truesize on backlog (slock) */
	struct wait_queue_head lock_wq; /* threads waiting in lock_sock() */
	int (*backlog_rcv)(struct sock *sk, struct sk_buff *skb); /* consumes skb */
	void (*release_cb)(struct sock *sk); /* deferred work (timers that fired while owned);
					      * runs under slock, bottom halves off */
	u32 refcnt;                 /* sock_hold/sock_put: 0 -> sk_destruct */
	void (*sk_destruct)(struct sock *sk);
	void (*sk_write_space)(struct sock *sk);  /* send space freed: wake writers */
	void (*sk_state_change)(struct sock *sk); /* connected, closed: wake everyone */
	u32 sndbuf;                 /* bytes the write queue may hold (truesize) */
	u32 wmem_queued;            /* bytes on the write queue now (owner) */
	u8 shutdown;                /* RCV_SHUTDOWN | SEND_SHUTDOWN */
};

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

enum { SS_UNCONNECTED = 1, SS_CONNECTED = 3 };

void sock_init_data(struct net *net, struct sock *sk, u8 protocol);
void sock_def_readable(struct sock *sk);  /* default sk_data_ready: wake readers */
void sock_def_error_report(struct sock *sk);
/* Takes and clears the pending error (negative errno, or 0). */
int sock_error(struct sock *sk);
/* Charges skb to sk's receive queue and queues it; -ENOBUFS (not queued) when full. */
int sock_queue_rcv_skb(struct sock *sk, struct sk_buff *skb);

/* ---- ownership (Linux include/net/sock.h) ---- */
static inline bool sock_owned_by_user(const struct sock *sk) { return READ_ONCE(sk->owned); }
/* Softirq side: bottom halves are already off. */
static inline void bh_lock_sock(struct sock *sk) { spin_lock(&sk->slock); }
static inline void bh_unlock_sock(struct sock *sk) { spin_unlock(&sk->slock); }
/* Takes ownership, sleeping while another thread has it. Thread context. */
void lock_sock(struct sock *sk);
/* Processes the backlog with sk->backlog_rcv (still owned, so new arrivals queue
 * behind), runs sk->release_cb, then gives ownership up and wakes lock waiters. */
void release_sock(struct sock *sk);
/* Softirq, under bh_lock_sock, socket owned: queues skb for release_sock. -ENOBUFS (skb
 * not queued) when backlog would exceed limit bytes of truesize. */
int sk_add_backlog(struct sock *sk, struct sk_buff *skb, u32 limit);
static inline void sock_hold(struct sock *sk)
{
	__atomic_add_fetch(&sk->refcnt, 1, __ATOMIC_RELAXED);
}
/* Drops a reference; the last one calls sk->sk_destruct (which frees). */
void sock_put(struct sock *sk);
void sock_def_write_space(struct sock *sk);  /* default sk_write_space */
void sock_def_wakeup(struct sock *sk);       /* default sk_state_change */
/* Sleeps on sk->wq until cond, the deadline (ktime ns, 0 = none) or a wake-up, with the
 * socket released meanwhile so softirqs and timers can work on it (Linux sk_wait_event).
 * Called and returns owned; the caller re-checks cond. False on timeout. */
#define sk_wait_event(sk, deadline_ns, cond)                                              \
	({                                                                                 \
		struct wait_queue_entry __we = { 0 };                                      \
		bool __r;                                                                  \
		prepare_to_wait(&(sk)->wq, &__we, #cond);                                  \
		release_sock(sk);                                                          \
		__r = (cond) || wait_woken(&__we, deadline_ns);                            \
		finish_wait(&(sk)->wq, &__we);                                             \
		lock_sock(sk);                                                             \
		__r;                                                                       \
	})

#endif
