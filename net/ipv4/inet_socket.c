/* AF_INET sockets: inet_create, and the proto_ops for datagram (UDP) and stream (TCP)
 * sockets. inet_sendmsg and inet_recvmsg are the steps between sock_sendmsg/
 * sock_recvmsg (net/socket.c) and the protocol: udp_sendmsg/udp_recvmsg here,
 * tcp_sendmsg/tcp_recvmsg for streams (net/ipv4/inet_stream.c). */
#include <net/inet_common.h>
#include <net/socket.h>
#include <net/udp.h>
#include <seqos/errno.h>
#include <seqos/kmalloc.h>
#include <seqos/string.h>
#include <seqos/trace.h>

extern const struct proto_ops inet_stream_ops;
int inet_stream_create(struct net *net, struct socket *sock, int protocol);

static int inet_dgram_release(struct socket *sock)
{
	if (sock->sk)
		udp_sock_release(sock->sk);
	sock->sk = NULL;
	return 0;
}

static int addr_ok(const struct ksockaddr_in *a)
{
	return a->sin_family == AF_INET ? 0 : -EAFNOSUPPORT;
}

static int inet_dgram_bind(struct socket *sock, const struct ksockaddr_in *a)
{
	int err = addr_ok(a);
	return err ? err : udp_bind(sock->sk, a->sin_addr, get_be16(a->sin_port));
}

static int inet_dgram_connect(struct socket *sock, const struct ksockaddr_in *a, int flags)
{
	if (a->sin_family == 0) /* AF_UNSPEC: dissolve the association */
		return udp_connect(sock->sk, to_be32(0), 0);
	int err = addr_ok(a);
	return err ? err : udp_connect(sock->sk, a->sin_addr, get_be16(a->sin_port));
}

int inet_getname(struct socket *sock, struct ksockaddr_in *a, bool peer)
{
	struct sock *sk = sock->sk;

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	if (peer) {
		if (!sk->daddr.v && !sk->dport.v)
			return -ENOTCONN;
		a->sin_addr = sk->daddr;
		a->sin_port = sk->dport;
	} else {
		a->sin_addr = sk->rcv_saddr;
		a->sin_port = sk->sport;
	}
	return 0;
}

static unsigned inet_dgram_poll(struct socket *sock, struct wait_queue_head **wq)
{
	struct sock *sk = sock->sk;
	unsigned mask = 0x004; /* POLLOUT: datagrams never wait for space */

	*wq = &sk->wq;
	if (!skb_queue_empty(&sk->receive_queue))
		mask |= 0x001; /* POLLIN */
	if (sk->err)
		mask |= 0x008; /* POLLERR */
	return mask;
}

static int inet_dgram_shutdown(struct socket *sock, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (!sock->sk->daddr.v)
		return -ENOTCONN;
	sock->sk->shutdown |= (u8)(how + 1); /* RCV_SHUTDOWN 1, SEND_SHUTDOWN 2, both 3 */
	wake_up(&sock->sk->wq);
	return 0;
}

int inet_setsockopt_common(struct sock *sk, int level, int name, const void *val, unsigned len)
{
	int v;

	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	if (level != SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (name) {
	case SO_REUSEADDR:
		sk->reuseaddr = v != 0;
		return 0;
	case SO_BROADCAST:
		sk->broadcast = v != 0;
		return 0;
	case SO_RCVBUF:
		sk->rcvbuf = (u32)MAX(MIN(v, 4 << 20), 2048) * 2; /* Linux doubles it */
		return 0;
	case SO_SNDBUF:
		sk->sndbuf = (u32)MAX(MIN(v, 4 << 20), 2048) * 2;
		return 0;
	}
	return -ENOPROTOOPT;
}

int inet_getsockopt_common(struct sock *sk, int level, int name, void *val, unsigned *len)
{
	int v;

	if (*len < sizeof(int) || level != SOL_SOCKET)
		return level != SOL_SOCKET ? -ENOPROTOOPT : -EINVAL;
	switch (name) {
	case SO_REUSEADDR:
		v = sk->reuseaddr;
		break;
	case SO_BROADCAST:
		v = sk->broadcast;
		break;
	case SO_RCVBUF:
		v = (int)sk->rcvbuf;
		break;
	case SO_SNDBUF:
		v = (int)sk->sndbuf;
		break;
	case SO_ERROR:
		v = -sock_error(sk);
		break;
	default:
		return -ENOPROTOOPT;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static int inet_dgram_setsockopt(struct socket *sock, int level, int name, const void *val,
				 unsigned len)
{
	return inet_setsockopt_common(sock->sk, level, name, val, len);
}

static int inet_dgram_getsockopt(struct socket *sock, int level, int name, void *val,
				 unsigned *len)
{
	return inet_getsockopt_common(sock->sk, level, name, val, len);
}

static long inet_dgram_sendmsg(struct socket *sock, struct kmsghdr *msg, size_t len, int flags)
{
	struct sock *sk = sock->sk;
	be32 daddr = to_be32(0);
	u16 dport = 0;
	void *buf;
	long r;

	TRACE_STEP(inet_sendmsg, 0, sock->id, len);
	if (sk->shutdown & 2)
		return -EPIPE;
	if (msg->name) {
		if (msg->namelen < (int)sizeof(struct ksockaddr_in) || addr_ok(msg->name))
			return msg->namelen < (int)sizeof(struct ksockaddr_in) ? -EINVAL : -EAFNOSUPPORT;
		daddr = msg->name->sin_addr;
		dport = get_be16(msg->name->sin_port);
		if (!dport)
			return -EINVAL;
	} else if (!sk->daddr.v) {
		return -EDESTADDRREQ;
	}
	if (len > 65507)
		return -EMSGSIZE;
	if (msg->iovlen == 1) {
		trace_event(copy_from_user, 0, len, 0);
		return udp_sendmsg(sk, msg->iov[0].base, len, daddr, dport);
	}
	buf = kmalloc(len ? len : 1); /* gather the iovec into one datagram */
	if (!buf)
		return -ENOBUFS;
	iov_to_buf(msg->iov, msg->iovlen, buf, len);
	trace_event(copy_from_user, 0, len, 0);
	r = udp_sendmsg(sk, buf, len, daddr, dport);
	kfree(buf);
	return r;
}

static long inet_dgram_recvmsg(struct socket *sock, struct kmsghdr *msg, size_t len, int flags)
{
	struct sock *sk = sock->sk;
	struct udp_rx_info info;
	u8 *buf;
	long r;

	TRACE_STEP(inet_recvmsg, 0, sock->id, len);
	if (sk->shutdown & 1)
		return 0;
	buf = msg->iovlen == 1 ? msg->iov[0].base : kmalloc(len ? len : 1);
	if (!buf)
		return -ENOBUFS;
	r = udp_recvmsg(sk, buf, len, &info, flags, sock_deadline(sock, false, flags));
	if (r >= 0) {
		trace_event(copy_to_user, 0, (u64)r, 0);
		if (msg->iovlen != 1)
			buf_to_iov(buf, (size_t)r, msg->iov, msg->iovlen);
		if (info.truncated)
			msg->flags |= MSG_TRUNC;
		if (msg->name) {
			memset(msg->name, 0, sizeof(*msg->name));
			msg->name->sin_family = AF_INET;
			msg->name->sin_addr = info.saddr;
			msg->name->sin_port = to_be16(info.sport);
			msg->namelen = sizeof(*msg->name);
		}
	}
	if (msg->iovlen != 1)
		kfree(buf);
	return r;
}

static int inet_no_listen(struct socket *sock, int backlog) { return -EOPNOTSUPP; }
static int inet_no_accept(struct socket *sock, struct socket *n, int flags) { return -EOPNOTSUPP; }

const struct proto_ops inet_dgram_ops = {
	.family = AF_INET,
	.release = inet_dgram_release,
	.bind = inet_dgram_bind,
	.connect = inet_dgram_connect,
	.listen = inet_no_listen,
	.accept = inet_no_accept,
	.getname = inet_getname,
	.poll = inet_dgram_poll,
	.shutdown = inet_dgram_shutdown,
	.setsockopt = inet_dgram_setsockopt,
	.getsockopt = inet_dgram_getsockopt,
	.sendmsg = inet_dgram_sendmsg,
	.recvmsg = inet_dgram_recvmsg,
};


static int inet_create(struct net *net, struct socket *sock, int type, int protocol)
{
	int err;

	if (type == SOCK_DGRAM) {
		if (protocol && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		err = udp_sock_create(net, &sock->sk);
		if (err)
			return err;
		sock->ops = &inet_dgram_ops;
		return 0;
	}
	if (type == SOCK_STREAM) {
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		return inet_stream_create(net, sock, protocol);
	}
	return -ESOCKTNOSUPPORT;
}

static const struct net_proto_family inet_family = { AF_INET, inet_create };

void inet_socket_init(void) { sock_register(&inet_family); }
