/* PCI interrupts: MSI-X, MSI and INTx (Linux's drivers/pci/msi and pci_alloc_irq_vectors).
 *
 *   driver probe/open -> pci_alloc_irq_vectors(pdev, min, max, flags)
 *                     -> pci_request_irq(pdev, nr, handler, ...)
 *   device interrupt  -> LAPIC vector (MSI/MSI-X) or IOAPIC line (INTx)
 *                     -> irq_dispatch() -> handler   (hard IRQ context, kernel/irq.c)
 *
 * MSI and MSI-X messages are memory writes to the LAPIC of this CPU: address
 * msi_address(lapic_id()), data msi_data(vector) (fixed delivery, edge; Intel SDM Vol. 3A
 * §11.11). Each vector comes from irq_alloc_vector(). While MSI or MSI-X is on, the
 * function's INTx is disabled (PCI_COMMAND_INTX_DISABLE), as PCI 3.0 §6.8 requires.
 *
 * INTx is a level-triggered, active-low line, shared between functions: handlers must
 * say IRQ_NONE when their device did not assert it, and must make the device deassert it
 * (read its cause register) before returning, since the EOI follows the handlers.
 *
 * Which GSI an INTx pin reaches is the platform's business, told by the ACPI _PRT
 * method, which seqos does not interpret (no AML). On QEMU's q35 (host bridge
 * 8086:29c0) the routing is fixed and known: QEMU's DSDT and ICH9 LPC model route a
 * device in slot S of bus 0, pin P (INTA = 0), to
 *     PIRQ[E + (S + P) % 4]  for S < 24,   PIRQ[E + P] for S = 24 and 30,
 *     PIRQ[A + P]            for S = 25..29 and 31,
 * and in APIC mode PIRQ[A..H] are IOAPIC inputs 16..23 (ICH9 datasheet §5.9: "PIRQ[A:H]
 * routed to IRQ 16-23"). Behind bridges the pin is swizzled, pin' = (pin + slot) % 4 at
 * each level (PCI-to-PCI Bridge Architecture 1.2 §9.1), up to the slot on bus 0. On other
 * chipsets the Interrupt Line register is taken as the GSI when it is >= 16 (firmware
 * that programmed APIC routing); a value below 16 is a PIC line and INTx is refused
 * (MSI works on every PCIe device and is preferred anyway). The firmware's Interrupt
 * Line on q35 holds the 8259 routing (10, 11), not the GSI, which is why it is not used. */
#include <asm/apic.h>
#include <asm/io.h>
#include <drivers/pci.h>
#include <seqos/errno.h>
#include <seqos/irq.h>
#include <seqos/printk.h>
#include <seqos/vm.h>

#define Q35_MCH_VENDOR 0x8086
#define Q35_MCH_DEVICE 0x29c0

const char *pci_irq_mode_name(enum pci_irq_mode m)
{
	static const char *const names[] = { "none", "INTx", "MSI", "MSI-X" };
	return m <= PCI_IRQ_MODE_MSIX ? names[m] : "?";
}

static bool platform_is_q35(void)
{
	return pci_get_device(Q35_MCH_VENDOR, Q35_MCH_DEVICE, NULL) != NULL;
}

int pci_intx_gsi(const struct pci_dev *d)
{
	const struct pci_dev *p = d;
	int pin, slot, pirq;

	if (!d->irq_pin)
		return -1;
	if (!platform_is_q35())
		return d->irq_line >= 16 && d->irq_line < 0xff ? d->irq_line : -1;
	pin = d->irq_pin - 1;
	for (; p->bridge; p = p->bridge)
		pin = (pin + p->slot) % 4;
	slot = p->slot;
	if (slot < 24)
		pirq = 4 + (slot + pin) % 4;
	else if (slot == 24 || slot == 30)
		pirq = 4 + pin;
	else
		pirq = pin;
	return 16 + pirq;
}

static void pci_intx(struct pci_dev *d, bool enable)
{
	u16 cmd = pci_read_config_word(d, PCI_COMMAND);
	u16 want = enable ? cmd & ~PCI_COMMAND_INTX_DISABLE : cmd | PCI_COMMAND_INTX_DISABLE;

	if (want != cmd)
		pci_write_config_word(d, PCI_COMMAND, want);
}

/* CPU vectors are never given back to kernel/irq.c (it has no call for that), so a
 * device keeps the ones it got and reuses them when it enables MSI again (close, open). */
static void free_vectors(struct pci_dev *d)
{
	for (unsigned i = 0; i < d->nvec; i++)
		if (d->ncached < PCI_MAX_VECTORS)
			d->vec_cache[d->ncached++] = d->vector[i];
	d->nvec = 0;
}

static int alloc_vectors(struct pci_dev *d, unsigned n)
{
	d->nvec = 0;
	while (d->nvec < n) {
		int v = d->ncached ? d->vec_cache[--d->ncached] : irq_alloc_vector();

		if (v < 0) {
			free_vectors(d);
			return -ENOSPC;
		}
		d->vector[d->nvec++] = (u8)v;
	}
	return 0;
}

/* MSI-X table entry nr: address, data, then unmask (PCI 3.0 §6.8.2.6-9). */
static void msix_write_entry(struct pci_dev *d, unsigned nr, u8 vector)
{
	volatile u8 *e = (volatile u8 *)d->msix_table + nr * PCI_MSIX_ENTRY_SIZE;
	u64 addr = msi_address((u8)lapic_id());

	writel(PCI_MSIX_ENTRY_CTRL_MASKBIT, e + PCI_MSIX_ENTRY_VECTOR_CTRL);
	writel((u32)addr, e + PCI_MSIX_ENTRY_LOWER_ADDR);
	writel((u32)(addr >> 32), e + PCI_MSIX_ENTRY_UPPER_ADDR);
	writel(msi_data(vector), e + PCI_MSIX_ENTRY_DATA);
	writel(0, e + PCI_MSIX_ENTRY_VECTOR_CTRL);
}

void pci_msix_mask(struct pci_dev *d, unsigned nr, bool masked)
{
	volatile u8 *e;

	if (d->irq_mode != PCI_IRQ_MODE_MSIX || nr >= d->nvec)
		return;
	e = (volatile u8 *)d->msix_table + nr * PCI_MSIX_ENTRY_SIZE;
	writel(masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0, e + PCI_MSIX_ENTRY_VECTOR_CTRL);
	(void)readl(e + PCI_MSIX_ENTRY_VECTOR_CTRL); /* flush the posted write */
}

/* Enables MSI-X with n vectors: the function is masked while its table is written. */
static int msix_enable(struct pci_dev *d, unsigned n)
{
	u32 tbl = pci_read_config_dword(d, d->msix_cap + PCI_MSIX_TABLE);
	u8 bir = tbl & PCI_MSIX_BIR_MASK;
	u16 ctrl;

	if (bir > 5 || !d->bar[bir].size)
		return -ENODEV;
	if (!d->msix_table) {
		u64 off = tbl & ~(u32)PCI_MSIX_BIR_MASK;
		if (off + (u64)d->msix_size * PCI_MSIX_ENTRY_SIZE > d->bar[bir].size)
			return -EINVAL;
		d->msix_table = ioremap(d->bar[bir].start + off, d->msix_size * PCI_MSIX_ENTRY_SIZE);
	}
	if (alloc_vectors(d, n))
		return -ENOSPC;
	ctrl = pci_read_config_word(d, d->msix_cap + PCI_MSIX_FLAGS);
	pci_write_config_word(d, d->msix_cap + PCI_MSIX_FLAGS,
			      ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (unsigned i = 0; i < d->msix_size; i++) /* unused entries stay masked */
		writel(PCI_MSIX_ENTRY_CTRL_MASKBIT, (volatile u8 *)d->msix_table +
			i * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL);
	for (unsigned i = 0; i < n; i++)
		msix_write_entry(d, i, d->vector[i]);
	pci_intx(d, false);
	pci_write_config_word(d, d->msix_cap + PCI_MSIX_FLAGS,
			      (ctrl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
	d->irq_mode = PCI_IRQ_MODE_MSIX;
	return (int)n;
}

/* Enables MSI with one message (PCI 3.0 §6.8.1: Multiple Message Enable = 0). */
static int msi_enable(struct pci_dev *d)
{
	u16 flags = pci_read_config_word(d, d->msi_cap + PCI_MSI_FLAGS);
	u64 addr = msi_address((u8)lapic_id());

	if (alloc_vectors(d, 1))
		return -ENOSPC;
	pci_write_config_dword(d, d->msi_cap + PCI_MSI_ADDRESS_LO, (u32)addr);
	if (flags & PCI_MSI_FLAGS_64BIT) {
		pci_write_config_dword(d, d->msi_cap + PCI_MSI_ADDRESS_HI, (u32)(addr >> 32));
		pci_write_config_word(d, d->msi_cap + PCI_MSI_DATA_64, (u16)msi_data(d->vector[0]));
		if (flags & PCI_MSI_FLAGS_MASKBIT)
			pci_write_config_dword(d, d->msi_cap + PCI_MSI_MASK_64, 0);
	} else {
		pci_write_config_word(d, d->msi_cap + PCI_MSI_DATA_32, (u16)msi_data(d->vector[0]));
		if (flags & PCI_MSI_FLAGS_MASKBIT)
			pci_write_config_dword(d, d->msi_cap + PCI_MSI_MASK_32, 0);
	}
	pci_intx(d, false);
	flags &= ~PCI_MSI_FLAGS_QSIZE;
	pci_write_config_word(d, d->msi_cap + PCI_MSI_FLAGS, flags | PCI_MSI_FLAGS_ENABLE);
	d->irq_mode = PCI_IRQ_MODE_MSI;
	return 1;
}

int pci_alloc_irq_vectors(struct pci_dev *d, unsigned min, unsigned max, unsigned flags)
{
	bool nomsi = pci_cmdline_opt("nomsi");
	int gsi;

	if (d->irq_mode != PCI_IRQ_MODE_NONE)
		return -EBUSY;
	if (!min || min > max)
		return -EINVAL;
	if (max > PCI_MAX_VECTORS)
		max = PCI_MAX_VECTORS;
	if (!nomsi && (flags & PCI_IRQ_MSIX) && d->msix_cap && d->msix_size >= min) {
		int n = msix_enable(d, MIN(max, d->msix_size));
		if (n > 0)
			return n;
	}
	if (!nomsi && (flags & PCI_IRQ_MSI) && d->msi_cap && min == 1) {
		int n = msi_enable(d);
		if (n > 0)
			return n;
	}
	if (!(flags & PCI_IRQ_LEGACY) || min != 1)
		return -ENOSPC;
	gsi = pci_intx_gsi(d);
	if (gsi < 16 || (u32)gsi >= ioapic_max_gsi()) {
		pr_warn("pci %02x:%02x.%u: no INTx route (pin %u, line %u)\n", d->bus, d->slot,
			d->func, d->irq_pin, d->irq_line);
		return -ENODEV;
	}
	d->gsi = gsi;
	d->nvec = 1;
	d->irq_mode = PCI_IRQ_MODE_INTX;
	pci_intx(d, true);
	return 1;
}

int pci_irq_vector(const struct pci_dev *d, unsigned nr)
{
	if (d->irq_mode == PCI_IRQ_MODE_INTX)
		return d->gsi;
	if (d->irq_mode == PCI_IRQ_MODE_NONE || nr >= d->nvec)
		return -1;
	return d->vector[nr];
}

int pci_request_irq(struct pci_dev *d, unsigned nr, irq_handler_t handler, void *data,
		    const char *name)
{
	int err;

	if (d->irq_mode == PCI_IRQ_MODE_NONE || nr >= d->nvec)
		return -EINVAL;
	if (d->irq_mode == PCI_IRQ_MODE_INTX)
		err = request_irq((unsigned)d->gsi, handler, 0, name, data);
	else
		err = request_vector(d->vector[nr], handler, name, data);
	if (err)
		return -EBUSY;
	d->irq_handlers |= 1u << nr;
	return 0;
}

void pci_free_irq(struct pci_dev *d, unsigned nr, void *data)
{
	if (nr >= d->nvec || !(d->irq_handlers & (1u << nr)))
		return;
	if (d->irq_mode == PCI_IRQ_MODE_INTX)
		free_irq((unsigned)d->gsi, data);
	else
		free_vector(d->vector[nr], data);
	d->irq_handlers &= ~(1u << nr);
}

void pci_free_irq_vectors(struct pci_dev *d)
{
	switch (d->irq_mode) {
	case PCI_IRQ_MODE_MSIX: {
		u16 ctrl = pci_read_config_word(d, d->msix_cap + PCI_MSIX_FLAGS);
		for (unsigned i = 0; i < d->nvec; i++)
			pci_msix_mask(d, i, true);
		pci_write_config_word(d, d->msix_cap + PCI_MSIX_FLAGS, ctrl & ~PCI_MSIX_FLAGS_ENABLE);
		break;
	}
	case PCI_IRQ_MODE_MSI: {
		u16 flags = pci_read_config_word(d, d->msi_cap + PCI_MSI_FLAGS);
		pci_write_config_word(d, d->msi_cap + PCI_MSI_FLAGS, flags & ~PCI_MSI_FLAGS_ENABLE);
		break;
	}
	default:
		break;
	}
	if (d->irq_mode == PCI_IRQ_MODE_MSI || d->irq_mode == PCI_IRQ_MODE_MSIX)
		free_vectors(d);
	d->nvec = 0;
	d->gsi = -1;
	d->irq_mode = PCI_IRQ_MODE_NONE;
	pci_intx(d, true);
}
