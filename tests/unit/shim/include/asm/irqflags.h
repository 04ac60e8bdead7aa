/* Host test shim: there are no interrupts in a host test process. The flags word still
 * behaves (saved and restored), so code that checks irqs_disabled() is exercised. */
#ifndef ASM_IRQFLAGS_H
#define ASM_IRQFLAGS_H

#include <seqos/types.h>

extern unsigned long shim_irq_flags; /* bit 9 set: "interrupts enabled" */

static inline unsigned long arch_local_save_flags(void) { return shim_irq_flags; }
static inline void arch_local_irq_disable(void) { shim_irq_flags &= ~(1UL << 9); }
static inline void arch_local_irq_enable(void) { shim_irq_flags |= 1UL << 9; }
static inline unsigned long arch_local_irq_save(void)
{
	unsigned long f = shim_irq_flags;
	arch_local_irq_disable();
	return f;
}
static inline void arch_local_irq_restore(unsigned long f) { shim_irq_flags = f; }
static inline bool arch_irqs_disabled(void) { return !(shim_irq_flags & (1UL << 9)); }

#endif
