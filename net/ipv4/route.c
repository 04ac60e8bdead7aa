/* The IPv4 routing table (Linux net/ipv4/fib_*.c and route.c, much reduced): connected
 * routes added with addresses, a default gateway from DHCP or the command line, and
 * output route lookup by longest prefix then lowest metric. Shell `route`.
 *
 * Called by ip_queue_xmit (and UDP/TCP before they build a header) in thread or softirq
 * context. Input needs no table: a host accepts its own addresses (ip_rcv_finish) and
 * forwards nothing. The table is a small bounded array under route_lock (bh off). */
#include <net/ip.h>
#include <net/net_namespace.h>
#include <seqos/errno.h>
#include <seqos/shell.h>
#include <seqos/string.h>

int fib_route_add(struct net *net, be32 dst, int prefixlen, be32 gw, int ifindex, u32 metric,
		  u8 protocol)
{
	struct netns_ipv4 *ip = &net->ipv4;
	struct fib_route *free_slot = NULL;
	be32 mask = inet_make_mask(prefixlen);
	int err = 0;

	if (prefixlen < 0 || prefixlen > 32 || !dev_get_by_index(net, ifindex))
		return -EINVAL;
	dst.v &= mask.v;
	spin_lock_bh(&ip->route_lock);
	for (int i = 0; i < NET_ROUTE_MAX; i++) {
		struct fib_route *r = &ip->routes[i];
		if (!r->used) {
			if (!free_slot)
				free_slot = r;
			continue;
		}
		if (be32_eq(r->dst, dst) && r->prefixlen == prefixlen && r->ifindex == ifindex &&
		    be32_eq(r->gw, gw)) {
			err = -EEXIST;
			goto out;
		}
	}
	if (!free_slot) {
		err = -ENOSPC;
		goto out;
	}
	*free_slot = (struct fib_route){ .dst = dst, .mask = mask, .gw = gw, .ifindex = ifindex,
					 .metric = metric, .prefixlen = (u8)prefixlen,
					 .protocol = protocol, .used = true };
out:
	spin_unlock_bh(&ip->route_lock);
	return err;
}

int fib_route_del(struct net *net, be32 dst, int prefixlen, be32 gw, int ifindex)
{
	struct netns_ipv4 *ip = &net->ipv4;
	int err = -ESRCH;

	spin_lock_bh(&ip->route_lock);
	for (int i = 0; i < NET_ROUTE_MAX; i++) {
		struct fib_route *r = &ip->routes[i];
		if (r->used && be32_eq(r->dst, dst) && r->prefixlen == prefixlen &&
		    (!ifindex || r->ifindex == ifindex) && (!gw.v || be32_eq(r->gw, gw))) {
			r->used = false;
			err = 0;
		}
	}
	spin_unlock_bh(&ip->route_lock);
	return err;
}

void fib_flush_proto(struct net *net, int ifindex, u8 protocol)
{
	spin_lock_bh(&net->ipv4.route_lock);
	for (int i = 0; i < NET_ROUTE_MAX; i++) {
		struct fib_route *r = &net->ipv4.routes[i];
		if (r->used && (!ifindex || r->ifindex == ifindex) &&
		    (!protocol || r->protocol == protocol))
			r->used = false;
	}
	spin_unlock_bh(&net->ipv4.route_lock);
}

void fib_flush_dev(struct net *net, int ifindex) { fib_flush_proto(net, ifindex, 0); }

int ip_route_output(struct net *net, struct flowi4 *fl, struct rtable *rt)
{
	struct netns_ipv4 *ip = &net->ipv4;
	const struct fib_route *best = NULL;
	struct net_device *dev;
	int type;

	memset(rt, 0, sizeof(*rt));
	if (ipv4_is_zeronet(fl->daddr))
		return -EINVAL;
	type = inet_addr_type_dev(net, NULL, fl->daddr);
	if (type == RTN_LOCAL) {
		/* to ourselves: through this namespace's loopback (Linux does the same) */
		rt->dev = net->loopback_dev;
		rt->nexthop = fl->daddr;
		rt->type = RTN_LOCAL;
		if (!fl->saddr.v)
			fl->saddr = fl->daddr;
		goto done;
	}
	if (type == RTN_BROADCAST || type == RTN_MULTICAST) {
		if (type == RTN_BROADCAST && !(fl->flags & FLOWI_F_BROADCAST))
			return -EACCES;
		if (ipv4_is_lbcast(fl->daddr) || type == RTN_MULTICAST) {
			/* limited broadcast leaves on the chosen interface (DHCP) */
			dev = fl->oif ? dev_get_by_index(net, fl->oif) : NULL;
			if (!dev) {
				struct net_device *d;
				list_for_each_entry(d, &net->dev_list, dev_list)
					if (!(d->flags & IFF_LOOPBACK) && (d->flags & IFF_UP)) {
						dev = d;
						break;
					}
			}
			if (!dev)
				return -ENETUNREACH;
			rt->dev = dev;
			rt->nexthop = fl->daddr;
			rt->type = (u8)type;
			if (!fl->saddr.v)
				fl->saddr = inet_select_addr(dev, fl->daddr);
			goto done;
		}
	}

	spin_lock_bh(&ip->route_lock);
	for (int i = 0; i < NET_ROUTE_MAX; i++) {
		const struct fib_route *r = &ip->routes[i];
		if (!r->used || !inet_same_subnet(fl->daddr, r->dst, r->mask))
			continue;
		if (fl->oif && r->ifindex != fl->oif)
			continue;
		if (!best || r->prefixlen > best->prefixlen ||
		    (r->prefixlen == best->prefixlen && r->metric < best->metric))
			best = r;
	}
	if (best) {
		rt->dev = dev_get_by_index(net, best->ifindex);
		rt->nexthop = best->gw.v ? best->gw : fl->daddr;
		rt->type = type == RTN_BROADCAST ? RTN_BROADCAST : RTN_UNICAST;
		if (!fl->saddr.v)
			fl->saddr = best->prefsrc.v ? best->prefsrc
						    : inet_select_addr(rt->dev, rt->nexthop);
	}
	spin_unlock_bh(&ip->route_lock);
	if (!best || !rt->dev)
		return -ENETUNREACH;
done:
	rt->saddr = fl->saddr;
	rt->mtu = rt->dev->mtu;
	return 0;
}

/* route [add default gw A.B.C.D | add A.B.C.D/N dev IF | del default | del A.B.C.D/N] */
int net_cmd_route(int argc, char **argv)
{
	struct net *net = &init_net;
	char a[16], b[16], m[16];
	be32 dst = to_be32(0), gw = to_be32(0);
	int plen = 0, ifindex = 0;

	if (argc == 1) {
		kprintf("Destination     Gateway         Genmask         Metric Proto  Iface\n");
		spin_lock_bh(&net->ipv4.route_lock);
		for (int i = 0; i < NET_ROUTE_MAX; i++) {
			const struct fib_route *r = &net->ipv4.routes[i];
			struct net_device *dev;
			if (!r->used)
				continue;
			dev = dev_get_by_index(net, r->ifindex);
			kprintf("%-15s %-15s %-15s %6u %-6s %s\n",
				r->prefixlen ? in_ntoa(r->dst, a) : "default", in_ntoa(r->gw, b),
				in_ntoa(r->mask, m), r->metric,
				r->protocol == RTPROT_KERNEL ? "kernel" :
				r->protocol == RTPROT_DHCP ? "dhcp" : "static",
				dev ? dev->name : "?");
		}
		spin_unlock_bh(&net->ipv4.route_lock);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[2], "default") && in4_pton_prefix(argv[2], &dst, &plen))
		goto usage;
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "gw") && in4_pton(argv[i + 1], &gw) == 0)
			continue;
		if (!strcmp(argv[i], "dev")) {
			struct net_device *dev = dev_get_by_name(net, argv[i + 1]);
			if (!dev)
				goto usage;
			ifindex = dev->ifindex;
			continue;
		}
		goto usage;
	}
	if (argc >= 3 && !strcmp(argv[1], "add")) {
		if (!ifindex && gw.v) {
			struct rtable rt;
			struct flowi4 fl = { .daddr = gw };
			if (ip_route_output(net, &fl, &rt))
				goto unreachable;
			ifindex = rt.dev->ifindex;
		}
		if (!ifindex)
			goto usage;
		return fib_route_add(net, dst, plen, gw, ifindex, 0, RTPROT_STATIC) ? 1 : 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "del"))
		return fib_route_del(net, dst, plen, gw, ifindex) ? 1 : 0;
usage:
	kprintf("usage: route [add|del default|A.B.C.D/N [gw A.B.C.D] [dev IF]]\n");
	return 1;
unreachable:
	kprintf("route: gateway not on a connected network\n");
	return 1;
}
SHELL_CMD("route", "route [add|del default|A/N [gw G] [dev IF]] - IPv4 routing table",
	  net_cmd_route);
