/* Hard IRQ registration and tasklets (Linux's include/linux/interrupt.h). */
#ifndef SEQOS_INTERRUPT_H
#define SEQOS_INTERRUPT_H

#include <seqos/softirq.h>
#include <seqos/types.h>

typedef enum { IRQ_NONE = 0, IRQ_HANDLED = 1 } irqreturn_t;
typedef irqreturn_t (*irq_handler_t)(int irq, void *dev);

/* irq is a Linux-style interrupt number: for ISA/IOAPIC lines the GSI, for MSI the
 * vector returned by irq_alloc_vector(). Handlers run with interrupts off. */
int request_irq(unsigned irq, irq_handler_t handler, unsigned long flags, const char *name,
		void *dev);
void free_irq(unsigned irq, void *dev);

struct tasklet_struct {
	struct tasklet_struct *next;
	unsigned long state;  /* TASKLET_STATE_SCHED, TASKLET_STATE_RUN bits */
	int count;            /* > 0: disabled */
	void (*func)(unsigned long);
	unsigned long data;
	const char *name;
	u32 id;
	u64 runs;
};

enum { TASKLET_STATE_SCHED, TASKLET_STATE_RUN };

void __tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data,
		    const char *name);
#define tasklet_init(t, func, data) __tasklet_init(t, func, data, #func)
void tasklet_schedule(struct tasklet_struct *t);
void tasklet_hi_schedule(struct tasklet_struct *t);
void tasklet_disable(struct tasklet_struct *t); /* waits for a running instance */
void tasklet_disable_nosync(struct tasklet_struct *t);
void tasklet_enable(struct tasklet_struct *t);
void tasklet_kill(struct tasklet_struct *t);    /* unschedule and wait; thread context */
void softirq_init(void);

#endif
