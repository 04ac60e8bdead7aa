/* Wait queues, mutexes and completions.
 *
 * The wait protocol closes the lost-wakeup window the usual way: prepare_to_wait()
 * marks the thread blocked and queues it before the caller tests its condition, so a
 * wake_up() that lands between the test and schedule() makes the thread runnable again
 * and schedule() simply returns. Any context may wake; only threads wait. */
#include <seqos/printk.h>
#include <seqos/softirq.h>
#include <seqos/sched.h>
#include <seqos/time.h>

void init_waitqueue_head(struct wait_queue_head *wq)
{
	spin_lock_init(&wq->lock);
	wq->lock.name = "waitqueue";
	INIT_LIST_HEAD(&wq->waiters);
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, const char *why)
{
	unsigned long flags;
	struct thread *t = current_thread();

	spin_lock_irqsave(&wq->lock, flags);
	if (!e->thread) {
		e->thread = t;
		list_add_tail(&e->link, &wq->waiters);
	}
	e->woken = false;
	t->state = T_BLOCKED;
	t->wchan = why;
	spin_unlock_irqrestore(&wq->lock, flags);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	unsigned long flags;
	struct thread *t = current_thread();

	spin_lock_irqsave(&wq->lock, flags);
	t->state = T_RUNNING;
	t->wchan = NULL;
	if (e->thread) {
		list_del(&e->link);
		e->thread = NULL;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

static void wait_timeout_fn(struct timer_list *tl)
{
	wake_up_thread(from_timer((struct thread *)0, tl, sleep_timer));
}

bool wait_woken(struct wait_queue_entry *e, u64 deadline_ns)
{
	struct thread *t = current_thread();

	if (deadline_ns) {
		if (ktime_get_ns() >= deadline_ns)
			return false;
		t->sleep_timer.function = wait_timeout_fn;
		mod_timer(&t->sleep_timer, nsecs_to_jiffies(deadline_ns) + 1);
	}
	schedule();
	if (deadline_ns) {
		del_timer(&t->sleep_timer);
		if (!e->woken && ktime_get_ns() >= deadline_ns)
			return false;
	}
	return true;
}

static void __wake_up(struct wait_queue_head *wq, bool one)
{
	unsigned long flags;
	struct wait_queue_entry *e, *n;

	spin_lock_irqsave(&wq->lock, flags);
	list_for_each_entry_safe(e, n, &wq->waiters, link) {
		/* Leave the entry queued: a spurious wakeup must still find it on re-wait. */
		e->woken = true;
		wake_up_thread(e->thread);
		if (one)
			break;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wake_up(struct wait_queue_head *wq) { __wake_up(wq, false); }
void wake_up_one(struct wait_queue_head *wq) { __wake_up(wq, true); }

void mutex_init(struct mutex *m)
{
	m->owner = NULL;
	init_waitqueue_head(&m->wq);
}

bool mutex_trylock(struct mutex *m)
{
	unsigned long flags;
	bool ok = false;

	local_irq_save(flags);
	if (!m->owner) {
		m->owner = current_thread();
		ok = true;
	}
	local_irq_restore(flags);
	return ok;
}

void mutex_lock(struct mutex *m)
{
	BUG_ON(in_interrupt());
	if (m->owner == current_thread())
		panic("mutex_lock: recursive lock by %s", current_thread()->name);
	wait_event(&m->wq, mutex_trylock(m));
}

void mutex_unlock(struct mutex *m)
{
	if (m->owner != current_thread())
		panic("mutex_unlock: not the owner (%s)", current_thread()->name);
	m->owner = NULL;
	wake_up_one(&m->wq);
}

void init_completion(struct completion *c)
{
	c->done = 0;
	init_waitqueue_head(&c->wq);
}

void complete(struct completion *c)
{
	unsigned long flags;
	local_irq_save(flags);
	c->done++;
	local_irq_restore(flags);
	wake_up_one(&c->wq);
}

void complete_all(struct completion *c)
{
	c->done = 0x7fffffff;
	wake_up(&c->wq);
}

static bool try_take(struct completion *c)
{
	unsigned long flags;
	bool ok = false;

	local_irq_save(flags);
	if (c->done) {
		if (c->done != 0x7fffffff)
			c->done--;
		ok = true;
	}
	local_irq_restore(flags);
	return ok;
}

void wait_for_completion(struct completion *c) { wait_event(&c->wq, try_take(c)); }

bool wait_for_completion_timeout(struct completion *c, u64 timeout_ns)
{
	return wait_event_deadline(&c->wq, try_take(c), ktime_get_ns() + timeout_ns);
}
