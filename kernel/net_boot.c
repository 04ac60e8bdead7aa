/* Network bring-up at boot: the stack first (softirqs, protocols, loopback, DHCP/DNS),
 * then the address configuration from the command line (applied when the first
 * Ethernet device registers), then the PCI scan whose drivers register the devices. */
#include <net/dhcp.h>
#include <net/net_namespace.h>
#include <seqos/cmdline.h>
#include <seqos/printk.h>

void inet_socket_init(void);

void pci_init(void) __attribute__((weak));

void net_boot(void)
{
	net_init();
	inet_socket_init();
	if (net_config_from_cmdline(cmdline_get("ip"), cmdline_get("gw"), cmdline_get("dns")) < 0)
		pr_warn("net: bad ip=/gw=/dns= on the command line; using DHCP\n");
	if (pci_init)
		pci_init();
	else
		pr_warn("net: no PCI support in this build: no network devices\n");
}
