/* Unit tests of the socket layer (net/socket.c, net/ipv4/inet_socket.c) with datagram
 * sockets between two hosts over the simulated link: the BSD semantics apps see, and
 * the POSIX errno for each misuse. Every test ends with pools and heap at baseline. */
#include <nettest.h>

#include <net/inet_common.h>
#include <net/ip.h>
#include <net/socket.h>
#include <seqos/errno.h>
#include <seqos/time.h>

#include <string.h>

void inet_socket_init(void);

static struct net A, B;
static struct simlink *link_ab;
static struct nettest_baseline base;

static be32 ip(const char *s)
{
	be32 a;
	assert_int_equal(in4_pton(s, &a), 0);
	return a;
}

static struct ksockaddr_in sa(const char *addr, u16 port)
{
	struct ksockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr = addr ? ip(addr) : to_be32(0);
	a.sin_port = to_be16(port);
	return a;
}

static int setup(void **state)
{
	static bool once;
	nettest_global_init();
	if (!once)
		inet_socket_init();
	once = true;
	nettest_baseline(&base);
	assert_int_equal(net_ns_init(&A, "A"), 0);
	assert_int_equal(net_ns_init(&B, "B"), 0);
	link_ab = simlink_create(&A, &B, 0);
	assert_int_equal(inet_addr_add(link_ab->a.dev, ip("10.0.0.1"), 24), 0);
	assert_int_equal(inet_addr_add(link_ab->b.dev, ip("10.0.0.2"), 24), 0);
	shim_run_pending();
	return 0;
}

static int teardown(void **state)
{
	simlink_destroy(link_ab);
	net_ns_exit(&A);
	net_ns_exit(&B);
	nettest_assert_baseline(&base);
	return 0;
}

static long sendto_(struct socket *s, const void *buf, size_t len, struct ksockaddr_in *to)
{
	struct kiovec iov = { (void *)buf, len };
	struct kmsghdr m = { to, to ? (int)sizeof(*to) : 0, &iov, 1, 0 };
	return sock_sendmsg(s, &m, len, 0);
}

static long recvfrom_(struct socket *s, void *buf, size_t len, struct ksockaddr_in *from, int flags)
{
	struct kiovec iov = { buf, len };
	struct kmsghdr m = { from, 0, &iov, 1, 0 };
	return sock_recvmsg(s, &m, len, flags);
}

static void test_datagram_round_trip_with_addresses(void **state)
{
	struct socket *a, *b;
	struct ksockaddr_in ba = sa(NULL, 7000), from, name;
	char buf[64];

	assert_int_equal(sock_create(&A, AF_INET, SOCK_DGRAM, 0, &a), 0);
	assert_int_equal(sock_create(&B, AF_INET, SOCK_DGRAM, IPPROTO_UDP, &b), 0);
	assert_int_equal(b->ops->bind(b, &ba), 0);
	struct ksockaddr_in to = sa("10.0.0.2", 7000);
	assert_int_equal(sendto_(a, "hello", 5, &to), 5);
	assert_int_equal(recvfrom_(b, buf, sizeof(buf), &from, 0), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_true(be32_eq(from.sin_addr, ip("10.0.0.1")));
	assert_int_equal(from.sin_family, AF_INET);
	/* a was bound to an ephemeral port by its first send: the reply finds it */
	assert_int_equal(a->ops->getname(a, &name, false), 0);
	assert_true(get_be16(name.sin_port) >= 1024);
	assert_int_equal(get_be16(from.sin_port), get_be16(name.sin_port));
	assert_int_equal(sendto_(b, "world!", 6, &from), 6);
	assert_int_equal(recvfrom_(a, buf, sizeof(buf), NULL, 0), 6);
	assert_memory_equal(buf, "world!", 6);
	sock_release(a);
	sock_release(b);
}

static void test_iovec_gather_scatter_and_truncation(void **state)
{
	struct socket *a, *b;
	struct ksockaddr_in ba = sa(NULL, 7001), to = sa("10.0.0.2", 7001);
	char p1[] = "abc", p2[] = "defgh", r1[2], r2[3];
	struct kiovec out[2] = { { p1, 3 }, { p2, 5 } }, in[2] = { { r1, 2 }, { r2, 3 } };
	struct kmsghdr m = { &to, sizeof(to), out, 2, 0 };

	sock_create(&A, AF_INET, SOCK_DGRAM, 0, &a);
	sock_create(&B, AF_INET, SOCK_DGRAM, 0, &b);
	b->ops->bind(b, &ba);
	assert_int_equal(sock_sendmsg(a, &m, 8, 0), 8);
	struct kmsghdr r = { NULL, 0, in, 2, 0 };
	assert_int_equal(sock_recvmsg(b, &r, 5, 0), 5); /* 8 sent, 5 fit: the rest is gone */
	assert_memory_equal(r1, "ab", 2);
	assert_memory_equal(r2, "cde", 3);
	assert_true(r.flags & MSG_TRUNC);
	sock_release(a);
	sock_release(b);
}

static void test_errors_are_posix(void **state)
{
	struct socket *a, *b, *c;
	struct ksockaddr_in any7 = sa(NULL, 7002), bad = sa(NULL, 7003);
	char buf[8];

	assert_int_equal(sock_create(&A, 99, SOCK_DGRAM, 0, &a), -EAFNOSUPPORT);
	assert_int_equal(sock_create(&A, AF_INET, SOCK_DGRAM, IPPROTO_TCP, &a), -EPROTONOSUPPORT);
	assert_int_equal(sock_create(&A, AF_INET, 99, 0, &a), -ESOCKTNOSUPPORT);
	assert_int_equal(sock_create(&A, AF_INET, SOCK_DGRAM, 0, &a), 0);
	assert_int_equal(sock_create(&A, AF_INET, SOCK_DGRAM, 0, &b), 0);
	assert_int_equal(a->ops->bind(a, &any7), 0);
	assert_int_equal(b->ops->bind(b, &any7), -EADDRINUSE);
	bad.sin_family = 10;
	assert_int_equal(b->ops->bind(b, &bad), -EAFNOSUPPORT);
	/* no destination, not connected */
	assert_int_equal(sendto_(b, "x", 1, NULL), -EDESTADDRREQ);
	/* too large for one datagram */
	struct ksockaddr_in to = sa("10.0.0.2", 9);
	assert_int_equal(sendto_(b, buf, 70000, &to), -EMSGSIZE);
	/* shutdown needs a peer */
	assert_int_equal(b->ops->shutdown(b, SHUT_RD), -ENOTCONN);
	assert_int_equal(b->ops->shutdown(b, 7), -EINVAL);
	/* a non-blocking read with nothing queued */
	assert_int_equal(recvfrom_(a, buf, sizeof(buf), NULL, 0x40), -EAGAIN);
	/* getpeername on an unconnected socket */
	struct ksockaddr_in n;
	assert_int_equal(a->ops->getname(a, &n, true), -ENOTCONN);
	/* listen/accept make no sense on datagram sockets */
	assert_int_equal(a->ops->listen(a, 5), -EOPNOTSUPP);
	assert_int_equal(sock_create(&A, AF_INET, SOCK_DGRAM, 0, &c), 0);
	assert_int_equal(a->ops->accept(a, c, 0), -EOPNOTSUPP);
	sock_release(a);
	sock_release(b);
	sock_release(c);
}

static void test_connected_socket_gets_connection_refused(void **state)
{
	struct socket *a;
	struct ksockaddr_in to = sa("10.0.0.2", 7999), n;
	char buf[4];
	int err;
	unsigned len = sizeof(err);

	sock_create(&A, AF_INET, SOCK_DGRAM, 0, &a);
	assert_int_equal(a->ops->connect(a, &to, 0), 0);
	assert_int_equal(a->ops->getname(a, &n, true), 0);
	assert_int_equal(get_be16(n.sin_port), 7999);
	assert_int_equal(sendto_(a, "x", 1, NULL), 1);
	shim_run_pending(); /* B answers port unreachable */
	assert_int_equal(recvfrom_(a, buf, sizeof(buf), NULL, 0x40), -ECONNREFUSED);
	/* reported once */
	assert_int_equal(sock_getsockopt(a, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	assert_int_equal(err, 0);
	sock_release(a);
}

static void test_receive_timeout_and_options(void **state)
{
	struct socket *a;
	long tv[2] = { 0, 250000 }, got[2];
	unsigned len = sizeof(got);
	int type = 0, v = 1;
	char buf[4];

	sock_create(&A, AF_INET, SOCK_DGRAM, 0, &a);
	assert_int_equal(sock_setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, tv, sizeof(tv)), 0);
	assert_int_equal(sock_getsockopt(a, SOL_SOCKET, SO_RCVTIMEO, got, &len), 0);
	assert_int_equal(got[1], 250000);
	u64 t0 = shim_now_ns();
	assert_int_equal(recvfrom_(a, buf, sizeof(buf), NULL, 0), -EAGAIN);
	assert_true(shim_now_ns() - t0 >= 250 * NSEC_PER_MSEC);
	len = sizeof(type);
	assert_int_equal(sock_getsockopt(a, SOL_SOCKET, SO_TYPE, &type, &len), 0);
	assert_int_equal(type, SOCK_DGRAM);
	assert_int_equal(sock_setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0);
	assert_int_equal(sock_setsockopt(a, SOL_SOCKET, 12345, &v, sizeof(v)), -ENOPROTOOPT);
	tv[1] = 2000000; /* not a valid timeval */
	assert_int_equal(sock_setsockopt(a, SOL_SOCKET, SO_SNDTIMEO, tv, sizeof(tv)), -EINVAL);
	sock_release(a);
}

static void test_poll_reports_readable(void **state)
{
	struct socket *a, *b;
	struct ksockaddr_in ba = sa(NULL, 7004), to = sa("10.0.0.2", 7004);
	struct wait_queue_head *wq;

	sock_create(&A, AF_INET, SOCK_DGRAM, 0, &a);
	sock_create(&B, AF_INET, SOCK_DGRAM, 0, &b);
	b->ops->bind(b, &ba);
	assert_int_equal(b->ops->poll(b, &wq) & 0x001, 0);
	assert_non_null(wq);
	sendto_(a, "p", 1, &to);
	shim_run_pending();
	assert_int_equal(b->ops->poll(b, &wq) & 0x005, 0x005); /* POLLIN | POLLOUT */
	sock_release(a);
	sock_release(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_datagram_round_trip_with_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iovec_gather_scatter_and_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_are_posix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connected_socket_gets_connection_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_timeout_and_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_reports_readable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
