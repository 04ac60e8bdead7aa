/* Raw Ethernet test traffic for the NIC drivers, from the shell (tests/integration/
 * test_nic.py drives it), and `ethtool -S DEV` for the drivers' own counters.
 *
 *   ethtest send DEV DSTMAC COUNT SIZE [burst]  -> ethtest_xmit -> dev_queue_xmit -> driver
 *   driver poll -> netif_receive_skb -> ethtest_rcv (ethertype 0x88b5, NET_RX softirq)
 *
 * Frames use the IEEE 802 "local experimental" ethertype 0x88b5, so nothing else in the
 * stack handles them. Layout after the 14-byte Ethernet header (all big-endian):
 *   +0 "SQET"  +4 seq (u32, 0 for the first frame of a send)  +8 frame length (u16)
 *   +10 sender's run number (u16)  +12.. pattern: byte k = (seq * 31 + k) & 0xff
 * The receiver checks every byte, counts good, bad and out-of-order frames, and wakes
 * `ethtest wait`. The handler is registered by the first `ethtest` command.
 *
 * `burst` sends in chunks with bottom halves off, so the driver cannot reclaim TX
 * descriptors meanwhile: its ring fills and it must stop and later wake the queue.
 *
 * `rxhold DEV on` stops the device's NAPI polling (napi_disable) while the machine keeps
 * running: frames pile up in the RX ring until it is full, and then the device drops
 * (e1000, counted as missed) or holds them back (virtio-net); `rxhold DEV off` re-enables
 * and schedules the polls, which drain the ring and turn interrupts back on. (Pausing
 * the whole VM from QEMU's monitor did the same, but QEMU 7.2's socket netdev did not
 * always resume reading after `cont`.) */
#include <drivers/pci.h>
#include <net/inet_common.h>
#include <net/net_namespace.h>
#include <net/netdevice.h>
#include <seqos/errno.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/spinlock.h>
#include <seqos/string.h>
#include <seqos/time.h>

#define ETH_P_ETHTEST 0x88b5
#define ETHTEST_HDR 12
#define ETHTEST_MIN (ETH_HLEN + ETHTEST_HDR)
#define ETHTEST_CHUNK 384 /* a burst chunk: more than a 256-descriptor ring */

static struct {
	u64 ok, bad, ooo, bytes;
	u32 next_seq;
	u8 last_src[ETH_ALEN];
	u64 first_ns, last_ns;
} rx; /* written in NET_RX softirq, read by the shell with bottom halves off */

static struct net_device *rx_dev; /* whose drop counters `ethtest reset DEV` watches */
static u64 rx_drops_base;
static u16 run_no;
static DECLARE_WAIT_QUEUE_HEAD(ethtest_wq);
static u64 wait_target; /* wake the waiter when rx.ok reaches it */

static u8 pattern(u32 seq, u32 k) { return (u8)(seq * 31 + k); }

/* Checks one frame (data at the ethertest header, len bytes including link padding). */
static bool ethtest_check(const u8 *p, u32 len, u32 *seq_out)
{
	u32 flen, seq;

	if (len < ETHTEST_HDR || memcmp(p, "SQET", 4))
		return false;
	seq = rd_be32(p + 4);
	flen = rd_be16(p + 8);
	if (flen < ETHTEST_MIN || flen - ETH_HLEN > len)
		return false;
	for (u32 k = ETHTEST_HDR; k < flen - ETH_HLEN; k++)
		if (p[k] != pattern(seq, k - ETHTEST_HDR))
			return false;
	*seq_out = seq;
	return true;
}

/* NET_RX softirq: a frame of ethertype 0x88b5. */
static int ethtest_rcv(struct sk_buff *skb, struct net_device *dev)
{
	u32 seq;

	if (ethtest_check(skb->data, skb->len, &seq)) {
		if (seq != 0 && seq != rx.next_seq)
			rx.ooo++;
		rx.next_seq = seq + 1;
		rx.ok++;
		rx.bytes += skb->len + ETH_HLEN;
		if (skb->mac_header != SKB_HDR_UNSET)
			memcpy(rx.last_src, skb_mac_header(skb) + 6, ETH_ALEN);
		if (!rx.first_ns)
			rx.first_ns = ktime_get_ns();
		rx.last_ns = ktime_get_ns();
		if (wait_target && rx.ok >= wait_target)
			wake_up(&ethtest_wq);
	} else {
		rx.bad++;
	}
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static struct packet_type ethtest_pt = { .type = ETH_P_ETHTEST, .func = ethtest_rcv };

static void ethtest_register(void)
{
	static bool done;

	if (!done) {
		done = true;
		dev_add_pack(&ethtest_pt);
	}
}

static int parse_mac(const char *s, u8 *mac)
{
	for (int i = 0; i < ETH_ALEN; i++) {
		char *end;
		unsigned long v = strtoul(s, &end, 16);

		if (end == s || v > 0xff || (i < 5 && *end != ':') || (i == 5 && *end))
			return -EINVAL;
		mac[i] = (u8)v;
		s = end + 1;
	}
	return 0;
}

static struct sk_buff *ethtest_build(struct net_device *dev, const u8 *dst, u32 seq, u32 size)
{
	u32 head = ALIGN_UP(dev->needed_headroom + 2u, 16u);
	struct sk_buff *skb = alloc_skb(head + size);
	u8 *p;

	if (!skb)
		return NULL;
	skb_reserve(skb, head);
	p = skb_put(skb, size);
	memcpy(p, dst, ETH_ALEN);
	memcpy(p + 6, dev->dev_addr, ETH_ALEN);
	wr_be16(p + 12, ETH_P_ETHTEST);
	p += ETH_HLEN;
	memcpy(p, "SQET", 4);
	wr_be32(p + 4, seq);
	wr_be16(p + 8, (u16)size);
	wr_be16(p + 10, run_no);
	for (u32 k = ETHTEST_HDR; k < size - ETH_HLEN; k++)
		p[k] = pattern(seq, k - ETHTEST_HDR);
	skb->dev = dev;
	skb->protocol = to_be16(ETH_P_ETHTEST);
	skb_reset_mac_header(skb);
	return skb;
}

/* Waits (sleeping) until the TX queue has room for n more frames. */
static u64 ethtest_wait_room(struct net_device *dev, u32 n)
{
	u64 waits = 0;

	while (skb_queue_len(&dev->txq) + n > dev->tx_queue_len && (dev->flags & IFF_UP)) {
		msleep(1);
		waits++;
	}
	return waits;
}

static int ethtest_send(int argc, char **argv)
{
	struct net_device *dev;
	u8 dst[ETH_ALEN];
	u32 count, size, sent = 0, nomem = 0, dropped = 0;
	bool burst = argc > 6 && !strcmp(argv[6], "burst");
	u64 waits = 0, t0;

	if (argc < 6 || !(dev = dev_get_by_name(&init_net, argv[2])) || parse_mac(argv[3], dst)) {
		kprintf("usage: ethtest send DEV DSTMAC COUNT SIZE [burst]\n");
		return 1;
	}
	count = (u32)strtoul(argv[4], NULL, 0);
	size = (u32)strtoul(argv[5], NULL, 0);
	if (size < ETH_ZLEN || size > ETH_FRAME_LEN) {
		kprintf("ethtest: SIZE must be %u..%u\n", ETH_ZLEN, ETH_FRAME_LEN);
		return 1;
	}
	run_no++;
	t0 = ktime_get_ns();
	while (sent + nomem + dropped < count) {
		u32 chunk = burst ? MIN(ETHTEST_CHUNK, count - sent - nomem - dropped) : 1;

		waits += ethtest_wait_room(dev, burst ? MIN(chunk, dev->tx_queue_len) : 1);
		if (!(dev->flags & IFF_UP))
			break;
		if (burst)
			local_bh_disable(); /* no NAPI poll, no TX reclaim until the chunk is queued */
		for (u32 i = 0; i < chunk; i++) {
			u32 seq = sent + nomem + dropped;
			struct sk_buff *skb = ethtest_build(dev, dst, seq, size);

			if (!skb)
				nomem++;
			else if (dev_queue_xmit(skb))
				dropped++;
			else
				sent++;
		}
		if (burst)
			local_bh_enable();
	}
	kprintf("ethtest: sent %u frames of %u bytes in %llu us, %u dropped, %u no memory, "
		"%llu waits\n", sent, size, (unsigned long long)((ktime_get_ns() - t0) / 1000),
		dropped, nomem, (unsigned long long)waits);
	return sent == count ? 0 : 1;
}

/* Frames the watched device lost before the stack saw them: hardware misses (ring empty),
 * driver drops (no buffer) and errors. Thread context (e1000 reads its registers). */
static u64 ethtest_dev_drops(void)
{
	struct net_device_stats st;

	if (!rx_dev)
		return 0;
	dev_get_stats(rx_dev, &st);
	return st.rx_missed_errors + st.rx_dropped + st.rx_errors;
}

static void ethtest_show(void)
{
	u64 drops = ethtest_dev_drops() - rx_drops_base;
	char m[18];
	u64 us;

	local_bh_disable();
	us = rx.last_ns > rx.first_ns ? (rx.last_ns - rx.first_ns) / 1000 : 0;
	kprintf("ethtest: rx ok %llu bad %llu ooo %llu drops %llu bytes %llu from %s in %llu us\n",
		(unsigned long long)rx.ok, (unsigned long long)rx.bad, (unsigned long long)rx.ooo,
		(unsigned long long)drops, (unsigned long long)rx.bytes, mac_ntoa(rx.last_src, m),
		(unsigned long long)us);
	local_bh_enable();
}

static u64 ethtest_accounted(void)
{
	return READ_ONCE(rx.ok) + READ_ONCE(rx.bad) + ethtest_dev_drops() - rx_drops_base;
}

/* ethtest wait N [TIMEOUT_MS]: sleeps until N frames are accounted for since the reset:
 * received (good or bad) or counted as lost by the device `ethtest reset DEV` named.
 * Arrivals wake it; device counters have no event, so they are looked at every 10 ms. */
static int ethtest_wait(int argc, char **argv)
{
	u64 n = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	u64 ms = argc > 3 ? strtoull(argv[3], NULL, 0) : 10000;
	u64 deadline = ktime_get_ns() + ms * NSEC_PER_MSEC;
	struct wait_queue_entry e = { 0 };
	bool ok;

	wait_target = n;
	for (;;) {
		u64 next = ktime_get_ns() + 10 * NSEC_PER_MSEC;

		prepare_to_wait(&ethtest_wq, &e, "ethtest");
		if (ethtest_accounted() >= n || ktime_get_ns() >= deadline)
			break;
		wait_woken(&e, rx_dev && next < deadline ? next : deadline);
	}
	finish_wait(&ethtest_wq, &e);
	wait_target = 0;
	ok = ethtest_accounted() >= n;
	ethtest_show();
	if (!ok)
		kprintf("ethtest: timeout waiting for %llu frames\n", (unsigned long long)n);
	return ok ? 0 : 1;
}

/* ethtest pools [wait N [TIMEOUT_MS]]: buffers in use, or wait until exactly N are. */
static int ethtest_pools(int argc, char **argv)
{
	u64 want, deadline;

	if (argc < 4 || strcmp(argv[2], "wait")) {
		kprintf("ethtest: pools in use %llu\n", (unsigned long long)skb_pools_in_use());
		return 0;
	}
	want = strtoull(argv[3], NULL, 0);
	deadline = ktime_get_ns() + (argc > 4 ? strtoull(argv[4], NULL, 0) : 2000) * NSEC_PER_MSEC;
	while (skb_pools_in_use() != want && ktime_get_ns() < deadline)
		msleep(4); /* no event to wait on: buffers are freed all over the stack */
	kprintf("ethtest: pools in use %llu\n", (unsigned long long)skb_pools_in_use());
	return skb_pools_in_use() == want ? 0 : 1;
}

static int ethtest_inject(int argc, char **argv);

static int ethtest_rxhold(int argc, char **argv)
{
	struct net_device *dev;
	struct napi_struct *napi;
	bool on = argc == 4 && !strcmp(argv[3], "on");

	if (argc != 4 || (!on && strcmp(argv[3], "off")) ||
	    !(dev = dev_get_by_name(&init_net, argv[2]))) {
		kprintf("usage: ethtest rxhold DEV on|off\n");
		return 1;
	}
	list_for_each_entry(napi, &dev->napi_list, dev_list) {
		if (on) {
			napi_disable(napi);
		} else {
			napi_enable(napi);
			napi_schedule(napi); /* drain what came meanwhile; completion re-enables */
		}
	}
	return 0;
}

static int cmd_ethtest(int argc, char **argv)
{
	ethtest_register();
	if (argc >= 2 && !strcmp(argv[1], "inject"))
		return ethtest_inject(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return ethtest_send(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "wait"))
		return ethtest_wait(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "pools"))
		return ethtest_pools(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "rxhold"))
		return ethtest_rxhold(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "reset")) {
		rx_dev = argc > 2 ? dev_get_by_name(&init_net, argv[2]) : NULL;
		rx_drops_base = ethtest_dev_drops();
		local_bh_disable();
		memset(&rx, 0, sizeof(rx));
		local_bh_enable();
		return 0;
	}
	if (argc == 1 || !strcmp(argv[1], "stats")) {
		ethtest_show();
		return 0;
	}
	kprintf("usage: ethtest send DEV DSTMAC COUNT SIZE [burst] | stats | reset [DEV] | "
		"wait N [MS] | pools [wait N [MS]] | inject DEV badlen N | rxhold DEV on|off\n");
	return 1;
}
SHELL_CMD("ethtest", "ethtest send|stats|reset|wait|pools|inject|rxhold - raw test frames "
	  "(ethertype 0x88b5); `ethtest help` for the usage", cmd_ethtest);

/* ---- ethtool -S DEV: the driver's counters (through its pci_driver) ---- */
struct ethtool_find {
	struct net_device *dev;
	struct pci_dev *pdev;
};

static void ethtool_match(struct pci_dev *pdev, void *arg)
{
	struct ethtool_find *f = arg;

	if (pdev->driver_data == f->dev && pdev->driver)
		f->pdev = pdev;
}

static struct pci_dev *ethtool_pdev(struct net_device *dev)
{
	struct ethtool_find f = { dev, NULL };

	pci_for_each_dev(ethtool_match, &f);
	return f.pdev;
}

/* ethtest inject DEV badlen N: the driver sees its next N RX completions with a length
 * no frame can have (drivers' robustness against a misbehaving device). */
static int ethtest_inject(int argc, char **argv)
{
	struct net_device *dev = argc == 5 ? dev_get_by_name(&init_net, argv[2]) : NULL;
	struct pci_dev *pdev = dev ? ethtool_pdev(dev) : NULL;

	if (!pdev || !pdev->driver->inject) {
		kprintf("usage: ethtest inject DEV badlen N (a PCI NIC with the hook)\n");
		return 1;
	}
	return pdev->driver->inject(pdev, argv[3], (unsigned)strtoul(argv[4], NULL, 0)) ? 1 : 0;
}

static int cmd_ethtool(int argc, char **argv)
{
	struct ethtool_find f = { 0 };

	if (argc != 3 || strcmp(argv[1], "-S") || !(f.dev = dev_get_by_name(&init_net, argv[2]))) {
		kprintf("usage: ethtool -S DEV\n");
		return 1;
	}
	pci_for_each_dev(ethtool_match, &f);
	if (!f.pdev || !f.pdev->driver->show_stats) {
		kprintf("ethtool: %s: no driver statistics\n", argv[2]);
		return 1;
	}
	kprintf("NIC statistics (%s, %s, %s):\n", f.dev->name, f.pdev->driver->name,
		pci_irq_mode_name(f.pdev->irq_mode));
	f.pdev->driver->show_stats(f.pdev);
	return 0;
}
SHELL_CMD("ethtool", "ethtool -S DEV - the NIC driver's counters", cmd_ethtool);
