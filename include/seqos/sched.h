/* Threads and the scheduler (kernel/sched.c), wait queues (kernel/wait.c), and the
 * per-CPU state every context query reads.
 *
 * Every thread runs in ring 0: kernel threads and app threads alike. The scheduler is
 * preemptive, round-robin within a priority, strict between priorities; a tick or a
 * wakeup of a higher-priority thread sets need_resched, which is acted on when the
 * preempt count falls to zero (preempt_enable, irq_exit to a thread, an explicit
 * schedule()). */
#ifndef SEQOS_SCHED_H
#define SEQOS_SCHED_H

#include <seqos/list.h>
#include <seqos/spinlock.h>
#include <seqos/timer.h>
#include <seqos/trace.h>
#include <seqos/types.h>

#define NR_PRIO 8
#define PRIO_HIGHEST 0
#define PRIO_KSOFTIRQD 4  /* as Linux: an ordinary thread, sharing the CPU round-robin */
#define PRIO_DEFAULT 4
#define PRIO_IDLE (NR_PRIO - 1)
#define THREAD_STACK_SIZE (16 * 1024)
#define TIMESLICE_TICKS 2

enum thread_state { T_RUNNING, T_READY, T_BLOCKED, T_SLEEPING, T_DEAD };

struct thread {
	u64 rsp;                 /* saved stack pointer while not running (switch.asm) */
	u32 tid;
	int prio;
	volatile int state;      /* enum thread_state */
	char name[24];
	struct list_head run;    /* on a run queue while T_READY */
	int preempted_state;     /* T_BLOCKED/T_SLEEPING: preempted on its way to sleep */
	struct list_head all;    /* on the list of all threads */
	void *stack;             /* lowest mapped byte; a guard page lies below */
	size_t stack_size;
	int (*fn)(void *);
	void *arg;
	int exit_code;
	struct wait_queue_head *joiners_wq; /* woken when the thread exits */
	bool detached;
	u32 slice;               /* ticks left in this timeslice */
	u64 cpu_ns;              /* time spent running */
	u64 switches;            /* times switched in */
	u64 run_start;           /* ktime when last switched in */
	const char *wchan;       /* what it is waiting for, for `ps` */
	struct timer_list sleep_timer;
	struct proc *proc;       /* the app process it belongs to, NULL for kernel threads */
	int errno_val;           /* the app's errno */
};

/* Linux's preempt_count layout: what the current CPU is doing, in one word. */
#define PREEMPT_MASK 0x000000ff
#define SOFTIRQ_OFFSET 0x00000100     /* serving a softirq */
#define SOFTIRQ_DISABLE_OFFSET 0x200  /* local_bh_disable nesting */
#define SOFTIRQ_MASK 0x0000ff00
#define HARDIRQ_OFFSET 0x00010000
#define HARDIRQ_MASK 0x000f0000

struct cpu {
	struct thread *current;
	struct thread *idle;
	volatile u32 preempt_count;
	volatile bool need_resched;
	volatile u32 softirq_pending; /* bit per softirq */
	struct trace_ctx ctx;         /* the execution context now running, for traces */
	struct thread *ksoftirqd;
	u64 irq_count;
	u32 id;
};
extern struct cpu cpu0;
static inline struct cpu *this_cpu(void) { return &cpu0; }
static inline struct thread *current_thread(void) { return cpu0.current; }
static inline u32 preempt_count(void) { return cpu0.preempt_count; }

struct thread *kthread_create(int (*fn)(void *), void *arg, const char *name, int prio);
/* The two halves of kthread_create, for callers that prepare the stack themselves
 * (fork): thread_alloc gives a thread that has not run; thread_start_new makes it
 * runnable with its saved stack pointer at sp (its first "return" goes to
 * thread_trampoline, which calls fn(arg)). */
struct thread *thread_alloc(int (*fn)(void *), void *arg, const char *name, int prio);
void thread_start_new(struct thread *t, u64 *sp);
int thread_join(struct thread *t, int *exit_code);
void thread_detach(struct thread *t);
__noreturn void thread_exit(int code);
void schedule(void);
void yield(void);
void sched_tick(void);          /* from the timer hard IRQ */
void preempt_schedule_irq(void); /* from the IRQ return path */
void preempt_schedule(void);     /* preempt_enable(), local_bh_enable() */
void wake_up_thread(struct thread *t);
void sleep_ns(u64 ns);
static inline void msleep(u64 ms) { sleep_ns(ms * 1000000ULL); }
void sched_init(void);
void sched_start(void) __noreturn; /* turns the boot flow into the idle thread */
struct thread *thread_find(u32 tid);
typedef void (*thread_visit_fn)(struct thread *t, void *arg);
void thread_for_each(thread_visit_fn fn, void *arg);

/* Wait queues: a thread sleeps on a condition; any context may wake it. */
struct wait_queue_head {
	spinlock_t lock;
	struct list_head waiters;
};
/* Zero-initialize before the first prepare_to_wait(); it stays queued until finish_wait. */
struct wait_queue_entry {
	struct thread *thread;
	struct list_head link;
	bool woken;
};
#define WAIT_QUEUE_HEAD_INIT(n) { SPINLOCK_INIT(#n), LIST_HEAD_INIT((n).waiters) }
#define DECLARE_WAIT_QUEUE_HEAD(n) struct wait_queue_head n = WAIT_QUEUE_HEAD_INIT(n)
void init_waitqueue_head(struct wait_queue_head *wq);
void wake_up(struct wait_queue_head *wq);     /* wakes all waiters */
void wake_up_one(struct wait_queue_head *wq);
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, const char *why);
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e);
/* Sleeps until woken or until the deadline (ktime ns, 0 = none); returns false on
 * timeout. The caller re-checks its condition. */
bool wait_woken(struct wait_queue_entry *e, u64 deadline_ns);

#define wait_event(wq, cond)                                              \
	do {                                                              \
		struct wait_queue_entry __e = { 0 };                              \
		for (;;) {                                                \
			prepare_to_wait(wq, &__e, #cond);                 \
			if (cond)                                         \
				break;                                    \
			wait_woken(&__e, 0);                              \
		}                                                         \
		finish_wait(wq, &__e);                                    \
	} while (0)
/* Returns true when cond became true, false on timeout. */
#define wait_event_deadline(wq, cond, deadline_ns)                        \
	({                                                                \
		struct wait_queue_entry __e = { 0 };                              \
		bool __ok;                                                \
		for (;;) {                                                \
			prepare_to_wait(wq, &__e, #cond);                 \
			if ((__ok = (cond)))                              \
				break;                                    \
			if (!wait_woken(&__e, deadline_ns)) {             \
				__ok = (cond);                            \
				break;                                    \
			}                                                 \
		}                                                         \
		finish_wait(wq, &__e);                                    \
		__ok;                                                     \
	})

/* Mutexes (sleeping, owner-checked) and completions. */
struct mutex {
	struct thread *owner;
	struct wait_queue_head wq;
};
#define MUTEX_INIT(n) { NULL, WAIT_QUEUE_HEAD_INIT((n).wq) }
#define DEFINE_MUTEX(n) struct mutex n = MUTEX_INIT(n)
void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);

struct completion {
	volatile u32 done;
	struct wait_queue_head wq;
};
#define COMPLETION_INIT(n) { 0, WAIT_QUEUE_HEAD_INIT((n).wq) }
#define DECLARE_COMPLETION(n) struct completion n = COMPLETION_INIT(n)
void init_completion(struct completion *c);
void complete(struct completion *c);
void complete_all(struct completion *c);
void wait_for_completion(struct completion *c);
bool wait_for_completion_timeout(struct completion *c, u64 timeout_ns);

#endif
