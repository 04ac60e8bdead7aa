/* CPU feature detection (Intel SDM Vol. 2A, CPUID). */
#include <asm/cpu.h>
#include <seqos/string.h>

struct cpu_features cpu_features;

void cpu_detect(void)
{
	u32 a, b, c, d;
	struct cpu_features *f = &cpu_features;

	cpuid(0, 0, &a, &b, &c, &d);
	f->max_leaf = a;
	memcpy(f->vendor, &b, 4);
	memcpy(f->vendor + 4, &d, 4);
	memcpy(f->vendor + 8, &c, 4);
	f->vendor[12] = 0;
	cpuid(1, 0, &a, &b, &c, &d);
	f->x2apic = c & (1u << 21);
	f->tsc_deadline = c & (1u << 24);
	f->rdrand = c & (1u << 30);
	f->hypervisor = c & (1u << 31);
	if (f->max_leaf >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		f->rdseed = b & (1u << 18);
	}
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	f->max_ext_leaf = a;
	if (a >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		f->nx = d & (1u << 20);
		f->pdpe1gb = d & (1u << 26);
	}
	if (f->max_ext_leaf >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		f->invariant_tsc = d & (1u << 8);
	}
}
