/* The one table of trace events (DESIGN.md "Tracing").
 *
 * E(name, category, kind, format)
 *   name      the step, with Linux's name where the step does the same job;
 *   category  a TRC_* bit: `trace=irq,sched,net,...` chooses which are recorded;
 *   kind      STEP (a slice: begin and end records), INSTANT, HANDOFF (work passed
 *             from the current context to the one a0 names), COUNTER (a0 is a depth);
 *   format    printf text for the two arguments a0 and a1 (both u64).
 *
 * From this table come the enum, the name and format tables, the category of each event,
 * and the schema the binary stream carries in its header, so the kernel, the shell's
 * `trace dump` and the host tools (tools/seqtrace) decode the same way. Add events at
 * the end of a group; ids are assigned in table order and travel with every stream.
 *
 * HANDOFF events encode their target in a0 as TRACE_CTX(kind, id) (see trace.h). */
#ifndef SEQOS_TRACE_EVENTS_H
#define SEQOS_TRACE_EVENTS_H

#include <net/trace_events_net.h>

#define TRACE_EVENTS_CORE(E)                                                                 \
	E(trace_lost, CORE, INSTANT, "lost=%lu records since=%lu")                           \
	E(trace_meta, CORE, INSTANT, "name")                                                 \
	E(hardirq, IRQ, STEP, "vector=%lu gsi=%ld")                                          \
	E(softirq, IRQ, STEP, "vec=%lu from=%lu")                                         \
	E(raise_softirq, IRQ, HANDOFF, "to=%#lx vec=%lu")                                     \
	E(ksoftirqd_wakeup, IRQ, HANDOFF, "to=%#lx pending=%lx")                              \
	E(tasklet_schedule, IRQ, HANDOFF, "to=%#lx tasklet=%lu")                              \
	E(tasklet_run, IRQ, STEP, "tasklet=%lu -=%lu")                                       \
	E(queue_work, WORK, HANDOFF, "to=%#lx work=%lu")                                      \
	E(work_run, WORK, STEP, "work=%lu wq=%lu")                                           \
	E(timer_expire, TIMER, STEP, "timer=%lx late=%lu")                                   \
	E(wake_up, SCHED, HANDOFF, "to=%#lx tid=%lu")                                         \
	E(sched_switch, SCHED, HANDOFF, "to=%#lx prev_state=%lu")                             \
	E(test_event, CORE, INSTANT, "a=%lu b=%lu")

#define TRACE_EVENTS(E) TRACE_EVENTS_CORE(E) TRACE_EVENTS_NET(E)

#endif
