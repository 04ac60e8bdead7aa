/* Timers: a hashed timer wheel on jiffies, run in the TIMER softirq (Linux's API).
 * A timer's function runs in softirq context: it must not sleep. */
#ifndef SEQOS_TIMER_H
#define SEQOS_TIMER_H

#include <seqos/list.h>
#include <seqos/types.h>

struct timer_list {
	struct list_head entry; /* on a wheel slot while pending */
	u64 expires;            /* in jiffies */
	void (*function)(struct timer_list *);
	const char *name;       /* shown by the `timers` shell command and in traces */
	u32 id;         /* trace id, given by timer_setup */
	u32 flags;
};

#define from_timer(var, t, field) container_of(t, __typeof__(*var), field)

void __timer_setup(struct timer_list *t, void (*fn)(struct timer_list *), const char *name);
#define timer_setup(t, fn, flags) __timer_setup(t, fn, #fn)

/* Returns 1 when the timer was pending (and is now re-armed), 0 otherwise. */
int mod_timer(struct timer_list *t, u64 expires);
void add_timer(struct timer_list *t);
/* Returns 1 when a pending timer was removed. */
int del_timer(struct timer_list *t);
/* As del_timer, and also waits for a running handler to finish (never from it). */
int del_timer_sync(struct timer_list *t);
bool timer_pending(const struct timer_list *t);

/* Called by the tick and by TIMER_SOFTIRQ; the host test shim calls them directly. */
void timer_tick(void);         /* jiffies advanced: raise TIMER_SOFTIRQ if due */
void run_timers(void);         /* TIMER_SOFTIRQ action: run every expired timer */
void timers_init(void);
u64 timer_next_expiry(void);   /* jiffies of the earliest pending timer, or ~0 */
typedef void (*timer_visit_fn)(const struct timer_list *t, void *arg);
void timer_for_each(timer_visit_fn fn, void *arg);

#endif
