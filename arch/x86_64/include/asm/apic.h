/* Local APIC and I/O APIC (Intel SDM Vol. 3A ch. 11; 82093AA I/O APIC datasheet). */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <seqos/types.h>

void apic_init(void);
void lapic_eoi(void);
u32 lapic_id(void);
bool lapic_x2apic(void);
void lapic_timer_start(u32 hz);
void lapic_send_self_ipi(u8 vector);
/* Route a GSI to a vector on this CPU; masked until ioapic_unmask. */
void ioapic_route(u32 gsi, u8 vector, bool level, bool active_low);
void ioapic_mask(u32 gsi, bool masked);
u32 ioapic_max_gsi(void);
/* Time sources used to calibrate the TSC and the LAPIC timer. */
void time_init(void);
extern u64 tsc_hz;
extern u32 lapic_timer_hz; /* LAPIC timer input clock after the divider */
extern const char *calibration_source;
u64 msi_address(u8 dest_apic_id);
u32 msi_data(u8 vector);

#endif
