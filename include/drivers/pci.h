/* PCI: configuration space, BARs, capabilities, interrupts (INTx, MSI, MSI-X) and the
 * driver registration API (Linux's include/linux/pci.h, much reduced).
 *
 *   pci_init()                     drivers/pci.c: enumerate (ECAM, else ports 0xCF8/0xCFC)
 *     -> pci_register_driver()     each driver's id table is matched against the devices
 *     -> driver->probe(pdev, id)   the driver: pci_enable_device(), pci_set_master(),
 *                                  pci_iomap(), pci_alloc_irq_vectors(), pci_request_irq()
 *
 * Interrupts (drivers/pci_irq.c): pci_alloc_irq_vectors(pdev, min, max, flags) picks
 * MSI-X, then MSI, then INTx, as flags allow (`pci=nomsi` on the command line leaves only
 * INTx); pci_request_irq(pdev, nr, ...) installs the handler of vector nr. MSI and MSI-X
 * messages target the LAPIC (fixed delivery, edge); INTx is a level-triggered, active-low
 * IOAPIC line whose GSI pci_intx_gsi() computes (see pci_irq.c for the q35 routing).
 *
 * Everything here runs at boot or in thread context; config space accesses are
 * serialised by one spinlock. */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <seqos/interrupt.h>
#include <seqos/list.h>
#include <seqos/types.h>

/* ---- configuration space header (PCI Local Bus 3.0 §6.1, PCIe 4.0 §7.5.1) ---- */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define   PCI_COMMAND_IO (1u << 0)
#define   PCI_COMMAND_MEMORY (1u << 1)
#define   PCI_COMMAND_MASTER (1u << 2)
#define   PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS 0x06
#define   PCI_STATUS_INTERRUPT (1u << 3)
#define   PCI_STATUS_CAP_LIST (1u << 4)
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a /* subclass, then class at 0x0b */
#define PCI_HEADER_TYPE 0x0e
#define   PCI_HEADER_TYPE_MASK 0x7f
#define   PCI_HEADER_TYPE_NORMAL 0
#define   PCI_HEADER_TYPE_BRIDGE 1
#define   PCI_HEADER_MULTI_FUNCTION 0x80
#define PCI_BASE_ADDRESS_0 0x10
#define   PCI_BASE_ADDRESS_SPACE_IO 0x01
#define   PCI_BASE_ADDRESS_MEM_TYPE_64 0x04
#define   PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d /* 1 = INTA .. 4 = INTD, 0 = none */
/* type 1 (bridge) header */
#define PCI_PRIMARY_BUS 0x18
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBORDINATE_BUS 0x1a

/* ---- capability IDs (PCI Code and ID Assignment §2) ---- */
#define PCI_CAP_ID_PM 0x01
#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_EXP 0x10
#define PCI_CAP_ID_MSIX 0x11

/* MSI capability (PCI Local Bus 3.0 §6.8.1) */
#define PCI_MSI_FLAGS 0x02
#define   PCI_MSI_FLAGS_ENABLE (1u << 0)
#define   PCI_MSI_FLAGS_QMASK (7u << 1)  /* multiple message capable */
#define   PCI_MSI_FLAGS_QSIZE (7u << 4)  /* multiple message enable */
#define   PCI_MSI_FLAGS_64BIT (1u << 7)
#define   PCI_MSI_FLAGS_MASKBIT (1u << 8)
#define PCI_MSI_ADDRESS_LO 0x04
#define PCI_MSI_ADDRESS_HI 0x08 /* 64-bit capable only */
#define PCI_MSI_DATA_32 0x08
#define PCI_MSI_DATA_64 0x0c
#define PCI_MSI_MASK_32 0x0c
#define PCI_MSI_MASK_64 0x10

/* MSI-X capability (PCI Local Bus 3.0 §6.8.2) */
#define PCI_MSIX_FLAGS 0x02
#define   PCI_MSIX_FLAGS_QSIZE 0x07ffu    /* table size - 1 */
#define   PCI_MSIX_FLAGS_MASKALL (1u << 14)
#define   PCI_MSIX_FLAGS_ENABLE (1u << 15)
#define PCI_MSIX_TABLE 0x04                /* BIR in bits 2:0, offset above */
#define PCI_MSIX_PBA 0x08
#define   PCI_MSIX_BIR_MASK 0x7u
/* MSI-X table entry, 16 bytes */
#define PCI_MSIX_ENTRY_SIZE 16
#define PCI_MSIX_ENTRY_LOWER_ADDR 0x0
#define PCI_MSIX_ENTRY_UPPER_ADDR 0x4
#define PCI_MSIX_ENTRY_DATA 0x8
#define PCI_MSIX_ENTRY_VECTOR_CTRL 0xc
#define   PCI_MSIX_ENTRY_CTRL_MASKBIT 1u

#define PCI_ANY_ID 0xffff
#define PCI_MAX_VECTORS 8 /* per device: enough for a NIC's queues + config */

struct pci_bar {
	u64 start;   /* bus (= physical) address, or I/O port */
	u64 size;    /* 0: not implemented */
	u8 flags;    /* PCI_BAR_* */
};
#define PCI_BAR_IO (1u << 0)
#define PCI_BAR_MEM64 (1u << 1)
#define PCI_BAR_PREFETCH (1u << 2)

enum pci_irq_mode { PCI_IRQ_MODE_NONE, PCI_IRQ_MODE_INTX, PCI_IRQ_MODE_MSI, PCI_IRQ_MODE_MSIX };
/* pci_alloc_irq_vectors() flags (Linux's names) */
#define PCI_IRQ_LEGACY (1u << 0)
#define PCI_IRQ_MSI (1u << 1)
#define PCI_IRQ_MSIX (1u << 2)
#define PCI_IRQ_ALL_TYPES (PCI_IRQ_LEGACY | PCI_IRQ_MSI | PCI_IRQ_MSIX)

struct pci_driver;

struct pci_dev {
	struct list_head list;       /* on the global device list, in scan order */
	struct pci_dev *bridge;      /* upstream bridge, NULL on bus 0 */
	u8 bus, slot, func;
	u16 vendor, device, subsystem_vendor, subsystem_device;
	u8 class, subclass, prog_if, revision;
	u8 hdr_type;
	u8 irq_pin;                  /* 1..4 = INTA..INTD, 0 = none */
	u8 irq_line;                 /* as firmware left it (informational) */
	u8 msi_cap, msix_cap, pcie_cap; /* config offsets, 0 = absent */
	u16 msix_size;               /* MSI-X table entries */
	struct pci_bar bar[6];
	/* interrupts, from pci_alloc_irq_vectors() */
	enum pci_irq_mode irq_mode;
	u8 nvec;
	u8 vector[PCI_MAX_VECTORS];  /* CPU vectors (MSI/MSI-X) */
	u8 vec_cache[PCI_MAX_VECTORS], ncached; /* vectors kept from an earlier enable */
	int gsi;                     /* INTx: the IOAPIC line, -1 if none */
	void *msix_table;            /* mapped table (MSI-X) */
	u32 irq_handlers;            /* bit nr set while pci_request_irq(nr) is installed */
	/* driver */
	const struct pci_driver *driver;
	void *driver_data;           /* e.g. the struct net_device */
	const char *name;            /* e.g. "eth0", set by the driver for lspci */
};

struct pci_device_id {
	u16 vendor, device;          /* PCI_ANY_ID matches anything */
	u32 class_mask, class;       /* (class << 16 | subclass << 8 | prog_if) & mask */
	unsigned long driver_data;   /* driver's own tag (model) */
};
#define PCI_DEVICE(v, d) .vendor = (v), .device = (d), .class_mask = 0, .class = 0

struct pci_driver {
	const char *name;            /* `nic=` on the command line selects drivers by it */
	const struct pci_device_id *id_table; /* ends with vendor == 0 */
	/* Called once per matching device at pci_init (thread context); 0 claims it. */
	int (*probe)(struct pci_dev *pdev, const struct pci_device_id *id);
	/* optional: extra counters for `ethtool -S DEV` (kernel/ethtest.c) */
	void (*show_stats)(struct pci_dev *pdev);
	/* optional, for tests: make the driver see the next count RX completions as the
	 * device misreporting ("badlen": lengths too short or too long); 0 or -errno */
	int (*inject)(struct pci_dev *pdev, const char *fault, unsigned count);
	struct list_head list;
};

/* ---- enumeration and drivers (drivers/pci.c) ---- */
void pci_init(void);
/* Device probing (a thread at boot) has finished, waiting up to timeout_ns. */
bool pci_wait_probe(u64 timeout_ns);
int pci_register_driver(struct pci_driver *drv);
struct pci_dev *pci_get_device(u16 vendor, u16 device, struct pci_dev *from);
/* Calls fn for every device, in scan order. */
void pci_for_each_dev(void (*fn)(struct pci_dev *pdev, void *arg), void *arg);
/* Word of the `pci=` command-line value (a comma list: nomsi, nommconf). */
bool pci_cmdline_opt(const char *word);

/* ---- configuration space ---- */
u8 pci_read_config_byte(const struct pci_dev *pdev, u16 off);
u16 pci_read_config_word(const struct pci_dev *pdev, u16 off);
u32 pci_read_config_dword(const struct pci_dev *pdev, u16 off);
void pci_write_config_byte(const struct pci_dev *pdev, u16 off, u8 v);
void pci_write_config_word(const struct pci_dev *pdev, u16 off, u16 v);
void pci_write_config_dword(const struct pci_dev *pdev, u16 off, u32 v);
/* The offset of the first (next after pos) capability with id cap, or 0. */
u8 pci_find_capability(const struct pci_dev *pdev, u8 cap);
u8 pci_find_next_capability(const struct pci_dev *pdev, u8 pos, u8 cap);

/* ---- resources ---- */
int pci_enable_device(struct pci_dev *pdev);   /* memory and I/O decoding on */
void pci_disable_device(struct pci_dev *pdev);
void pci_set_master(struct pci_dev *pdev);     /* bus mastering (DMA) on */
void pci_clear_master(struct pci_dev *pdev);
/* Maps memory BAR bar (uncached); maxlen 0 = all of it. NULL for an I/O or absent BAR. */
void *pci_iomap(struct pci_dev *pdev, int bar, u64 maxlen);

/* ---- interrupts (drivers/pci_irq.c) ---- */
/* Sets up between min and max vectors of the first kind flags allow, in the order
 * MSI-X, MSI, INTx (INTx and MSI give one). Returns the number, or -errno. */
int pci_alloc_irq_vectors(struct pci_dev *pdev, unsigned min, unsigned max, unsigned flags);
void pci_free_irq_vectors(struct pci_dev *pdev);
/* Installs handler for vector nr (for INTx every nr shares the one line; handlers must
 * return IRQ_NONE when their device did not interrupt). 0 or -errno. */
int pci_request_irq(struct pci_dev *pdev, unsigned nr, irq_handler_t handler, void *data,
		    const char *name);
void pci_free_irq(struct pci_dev *pdev, unsigned nr, void *data);
/* The CPU vector of nr (MSI/MSI-X) or the GSI (INTx); -1 when none. */
int pci_irq_vector(const struct pci_dev *pdev, unsigned nr);
/* MSI-X: mask or unmask one table entry (the function stays enabled). */
void pci_msix_mask(struct pci_dev *pdev, unsigned nr, bool masked);
/* INTx: the GSI this device's pin reaches, or -1 (see drivers/pci_irq.c). */
int pci_intx_gsi(const struct pci_dev *pdev);
const char *pci_irq_mode_name(enum pci_irq_mode m);

#endif
