/* Tracer control: the `trace` shell command and the command-line keys trace=,
 * trace_buf=. The binary stream to COM2 is in kernel/trace_stream.c. */
#include <asm/apic.h>
#include <seqos/cmdline.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/trace.h>
#include <seqos/trace_stream.h>

extern u64 boot_handoff_tsc;

static bool ring_ready;

/* The rings are allocated when tracing is first wanted (3 MiB by default): a boot that
 * does not trace does not pay for zeroing them. */
bool trace_ring_ensure(void)
{
	u64 n = cmdline_get_u64("trace_buf", 65536);

	if (ring_ready)
		return true;
	if (trace_init(n)) {
		pr_err("trace: cannot allocate %lu records\n", (unsigned long)n);
		return false;
	}
	ring_ready = true;
	return true;
}

void trace_boot_init(void)
{
	const char *spec = cmdline_get("trace");

	trace_time_base = boot_handoff_tsc;
	if (spec && trace_ring_ensure()) {
		bool ok;
		u32 m = trace_parse_mask(spec, &ok);
		if (!ok)
			pr_warn("trace: unknown category in '%s'\n", spec);
		trace_set_mask(m);
	}
	if (cmdline_flag("trace_stream", "1") && trace_ring_ensure())
		trace_stream_start();
}

static int dump(void)
{
	struct trace_rec recs[32];
	char line[200];
	size_t n, total = 0;

	while ((n = trace_consume(0, recs, ARRAY_SIZE(recs))) > 0) {
		for (size_t i = 0; i < n; i++) {
			trace_format(&recs[i], tsc_hz, line, sizeof(line));
			kprintf("%s\n", line);
		}
		total += n;
	}
	kprintf("# %lu records\n", (unsigned long)total);
	return 0;
}

static int cmd_trace(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "stats";
	struct trace_stats st;

	if (!strcmp(sub, "start")) {
		bool ok;
		if (!trace_ring_ensure())
			return 1;
		u32 m = argc > 2 ? trace_parse_mask(argv[2], &ok) : TRC_ALL;
		if (argc > 2 && !ok) {
			kprintf("trace: unknown category in '%s'\n", argv[2]);
			return 1;
		}
		trace_set_mask(m);
	} else if (!strcmp(sub, "stop")) {
		trace_set_mask(0);
	} else if (!strcmp(sub, "clear")) {
		trace_clear();
	} else if (!strcmp(sub, "dump")) {
		return dump();
	} else if (!strcmp(sub, "stats")) {
		trace_get_stats(&st);
		kprintf("mask %#x, written %lu, lost %lu, in ring %lu of %lu\n", trace_mask,
			(unsigned long)st.written, (unsigned long)st.lost, (unsigned long)st.used,
			(unsigned long)st.capacity);
		u64 ticks = trace_measure_cost(4096);
		u64 ps = tsc_hz ? ticks * 1000000000ULL / (tsc_hz / 1000) / 4096 : 0;
		kprintf("cost per record: %lu.%03lu ns (%lu TSC ticks), measured over 4096 writes\n",
			(unsigned long)(ps / 1000), (unsigned long)(ps % 1000),
			(unsigned long)(ticks / 4096));
	} else {
		kprintf("usage: trace start [cats]|stop|clear|dump|stats\n");
		return 1;
	}
	return 0;
}
SHELL_CMD("trace", "trace start [irq,sched,net,...]|stop|clear|dump|stats - the tracer", cmd_trace);
