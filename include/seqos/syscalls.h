/* The system-call layer apps' libc calls (kernel/sys_socket.c, kernel/sys_poll.c). One
 * address space: "user" pointers are plain pointers, but every length is checked and
 * every descriptor looked up; results are a count/descriptor or a negative errno. */
#ifndef SEQOS_SYSCALLS_H
#define SEQOS_SYSCALLS_H

#include <seqos/types.h>

struct ksockaddr_in;
struct kmsghdr;

long __sys_socket(int family, int type, int protocol);
long __sys_bind(int fd, const void *addr, unsigned len);
long __sys_listen(int fd, int backlog);
long __sys_accept4(int fd, void *addr, unsigned *len, int flags);
long __sys_connect(int fd, const void *addr, unsigned len);
long __sys_sendto(int fd, const void *buf, size_t len, int flags, const void *to, unsigned tolen);
long __sys_recvfrom(int fd, void *buf, size_t len, int flags, void *from, unsigned *fromlen);
long __sys_sendmsg(int fd, struct kmsghdr *msg, int flags);
long __sys_recvmsg(int fd, struct kmsghdr *msg, int flags);
long __sys_shutdown(int fd, int how);
long __sys_getsockname(int fd, void *addr, unsigned *len);
long __sys_getpeername(int fd, void *addr, unsigned *len);
long __sys_setsockopt(int fd, int level, int name, const void *val, unsigned len);
long __sys_getsockopt(int fd, int level, int name, void *val, unsigned *len);

struct kpollfd {
	int fd;
	short events, revents;
};
/* timeout_ms < 0: forever. */
long __sys_poll(struct kpollfd *fds, unsigned long n, int timeout_ms);

#endif
