/* Two network stacks in one process (namespaces A 10.0.0.1 and B 10.0.0.2) over a
 * simulated Ethernet link with seeded loss, reordering, duplication, corruption, delay
 * and a rate limit (simlink_set_impair). Blocking connect/accept/send/recv run as a
 * thread would: their waits run softirqs, timers and the link in simulated time, so a
 * 10 MiB transfer over a 100 Mbit/s, 10 ms RTT path takes seconds of CPU, not minutes.
 *
 * test_goodput_table moves 10 MiB byte-exact at 0, 1, 5, 10, 20 and 30% loss (both
 * directions, plus 1% reordering, 0.5% duplication, 0.5% corruption) and prints the
 * goodput in simulated time. */
#include <tcptest.h>

#include <seqos/errno.h>
#include <stdio.h>
#include <string.h>

static struct net A, B;
static struct simlink *link_ab;
static struct nettest_baseline base;

static be32 ip(const char *s)
{
	be32 a;
	assert_int_equal(in4_pton(s, &a), 0);
	return a;
}

static int setup(void **state)
{
	nettest_global_init();
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
	for (int i = 0; i < 40; i++)
		shim_advance_ms(60 * 1000);
	assert_int_equal(A.tcp->nsocks, 0);
	assert_int_equal(B.tcp->nsocks, 0);
	assert_int_equal(tcp_memory_allocated(), 0);
	simlink_destroy(link_ab);
	net_ns_exit(&A);
	net_ns_exit(&B);
	nettest_assert_baseline(&base);
	return 0;
}

/* A connected pair: client in A, server (accepted) in B. */
static void pair(struct sock **cli, struct sock **srv, u16 port, int ca)
{
	struct sock *l;

	assert_int_equal(tcp_sock_create(&B, &l), 0);
	assert_int_equal(tcp_bind(l, to_be32(0), port), 0);
	assert_int_equal(tcp_listen(l, 4), 0);
	assert_int_equal(tcp_sock_create(&A, cli), 0);
	if (ca)
		assert_int_equal(tcp_setsockopt(*cli, SOL_TCP, TCP_CONGESTION, ca), 0);
	assert_int_equal(tcp_stream_connect(*cli, ip("10.0.0.2"), port, 0,
					    shim_now_ns() + 60 * NSEC_PER_SEC), 0);
	assert_int_equal(tcp_accept(l, srv, 0, shim_now_ns() + 60 * NSEC_PER_SEC), 0);
	tcp_close(l);
}

static u8 pattern(u64 i) { return (u8)((i * 2654435761u) >> 13); }

/* Sends total bytes A -> B with blocking calls; returns simulated seconds * 1e6. */
static u64 transfer(struct sock *cli, struct sock *srv, u64 total)
{
	static u8 out[65536], in[65536];
	u64 sent = 0, got = 0, t0 = shim_now_ns();

	while (got < total) {
		if (sent < total) {
			u64 n = total - sent < sizeof(out) ? total - sent : sizeof(out);
			for (u64 i = 0; i < n; i++)
				out[i] = pattern(sent + i);
			ssize_t r = tcp_sendmsg(cli, out, n, MSG_DONTWAIT, 0);
			if (r > 0)
				sent += (u64)r;
			else
				assert_int_equal(r, -EAGAIN);
		}
		ssize_t r = tcp_recvmsg(srv, in, sizeof(in), 0, shim_now_ns() + NSEC_PER_SEC);
		if (r == -EAGAIN)
			continue;
		assert_true(r > 0);
		for (ssize_t i = 0; i < r; i++)
			if (in[i] != pattern(got + (u64)i))
				fail_msg("byte %llu differs", (unsigned long long)(got + (u64)i));
		got += (u64)r;
	}
	return (shim_now_ns() - t0) / 1000;
}

static void close_pair(struct sock *cli, struct sock *srv)
{
	char b[16];

	assert_int_equal(tcp_shutdown(cli, SHUT_WR), 0);
	assert_int_equal(tcp_recvmsg(srv, b, sizeof(b), 0, shim_now_ns() + 600 * NSEC_PER_SEC), 0);
	tcp_close(srv);
	assert_int_equal(tcp_recvmsg(cli, b, sizeof(b), 0, shim_now_ns() + 600 * NSEC_PER_SEC), 0);
	tcp_close(cli);
}

static void test_blocking_connect_accept_echo(void **state)
{
	struct sock *c, *s;
	char b[32];

	pair(&c, &s, 3490, 0);
	assert_int_equal(tcp_sendmsg(c, "Hello, world!", 13, 0, 0), 13);
	assert_int_equal(tcp_recvmsg(s, b, sizeof(b), 0, shim_now_ns() + NSEC_PER_SEC), 13);
	assert_int_equal(tcp_sendmsg(s, b, 13, 0, 0), 13);
	assert_int_equal(tcp_recvmsg(c, b, sizeof(b), MSG_WAITALL, shim_now_ns() + NSEC_PER_SEC), 13);
	assert_memory_equal(b, "Hello, world!", 13);
	close_pair(c, s);
}

static void test_one_mib_clean(void **state)
{
	struct sock *c, *s;

	pair(&c, &s, 3491, 0);
	transfer(c, s, 1 << 20);
	assert_int_equal(tcp_sk(c)->total_retrans, 0);
	close_pair(c, s);
}

/* One stack talking to itself over loopback (MTU 64 KiB): buffers stay 2 KiB. */
static void test_loopback_transfer(void **state)
{
	struct sock *l, *c, *s;
	struct skb_pool_stats st;

	assert_int_equal(tcp_sock_create(&A, &l), 0);
	assert_int_equal(tcp_bind(l, to_be32(0), 7), 0);
	assert_int_equal(tcp_listen(l, 4), 0);
	assert_int_equal(tcp_sock_create(&A, &c), 0);
	assert_int_equal(tcp_stream_connect(c, ip("127.0.0.1"), 7, 0, shim_now_ns() + NSEC_PER_SEC), 0);
	assert_int_equal(tcp_accept(l, &s, 0, shim_now_ns() + NSEC_PER_SEC), 0);
	assert_int_equal(tcp_sk(c)->mss_cache, 65536 - 40 - 12);
	transfer(c, s, 1 << 20);
	skb_pool_get_stats(SKB_POOL_LARGE, &st);
	assert_int_equal(st.in_use, 0);
	close_pair(c, s);
	/* and to our own address */
	assert_int_equal(tcp_sock_create(&A, &c), 0);
	assert_int_equal(tcp_stream_connect(c, ip("10.0.0.1"), 7, 0, shim_now_ns() + NSEC_PER_SEC), 0);
	assert_int_equal(tcp_accept(l, &s, 0, shim_now_ns() + NSEC_PER_SEC), 0);
	transfer(c, s, 100000);
	close_pair(c, s);
	tcp_close(l);
}

static void test_cubic_transfer_with_loss(void **state)
{
	struct simlink_impair im = { .loss_ppm = 20000, .delay_us = 5000, .rate_bps = 100000000,
				     .queue_max = 200, .seed = 99 };
	struct sock *c, *s;

	pair(&c, &s, 3492, 1);
	simlink_set_impair(link_ab, &im);
	transfer(c, s, 2 << 20);
	assert_true(tcp_sk(c)->total_retrans > 0);
	close_pair(c, s);
	simlink_set_impair(link_ab, NULL);
}

static void test_goodput_table(void **state)
{
	/* the first row: the same path without reordering, duplication or corruption */
	static const u32 loss_pct[] = { 0, 0, 1, 5, 10, 20, 30 };
	const u64 total = 10 << 20;

	printf("    10 MiB A->B, 100 Mbit/s, RTT 10 ms, +1%% reordered by 1 ms, 0.5%% dup, "
	       "0.5%% corrupt\n");
	printf("    (* = no reordering, duplication or corruption; time is simulated)\n");
	printf("    %6s %10s %12s %9s %9s %9s\n", "loss%", "time s", "goodput kB/s", "retrans",
	       "timeouts", "fastretr");
	for (unsigned i = 0; i < ARRAY_SIZE(loss_pct); i++) {
		bool clean = i == 0;
		struct simlink_impair im = { .loss_ppm = loss_pct[i] * 10000,
					     .dup_ppm = clean ? 0 : 5000,
					     .corrupt_ppm = clean ? 0 : 5000,
					     .reorder_ppm = clean ? 0 : 10000, .reorder_us = 1000,
					     .delay_us = 5000, .rate_bps = 100000000,
					     .queue_max = 200, .seed = 1234 + i };
		struct sock *c, *s;
		u64 us, t0 = A.tcp->ext[LINUX_MIB_TCPTIMEOUTS], f0 = A.tcp->ext[LINUX_MIB_TCPFASTRETRANS];

		pair(&c, &s, (u16)(5000 + i), 0);
		simlink_set_impair(link_ab, &im);
		us = transfer(c, s, total);
		printf("    %5u%s %10.2f %12.1f %9u %9llu %9llu\n", loss_pct[i], clean ? "*" : " ",
		       us / 1e6,
		       total / 1000.0 / (us / 1e6), tcp_sk(c)->total_retrans,
		       (unsigned long long)(A.tcp->ext[LINUX_MIB_TCPTIMEOUTS] - t0),
		       (unsigned long long)(A.tcp->ext[LINUX_MIB_TCPFASTRETRANS] - f0));
		fflush(stdout);
		close_pair(c, s);
		simlink_set_impair(link_ab, NULL);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_blocking_connect_accept_echo, setup, teardown),
	cmocka_unit_test_setup_teardown(test_one_mib_clean, setup, teardown),
	cmocka_unit_test_setup_teardown(test_loopback_transfer, setup, teardown),
	cmocka_unit_test_setup_teardown(test_cubic_transfer_with_loss, setup, teardown),
	cmocka_unit_test_setup_teardown(test_goodput_table, setup, teardown),
};

TT_MAIN(tests)
