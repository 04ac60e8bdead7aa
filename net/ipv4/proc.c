/* Protocol counters as Linux's /proc/net/snmp shows them, for `netstat -s`
 * (include/net/snmp.h). */
#include <net/net_namespace.h>
#include <net/snmp.h>
#include <net/tcp.h>
#include <seqos/shell.h>
#include <seqos/string.h>

#define MIB_NAME_(id, name) name,
static const char *const ip_names[] = { IPSTATS_MIB(MIB_NAME_) };
static const char *const icmp_names[] = { ICMP_MIB(MIB_NAME_) };
static const char *const udp_names[] = { UDP_MIB(MIB_NAME_) };
static const char *const arp_names[] = { ARP_MIB(MIB_NAME_) };
#undef MIB_NAME_

static void show(const char *group, const char *const *names, const u64 *v, int n)
{
	kprintf("%s:\n", group);
	for (int i = 0; i < n; i++)
		kprintf("    %-20s %llu\n", names[i], (unsigned long long)v[i]);
}

void net_snmp_show(struct net *net)
{
	kprintf("Ip:\n    %-20s %d\n    %-20s %d\n", "Forwarding", net->ipv4.forwarding ? 1 : 2,
		"DefaultTTL", IP_DEFAULT_TTL);
	show("Ip", ip_names, net->mib.ip, IPSTATS_MIB_MAX);
	show("Icmp", icmp_names, net->mib.icmp, ICMP_MIB_MAX);
	kprintf("IcmpMsg:\n");
	for (int t = 0; t < 256; t++) {
		if (net->mib.icmp_in_type[t])
			kprintf("    InType%-14d %llu\n", t,
				(unsigned long long)net->mib.icmp_in_type[t]);
		if (net->mib.icmp_out_type[t])
			kprintf("    OutType%-13d %llu\n", t,
				(unsigned long long)net->mib.icmp_out_type[t]);
	}
	show("Udp", udp_names, net->mib.udp, UDP_MIB_MAX);
	show("ArpExt", arp_names, net->mib.arp, ARP_MIB_MAX);
	tcp_snmp_show(net);
}

/* netstat -s */
int net_cmd_netstat(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "-t")) {
		tcp_netstat_show(&init_net);
		return 0;
	}
	if (argc != 2 || strcmp(argv[1], "-s")) {
		kprintf("usage: netstat -s | -t\n");
		return 1;
	}
	net_snmp_show(&init_net);
	return 0;
}
SHELL_CMD("netstat", "netstat -s | -t - protocol counters (as /proc/net/snmp) | TCP sockets",
	  net_cmd_netstat);
