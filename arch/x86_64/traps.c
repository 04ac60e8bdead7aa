/* The one C dispatcher for every vector (STYLE.md 12), and exception reports.
 *
 * Vectors 0-31 are CPU exceptions: each prints the vector and its name, the error code
 * decoded, RIP as function+offset from the kernel's symbol table, the registers, CR2
 * and a frame-pointer backtrace, then panics (halt, or power off with panic=poweroff).
 * Every other vector is a device, timer or IPI interrupt and goes to irq_dispatch()
 * (kernel/irq.c), which owns irq_enter/irq_exit and the one EOI. */
#include <asm/cpu.h>
#include <asm/trap.h>
#include <seqos/irq.h>
#include <seqos/ksyms.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/string.h>
#include <seqos/vm.h>

extern bool panic_skip_backtrace;

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved", "reserved", "reserved", "reserved", "reserved", "reserved",
	"#HV hypervisor injection", "#VC VMM communication", "#SX security", "reserved",
};

/* A frame pointer is followed only while it points into memory the kernel maps, is
 * aligned and moves up the stack: a corrupt chain ends the walk, not the report. */
static bool frame_ok(u64 fp, u64 prev)
{
	return fp && !(fp & 7) && fp > prev && vm_is_mapped(fp) && vm_is_mapped(fp + 15);
}

/* Is ret a return address: inside the kernel's text, right after a call instruction
 * (E8 rel32, or FF /2 through a register or memory)? */
static bool looks_like_return(u64 ret)
{
	const u8 *p = (const u8 *)ret;
	if (ret < (u64)__text_start + 5 || ret >= (u64)__text_end)
		return false;
	return p[-5] == 0xe8 || (p[-2] == 0xff && (p[-1] & 0x38) == 0x10) ||
	       (p[-3] == 0xff && (p[-2] & 0x38) == 0x10);
}

static void print_frame(int depth, u64 ret, bool guess)
{
	char sym[96];
	ksym_format(ret - 1, sym, sizeof(sym)); /* -1: the call, not the next line */
	printk(KERN_EMERG "  #%-2d %016lx %s%s\n", depth, (unsigned long)ret, guess ? "? " : "", sym);
}

/* Frame-pointer backtrace. GCC builds leaf functions without a frame, so when rsp is
 * known (an exception), the words at the top of the stack are checked first for the
 * leaf's return address; one found that way is marked '?', as Linux does. */
void dump_backtrace_from(u64 rip, u64 rbp, u64 rsp)
{
	char sym[96];
	int depth = 1;

	ksym_format(rip, sym, sizeof(sym));
	printk(KERN_EMERG "Backtrace:\n");
	printk(KERN_EMERG "  #0  %016lx %s\n", (unsigned long)rip, sym);
	if (rsp && frame_ok(rbp, 0)) {
		u64 first = ((u64 *)rbp)[1];
		for (int i = 0; i < 4 && vm_is_mapped(rsp + 8 * i + 7); i++) {
			u64 w = ((u64 *)rsp)[i];
			if ((u64)&((u64 *)rsp)[i] >= rbp)
				break;
			if (w != first && looks_like_return(w)) {
				print_frame(depth++, w, true);
				break;
			}
		}
	}
	for (; depth < 32 && frame_ok(rbp, 0); depth++) {
		u64 *fp = (u64 *)rbp;
		u64 ret = fp[1];
		if (!ret)
			break;
		print_frame(depth, ret, false);
		if (!frame_ok(fp[0], rbp))
			break;
		rbp = fp[0];
	}
}

void dump_backtrace(u64 rip, u64 rbp) { dump_backtrace_from(rip, rbp, 0); }

static void describe_pf(u64 err, char *buf, size_t cap)
{
	snprintf(buf, cap, "[%s %s%s%s]", err & 1 ? "protection violation" : "not present",
		 err & 16 ? "instruction fetch" : err & 2 ? "write" : "read",
		 err & 8 ? " reserved-bit" : "", err & 4 ? " user" : " kernel");
}

static __noreturn void exception(struct trap_frame *f)
{
	static int nested;
	char sym[96], extra[80] = "";

	if (nested++) {
		printk(KERN_EMERG "*** nested exception %lu at %lx\n", (unsigned long)f->vector,
		       (unsigned long)f->rip);
		panic_halt();
	}
	if (f->vector == 14)
		describe_pf(f->error, extra, sizeof(extra));
	ksym_format(f->rip, sym, sizeof(sym));
	printk(KERN_EMERG "*** EXCEPTION %lu %s, error code 0x%lx %s\n", (unsigned long)f->vector,
	       exc_names[f->vector & 31], (unsigned long)f->error, extra);
	printk(KERN_EMERG "RIP: %016lx %s\n", (unsigned long)f->rip, sym);
	printk(KERN_EMERG "CR2: %016lx  CR3: %016lx  RFLAGS: %016lx\n", (unsigned long)read_cr2(),
	       (unsigned long)read_cr3(), (unsigned long)f->rflags);
	printk(KERN_EMERG "RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	printk(KERN_EMERG "RSI=%016lx RDI=%016lx RBP=%016lx RSP=%016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
	printk(KERN_EMERG "R8 =%016lx R9 =%016lx R10=%016lx R11=%016lx\n", f->r8, f->r9, f->r10, f->r11);
	printk(KERN_EMERG "R12=%016lx R13=%016lx R14=%016lx R15=%016lx\n", f->r12, f->r13, f->r14, f->r15);
	if (current_thread())
		printk(KERN_EMERG "thread %u (%s), preempt_count %#x\n", current_thread()->tid,
		       current_thread()->name, preempt_count());
	if ((f->vector == 14 || f->vector == 8) && vm_is_stack_guard(read_cr2()))
		printk(KERN_EMERG "CR2 is a stack guard page: kernel stack overflow\n");
	dump_backtrace_from(f->rip, f->rbp, f->rsp);
	panic_skip_backtrace = true;
	panic("fatal exception %lu in %s", (unsigned long)f->vector, sym);
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector < 32) {
		if (f->vector == 2) { /* NMI: report and carry on */
			printk(KERN_WARNING "NMI at %lx\n", (unsigned long)f->rip);
			return;
		}
		exception(f);
	}
	irq_dispatch(f);
}
