/* Local APIC (x2APIC when present) and I/O APIC set-up (Intel SDM Vol. 3A ch. 11,
 * "Advanced Programmable Interrupt Controller"; Intel 82093AA datasheet §3).
 *
 * Steps, in order: mask the 8259 PICs (after moving their vectors out of the way so a
 * stray one is counted, not mistaken for an exception); enable the local APIC through
 * the spurious-vector register; mask every I/O APIC redirection entry. Devices unmask
 * their line when they register a handler (request_irq). */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/trap.h>
#include <drivers/acpi.h>
#include <seqos/printk.h>
#include <seqos/vm.h>

/* LAPIC registers (xAPIC MMIO offsets; x2APIC MSR = 0x800 + offset / 16). */
#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define   SVR_ENABLE 0x100
#define LAPIC_ICR 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define   LVT_MASKED (1u << 16)
#define   LVT_PERIODIC (1u << 17)
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define   DIV_BY_16 0x3
#define LAPIC_SELF_IPI 0x3f0 /* x2APIC only */

#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_X2APIC (1u << 10)

/* I/O APIC: an index register and a data window (82093AA §3.1). */
#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPICVER 0x01
#define IOREDTBL(n) (0x10 + 2 * (n))
#define   RTE_MASKED (1u << 16)
#define   RTE_LEVEL (1u << 15)
#define   RTE_ACTIVE_LOW (1u << 13)

static volatile u8 *lapic_mmio;
static bool x2apic;

struct ioapic {
	volatile u32 *mmio;
	u32 gsi_base, nr_pins;
};
static struct ioapic ioapics[MAX_IOAPICS];
static unsigned nr_ioapics;

static u32 lapic_read(u32 reg)
{
	if (x2apic)
		return (u32)rdmsr(0x800 + reg / 16);
	return *(volatile u32 *)(lapic_mmio + reg);
}

static void lapic_write(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(0x800 + reg / 16, v);
	else
		*(volatile u32 *)(lapic_mmio + reg) = v;
}

void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }
bool lapic_x2apic(void) { return x2apic; }
u32 lapic_id(void) { return x2apic ? lapic_read(LAPIC_ID) : lapic_read(LAPIC_ID) >> 24; }

void lapic_send_self_ipi(u8 vector)
{
	if (x2apic) {
		lapic_write(LAPIC_SELF_IPI, vector);
	} else {
		/* ICR: fixed delivery, destination shorthand "self" (bits 18-19 = 01). */
		lapic_write(LAPIC_ICR, (1u << 18) | vector);
	}
}

static u32 ioapic_read(struct ioapic *io, u32 reg)
{
	io->mmio[IOREGSEL / 4] = reg;
	return io->mmio[IOWIN / 4];
}

static void ioapic_write(struct ioapic *io, u32 reg, u32 v)
{
	io->mmio[IOREGSEL / 4] = reg;
	io->mmio[IOWIN / 4] = v;
}

static struct ioapic *ioapic_for(u32 gsi, u32 *pin)
{
	for (unsigned i = 0; i < nr_ioapics; i++)
		if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].nr_pins) {
			*pin = gsi - ioapics[i].gsi_base;
			return &ioapics[i];
		}
	return NULL;
}

void ioapic_route(u32 gsi, u8 vector, bool level, bool active_low)
{
	u32 pin, lo = vector | RTE_MASKED;
	struct ioapic *io = ioapic_for(gsi, &pin);

	if (!io) {
		pr_warn("ioapic: no I/O APIC serves GSI %u\n", gsi);
		return;
	}
	if (level)
		lo |= RTE_LEVEL;
	if (active_low)
		lo |= RTE_ACTIVE_LOW;
	/* Fixed delivery, physical destination: this CPU's APIC id. */
	ioapic_write(io, IOREDTBL(pin) + 1, lapic_id() << 24);
	ioapic_write(io, IOREDTBL(pin), lo);
}

void ioapic_mask(u32 gsi, bool masked)
{
	u32 pin, lo;
	struct ioapic *io = ioapic_for(gsi, &pin);

	if (!io)
		return;
	lo = ioapic_read(io, IOREDTBL(pin));
	ioapic_write(io, IOREDTBL(pin), masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
}

u32 ioapic_max_gsi(void)
{
	u32 m = 0;
	for (unsigned i = 0; i < nr_ioapics; i++)
		if (ioapics[i].gsi_base + ioapics[i].nr_pins > m)
			m = ioapics[i].gsi_base + ioapics[i].nr_pins;
	return m;
}

static void pic_disable(void)
{
	/* ICW1-4: remap to vectors 32-47, then mask every line (8259A datasheet). */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 32);
	outb(0xa1, 40);
	outb(0x21, 4);
	outb(0xa1, 2);
	outb(0x21, 1);
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void apic_init(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	pic_disable();
	x2apic = cpu_features.x2apic;
	if (x2apic) {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	} else {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
		lapic_mmio = ioremap(acpi.lapic_phys ? acpi.lapic_phys : (base & ~0xfffULL), 4096);
	}
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);

	if (acpi.nr_ioapics == 0) { /* no MADT: the PC default */
		acpi.nr_ioapics = 1;
		acpi.ioapic[0].phys = 0xfec00000;
		acpi.ioapic[0].gsi_base = 0;
	}
	for (unsigned i = 0; i < acpi.nr_ioapics; i++) {
		struct ioapic *io = &ioapics[nr_ioapics++];
		io->mmio = ioremap(acpi.ioapic[i].phys, 4096);
		io->gsi_base = acpi.ioapic[i].gsi_base;
		io->nr_pins = ((ioapic_read(io, IOAPICVER) >> 16) & 0xff) + 1;
		for (u32 p = 0; p < io->nr_pins; p++)
			ioapic_write(io, IOREDTBL(p), RTE_MASKED | (VEC_IRQ_BASE + io->gsi_base + p));
	}
	pr_info("apic: %s, LAPIC id %u, %u IOAPIC pins\n", x2apic ? "x2APIC" : "xAPIC", lapic_id(),
		ioapic_max_gsi());
}

/* Periodic LAPIC timer at hz (the scheduler tick and jiffies). */
void lapic_timer_start(u32 hz)
{
	lapic_write(LAPIC_TIMER_DIV, DIV_BY_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, lapic_timer_hz / hz);
}

/* Time sources for calibration, best first: ACPI PM timer (3.579545 MHz, ACPI §4.8.3.3),
 * HPET (period in the capabilities register), PIT channel 2 (1.193182 MHz). Each
 * measures the same 2.5 ms window for the TSC and the LAPIC timer (boot time matters;
 * the error stays around 0.01%). */
u64 tsc_hz;
u32 lapic_timer_hz;
const char *calibration_source = "none";

static u32 pm_read(void) { return inl(acpi.pm_tmr_port) & (acpi.pm_tmr_32bit ? 0xffffffffu : 0xffffffu); }

/* One reading of the PM timer and the TSC at the moment it was taken. A port read is a
 * trip into the emulator (or an SMI on a PC) of unknown length, and the timer is sampled
 * somewhere inside it: so the TSC is read on both sides and the reading is placed at the
 * midpoint, and of a few tries the narrowest bracket wins. Reading the TSC only after
 * the port (as this did first) counted the trip's return leg into the window: TSCs came
 * out 1-4% fast under TCG, and two machines' clocks drifted apart by thousands of ppm. */
static u32 pm_read_at(u64 *tsc)
{
	u64 best = ~0ULL;
	u32 val = 0;

	for (int i = 0; i < 5; i++) {
		u64 a = rdtsc();
		u32 v = pm_read();
		u64 b = rdtsc();
		if (b - a < best) {
			best = b - a;
			val = v;
			*tsc = a + (b - a) / 2;
		}
	}
	return val;
}

static bool wait_pm(u64 *tsc_delta, u32 *lapic_delta)
{
	const u32 want = 8949; /* 2.5 ms of 3.579545 MHz: the quantum (279 ns) is 0.01% of it */
	u32 mask = acpi.pm_tmr_32bit ? 0xffffffffu : 0xffffffu;
	u64 t0, t1, guard = 0;
	u32 start = pm_read_at(&t0), now, ticks;
	u32 l0 = lapic_read(LAPIC_TIMER_CUR);

	do {
		now = pm_read();
		if (++guard > 100000000ULL)
			return false;
	} while (((now - start) & mask) < want);
	now = pm_read_at(&t1);
	ticks = (now - start) & mask;
	*tsc_delta = (t1 - t0) * 3579545ULL / ticks;
	*lapic_delta = (u32)((u64)(l0 - lapic_read(LAPIC_TIMER_CUR)) * 3579545ULL / ticks);
	return true;
}

static bool wait_hpet(u64 *tsc_delta, u32 *lapic_delta)
{
	volatile u8 *h = ioremap(acpi.hpet_phys, 1024);
	u64 period_fs = *(volatile u64 *)h >> 32, ticks, start, now, t0;
	u32 l0;

	if (!period_fs || period_fs > 100000000ULL)
		return false;
	*(volatile u64 *)(h + 0x10) |= 1; /* ENABLE_CNF */
	ticks = 2500000000000ULL / period_fs; /* 2.5 ms */
	start = *(volatile u64 *)(h + 0xf0);
	t0 = rdtsc();
	l0 = lapic_read(LAPIC_TIMER_CUR);
	do
		now = *(volatile u64 *)(h + 0xf0);
	while (now - start < ticks);
	/* scale to one second */
	u64 elapsed_fs = (now - start) * period_fs;
	*tsc_delta = (rdtsc() - t0) * (1000000000000000ULL / elapsed_fs);
	*lapic_delta = (u32)((u64)(l0 - lapic_read(LAPIC_TIMER_CUR)) * (1000000000000000ULL / elapsed_fs));
	return true;
}

static bool wait_pit(u64 *tsc_delta, u32 *lapic_delta)
{
	const u16 count = 2983; /* 2.5 ms of 1.193182 MHz */
	u64 t0;
	u32 l0;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* gate channel 2 on, speaker off */
	outb(0x43, 0xb0);                      /* channel 2, lobyte/hibyte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	l0 = lapic_read(LAPIC_TIMER_CUR);
	for (u64 guard = 0; !(inb(0x61) & 0x20); guard++)
		if (guard > 100000000ULL)
			return false;
	*tsc_delta = (rdtsc() - t0) * 400;
	*lapic_delta = (l0 - lapic_read(LAPIC_TIMER_CUR)) * 400;
	return true;
}

void time_init(void)
{
	u64 tsc = 0;
	u32 lap = 0;
	bool ok = false;

	lapic_write(LAPIC_TIMER_DIV, DIV_BY_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	if (acpi.pm_tmr_port && (ok = wait_pm(&tsc, &lap)))
		calibration_source = "ACPI PM timer";
	if (!ok && acpi.hpet_phys && (ok = wait_hpet(&tsc, &lap)))
		calibration_source = "HPET";
	if (!ok && (ok = wait_pit(&tsc, &lap)))
		calibration_source = "PIT";
	if (!ok || !tsc || !lap)
		panic("time: cannot calibrate the TSC and LAPIC timer");
	lapic_write(LAPIC_TIMER_INIT, 0);
	tsc_hz = tsc;
	lapic_timer_hz = lap;
}

u64 msi_address(u8 dest_apic_id) { return 0xfee00000ULL | ((u64)dest_apic_id << 12); }
u32 msi_data(u8 vector) { return vector; /* fixed delivery, edge */ }
