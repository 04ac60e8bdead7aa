/* TCP wire format (net/ipv4/tcp_parse.c) and the keyed numbers (tcp_secure.c): golden
 * bytes parsed and emitted byte for byte (a Linux-style SYN, a data segment with
 * timestamps and SACK), option edge cases, the sequence comparisons at 2^32, SYN cookies
 * and their timestamp encoding. Pure functions: no stack needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <net/tcp.h>
#include <shim.h>

#include <string.h>

static be32 ip4(u8 a, u8 b, u8 c, u8 d)
{
	return to_be32((u32)a << 24 | (u32)b << 16 | (u32)c << 8 | d);
}

/* MSS 1460, SACK-permitted, timestamps, NOP, window scale 7: Linux's SYN layout. */
static const u8 golden_syn[] = {
	0xa2, 0xb4, 0x00, 0x50, 0x1c, 0x0d, 0x8a, 0x6b, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
	0xfa, 0xf0, 0xcf, 0x94, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0x00, 0x1b, 0x3c, 0x55, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};
/* ACK|PSH with timestamps and two SACK blocks, 5 bytes of data. */
static const u8 golden_data[] = {
	0x00, 0x50, 0xa2, 0xb4, 0x55, 0x66, 0x77, 0x88, 0x1c, 0x0d, 0x8a, 0x6c, 0xd0, 0x18,
	0x01, 0xf6, 0xef, 0xf1, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x64,
	0x00, 0x1b, 0x3c, 0x55, 0x01, 0x01, 0x05, 0x12, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
	0x20, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x40, 0x00, 0x68, 0x65, 0x6c, 0x6c,
	0x6f,
};

static void test_golden_syn_parse(void **state)
{
	struct tcp_repr r;

	assert_int_equal(tcp_parse(golden_syn, sizeof(golden_syn), ip4(192, 168, 1, 10),
				   ip4(93, 184, 216, 34), true, &r), 40);
	assert_int_equal(r.sport, 41652);
	assert_int_equal(r.dport, 80);
	assert_int_equal(r.seq, 0x1c0d8a6b);
	assert_int_equal(r.flags, TCPHDR_SYN);
	assert_int_equal(r.window, 64240);
	assert_int_equal(r.opts, TCPOPT_F_MSS | TCPOPT_F_SACK_PERM | TCPOPT_F_TS | TCPOPT_F_WSCALE);
	assert_int_equal(r.mss, 1460);
	assert_int_equal(r.wscale, 7);
	assert_int_equal(r.tsval, 0x001b3c55);
	assert_int_equal(r.tsecr, 0);
	assert_int_equal(r.len, 0);
}

static void test_golden_syn_emit(void **state)
{
	struct tcp_repr r = { .sport = 41652, .dport = 80, .seq = 0x1c0d8a6b, .flags = TCPHDR_SYN,
			      .window = 64240, .opts = TCPOPT_F_MSS | TCPOPT_F_SACK_PERM |
							  TCPOPT_F_TS | TCPOPT_F_WSCALE,
			      .mss = 1460, .wscale = 7, .tsval = 0x001b3c55 };
	u8 buf[60];

	assert_int_equal(tcp_emit(&r, buf, sizeof(buf)), 40);
	tcp_v4_send_check(buf, 40, ip4(192, 168, 1, 10), ip4(93, 184, 216, 34));
	assert_memory_equal(buf, golden_syn, sizeof(golden_syn));
}

static void test_golden_data_parse_and_emit(void **state)
{
	struct tcp_repr r;
	u8 buf[80];

	assert_int_equal(tcp_parse(golden_data, sizeof(golden_data), ip4(93, 184, 216, 34),
				   ip4(192, 168, 1, 10), true, &r), 52);
	assert_int_equal(r.flags, TCPHDR_ACK | TCPHDR_PSH);
	assert_int_equal(r.ack_seq, 0x1c0d8a6c);
	assert_int_equal(r.opts, TCPOPT_F_TS | TCPOPT_F_SACK);
	assert_int_equal(r.num_sacks, 2);
	assert_int_equal(r.sacks[1].start_seq, 0x3000);
	assert_int_equal(r.sacks[1].end_seq, 0x4000);
	assert_int_equal(r.len, 5);
	assert_int_equal(tcp_emit(&r, buf, sizeof(buf)), 52);
	memcpy(buf + 52, "hello", 5);
	tcp_v4_send_check(buf, 57, ip4(93, 184, 216, 34), ip4(192, 168, 1, 10));
	assert_memory_equal(buf, golden_data, sizeof(golden_data));
}

static void test_checksum_and_length_errors(void **state)
{
	u8 b[sizeof(golden_syn)];
	struct tcp_repr r;

	memcpy(b, golden_syn, sizeof(b));
	b[5] ^= 1;
	assert_int_equal(tcp_parse(b, sizeof(b), ip4(192, 168, 1, 10), ip4(93, 184, 216, 34), true, &r),
			 TCP_PARSE_CSUM);
	/* not verified: fine (the NIC did it) */
	assert_int_equal(tcp_parse(b, sizeof(b), ip4(192, 168, 1, 10), ip4(93, 184, 216, 34), false, &r),
			 40);
	/* the header says 40 bytes, 39 are there */
	assert_int_equal(tcp_parse(golden_syn, 39, ip4(192, 168, 1, 10), ip4(93, 184, 216, 34), false, &r),
			 TCP_PARSE_TRUNCATED);
	assert_int_equal(tcp_parse(golden_syn, 0, ip4(0, 0, 0, 0), ip4(0, 0, 0, 0), false, &r),
			 TCP_PARSE_TRUNCATED);
}

static void test_options_nop_eol_unknown(void **state)
{
	static const u8 o[] = { TCPOPT_NOP, 77, 3, 0xaa, TCPOPT_MSS, 4, 0x02, 0x18, TCPOPT_EOL,
				TCPOPT_WINDOW, 3, 5 };
	struct tcp_repr r;

	memset(&r, 0, sizeof(r));
	tcp_parse_options(o, sizeof(o), true, &r);
	/* unknown kinds are skipped by their length; EOL ends the list */
	assert_int_equal(r.opts, TCPOPT_F_MSS);
	assert_int_equal(r.mss, 536);
}

static void test_options_wrong_lengths_ignored(void **state)
{
	static const u8 o[] = { TCPOPT_MSS, 3, 0, TCPOPT_WINDOW, 4, 1, 2, TCPOPT_TIMESTAMP, 9,
				1, 2, 3, 4, 5, 6, 7, TCPOPT_SACK_PERM, 3, 0 };
	struct tcp_repr r;

	memset(&r, 0, sizeof(r));
	tcp_parse_options(o, sizeof(o), true, &r);
	assert_int_equal(r.opts, 0);
}

static void test_options_sack_block_counts(void **state)
{
	u8 o[2 + 8 * 5];
	struct tcp_repr r;

	o[0] = TCPOPT_SACK;
	for (int i = 0; i < 40; i++)
		o[2 + i] = (u8)i;
	/* 5 blocks (42 bytes) cannot occur in a header; 4 are used */
	o[1] = 42;
	memset(&r, 0, sizeof(r));
	tcp_parse_options(o, sizeof(o), false, &r);
	assert_int_equal(r.num_sacks, 4);
	/* a length that is not 2 + 8n */
	o[1] = 14;
	memset(&r, 0, sizeof(r));
	tcp_parse_options(o, 14, false, &r);
	assert_false(r.opts & TCPOPT_F_SACK);
	/* SYN-only options outside a SYN */
	static const u8 syn_only[] = { TCPOPT_MSS, 4, 1, 1, TCPOPT_SACK_PERM, 2 };
	memset(&r, 0, sizeof(r));
	tcp_parse_options(syn_only, sizeof(syn_only), false, &r);
	assert_int_equal(r.opts, 0);
}

static void test_options_size_and_limit(void **state)
{
	struct tcp_repr r = { .opts = TCPOPT_F_TS | TCPOPT_F_SACK, .num_sacks = 3 };
	u8 buf[80];

	assert_int_equal(tcp_options_size(&r), 12 + 4 + 24);
	assert_int_equal(tcp_emit(&r, buf, sizeof(buf)), 60);
	r.num_sacks = 4; /* 44 bytes of options: refused */
	assert_int_equal(tcp_emit(&r, buf, sizeof(buf)), 0);
	r.opts = TCPOPT_F_SACK_PERM; /* alone: NOP NOP + 2 */
	assert_int_equal(tcp_options_size(&r), 4);
	r.opts = 0;
	assert_int_equal(tcp_emit(&r, buf, 19), 0);
	assert_int_equal(tcp_emit(&r, buf, 20), 20);
}

static void test_sequence_comparisons_at_wrap(void **state)
{
	assert_true(before(0xffffffffu, 0));
	assert_true(after(5, 0xfffffff0u));
	assert_false(before(7, 7));
	assert_true(between(2, 0xfffffffeu, 4));
	assert_false(between(5, 0xfffffffeu, 4));
	assert_true(between(0xfffffffeu, 0xfffffffeu, 0xfffffffeu));
	assert_true(before(0x7fffffffu, 0x80000000u));
}

static void test_isn_keyed_and_moving(void **state)
{
	be32 a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
	u32 x = secure_tcp_seq(a, b, 1000, 80), y = secure_tcp_seq(a, b, 1001, 80);

	assert_int_not_equal(x, y);
	shim_set_time_ns(shim_now_ns() + 4 * NSEC_PER_MSEC); /* about 1000 ticks of 4.096 us */
	u32 z = secure_tcp_seq(a, b, 1000, 80);
	assert_true(z - x >= 950 && z - x <= 1050);
	assert_int_not_equal(secure_tcp_ts_off(a, b), secure_tcp_ts_off(b, a));
	assert_int_equal(secure_ipv4_port_ephemeral(a, b, 80), secure_ipv4_port_ephemeral(a, b, 80));
}

static void test_syncookie_round_trip(void **state)
{
	be32 a = ip4(10, 0, 0, 2), b = ip4(10, 0, 0, 1);
	static const u16 want[] = { 1460, 1400, 536, 9000, 100 }, got[] = { 1460, 1300, 536, 1460, 536 };

	for (unsigned i = 0; i < 5; i++) {
		u16 mss = want[i];
		u32 c = __cookie_v4_init_sequence(a, b, 5555, 80, 1000 + i, &mss);

		assert_int_equal(mss, got[i]);
		assert_int_equal(__cookie_v4_check(a, b, 5555, 80, 1000 + i, c), got[i]);
		/* another tuple, or another peer ISN, or a forged count: invalid (the low
		 * bits carry the MSS index linearly, as Linux's, so a forger needs 24 bits) */
		assert_int_equal(__cookie_v4_check(a, b, 5556, 80, 1000 + i, c), 0);
		assert_int_equal(__cookie_v4_check(a, b, 5555, 80, 1000 + i + 0x100000, c), 0);
		assert_int_equal(__cookie_v4_check(a, b, 5555, 80, 1000 + i, c + 0x100000), 0);
		assert_int_equal(__cookie_v4_check(a, b, 5555, 80, 1000 + i, c ^ 0x80000000u), 0);
	}
	u16 mss = 1460;
	u32 c = __cookie_v4_init_sequence(a, b, 1, 2, 3, &mss);
	shim_set_time_ns(shim_now_ns() + 70 * NSEC_PER_SEC); /* one minute tick later: still valid */
	assert_int_equal(__cookie_v4_check(a, b, 1, 2, 3, c), 1460);
	shim_set_time_ns(shim_now_ns() + 130 * NSEC_PER_SEC); /* over two ticks: expired */
	assert_int_equal(__cookie_v4_check(a, b, 1, 2, 3, c), 0);
}

static void test_syncookie_timestamp_bits(void **state)
{
	bool ws_ok, sack_ok;
	u8 ws;
	u32 ts = cookie_ts_encode(true, 9, true, 0x12345678);

	assert_false(after(ts, 0x12345678));
	assert_true(cookie_ts_decode(ts, &ws_ok, &ws, &sack_ok));
	assert_true(ws_ok && sack_ok);
	assert_int_equal(ws, 9);
	ts = cookie_ts_encode(false, 0, false, 0x12345600);
	assert_true(cookie_ts_decode(ts, &ws_ok, &ws, &sack_ok));
	assert_false(ws_ok || sack_ok);
	/* the encoding never runs ahead of the clock, even when the low bits are larger */
	ts = cookie_ts_encode(true, 14, true, 0x12345601);
	assert_false(after(ts, 0x12345601));
	assert_true(cookie_ts_decode(ts, &ws_ok, &ws, &sack_ok));
	assert_int_equal(ws, 14);
}

static void test_ca_lookup(void **state)
{
	assert_ptr_equal(tcp_ca_find("reno"), &tcp_reno);
	assert_ptr_equal(tcp_ca_find("cubic"), &tcp_cubic);
	assert_null(tcp_ca_find("bbr"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_golden_syn_parse),
	cmocka_unit_test(test_golden_syn_emit),
	cmocka_unit_test(test_golden_data_parse_and_emit),
	cmocka_unit_test(test_checksum_and_length_errors),
	cmocka_unit_test(test_options_nop_eol_unknown),
	cmocka_unit_test(test_options_wrong_lengths_ignored),
	cmocka_unit_test(test_options_sack_block_counts),
	cmocka_unit_test(test_options_size_and_limit),
	cmocka_unit_test(test_sequence_comparisons_at_wrap),
	cmocka_unit_test(test_isn_keyed_and_moving),
	cmocka_unit_test(test_syncookie_round_trip),
	cmocka_unit_test(test_syncookie_timestamp_bits),
	cmocka_unit_test(test_ca_lookup),
};

int main(void) { return cmocka_run_group_tests(tests, NULL, NULL); }
