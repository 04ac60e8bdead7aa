/* The socket layer: struct socket and the protocol-independent calls (include/net/
 * socket.h). sock_sendmsg and sock_recvmsg are the steps between the system-call entry
 * (__sys_sendto, __sys_recvfrom in kernel/sys_socket.c) and the family's proto_ops
 * (inet_sendmsg, inet_recvmsg in net/ipv4/inet_socket.c). SOL_SOCKET options that are
 * about the descriptor (timeouts) are handled here; the rest go to the family. */
#include <net/socket.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>

#define MAX_FAMILIES 4

static const struct net_proto_family *families[MAX_FAMILIES];
static u32 next_socket_id = 1;

int sock_register(const struct net_proto_family *fam)
{
	for (int i = 0; i < MAX_FAMILIES; i++)
		if (!families[i] || families[i]->family == fam->family) {
			families[i] = fam;
			return 0;
		}
	return -ENOBUFS;
}

int sock_create(struct net *net, int family, int type, int protocol, struct socket **res)
{
	const struct net_proto_family *fam = NULL;
	struct socket *sock;
	int err;

	for (int i = 0; i < MAX_FAMILIES; i++)
		if (families[i] && families[i]->family == family)
			fam = families[i];
	if (!fam)
		return -EAFNOSUPPORT;
	sock = kzalloc(sizeof(*sock));
	if (!sock)
		return -ENOMEM;
	sock->type = (short)(type & ~SOCK_NONBLOCK);
	sock->nonblock = type & SOCK_NONBLOCK;
	sock->id = __atomic_fetch_add(&next_socket_id, 1, __ATOMIC_RELAXED);
	err = fam->create(net, sock, sock->type, protocol);
	if (err) {
		kfree(sock);
		return err;
	}
	*res = sock;
	return 0;
}

void sock_release(struct socket *sock)
{
	if (sock->ops && sock->ops->release)
		sock->ops->release(sock);
	kfree(sock);
}

u64 sock_deadline(const struct socket *sock, bool send, int flags)
{
	u64 t = send ? sock->sndtimeo_ns : sock->rcvtimeo_ns;
	(void)flags;
	return t ? ktime_get_ns() + t : 0;
}

long sock_sendmsg(struct socket *sock, struct kmsghdr *msg, size_t len, int flags)
{
	TRACE_STEP(sock_sendmsg, 0, sock->id, len);
	if (sock->nonblock)
		flags |= 0x40; /* MSG_DONTWAIT */
	return sock->ops->sendmsg(sock, msg, len, flags);
}

long sock_recvmsg(struct socket *sock, struct kmsghdr *msg, size_t len, int flags)
{
	TRACE_STEP(sock_recvmsg, 0, sock->id, len);
	if (sock->nonblock)
		flags |= 0x40;
	return sock->ops->recvmsg(sock, msg, len, flags);
}

/* struct timeval as apps pass it: { long tv_sec; long tv_usec; } */
static int get_timeval(const void *val, unsigned len, u64 *ns)
{
	const long *tv = val;
	if (len < 2 * sizeof(long) || tv[0] < 0 || tv[1] < 0 || tv[1] >= 1000000)
		return -EINVAL;
	*ns = (u64)tv[0] * NSEC_PER_SEC + (u64)tv[1] * 1000;
	return 0;
}

int sock_setsockopt(struct socket *sock, int level, int name, const void *val, unsigned len)
{
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO))
		return get_timeval(val, len, name == SO_RCVTIMEO ? &sock->rcvtimeo_ns : &sock->sndtimeo_ns);
	if (!sock->ops->setsockopt)
		return -ENOPROTOOPT;
	return sock->ops->setsockopt(sock, level, name, val, len);
}

int sock_getsockopt(struct socket *sock, int level, int name, void *val, unsigned *len)
{
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		u64 ns = name == SO_RCVTIMEO ? sock->rcvtimeo_ns : sock->sndtimeo_ns;
		long tv[2] = { (long)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC / 1000) };
		if (*len < sizeof(tv))
			return -EINVAL;
		memcpy(val, tv, sizeof(tv));
		*len = sizeof(tv);
		return 0;
	}
	if (level == SOL_SOCKET && name == SO_TYPE) {
		if (*len < sizeof(int))
			return -EINVAL;
		*(int *)val = sock->type;
		*len = sizeof(int);
		return 0;
	}
	if (!sock->ops->getsockopt)
		return -ENOPROTOOPT;
	return sock->ops->getsockopt(sock, level, name, val, len);
}

size_t iov_total(const struct kiovec *iov, size_t n)
{
	size_t t = 0;
	for (size_t i = 0; i < n; i++)
		t += iov[i].len;
	return t;
}

size_t iov_to_buf(const struct kiovec *iov, size_t n, void *buf, size_t len)
{
	size_t done = 0;
	for (size_t i = 0; i < n && done < len; i++) {
		size_t c = MIN(iov[i].len, len - done);
		memcpy((u8 *)buf + done, iov[i].base, c);
		done += c;
	}
	return done;
}

size_t buf_to_iov(const void *buf, size_t len, const struct kiovec *iov, size_t n)
{
	size_t done = 0;
	for (size_t i = 0; i < n && done < len; i++) {
		size_t c = MIN(iov[i].len, len - done);
		memcpy(iov[i].base, (const u8 *)buf + done, c);
		done += c;
	}
	return done;
}
