/* App processes: spawn, fork, exit, waitpid (include/seqos/proc.h).
 *
 * fork() in a single address space. The child gets (1) a copy of the calling thread's
 * stack from the caller's frame up to the top, placed at the same distance from the top
 * of the child's own stack, (2) the callee-saved registers and the return address that
 * fork() saved (arch/x86_64/fork.asm), and (3) a copy of the descriptor table. Saved
 * frame pointers, and callee-saved registers, that point into the parent's stack are moved
 * by the distance between the two stacks, so the child's locals are its own copies and
 * its frame chain is its own. What is not copied: the heap and globals (shared, as for
 * threads), and pointers to stack locals kept in other stack slots (they still point at
 * the parent's copy). The seed server's child — send on its descriptor, close, exit — only
 * needs what is copied. docs/apps.md has the details. */
#include <seqos/errno.h>
#include <seqos/file.h>
#include <seqos/kmalloc.h>
#include <seqos/power.h>
#include <seqos/printk.h>
#include <seqos/proc.h>
#include <seqos/string.h>
#include <seqos/vm.h>

struct fork_regs {
	u64 rip, rsp, rbx, rbp, r12, r13, r14, r15;
};

void fork_resume(const struct fork_regs *r) __noreturn;

static pid_t next_pid = 1;
static DEFINE_SPINLOCK(proc_lock);

struct proc *current_proc(void) { return current_thread()->proc; }

static struct proc *proc_alloc(const char *name, struct proc *parent)
{
	struct proc *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->pid = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
	strlcpy(p->name, name, sizeof(p->name));
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	init_waitqueue_head(&p->child_exit);
	p->parent = parent;
	if (parent) {
		unsigned long flags;
		spin_lock_irqsave(&proc_lock, flags);
		list_add_tail(&p->sibling, &parent->children);
		spin_unlock_irqrestore(&proc_lock, flags);
	}
	return p;
}

struct spawn_args {
	int (*main_fn)(int, char **);
	int argc;
	char **argv;
};

static int proc_main(void *arg)
{
	struct spawn_args a = *(struct spawn_args *)arg;
	kfree(arg);
	proc_exit(a.main_fn(a.argc, a.argv));
}

struct proc *proc_spawn(const char *name, int (*main_fn)(int, char **), int argc, char **argv,
			int prio)
{
	struct proc *p = proc_alloc(name, NULL);
	struct spawn_args *a = kmalloc(sizeof(*a));
	struct thread *t;

	if (!p || !a || !(p->files = files_alloc()))
		goto fail;
	a->main_fn = main_fn;
	a->argc = argc;
	a->argv = argv;
	t = thread_alloc(proc_main, a, name, prio);
	if (!t)
		goto fail;
	t->proc = p;
	p->thread = t;
	thread_detach(t);
	thread_start_new(t, (u64 *)((u8 *)t->stack + t->stack_size));
	return p;
fail:
	if (p && p->files)
		files_put(p->files);
	kfree(p);
	kfree(a);
	return NULL;
}

static int fork_child(void *arg)
{
	struct fork_regs r = *(struct fork_regs *)arg;
	kfree(arg);
	fork_resume(&r);
}

/* Moves v by delta when it points into [lo, hi). */
static u64 reloc(u64 v, u64 lo, u64 hi, s64 delta) { return v >= lo && v < hi ? v + delta : v; }

pid_t proc_fork_impl(const struct fork_regs *regs)
{
	struct thread *pt = current_thread();
	struct proc *parent = pt->proc, *child;
	u64 ptop = (u64)pt->stack + pt->stack_size, plo = (u64)pt->stack;
	struct fork_regs *r;
	struct thread *t;
	u64 used, ctop;
	s64 delta;

	if (!parent)
		return -ENOSYS; /* kernel threads do not fork */
	used = ptop - regs->rsp;
	child = proc_alloc(parent->name, parent);
	r = kmalloc(sizeof(*r));
	if (!child || !r)
		goto fail;
	child->files = files_dup(parent->files);
	t = thread_alloc(fork_child, r, pt->name, pt->prio);
	if (!child->files || !t || used + 512 > t->stack_size)
		goto fail_t;
	ctop = (u64)t->stack + t->stack_size;
	delta = (s64)(ctop - ptop);
	memcpy((void *)(ctop - used), (void *)regs->rsp, used);

	*r = *regs;
	r->rsp = regs->rsp + delta;
	r->rbp = reloc(regs->rbp, regs->rsp, ptop, delta);
	r->rbx = reloc(regs->rbx, regs->rsp, ptop, delta);
	r->r12 = reloc(regs->r12, regs->rsp, ptop, delta);
	r->r13 = reloc(regs->r13, regs->rsp, ptop, delta);
	r->r14 = reloc(regs->r14, regs->rsp, ptop, delta);
	r->r15 = reloc(regs->r15, regs->rsp, ptop, delta);
	/* The saved frame pointers in the copied frames. */
	for (u64 fp = r->rbp; fp >= ctop - used && fp + 16 <= ctop;) {
		u64 *slot = (u64 *)fp, next = *slot;
		if (next < regs->rsp || next >= ptop)
			break;
		*slot = next + delta;
		fp = *slot;
	}
	(void)plo;
	t->proc = child;
	t->errno_val = pt->errno_val;
	child->thread = t;
	thread_detach(t);
	/* thread_start runs fork_child below the copied frames, which it then jumps into. */
	thread_start_new(t, (u64 *)ALIGN_DOWN(ctop - used - 256, 16));
	return child->pid;
fail_t:
	if (t) {
		stack_free(t->stack, t->stack_size);
		kfree(t);
	}
	if (child->files)
		files_put(child->files);
	list_del(&child->sibling);
fail:
	kfree(child);
	kfree(r);
	return -EAGAIN;
}

__noreturn void proc_exit(int status)
{
	struct proc *p = current_proc(), *c, *n;
	unsigned long flags;

	if (!p)
		thread_exit(status);
	files_put(p->files);
	p->files = NULL;
	p->exit_status = status;
	if (p->power_off_on_exit)
		kernel_poweroff(status);
	spin_lock_irqsave(&proc_lock, flags);
	/* Orphans are reaped by nobody: they free themselves when they exit. */
	list_for_each_entry_safe(c, n, &p->children, sibling) {
		list_del(&c->sibling);
		c->parent = NULL;
		if (c->zombie)
			kfree(c);
	}
	if (p->parent) {
		p->zombie = true;
		/* Woken with proc_lock held: once it is dropped the parent may reap p (kfree),
		 * and p->parent would be read from freed memory. */
		wake_up(&p->parent->child_exit);
		spin_unlock_irqrestore(&proc_lock, flags);
	} else {
		spin_unlock_irqrestore(&proc_lock, flags);
		current_thread()->proc = NULL;
		kfree(p);
	}
	thread_exit(status);
}

/* A zombie child matching pid (-1: any), unlinked; NULL if none. *any_child tells
 * whether a matching child exists at all. Caller holds proc_lock. */
static struct proc *reap(struct proc *p, pid_t pid, bool *any_child)
{
	struct proc *c;

	*any_child = false;
	list_for_each_entry(c, &p->children, sibling) {
		if (pid != -1 && c->pid != pid)
			continue;
		*any_child = true;
		if (c->zombie) {
			list_del(&c->sibling);
			return c;
		}
	}
	return NULL;
}

pid_t proc_waitpid(pid_t pid, int *status, int options)
{
	struct proc *p = current_proc(), *c;
	unsigned long flags;
	bool any;

	if (!p)
		return -ECHILD;
	for (;;) {
		spin_lock_irqsave(&proc_lock, flags);
		c = reap(p, pid, &any);
		spin_unlock_irqrestore(&proc_lock, flags);
		if (c) {
			pid_t r = c->pid;
			if (status)
				*status = (c->exit_status & 0xff) << 8; /* WEXITSTATUS layout */
			kfree(c);
			return r;
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		wait_event(&p->child_exit, ({
			bool z = false;
			struct proc *q;
			list_for_each_entry(q, &p->children, sibling)
				if ((pid == -1 || q->pid == pid) && q->zombie)
					z = true;
			z || list_empty(&p->children);
		}));
	}
}
