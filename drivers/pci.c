/* PCI enumeration, configuration space, BARs, capabilities and driver matching.
 *
 *   kernel_main -> net_boot -> pci_init(): pci_scan_bus(0) (recursing through bridges)
 *     -> pci_register_driver() (called by each driver's init, listed in pci_drivers[])
 *     -> pci_bus_match(): driver->probe(pdev, id)   e.g. e1000_probe, virtnet_probe
 *
 * Configuration space is reached through ECAM when ACPI has an MCFG table (PCIe 4.0
 * §7.2.2: 4 KiB per function at base + (bus << 20 | dev << 15 | fn << 12), mapped one
 * bus (1 MiB) at a time with ioremap), else through configuration mechanism #1 (PCI
 * Local Bus 3.0 §3.2.2.3.2: address to port 0xCF8, data at 0xCFC; 256 bytes only).
 * `pci=nommconf` forces the ports. Firmware (OVMF, a PC's UEFI) has assigned the BARs;
 * seqos sizes them (§6.2.5.1: write all ones, read back) but never moves them.
 *
 * Context: pci_init at boot, the rest from probe or thread context. A spinlock keeps
 * the two-step port accesses and BAR sizing atomic. */
#include <asm/io.h>
#include <drivers/acpi.h>
#include <drivers/pci.h>
#include <seqos/cmdline.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/spinlock.h>
#include <seqos/string.h>
#include <seqos/vm.h>

#define PCI_CONF1_ADDRESS 0xcf8
#define PCI_CONF1_DATA 0xcfc
#define PCI_MAX_SLOTS 32
#define PCI_MAX_FUNCS 8

static LIST_HEAD(pci_devices);
static LIST_HEAD(pci_drivers);
static DEFINE_SPINLOCK(pci_config_lock);
static bool pci_use_ecam;
static bool pci_scanned;
static DECLARE_COMPLETION(pci_probed);
static void *ecam_bus[256];   /* mapped ECAM windows, one per bus */

bool pci_cmdline_opt(const char *word)
{
	const char *v = cmdline_get("pci");
	size_t n = strlen(word);

	while (v && *v) {
		if (!strncmp(v, word, n) && (v[n] == 0 || v[n] == ','))
			return true;
		v = strchr(v, ',');
		if (v)
			v++;
	}
	return false;
}

/* ---- configuration space access ---- */
/* The ECAM address of (bus, slot, func, off), mapping the bus's window on first use. */
static volatile u8 *ecam_addr(u8 bus, u8 slot, u8 func, u16 off)
{
	if (bus < acpi.ecam_bus_start || bus > acpi.ecam_bus_end)
		return NULL;
	if (!ecam_bus[bus])
		ecam_bus[bus] = ioremap(acpi.ecam_base + ((u64)(bus - acpi.ecam_bus_start) << 20),
					1u << 20);
	return (volatile u8 *)ecam_bus[bus] + ((u32)slot << 15 | (u32)func << 12 | off);
}

static u32 conf1_address(u8 bus, u8 slot, u8 func, u16 off)
{
	return 0x80000000u | (u32)bus << 16 | (u32)slot << 11 | (u32)func << 8 | (off & 0xfc);
}

/* Reads size (1, 2, 4) bytes at off; all ones when nothing answers. */
static u32 pci_raw_read(u8 bus, u8 slot, u8 func, u16 off, int size)
{
	unsigned long flags;
	u32 v = 0xffffffffu;

	spin_lock_irqsave(&pci_config_lock, flags);
	if (pci_use_ecam) {
		volatile u8 *a = ecam_addr(bus, slot, func, off);
		if (a)
			v = size == 1 ? readb(a) : size == 2 ? readw(a) : readl(a);
	} else if (off < 256) {
		outl(PCI_CONF1_ADDRESS, conf1_address(bus, slot, func, off));
		u16 port = (u16)(PCI_CONF1_DATA + (off & 3));
		v = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
	}
	spin_unlock_irqrestore(&pci_config_lock, flags);
	return v;
}

static void pci_raw_write(u8 bus, u8 slot, u8 func, u16 off, int size, u32 v)
{
	unsigned long flags;

	spin_lock_irqsave(&pci_config_lock, flags);
	if (pci_use_ecam) {
		volatile u8 *a = ecam_addr(bus, slot, func, off);
		if (a) {
			if (size == 1)
				writeb((u8)v, a);
			else if (size == 2)
				writew((u16)v, a);
			else
				writel(v, a);
		}
	} else if (off < 256) {
		outl(PCI_CONF1_ADDRESS, conf1_address(bus, slot, func, off));
		u16 port = (u16)(PCI_CONF1_DATA + (off & 3));
		if (size == 1)
			outb(port, (u8)v);
		else if (size == 2)
			outw(port, (u16)v);
		else
			outl(port, v);
	}
	spin_unlock_irqrestore(&pci_config_lock, flags);
}

u8 pci_read_config_byte(const struct pci_dev *d, u16 off)
{
	return (u8)pci_raw_read(d->bus, d->slot, d->func, off, 1);
}
u16 pci_read_config_word(const struct pci_dev *d, u16 off)
{
	return (u16)pci_raw_read(d->bus, d->slot, d->func, off, 2);
}
u32 pci_read_config_dword(const struct pci_dev *d, u16 off)
{
	return pci_raw_read(d->bus, d->slot, d->func, off, 4);
}
void pci_write_config_byte(const struct pci_dev *d, u16 off, u8 v)
{
	pci_raw_write(d->bus, d->slot, d->func, off, 1, v);
}
void pci_write_config_word(const struct pci_dev *d, u16 off, u16 v)
{
	pci_raw_write(d->bus, d->slot, d->func, off, 2, v);
}
void pci_write_config_dword(const struct pci_dev *d, u16 off, u32 v)
{
	pci_raw_write(d->bus, d->slot, d->func, off, 4, v);
}

/* ---- capabilities (PCI Local Bus 3.0 §6.7) ---- */
u8 pci_find_next_capability(const struct pci_dev *d, u8 pos, u8 cap)
{
	int ttl = 48; /* a looping list ends here: at most 48 capabilities fit in 192 bytes */

	if (pos)
		pos = pci_read_config_byte(d, pos + 1);
	else if (pci_read_config_word(d, PCI_STATUS) & PCI_STATUS_CAP_LIST)
		pos = pci_read_config_byte(d, PCI_CAPABILITY_LIST);
	else
		return 0;
	while (pos >= 0x40 && ttl--) {
		pos &= ~3u;
		if (pci_read_config_byte(d, pos) == cap)
			return pos;
		pos = pci_read_config_byte(d, pos + 1);
	}
	return 0;
}

u8 pci_find_capability(const struct pci_dev *d, u8 cap)
{
	return pci_find_next_capability(d, 0, cap);
}

/* ---- BARs (PCI Local Bus 3.0 §6.2.5.1) ---- */
/* Sizes BAR i with decoding off, so the all-ones probe address never decodes; returns
 * how many BAR registers it used (2 for a 64-bit memory BAR). */
static int pci_read_bar(struct pci_dev *d, int i)
{
	u16 reg = (u16)(PCI_BASE_ADDRESS_0 + 4 * i);
	u32 lo = pci_read_config_dword(d, reg), szlo, hi = 0, szhi = 0xffffffffu;
	struct pci_bar *b = &d->bar[i];
	u64 mask;

	pci_write_config_dword(d, reg, 0xffffffffu);
	szlo = pci_read_config_dword(d, reg);
	pci_write_config_dword(d, reg, lo);
	if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
		b->flags = PCI_BAR_IO;
		b->start = lo & ~3u;
		szlo &= ~3u;
		b->size = szlo ? (u64)((~szlo + 1) & 0xffff) : 0;
		return 1;
	}
	if (lo & PCI_BASE_ADDRESS_MEM_PREFETCH)
		b->flags |= PCI_BAR_PREFETCH;
	if ((lo & 6u) == PCI_BASE_ADDRESS_MEM_TYPE_64 && i < 5) {
		hi = pci_read_config_dword(d, reg + 4);
		pci_write_config_dword(d, reg + 4, 0xffffffffu);
		szhi = pci_read_config_dword(d, reg + 4);
		pci_write_config_dword(d, reg + 4, hi);
		b->flags |= PCI_BAR_MEM64;
	}
	b->start = ((u64)hi << 32 | lo) & ~0xfULL;
	mask = ((u64)szhi << 32 | (szlo & ~0xfu));
	b->size = (szlo & ~0xfu) ? ~mask + 1 : 0;
	return (b->flags & PCI_BAR_MEM64) ? 2 : 1;
}

static void pci_read_bars(struct pci_dev *d)
{
	int nbars = (d->hdr_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE ? 2 : 6;
	u16 cmd = pci_read_config_word(d, PCI_COMMAND);

	pci_write_config_word(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < nbars;)
		i += pci_read_bar(d, i);
	pci_write_config_word(d, PCI_COMMAND, cmd);
}

int pci_enable_device(struct pci_dev *d)
{
	u16 cmd = pci_read_config_word(d, PCI_COMMAND), want = cmd;

	for (int i = 0; i < 6; i++) {
		if (!d->bar[i].size)
			continue;
		want |= (d->bar[i].flags & PCI_BAR_IO) ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	}
	if (want != cmd)
		pci_write_config_word(d, PCI_COMMAND, want);
	return 0;
}

void pci_disable_device(struct pci_dev *d)
{
	u16 cmd = pci_read_config_word(d, PCI_COMMAND);
	pci_write_config_word(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
						      PCI_COMMAND_MASTER));
}

void pci_set_master(struct pci_dev *d)
{
	u16 cmd = pci_read_config_word(d, PCI_COMMAND);
	if (!(cmd & PCI_COMMAND_MASTER))
		pci_write_config_word(d, PCI_COMMAND, cmd | PCI_COMMAND_MASTER);
}

void pci_clear_master(struct pci_dev *d)
{
	u16 cmd = pci_read_config_word(d, PCI_COMMAND);
	pci_write_config_word(d, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
}

void *pci_iomap(struct pci_dev *d, int bar, u64 maxlen)
{
	struct pci_bar *b;

	if (bar < 0 || bar > 5)
		return NULL;
	b = &d->bar[bar];
	if (!b->size || (b->flags & PCI_BAR_IO) || !b->start)
		return NULL;
	return ioremap(b->start, (size_t)(maxlen && maxlen < b->size ? maxlen : b->size));
}

/* ---- enumeration ---- */
static void pci_scan_bus(u8 bus, struct pci_dev *bridge, int depth);

static struct pci_dev *pci_scan_function(u8 bus, u8 slot, u8 func, struct pci_dev *bridge)
{
	u32 id = pci_raw_read(bus, slot, func, PCI_VENDOR_ID, 4);
	struct pci_dev *d;
	u32 cls;

	if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
		return NULL;
	d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	d->bus = bus;
	d->slot = slot;
	d->func = func;
	d->bridge = bridge;
	d->vendor = (u16)id;
	d->device = (u16)(id >> 16);
	cls = pci_read_config_dword(d, PCI_REVISION_ID);
	d->revision = (u8)cls;
	d->prog_if = (u8)(cls >> 8);
	d->subclass = (u8)(cls >> 16);
	d->class = (u8)(cls >> 24);
	d->hdr_type = pci_read_config_byte(d, PCI_HEADER_TYPE);
	if ((d->hdr_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_NORMAL) {
		d->subsystem_vendor = pci_read_config_word(d, PCI_SUBSYSTEM_VENDOR_ID);
		d->subsystem_device = pci_read_config_word(d, PCI_SUBSYSTEM_ID);
	}
	d->irq_pin = pci_read_config_byte(d, PCI_INTERRUPT_PIN);
	d->irq_line = pci_read_config_byte(d, PCI_INTERRUPT_LINE);
	if (d->irq_pin > 4)
		d->irq_pin = 0;
	d->msi_cap = pci_find_capability(d, PCI_CAP_ID_MSI);
	d->msix_cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
	d->pcie_cap = pci_find_capability(d, PCI_CAP_ID_EXP);
	if (d->msix_cap)
		d->msix_size = (u16)((pci_read_config_word(d, d->msix_cap + PCI_MSIX_FLAGS) &
				      PCI_MSIX_FLAGS_QSIZE) + 1);
	d->gsi = -1;
	pci_read_bars(d);
	list_add_tail(&d->list, &pci_devices);
	return d;
}

static void pci_scan_bus(u8 bus, struct pci_dev *bridge, int depth)
{
	for (u8 slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		for (u8 func = 0; func < PCI_MAX_FUNCS; func++) {
			struct pci_dev *d = pci_scan_function(bus, slot, func, bridge);

			if (!d) {
				if (func == 0)
					break;
				continue;
			}
			if ((d->hdr_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE &&
			    depth < 8) {
				u8 sec = pci_read_config_byte(d, PCI_SECONDARY_BUS);
				if (sec > bus) /* firmware numbered it; never loop back */
					pci_scan_bus(sec, d, depth + 1);
			}
			if (func == 0 && !(d->hdr_type & PCI_HEADER_MULTI_FUNCTION))
				break;
		}
	}
}

/* ---- drivers ---- */
static const struct pci_device_id *pci_match_id(const struct pci_device_id *ids,
						const struct pci_dev *d)
{
	u32 cls = (u32)d->class << 16 | (u32)d->subclass << 8 | d->prog_if;

	for (; ids->vendor; ids++)
		if ((ids->vendor == PCI_ANY_ID || ids->vendor == d->vendor) &&
		    (ids->device == PCI_ANY_ID || ids->device == d->device) &&
		    (cls & ids->class_mask) == ids->class)
			return ids;
	return NULL;
}

static void pci_bus_match(struct pci_driver *drv)
{
	const char *only = cmdline_get("nic");
	struct pci_dev *d;

	if (only && *only && strcmp(only, drv->name))
		return;
	list_for_each_entry(d, &pci_devices, list) {
		const struct pci_device_id *id;
		int err;

		if (d->driver || !(id = pci_match_id(drv->id_table, d)))
			continue;
		d->driver = drv;
		err = drv->probe(d, id);
		if (err) {
			pr_warn("pci %02x:%02x.%u: %s probe failed (%d)\n", d->bus, d->slot, d->func,
				drv->name, err);
			d->driver = NULL;
		}
	}
}

int pci_register_driver(struct pci_driver *drv)
{
	list_add_tail(&drv->list, &pci_drivers);
	if (pci_scanned)
		pci_bus_match(drv);
	return 0;
}

struct pci_dev *pci_get_device(u16 vendor, u16 device, struct pci_dev *from)
{
	struct list_head *p = from ? from->list.next : pci_devices.next;

	for (; p != &pci_devices; p = p->next) {
		struct pci_dev *d = list_entry(p, struct pci_dev, list);
		if ((vendor == PCI_ANY_ID || d->vendor == vendor) &&
		    (device == PCI_ANY_ID || d->device == device))
			return d;
	}
	return NULL;
}

void pci_for_each_dev(void (*fn)(struct pci_dev *pdev, void *arg), void *arg)
{
	struct pci_dev *d;

	list_for_each_entry(d, &pci_devices, list)
		fn(d, arg);
}

/* The drivers built in; each registers itself (Linux's module_pci_driver). */
void e1000_init(void) __attribute__((weak));
void virtio_net_init(void) __attribute__((weak));
void virtio_console_init(void) __attribute__((weak));

void pci_init(void)
{
	unsigned n = 0;
	struct pci_dev *d;

	pci_use_ecam = acpi.ecam_base && !pci_cmdline_opt("nommconf");
	pci_scan_bus(0, NULL, 0);
	pci_scanned = true;
	list_for_each_entry(d, &pci_devices, list)
		n++;
	pr_info("pci: %u functions via %s%s\n", n, pci_use_ecam ? "ECAM" : "ports 0xcf8/0xcfc",
		pci_cmdline_opt("nomsi") ? ", MSI off (pci=nomsi)" : "");
	if (e1000_init)
		e1000_init();
	if (virtio_net_init)
		virtio_net_init();
	if (virtio_console_init)
		virtio_console_init();
	complete_all(&pci_probed);
}

/* Probing runs in its own thread at boot (kernel/net_boot.c); what lists devices waits
 * for it, as Linux's wait_for_device_probe(), so it never shows a half-probed driver. */
bool pci_wait_probe(u64 timeout_ns)
{
	return wait_for_completion_timeout(&pci_probed, timeout_ns);
}

/* ---- shell: lspci ---- */
static const char *pci_class_name(const struct pci_dev *d)
{
	switch (d->class << 8 | d->subclass) {
	case 0x0100: return "SCSI storage controller";
	case 0x0101: return "IDE interface";
	case 0x0106: return "SATA controller";
	case 0x0108: return "Non-Volatile memory controller";
	case 0x0200: return "Ethernet controller";
	case 0x0300: return "VGA compatible controller";
	case 0x0403: return "Audio device";
	case 0x0600: return "Host bridge";
	case 0x0601: return "ISA bridge";
	case 0x0604: return "PCI bridge";
	case 0x0c03: return "USB controller";
	case 0x0c05: return "SMBus";
	case 0x00ff: return "Unclassified device";
	}
	switch (d->class) {
	case 0x01: return "Mass storage controller";
	case 0x02: return "Network controller";
	case 0x06: return "Bridge";
	case 0x08: return "System peripheral";
	case 0x0c: return "Serial bus controller";
	}
	return "Device";
}

static void lspci_one(struct pci_dev *d, void *arg)
{
	bool verbose = *(bool *)arg;

	kprintf("%02x:%02x.%u %s [%02x%02x]: %04x:%04x (rev %02x)", d->bus, d->slot, d->func,
		pci_class_name(d), d->class, d->subclass, d->vendor, d->device, d->revision);
	if (d->driver)
		kprintf("  %s%s%s", d->driver->name, d->name ? " " : "", d->name ? d->name : "");
	kprintf("\n");
	if (!verbose)
		return;
	if (d->subsystem_vendor)
		kprintf("\tSubsystem: %04x:%04x\n", d->subsystem_vendor, d->subsystem_device);
	if (d->irq_pin)
		kprintf("\tInterrupt: pin %c, line %u (firmware), INTx GSI %d\n", 'A' + d->irq_pin - 1,
			d->irq_line, pci_intx_gsi(d));
	for (int i = 0; i < 6; i++) {
		const struct pci_bar *b = &d->bar[i];
		if (!b->size)
			continue;
		if (b->flags & PCI_BAR_IO)
			kprintf("\tRegion %d: I/O ports at %04lx [size=%lu]\n", i,
				(unsigned long)b->start, (unsigned long)b->size);
		else
			kprintf("\tRegion %d: Memory at %lx (%s, %sprefetchable) [size=%luK]\n", i,
				(unsigned long)b->start, (b->flags & PCI_BAR_MEM64) ? "64-bit" : "32-bit",
				(b->flags & PCI_BAR_PREFETCH) ? "" : "non-", (unsigned long)(b->size >> 10));
	}
	if (d->msi_cap)
		kprintf("\tCapabilities: [%02x] MSI: Enable%c\n", d->msi_cap,
			(pci_read_config_word(d, d->msi_cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE) ? '+'
													  : '-');
	if (d->msix_cap)
		kprintf("\tCapabilities: [%02x] MSI-X: Enable%c Count=%u\n", d->msix_cap,
			(pci_read_config_word(d, d->msix_cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE) ?
				'+' : '-', d->msix_size);
	if (d->pcie_cap)
		kprintf("\tCapabilities: [%02x] Express\n", d->pcie_cap);
	if (d->irq_mode != PCI_IRQ_MODE_NONE) {
		kprintf("\tIRQ: %s", pci_irq_mode_name(d->irq_mode));
		if (d->irq_mode == PCI_IRQ_MODE_INTX)
			kprintf(" GSI %d", d->gsi);
		else
			for (unsigned i = 0; i < d->nvec; i++)
				kprintf("%s%u", i ? "," : " vectors ", d->vector[i]);
		kprintf("\n");
	}
}

static int cmd_lspci(int argc, char **argv)
{
	bool verbose = argc > 1 && !strcmp(argv[1], "-v");

	if (argc > 1 && !verbose) {
		kprintf("usage: lspci [-v]\n");
		return 1;
	}
	if (!pci_wait_probe(5000000000ULL))
		kprintf("lspci: device probing still running after 5 s; the list may be partial\n");
	pci_for_each_dev(lspci_one, &verbose);
	return 0;
}
SHELL_CMD("lspci", "lspci [-v] - PCI devices, their BARs, capabilities and interrupts", cmd_lspci);
