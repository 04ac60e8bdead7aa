/* TCP send side: the retransmission timer (RFC 6298: initial RTO, RTT estimation,
 * Karn's rule, backoff, giving up, user timeout), fast retransmit and NewReno recovery
 * (RFC 5681 3.2, RFC 6582), SACK-based recovery (RFC 6675), all also across sequence
 * number wraparound; slow start and congestion avoidance, CUBIC; Nagle and TCP_NODELAY,
 * TCP_CORK; the persist timer and zero-window probes (enter, back off, exit); send
 * buffer limits; keepalive; segment sizes from the peer's MSS and TCP_MAXSEG. */
#include <tcptest.h>

#include <seqos/errno.h>
#include <string.h>

TT_BENCH()

#define NOSACK (TCPOPT_F_MSS | TCPOPT_F_WSCALE | TCPOPT_F_TS)
#define MSS 1448u

static u8 data[200000];

static void ack_sack(struct tt_conn *c, u32 ack, u32 s1, u32 e1, u32 s2, u32 e2);
static void ack(struct tt_conn *c, u32 a) { ack_sack(c, a, 0, 0, 0, 0); }

/* An active open; the peer offers opts; our first data byte is returned. */
static u32 open_to_peer(struct tt_conn *c, u16 pport, u8 opts)
{
	tt_active_open(&T, c, pport, 1000, opts);
	ack(c, c->rcv_nxt); /* the peer's scaled window, so later ACKs can be duplicates */
	return c->rcv_nxt;
}

/* Queues n full segments and reads them off the wire. */
static void send_segs(struct tt_conn *c, u32 n)
{
	struct tt_out o;

	assert_int_equal(tcp_sendmsg(c->sk, data, n * MSS, 0, 0), (ssize_t)(n * MSS));
	for (u32 i = 0; i < n; i++) {
		assert_true(tt_crecv(&T, c, &o));
		assert_int_equal(o.len, MSS);
	}
}

/* An ACK from the peer with up to two SACK blocks (0 = none). */
static void ack_sack(struct tt_conn *c, u32 ack, u32 s1, u32 e1, u32 s2, u32 e2)
{
	struct tt_seg s = { 0 };

	s.sport = c->pport;
	s.dport = c->lport;
	s.seq = c->snd_nxt;
	s.ack = ack;
	s.flags = TCPHDR_ACK;
	s.win = c->win;
	s.opts = TCPOPT_F_TS;
	s.tsval = ++c->ts_val;
	s.tsecr = c->ts_recent;
	if (s1 != e1) {
		s.opts |= TCPOPT_F_SACK;
		s.sacks[s.num_sacks].start_seq = s1;
		s.sacks[s.num_sacks++].end_seq = e1;
	}
	if (s2 != e2) {
		s.sacks[s.num_sacks].start_seq = s2;
		s.sacks[s.num_sacks++].end_seq = e2;
	}
	tt_send(&T, &s);
}



/* ---- the retransmission timer ---- */
static void test_rto_initial_and_backoff(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u64 t0;
	u32 first;

	tt_established(&T, &c, 2000);
	t0 = shim_now_ns();
	assert_int_equal(tcp_sendmsg(c.sk, "abc", 3, 0, 0), 3);
	tt_expect(&T, &c, TCPHDR_ACK, 3, &o);
	first = o.th.seq;
	/* no RTT sample yet: 1 s (RFC 6298 2.1), then 2 s, 4 s */
	static const u32 at[] = { 1000, 3000, 7000 };
	for (int i = 0; i < 3; i++) {
		shim_advance_ns(t0 + (u64)at[i] * NSEC_PER_MSEC - 10 * NSEC_PER_MSEC - shim_now_ns());
		assert_int_equal(tt_drain(&T), 0);
		shim_advance_ms(20);
		tt_expect(&T, &c, TCPHDR_ACK, 3, &o);
		assert_int_equal(o.th.seq, first);
	}
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPTIMEOUTS), 3);
	assert_int_equal(tt_mib(&T, TCP_MIB_RETRANSSEGS), 3);
	assert_int_equal(tt_tp(&c)->backoff, 3);
	ack(&c, first + 3);
	tt_close_all(&T, &c);
}

static void test_rto_from_rtt_sample(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_info_lite i;
	u32 base;

	tt_established(&T, &c, 2001);
	base = c.rcv_nxt;
	assert_int_equal(tcp_sendmsg(c.sk, "abc", 3, 0, 0), 3);
	tt_drain(&T);
	shim_advance_ms(48);
	ack(&c, base + 3);
	tcp_get_info(c.sk, &i);
	assert_true(i.srtt_us >= 44000 && i.srtt_us <= 52000);
	/* RTO = SRTT + 4 RTTVAR = 48 + 96 ms, below the 200 ms floor */
	assert_int_equal(i.rto_us, TCP_RTO_MIN_MS * 1000);
	assert_int_equal(tcp_sendmsg(c.sk, "def", 3, 0, 0), 3);
	tt_drain(&T);
	shim_advance_ms(190);
	assert_int_equal(tt_drain(&T), 0);
	shim_advance_ms(20);
	assert_int_equal(tt_drain(&T), 1);
	ack(&c, base + 6);
	tt_close_all(&T, &c);
}

static void test_karn_no_sample_from_retransmission(void **state)
{
	struct tt_conn c = { 0 };
	u32 base;

	tt_established(&T, &c, 2002);
	base = c.rcv_nxt;
	assert_int_equal(tcp_sendmsg(c.sk, "abc", 3, 0, 0), 3);
	tt_drain(&T);
	shim_advance_ms(1010);
	assert_int_equal(tt_drain(&T), 1);
	shim_advance_ms(30);
	ack(&c, base + 3); /* which copy? unknown: no sample, the backoff stays */
	assert_int_equal(tt_tp(&c)->srtt_us, 0);
	assert_int_equal(tt_tp(&c)->backoff, 1);
	assert_int_equal(tt_tp(&c)->rto_us, 2000000);
	/* new data acked: a clean sample ends the backoff */
	assert_int_equal(tcp_sendmsg(c.sk, "def", 3, 0, 0), 3);
	tt_drain(&T);
	shim_advance_ms(30);
	ack(&c, base + 6);
	assert_int_equal(tt_tp(&c)->backoff, 0);
	assert_int_equal(tt_tp(&c)->rto_us, TCP_RTO_MIN_MS * 1000);
	tt_close_all(&T, &c);
}

static void test_gives_up_after_retries(void **state)
{
	struct tt_conn c = { 0 };
	char b[4];

	tt_established(&T, &c, 2003);
	assert_int_equal(tcp_sendmsg(c.sk, "abc", 3, 0, 0), 3);
	for (int i = 0; i < 30 && c.sk->state != TCP_CLOSE; i++)
		shim_advance_ms(60000);
	assert_int_equal(c.sk->state, TCP_CLOSE);
	assert_int_equal(tt_tp(&c)->total_retrans, TCP_RETRIES2);
	assert_int_equal(tcp_recvmsg(c.sk, b, sizeof(b), 0, 0), -ETIMEDOUT);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPABORTONTIMEOUT), 1);
	tt_drain(&T);
	tt_close_all(&T, &c);
}

static void test_user_timeout(void **state)
{
	struct tt_conn c = { 0 };

	tt_established(&T, &c, 2004);
	assert_int_equal(tcp_setsockopt(c.sk, SOL_TCP, TCP_USER_TIMEOUT, 5000), 0);
	assert_int_equal(tcp_sendmsg(c.sk, "abc", 3, 0, 0), 3);
	shim_advance_ms(6500);
	assert_int_equal(c.sk->state, TCP_ESTABLISHED);
	shim_advance_ms(1000); /* the RTO at 7 s finds 5 s exceeded (RFC 5482) */
	assert_int_equal(c.sk->state, TCP_CLOSE);
	assert_int_equal(tcp_sock_error(c.sk), -ETIMEDOUT);
	tt_drain(&T);
	tt_close_all(&T, &c);
}

/* ---- fast retransmit and recovery ---- */
static void test_fast_retransmit_reno(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	base = open_to_peer(&c, 2005, NOSACK);
	send_segs(&c, 10);
	assert_int_equal(tcp_sendmsg(c.sk, data, 5 * MSS, 0, 0), (ssize_t)(5 * MSS));
	ack(&c, base + MSS);
	assert_int_equal(tt_drain(&T), 2); /* the window slid and grew: two more */
	ack(&c, base + MSS);
	ack(&c, base + MSS);
	/* each duplicate ACK lets one new segment go (RFC 3042 limited transmit) */
	assert_int_equal(tt_drain(&T), 2);
	ack(&c, base + MSS); /* the third duplicate */
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base + MSS);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Recovery);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPRENORECOVERY), 1);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPFASTRETRANS), 1);
	/* ssthresh = FlightSize / 2 (RFC 5681 eq. 4), cwnd to it */
	assert_int_equal(tt_tp(&c)->snd_ssthresh, 6);
	assert_int_equal(tt_tp(&c)->snd_cwnd, 6);
	ack(&c, base + 14 * MSS);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Open);
	tt_drain(&T);
	tt_close_all(&T, &c);
}

static void test_two_dupacks_do_nothing(void **state)
{
	struct tt_conn c = { 0 };
	u32 base;

	base = open_to_peer(&c, 2006, NOSACK);
	send_segs(&c, 5);
	ack(&c, base);
	ack(&c, base);
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Disorder);
	ack(&c, base + 5 * MSS);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Open);
	tt_close_all(&T, &c);
}

static void test_newreno_partial_ack(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	base = open_to_peer(&c, 2007, NOSACK);
	send_segs(&c, 10);
	for (int i = 0; i < 3; i++)
		ack(&c, base);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base);
	assert_int_equal(tt_tp(&c)->high_seq, base + 10 * MSS);
	/* segments 0..3 arrive, 4 was lost too: the partial ACK resends 4 at once
	 * (RFC 6582 3.2 step 5), without leaving recovery */
	ack(&c, base + 4 * MSS);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base + 4 * MSS);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Recovery);
	ack(&c, base + 10 * MSS);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Open);
	/* cwnd = ssthresh (RFC 6582 3.2 step 6), then that ACK's own growth */
	assert_true(tt_tp(&c)->snd_cwnd - tt_tp(&c)->snd_ssthresh <= 1);
	tt_drain(&T);
	tt_close_all(&T, &c);
}

static void test_sack_recovery_one_hole(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	base = open_to_peer(&c, 2008, TT_ALLOPTS);
	send_segs(&c, 10);
	/* segment 0 lost; 1, 2, 3 SACKed: 3 above it means lost (RFC 6675 IsLost) */
	ack_sack(&c, base, base + MSS, base + 2 * MSS, 0, 0);
	ack_sack(&c, base, base + MSS, base + 3 * MSS, 0, 0);
	assert_int_equal(tt_drain(&T), 0);
	ack_sack(&c, base, base + MSS, base + 4 * MSS, 0, 0);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPSACKRECOVERY), 1);
	assert_int_equal(tt_tp(&c)->sacked_out, 3);
	ack(&c, base + 10 * MSS);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Open);
	assert_int_equal(tt_tp(&c)->sacked_out, 0);
	tt_drain(&T);
	tt_close_all(&T, &c);
}

static void test_sack_recovery_two_holes(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	base = open_to_peer(&c, 2009, TT_ALLOPTS);
	send_segs(&c, 10);
	/* holes at 0 and 4: both resent, nothing SACKed resent */
	ack_sack(&c, base, base + 5 * MSS, base + 9 * MSS, base + MSS, base + 4 * MSS);
	int seen[10] = { 0 };
	while (tt_recv(&T, &o))
		seen[(o.th.seq - base) / MSS]++;
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[4], 1);
	for (int i = 1; i < 10; i++)
		if (i != 4)
			assert_int_equal(seen[i], i == 9 ? seen[9] : 0);
	ack(&c, base + 10 * MSS);
	tt_close_all(&T, &c);
}

static void test_sack_reordering_raises_threshold(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	base = open_to_peer(&c, 2034, TT_ALLOPTS);
	send_segs(&c, 10);
	ack_sack(&c, base, base + 2 * MSS, base + 4 * MSS, 0, 0);
	/* segment 1, sent once, is SACKed after 2 and 3: the path reorders by 4 */
	ack_sack(&c, base, base + MSS, base + 4 * MSS, 0, 0);
	assert_int_equal(tt_tp(&c)->reordering, 4);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPSACKREORDER), 1);
	/* three SACKed above the hole are no longer enough ... */
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Disorder);
	/* ... four are */
	ack_sack(&c, base, base + MSS, base + 5 * MSS, 0, 0);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Recovery);
	ack(&c, base + 10 * MSS);
	tt_drain(&T);
	tt_close_all(&T, &c);
}

static void test_fast_retransmit_across_wrap(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	tt_next_iss = 0xffffffffu - 3 * MSS;
	base = open_to_peer(&c, 2010, NOSACK);
	send_segs(&c, 8); /* spans 2^32 */
	assert_true(base + 8 * MSS < base);
	ack(&c, base + 4 * MSS); /* the ACK number has wrapped */
	tt_drain(&T);
	for (int i = 0; i < 3; i++)
		ack(&c, base + 4 * MSS);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base + 4 * MSS);
	ack(&c, base + 6 * MSS);
	assert_true(tt_recv(&T, &o)); /* partial: the next hole */
	assert_int_equal(o.th.seq, base + 6 * MSS);
	ack(&c, base + 8 * MSS);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Open);
	assert_int_equal(tt_tp(&c)->packets_out, 0);
	tt_drain(&T);
	tt_close_all(&T, &c);
}

static void test_rto_across_wrap(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	tt_next_iss = 0xffffffffu - MSS;
	base = open_to_peer(&c, 2011, TT_ALLOPTS);
	send_segs(&c, 3);
	shim_advance_ms(250);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Loss);
	assert_int_equal(tt_tp(&c)->snd_cwnd, 1);
	ack(&c, base + MSS); /* slow start from one: two more go */
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base + MSS);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base + 2 * MSS); /* past 2^32 */
	ack(&c, base + 3 * MSS);
	assert_int_equal(tt_tp(&c)->ca_state, TCP_CA_Open);
	tt_close_all(&T, &c);
}

static void test_rto_forgets_sacks(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	base = open_to_peer(&c, 2012, TT_ALLOPTS);
	send_segs(&c, 4);
	ack_sack(&c, base, base + 2 * MSS, base + 3 * MSS, 0, 0);
	shim_advance_ms(250);
	/* RFC 2018 8: after a timeout the SACK marks are forgotten */
	assert_int_equal(tt_tp(&c)->sacked_out, 0);
	assert_int_equal(tt_tp(&c)->lost_out, 4);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base);
	/* ... and new SACK information is used again (RFC 6675 5.1) */
	ack_sack(&c, base + MSS, base + 2 * MSS, base + 4 * MSS, 0, 0);
	assert_int_equal(tt_tp(&c)->sacked_out, 2);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.seq, base + MSS);
	assert_false(tt_recv(&T, &o));
	ack(&c, base + 4 * MSS);
	tt_close_all(&T, &c);
}

/* ---- window growth ---- */
static void test_slow_start_doubles(void **state)
{
	struct tt_conn c = { 0 };
	u32 base;

	base = open_to_peer(&c, 2013, TT_ALLOPTS);
	assert_int_equal(tt_tp(&c)->snd_cwnd, TCP_INIT_CWND);
	send_segs(&c, 10);
	for (u32 i = 2; i <= 10; i += 2)
		ack(&c, base + i * MSS);
	/* one more per segment acked (RFC 5681 3.1) */
	assert_int_equal(tt_tp(&c)->snd_cwnd, 20);
	tt_drain(&T);
	tt_close_all(&T, &c);
}

static void test_congestion_avoidance_linear(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_sock *tp;
	u32 base;

	base = open_to_peer(&c, 2014, TT_ALLOPTS);
	tp = tt_tp(&c);
	tp->snd_ssthresh = 10;
	send_segs(&c, 10);
	for (u32 i = 1; i <= 10; i++)
		ack(&c, base + i * MSS);
	/* a window's worth of ACKs: one segment more */
	assert_int_equal(tp->snd_cwnd, 11);
	tt_drain(&T);
	tt_close_all(&T, &c);
}

static void test_app_limited_no_growth(void **state)
{
	struct tt_conn c = { 0 };
	u32 base;

	base = open_to_peer(&c, 2015, TT_ALLOPTS);
	for (u32 i = 1; i <= 20; i++) {
		send_segs(&c, 1);
		ack(&c, base + i * MSS);
	}
	/* never more than one in flight: the window was not the limit (RFC 7661) */
	assert_int_equal(tt_tp(&c)->snd_cwnd, TCP_INIT_CWND);
	tt_close_all(&T, &c);
}

static void test_cubic_reduction_and_growth(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_sock *tp;
	u32 base, cw;

	assert_int_equal(tcp_sock_create(&T.net, &c.sk), 0);
	assert_int_equal(tcp_setsockopt(c.sk, SOL_TCP, TCP_CONGESTION, 1), 0);
	base = open_to_peer(&c, 2016, NOSACK);
	tp = tt_tp(&c);
	assert_string_equal(tp->ca_ops->name, "cubic");
	send_segs(&c, 10);
	for (int i = 0; i < 3; i++)
		ack(&c, base);
	/* beta_cubic = 0.7 (RFC 9438 4.6) */
	assert_int_equal(tp->snd_ssthresh, 7);
	ack(&c, base + 10 * MSS);
	tt_drain(&T);
	cw = tp->snd_cwnd;
	/* congestion avoidance along the cubic curve: grows back over time */
	u32 una = base + 10 * MSS;
	for (int r = 0; r < 40; r++) {
		u32 n = tp->snd_cwnd - tcp_packets_in_flight(tp);
		struct tt_out o;
		assert_int_equal(tcp_sendmsg(c.sk, data, n * MSS, 0, 0), (ssize_t)(n * MSS));
		while (tt_crecv(&T, &c, &o))
			;
		shim_advance_ms(20);
		una = c.rcv_nxt;
		ack(&c, una);
	}
	assert_true(tp->snd_cwnd > cw);
	assert_int_equal(tcp_setsockopt(c.sk, SOL_TCP, TCP_CONGESTION, 0), -EBUSY);
	tt_close_all(&T, &c);
}

static void test_cubic_root(void **state)
{
	for (u64 k = 0; k < 3000; k++) {
		assert_int_equal(cubic_root(k * k * k), k);
		if (k)
			assert_int_equal(cubic_root(k * k * k - 1), k - 1);
	}
	assert_int_equal(cubic_root(~0ULL), 2642245);
	assert_int_equal(cubic_root((u64)2642245 * 2642245 * 2642245), 2642245);
}

/* ---- Nagle and cork ---- */
static void test_nagle_holds_small_segments(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	base = open_to_peer(&c, 2017, TT_ALLOPTS);
	assert_int_equal(tcp_sendmsg(c.sk, "a", 1, 0, 0), 1);
	tt_expect(&T, &c, TCPHDR_ACK, 1, NULL); /* nothing in flight: it goes */
	assert_int_equal(tcp_sendmsg(c.sk, "b", 1, 0, 0), 1);
	assert_int_equal(tcp_sendmsg(c.sk, "c", 1, 0, 0), 1);
	assert_int_equal(tt_drain(&T), 0); /* RFC 896: wait for the ACK */
	ack(&c, base + 1);
	tt_expect(&T, &c, TCPHDR_ACK, 2, &o);
	assert_memory_equal(o.data, "bc", 2);
	ack(&c, base + 3);
	tt_close_all(&T, &c);
}

static void test_nodelay_sends_at_once(void **state)
{
	struct tt_conn c = { 0 };

	open_to_peer(&c, 2018, TT_ALLOPTS);
	assert_int_equal(tcp_setsockopt(c.sk, SOL_TCP, TCP_NODELAY, 1), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(tcp_sendmsg(c.sk, "x", 1, 0, 0), 1);
	assert_int_equal(tt_drain(&T), 3);
	tt_close_all(&T, &c);
}

static void test_nodelay_set_late_flushes(void **state)
{
	struct tt_conn c = { 0 };

	open_to_peer(&c, 2019, TT_ALLOPTS);
	assert_int_equal(tcp_sendmsg(c.sk, "a", 1, 0, 0), 1);
	assert_int_equal(tcp_sendmsg(c.sk, "b", 1, 0, 0), 1);
	assert_int_equal(tt_drain(&T), 1);
	assert_int_equal(tcp_setsockopt(c.sk, SOL_TCP, TCP_NODELAY, 1), 0);
	assert_int_equal(tt_drain(&T), 1);
	tt_close_all(&T, &c);
}

static void test_cork(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;

	open_to_peer(&c, 2020, TT_ALLOPTS);
	assert_int_equal(tcp_setsockopt(c.sk, SOL_TCP, TCP_CORK, 1), 0);
	assert_int_equal(tcp_sendmsg(c.sk, data, 100, 0, 0), 100);
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(tcp_sendmsg(c.sk, data, 1400, 0, 0), 1400);
	tt_expect(&T, &c, TCPHDR_ACK, MSS, &o); /* a full segment goes */
	assert_int_equal(tt_drain(&T), 0);      /* the 52 bytes wait */
	assert_int_equal(tcp_setsockopt(c.sk, SOL_TCP, TCP_CORK, 0), 0);
	tt_expect(&T, &c, TCPHDR_ACK, 52, &o);
	tt_close_all(&T, &c);
}

/* ---- zero window: the persist timer ---- */
static void test_zero_window_probe_enter_backoff_exit(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;
	u64 t0;

	base = open_to_peer(&c, 2021, TT_ALLOPTS);
	c.win = 0;
	ack(&c, base); /* the peer's window closes */
	assert_int_equal(tt_tp(&c)->snd_wnd, 0);
	assert_int_equal(tcp_sendmsg(c.sk, "hello", 5, 0, 0), 5);
	assert_int_equal(tt_drain(&T), 0);
	t0 = shim_now_ns();
	/* probes at 200 ms, then 400, 800 ms later (RFC 9293 3.8.6.1, backing off) */
	static const u32 at[] = { 200, 600, 1400, 3000 };
	for (int i = 0; i < 4; i++) {
		shim_advance_ns(t0 + (u64)at[i] * NSEC_PER_MSEC - 8 * NSEC_PER_MSEC - shim_now_ns());
		assert_int_equal(tt_drain(&T), 0);
		shim_advance_ms(16);
		tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
		assert_int_equal(o.th.seq, base - 1); /* an old byte: forces an ACK */
		ack(&c, base); /* "still zero" */
	}
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPWINPROBE), 4);
	assert_int_equal(c.sk->state, TCP_ESTABLISHED);
	/* the window opens: the data goes, the probing stops */
	c.win = 1000;
	ack(&c, base);
	tt_expect(&T, &c, TCPHDR_ACK, 5, &o);
	assert_memory_equal(o.data, "hello", 5);
	ack(&c, base + 5);
	shim_advance_ms(10000);
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(tt_tp(&c)->pending, 0);
	tt_close_all(&T, &c);
}

static void test_persist_lasts_while_answered(void **state)
{
	struct tt_conn c = { 0 };
	u32 base;

	base = open_to_peer(&c, 2022, TT_ALLOPTS);
	c.win = 0;
	ack(&c, base);
	assert_int_equal(tcp_sendmsg(c.sk, "x", 1, 0, 0), 1);
	for (int i = 0; i < 40; i++) { /* far more than TCP_RETRIES2 probes */
		shim_advance_ms(120000);
		if (tt_drain(&T))
			ack(&c, base);
	}
	assert_int_equal(c.sk->state, TCP_ESTABLISHED);
	/* the interval is capped at TCP_RTO_MAX */
	assert_true(tcp_probe0_when_us(tt_tp(&c)) <= (u64)TCP_RTO_MAX_MS * 1000);
	c.win = 100;
	ack(&c, base);
	tt_expect(&T, &c, TCPHDR_ACK, 1, NULL);
	tt_close_all(&T, &c);
}

static void test_persist_gives_up_unanswered(void **state)
{
	struct tt_conn c = { 0 };
	u32 base;

	base = open_to_peer(&c, 2023, TT_ALLOPTS);
	c.win = 0;
	ack(&c, base);
	assert_int_equal(tcp_sendmsg(c.sk, "x", 1, 0, 0), 1);
	for (int i = 0; i < 40 && c.sk->state != TCP_CLOSE; i++)
		shim_advance_ms(120000);
	assert_int_equal(c.sk->state, TCP_CLOSE);
	assert_int_equal(tcp_sock_error(c.sk), -ETIMEDOUT);
	tt_drain(&T);
	tt_close_all(&T, &c);
}

static void test_small_window_filled_by_probe(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	base = open_to_peer(&c, 2024, TCPOPT_F_MSS | TCPOPT_F_TS);
	c.win = 500; /* smaller than a segment */
	ack(&c, base);
	assert_int_equal(tcp_sendmsg(c.sk, data, MSS, 0, 0), MSS);
	/* the first segment cannot go whole; the persist timer sends what fits */
	assert_int_equal(tt_drain(&T), 0);
	shim_advance_ms(250);
	tt_expect(&T, &c, TCPHDR_ACK, 500, &o);
	assert_int_equal(o.th.seq, base);
	c.win = 5000;
	ack(&c, base + 500);
	tt_expect(&T, &c, TCPHDR_ACK, MSS - 500, &o);
	tt_close_all(&T, &c);
}

/* ---- the send buffer ---- */
static void test_send_buffer_limits(void **state)
{
	struct tt_conn c = { 0 };
	ssize_t n;
	u64 t0;

	assert_int_equal(tcp_sock_create(&T.net, &c.sk), 0);
	assert_int_equal(tcp_setsockopt(c.sk, SOL_SOCKET, SO_SNDBUF, 4096), 0);
	open_to_peer(&c, 2025, TT_ALLOPTS);
	c.win = 0;
	ack(&c, c.rcv_nxt);
	n = tcp_sendmsg(c.sk, data, 100000, MSG_DONTWAIT, 0);
	assert_true(n > 0 && n < 20000);
	assert_true(c.sk->wmem_queued >= c.sk->sndbuf);
	assert_false(tcp_poll(c.sk) & TCP_POLLOUT);
	assert_int_equal(tcp_sendmsg(c.sk, data, 100, MSG_DONTWAIT, 0), -EAGAIN);
	t0 = shim_now_ns();
	assert_int_equal(tcp_sendmsg(c.sk, data, 100, 0, t0 + 300 * NSEC_PER_MSEC), -EAGAIN);
	assert_true(shim_now_ns() >= t0 + 300 * NSEC_PER_MSEC);
	/* the window opens and data is acked: room again, writers are woken */
	c.win = 16384;
	ack(&c, c.rcv_nxt);
	while (tt_drain(&T))
		ack(&c, c.rcv_nxt + (u32)n);
	assert_true(tcp_poll(c.sk) & TCP_POLLOUT);
	tt_close_all(&T, &c);
}

static void test_global_memory_limit(void **state)
{
	struct tt_conn c = { 0 };
	char buf[8];
	u64 fill;

	open_to_peer(&c, 2035, TT_ALLOPTS);
	/* everything else already holds all TCP may have */
	fill = TCP_MEM_LIMIT - tcp_memory_allocated();
	tcp_mem_force_charge((u32)fill);
	assert_int_equal(tcp_sendmsg(c.sk, data, 1000, MSG_DONTWAIT, 0), -EAGAIN);
	assert_true(tt_ext(&T, LINUX_MIB_TCPMEMORYPRESSURES) >= 1);
	tt_csend(&T, &c, TCPHDR_ACK, "dropped", 7); /* no room to queue it */
	assert_true(tt_ext(&T, LINUX_MIB_TCPRCVQDROP) >= 1);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), -EAGAIN);
	tcp_mem_uncharge((u32)fill);
	c.snd_nxt -= 7; /* the peer sends it again */
	tt_csend(&T, &c, TCPHDR_ACK, "dropped", 7);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), 7);
	assert_int_equal(tcp_sendmsg(c.sk, data, 1000, MSG_DONTWAIT, 0), 1000);
	tt_close_all(&T, &c);
}

static void test_send_waits_for_connect(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	struct tt_seg s = { 0 };

	assert_int_equal(tcp_sock_create(&T.net, &c.sk), 0);
	assert_int_equal(tcp_stream_connect(c.sk, T.peer, 2026, MSG_DONTWAIT, 0), -EINPROGRESS);
	assert_int_equal(tcp_sendmsg(c.sk, "x", 1, MSG_DONTWAIT, 0), -EAGAIN);
	assert_false(tcp_poll(c.sk) & TCP_POLLOUT);
	assert_true(tt_recv(&T, &o));
	s.sport = 2026;
	s.dport = o.th.sport;
	s.seq = 5;
	s.ack = o.th.seq + 1;
	s.flags = TCPHDR_SYN | TCPHDR_ACK;
	s.win = 1000;
	tt_send(&T, &s);
	assert_true(tcp_poll(c.sk) & TCP_POLLOUT);
	assert_int_equal(tcp_sendmsg(c.sk, "x", 1, MSG_DONTWAIT, 0), 1);
	tcp_close(c.sk);
}

static void test_send_after_reset(void **state)
{
	struct tt_conn c = { 0 };

	open_to_peer(&c, 2027, TT_ALLOPTS);
	tt_csend_seq(&T, &c, c.snd_nxt, TCPHDR_RST, NULL, 0);
	assert_int_equal(tcp_sendmsg(c.sk, "x", 1, 0, 0), -ECONNRESET);
	assert_int_equal(tcp_sendmsg(c.sk, "x", 1, 0, 0), -EPIPE);
	tcp_close(c.sk);
}

/* ---- keepalive ---- */
static void keep(struct tt_conn *c)
{
	assert_int_equal(tcp_setsockopt(c->sk, SOL_TCP, TCP_KEEPIDLE, 10), 0);
	assert_int_equal(tcp_setsockopt(c->sk, SOL_TCP, TCP_KEEPINTVL, 2), 0);
	assert_int_equal(tcp_setsockopt(c->sk, SOL_TCP, TCP_KEEPCNT, 3), 0);
	assert_int_equal(tcp_setsockopt(c->sk, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
}

static void test_keepalive_probes_then_reset(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	base = open_to_peer(&c, 2028, TT_ALLOPTS);
	keep(&c);
	shim_advance_ms(9900);
	assert_int_equal(tt_drain(&T), 0);
	for (int i = 0; i < 3; i++) { /* at 10, 12, 14 s */
		shim_advance_ms(i ? 2000 : 200);
		tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
		assert_int_equal(o.th.seq, base - 1);
	}
	shim_advance_ms(2000); /* three unanswered: reset (RFC 1122 4.2.3.6) */
	tt_expect(&T, &c, TCPHDR_ACK | TCPHDR_RST, 0, NULL);
	assert_int_equal(c.sk->state, TCP_CLOSE);
	assert_int_equal(tcp_sock_error(c.sk), -ETIMEDOUT);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPKEEPALIVE), 3);
	tcp_close(c.sk);
}

static void test_keepalive_answered_keeps_connection(void **state)
{
	struct tt_conn c = { 0 };
	u32 base;

	base = open_to_peer(&c, 2029, TT_ALLOPTS);
	keep(&c);
	for (int i = 0; i < 10; i++) {
		shim_advance_ms(10200);
		assert_int_equal(tt_drain(&T), 1);
		ack(&c, base);
	}
	assert_int_equal(c.sk->state, TCP_ESTABLISHED);
	assert_int_equal(tt_tp(&c)->probes_out, 0);
	tt_close_all(&T, &c);
}

/* ---- segment sizes ---- */
static void test_peer_mss_sets_segment_size(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	struct tt_seg s = { 0 };

	assert_int_equal(tcp_sock_create(&T.net, &c.sk), 0);
	assert_int_equal(tcp_setsockopt(c.sk, SOL_TCP, TCP_MAXSEG, 1000), 0);
	assert_int_equal(tcp_stream_connect(c.sk, T.peer, 2030, MSG_DONTWAIT, 0), -EINPROGRESS);
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.mss, 1000); /* what we announce follows TCP_MAXSEG */
	s.sport = 2030;
	s.dport = o.th.sport;
	s.seq = 1;
	s.ack = o.th.seq + 1;
	s.flags = TCPHDR_SYN | TCPHDR_ACK;
	s.win = 65535;
	s.opts = TCPOPT_F_MSS;
	s.mss = 536;
	tt_send(&T, &s);
	c.lport = o.th.sport;
	c.pport = 2030;
	c.rcv_nxt = o.th.seq + 1;
	c.snd_nxt = 2;
	tt_drain(&T);
	assert_int_equal(tcp_sendmsg(c.sk, data, 1200, 0, 0), 1200);
	assert_true(tt_crecv(&T, &c, &o));
	assert_int_equal(o.len, 536);
	tcp_close(c.sk);
}

static void test_window_scale_applied_to_peer_window(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	base = open_to_peer(&c, 2031, TT_ALLOPTS);
	c.win = 1000; /* << 2: 4000 bytes */
	ack(&c, base);
	assert_int_equal(tt_tp(&c)->snd_wnd, 4000);
	assert_int_equal(tcp_sendmsg(c.sk, data, 10000, 0, 0), 10000);
	u32 sent = 0;
	while (tt_crecv(&T, &c, &o))
		sent += o.len;
	assert_int_equal(sent, 2 * MSS); /* a third would pass 4000 */
	tt_close_all(&T, &c);
}

static void test_fin_retransmitted(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 fin;

	open_to_peer(&c, 2032, TT_ALLOPTS);
	tcp_close(c.sk);
	c.sk = NULL;
	tt_expect(&T, &c, TCPHDR_ACK | TCPHDR_FIN, 0, &o);
	fin = o.th.seq;
	shim_advance_ms(250);
	tt_expect(&T, &c, TCPHDR_ACK | TCPHDR_FIN, 0, &o);
	assert_int_equal(o.th.seq, fin);
	tt_close_all(&T, &c);
}

static void test_netstat_shows_connection(void **state)
{
	struct tt_conn c = { 0 };

	open_to_peer(&c, 2033, TT_ALLOPTS);
	shim_console_clear();
	tcp_netstat_show(&T.net);
	assert_non_null(strstr(shim_console(), "ESTABLISHED"));
	assert_non_null(strstr(shim_console(), "10.0.0.2:2033"));
	shim_console_clear();
	tcp_snmp_show(&T.net);
	assert_non_null(strstr(shim_console(), "ActiveOpens"));
	assert_non_null(strstr(shim_console(), "CurrEstab"));
	tt_close_all(&T, &c);
}

static const struct CMUnitTest tests[] = {
	TT_TEST(test_rto_initial_and_backoff),
	TT_TEST(test_rto_from_rtt_sample),
	TT_TEST(test_karn_no_sample_from_retransmission),
	TT_TEST(test_gives_up_after_retries),
	TT_TEST(test_user_timeout),
	TT_TEST(test_fast_retransmit_reno),
	TT_TEST(test_two_dupacks_do_nothing),
	TT_TEST(test_newreno_partial_ack),
	TT_TEST(test_sack_recovery_one_hole),
	TT_TEST(test_sack_recovery_two_holes),
	TT_TEST(test_sack_reordering_raises_threshold),
	TT_TEST(test_fast_retransmit_across_wrap),
	TT_TEST(test_rto_across_wrap),
	TT_TEST(test_rto_forgets_sacks),
	TT_TEST(test_slow_start_doubles),
	TT_TEST(test_congestion_avoidance_linear),
	TT_TEST(test_app_limited_no_growth),
	TT_TEST(test_cubic_reduction_and_growth),
	TT_TEST(test_cubic_root),
	TT_TEST(test_nagle_holds_small_segments),
	TT_TEST(test_nodelay_sends_at_once),
	TT_TEST(test_nodelay_set_late_flushes),
	TT_TEST(test_cork),
	TT_TEST(test_zero_window_probe_enter_backoff_exit),
	TT_TEST(test_persist_lasts_while_answered),
	TT_TEST(test_persist_gives_up_unanswered),
	TT_TEST(test_small_window_filled_by_probe),
	TT_TEST(test_send_buffer_limits),
	TT_TEST(test_global_memory_limit),
	TT_TEST(test_send_waits_for_connect),
	TT_TEST(test_send_after_reset),
	TT_TEST(test_keepalive_probes_then_reset),
	TT_TEST(test_keepalive_answered_keeps_connection),
	TT_TEST(test_peer_mss_sets_segment_size),
	TT_TEST(test_window_scale_applied_to_peer_window),
	TT_TEST(test_fin_retransmitted),
	TT_TEST(test_netstat_shows_connection),
};

TT_MAIN(tests)
