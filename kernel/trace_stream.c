/* The binary trace stream: records leave the machine through a virtio console when QEMU
 * has one (tools/qemu-run --trace-out: 4 KiB per notification), else on COM2 (a byte per
 * port write; real PCs), and QEMU saves them to a file, which tools/seqtrace turns into
 * timelines, sequence diagrams and captures. The streamer thread picks the way once PCI
 * probing is done; records wait in the rings until then. The stream is self-describing:
 * it starts with the event table generated from trace_events.h, so the host tool never needs the kernel's headers.
 * Format: docs/trace-format.md.
 *
 * In streaming mode a low-priority thread drains the rings every STREAM_PERIOD_MS;
 * `trace save` writes one complete stream of what the rings hold now. */
#include <asm/apic.h>
#include <drivers/serial.h>
#include <drivers/virtio_console.h>
#include <seqos/cmdline.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/trace.h>
#include <seqos/trace_stream.h>

#define STREAM_PERIOD_MS 20

extern u64 boot_handoff_tsc;
static bool streaming, header_sent;
static enum { SINK_NONE, SINK_COM2, SINK_VCON } sink;
static struct thread *streamer;
static DEFINE_MUTEX(stream_lock);
static char info_text[1024];

/* The chunk being written, so that a power off can finish a chunk the streamer thread
 * was preempted in the middle of: without it the stream would lose the chunk's tail
 * and every reader would have to resynchronise. */
static const u8 *volatile cur_buf;
static volatile size_t cur_pos, cur_len;

/* Each piece (a FIFO's worth on COM2, a buffer on the virtio console) goes out and is
 * counted with interrupts off, so a power off (which can only run when this thread is
 * preempted, i.e. from an interrupt) sees an exact position. */
static void send_from(void)
{
	unsigned long flags;

	for (;;) {
		local_irq_save(flags);
		if (!cur_buf || cur_pos >= cur_len) {
			cur_buf = NULL;
			local_irq_restore(flags);
			return;
		}
		size_t n = sink == SINK_VCON ? virtio_console_write(cur_buf + cur_pos, cur_len - cur_pos)
			 : sink == SINK_COM2 ? serial_write_burst(COM2, cur_buf + cur_pos, cur_len - cur_pos)
			 : 0;
		cur_pos = n ? cur_pos + n : cur_len; /* a way out that takes nothing: drop it */
		local_irq_restore(flags);
	}
}

static void out(const void *p, size_t n)
{
	unsigned long flags;

	local_irq_save(flags);
	cur_buf = p;
	cur_len = n;
	cur_pos = 0;
	local_irq_restore(flags);
	send_from();
}

/* Records go out as one buffer per chunk (header included), written by out(). */
static struct {
	u32 align; /* puts recs on an 8-byte boundary; not sent */
	struct trace_chunk_hdr h;
	u16 cpu[2];
	u32 count;
	struct trace_rec recs[64];
} rec_chunk;
_Static_assert(__builtin_offsetof(typeof(rec_chunk), recs) ==
	       __builtin_offsetof(typeof(rec_chunk), h) + sizeof(struct trace_chunk_hdr) + 8,
	       "records follow the chunk header, cpu and count with no gap");

static void chunk(u16 type, u32 len)
{
	struct trace_chunk_hdr h = { TRACE_STREAM_MAGIC, type, 0, len };
	out(&h, sizeof(h));
}

static void send_header(void)
{
	u32 len = 32;
	u32 v[2] = { TRACE_STREAM_VERSION, sizeof(struct trace_rec) };
	u64 q[2] = { tsc_hz, boot_handoff_tsc };
	u32 w[2] = { 1, TR_NR_EVENTS };

	for (int i = 0; i < TR_NR_EVENTS; i++)
		len += 6 + (u32)strlen(trace_events[i].name) + (u32)strlen(trace_events[i].fmt);
	chunk(TRACE_CHUNK_HEADER, len);
	out(v, 8);
	out(q, 16);
	out(w, 8);
	for (int i = 0; i < TR_NR_EVENTS; i++) {
		const struct trace_event_desc *d = &trace_events[i];
		u8 b[2] = { d->kind, d->category };
		u16 l[2] = { (u16)strlen(d->name), (u16)strlen(d->fmt) };
		out(b, 2);
		out(l, 4);
		out(d->name, l[0]);
		out(d->fmt, l[1]);
	}
	if (info_text[0]) {
		chunk(TRACE_CHUNK_INFO, (u32)strlen(info_text));
		out(info_text, strlen(info_text));
	}
}

static void send_names(void)
{
	const struct trace_name_entry *n;
	size_t count = trace_names(&n);

	chunk(TRACE_CHUNK_NAMES, (u32)(count * 40));
	for (size_t i = 0; i < count; i++) {
		u8 k[4] = { n[i].kind, 0, 0, 0 };
		out(k, 4);
		out(&n[i].id, 4);
		out(n[i].name, TRACE_NAME_MAX);
	}
}

/* Sends what the ring holds now; returns the number of records. */
static size_t drain(void)
{
	size_t n, total = 0;

	for (;;) {
		unsigned long flags;

		/* Taking records from the ring and marking them as being sent is one step, so
		 * a power off never finds records taken but not yet on their way. */
		local_irq_save(flags);
		n = trace_consume(0, rec_chunk.recs, ARRAY_SIZE(rec_chunk.recs));
		if (n) {
			rec_chunk.h.magic = TRACE_STREAM_MAGIC;
			rec_chunk.h.type = TRACE_CHUNK_RECORDS;
			rec_chunk.h.reserved = 0;
			rec_chunk.h.length = 8 + (u32)(n * sizeof(struct trace_rec));
			rec_chunk.cpu[0] = rec_chunk.cpu[1] = 0;
			rec_chunk.count = (u32)n;
			cur_buf = (const u8 *)&rec_chunk.h;
			cur_len = sizeof(rec_chunk.h) + rec_chunk.h.length;
			cur_pos = 0;
		}
		local_irq_restore(flags);
		if (!n)
			return total;
		send_from();
		total += n;
	}
}

static void send_end(void)
{
	struct trace_stats st;
	u64 v[2];

	trace_get_stats(&st);
	v[0] = st.written;
	v[1] = st.lost;
	chunk(TRACE_CHUNK_END, 16);
	out(v, 16);
}

/* drivers/pci.c's; weak: a build without PCI streams through COM2 at once */
bool pci_wait_probe(u64 timeout_ns) __attribute__((weak));

/* The virtio console if probing found one, else COM2 if there is a UART. */
static bool pick_sink(bool wait)
{
	if (wait && pci_wait_probe)
		pci_wait_probe(2000000000ULL);
	if (virtio_console_present()) {
		sink = SINK_VCON;
	} else if (serial_present(COM2)) {
		serial_init(COM2, 115200);
		sink = SINK_COM2;
	} else {
		sink = SINK_NONE;
	}
	return sink != SINK_NONE;
}

static bool begin(bool wait)
{
	if (!pick_sink(wait)) {
		streaming = false;
		pr_warn("trace: no way out for the stream (no virtio console, no COM2)\n");
		return false;
	}
	mutex_lock(&stream_lock);
	send_header();
	send_names();
	header_sent = true;
	mutex_unlock(&stream_lock);
	return true;
}

static int streamer_thread(void *arg)
{
	if (!header_sent && !begin(true))
		return 0;
	while (streaming) {
		mutex_lock(&stream_lock);
		drain();
		mutex_unlock(&stream_lock);
		msleep(STREAM_PERIOD_MS);
	}
	return 0;
}

void trace_stream_info(const char *key, const char *value)
{
	size_t l = strlen(info_text);
	snprintf(info_text + l, sizeof(info_text) - l, "%s=%s\n", key, value);
}

/* From the shell (may_wait): once probing is done the way out is known and the header
 * goes at once, so a power off right after finds a whole header. From the boot command
 * line (the boot flow cannot sleep), the streamer thread waits for probing and sends the
 * header. */
void trace_stream_start_from(bool may_wait)
{
	if (streaming)
		return;
	streaming = true;
	if ((may_wait || !pci_wait_probe || pci_wait_probe(0)) && !begin(may_wait))
		return;
	streamer = kthread_create(streamer_thread, NULL, "tracestream", PRIO_IDLE - 1);
	if (streamer)
		thread_detach(streamer);
	else
		streaming = false;
}

void trace_stream_stop(void) { streaming = false; }

void trace_stream_save(void)
{
	if (header_sent || !pick_sink(false))
		return; /* streaming already, or nowhere to write */
	mutex_lock(&stream_lock);
	send_header();
	send_names();
	drain();
	send_end();
	mutex_unlock(&stream_lock);
}

/* At power off (interrupts off, any thread): no locks, just finish the stream. */
void trace_stream_final(void)
{
	if (!header_sent)
		return;
	streaming = false;
	send_from(); /* finish the chunk the streamer was preempted in, if any */
	drain();
	send_names(); /* names registered since the start */
	send_end();
	header_sent = false;
}

bool trace_ring_ensure(void); /* kernel/trace_shell.c */

static int cmd_trace_stream(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "";
	if (!strcmp(a, "on") && trace_ring_ensure())
		trace_stream_start_from(true);
	else if (!strcmp(a, "off"))
		trace_stream_stop();
	else if (!strcmp(a, "save"))
		trace_stream_save();
	else {
		kprintf("usage: tracestream on|off|save\n");
		return 1;
	}
	kprintf("tracestream: %s (through %s)\n", streaming ? "streaming" : "idle",
		sink == SINK_VCON ? "the virtio console" : sink == SINK_COM2 ? "COM2"
		: streaming ? "the way the streamer picks" : "nothing yet");
	return 0;
}
SHELL_CMD("tracestream", "tracestream on|off|save - binary trace records to the virtio console "
	  "or COM2", cmd_trace_stream);
