/* A TCP test bench (for tests/unit/test_tcp_*.c): our stack in namespace "tcp" at
 * 10.0.0.1 on a single-ended simulated link; the test plays the peer 10.0.0.2 by
 * injecting hand-made segments (which go up through NAPI, IP and tcp_v4_rcv like any
 * frame) and by reading the segments our stack transmitted. Time is the shim's: a test
 * moves it with shim_advance_ms() and the TCP timers fire on the way. */
#ifndef TCPTEST_H
#define TCPTEST_H

#include <nettest.h>

#include <stdlib.h>

#include <net/tcp.h>

#define TT_US "10.0.0.1"
#define TT_PEER "10.0.0.2"

struct tt {
	struct net net;
	struct simlink *l;
	be32 us, peer;
	struct nettest_baseline base;
	u64 tcp_mem;          /* tcp_memory_allocated() at setup */
};

/* A segment from the peer. Unset fields are 0; opts as in struct tcp_repr (the peer
 * sends what it says); raw_opts, when set, replace the options byte for byte. */
struct tt_seg {
	u16 sport, dport;
	u32 seq, ack;
	u8 flags;
	u16 win;
	u8 opts;
	u16 mss;
	u8 wscale;
	u32 tsval, tsecr;
	u8 num_sacks;
	struct tcp_sack_block sacks[TCP_MAX_SACKS];
	const void *data;
	u32 len;
	const u8 *raw_opts;
	u8 raw_opts_len;
	bool bad_csum;
	be32 saddr;           /* 0: the peer's address */
	be32 daddr;           /* 0: ours */
};

/* What the stack sent. */
struct tt_out {
	struct tcp_repr th;
	u8 data[2048];
	u32 len;
	be32 saddr, daddr;
};

/* One connection as the peer sees it. */
struct tt_conn {
	struct sock *sk;      /* our socket (accepted or connecting) */
	struct sock *lsk;     /* the listener, when passive */
	u16 lport, pport;     /* ours, the peer's */
	u32 snd_nxt;          /* the peer's next sequence number */
	u32 rcv_nxt;          /* what the peer acknowledges of ours */
	u16 win;              /* the peer's window field */
	u8 wscale;            /* the peer's shift (what it told us), 0xff = none */
	u8 our_wscale;        /* ours */
	bool ts, sack;        /* negotiated */
	u32 ts_val;           /* the peer's clock */
	u32 ts_recent;        /* our last TSval */
	u16 our_mss;          /* MSS we announced */
};

void tt_setup(struct tt *t);
/* Closes nothing: the test closes its sockets. Lets time run (TIME_WAIT, FIN timeouts,
 * retransmissions die out), then checks sockets, pools and heap are back to baseline. */
void tt_teardown(struct tt *t);

void tt_send(struct tt *t, const struct tt_seg *s);
/* The next TCP segment the stack sent (others, e.g. ICMP, are skipped); false if none. */
bool tt_recv(struct tt *t, struct tt_out *o);
u32 tt_drain(struct tt *t); /* drops what was captured; returns how many TCP segments */
u32 tt_count(struct tt *t); /* captured frames waiting */

/* Passive open done by the peer: SYN (with the given options), SYN-ACK checked, ACK,
 * accept. opts: TCPOPT_F_* the peer offers (MSS 1460, wscale 7, SACK, TS). */
void tt_passive_open(struct tt *t, struct tt_conn *c, u16 lport, u16 pport, u32 peer_iss,
		     u8 opts);
/* Active open by our stack to the peer: SYN checked, SYN-ACK with opts, ACK checked.
 * Our ISN is tt_next_iss when that is set (then cleared), so tests can start anywhere,
 * e.g. just below 2^32. */
extern u32 tt_next_iss;
void tt_active_open(struct tt *t, struct tt_conn *c, u16 pport, u32 peer_iss, u8 opts);
/* A segment on c from the peer, with the connection's ack/window/timestamp filled in. */
void tt_csend(struct tt *t, struct tt_conn *c, u8 flags, const void *data, u32 len);
/* As tt_csend at an explicit sequence number (no update of c->snd_nxt). */
void tt_csend_seq(struct tt *t, struct tt_conn *c, u32 seq, u8 flags, const void *data,
		  u32 len);
/* A pure ACK of everything received so far (c->rcv_nxt), or of ack. */
void tt_cack(struct tt *t, struct tt_conn *c, u32 ack);
/* Reads one segment expected on c, updates c->rcv_nxt by what it carried. */
bool tt_crecv(struct tt *t, struct tt_conn *c, struct tt_out *o);
/* Closes our socket and lets everything finish (peer answers FINs). */
void tt_close_all(struct tt *t, struct tt_conn *c);

/* An ICMP error from the peer about a segment of ours (sport/dport ours/theirs, seq). */
void tt_send_icmp(struct tt *t, u8 type, u8 code, u32 info, u16 sport, u16 dport, u32 seq);

struct tcp_sock *tt_tp(struct tt_conn *c);
u64 tt_ext(struct tt *t, int mib);
u64 tt_mib(struct tt *t, int mib);

/* Reads the next segment on c: flags (PSH ignored) and payload length must match. */
void tt_expect(struct tt *t, struct tt_conn *c, u8 flags, u32 len, struct tt_out *o);
/* A connection accepted on port 80 from the peer's pport, all options (tt_passive_open). */
void tt_established(struct tt *t, struct tt_conn *c, u16 pport);
#define TT_ALLOPTS (TCPOPT_F_MSS | TCPOPT_F_WSCALE | TCPOPT_F_SACK_PERM | TCPOPT_F_TS)

/* The bench of a test file: T is a fresh struct tt per test (a failed test's is left
 * behind, never reused), set up and torn down by tt_test_setup/tt_test_teardown. */
#define TT_BENCH()                                                                        \
	static struct tt *TT;                                                             \
	static int tt_test_setup(void **state)                                            \
	{                                                                                 \
		TT = calloc(1, sizeof(*TT));                                              \
		tt_setup(TT);                                                             \
		return 0;                                                                 \
	}                                                                                 \
	static int tt_test_teardown(void **state)                                         \
	{                                                                                 \
		tt_teardown(TT);                                                          \
		free(TT);                                                                 \
		return 0;                                                                 \
	}
#define T (*TT)
#define TT_TEST(fn) cmocka_unit_test_setup_teardown(fn, tt_test_setup, tt_test_teardown)

/* main() of a TCP test file: TT_FILTER=pattern in the environment runs only the tests
 * whose name matches (cmocka's filter). */
#define TT_MAIN(tests)                                                                    \
	int main(void)                                                                    \
	{                                                                                 \
		if (getenv("TT_FILTER"))                                                  \
			cmocka_set_test_filter(getenv("TT_FILTER"));                      \
		return cmocka_run_group_tests(tests, NULL, NULL);                         \
	}

#endif
