/* Shell commands of the device layer: `ifconfig` (devices, addresses, counters) and
 * `mem`'s network part (net_mem_report, in skbuff.c). `softnet` is in napi.c. */
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/netdevice.h>
#include <seqos/errno.h>
#include <seqos/shell.h>
#include <seqos/string.h>

static void show_flags(u32 f)
{
	static const struct { u32 bit; const char *name; } names[] = {
		{ IFF_UP, "UP" }, { IFF_BROADCAST, "BROADCAST" }, { IFF_LOOPBACK, "LOOPBACK" },
		{ IFF_RUNNING, "RUNNING" }, { IFF_NOARP, "NOARP" }, { IFF_PROMISC, "PROMISC" },
		{ IFF_MULTICAST, "MULTICAST" },
	};
	bool first = true;

	kprintf("<");
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (f & names[i].bit) {
			kprintf("%s%s", first ? "" : ",", names[i].name);
			first = false;
		}
	kprintf(">");
}

static void show_dev(struct net_device *dev)
{
	struct net_device_stats st;
	struct napi_struct *n;
	char a[16], b[16], m[18];

	dev_get_stats(dev, &st);
	kprintf("%s: flags=%x", dev->name, dev->flags);
	show_flags(dev->flags);
	kprintf("  mtu %u  ifindex %d  carrier %s\n", dev->mtu, dev->ifindex,
		dev->carrier ? "on" : "off");
	for (int i = 0; i < NET_IFADDR_MAX; i++) {
		const struct in_ifaddr *ifa = &dev->ifa[i];
		if (!ifa->used)
			continue;
		kprintf("        inet %s/%u  broadcast %s\n", in_ntoa(ifa->local, a),
			ifa->prefixlen, in_ntoa(ifa->broadcast, b));
	}
	kprintf("        ether %s  txqueuelen %u (queued %u%s)\n", mac_ntoa(dev->dev_addr, m),
		dev->tx_queue_len, skb_queue_len(&dev->txq),
		netif_queue_stopped(dev) ? ", stopped" : "");
	kprintf("        RX packets %llu  bytes %llu  multicast %llu\n",
		(unsigned long long)st.rx_packets, (unsigned long long)st.rx_bytes,
		(unsigned long long)st.multicast);
	kprintf("        RX errors %llu  dropped %llu  length %llu  crc %llu  fifo %llu  "
		"missed %llu  nohandler %llu\n",
		(unsigned long long)st.rx_errors, (unsigned long long)st.rx_dropped,
		(unsigned long long)st.rx_length_errors, (unsigned long long)st.rx_crc_errors,
		(unsigned long long)st.rx_fifo_errors, (unsigned long long)st.rx_missed_errors,
		(unsigned long long)st.rx_nohandler);
	kprintf("        TX packets %llu  bytes %llu\n", (unsigned long long)st.tx_packets,
		(unsigned long long)st.tx_bytes);
	kprintf("        TX errors %llu  dropped %llu  fifo %llu  timeouts %llu\n",
		(unsigned long long)st.tx_errors, (unsigned long long)st.tx_dropped,
		(unsigned long long)st.tx_fifo_errors, (unsigned long long)st.tx_timeouts);
	list_for_each_entry(n, &dev->napi_list, dev_list)
		kprintf("        napi %u: polls %llu  packets %llu  completes %llu\n", n->id,
			(unsigned long long)n->polls, (unsigned long long)n->packets,
			(unsigned long long)n->completes);
}

/* ifconfig [DEV [up|down|A.B.C.D/N|del A.B.C.D]] */
int net_cmd_ifconfig(int argc, char **argv)
{
	struct net *net = &init_net;
	struct net_device *dev;

	if (argc < 2) {
		list_for_each_entry(dev, &net->dev_list, dev_list)
			show_dev(dev);
		return 0;
	}
	dev = dev_get_by_name(net, argv[1]);
	if (!dev) {
		kprintf("ifconfig: %s: no such device\n", argv[1]);
		return 1;
	}
	if (argc == 2) {
		show_dev(dev);
		return 0;
	}
	if (!strcmp(argv[2], "up"))
		return dev_open(dev) ? 1 : 0;
	if (!strcmp(argv[2], "down"))
		return dev_close(dev) ? 1 : 0;
	if (!strcmp(argv[2], "del") && argc == 4) {
		be32 a;
		return in4_pton(argv[3], &a) || inet_addr_del(dev, a) ? 1 : 0;
	}
	{
		be32 a;
		int plen;
		if (!in4_pton_prefix(argv[2], &a, &plen))
			return inet_addr_add(dev, a, plen) ? 1 : 0;
	}
	kprintf("usage: ifconfig [DEV [up|down|A.B.C.D/N|del A.B.C.D]]\n");
	return 1;
}
SHELL_CMD("ifconfig", "ifconfig [DEV [up|down|A.B.C.D/N|del A.B.C.D]] - devices, addresses",
	  net_cmd_ifconfig);
