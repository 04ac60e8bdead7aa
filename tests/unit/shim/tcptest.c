/* The TCP test bench of include/tcptest.h. */
#include <tcptest.h>

#include <net/arp.h>
#include <net/ethernet.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <seqos/errno.h>

#include <stdio.h>
#include <string.h>

static const u8 tt_peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };

void tt_setup(struct tt *t)
{
	nettest_global_init();
	nettest_baseline(&t->base);
	t->tcp_mem = tcp_memory_allocated();
	assert_int_equal(net_ns_init(&t->net, "tcp"), 0);
	t->l = simlink_create(&t->net, NULL, 0);
	assert_int_equal(in4_pton(TT_US, &t->us), 0);
	assert_int_equal(in4_pton(TT_PEER, &t->peer), 0);
	assert_int_equal(inet_addr_add(t->l->a.dev, t->us, 24), 0);
	assert_int_equal(neigh_add_permanent(t->l->a.dev, t->peer, tt_peer_mac), 0);
	shim_run_pending();
	tt_drain(t);
}

void tt_teardown(struct tt *t)
{
	/* long enough for TIME_WAIT, FIN_WAIT2 timeouts and TCP_RETRIES2 backoffs */
	for (int i = 0; i < 40; i++) {
		shim_advance_ms(60 * 1000);
		tt_drain(t);
	}
	assert_int_equal(t->net.tcp->nsocks, 0);
	assert_int_equal(t->net.tcp->orphans, 0);
	assert_int_equal(t->net.tcp->tw_count, 0);
	assert_int_equal(tcp_memory_allocated(), t->tcp_mem);
	simlink_destroy(t->l);
	net_ns_exit(&t->net);
	nettest_assert_baseline(&t->base);
}

void tt_send(struct tt *t, const struct tt_seg *s)
{
	u8 frame[2200], *ip = frame + ETH_HLEN, *th = ip + 20;
	struct tcp_repr r;
	struct ip_repr ir;
	be32 saddr = s->saddr.v ? s->saddr : t->peer, daddr = s->daddr.v ? s->daddr : t->us;
	u32 hlen;

	memset(&r, 0, sizeof(r));
	r.sport = s->sport;
	r.dport = s->dport;
	r.seq = s->seq;
	r.ack_seq = s->ack;
	r.flags = s->flags;
	r.window = s->win;
	if (s->raw_opts) {
		u32 olen = (s->raw_opts_len + 3u) & ~3u;

		hlen = (u32)tcp_emit(&r, th, 60);
		memset(th + hlen, 0, olen);
		memcpy(th + hlen, s->raw_opts, s->raw_opts_len);
		hlen += olen;
		th[12] = (u8)((hlen / 4) << 4);
	} else {
		r.opts = s->opts;
		r.mss = s->mss;
		r.wscale = s->wscale;
		r.tsval = s->tsval;
		r.tsecr = s->tsecr;
		r.num_sacks = s->num_sacks;
		memcpy(r.sacks, s->sacks, sizeof(r.sacks));
		hlen = (u32)tcp_emit(&r, th, 60);
		assert_true(hlen >= 20);
	}
	assert_true(hlen + s->len <= sizeof(frame) - ETH_HLEN - 20);
	if (s->len)
		memcpy(th + hlen, s->data, s->len);
	tcp_v4_send_check(th, hlen + s->len, saddr, daddr);
	if (s->bad_csum)
		th[17] ^= 0x5a;
	memset(&ir, 0, sizeof(ir));
	ir.ttl = 64;
	ir.protocol = IPPROTO_TCP;
	ir.saddr = saddr;
	ir.daddr = daddr;
	ir.tot_len = (u16)(20 + hlen + s->len);
	ir.id = 7;
	ip_emit(&ir, ip, 20);
	memcpy(frame, t->l->a.dev->dev_addr, 6);
	memcpy(frame + 6, tt_peer_mac, 6);
	frame[12] = 0x08;
	frame[13] = 0x00;
	simlink_inject(&t->l->a, frame, ETH_HLEN + 20 + hlen + s->len);
	shim_run_pending();
}

bool tt_recv(struct tt *t, struct tt_out *o)
{
	u8 frame[2200];
	int n;

	shim_run_pending(); /* what was transmitted reaches the wire */
	while ((n = simlink_pop_frame(&t->l->a, frame, sizeof(frame))) >= 0) {
		struct ip_repr ir;
		int ihl;

		if (n < ETH_HLEN + 20 || rd_be16(frame + 12) != ETH_P_IP)
			continue;
		ihl = ip_parse(frame + ETH_HLEN, (size_t)n - ETH_HLEN, false, &ir);
		assert_true(ihl >= 20);
		if (ir.protocol != IPPROTO_TCP)
			continue;
		/* our checksums must be right: verify */
		int hl = tcp_parse(frame + ETH_HLEN + ihl, ir.tot_len - (u32)ihl, ir.saddr, ir.daddr,
				   true, &o->th);
		assert_true(hl >= 20);
		assert_true(ir.frag_off & IP_DF); /* PMTU discovery: DF on every segment */
		o->len = o->th.len;
		assert_true(o->len <= sizeof(o->data));
		memcpy(o->data, frame + ETH_HLEN + ihl + hl, o->len);
		o->saddr = ir.saddr;
		o->daddr = ir.daddr;
		return true;
	}
	return false;
}

u32 tt_drain(struct tt *t)
{
	struct tt_out o;
	u32 n = 0;

	while (tt_recv(t, &o))
		n++;
	return n;
}

u32 tt_count(struct tt *t) { return simlink_captured(&t->l->a); }

static void fill_opts(struct tt_seg *s, struct tt_conn *c)
{
	if (c->ts) {
		s->opts |= TCPOPT_F_TS;
		s->tsval = ++c->ts_val;
		s->tsecr = c->ts_recent;
	}
}

void tt_passive_open(struct tt *t, struct tt_conn *c, u16 lport, u16 pport, u32 peer_iss,
		     u8 opts)
{
	struct tt_out o;
	struct tt_seg s;

	if (!c->lsk) {
		assert_int_equal(tcp_sock_create(&t->net, &c->lsk), 0);
		assert_int_equal(tcp_bind(c->lsk, to_be32(0), lport), 0);
		assert_int_equal(tcp_listen(c->lsk, 16), 0);
	}
	c->lport = lport;
	c->pport = pport;
	c->ts_val = c->ts_val ? c->ts_val : 1000;
	memset(&s, 0, sizeof(s));
	s.sport = pport;
	s.dport = lport;
	s.seq = peer_iss;
	s.flags = TCPHDR_SYN;
	s.win = 65535;
	s.opts = opts;
	s.mss = 1460;
	s.wscale = 2;
	s.tsval = c->ts_val;
	tt_send(t, &s);
	assert_true(tt_recv(t, &o));
	assert_int_equal(o.th.flags, TCPHDR_SYN | TCPHDR_ACK);
	assert_int_equal(o.th.ack_seq, peer_iss + 1);
	c->ts = (opts & TCPOPT_F_TS) && (o.th.opts & TCPOPT_F_TS);
	c->sack = (opts & TCPOPT_F_SACK_PERM) && (o.th.opts & TCPOPT_F_SACK_PERM);
	c->wscale = (opts & TCPOPT_F_WSCALE) && (o.th.opts & TCPOPT_F_WSCALE) ? 2 : 0xff;
	c->our_wscale = (o.th.opts & TCPOPT_F_WSCALE) ? o.th.wscale : 0;
	c->our_mss = o.th.mss;
	c->ts_recent = o.th.tsval;
	c->snd_nxt = peer_iss + 1;
	c->rcv_nxt = o.th.seq + 1;
	c->win = c->wscale == 0xff ? 65535 : 16384; /* 64 KiB either way */
	tt_csend(t, c, TCPHDR_ACK, NULL, 0);
	assert_int_equal(tcp_accept(c->lsk, &c->sk, MSG_DONTWAIT, 0), 0);
	assert_int_equal(c->sk->state, TCP_ESTABLISHED);
}

u32 tt_next_iss;

void tt_active_open(struct tt *t, struct tt_conn *c, u16 pport, u32 peer_iss, u8 opts)
{
	struct tt_out o;
	struct tt_seg s;

	if (!c->sk)
		assert_int_equal(tcp_sock_create(&t->net, &c->sk), 0);
	if (tt_next_iss) {
		tcp_sk(c->sk)->write_seq = tt_next_iss;
		tt_next_iss = 0;
	}
	assert_int_equal(tcp_stream_connect(c->sk, t->peer, pport, MSG_DONTWAIT, 0), -EINPROGRESS);
	assert_true(tt_recv(t, &o));
	assert_int_equal(o.th.flags, TCPHDR_SYN);
	c->lport = o.th.sport;
	c->pport = pport;
	c->our_mss = o.th.mss;
	c->our_wscale = o.th.wscale;
	c->ts_val = c->ts_val ? c->ts_val : 5000;
	c->ts_recent = o.th.tsval;
	memset(&s, 0, sizeof(s));
	s.sport = pport;
	s.dport = c->lport;
	s.seq = peer_iss;
	s.ack = o.th.seq + 1;
	s.flags = TCPHDR_SYN | TCPHDR_ACK;
	s.win = 65535;
	s.opts = opts;
	s.mss = 1460;
	s.wscale = 2;
	s.tsval = c->ts_val;
	s.tsecr = o.th.tsval;
	c->ts = opts & TCPOPT_F_TS;
	c->sack = opts & TCPOPT_F_SACK_PERM;
	c->wscale = (opts & TCPOPT_F_WSCALE) ? 2 : 0xff;
	c->snd_nxt = peer_iss + 1;
	c->rcv_nxt = o.th.seq + 1;
	c->win = c->wscale == 0xff ? 65535 : 16384;
	tt_send(t, &s);
	assert_int_equal(c->sk->state, TCP_ESTABLISHED);
	assert_true(tt_recv(t, &o)); /* the ACK of the handshake */
	assert_int_equal(o.th.flags, TCPHDR_ACK);
	assert_int_equal(o.th.ack_seq, peer_iss + 1);
	if (o.th.opts & TCPOPT_F_TS)
		c->ts_recent = o.th.tsval;
}

void tt_csend_seq(struct tt *t, struct tt_conn *c, u32 seq, u8 flags, const void *data,
		  u32 len)
{
	struct tt_seg s;

	memset(&s, 0, sizeof(s));
	s.sport = c->pport;
	s.dport = c->lport;
	s.seq = seq;
	s.ack = c->rcv_nxt;
	s.flags = flags;
	s.win = c->win;
	s.data = data;
	s.len = len;
	fill_opts(&s, c);
	tt_send(t, &s);
}

void tt_csend(struct tt *t, struct tt_conn *c, u8 flags, const void *data, u32 len)
{
	u32 seq = c->snd_nxt;

	c->snd_nxt += len + !!(flags & TCPHDR_SYN) + !!(flags & TCPHDR_FIN);
	tt_csend_seq(t, c, seq, flags, data, len);
}

void tt_cack(struct tt *t, struct tt_conn *c, u32 ack)
{
	u32 save = c->rcv_nxt;

	if (ack)
		c->rcv_nxt = ack;
	tt_csend_seq(t, c, c->snd_nxt, TCPHDR_ACK, NULL, 0);
	c->rcv_nxt = save;
}

bool tt_crecv(struct tt *t, struct tt_conn *c, struct tt_out *o)
{
	u32 end;

	if (!tt_recv(t, o))
		return false;
	if (o->th.opts & TCPOPT_F_TS)
		c->ts_recent = o->th.tsval;
	end = o->th.seq + o->len + !!(o->th.flags & TCPHDR_SYN) + !!(o->th.flags & TCPHDR_FIN);
	if (o->th.seq == c->rcv_nxt || (after(end, c->rcv_nxt) && !after(o->th.seq, c->rcv_nxt)))
		c->rcv_nxt = end;
	return true;
}

void tt_close_all(struct tt *t, struct tt_conn *c)
{
	struct tt_out o;
	bool fin_sent = false;

	if (c->sk)
		tcp_close(c->sk);
	if (c->lsk)
		tcp_close(c->lsk);
	c->sk = c->lsk = NULL;
	for (int i = 0; i < 8; i++) {
		while (tt_crecv(t, c, &o)) {
			if (o.th.flags & TCPHDR_RST)
				return;
			if (o.th.flags & TCPHDR_FIN) {
				tt_csend(t, c, TCPHDR_ACK | (fin_sent ? 0 : TCPHDR_FIN), NULL, 0);
				fin_sent = true;
			}
		}
		shim_advance_ms(300);
	}
}

struct tcp_sock *tt_tp(struct tt_conn *c) { return tcp_sk(c->sk); }
u64 tt_ext(struct tt *t, int mib) { return t->net.tcp->ext[mib]; }
u64 tt_mib(struct tt *t, int mib) { return t->net.tcp->mib[mib]; }

void tt_send_icmp(struct tt *t, u8 type, u8 code, u32 info, u16 sport, u16 dport, u32 seq)
{
	u8 frame[200], *ip = frame + ETH_HLEN, *icmp = ip + 20, *q = icmp + 8;
	struct icmp_repr ic = { .type = type, .code = code, .un = info };
	struct ip_repr ir, qr;

	/* the quoted datagram: our segment's IP header and first 8 bytes of TCP */
	memset(&qr, 0, sizeof(qr));
	qr.ttl = 64;
	qr.protocol = IPPROTO_TCP;
	qr.saddr = t->us;
	qr.daddr = t->peer;
	qr.tot_len = 60;
	ip_emit(&qr, q, 20);
	wr_be16(q + 20, sport);
	wr_be16(q + 22, dport);
	wr_be32(q + 24, seq);
	wr_be32(q + 28, 0);
	icmp_emit(&ic, icmp, 8 + 28, 28);
	memset(&ir, 0, sizeof(ir));
	ir.ttl = 64;
	ir.protocol = IPPROTO_ICMP;
	ir.saddr = t->peer;
	ir.daddr = t->us;
	ir.tot_len = 20 + 8 + 28;
	ip_emit(&ir, ip, 20);
	memcpy(frame, t->l->a.dev->dev_addr, 6);
	memcpy(frame + 6, tt_peer_mac, 6);
	frame[12] = 0x08;
	frame[13] = 0x00;
	simlink_inject(&t->l->a, frame, ETH_HLEN + 20 + 8 + 28);
	shim_run_pending();
}

void tt_expect(struct tt *t, struct tt_conn *c, u8 flags, u32 len, struct tt_out *o)
{
	struct tt_out tmp;

	if (!o)
		o = &tmp;
	assert_true(tt_crecv(t, c, o));
	assert_int_equal(o->th.flags & (u8)~TCPHDR_PSH, flags);
	assert_int_equal(o->len, len);
}

void tt_established(struct tt *t, struct tt_conn *c, u16 pport)
{
	tt_passive_open(t, c, 80, pport, 1000, TT_ALLOPTS);
}
