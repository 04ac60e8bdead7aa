/* Threads and the scheduler (include/seqos/sched.h has the contract).
 *
 * Run queues: one FIFO list per priority (0 highest); pick_next() takes the head of the
 * highest non-empty one, and the idle thread when all are empty. A thread that uses up
 * its timeslice (TIMESLICE_TICKS ticks) goes to the tail of its queue: round-robin
 * within a priority. A wakeup of a higher-priority thread preempts at once (on the IRQ
 * return path, or at the next preempt_enable()).
 *
 * Locking: the run queues are touched with interrupts off (this CPU only). A thread that
 * exits is freed by the thread that runs after it (finish_switch), never on its own
 * stack. */
#include <asm/cpu.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/vm.h>

struct cpu cpu0;
static struct list_head runq[NR_PRIO];
static u32 runq_bitmap;
static LIST_HEAD(all_threads);
static u32 next_tid = 1;
static struct thread idle_thread;
static struct thread *dead_prev; /* exited thread to free after the switch */
static u64 nr_switches;

void __switch_to(u64 *prev_rsp, u64 next_rsp);
void thread_trampoline(void);

struct trace_ctx trace_current_ctx(void) { return cpu0.ctx; }
u64 trace_clock(void) { return rdtsc(); }
unsigned trace_cpu(void) { return 0; }

struct trace_ctx trace_ctx_enter(u8 kind, u32 id)
{
	struct trace_ctx prev = cpu0.ctx;
	cpu0.ctx.kind = kind;
	cpu0.ctx.id = id;
	return prev;
}

void trace_ctx_leave(struct trace_ctx prev) { cpu0.ctx = prev; }

static void enqueue(struct thread *t)
{
	list_add_tail(&t->run, &runq[t->prio]);
	runq_bitmap |= 1u << t->prio;
}

static void dequeue(struct thread *t)
{
	list_del(&t->run);
	if (list_empty(&runq[t->prio]))
		runq_bitmap &= ~(1u << t->prio);
}

static struct thread *pick_next(void)
{
	if (!runq_bitmap)
		return cpu0.idle;
	return list_first_entry(&runq[__builtin_ctz(runq_bitmap)], struct thread, run);
}

/* Runs on the new thread's stack right after a switch. */
static void finish_switch(void)
{
	struct thread *d = dead_prev;

	if (!d)
		return;
	dead_prev = NULL;
	stack_free(d->stack, d->stack_size);
	d->stack = NULL;
	if (d->detached) {
		list_del(&d->all);
		kfree(d);
	}
}

/* preempt: the thread did not ask to sleep (an interrupt's return, preempt_enable,
 * local_bh_enable). One that was on its way to sleep — between prepare_to_wait() and its
 * own schedule() — stays runnable then, as in Linux's __schedule(SM_PREEMPT): in that
 * window it may still hold what its wakers need (sk_wait_event() releases the socket
 * after prepare_to_wait(); taken off the CPU there, it kept the socket owned, every
 * segment went to a backlog nobody would process, and the wake-up it waited for could
 * never come). It gets its sleep state back when it runs again, and sleeps when it calls
 * schedule() itself, unless a wake-up came meanwhile. */
static void __schedule(bool preempt)
{
	unsigned long flags;
	struct cpu *c = this_cpu();
	struct thread *prev, *next;

	local_irq_save(flags);
	prev = c->current;
	if (unlikely(c->preempt_count & ~PREEMPT_MASK) || unlikely(c->preempt_count & PREEMPT_MASK))
		panic("scheduling while atomic: preempt_count %#x in %s", c->preempt_count, prev->name);
	c->need_resched = false;
	if (prev != c->idle) {
		if (prev->state == T_RUNNING) {
			prev->state = T_READY;
			enqueue(prev);
		} else if (preempt && (prev->state == T_BLOCKED || prev->state == T_SLEEPING)) {
			prev->preempted_state = prev->state;
			prev->state = T_READY;
			enqueue(prev);
		}
	}
	next = pick_next();
	if (next != c->idle)
		dequeue(next);
	next->state = next->preempted_state ? next->preempted_state : T_RUNNING;
	next->preempted_state = 0;
	if (next->slice == 0)
		next->slice = TIMESLICE_TICKS;
	if (next != prev) {
		u64 now = ktime_get_ns();
		prev->cpu_ns += now - prev->run_start;
		next->run_start = now;
		next->switches++;
		nr_switches++;
		trace_event(sched_switch, 0, TRACE_CTX(CTX_THREAD, next->tid), prev->state);
		if (prev->state == T_DEAD)
			dead_prev = prev;
		c->current = next;
		c->ctx.kind = CTX_THREAD;
		c->ctx.id = next->tid;
		__switch_to(&prev->rsp, next->rsp);
		finish_switch();
	}
	local_irq_restore(flags);
}

void schedule(void) { __schedule(false); }

void preempt_schedule(void) { __schedule(true); }

void preempt_schedule_irq(void) { __schedule(true); }

void yield(void)
{
	this_cpu()->current->slice = 0;
	schedule();
}

void preempt_disable(void)
{
	this_cpu()->preempt_count++;
	barrier();
}

void preempt_enable(void)
{
	struct cpu *c = this_cpu();
	barrier();
	if (--c->preempt_count == 0 && c->need_resched && !irqs_disabled() && c->current)
		preempt_schedule();
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;

	if (!t)
		return;
	if (t == c->idle) {
		if (runq_bitmap)
			c->need_resched = true;
		return;
	}
	if (t->slice && --t->slice == 0 && (runq_bitmap & ((2u << t->prio) - 1)))
		c->need_resched = true;
}

void wake_up_thread(struct thread *t)
{
	unsigned long flags;
	struct cpu *c = this_cpu();

	local_irq_save(flags);
	if (t == c->current) {
		/* Woken between prepare_to_wait() and schedule() (by an interrupt): it is still
		 * running, so it must not go on a run queue — only stop it from blocking. */
		if (t->state == T_BLOCKED || t->state == T_SLEEPING) {
			trace_event(wake_up, 0, TRACE_CTX(CTX_THREAD, t->tid), t->tid);
			t->state = T_RUNNING;
		}
	} else if (t->state == T_BLOCKED || t->state == T_SLEEPING) {
		trace_event(wake_up, 0, TRACE_CTX(CTX_THREAD, t->tid), t->tid);
		t->state = T_READY;
		enqueue(t);
		if (c->current == c->idle || t->prio < c->current->prio)
			c->need_resched = true;
	} else if (t->state == T_READY && t->preempted_state) {
		/* preempted on its way to sleep and still queued: it need not sleep now */
		trace_event(wake_up, 0, TRACE_CTX(CTX_THREAD, t->tid), t->tid);
		t->preempted_state = 0;
	}
	local_irq_restore(flags);
}

__noreturn void thread_start(void)
{
	struct thread *t = this_cpu()->current;

	finish_switch();
	local_irq_enable();
	thread_exit(t->fn(t->arg));
}

struct thread *thread_alloc(int (*fn)(void *), void *arg, const char *name, int prio)
{
	struct thread *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->stack_size = THREAD_STACK_SIZE;
	t->stack = stack_alloc(t->stack_size);
	if (!t->stack) {
		kfree(t);
		return NULL;
	}
	t->fn = fn;
	t->arg = arg;
	t->prio = prio < 0 ? 0 : prio >= NR_PRIO ? NR_PRIO - 1 : prio;
	strlcpy(t->name, name, sizeof(t->name));
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	INIT_LIST_HEAD(&t->run);
	__timer_setup(&t->sleep_timer, NULL, "thread_timeout");
	trace_name(CTX_THREAD, t->tid, t->name);
	return t;
}

void thread_start_new(struct thread *t, u64 *sp)
{
	unsigned long flags;

	/* Six callee-saved registers for __switch_to to pop, then the trampoline. */
	*--sp = 0;
	*--sp = (u64)thread_trampoline;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->rsp = (u64)sp;
	local_irq_save(flags);
	list_add_tail(&t->all, &all_threads);
	t->state = T_READY;
	enqueue(t);
	if (this_cpu()->current && t->prio < this_cpu()->current->prio)
		this_cpu()->need_resched = true;
	local_irq_restore(flags);
}

struct thread *kthread_create(int (*fn)(void *), void *arg, const char *name, int prio)
{
	struct thread *t = thread_alloc(fn, arg, name, prio);

	if (t)
		thread_start_new(t, (u64 *)((u8 *)t->stack + t->stack_size));
	return t;
}

static DECLARE_WAIT_QUEUE_HEAD(exit_wq);

__noreturn void thread_exit(int code)
{
	struct thread *t = this_cpu()->current;

	t->exit_code = code;
	local_irq_disable();
	t->state = T_DEAD;
	wake_up(&exit_wq);
	schedule();
	panic("thread_exit: dead thread %s ran again", t->name);
}

int thread_join(struct thread *t, int *exit_code)
{
	unsigned long flags;

	wait_event(&exit_wq, t->state == T_DEAD && t->stack == NULL);
	if (exit_code)
		*exit_code = t->exit_code;
	local_irq_save(flags);
	list_del(&t->all);
	local_irq_restore(flags);
	kfree(t);
	return 0;
}

void thread_detach(struct thread *t)
{
	unsigned long flags;

	local_irq_save(flags);
	t->detached = true;
	if (t->state == T_DEAD && t->stack == NULL) { /* already gone: free now */
		list_del(&t->all);
		kfree(t);
	}
	local_irq_restore(flags);
}

static void sleep_timer_fn(struct timer_list *tl)
{
	wake_up_thread(from_timer((struct thread *)0, tl, sleep_timer));
}

void sleep_ns(u64 ns)
{
	u64 deadline = ktime_get_ns() + ns;
	struct thread *t = this_cpu()->current;

	while (ktime_get_ns() < deadline) {
		unsigned long flags;
		local_irq_save(flags);
		t->state = T_SLEEPING;
		t->wchan = "sleep";
		t->sleep_timer.function = sleep_timer_fn;
		mod_timer(&t->sleep_timer, nsecs_to_jiffies(deadline) + 1);
		local_irq_restore(flags);
		schedule();
		del_timer(&t->sleep_timer);
		t->wchan = NULL;
	}
}

struct thread *thread_find(u32 tid)
{
	struct thread *t;
	list_for_each_entry(t, &all_threads, all)
		if (t->tid == tid)
			return t;
	return NULL;
}

void thread_for_each(thread_visit_fn fn, void *arg)
{
	struct thread *t;
	unsigned long flags;

	local_irq_save(flags);
	fn(&idle_thread, arg);
	list_for_each_entry(t, &all_threads, all)
		fn(t, arg);
	local_irq_restore(flags);
}

void sched_init(void)
{
	for (int p = 0; p < NR_PRIO; p++)
		INIT_LIST_HEAD(&runq[p]);
	idle_thread.tid = 0;
	idle_thread.prio = PRIO_IDLE;
	idle_thread.state = T_RUNNING;
	strlcpy(idle_thread.name, "idle", sizeof(idle_thread.name));
	idle_thread.stack = __boot_stack_bottom;
	idle_thread.stack_size = (size_t)(__boot_stack_top - __boot_stack_bottom);
	INIT_LIST_HEAD(&idle_thread.run);
	INIT_LIST_HEAD(&idle_thread.all);
	cpu0.idle = &idle_thread;
	cpu0.current = &idle_thread;
	cpu0.ctx.kind = CTX_THREAD;
	cpu0.ctx.id = 0;
	trace_name(CTX_THREAD, 0, "idle");
}

/* The boot flow ends here and becomes the idle thread. */
__noreturn void sched_start(void)
{
	this_cpu()->preempt_count--; /* kernel_main's preempt_disable(); schedule() follows */
	local_irq_enable();
	for (;;) {
		local_irq_disable();
		if (!runq_bitmap && !this_cpu()->need_resched)
			safe_halt(); /* sti; hlt: an interrupt cannot slip in between */
		else
			local_irq_enable();
		schedule();
	}
}

static const char *const state_names[] = { "R", "S", "D", "T", "X" };

static void show_thread(struct thread *t, void *arg)
{
	u64 ns = t->cpu_ns + (t == this_cpu()->current ? ktime_get_ns() - t->run_start : 0);
	kprintf("%5u %-20s %s %4d %8lu.%03lu %10lu  %s\n", t->tid, t->name,
		t->state == T_RUNNING ? "R" : t->state == T_READY ? "r" :
		t->state == T_BLOCKED ? "S" : t->state == T_SLEEPING ? "s" : state_names[4],
		t->prio, (unsigned long)(ns / NSEC_PER_MSEC), (unsigned long)(ns / 1000 % 1000),
		(unsigned long)t->switches, t->wchan ? t->wchan : "");
}

static int cmd_ps(int argc, char **argv)
{
	kprintf("  TID NAME                 S PRIO   CPU(ms)   SWITCHES  WAITING ON\n");
	thread_for_each(show_thread, NULL);
	kprintf("context switches: %lu (R running, r ready, S blocked, s sleeping)\n",
		(unsigned long)nr_switches);
	return 0;
}
SHELL_CMD("ps", "ps - threads, state, CPU time, switches", cmd_ps);

void spin_lock_bug(spinlock_t *l, const char *what)
{
	panic("spinlock %s: %s", l->name ? l->name : "?", what);
}
