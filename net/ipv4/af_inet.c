/* Bring-up of the IPv4 stack (Linux inet_init): registers the ethertype handlers (ARP,
 * IP), the IP protocol handlers (ICMP, UDP), the per-namespace state of each and the
 * device-event listeners; then sets up init_net and the services (DHCP, DNS). The kernel
 * calls net_init() once, in thread context, before drivers register devices. */
#include <net/arp.h>
#include <net/dhcp.h>
#include <net/dns.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/netdevice.h>
#include <net/tcp.h>
#include <net/udp.h>
#include <seqos/printk.h>
#include <seqos/random.h>
#include <seqos/string.h>

static int inet_net_init(struct net *net)
{
	spin_lock_init(&net->ipv4.route_lock);
	net->ipv4.route_lock.name = "route_lock";
	net->ipv4.ip_id = (u16)get_random_u32();
	ip_frag_net_init(net);
	icmp_net_init(net);
	udp_net_init(net);
	dns_net_init(net);
	return 0;
}

static void inet_net_exit(struct net *net)
{
	dns_net_exit(net);
	ip_frag_net_exit(net);
	udp_net_exit(net);
	fib_flush_dev(net, 0);
}

static void inet_netdev_event(struct notifier_block *nb, unsigned long event,
			      struct net_device *dev)
{
	/* queued fragments point at the device: drop them with it */
	if (event == NETDEV_UNREGISTER)
		ip_frag_flush(dev_net(dev));
}

static struct packet_type ip_packet_type = { .type = ETH_P_IP, .func = ip_rcv };
static struct pernet_operations inet_net_ops = { .init = inet_net_init, .exit = inet_net_exit };
static struct notifier_block inet_notifier = { .notifier_call = inet_netdev_event };

void net_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	net_dev_init();
	register_pernet_subsys(&inet_net_ops);
	arp_init();
	devinet_init();
	register_netdevice_notifier(&inet_notifier);
	dev_add_pack(&ip_packet_type);
	icmp_init();
	udp_init();
	tcp_init();
	dhcp_init();
	if (net_ns_init(&init_net, "init_net"))
		pr_err("net: cannot set up init_net\n");
}
