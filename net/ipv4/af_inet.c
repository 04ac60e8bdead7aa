/* Bring-up of the IPv4 stack (Linux inet_init): registers the ethertype handlers (ARP,
 * IP), the IP protocol handlers (ICMP, UDP), the per-namespace state of each, and the
 * device-event listeners; then sets up init_net. The kernel calls net_init() once. */
#include <net/net_namespace.h>
#include <net/netdevice.h>
#include <seqos/printk.h>

void net_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	net_dev_init();
	if (net_ns_init(&init_net, "init_net"))
		pr_err("net: cannot set up init_net\n");
}
