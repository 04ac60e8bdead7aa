/* The tracer: per-CPU lock-free rings of fixed-size records (kernel/trace.c).
 *
 * A record says when (TSC), where (CPU, execution context), what (event, phase),
 * which packet (a never-reused id) and two arguments. Writers never block: when a ring
 * is full the record is dropped and counted, and the next record that fits is preceded
 * by a trace_lost record, so a reader always sees whole records and knows where the gaps
 * are. Tracing costs one predictable branch when its category is off. */
#ifndef SEQOS_TRACE_H
#define SEQOS_TRACE_H

#include <seqos/compiler.h>
#include <seqos/trace_events.h>
#include <seqos/types.h>

enum trace_category {
	TRC_CORE = 1 << 0,
	TRC_IRQ = 1 << 1,
	TRC_SCHED = 1 << 2,
	TRC_WORK = 1 << 3,
	TRC_TIMER = 1 << 4,
	TRC_NET = 1 << 5, /* core, drivers, ethernet, IP, UDP, ICMP */
	TRC_TCP = 1 << 6,
	TRC_SOCK = 1 << 7,
	TRC_ALL = 0xff,
};

enum trace_kind { TRK_STEP, TRK_INSTANT, TRK_HANDOFF, TRK_COUNTER };
enum trace_phase { TRACE_BEGIN = 1, TRACE_END = 2, TRACE_INSTANT = 3 };

/* Execution contexts, as the seed article names them. */
enum trace_ctx_kind {
	CTX_THREAD = 1,  /* id: thread id (0 = idle, ksoftirqd and workers are threads) */
	CTX_HARDIRQ = 2, /* id: vector */
	CTX_SOFTIRQ = 3, /* id: softirq number */
	CTX_TASKLET = 4, /* id: tasklet id */
	CTX_WORK = 5,    /* id: work item id (the thread is the worker) */
	CTX_TIMER = 6,   /* id: timer id (a timer function, inside TIMER_SOFTIRQ) */
	CTX_VECTOR = 7,  /* only for names: an interrupt vector's handler name */
};
/* A context packed in one u64 for HANDOFF targets: kind in bits 32..39, id below. */
#define TRACE_CTX(kind, id) (((u64)(kind) << 32) | (u32)(id))

#define TRACE_ENUM_(name, cat, kind, fmt) TR_##name,
enum trace_event { TRACE_EVENTS(TRACE_ENUM_) TR_NR_EVENTS };
#undef TRACE_ENUM_
#define TRACE_CAT_(name, cat, kind, fmt) TRC_OF_##name = TRC_##cat,
enum { TRACE_EVENTS(TRACE_CAT_) };
#undef TRACE_CAT_

struct trace_event_desc {
	const char *name;
	u8 category;
	u8 kind;
	const char *fmt;
};
extern const struct trace_event_desc trace_events[TR_NR_EVENTS];

/* 48 bytes, stored as-is in the ring and in the binary stream (little endian). */
struct trace_rec {
	u64 tsc;
	u64 pkt;     /* packet id, 0 when no packet */
	u64 a0, a1;
	u16 event;   /* enum trace_event */
	u8 phase;    /* enum trace_phase */
	u8 ctx_kind; /* enum trace_ctx_kind */
	u32 ctx_id;
	u16 cpu;
	u16 flags;
	u32 seq;     /* low 32 bits of the record's position + 1: written last (commit) */
};
_Static_assert(sizeof(struct trace_rec) == 48, "trace_rec is part of the stream format");

extern volatile u32 trace_mask; /* categories being recorded; 0 = off */

void __trace(u16 event, u8 phase, u64 pkt, u64 a0, u64 a1);

#define trace_on(name) unlikely(trace_mask & TRC_OF_##name)
#define trace_event(name, pkt, a0, a1)                                              \
	do {                                                                        \
		if (trace_on(name))                                                 \
			__trace(TR_##name, TRACE_INSTANT, (u64)(pkt), (u64)(a0),    \
				(u64)(a1));                                         \
	} while (0)
#define trace_begin(name, pkt, a0, a1)                                              \
	do {                                                                        \
		if (trace_on(name))                                                 \
			__trace(TR_##name, TRACE_BEGIN, (u64)(pkt), (u64)(a0),      \
				(u64)(a1));                                         \
	} while (0)
#define trace_end(name, pkt, a0, a1)                                                \
	do {                                                                        \
		if (trace_on(name))                                                 \
			__trace(TR_##name, TRACE_END, (u64)(pkt), (u64)(a0),        \
				(u64)(a1));                                         \
	} while (0)

/* TRACE_STEP(name, pkt, a0, a1) at the top of a function records its begin now and its
 * end when the enclosing scope is left, on every return path. */
struct trace_scope {
	u16 event;
	bool on;
	u64 pkt;
};
static inline void trace_scope_end(struct trace_scope *s)
{
	if (s->on)
		__trace(s->event, TRACE_END, s->pkt, 0, 0);
}
#define TRACE_CAT2_(a, b) a##b
#define TRACE_CAT_(a, b) TRACE_CAT2_(a, b)
#define TRACE_STEP(name, pkt, a0, a1)                                                        \
	struct trace_scope TRACE_CAT_(__ts_, __LINE__)                                       \
		__attribute__((cleanup(trace_scope_end))) = { TR_##name, false, (u64)(pkt) }; \
	if (trace_on(name)) {                                                                \
		TRACE_CAT_(__ts_, __LINE__).on = true;                                       \
		__trace(TR_##name, TRACE_BEGIN, (u64)(pkt), (u64)(a0), (u64)(a1));           \
	}

/* Names for contexts (threads, work items, tasklets, timers, vectors) are kept in a
 * bounded registry that every dump and stream carries, and are also written as
 * trace_meta records, so the host tools can label tracks. Names longer than
 * TRACE_NAME_MAX - 1 are cut. */
#define TRACE_NAME_MAX 32
#define TRACE_MAX_NAMES 1024
void trace_name(u8 ctx_kind, u32 id, const char *name);
const char *trace_lookup_name(u8 ctx_kind, u32 id); /* NULL when unknown */
struct trace_name_entry {
	u8 kind;
	u32 id;
	char name[TRACE_NAME_MAX];
};
size_t trace_names(const struct trace_name_entry **out); /* the registry */

/* Supplied by the platform (kernel: per-CPU state; host tests: the shim). */
struct trace_ctx {
	u8 kind;
	u32 id;
};
struct trace_ctx trace_current_ctx(void);
u64 trace_clock(void); /* TSC on the kernel */
unsigned trace_cpu(void);
/* Entering a nested context (a tasklet, a timer, a work item) records it as the current
 * one; the returned value restores the previous one. */
struct trace_ctx trace_ctx_enter(u8 kind, u32 id);
void trace_ctx_leave(struct trace_ctx prev);

/* Ring control (kernel/trace.c). */
struct trace_stats {
	u64 written, lost, capacity, used;
};
int trace_init(size_t records_per_cpu);
void trace_set_mask(u32 mask);
void trace_clear(void);
void trace_get_stats(struct trace_stats *st);
/* Removes up to max records, oldest first, from CPU cpu's ring; returns how many. */
size_t trace_consume(unsigned cpu, struct trace_rec *out, size_t max);
/* Formats one record as text ("time ctx event args"); time counts from trace_time_base,
 * which the kernel sets to the TSC at the loader's hand-off. */
extern u64 trace_time_base;
int trace_format(const struct trace_rec *r, u64 tsc_hz, char *buf, size_t cap);
u32 trace_parse_mask(const char *spec, bool *ok); /* "irq,net" -> mask */
u64 trace_measure_cost(unsigned n); /* clock ticks for n records (scratch ring) */

#endif
