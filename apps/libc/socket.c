/* The apps' BSD socket calls: thin wrappers over the kernel's __sys_* entry points
 * (kernel/sys_socket.c), turning a negative errno into -1 and errno, and poll/select. */
#include <net/socket.h>
#include <seqos/syscalls.h>

#include <errno.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>

long __syscall_ret(long r);

int socket(int domain, int type, int protocol) { return (int)__syscall_ret(__sys_socket(domain, type, protocol)); }
int bind(int fd, const struct sockaddr *a, socklen_t len) { return (int)__syscall_ret(__sys_bind(fd, a, len)); }
int listen(int fd, int backlog) { return (int)__syscall_ret(__sys_listen(fd, backlog)); }
int accept4(int fd, struct sockaddr *a, socklen_t *len, int flags)
{
	return (int)__syscall_ret(__sys_accept4(fd, a, len, flags));
}
int accept(int fd, struct sockaddr *a, socklen_t *len) { return accept4(fd, a, len, 0); }
int connect(int fd, const struct sockaddr *a, socklen_t len) { return (int)__syscall_ret(__sys_connect(fd, a, len)); }

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
	return __syscall_ret(__sys_sendto(fd, buf, len, flags, to, tolen));
}
ssize_t send(int fd, const void *buf, size_t len, int flags) { return sendto(fd, buf, len, flags, NULL, 0); }

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
	return __syscall_ret(__sys_recvfrom(fd, buf, len, flags, from, fromlen));
}
ssize_t recv(int fd, void *buf, size_t len, int flags) { return recvfrom(fd, buf, len, flags, NULL, NULL); }

/* struct msghdr and struct kmsghdr differ in layout: translate. */
static long msg_call(int fd, struct msghdr *m, int flags, bool send)
{
	struct kmsghdr k = { m->msg_name, (int)m->msg_namelen, (struct kiovec *)m->msg_iov,
			     m->msg_iovlen, 0 };
	_Static_assert(sizeof(struct iovec) == sizeof(struct kiovec), "iovec layout");
	if (m->msg_name && m->msg_namelen < sizeof(struct ksockaddr_in) && send)
		return -EINVAL;
	long r = send ? __sys_sendmsg(fd, &k, flags) : __sys_recvmsg(fd, &k, flags);
	if (!send && r >= 0) {
		m->msg_flags = k.flags;
		if (m->msg_name)
			m->msg_namelen = k.namelen;
		m->msg_controllen = 0;
	}
	return r;
}
ssize_t sendmsg(int fd, const struct msghdr *m, int flags) { return __syscall_ret(msg_call(fd, (struct msghdr *)m, flags, true)); }
ssize_t recvmsg(int fd, struct msghdr *m, int flags) { return __syscall_ret(msg_call(fd, m, flags, false)); }

int shutdown(int fd, int how) { return (int)__syscall_ret(__sys_shutdown(fd, how)); }
int getsockname(int fd, struct sockaddr *a, socklen_t *len) { return (int)__syscall_ret(__sys_getsockname(fd, a, len)); }
int getpeername(int fd, struct sockaddr *a, socklen_t *len) { return (int)__syscall_ret(__sys_getpeername(fd, a, len)); }
int setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	return (int)__syscall_ret(__sys_setsockopt(fd, level, name, v, len));
}
int getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{
	return (int)__syscall_ret(__sys_getsockopt(fd, level, name, v, len));
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	_Static_assert(sizeof(struct pollfd) == sizeof(struct kpollfd), "pollfd layout");
	return (int)__syscall_ret(__sys_poll((struct kpollfd *)fds, n, timeout_ms));
}

int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	struct pollfd p[FD_SETSIZE];
	int n = 0, ready, timeout = -1;

	if (nfds < 0 || nfds > FD_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (short)((r && FD_ISSET(fd, r) ? POLLIN : 0) | (w && FD_ISSET(fd, w) ? POLLOUT : 0) |
				   (e && FD_ISSET(fd, e) ? POLLPRI : 0));
		if (ev) {
			p[n].fd = fd;
			p[n].events = ev;
			n++;
		}
	}
	if (tv)
		timeout = (int)(tv->tv_sec * 1000 + tv->tv_usec / 1000);
	ready = poll(p, (nfds_t)n, timeout);
	if (ready < 0)
		return -1;
	if (r)
		FD_ZERO(r);
	if (w)
		FD_ZERO(w);
	if (e)
		FD_ZERO(e);
	ready = 0;
	for (int i = 0; i < n; i++) {
		if (p[i].revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		if (r && (p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
			FD_SET(p[i].fd, r);
			ready++;
		}
		if (w && (p[i].revents & (POLLOUT | POLLERR))) {
			FD_SET(p[i].fd, w);
			ready++;
		}
		if (e && (p[i].revents & POLLPRI)) {
			FD_SET(p[i].fd, e);
			ready++;
		}
	}
	return ready;
}
