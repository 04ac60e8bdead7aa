/* Network bring-up at boot: the stack first (softirqs, protocols, loopback, DHCP/DNS),
 * then the address configuration from the command line (applied when the first
 * Ethernet device registers), then the PCI scan whose drivers register the devices.
 *
 * The scan runs in its own thread, one priority below the apps: resetting a NIC and
 * filling its receive ring takes tens of milliseconds, and nothing else needs to wait
 * for it — servers listen on INADDR_ANY at once, clients wait for an address
 * (apps/apps.c), and the address configuration applies when the device appears (as
 * Linux probes devices asynchronously). */
#include <net/dhcp.h>
#include <net/net_namespace.h>
#include <seqos/cmdline.h>
#include <seqos/printk.h>
#include <seqos/sched.h>

void inet_socket_init(void);

void pci_init(void) __attribute__((weak));

static int pci_probe_thread(void *arg)
{
	pci_init();
	return 0;
}

void net_boot(void)
{
	net_init();
	inet_socket_init();
	if (net_config_from_cmdline(cmdline_get("ip"), cmdline_get("gw"), cmdline_get("dns")) < 0)
		pr_warn("net: bad ip=/gw=/dns= on the command line; using DHCP\n");
	if (pci_init) {
		struct thread *t = kthread_create(pci_probe_thread, NULL, "pciprobe", PRIO_DEFAULT + 1);
		if (t)
			thread_detach(t);
		else
			pci_init();
	} else
		pr_warn("net: no PCI support in this build: no network devices\n");
}
