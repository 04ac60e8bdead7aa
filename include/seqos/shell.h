/* Shell commands: any file can add one with SHELL_CMD; kernel/shell.c finds them all
 * through the .shell_cmds section. Commands run in the shell thread and may sleep. */
#ifndef SEQOS_SHELL_H
#define SEQOS_SHELL_H

#include <seqos/compiler.h>

struct shell_cmd {
	const char *name;
	const char *help; /* "usage - what it does" */
	int (*fn)(int argc, char **argv); /* 0 on success */
};

#define SHELL_CMD(cname, chelp, cfn)                                                   \
	static const struct shell_cmd __shell_cmd_##cfn __attribute__((used))            \
	__section(".shell_cmds") __aligned(8) = { cname, chelp, cfn }

/* Output of shell commands goes to the console without printk's timestamp prefix. */
__printf(1, 2) int kprintf(const char *fmt, ...);
int shell_run_line(const char *line); /* runs one command line; returns its status */

#endif
