/* Deliberate faults and in-kernel scenarios for the integration tests.
 * `fault pf|gp|ud|wx|nx|stack` triggers an exception whose report the tests check. */
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/vm.h>

static volatile u64 bad_address = 0x10; /* volatile: the compiler cannot see it is bad */

static int __attribute__((noinline)) fault_page(void)
{
	return *(volatile int *)bad_address;
}

static void __attribute__((noinline)) fault_gp(void)
{
	/* A non-canonical address: #GP, not #PF. */
	volatile u64 *p = (volatile u64 *)0x8000000000000000ULL;
	*p = 1;
}

static void __attribute__((noinline)) fault_ud(void) { __asm__ __volatile__("ud2"); }

static void __attribute__((noinline)) fault_write_text(void)
{
	/* W^X: the kernel's own code is read-only. */
	volatile u8 *p = (volatile u8 *)(void *)fault_write_text;
	*p = 0xc3;
}

static u8 data_code[16] = { 0xc3 }; /* "ret", in .data */

static void __attribute__((noinline)) fault_exec_data(void)
{
	/* W^X: data is not executable. */
	((void (*)(void))(void *)data_code)();
}

static volatile int recurse_limit = 1 << 30;

static int __attribute__((noinline)) recurse(int n)
{
	volatile char pad[512];
	pad[0] = (char)n;
	if (n >= recurse_limit)
		return 0;
	return recurse(n + 1) + pad[0];
}

static int fault_stack_thread(void *arg) { return recurse(0); }

static int cmd_fault(int argc, char **argv)
{
	const char *k = argc > 1 ? argv[1] : "";

	if (!strcmp(k, "pf"))
		return fault_page();
	if (!strcmp(k, "gp"))
		fault_gp();
	else if (!strcmp(k, "ud"))
		fault_ud();
	else if (!strcmp(k, "wx"))
		fault_write_text();
	else if (!strcmp(k, "nx"))
		fault_exec_data();
	else if (!strcmp(k, "stack")) {
		kthread_create(fault_stack_thread, NULL, "overflow", PRIO_DEFAULT);
		msleep(1000);
	} else
		kprintf("usage: fault pf|gp|ud|wx|nx|stack\n");
	return 1;
}
SHELL_CMD("fault", "fault pf|gp|ud|wx|nx|stack - take an exception on purpose (tests)", cmd_fault);

