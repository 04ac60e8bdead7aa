/* Fuzz target: TCP with state. A listener on port 80 (and, unless mode bit 0, a connection
 * accepted on it after a clean handshake) receives a sequence of segments from
 * 10.0.0.2, interleaved with time steps, application calls and ICMP errors, all chosen by
 * the input. Sequence and acknowledgment numbers are relative to what the stack last
 * acknowledged and sent, so the fuzzer reaches in-window data, SACK blocks, FINs and
 * resets instead of bouncing off the sequence check. At the end everything is closed and
 * time runs on until the last socket is gone; a leaked buffer or socket aborts.
 *
 * Input: mode byte (bit 0: listener only; bit 1: the peer offers SACK, timestamps and
 * window scaling; bit 2: the application writes 4 KiB first; bit 3: a small receive
 * buffer), then records, each starting with an op byte:
 *   op & 3 == 0  segment: flags, seq offset (s16), ack offset (s16), window (u16),
 *                option length (u8, <= 40) and bytes, payload length (u16, <= 1400)
 *                and bytes (zero-padded when the input runs out)
 *   op & 3 == 1  time step: next byte * 10 ms (op >> 2 == 63: 65 s)
 *   op & 3 == 2  application call (op >> 2) % 8: send 1000 B, read, shutdown(WR),
 *                close, TCP_NODELAY toggle, send 1 B, peek, accept
 *   op & 3 == 3  ICMP error about our last segment: type/code from the next byte */
#include "fuzz_common.h"

#include <net/arp.h>
#include <net/icmp.h>
#include <net/tcp.h>

struct ftcp {
	struct fz f;
	struct sock *l, *c;
	u32 peer_nxt;      /* what the stack acknowledged last */
	u32 our_nxt;       /* the highest sequence number the stack sent, + length */
	u32 our_last_seq;
	u16 our_port;
	u32 ts;
	bool ts_on, nodelay;
};

static const u8 *in;
static size_t in_len;

static u32 take(size_t n)
{
	u32 v = 0;

	for (size_t i = 0; i < n; i++) {
		v = v << 8 | (in_len ? *in : 0);
		if (in_len) {
			in++;
			in_len--;
		}
	}
	return v;
}

/* Runs the stack and learns from what it sent. */
static void pump(struct ftcp *t)
{
	u8 frame[2200];
	int n;

	shim_run_pending();
	while ((n = simlink_pop_frame(&t->f.l->a, frame, sizeof(frame))) >= 0) {
		struct ip_repr ir;
		struct tcp_repr th;
		int ihl, hl;

		if (n < ETH_HLEN + 20 || rd_be16(frame + 12) != ETH_P_IP)
			continue;
		ihl = ip_parse(frame + ETH_HLEN, (size_t)n - ETH_HLEN, false, &ir);
		if (ihl < 0 || ir.protocol != IPPROTO_TCP)
			continue;
		hl = tcp_parse(frame + ETH_HLEN + ihl, ir.tot_len - (u32)ihl, ir.saddr, ir.daddr, true,
			       &th);
		if (hl < 0)
			abort(); /* we never send a bad segment */
		if (th.flags & TCPHDR_ACK)
			t->peer_nxt = th.ack_seq;
		u32 end = th.seq + th.len + !!(th.flags & (TCPHDR_SYN)) + !!(th.flags & TCPHDR_FIN);
		if (after(end, t->our_nxt) || !t->our_nxt)
			t->our_nxt = end;
		t->our_last_seq = th.seq;
		t->our_port = th.sport;
	}
}

static void segment(struct ftcp *t, u8 flags, u32 seq, u32 ack, u16 win, const u8 *opts,
		    u8 olen, const u8 *data, u16 dlen)
{
	u8 buf[1600];
	struct tcp_repr r = { .sport = 40000, .dport = 80, .seq = seq, .ack_seq = ack,
			      .flags = flags, .window = win };
	be32 src, dst;
	size_t hl = tcp_emit(&r, buf, sizeof(buf));
	u32 ol = (olen + 3u) & ~3u;

	memset(buf + hl, 0, ol);
	if (olen)
		memcpy(buf + hl, opts, olen);
	hl += ol;
	buf[12] = (u8)((hl / 4) << 4);
	if (dlen)
		memcpy(buf + hl, data, dlen);
	in4_pton("10.0.0.2", &src);
	in4_pton("10.0.0.1", &dst);
	tcp_v4_send_check(buf, (u32)(hl + dlen), src, dst);
	fz_ip(&t->f, IPPROTO_TCP, buf, hl + dlen);
	pump(t);
}

static void handshake(struct ftcp *t, bool opts)
{
	u8 o[20] = { TCPOPT_MSS, 4, 0x05, 0xb4 };
	u8 ol = 4;

	if (opts) {
		static const u8 more[] = { TCPOPT_SACK_PERM, 2, TCPOPT_TIMESTAMP, 10, 0, 0, 0, 1,
					   0, 0, 0, 0, TCPOPT_NOP, TCPOPT_WINDOW, 3, 7 };
		memcpy(o + 4, more, sizeof(more));
		ol += sizeof(more);
		t->ts_on = true;
	}
	segment(t, TCPHDR_SYN, 1000, 0, 65535, o, ol, NULL, 0);
	u8 ts[12] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, 10, 0, 0, 0, 2 };
	segment(t, TCPHDR_ACK, 1001, t->our_nxt, 512, ts, opts ? 12 : 0, NULL, 0);
	tcp_accept(t->l, &t->c, MSG_DONTWAIT, 0);
}

static void app(struct ftcp *t, int what)
{
	static u8 data[4096], sink[65536];

	if (what == 7) {
		struct sock *n;
		if (!t->c && !tcp_accept(t->l, &n, MSG_DONTWAIT, 0))
			t->c = n;
		return;
	}
	if (!t->c)
		return;
	switch (what) {
	case 0: tcp_sendmsg(t->c, data, 1000, MSG_DONTWAIT, 0); break;
	case 1: tcp_recvmsg(t->c, sink, sizeof(sink), MSG_DONTWAIT, 0); break;
	case 2: tcp_shutdown(t->c, SHUT_WR); break;
	case 3: tcp_close(t->c); t->c = NULL; break;
	case 4:
		t->nodelay = !t->nodelay;
		tcp_setsockopt(t->c, SOL_TCP, TCP_NODELAY, t->nodelay);
		break;
	case 5: tcp_sendmsg(t->c, data, 1, MSG_DONTWAIT, 0); break;
	case 6: tcp_recvmsg(t->c, sink, 10, MSG_DONTWAIT | MSG_PEEK, 0); break;
	}
	pump(t);
}

static void icmp_error(struct ftcp *t, u8 b)
{
	u8 pkt[8 + 28] = { 0 };
	struct icmp_repr ic = { .type = (b & 1) ? ICMP_DEST_UNREACH : ICMP_TIME_EXCEEDED,
				.code = (u8)((b >> 1) & 0xf), .un = (u32)(b >> 5) * 200 + 68 };
	struct ip_repr q = { .ttl = 64, .protocol = IPPROTO_TCP, .tot_len = 60 };

	in4_pton("10.0.0.1", &q.saddr);
	in4_pton("10.0.0.2", &q.daddr);
	ip_emit(&q, pkt + 8, 20);
	wr_be16(pkt + 28, t->our_port ? t->our_port : 80);
	wr_be16(pkt + 30, 40000);
	wr_be32(pkt + 32, t->our_last_seq);
	icmp_emit(&ic, pkt, sizeof(pkt), 28);
	fz_ip(&t->f, IPPROTO_ICMP, pkt, sizeof(pkt));
	pump(t);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct ftcp t;
	static const u8 peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	be32 peer;
	u8 mode;

	if (size < 1)
		return 0;
	in = data;
	in_len = size;
	mode = (u8)take(1);
	memset(&t, 0, sizeof(t));
	fz_begin(&t.f);
	in4_pton("10.0.0.2", &peer);
	neigh_add_permanent(t.f.l->a.dev, peer, peer_mac);
	if (tcp_sock_create(&t.f.net, &t.l))
		abort();
	if (mode & 8)
		tcp_setsockopt(t.l, SOL_SOCKET, SO_RCVBUF, 4096);
	tcp_bind(t.l, to_be32(0), 80);
	tcp_listen(t.l, 2);
	if (!(mode & 1)) {
		handshake(&t, mode & 2);
		if (t.c && (mode & 4)) {
			static u8 d[4096];
			tcp_sendmsg(t.c, d, sizeof(d), MSG_DONTWAIT, 0);
			pump(&t);
		}
	}
	for (int steps = 0; in_len && steps < 64; steps++) {
		u8 op = (u8)take(1);

		switch (op & 3) {
		case 0: {
			u8 flags = (u8)take(1), opts[40], payload[1400];
			s16 so = (s16)take(2), ao = (s16)take(2);
			u16 win = (u16)take(2);
			u8 olen = (u8)(take(1) % 41);
			u16 dlen;

			for (u8 i = 0; i < olen; i++)
				opts[i] = (u8)take(1);
			dlen = (u16)(take(2) % 1401);
			for (u16 i = 0; i < dlen; i++)
				payload[i] = (u8)take(1);
			if (t.ts_on && olen == 0 && !(op & 4)) { /* keep PAWS happy mostly */
				static u8 tso[12] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, 10 };
				wr_be32(tso + 4, t.ts += 3);
				memcpy(opts, tso, 12);
				olen = 12;
			}
			segment(&t, flags, t.peer_nxt + (u32)(s32)so, t.our_nxt + (u32)(s32)ao, win,
				opts, olen, payload, dlen);
			break;
		}
		case 1:
			shim_advance_ms((op >> 2) == 63 ? 65000 : take(1) * 10ULL);
			pump(&t);
			break;
		case 2:
			app(&t, (op >> 2) % 8);
			break;
		case 3:
			icmp_error(&t, (u8)take(1));
			break;
		}
	}
	if (t.c)
		tcp_close(t.c);
	tcp_close(t.l);
	/* orphans finish their close: retransmissions give up within ~20 minutes */
	for (int i = 0; i < 40; i++) {
		shim_advance_ms(60000);
		pump(&t);
	}
	if (t.f.net.tcp->nsocks || tcp_memory_allocated())
		abort();
	fz_end(&t.f);
	return 0;
}
