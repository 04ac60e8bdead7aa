/* Glue between the portable timer wheel (kernel/timer.c) and the kernel: the
 * TIMER_SOFTIRQ action and the `timers` shell command. */
#include <seqos/ksyms.h>
#include <seqos/shell.h>
#include <seqos/softirq.h>
#include <seqos/time.h>
#include <seqos/timer.h>

static void timer_softirq(void) { run_timers(); }

void timers_softirq_init(void) { open_softirq(TIMER_SOFTIRQ, timer_softirq); }

static void show_timer(const struct timer_list *t, void *arg)
{
	char fn[64];
	s64 left = (s64)(t->expires - jiffies);

	ksym_format((u64)t->function, fn, sizeof(fn));
	kprintf("%6u %10ld %8ld  %-24s %s\n", t->id, (long)t->expires, (long)(left * 1000 / HZ),
		t->name ? t->name : "", fn);
	(*(int *)arg)++;
}

static int cmd_timers(int argc, char **argv)
{
	int n = 0;
	kprintf("jiffies %lu (HZ=%d)\n", (unsigned long)jiffies, HZ);
	kprintf("%6s %10s %8s  %-24s %s\n", "ID", "EXPIRES", "IN(ms)", "NAME", "FUNCTION");
	timer_for_each(show_timer, &n);
	kprintf("%d pending\n", n);
	return 0;
}
SHELL_CMD("timers", "timers - pending timers on the wheel", cmd_timers);
