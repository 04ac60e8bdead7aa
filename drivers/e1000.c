/* Intel 8254x (82540EM = QEMU e1000, 82545EM) and 82574L (QEMU e1000e) Ethernet driver,
 * with NAPI, as Linux's e1000 does it. Registers: include/drivers/e1000.h (8254x SDM).
 *
 * receive:  frame stored -> ICR.RXT0 -> e1000_intr (hard IRQ: read ICR, mask with IMC,
 *           napi_schedule) -> NET_RX softirq -> net_rx_action -> e1000_clean (poll)
 *           -> e1000_clean_rx_irq -> eth_type_trans + netif_receive_skb -> ...
 *           -> e1000_alloc_rx_buffers (refill, in poll, never in the hard IRQ)
 *           -> napi_complete_done -> e1000_irq_enable (IMS) when the ring is drained
 * transmit: dev_queue_xmit -> dev_hard_start_xmit -> e1000_xmit_frame (descriptor, TDT)
 *           ... ICR.TXDW -> e1000_intr -> e1000_clean -> e1000_clean_tx_irq (free the
 *           buffers, netif_wake_queue when a stopped queue has room again)
 * link:     ICR.LSC -> e1000_intr -> schedule_work -> e1000_watchdog (worker thread):
 *           STATUS.LU -> netif_carrier_on/off, logged
 *
 * Rings: 256 legacy descriptors each way. Slots [next_to_clean, next_to_use) belong to
 * the device; one slot always stays empty so a full ring never looks empty (RDH == RDT
 * means "no buffers", 8254x SDM §3.2.6). RX buffers are sk_buffs from the 2 KiB pool
 * given to the device whole; frames up to E1000_COPYBREAK bytes are copied into a small
 * buffer instead and the big one stays in the ring. Interrupts are paced by ITR
 * (§13.4.18) at E1000_ITR_HZ; NAPI then keeps them off for as long as frames keep coming.
 *
 * Concurrency (one CPU): the hard IRQ touches only ICR/IMC and the NAPI state; the RX
 * ring is the poll's alone; the TX ring is shared by e1000_xmit_frame (dev->tx_lock,
 * bottom halves off) and the poll (NET_RX softirq), which cannot interleave: the producer
 * moves next_to_use, the consumer next_to_clean, and each reads the other's. */
#include <asm/io.h>
#include <drivers/e1000.h>
#include <drivers/pci.h>
#include <net/netdevice.h>
#include <seqos/errno.h>
#include <seqos/printk.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/timer.h>
#include <seqos/trace.h>
#include <seqos/vm.h>
#include <seqos/workqueue.h>

#define E1000_RX_RING 256          /* 4 KiB of descriptors: RDLEN a multiple of 128 */
#define E1000_TX_RING 256
/* Room netdev_alloc_skb leaves in a 2 KiB buffer after its headroom. RCTL.BSIZE says
 * 2048, but with RCTL.LPE off the device stores at most 1522 bytes (§13.4.22), so the
 * smaller room is never overrun; a longer length reported is dropped as bad. */
#define E1000_RX_BUF (NET_SKB_STD_SIZE - NET_SKB_PAD - NET_IP_ALIGN)
_Static_assert(E1000_RX_BUF >= 1522, "an RX buffer holds a VLAN-tagged 1500-byte frame");
/* Frames this short are copied into a small buffer (Linux's e1000 copybreak): an ACK
 * then costs 256 bytes of pool, not 2 KiB, and the ring buffer is reused at once. */
#define E1000_COPYBREAK 256
/* A stopped TX queue is woken when this many descriptors are free again (Linux's
 * E1000_TX_WAKE_THRESHOLD): waking for one slot would stop it again at once. */
#define E1000_TX_WAKE 32
/* Interrupt rate cap: 8000/s, one every 125 us (ITR = 10^9 / (256 * 8000) = 488). */
#define E1000_ITR_HZ 8000
#define E1000_IMS_ENABLE (E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0 | \
			  E1000_ICR_RXSEQ | E1000_ICR_LSC | E1000_ICR_TXDW)

enum e1000_model { E1000_82540, E1000_82545, E1000_82574 };

struct e1000_adapter {
	struct net_device *netdev;
	struct pci_dev *pdev;
	volatile u8 *hw;
	enum e1000_model model;
	bool up;                       /* rings set up, interrupts wanted */
	struct napi_struct napi;
	struct work_struct link_work;  /* e1000_watchdog */
	struct timer_list refill_timer; /* retries a refill that found the pool empty */
	char irq_name[IFNAMSIZ + 4];

	/* RX: the poll's alone */
	struct e1000_rx_desc *rx_ring;
	struct sk_buff *rx_skb[E1000_RX_RING];
	u16 rx_next_to_clean, rx_next_to_use;
	bool rx_discard;               /* dropping the rest of a multi-buffer frame */

	/* TX: producer e1000_xmit_frame, consumer e1000_clean_tx_irq */
	struct e1000_tx_desc *tx_ring;
	struct sk_buff *tx_skb[E1000_TX_RING];
	u16 tx_next_to_clean, tx_next_to_use;

	/* driver counters (`ethtool -S`) */
	u64 irqs, irq_none, polls, rx_copybreak, rx_alloc_fail, rx_frame_errors, rx_multibuf;
	u64 rx_overruns, tx_stops, tx_wakes, tx_busy, lsc, refill_retries;
	unsigned inject_badlen;        /* test hook: RX lengths to misreport */
	struct e1000_hwstat {          /* a hardware statistics register, accumulated */
		u32 reg, last;
		u8 mode;               /* HWSTAT_* */
		u64 total;
	} mpc, rnbc, crcerrs, roc;
};

/* The 8254x SDM (§13.7) says statistics registers clear on read; QEMU's e1000 keeps
 * CRCERRS..MPC and RNBC running instead. The first nonzero read is repeated at once: a
 * second value at least as large means a running counter, to be differenced. */
enum { HWSTAT_UNKNOWN, HWSTAT_CLEAR_ON_READ, HWSTAT_RUNNING };

static inline u32 er32(struct e1000_adapter *a, u32 reg) { return readl(a->hw + reg); }
static inline void ew32(struct e1000_adapter *a, u32 reg, u32 v) { writel(v, a->hw + reg); }
static inline void e1000_flush(struct e1000_adapter *a) { (void)er32(a, E1000_STATUS); }

/* Busy-waits: the driver's register sequences run at boot, before threads may sleep. */
static void e1000_udelay(u64 us)
{
	u64 end = ktime_get_ns() + us * NSEC_PER_USEC;
	while (ktime_get_ns() < end)
		__asm__ __volatile__("pause");
}

static inline unsigned ring_used(u16 next_to_use, u16 next_to_clean, unsigned size)
{
	return (unsigned)(next_to_use + size - next_to_clean) % size;
}
static inline unsigned e1000_tx_free(const struct e1000_adapter *a)
{
	return E1000_TX_RING - 1 - ring_used(READ_ONCE(a->tx_next_to_use),
					     READ_ONCE(a->tx_next_to_clean), E1000_TX_RING);
}

/* ---- reset, MAC address, general configuration ---- */
/* Global reset (CTRL.RST, 8254x SDM §13.4.1): receive and transmit are stopped first,
 * then the device reloads its EEPROM defaults. Interrupts are masked before and after
 * and ICR is read, so no stale cause survives into open (§14.3). */
static void e1000_reset_hw(struct e1000_adapter *a)
{
	ew32(a, E1000_IMC, 0xffffffffu);
	ew32(a, E1000_RCTL, 0);
	ew32(a, E1000_TCTL, E1000_TCTL_PSP);
	e1000_flush(a);
	/* Let DMA in flight finish. At probe nothing of ours is, and the firmware's driver
	 * stopped at ExitBootServices, so 1 ms (Linux waits 10 at any reset). */
	e1000_udelay(1000);
	ew32(a, E1000_CTRL, er32(a, E1000_CTRL) | E1000_CTRL_RST);
	e1000_udelay(10);
	for (int i = 0; i < 1000 && (er32(a, E1000_CTRL) & E1000_CTRL_RST); i++)
		e1000_udelay(10);
	/* The EEPROM reloads after the reset: the 82574 says when (EECD.AUTO_RD, 82574 DS
	 * §10.2.2.4); the 8254x does not, and needs at most 5 ms (as Linux waits). */
	if (a->model == E1000_82574) {
		for (int i = 0; i < 1000 && !(er32(a, E1000_EECD) & E1000_EECD_AUTO_RD_82574); i++)
			e1000_udelay(10);
	} else {
		e1000_udelay(5000);
	}
	ew32(a, E1000_IMC, 0xffffffffu);
	(void)er32(a, E1000_ICR);
}

/* One EEPROM word through EERD (8254x SDM §13.4.4; 82574 DS §10.2.2.6 moves DONE and
 * the address field). Returns -1 when the read never completes. */
static int e1000_read_eeprom(struct e1000_adapter *a, u16 word)
{
	bool e = a->model == E1000_82574;
	u32 done = e ? E1000_EERD_DONE_82574 : E1000_EERD_DONE;
	u32 v;

	ew32(a, E1000_EERD, (u32)word << (e ? E1000_EERD_ADDR_SHIFT_82574 : E1000_EERD_ADDR_SHIFT) |
				    E1000_EERD_START);
	for (int i = 0; i < 10000; i++) {
		v = er32(a, E1000_EERD);
		if (v & done)
			return (int)(v >> E1000_EERD_DATA_SHIFT);
		e1000_udelay(1);
	}
	return -1;
}

/* The station address: EEPROM words 0-2, little-endian byte pairs (8254x SDM §5.6.1),
 * else what the device loaded into RAL0/RAH0 at reset (§13.5.2), else a random one. */
static void e1000_read_mac(struct e1000_adapter *a, u8 *mac)
{
	for (int i = 0; i < 3; i++) {
		int w = e1000_read_eeprom(a, (u16)i);
		if (w < 0)
			goto ral;
		mac[2 * i] = (u8)w;
		mac[2 * i + 1] = (u8)(w >> 8);
	}
	if (is_valid_ether_addr(mac))
		return;
ral: {
	u32 lo = er32(a, E1000_RAL0), hi = er32(a, E1000_RAH0);
	for (int i = 0; i < 4; i++)
		mac[i] = (u8)(lo >> (8 * i));
	mac[4] = (u8)hi;
	mac[5] = (u8)(hi >> 8);
	}
	if (!is_valid_ether_addr(mac)) {
		eth_hw_addr_random(a->netdev);
		memcpy(mac, a->netdev->dev_addr, ETH_ALEN);
		pr_warn("e1000: no valid MAC in EEPROM or RAL0, using a random one\n");
	}
}

static void e1000_write_mac(struct e1000_adapter *a, const u8 *m)
{
	/* §13.5.3: write low before high; AV in RAH makes the entry live */
	ew32(a, E1000_RAL0, (u32)m[0] | (u32)m[1] << 8 | (u32)m[2] << 16 | (u32)m[3] << 24);
	ew32(a, E1000_RAH0, (u32)m[4] | (u32)m[5] << 8 | E1000_RAH_AV);
}

/* General configuration, 8254x SDM §14.3: link up with auto-speed detection (the PHY
 * auto-negotiates; §14.6), no VLAN mode, flow control off. */
static void e1000_configure_link(struct e1000_adapter *a)
{
	u32 ctrl = er32(a, E1000_CTRL);

	ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_ILOS | E1000_CTRL_VME);
	ew32(a, E1000_CTRL, ctrl);
	ew32(a, E1000_FCAL, 0);
	ew32(a, E1000_FCAH, 0);
	ew32(a, E1000_FCT, 0);
	ew32(a, E1000_FCTTV, 0);
}

/* ---- receive ---- */
/* Gives empty buffers to the device up to one slot short of next_to_clean, allocating
 * where a slot's buffer went up the stack. Runs in the poll (softirq) or at open. */
static void e1000_alloc_rx_buffers(struct e1000_adapter *a)
{
	u16 i = a->rx_next_to_use, start = i;
	TRACE_STEP(e1000_alloc_rx_buffers, 0, i,
		   E1000_RX_RING - 1 - ring_used(i, a->rx_next_to_clean, E1000_RX_RING));

	while ((u16)((i + 1) % E1000_RX_RING) != a->rx_next_to_clean) {
		struct e1000_rx_desc *d = &a->rx_ring[i];

		if (!a->rx_skb[i]) {
			struct sk_buff *skb = netdev_alloc_skb(a->netdev, E1000_RX_BUF);
			if (!skb) {
				a->rx_alloc_fail++;
				break;
			}
			a->rx_skb[i] = skb;
		}
		d->addr = virt_to_phys(a->rx_skb[i]->data);
		d->status = 0;
		d->errors = 0;
		d->length = 0;
		i = (u16)((i + 1) % E1000_RX_RING);
	}
	/* The one slot kept empty gets its buffer now, so the ring always holds exactly
	 * E1000_RX_RING buffers between polls (a steady pool baseline). */
	if (!a->rx_skb[i] && (u16)((i + 1) % E1000_RX_RING) == a->rx_next_to_clean)
		a->rx_skb[i] = netdev_alloc_skb(a->netdev, E1000_RX_BUF);
	if (i == start)
		return;
	a->rx_next_to_use = i;
	wmb(); /* descriptors are in memory before the device may fetch them */
	ew32(a, E1000_RDT, i);
	/* The pool was empty and the device has nothing left: try again in a tick. */
	if (ring_used(i, a->rx_next_to_clean, E1000_RX_RING) == 0)
		mod_timer(&a->refill_timer, jiffies + 1);
}

static void e1000_refill_timer(struct timer_list *t)
{
	struct e1000_adapter *a = from_timer(a, t, refill_timer);

	a->refill_retries++;
	if (a->up)
		napi_schedule(&a->napi);
}

/* Drops the frame in slot i and keeps its buffer for the device. */
static void e1000_rx_recycle(struct e1000_adapter *a, u16 i) { a->rx_ring[i].status = 0; }

/* Takes up to budget frames off the RX ring and hands them to the stack (8254x SDM
 * §3.2.3: DD says the device is done with a descriptor; EOP marks a frame's last). */
static int e1000_clean_rx_irq(struct e1000_adapter *a, int budget)
{
	struct net_device *dev = a->netdev;
	int done = 0;
	TRACE_STEP(e1000_clean_rx_irq, 0, a->rx_next_to_clean, budget);

	while (done < budget) {
		u16 i = a->rx_next_to_clean;
		struct e1000_rx_desc *d = &a->rx_ring[i];
		struct sk_buff *skb;
		u8 status = READ_ONCE(d->status), errors;
		u16 len;

		if (!(status & E1000_RXD_STAT_DD) || i == a->rx_next_to_use)
			break;
		dma_rmb(); /* the rest of the descriptor after DD */
		len = d->length;
		errors = d->errors;
		if (unlikely(a->inject_badlen)) /* test hook: a length no buffer can hold */
			len = a->inject_badlen-- & 1 ? 0xffff : 4;
		a->rx_next_to_clean = (u16)((i + 1) % E1000_RX_RING);
		done++;

		if (!(status & E1000_RXD_STAT_EOP) || a->rx_discard) {
			/* a frame longer than one buffer: not possible with LPE off, so the
			 * device misbehaves; drop every piece up to the EOP */
			a->rx_discard = !(status & E1000_RXD_STAT_EOP);
			a->rx_multibuf++;
			dev->stats.rx_length_errors++;
			dev->stats.rx_errors++;
			e1000_rx_recycle(a, i);
			continue;
		}
		if (errors & E1000_RXD_ERR_FRAME) {
			a->rx_frame_errors++;
			if (errors & E1000_RXD_ERR_CE)
				dev->stats.rx_crc_errors++;
			dev->stats.rx_errors++;
			e1000_rx_recycle(a, i);
			continue;
		}
		if (len < ETH_HLEN || len > E1000_RX_BUF) {
			dev->stats.rx_length_errors++;
			dev->stats.rx_errors++;
			e1000_rx_recycle(a, i);
			continue;
		}
		if (len <= E1000_COPYBREAK) {
			skb = netdev_alloc_skb(dev, len);
			if (!skb) {
				dev->stats.rx_dropped++;
				e1000_rx_recycle(a, i);
				continue;
			}
			skb_put_data(skb, a->rx_skb[i]->data, len);
			e1000_rx_recycle(a, i);
			a->rx_copybreak++;
		} else {
			skb = a->rx_skb[i];
			a->rx_skb[i] = NULL; /* the refill gives this slot a new buffer */
			skb_put(skb, len);
		}
		trace_event(e1000_receive_skb, skb->id, len, i);
		skb->protocol = eth_type_trans(skb, dev);
		netif_receive_skb(skb);
	}
	return done;
}

/* ---- transmit ---- */
/* Frees the buffers of descriptors the device has written back (DD, requested by RS in
 * each descriptor, 8254x SDM §3.3.3.2) and wakes a stopped queue that has room again. */
static void e1000_clean_tx_irq(struct e1000_adapter *a, int budget)
{
	u16 i = a->tx_next_to_clean, end = READ_ONCE(a->tx_next_to_use);
	TRACE_STEP(e1000_clean_tx_irq, 0, i, ring_used(end, i, E1000_TX_RING));

	while (i != end) {
		struct e1000_tx_desc *d = &a->tx_ring[i];
		struct sk_buff *skb;

		if (!(READ_ONCE(d->status) & E1000_TXD_STAT_DD))
			break;
		dma_rmb();
		skb = a->tx_skb[i];
		a->tx_skb[i] = NULL;
		d->status = 0;
		napi_consume_skb(skb, budget);
		i = (u16)((i + 1) % E1000_TX_RING);
	}
	WRITE_ONCE(a->tx_next_to_clean, i);
	barrier();
	if (netif_queue_stopped(a->netdev) && a->up && e1000_tx_free(a) >= E1000_TX_WAKE) {
		a->tx_wakes++;
		netif_wake_queue(a->netdev);
	}
}

static netdev_tx_t e1000_xmit_frame(struct sk_buff *skb, struct net_device *dev)
{
	struct e1000_adapter *a = netdev_priv(dev);
	u16 i = a->tx_next_to_use;
	struct e1000_tx_desc *d;
	TRACE_STEP(e1000_xmit_frame, skb->id, skb->len, i);

	if (unlikely(!a->up || skb->len < ETH_HLEN || skb->len > ETH_FRAME_LEN + 4)) {
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, a->up ? SKB_DROP_PKT_TOO_SMALL : SKB_DROP_DEV_DOWN);
		return NETDEV_TX_OK;
	}
	if (unlikely(e1000_tx_free(a) == 0)) {
		/* the queue should have been stopped when the last slot went */
		a->tx_busy++;
		netif_stop_queue(dev);
		return NETDEV_TX_BUSY;
	}
	d = &a->tx_ring[i];
	d->addr = virt_to_phys(skb->data);
	d->length = (u16)skb->len;
	d->cso = 0;
	d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	a->tx_skb[i] = skb;
	i = (u16)((i + 1) % E1000_TX_RING);
	WRITE_ONCE(a->tx_next_to_use, i);
	wmb(); /* the descriptor is in memory before the tail moves past it */
	ew32(a, E1000_TDT, i);

	if (e1000_tx_free(a) == 0) {
		a->tx_stops++;
		netif_stop_queue(dev);
		barrier(); /* re-check: a completion may have freed room meanwhile */
		if (e1000_tx_free(a) >= E1000_TX_WAKE) {
			a->tx_wakes++;
			netif_wake_queue(dev);
		}
	}
	return NETDEV_TX_OK;
}

/* ---- interrupts and NAPI ---- */
static void e1000_irq_disable(struct e1000_adapter *a)
{
	ew32(a, E1000_IMC, 0xffffffffu);
	e1000_flush(a);
}

/* ndo_irq_enable: napi_complete_done() found the rings drained. */
static void e1000_irq_enable(struct net_device *dev, struct napi_struct *napi)
{
	struct e1000_adapter *a = netdev_priv(dev);

	if (a->up)
		ew32(a, E1000_IMS, E1000_IMS_ENABLE);
}

/* Hard IRQ: reading ICR acknowledges (clears) the causes and deasserts INTx (§13.4.17);
 * the device is masked until the poll has drained the rings. */
static irqreturn_t e1000_intr(int irq, void *data)
{
	struct e1000_adapter *a = data;
	u32 icr = er32(a, E1000_ICR);

	if (!(icr & ~E1000_ICR_INT_ASSERTED)) {
		a->irq_none++; /* a shared INTx line: another device's */
		return IRQ_NONE;
	}
	TRACE_STEP(e1000_intr, 0, icr, a->napi.id);
	a->irqs++;
	if (icr & E1000_ICR_LSC) {
		a->lsc++;
		schedule_work(&a->link_work);
	}
	if (icr & E1000_ICR_RXO)
		a->rx_overruns++;
	e1000_irq_disable(a);
	napi_schedule(&a->napi); /* false when a poll is pending: it will see this too */
	return IRQ_HANDLED;
}

/* NAPI poll (NET_RX softirq): TX completions first (they free buffers the RX refill may
 * need), then up to budget received frames, then the refill. */
static int e1000_clean(struct napi_struct *napi, int budget)
{
	struct e1000_adapter *a = container_of(napi, struct e1000_adapter, napi);
	int work;
	TRACE_STEP(e1000_clean, 0, budget, 0);

	a->polls++;
	e1000_clean_tx_irq(a, budget);
	work = e1000_clean_rx_irq(a, budget);
	e1000_alloc_rx_buffers(a);
	if (work < budget)
		napi_complete_done(napi, work);
	return work;
}

/* ---- link ---- */
/* Work item for ICR.LSC (Linux runs its e1000_watchdog for it): may sleep, talks to the
 * stack's carrier state, logs the change. */
static void e1000_watchdog(struct work_struct *w)
{
	struct e1000_adapter *a = container_of(w, struct e1000_adapter, link_work);
	struct net_device *dev = a->netdev;
	u32 status = er32(a, E1000_STATUS);
	static const unsigned speeds[] = { 10, 100, 1000, 1000 };
	TRACE_STEP(e1000_watchdog, 0, status, 0);

	if ((status & E1000_STATUS_LU) && !netif_carrier_ok(dev)) {
		pr_info("e1000: %s NIC Link is Up %u Mbps %s Duplex\n", dev->name,
			speeds[(status >> E1000_STATUS_SPEED_SHIFT) & 3],
			(status & E1000_STATUS_FD) ? "Full" : "Half");
		netif_carrier_on(dev);
	} else if (!(status & E1000_STATUS_LU) && netif_carrier_ok(dev)) {
		pr_info("e1000: %s NIC Link is Down\n", dev->name);
		netif_carrier_off(dev);
	}
}

/* ---- open and stop ---- */
static void e1000_free_rings(struct e1000_adapter *a)
{
	for (int i = 0; i < E1000_RX_RING; i++) {
		consume_skb(a->rx_skb[i]);
		a->rx_skb[i] = NULL;
	}
	for (int i = 0; i < E1000_TX_RING; i++) {
		if (a->tx_skb[i]) {
			a->netdev->stats.tx_dropped++;
			kfree_skb_reason(a->tx_skb[i], SKB_DROP_DEV_DOWN);
			a->tx_skb[i] = NULL;
		}
	}
	if (a->rx_ring)
		free_pages_phys(virt_to_phys(a->rx_ring), 0);
	if (a->tx_ring)
		free_pages_phys(virt_to_phys(a->tx_ring), 0);
	a->rx_ring = NULL;
	a->tx_ring = NULL;
}

/* Transmit initialization, 8254x SDM §14.5. */
static void e1000_configure_tx(struct e1000_adapter *a)
{
	u64 pa = virt_to_phys(a->tx_ring);

	/* 1. the descriptor ring: base (16-byte aligned), length, head = tail = 0 */
	ew32(a, E1000_TDBAL, (u32)pa);
	ew32(a, E1000_TDBAH, (u32)(pa >> 32));
	ew32(a, E1000_TDLEN, E1000_TX_RING * sizeof(struct e1000_tx_desc));
	ew32(a, E1000_TDH, 0);
	ew32(a, E1000_TDT, 0);
	a->tx_next_to_use = a->tx_next_to_clean = 0;
	/* 2. IEEE 802.3 inter-packet gap for copper (§13.4.34, table 13-77) */
	ew32(a, E1000_TIPG, E1000_TIPG_IPGT | E1000_TIPG_IPGR1 << 10 | E1000_TIPG_IPGR2 << 20);
	/* 3. no per-descriptor delay: ITR paces the interrupts */
	ew32(a, E1000_TIDV, 0);
	ew32(a, E1000_TADV, 0);
	/* 4. enable: pad short packets, collision threshold 15, full-duplex distance 64 */
	ew32(a, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | 0x0fu << E1000_TCTL_CT_SHIFT |
				    0x40u << E1000_TCTL_COLD_SHIFT | E1000_TCTL_RTLC);
}

/* Receive initialization, 8254x SDM §14.4. */
static void e1000_configure_rx(struct e1000_adapter *a)
{
	u64 pa = virt_to_phys(a->rx_ring);

	/* 1. our station address in RAL0/RAH0, an empty multicast table */
	e1000_write_mac(a, a->netdev->dev_addr);
	for (int i = 0; i < 128; i++)
		ew32(a, E1000_MTA + 4 * i, 0);
	/* 2. the descriptor ring: base, length, head = tail = 0 */
	ew32(a, E1000_RDBAL, (u32)pa);
	ew32(a, E1000_RDBAH, (u32)(pa >> 32));
	ew32(a, E1000_RDLEN, E1000_RX_RING * sizeof(struct e1000_rx_desc));
	ew32(a, E1000_RDH, 0);
	ew32(a, E1000_RDT, 0);
	a->rx_next_to_use = a->rx_next_to_clean = 0;
	a->rx_discard = false;
	/* 3. an interrupt per stored frame, paced by ITR; checksums verified by the stack */
	ew32(a, E1000_RDTR, 0);
	ew32(a, E1000_RADV, 0);
	ew32(a, E1000_RXCSUM, 0);
	/* 4. enable: broadcast accepted, 2 KiB buffers, CRC stripped, frames <= 1522 */
	ew32(a, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_BSIZE_2048 |
				    E1000_RCTL_SECRC | E1000_RCTL_RDMTS_HALF | E1000_RCTL_MO_36);
	/* 5. buffers, then the tail */
	e1000_alloc_rx_buffers(a);
}

static int e1000_open(struct net_device *dev)
{
	struct e1000_adapter *a = netdev_priv(dev);
	int err;

	a->rx_ring = alloc_page_zeroed();
	a->tx_ring = alloc_page_zeroed();
	if (!a->rx_ring || !a->tx_ring) {
		e1000_free_rings(a);
		return -ENOMEM;
	}
	strlcpy(a->irq_name, dev->name, sizeof(a->irq_name));
	err = pci_request_irq(a->pdev, 0, e1000_intr, a, a->irq_name);
	if (err) {
		e1000_free_rings(a);
		return err;
	}
	e1000_configure_tx(a);
	e1000_configure_rx(a);
	ew32(a, E1000_ITR, (u32)(NSEC_PER_SEC / (256ULL * E1000_ITR_HZ)));
	a->up = true;
	napi_enable(&a->napi);
	netif_wake_queue(dev);
	(void)er32(a, E1000_ICR);
	ew32(a, E1000_IMS, E1000_IMS_ENABLE);
	e1000_watchdog(&a->link_work); /* the link may be up already: no LSC then */
	return 0;
}

static int e1000_stop(struct net_device *dev)
{
	struct e1000_adapter *a = netdev_priv(dev);

	a->up = false;
	e1000_irq_disable(a);
	napi_disable(&a->napi);
	spin_lock_bh(&dev->tx_lock);
	netif_stop_queue(dev);
	spin_unlock_bh(&dev->tx_lock);
	ew32(a, E1000_RCTL, 0);
	ew32(a, E1000_TCTL, E1000_TCTL_PSP);
	e1000_flush(a);
	e1000_udelay(100);
	pci_free_irq(a->pdev, 0, a);
	del_timer_sync(&a->refill_timer);
	cancel_work_sync(&a->link_work);
	e1000_free_rings(a);
	if (netif_carrier_ok(dev))
		netif_carrier_off(dev);
	return 0;
}

static void e1000_hwstat(struct e1000_adapter *a, struct e1000_hwstat *s)
{
	u32 v = er32(a, s->reg);

	if (s->mode == HWSTAT_UNKNOWN && v) {
		u32 again = er32(a, s->reg);

		s->mode = again >= v ? HWSTAT_RUNNING : HWSTAT_CLEAR_ON_READ;
		if (s->mode == HWSTAT_RUNNING)
			v = again;
		else
			v += again;
	}
	if (s->mode == HWSTAT_RUNNING) {
		s->total += (u32)(v - s->last);
		s->last = v;
	} else {
		s->total += v;
	}
}

/* Folds the statistics registers (§13.7) into running totals. Thread context. */
static void e1000_update_stats(struct e1000_adapter *a)
{
	e1000_hwstat(a, &a->mpc);
	e1000_hwstat(a, &a->rnbc);
	e1000_hwstat(a, &a->crcerrs);
	e1000_hwstat(a, &a->roc);
}

static void e1000_get_stats(struct net_device *dev, struct net_device_stats *st)
{
	struct e1000_adapter *a = netdev_priv(dev);

	e1000_update_stats(a);
	st->rx_missed_errors += a->mpc.total;
	st->rx_fifo_errors += a->rx_overruns;
	st->rx_crc_errors += a->crcerrs.total;
	st->rx_length_errors += a->roc.total;
}

static int e1000_set_mac(struct net_device *dev, const u8 *mac)
{
	e1000_write_mac(netdev_priv(dev), mac);
	return 0;
}

static const struct net_device_ops e1000_netdev_ops = {
	.ndo_open = e1000_open,
	.ndo_stop = e1000_stop,
	.ndo_start_xmit = e1000_xmit_frame,
	.ndo_irq_enable = e1000_irq_enable,
	.ndo_get_stats = e1000_get_stats,
	.ndo_set_mac_address = e1000_set_mac,
};

/* ---- probe ---- */
static const struct pci_device_id e1000_pci_tbl[] = {
	{ PCI_DEVICE(0x8086, E1000_DEV_ID_82540EM), .driver_data = E1000_82540 },
	{ PCI_DEVICE(0x8086, E1000_DEV_ID_82540EM_LOM), .driver_data = E1000_82540 },
	{ PCI_DEVICE(0x8086, E1000_DEV_ID_82545EM_COPPER), .driver_data = E1000_82545 },
	{ PCI_DEVICE(0x8086, E1000_DEV_ID_82574L), .driver_data = E1000_82574 },
	{ 0 }
};

static const char *const e1000_model_names[] = { "82540EM", "82545EM", "82574L" };

/* Device bring-up, as named steps: PCI resources, reset, identity, link, the net device.
 * Rings and interrupts are set up at open (e1000_open). */
static int e1000_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct e1000_adapter *a;
	struct net_device *dev;
	void *hw;
	int err, nvec;

	/* 1. PCI: decode BAR0 (the registers), bus mastering for descriptor DMA */
	pci_enable_device(pdev);
	pci_set_master(pdev);
	hw = pci_iomap(pdev, 0, 128 * 1024);
	if (!hw)
		return -ENODEV;
	/* 2. one interrupt: MSI where the function has it (82574L), else INTx */
	nvec = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_LEGACY);
	if (nvec < 0)
		return nvec;
	dev = alloc_etherdev(sizeof(*a));
	if (!dev) {
		pci_free_irq_vectors(pdev);
		return -ENOMEM;
	}
	a = netdev_priv(dev);
	a->netdev = dev;
	a->pdev = pdev;
	a->hw = hw;
	a->model = (enum e1000_model)id->driver_data;
	a->mpc.reg = E1000_MPC;
	a->rnbc.reg = E1000_RNBC;
	a->crcerrs.reg = E1000_CRCERRS;
	a->roc.reg = E1000_ROC;
	/* 3. global reset: the device starts from its EEPROM defaults, interrupts masked */
	e1000_reset_hw(a);
	/* 4. identity: the MAC address from the EEPROM */
	e1000_read_mac(a, dev->dev_addr);
	/* 5. general configuration: link (§14.3) */
	e1000_configure_link(a);
	/* 6. software state: NAPI, the link work item, the refill retry timer */
	netif_napi_add(dev, &a->napi, e1000_clean);
	INIT_WORK(&a->link_work, e1000_watchdog);
	timer_setup(&a->refill_timer, e1000_refill_timer, 0);
	dev->netdev_ops = &e1000_netdev_ops;
	pdev->driver_data = dev;
	/* 7. register: the stack names it (eth%d) and may open it right away */
	err = register_netdev(dev);
	if (err) {
		netif_napi_del(&a->napi);
		free_netdev(dev);
		pci_free_irq_vectors(pdev);
		pdev->driver_data = NULL;
		return err;
	}
	pdev->name = dev->name;
	pr_info("e1000: %s: Intel %s at %02x:%02x.%u, %s %d, %u/%u descriptors\n", dev->name,
		e1000_model_names[a->model], pdev->bus, pdev->slot, pdev->func,
		pdev->irq_mode == PCI_IRQ_MODE_INTX ? "INTx GSI" : "MSI vector",
		pci_irq_vector(pdev, 0), E1000_RX_RING, E1000_TX_RING);
	return 0;
}

static void e1000_show_stats(struct pci_dev *pdev)
{
	struct net_device *dev = pdev->driver_data;
	struct e1000_adapter *a = netdev_priv(dev);

	e1000_update_stats(a);
	kprintf("     irqs: %llu\n     irq_none: %llu\n     polls: %llu\n", (unsigned long long)a->irqs,
		(unsigned long long)a->irq_none, (unsigned long long)a->polls);
	kprintf("     rx_copybreak: %llu\n     rx_alloc_fail: %llu\n     rx_frame_errors: %llu\n"
		"     rx_multibuf: %llu\n     rx_overruns: %llu\n     refill_retries: %llu\n",
		(unsigned long long)a->rx_copybreak, (unsigned long long)a->rx_alloc_fail,
		(unsigned long long)a->rx_frame_errors, (unsigned long long)a->rx_multibuf,
		(unsigned long long)a->rx_overruns, (unsigned long long)a->refill_retries);
	kprintf("     tx_stops: %llu\n     tx_wakes: %llu\n     tx_busy: %llu\n     tx_free: %u\n",
		(unsigned long long)a->tx_stops, (unsigned long long)a->tx_wakes,
		(unsigned long long)a->tx_busy, a->up ? e1000_tx_free(a) : 0);
	kprintf("     lsc: %llu\n     hw_missed: %llu\n     hw_no_buffers: %llu\n",
		(unsigned long long)a->lsc, (unsigned long long)a->mpc.total,
		(unsigned long long)a->rnbc.total);
	kprintf("     rx_ring: rdh %u rdt %u clean %u use %u\n     tx_ring: tdh %u tdt %u clean %u "
		"use %u\n     ims: %#x  napi_state: %#lx\n", er32(a, E1000_RDH), er32(a, E1000_RDT),
		a->rx_next_to_clean, a->rx_next_to_use, er32(a, E1000_TDH), er32(a, E1000_TDT),
		a->tx_next_to_clean, a->tx_next_to_use, er32(a, E1000_IMS), a->napi.state);
}

static int e1000_inject(struct pci_dev *pdev, const char *fault, unsigned count)
{
	struct e1000_adapter *a = netdev_priv(pdev->driver_data);

	if (strcmp(fault, "badlen"))
		return -EINVAL;
	a->inject_badlen = count;
	return 0;
}

static struct pci_driver e1000_driver = {
	.name = "e1000",
	.id_table = e1000_pci_tbl,
	.probe = e1000_probe,
	.show_stats = e1000_show_stats,
	.inject = e1000_inject,
};

void e1000_init(void) { pci_register_driver(&e1000_driver); }
