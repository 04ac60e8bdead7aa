/* Socket buffers and their pools (include/net/skbuff.h).
 *
 * Every packet in the stack is an sk_buff: drivers get one from netdev_alloc_skb() for
 * RX, protocols from alloc_skb() for TX, and whoever holds the last reference frees it
 * with consume_skb() (done) or kfree_skb_reason() (dropped; the reason is traced).
 *
 * Memory comes from bounded pools: descriptors, and data buffers in three size classes.
 * A pool refuses to grow past its limit, so a flood ends in counted allocation failures,
 * not in an exhausted heap. Each pool keeps up to NET_POOL_CACHE freed objects for
 * reuse. Counters (in use, peak, failures) are printed by net_mem_report() (shell `mem`).
 *
 * Context: any but hard IRQ (drivers defer frees from hard IRQ with dev_kfree_skb_irq).
 * The pool lock is still taken with interrupts off, so a misplaced call cannot corrupt
 * a pool, only show up in review. */
#include <net/netdevice.h>
#include <net/skbuff.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>

/* Lives in front of every data buffer: shared by all clones of it. */
struct skb_shared {
	u32 refcnt;
	u8 pool;
	u8 pad[11];
};
_Static_assert(sizeof(struct skb_shared) == 16, "keeps head 16-byte aligned");

struct free_obj {
	struct free_obj *next;
};

struct skb_pool {
	struct skb_pool_stats st;
	struct free_obj *cache;
	u32 cached;
};

#define POOL(n, size, max) { .st = { .name = n, .obj_size = size, .limit = max } }
static struct skb_pool pools[SKB_POOL_NR] = {
	[SKB_POOL_HEAD] = POOL("skbuff_head", sizeof(struct sk_buff), NET_SKB_HEAD_MAX),
	[SKB_POOL_SMALL] = POOL("skb_data_256", NET_SKB_SMALL_SIZE, NET_SKB_SMALL_MAX),
	[SKB_POOL_STD] = POOL("skb_data_2k", NET_SKB_STD_SIZE, NET_SKB_STD_MAX),
	[SKB_POOL_LARGE] = POOL("skb_data_64k", NET_SKB_LARGE_SIZE, NET_SKB_LARGE_MAX),
};
static DEFINE_SPINLOCK(pool_lock);
static u64 skb_next_id = 1;

const char *const skb_drop_reason_names[SKB_DROP_MAX] = {
	"CONSUMED", "NOT_SPECIFIED", "PKT_TOO_SMALL", "HDR_ERROR", "CSUM", "UNHANDLED_PROTO",
	"OTHERHOST", "NO_ROUTE", "NOT_FORWARDING", "QUEUE_FULL", "NOMEM", "NEIGH_FAILED",
	"NEIGH_QUEUEFULL", "FRAG", "FRAG_TIMEOUT", "NO_SOCKET", "SOCKET_RCVBUFF", "DEV_DOWN",
	"MARTIAN", "ICMP", "RATELIMIT", "PURGE",
};

static size_t pool_obj_bytes(int p)
{
	return p == SKB_POOL_HEAD ? sizeof(struct sk_buff)
				  : sizeof(struct skb_shared) + pools[p].st.obj_size;
}

static void *pool_alloc(int p)
{
	struct skb_pool *pl = &pools[p];
	unsigned long flags;
	void *obj = NULL;

	spin_lock_irqsave(&pool_lock, flags);
	if (pl->st.in_use >= pl->st.limit) {
		pl->st.fails++;
		spin_unlock_irqrestore(&pool_lock, flags);
		return NULL;
	}
	if (pl->cache) {
		obj = pl->cache;
		pl->cache = pl->cache->next;
		pl->cached--;
	}
	pl->st.in_use++; /* reserve before dropping the lock for kmalloc */
	spin_unlock_irqrestore(&pool_lock, flags);

	if (!obj)
		obj = kmalloc(pool_obj_bytes(p));

	spin_lock_irqsave(&pool_lock, flags);
	if (!obj) {
		pl->st.in_use--;
		pl->st.fails++;
	} else {
		pl->st.allocs++;
		if (pl->st.in_use > pl->st.peak)
			pl->st.peak = pl->st.in_use;
	}
	spin_unlock_irqrestore(&pool_lock, flags);
	return obj;
}

static void pool_free(int p, void *obj)
{
	struct skb_pool *pl = &pools[p];
	unsigned long flags;

	spin_lock_irqsave(&pool_lock, flags);
	BUG_ON(pl->st.in_use == 0);
	pl->st.in_use--;
	if (pl->cached < NET_POOL_CACHE) {
		struct free_obj *f = obj;
		f->next = pl->cache;
		pl->cache = f;
		pl->cached++;
		obj = NULL;
	}
	spin_unlock_irqrestore(&pool_lock, flags);
	kfree(obj);
}

void skb_pool_get_stats(int pool, struct skb_pool_stats *st)
{
	unsigned long flags;

	spin_lock_irqsave(&pool_lock, flags);
	*st = pools[pool].st;
	spin_unlock_irqrestore(&pool_lock, flags);
}

u64 skb_pools_in_use(void)
{
	u64 n = 0;
	for (int p = 0; p < SKB_POOL_NR; p++)
		n += READ_ONCE(pools[p].st.in_use);
	return n;
}

void skb_pool_set_limit(int pool, u32 limit) { pools[pool].st.limit = limit; }

void skb_pools_shrink(void)
{
	for (int p = 0; p < SKB_POOL_NR; p++) {
		unsigned long flags;
		struct free_obj *f;

		spin_lock_irqsave(&pool_lock, flags);
		f = pools[p].cache;
		pools[p].cache = NULL;
		pools[p].cached = 0;
		spin_unlock_irqrestore(&pool_lock, flags);
		while (f) {
			struct free_obj *next = f->next;
			kfree(f);
			f = next;
		}
	}
}

void net_mem_report(void)
{
	kprintf("%-14s %7s %7s %7s %7s %10s %7s\n", "pool", "objsize", "limit", "inuse", "peak",
		"allocs", "fails");
	for (int p = 0; p < SKB_POOL_NR; p++) {
		struct skb_pool_stats st;

		skb_pool_get_stats(p, &st);
		kprintf("%-14s %7u %7u %7u %7u %10llu %7llu\n", st.name, st.obj_size, st.limit,
			st.in_use, st.peak, (unsigned long long)st.allocs,
			(unsigned long long)st.fails);
	}
}

static int pool_for_size(u32 size)
{
	if (size <= NET_SKB_SMALL_SIZE)
		return SKB_POOL_SMALL;
	if (size <= NET_SKB_STD_SIZE)
		return SKB_POOL_STD;
	if (size <= NET_SKB_LARGE_SIZE)
		return SKB_POOL_LARGE;
	return -1;
}

static inline struct skb_shared *skb_shinfo(const struct sk_buff *skb)
{
	return (struct skb_shared *)skb->head - 1;
}

/* Gets a data buffer able to hold size bytes: returns its head, or NULL. */
static u8 *data_alloc(u32 size, u8 *pool_out, u32 *cap_out)
{
	int p = pool_for_size(size);
	struct skb_shared *sh;

	if (p < 0)
		return NULL;
	sh = pool_alloc(p);
	if (!sh)
		return NULL;
	sh->refcnt = 1;
	sh->pool = (u8)p;
	*pool_out = (u8)p;
	*cap_out = pools[p].st.obj_size;
	return (u8 *)(sh + 1);
}

static void data_put(struct sk_buff *skb)
{
	struct skb_shared *sh = skb_shinfo(skb);

	if (__atomic_sub_fetch(&sh->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		pool_free(sh->pool, sh);
}

static u64 new_id(void) { return __atomic_fetch_add(&skb_next_id, 1, __ATOMIC_RELAXED); }

struct sk_buff *alloc_skb(u32 size)
{
	struct sk_buff *skb = pool_alloc(SKB_POOL_HEAD);
	u32 cap;
	u8 pool;

	if (!skb)
		return NULL;
	memset(skb, 0, sizeof(*skb));
	skb->head = data_alloc(size, &pool, &cap);
	if (!skb->head) {
		pool_free(SKB_POOL_HEAD, skb);
		return NULL;
	}
	skb->pool = pool;
	skb->data = skb->tail = skb->head;
	skb->end = skb->head + cap;
	skb->truesize = cap + (u32)sizeof(struct sk_buff);
	skb->mac_header = skb->network_header = skb->transport_header = SKB_HDR_UNSET;
	skb->id = new_id();
	skb->tstamp = ktime_get_ns();
	trace_event(skb_alloc, skb->id, size, pool);
	return skb;
}

struct sk_buff *netdev_alloc_skb(struct net_device *dev, u32 len)
{
	struct sk_buff *skb = alloc_skb(len + NET_SKB_PAD + NET_IP_ALIGN);

	if (!skb)
		return NULL;
	skb_reserve(skb, NET_SKB_PAD + NET_IP_ALIGN);
	skb->dev = dev;
	return skb;
}

static void skb_release(struct sk_buff *skb)
{
	if (skb->destructor)
		skb->destructor(skb);
	data_put(skb);
	pool_free(SKB_POOL_HEAD, skb);
}

void kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason)
{
	if (!skb)
		return;
	trace_event(kfree_skb, skb->id, reason, skb->len);
	skb_release(skb);
}

void consume_skb(struct sk_buff *skb)
{
	if (!skb)
		return;
	trace_event(consume_skb, skb->id, skb->len, 0);
	skb_release(skb);
}

struct sk_buff *skb_clone(struct sk_buff *skb)
{
	struct sk_buff *n = pool_alloc(SKB_POOL_HEAD);

	if (!n)
		return NULL;
	*n = *skb;
	n->next = n->prev = NULL;
	n->sk = NULL;
	n->destructor = NULL;
	n->truesize = (u32)sizeof(struct sk_buff);
	n->cloned = skb->cloned = 1;
	__atomic_add_fetch(&skb_shinfo(skb)->refcnt, 1, __ATOMIC_RELAXED);
	n->id = new_id();
	n->parent_id = skb->id;
	trace_event(skb_clone, n->id, skb->id, 0);
	return n;
}

/* Copies the header fields that survive a copy; offsets are fixed by the caller. */
static void copy_header(struct sk_buff *n, const struct sk_buff *old)
{
	n->dev = old->dev;
	n->protocol = old->protocol;
	n->pkt_type = old->pkt_type;
	n->ip_summed = old->ip_summed;
	n->csum_start = old->csum_start;
	n->csum_offset = old->csum_offset;
	n->tstamp = old->tstamp;
	n->parent_id = old->id;
	memcpy(n->cb, old->cb, sizeof(n->cb));
}

static u16 shift_off(u16 off, long delta)
{
	long v = (long)off + delta;

	return off == SKB_HDR_UNSET || v < 0 || v >= SKB_HDR_UNSET ? SKB_HDR_UNSET : (u16)v;
}

/* As shift_off, for a copy that starts at data: headers in front of it are not copied. */
static u16 copied_off(const struct sk_buff *skb, u16 off, long delta)
{
	return off != SKB_HDR_UNSET && off < skb->data - skb->head ? SKB_HDR_UNSET
								    : shift_off(off, delta);
}

struct sk_buff *skb_copy_expand(const struct sk_buff *skb, u32 headroom, u32 tailroom)
{
	struct sk_buff *n = alloc_skb(headroom + skb->len + tailroom);
	long delta;

	if (!n)
		return NULL;
	skb_reserve(n, headroom);
	skb_put_data(n, skb->data, skb->len);
	copy_header(n, skb);
	/* header offsets move with the data */
	delta = (long)(n->data - n->head) - (long)(skb->data - skb->head);
	n->mac_header = copied_off(skb, skb->mac_header, delta);
	n->network_header = copied_off(skb, skb->network_header, delta);
	n->transport_header = copied_off(skb, skb->transport_header, delta);
	n->csum_start = copied_off(skb, skb->csum_start, delta);
	trace_event(skb_clone, n->id, skb->id, 1);
	return n;
}

struct sk_buff *skb_copy(const struct sk_buff *skb)
{
	u32 headroom = skb_headroom(skb);
	struct sk_buff *n = alloc_skb(headroom + skb->len);

	if (!n)
		return NULL;
	/* same headroom: copy everything from head, so the link header is kept too */
	memcpy(n->head, skb->head, headroom + skb->len);
	n->data = n->head + headroom;
	n->tail = n->data + skb->len;
	n->len = skb->len;
	copy_header(n, skb);
	n->mac_header = skb->mac_header;
	n->network_header = skb->network_header;
	n->transport_header = skb->transport_header;
	trace_event(skb_clone, n->id, skb->id, 1);
	return n;
}

/* Gives skb a new private data buffer with nhead more bytes of headroom and ntail more of
 * tailroom (Linux pskb_expand_head). 0, or -ENOMEM with skb unchanged. */
static int pskb_expand_head(struct sk_buff *skb, u32 nhead, u32 ntail)
{
	u32 headroom = skb_headroom(skb);
	u32 size = nhead + headroom + skb->len + skb_tailroom(skb) + ntail;
	u8 *head;
	u32 cap;
	u8 pool;

	head = data_alloc(size, &pool, &cap);
	if (!head)
		return -ENOMEM;
	memcpy(head + nhead, skb->head, headroom + skb->len);
	data_put(skb);
	skb->truesize += cap - (u32)(skb->end - skb->head);
	skb->head = head;
	skb->pool = pool;
	skb->data = head + nhead + headroom;
	skb->tail = skb->data + skb->len;
	skb->end = head + cap;
	skb->mac_header = shift_off(skb->mac_header, nhead);
	skb->network_header = shift_off(skb->network_header, nhead);
	skb->transport_header = shift_off(skb->transport_header, nhead);
	skb->csum_start = shift_off(skb->csum_start, nhead);
	skb->cloned = 0;
	return 0;
}

int skb_unshare_data(struct sk_buff *skb)
{
	if (!skb->cloned)
		return 0;
	if (__atomic_load_n(&skb_shinfo(skb)->refcnt, __ATOMIC_ACQUIRE) == 1) {
		skb->cloned = 0;
		return 0;
	}
	return pskb_expand_head(skb, 0, 0);
}

int skb_put_padto(struct sk_buff *skb, u32 len)
{
	u32 need;

	if (skb->len >= len)
		return 0;
	need = len - skb->len;
	if ((skb_tailroom(skb) < need || skb->cloned) &&
	    pskb_expand_head(skb, 0, need > skb_tailroom(skb) ? need - skb_tailroom(skb) : 0)) {
		kfree_skb_reason(skb, SKB_DROP_NOMEM);
		return -ENOMEM;
	}
	memset(skb_put(skb, need), 0, need);
	return 0;
}

int skb_copy_bits(const struct sk_buff *skb, u32 off, void *to, u32 len)
{
	if (off > skb->len || len > skb->len - off)
		return -EFAULT;
	memcpy(to, skb->data + off, len);
	return 0;
}

void skb_over_panic(const struct sk_buff *skb, u32 len, const char *what)
{
	panic("skb_over_panic: %s %u bytes: len=%u headroom=%u tailroom=%u id=%llu", what, len,
	      skb->len, skb_headroom(skb), skb_tailroom(skb), (unsigned long long)skb->id);
}

/* ---- queues ---- */
void skb_queue_head_init(struct sk_buff_head *q)
{
	q->next = q->prev = (struct sk_buff *)q;
	q->qlen = 0;
	spin_lock_init(&q->lock);
	q->lock.name = "sk_buff_head";
}

static void __skb_insert(struct sk_buff *n, struct sk_buff *prev, struct sk_buff *next,
			 struct sk_buff_head *q)
{
	n->next = next;
	n->prev = prev;
	next->prev = prev->next = n;
	q->qlen++;
}

void __skb_queue_tail(struct sk_buff_head *q, struct sk_buff *skb)
{
	__skb_insert(skb, q->prev, (struct sk_buff *)q, q);
}
void __skb_queue_head(struct sk_buff_head *q, struct sk_buff *skb)
{
	__skb_insert(skb, (struct sk_buff *)q, q->next, q);
}
void __skb_unlink(struct sk_buff *skb, struct sk_buff_head *q)
{
	q->qlen--;
	skb->next->prev = skb->prev;
	skb->prev->next = skb->next;
	skb->next = skb->prev = NULL;
}
struct sk_buff *__skb_dequeue(struct sk_buff_head *q)
{
	struct sk_buff *skb = skb_peek(q);

	if (skb)
		__skb_unlink(skb, q);
	return skb;
}

void skb_queue_tail(struct sk_buff_head *q, struct sk_buff *skb)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	__skb_queue_tail(q, skb);
	spin_unlock_irqrestore(&q->lock, flags);
}
void skb_queue_head(struct sk_buff_head *q, struct sk_buff *skb)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	__skb_queue_head(q, skb);
	spin_unlock_irqrestore(&q->lock, flags);
}
struct sk_buff *skb_dequeue(struct sk_buff_head *q)
{
	unsigned long flags;
	struct sk_buff *skb;

	spin_lock_irqsave(&q->lock, flags);
	skb = __skb_dequeue(q);
	spin_unlock_irqrestore(&q->lock, flags);
	return skb;
}
void skb_queue_purge_reason(struct sk_buff_head *q, enum skb_drop_reason reason)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(q)))
		kfree_skb_reason(skb, reason);
}
void skb_queue_splice_tail_init(struct sk_buff_head *from, struct sk_buff_head *to)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(from)))
		__skb_queue_tail(to, skb);
}
