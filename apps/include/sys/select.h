#ifndef _SYS_SELECT_H
#define _SYS_SELECT_H
#include <sys/time.h>
#define FD_SETSIZE 256
typedef struct {
	unsigned long bits[FD_SETSIZE / (8 * sizeof(unsigned long))];
} fd_set;
#define __FD_W (8 * sizeof(unsigned long))
#define FD_ZERO(s) __builtin_memset((s), 0, sizeof(fd_set))
#define FD_SET(fd, s) ((s)->bits[(fd) / __FD_W] |= 1UL << ((fd) % __FD_W))
#define FD_CLR(fd, s) ((s)->bits[(fd) / __FD_W] &= ~(1UL << ((fd) % __FD_W)))
#define FD_ISSET(fd, s) (!!((s)->bits[(fd) / __FD_W] & (1UL << ((fd) % __FD_W))))
int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *timeout);
#endif
