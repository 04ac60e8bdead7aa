/* The simulated link of include/simlink.h: a NIC driver written against
 * <net/netdevice.h> only, as e1000 and virtio-net are. */
#include <shim.h>
#include <simlink.h>

#include <net/net_namespace.h>
#include <seqos/errno.h>

#include <stdlib.h>
#include <string.h>

static int sim_open(struct net_device *dev)
{
	struct simlink_end *e = netdev_priv(dev) ? *(struct simlink_end **)netdev_priv(dev) : NULL;

	napi_enable(&e->napi);
	e->irq_enabled = true;
	return 0;
}

static void free_tx(struct simlink_end *e, bool all)
{
	while (e->tx_count && (all || e->tx_done)) {
		struct sk_buff *skb = e->tx_ring[e->tx_head];

		e->tx_ring[e->tx_head] = NULL;
		e->tx_head = (e->tx_head + 1) % SIMLINK_RING;
		e->tx_count--;
		if (e->tx_done)
			e->tx_done--;
		consume_skb(skb);
	}
}

static void free_rx(struct simlink_end *e)
{
	while (e->rx_count) {
		free(e->rx_ring[e->rx_head].data);
		e->rx_head = (e->rx_head + 1) % SIMLINK_RING;
		e->rx_count--;
	}
}

static int sim_stop(struct net_device *dev)
{
	struct simlink_end *e = *(struct simlink_end **)netdev_priv(dev);

	napi_disable(&e->napi);
	e->irq_enabled = false;
	free_tx(e, true);
	free_rx(e);
	netif_wake_queue(dev);
	return 0;
}

static netdev_tx_t sim_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct simlink_end *e = *(struct simlink_end **)netdev_priv(dev);

	if (e->tx_count >= e->tx_ring_size) {
		netif_stop_queue(dev);
		return NETDEV_TX_BUSY;
	}
	if (eth_skb_pad(skb)) {
		dev->stats.tx_dropped++;
		return NETDEV_TX_OK;
	}
	e->tx_ring[(e->tx_head + e->tx_count) % SIMLINK_RING] = skb;
	e->tx_count++;
	if (e->tx_count >= e->tx_ring_size)
		netif_stop_queue(dev); /* as a driver should: stop before the next one fails */
	return NETDEV_TX_OK;
}

static void sim_irq_enable(struct net_device *dev, struct napi_struct *napi)
{
	struct simlink_end *e = *(struct simlink_end **)netdev_priv(dev);
	e->irq_enabled = true;
}

static int sim_poll(struct napi_struct *napi, int budget)
{
	struct simlink_end *e = container_of(napi, struct simlink_end, napi);
	int done = 0;

	e->polls++;
	/* TX completion first, as real drivers do, then RX up to the budget */
	if (e->tx_done) {
		free_tx(e, false);
		if (netif_queue_stopped(e->dev) && e->tx_count < e->tx_ring_size)
			netif_wake_queue(e->dev);
	}
	while (done < budget && e->rx_count) {
		struct simlink_frame *f = &e->rx_ring[e->rx_head];
		struct sk_buff *skb = netdev_alloc_skb(e->dev, f->len);

		if (!skb) {
			e->dev->stats.rx_dropped++;
		} else {
			skb_put_data(skb, f->data, f->len);
			skb->protocol = eth_type_trans(skb, e->dev);
			netif_receive_skb(skb);
		}
		free(f->data);
		e->rx_head = (e->rx_head + 1) % SIMLINK_RING;
		e->rx_count--;
		done++;
	}
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

static const struct net_device_ops sim_ops = {
	.ndo_open = sim_open,
	.ndo_stop = sim_stop,
	.ndo_start_xmit = sim_xmit,
	.ndo_irq_enable = sim_irq_enable,
};

static void rx_push(struct simlink_end *e, const u8 *data, u32 len)
{
	struct simlink_frame *f;

	if (e->rx_count >= SIMLINK_RING) {
		e->dev->stats.rx_fifo_errors++;
		e->dev->stats.rx_errors++;
		return;
	}
	f = &e->rx_ring[(e->rx_head + e->rx_count) % SIMLINK_RING];
	f->data = malloc(len ? len : 1);
	memcpy(f->data, data, len);
	f->len = len;
	e->rx_count++;
}

void simlink_inject(struct simlink_end *e, const u8 *frame, size_t len)
{
	rx_push(e, frame, (u32)len);
}

/* Puts what e transmitted on the wire; returns true if anything moved. */
static bool wire_out(struct simlink *l, struct simlink_end *e, int dir)
{
	bool moved = false;

	while (e->tx_done < e->tx_count && !l->hold) {
		struct sk_buff *skb = e->tx_ring[(e->tx_head + e->tx_done) % SIMLINK_RING];
		u8 buf[65536 + 64];
		u32 len = skb->len < sizeof(buf) ? skb->len : sizeof(buf);
		bool drop;

		memcpy(buf, skb->data, len);
		e->tx_done++;
		l->frames++;
		moved = true;
		drop = l->filter && l->filter(l->filter_arg, dir, buf, &len);
		if (drop) {
			l->dropped++;
			continue;
		}
		if (e->peer) {
			rx_push(e->peer, buf, len);
		} else {
			struct simlink_frame *f = &e->cap[(e->cap_head + e->cap_count) % 256];
			if (e->cap_count == 256) { /* full: forget the oldest */
				free(e->cap[e->cap_head].data);
				e->cap_head = (e->cap_head + 1) % 256;
				e->cap_count--;
				f = &e->cap[(e->cap_head + e->cap_count) % 256];
			}
			f->data = malloc(len ? len : 1);
			memcpy(f->data, buf, len);
			f->len = len;
			e->cap_count++;
		}
	}
	return moved;
}

/* Raises e's interrupt when it has work and the interrupt is unmasked. */
static bool maybe_irq(struct simlink_end *e)
{
	if (!e->dev || !(e->dev->flags & IFF_UP) || !e->irq_enabled)
		return false;
	if (!e->rx_count && !e->tx_done)
		return false;
	shim_hardirq_enter(e->vector);
	e->irqs++;
	e->irq_enabled = false; /* the handler masks the device */
	napi_schedule(&e->napi);
	shim_hardirq_exit();
	return true;
}

static bool simlink_pump(void *arg)
{
	struct simlink *l = arg;
	bool progress = false;

	progress |= wire_out(l, &l->a, 0);
	if (l->paired)
		progress |= wire_out(l, &l->b, 1);
	progress |= maybe_irq(&l->a);
	if (l->paired)
		progress |= maybe_irq(&l->b);
	return progress;
}

static int end_init(struct simlink *l, struct simlink_end *e, struct net *net, u8 mac,
		    int vector)
{
	struct net_device *dev = alloc_etherdev(sizeof(struct simlink_end *));

	if (!dev)
		return -ENOMEM;
	*(struct simlink_end **)netdev_priv(dev) = e;
	dev->netdev_ops = &sim_ops;
	u8 addr[ETH_ALEN] = { 0x02, 0, 0, 0, 0, mac };
	memcpy(dev->dev_addr, addr, ETH_ALEN);
	e->dev = dev;
	e->link = l;
	e->tx_ring_size = SIMLINK_RING;
	e->vector = vector;
	netif_napi_add(dev, &e->napi, sim_poll);
	if (register_netdev_net(dev, net))
		return -EEXIST;
	netif_carrier_on(dev);
	return dev_open(dev);
}

struct simlink *simlink_create(struct net *na, struct net *nb, u8 mac_base)
{
	struct simlink *l = calloc(1, sizeof(*l));

	l->paired = nb != NULL;
	if (l->paired) {
		l->a.peer = &l->b;
		l->b.peer = &l->a;
	}
	if (end_init(l, &l->a, na, (u8)(mac_base + 1), 40) ||
	    (nb && end_init(l, &l->b, nb, (u8)(mac_base + 2), 41)))
		abort();
	shim_add_pump(simlink_pump, l);
	return l;
}

static void end_destroy(struct simlink_end *e)
{
	if (!e->dev)
		return;
	unregister_netdev(e->dev);
	netif_napi_del(&e->napi);
	free_tx(e, true);
	free_rx(e);
	while (e->cap_count) {
		free(e->cap[e->cap_head].data);
		e->cap_head = (e->cap_head + 1) % 256;
		e->cap_count--;
	}
	free_netdev(e->dev);
	e->dev = NULL;
}

void simlink_destroy(struct simlink *l)
{
	shim_del_pump(simlink_pump, l);
	end_destroy(&l->a);
	end_destroy(&l->b);
	free(l);
}

int simlink_pop_frame(struct simlink_end *e, u8 *buf, size_t cap)
{
	struct simlink_frame *f;
	int len;

	if (!e->cap_count)
		return -1;
	f = &e->cap[e->cap_head];
	len = (int)(f->len < cap ? f->len : cap);
	memcpy(buf, f->data, (size_t)len);
	free(f->data);
	e->cap_head = (e->cap_head + 1) % 256;
	e->cap_count--;
	return len;
}

u32 simlink_captured(const struct simlink_end *e) { return e->cap_count; }
