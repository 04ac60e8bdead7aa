/* TCP receive side: the out-of-order and FIN-ordering matrix (data, FIN, data after the
 * FIN, a second FIN, in every arrival order), SACK blocks we send (RFC 2018 4) and
 * D-SACK (RFC 2883), overlaps, the receive window (overruns trimmed, segments beyond it
 * dropped, zero window and its update), delayed ACKs (every second full segment, at most
 * 40 ms, at once after out-of-order data), sequence wraparound at 2^32, and memory
 * bounds (coalescing of tiny segments, out-of-order queue limits and pruning). */
#include <tcptest.h>

#include <seqos/errno.h>
#include <stdint.h>
#include <string.h>

TT_BENCH()

static u8 pat[300000];

static void est(struct tt_conn *c, u16 pport)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (u8)(i * 7 + (i >> 8));
	tt_established(&T, c, pport);
}

/* Sends pat[off..off+len) at the peer's base + off (base = the peer's first data byte). */
static void send_at(struct tt_conn *c, u32 base, u32 off, u32 len, u8 flags)
{
	tt_csend_seq(&T, c, base + off, TCPHDR_ACK | flags, pat + off, len);
}

static ssize_t rd(struct tt_conn *c, void *buf, size_t len)
{
	return tcp_recvmsg(c->sk, buf, len, MSG_DONTWAIT, 0);
}

/* ---- the FIN ordering matrix ---- */
/* A = 100 bytes, B = FIN after them, C = 50 bytes after the FIN, D = a second FIN after
 * C. Whatever the order, the reader gets exactly A, then end of file, and the bogus C
 * and D never show up. */
static void fin_matrix(int perm, int n, const int *segs_in)
{
	struct tt_conn c = { 0 };
	int segs[4], used[4] = { 0 };
	u8 buf[256];
	u32 base;

	est(&c, (u16)(1000 + perm));
	base = c.snd_nxt;
	/* the perm-th permutation of segs_in, in lexicographic order */
	for (int i = 0, p = perm; i < n; i++) {
		int f = 1;
		for (int k = 1; k < n - i; k++)
			f *= k;
		int idx = p / f, j = -1;
		p %= f;
		while (idx >= 0)
			if (!used[++j])
				idx--;
		used[j] = 1;
		segs[i] = segs_in[j];
	}
	for (int i = 0; i < n; i++) {
		switch (segs[i]) {
		case 'A': send_at(&c, base, 0, 100, 0); break;
		case 'B': send_at(&c, base, 100, 0, TCPHDR_FIN); break;
		case 'C': send_at(&c, base, 101, 50, 0); break;
		case 'D': send_at(&c, base, 151, 0, TCPHDR_FIN); break;
		}
	}
	assert_int_equal(c.sk->state, TCP_CLOSE_WAIT);
	assert_int_equal(rd(&c, buf, sizeof(buf)), 100);
	assert_memory_equal(buf, pat, 100);
	assert_int_equal(rd(&c, buf, sizeof(buf)), 0);
	assert_int_equal(tt_tp(&c)->rcv_nxt, base + 101);
	assert_int_equal(skb_queue_len(&tt_tp(&c)->out_of_order_queue), 0);
	assert_int_equal(tt_mib(&T, TCP_MIB_OUTRSTS), 0);
	c.snd_nxt = base + 101;
	tt_close_all(&T, &c);
}

static void test_fin_matrix4(void **state)
{
	static const int segs[] = { 'A', 'B', 'C', 'D' };
	fin_matrix((int)(intptr_t)*state, 4, segs);
}

/* A, B and B again (a retransmitted FIN): six orders. */
static void test_fin_matrix_dup(void **state)
{
	static const int segs[] = { 'A', 'B', 'B' };
	fin_matrix((int)(intptr_t)*state, 3, segs);
}

/* ---- out of order and SACK ---- */
static void test_ooo_filled_in_order(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u8 buf[4000];
	u32 base;

	est(&c, 1100);
	base = c.snd_nxt;
	send_at(&c, base, 1000, 1000, 0);
	/* a duplicate ACK at once (RFC 5681 4.2), with the block we hold */
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.ack_seq, base);
	assert_int_equal(o.th.num_sacks, 1);
	assert_int_equal(o.th.sacks[0].start_seq, base + 1000);
	assert_int_equal(o.th.sacks[0].end_seq, base + 2000);
	assert_int_equal(rd(&c, buf, sizeof(buf)), -EAGAIN);
	send_at(&c, base, 0, 1000, 0);
	/* the hole is filled: ACK at once, no SACK left */
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.ack_seq, base + 2000);
	assert_int_equal(o.th.num_sacks, 0);
	assert_int_equal(rd(&c, buf, sizeof(buf)), 2000);
	assert_memory_equal(buf, pat, 2000);
	c.snd_nxt = base + 2000;
	tt_close_all(&T, &c);
}

static void test_sack_most_recent_first_and_limit(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	est(&c, 1101);
	base = c.snd_nxt;
	for (u32 i = 1; i <= 5; i++) {
		send_at(&c, base, i * 200, 100, 0);
		tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
		assert_int_equal(o.th.sacks[0].start_seq, base + i * 200);
	}
	/* with timestamps, three blocks fit (RFC 2018 3): the three most recent */
	assert_int_equal(o.th.num_sacks, 3);
	assert_int_equal(o.th.sacks[1].start_seq, base + 800);
	assert_int_equal(o.th.sacks[2].start_seq, base + 600);
	assert_int_equal(tt_tp(&c)->num_sacks, 4);
	c.snd_nxt = base;
	tt_close_all(&T, &c);
}

static void test_sack_blocks_merge(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	est(&c, 1102);
	base = c.snd_nxt;
	send_at(&c, base, 100, 100, 0);
	send_at(&c, base, 300, 100, 0);
	tt_drain(&T);
	send_at(&c, base, 200, 100, 0); /* bridges the two */
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.num_sacks, 1);
	assert_int_equal(o.th.sacks[0].start_seq, base + 100);
	assert_int_equal(o.th.sacks[0].end_seq, base + 400);
	assert_int_equal(tt_tp(&c)->num_sacks, 1);
	c.snd_nxt = base;
	tt_close_all(&T, &c);
}

static void test_dsack_for_duplicate(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u8 buf[300];
	u32 base;

	est(&c, 1103);
	base = c.snd_nxt;
	send_at(&c, base, 0, 200, 0);
	tt_drain(&T);
	send_at(&c, base, 0, 200, 0); /* again: a retransmission we did not need */
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.num_sacks, 1);
	assert_int_equal(o.th.sacks[0].start_seq, base);
	assert_int_equal(o.th.sacks[0].end_seq, base + 200);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPDSACKOLDSENT), 1);
	/* reported once */
	send_at(&c, base, 200, 10, TCPHDR_PSH);
	shim_advance_ms(50);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.num_sacks, 0);
	assert_int_equal(rd(&c, buf, sizeof(buf)), 210);
	c.snd_nxt = base + 210;
	tt_close_all(&T, &c);
}

static void test_partial_overlap_trimmed(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u8 buf[400];
	u32 base;

	est(&c, 1104);
	base = c.snd_nxt;
	send_at(&c, base, 0, 100, 0);
	tt_drain(&T);
	send_at(&c, base, 50, 150, 0); /* 50 old, 100 new */
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o); /* D-SACK for the old half */
	assert_int_equal(o.th.sacks[0].start_seq, base + 50);
	assert_int_equal(o.th.sacks[0].end_seq, base + 100);
	assert_int_equal(rd(&c, buf, sizeof(buf)), 200);
	assert_memory_equal(buf, pat, 200);
	c.snd_nxt = base + 200;
	tt_close_all(&T, &c);
}

static void test_ooo_overlaps_resolved(void **state)
{
	struct tt_conn c = { 0 };
	u8 buf[1000];
	u32 base;

	est(&c, 1105);
	base = c.snd_nxt;
	send_at(&c, base, 300, 100, 0);  /* [300,400) */
	send_at(&c, base, 500, 100, 0);  /* [500,600) */
	send_at(&c, base, 250, 400, 0);  /* covers both and more */
	send_at(&c, base, 320, 50, 0);   /* inside */
	send_at(&c, base, 600, 100, 0);  /* after */
	send_at(&c, base, 100, 100, 0);  /* before */
	assert_int_equal(tt_tp(&c)->num_sacks, 2);
	send_at(&c, base, 0, 260, 0);    /* fills everything up to 700 */
	assert_int_equal(rd(&c, buf, sizeof(buf)), 700);
	assert_memory_equal(buf, pat, 700);
	assert_int_equal(skb_queue_len(&tt_tp(&c)->out_of_order_queue), 0);
	c.snd_nxt = base + 700;
	tt_close_all(&T, &c);
}

static void test_ooo_random_order_byte_exact(void **state)
{
	struct tt_conn c = { 0 };
	static u8 buf[20000];
	u32 base, order[40];

	est(&c, 1106);
	base = c.snd_nxt;
	for (u32 i = 0; i < 40; i++)
		order[i] = i;
	for (u32 i = 39; i > 0; i--) { /* a fixed shuffle */
		u32 j = (i * 2654435761u) % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (u32 i = 0; i < 40; i++) /* 40 segments of 400 bytes, overlapping by 50 */
		send_at(&c, base, order[i] * 400, order[i] == 39 ? 400 : 450, 0);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_WAITALL | MSG_DONTWAIT, 0), 16000);
	assert_memory_equal(buf, pat, 16000);
	c.snd_nxt = base + 16000;
	tt_close_all(&T, &c);
}

/* ---- the receive window ---- */
static u32 small_buffer(struct tt_conn *c, u16 pport);

static void test_window_overrun_trimmed(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_sock *tp;
	u8 buf[4000];
	u32 base, edge;

	base = small_buffer(&c, 1107);
	tp = tt_tp(&c);
	send_at(&c, base, 0, 1000, 0);
	send_at(&c, base, 1000, 1000, 0);
	tt_drain(&T);
	edge = tp->rcv_wup + tp->rcv_wnd;
	assert_true(edge - base < 2000 + 1448);
	/* 1448 bytes where the window has room for fewer: only what it covers is taken
	 * (RFC 9293 3.10.7.4), and the ACK says where the window ends */
	send_at(&c, base, 2000, 1448, 0);
	assert_int_equal(tp->rcv_nxt, edge);
	assert_int_equal(tt_ext(&T, LINUX_MIB_TCPZEROWINDOWDROP), 1);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), (ssize_t)(edge - base));
	assert_memory_equal(buf, pat, edge - base);
	c.snd_nxt = edge;
	tt_close_all(&T, &c);
}

static void test_segment_beyond_window_dropped_and_acked(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base, win;

	est(&c, 1108);
	base = c.snd_nxt;
	win = tcp_receive_window(tt_tp(&c));
	send_at(&c, base, win + 10, 100, 0);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.ack_seq, base);
	assert_int_equal(skb_queue_len(&tt_tp(&c)->out_of_order_queue), 0);
	c.snd_nxt = base;
	tt_close_all(&T, &c);
}

/* SO_RCVBUF 4096 (an 8 KiB buffer): the window closes quickly. */
static u32 small_buffer(struct tt_conn *c, u16 pport)
{
	assert_int_equal(tcp_sock_create(&T.net, &c->lsk), 0);
	assert_int_equal(tcp_setsockopt(c->lsk, SOL_SOCKET, SO_RCVBUF, 4096), 0);
	assert_int_equal(tcp_bind(c->lsk, to_be32(0), 80), 0);
	assert_int_equal(tcp_listen(c->lsk, 4), 0);
	est(c, pport);
	return c->snd_nxt;
}

static void test_zero_window_and_update(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_sock *tp;
	struct tt_out o;
	u8 buf[8192];
	u32 base, off = 0;

	base = small_buffer(&c, 1109);
	tp = tt_tp(&c);
	assert_int_equal(tp->rcv_wscale, 0);
	/* fill until the window we offer is zero */
	while (tcp_receive_window(tp) && off < 8192) {
		u32 n = MIN(tcp_receive_window(tp), 1000u);
		send_at(&c, base, off, n, 0);
		off += n;
	}
	assert_int_equal(tcp_receive_window(tp), 0);
	shim_advance_ms(50);
	while (tt_crecv(&T, &c, &o))
		;
	assert_int_equal(o.th.window, 0);
	assert_true(tt_ext(&T, LINUX_MIB_TCPTOZEROWINDOWADV) >= 1);
	/* more data is dropped (but its ACK field still processed), and answered */
	send_at(&c, base, off, 100, 0);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.ack_seq, base + off);
	assert_int_equal(o.th.window, 0);
	/* a zero-window probe (an old byte) gets the same answer */
	tt_csend_seq(&T, &c, base + off - 1, TCPHDR_ACK, NULL, 0);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.window, 0);
	/* the reader frees the buffer: a window update goes at once */
	assert_int_equal(rd(&c, buf, sizeof(buf)), (ssize_t)off);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_true(o.th.window >= 1000);
	assert_true(tt_ext(&T, LINUX_MIB_TCPFROMZEROWINDOWADV) >= 1);
	assert_memory_equal(buf, pat, off);
	c.snd_nxt = base + off;
	tt_close_all(&T, &c);
}

static void test_window_never_shrinks(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_sock *tp;
	struct tt_out o;
	u32 base, edge;

	base = small_buffer(&c, 1110);
	tp = tt_tp(&c);
	edge = base + tcp_receive_window(tp);
	send_at(&c, base, 0, 1000, 0);
	send_at(&c, base, 1000, 1000, 0);
	while (tt_crecv(&T, &c, &o))
		assert_true(!before(o.th.ack_seq + o.th.window, edge));
	c.snd_nxt = base + 2000;
	tt_close_all(&T, &c);
}

/* ---- delayed ACK ---- */
static void test_delayed_ack_single_segment(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	est(&c, 1111);
	base = c.snd_nxt;
	send_at(&c, base, 0, 1448, 0);
	shim_advance_ms(30);
	assert_int_equal(tt_drain(&T), 0);
	shim_advance_ms(15); /* 40 ms, rounded up to the next tick */
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.ack_seq, base + 1448);
	assert_int_equal(tt_ext(&T, LINUX_MIB_DELAYEDACKS), 1);
	c.snd_nxt = base + 1448;
	tt_close_all(&T, &c);
}

static void test_ack_every_second_full_segment(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	est(&c, 1112);
	base = c.snd_nxt;
	for (u32 i = 0; i < 6; i++) {
		send_at(&c, base, i * 1448, 1448, 0);
		if (i % 2 == 0) {
			assert_int_equal(tt_drain(&T), 0);
		} else {
			tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
			assert_int_equal(o.th.ack_seq, base + (i + 1) * 1448);
		}
	}
	c.snd_nxt = base + 6 * 1448;
	tt_close_all(&T, &c);
}

static void test_small_segments_one_delayed_ack(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	est(&c, 1113);
	base = c.snd_nxt;
	send_at(&c, base, 0, 100, 0);
	shim_advance_ms(10);
	send_at(&c, base, 100, 100, 0);
	shim_advance_ms(10);
	send_at(&c, base, 200, 100, 0);
	assert_int_equal(tt_drain(&T), 0);
	shim_advance_ms(30); /* 40 ms after the first */
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.ack_seq, base + 300);
	assert_int_equal(tt_drain(&T), 0);
	c.snd_nxt = base + 300;
	tt_close_all(&T, &c);
}

static void test_ack_rides_on_data(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	est(&c, 1114);
	base = c.snd_nxt;
	send_at(&c, base, 0, 10, TCPHDR_PSH);
	assert_int_equal(tcp_sendmsg(c.sk, "reply", 5, 0, 0), 5);
	tt_expect(&T, &c, TCPHDR_ACK, 5, &o);
	assert_int_equal(o.th.ack_seq, base + 10);
	shim_advance_ms(100);
	assert_int_equal(tt_drain(&T), 0); /* nothing owed any more */
	c.snd_nxt = base + 10;
	tt_close_all(&T, &c);
}

static void test_fin_acked_at_once(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u32 base;

	est(&c, 1115);
	base = c.snd_nxt;
	send_at(&c, base, 0, 10, TCPHDR_FIN);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.ack_seq, base + 11);
	c.snd_nxt = base + 11;
	tt_close_all(&T, &c);
}

/* ---- sequence numbers wrapping at 2^32 ---- */
static void wrap_conn(struct tt_conn *c, u16 pport, u32 iss)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (u8)(i * 7 + (i >> 8));
	tt_passive_open(&T, c, 80, pport, iss, TT_ALLOPTS);
}

static void test_receive_across_wrap(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u8 buf[3000];
	u32 base;

	wrap_conn(&c, 1116, 0xfffffc00u);
	base = c.snd_nxt; /* 0xfffffc01 */
	send_at(&c, base, 1500, 1000, 0); /* beyond 2^32 */
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.sacks[0].start_seq, base + 1500);
	assert_true(o.th.sacks[0].start_seq < 0x1000); /* wrapped */
	send_at(&c, base, 0, 1500, 0);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	assert_int_equal(o.th.ack_seq, base + 2500);
	assert_int_equal(rd(&c, buf, sizeof(buf)), 2500);
	assert_memory_equal(buf, pat, 2500);
	c.snd_nxt = base + 2500;
	tt_close_all(&T, &c);
}

static void test_sack_blocks_at_wrap_edges(void **state)
{
	struct tt_conn c = { 0 };
	struct tt_out o;
	u8 buf[3000];
	u32 base;

	wrap_conn(&c, 1117, 0xfffff000u);
	base = c.snd_nxt; /* 0xfffff001: 4095 bytes to the wrap */
	/* a block ending exactly at 2^32, and one starting at 0 */
	send_at(&c, base, 4095 - 500, 500, 0);
	tt_drain(&T);
	send_at(&c, base, 4095, 300, 0);
	tt_expect(&T, &c, TCPHDR_ACK, 0, &o);
	/* the two touch at 2^32: one block across the wrap */
	assert_int_equal(o.th.num_sacks, 1);
	assert_int_equal(o.th.sacks[0].start_seq, 0xffffffffu - 499);
	assert_int_equal(o.th.sacks[0].end_seq, 300);
	for (u32 off = 0; off < 3595; off += 1000)
		send_at(&c, base, off, MIN(1000u, 3595 - off), 0);
	assert_int_equal(rd(&c, buf, sizeof(buf)), 3000);
	assert_memory_equal(buf, pat, 3000);
	c.snd_nxt = base + 4395;
	tt_close_all(&T, &c);
}

static void test_fin_at_wrap(void **state)
{
	struct tt_conn c = { 0 };
	u8 buf[16];

	wrap_conn(&c, 1118, 0xfffffff0u);
	/* data up to 0xffffffff, the FIN takes sequence number 0 */
	send_at(&c, c.snd_nxt, 0, 15, TCPHDR_FIN);
	assert_int_equal(tt_tp(&c)->rcv_nxt, 1);
	assert_int_equal(rd(&c, buf, sizeof(buf)), 15);
	assert_int_equal(rd(&c, buf, sizeof(buf)), 0);
	c.snd_nxt += 16;
	tt_close_all(&T, &c);
}

/* ---- memory bounds ---- */
static void test_tiny_segments_coalesced(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_sock *tp;
	static u8 buf[8192];
	u32 base;

	est(&c, 1119);
	tp = tt_tp(&c);
	base = c.snd_nxt;
	for (u32 i = 0; i < 4000; i++)
		send_at(&c, base, i, 1, 0);
	/* 4000 one-byte segments in a few dozen buffers, not 4000 */
	assert_true(skb_queue_len(&c.sk->receive_queue) < 80);
	assert_true(c.sk->rmem_alloc <= c.sk->rcvbuf);
	assert_true(tt_ext(&T, LINUX_MIB_TCPRCVCOALESCE) > 3900);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0), 4000);
	assert_memory_equal(buf, pat, 4000);
	assert_int_equal(tp->rcv_nxt, base + 4000);
	c.snd_nxt = base + 4000;
	tt_close_all(&T, &c);
}

static void test_ofo_queue_bounded(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_sock *tp;
	u32 base, win;

	est(&c, 1120);
	tp = tt_tp(&c);
	base = c.snd_nxt;
	win = tcp_receive_window(tp);
	/* one-byte islands: at most TCP_OFO_MAX of them are kept */
	for (u32 off = 2; off < win && off < 2 * (TCP_OFO_MAX + 50); off += 2)
		send_at(&c, base, off, 1, 0);
	assert_true(skb_queue_len(&tp->out_of_order_queue) <= TCP_OFO_MAX);
	assert_true(tt_ext(&T, LINUX_MIB_TCPOFODROP) >= 1);
	assert_true(c.sk->rmem_alloc <= c.sk->rcvbuf);
	tt_drain(&T);
	c.snd_nxt = base;
	tt_close_all(&T, &c);
}

static void test_memory_pressure_prunes_ofo(void **state)
{
	struct tt_conn c = { 0 };
	struct tcp_sock *tp;
	u8 buf[8192];
	u32 base;

	base = small_buffer(&c, 1121);
	tp = tt_tp(&c);
	/* out-of-order data fills the small buffer ... */
	for (u32 off = 1000; off < 4000; off += 500)
		send_at(&c, base, off, 250, 0);
	assert_true(skb_queue_len(&tp->out_of_order_queue) > 0);
	/* ... in-order data needs the room: the out-of-order queue goes first */
	for (u32 off = 0; off < 1000; off += 250)
		send_at(&c, base, off, 250, 0);
	assert_true(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_DONTWAIT, 0) >= 1000);
	assert_true(c.sk->rmem_alloc <= c.sk->rcvbuf);
	tt_drain(&T);
	c.snd_nxt = base + tp->rcv_nxt - base;
	tt_close_all(&T, &c);
}

/* ---- reading ---- */
static void test_recv_peek_waitall_deadline(void **state)
{
	struct tt_conn c = { 0 };
	u8 buf[64];
	u32 base;
	u64 t0;

	est(&c, 1122);
	base = c.snd_nxt;
	send_at(&c, base, 0, 10, 0);
	assert_int_equal(tcp_recvmsg(c.sk, buf, 4, MSG_PEEK | MSG_DONTWAIT, 0), 4);
	assert_int_equal(tcp_recvmsg(c.sk, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT, 0), 10);
	assert_int_equal(tcp_recvmsg(c.sk, buf, 3, MSG_DONTWAIT, 0), 3);
	assert_memory_equal(buf, pat, 3);
	/* WAITALL with a deadline returns what it has when the time is up */
	t0 = shim_now_ns();
	assert_int_equal(tcp_recvmsg(c.sk, buf, 20, MSG_WAITALL, t0 + 200 * NSEC_PER_MSEC), 7);
	assert_memory_equal(buf, pat + 3, 7);
	assert_true(shim_now_ns() >= t0 + 200 * NSEC_PER_MSEC);
	assert_int_equal(tcp_recvmsg(c.sk, buf, 20, 0, shim_now_ns() + 100 * NSEC_PER_MSEC),
			 -EAGAIN);
	c.snd_nxt = base + 10;
	tt_close_all(&T, &c);
}

static void test_recv_on_listener_and_unconnected(void **state)
{
	struct sock *sk;
	u8 buf[8];

	assert_int_equal(tcp_sock_create(&T.net, &sk), 0);
	assert_int_equal(tcp_recvmsg(sk, buf, sizeof(buf), 0, 0), -ENOTCONN);
	assert_int_equal(tcp_sendmsg(sk, buf, sizeof(buf), 0, 0), -ENOTCONN);
	assert_int_equal(tcp_listen(sk, 1), 0);
	assert_int_equal(tcp_recvmsg(sk, buf, sizeof(buf), 0, 0), -ENOTCONN);
	tcp_close(sk);
}

static void test_rcv_mss_learned(void **state)
{
	struct tt_conn c = { 0 };
	u32 base;

	est(&c, 1123);
	base = c.snd_nxt;
	assert_int_equal(tt_tp(&c)->rcv_mss, 536);
	send_at(&c, base, 0, 1448, 0);
	assert_int_equal(tt_tp(&c)->rcv_mss, 1448);
	tt_drain(&T);
	c.snd_nxt = base + 1448;
	tt_close_all(&T, &c);
}

#define PERM(fn, n) cmocka_unit_test_prestate_setup_teardown(fn, tt_test_setup, tt_test_teardown, \
							      (void *)(intptr_t)(n))
static const struct CMUnitTest tests[] = {
	PERM(test_fin_matrix4, 0), PERM(test_fin_matrix4, 1), PERM(test_fin_matrix4, 2),
	PERM(test_fin_matrix4, 3), PERM(test_fin_matrix4, 4), PERM(test_fin_matrix4, 5),
	PERM(test_fin_matrix4, 6), PERM(test_fin_matrix4, 7), PERM(test_fin_matrix4, 8),
	PERM(test_fin_matrix4, 9), PERM(test_fin_matrix4, 10), PERM(test_fin_matrix4, 11),
	PERM(test_fin_matrix4, 12), PERM(test_fin_matrix4, 13), PERM(test_fin_matrix4, 14),
	PERM(test_fin_matrix4, 15), PERM(test_fin_matrix4, 16), PERM(test_fin_matrix4, 17),
	PERM(test_fin_matrix4, 18), PERM(test_fin_matrix4, 19), PERM(test_fin_matrix4, 20),
	PERM(test_fin_matrix4, 21), PERM(test_fin_matrix4, 22), PERM(test_fin_matrix4, 23),
	PERM(test_fin_matrix_dup, 0), PERM(test_fin_matrix_dup, 1), PERM(test_fin_matrix_dup, 2),
	PERM(test_fin_matrix_dup, 3), PERM(test_fin_matrix_dup, 4), PERM(test_fin_matrix_dup, 5),
	TT_TEST(test_ooo_filled_in_order),
	TT_TEST(test_sack_most_recent_first_and_limit),
	TT_TEST(test_sack_blocks_merge),
	TT_TEST(test_dsack_for_duplicate),
	TT_TEST(test_partial_overlap_trimmed),
	TT_TEST(test_ooo_overlaps_resolved),
	TT_TEST(test_ooo_random_order_byte_exact),
	TT_TEST(test_window_overrun_trimmed),
	TT_TEST(test_segment_beyond_window_dropped_and_acked),
	TT_TEST(test_zero_window_and_update),
	TT_TEST(test_window_never_shrinks),
	TT_TEST(test_delayed_ack_single_segment),
	TT_TEST(test_ack_every_second_full_segment),
	TT_TEST(test_small_segments_one_delayed_ack),
	TT_TEST(test_ack_rides_on_data),
	TT_TEST(test_fin_acked_at_once),
	TT_TEST(test_receive_across_wrap),
	TT_TEST(test_sack_blocks_at_wrap_edges),
	TT_TEST(test_fin_at_wrap),
	TT_TEST(test_tiny_segments_coalesced),
	TT_TEST(test_ofo_queue_bounded),
	TT_TEST(test_memory_pressure_prunes_ofo),
	TT_TEST(test_recv_peek_waitall_deadline),
	TT_TEST(test_recv_on_listener_and_unconnected),
	TT_TEST(test_rcv_mss_learned),
};

TT_MAIN(tests)
