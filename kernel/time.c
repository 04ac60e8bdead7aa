/* Time: the monotonic nanosecond clock from the TSC, jiffies and the tick.
 *
 * ktime_get_ns() = (TSC - TSC at calibration) scaled by a 32.32 fixed-point multiplier.
 * The periodic LAPIC timer interrupt is the tick: it recomputes jiffies from the clock
 * (so ticks lost under emulation are caught up, never drift), runs the timer wheel
 * check and the scheduler's timeslice accounting. */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/trap.h>
#include <seqos/irq.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/time.h>
#include <seqos/timer.h>

volatile u64 jiffies;
static u64 tsc_base, ns_mult; /* ns = (tsc - tsc_base) * ns_mult >> 32 */
static u64 tick_count;
u64 boot_handoff_tsc;

u64 ktime_get_ns(void)
{
	if (!ns_mult)
		return 0;
	return (u64)(((unsigned __int128)(rdtsc() - tsc_base) * ns_mult) >> 32);
}

u64 tsc_to_ns(u64 tsc_delta) { return (u64)(((unsigned __int128)tsc_delta * ns_mult) >> 32); }

/* The jiffy the clock is in now. `jiffies` lags it when the tick comes late (interrupts
 * off, or an emulator that did not run the vCPU): a timer armed at jiffies + d could then
 * fire before d jiffies have passed. */
u64 jiffies_now(void) { return ktime_get_ns() / (NSEC_PER_SEC / HZ); }

static irqreturn_t tick(int irq, void *dev)
{
	u64 j = jiffies_now();

	tick_count++;
	if (j != jiffies) {
		jiffies = j;
		timer_tick();
	}
	sched_tick();
	return IRQ_HANDLED;
}

/* The clock starts at the loader's hand-off, so uptime includes all of kernel boot. */
void clock_init(u64 handoff_tsc)
{
	time_init();
	boot_handoff_tsc = handoff_tsc;
	tsc_base = handoff_tsc ? handoff_tsc : rdtsc();
	ns_mult = (NSEC_PER_SEC << 32) / tsc_hz;
	jiffies = ktime_get_ns() / (NSEC_PER_SEC / HZ);
	pr_info("time: TSC %lu.%03lu MHz%s, LAPIC timer %lu kHz, calibrated by %s, HZ=%d\n",
		(unsigned long)(tsc_hz / 1000000), (unsigned long)(tsc_hz / 1000 % 1000),
		cpu_features.invariant_tsc ? " (invariant)" : "",
		(unsigned long)(lapic_timer_hz / 1000), calibration_source, HZ);
}

void tick_start(void)
{
	request_vector(VEC_LAPIC_TIMER, tick, "timer", NULL);
	lapic_timer_start(HZ);
}

static int cmd_uptime(int argc, char **argv)
{
	u64 ns = ktime_get_ns();
	kprintf("up %lu.%03lu s, jiffies %lu, ticks %lu, HZ %d\n", (unsigned long)(ns / NSEC_PER_SEC),
		(unsigned long)(ns / NSEC_PER_MSEC % 1000), (unsigned long)jiffies,
		(unsigned long)tick_count, HZ);
	return 0;
}
SHELL_CMD("uptime", "uptime - time since the loader handed over, jiffies", cmd_uptime);
