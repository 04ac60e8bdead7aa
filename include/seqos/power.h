/* Power off and reboot (kernel/power.c). */
#ifndef SEQOS_POWER_H
#define SEQOS_POWER_H

#include <seqos/compiler.h>

#define EXIT_PANIC 99 /* the exit status a panic reports with panic=poweroff */

/* Powers off; under QEMU with isa-debug-exit (port 0xf4) the host sees the status as
 * QEMU's exit code (status << 1) | 1. */
__noreturn void kernel_poweroff(int status);
__noreturn void kernel_reboot(void);

#endif
