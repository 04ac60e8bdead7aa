/* Tasklets: deferred functions run in the TASKLET (or HI) softirq (Linux semantics).
 *
 *  - tasklet_schedule() queues a tasklet once: scheduling it again before it runs does
 *    nothing (the SCHED bit is already set).
 *  - A tasklet never runs concurrently with itself: the RUN bit is its lock. (One CPU
 *    today, but the protocol is the SMP one.)
 *  - A disabled tasklet (count > 0) stays queued and is retried on the next softirq run;
 *    tasklet_disable() also waits for a running instance to finish.
 *  - tasklet_kill() waits until the tasklet is neither scheduled nor running; it may
 *    sleep, so only threads call it. */
#include <seqos/interrupt.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/spinlock.h>
#include <seqos/trace.h>

struct tasklet_list {
	struct tasklet_struct *head, **tail;
};

static struct tasklet_list tasklet_vec, tasklet_hi_vec;
static u32 next_tasklet_id = 1;

static bool test_and_set(unsigned long *w, int bit)
{
	return __atomic_fetch_or(w, 1UL << bit, __ATOMIC_ACQ_REL) & (1UL << bit);
}
static void clear(unsigned long *w, int bit) { __atomic_fetch_and(w, ~(1UL << bit), __ATOMIC_RELEASE); }
static bool test(unsigned long *w, int bit) { return __atomic_load_n(w, __ATOMIC_ACQUIRE) & (1UL << bit); }

void __tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data,
		    const char *name)
{
	t->next = NULL;
	t->state = 0;
	t->count = 0;
	t->func = func;
	t->data = data;
	t->name = name;
	t->runs = 0;
	t->id = __atomic_fetch_add(&next_tasklet_id, 1, __ATOMIC_RELAXED);
	trace_name(CTX_TASKLET, t->id, name);
}

static void enqueue(struct tasklet_list *l, struct tasklet_struct *t, unsigned nr)
{
	unsigned long flags;

	local_irq_save(flags);
	t->next = NULL;
	*l->tail = t;
	l->tail = &t->next;
	trace_event(tasklet_schedule, 0, TRACE_CTX(CTX_TASKLET, t->id), t->id);
	raise_softirq_irqoff(nr);
	local_irq_restore(flags);
}

void tasklet_schedule(struct tasklet_struct *t)
{
	if (!test_and_set(&t->state, TASKLET_STATE_SCHED))
		enqueue(&tasklet_vec, t, TASKLET_SOFTIRQ);
}

void tasklet_hi_schedule(struct tasklet_struct *t)
{
	if (!test_and_set(&t->state, TASKLET_STATE_SCHED))
		enqueue(&tasklet_hi_vec, t, HI_SOFTIRQ);
}

static void tasklet_action_common(struct tasklet_list *l, unsigned nr)
{
	struct tasklet_struct *list;
	unsigned long flags;

	local_irq_save(flags);
	list = l->head;
	l->head = NULL;
	l->tail = &l->head;
	local_irq_restore(flags);

	while (list) {
		struct tasklet_struct *t = list;
		list = list->next;
		if (!test_and_set(&t->state, TASKLET_STATE_RUN)) {
			if (!__atomic_load_n(&t->count, __ATOMIC_ACQUIRE)) {
				struct trace_ctx prev;
				if (!test(&t->state, TASKLET_STATE_SCHED))
					panic("tasklet %s ran without being scheduled", t->name);
				clear(&t->state, TASKLET_STATE_SCHED);
				prev = trace_ctx_enter(CTX_TASKLET, t->id);
				trace_begin(tasklet_run, 0, t->id, 0);
				t->runs++;
				t->func(t->data);
				trace_end(tasklet_run, 0, t->id, 0);
				trace_ctx_leave(prev);
				clear(&t->state, TASKLET_STATE_RUN);
				continue;
			}
			clear(&t->state, TASKLET_STATE_RUN);
		}
		/* Disabled or running elsewhere: back on the list for the next run. */
		local_irq_save(flags);
		t->next = NULL;
		*l->tail = t;
		l->tail = &t->next;
		raise_softirq_irqoff(nr);
		local_irq_restore(flags);
	}
}

static void tasklet_action(void) { tasklet_action_common(&tasklet_vec, TASKLET_SOFTIRQ); }
static void tasklet_hi_action(void) { tasklet_action_common(&tasklet_hi_vec, HI_SOFTIRQ); }

void tasklet_disable_nosync(struct tasklet_struct *t) { __atomic_fetch_add(&t->count, 1, __ATOMIC_ACQ_REL); }

void tasklet_disable(struct tasklet_struct *t)
{
	tasklet_disable_nosync(t);
	while (test(&t->state, TASKLET_STATE_RUN))
		yield();
}

void tasklet_enable(struct tasklet_struct *t) { __atomic_fetch_sub(&t->count, 1, __ATOMIC_ACQ_REL); }

void tasklet_kill(struct tasklet_struct *t)
{
	BUG_ON(in_interrupt());
	while (test_and_set(&t->state, TASKLET_STATE_SCHED)) {
		do {
			local_bh_disable(); /* runs pending softirqs here, on enable */
			local_bh_enable();
			yield();
		} while (test(&t->state, TASKLET_STATE_SCHED));
	}
	while (test(&t->state, TASKLET_STATE_RUN))
		yield();
	clear(&t->state, TASKLET_STATE_SCHED);
}

void tasklet_init_softirqs(void)
{
	tasklet_vec.head = NULL;
	tasklet_vec.tail = &tasklet_vec.head;
	tasklet_hi_vec.head = NULL;
	tasklet_hi_vec.tail = &tasklet_hi_vec.head;
	open_softirq(TASKLET_SOFTIRQ, tasklet_action);
	open_softirq(HI_SOFTIRQ, tasklet_hi_action);
}
