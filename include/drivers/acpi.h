/* ACPI tables seqos reads (ACPI 6.5 spec chapter 5): MADT for interrupt controllers,
 * FADT for the PM timer, power off and reset, MCFG for PCI ECAM, HPET. */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include <seqos/types.h>

#define MAX_IOAPICS 4
#define MAX_ISO 24

struct acpi_info {
	bool present;
	u64 lapic_phys;
	u32 nr_ioapics;
	struct {
		u8 id;
		u32 phys;
		u32 gsi_base;
	} ioapic[MAX_IOAPICS];
	u32 nr_iso;
	struct {
		u8 bus_irq;
		u32 gsi;
		u16 flags; /* MPS INTI flags: polarity bits 0-1, trigger bits 2-3 */
	} iso[MAX_ISO];
	u32 nr_cpus;
	/* FADT */
	u16 pm_tmr_port;
	bool pm_tmr_32bit;
	u16 pm1a_cnt, pm1b_cnt;
	u8 slp_typa, slp_typb;
	bool s5_found;
	bool reset_supported;
	u8 reset_space; /* 0 memory, 1 I/O, 2 PCI config */
	u64 reset_addr;
	u8 reset_value;
	u16 sci_irq;
	/* MCFG (first segment group) */
	u64 ecam_base;
	u16 ecam_segment;
	u8 ecam_bus_start, ecam_bus_end;
	/* HPET */
	u64 hpet_phys;
};

extern struct acpi_info acpi;
void acpi_init(u64 rsdp_phys);
/* The ISA IRQ's GSI and trigger/polarity after interrupt source overrides. */
u32 acpi_isa_irq_to_gsi(u8 irq, bool *level, bool *active_low);

#endif
