/* The register frame isr.asm saves on interrupt and exception entry. */
#ifndef ASM_TRAP_H
#define ASM_TRAP_H

#include <seqos/types.h>

struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

void trap_dispatch(struct trap_frame *f);
void idt_init(void);
void gdt_init(void);
void idt_set_ist(unsigned vector, unsigned ist);

/* Vectors: 0-31 exceptions, 32-47 unused (PIC remapped and masked), 48.. IOAPIC lines
 * and MSI, LAPIC timer and spurious at the top. */
#define VEC_IRQ_BASE 48
#define VEC_DYN_FIRST 80   /* MSI/MSI-X vectors handed out by irq_alloc_vector */
#define VEC_DYN_LAST 0xdf
#define VEC_TEST 0xe0      /* software-raised test interrupt (integration tests) */
#define VEC_LAPIC_TIMER 0xef
#define VEC_SPURIOUS 0xff

#endif
