/* Boot-time IPv4 configuration from the kernel command line (Linux net/ipv4/ipconfig.c):
 * `ip=dhcp` (the default) or `ip=A.B.C.D/N gw=A.B.C.D dns=A.B.C.D`. The kernel parses the
 * words and calls net_config_from_cmdline(); the settings are applied to the first
 * Ethernet device, now if it exists, else when it registers (drivers probe later). */
#include <net/dhcp.h>
#include <net/dns.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <seqos/errno.h>
#include <seqos/printk.h>
#include <seqos/string.h>

static struct {
	bool set, dhcp, applied;
	be32 addr, gw, dns;
	int prefix;
} ic;

static void ic_apply(struct net_device *dev)
{
	struct net *net = dev_net(dev);
	char a[16], g[16], d[16];
	int err;

	ic.applied = true;
	err = dev_open(dev);
	if (err) {
		pr_err("ipconfig: %s: cannot open (%d)\n", dev->name, err);
		return;
	}
	if (ic.dhcp) {
		dhcp_start(dev);
		return;
	}
	inet_addr_add(dev, ic.addr, ic.prefix);
	if (ic.gw.v && fib_route_add(net, to_be32(0), 0, ic.gw, dev->ifindex, 0, RTPROT_STATIC))
		pr_warn("ipconfig: gateway not added\n");
	if (ic.dns.v)
		dns_set_servers(net, &ic.dns, 1);
	/* the last step: once this is logged, the whole static configuration is in place */
	pr_info("ipconfig: %s: static %s/%d gw %s dns %s\n", dev->name, in_ntoa(ic.addr, a),
		ic.prefix, ic.gw.v ? in_ntoa(ic.gw, g) : "none", ic.dns.v ? in_ntoa(ic.dns, d) : "none");
}

static void ic_netdev_event(struct notifier_block *nb, unsigned long event,
			    struct net_device *dev)
{
	if (event == NETDEV_REGISTER && ic.set && !ic.applied && !(dev->flags & IFF_LOOPBACK) &&
	    dev_net(dev) == &init_net)
		ic_apply(dev);
}

static struct notifier_block ic_notifier = { .notifier_call = ic_netdev_event };

int net_config_from_cmdline(const char *ip, const char *gw, const char *dns)
{
	static bool registered;
	struct net_device *dev;

	memset(&ic, 0, sizeof(ic));
	if (!ip || !strcmp(ip, "dhcp")) {
		ic.dhcp = true;
	} else if (in4_pton_prefix(ip, &ic.addr, &ic.prefix) ||
		   (gw && in4_pton(gw, &ic.gw)) || (dns && in4_pton(dns, &ic.dns))) {
		pr_err("ipconfig: bad ip=/gw=/dns= on the command line\n");
		return -EINVAL;
	}
	ic.set = true;
	if (!registered) {
		registered = true;
		register_netdevice_notifier(&ic_notifier);
	}
	list_for_each_entry(dev, &init_net.dev_list, dev_list)
		if (!(dev->flags & IFF_LOOPBACK)) {
			ic_apply(dev);
			break;
		}
	return 0;
}
