/* Workqueues: work items run by worker threads, which may sleep (Linux's API). */
#ifndef SEQOS_WORKQUEUE_H
#define SEQOS_WORKQUEUE_H

#include <seqos/list.h>
#include <seqos/timer.h>
#include <seqos/types.h>

struct workqueue_struct;
struct work_struct;
typedef void (*work_func_t)(struct work_struct *);

struct work_struct {
	struct list_head entry;
	work_func_t func;
	const char *name;
	u32 id;       /* trace id, given at INIT_WORK */
	u32 state;    /* WORK_PENDING, WORK_RUNNING bits; see kernel/workqueue.c */
	struct workqueue_struct *wq;
};

struct delayed_work {
	struct work_struct work;
	struct timer_list timer;
	struct workqueue_struct *wq;
};

void __init_work(struct work_struct *w, work_func_t fn, const char *name);
#define INIT_WORK(w, fn) __init_work(w, fn, #fn)
void __init_delayed_work(struct delayed_work *dw, work_func_t fn, const char *name);
#define INIT_DELAYED_WORK(dw, fn) __init_delayed_work(dw, fn, #fn)
#define to_delayed_work(w) container_of(w, struct delayed_work, work)

extern struct workqueue_struct *system_wq;

struct workqueue_struct *alloc_workqueue(const char *name, int max_workers);
void destroy_workqueue(struct workqueue_struct *wq);
/* Returns true when queued, false when it was already pending. */
bool queue_work(struct workqueue_struct *wq, struct work_struct *w);
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw, u64 delay_jiffies);
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw, u64 delay_jiffies);
static inline bool schedule_work(struct work_struct *w) { return queue_work(system_wq, w); }
static inline bool schedule_delayed_work(struct delayed_work *dw, u64 delay)
{
	return queue_delayed_work(system_wq, dw, delay);
}
void flush_workqueue(struct workqueue_struct *wq);
bool flush_work(struct work_struct *w);
bool cancel_work_sync(struct work_struct *w);
bool cancel_delayed_work(struct delayed_work *dw);
bool cancel_delayed_work_sync(struct delayed_work *dw);
void workqueue_init(void);

#endif
