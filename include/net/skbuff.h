/* Socket buffers: one packet and the bytes it lives in (Linux's include/linux/skbuff.h).
 *
 *   head          data               tail          end
 *    |  headroom   |  packet (len)    |  tailroom   |
 *
 * skb_reserve() makes headroom on an empty buffer; skb_put() appends at the tail;
 * skb_push() prepends a header, skb_pull() strips one. The data buffer is refcounted:
 * skb_clone() gives a second descriptor over the same bytes (TCP keeps the original for
 * retransmission while a clone goes down), skb_copy() a private copy. A cloned buffer
 * must not be written (skb_cloned()).
 *
 * Every descriptor has a packet id that is never reused; clones, copies, fragments and
 * reassembled datagrams record the id they came from in parent_id, so traces can follow
 * one packet across layers.
 *
 * Drivers need only this header and <net/netdevice.h>. */
#ifndef NET_SKBUFF_H
#define NET_SKBUFF_H

#include <net/net_config.h>
#include <seqos/compiler.h>
#include <seqos/spinlock.h>
#include <seqos/types.h>

struct net_device;
struct sock;

/* Where a frame was addressed, set by eth_type_trans() (Linux PACKET_*). */
enum { PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_LOOPBACK };

/* Checksum state (Linux ip_summed): NONE = verify in software; UNNECESSARY = the NIC
 * verified it (virtio GUEST_CSUM, e1000 RXCSUM); PARTIAL = on TX, the NIC will fill it
 * at csum_start + csum_offset. */
enum { CHECKSUM_NONE, CHECKSUM_UNNECESSARY, CHECKSUM_PARTIAL };

/* Why a packet was dropped (shown in traces by kfree_skb). */
enum skb_drop_reason {
	SKB_CONSUMED = 0,        /* not a drop: consume_skb() */
	SKB_DROP_NOT_SPECIFIED,
	SKB_DROP_PKT_TOO_SMALL,
	SKB_DROP_HDR_ERROR,
	SKB_DROP_CSUM,
	SKB_DROP_UNHANDLED_PROTO,
	SKB_DROP_OTHERHOST,
	SKB_DROP_NO_ROUTE,
	SKB_DROP_NOT_FORWARDING,
	SKB_DROP_QUEUE_FULL,
	SKB_DROP_NOMEM,
	SKB_DROP_NEIGH_FAILED,
	SKB_DROP_NEIGH_QUEUEFULL,
	SKB_DROP_FRAG,
	SKB_DROP_FRAG_TIMEOUT,
	SKB_DROP_NO_SOCKET,
	SKB_DROP_SOCKET_RCVBUFF,
	SKB_DROP_DEV_DOWN,
	SKB_DROP_MARTIAN,
	SKB_DROP_ICMP,
	SKB_DROP_RATELIMIT,
	SKB_DROP_PURGE,          /* queue flushed: device or socket going away */
	SKB_DROP_MAX
};
extern const char *const skb_drop_reason_names[SKB_DROP_MAX];

struct sk_buff {
	struct sk_buff *next, *prev;  /* on one sk_buff_head at a time */
	struct net_device *dev;       /* arrived on / leaves through */
	struct sock *sk;              /* owner, for accounting; may be NULL */
	void (*destructor)(struct sk_buff *skb); /* runs at free (socket accounting) */
	u64 id;                       /* packet id: never reused, 0 never used */
	u64 parent_id;                /* id this one was cloned/copied/cut from, 0 if none */
	u64 tstamp;                   /* ktime ns when received or created */
	u8 *head, *data, *tail, *end;
	u32 len;                      /* tail - data */
	u32 truesize;                 /* memory charged for this packet (buffer + descriptor) */
	be16 protocol;                /* ethertype, from eth_type_trans() */
	u16 mac_header;               /* offsets from head; 0xffff = unset */
	u16 network_header;
	u16 transport_header;
	u16 csum_start, csum_offset;  /* CHECKSUM_PARTIAL */
	u8 pkt_type;                  /* PACKET_* */
	u8 ip_summed;                 /* CHECKSUM_* */
	u8 cloned;                    /* data buffer shared with another descriptor */
	u8 pool;                      /* which data pool the buffer came from */
	char cb[48] __aligned(8);     /* private to the layer that holds the packet */
};

#define SKB_HDR_UNSET 0xffff

/* Buffer pools: counters shown by the `mem` shell command (net_mem_report()). */
enum { SKB_POOL_HEAD, SKB_POOL_SMALL, SKB_POOL_STD, SKB_POOL_LARGE, SKB_POOL_NR };
struct skb_pool_stats {
	const char *name;
	u32 obj_size, limit;
	u32 in_use, peak;
	u64 allocs, fails;
};
void skb_pool_get_stats(int pool, struct skb_pool_stats *st);
/* Total objects in use over all pools: tests compare it with a baseline. */
u64 skb_pools_in_use(void);
/* Changes a pool's limit (tests use it to provoke allocation failures). */
void skb_pool_set_limit(int pool, u32 limit);
/* Returns the pools' cached free objects to the heap. */
void skb_pools_shrink(void);
/* Prints the pool counters with kprintf. */
void net_mem_report(void);

/* Allocation: size is the data room wanted (headroom included); NULL when the pool is
 * exhausted (counted). Safe in any context but hard IRQ. */
struct sk_buff *alloc_skb(u32 size);
/* For drivers' RX rings: len bytes of room after NET_SKB_PAD + NET_IP_ALIGN headroom. */
struct sk_buff *netdev_alloc_skb(struct net_device *dev, u32 len);
/* Frees: kfree_skb_reason() for a drop (traced with the reason), consume_skb() for a
 * packet that did its job. Both accept NULL. Not from hard IRQ: use dev_kfree_skb_irq(). */
void kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason);
static inline void kfree_skb(struct sk_buff *skb)
{
	kfree_skb_reason(skb, SKB_DROP_NOT_SPECIFIED);
}
void consume_skb(struct sk_buff *skb);

struct sk_buff *skb_clone(struct sk_buff *skb);  /* shares the data buffer */
struct sk_buff *skb_copy(const struct sk_buff *skb); /* private copy, same headroom */
/* Private copy with at least `headroom` bytes in front (for pushing headers on a clone). */
struct sk_buff *skb_copy_expand(const struct sk_buff *skb, u32 headroom, u32 tailroom);
static inline bool skb_cloned(const struct sk_buff *skb) { return skb->cloned; }
/* Makes the data buffer private (copying it when shared); 0 or -ENOMEM. */
int skb_unshare_data(struct sk_buff *skb);

static inline u32 skb_headroom(const struct sk_buff *skb)
{
	return (u32)(skb->data - skb->head);
}
static inline u32 skb_tailroom(const struct sk_buff *skb)
{
	return (u32)(skb->end - skb->tail);
}

void skb_over_panic(const struct sk_buff *skb, u32 len, const char *what) __noreturn;

static inline void skb_reserve(struct sk_buff *skb, u32 len)
{
	if (unlikely(skb->len || len > skb_tailroom(skb)))
		skb_over_panic(skb, len, "reserve");
	skb->data += len;
	skb->tail += len;
}
/* Appends len bytes; returns where they start. */
static inline void *skb_put(struct sk_buff *skb, u32 len)
{
	u8 *p = skb->tail;
	if (unlikely(len > skb_tailroom(skb)))
		skb_over_panic(skb, len, "put");
	skb->tail += len;
	skb->len += len;
	return p;
}
static inline void *skb_put_data(struct sk_buff *skb, const void *src, u32 len)
{
	u8 *p = skb_put(skb, len);
	__builtin_memcpy(p, src, len);
	return p;
}
/* Prepends len bytes; returns the new start. */
static inline void *skb_push(struct sk_buff *skb, u32 len)
{
	if (unlikely(len > skb_headroom(skb)))
		skb_over_panic(skb, len, "push");
	skb->data -= len;
	skb->len += len;
	return skb->data;
}
/* Strips len bytes from the front; NULL (and nothing changed) when fewer are there. */
static inline void *skb_pull(struct sk_buff *skb, u32 len)
{
	if (unlikely(len > skb->len))
		return NULL;
	skb->data += len;
	skb->len -= len;
	return skb->data;
}
/* Cuts the packet to len bytes (no-op when already shorter): drops link padding. */
static inline void skb_trim(struct sk_buff *skb, u32 len)
{
	if (skb->len > len) {
		skb->len = len;
		skb->tail = skb->data + len;
	}
}
/* True when at least len bytes of packet remain from data: parsers check this first. */
static inline bool pskb_may_pull(const struct sk_buff *skb, u32 len) { return len <= skb->len; }

static inline void skb_reset_mac_header(struct sk_buff *skb)
{
	skb->mac_header = (u16)(skb->data - skb->head);
}
static inline void skb_reset_network_header(struct sk_buff *skb)
{
	skb->network_header = (u16)(skb->data - skb->head);
}
static inline void skb_reset_transport_header(struct sk_buff *skb)
{
	skb->transport_header = (u16)(skb->data - skb->head);
}
static inline void skb_set_network_header(struct sk_buff *skb, int off)
{
	skb->network_header = (u16)(skb->data - skb->head + off);
}
static inline void skb_set_transport_header(struct sk_buff *skb, int off)
{
	skb->transport_header = (u16)(skb->data - skb->head + off);
}
static inline u8 *skb_mac_header(const struct sk_buff *skb) { return skb->head + skb->mac_header; }
static inline u8 *skb_network_header(const struct sk_buff *skb)
{
	return skb->head + skb->network_header;
}
static inline u8 *skb_transport_header(const struct sk_buff *skb)
{
	return skb->head + skb->transport_header;
}
static inline int skb_network_offset(const struct sk_buff *skb)
{
	return (int)(skb_network_header(skb) - skb->data);
}
static inline int skb_transport_offset(const struct sk_buff *skb)
{
	return (int)(skb_transport_header(skb) - skb->data);
}

/* Moves data to keep the packet (from data, len bytes) but drops everything that follows:
 * pads a short Ethernet frame to len with zeros. 0, or -ENOMEM (skb freed). */
int skb_put_padto(struct sk_buff *skb, u32 len);

/* Copies len bytes at offset off of the packet into to; -EFAULT when out of range. */
int skb_copy_bits(const struct sk_buff *skb, u32 off, void *to, u32 len);

/* Queues of packets, with a length and a lock (Linux's sk_buff_head). The lock is taken
 * with interrupts off: drivers queue from hard IRQ. */
struct sk_buff_head {
	struct sk_buff *next, *prev;
	u32 qlen;
	spinlock_t lock;
};
void skb_queue_head_init(struct sk_buff_head *q);
void skb_queue_tail(struct sk_buff_head *q, struct sk_buff *skb);
void skb_queue_head(struct sk_buff_head *q, struct sk_buff *skb);
struct sk_buff *skb_dequeue(struct sk_buff_head *q);
void skb_queue_purge_reason(struct sk_buff_head *q, enum skb_drop_reason reason);
static inline void skb_queue_purge(struct sk_buff_head *q)
{
	skb_queue_purge_reason(q, SKB_DROP_PURGE);
}
static inline u32 skb_queue_len(const struct sk_buff_head *q) { return q->qlen; }
static inline bool skb_queue_empty(const struct sk_buff_head *q) { return q->qlen == 0; }
static inline struct sk_buff *skb_peek(const struct sk_buff_head *q)
{
	return q->qlen ? q->next : NULL;
}
/* Unlocked variants: the caller holds q->lock or owns the queue outright. */
void __skb_queue_tail(struct sk_buff_head *q, struct sk_buff *skb);
void __skb_queue_head(struct sk_buff_head *q, struct sk_buff *skb);
struct sk_buff *__skb_dequeue(struct sk_buff_head *q);
void __skb_unlink(struct sk_buff *skb, struct sk_buff_head *q);
/* Moves every packet of from to the tail of to (both owned by the caller). */
void skb_queue_splice_tail_init(struct sk_buff_head *from, struct sk_buff_head *to);

#endif
