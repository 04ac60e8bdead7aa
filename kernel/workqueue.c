/* Workqueues: work items run in worker threads, which may sleep (Linux's API).
 *
 * Each workqueue has a FIFO of pending items and one or more worker threads. An item
 * is queued at most once (the PENDING bit); while it runs it is RUNNING, and may be
 * queued again from inside itself. Delayed work is a timer whose function queues the
 * item. The trace records queue_work as a hand-off from the queuing context to the work
 * item, and each run as a work_run slice in the context work:<id> on the worker thread.
 * Locking: wq->lock with interrupts off (hard IRQs and timers queue work). */
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>
#include <seqos/workqueue.h>

#define WORK_PENDING 1u
#define WORK_RUNNING 2u
#define MAX_WORKERS 4

struct workqueue_struct {
	char name[24];
	u32 id;
	spinlock_t lock;
	struct list_head pending;
	struct wait_queue_head more_work;
	int nr_workers;
	struct thread *workers[MAX_WORKERS];
	int running;
	u64 executed;
	bool stopping;
	struct workqueue_struct *next_wq;
};

struct workqueue_struct *system_wq;
static struct workqueue_struct *all_wqs;
static DECLARE_WAIT_QUEUE_HEAD(done_wq); /* flushers and cancellers wait here */
static u32 next_work_id = 1;
static u32 next_wq_id = 1;

void __init_work(struct work_struct *w, work_func_t fn, const char *name)
{
	INIT_LIST_HEAD(&w->entry);
	w->func = fn;
	w->name = name;
	w->state = 0;
	w->wq = NULL;
	w->id = __atomic_fetch_add(&next_work_id, 1, __ATOMIC_RELAXED);
	trace_name(CTX_WORK, w->id, name);
}

static void delayed_work_timer_fn(struct timer_list *t);

void __init_delayed_work(struct delayed_work *dw, work_func_t fn, const char *name)
{
	__init_work(&dw->work, fn, name);
	__timer_setup(&dw->timer, delayed_work_timer_fn, name);
	dw->wq = NULL;
}

/* Puts a PENDING item on the queue and wakes a worker. Interrupts off. */
static void insert_work(struct workqueue_struct *wq, struct work_struct *w)
{
	spin_lock(&wq->lock);
	w->wq = wq;
	list_add_tail(&w->entry, &wq->pending);
	spin_unlock(&wq->lock);
	trace_event(queue_work, 0, TRACE_CTX(CTX_WORK, w->id), w->id);
	wake_up_one(&wq->more_work);
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *w)
{
	unsigned long flags;
	bool queued = false;

	local_irq_save(flags);
	if (!(w->state & WORK_PENDING)) {
		w->state |= WORK_PENDING;
		insert_work(wq, w);
		queued = true;
	}
	local_irq_restore(flags);
	return queued;
}

static void delayed_work_timer_fn(struct timer_list *t)
{
	struct delayed_work *dw = from_timer(dw, t, timer);
	unsigned long flags;

	local_irq_save(flags);
	insert_work(dw->wq, &dw->work);
	local_irq_restore(flags);
}

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw, u64 delay)
{
	unsigned long flags;
	bool queued = false;

	local_irq_save(flags);
	if (!(dw->work.state & WORK_PENDING)) {
		dw->work.state |= WORK_PENDING;
		dw->wq = wq;
		if (delay == 0)
			insert_work(wq, &dw->work);
		else /* from the clock, not the last tick's jiffies (which may lag); +1: the
		      * current jiffy is partly gone; a full delay must pass */
			mod_timer(&dw->timer, jiffies_now() + delay + 1);
		queued = true;
	}
	local_irq_restore(flags);
	return queued;
}

/* Takes a pending item off its queue or timer; true when it was pending. */
static bool grab_pending(struct work_struct *w, struct timer_list *timer)
{
	unsigned long flags;
	bool was = false;

	local_irq_save(flags);
	if (w->state & WORK_PENDING) {
		if (timer && del_timer(timer)) {
			was = true;
		} else if (!list_empty(&w->entry)) {
			spin_lock(&w->wq->lock);
			list_del(&w->entry);
			spin_unlock(&w->wq->lock);
			was = true;
		}
		if (was)
			w->state &= ~WORK_PENDING;
	}
	local_irq_restore(flags);
	return was;
}

/* The item runs no sooner than delay jiffies from now (one jiffy later at most). */
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw, u64 delay)
{
	bool was = grab_pending(&dw->work, &dw->timer);
	queue_delayed_work(wq, dw, delay);
	return was;
}

bool cancel_delayed_work(struct delayed_work *dw) { return grab_pending(&dw->work, &dw->timer); }

bool flush_work(struct work_struct *w)
{
	bool busy = w->state & (WORK_PENDING | WORK_RUNNING);
	wait_event(&done_wq, !(w->state & (WORK_PENDING | WORK_RUNNING)));
	return busy;
}

bool cancel_work_sync(struct work_struct *w)
{
	bool was = grab_pending(w, NULL);
	wait_event(&done_wq, !(w->state & WORK_RUNNING));
	return was;
}

bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	bool was = grab_pending(&dw->work, &dw->timer);
	wait_event(&done_wq, !(dw->work.state & WORK_RUNNING));
	return was;
}

void flush_workqueue(struct workqueue_struct *wq)
{
	wait_event(&done_wq, list_empty(&wq->pending) && wq->running == 0);
}

static int worker_thread(void *arg)
{
	struct workqueue_struct *wq = arg;
	unsigned long flags;

	for (;;) {
		struct work_struct *w;
		struct trace_ctx prev;

		wait_event(&wq->more_work, !list_empty(&wq->pending) || wq->stopping);
		spin_lock_irqsave(&wq->lock, flags);
		if (list_empty(&wq->pending)) {
			bool stop = wq->stopping;
			spin_unlock_irqrestore(&wq->lock, flags);
			if (stop)
				break;
			continue;
		}
		w = list_first_entry(&wq->pending, struct work_struct, entry);
		list_del(&w->entry);
		w->state = (w->state & ~WORK_PENDING) | WORK_RUNNING;
		wq->running++;
		spin_unlock_irqrestore(&wq->lock, flags);

		prev = trace_ctx_enter(CTX_WORK, w->id);
		trace_begin(work_run, 0, w->id, wq->id);
		w->func(w);
		trace_end(work_run, 0, w->id, wq->id);
		trace_ctx_leave(prev);

		spin_lock_irqsave(&wq->lock, flags);
		w->state &= ~WORK_RUNNING;
		wq->running--;
		wq->executed++;
		spin_unlock_irqrestore(&wq->lock, flags);
		wake_up(&done_wq);
	}
	return 0;
}

struct workqueue_struct *alloc_workqueue(const char *name, int max_workers)
{
	struct workqueue_struct *wq = kzalloc(sizeof(*wq));
	char tname[24];

	if (!wq)
		return NULL;
	strlcpy(wq->name, name, sizeof(wq->name));
	wq->id = next_wq_id++;
	spin_lock_init(&wq->lock);
	INIT_LIST_HEAD(&wq->pending);
	init_waitqueue_head(&wq->more_work);
	if (max_workers < 1)
		max_workers = 1;
	if (max_workers > MAX_WORKERS)
		max_workers = MAX_WORKERS;
	for (int i = 0; i < max_workers; i++) {
		snprintf(tname, sizeof(tname), "kworker/%s:%d", name, i);
		wq->workers[i] = kthread_create(worker_thread, wq, tname, PRIO_DEFAULT - 1);
		if (wq->workers[i])
			wq->nr_workers++;
	}
	wq->next_wq = all_wqs;
	all_wqs = wq;
	return wq;
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	struct workqueue_struct **pp;

	flush_workqueue(wq);
	wq->stopping = true;
	wake_up(&wq->more_work);
	for (int i = 0; i < wq->nr_workers; i++)
		thread_join(wq->workers[i], NULL);
	for (pp = &all_wqs; *pp; pp = &(*pp)->next_wq)
		if (*pp == wq) {
			*pp = wq->next_wq;
			break;
		}
	kfree(wq);
}

void workqueue_init(void)
{
	system_wq = alloc_workqueue("events", 2);
}

static int cmd_workqueues(int argc, char **argv)
{
	kprintf("%-16s %7s %7s %7s %10s\n", "WORKQUEUE", "WORKERS", "PENDING", "RUNNING", "EXECUTED");
	for (struct workqueue_struct *wq = all_wqs; wq; wq = wq->next_wq) {
		int n = 0;
		struct list_head *p;
		unsigned long flags;
		spin_lock_irqsave(&wq->lock, flags);
		list_for_each(p, &wq->pending)
			n++;
		spin_unlock_irqrestore(&wq->lock, flags);
		kprintf("%-16s %7d %7d %7d %10lu\n", wq->name, wq->nr_workers, n, wq->running,
			(unsigned long)wq->executed);
	}
	return 0;
}
SHELL_CMD("workqueues", "workqueues - workqueues, workers, pending and executed items", cmd_workqueues);
