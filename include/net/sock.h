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
};

enum { SS_UNCONNECTED = 1, SS_CONNECTED = 3 };

void sock_init_data(struct net *net, struct sock *sk, u8 protocol);
void sock_def_readable(struct sock *sk);  /* default sk_data_ready: wake readers */
void sock_def_error_report(struct sock *sk);
/* Takes and clears the pending error (negative errno, or 0). */
int sock_error(struct sock *sk);
/* Charges skb to sk's receive queue and queues it; -ENOBUFS (not queued) when full. */
int sock_queue_rcv_skb(struct sock *sk, struct sk_buff *skb);

#endif
