/* IPv4 addresses on devices (Linux net/ipv4/devinet.c): which addresses are ours, which
 * destinations are broadcasts, and the connected route that comes with each address.
 * Called by ipconfig (static or DHCP), the shell and ip_rcv_finish()'s classification.
 *
 * The addresses live in dev->ifa[]; they change in thread/work context with bottom halves
 * off, and are read from NET_RX softirq. */
#include <net/arp.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <seqos/errno.h>
#include <seqos/printk.h>

int inet_addr_add(struct net_device *dev, be32 addr, int prefixlen)
{
	struct in_ifaddr *slot = NULL;
	be32 mask = inet_make_mask(prefixlen);
	char a[16];

	if (prefixlen < 0 || prefixlen > 32 || ipv4_is_zeronet(addr) ||
	    ipv4_is_multicast(addr) || ipv4_is_lbcast(addr))
		return -EINVAL;
	for (int i = 0; i < NET_IFADDR_MAX; i++) {
		if (dev->ifa[i].used && be32_eq(dev->ifa[i].local, addr))
			return -EEXIST;
		if (!dev->ifa[i].used && !slot)
			slot = &dev->ifa[i];
	}
	if (!slot)
		return -ENOSPC;
	/* The route first: from the moment the address is ours (NET_RX answers ARP and
	 * accepts datagrams for it, as soon as local_bh_enable() below runs the softirq),
	 * replies to it must find their way out. */
	if (prefixlen < 32 && !(dev->flags & IFF_LOOPBACK))
		fib_route_add(dev_net(dev), to_be32(get_be32(addr) & get_be32(mask)), prefixlen,
			      to_be32(0), dev->ifindex, 0, RTPROT_KERNEL);
	local_bh_disable();
	slot->local = addr;
	slot->mask = mask;
	slot->prefixlen = (u8)prefixlen;
	slot->broadcast = to_be32(prefixlen >= 31 ? 0xffffffffu : (get_be32(addr) | ~get_be32(mask)));
	slot->used = 1;
	local_bh_enable();
	pr_info("net: %s: inet %s/%d\n", dev->name, in_ntoa(addr, a), prefixlen);
	if ((dev->flags & IFF_RUNNING) && !(dev->flags & IFF_NOARP))
		arp_announce(dev, addr);
	return 0;
}

int inet_addr_del(struct net_device *dev, be32 addr)
{
	for (int i = 0; i < NET_IFADDR_MAX; i++) {
		struct in_ifaddr *ifa = &dev->ifa[i];
		int prefixlen = ifa->prefixlen;
		be32 mask = ifa->mask;

		if (!ifa->used || !be32_eq(ifa->local, addr))
			continue;
		local_bh_disable(); /* no longer ours, then the route goes (inet_addr_add) */
		ifa->used = 0;
		local_bh_enable();
		if (prefixlen < 32)
			fib_route_del(dev_net(dev), to_be32(get_be32(addr) & get_be32(mask)), prefixlen,
				      to_be32(0), dev->ifindex);
		return 0;
	}
	return -EADDRNOTAVAIL;
}

void inet_addr_flush(struct net_device *dev)
{
	for (int i = 0; i < NET_IFADDR_MAX; i++)
		if (dev->ifa[i].used)
			inet_addr_del(dev, dev->ifa[i].local);
}

bool inet_dev_has_addr(const struct net_device *dev)
{
	for (int i = 0; i < NET_IFADDR_MAX; i++)
		if (dev->ifa[i].used)
			return true;
	return false;
}

be32 inet_select_addr(const struct net_device *dev, be32 dst)
{
	be32 first = to_be32(0);

	for (int i = 0; i < NET_IFADDR_MAX; i++) {
		const struct in_ifaddr *ifa = &dev->ifa[i];
		if (!ifa->used)
			continue;
		if (inet_same_subnet(ifa->local, dst, ifa->mask))
			return ifa->local;
		if (!first.v)
			first = ifa->local;
	}
	return first;
}

struct net_device *inet_dev_by_addr(struct net *net, be32 addr)
{
	struct net_device *dev;

	list_for_each_entry(dev, &net->dev_list, dev_list)
		for (int i = 0; i < NET_IFADDR_MAX; i++)
			if (dev->ifa[i].used && be32_eq(dev->ifa[i].local, addr))
				return dev;
	return NULL;
}

/* RFC 1122 3.3.4.2: a host may accept a datagram for any of its addresses on any
 * interface (the weak model, as Linux does); broadcasts are judged per interface. */
int inet_addr_type_dev(struct net *net, const struct net_device *dev, be32 addr)
{
	struct net_device *d;

	if (ipv4_is_lbcast(addr))
		return RTN_BROADCAST;
	if (ipv4_is_multicast(addr))
		return RTN_MULTICAST;
	if (ipv4_is_loopback(addr))
		return RTN_LOCAL;
	list_for_each_entry(d, &net->dev_list, dev_list) {
		for (int i = 0; i < NET_IFADDR_MAX; i++) {
			const struct in_ifaddr *ifa = &d->ifa[i];
			if (!ifa->used)
				continue;
			if (be32_eq(ifa->local, addr))
				return RTN_LOCAL;
			if ((!dev || d == dev) && ifa->prefixlen < 31 &&
			    be32_eq(ifa->broadcast, addr))
				return RTN_BROADCAST;
		}
	}
	return RTN_UNICAST;
}

static void inetdev_event(struct notifier_block *nb, unsigned long event, struct net_device *dev)
{
	switch (event) {
	case NETDEV_UP:
		if (dev->flags & IFF_LOOPBACK)
			inet_addr_add(dev, to_be32(INADDR_LOOPBACK), 8);
		break;
	case NETDEV_CHANGE: /* link up: announce our addresses again (RFC 5227 2.4) */
		if ((dev->flags & IFF_RUNNING) && !(dev->flags & IFF_NOARP))
			for (int i = 0; i < NET_IFADDR_MAX; i++)
				if (dev->ifa[i].used)
					arp_announce(dev, dev->ifa[i].local);
		break;
	case NETDEV_UNREGISTER:
		inet_addr_flush(dev);
		fib_flush_dev(dev_net(dev), dev->ifindex);
		break;
	}
}

static struct notifier_block inetdev_notifier = { .notifier_call = inetdev_event };

void devinet_init(void) { register_netdevice_notifier(&inetdev_notifier); }
