/* In-kernel scenarios for the execution-context tests (tests/integration/test_contexts.py).
 * Each `selftest NAME` sets up a situation with the real mechanisms — a self-IPI stands in
 * for a device interrupt — and marks its phases with test_event records (a0 = marker).
 * The integration tests prove the semantics from the trace (`trace dump`), not from
 * timing; the counts printed here are checked too.
 *
 * Markers: 10 before the interrupt, 11 after it (thread), 12 in the hard IRQ handler,
 * 20 delayed work queued, 21 delayed work ran, 30/31 flood start/end. */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/trap.h>
#include <seqos/interrupt.h>
#include <seqos/irq.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>
#include <seqos/workqueue.h>

static struct tasklet_struct st_tasklet, flood_tasklet;
static volatile u64 st_tasklet_runs, flood_runs, witness_count;
static volatile u64 flood_until;
static DECLARE_WAIT_QUEUE_HEAD(st_wq);
static volatile bool st_flag;
static enum { IRQ_NONE_ACTION, IRQ_SCHED_TASKLET, IRQ_SCHED_TWICE, IRQ_WAKE, IRQ_FLOOD } irq_action;
static bool ready;

static void st_tasklet_fn(unsigned long data) { st_tasklet_runs++; }

static void busy_us(u64 us)
{
	u64 end = ktime_get_ns() + us * 1000;
	while (ktime_get_ns() < end)
		__asm__ __volatile__("pause");
}

static void flood_fn(unsigned long data)
{
	flood_runs++;
	busy_us(100);
	if (ktime_get_ns() < flood_until)
		tasklet_schedule(&flood_tasklet); /* keeps TASKLET_SOFTIRQ pending forever */
}

static irqreturn_t test_irq(int irq, void *dev)
{
	trace_event(test_event, 0, 12, irq_action);
	switch (irq_action) {
	case IRQ_SCHED_TASKLET:
		tasklet_schedule(&st_tasklet);
		break;
	case IRQ_SCHED_TWICE:
		tasklet_schedule(&st_tasklet);
		tasklet_schedule(&st_tasklet);
		break;
	case IRQ_WAKE:
		st_flag = true;
		wake_up(&st_wq);
		break;
	case IRQ_FLOOD:
		tasklet_schedule(&flood_tasklet);
		break;
	default:
		break;
	}
	return IRQ_HANDLED;
}

static void setup(void)
{
	if (ready)
		return;
	tasklet_init(&st_tasklet, st_tasklet_fn, 0);
	tasklet_init(&flood_tasklet, flood_fn, 0);
	request_vector(VEC_TEST, test_irq, "selftest", NULL);
	ready = true;
}

static void raise_test_irq(int action)
{
	irq_action = action;
	trace_event(test_event, 0, 10, action);
	lapic_send_self_ipi(VEC_TEST); /* delivered at once: interrupts are on */
	trace_event(test_event, 0, 11, action);
}

static int softirq_order(void)
{
	u64 before = st_tasklet_runs;
	raise_test_irq(IRQ_SCHED_TASKLET);
	kprintf("selftest softirq-order: tasklet runs %lu\n", (unsigned long)(st_tasklet_runs - before));
	return 0;
}

static int tasklet_once(void)
{
	u64 before = st_tasklet_runs;

	/* Twice from thread context inside a bottom-half-disabled section ... */
	local_bh_disable();
	tasklet_schedule(&st_tasklet);
	tasklet_schedule(&st_tasklet);
	local_bh_enable();
	u64 mid = st_tasklet_runs;
	/* ... and twice from one hard IRQ. */
	raise_test_irq(IRQ_SCHED_TWICE);
	kprintf("selftest tasklet-once: bh section runs %lu, hardirq runs %lu\n",
		(unsigned long)(mid - before), (unsigned long)(st_tasklet_runs - mid));
	return 0;
}

static int witness(void *arg)
{
	while (ktime_get_ns() < flood_until)
		witness_count++;
	return 0;
}

static int softirq_flood(void)
{
	u64 runs0 = flood_runs;
	struct thread *w;

	witness_count = 0;
	flood_until = ktime_get_ns() + 200 * NSEC_PER_MSEC;
	w = kthread_create(witness, NULL, "witness", PRIO_DEFAULT);
	trace_event(test_event, 0, 30, 0);
	raise_test_irq(IRQ_FLOOD);
	thread_join(w, NULL);
	while (ktime_get_ns() < flood_until + 20 * NSEC_PER_MSEC)
		msleep(5);
	trace_event(test_event, 0, 31, 0);
	kprintf("selftest softirq-flood: flood runs %lu, witness count %lu\n",
		(unsigned long)(flood_runs - runs0), (unsigned long)witness_count);
	return 0;
}

static struct delayed_work st_dwork, st_cancelled;
static struct completion st_done;
static volatile u64 dwork_ran_ns, cancelled_runs;

static void dwork_fn(struct work_struct *w)
{
	dwork_ran_ns = ktime_get_ns();
	trace_event(test_event, 0, 21, 0);
	complete(&st_done);
}

static void cancelled_fn(struct work_struct *w) { cancelled_runs++; }

static int delayed_work(void)
{
	u64 delay = msecs_to_jiffies(100), t0;

	init_completion(&st_done);
	INIT_DELAYED_WORK(&st_dwork, dwork_fn);
	INIT_DELAYED_WORK(&st_cancelled, cancelled_fn);
	trace_event(test_event, 0, 20, delay);
	/* A late tick first: with interrupts off for 5 ticks, jiffies lags the clock, as
	 * when a tick comes late under emulation. The delay counts from now all the same. */
	local_irq_disable();
	for (u64 end = ktime_get_ns() + 5 * (NSEC_PER_SEC / HZ); ktime_get_ns() < end;)
		cpu_relax();
	t0 = ktime_get_ns();
	queue_delayed_work(system_wq, &st_dwork, delay);
	queue_delayed_work(system_wq, &st_cancelled, delay);
	local_irq_enable();
	bool was = cancel_delayed_work_sync(&st_cancelled);
	wait_for_completion(&st_done);
	msleep(150); /* the cancelled item had its chance to (wrongly) run */
	kprintf("selftest delayed-work: delay %lu ms, ran after %lu ms, cancelled %s, cancelled ran %lu\n",
		(unsigned long)jiffies_to_msecs(delay), (unsigned long)((dwork_ran_ns - t0) / NSEC_PER_MSEC),
		was ? "yes" : "no", (unsigned long)cancelled_runs);
	return 0;
}

static int sleeper(void *arg)
{
	wait_event(&st_wq, st_flag);
	trace_event(test_event, 0, 40, 0);
	return 7;
}

static int irq_wakeup(void)
{
	struct thread *t;
	int code = -1;

	st_flag = false;
	t = kthread_create(sleeper, NULL, "sleeper", PRIO_DEFAULT);
	while (t->state != T_BLOCKED) /* until it sleeps on st_wq */
		msleep(1);
	u32 tid = t->tid; /* t is freed by the join */
	raise_test_irq(IRQ_WAKE);
	thread_join(t, &code);
	kprintf("selftest irq-wakeup: sleeper tid %u exit %d\n", tid, code);
	return 0;
}

/* A thread woken by an interrupt after prepare_to_wait() but before it slept: it must
 * keep running without being put on a run queue (where it would sit twice, or run again
 * after it exits). */
static int wake_racer(void *arg)
{
	for (int i = 0; i < 200; i++) {
		struct wait_queue_entry e = { 0 };
		st_flag = false;
		prepare_to_wait(&st_wq, &e, "wake-race");
		raise_test_irq(IRQ_WAKE); /* the handler wakes us while we still run */
		if (!st_flag)
			wait_woken(&e, 0);
		finish_wait(&st_wq, &e);
		if (i % 16 == 0)
			yield();
	}
	return 5;
}

static int wake_race(void)
{
	int code = -1;
	struct thread *t[3];

	for (int i = 0; i < 3; i++)
		t[i] = kthread_create(wake_racer, NULL, "wake-racer", PRIO_DEFAULT);
	for (int i = 0; i < 3; i++)
		thread_join(t[i], &code);
	kprintf("selftest wake-race: exit %d\n", code);
	return 0;
}

/* A thread preempted between prepare_to_wait() and its own schedule() (here by a
 * higher-priority thread made runnable, at a preempt_enable()) must run again when the
 * CPU is free, without a wake-up: in that window it may still hold what its waker needs
 * (sk_wait_event() releases the socket only after prepare_to_wait()). Nobody wakes
 * pb_wq unless the preempted thread is stuck: then the rescuer does, after 500 ms,
 * and the scenario fails. */
static DECLARE_WAIT_QUEUE_HEAD(pb_wq);
static volatile int pb_stage, pb_rescued;

static int pb_rescuer(void *arg)
{
	pb_stage = 1;      /* ran at the preemption point */
	msleep(500);       /* blocks: the preempted thread has the CPU now */
	if (pb_stage != 2) {
		pb_rescued = 1;
		wake_up(&pb_wq);
	}
	return 0;
}

static int preempt_blocked(void)
{
	struct wait_queue_entry e = { 0 };
	struct thread *t;
	int ok, before;

	pb_stage = pb_rescued = 0;
	prepare_to_wait(&pb_wq, &e, "preempt-blocked");
	t = kthread_create(pb_rescuer, NULL, "pb-rescuer", 1);
	preempt_disable();
	preempt_enable(); /* a preemption point: the priority-1 thread runs first */
	before = pb_stage;
	pb_stage = 2;     /* running again, with nobody having woken pb_wq */
	finish_wait(&pb_wq, &e);
	thread_join(t, NULL);
	ok = t && before == 1 && !pb_rescued;
	kprintf("selftest preempt-blocked: rescuer ran %s, %s: %s\n",
		before == 1 ? "first" : "late",
		pb_rescued ? "woken by the rescuer" : "ran again unwoken", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

static int burst(int n)
{
	for (int i = 0; i < n; i++)
		trace_event(test_event, i, 50, i);
	kprintf("selftest trace-burst: wrote %d\n", n);
	return 0;
}

/* Threads: priorities, round-robin, join, exit codes, sleep, mutex, completion. */
static volatile int order[8], order_n;
static DEFINE_MUTEX(st_mutex);
static volatile int in_critical, mutex_violations;

static int prio_thread(void *arg)
{
	order[order_n++] = (int)(long)arg;
	return (int)(long)arg * 10;
}

static int mutex_thread(void *arg)
{
	for (int i = 0; i < 50; i++) {
		mutex_lock(&st_mutex);
		if (in_critical++)
			mutex_violations++;
		msleep(1); /* sleep holding the mutex: others must wait */
		in_critical--;
		mutex_unlock(&st_mutex);
	}
	return 0;
}

static int threads(void)
{
	struct thread *t[4];
	int codes[4], ok = 1;
	u64 t0;

	order_n = 0;
	/* Created from the shell (priority 4): the priority-1 thread preempts us at once,
	 * the priority-6 ones run only when we block. */
	t[0] = kthread_create(prio_thread, (void *)6L, "low-a", 6);
	t[1] = kthread_create(prio_thread, (void *)7L, "low-b", 6);
	t[2] = kthread_create(prio_thread, (void *)1L, "high", 1);
	preempt_disable();
	preempt_enable(); /* a preemption point */
	int seen_before_block = order_n;
	for (int i = 0; i < 3; i++)
		thread_join(t[i], &codes[i]);
	ok &= seen_before_block == 1 && order[0] == 1 && order[1] == 6 && order[2] == 7;
	ok &= codes[0] == 60 && codes[1] == 70 && codes[2] == 10;
	kprintf("selftest threads: order %d %d %d (before block %d), exit codes %d %d %d\n",
		order[0], order[1], order[2], seen_before_block, codes[0], codes[1], codes[2]);

	t0 = ktime_get_ns();
	msleep(30);
	u64 slept = ktime_get_ns() - t0;
	ok &= slept >= 30 * NSEC_PER_MSEC;
	kprintf("selftest threads: msleep(30) took %lu us\n", (unsigned long)(slept / 1000));

	mutex_violations = 0;
	for (int i = 0; i < 3; i++)
		t[i] = kthread_create(mutex_thread, NULL, "mutexer", PRIO_DEFAULT);
	for (int i = 0; i < 3; i++)
		thread_join(t[i], NULL);
	ok &= mutex_violations == 0;
	kprintf("selftest threads: mutex violations %d\n", mutex_violations);
	kprintf("selftest threads: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

static int cmd_selftest(int argc, char **argv)
{
	const char *n = argc > 1 ? argv[1] : "";

	setup();
	if (!strcmp(n, "softirq-order"))
		return softirq_order();
	if (!strcmp(n, "tasklet-once"))
		return tasklet_once();
	if (!strcmp(n, "softirq-flood"))
		return softirq_flood();
	if (!strcmp(n, "delayed-work"))
		return delayed_work();
	if (!strcmp(n, "irq-wakeup"))
		return irq_wakeup();
	if (!strcmp(n, "trace-burst"))
		return burst(argc > 2 ? (int)strtol(argv[2], NULL, 0) : 1000);
	if (!strcmp(n, "threads"))
		return threads();
	if (!strcmp(n, "wake-race"))
		return wake_race();
	if (!strcmp(n, "preempt-blocked"))
		return preempt_blocked();
	kprintf("usage: selftest softirq-order|tasklet-once|softirq-flood|delayed-work|irq-wakeup|"
		"trace-burst N|threads|wake-race|preempt-blocked\n");
	return 1;
}
SHELL_CMD("selftest", "selftest NAME - run an execution-context scenario (tests)", cmd_selftest);

void selftest_start(const char *name)
{
	char *argv[] = { "selftest", (char *)name, NULL };
	cmd_selftest(2, argv);
}
