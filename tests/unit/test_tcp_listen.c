/* Listening sockets and ownership: the SYN queue and the accept queue bounded by the
 * backlog, SYN cookies when the SYN queue is full (RFC 4987 3.6), SYN-ACK
 * retransmission, closing a listener; and Linux's ownership model: segments that arrive
 * while a thread holds the socket (lock_sock) wait on the backlog and are processed by
 * release_sock in that thread, timers that fire meanwhile are deferred to it. */
#include <tcptest.h>

#include <seqos/errno.h>
#include <string.h>

TT_BENCH()

static struct sock *listener(u16 port, int backlog)
{
	struct sock *l;

	assert_int_equal(tcp_sock_create(&T.net, &l), 0);
	assert_int_equal(tcp_bind(l, to_be32(0), port), 0);
	assert_int_equal(tcp_listen(l, backlog), 0);
	return l;
}

/* The peer's SYN from sport; returns our SYN-ACK. */
static void syn(u16 sport, u16 dport, u32 iss, u8 opts, u32 tsval, struct tt_out *o)
{
	struct tt_seg s = { 0 };

	s.sport = sport;
	s.dport = dport;
	s.seq = iss;
	s.flags = TCPHDR_SYN;
	s.win = 65535;
	s.opts = opts;
	s.mss = 1460;
	s.wscale = 3;
	s.tsval = tsval;
	tt_send(&T, &s);
	if (o) {
		assert_true(tt_recv(&T, o));
		assert_int_equal(o->th.flags, TCPHDR_SYN | TCPHDR_ACK);
	}
}

static void final_ack(u16 sport, u16 dport, u32 iss, const struct tt_out *synack, u32 tsval,
		      const void *data, u32 len)
{
	struct tt_seg s = { 0 };

	s.sport = sport;
	s.dport = dport;
	s.seq = iss + 1;
	s.ack = synack->th.seq + 1;
	s.flags = TCPHDR_ACK;
	s.win = 30000;
	if (synack->th.opts & TCPOPT_F_TS) {
		s.opts = TCPOPT_F_TS;
		s.tsval = tsval;
		s.tsecr = synack->th.tsval;
	}
	s.data = data;
	s.len = len;
	tt_send(&T, &s);
}

static void test_accept_queue_bounded_by_backlog(void **state)
{
	struct sock *l = listener(90, 2), *a[3];
	struct tt_out o[4];

	syn(100, 90, 0, TT_ALLOPTS, 1, &o[0]);
	syn(101, 90, 1000, TT_ALLOPTS, 1, &o[1]);
	final_ack(100, 90, 0, &o[0], 2, NULL, 0);
	syn(102, 90, 2000, TT_ALLOPTS, 1, &o[2]);
	final_ack(101, 90, 1000, &o[1], 2, NULL, 0);
	assert_int_equal(tcp_sk(l)->accept_qlen, 2);
	/* the third completes while the queue is full: its ACK is dropped, it stays half
	 * open (the SYN-ACK is resent) */
	final_ack(102, 90, 2000, &o[2], 2, NULL, 0);
	assert_int_equal(tcp_sk(l)->accept_qlen, 2);
	assert_int_equal(tcp_sk(l)->syn_qlen, 1);
	assert_int_equal(tt_ext(&T, LINUX_MIB_LISTENOVERFLOWS), 1);
	/* and new SYNs are not answered while it is full */
	syn(103, 90, 5000, TT_ALLOPTS, 1, NULL);
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(tt_ext(&T, LINUX_MIB_LISTENOVERFLOWS), 2);
	/* FIFO */
	assert_int_equal(tcp_accept(l, &a[0], MSG_DONTWAIT, 0), 0);
	assert_int_equal(get_be16(a[0]->dport), 100);
	final_ack(102, 90, 2000, &o[2], 3, NULL, 0); /* the peer's retransmitted ACK */
	assert_int_equal(tcp_accept(l, &a[1], MSG_DONTWAIT, 0), 0);
	assert_int_equal(get_be16(a[1]->dport), 101);
	assert_int_equal(tcp_accept(l, &a[2], MSG_DONTWAIT, 0), 0);
	assert_int_equal(get_be16(a[2]->dport), 102);
	assert_int_equal(a[2]->state, TCP_ESTABLISHED);
	for (int i = 0; i < 3; i++)
		tcp_close(a[i]);
	tcp_close(l);
	tt_drain(&T);
}

static void test_data_in_final_ack_delivered(void **state)
{
	struct sock *l = listener(91, 4), *a;
	struct tt_out o;
	char buf[8];

	syn(110, 91, 7, TT_ALLOPTS, 1, &o);
	final_ack(110, 91, 7, &o, 2, "first", 5);
	assert_int_equal(tcp_accept(l, &a, MSG_DONTWAIT, 0), 0);
	assert_int_equal(tcp_recvmsg(a, buf, sizeof(buf), MSG_DONTWAIT, 0), 5);
	assert_memory_equal(buf, "first", 5);
	tcp_close(a);
	tcp_close(l);
	tt_drain(&T);
}

static void test_syn_queue_overflow_uses_cookies(void **state)
{
	struct sock *l = listener(92, 2), *a;
	struct tt_out o[3];
	struct tcp_info_lite i;

	syn(120, 92, 10, TT_ALLOPTS, 50, &o[0]);
	syn(121, 92, 20, TT_ALLOPTS, 50, &o[1]);
	assert_int_equal(tcp_sk(l)->syn_qlen, 2);
	/* the SYN queue is full: a cookie answers and nothing is kept */
	syn(122, 92, 30, TT_ALLOPTS, 50, &o[2]);
	assert_int_equal(tcp_sk(l)->syn_qlen, 2);
	assert_int_equal(tt_ext(&T, LINUX_MIB_SYNCOOKIESSENT), 1);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPREQQFULLDOCOOKIES), 1);
	assert_true(o[2].th.opts & TCPOPT_F_TS);
	/* the cookie's ACK makes the connection, with window scale and SACK recovered from
	 * the echoed timestamp */
	final_ack(122, 92, 30, &o[2], 51, NULL, 0);
	assert_int_equal(tt_ext(&T, LINUX_MIB_SYNCOOKIESRECV), 1);
	assert_int_equal(tcp_accept(l, &a, MSG_DONTWAIT, 0), 0);
	tcp_get_info(a, &i);
	assert_int_equal(i.state, TCP_ESTABLISHED);
	assert_true(i.sack_ok && i.tstamp_ok && i.wscale_ok);
	assert_int_equal(i.snd_wscale, 3);
	assert_int_equal(i.snd_wnd, 30000u << 3);
	assert_int_equal(i.snd_mss, 1460 - 12);
	tcp_close(a);
	tcp_close(l);
	tt_drain(&T);
}

static void test_cookie_without_timestamps(void **state)
{
	struct sock *l = listener(93, 1), *a;
	struct tt_out o;
	struct tcp_info_lite i;

	syn(130, 93, 10, TT_ALLOPTS, 1, NULL);
	tt_drain(&T);
	syn(131, 93, 99, TCPOPT_F_MSS | TCPOPT_F_WSCALE | TCPOPT_F_SACK_PERM, 0, &o);
	/* nowhere to keep them: no window scale, no SACK in the answer */
	assert_int_equal(o.th.opts, TCPOPT_F_MSS);
	final_ack(131, 93, 99, &o, 0, "x", 1);
	assert_int_equal(tcp_accept(l, &a, MSG_DONTWAIT, 0), 0);
	tcp_get_info(a, &i);
	assert_false(i.sack_ok || i.wscale_ok || i.tstamp_ok);
	assert_int_equal(i.snd_mss, 1460);
	tcp_close(a);
	tcp_close(l);
	tt_drain(&T);
}

static void test_forged_and_stale_cookies_fail(void **state)
{
	struct sock *l = listener(94, 1);
	struct tt_out o, r;

	syn(140, 94, 10, TT_ALLOPTS, 1, NULL);
	tt_drain(&T);
	syn(141, 94, 20, 0, 0, &o);
	/* a guessed ISN: reset */
	struct tt_out forged = o;
	forged.th.seq += 12345;
	final_ack(141, 94, 20, &forged, 0, NULL, 0);
	assert_true(tt_recv(&T, &r));
	assert_int_equal(r.th.flags, TCPHDR_RST);
	assert_int_equal(tt_ext(&T, LINUX_MIB_SYNCOOKIESFAILED), 1);
	/* the right one, but minutes too late */
	shim_advance_ms(200000);
	tt_drain(&T);
	final_ack(141, 94, 20, &o, 0, NULL, 0);
	assert_true(tt_recv(&T, &r));
	assert_int_equal(r.th.flags, TCPHDR_RST);
	assert_int_equal(tt_ext(&T, LINUX_MIB_SYNCOOKIESFAILED), 2);
	assert_int_equal(tcp_sk(l)->accept_qlen, 0);
	tcp_close(l);
	tt_drain(&T);
}

/* A SYN answered with a cookie (SYN queue full), then again, once the queue had room,
 * from a request with another ISN: the peer ACKs the first SYN-ACK it got, the cookie's,
 * and that makes the connection (it was reset, when the host's SYN retransmission overtook
 * a slow guest's first SYN-ACK in a burst of 256 connects). */
static void test_cookie_ack_with_a_request_for_the_same_syn(void **state)
{
	struct sock *l = listener(96, 1), *a;
	struct tt_out o, cookie, fresh;

	syn(150, 96, 5, TT_ALLOPTS, 1, &o);
	syn(151, 96, 40, TT_ALLOPTS, 1, &cookie);
	assert_int_equal(tt_ext(&T, LINUX_MIB_SYNCOOKIESSENT), 1);
	final_ack(150, 96, 5, &o, 2, NULL, 0);
	assert_int_equal(tcp_accept(l, &a, MSG_DONTWAIT, 0), 0);
	tcp_close(a);
	tt_drain(&T);
	/* the retransmitted SYN finds room: a request with its own ISN */
	syn(151, 96, 40, TT_ALLOPTS, 2, &fresh);
	assert_int_equal(tcp_sk(l)->syn_qlen, 1);
	assert_true(fresh.th.seq != cookie.th.seq);
	final_ack(151, 96, 40, &cookie, 3, "data", 4);
	assert_int_equal(tt_ext(&T, LINUX_MIB_SYNCOOKIESRECV), 1);
	assert_int_equal(tcp_sk(l)->syn_qlen, 0);
	assert_int_equal(tcp_accept(l, &a, MSG_DONTWAIT, 0), 0);
	assert_int_equal(a->state, TCP_ESTABLISHED);
	assert_int_equal(tt_mib(&T, TCP_MIB_OUTRSTS), 0);
	tcp_close(a);
	tcp_close(l);
	tt_drain(&T);
}

/* The handshake's ACK and the first data both arrive while the app holds the listener
 * (in accept): both wait on the listener's backlog, and once the ACK has made the
 * connection, the data is the connection's (it was answered with a reset, as a failed
 * cookie, when 256 connects from Linux met a busy echo app). */
static void test_data_behind_the_ack_on_the_listener_backlog(void **state)
{
	struct sock *l = listener(97, 4), *a;
	struct tt_out o;
	char buf[8];

	syn(160, 97, 70, TT_ALLOPTS, 1, &o);
	lock_sock(l);
	final_ack(160, 97, 70, &o, 2, NULL, 0);
	final_ack(160, 97, 70, &o, 3, "hello", 5);
	assert_int_equal(skb_queue_len(&l->backlog), 2);
	release_sock(l);
	assert_int_equal(tt_ext(&T, LINUX_MIB_SYNCOOKIESFAILED), 0);
	assert_int_equal(tt_mib(&T, TCP_MIB_OUTRSTS), 0);
	assert_int_equal(tcp_accept(l, &a, MSG_DONTWAIT, 0), 0);
	assert_int_equal(tcp_recvmsg(a, buf, sizeof(buf), MSG_DONTWAIT, 0), 5);
	assert_memory_equal(buf, "hello", 5);
	tcp_close(a);
	tcp_close(l);
	tt_drain(&T);
}

static void test_synack_retransmitted_then_dropped(void **state)
{
	struct sock *l = listener(95, 4);
	struct tt_out o;
	u64 t0 = shim_now_ns();
	u32 iss;

	syn(150, 95, 5, TT_ALLOPTS, 1, &o);
	iss = o.th.seq;
	/* 1, 2, 4, 8, 16 s apart (TCP_SYNACK_RETRIES = 5), then forgotten */
	static const u32 at[] = { 1000, 3000, 7000, 15000, 31000 };
	for (int i = 0; i < 5; i++) {
		shim_advance_ns(t0 + (u64)at[i] * NSEC_PER_MSEC - 10 * NSEC_PER_MSEC - shim_now_ns());
		assert_int_equal(tt_drain(&T), 0);
		shim_advance_ms(20);
		assert_true(tt_recv(&T, &o));
		assert_int_equal(o.th.seq, iss);
		assert_int_equal(o.th.flags, TCPHDR_SYN | TCPHDR_ACK);
	}
	assert_int_equal(tcp_sk(l)->syn_qlen, 1);
	shim_advance_ms(40000);
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(tcp_sk(l)->syn_qlen, 0);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPSYNRETRANS), 5);
	tcp_close(l);
}

static void test_repeated_syn_gets_synack_again(void **state)
{
	struct sock *l = listener(96, 4);
	struct tt_out o1, o2;

	syn(160, 96, 5, TT_ALLOPTS, 1, &o1);
	syn(160, 96, 5, TT_ALLOPTS, 1, &o2);
	assert_int_equal(o1.th.seq, o2.th.seq);
	assert_int_equal(tcp_sk(l)->syn_qlen, 1);
	tcp_close(l);
}

static void test_bad_final_ack_resets(void **state)
{
	struct sock *l = listener(97, 4);
	struct tt_out o, r;

	syn(170, 97, 5, TT_ALLOPTS, 1, &o);
	o.th.seq += 1000; /* the ACK acknowledges something else */
	final_ack(170, 97, 5, &o, 2, NULL, 0);
	assert_true(tt_recv(&T, &r));
	assert_int_equal(r.th.flags, TCPHDR_RST);
	assert_int_equal(r.th.seq, o.th.seq + 1);
	assert_int_equal(tcp_sk(l)->syn_qlen, 1);
	assert_int_equal(tcp_sk(l)->accept_qlen, 0);
	tcp_close(l);
}

static void test_close_listener_resets_unaccepted(void **state)
{
	struct sock *l = listener(98, 4);
	struct tt_out o[2], r;

	syn(180, 98, 5, TT_ALLOPTS, 1, &o[0]);
	syn(181, 98, 5, TT_ALLOPTS, 1, &o[1]);
	final_ack(180, 98, 5, &o[0], 2, NULL, 0);
	assert_int_equal(tcp_sk(l)->accept_qlen, 1);
	assert_int_equal(tcp_sk(l)->syn_qlen, 1);
	tcp_close(l);
	/* the established one is reset; the half-open one just forgotten */
	assert_true(tt_recv(&T, &r));
	assert_true(r.th.flags & TCPHDR_RST);
	assert_int_equal(r.th.dport, 180);
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(T.net.tcp->nsocks, 0);
	/* nothing listens any more */
	syn(182, 98, 5, TT_ALLOPTS, 1, NULL);
	assert_true(tt_recv(&T, &r));
	assert_int_equal(r.th.flags, TCPHDR_RST | TCPHDR_ACK);
}

static void test_listen_backlog_changed_and_capped(void **state)
{
	struct sock *l = listener(99, 1);

	assert_int_equal(tcp_sk(l)->max_backlog, 1);
	assert_int_equal(tcp_listen(l, 100000), 0);
	assert_int_equal(tcp_sk(l)->max_backlog, TCP_SOMAXCONN);
	assert_int_equal(tcp_listen(l, 0), 0);
	assert_int_equal(tcp_sk(l)->max_backlog, 1);
	tcp_close(l);
}

static void test_specific_address_listener_preferred(void **state)
{
	struct sock *any = listener(100, 4), *spec, *a;
	struct tt_out o;

	assert_int_equal(tcp_sock_create(&T.net, &spec), 0);
	assert_int_equal(tcp_setsockopt(any, SOL_SOCKET, SO_REUSEADDR, 1), 0);
	assert_int_equal(tcp_setsockopt(spec, SOL_SOCKET, SO_REUSEADDR, 1), 0);
	tcp_close(any);
	any = listener(100, 4); /* wildcard */
	assert_int_equal(tcp_bind(spec, T.us, 101), 0);
	assert_int_equal(tcp_listen(spec, 4), 0);
	syn(190, 101, 5, TT_ALLOPTS, 1, &o);
	final_ack(190, 101, 5, &o, 2, NULL, 0);
	assert_int_equal(tcp_accept(spec, &a, MSG_DONTWAIT, 0), 0);
	tcp_close(a);
	tcp_close(spec);
	tcp_close(any);
	tt_drain(&T);
}

/* ---- ownership ---- */
static void test_segments_wait_on_backlog_while_owned(void **state)
{
	struct tt_conn c = { 0 };
	char buf[16];

	tt_established(&T, &c, 200);
	lock_sock(c.sk);
	tt_csend(&T, &c, TCPHDR_ACK, "owned", 5);
	/* processed later, in the owner's context */
	assert_int_equal(skb_queue_len(&c.sk->backlog), 1);
	assert_true(skb_queue_empty(&c.sk->receive_queue));
	assert_int_equal(tt_drain(&T), 0);
	trace_clear();
	release_sock(c.sk);
	assert_int_equal(skb_queue_len(&c.sk->backlog), 0);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), 5);
	assert_true(nettest_trace_count(TR_release_sock) >= 1);
	tt_close_all(&T, &c);
}

static void test_backlog_bounded(void **state)
{
	struct tt_conn c = { 0 };
	static u8 data[1400];

	tt_established(&T, &c, 201);
	lock_sock(c.sk);
	for (int i = 0; i < 400; i++)
		tt_csend(&T, &c, TCPHDR_ACK, data, sizeof(data));
	/* rcvbuf + sndbuf of truesize, then dropped and counted */
	assert_true(c.sk->backlog_len <= c.sk->rcvbuf + c.sk->sndbuf);
	assert_true(tt_ext(&T, LINUX_MIB_TCPBACKLOGDROP) > 0);
	release_sock(c.sk);
	tt_drain(&T);
	c.snd_nxt = tt_tp(&c)->rcv_nxt;
	tt_close_all(&T, &c);
}

static void test_timer_deferred_while_owned(void **state)
{
	struct tt_conn c = { 0 };

	tt_established(&T, &c, 202);
	tt_csend(&T, &c, TCPHDR_ACK, "x", 1); /* owes a delayed ACK */
	lock_sock(c.sk);
	shim_advance_ms(100);
	/* the delayed-ACK timer fired while the socket was held: deferred */
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(tt_ext(&T, LINUX_MIB_DELAYEDACKLOCKED), 1);
	assert_true(tt_tp(&c)->deferred & TCP_DELACK_TIMER_DEFERRED);
	release_sock(c.sk);
	assert_int_equal(tt_drain(&T), 1); /* sent from release_sock */
	assert_int_equal(tt_tp(&c)->deferred, 0);
	tt_close_all(&T, &c);
}

static void test_rto_deferred_while_owned(void **state)
{
	struct tt_conn c = { 0 };

	tt_established(&T, &c, 203);
	assert_int_equal(tcp_sendmsg(c.sk, "abc", 3, 0, 0), 3);
	tt_drain(&T);
	lock_sock(c.sk);
	shim_advance_ms(1500);
	assert_int_equal(tt_drain(&T), 0);
	release_sock(c.sk);
	assert_int_equal(tt_drain(&T), 1); /* the retransmission, from the owner */
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPTIMEOUTS), 1);
	tt_close_all(&T, &c);
}

static void test_listener_owned_syn_waits(void **state)
{
	struct sock *l = listener(204, 4);
	struct tt_out o;

	lock_sock(l);
	syn(210, 204, 5, TT_ALLOPTS, 1, NULL);
	assert_int_equal(tt_drain(&T), 0);
	release_sock(l);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.flags, TCPHDR_SYN | TCPHDR_ACK);
	tcp_close(l);
}

/* The contexts the trace records for the steps of one request/response: the app's
 * send in the thread, the segment's input in NET_RX softirq, the delayed ACK in a
 * timer, and, while the thread held the socket, input processed in the thread by
 * release_sock (DESIGN.md "Execution contexts"). */
static u8 ctx_of(const struct trace_rec *r, size_t n, u16 ev, u8 phase)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].event == ev && r[i].phase == phase)
			return r[i].ctx_kind;
	return 0;
}

static void test_trace_shows_contexts(void **state)
{
	static struct trace_rec r[1 << 14];
	struct tt_conn c = { 0 };
	size_t n;

	tt_established(&T, &c, 205);
	trace_clear();
	assert_int_equal(tcp_sendmsg(c.sk, "req", 3, 0, 0), 3);
	tt_csend(&T, &c, TCPHDR_ACK, "resp", 4);
	shim_advance_ms(50); /* the delayed ACK */
	n = trace_consume(0, r, ARRAY_SIZE(r));
	assert_int_equal(ctx_of(r, n, TR_tcp_sendmsg, TRACE_BEGIN), CTX_THREAD);
	assert_int_equal(ctx_of(r, n, TR_tcp_write_xmit, TRACE_BEGIN), CTX_THREAD);
	assert_int_equal(ctx_of(r, n, TR_tcp_v4_rcv, TRACE_BEGIN), CTX_SOFTIRQ);
	assert_int_equal(ctx_of(r, n, TR_tcp_rcv_established, TRACE_BEGIN), CTX_SOFTIRQ);
	assert_int_equal(ctx_of(r, n, TR_tcp_data_queue, TRACE_BEGIN), CTX_SOFTIRQ);
	assert_int_equal(ctx_of(r, n, TR_sk_data_ready, TRACE_INSTANT), CTX_SOFTIRQ);
	assert_int_equal(ctx_of(r, n, TR_tcp_delack_timer, TRACE_BEGIN), CTX_TIMER);
	/* now with the socket held by the thread */
	trace_clear();
	lock_sock(c.sk);
	tt_csend(&T, &c, TCPHDR_ACK, "more", 4);
	release_sock(c.sk);
	n = trace_consume(0, r, ARRAY_SIZE(r));
	assert_int_equal(ctx_of(r, n, TR_sk_add_backlog, TRACE_INSTANT), CTX_SOFTIRQ);
	assert_int_equal(ctx_of(r, n, TR_release_sock, TRACE_BEGIN), CTX_THREAD);
	assert_int_equal(ctx_of(r, n, TR_tcp_rcv_established, TRACE_BEGIN), CTX_THREAD);
	tt_close_all(&T, &c);
}

static const struct CMUnitTest tests[] = {
	TT_TEST(test_accept_queue_bounded_by_backlog),
	TT_TEST(test_data_in_final_ack_delivered),
	TT_TEST(test_syn_queue_overflow_uses_cookies),
	TT_TEST(test_cookie_without_timestamps),
	TT_TEST(test_forged_and_stale_cookies_fail),
	TT_TEST(test_cookie_ack_with_a_request_for_the_same_syn),
	TT_TEST(test_data_behind_the_ack_on_the_listener_backlog),
	TT_TEST(test_synack_retransmitted_then_dropped),
	TT_TEST(test_repeated_syn_gets_synack_again),
	TT_TEST(test_bad_final_ack_resets),
	TT_TEST(test_close_listener_resets_unaccepted),
	TT_TEST(test_listen_backlog_changed_and_capped),
	TT_TEST(test_specific_address_listener_preferred),
	TT_TEST(test_segments_wait_on_backlog_while_owned),
	TT_TEST(test_backlog_bounded),
	TT_TEST(test_timer_deferred_while_owned),
	TT_TEST(test_rto_deferred_while_owned),
	TT_TEST(test_listener_owned_syn_waits),
	TT_TEST(test_trace_shows_contexts),
};

TT_MAIN(tests)
