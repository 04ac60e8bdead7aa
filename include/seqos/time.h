/* Time: a monotonic nanosecond clock and jiffies.
 *
 * HZ is 250: the LAPIC timer ticks every 4 ms. That is fine-grained enough for the
 * 40 ms delayed ACK and the 200 ms minimum RTO, and cheap under TCG emulation where
 * every tick costs host time. ktime_get_ns() reads the invariant TSC and is precise. */
#ifndef SEQOS_TIME_H
#define SEQOS_TIME_H

#include <seqos/types.h>

#ifndef HZ
#define HZ 250
#endif

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

extern volatile u64 jiffies; /* as of the last tick: behind when a tick is late */

u64 ktime_get_ns(void);
u64 jiffies_now(void);       /* from the clock: for "a full delay from now" */

static inline u64 msecs_to_jiffies(u64 ms) { return (ms * HZ + 999) / 1000; }
static inline u64 jiffies_to_msecs(u64 j) { return j * 1000 / HZ; }
static inline u64 nsecs_to_jiffies(u64 ns) { return (ns * HZ + NSEC_PER_SEC - 1) / NSEC_PER_SEC; }

#define time_after(a, b) ((s64)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((s64)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)

#endif
