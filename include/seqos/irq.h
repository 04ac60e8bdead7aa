/* Interrupt plumbing shared by arch/ and kernel/: vector allocation, dispatch, counts. */
#ifndef SEQOS_IRQ_H
#define SEQOS_IRQ_H

#include <seqos/compiler.h>
#include <seqos/interrupt.h>
#include <seqos/types.h>

struct trap_frame;
void irq_dispatch(struct trap_frame *f);
void irq_init(void);
/* Reserves a vector for an MSI/MSI-X source; returns it, or -1 when none is free. */
int irq_alloc_vector(void);
/* Registers a handler directly on a vector (LAPIC timer, MSI). */
int request_vector(unsigned vector, irq_handler_t handler, const char *name, void *dev);
void free_vector(unsigned vector, void *dev);
void irq_enter(void);
void irq_exit(void);
/* Shell `interrupts` source: per vector counts and names. */
struct irq_desc_info {
	unsigned vector;
	int gsi;          /* -1 when not an IOAPIC line */
	const char *name;
	const char *chip; /* "IO-APIC", "LAPIC", "MSI", "MSI-X" */
	u64 count;
};
typedef void (*irq_visit_fn)(const struct irq_desc_info *d, void *arg);
void irq_for_each(irq_visit_fn fn, void *arg);
extern u64 irq_spurious_count, irq_unexpected_count;

__noreturn void panic_halt(void);

#endif
