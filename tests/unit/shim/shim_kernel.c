/* Host shim pieces for the kernel-core files linked into host tests (kernel/tasklet.c):
 * yielding the CPU means letting pending bottom halves run, as a waiting thread would. */
#include <shim.h>

void yield(void);

void yield(void) { shim_run_pending(); }
