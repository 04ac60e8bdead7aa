/* Hard IRQs: registration, the dispatch path, irq_enter/irq_exit (DESIGN.md contexts).
 *
 * irq_dispatch() is reached from trap_dispatch() for every vector >= 32 with interrupts
 * off. It does, in order: irq_enter (HARDIRQ_OFFSET into preempt_count, the trace
 * context becomes hardirq:vector); every handler registered on the vector; the one EOI;
 * irq_exit, which runs pending softirqs when the interrupt did not nest inside another
 * interrupt or a bottom-half-disabled section; and finally preemption if a wakeup asked
 * for it and the interrupted code was preemptible. Unregistered and spurious vectors
 * are counted, never fatal. */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/trap.h>
#include <drivers/acpi.h>
#include <seqos/irq.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/trace.h>

struct irqaction {
	irq_handler_t handler;
	void *dev;
	const char *name;
	struct irqaction *next;
};

struct irq_desc {
	struct irqaction *action;
	u64 count;
	int gsi; /* -1 unless an IOAPIC line */
	const char *chip;
	bool allocated;
};

static struct irq_desc descs[256];
u64 irq_spurious_count, irq_unexpected_count;
static DEFINE_SPINLOCK(desc_lock);

void do_softirq_irq_exit(void); /* kernel/softirq.c */

void irq_init(void)
{
	for (int v = 0; v < 256; v++)
		descs[v].gsi = -1;
}

void irq_enter(void)
{
	struct cpu *c = this_cpu();
	c->preempt_count += HARDIRQ_OFFSET;
}

void irq_exit(void)
{
	struct cpu *c = this_cpu();
	c->preempt_count -= HARDIRQ_OFFSET;
	if (!(c->preempt_count & (HARDIRQ_MASK | SOFTIRQ_MASK)) && c->softirq_pending)
		do_softirq_irq_exit();
}

void irq_dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;
	struct irq_desc *d = &descs[v];
	struct trace_ctx prev;
	bool handled = false;

	if (v == VEC_SPURIOUS) { /* LAPIC spurious: no EOI (SDM 11.9) */
		irq_spurious_count++;
		return;
	}
	irq_enter();
	this_cpu()->irq_count++;
	prev = trace_ctx_enter(CTX_HARDIRQ, v);
	trace_begin(hardirq, 0, v, d->gsi);
	d->count++;
	for (struct irqaction *a = d->action; a; a = a->next)
		if (a->handler((int)v, a->dev) == IRQ_HANDLED)
			handled = true;
	if (!d->action) {
		if (v >= 32 && v < 48)
			irq_spurious_count++; /* a masked 8259 line still fired */
		else
			irq_unexpected_count++;
	}
	(void)handled;
	if (v >= VEC_IRQ_BASE)
		lapic_eoi(); /* the one EOI; 32-47 are masked 8259 lines, which need none */
	trace_end(hardirq, 0, v, 0);
	trace_ctx_leave(prev);
	irq_exit();
	if (this_cpu()->need_resched && this_cpu()->preempt_count == 0)
		preempt_schedule_irq();
}

static int add_action(unsigned v, irq_handler_t h, const char *name, void *dev)
{
	struct irqaction *a = kmalloc(sizeof(*a)), **pp;
	unsigned long flags;

	if (!a)
		return -1;
	a->handler = h;
	a->dev = dev;
	a->name = name;
	a->next = NULL;
	spin_lock_irqsave(&desc_lock, flags);
	for (pp = &descs[v].action; *pp; pp = &(*pp)->next)
		;
	*pp = a;
	descs[v].allocated = true;
	spin_unlock_irqrestore(&desc_lock, flags);
	trace_name(CTX_VECTOR, v, name);
	return 0;
}

int request_vector(unsigned vector, irq_handler_t handler, const char *name, void *dev)
{
	if (vector < 32 || vector > 255)
		return -1;
	if (!descs[vector].chip)
		descs[vector].chip = vector == VEC_LAPIC_TIMER ? "LAPIC" : "MSI";
	return add_action(vector, handler, name, dev);
}

/* irq < 16: an ISA IRQ, translated through the MADT's overrides; else a GSI (PCI INTx,
 * level-triggered, active low). The line is unmasked once the handler is in place. */
int request_irq(unsigned irq, irq_handler_t handler, unsigned long flags, const char *name,
		void *dev)
{
	bool level = true, low = true;
	u32 gsi = irq;
	unsigned v;

	if (irq < 16)
		gsi = acpi_isa_irq_to_gsi((u8)irq, &level, &low);
	v = VEC_IRQ_BASE + gsi;
	if (gsi >= ioapic_max_gsi() || v >= VEC_DYN_FIRST)
		return -1;
	bool first = descs[v].action == NULL;
	if (add_action(v, handler, name, dev))
		return -1;
	descs[v].gsi = (int)gsi;
	descs[v].chip = "IO-APIC";
	if (first) {
		ioapic_route(gsi, (u8)v, level, low);
		ioapic_mask(gsi, false);
	}
	return 0;
}

static void remove_action(unsigned v, void *dev)
{
	unsigned long flags;
	struct irqaction **pp, *a = NULL;

	spin_lock_irqsave(&desc_lock, flags);
	for (pp = &descs[v].action; *pp; pp = &(*pp)->next)
		if ((*pp)->dev == dev) {
			a = *pp;
			*pp = a->next;
			break;
		}
	spin_unlock_irqrestore(&desc_lock, flags);
	kfree(a);
}

void free_irq(unsigned irq, void *dev)
{
	bool level, low;
	u32 gsi = irq < 16 ? acpi_isa_irq_to_gsi((u8)irq, &level, &low) : irq;
	unsigned v = VEC_IRQ_BASE + gsi;

	if (v >= 256)
		return;
	remove_action(v, dev);
	if (!descs[v].action)
		ioapic_mask(gsi, true);
}

void free_vector(unsigned vector, void *dev)
{
	if (vector < 256)
		remove_action(vector, dev);
}

int irq_alloc_vector(void)
{
	unsigned long flags;
	int got = -1;

	spin_lock_irqsave(&desc_lock, flags);
	for (int v = VEC_DYN_FIRST; v <= VEC_DYN_LAST && got < 0; v++)
		if (!descs[v].allocated) {
			descs[v].allocated = true;
			got = v;
		}
	spin_unlock_irqrestore(&desc_lock, flags);
	return got;
}

void irq_for_each(irq_visit_fn fn, void *arg)
{
	for (unsigned v = 32; v < 256; v++) {
		struct irq_desc *d = &descs[v];
		if (!d->action && !d->count)
			continue;
		struct irq_desc_info info = { v, d->gsi, d->action ? d->action->name : "(none)",
					      d->chip ? d->chip : "?", d->count };
		fn(&info, arg);
	}
}

static void show_irq(const struct irq_desc_info *d, void *arg)
{
	if (d->gsi >= 0)
		kprintf("%4u: %12lu  %-8s %3d-%s  %s\n", d->vector, (unsigned long)d->count, d->chip,
			d->gsi, "fasteoi", d->name);
	else
		kprintf("%4u: %12lu  %-8s %-12s %s\n", d->vector, (unsigned long)d->count, d->chip, "",
			d->name);
}

static int cmd_interrupts(int argc, char **argv)
{
	kprintf(" vec         CPU0  chip     line         handler\n");
	irq_for_each(show_irq, NULL);
	kprintf(" SPU: %12lu  spurious\n ERR: %12lu  unexpected\n", (unsigned long)irq_spurious_count,
		(unsigned long)irq_unexpected_count);
	return 0;
}
SHELL_CMD("interrupts", "interrupts - per-vector counts, like /proc/interrupts", cmd_interrupts);
