/* GDT, TSS and IDT (Intel SDM Vol. 3A ch. 3, 6, 7).
 *
 * Long mode needs little of segmentation: one code and one data descriptor for ring 0,
 * and a TSS whose only job is the Interrupt Stack Table. #DF, NMI and #MC switch to
 * their own IST stacks, so a stack overflow (which hits a guard page and then faults
 * again while pushing the #PF frame) still ends in a readable #DF report. */
#include <asm/cpu.h>
#include <asm/trap.h>
#include <seqos/sched.h>
#include <seqos/string.h>
#include <seqos/vm.h>

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS 0x18

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct idt_entry {
	u16 off_lo, sel;
	u8 ist, type_attr;
	u16 off_mid;
	u32 off_hi, zero;
} __packed;

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

static u64 gdt[5] __aligned(16);
static struct tss tss __aligned(16);
static struct idt_entry idt[256] __aligned(16);
extern const u64 isr_stub_table[256];

/* Early IST stacks in .bss; tss_use_guarded_stacks() replaces them once stacks with
 * guard pages can be allocated. */
static u8 early_ist[3][4096] __aligned(16);

void gdt_init(void)
{
	struct desc_ptr p;
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;

	gdt[0] = 0;
	gdt[1] = 0x00209a0000000000ULL; /* code: present, ring 0, executable, long mode */
	gdt[2] = 0x0000920000000000ULL; /* data: present, writable */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (u64)early_ist[i] + sizeof(early_ist[i]);
	tss.iomap_base = sizeof(tss);

	p.limit = sizeof(gdt) - 1;
	p.base = (u64)gdt;
	__asm__ __volatile__("lgdt %0\n\t"
			     "mov %1, %%ds\n\t"
			     "mov %1, %%es\n\t"
			     "mov %1, %%ss\n\t"
			     "xor %%eax, %%eax\n\t"
			     "mov %%ax, %%fs\n\t"
			     "mov %%ax, %%gs\n\t"
			     "pushq %2\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "ltr %w3"
			     :
			     : "m"(p), "r"(SEL_KDATA), "i"(SEL_KCODE), "r"(SEL_TSS)
			     : "rax", "memory");
}

void tss_use_guarded_stacks(void)
{
	for (int i = 0; i < 3; i++) {
		void *s = stack_alloc(THREAD_STACK_SIZE);
		if (s)
			tss.ist[i] = (u64)s + THREAD_STACK_SIZE;
	}
}

static void set_gate(unsigned v, u64 handler, unsigned ist)
{
	idt[v].off_lo = handler & 0xffff;
	idt[v].sel = SEL_KCODE;
	idt[v].ist = ist;
	idt[v].type_attr = 0x8e; /* present, ring 0, 64-bit interrupt gate (IF cleared) */
	idt[v].off_mid = (handler >> 16) & 0xffff;
	idt[v].off_hi = handler >> 32;
	idt[v].zero = 0;
}

void idt_set_ist(unsigned vector, unsigned ist) { idt[vector].ist = ist; }

void idt_init(void)
{
	struct desc_ptr p;

	for (unsigned v = 0; v < 256; v++)
		set_gate(v, isr_stub_table[v], 0);
	idt_set_ist(8, 1);  /* #DF */
	idt_set_ist(2, 2);  /* NMI */
	idt_set_ist(18, 3); /* #MC */
	p.limit = sizeof(idt) - 1;
	p.base = (u64)idt;
	__asm__ __volatile__("lidt %0" ::"m"(p));
}
