/* Host shim, core services: interrupt flags, clock, randomness, heap, softirqs, context
 * queries, locks, console. See include/shim.h for how tests drive it. */
#include <shim.h>

#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/random.h>
#include <seqos/shell.h>
#include <seqos/softirq.h>
#include <seqos/spinlock.h>
#include <seqos/time.h>
#include <seqos/timer.h>
#include <seqos/trace.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long shim_irq_flags = 1UL << 9;
bool shim_verbose;

/* ---- clock ---- */
static u64 now_ns = 1000ULL * NSEC_PER_SEC;
volatile u64 jiffies = 1000ULL * HZ;

u64 ktime_get_ns(void) { return now_ns; }
u64 shim_now_ns(void) { return now_ns; }
void shim_set_time_ns(u64 ns)
{
	now_ns = ns;
	jiffies = ns / (NSEC_PER_SEC / HZ);
}

void shim_timer_ctx_enter(void);
void shim_timer_ctx_exit(void);

/* Runs the expired timers as TIMER_SOFTIRQ would. */
static void shim_run_timers(void)
{
	shim_timer_ctx_enter();
	run_timers();
	shim_timer_ctx_exit();
}

void shim_advance_ns(u64 ns)
{
	u64 target = now_ns + ns;

	shim_run_pending();
	for (;;) {
		u64 next = timer_next_expiry();
		u64 next_ns = next == ~0ULL ? ~0ULL : next * (NSEC_PER_SEC / HZ);

		if (next_ns > target)
			break;
		if (next_ns > now_ns)
			shim_set_time_ns(next_ns);
		shim_run_timers();
		shim_run_pending();
	}
	shim_set_time_ns(target);
	shim_run_timers();
	shim_run_pending();
}

/* ---- randomness: xorshift64*, seeded ---- */
static u64 rng_state = 0x9e3779b97f4a7c15ULL;
void shim_seed(u64 seed) { rng_state = seed ? seed : 0x9e3779b97f4a7c15ULL; }
u64 get_random_u64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}
u32 get_random_u32(void) { return (u32)(get_random_u64() >> 32); }
void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;
	while (len--)
		*p++ = (u8)get_random_u64();
}

/* ---- heap ---- */
static u64 kmalloc_live;
static long kmalloc_fail_after = -1;
u64 shim_kmalloc_in_use(void) { return kmalloc_live; }
void shim_kmalloc_fail_after(long n) { kmalloc_fail_after = n; }

struct kmhdr {
	size_t size;
	u64 magic;
};
#define KM_MAGIC 0x6b6d616c6c6f6321ULL

void *kmalloc(size_t size)
{
	struct kmhdr *h;

	if (kmalloc_fail_after == 0)
		return NULL;
	if (kmalloc_fail_after > 0)
		kmalloc_fail_after--;
	h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	h->magic = KM_MAGIC;
	kmalloc_live++;
	memset(h + 1, 0xa5, size); /* uninitialised memory is not zero in the kernel either */
	return h + 1;
}
void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}
void *kcalloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kzalloc(n * size);
}
void kfree(const void *p)
{
	struct kmhdr *h;

	if (!p)
		return;
	h = (struct kmhdr *)p - 1;
	if (h->magic != KM_MAGIC) {
		fprintf(stderr, "shim: kfree of a pointer kmalloc did not return\n");
		abort();
	}
	h->magic = 0;
	kmalloc_live--;
	free(h);
}

/* ---- contexts ---- */
static int hardirq_depth, softirq_depth, bh_depth, preempt_depth;
static struct trace_ctx cur_ctx = { CTX_THREAD, 1 }; /* the test runs as thread 1 */
static struct trace_ctx ctx_saved[16];
static int ctx_top;

struct trace_ctx trace_ctx_enter(u8 kind, u32 id)
{
	struct trace_ctx prev = cur_ctx;

	cur_ctx = (struct trace_ctx){ kind, id };
	return prev;
}
void trace_ctx_leave(struct trace_ctx prev) { cur_ctx = prev; }
struct trace_ctx trace_current_ctx(void) { return cur_ctx; }

static void ctx_push(u8 kind, u32 id)
{
	if (ctx_top >= (int)ARRAY_SIZE(ctx_saved))
		abort();
	ctx_saved[ctx_top++] = trace_ctx_enter(kind, id);
}
static void ctx_pop(void) { trace_ctx_leave(ctx_saved[--ctx_top]); }

u64 trace_clock(void) { return now_ns; }
unsigned trace_cpu(void) { return 0; }

void preempt_disable(void) { preempt_depth++; }
void preempt_enable(void)
{
	if (--preempt_depth < 0) {
		fprintf(stderr, "shim: preempt_enable underflow\n");
		abort();
	}
}
void local_bh_disable(void) { bh_depth++; }
void local_bh_enable(void)
{
	if (--bh_depth < 0) {
		fprintf(stderr, "shim: local_bh_enable underflow\n");
		abort();
	}
}
int shim_bh_depth(void) { return bh_depth; }
int shim_preempt_depth(void) { return preempt_depth; }

bool in_hardirq(void) { return hardirq_depth > 0; }
bool in_serving_softirq(void) { return softirq_depth > 0; }
bool in_softirq(void) { return softirq_depth > 0 || bh_depth > 0; }
bool in_interrupt(void) { return in_hardirq() || in_softirq(); }

void shim_hardirq_enter(int vector)
{
	hardirq_depth++;
	shim_irq_flags &= ~(1UL << 9);
	ctx_push(CTX_HARDIRQ, (u32)vector);
}
void shim_hardirq_exit(void)
{
	ctx_pop();
	hardirq_depth--;
	shim_irq_flags |= 1UL << 9;
}

void spin_lock_bug(spinlock_t *l, const char *what)
{
	fprintf(stderr, "shim: spinlock %s: %s\n", l->name ? l->name : "?", what);
	abort();
}

/* ---- softirqs: raised bits, run by shim_run_softirqs() ---- */
static void (*softirq_vec[NR_SOFTIRQS])(void);
static u32 softirq_pending_bits;

__attribute__((weak)) const char *const softirq_names[NR_SOFTIRQS] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "TASKLET"
};

void open_softirq(int nr, void (*action)(void)) { softirq_vec[nr] = action; }
void raise_softirq_irqoff(unsigned int nr) { softirq_pending_bits |= 1u << nr; }
void raise_softirq(unsigned int nr) { softirq_pending_bits |= 1u << nr; }
bool shim_softirq_pending(unsigned nr) { return softirq_pending_bits & (1u << nr); }

int shim_run_softirqs(void)
{
	int ran = 0;

	/* As __do_softirq: take the pending set, run it in priority order; bounded restarts. */
	for (int restart = 0; softirq_pending_bits && restart < 10; restart++) {
		u32 pending = softirq_pending_bits;

		softirq_pending_bits = 0;
		for (unsigned nr = 0; nr < NR_SOFTIRQS; nr++) {
			if (!(pending & (1u << nr)) || !softirq_vec[nr])
				continue;
			softirq_depth++;
			ctx_push(CTX_SOFTIRQ, nr);
			softirq_vec[nr]();
			ctx_pop();
			softirq_depth--;
			ran++;
		}
	}
	return ran;
}

/* ---- pumps ---- */
struct pump {
	shim_pump_fn fn;
	void *arg;
};
static struct pump pumps[16];

void shim_add_pump(shim_pump_fn fn, void *arg)
{
	for (unsigned i = 0; i < ARRAY_SIZE(pumps); i++)
		if (!pumps[i].fn) {
			pumps[i] = (struct pump){ fn, arg };
			return;
		}
	abort();
}
void shim_del_pump(shim_pump_fn fn, void *arg)
{
	for (unsigned i = 0; i < ARRAY_SIZE(pumps); i++)
		if (pumps[i].fn == fn && pumps[i].arg == arg)
			pumps[i].fn = NULL;
}

int shim_run_pending(void)
{
	int rounds = 0;

	for (int i = 0; i < 100000; i++) {
		bool progress = false;

		if (shim_run_softirqs())
			progress = true;
		if (shim_run_work())
			progress = true;
		for (unsigned p = 0; p < ARRAY_SIZE(pumps); p++)
			if (pumps[p].fn && pumps[p].fn(pumps[p].arg))
				progress = true;
		if (!progress)
			return rounds;
		rounds++;
	}
	fprintf(stderr, "shim: livelock: work still pending after 100000 rounds\n");
	abort();
}

/* Work items run in "worker" context; the shim's worker is thread 2. */
void shim_work_ctx_enter(u32 work_id) { ctx_push(CTX_WORK, work_id); }
void shim_work_ctx_exit(void) { ctx_pop(); }
void shim_timer_ctx_enter(void)
{
	softirq_depth++;
	ctx_push(CTX_SOFTIRQ, TIMER_SOFTIRQ);
}
void shim_timer_ctx_exit(void)
{
	ctx_pop();
	softirq_depth--;
}

/* ---- console ---- */
static char console[1 << 16];
static size_t console_len;

const char *shim_console(void) { return console; }
void shim_console_clear(void)
{
	console_len = 0;
	console[0] = 0;
}
static void console_add(const char *s)
{
	size_t n = strlen(s);

	if (shim_verbose || getenv("SHIM_VERBOSE"))
		fputs(s, stdout);
	if (console_len + n + 1 > sizeof(console)) /* full: keep the newest half */
		shim_console_clear();
	memcpy(console + console_len, s, n + 1);
	console_len += n;
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	/* drop the "<N>" level prefix, as the console does */
	console_add(buf[0] == '<' && buf[2] == '>' ? buf + 3 : buf);
	return n;
}
int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
int kprintf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_add(buf);
	return n;
}
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "shim: panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

/* glibc before 2.38 has no strlcpy; the kernel's string.h declares it. */
size_t strlcpy(char *d, const char *s, size_t n)
{
	size_t len = strlen(s);

	if (n) {
		size_t c = len < n - 1 ? len : n - 1;
		memcpy(d, s, c);
		d[c] = 0;
	}
	return len;
}
