/* The socket system calls: descriptors in, struct socket out (include/seqos/syscalls.h).
 * __sys_sendto and __sys_recvfrom are the first steps of the send and receive paths
 * (DESIGN.md): they look up the descriptor and hand a message to sock_sendmsg /
 * sock_recvmsg (net/socket.c). A socket is a struct file whose read/write are recv/send
 * without flags, so read(2), write(2) and close(2) work on it. */
#include <net/net_namespace.h>
#include <net/socket.h>
#include <seqos/errno.h>
#include <seqos/file.h>
#include <seqos/kmalloc.h>
#include <seqos/printk.h>
#include <seqos/time.h>
#include <seqos/string.h>
#include <seqos/syscalls.h>
#include <seqos/trace.h>

#define MSG_DONTWAIT_ 0x40

static ssize_t sock_file_read(struct file *f, void *buf, size_t len)
{
	struct kiovec iov = { buf, len };
	struct kmsghdr msg = { NULL, 0, &iov, 1, 0 };
	return sock_recvmsg(f->private_data, &msg, len, 0);
}

static ssize_t sock_file_write(struct file *f, const void *buf, size_t len)
{
	struct kiovec iov = { (void *)buf, len };
	struct kmsghdr msg = { NULL, 0, &iov, 1, 0 };
	return sock_sendmsg(f->private_data, &msg, len, 0);
}

static unsigned sock_file_poll(struct file *f, struct wait_queue_head **wq)
{
	struct socket *s = f->private_data;
	return s->ops->poll(s, wq);
}

static void sock_file_release(struct file *f)
{
	struct socket *s = f->private_data;
	TRACE_STEP(sock_close, 0, s->id, 0);
	sock_release(s);
}

static const struct file_operations socket_file_ops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.poll = sock_file_poll,
	.release = sock_file_release,
};

/* A reference to the socket behind fd: -EBADF for no descriptor, -ENOTSOCK for another
 * kind of file. The caller fput()s *fp. */
static struct socket *sockfd_lookup(int fd, struct file **fp, long *err)
{
	struct file *f = fd_get(fd);

	*fp = f;
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &socket_file_ops) {
		fput(f);
		*fp = NULL;
		*err = -ENOTSOCK;
		return NULL;
	}
	struct socket *s = f->private_data;
	s->nonblock = f->flags & O_NONBLOCK;
	return s;
}

static long install(struct socket *sock, int flags)
{
	struct file *f = file_alloc(&socket_file_ops, sock);
	long fd;

	if (!f) {
		sock_release(sock);
		return -ENOMEM;
	}
	if (flags & SOCK_NONBLOCK)
		f->flags |= O_NONBLOCK;
	fd = fd_install(f);
	if (fd < 0)
		fput(f);
	return fd;
}

long __sys_socket(int family, int type, int protocol)
{
	struct socket *sock;
	long err;

	TRACE_STEP(__sys_socket, 0, type, protocol);
	err = sock_create(&init_net, family, type, protocol, &sock);
	if (err)
		return err;
	return install(sock, type);
}

static long get_addr(const void *addr, unsigned len, struct ksockaddr_in *out)
{
	if (!addr)
		return -EFAULT;
	if (len < sizeof(*out))
		return -EINVAL;
	memcpy(out, addr, sizeof(*out));
	return 0;
}

/* Copies an address out, truncated to *len as POSIX says; *len becomes the full size. */
static void put_addr(const struct ksockaddr_in *a, void *addr, unsigned *len)
{
	if (!addr || !len)
		return;
	memcpy(addr, a, MIN(*len, (unsigned)sizeof(*a)));
	*len = sizeof(*a);
}

long __sys_bind(int fd, const void *addr, unsigned len)
{
	struct ksockaddr_in a;
	struct file *f;
	long err = get_addr(addr, len, &a);
	struct socket *s = err ? NULL : sockfd_lookup(fd, &f, &err);

	if (!s)
		return err;
	TRACE_STEP(__sys_bind, 0, fd, get_be16(a.sin_port));
	err = s->ops->bind(s, &a);
	fput(f);
	return err;
}

long __sys_listen(int fd, int backlog)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_lookup(fd, &f, &err);

	if (!s)
		return err;
	TRACE_STEP(__sys_listen, 0, fd, backlog);
	if (backlog < 0)
		backlog = 0;
	if (backlog > 4096)
		backlog = 4096; /* SOMAXCONN */
	err = s->ops->listen(s, backlog);
	if (!err) {
		struct ksockaddr_in a;
		u64 ns = ktime_get_ns();
		s->ops->getname(s, &a, false);
		/* The benchmark's "hand-off -> listening" reads this line. */
		pr_info("listening on TCP port %u, %lu.%03lu ms after hand-off\n", get_be16(a.sin_port),
			(unsigned long)(ns / NSEC_PER_MSEC), (unsigned long)(ns / 1000 % 1000));
	}
	fput(f);
	return err;
}

long __sys_accept4(int fd, void *addr, unsigned *len, int flags)
{
	struct socket *newsock;
	struct ksockaddr_in a;
	struct file *f;
	long err;
	struct socket *s = sockfd_lookup(fd, &f, &err);

	if (!s)
		return err;
	TRACE_STEP(__sys_accept, 0, fd, flags);
	newsock = kzalloc(sizeof(*newsock));
	if (!newsock) {
		fput(f);
		return -ENOMEM;
	}
	newsock->type = s->type;
	newsock->ops = s->ops;
	err = s->ops->accept(s, newsock, flags | (s->nonblock ? MSG_DONTWAIT_ : 0));
	fput(f);
	if (err) {
		kfree(newsock);
		return err;
	}
	if (addr && len) {
		newsock->ops->getname(newsock, &a, true);
		put_addr(&a, addr, len);
	}
	return install(newsock, flags);
}

long __sys_connect(int fd, const void *addr, unsigned len)
{
	struct ksockaddr_in a;
	struct file *f;
	long err = get_addr(addr, len, &a);
	struct socket *s = err ? NULL : sockfd_lookup(fd, &f, &err);

	if (!s)
		return err;
	TRACE_STEP(__sys_connect, 0, fd, get_be16(a.sin_port));
	err = s->ops->connect(s, &a, s->nonblock ? MSG_DONTWAIT_ : 0);
	fput(f);
	return err;
}

long __sys_sendto(int fd, const void *buf, size_t len, int flags, const void *to, unsigned tolen)
{
	struct ksockaddr_in a;
	struct kiovec iov = { (void *)buf, len };
	struct kmsghdr msg = { NULL, 0, &iov, 1, 0 };
	struct file *f;
	long err = 0;
	struct socket *s;

	TRACE_STEP(__sys_sendto, 0, fd, len);
	if (!buf && len)
		return -EFAULT;
	if (to) {
		if ((err = get_addr(to, tolen, &a)))
			return err;
		msg.name = &a;
		msg.namelen = sizeof(a);
	}
	s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	err = sock_sendmsg(s, &msg, len, flags);
	fput(f);
	return err;
}

long __sys_recvfrom(int fd, void *buf, size_t len, int flags, void *from, unsigned *fromlen)
{
	struct ksockaddr_in a;
	struct kiovec iov = { buf, len };
	struct kmsghdr msg = { from ? &a : NULL, 0, &iov, 1, 0 };
	struct file *f;
	long err;
	struct socket *s;

	TRACE_STEP(__sys_recvfrom, 0, fd, len);
	if (!buf && len)
		return -EFAULT;
	s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	memset(&a, 0, sizeof(a));
	err = sock_recvmsg(s, &msg, len, flags);
	if (err >= 0 && from) {
		if (!msg.namelen) /* a stream: the peer */
			s->ops->getname(s, &a, true);
		put_addr(&a, from, fromlen);
	}
	fput(f);
	return err;
}

long __sys_sendmsg(int fd, struct kmsghdr *msg, int flags)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_lookup(fd, &f, &err);

	if (!s)
		return err;
	if (msg->iovlen > 1024) {
		fput(f);
		return -EMSGSIZE;
	}
	err = sock_sendmsg(s, msg, iov_total(msg->iov, msg->iovlen), flags);
	fput(f);
	return err;
}

long __sys_recvmsg(int fd, struct kmsghdr *msg, int flags)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_lookup(fd, &f, &err);

	if (!s)
		return err;
	if (msg->iovlen > 1024) {
		fput(f);
		return -EMSGSIZE;
	}
	msg->flags = 0;
	err = sock_recvmsg(s, msg, iov_total(msg->iov, msg->iovlen), flags);
	fput(f);
	return err;
}

long __sys_shutdown(int fd, int how)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_lookup(fd, &f, &err);

	if (!s)
		return err;
	TRACE_STEP(__sys_shutdown, 0, fd, how);
	err = s->ops->shutdown(s, how);
	fput(f);
	return err;
}

static long getname(int fd, void *addr, unsigned *len, bool peer)
{
	struct ksockaddr_in a;
	struct file *f;
	long err;
	struct socket *s = sockfd_lookup(fd, &f, &err);

	if (!s)
		return err;
	if (!addr || !len) {
		fput(f);
		return -EFAULT;
	}
	err = s->ops->getname(s, &a, peer);
	if (!err)
		put_addr(&a, addr, len);
	fput(f);
	return err;
}

long __sys_getsockname(int fd, void *addr, unsigned *len) { return getname(fd, addr, len, false); }
long __sys_getpeername(int fd, void *addr, unsigned *len) { return getname(fd, addr, len, true); }

long __sys_setsockopt(int fd, int level, int name, const void *val, unsigned len)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_lookup(fd, &f, &err);

	if (!s)
		return err;
	err = val ? sock_setsockopt(s, level, name, val, len) : -EFAULT;
	fput(f);
	return err;
}

long __sys_getsockopt(int fd, int level, int name, void *val, unsigned *len)
{
	struct file *f;
	long err;
	struct socket *s = sockfd_lookup(fd, &f, &err);

	if (!s)
		return err;
	err = val && len ? sock_getsockopt(s, level, name, val, len) : -EFAULT;
	fput(f);
	return err;
}
