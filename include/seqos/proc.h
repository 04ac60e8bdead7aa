/* App processes (kernel/proc.c): an app is a group of threads sharing a descriptor table,
 * with a pid, a parent, an exit status, and POSIX-like fork/exit/waitpid. There is one
 * address space (seqos is a unikernel): fork() gives the child a copy of the caller's
 * stack and its own descriptor table, and shares everything else — enough for the
 * classic "fork per connection" server (docs/apps.md says exactly what holds). */
#ifndef SEQOS_PROC_H
#define SEQOS_PROC_H

#include <seqos/list.h>
#include <seqos/sched.h>
#include <seqos/types.h>

typedef int pid_t;

struct proc {
	pid_t pid;
	char name[24];
	struct proc *parent;
	struct list_head children;  /* struct proc.sibling */
	struct list_head sibling;
	struct files_struct *files;
	struct thread *thread;      /* the process's (only) thread */
	int exit_status;
	bool zombie;                /* exited, not yet waited for */
	bool power_off_on_exit;     /* app=client: the machine's exit status is the app's */
	struct wait_queue_head child_exit;
};

/* Starts main(argc, argv) in a new process and thread. */
struct proc *proc_spawn(const char *name, int (*main_fn)(int, char **), int argc, char **argv,
			int prio);
struct proc *current_proc(void); /* NULL in kernel threads */
pid_t proc_fork(void);           /* see arch/x86_64/fork.asm */
__noreturn void proc_exit(int status);
pid_t proc_waitpid(pid_t pid, int *status, int options);
#define WNOHANG 1

#endif
