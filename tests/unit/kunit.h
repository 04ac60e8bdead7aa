/* Helpers for the kernel-core unit tests: cmocka, plus a check that a call panics
 * (the shim's panic aborts, so the call runs in a child process). */
#ifndef KUNIT_H
#define KUNIT_H

#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

/* True when fn(arg) ends the process with abort() (a kernel panic in the shim). */
static inline bool panics(void (*fn)(void *), void *arg)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		fn(arg);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

#endif
