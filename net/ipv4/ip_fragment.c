/* IPv4 reassembly (RFC 791 3.2 "reassembly", RFC 815; Linux net/ipv4/ip_fragment.c):
 *   ip_local_deliver -> ip_defrag() queues a fragment; the one that completes a datagram
 *   gets the whole datagram back; ip_expire() (a work item, the "frag GC" of DESIGN.md)
 *   drops datagrams not complete within IPFRAG_TIME_MS and sends "fragment reassembly
 *   time exceeded". One delayed work per namespace serves every queue: it runs at the
 *   earliest expiry and re-arms for the next.
 *
 * The attacks this code is written against (teardrop, Rose, Ripple20 CVE-2020-11896/
 * 11897, the fragment parts of AMNESIA:33): overlapping fragments (the whole datagram is
 * dropped, as Linux and RFC 5722 do), offsets whose end passes 65535, zero-length and
 * non-multiple-of-8 middle fragments, tiny first fragments (RFC 1858), conflicting last
 * fragments, and floods: at most IPFRAG_MAX_QUEUES datagrams, IPFRAG_MAX_FRAGS fragments
 * each and IPFRAG_HIGH_THRESH bytes in all per namespace; beyond that fragments are
 * refused, not queued.
 *
 * Locking: net->ipv4.frag_lock (bh off); no packet leaves while it is held. */
#include <net/icmp.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <seqos/kmalloc.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>

struct ipq {
	struct list_head list;
	struct net *net;
	be32 saddr, daddr;
	u16 id;
	u8 protocol;
	bool last_seen;
	u32 len;              /* datagram payload length, known once the last arrived */
	u32 meat;             /* payload bytes queued (no overlaps, so no gaps at meat==len) */
	u32 nfrags;
	u64 mem;
	int iif;
	struct sk_buff *frags;/* sorted by offset, linked by skb->next */
	u64 expires;          /* jiffies */
};

/* Fragment geometry, kept in skb->cb after the IP part. */
struct ipfrag_cb {
	struct inet_skb_parm h;
	u32 offset, end;
};
_Static_assert(sizeof(struct ipfrag_cb) <= sizeof(((struct sk_buff *)0)->cb), "cb size");
#define FRAG_CB(skb) ((struct ipfrag_cb *)((skb)->cb))

/* Unlinks q; the caller frees it with ipq_free() after dropping the lock. */
static void ipq_unlink(struct net *net, struct ipq *q)
{
	list_del(&q->list);
	net->ipv4.frag_nqueues--;
	net->ipv4.frag_mem -= q->mem;
}

static void ipq_free(struct ipq *q, enum skb_drop_reason reason)
{
	while (q->frags) {
		struct sk_buff *skb = q->frags;
		q->frags = skb->next;
		skb->next = NULL;
		kfree_skb_reason(skb, reason);
	}
	kfree(q);
}

static struct ipq *ipq_find(struct net *net, const struct iphdr *iph)
{
	struct ipq *q;

	list_for_each_entry(q, &net->ipv4.frag_queues, list)
		if (q->id == get_be16(iph->id) && be32_eq(q->saddr, iph->saddr) &&
		    be32_eq(q->daddr, iph->daddr) && q->protocol == iph->protocol)
			return q;
	return NULL;
}

/* Builds the whole datagram from a complete queue (unlinked by the caller). */
static struct sk_buff *ip_frag_reasm(struct net *net, struct ipq *q, struct sk_buff *last)
{
	struct sk_buff *first = q->frags, *skb, *f;
	u32 ihl = (u32)(skb_network_header(first)[0] & 0xf) * 4;
	struct iphdr *iph;

	skb = alloc_skb(ihl + q->len);
	if (!skb)
		return NULL;
	memcpy(skb_put(skb, ihl + q->len), skb_network_header(first), ihl);
	for (f = q->frags; f; f = f->next) {
		const u8 *payload = skb_network_header(f) + (skb_network_header(f)[0] & 0xf) * 4;
		memcpy(skb->data + ihl + FRAG_CB(f)->offset, payload,
		       FRAG_CB(f)->end - FRAG_CB(f)->offset);
	}
	skb_reset_network_header(skb);
	iph = (struct iphdr *)skb->data;
	iph->tot_len = to_be16((u16)(ihl + q->len));
	iph->frag_off = to_be16(0);
	iph->check = to_be16(0);
	iph->check = to_be16(ip_compute_csum(iph, ihl));
	skb->dev = last->dev;
	skb->protocol = last->protocol;
	skb->pkt_type = last->pkt_type;
	skb->parent_id = first->id;
	memcpy(skb->cb, last->cb, sizeof(struct inet_skb_parm));
	return skb;
}

struct sk_buff *ip_defrag(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = (const struct iphdr *)skb_network_header(skb);
	u16 fo = get_be16(iph->frag_off);
	u32 ihl = (u32)(iph->ver_ihl & 0xf) * 4;
	u32 offset = (u32)(fo & IP_OFFSET) * 8, plen = skb->len - ihl, end = offset + plen;
	bool mf = fo & IP_MF;
	struct ipq *q, *done = NULL, *killed = NULL;
	struct sk_buff *prev, *next, *whole = NULL;
	bool overlap = false;
	TRACE_STEP(ip_defrag, skb->id, get_be16(iph->id), offset);

	IP_INC_STATS(net, IPSTATS_MIB_REASMREQDS);
	/* checks on the fragment alone: empty, past 65535, a middle one not 8-aligned,
	 * a tiny first one that cannot hold a transport header (RFC 1858) */
	if (plen == 0 || ihl + end > IP_MAX_DATAGRAM || (mf && (plen & 7)) ||
	    (offset == 0 && mf && plen < 8))
		goto fail;

	spin_lock_bh(&net->ipv4.frag_lock);
	q = ipq_find(net, iph);
	if (!q) {
		if (net->ipv4.frag_nqueues >= IPFRAG_MAX_QUEUES ||
		    net->ipv4.frag_mem + skb->truesize > IPFRAG_HIGH_THRESH)
			goto fail_unlock;
		q = kzalloc(sizeof(*q));
		if (!q)
			goto fail_unlock;
		q->net = net;
		q->saddr = iph->saddr;
		q->daddr = iph->daddr;
		q->id = get_be16(iph->id);
		q->protocol = iph->protocol;
		q->iif = skb->dev->ifindex;
		q->expires = jiffies + msecs_to_jiffies(IPFRAG_TIME_MS);
		/* no-op when already pending: that run re-arms for this queue */
		queue_delayed_work(system_wq, &net->ipv4.frag_work,
				   msecs_to_jiffies(IPFRAG_TIME_MS));
		list_add_tail(&q->list, &net->ipv4.frag_queues);
		net->ipv4.frag_nqueues++;
	}
	if (q->nfrags >= IPFRAG_MAX_FRAGS ||
	    net->ipv4.frag_mem + skb->truesize > IPFRAG_HIGH_THRESH)
		goto kill;
	if (!mf) {
		/* the last fragment fixes the length: it may not move or cut queued data */
		if ((q->last_seen && end != q->len) || (!q->last_seen && q->len > end))
			goto kill;
		q->last_seen = true;
		q->len = end;
	} else {
		if (q->last_seen && end > q->len)
			goto kill;
		if (!q->last_seen && end > q->len)
			q->len = end; /* highest end seen so far */
	}
	/* find the place by offset, and refuse overlaps */
	prev = NULL;
	for (next = q->frags; next && FRAG_CB(next)->offset < offset; next = next->next)
		prev = next;
	if (next && FRAG_CB(next)->offset == offset && FRAG_CB(next)->end == end) {
		spin_unlock_bh(&net->ipv4.frag_lock); /* an exact duplicate: drop just it */
		kfree_skb_reason(skb, SKB_DROP_FRAG);
		return NULL;
	}
	if ((prev && FRAG_CB(prev)->end > offset) || (next && FRAG_CB(next)->offset < end)) {
		overlap = true;
		goto kill;
	}
	FRAG_CB(skb)->offset = offset;
	FRAG_CB(skb)->end = end;
	skb->next = next;
	if (prev)
		prev->next = skb;
	else
		q->frags = skb;
	q->nfrags++;
	q->meat += plen;
	q->mem += skb->truesize;
	net->ipv4.frag_mem += skb->truesize;
	if (q->last_seen && q->meat == q->len) {
		ipq_unlink(net, q);
		done = q;
	}
	spin_unlock_bh(&net->ipv4.frag_lock);
	if (!done)
		return NULL;
	whole = ip_frag_reasm(net, done, skb);
	IP_INC_STATS(net, whole ? IPSTATS_MIB_REASMOKS : IPSTATS_MIB_REASMFAILS);
	ipq_free(done, SKB_CONSUMED);
	return whole;

kill:
	ipq_unlink(net, q);
	killed = q;
fail_unlock:
	spin_unlock_bh(&net->ipv4.frag_lock);
fail:
	if (overlap)
		IP_INC_STATS(net, IPSTATS_MIB_REASM_OVERLAPS);
	IP_INC_STATS(net, IPSTATS_MIB_REASMFAILS);
	if (killed)
		ipq_free(killed, SKB_DROP_FRAG);
	kfree_skb_reason(skb, SKB_DROP_FRAG);
	return NULL;
}

/* Datagrams that did not complete in time (RFC 1122 3.3.2: tell the sender when
 * fragment zero arrived). Runs in a worker; queues are oldest first on the list. */
static void ip_expire(struct work_struct *w)
{
	struct netns_ipv4 *ip = container_of(to_delayed_work(w), struct netns_ipv4, frag_work);
	struct net *net = container_of(ip, struct net, ipv4);

	for (;;) {
		struct ipq *q = NULL;
		u64 next = 0;

		spin_lock_bh(&ip->frag_lock);
		if (!list_empty(&ip->frag_queues)) {
			q = list_first_entry(&ip->frag_queues, struct ipq, list);
			if (time_after(q->expires, jiffies)) {
				next = q->expires;
				q = NULL;
			} else {
				ipq_unlink(net, q);
			}
		}
		spin_unlock_bh(&ip->frag_lock);
		if (!q) {
			if (next)
				queue_delayed_work(system_wq, &ip->frag_work, next - jiffies);
			return;
		}
		{
			TRACE_STEP(ip_expire, 0, q->id, q->nfrags);
			IP_INC_STATS(net, IPSTATS_MIB_REASMTIMEOUT);
			IP_INC_STATS(net, IPSTATS_MIB_REASMFAILS);
			if (q->frags && FRAG_CB(q->frags)->offset == 0 &&
			    dev_get_by_index(net, q->iif) &&
			    !(FRAG_CB(q->frags)->h.flags & IPSKB_BROADCAST))
				icmp_send(q->frags, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
			ipq_free(q, SKB_DROP_FRAG_TIMEOUT);
		}
	}
}

void ip_frag_flush(struct net *net)
{
	for (;;) {
		struct ipq *q = NULL;

		spin_lock_bh(&net->ipv4.frag_lock);
		if (!list_empty(&net->ipv4.frag_queues)) {
			q = list_first_entry(&net->ipv4.frag_queues, struct ipq, list);
			ipq_unlink(net, q);
		}
		spin_unlock_bh(&net->ipv4.frag_lock);
		if (!q)
			return;
		ipq_free(q, SKB_DROP_PURGE);
	}
}

int ip_frag_net_init(struct net *net)
{
	spin_lock_init(&net->ipv4.frag_lock);
	net->ipv4.frag_lock.name = "frag_lock";
	INIT_LIST_HEAD(&net->ipv4.frag_queues);
	INIT_DELAYED_WORK(&net->ipv4.frag_work, ip_expire);
	return 0;
}

void ip_frag_net_exit(struct net *net)
{
	cancel_delayed_work_sync(&net->ipv4.frag_work);
	ip_frag_flush(net);
}
