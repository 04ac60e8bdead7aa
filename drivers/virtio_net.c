/* Virtio network device driver (virtio 1.2 §5.1) over the modern PCI transport, with
 * NAPI and used-buffer notification suppression (EVENT_IDX), as Linux's virtio_net.
 *
 * receive:  device fills an RX buffer -> MSI-X vector of receiveq1 -> skb_recv_done
 *           (hard IRQ: virtqueue_disable_cb, napi_schedule) -> NET_RX softirq
 *           -> virtnet_poll -> receive_buf -> eth_type_trans + netif_receive_skb ...
 *           -> try_fill_recv (refill, kick) -> napi_complete_done -> virtnet_irq_enable
 *           (used_event = last used; re-poll if a buffer slipped in meanwhile)
 * transmit: dev_queue_xmit -> start_xmit (reclaim, header, virtqueue_add, kick)
 *           ... transmitq1's vector -> skb_xmit_done -> napi_schedule(napi_tx)
 *           -> virtnet_poll_tx -> free_old_xmit_skbs, netif_wake_queue
 * link:     config vector -> vp_config_changed -> schedule_work
 *           -> virtnet_config_changed_work: status & LINK_UP -> netif_carrier_on/off
 * With INTx (pci=nomsi, or no MSI-X) one handler, vp_interrupt, reads the ISR (which
 * deasserts the line, §4.1.4.5) and does the same per cause bit.
 *
 * Buffers: an RX buffer is a 2 KiB-pool sk_buff holding the 12-byte header and the frame
 * (VERSION_1 lets them share a descriptor, §5.1.6.3.1); frames up to VIRTNET_COPYBREAK
 * bytes are copied to a small buffer and the big one goes straight back to the ring. TX
 * pushes the header in front of the frame when the headroom is the sender's to write, or
 * else chains a per-slot header and the frame (two descriptors).
 *
 * The device is reset at stop, so every buffer it held comes back (pools at baseline),
 * and fully set up again at open (§3.1.1). Concurrency as in e1000.c: the hard IRQ only
 * flips suppression and schedules NAPI; rings are touched in the polls and in start_xmit
 * (dev->tx_lock, bottom halves off). */
#include <drivers/pci.h>
#include <drivers/virtio.h>
#include <drivers/virtio_net.h>
#include <net/inet_common.h>
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

#define VIRTNET_HDR_LEN sizeof(struct virtio_net_hdr)
/* RX buffer: the room netdev_alloc_skb leaves in a 2 KiB buffer; holds the header and
 * a 1514-byte frame (1526 bytes: §5.1.6.3.1's minimum without GUEST_TSO/UFO). */
#define VIRTNET_RX_BUF (NET_SKB_STD_SIZE - NET_SKB_PAD - NET_IP_ALIGN)
_Static_assert(VIRTNET_RX_BUF >= 1526 + 4, "an RX buffer holds a header and a VLAN frame");
#define VIRTNET_COPYBREAK 256
/* A stopped queue is woken with this many free descriptors (as e1000's 32). */
#define VIRTNET_TX_WAKE 32
#define VIRTNET_FEATURES (1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_F_RING_EVENT_IDX | \
			  1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS |              \
			  1ULL << VIRTIO_NET_F_MRG_RXBUF | 1ULL << VIRTIO_NET_F_CSUM |          \
			  1ULL << VIRTIO_NET_F_GUEST_CSUM)
/* MSI-X table entries: configuration changes, then one per queue (§4.1.5.1.2) */
enum { VN_VEC_CONFIG, VN_VEC_RX, VN_VEC_TX, VN_NVEC };

struct virtnet_info {
	struct net_device *dev;
	struct pci_dev *pdev;
	struct virtio_pci_dev vp;
	u64 offered;                  /* device features, read at probe */
	struct virtqueue rvq, svq;
	struct napi_struct napi, napi_tx;
	struct work_struct config_work;
	struct timer_list refill_timer;
	struct virtio_net_hdr *tx_hdrs; /* header of a two-descriptor TX chain, by head */
	bool up, msix;
	char irq_names[VN_NVEC][IFNAMSIZ + 8];
	/* counters (`ethtool -S`) */
	u64 irq_rx, irq_tx, irq_config, irq_intx, irq_none, polls, polls_tx;
	u64 rx_copybreak, rx_alloc_fail, rx_bad_len, rx_merged, rx_csum_done, refill_retries;
	u64 tx_stops, tx_wakes, tx_busy, tx_pushed, tx_chained, config_changes;
	unsigned inject_badlen;       /* test hook: RX lengths to misreport */
};

static irqreturn_t skb_recv_done(int irq, void *data);
static irqreturn_t skb_xmit_done(int irq, void *data);

/* ---- receive ---- */
/* Puts an RX buffer (back) in the receive queue. */
static int add_recvbuf(struct virtnet_info *vi, struct sk_buff *skb)
{
	struct vq_buf b = { skb->data, VIRTNET_RX_BUF };

	return virtqueue_add(&vi->rvq, &b, 0, 1, skb);
}

static void virtnet_recycle(struct virtnet_info *vi, struct sk_buff *skb)
{
	if (add_recvbuf(vi, skb))
		consume_skb(skb); /* cannot happen: its own slot was just freed */
}

/* Fills the receive queue with fresh buffers and kicks the device (Linux try_fill_recv).
 * NAPI poll or open only: never in the hard IRQ. */
static void try_fill_recv(struct virtnet_info *vi)
{
	unsigned added = 0;
	TRACE_STEP(try_fill_recv, 0, vi->rvq.num_free, 0);

	while (vi->rvq.num_free) {
		struct sk_buff *skb = netdev_alloc_skb(vi->dev, VIRTNET_RX_BUF);

		if (!skb) {
			vi->rx_alloc_fail++;
			break;
		}
		if (add_recvbuf(vi, skb)) {
			consume_skb(skb);
			break;
		}
		added++;
	}
	virtqueue_kick(&vi->rvq);
	if (vi->rvq.num_free == vi->rvq.num) /* the device has nothing: retry in a tick */
		mod_timer(&vi->refill_timer, jiffies + 1);
}

static void virtnet_refill_timer(struct timer_list *t)
{
	struct virtnet_info *vi = from_timer(vi, t, refill_timer);

	vi->refill_retries++;
	if (vi->up)
		napi_schedule(&vi->napi);
}

/* NEEDS_CSUM on RX (a frame from a local sender that left the checksum to hardware,
 * §5.1.6.4.1): finish it in software, so the stack sees a valid packet. */
static bool virtnet_complete_csum(struct sk_buff *skb, const struct virtio_net_hdr *h)
{
	u32 start = h->csum_start, off = h->csum_offset;
	u16 c;

	if (start > skb->len || off > skb->len - start || skb->len - start - off < 2)
		return false;
	c = csum_fold(csum_partial(skb->data + start, skb->len - start, 0));
	wr_be16(skb->data + start + off, c ? c : 0xffff); /* UDP: 0 means "none" */
	return true;
}

/* One used RX buffer of len bytes (header + frame): checks, copies or keeps, hands up. */
static void receive_buf(struct virtnet_info *vi, struct sk_buff *skb, u32 len)
{
	struct net_device *dev = vi->dev;
	struct virtio_net_hdr h;
	u32 flen;

	if (unlikely(vi->inject_badlen)) /* test hook: more than the buffer, or no frame */
		len = vi->inject_badlen-- & 1 ? VIRTNET_RX_BUF + 64 : VIRTNET_HDR_LEN;
	if (len < VIRTNET_HDR_LEN + ETH_HLEN || len > VIRTNET_RX_BUF) {
		vi->rx_bad_len++;
		dev->stats.rx_length_errors++;
		dev->stats.rx_errors++;
		virtnet_recycle(vi, skb);
		return;
	}
	memcpy(&h, skb->data, sizeof(h));
	if (vp_has_feature(&vi->vp, VIRTIO_NET_F_MRG_RXBUF) && h.num_buffers > 1) {
		/* a frame spread over buffers: only with frames above our MTU; drop it all */
		for (u16 n = 1; n < h.num_buffers; n++) {
			u32 l;
			struct sk_buff *more = virtqueue_get_buf(&vi->rvq, &l);
			if (!more)
				break;
			virtnet_recycle(vi, more);
		}
		vi->rx_merged++;
		dev->stats.rx_length_errors++;
		dev->stats.rx_errors++;
		virtnet_recycle(vi, skb);
		return;
	}
	flen = len - VIRTNET_HDR_LEN;
	trace_event(receive_buf, skb->id, flen, vi->rvq.last_used_idx);
	if (flen <= VIRTNET_COPYBREAK) {
		struct sk_buff *copy = netdev_alloc_skb(dev, flen);

		if (!copy) {
			dev->stats.rx_dropped++;
			virtnet_recycle(vi, skb);
			return;
		}
		skb_put_data(copy, skb->data + VIRTNET_HDR_LEN, flen);
		virtnet_recycle(vi, skb);
		skb = copy;
		vi->rx_copybreak++;
	} else {
		skb_put(skb, len);
		skb_pull(skb, VIRTNET_HDR_LEN);
	}
	if (vp_has_feature(&vi->vp, VIRTIO_NET_F_GUEST_CSUM)) {
		if (h.flags & VIRTIO_NET_HDR_F_DATA_VALID) {
			skb->ip_summed = CHECKSUM_UNNECESSARY;
		} else if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			if (!virtnet_complete_csum(skb, &h)) {
				dev->stats.rx_errors++;
				kfree_skb_reason(skb, SKB_DROP_HDR_ERROR);
				return;
			}
			vi->rx_csum_done++;
			skb->ip_summed = CHECKSUM_UNNECESSARY;
		}
	}
	skb->protocol = eth_type_trans(skb, dev);
	netif_receive_skb(skb);
}

/* NAPI poll of receiveq1 (NET_RX softirq). */
static int virtnet_poll(struct napi_struct *napi, int budget)
{
	struct virtnet_info *vi = container_of(napi, struct virtnet_info, napi);
	int received = 0;
	struct sk_buff *skb;
	u32 len;
	TRACE_STEP(virtnet_poll, 0, budget, 0);

	vi->polls++;
	while (received < budget && (skb = virtqueue_get_buf(&vi->rvq, &len))) {
		receive_buf(vi, skb, len);
		received++;
	}
	try_fill_recv(vi);
	if (received < budget)
		napi_complete_done(napi, received);
	return received;
}

/* ---- transmit ---- */
/* Takes the buffers the device has sent off the TX queue (Linux free_old_xmit_skbs) onto
 * done, for the caller to free once it has dropped dev->tx_lock: a buffer's destructor may
 * wake a sender that transmits at once, which would take that lock again. */
static void free_old_xmit_skbs(struct virtnet_info *vi, struct sk_buff_head *done)
{
	struct sk_buff *skb;
	u32 len;
	TRACE_STEP(free_old_xmit_skbs, 0, (u16)(vi->svq.avail_idx - vi->svq.last_used_idx), 0);

	while ((skb = virtqueue_get_buf(&vi->svq, &len)))
		__skb_queue_tail(done, skb);
}

static void virtnet_free_sent(struct sk_buff_head *done, int budget)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(done)))
		napi_consume_skb(skb, budget);
}

static netdev_tx_t start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct virtnet_info *vi = netdev_priv(dev);
	struct virtqueue *vq = &vi->svq;
	struct virtio_net_hdr *h;
	struct vq_buf b[2];
	bool push;
	u32 frame_off;
	TRACE_STEP(start_xmit, skb->id, skb->len, vq->num_free);

	if (unlikely(!vi->up || skb->len < ETH_HLEN || skb->len > ETH_FRAME_LEN + 4)) {
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, vi->up ? SKB_DROP_PKT_TOO_SMALL : SKB_DROP_DEV_DOWN);
		return NETDEV_TX_OK;
	}
	push = !skb_cloned(skb) && skb_headroom(skb) >= VIRTNET_HDR_LEN;
	if (unlikely(vq->num_free < (push ? 1 : 2))) {
		vi->tx_busy++;
		netif_stop_queue(dev);
		return NETDEV_TX_BUSY;
	}
	frame_off = (u32)(skb->data - skb->head);
	if (push) {
		h = skb_push(skb, VIRTNET_HDR_LEN);
		b[0] = (struct vq_buf){ skb->data, skb->len };
		vi->tx_pushed++;
	} else {
		h = &vi->tx_hdrs[vq->free_head]; /* the chain's head is the next free one */
		b[0] = (struct vq_buf){ h, VIRTNET_HDR_LEN };
		b[1] = (struct vq_buf){ skb->data, skb->len };
		vi->tx_chained++;
	}
	memset(h, 0, sizeof(*h));
	if (skb->ip_summed == CHECKSUM_PARTIAL && vp_has_feature(&vi->vp, VIRTIO_NET_F_CSUM)) {
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM; /* §5.1.6.2: offsets from the frame start */
		h->csum_start = (u16)(skb->csum_start - frame_off);
		h->csum_offset = skb->csum_offset;
	}
	if (virtqueue_add(vq, b, push ? 1 : 2, 0, skb)) {
		if (push)
			skb_pull(skb, VIRTNET_HDR_LEN);
		vi->tx_busy++;
		netif_stop_queue(dev);
		return NETDEV_TX_BUSY;
	}
	virtqueue_kick(vq);
	if (vq->num_free < 2) {
		/* full: stop, and ask for an interrupt when 3/4 of what is queued is sent */
		vi->tx_stops++;
		netif_stop_queue(dev);
		if (!virtqueue_enable_cb_delayed(vq)) {
			/* much was sent meanwhile: reclaim now; the buffers are freed by NET_TX,
			 * outside this lock (dev_kfree_skb_irq's completion queue) */
			struct sk_buff_head done;
			struct sk_buff *s;

			skb_queue_head_init(&done);
			free_old_xmit_skbs(vi, &done);
			while ((s = __skb_dequeue(&done)))
				dev_kfree_skb_irq(s);
			if (vq->num_free >= VIRTNET_TX_WAKE) {
				vi->tx_wakes++;
				netif_wake_queue(dev);
			}
		}
	}
	return NETDEV_TX_OK;
}

/* NAPI poll of transmitq1: completions only, so it reports no work. */
static int virtnet_poll_tx(struct napi_struct *napi, int budget)
{
	struct virtnet_info *vi = container_of(napi, struct virtnet_info, napi_tx);
	struct net_device *dev = vi->dev;
	struct sk_buff_head done;
	TRACE_STEP(virtnet_poll_tx, 0, budget, 0);

	vi->polls_tx++;
	skb_queue_head_init(&done);
	spin_lock(&dev->tx_lock); /* start_xmit's: bottom halves are off there */
	free_old_xmit_skbs(vi, &done);
	if (netif_queue_stopped(dev) && vi->up && vi->svq.num_free >= VIRTNET_TX_WAKE) {
		vi->tx_wakes++;
		netif_wake_queue(dev);
	}
	spin_unlock(&dev->tx_lock);
	virtnet_free_sent(&done, budget);
	napi_complete_done(napi, 0);
	return 0;
}

/* ndo_irq_enable: a poll completed; turn its queue's notifications back on and catch a
 * buffer used before the device could see the new used_event (§2.7.7). */
static void virtnet_irq_enable(struct net_device *dev, struct napi_struct *napi)
{
	struct virtnet_info *vi = netdev_priv(dev);

	if (!vi->up)
		return;
	if (napi == &vi->napi) {
		u16 last = virtqueue_enable_cb_prepare(&vi->rvq);
		if (virtqueue_poll(&vi->rvq, last)) {
			virtqueue_disable_cb(&vi->rvq);
			napi_schedule(napi);
		}
	} else if (!virtqueue_enable_cb_delayed(&vi->svq)) {
		virtqueue_disable_cb(&vi->svq);
		napi_schedule(napi);
	}
}

/* ---- interrupts (hard IRQ) ---- */
static irqreturn_t skb_recv_done(int irq, void *data)
{
	struct virtnet_info *vi = data;
	TRACE_STEP(vring_interrupt, 0, VIRTIO_NET_RXQ, 0);

	vi->irq_rx++;
	virtqueue_disable_cb(&vi->rvq);
	napi_schedule(&vi->napi);
	return IRQ_HANDLED;
}

static irqreturn_t skb_xmit_done(int irq, void *data)
{
	struct virtnet_info *vi = data;
	TRACE_STEP(vring_interrupt, 0, VIRTIO_NET_TXQ, 0);

	vi->irq_tx++;
	virtqueue_disable_cb(&vi->svq);
	napi_schedule(&vi->napi_tx);
	return IRQ_HANDLED;
}

static irqreturn_t vp_config_changed(int irq, void *data)
{
	struct virtnet_info *vi = data;

	vi->irq_config++;
	schedule_work(&vi->config_work);
	return IRQ_HANDLED;
}

/* INTx: the ISR says which (bit 0: a queue, bit 1: configuration), §4.1.5.4. */
static irqreturn_t vp_interrupt(int irq, void *data)
{
	struct virtnet_info *vi = data;
	u8 isr = vp_read_isr(&vi->vp);

	if (!isr) {
		vi->irq_none++;
		return IRQ_NONE;
	}
	TRACE_STEP(vring_interrupt, 0, 0xffff, isr);
	vi->irq_intx++;
	if (isr & 1) {
		virtqueue_disable_cb(&vi->rvq);
		napi_schedule(&vi->napi);
		virtqueue_disable_cb(&vi->svq);
		napi_schedule(&vi->napi_tx);
	}
	if (isr & 2)
		schedule_work(&vi->config_work);
	return IRQ_HANDLED;
}

/* ---- link ---- */
static void virtnet_update_link(struct virtnet_info *vi)
{
	struct net_device *dev = vi->dev;
	u16 status = VIRTIO_NET_S_LINK_UP;

	if (vp_has_feature(&vi->vp, VIRTIO_NET_F_STATUS))
		vp_read_config(&vi->vp, VIRTIO_NET_CFG_STATUS, &status, sizeof(status));
	if ((status & VIRTIO_NET_S_LINK_UP) && !netif_carrier_ok(dev)) {
		pr_info("virtio_net: %s link up\n", dev->name);
		netif_carrier_on(dev);
	} else if (!(status & VIRTIO_NET_S_LINK_UP) && netif_carrier_ok(dev)) {
		pr_info("virtio_net: %s link down\n", dev->name);
		netif_carrier_off(dev);
	}
}

/* Work item for a configuration change interrupt: may sleep, touches carrier state. */
static void virtnet_config_changed_work(struct work_struct *w)
{
	struct virtnet_info *vi = container_of(w, struct virtnet_info, config_work);
	TRACE_STEP(virtnet_config_changed_work, 0, 0, 0);

	vi->config_changes++;
	if (vi->up)
		virtnet_update_link(vi);
}

/* ---- open and stop ---- */
static void virtnet_free_queues(struct virtnet_info *vi)
{
	struct sk_buff *skb;

	if (vi->rvq.desc)
		while ((skb = virtqueue_detach_unused_buf(&vi->rvq)))
			consume_skb(skb);
	if (vi->svq.desc)
		while ((skb = virtqueue_detach_unused_buf(&vi->svq))) {
			vi->dev->stats.tx_dropped++;
			kfree_skb_reason(skb, SKB_DROP_DEV_DOWN);
		}
	virtqueue_free(&vi->rvq);
	virtqueue_free(&vi->svq);
}

static void virtnet_free_irqs(struct virtnet_info *vi)
{
	if (vi->msix) {
		pci_free_irq(vi->pdev, VN_VEC_CONFIG, vi);
		pci_free_irq(vi->pdev, VN_VEC_RX, vi);
		pci_free_irq(vi->pdev, VN_VEC_TX, vi);
	} else {
		pci_free_irq(vi->pdev, 0, vi);
	}
}

static int virtnet_request_irqs(struct virtnet_info *vi)
{
	static const char *const sfx[VN_NVEC] = { "-config", "-rx-0", "-tx-0" };
	static irqreturn_t (*const fn[VN_NVEC])(int, void *) = { vp_config_changed, skb_recv_done,
								  skb_xmit_done };

	if (!vi->msix) {
		snprintf(vi->irq_names[0], sizeof(vi->irq_names[0]), "%s", vi->dev->name);
		return pci_request_irq(vi->pdev, 0, vp_interrupt, vi, vi->irq_names[0]);
	}
	for (int i = 0; i < VN_NVEC; i++) {
		int err;

		snprintf(vi->irq_names[i], sizeof(vi->irq_names[i]), "%s%s", vi->dev->name, sfx[i]);
		err = pci_request_irq(vi->pdev, (unsigned)i, fn[i], vi, vi->irq_names[i]);
		if (err) {
			while (i--)
				pci_free_irq(vi->pdev, (unsigned)i, vi);
			return err;
		}
	}
	return 0;
}

/* Device initialization, virtio 1.2 §3.1.1, then the net device's own (§5.1.5). */
static int virtnet_open(struct net_device *dev)
{
	struct virtnet_info *vi = netdev_priv(dev);
	struct virtio_pci_dev *vp = &vi->vp;
	bool ev;
	u16 qsize;
	int err;

	/* 1-3. reset; we noticed the device and can drive it */
	vp_reset(vp);
	vp_add_status(vp, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	/* 4-6. features: ours that the device offers, confirmed by FEATURES_OK */
	err = vp_finalize_features(vp, vi->offered & VIRTNET_FEATURES);
	if (err)
		return err;
	ev = vp_has_feature(vp, VIRTIO_F_RING_EVENT_IDX);
	/* 7. device-specific setup: the two queues, their vectors, the config vector */
	qsize = MIN(vp_queue_size(vp, VIRTIO_NET_RXQ), vp_queue_size(vp, VIRTIO_NET_TXQ));
	qsize = MIN(qsize, VIRTQUEUE_MAX);
	while (qsize & (qsize - 1))
		qsize &= (u16)(qsize - 1);
	if (!qsize)
		return -ENODEV;
	err = virtqueue_init(&vi->rvq, "rx", VIRTIO_NET_RXQ, qsize, ev);
	if (!err)
		err = virtqueue_init(&vi->svq, "tx", VIRTIO_NET_TXQ, qsize, ev);
	if (!err)
		err = vp_setup_vq(vp, &vi->rvq, vi->msix ? VN_VEC_RX : VIRTIO_MSI_NO_VECTOR);
	if (!err)
		err = vp_setup_vq(vp, &vi->svq, vi->msix ? VN_VEC_TX : VIRTIO_MSI_NO_VECTOR);
	if (!err)
		err = vp_set_config_vector(vp, vi->msix ? VN_VEC_CONFIG : VIRTIO_MSI_NO_VECTOR);
	if (!err)
		err = virtnet_request_irqs(vi);
	if (err) {
		vp_add_status(vp, VIRTIO_CONFIG_S_FAILED);
		vp_reset(vp);
		virtnet_free_queues(vi);
		return err;
	}
	/* 8. DRIVER_OK: the device is live; then the RX buffers and the first kick */
	vp_add_status(vp, VIRTIO_CONFIG_S_DRIVER_OK);
	vi->up = true;
	try_fill_recv(vi);
	napi_enable(&vi->napi);
	napi_enable(&vi->napi_tx);
	virtqueue_enable_cb_prepare(&vi->rvq);
	virtqueue_enable_cb_delayed(&vi->svq);
	if (virtqueue_more_used(&vi->rvq))
		napi_schedule(&vi->napi);
	netif_wake_queue(dev);
	virtnet_update_link(vi);
	return 0;
}

static int virtnet_close(struct net_device *dev)
{
	struct virtnet_info *vi = netdev_priv(dev);

	vi->up = false;
	virtqueue_disable_cb(&vi->rvq);
	virtqueue_disable_cb(&vi->svq);
	napi_disable(&vi->napi);
	napi_disable(&vi->napi_tx);
	spin_lock_bh(&dev->tx_lock);
	netif_stop_queue(dev);
	spin_unlock_bh(&dev->tx_lock);
	vp_reset(&vi->vp); /* the device lets go of every buffer (§2.4) */
	virtnet_free_irqs(vi);
	del_timer_sync(&vi->refill_timer);
	cancel_work_sync(&vi->config_work);
	virtnet_free_queues(vi);
	if (netif_carrier_ok(dev))
		netif_carrier_off(dev);
	return 0;
}

static const struct net_device_ops virtnet_netdev_ops = {
	.ndo_open = virtnet_open,
	.ndo_stop = virtnet_close,
	.ndo_start_xmit = start_xmit,
	.ndo_irq_enable = virtnet_irq_enable,
};

/* ---- probe ---- */
static const struct pci_device_id virtnet_pci_tbl[] = {
	{ PCI_DEVICE(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE_NET_TRANSITIONAL) },
	{ PCI_DEVICE(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE_NET) },
	{ 0 }
};

/* Identifies the device and registers the net device; queues are set up at open. */
static int virtnet_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct virtio_pci_dev vp = { 0 };
	struct virtnet_info *vi;
	struct net_device *dev;
	u8 mac[ETH_ALEN];
	u64 offered;
	int err, n;

	/* 1. PCI: BARs decoded, DMA on, the virtio structures located (§4.1.4) */
	pci_enable_device(pdev);
	pci_set_master(pdev);
	err = vp_probe(&vp, pdev);
	if (err)
		return err;
	/* 2. the device as it comes: its features and MAC (§5.1.4), then reset again */
	vp_reset(&vp);
	vp_add_status(&vp, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	offered = vp_get_features(&vp);
	if (!(offered & (1ULL << VIRTIO_F_VERSION_1))) {
		vp_add_status(&vp, VIRTIO_CONFIG_S_FAILED);
		return -ENODEV;
	}
	vp.features = offered;
	if (offered & (1ULL << VIRTIO_NET_F_MAC))
		vp_read_config(&vp, VIRTIO_NET_CFG_MAC, mac, ETH_ALEN);
	vp_reset(&vp);
	/* 3. interrupts: an MSI-X vector each for config, RX and TX, else INTx */
	n = pci_alloc_irq_vectors(pdev, VN_NVEC, VN_NVEC, PCI_IRQ_MSIX);
	if (n < 0)
		n = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_LEGACY);
	if (n < 0)
		return n;
	/* 4. the net device */
	dev = alloc_etherdev(sizeof(*vi));
	if (!dev)
		return -ENOMEM;
	vi = netdev_priv(dev);
	vi->dev = dev;
	vi->pdev = pdev;
	vi->vp = vp;
	vi->offered = offered;
	vi->msix = pdev->irq_mode == PCI_IRQ_MODE_MSIX;
	vi->tx_hdrs = alloc_page_zeroed(); /* 256 x 12 bytes */
	if (!vi->tx_hdrs) {
		free_netdev(dev);
		return -ENOMEM;
	}
	if ((offered & (1ULL << VIRTIO_NET_F_MAC)) && is_valid_ether_addr(mac))
		memcpy(dev->dev_addr, mac, ETH_ALEN);
	else
		eth_hw_addr_random(dev);
	dev->netdev_ops = &virtnet_netdev_ops;
	dev->needed_headroom = VIRTNET_HDR_LEN;
	if (offered & (1ULL << VIRTIO_NET_F_GUEST_CSUM))
		dev->features |= NETIF_F_RXCSUM;
	if (offered & (1ULL << VIRTIO_NET_F_CSUM))
		dev->features |= NETIF_F_HW_CSUM;
	netif_napi_add(dev, &vi->napi, virtnet_poll);
	netif_napi_add(dev, &vi->napi_tx, virtnet_poll_tx);
	INIT_WORK(&vi->config_work, virtnet_config_changed_work);
	timer_setup(&vi->refill_timer, virtnet_refill_timer, 0);
	pdev->driver_data = dev;
	/* 5. register: named eth%d, possibly opened at once by the boot configuration */
	err = register_netdev(dev);
	if (err) {
		pdev->driver_data = NULL;
		netif_napi_del(&vi->napi);
		netif_napi_del(&vi->napi_tx);
		free_pages_phys(virt_to_phys(vi->tx_hdrs), 0);
		free_netdev(dev);
		return err;
	}
	pdev->name = dev->name;
	pr_info("virtio_net: %s at %02x:%02x.%u, features %#llx of %#llx, %s\n", dev->name,
		pdev->bus, pdev->slot, pdev->func, (unsigned long long)(offered & VIRTNET_FEATURES),
		(unsigned long long)offered, vi->msix ? "MSI-X: config, rx, tx" : "INTx");
	return 0;
}

static void virtnet_show_stats(struct pci_dev *pdev)
{
	struct net_device *dev = pdev->driver_data;
	struct virtnet_info *vi = netdev_priv(dev);
	const struct { const char *name; u64 v; } c[] = {
		{ "irq_rx", vi->irq_rx }, { "irq_tx", vi->irq_tx }, { "irq_config", vi->irq_config },
		{ "irq_intx", vi->irq_intx }, { "irq_none", vi->irq_none }, { "polls", vi->polls },
		{ "polls_tx", vi->polls_tx }, { "rx_copybreak", vi->rx_copybreak },
		{ "rx_alloc_fail", vi->rx_alloc_fail }, { "rx_bad_len", vi->rx_bad_len },
		{ "rx_merged", vi->rx_merged }, { "rx_csum_done", vi->rx_csum_done },
		{ "refill_retries", vi->refill_retries }, { "tx_stops", vi->tx_stops },
		{ "tx_wakes", vi->tx_wakes }, { "tx_busy", vi->tx_busy }, { "tx_pushed", vi->tx_pushed },
		{ "tx_chained", vi->tx_chained }, { "config_changes", vi->config_changes },
		{ "rx_kicks", vi->rvq.kicks }, { "rx_kicks_suppressed", vi->rvq.kicks_suppressed },
		{ "tx_kicks", vi->svq.kicks }, { "tx_kicks_suppressed", vi->svq.kicks_suppressed },
		{ "bad_used", vi->rvq.bad_used + vi->svq.bad_used },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(c); i++)
		kprintf("     %s: %llu\n", c[i].name, (unsigned long long)c[i].v);
	kprintf("     features: %#llx\n     tx_free: %u\n", (unsigned long long)vi->vp.features,
		vi->up ? vi->svq.num_free : 0);
}

static int virtnet_inject(struct pci_dev *pdev, const char *fault, unsigned count)
{
	struct virtnet_info *vi = netdev_priv(pdev->driver_data);

	if (strcmp(fault, "badlen"))
		return -EINVAL;
	vi->inject_badlen = count;
	return 0;
}

static struct pci_driver virtnet_driver = {
	.name = "virtio",
	.id_table = virtnet_pci_tbl,
	.probe = virtnet_probe,
	.show_stats = virtnet_show_stats,
	.inject = virtnet_inject,
};

void virtio_net_init(void) { pci_register_driver(&virtnet_driver); }
