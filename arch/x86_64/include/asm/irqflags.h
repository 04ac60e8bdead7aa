/* Interrupt flag control for x86-64 (the only CPU-specific part of spinlocks).
 * The host test shim provides a header of the same name with no-ops. */
#ifndef ASM_IRQFLAGS_H
#define ASM_IRQFLAGS_H

#include <seqos/types.h>

static inline unsigned long arch_local_save_flags(void)
{
	unsigned long f;
	__asm__ __volatile__("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}
static inline void arch_local_irq_disable(void) { __asm__ __volatile__("cli" ::: "memory"); }
static inline void arch_local_irq_enable(void) { __asm__ __volatile__("sti" ::: "memory"); }
static inline unsigned long arch_local_irq_save(void)
{
	unsigned long f = arch_local_save_flags();
	arch_local_irq_disable();
	return f;
}
static inline void arch_local_irq_restore(unsigned long f)
{
	if (f & (1UL << 9))
		arch_local_irq_enable();
}
static inline bool arch_irqs_disabled(void) { return !(arch_local_save_flags() & (1UL << 9)); }

#endif
