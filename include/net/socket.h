/* The BSD socket layer's kernel side (net/socket.c, net/ipv4/inet_socket.c), as in
 * Linux: a struct socket (the descriptor's view: type, state, flags, timeouts) points to
 * a struct sock (the protocol's); proto_ops are the per-family socket calls.
 *
 *   __sys_sendto   -> sock_sendmsg -> inet_sendmsg -> tcp_sendmsg | udp_sendmsg
 *   __sys_recvfrom -> sock_recvmsg -> inet_recvmsg -> tcp_recvmsg | udp_recvmsg
 *
 * The __sys_* entry points (kernel/sys_socket.c) deal in descriptors and user pointers;
 * everything here deals in struct socket and is portable (host-tested). Functions return
 * a count or a negative errno. */
#ifndef NET_SOCKET_H
#define NET_SOCKET_H

#include <net/sock.h>
#include <seqos/types.h>

/* Constants with Linux's values; tcp.h and udp.h define some of them too. */
#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef SOCK_STREAM
#define SOCK_STREAM 1
#endif
#ifndef SOCK_DGRAM
#define SOCK_DGRAM 2
#endif
#ifndef SOCK_NONBLOCK
#define SOCK_NONBLOCK 04000
#endif
#ifndef SOL_SOCKET
#define SOL_SOCKET 1
#endif
#ifndef SO_REUSEADDR
#define SO_REUSEADDR 2
#endif
#ifndef SO_TYPE
#define SO_TYPE 3
#endif
#ifndef SO_ERROR
#define SO_ERROR 4
#endif
#ifndef SO_BROADCAST
#define SO_BROADCAST 6
#endif
#ifndef SO_SNDBUF
#define SO_SNDBUF 7
#endif
#ifndef SO_RCVBUF
#define SO_RCVBUF 8
#endif
#ifndef SO_KEEPALIVE
#define SO_KEEPALIVE 9
#endif
#ifndef SO_RCVTIMEO
#define SO_RCVTIMEO 20
#endif
#ifndef SO_SNDTIMEO
#define SO_SNDTIMEO 21
#endif
#ifndef IPPROTO_TCP
#define IPPROTO_TCP 6
#endif
#ifndef IPPROTO_UDP
#define IPPROTO_UDP 17
#endif
#ifndef SOL_TCP
#define SOL_TCP 6
#endif
#ifndef TCP_NODELAY
#define TCP_NODELAY 1
#endif
#ifndef MSG_PEEK
#define MSG_PEEK 0x02
#endif
#ifndef MSG_WAITALL
#define MSG_WAITALL 0x100
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000
#endif
#ifndef SHUT_RD
#define SHUT_RD 0
#endif
#ifndef SHUT_WR
#define SHUT_WR 1
#endif
#ifndef SHUT_RDWR
#define SHUT_RDWR 2
#endif


enum socket_state { SS_FREE = 0, SS_CONNECTING = 2, SS_DISCONNECTING = 4 };

/* The wire layout of struct sockaddr_in (apps' netinet/in.h). */
struct ksockaddr_in {
	u16 sin_family;
	be16 sin_port;
	be32 sin_addr;
	u8 sin_zero[8];
};

struct kiovec {
	void *base;
	size_t len;
};

struct kmsghdr {
	struct ksockaddr_in *name; /* in: destination (sendmsg); out: source (recvmsg) */
	int namelen;
	struct kiovec *iov;
	size_t iovlen;
	int flags;                 /* recvmsg out: MSG_TRUNC */
};
#define MSG_TRUNC 0x20

struct socket;
struct proto_ops {
	int family;
	int (*release)(struct socket *sock);
	int (*bind)(struct socket *sock, const struct ksockaddr_in *addr);
	int (*connect)(struct socket *sock, const struct ksockaddr_in *addr, int flags);
	int (*listen)(struct socket *sock, int backlog);
	int (*accept)(struct socket *sock, struct socket *newsock, int flags);
	int (*getname)(struct socket *sock, struct ksockaddr_in *addr, bool peer);
	unsigned (*poll)(struct socket *sock, struct wait_queue_head **wq);
	int (*shutdown)(struct socket *sock, int how);
	int (*setsockopt)(struct socket *sock, int level, int name, const void *val, unsigned len);
	int (*getsockopt)(struct socket *sock, int level, int name, void *val, unsigned *len);
	long (*sendmsg)(struct socket *sock, struct kmsghdr *msg, size_t len, int flags);
	long (*recvmsg)(struct socket *sock, struct kmsghdr *msg, size_t len, int flags);
};

struct socket {
	short type;                 /* SOCK_STREAM, SOCK_DGRAM */
	u8 state;
	bool nonblock;              /* O_NONBLOCK on the descriptor */
	const struct proto_ops *ops;
	struct sock *sk;
	u64 rcvtimeo_ns, sndtimeo_ns; /* SO_RCVTIMEO, SO_SNDTIMEO; 0 = forever */
	u32 id;                     /* for traces */
};

int sock_create(struct net *net, int family, int type, int protocol, struct socket **res);
void sock_release(struct socket *sock);
long sock_sendmsg(struct socket *sock, struct kmsghdr *msg, size_t len, int flags);
long sock_recvmsg(struct socket *sock, struct kmsghdr *msg, size_t len, int flags);
int sock_setsockopt(struct socket *sock, int level, int name, const void *val, unsigned len);
int sock_getsockopt(struct socket *sock, int level, int name, void *val, unsigned *len);
/* Deadline (ktime ns, 0 = none) for a call that may block: now + timeout, or 0 ... */
u64 sock_deadline(const struct socket *sock, bool send, int flags);

/* Per-family registration (net/ipv4/inet_socket.c registers AF_INET). */
struct net_proto_family {
	int family;
	int (*create)(struct net *net, struct socket *sock, int type, int protocol);
};
int sock_register(const struct net_proto_family *fam);
size_t iov_total(const struct kiovec *iov, size_t n);
/* Copies between a flat buffer and an iovec; returns bytes copied. */
size_t iov_to_buf(const struct kiovec *iov, size_t n, void *buf, size_t len);
size_t buf_to_iov(const void *buf, size_t len, const struct kiovec *iov, size_t n);

#endif
