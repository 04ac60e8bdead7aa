/* AF_INET stream sockets: the proto_ops between the socket layer and TCP.
 * inet_sendmsg -> tcp_sendmsg and inet_recvmsg -> tcp_recvmsg are steps of the send and
 * receive paths (DESIGN.md); an iovec is walked here, one tcp_* call per element. */
#include <net/inet_common.h>
#include <net/socket.h>
#include <net/tcp.h>
#include <seqos/errno.h>
#include <seqos/string.h>
#include <seqos/trace.h>

int inet_setsockopt_common(struct sock *sk, int level, int name, const void *val, unsigned len);
int inet_getsockopt_common(struct sock *sk, int level, int name, void *val, unsigned *len);
int inet_getname(struct socket *sock, struct ksockaddr_in *a, bool peer);

#define DONTWAIT 0x40

static int inet_stream_release(struct socket *sock)
{
	if (sock->sk)
		tcp_close(sock->sk); /* TCP finishes the close and frees the sock itself */
	sock->sk = NULL;
	return 0;
}

static int inet_stream_bind(struct socket *sock, const struct ksockaddr_in *a)
{
	if (a->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	return tcp_bind(sock->sk, a->sin_addr, get_be16(a->sin_port));
}

static int inet_stream_connect(struct socket *sock, const struct ksockaddr_in *a, int flags)
{
	if (a->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	return tcp_stream_connect(sock->sk, a->sin_addr, get_be16(a->sin_port), flags,
				  sock_deadline(sock, true, flags));
}

static int inet_stream_listen(struct socket *sock, int backlog) { return tcp_listen(sock->sk, backlog); }

static int inet_stream_accept(struct socket *sock, struct socket *newsock, int flags)
{
	struct sock *nsk;
	int err = tcp_accept(sock->sk, &nsk, flags, sock_deadline(sock, false, flags));

	if (err)
		return err;
	newsock->sk = nsk;
	newsock->type = SOCK_STREAM;
	return 0;
}

static unsigned inet_stream_poll(struct socket *sock, struct wait_queue_head **wq)
{
	*wq = &sock->sk->wq;
	return tcp_poll(sock->sk); /* TCP_POLL* share the POLL* values */
}

static int inet_stream_shutdown(struct socket *sock, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	return tcp_shutdown(sock->sk, how);
}

static int inet_stream_setsockopt(struct socket *sock, int level, int name, const void *val,
				  unsigned len)
{
	int v, err;

	if (level == SOL_SOCKET) {
		err = inet_setsockopt_common(sock->sk, level, name, val, len);
		if (err != -ENOPROTOOPT)
			return err;
	}
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	return tcp_setsockopt(sock->sk, level, name, v);
}

static int inet_stream_getsockopt(struct socket *sock, int level, int name, void *val,
				  unsigned *len)
{
	int v, err;

	if (level == SOL_SOCKET) {
		err = inet_getsockopt_common(sock->sk, level, name, val, len);
		if (err != -ENOPROTOOPT)
			return err;
	}
	if (*len < sizeof(int))
		return -EINVAL;
	err = tcp_getsockopt(sock->sk, level, name, &v);
	if (err)
		return err;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static long inet_stream_sendmsg(struct socket *sock, struct kmsghdr *msg, size_t len, int flags)
{
	u64 deadline = sock_deadline(sock, true, flags);
	size_t done = 0;

	TRACE_STEP(inet_sendmsg, 0, sock->id, len);
	/* A destination address on a stream socket is ignored, as Linux does. */
	for (size_t i = 0; i < msg->iovlen && done < len; i++) {
		size_t want = MIN(msg->iov[i].len, len - done);
		ssize_t n;
		if (!want)
			continue;
		trace_event(copy_from_user, 0, want, 0);
		n = tcp_sendmsg(sock->sk, msg->iov[i].base, want, flags, deadline);
		if (n < 0)
			return done ? (long)done : n;
		done += (size_t)n;
		if ((size_t)n < want)
			break;
	}
	return (long)done;
}

static long inet_stream_recvmsg(struct socket *sock, struct kmsghdr *msg, size_t len, int flags)
{
	u64 deadline = sock_deadline(sock, false, flags);
	size_t done = 0;

	TRACE_STEP(inet_recvmsg, 0, sock->id, len);
	for (size_t i = 0; i < msg->iovlen && done < len; i++) {
		size_t want = MIN(msg->iov[i].len, len - done);
		ssize_t n;
		if (!want)
			continue;
		/* After the first bytes, do not wait for more (unless MSG_WAITALL). */
		n = tcp_recvmsg(sock->sk, msg->iov[i].base, want,
				done && !(flags & MSG_WAITALL) ? flags | DONTWAIT : flags, deadline);
		if (n < 0)
			return done ? (long)done : n;
		trace_event(copy_to_user, 0, (u64)n, 0);
		done += (size_t)n;
		if ((size_t)n < want)
			break;
	}
	return (long)done;
}

const struct proto_ops inet_stream_ops = {
	.family = AF_INET,
	.release = inet_stream_release,
	.bind = inet_stream_bind,
	.connect = inet_stream_connect,
	.listen = inet_stream_listen,
	.accept = inet_stream_accept,
	.getname = inet_getname,
	.poll = inet_stream_poll,
	.shutdown = inet_stream_shutdown,
	.setsockopt = inet_stream_setsockopt,
	.getsockopt = inet_stream_getsockopt,
	.sendmsg = inet_stream_sendmsg,
	.recvmsg = inet_stream_recvmsg,
};

int inet_stream_create(struct net *net, struct socket *sock, int protocol)
{
	int err = tcp_sock_create(net, &sock->sk);
	if (err)
		return err;
	sock->ops = &inet_stream_ops;
	return 0;
}
