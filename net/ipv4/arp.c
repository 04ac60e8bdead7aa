/* ARP (RFC 826) and the IPv4 neighbour cache (Linux net/ipv4/arp.c, net/core/neighbour.c).
 *
 * receive: netif_receive_skb -> arp_rcv(): RFC 826 "packet reception": update the sender
 *          if known (or if the request is for us), answer requests for our addresses.
 * send:    ip_finish_output2 -> neigh_output(): a valid entry gives the MAC at once;
 *          otherwise neigh_resolve_output() queues the packet (at most ARP_QUEUE_LEN,
 *          oldest dropped first) and asks. Entries move through Linux's NUD states:
 *          INCOMPLETE -(reply)-> REACHABLE -(reachable_time)-> STALE -(used)-> DELAY
 *          -(5 s)-> PROBE -(no reply x3)-> FAILED; neigh_timer_handler (TIMER softirq)
 *          drives them and neigh_periodic_work (workqueue) removes FAILED and old STALE.
 *          The timeouts are per namespace (net->ipv4.neigh_parms; shell `arp set`).
 *
 * Locking: net->ipv4.neigh_lock, bh off. Nothing is transmitted with it held: packets
 * leave through dev_queue_xmit after the lock is dropped. The table holds at most
 * NEIGH_TABLE_MAX entries. */
#include <net/arp.h>
#include <net/ethernet.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/random.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>

/* ---- wire format ---- */
int arp_parse(const u8 *b, size_t len, struct arp_repr *out)
{
	if (len < ARP_ETH_IPV4_LEN)
		return -1;
	if (rd_be16(b) != ARPHRD_ETHER || rd_be16(b + 2) != ETH_P_IP || b[4] != ETH_ALEN ||
	    b[5] != 4)
		return -1;
	out->op = rd_be16(b + 6);
	if (out->op != ARPOP_REQUEST && out->op != ARPOP_REPLY)
		return -1;
	memcpy(out->sha, b + 8, ETH_ALEN);
	out->sip = to_be32(rd_be32(b + 14));
	memcpy(out->tha, b + 18, ETH_ALEN);
	out->tip = to_be32(rd_be32(b + 24));
	return 0;
}

size_t arp_emit(const struct arp_repr *r, u8 *b, size_t cap)
{
	if (cap < ARP_ETH_IPV4_LEN)
		return 0;
	wr_be16(b, ARPHRD_ETHER);
	wr_be16(b + 2, ETH_P_IP);
	b[4] = ETH_ALEN;
	b[5] = 4;
	wr_be16(b + 6, r->op);
	memcpy(b + 8, r->sha, ETH_ALEN);
	wr_be32(b + 14, get_be32(r->sip));
	memcpy(b + 18, r->tha, ETH_ALEN);
	wr_be32(b + 24, get_be32(r->tip));
	return ARP_ETH_IPV4_LEN;
}

int arp_send(int op, struct net_device *dev, be32 sip, be32 tip, const u8 *dest_hw,
	     const u8 *target_hw)
{
	struct arp_repr r = { .op = (u16)op, .sip = sip, .tip = tip };
	struct sk_buff *skb = alloc_skb(MAX_HEADER + ARP_ETH_IPV4_LEN);

	if (!skb)
		return -ENOBUFS;
	skb_reserve(skb, MAX_HEADER);
	memcpy(r.sha, dev->dev_addr, ETH_ALEN);
	if (target_hw)
		memcpy(r.tha, target_hw, ETH_ALEN);
	arp_emit(&r, skb_put(skb, ARP_ETH_IPV4_LEN), ARP_ETH_IPV4_LEN);
	skb->dev = dev;
	eth_header(skb, dev, ETH_P_ARP, dest_hw, NULL);
	trace_event(arp_send, skb->id, op, get_be32(tip));
	ARP_INC_STATS(dev_net(dev), op == ARPOP_REQUEST ? ARP_MIB_OUTREQUESTS : ARP_MIB_OUTREPLIES);
	return dev_queue_xmit(skb);
}

void arp_announce(struct net_device *dev, be32 addr)
{
	arp_send(ARPOP_REQUEST, dev, addr, addr, NULL, NULL);
}

/* ---- the cache ---- */
static void neigh_timer_handler(struct timer_list *t);

static u64 random_reachable_time(const struct net *net)
{
	/* RFC 4861 6.3.2: uniformly in [0.5, 1.5] x base, so entries do not expire together */
	u64 base = msecs_to_jiffies(net->ipv4.neigh_parms.base_reachable_time_ms);
	return base / 2 + get_random_u32() % (base + 1);
}

static u64 delay_first_probe(const struct net *net)
{
	return msecs_to_jiffies(net->ipv4.neigh_parms.delay_first_probe_time_ms);
}

static struct neighbour *__neigh_lookup(struct net *net, const struct net_device *dev, be32 ip)
{
	struct neighbour *n;

	list_for_each_entry(n, &net->ipv4.neigh_list, list)
		if (be32_eq(n->ip, ip) && (!dev || n->dev == dev))
			return n;
	return NULL;
}

/* Frees n; its queued packets go onto doomed for the caller to drop unlocked. */
static void __neigh_destroy(struct net *net, struct neighbour *n, struct sk_buff_head *doomed)
{
	del_timer(&n->timer);
	list_del(&n->list);
	net->ipv4.neigh_count--;
	skb_queue_splice_tail_init(&n->arp_queue, doomed);
	kfree(n);
}

/* Makes room by evicting a FAILED or the oldest STALE entry; false if none. */
static bool neigh_forced_gc(struct net *net, struct sk_buff_head *doomed)
{
	struct neighbour *n, *victim = NULL;

	list_for_each_entry(n, &net->ipv4.neigh_list, list) {
		if (n->nud_state == NUD_FAILED) {
			victim = n;
			break;
		}
		if (n->nud_state == NUD_STALE && (!victim || time_before(n->used, victim->used)))
			victim = n;
	}
	if (!victim)
		return false;
	__neigh_destroy(net, victim, doomed);
	return true;
}

static struct neighbour *__neigh_create(struct net *net, struct net_device *dev, be32 ip,
					struct sk_buff_head *doomed)
{
	struct neighbour *n;

	if (net->ipv4.neigh_count >= NEIGH_TABLE_MAX && !neigh_forced_gc(net, doomed)) {
		ARP_INC_STATS(net, ARP_MIB_TABLEFULL);
		return NULL;
	}
	n = kzalloc(sizeof(*n));
	if (!n)
		return NULL;
	n->net = net;
	n->dev = dev;
	n->ip = ip;
	n->used = n->updated = jiffies;
	n->reachable_time = random_reachable_time(net);
	skb_queue_head_init(&n->arp_queue);
	timer_setup(&n->timer, neigh_timer_handler, 0);
	list_add_tail(&n->list, &net->ipv4.neigh_list);
	net->ipv4.neigh_count++;
	return n;
}

static void neigh_set_state(struct neighbour *n, u8 state, u64 timeout)
{
	n->nud_state = state;
	n->updated = jiffies;
	trace_event(neigh_update, 0, get_be32(n->ip), state);
	if (timeout)
		mod_timer(&n->timer, jiffies + timeout);
	else
		del_timer(&n->timer);
}

/* Takes the packets waiting on n (now resolved) and sends them, lock dropped. */
static void neigh_flush_queue(struct sk_buff_head *ready, struct net_device *dev,
			      const u8 *ha)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(ready))) {
		if (eth_header(skb, dev, ETH_P_IP, ha, NULL) < 0) {
			kfree_skb_reason(skb, SKB_DROP_NOMEM);
			continue;
		}
		dev_queue_xmit(skb);
	}
}

/* Records that ip is at ha on dev (from an ARP packet). create: make an entry if there is
 * none (the packet was for us). confirmed: a reply to us, so REACHABLE. */
static void neigh_update(struct net *net, struct net_device *dev, be32 ip, const u8 *ha,
			 bool create, bool confirmed)
{
	struct sk_buff_head ready, doomed;
	struct neighbour *n;
	u8 mac[ETH_ALEN];

	skb_queue_head_init(&ready);
	skb_queue_head_init(&doomed);
	spin_lock_bh(&net->ipv4.neigh_lock);
	n = __neigh_lookup(net, dev, ip);
	if (!n && create)
		n = __neigh_create(net, dev, ip, &doomed);
	if (!n || (n->nud_state & (NUD_PERMANENT | NUD_NOARP)))
		goto out;
	if (!(n->nud_state & NUD_VALID) || !ether_addr_equal(n->ha, ha) || confirmed) {
		bool changed = (n->nud_state & NUD_VALID) && !ether_addr_equal(n->ha, ha);
		memcpy(n->ha, ha, ETH_ALEN);
		if (confirmed || n->nud_state == NUD_INCOMPLETE) {
			n->confirmed = jiffies;
			n->probes = 0;
			neigh_set_state(n, NUD_REACHABLE, n->reachable_time);
		} else if (changed) {
			neigh_set_state(n, NUD_STALE, 0);
		} else if (!(n->nud_state & NUD_VALID)) {
			neigh_set_state(n, NUD_STALE, 0);
		}
	}
	skb_queue_splice_tail_init(&n->arp_queue, &ready);
	memcpy(mac, n->ha, ETH_ALEN);
out:
	spin_unlock_bh(&net->ipv4.neigh_lock);
	skb_queue_purge_reason(&doomed, SKB_DROP_NEIGH_FAILED);
	if (!skb_queue_empty(&ready))
		neigh_flush_queue(&ready, dev, mac);
}

static void neigh_timer_handler(struct timer_list *t)
{
	struct neighbour *n = from_timer(n, t, timer);
	struct net *net = n->net;
	struct sk_buff_head doomed;
	struct net_device *dev = n->dev;
	be32 ip = n->ip, sip;
	u8 ha[ETH_ALEN];
	int send = 0; /* 1: broadcast request, 2: unicast probe */
	TRACE_STEP(neigh_timer_handler, 0, get_be32(n->ip), n->nud_state);

	skb_queue_head_init(&doomed);
	spin_lock_bh(&net->ipv4.neigh_lock);
	switch (n->nud_state) {
	case NUD_REACHABLE:
		if (time_before_eq(n->confirmed + n->reachable_time, jiffies))
			neigh_set_state(n, NUD_STALE, 0);
		else
			mod_timer(&n->timer, n->confirmed + n->reachable_time);
		break;
	case NUD_DELAY:
		if (time_after(n->confirmed + delay_first_probe(net), n->used)) {
			neigh_set_state(n, NUD_REACHABLE, n->reachable_time);
			break;
		}
		n->probes = 0;
		neigh_set_state(n, NUD_PROBE, msecs_to_jiffies(ARP_RETRANS_MS));
		n->probes++;
		send = 2;
		break;
	case NUD_INCOMPLETE:
	case NUD_PROBE:
		if (n->probes >= ARP_MAX_PROBES) {
			ARP_INC_STATS(net, ARP_MIB_RESOLVEFAILED);
			neigh_set_state(n, NUD_FAILED, 0);
			skb_queue_splice_tail_init(&n->arp_queue, &doomed);
			break;
		}
		send = n->nud_state == NUD_INCOMPLETE ? 1 : 2;
		n->probes++;
		mod_timer(&n->timer, jiffies + msecs_to_jiffies(ARP_RETRANS_MS));
		break;
	}
	memcpy(ha, n->ha, ETH_ALEN);
	spin_unlock_bh(&net->ipv4.neigh_lock);

	net->mib.arp[ARP_MIB_UNRESDISCARDS] += skb_queue_len(&doomed);
	skb_queue_purge_reason(&doomed, SKB_DROP_NEIGH_FAILED);
	if (send) {
		sip = inet_select_addr(dev, ip);
		arp_send(ARPOP_REQUEST, dev, sip, ip, send == 2 ? ha : NULL, NULL);
	}
}

static int neigh_resolve_output(struct net *net, struct net_device *dev, be32 nexthop,
				struct sk_buff *skb)
{
	struct sk_buff_head doomed;
	struct neighbour *n;
	bool request = false;
	int rc = 0;
	TRACE_STEP(neigh_resolve_output, skb->id, get_be32(nexthop), 0);

	skb_queue_head_init(&doomed);
	spin_lock_bh(&net->ipv4.neigh_lock);
	n = __neigh_lookup(net, dev, nexthop);
	if (!n)
		n = __neigh_create(net, dev, nexthop, &doomed);
	if (!n) {
		spin_unlock_bh(&net->ipv4.neigh_lock);
		skb_queue_purge_reason(&doomed, SKB_DROP_NEIGH_FAILED);
		kfree_skb_reason(skb, SKB_DROP_NEIGH_FAILED);
		return -ENOBUFS;
	}
	if (n->nud_state == NUD_FAILED || n->nud_state == 0) {
		/* (re)start resolution: first request now, then every ARP_RETRANS_MS */
		n->probes = 1;
		neigh_set_state(n, NUD_INCOMPLETE, msecs_to_jiffies(ARP_RETRANS_MS));
		request = true;
	}
	if (skb_queue_len(&n->arp_queue) >= ARP_QUEUE_LEN) {
		__skb_queue_tail(&doomed, __skb_dequeue(&n->arp_queue));
		ARP_INC_STATS(net, ARP_MIB_UNRESDISCARDS);
	}
	__skb_queue_tail(&n->arp_queue, skb);
	spin_unlock_bh(&net->ipv4.neigh_lock);
	skb_queue_purge_reason(&doomed, SKB_DROP_NEIGH_QUEUEFULL);
	if (request)
		arp_send(ARPOP_REQUEST, dev, inet_select_addr(dev, nexthop), nexthop, NULL, NULL);
	return rc;
}

int neigh_output(struct net_device *dev, be32 nexthop, struct sk_buff *skb)
{
	struct net *net = dev_net(dev);
	struct neighbour *n;
	u8 ha[ETH_ALEN];

	spin_lock_bh(&net->ipv4.neigh_lock);
	n = __neigh_lookup(net, dev, nexthop);
	if (!n || !(n->nud_state & NUD_VALID)) {
		spin_unlock_bh(&net->ipv4.neigh_lock);
		return neigh_resolve_output(net, dev, nexthop, skb);
	}
	n->used = jiffies;
	if (n->nud_state == NUD_STALE) /* RFC 4861 7.3.3: used while stale: verify soon */
		neigh_set_state(n, NUD_DELAY, delay_first_probe(net));
	memcpy(ha, n->ha, ETH_ALEN);
	spin_unlock_bh(&net->ipv4.neigh_lock);
	if (eth_header(skb, dev, ETH_P_IP, ha, NULL) < 0) {
		kfree_skb_reason(skb, SKB_DROP_NOMEM);
		return -ENOBUFS;
	}
	return dev_queue_xmit(skb);
}

/* ---- receive ---- */
static int arp_rcv(struct sk_buff *skb, struct net_device *dev)
{
	struct net *net = dev_net(dev);
	struct arp_repr r;
	bool for_us;
	TRACE_STEP(arp_rcv, skb->id, 0, 0);

	ARP_INC_STATS(net, ARP_MIB_INPKTS);
	if (skb->pkt_type == PACKET_OTHERHOST || (dev->flags & IFF_NOARP)) {
		kfree_skb_reason(skb, SKB_DROP_OTHERHOST);
		return NET_RX_DROP;
	}
	if (arp_parse(skb->data, skb->len, &r) || is_multicast_ether_addr(r.sha) ||
	    ipv4_is_multicast(r.tip) || ipv4_is_lbcast(r.sip) || ipv4_is_multicast(r.sip) ||
	    ipv4_is_loopback(r.sip) || ipv4_is_loopback(r.tip)) {
		ARP_INC_STATS(net, ARP_MIB_INERRORS);
		kfree_skb_reason(skb, SKB_DROP_HDR_ERROR);
		return NET_RX_DROP;
	}
	ARP_INC_STATS(net, r.op == ARPOP_REQUEST ? ARP_MIB_INREQUESTS : ARP_MIB_INREPLIES);
	if (r.sip.v && inet_addr_type_dev(net, dev, r.sip) == RTN_LOCAL &&
	    !ether_addr_equal(r.sha, dev->dev_addr)) {
		char a[16], m[18];
		/* someone else claims our address (RFC 5227 2.4): log, count, defend once */
		ARP_INC_STATS(net, ARP_MIB_CONFLICTS);
		pr_warn("arp: %s: address %s also used by %s\n", dev->name, in_ntoa(r.sip, a),
			mac_ntoa(r.sha, m));
		consume_skb(skb);
		return NET_RX_SUCCESS;
	}
	for_us = inet_dev_by_addr(net, r.tip) == dev;
	if (r.sip.v) /* 0.0.0.0 is an address probe (RFC 5227): learn nothing */
		neigh_update(net, dev, r.sip, r.sha, for_us,
			     for_us && r.op == ARPOP_REPLY);
	if (for_us && r.op == ARPOP_REQUEST)
		arp_send(ARPOP_REPLY, dev, r.tip, r.sip, r.sha, r.sha);
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static struct packet_type arp_packet_type = { .type = ETH_P_ARP, .func = arp_rcv };

/* ---- management ---- */
bool neigh_lookup_ha(struct net *net, const struct net_device *dev, be32 ip, u8 *ha, u8 *state)
{
	struct neighbour *n;
	bool found = false;

	spin_lock_bh(&net->ipv4.neigh_lock);
	n = __neigh_lookup(net, dev, ip);
	if (n) {
		if (ha)
			memcpy(ha, n->ha, ETH_ALEN);
		if (state)
			*state = n->nud_state;
		found = true;
	}
	spin_unlock_bh(&net->ipv4.neigh_lock);
	return found;
}

int neigh_add_permanent(struct net_device *dev, be32 ip, const u8 *ha)
{
	struct net *net = dev_net(dev);
	struct sk_buff_head doomed;
	struct neighbour *n;

	skb_queue_head_init(&doomed);
	spin_lock_bh(&net->ipv4.neigh_lock);
	n = __neigh_lookup(net, dev, ip);
	if (!n)
		n = __neigh_create(net, dev, ip, &doomed);
	if (n) {
		memcpy(n->ha, ha, ETH_ALEN);
		neigh_set_state(n, NUD_PERMANENT, 0);
	}
	spin_unlock_bh(&net->ipv4.neigh_lock);
	skb_queue_purge(&doomed);
	return n ? 0 : -ENOSPC;
}

int neigh_delete(struct net *net, be32 ip)
{
	struct sk_buff_head doomed;
	struct neighbour *n;

	skb_queue_head_init(&doomed);
	spin_lock_bh(&net->ipv4.neigh_lock);
	n = __neigh_lookup(net, NULL, ip);
	if (n)
		__neigh_destroy(net, n, &doomed);
	spin_unlock_bh(&net->ipv4.neigh_lock);
	skb_queue_purge(&doomed);
	return n ? 0 : -ENOENT;
}

void neigh_flush_dev(struct net *net, struct net_device *dev)
{
	struct sk_buff_head doomed;
	struct neighbour *n, *tmp;

	skb_queue_head_init(&doomed);
	spin_lock_bh(&net->ipv4.neigh_lock);
	list_for_each_entry_safe(n, tmp, &net->ipv4.neigh_list, list)
		if (!dev || n->dev == dev)
			__neigh_destroy(net, n, &doomed);
	spin_unlock_bh(&net->ipv4.neigh_lock);
	skb_queue_purge(&doomed);
}

/* The GC period: NEIGH_GC_INTERVAL_MS, shorter when gc_stale_time is (so a test that
 * lowers it sees entries go within about that time). */
static u64 neigh_gc_interval(const struct net *net)
{
	u32 ms = MIN(NEIGH_GC_INTERVAL_MS, net->ipv4.neigh_parms.gc_stale_time_ms / 2);
	return msecs_to_jiffies(ms ? ms : 1);
}

/* Garbage collection, in a worker: FAILED entries and STALE ones unused for a while. */
static void neigh_periodic_work(struct work_struct *w)
{
	struct netns_ipv4 *ip = container_of(to_delayed_work(w), struct netns_ipv4, neigh_gc_work);
	struct net *net = container_of(ip, struct net, ipv4);
	u64 stale = msecs_to_jiffies(ip->neigh_parms.gc_stale_time_ms);
	struct sk_buff_head doomed;
	struct neighbour *n, *tmp;

	skb_queue_head_init(&doomed);
	spin_lock_bh(&ip->neigh_lock);
	list_for_each_entry_safe(n, tmp, &ip->neigh_list, list)
		if (n->nud_state == NUD_FAILED ||
		    (n->nud_state == NUD_STALE && time_after_eq(jiffies, n->used + stale)))
			__neigh_destroy(net, n, &doomed);
	spin_unlock_bh(&ip->neigh_lock);
	skb_queue_purge(&doomed);
	schedule_delayed_work(&ip->neigh_gc_work, neigh_gc_interval(net));
}

static int arp_net_init(struct net *net)
{
	spin_lock_init(&net->ipv4.neigh_lock);
	net->ipv4.neigh_lock.name = "neigh_lock";
	INIT_LIST_HEAD(&net->ipv4.neigh_list);
	net->ipv4.neigh_parms = (struct neigh_parms){
		.base_reachable_time_ms = ARP_REACHABLE_MS,
		.delay_first_probe_time_ms = ARP_DELAY_PROBE_MS,
		.gc_stale_time_ms = ARP_GC_STALE_MS,
	};
	INIT_DELAYED_WORK(&net->ipv4.neigh_gc_work, neigh_periodic_work);
	schedule_delayed_work(&net->ipv4.neigh_gc_work, neigh_gc_interval(net));
	return 0;
}

static void arp_net_exit(struct net *net)
{
	cancel_delayed_work_sync(&net->ipv4.neigh_gc_work);
	neigh_flush_dev(net, NULL);
}

static void arp_netdev_event(struct notifier_block *nb, unsigned long event,
			     struct net_device *dev)
{
	if (event == NETDEV_DOWN || event == NETDEV_UNREGISTER ||
	    (event == NETDEV_CHANGE && !dev->carrier) || event == NETDEV_CHANGEADDR)
		neigh_flush_dev(dev_net(dev), dev);
}

static struct pernet_operations arp_net_ops = { .init = arp_net_init, .exit = arp_net_exit };
static struct notifier_block arp_notifier = { .notifier_call = arp_netdev_event };

void arp_init(void)
{
	register_pernet_subsys(&arp_net_ops);
	register_netdevice_notifier(&arp_notifier);
	dev_add_pack(&arp_packet_type);
}

static const char *nud_name(u8 s)
{
	switch (s) {
	case NUD_INCOMPLETE: return "INCOMPLETE";
	case NUD_REACHABLE: return "REACHABLE";
	case NUD_STALE: return "STALE";
	case NUD_DELAY: return "DELAY";
	case NUD_PROBE: return "PROBE";
	case NUD_FAILED: return "FAILED";
	case NUD_PERMANENT: return "PERMANENT";
	default: return "NONE";
	}
}

/* arp set [NAME MS]: the cache's timeouts, named as Linux's
 * /proc/sys/net/ipv4/neigh/default/ (tests shorten them to see entries age). */
static int arp_cmd_set(struct net *net, int argc, char **argv)
{
	struct neigh_parms *p = &net->ipv4.neigh_parms;
	const struct { const char *name; u32 *ms; } parms[] = {
		{ "base_reachable_time_ms", &p->base_reachable_time_ms },
		{ "delay_first_probe_time_ms", &p->delay_first_probe_time_ms },
		{ "gc_stale_time_ms", &p->gc_stale_time_ms },
	};
	struct neighbour *n;
	char *end;

	if (argc == 4) {
		unsigned long ms = strtoul(argv[3], &end, 10);
		size_t i;

		for (i = 0; i < ARRAY_SIZE(parms); i++)
			if (!strcmp(argv[2], parms[i].name))
				break;
		if (i == ARRAY_SIZE(parms) || *end || end == argv[3] || !ms || ms > 86400000) {
			kprintf("arp set: NAME MS, MS 1..86400000\n");
			return 1;
		}
		spin_lock_bh(&net->ipv4.neigh_lock);
		*parms[i].ms = (u32)ms;
		list_for_each_entry(n, &net->ipv4.neigh_list, list) { /* applies to entries now */
			n->reachable_time = random_reachable_time(net);
			if (n->nud_state == NUD_REACHABLE)
				mod_timer(&n->timer, n->confirmed + n->reachable_time);
		}
		spin_unlock_bh(&net->ipv4.neigh_lock);
		/* the GC period follows gc_stale_time: start the new one now */
		mod_delayed_work(system_wq, &net->ipv4.neigh_gc_work, neigh_gc_interval(net));
	} else if (argc != 2) {
		kprintf("usage: arp set [NAME MS]\n");
		return 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(parms); i++)
		kprintf("%s %u\n", parms[i].name, *parms[i].ms);
	return 0;
}

/* arp [-d A.B.C.D | set [NAME MS]] */
int net_cmd_arp(int argc, char **argv)
{
	struct net *net = &init_net;
	struct neighbour *n;
	char a[16], m[18];
	be32 ip;

	if (argc == 3 && !strcmp(argv[1], "-d") && !in4_pton(argv[2], &ip))
		return neigh_delete(net, ip) ? 1 : 0;
	if (argc >= 2 && !strcmp(argv[1], "set"))
		return arp_cmd_set(net, argc, argv);
	if (argc != 1) {
		kprintf("usage: arp [-d A.B.C.D | set [NAME MS]]\n");
		return 1;
	}
	kprintf("Address         HWaddress          State       Iface  Age(s) Queued\n");
	spin_lock_bh(&net->ipv4.neigh_lock);
	list_for_each_entry(n, &net->ipv4.neigh_list, list)
		kprintf("%-15s %-18s %-11s %-6s %6llu %u\n", in_ntoa(n->ip, a),
			(n->nud_state & NUD_VALID) ? mac_ntoa(n->ha, m) : "(incomplete)",
			nud_name(n->nud_state), n->dev->name,
			(unsigned long long)((jiffies - n->updated) / HZ),
			skb_queue_len(&n->arp_queue));
	spin_unlock_bh(&net->ipv4.neigh_lock);
	return 0;
}
SHELL_CMD("arp", "arp [-d A.B.C.D | set [NAME MS]] - the ARP neighbour cache, its timeouts",
	  net_cmd_arp);
