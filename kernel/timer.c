/* Timers: a hashed timer wheel on jiffies (DESIGN.md "Execution contexts").
 *
 * The tick (timer hard IRQ) advances jiffies and calls timer_tick(), which raises
 * TIMER_SOFTIRQ only when the slot for the new jiffy holds a timer. run_timers(), the
 * TIMER_SOFTIRQ action, walks every slot from the last jiffy it processed to now and
 * runs the timers that are due, each in the context CTX_TIMER nested in the softirq.
 * A slot holds every timer whose expiry hashes to it, so a timer more than WHEEL_SIZE
 * jiffies away is looked at (and skipped) once per wheel turn: cheap for the few
 * long timers a small OS has (keepalive, DHCP lease), and exact for all.
 *
 * Portable: this file is also linked into the host tests, where the shim owns jiffies.
 * Locking: wheel_lock with interrupts off, since any context may arm a timer. */
#include <seqos/printk.h>
#include <seqos/softirq.h>
#include <seqos/spinlock.h>
#include <seqos/time.h>
#include <seqos/timer.h>
#include <seqos/trace.h>

#define WHEEL_BITS 8
#define WHEEL_SIZE (1u << WHEEL_BITS) /* 256 jiffies: ~1 s at HZ=250 */

static struct list_head wheel[WHEEL_SIZE];
static DEFINE_SPINLOCK(wheel_lock);
static u64 wheel_clk;                 /* every jiffy < wheel_clk has been processed */
static u32 pending_count;
static struct timer_list *volatile running_timer;
static u32 next_timer_id = 1;

void timers_init(void)
{
	for (unsigned i = 0; i < WHEEL_SIZE; i++)
		INIT_LIST_HEAD(&wheel[i]);
	wheel_clk = jiffies;
	pending_count = 0;
	running_timer = NULL;
}

void __timer_setup(struct timer_list *t, void (*fn)(struct timer_list *), const char *name)
{
	INIT_LIST_HEAD(&t->entry);
	t->expires = 0;
	t->function = fn;
	t->name = name;
	t->flags = 0;
	t->id = __atomic_fetch_add(&next_timer_id, 1, __ATOMIC_RELAXED);
	trace_name(CTX_TIMER, t->id, name);
}

bool timer_pending(const struct timer_list *t) { return !list_empty(&t->entry); }

static void enqueue(struct timer_list *t)
{
	/* A timer already due goes to the slot that run_timers() processes next. */
	u64 when = time_before(t->expires, wheel_clk) ? wheel_clk : t->expires;
	list_add_tail(&t->entry, &wheel[when & (WHEEL_SIZE - 1)]);
	pending_count++;
}

static int detach(struct timer_list *t)
{
	if (!timer_pending(t))
		return 0;
	list_del(&t->entry);
	pending_count--;
	return 1;
}

int mod_timer(struct timer_list *t, u64 expires)
{
	unsigned long flags;
	int was;

	spin_lock_irqsave(&wheel_lock, flags);
	was = detach(t);
	t->expires = expires;
	enqueue(t);
	spin_unlock_irqrestore(&wheel_lock, flags);
	return was;
}

void add_timer(struct timer_list *t)
{
	BUG_ON(timer_pending(t));
	mod_timer(t, t->expires);
}

int del_timer(struct timer_list *t)
{
	unsigned long flags;
	int was;

	spin_lock_irqsave(&wheel_lock, flags);
	was = detach(t);
	spin_unlock_irqrestore(&wheel_lock, flags);
	return was;
}

int del_timer_sync(struct timer_list *t)
{
	int was = del_timer(t);

	/* On one CPU a running handler cannot be interrupted by a thread (softirqs run with
	 * preemption off), so this only waits when called from a context nested inside
	 * the handler's softirq, which is a bug. */
	BUG_ON(running_timer == t && in_serving_softirq());
	while (running_timer == t)
		__asm__ __volatile__("" ::: "memory");
	return was;
}

void timer_tick(void)
{
	/* Called with interrupts off after jiffies advanced (maybe by more than one). */
	if (!pending_count)
		return;
	if (jiffies - wheel_clk >= WHEEL_SIZE) {
		raise_softirq_irqoff(TIMER_SOFTIRQ);
		return;
	}
	for (u64 j = wheel_clk; time_before_eq(j, jiffies); j++)
		if (!list_empty(&wheel[j & (WHEEL_SIZE - 1)])) {
			raise_softirq_irqoff(TIMER_SOFTIRQ);
			return;
		}
}

static void run_one(struct timer_list *t, u64 now)
{
	void (*fn)(struct timer_list *) = t->function;
	u32 id = t->id; /* the handler may free the object holding t */
	struct trace_ctx prev = trace_ctx_enter(CTX_TIMER, id);

	trace_begin(timer_expire, 0, (u64)id, now - t->expires);
	fn(t);
	trace_end(timer_expire, 0, (u64)id, 0);
	trace_ctx_leave(prev);
}

void run_timers(void)
{
	unsigned long flags;
	u64 now = jiffies;

	spin_lock_irqsave(&wheel_lock, flags);
	/* After a long gap (a host test advancing hours) one turn visits every slot. */
	if (now - wheel_clk > WHEEL_SIZE)
		wheel_clk = now - WHEEL_SIZE;
	while (time_before_eq(wheel_clk, now)) {
		unsigned idx = wheel_clk & (WHEEL_SIZE - 1);
		struct list_head work;

		/* Take the slot's list; a handler that re-arms for "now" lands in the next
		 * jiffy's slot and runs on the next tick, so no handler can loop here. */
		INIT_LIST_HEAD(&work);
		if (!list_empty(&wheel[idx])) {
			work.next = wheel[idx].next;
			work.prev = wheel[idx].prev;
			work.next->prev = &work;
			work.prev->next = &work;
			INIT_LIST_HEAD(&wheel[idx]);
		}
		wheel_clk++;
		while (!list_empty(&work)) {
			struct timer_list *t = list_first_entry(&work, struct timer_list, entry);
			list_del(&t->entry);
			if (time_after(t->expires, now)) {
				list_add_tail(&t->entry, &wheel[idx]); /* a later turn */
				continue;
			}
			pending_count--;
			running_timer = t;
			spin_unlock_irqrestore(&wheel_lock, flags);
			run_one(t, now);
			spin_lock_irqsave(&wheel_lock, flags);
			running_timer = NULL;
		}
	}
	spin_unlock_irqrestore(&wheel_lock, flags);
}

u64 timer_next_expiry(void)
{
	unsigned long flags;
	u64 best = ~0ULL;

	spin_lock_irqsave(&wheel_lock, flags);
	for (unsigned i = 0; i < WHEEL_SIZE && pending_count; i++) {
		struct timer_list *t;
		list_for_each_entry(t, &wheel[i], entry)
			if (best == ~0ULL || time_before(t->expires, best))
				best = t->expires;
	}
	spin_unlock_irqrestore(&wheel_lock, flags);
	return best;
}

void timer_for_each(timer_visit_fn fn, void *arg)
{
	unsigned long flags;

	/* The visitor only formats; holding the lock keeps the lists stable. */
	spin_lock_irqsave(&wheel_lock, flags);
	for (unsigned i = 0; i < WHEEL_SIZE; i++) {
		struct timer_list *t;
		list_for_each_entry(t, &wheel[i], entry)
			fn(t, arg);
	}
	spin_unlock_irqrestore(&wheel_lock, flags);
}
