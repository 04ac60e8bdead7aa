/* x86-64 CPU helpers: control registers, MSRs, CPUID, TSC. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <seqos/types.h>

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}
static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
#define DEF_CR(n)                                                                  \
	static inline u64 read_cr##n(void)                                         \
	{                                                                          \
		u64 v;                                                             \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));              \
		return v;                                                          \
	}                                                                          \
	static inline void write_cr##n(u64 v)                                      \
	{                                                                          \
		__asm__ __volatile__("mov %0, %%cr" #n ::"r"(v) : "memory");       \
	}
DEF_CR(0)
DEF_CR(2)
DEF_CR(3)
DEF_CR(4)
#undef DEF_CR

static inline void invlpg(u64 va) { __asm__ __volatile__("invlpg (%0)" ::"r"(va) : "memory"); }
static inline void cpu_relax(void) { __asm__ __volatile__("pause" ::: "memory"); }
static inline void hlt(void) { __asm__ __volatile__("hlt" ::: "memory"); }
/* Enable interrupts and halt atomically: no wakeup is lost between the two. */
static inline void safe_halt(void) { __asm__ __volatile__("sti; hlt" ::: "memory"); }

#define MSR_EFER 0xc0000080
#define EFER_NXE (1 << 11)
#define MSR_APIC_BASE 0x1b
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_TSC_DEADLINE 0x6e0

#define CR0_WP (1UL << 16)
#define CR4_PGE (1UL << 7)
#define CR4_OSFXSR (1UL << 9)

struct cpu_features {
	bool nx, x2apic, tsc_deadline, invariant_tsc, rdrand, rdseed, pdpe1gb, hypervisor;
	u32 max_leaf, max_ext_leaf;
	char vendor[13];
};
extern struct cpu_features cpu_features;
void cpu_detect(void);

#endif
