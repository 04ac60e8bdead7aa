/* Power off and reboot, and panic.
 *
 * Power off: under QEMU (fw_cfg signature present) the status is first written to the
 * isa-debug-exit port 0xf4, which ends QEMU with exit code (status << 1) | 1 when that
 * device exists and is ignored otherwise; then ACPI S5: SLP_TYPa/b from the DSDT's \_S5
 * with SLP_EN into PM1a/PM1b_CNT (ACPI 6.5 §4.8.3.2, §7.4.2). Reboot tries the FADT reset
 * register, then the PCI reset control port 0xCF9, then the 8042 keyboard controller,
 * then a triple fault. */
#include <asm/cpu.h>
#include <asm/io.h>
#include <drivers/acpi.h>
#include <drivers/fw_cfg.h>
#include <seqos/irq.h>
#include <seqos/cmdline.h>
#include <seqos/power.h>
#include <seqos/printk.h>
#include <seqos/shell.h>
#include <seqos/spinlock.h>
#include <seqos/string.h>
#include <seqos/trace_stream.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define SLP_EN (1u << 13)

void dump_backtrace(u64 rip, u64 rbp);
bool panic_skip_backtrace; /* set by the exception path, which printed one already */

__noreturn void kernel_poweroff(int status)
{
	local_irq_disable();
	printk(KERN_NOTICE "power off (status %d)\n", status);
	trace_stream_final();
	if (fw_cfg_present())
		outb(QEMU_DEBUG_EXIT_PORT, (u8)status);
	if (acpi.pm1a_cnt) {
		u16 a = acpi.s5_found ? acpi.slp_typa : 0, b = acpi.s5_found ? acpi.slp_typb : 0;
		outw(acpi.pm1a_cnt, (u16)(a << 10) | SLP_EN);
		if (acpi.pm1b_cnt)
			outw(acpi.pm1b_cnt, (u16)(b << 10) | SLP_EN);
	}
	printk(KERN_EMERG "power off failed; halting\n");
	panic_halt();
}

__noreturn void kernel_reboot(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed null_idt = { 0, 0 };

	local_irq_disable();
	printk(KERN_NOTICE "reboot\n");
	if (acpi.reset_supported && acpi.reset_space == 1)
		outb((u16)acpi.reset_addr, acpi.reset_value);
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06); /* full reset */
	for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
		;
	outb(0x64, 0xfe); /* 8042: pulse the reset line */
	__asm__ __volatile__("lidt %0; int3" ::"m"(null_idt));
	panic_halt();
}

__noreturn void panic_halt(void)
{
	for (;;) {
		local_irq_disable();
		hlt();
	}
}

__noreturn void panic(const char *fmt, ...)
{
	static int in_panic;
	char msg[256];
	va_list ap;
	u64 rbp;

	local_irq_disable();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", msg);
	if (!in_panic++ && !panic_skip_backtrace) {
		__asm__ __volatile__("mov %%rbp, %0" : "=r"(rbp));
		dump_backtrace((u64)__builtin_return_address(0), rbp);
	}
	if (cmdline_flag("panic", "poweroff"))
		kernel_poweroff(EXIT_PANIC);
	printk(KERN_EMERG "system halted\n");
	panic_halt();
}

static int cmd_poweroff(int argc, char **argv)
{
	kernel_poweroff(argc > 1 ? (int)strtol(argv[1], NULL, 0) : 0);
}
SHELL_CMD("poweroff", "poweroff [status] - power off (status reaches QEMU with isa-debug-exit)", cmd_poweroff);

static int cmd_reboot(int argc, char **argv) { kernel_reboot(); }
SHELL_CMD("reboot", "reboot - reset the machine", cmd_reboot);

static int cmd_panic(int argc, char **argv) { panic("requested from the shell"); }
SHELL_CMD("panic", "panic - panic on purpose (tests)", cmd_panic);
