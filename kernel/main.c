/* kernel_main: the boot sequence after the UEFI loader's hand-off (docs/boot.md).
 *
 * Order matters and each step says what it needs: the serial console first (so every
 * later failure is visible), then CPU tables, memory, our own page tables, ACPI, the
 * command line, interrupt controllers and time, the execution contexts (scheduler,
 * softirqs, tasklets, workqueues, timers), the tracer, drivers and network, the shell
 * and the apps. The boot flow then becomes the idle thread. */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/trap.h>
#include <drivers/acpi.h>
#include <drivers/fw_cfg.h>
#include <drivers/serial.h>
#include <seqos/cmdline.h>
#include <seqos/console.h>
#include <seqos/interrupt.h>
#include <seqos/irq.h>
#include <seqos/ksyms.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/timer.h>
#include <seqos/trace.h>
#include <seqos/version.h>
#include <seqos/vm.h>
#include <seqos/workqueue.h>

#define CMDLINE_DEFAULT "app=server ip=dhcp"

void mm_init(const struct boot_info *bi);
void tss_use_guarded_stacks(void);
void clock_init(u64 handoff_tsc);
void tick_start(void);
void shell_start(void);
void ksoftirqd_start(void);
void tasklet_init_softirqs(void);
void fbcon_init(const struct boot_framebuffer *fb);
void trace_boot_init(void);
void timers_softirq_init(void);
void net_boot(void) __attribute__((weak));
void apps_start(void) __attribute__((weak));
void selftest_start(const char *name);

/* A terminal wants CR LF: lines go out with the CR added, a chunk at a time. */
static void serial_console_write(const char *s, size_t len)
{
	char chunk[64];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			chunk[n++] = '\r';
		chunk[n++] = s[i];
		if (n >= sizeof(chunk) - 1) {
			serial_write(COM1, chunk, n);
			n = 0;
		}
	}
	serial_write(COM1, chunk, n);
}
static struct console serial_console = { "ttyS0", serial_console_write, NULL };

static struct boot_info *boot_info;

/* Boot profile: the TSC at each step, printed by `bootprof` (the clock is calibrated
 * part way through boot, so steps are stamped raw and converted later). */
#define MAX_MARKS 32
static struct {
	const char *step;
	u64 tsc;
} marks[MAX_MARKS];
static int nmarks;

static void mark(const char *step)
{
	if (nmarks < MAX_MARKS) {
		marks[nmarks].step = step;
		marks[nmarks].tsc = rdtsc();
		nmarks++;
	}
}

u64 tsc_to_ns(u64 tsc_delta);

static int cmd_bootprof(int argc, char **argv)
{
	u64 prev = boot_info->tsc_handoff;
	kprintf("%-28s %10s %10s\n", "step (ends)", "ms", "delta ms");
	for (int i = 0; i < nmarks; i++) {
		u64 t = tsc_to_ns(marks[i].tsc - boot_info->tsc_handoff), d = tsc_to_ns(marks[i].tsc - prev);
		kprintf("%-28s %6lu.%03lu %6lu.%03lu\n", marks[i].step, (unsigned long)(t / 1000000),
			(unsigned long)(t / 1000 % 1000), (unsigned long)(d / 1000000),
			(unsigned long)(d / 1000 % 1000));
		prev = marks[i].tsc;
	}
	return 0;
}
SHELL_CMD("bootprof", "bootprof - time of each boot step since the loader's hand-off", cmd_bootprof);
u64 boot_rtc_unix; /* wall clock at boot (UEFI GetTime), for CLOCK_REALTIME */

static void choose_cmdline(const struct boot_info *bi)
{
	static char fwbuf[CMDLINE_MAX];
	long n;

	if (bi->cmdline_source == BOOT_CMDLINE_LOAD_OPTIONS && bi->cmdline[0]) {
		cmdline_source = "UEFI load options";
		cmdline_parse(bi->cmdline);
	} else if ((n = fw_cfg_read_file("opt/seqos/cmdline", fwbuf, sizeof(fwbuf) - 1)) >= 0) {
		fwbuf[n] = 0;
		cmdline_source = "fw_cfg opt/seqos/cmdline";
		cmdline_parse(fwbuf);
	} else if (bi->cmdline_file[0]) {
		cmdline_source = "\\EFI\\seqos\\cmdline.txt";
		cmdline_parse(bi->cmdline_file);
	} else {
		cmdline_source = "built-in default";
		cmdline_parse(CMDLINE_DEFAULT);
	}
}

static void report_unknown(const char *key)
{
	pr_warn("cmdline: unknown key '%s' ignored\n", key);
}

__noreturn void kernel_main(u64 boot_info_phys)
{
	struct boot_info *bi = phys_to_virt(boot_info_phys);

	serial_init(COM1, 115200);
	register_console(&serial_console);
	printk(KERN_NOTICE "seqos %s (%s) booting\n", SEQOS_VERSION, SEQOS_BUILD);
	if (bi->magic != BOOT_INFO_MAGIC)
		panic("boot_info at %#lx has a bad magic", (unsigned long)boot_info_phys);
	boot_info = bi;
	boot_rtc_unix = bi->rtc_unix;

	cpu_detect();
	gdt_init();
	idt_init();
	irq_init();
	mark("cpu tables");
	ksyms_init(phys_to_virt(bi->kernel_elf), bi->kernel_elf_size);
	mm_init(bi);
	mark("page allocator");
	paging_init(bi);
	mark("page tables");
	ksyms_init(phys_to_virt(bi->kernel_elf), bi->kernel_elf_size);
	tss_use_guarded_stacks();
	fbcon_init(&bi->fb);
	mark("framebuffer");

	acpi_init(bi->rsdp);
	mark("acpi");
	choose_cmdline(bi);
	console_loglevel = (int)cmdline_get_u64("loglevel", cmdline_flag("quiet", "1") ? 4 : 7);
	pr_info("cmdline (%s): %s\n", cmdline_source, cmdline_text());
	cmdline_unknown(report_unknown);
	mark("command line");

	apic_init();
	mark("apic");
	clock_init(bi->tsc_handoff);
	mark("clock calibration");
	sched_init();
	/* The rest of the boot flow runs as the idle thread: without this every thread it
	 * creates would preempt it at the next tick. sched_start() drops it. */
	preempt_disable();
	timers_init();
	softirq_init();
	tasklet_init_softirqs();
	timers_softirq_init();
	trace_boot_init();
	mark("tracer");
	tick_start();
	local_irq_enable();

	mark("tick");
	ksoftirqd_start();
	workqueue_init();
	serial_enable_rx_irq();
	mark("threads, workqueues");
	if (net_boot)
		net_boot();
	mark("network");
	shell_start();
	mark("shell");
	if (apps_start)
		apps_start();
	mark("apps");
	if (cmdline_get("selftest"))
		selftest_start(cmdline_get("selftest"));
	sched_start();
}

static int cmd_version(int argc, char **argv)
{
	kprintf("seqos %s (%s), x86-64, HZ=%d\n", SEQOS_VERSION, SEQOS_BUILD, HZ);
	kprintf("CPU: %s%s%s%s, TSC %lu kHz\n", cpu_features.vendor,
		cpu_features.x2apic ? " x2apic" : "", cpu_features.invariant_tsc ? " invariant-tsc" : "",
		cpu_features.hypervisor ? " hypervisor" : "", (unsigned long)(tsc_hz / 1000));
	return 0;
}
SHELL_CMD("version", "version - kernel version and CPU", cmd_version);

static int cmd_cmdline(int argc, char **argv)
{
	kprintf("%s\n(from %s)\n", cmdline_text(), cmdline_source);
	if (argc > 1 && !strcmp(argv[1], "keys"))
		for (const struct cmdline_key *k = cmdline_keys; k->key; k++)
			kprintf("  %-12s %s\n", k->key, k->help);
	return 0;
}
SHELL_CMD("cmdline", "cmdline [keys] - the command line and where it came from", cmd_cmdline);
