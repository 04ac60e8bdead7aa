/* Spinlocks and interrupt masking.
 *
 * seqos runs on one CPU today, so a spinlock's job is to keep out the contexts that can
 * interrupt its holder on the same CPU: _irqsave keeps out hard IRQs, _bh keeps out
 * softirqs (and with them timers, tasklets and NET_RX), the plain form only disables
 * preemption. The lock word is still taken and checked, so a recursive acquisition (a
 * deadlock on SMP) is caught at once in debug builds instead of hiding until SMP. */
#ifndef SEQOS_SPINLOCK_H
#define SEQOS_SPINLOCK_H

#include <asm/irqflags.h>
#include <seqos/compiler.h>
#include <seqos/types.h>

#define local_irq_save(flags) ((flags) = arch_local_irq_save())
#define local_irq_restore(flags) arch_local_irq_restore(flags)
#define local_irq_disable() arch_local_irq_disable()
#define local_irq_enable() arch_local_irq_enable()
#define irqs_disabled() arch_irqs_disabled()

void preempt_disable(void);
void preempt_enable(void);
void local_bh_disable(void);
void local_bh_enable(void);

typedef struct {
	volatile u32 locked;
	const char *name;
} spinlock_t;

#define SPINLOCK_INIT(n) { 0, n }
#define DEFINE_SPINLOCK(x) spinlock_t x = SPINLOCK_INIT(#x)

void spin_lock_bug(spinlock_t *l, const char *what);

static inline void spin_lock_init(spinlock_t *l) { l->locked = 0; }

static inline void __spin_acquire(spinlock_t *l)
{
	if (unlikely(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)))
		spin_lock_bug(l, "recursive lock");
}
static inline void __spin_release(spinlock_t *l)
{
	if (unlikely(!l->locked))
		spin_lock_bug(l, "unlock of unlocked lock");
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline void spin_lock(spinlock_t *l) { preempt_disable(); __spin_acquire(l); }
static inline void spin_unlock(spinlock_t *l) { __spin_release(l); preempt_enable(); }
static inline void spin_lock_bh(spinlock_t *l) { local_bh_disable(); __spin_acquire(l); }
static inline void spin_unlock_bh(spinlock_t *l) { __spin_release(l); local_bh_enable(); }
#define spin_lock_irqsave(l, flags)          \
	do {                                  \
		local_irq_save(flags);        \
		preempt_disable();            \
		__spin_acquire(l);            \
	} while (0)
#define spin_unlock_irqrestore(l, flags)     \
	do {                                  \
		__spin_release(l);            \
		local_irq_restore(flags);     \
		preempt_enable();             \
	} while (0)

#endif
