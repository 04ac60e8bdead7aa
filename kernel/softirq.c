/* Softirqs (DESIGN.md "Execution contexts"; Linux's kernel/softirq.c semantics).
 *
 * Contract:
 *  - raise_softirq_irqoff(nr) marks nr pending on this CPU. Pending softirqs run
 *    (a) in irq_exit(), when the interrupt did not nest in another interrupt and did not
 *        arrive inside a local_bh_disable() section or a softirq;
 *    (b) in local_bh_enable(), when the count drops to zero;
 *    (c) in ksoftirqd, a thread, when (a) and (b) ran out of budget, or when a softirq
 *        was raised from thread context with bottom halves enabled.
 *  - A softirq runs with interrupts on and preemption off; it never sleeps.
 *  - __do_softirq() runs every pending vector in priority order, and restarts while new
 *    ones are raised, at most MAX_SOFTIRQ_RESTART times and for MAX_SOFTIRQ_TIME; the
 *    rest is handed to ksoftirqd, so a flood of packets cannot starve threads. The numbers
 *    are Linux's: 2 ms is a fraction of a tick at HZ=250, 10 restarts bounds the loop
 *    when raises keep coming back-to-back. */
#include <seqos/interrupt.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/time.h>
#include <seqos/trace.h>

#define MAX_SOFTIRQ_TIME_NS (2 * NSEC_PER_MSEC)
#define MAX_SOFTIRQ_RESTART 10

enum softirq_from { FROM_IRQ_EXIT, FROM_BH_ENABLE, FROM_KSOFTIRQD };

const char *const softirq_names[NR_SOFTIRQS] = { "HI", "TIMER", "NET_TX", "NET_RX", "TASKLET" };
static void (*actions[NR_SOFTIRQS])(void);
static u64 counts[NR_SOFTIRQS];
static u64 raised[NR_SOFTIRQS];
static u64 ksoftirqd_wakeups, budget_exhausted;
static struct wait_queue_head ksoftirqd_wq;

bool in_hardirq(void) { return preempt_count() & HARDIRQ_MASK; }
bool in_softirq(void) { return preempt_count() & SOFTIRQ_MASK; }
bool in_serving_softirq(void) { return preempt_count() & SOFTIRQ_OFFSET; }
bool in_interrupt(void) { return preempt_count() & (HARDIRQ_MASK | SOFTIRQ_MASK); }

void open_softirq(int nr, void (*action)(void)) { actions[nr] = action; }

static void wakeup_softirqd(void)
{
	struct thread *k = this_cpu()->ksoftirqd;

	if (k && k->state != T_RUNNING && k->state != T_READY) {
		ksoftirqd_wakeups++;
		trace_event(ksoftirqd_wakeup, 0, TRACE_CTX(CTX_THREAD, k->tid),
			    this_cpu()->softirq_pending);
		wake_up_thread(k);
	}
}

void raise_softirq_irqoff(unsigned int nr)
{
	struct cpu *c = this_cpu();

	c->softirq_pending |= 1u << nr;
	raised[nr]++;
	trace_event(raise_softirq, 0, TRACE_CTX(CTX_SOFTIRQ, nr), nr);
	/* From a thread with bottom halves enabled nothing else would run it soon. */
	if (!in_interrupt())
		wakeup_softirqd();
}

void raise_softirq(unsigned int nr)
{
	unsigned long flags;
	local_irq_save(flags);
	raise_softirq_irqoff(nr);
	local_irq_restore(flags);
}

/* Called with interrupts off; returns with interrupts off. */
static void __do_softirq(enum softirq_from from)
{
	struct cpu *c = this_cpu();
	u64 end = ktime_get_ns() + MAX_SOFTIRQ_TIME_NS;
	int restart = MAX_SOFTIRQ_RESTART;
	u32 pending = c->softirq_pending;

	c->preempt_count += SOFTIRQ_OFFSET;
again:
	c->softirq_pending = 0;
	local_irq_enable();
	while (pending) {
		unsigned nr = (unsigned)__builtin_ctz(pending);
		struct trace_ctx prev = trace_ctx_enter(CTX_SOFTIRQ, nr);
		pending &= pending - 1;
		trace_begin(softirq, 0, nr, from);
		counts[nr]++;
		if (actions[nr])
			actions[nr]();
		trace_end(softirq, 0, nr, from);
		trace_ctx_leave(prev);
	}
	local_irq_disable();
	pending = c->softirq_pending;
	if (pending) {
		if (ktime_get_ns() < end && !c->need_resched && --restart)
			goto again;
		budget_exhausted++;
		wakeup_softirqd();
	}
	c->preempt_count -= SOFTIRQ_OFFSET;
}

/* While ksoftirqd is runnable it owns the pending work: processing it again on every
 * interrupt exit would starve threads, which is what handing over was meant to stop
 * (Linux 4.9's ksoftirqd_running() rule). */
void do_softirq_irq_exit(void)
{
	struct thread *k = this_cpu()->ksoftirqd;

	if (k && k->state == T_READY)
		return;
	__do_softirq(FROM_IRQ_EXIT);
}

void local_bh_disable(void)
{
	this_cpu()->preempt_count += SOFTIRQ_DISABLE_OFFSET;
	barrier();
}

void local_bh_enable(void)
{
	struct cpu *c = this_cpu();
	unsigned long flags;

	barrier();
	local_irq_save(flags);
	c->preempt_count -= SOFTIRQ_DISABLE_OFFSET;
	if (!in_interrupt() && c->softirq_pending)
		__do_softirq(FROM_BH_ENABLE);
	local_irq_restore(flags);
	if (c->preempt_count == 0 && c->need_resched && !irqs_disabled())
		preempt_schedule();
}

static int ksoftirqd(void *arg)
{
	struct cpu *c = this_cpu();

	for (;;) {
		wait_event(&ksoftirqd_wq, c->softirq_pending != 0);
		local_irq_disable();
		if (c->softirq_pending)
			__do_softirq(FROM_KSOFTIRQD);
		local_irq_enable();
		if (c->need_resched)
			schedule(); /* cond_resched: let threads run between rounds */
	}
	return 0;
}

void softirq_init(void)
{
	init_waitqueue_head(&ksoftirqd_wq);
}

void ksoftirqd_start(void)
{
	this_cpu()->ksoftirqd = kthread_create(ksoftirqd, NULL, "ksoftirqd/0", PRIO_KSOFTIRQD);
}

static int cmd_softirqs(int argc, char **argv)
{
	kprintf("%-10s %12s %12s\n", "", "CPU0 runs", "raised");
	for (int i = 0; i < NR_SOFTIRQS; i++)
		kprintf("%-10s %12lu %12lu\n", softirq_names[i], (unsigned long)counts[i],
			(unsigned long)raised[i]);
	kprintf("ksoftirqd wakeups %lu, budget exhausted %lu\n", (unsigned long)ksoftirqd_wakeups,
		(unsigned long)budget_exhausted);
	return 0;
}
SHELL_CMD("softirqs", "softirqs - per-vector counts, like /proc/softirqs", cmd_softirqs);
