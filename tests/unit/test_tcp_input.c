/* TCP input checks: RFC 5961 (resets, SYNs and ACKs an off-path attacker could forge;
 * challenge ACKs and their rate limits), PAWS and TS.Recent (RFC 7323 4-5), the
 * sequence number check (RFC 9293 3.10.7.4), and malformed segments and options (bad
 * checksum, lying header length, zero-length and truncated options, MSS 0, tiny MSS,
 * window scale > 14), each dropped or handled and counted. Pools and sockets are
 * checked back at baseline after every test (tt_teardown). */
#include <tcptest.h>

#include <seqos/errno.h>
#include <string.h>

TT_BENCH()

static void est(struct tt_conn *c, u16 pport) { tt_established(&T, c, pport); }

/* The peer's segment at seq, with the connection's ACK/window/timestamp. */
static void rst_at(struct tt_conn *c, u32 seq) { tt_csend_seq(&T, c, seq, TCPHDR_RST, NULL, 0); }

static void test_rst_exact_resets(void **state)
{
	struct tt_conn c = { 0 };

	est(&c, 1);
	rst_at(&c, c.snd_nxt);
	assert_int_equal(c.sk->state, TCP_CLOSE);
	assert_int_equal(tt_drain(&T), 0);
	tt_close_all(&T, &c);
}

static void test_rst_in_window_gets_challenge_ack(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;

	est(&c, 2);
	rst_at(&c, c.snd_nxt + 1000);
	assert_int_equal(c.sk->state, TCP_ESTABLISHED);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.ack_seq, c.snd_nxt);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPCHALLENGEACK), 1);
	/* the peer (if real) answers the challenge with an exact reset */
	rst_at(&c, o.th.ack_seq);
	assert_int_equal(c.sk->state, TCP_CLOSE);
	tt_close_all(&T, &c);
}

static void test_rst_out_of_window_ignored(void **state)
{
	struct tt_conn c = { 0 };

	est(&c, 3);
	rst_at(&c, c.snd_nxt + 10000000);
	rst_at(&c, c.snd_nxt - 1); /* just below: old */
	rst_at(&c, c.snd_nxt - 100000);
	assert_int_equal(c.sk->state, TCP_ESTABLISHED);
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPCHALLENGEACK), 0);
	tt_close_all(&T, &c);
}

static void test_rst_at_right_window_edge(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_sock *tp;

	est(&c, 4);
	tp = tt_tp(&c);
	/* the last acceptable number is challenged, one past the window is ignored */
	rst_at(&c, tp->rcv_nxt + tcp_receive_window(tp));
	assert_int_equal(tt_drain(&T), 1);
	shim_advance_ms(600);
	rst_at(&c, tp->rcv_nxt + tcp_receive_window(tp) + 1);
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(c.sk->state, TCP_ESTABLISHED);
	tt_close_all(&T, &c);
}

static void test_syn_in_established_challenged(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;

	est(&c, 5);
	tt_csend_seq(&T, &c, c.snd_nxt, TCPHDR_SYN, NULL, 0);
	assert_int_equal(c.sk->state, TCP_ESTABLISHED);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPSYNCHALLENGE), 1);
	/* a SYN outside the window too (RFC 5961 4.2: whatever its sequence number) */
	shim_advance_ms(600);
	tt_csend_seq(&T, &c, c.snd_nxt + 123456789, TCPHDR_SYN, NULL, 0);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPSYNCHALLENGE), 2);
	assert_int_equal(c.sk->state, TCP_ESTABLISHED);
	tt_close_all(&T, &c);
}

static void test_challenge_ack_rate_limited_per_socket(void **state)
{
	struct tt_conn c = { 0 };

	est(&c, 6);
	rst_at(&c, c.snd_nxt + 10);
	rst_at(&c, c.snd_nxt + 20);
	rst_at(&c, c.snd_nxt + 30);
	assert_int_equal(tt_drain(&T), 1);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPACKSKIPPEDCHALLENGE), 2);
	shim_advance_ms(501);
	rst_at(&c, c.snd_nxt + 40);
	assert_int_equal(tt_drain(&T), 1);
	tt_close_all(&T, &c);
}

static void test_challenge_ack_global_limit(void **state)
{
	struct tt_conn a = { 0 }, b = { 0 };

	est(&a, 7);
	b.lsk = a.lsk;
	tt_passive_open(&T, &b, 80, 8, 5000, TT_ALLOPTS);
	/* this second's budget is down to one (RFC 5961 7) */
	T.net.tcp->challenge_stamp_s = shim_now_ns() / NSEC_PER_SEC;
	T.net.tcp->challenge_count = 1;
	rst_at(&a, a.snd_nxt + 10);
	rst_at(&b, b.snd_nxt + 10);
	assert_int_equal(tt_drain(&T), 1);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPCHALLENGEACKLIMITED), 1);
	/* a new second, a new (randomised) budget of 500..1499 */
	shim_advance_ms(1000);
	rst_at(&b, b.snd_nxt + 10);
	assert_int_equal(tt_drain(&T), 1);
	assert_true(T.net.tcp->challenge_count >= TCP_CHALLENGE_ACK_LIMIT / 2 - 1);
	assert_true(T.net.tcp->challenge_count < TCP_CHALLENGE_ACK_LIMIT * 3 / 2);
	b.lsk = NULL;
	tt_close_all(&T, &b);
	tt_close_all(&T, &a);
}

static void test_ack_too_old_challenged_and_dropped(void **state)
{
	struct tt_conn c = { 0 };
	char buf[8];

	est(&c, 9);
	/* older than the largest window the peer offered: forged (RFC 5961 5.2) */
	c.rcv_nxt -= 1000000;
	tt_csend(&T, &c, TCPHDR_ACK, "evil", 4);
	c.rcv_nxt += 1000000;
	assert_int_equal(tt_drain(&T), 1); /* the challenge ACK */
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), -EAGAIN);
	c.snd_nxt -= 4;
	tt_close_all(&T, &c);
}

static void test_ack_of_unsent_data_dropped(void **state)
{
	struct tt_conn c = { 0 };
	char buf[8];

	est(&c, 10);
	c.rcv_nxt += 5000;
	tt_csend(&T, &c, TCPHDR_ACK, "evil", 4);
	c.rcv_nxt -= 5000;
	assert_int_equal(tt_drain(&T), 1);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), -EAGAIN);
	assert_int_equal(tt_tp(&c)->snd_una, c.rcv_nxt);
	c.snd_nxt -= 4;
	tt_close_all(&T, &c);
}

static void test_old_ack_within_window_accepts_data(void **state)
{
	struct tt_conn c = { 0 };
	static u8 data[2896];
	struct tt_out o;
	char buf[8];
	u32 una;

	est(&c, 11);
	una = c.rcv_nxt;
	assert_int_equal(tcp_sendmsg(c.sk, data, sizeof(data), 0, 0), 2896);
	while (tt_crecv(&T, &c, &o))
		;
	tt_cack(&T, &c, 0);
	/* a reordered segment with an older (but plausible) ACK still carries good data */
	tt_cack(&T, &c, una);
	c.rcv_nxt = una;
	tt_csend(&T, &c, TCPHDR_ACK, "data", 4);
	c.rcv_nxt = una + 2896;
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), 4);
	tt_close_all(&T, &c);
}

static void test_paws_rejects_old_timestamp(void **state)
{
	struct tt_conn c = { 0 };
	char buf[8];

	est(&c, 12);
	c.ts_val -= 100; /* older than TS.Recent */
	tt_csend(&T, &c, TCPHDR_ACK, "old", 3);
	c.snd_nxt -= 3;
	assert_int_equal(tt_drain(&T), 1); /* a duplicate ACK */
	assert_int_equal(tt_ext(&T, LINUX_MIB_PAWSESTABREJECTED), 1);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), -EAGAIN);
	c.ts_val += 200;
	tt_csend(&T, &c, TCPHDR_ACK, "new", 3);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), 3);
	tt_close_all(&T, &c);
}

static void test_paws_does_not_block_rst(void **state)
{
	struct tt_conn c = { 0 };

	est(&c, 13);
	c.ts_val -= 100;
	rst_at(&c, c.snd_nxt);
	assert_int_equal(c.sk->state, TCP_CLOSE);
	tt_close_all(&T, &c);
}

static void test_paws_ignores_stale_ts_recent(void **state)
{
	struct tt_conn c = { 0 };
	char buf[8];

	est(&c, 14);
	/* TS.Recent older than 24 days is not trusted (RFC 7323 5.5) */
	/* (jump the clock: running 25 days of periodic timers one by one takes seconds) */
	shim_set_time_ns(shim_now_ns() + 25ULL * 24 * 3600 * NSEC_PER_SEC);
	shim_advance_ms(1);
	c.ts_val -= 100;
	tt_csend(&T, &c, TCPHDR_ACK, "ok", 2);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), 2);
	assert_int_equal(tt_tp(&c)->ts_recent, c.ts_val);
	tt_close_all(&T, &c);
}

static void test_ts_recent_follows_in_order_only(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_sock *tp;
	u32 before_ooo;

	est(&c, 15);
	tp = tt_tp(&c);
	tt_csend(&T, &c, TCPHDR_ACK, "a", 1);
	assert_int_equal(tp->ts_recent, c.ts_val);
	tt_drain(&T);
	before_ooo = tp->ts_recent;
	/* out of order: TS.Recent stays (RFC 7323 4.3) */
	tt_csend_seq(&T, &c, c.snd_nxt + 10, TCPHDR_ACK, "z", 1);
	assert_int_equal(tp->ts_recent, before_ooo);
	/* the echo of our next segment carries it */
	struct tt_out o;
	assert_true(tt_recv(&T, &o));
	assert_int_equal(o.th.tsecr, before_ooo);
	tt_close_all(&T, &c);
}

static void test_out_of_window_data_gets_dupack(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;

	est(&c, 16);
	tt_csend_seq(&T, &c, c.snd_nxt + 500000, TCPHDR_ACK, "far", 3);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.ack_seq, c.snd_nxt);
	/* data segments are not rate limited: a second one is answered too */
	tt_csend_seq(&T, &c, c.snd_nxt + 600000, TCPHDR_ACK, "far", 3);
	assert_int_equal(tt_drain(&T), 1);
	/* pure ACKs out of the window are (one per 500 ms) */
	tt_csend_seq(&T, &c, c.snd_nxt + 700000, TCPHDR_ACK, NULL, 0);
	tt_csend_seq(&T, &c, c.snd_nxt + 700000, TCPHDR_ACK, NULL, 0);
	assert_int_equal(tt_drain(&T), 1);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPACKSKIPPEDSEQ), 1);
	tt_close_all(&T, &c);
}

static void test_bad_checksum_dropped(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_seg s = { 0 };
	char buf[8];

	est(&c, 17);
	s.sport = 17;
	s.dport = 80;
	s.seq = c.snd_nxt;
	s.ack = c.rcv_nxt;
	s.flags = TCPHDR_ACK;
	s.win = 1000;
	s.data = "bad";
	s.len = 3;
	s.bad_csum = true;
	tt_send(&T, &s);
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(tt_mib(&T, TCP_MIB_INCSUMERRORS), 1);
	assert_int_equal(tt_mib(&T, TCP_MIB_INERRS), 1);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), -EAGAIN);
	/* a SYN with a bad checksum to a closed port: no reset either */
	s.dport = 999;
	s.flags = TCPHDR_SYN;
	tt_send(&T, &s);
	assert_int_equal(tt_drain(&T), 0);
	tt_close_all(&T, &c);
}

static void test_header_length_lies(void **state)
{
	struct tt_conn c = { 0 };
	/* raw TCP: data offset 15 words (60 bytes) in a 24-byte segment; then 4 words */
	static const u8 opt_long[] = { 1, 1, 1, 1 };
	struct tt_seg s = { 0 };

	est(&c, 18);
	s.sport = 18;
	s.dport = 80;
	s.seq = c.snd_nxt;
	s.ack = c.rcv_nxt;
	s.flags = TCPHDR_ACK;
	s.raw_opts = opt_long;
	s.raw_opts_len = 4;
	tt_send(&T, &s); /* a valid 24-byte header: fine */
	u64 errs = tt_mib(&T, TCP_MIB_INERRS);
	u8 seg[24] = { 0, 18, 0, 80 };
	wr_be32(seg + 4, c.snd_nxt);
	seg[12] = 0xf0; /* 60 bytes claimed */
	seg[13] = TCPHDR_ACK;
	struct tcp_repr r;
	assert_int_equal(tcp_parse(seg, sizeof(seg), T.peer, T.us, false, &r), TCP_PARSE_TRUNCATED);
	seg[12] = 0x40; /* 16 bytes: below the minimum */
	assert_int_equal(tcp_parse(seg, sizeof(seg), T.peer, T.us, false, &r), TCP_PARSE_TRUNCATED);
	assert_int_equal(tcp_parse(seg, 19, T.peer, T.us, false, &r), TCP_PARSE_TRUNCATED);
	assert_int_equal(tt_mib(&T, TCP_MIB_INERRS), errs);
	tt_close_all(&T, &c);
}

static void test_zero_length_option_flagged_segment_kept(void **state)
{
	struct tt_conn c = { 0 };
	static const u8 bad[] = { TCPOPT_NOP, 99, 0, 0 }; /* kind 99, length 0 */
	struct tt_seg s = { 0 };
	char buf[8];

	est(&c, 19);
	s.sport = 19;
	s.dport = 80;
	s.seq = c.snd_nxt;
	s.ack = c.rcv_nxt;
	s.flags = TCPHDR_ACK;
	s.win = 1000;
	s.raw_opts = bad;
	s.raw_opts_len = sizeof(bad);
	s.data = "ok";
	s.len = 2;
	tt_send(&T, &s);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPOPTIONERRORS), 1);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), 2);
	tt_close_all(&T, &c);
}

static void test_truncated_options(void **state)
{
	struct tcp_repr r;
	static const u8 kind_at_end[] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_MSS };
	static const u8 len_too_long[] = { TCPOPT_TIMESTAMP, 10, 0, 0 };
	static const u8 len_one[] = { TCPOPT_SACK, 1, 0, 0 };

	memset(&r, 0, sizeof(r));
	tcp_parse_options(kind_at_end, sizeof(kind_at_end), true, &r);
	assert_true(r.opts & TCPOPT_F_BAD);
	assert_false(r.opts & TCPOPT_F_MSS);
	memset(&r, 0, sizeof(r));
	tcp_parse_options(len_too_long, sizeof(len_too_long), false, &r);
	assert_true(r.opts & TCPOPT_F_BAD);
	assert_false(r.opts & TCPOPT_F_TS);
	memset(&r, 0, sizeof(r));
	tcp_parse_options(len_one, sizeof(len_one), false, &r);
	assert_true(r.opts & TCPOPT_F_BAD);
}

/* A SYN with the given options (raw bytes) to a listener; returns the SYN-ACK. */
static void syn_with(struct tt_conn *c, u16 pport, const u8 *opts, u8 olen, struct tt_out *o)
{
	struct tt_seg s = { 0 };

	assert_int_equal(tcp_sock_create(&T.net, &c->lsk), 0);
	assert_int_equal(tcp_bind(c->lsk, to_be32(0), 80), 0);
	assert_int_equal(tcp_listen(c->lsk, 4), 0);
	s.sport = pport;
	s.dport = 80;
	s.seq = 7777;
	s.flags = TCPHDR_SYN;
	s.win = 65535;
	s.raw_opts = opts;
	s.raw_opts_len = olen;
	tt_send(&T, &s);
	assert_true(tt_recv(&T, o));
	assert_int_equal(o->th.flags, TCPHDR_SYN | TCPHDR_ACK);
	c->lport = 80;
	c->pport = pport;
	c->snd_nxt = 7778;
	c->rcv_nxt = o->th.seq + 1;
	c->win = 65535;
	c->wscale = 0xff;
}

static void finish_open(struct tt_conn *c)
{
	tt_csend(&T, c, TCPHDR_ACK, NULL, 0);
	assert_int_equal(tcp_accept(c->lsk, &c->sk, MSG_DONTWAIT, 0), 0);
}

static void test_mss_zero_means_default(void **state)
{
	static const u8 o0[] = { TCPOPT_MSS, 4, 0, 0 };
	struct tt_conn c = { 0 };
	struct tt_out o;

	syn_with(&c, 20, o0, sizeof(o0), &o);
	finish_open(&c);
	assert_int_equal(tt_tp(&c)->mss_cache, TCP_DEFAULT_MSS);
	tt_close_all(&T, &c);
}

static void test_no_mss_option_means_536(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;

	syn_with(&c, 21, NULL, 0, &o);
	finish_open(&c);
	assert_int_equal(tt_tp(&c)->mss_cache, 536);
	assert_false(tt_tp(&c)->tstamp_ok || tt_tp(&c)->sack_ok || tt_tp(&c)->wscale_ok);
	/* nothing offered, nothing answered but MSS */
	assert_int_equal(o.th.opts, TCPOPT_F_MSS);
	tt_close_all(&T, &c);
}

static void test_tiny_mss_floored(void **state)
{
	static const u8 o1[] = { TCPOPT_MSS, 4, 0, 1 };
	struct tt_conn c = { 0 };
	struct tt_out o;
	static u8 data[300];

	syn_with(&c, 22, o1, sizeof(o1), &o);
	finish_open(&c);
	/* MSS 1 would mean a segment per byte: floored at TCP_MIN_SND_MSS (Linux) */
	assert_int_equal(tt_tp(&c)->mss_cache, TCP_MIN_SND_MSS);
	assert_int_equal(tcp_sendmsg(c.sk, data, sizeof(data), 0, 0), 300);
	for (int i = 0; i < 3; i++) {
		assert_true(tt_crecv(&T, &c, &o));
		assert_int_equal(o.len, TCP_MIN_SND_MSS);
	}
	tt_close_all(&T, &c);
}

static void test_window_scale_above_14_is_14(void **state)
{
	static const u8 ws[] = { TCPOPT_NOP, TCPOPT_WINDOW, 3, 15 };
	struct tt_conn c = { 0 };
	struct tt_out o;

	syn_with(&c, 23, ws, sizeof(ws), &o);
	assert_true(o.th.opts & TCPOPT_F_WSCALE);
	finish_open(&c);
	assert_int_equal(tt_tp(&c)->snd_wscale, 14);
	assert_int_equal(tt_tp(&c)->snd_wnd, 65535u << 14);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPOPTIONERRORS), 1);
	tt_close_all(&T, &c);
}

static void test_syn_options_ignored_outside_syn(void **state)
{
	struct tt_conn c = { 0 };
	static const u8 later[] = { TCPOPT_MSS, 4, 0, 10, TCPOPT_NOP, TCPOPT_WINDOW, 3, 9 };
	struct tt_seg s = { 0 };

	est(&c, 24);
	s.sport = 24;
	s.dport = 80;
	s.seq = c.snd_nxt;
	s.ack = c.rcv_nxt;
	s.flags = TCPHDR_ACK;
	s.win = 100;
	s.raw_opts = later;
	s.raw_opts_len = sizeof(later);
	tt_send(&T, &s);
	assert_int_equal(tt_tp(&c)->mss_cache, 1448);
	assert_int_equal(tt_tp(&c)->snd_wscale, 2);
	assert_int_equal(tt_tp(&c)->snd_wnd, 400);
	tt_close_all(&T, &c);
}

static void test_syn_data_not_delivered(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_seg s = { 0 };
	struct tt_out o;
	char buf[8];

	assert_int_equal(tcp_sock_create(&T.net, &c.lsk), 0);
	assert_int_equal(tcp_bind(c.lsk, to_be32(0), 80), 0);
	assert_int_equal(tcp_listen(c.lsk, 4), 0);
	s.sport = 25;
	s.dport = 80;
	s.seq = 10;
	s.flags = TCPHDR_SYN;
	s.win = 1000;
	s.data = "early";
	s.len = 5;
	tt_send(&T, &s);
	assert_true(tt_recv(&T, &o));
	/* the SYN is acknowledged, its data is not: the peer sends it again */
	assert_int_equal(o.th.ack_seq, 11);
	c.lport = 80;
	c.pport = 25;
	c.snd_nxt = 11;
	c.rcv_nxt = o.th.seq + 1;
	c.win = 1000;
	finish_open(&c);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), -EAGAIN);
	tt_csend(&T, &c, TCPHDR_ACK, "early", 5);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), 5);
	tt_close_all(&T, &c);
}

static void test_broadcast_ignored(void **state)
{
	struct tt_seg s = { 0 };
	struct sock *l;

	/* RFC 1122 4.2.3.10: SYNs to a broadcast address are dropped, and nothing (not even
	 * a reset) answers a broadcast source */
	assert_int_equal(tcp_sock_create(&T.net, &l), 0);
	assert_int_equal(tcp_bind(l, to_be32(0), 80), 0);
	assert_int_equal(tcp_listen(l, 4), 0);
	s.sport = 26;
	s.dport = 80;
	s.flags = TCPHDR_SYN;
	assert_int_equal(in4_pton("10.0.0.255", &s.daddr), 0);
	tt_send(&T, &s);
	s.daddr = to_be32(0);
	assert_int_equal(in4_pton("10.0.0.255", &s.saddr), 0);
	tt_send(&T, &s);
	s.dport = 81; /* no listener: no reset either */
	tt_send(&T, &s);
	assert_int_equal(tt_drain(&T), 0);
	assert_int_equal(tt_mib(&T, TCP_MIB_OUTRSTS), 0);
	assert_int_equal(tcp_sk(l)->syn_qlen, 0);
	tcp_close(l);
}

static void test_segment_without_ack_dropped(void **state)
{
	struct tt_conn c = { 0 };
	char buf[8];

	est(&c, 27);
	tt_csend_seq(&T, &c, c.snd_nxt, 0, "noack", 5);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), -EAGAIN);
	tt_close_all(&T, &c);
}

static void test_sack_blocks_beyond_snd_nxt_discarded(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_seg s = { 0 };
	static u8 data[3000];

	est(&c, 28);
	assert_int_equal(tcp_sendmsg(c.sk, data, sizeof(data), 0, 0), 3000);
	tt_drain(&T);
	s.sport = 28;
	s.dport = 80;
	s.seq = c.snd_nxt;
	s.ack = c.rcv_nxt;
	s.flags = TCPHDR_ACK;
	s.win = 16384;
	s.opts = TCPOPT_F_SACK;
	s.num_sacks = 2;
	s.sacks[0].start_seq = c.rcv_nxt + 5000; /* never sent */
	s.sacks[0].end_seq = c.rcv_nxt + 6000;
	s.sacks[1].start_seq = c.rcv_nxt + 1448; /* fine */
	s.sacks[1].end_seq = c.rcv_nxt + 2896;
	tt_send(&T, &s);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPSACKDISCARD), 1);
	assert_int_equal(tt_tp(&c)->sacked_out, 1);
	/* start after end: also discarded */
	s.num_sacks = 1;
	s.sacks[0].start_seq = c.rcv_nxt + 1448;
	s.sacks[0].end_seq = c.rcv_nxt + 10;
	tt_send(&T, &s);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPSACKDISCARD), 2);
	tt_close_all(&T, &c);
}

static void test_dsack_recognised(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_seg s = { 0 };
	static u8 data[3000];

	est(&c, 29);
	assert_int_equal(tcp_sendmsg(c.sk, data, sizeof(data), 0, 0), 3000);
	tt_drain(&T);
	s.sport = 29;
	s.dport = 80;
	s.seq = c.snd_nxt;
	s.ack = c.rcv_nxt + 1448;
	s.flags = TCPHDR_ACK;
	s.win = 16384;
	s.opts = TCPOPT_F_SACK;
	s.num_sacks = 1;
	s.sacks[0].start_seq = c.rcv_nxt; /* below the ACK: a duplicate (RFC 2883) */
	s.sacks[0].end_seq = c.rcv_nxt + 1448;
	tt_send(&T, &s);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPDSACKRECV), 1);
	assert_int_equal(tt_tp(&c)->sacked_out, 0);
	tt_close_all(&T, &c);
}

static const struct CMUnitTest tests[] = {
	TT_TEST(test_rst_exact_resets),
	TT_TEST(test_rst_in_window_gets_challenge_ack),
	TT_TEST(test_rst_out_of_window_ignored),
	TT_TEST(test_rst_at_right_window_edge),
	TT_TEST(test_syn_in_established_challenged),
	TT_TEST(test_challenge_ack_rate_limited_per_socket),
	TT_TEST(test_challenge_ack_global_limit),
	TT_TEST(test_ack_too_old_challenged_and_dropped),
	TT_TEST(test_ack_of_unsent_data_dropped),
	TT_TEST(test_old_ack_within_window_accepts_data),
	TT_TEST(test_paws_rejects_old_timestamp),
	TT_TEST(test_paws_does_not_block_rst),
	TT_TEST(test_paws_ignores_stale_ts_recent),
	TT_TEST(test_ts_recent_follows_in_order_only),
	TT_TEST(test_out_of_window_data_gets_dupack),
	TT_TEST(test_bad_checksum_dropped),
	TT_TEST(test_header_length_lies),
	TT_TEST(test_zero_length_option_flagged_segment_kept),
	TT_TEST(test_truncated_options),
	TT_TEST(test_mss_zero_means_default),
	TT_TEST(test_no_mss_option_means_536),
	TT_TEST(test_tiny_mss_floored),
	TT_TEST(test_window_scale_above_14_is_14),
	TT_TEST(test_syn_options_ignored_outside_syn),
	TT_TEST(test_syn_data_not_delivered),
	TT_TEST(test_broadcast_ignored),
	TT_TEST(test_segment_without_ack_dropped),
	TT_TEST(test_sack_blocks_beyond_snd_nxt_discarded),
	TT_TEST(test_dsack_recognised),
};

TT_MAIN(tests)
