/* Host shim, sleeping services: wait queues, mutexes, completions, sleep and workqueues.
 * The test process is one thread. A wait runs pending work and moves the clock to the next
 * timer or the deadline until its condition is woken, so blocking calls (ping,
 * dns_resolve) work in tests; a wait that nothing can ever end aborts the test. */
#include <shim.h>

#include <seqos/sched.h>
#include <seqos/time.h>
#include <seqos/timer.h>
#include <seqos/workqueue.h>

#include <stdio.h>
#include <stdlib.h>

void shim_work_ctx_enter(u32 work_id);
void shim_work_ctx_exit(void);

/* ---- wait queues ---- */
void init_waitqueue_head(struct wait_queue_head *wq)
{
	spin_lock_init(&wq->lock);
	INIT_LIST_HEAD(&wq->waiters);
}
static void wake_common(struct wait_queue_head *wq, bool one)
{
	struct wait_queue_entry *e;

	list_for_each_entry(e, &wq->waiters, link) {
		e->woken = true;
		if (one)
			break;
	}
}
void wake_up(struct wait_queue_head *wq) { wake_common(wq, false); }
void wake_up_one(struct wait_queue_head *wq) { wake_common(wq, true); }
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, const char *why)
{
	struct wait_queue_entry *it;

	/* wait_event() calls this once per loop on an entry that starts uninitialised:
	 * queue it only when it is not on the list yet. */
	e->thread = NULL;
	list_for_each_entry(it, &wq->waiters, link)
		if (it == e)
			return;
	e->woken = false;
	list_add_tail(&e->link, &wq->waiters);
}
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	list_del(&e->link);
}

/* One step of "the rest of the system runs while we sleep": pending work first, then the
 * clock jumps to the next timer (or the deadline). Returns false when nothing can happen. */
static bool idle_step(u64 deadline_ns)
{
	u64 next, next_ns;

	if (shim_run_pending())
		return true;
	next = timer_next_expiry();
	next_ns = next == ~0ULL ? ~0ULL : next * (NSEC_PER_SEC / HZ);
	if (deadline_ns && deadline_ns < next_ns)
		next_ns = deadline_ns;
	if (next_ns == ~0ULL)
		return false;
	if (next_ns <= shim_now_ns())
		next_ns = shim_now_ns() + NSEC_PER_SEC / HZ;
	shim_advance_ns(next_ns - shim_now_ns());
	return true;
}

bool wait_woken(struct wait_queue_entry *e, u64 deadline_ns)
{
	for (;;) {
		if (e->woken) {
			e->woken = false;
			return true;
		}
		if (deadline_ns && shim_now_ns() >= deadline_ns)
			return false;
		if (!idle_step(deadline_ns)) {
			fprintf(stderr, "shim: wait with no deadline and nothing pending: deadlock\n");
			abort();
		}
	}
}

void sleep_ns(u64 ns) { shim_advance_ns(ns); }

/* ---- mutexes and completions ---- */
void mutex_init(struct mutex *m)
{
	m->owner = NULL;
	init_waitqueue_head(&m->wq);
}
static struct thread shim_thread = { .tid = 1, .name = "test" };
void mutex_lock(struct mutex *m)
{
	if (m->owner) {
		fprintf(stderr, "shim: mutex_lock of a held mutex (single thread: deadlock)\n");
		abort();
	}
	m->owner = &shim_thread;
}
bool mutex_trylock(struct mutex *m)
{
	if (m->owner)
		return false;
	m->owner = &shim_thread;
	return true;
}
void mutex_unlock(struct mutex *m)
{
	if (!m->owner)
		abort();
	m->owner = NULL;
}

void init_completion(struct completion *c)
{
	c->done = 0;
	init_waitqueue_head(&c->wq);
}
void complete(struct completion *c)
{
	c->done++;
	wake_up_one(&c->wq);
}
void complete_all(struct completion *c)
{
	c->done = 0x7fffffff;
	wake_up(&c->wq);
}
bool wait_for_completion_timeout(struct completion *c, u64 timeout_ns)
{
	bool ok = wait_event_deadline(&c->wq, c->done > 0, shim_now_ns() + timeout_ns);
	if (ok)
		c->done--;
	return ok;
}
void wait_for_completion(struct completion *c)
{
	wait_event(&c->wq, c->done > 0);
	c->done--;
}

/* ---- workqueues: one list, run by shim_run_work() in worker context ---- */
struct workqueue_struct {
	const char *name;
};
static struct workqueue_struct system_wq_s = { "events" };
struct workqueue_struct *system_wq = &system_wq_s;
static LIST_HEAD(work_list);
static u32 work_ids;

#define WORK_PENDING 1u

void __init_work(struct work_struct *w, work_func_t fn, const char *name)
{
	INIT_LIST_HEAD(&w->entry);
	w->func = fn;
	w->name = name;
	w->id = ++work_ids;
	w->state = 0;
	w->wq = NULL;
}
static void delayed_work_timer_fn(struct timer_list *t)
{
	struct delayed_work *dw = from_timer(dw, t, timer);
	queue_work(dw->wq, &dw->work);
}
void __init_delayed_work(struct delayed_work *dw, work_func_t fn, const char *name)
{
	__init_work(&dw->work, fn, name);
	__timer_setup(&dw->timer, delayed_work_timer_fn, name);
	dw->wq = system_wq;
}
struct workqueue_struct *alloc_workqueue(const char *name, int max_workers)
{
	struct workqueue_struct *wq = malloc(sizeof(*wq));
	wq->name = name;
	return wq;
}
void destroy_workqueue(struct workqueue_struct *wq) { free(wq); }

bool queue_work(struct workqueue_struct *wq, struct work_struct *w)
{
	if (w->state & WORK_PENDING)
		return false;
	w->state |= WORK_PENDING;
	w->wq = wq;
	list_add_tail(&w->entry, &work_list);
	return true;
}
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw, u64 delay)
{
	if ((dw->work.state & WORK_PENDING) || timer_pending(&dw->timer))
		return false;
	dw->wq = wq;
	if (!delay)
		return queue_work(wq, &dw->work);
	mod_timer(&dw->timer, jiffies + delay);
	return true;
}
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw, u64 delay)
{
	bool was = cancel_delayed_work(dw);
	queue_delayed_work(wq, dw, delay);
	return was;
}
static bool unqueue(struct work_struct *w)
{
	if (!(w->state & WORK_PENDING))
		return false;
	list_del(&w->entry);
	w->state &= ~WORK_PENDING;
	return true;
}
bool cancel_work_sync(struct work_struct *w) { return unqueue(w); }
bool cancel_delayed_work(struct delayed_work *dw)
{
	bool t = del_timer(&dw->timer);
	return unqueue(&dw->work) || t;
}
bool cancel_delayed_work_sync(struct delayed_work *dw) { return cancel_delayed_work(dw); }
bool flush_work(struct work_struct *w)
{
	if (!(w->state & WORK_PENDING))
		return false;
	unqueue(w);
	shim_work_ctx_enter(w->id);
	w->func(w);
	shim_work_ctx_exit();
	return true;
}
void flush_workqueue(struct workqueue_struct *wq) { shim_run_work(); }
void workqueue_init(void) {}

int shim_run_work(void)
{
	int ran = 0;

	while (!list_empty(&work_list)) {
		struct work_struct *w = list_first_entry(&work_list, struct work_struct, entry);

		list_del(&w->entry);
		w->state &= ~WORK_PENDING;
		shim_work_ctx_enter(w->id);
		w->func(w);
		shim_work_ctx_exit();
		ran++;
	}
	return ran;
}
