/* The tracer's rings (DESIGN.md "Tracing", include/seqos/trace.h).
 *
 * One ring per CPU, written by every context on that CPU and read by one consumer (the
 * shell's `trace dump` or the COM2 streamer). A writer reserves a slot with a
 * compare-and-swap on head, fills it, and commits it by storing the record's sequence
 * number last; an interrupt arriving in between simply reserves the next slot. The
 * reader stops at the first uncommitted slot, so it never sees half a record. When the
 * ring is full the record is dropped and counted; the next writer that finds room first
 * writes a trace_lost record carrying the count. Nothing here blocks or takes a lock.
 *
 * Portable: linked into the host tests with the shim's clock and context. */
#include <seqos/kmalloc.h>
#include <seqos/spinlock.h>
#include <seqos/string.h>
#include <seqos/trace.h>

#define TRACE_MAX_CPUS 4

struct trace_ring {
	struct trace_rec *recs;
	u64 cap;                   /* a power of two: slot = position & (cap - 1) */
	volatile u64 head;         /* next slot to reserve */
	volatile u64 tail;         /* next slot to read */
	volatile u64 lost_pending; /* dropped, not yet reported by a trace_lost record */
	u64 lost_total, written;
	u64 last_lost_tsc;
};

static struct trace_ring rings[TRACE_MAX_CPUS];
volatile u32 trace_mask;
u64 trace_time_base; /* clock value that text times count from (the boot hand-off) */

static struct trace_name_entry names[TRACE_MAX_NAMES];
static volatile u32 nr_names;

/* records_per_cpu is rounded up to a power of two: a slot is then found with a mask,
 * not a 64-bit division (which TCG emulates with a helper, on every record). */
int trace_init(size_t records_per_cpu)
{
	size_t cap = 1;

	while (cap < records_per_cpu)
		cap <<= 1;
	records_per_cpu = cap;
	for (unsigned c = 0; c < 1; c++) { /* one CPU today; the rings are per CPU */
		struct trace_ring *r = &rings[c];
		struct trace_rec *recs = kcalloc(records_per_cpu, sizeof(*recs)), *old;
		if (!recs)
			return -1;
		old = r->recs;
		r->recs = NULL; /* writers see no ring while it is replaced */
		kfree(old);
		r->cap = records_per_cpu;
		r->head = r->tail = 0;
		r->lost_pending = r->lost_total = r->written = 0;
		__atomic_store_n(&r->recs, recs, __ATOMIC_RELEASE);
	}
	return 0;
}

void trace_set_mask(u32 mask) { __atomic_store_n(&trace_mask, mask, __ATOMIC_RELEASE); }

/* Reserves one slot; false when the ring is full. */
static bool reserve(struct trace_ring *r, u64 *pos)
{
	u64 h = r->head;
	do {
		if (h - r->tail >= r->cap)
			return false;
	} while (!__atomic_compare_exchange_n(&r->head, &h, h + 1, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	*pos = h;
	return true;
}

static void fill(struct trace_ring *r, u64 pos, u16 event, u8 phase, u64 pkt, u64 a0, u64 a1,
		 struct trace_ctx ctx, u64 tsc, u16 flags)
{
	struct trace_rec *rec = &r->recs[pos & (r->cap - 1)];

	rec->tsc = tsc;
	rec->pkt = pkt;
	rec->a0 = a0;
	rec->a1 = a1;
	rec->event = event;
	rec->phase = phase;
	rec->ctx_kind = ctx.kind;
	rec->ctx_id = ctx.id;
	rec->cpu = (u16)trace_cpu();
	rec->flags = flags;
	__atomic_store_n(&rec->seq, (u32)(pos + 1), __ATOMIC_RELEASE);
}

void __trace(u16 event, u8 phase, u64 pkt, u64 a0, u64 a1)
{
	struct trace_ring *r = &rings[trace_cpu() % TRACE_MAX_CPUS];
	struct trace_ctx ctx;
	u64 pos, tsc;

	if (unlikely(!r->recs))
		return;
	ctx = trace_current_ctx();
	tsc = trace_clock();
	if (unlikely(r->lost_pending)) {
		u64 n = __atomic_exchange_n(&r->lost_pending, 0, __ATOMIC_ACQ_REL);
		if (n) {
			/* Room for the marker and this record, or drop this one too. */
			if (r->cap - (r->head - r->tail) < 2 || !reserve(r, &pos)) {
				__atomic_fetch_add(&r->lost_pending, n + 1, __ATOMIC_RELAXED);
				__atomic_fetch_add(&r->lost_total, 1, __ATOMIC_RELAXED);
				return;
			}
			fill(r, pos, TR_trace_lost, TRACE_INSTANT, 0, n, r->last_lost_tsc, ctx, tsc, 0);
		}
	}
	if (!reserve(r, &pos)) {
		if (!r->lost_pending)
			r->last_lost_tsc = tsc;
		__atomic_fetch_add(&r->lost_pending, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&r->lost_total, 1, __ATOMIC_RELAXED);
		return;
	}
	fill(r, pos, event, phase, pkt, a0, a1, ctx, tsc, 0);
	__atomic_fetch_add(&r->written, 1, __ATOMIC_RELAXED);
}

size_t trace_consume(unsigned cpu, struct trace_rec *out, size_t max)
{
	struct trace_ring *r = &rings[cpu % TRACE_MAX_CPUS];
	size_t n = 0;

	if (!r->recs)
		return 0;
	while (n < max && r->tail != r->head) {
		struct trace_rec *rec = &r->recs[r->tail & (r->cap - 1)];
		if (__atomic_load_n(&rec->seq, __ATOMIC_ACQUIRE) != (u32)(r->tail + 1))
			break; /* reserved but not yet committed by an interrupted writer */
		out[n++] = *rec;
		__atomic_store_n(&r->tail, r->tail + 1, __ATOMIC_RELEASE);
	}
	/* Drained up to the gap: report losses no writer has marked yet, so a reader
	 * that empties a ring after a burst still sees where records went missing. */
	if (n < max && r->tail == r->head && r->lost_pending) {
		u64 lost = __atomic_exchange_n(&r->lost_pending, 0, __ATOMIC_ACQ_REL);
		if (lost) {
			struct trace_rec *m = &out[n++];
			memset(m, 0, sizeof(*m));
			m->tsc = trace_clock();
			m->event = TR_trace_lost;
			m->phase = TRACE_INSTANT;
			m->a0 = lost;
			m->a1 = r->last_lost_tsc;
			m->ctx_kind = trace_current_ctx().kind;
			m->ctx_id = trace_current_ctx().id;
			m->cpu = (u16)cpu;
			m->seq = (u32)(r->tail + 1);
		}
	}
	return n;
}

void trace_clear(void)
{
	for (unsigned c = 0; c < TRACE_MAX_CPUS; c++) {
		struct trace_ring *r = &rings[c];
		struct trace_rec tmp[16];
		while (trace_consume(c, tmp, ARRAY_SIZE(tmp)))
			;
		r->lost_pending = 0;
		r->lost_total = 0;
		r->written = 0;
	}
}

void trace_get_stats(struct trace_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned c = 0; c < TRACE_MAX_CPUS; c++) {
		struct trace_ring *r = &rings[c];
		st->written += r->written;
		st->lost += r->lost_total;
		st->capacity += r->cap;
		st->used += r->head - r->tail;
	}
}

/* Names: a bounded registry, updated in place when a (kind, id) is named again. */
void trace_name(u8 ctx_kind, u32 id, const char *name)
{
	u32 n = nr_names, i;
	size_t len = strnlen(name, TRACE_NAME_MAX - 1);

	for (i = 0; i < n; i++)
		if (names[i].kind == ctx_kind && names[i].id == id)
			break;
	if (i == n) {
		if (n >= TRACE_MAX_NAMES)
			return;
		nr_names = n + 1;
	}
	names[i].kind = ctx_kind;
	names[i].id = id;
	memset(names[i].name, 0, sizeof(names[i].name));
	memcpy(names[i].name, name, len);
	if (trace_mask) {
		/* In-stream copy, 16 bytes per record, flags = chunk index. */
		struct trace_ring *r = &rings[trace_cpu() % TRACE_MAX_CPUS];
		for (u16 chunk = 0; chunk * 16 < len && r->recs; chunk++) {
			u64 pos, w[2];
			memcpy(w, names[i].name + chunk * 16, 16);
			if (!reserve(r, &pos))
				break;
			fill(r, pos, TR_trace_meta, TRACE_INSTANT, TRACE_CTX(ctx_kind, id), w[0], w[1],
			     trace_current_ctx(), trace_clock(), chunk);
		}
	}
}

const char *trace_lookup_name(u8 ctx_kind, u32 id)
{
	for (u32 i = 0; i < nr_names; i++)
		if (names[i].kind == ctx_kind && names[i].id == id)
			return names[i].name;
	return NULL;
}

size_t trace_names(const struct trace_name_entry **out)
{
	*out = names;
	return nr_names;
}

static const char *const cat_names[] = { "core", "irq", "sched", "work", "timer", "net", "tcp", "sock" };

u32 trace_parse_mask(const char *spec, bool *ok)
{
	u32 mask = 0;
	const char *p = spec;

	*ok = true;
	while (*p) {
		size_t len = strcspn(p, ",+");
		bool found = false;
		if (len == 3 && !strncmp(p, "all", 3)) {
			mask |= TRC_ALL;
			found = true;
		} else if ((len == 3 && !strncmp(p, "off", 3)) || (len == 1 && *p == '0')) {
			found = true;
		}
		for (unsigned i = 0; i < ARRAY_SIZE(cat_names) && !found; i++)
			if (strlen(cat_names[i]) == len && !strncmp(p, cat_names[i], len)) {
				mask |= 1u << i;
				found = true;
			}
		if (!found && len)
			*ok = false;
		p += len;
		if (*p)
			p++;
	}
	return mask;
}

static const char *const ctx_kind_names[] = { "?", "thread", "hardirq", "softirq",
					      "tasklet", "work", "timer", "vector" };
static const char *const softirq_short[] = { "HI", "TIMER", "NET_TX", "NET_RX", "TASKLET" };

/* "thread:shell(3)", "softirq:NET_RX", "hardirq:33(e1000)" ... */
static int format_ctx(char *buf, size_t cap, u8 kind, u32 id)
{
	const char *name = NULL;

	if (kind == CTX_SOFTIRQ && id < ARRAY_SIZE(softirq_short))
		return snprintf(buf, cap, "softirq:%s", softirq_short[id]);
	if (kind == CTX_HARDIRQ)
		name = trace_lookup_name(CTX_VECTOR, id);
	else
		name = trace_lookup_name(kind, id);
	return snprintf(buf, cap, "%s:%s(%u)", kind < ARRAY_SIZE(ctx_kind_names) ?
		       ctx_kind_names[kind] : "?", name ? name : "", id);
}

int trace_format(const struct trace_rec *r, u64 tsc_hz, char *buf, size_t cap)
{
	const struct trace_event_desc *d;
	u64 t = r->tsc - trace_time_base;
	u64 ns = tsc_hz ? t / tsc_hz * 1000000000ULL + t % tsc_hz * 1000000000ULL / tsc_hz : t;
	char ctx[48];
	int n;

	if (r->event >= TR_NR_EVENTS)
		return snprintf(buf, cap, "bad event %u", r->event);
	d = &trace_events[r->event];
	format_ctx(ctx, sizeof(ctx), r->ctx_kind, r->ctx_id);
	n = snprintf(buf, cap, "%5lu.%09lu %-26s %c %-20s pkt=%-4lu ", (unsigned long)(ns / 1000000000ULL),
		     (unsigned long)(ns % 1000000000ULL), ctx,
		     r->phase == TRACE_BEGIN ? 'B' : r->phase == TRACE_END ? 'E' : 'i', d->name,
		     (unsigned long)r->pkt);
	if (n < 0 || (size_t)n >= cap)
		return n;
	if (r->event == TR_trace_meta) {
		char s[17];
		memcpy(s, &r->a0, 8);
		memcpy(s + 8, &r->a1, 8);
		s[16] = 0;
		return n + snprintf(buf + n, cap - n, "name[%u]=%s", r->flags, s);
	}
	if (r->phase == TRACE_END)
		return n;
	return n + snprintf(buf + n, cap - n, d->fmt, (unsigned long)r->a0, (unsigned long)r->a1);
}

/* Cost of one record: n writes into a scratch ring swapped in for CPU cpu's, with
 * interrupts off so nothing else writes meanwhile. Returns clock ticks for all n. */
u64 trace_measure_cost(unsigned n)
{
	struct trace_ring *r = &rings[trace_cpu() % TRACE_MAX_CPUS], saved;
	struct trace_rec *scratch = kcalloc(n, sizeof(*scratch));
	unsigned long flags;
	u32 mask = trace_mask;
	u64 t0, t1;

	if (!scratch)
		return 0;
	local_irq_save(flags);
	saved = *r;
	r->recs = scratch;
	r->cap = n;
	r->head = r->tail = 0;
	r->lost_pending = 0;
	trace_mask = TRC_ALL;
	t0 = trace_clock();
	for (unsigned i = 0; i < n; i++)
		trace_event(test_event, i, i, 0);
	t1 = trace_clock();
	trace_mask = mask;
	*r = saved;
	local_irq_restore(flags);
	kfree(scratch);
	return t1 - t0;
}
