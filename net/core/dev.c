/* The device layer (Linux net/core/dev.c): device registration and state, the receive
 * dispatch by ethertype, and the transmit queue in front of each driver.
 *
 * receive:  <driver>_poll (NET_RX softirq) -> netif_receive_skb() -> ip_rcv | arp_rcv
 * transmit: ip_finish_output2 | arp_xmit -> dev_queue_xmit() -> __qdisc_run()
 *           -> dev_hard_start_xmit() -> ndo_start_xmit; a stopped queue is restarted by
 *           netif_wake_queue() -> NET_TX softirq -> net_tx_action() -> __qdisc_run().
 *
 * Locking: dev->tx_lock (bottom halves off) guards the TX queue and serialises calls into
 * ndo_start_xmit. The device list changes in thread context with bottom halves off, so
 * the softirqs that walk it see it whole. Hard IRQs touch only softnet_data's lists, with
 * interrupts off (net/core/napi.c). */
#include <net/net_namespace.h>
#include <net/netdevice.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/softirq.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>

static LIST_HEAD(ptype_list);         /* changed at init only */
static LIST_HEAD(netdev_notifiers);   /* changed at init only */

/* ---- allocation and registration ---- */
struct net_device *alloc_netdev(size_t sizeof_priv, const char *name_fmt,
				void (*setup)(struct net_device *dev))
{
	size_t base = ALIGN_UP(sizeof(struct net_device), 16);
	struct net_device *dev = kzalloc(base + sizeof_priv);

	if (!dev)
		return NULL;
	dev->priv = sizeof_priv ? (u8 *)dev + base : NULL;
	strlcpy(dev->name, name_fmt, sizeof(dev->name));
	INIT_LIST_HEAD(&dev->dev_list);
	INIT_LIST_HEAD(&dev->napi_list);
	INIT_LIST_HEAD(&dev->output_node);
	spin_lock_init(&dev->tx_lock);
	dev->tx_lock.name = "dev->tx_lock";
	skb_queue_head_init(&dev->txq);
	dev->tx_queue_len = NET_TX_QUEUE_LEN;
	dev->min_mtu = 68;
	if (setup)
		setup(dev);
	return dev;
}

void ether_setup(struct net_device *dev)
{
	dev->hard_header_len = ETH_HLEN;
	dev->addr_len = ETH_ALEN;
	dev->mtu = ETH_DATA_LEN;
	dev->max_mtu = ETH_DATA_LEN;
	dev->flags = IFF_BROADCAST | IFF_MULTICAST;
	memset(dev->broadcast, 0xff, ETH_ALEN);
}

struct net_device *alloc_etherdev(size_t sizeof_priv)
{
	return alloc_netdev(sizeof_priv, "eth%d", ether_setup);
}

void free_netdev(struct net_device *dev)
{
	if (!dev)
		return;
	BUG_ON(dev->registered);
	kfree(dev);
}

static void call_netdevice_notifiers(unsigned long event, struct net_device *dev)
{
	struct notifier_block *nb;

	list_for_each_entry(nb, &netdev_notifiers, list)
		nb->notifier_call(nb, event, dev);
}

void register_netdevice_notifier(struct notifier_block *nb)
{
	list_add_tail(&nb->list, &netdev_notifiers);
}

void unregister_netdevice_notifier(struct notifier_block *nb) { list_del(&nb->list); }

/* Replaces a "%d" in dev->name with the lowest free number. */
static int dev_alloc_name(struct net *net, struct net_device *dev)
{
	char *pct = strstr(dev->name, "%d");
	char prefix[IFNAMSIZ];
	size_t plen;

	if (!pct)
		return dev_get_by_name(net, dev->name) ? -EEXIST : 0;
	plen = (size_t)(pct - dev->name);
	memcpy(prefix, dev->name, plen);
	prefix[plen] = 0;
	if (plen > IFNAMSIZ - 3)
		return -EINVAL;
	for (unsigned i = 0; i < 100; i++) {
		char name[IFNAMSIZ + 8];

		snprintf(name, sizeof(name), "%s%u", prefix, i);
		if (!dev_get_by_name(net, name)) {
			strlcpy(dev->name, name, sizeof(dev->name));
			return 0;
		}
	}
	return -ENFILE;
}

int register_netdev_net(struct net_device *dev, struct net *net)
{
	int err;

	BUG_ON(!dev->netdev_ops || !dev->netdev_ops->ndo_open || !dev->netdev_ops->ndo_stop ||
	       !dev->netdev_ops->ndo_start_xmit);
	err = dev_alloc_name(net, dev);
	if (err)
		return err;
	dev->nd_net = net;
	dev->ifindex = ++net->ifindex_next;
	local_bh_disable();
	list_add_tail(&dev->dev_list, &net->dev_list);
	dev->registered = true;
	local_bh_enable();
	pr_info("net: %s registered (ifindex %d, %02x:%02x:%02x:%02x:%02x:%02x)\n", dev->name,
		dev->ifindex, dev->dev_addr[0], dev->dev_addr[1], dev->dev_addr[2],
		dev->dev_addr[3], dev->dev_addr[4], dev->dev_addr[5]);
	call_netdevice_notifiers(NETDEV_REGISTER, dev);
	return 0;
}

int register_netdev(struct net_device *dev) { return register_netdev_net(dev, &init_net); }

void softnet_flush_dev(struct net_device *dev);

void unregister_netdev(struct net_device *dev)
{
	if (!dev->registered)
		return;
	dev_close(dev);
	call_netdevice_notifiers(NETDEV_UNREGISTER, dev);
	softnet_flush_dev(dev);
	local_bh_disable();
	list_del(&dev->dev_list);
	dev->registered = false;
	local_bh_enable();
}

struct net_device *dev_get_by_index(struct net *net, int ifindex)
{
	struct net_device *dev;

	list_for_each_entry(dev, &net->dev_list, dev_list)
		if (dev->ifindex == ifindex)
			return dev;
	return NULL;
}

struct net_device *dev_get_by_name(struct net *net, const char *name)
{
	struct net_device *dev;

	list_for_each_entry(dev, &net->dev_list, dev_list)
		if (!strcmp(dev->name, name))
			return dev;
	return NULL;
}

/* ---- state ---- */
static void carrier_up_event(struct net_device *dev);

int dev_open(struct net_device *dev)
{
	int err;

	if (dev->flags & IFF_UP)
		return 0;
	err = dev->netdev_ops->ndo_open(dev);
	if (err)
		return err;
	dev->flags |= IFF_UP;
	call_netdevice_notifiers(NETDEV_UP, dev);
	if (dev->carrier)
		carrier_up_event(dev);
	return 0;
}

int dev_close(struct net_device *dev)
{
	unsigned long flags;

	if (!(dev->flags & IFF_UP))
		return 0;
	call_netdevice_notifiers(NETDEV_DOWN, dev);
	dev->netdev_ops->ndo_stop(dev);
	local_bh_disable();
	spin_lock(&dev->tx_lock);
	dev->flags &= ~(IFF_UP | IFF_RUNNING);
	skb_queue_purge_reason(&dev->txq, SKB_DROP_DEV_DOWN);
	spin_unlock(&dev->tx_lock);
	local_irq_save(flags);
	if (dev->output_scheduled) {
		list_del(&dev->output_node);
		dev->output_scheduled = false;
	}
	local_irq_restore(flags);
	local_bh_enable();
	return 0;
}

/* The link is up and so is the device: it can send now (DHCP starts, ARP announces). */
static void carrier_up_event(struct net_device *dev)
{
	dev->flags |= IFF_RUNNING;
	pr_info("net: %s link up\n", dev->name);
	call_netdevice_notifiers(NETDEV_CHANGE, dev);
}

/* A driver may find the link up inside its ndo_open, before dev_open() has marked the
 * device up: the event waits for dev_open() then (frames sent before would be dropped,
 * and whoever read "link up" would find a device that is not up yet). */
void netif_carrier_on(struct net_device *dev)
{
	if (dev->carrier)
		return;
	dev->carrier = true;
	if (dev->flags & IFF_UP)
		carrier_up_event(dev);
}

void netif_carrier_off(struct net_device *dev)
{
	if (!dev->carrier)
		return;
	dev->carrier = false;
	dev->flags &= ~IFF_RUNNING;
	pr_info("net: %s link down\n", dev->name);
	call_netdevice_notifiers(NETDEV_CHANGE, dev);
}

int dev_set_mac_address(struct net_device *dev, const u8 *mac)
{
	int err;

	if (!is_valid_ether_addr(mac))
		return -EINVAL;
	if (!dev->netdev_ops->ndo_set_mac_address)
		return -EOPNOTSUPP;
	err = dev->netdev_ops->ndo_set_mac_address(dev, mac);
	if (err)
		return err;
	ether_addr_copy(dev->dev_addr, mac);
	call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
	return 0;
}

int dev_set_mtu(struct net_device *dev, u32 mtu)
{
	int err = 0;

	if (mtu < dev->min_mtu || mtu > dev->max_mtu)
		return -EINVAL;
	if (dev->netdev_ops->ndo_change_mtu)
		err = dev->netdev_ops->ndo_change_mtu(dev, mtu);
	if (!err)
		dev->mtu = mtu;
	return err;
}

void dev_get_stats(struct net_device *dev, struct net_device_stats *st)
{
	*st = dev->stats;
	if (dev->netdev_ops->ndo_get_stats)
		dev->netdev_ops->ndo_get_stats(dev, st);
}

/* ---- the wire identity of a frame, for tools/seqtrace ---- */
/* Records skb_wire: what a capture or the peer's trace sees of this frame (IPv4 id,
 * protocol, fragment field, total length, ports, TCP sequence or ICMP echo id/seq), so
 * the host tool can match the packet id with a captured frame and with the same frame
 * in the other machine's trace (docs/trace-tools.md). ip points at an IPv4 header with
 * len bytes after it; nothing is read past them. Only called when skb_wire is on. */
static void trace_skb_wire(const struct sk_buff *skb, const u8 *ip, u32 len, bool tx)
{
	u32 ihl, frag;
	u64 a0, a1 = 0;

	if (len < 20 || (ip[0] >> 4) != 4)
		return;
	ihl = (ip[0] & 0xfu) * 4;
	if (ihl < 20 || ihl > len)
		return;
	frag = rd_be16(ip + 6) & 0x3fffu; /* MF and offset, without DF */
	a0 = (u64)rd_be16(ip + 2) << 48 | (u64)frag << 32 | (u64)rd_be16(ip + 4) << 16 |
	     (u64)tx << 8 | ip[9];
	if (!(frag & 0x1fffu) && len - ihl >= 8) {
		const u8 *l4 = ip + ihl;
		u32 ports = rd_be32(l4);

		if (ip[9] == 17) /* UDP: the ports */
			a1 = (u64)ports << 32 | ports;
		else if (ip[9] == 6) /* TCP: the ports and the sequence number */
			a1 = (u64)ports << 32 | rd_be32(l4 + 4);
		else /* ICMP echo: identifier and sequence */
			a1 = rd_be32(l4 + 4);
	}
	trace_event(skb_wire, skb->id, a0, a1);
}

/* ---- receive ---- */
void dev_add_pack(struct packet_type *pt) { list_add_tail(&pt->list, &ptype_list); }
void dev_remove_pack(struct packet_type *pt) { list_del(&pt->list); }

/* Hands one received frame to the protocol its ethertype names. Called in NET_RX softirq
 * from a driver's poll or from the backlog; skb->data is at the network header. */
int netif_receive_skb(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	u16 proto = get_be16(skb->protocol);
	struct packet_type *pt;
	TRACE_STEP(netif_receive_skb, skb->id, proto, skb->len);
	if (trace_on(skb_wire) && proto == ETH_P_IP)
		trace_skb_wire(skb, skb->data, skb->len, false);

	softnet_data.processed++;
	if (unlikely(!(dev->flags & IFF_UP))) {
		dev->stats.rx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_DEV_DOWN);
		return NET_RX_DROP;
	}
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += skb->len + (skb->mac_header != SKB_HDR_UNSET ?
					   (u32)(skb->data - skb_mac_header(skb)) : 0);
	if (skb->pkt_type == PACKET_MULTICAST)
		dev->stats.multicast++;
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	if (unlikely(proto == 0)) { /* eth_type_trans() found no header */
		dev->stats.rx_errors++;
		kfree_skb_reason(skb, SKB_DROP_PKT_TOO_SMALL);
		return NET_RX_DROP;
	}
	list_for_each_entry(pt, &ptype_list, list)
		if (pt->type == proto)
			return pt->func(skb, dev);
	dev->stats.rx_nohandler++;
	kfree_skb_reason(skb, SKB_DROP_UNHANDLED_PROTO);
	return NET_RX_DROP;
}

/* ---- transmit ---- */
/* Gives one packet to the driver. Called with dev->tx_lock held and bottom halves off. */
static netdev_tx_t dev_hard_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	u32 len = skb->len;
	netdev_tx_t rc;
	TRACE_STEP(dev_hard_start_xmit, skb->id, dev->ifindex, len);
	if (trace_on(skb_wire) && dev->hard_header_len == ETH_HLEN && len >= ETH_HLEN &&
	    rd_be16(skb->data + 12) == ETH_P_IP)
		trace_skb_wire(skb, skb->data + ETH_HLEN, len - ETH_HLEN, true);

	rc = dev->netdev_ops->ndo_start_xmit(skb, dev);
	if (rc == NETDEV_TX_OK) {
		dev->stats.tx_packets++;
		dev->stats.tx_bytes += len;
	}
	return rc;
}

static void __netif_schedule(struct net_device *dev);

/* Feeds the driver from the TX queue until it is empty, the driver stops the queue, or
 * NET_TX_WEIGHT packets went out (then NET_TX continues, so one busy device does not
 * hold the CPU). Called with dev->tx_lock held and bottom halves off. */
static void __qdisc_run(struct net_device *dev)
{
	int quota = NET_TX_WEIGHT;
	struct sk_buff *skb;

	while (!netif_queue_stopped(dev) && (skb = __skb_dequeue(&dev->txq))) {
		if (dev_hard_start_xmit(skb, dev) != NETDEV_TX_OK) {
			/* ring full without a stop: put it back and retry from NET_TX */
			__skb_queue_head(&dev->txq, skb);
			if (!netif_queue_stopped(dev))
				__netif_schedule(dev);
			return;
		}
		if (--quota == 0 && !skb_queue_empty(&dev->txq)) {
			__netif_schedule(dev);
			return;
		}
	}
}

int dev_queue_xmit(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	int rc = 0;
	TRACE_STEP(dev_queue_xmit, skb->id, dev->ifindex, skb->len);

	local_bh_disable();
	spin_lock(&dev->tx_lock);
	if (unlikely(!(dev->flags & IFF_UP))) {
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_DEV_DOWN);
		rc = -ENETDOWN;
	} else if (unlikely(skb_queue_len(&dev->txq) >= dev->tx_queue_len)) {
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_QUEUE_FULL);
		rc = -ENOBUFS;
	} else {
		__skb_queue_tail(&dev->txq, skb);
		__qdisc_run(dev);
	}
	spin_unlock(&dev->tx_lock);
	local_bh_enable();
	return rc;
}

void netif_stop_queue(struct net_device *dev)
{
	__atomic_fetch_or(&dev->tx_state, 1ul << __QUEUE_STATE_DRV_XOFF, __ATOMIC_ACQ_REL);
	dev->tx_stopped_at = ktime_get_ns();
	trace_event(netif_stop_queue, 0, dev->ifindex, skb_queue_len(&dev->txq));
}

/* Puts dev on this CPU's output queue and raises NET_TX (Linux __netif_schedule). */
static void __netif_schedule(struct net_device *dev)
{
	unsigned long flags;

	local_irq_save(flags);
	if (!dev->output_scheduled) {
		dev->output_scheduled = true;
		list_add_tail(&dev->output_node, &softnet_data.output_queue);
		raise_softirq_irqoff(NET_TX_SOFTIRQ);
	}
	local_irq_restore(flags);
}

void netif_wake_queue(struct net_device *dev)
{
	unsigned long old = __atomic_fetch_and(&dev->tx_state, ~(1ul << __QUEUE_STATE_DRV_XOFF),
					       __ATOMIC_ACQ_REL);

	if (old & (1ul << __QUEUE_STATE_DRV_XOFF)) {
		trace_event(netif_wake_queue, 0, TRACE_CTX(CTX_SOFTIRQ, NET_TX_SOFTIRQ),
			    dev->ifindex);
		__netif_schedule(dev);
	}
}

void dev_kfree_skb_irq(struct sk_buff *skb)
{
	unsigned long flags;

	if (!skb)
		return;
	local_irq_save(flags);
	skb->next = softnet_data.completion_queue;
	softnet_data.completion_queue = skb;
	raise_softirq_irqoff(NET_TX_SOFTIRQ);
	local_irq_restore(flags);
}

void dev_consume_skb_any(struct sk_buff *skb)
{
	if (in_hardirq() || irqs_disabled())
		dev_kfree_skb_irq(skb);
	else
		consume_skb(skb);
}

/* NET_TX softirq: frees buffers completed in hard IRQ, then restarts the TX queues of
 * the devices that were woken or ran out of quota. */
void net_tx_action(void)
{
	struct sk_buff *clist;
	struct list_head devs;
	unsigned long flags;
	u64 freed = 0;
	TRACE_STEP(net_tx_action, 0, 0, 0);

	softnet_data.tx_runs++;
	local_irq_save(flags);
	clist = softnet_data.completion_queue;
	softnet_data.completion_queue = NULL;
	INIT_LIST_HEAD(&devs);
	if (!list_empty(&softnet_data.output_queue)) {
		devs.next = softnet_data.output_queue.next;
		devs.prev = softnet_data.output_queue.prev;
		devs.next->prev = devs.prev->next = &devs;
		INIT_LIST_HEAD(&softnet_data.output_queue);
	}
	local_irq_restore(flags);

	while (clist) {
		struct sk_buff *skb = clist;
		clist = clist->next;
		consume_skb(skb);
		freed++;
	}
	while (!list_empty(&devs)) {
		struct net_device *dev = list_first_entry(&devs, struct net_device, output_node);

		local_irq_save(flags);
		list_del(&dev->output_node);
		dev->output_scheduled = false;
		local_irq_restore(flags);
		spin_lock(&dev->tx_lock);
		if (dev->flags & IFF_UP)
			__qdisc_run(dev);
		spin_unlock(&dev->tx_lock);
	}
}
