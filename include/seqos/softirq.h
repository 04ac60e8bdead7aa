/* Softirqs: the bottom halves that run after a hard IRQ returns (Linux semantics).
 * See kernel/softirq.c for the contract. Numbers are in priority order. */
#ifndef SEQOS_SOFTIRQ_H
#define SEQOS_SOFTIRQ_H

#include <seqos/types.h>

enum {
	HI_SOFTIRQ,
	TIMER_SOFTIRQ,
	NET_TX_SOFTIRQ,
	NET_RX_SOFTIRQ,
	TASKLET_SOFTIRQ,
	NR_SOFTIRQS
};

extern const char *const softirq_names[NR_SOFTIRQS];

void open_softirq(int nr, void (*action)(void));
void raise_softirq(unsigned int nr);        /* any context */
void raise_softirq_irqoff(unsigned int nr); /* interrupts already off */

/* Context queries, as Linux's preempt_count() tests. */
bool in_hardirq(void);
bool in_softirq(void);     /* serving a softirq, or bottom halves disabled */
bool in_serving_softirq(void);
bool in_interrupt(void);   /* hardirq or softirq */

#endif
