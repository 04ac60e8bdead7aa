/* seqos apps' libc: errno is per thread; the values are the kernel's, which are Linux's
 * (as POSIX names them). */
#ifndef _ERRNO_H
#define _ERRNO_H
#include <seqos/errno.h>
int *__errno_location(void);
#define errno (*__errno_location())
#endif
