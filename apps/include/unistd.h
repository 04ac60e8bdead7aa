/* seqos apps' libc: POSIX <unistd.h>: descriptors, processes, sleeping. */
#ifndef _UNISTD_H
#define _UNISTD_H
#include <sys/types.h>
int close(int fd);
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
pid_t fork(void);
pid_t getpid(void);
pid_t getppid(void);
unsigned sleep(unsigned seconds);
int usleep(unsigned long usec);
int gethostname(char *name, size_t len);
#endif
