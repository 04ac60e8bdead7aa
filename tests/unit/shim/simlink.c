/* The simulated link of include/simlink.h: a NIC driver written against
 * <net/netdevice.h> only, as e1000 and virtio-net are. */
#include <shim.h>
#include <simlink.h>

#include <net/net_namespace.h>
#include <seqos/errno.h>
#include <seqos/time.h>

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

/* ---- impairments: a delay line per direction, sorted by arrival time ---- */
struct line_frame {
	u8 *data;
	u32 len;
	u64 due;   /* ktime ns of arrival at the far end */
};
struct simlink_line {
	struct line_frame *f;
	u32 n, cap;
	u64 free_at; /* when the serialiser is free again */
};

static u64 line_rand(struct simlink *l)
{
	/* xorshift64*: the link's own stream, so a seed gives the same run every time */
	l->rng ^= l->rng >> 12;
	l->rng ^= l->rng << 25;
	l->rng ^= l->rng >> 27;
	return l->rng * 0x2545F4914F6CDD1DULL;
}

static bool line_chance(struct simlink *l, u32 ppm)
{
	return ppm && line_rand(l) % 1000000 < ppm;
}

static void line_insert(struct simlink_line *ln, const u8 *data, u32 len, u64 due)
{
	u32 i;

	if (ln->n == ln->cap) {
		ln->cap = ln->cap ? ln->cap * 2 : 256;
		ln->f = realloc(ln->f, ln->cap * sizeof(*ln->f));
	}
	for (i = ln->n; i > 0 && ln->f[i - 1].due > due; i--)
		ln->f[i] = ln->f[i - 1];
	ln->f[i].data = malloc(len ? len : 1);
	memcpy(ln->f[i].data, data, len);
	ln->f[i].len = len;
	ln->f[i].due = due;
	ln->n++;
}

static void line_rearm(struct simlink *l)
{
	u64 due = ~0ULL;

	for (int d = 0; d < 2; d++)
		if (l->line[d] && l->line[d]->n && l->line[d]->f[0].due < due)
			due = l->line[d]->f[0].due;
	if (due != ~0ULL)
		mod_timer(&l->line_timer, (due + NSEC_PER_SEC / HZ - 1) / (NSEC_PER_SEC / HZ));
}

/* Frames whose time has come go into the far end's RX ring, as long as it has room. */
static bool line_deliver(struct simlink *l)
{
	u64 now = ktime_get_ns();
	bool moved = false;

	for (int d = 0; d < 2; d++) {
		struct simlink_line *ln = l->line[d];
		struct simlink_end *to = d == 0 ? &l->b : &l->a;

		while (ln && ln->n && ln->f[0].due <= now && to->rx_count < SIMLINK_RING) {
			rx_push(to, ln->f[0].data, ln->f[0].len);
			free(ln->f[0].data);
			memmove(ln->f, ln->f + 1, (ln->n - 1) * sizeof(*ln->f));
			ln->n--;
			l->istats.delivered++;
			moved = true;
		}
	}
	return moved;
}

static void line_timer_fn(struct timer_list *t)
{
	struct simlink *l = from_timer(l, t, line_timer);

	line_deliver(l);
	line_rearm(l);
}

/* A frame enters the impaired wire in direction dir. */
static void line_enqueue(struct simlink *l, int dir, u8 *buf, u32 len)
{
	const struct simlink_impair *im = &l->imp;
	struct simlink_line *ln = l->line[dir];
	u64 now = ktime_get_ns(), depart, due;
	u32 qmax = im->queue_max ? im->queue_max : 1000;

	if (line_chance(l, im->loss_ppm)) {
		l->istats.lost++;
		return;
	}
	if (ln->n >= qmax) {
		l->istats.queue_drops++;
		return;
	}
	depart = (ln->free_at > now ? ln->free_at : now) +
		 (im->rate_bps ? (u64)len * 8 * NSEC_PER_SEC / im->rate_bps : 0);
	ln->free_at = depart;
	due = depart + (u64)im->delay_us * 1000 +
	      (im->jitter_us ? line_rand(l) % ((u64)im->jitter_us * 1000) : 0);
	if (line_chance(l, im->reorder_ppm)) {
		due += (u64)(im->reorder_us ? im->reorder_us : 2000) * 1000;
		l->istats.reordered++;
	}
	/* bit errors that got past the Ethernet FCS: only in IPv4 frames, whose checksums
	 * must catch them (ARP has none, and would learn a wrong MAC for good) */
	if (len > ETH_HLEN && rd_be16(buf + 12) == ETH_P_IP && line_chance(l, im->corrupt_ppm)) {
		u32 off = ETH_HLEN + (u32)(line_rand(l) % (len - ETH_HLEN));
		buf[off] ^= (u8)(1u << (line_rand(l) % 8));
		l->istats.corrupted++;
	}
	line_insert(ln, buf, len, due);
	if (line_chance(l, im->dup_ppm)) {
		line_insert(ln, buf, len, due + 1000);
		l->istats.duplicated++;
	}
	line_rearm(l);
}

void simlink_set_impair(struct simlink *l, const struct simlink_impair *imp)
{
	if (!imp) {
		l->impair_on = false;
		return;
	}
	l->imp = *imp;
	l->rng = imp->seed ? imp->seed : 0x9e3779b97f4a7c15ULL;
	for (int d = 0; d < 2; d++)
		if (!l->line[d])
			l->line[d] = calloc(1, sizeof(struct simlink_line));
	l->impair_on = true;
}

static void line_free(struct simlink *l)
{
	del_timer(&l->line_timer);
	for (int d = 0; d < 2; d++) {
		struct simlink_line *ln = l->line[d];

		if (!ln)
			continue;
		for (u32 i = 0; i < ln->n; i++)
			free(ln->f[i].data);
		free(ln->f);
		free(ln);
		l->line[d] = NULL;
	}
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
		if (e->peer && l->impair_on) {
			line_enqueue(l, dir, buf, len);
		} else if (e->peer) {
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
	if (l->line[0])
		progress |= line_deliver(l);
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
	timer_setup(&l->line_timer, line_timer_fn, 0);
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
	line_free(l);
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
