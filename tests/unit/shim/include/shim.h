/* Host test shim: the kernel services net/ uses, implemented over libc for unit tests and
 * fuzzers, with time, randomness and bottom halves under the test's control (STYLE.md 7).
 *
 * Nothing runs by itself: a test advances the clock (shim_advance_ms), which runs the
 * expired timers, and runs what was raised or queued (shim_run_pending: softirqs, work
 * items and simulated links, until nothing is left). A blocking wait (a thread sleeping in
 * ping or dns_resolve) runs the same loop, moving the clock to the next timer. */
#ifndef SHIM_H
#define SHIM_H

#include <seqos/types.h>

/* Clock: starts at 1000 s; jiffies follow it (HZ). */
void shim_set_time_ns(u64 ns);
void shim_advance_ns(u64 ns);           /* runs timers and pending work on the way */
static inline void shim_advance_ms(u64 ms) { shim_advance_ns(ms * 1000000ULL); }
u64 shim_now_ns(void);

/* Deterministic randomness. */
void shim_seed(u64 seed);

/* Runs raised softirqs, queued work items and link pumps until none is left.
 * Returns the number of rounds that did something. */
int shim_run_pending(void);
int shim_run_softirqs(void);  /* returns how many actions ran */
int shim_run_work(void);
bool shim_softirq_pending(unsigned nr);

/* Pretend to be in a hard IRQ (napi_schedule from a driver's handler). */
void shim_hardirq_enter(int vector);
void shim_hardirq_exit(void);

/* Things that run with shim_run_pending (simulated links). Return true on progress. */
typedef bool (*shim_pump_fn)(void *arg);
void shim_add_pump(shim_pump_fn fn, void *arg);
void shim_del_pump(shim_pump_fn fn, void *arg);

/* kmalloc accounting and failure injection: after `n` more successful allocations
 * every kmalloc fails (n < 0: never). */
u64 shim_kmalloc_in_use(void);
void shim_kmalloc_fail_after(long n);

/* Console capture: printk and kprintf text since the last clear (NUL-terminated). */
const char *shim_console(void);
void shim_console_clear(void);
extern bool shim_verbose; /* also echo to stdout (env SHIM_VERBOSE=1) */

/* State checks for test teardown: no lock or bh section left open. */
int shim_bh_depth(void);
int shim_preempt_depth(void);

#endif
