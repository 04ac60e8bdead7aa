/* Wire formats and bad input: golden packets parsed and emitted byte for byte, and the
 * bug classes of AMNESIA:33, INFRA:HALT and Ripple20 that apply to Ethernet, ARP, IPv4
 * with fragments, ICMP, UDP, DHCP and DNS (lengths that lie, length underflow, fragment
 * offsets past 65535, tiny and overlapping fragments, compression loops, counts larger
 * than the data, missing terminators). Each malformed frame must be dropped and counted
 * in the right counter, and leave the pools at baseline. */
#include <nettest.h>

#include <net/arp.h>
#include <net/dhcp.h>
#include <net/dns.h>
#include <net/ethernet.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/udp.h>
#include <seqos/errno.h>

#include <string.h>

static struct net ns;
static struct simlink *l;
static struct nettest_baseline base;
static const u8 peer_mac[6] = { 2, 0, 0, 0, 0, 0x99 };

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
	assert_int_equal(net_ns_init(&ns, "wire"), 0);
	l = simlink_create(&ns, NULL, 0);
	assert_int_equal(inet_addr_add(l->a.dev, ip("10.0.0.1"), 24), 0);
	/* the peer is known, so replies leave at once */
	assert_int_equal(neigh_add_permanent(l->a.dev, ip("10.0.0.2"), peer_mac), 0);
	shim_run_pending();
	while (simlink_captured(&l->a)) {
		u8 b[64];
		simlink_pop_frame(&l->a, b, sizeof(b));
	}
	return 0;
}

static int teardown(void **state)
{
	simlink_destroy(l);
	net_ns_exit(&ns);
	nettest_assert_baseline(&base);
	return 0;
}

static void send_eth(u16 type, const u8 *payload, size_t len)
{
	u8 frame[2048];
	size_t n = nettest_eth(frame, l->a.dev->dev_addr, peer_mac, type, payload, len);
	simlink_inject(&l->a, frame, n);
	shim_run_pending();
}

/* Builds an IPv4 datagram 10.0.0.2 -> 10.0.0.1 into buf; returns its length. */
static size_t mk_ip(u8 *buf, u8 proto, u16 id, u16 frag_off, const void *payload, size_t len)
{
	struct ip_repr r = { .ttl = 64, .protocol = proto, .id = id, .frag_off = frag_off,
			     .saddr = ip("10.0.0.2"), .daddr = ip("10.0.0.1") };
	r.tot_len = (u16)(20 + len);
	ip_emit(&r, buf, 20);
	memcpy(buf + 20, payload, len);
	return 20 + len;
}

static void fix_ip_csum(u8 *b)
{
	wr_be16(b + 10, 0);
	wr_be16(b + 10, ip_compute_csum(b, (b[0] & 0xf) * 4u));
}

/* ---- golden packets ---- */
static void test_golden_arp(void **state)
{
	static const u8 req[28] = { 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
				    0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
				    0, 0, 0, 0, 0, 0, 10, 0, 2, 2 };
	struct arp_repr r;
	u8 out[28];

	assert_int_equal(arp_parse(req, sizeof(req), &r), 0);
	assert_int_equal(r.op, ARPOP_REQUEST);
	assert_true(be32_eq(r.sip, ip("10.0.2.15")));
	assert_true(be32_eq(r.tip, ip("10.0.2.2")));
	assert_int_equal(arp_emit(&r, out, sizeof(out)), 28);
	assert_memory_equal(out, req, 28);
	assert_int_equal(arp_parse(req, 27, &r), -1);
}

static void test_golden_ipv4(void **state)
{
	/* the worked example with checksum 0xb861 */
	static const u8 h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				  0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	u8 buf[0x73] = { 0 }, out[20];
	struct ip_repr r;

	memcpy(buf, h, 20);
	assert_int_equal(ip_parse(buf, sizeof(buf), false, &r), 20);
	assert_int_equal(r.tot_len, 0x73);
	assert_int_equal(r.frag_off, IP_DF);
	assert_int_equal(r.protocol, IPPROTO_UDP);
	assert_true(be32_eq(r.daddr, ip("192.168.0.199")));
	assert_int_equal(ip_emit(&r, out, sizeof(out)), 20);
	assert_memory_equal(out, h, 20);
}

static void test_golden_icmp_udp(void **state)
{
	u8 b[16], u[13];
	struct icmp_repr r = { .type = ICMP_ECHO, .ident = 0x1234, .seq = 1 }, p;
	struct udp_repr ur = { .sport = 1234, .dport = 53 }, up;

	memcpy(b + 8, "abcdefgh", 8);
	assert_int_equal(icmp_emit(&r, b, sizeof(b), 8), 8);
	assert_int_equal(rd_be16(b + 2), 0x5435);
	assert_int_equal(icmp_parse(b, sizeof(b), &p), 0);
	assert_int_equal(p.ident, 0x1234);
	b[9] ^= 1;
	assert_int_equal(icmp_parse(b, sizeof(b), &p), -2);

	memcpy(u + 8, "hello", 5);
	assert_int_equal(udp_emit(&ur, u, sizeof(u), 5, ip("10.0.0.1"), ip("10.0.0.2")), 8);
	assert_int_equal(rd_be16(u + 4), 13);
	assert_int_equal(rd_be16(u + 6), 0xa2f8);
	assert_int_equal(udp_parse(u, sizeof(u), ip("10.0.0.1"), ip("10.0.0.2"), true, &up), 13);
	/* the same bytes from another address fail the pseudo-header check */
	assert_int_equal(udp_parse(u, sizeof(u), ip("10.0.0.3"), ip("10.0.0.2"), true, &up), -2);
	/* a zero checksum means "none" (RFC 768) */
	wr_be16(u + 6, 0);
	assert_int_equal(udp_parse(u, sizeof(u), ip("10.0.0.3"), ip("10.0.0.2"), true, &up), 13);
}

static void test_golden_dns_query(void **state)
{
	static const u8 want[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
				   7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
				   0, 1, 0, 1 };
	u8 q[64];
	char big[300];

	assert_int_equal(dns_build_query(q, sizeof(q), 0x1234, "example.com", DNS_TYPE_A),
			 (int)sizeof(want));
	assert_memory_equal(q, want, sizeof(want));
	assert_int_equal(dns_build_query(q, sizeof(q), 1, "example.com.", DNS_TYPE_A),
			 (int)sizeof(want));
	assert_int_equal(dns_build_query(q, sizeof(q), 1, "a..b", DNS_TYPE_A), -1);
	assert_int_equal(dns_build_query(q, sizeof(q), 1, "", DNS_TYPE_A), -1);
	memset(big, 'a', 64);
	big[64] = 0; /* a 64-byte label */
	assert_int_equal(dns_build_query(q, sizeof(q), 1, big, DNS_TYPE_A), -1);
}

static void test_golden_dhcp(void **state)
{
	struct dhcp_msg m = { .op = 1, .type = DHCPDISCOVER, .xid = 0xdeadbeef,
			      .flags = DHCP_FLAG_BROADCAST };
	struct dhcp_msg p;
	u8 b[600];
	size_t n;

	memcpy(m.chaddr, peer_mac, 6);
	n = dhcp_build(&m, b, sizeof(b));
	assert_int_equal(n, 300);
	assert_int_equal(b[0], 1);
	assert_int_equal(rd_be32(b + 4), 0xdeadbeef);
	assert_int_equal(rd_be16(b + 10), 0x8000);
	assert_int_equal(rd_be32(b + 236), 0x63825363);
	assert_int_equal(b[240], 53);
	assert_int_equal(b[242], DHCPDISCOVER);
	assert_int_equal(dhcp_parse(b, n, &p), 0);
	assert_int_equal(p.type, DHCPDISCOVER);
	assert_int_equal(p.xid, 0xdeadbeef);
	assert_memory_equal(p.chaddr, peer_mac, 6);
}

/* ---- IPv4 bad input ---- */
static void test_ipv4_lengths_that_lie(void **state)
{
	u8 b[128], pl[16] = { 0 };
	size_t n;

	n = mk_ip(b, 200, 1, 0, pl, sizeof(pl));
	b[0] = 0x44;                      /* IHL 4 */
	fix_ip_csum(b);
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INHDRERRORS], 1);
	n = mk_ip(b, 200, 1, 0, pl, sizeof(pl));
	b[0] = 0x4f;                      /* IHL 15: 60 bytes, the datagram has 36 */
	fix_ip_csum(b);
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INTRUNCATEDPKTS], 1);
	n = mk_ip(b, 200, 1, 0, pl, sizeof(pl));
	wr_be16(b + 2, 1400);             /* total length past the frame */
	fix_ip_csum(b);
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INTRUNCATEDPKTS], 2);
	n = mk_ip(b, 200, 1, 0, pl, sizeof(pl));
	wr_be16(b + 2, 10);               /* total length below the header: underflow */
	fix_ip_csum(b);
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INHDRERRORS], 2);
	n = mk_ip(b, 200, 1, 0, pl, sizeof(pl));
	b[0] = 0x65;                      /* version 6 in an IPv4 frame */
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INHDRERRORS], 3);
	n = mk_ip(b, 200, 1, 0, pl, sizeof(pl));
	b[10] ^= 0xff;                    /* checksum */
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INCSUMERRORS], 1);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INHDRERRORS], 4); /* counted there too, as Linux */
	send_eth(ETH_P_IP, b, 19);        /* shorter than any header */
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INTRUNCATEDPKTS], 3);
	/* an option whose length runs past the header */
	n = mk_ip(b, 200, 1, 0, pl, sizeof(pl));
	memmove(b + 24, b + 20, sizeof(pl));
	b[0] = 0x46;
	b[20] = 0x44; /* timestamp option */
	b[21] = 40;
	wr_be16(b + 2, (u16)(n + 4));
	fix_ip_csum(b);
	send_eth(ETH_P_IP, b, n + 4);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INHDRERRORS], 5);
	/* zero-length option: would loop forever if taken at face value */
	b[21] = 0;
	fix_ip_csum(b);
	send_eth(ETH_P_IP, b, n + 4);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INHDRERRORS], 6);
	/* Ethernet padding after a short datagram is trimmed, not parsed */
	n = mk_ip(b, 200, 1, 0, pl, 2);
	memset(b + n, 0xee, 30);
	send_eth(ETH_P_IP, b, n + 30);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INUNKNOWNPROTOS], 1);
	/* martian source */
	n = mk_ip(b, 200, 1, 0, pl, sizeof(pl));
	wr_be32(b + 12, 0xffffffffu);
	fix_ip_csum(b);
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INADDRERRORS], 1);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_INDELIVERS], 0);
}

static void send_frag(u16 id, u32 offset, bool mf, size_t len)
{
	static u8 payload[2048], b[2100];
	size_t n;

	memset(payload, 0x5a, sizeof(payload));
	n = mk_ip(b, IPPROTO_UDP, id, (u16)((offset / 8) | (mf ? IP_MF : 0)), payload, len);
	send_eth(ETH_P_IP, b, n);
}

static void test_fragment_attacks(void **state)
{
	u64 *m = ns.mib.ip;

	/* offset + length past 65535 (Ping of Death) */
	send_frag(1, 65528, false, 16);
	assert_int_equal(m[IPSTATS_MIB_REASMFAILS], 1);
	/* zero-length and tiny first fragments (RFC 1858) */
	send_frag(2, 0, true, 0);
	send_frag(3, 0, true, 0);
	assert_int_equal(m[IPSTATS_MIB_REASMFAILS], 3);
	/* a middle fragment not a multiple of 8 */
	send_frag(4, 0, true, 12);
	assert_int_equal(m[IPSTATS_MIB_REASMFAILS], 4);
	/* teardrop: the second overlaps the first -> the datagram is dropped */
	send_frag(5, 0, true, 24);
	send_frag(5, 16, false, 24);
	assert_int_equal(m[IPSTATS_MIB_REASM_OVERLAPS], 1);
	assert_int_equal(ns.ipv4.frag_nqueues, 0);
	/* an overlap from the front too */
	send_frag(6, 16, false, 24);
	send_frag(6, 8, true, 16);
	assert_int_equal(m[IPSTATS_MIB_REASM_OVERLAPS], 2);
	/* an exact duplicate is dropped alone; the datagram still completes */
	send_frag(7, 0, true, 16);
	send_frag(7, 0, true, 16);
	send_frag(7, 16, false, 8);
	assert_int_equal(m[IPSTATS_MIB_REASMOKS], 1);
	assert_int_equal(ns.ipv4.frag_nqueues, 0);
	/* two different "last" fragments */
	send_frag(8, 16, false, 8);
	send_frag(8, 32, false, 8);
	assert_int_equal(ns.ipv4.frag_nqueues, 0);
	/* a fragment past the known end */
	send_frag(9, 16, false, 8);
	send_frag(9, 24, true, 8);
	assert_int_equal(ns.ipv4.frag_nqueues, 0);
	assert_int_equal(ns.ipv4.frag_mem, 0);
}

static void test_fragment_flood_bounded(void **state)
{
	/* more datagrams in flight than allowed: the excess is refused, not queued */
	for (int i = 0; i < IPFRAG_MAX_QUEUES + 10; i++)
		send_frag((u16)(100 + i), 8, true, 8);
	assert_int_equal(ns.ipv4.frag_nqueues, IPFRAG_MAX_QUEUES);
	assert_int_equal(ns.mib.ip[IPSTATS_MIB_REASMFAILS], 10);
	/* more fragments per datagram than allowed: the datagram goes */
	for (int i = 0; i < IPFRAG_MAX_FRAGS + 1; i++)
		send_frag(999, (u32)(8 + 16 * i), true, 8);
	shim_advance_ms(IPFRAG_TIME_MS + 1000);
	assert_int_equal(ns.ipv4.frag_nqueues, 0);
	assert_int_equal(ns.ipv4.frag_mem, 0);
}

/* ---- UDP, ICMP, ARP bad input ---- */
static void test_udp_bad_lengths(void **state)
{
	struct sock *sk;
	u8 u[32] = { 0 }, b[64];
	size_t n;

	assert_int_equal(udp_sock_create(&ns, &sk), 0);
	assert_int_equal(udp_bind(sk, to_be32(0), 7), 0);
	wr_be16(u, 1000);
	wr_be16(u + 2, 7);
	wr_be16(u + 4, 40);  /* says 40, has 32 */
	n = mk_ip(b, IPPROTO_UDP, 1, 0, u, sizeof(u));
	send_eth(ETH_P_IP, b, n);
	wr_be16(u + 4, 4);   /* below its own header */
	n = mk_ip(b, IPPROTO_UDP, 1, 0, u, sizeof(u));
	send_eth(ETH_P_IP, b, n);
	n = mk_ip(b, IPPROTO_UDP, 1, 0, u, 6); /* shorter than a header */
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.udp[UDP_MIB_INERRORS], 3);
	wr_be16(u + 4, 20);  /* fine, with a bad checksum */
	wr_be16(u + 6, 0x1234);
	n = mk_ip(b, IPPROTO_UDP, 1, 0, u, sizeof(u));
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.udp[UDP_MIB_INCSUMERRORS], 1);
	wr_be16(u + 6, 0);   /* no checksum: accepted, trimmed to 12 bytes of data */
	n = mk_ip(b, IPPROTO_UDP, 1, 0, u, sizeof(u));
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.udp[UDP_MIB_INDATAGRAMS], 1);
	assert_int_equal(udp_recvmsg(sk, b, sizeof(b), NULL, MSG_DONTWAIT, 0), 12);
	/* the receive queue is bounded */
	for (int i = 0; i < UDP_RCVQ_MAX + 5; i++)
		send_eth(ETH_P_IP, b, mk_ip(b, IPPROTO_UDP, 1, 0, u, sizeof(u)));
	assert_int_equal(ns.mib.udp[UDP_MIB_RCVBUFERRORS], 5);
	udp_sock_release(sk);
}

static void test_icmp_bad_input(void **state)
{
	u8 m[64] = { 0 }, b[128];
	struct icmp_repr r = { .type = ICMP_DEST_UNREACH, .code = ICMP_PORT_UNREACH };
	u64 out;

	/* an error quoting less than a header + 8 bytes */
	icmp_emit(&r, m, 8 + 10, 10);
	send_eth(ETH_P_IP, b, mk_ip(b, IPPROTO_ICMP, 1, 0, m, 18));
	assert_int_equal(ns.mib.icmp[ICMP_MIB_INERRORS], 1);
	/* shorter than an ICMP header */
	send_eth(ETH_P_IP, b, mk_ip(b, IPPROTO_ICMP, 1, 0, m, 4));
	assert_int_equal(ns.mib.icmp[ICMP_MIB_INERRORS], 2);
	/* bad checksum */
	r.type = ICMP_ECHO;
	icmp_emit(&r, m, 16, 8);
	m[12] ^= 1;
	send_eth(ETH_P_IP, b, mk_ip(b, IPPROTO_ICMP, 1, 0, m, 16));
	assert_int_equal(ns.mib.icmp[ICMP_MIB_INCSUMERRORS], 1);
	/* an echo request is answered; one to a broadcast is not (RFC 1122 3.2.2.6) */
	icmp_emit(&r, m, 16, 8);
	out = ns.mib.icmp_out_type[ICMP_ECHOREPLY];
	send_eth(ETH_P_IP, b, mk_ip(b, IPPROTO_ICMP, 1, 0, m, 16));
	assert_int_equal(ns.mib.icmp_out_type[ICMP_ECHOREPLY], out + 1);
	size_t n = mk_ip(b, IPPROTO_ICMP, 1, 0, m, 16);
	wr_be32(b + 16, 0x0a0000ff);
	fix_ip_csum(b);
	send_eth(ETH_P_IP, b, n);
	assert_int_equal(ns.mib.icmp_out_type[ICMP_ECHOREPLY], out + 1);
	/* no ICMP error about an ICMP error: unknown-protocol datagrams get one, errors not */
	send_eth(ETH_P_IP, b, mk_ip(b, 253, 1, 0, m, 8));
	assert_int_equal(ns.mib.icmp_out_type[ICMP_DEST_UNREACH], 1);
}

static void test_arp_bad_input(void **state)
{
	u8 a[28];
	struct arp_repr r = { .op = ARPOP_REQUEST, .sip = ip("10.0.0.2"), .tip = ip("10.0.0.1") };

	memcpy(r.sha, peer_mac, 6);
	arp_emit(&r, a, sizeof(a));
	send_eth(ETH_P_ARP, a, 27);          /* short */
	a[4] = 8;                             /* hlen 8 */
	send_eth(ETH_P_ARP, a, 28);
	arp_emit(&r, a, sizeof(a));
	wr_be16(a + 6, 3);                    /* op 3 */
	send_eth(ETH_P_ARP, a, 28);
	arp_emit(&r, a, sizeof(a));
	a[8] = 0x01;                          /* multicast sender MAC */
	send_eth(ETH_P_ARP, a, 28);
	assert_int_equal(ns.mib.arp[ARP_MIB_INERRORS], 4);
	assert_int_equal(ns.mib.arp[ARP_MIB_OUTREPLIES], 0);
	arp_emit(&r, a, sizeof(a));           /* and a good one is answered */
	send_eth(ETH_P_ARP, a, 28);
	assert_int_equal(ns.mib.arp[ARP_MIB_OUTREPLIES], 1);
	assert_int_equal(simlink_pop_frame(&l->a, a, sizeof(a)) > 0, 1);
	/* someone else claiming our address is noticed */
	r.sip = ip("10.0.0.1");
	r.tip = ip("10.0.0.1");
	arp_emit(&r, a, sizeof(a));
	send_eth(ETH_P_ARP, a, 28);
	assert_int_equal(ns.mib.arp[ARP_MIB_CONFLICTS], 1);
}

/* ---- DNS parser ---- */
static size_t dns_hdr(u8 *b, u16 id, u16 flags, u16 qd, u16 an)
{
	wr_be16(b, id);
	wr_be16(b + 2, flags);
	wr_be16(b + 4, qd);
	wr_be16(b + 6, an);
	memset(b + 8, 0, 4);
	return 12;
}

static size_t dns_q(u8 *b, size_t off)
{
	static const u8 q[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0,
				0, 1, 0, 1 };
	memcpy(b + off, q, sizeof(q));
	return off + sizeof(q);
}

static void test_dns_parser(void **state)
{
	u8 b[600];
	struct dns_answer ans;
	char name[300];
	size_t n;
	static const u8 rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4 };

	n = dns_q(b, dns_hdr(b, 7, 0x8180, 1, 1));
	memcpy(b + n, rr, sizeof(rr));
	assert_int_equal(dns_parse_response(b, n + 16, 7, "example.test", &ans), 0);
	assert_int_equal(ans.naddrs, 1);
	assert_int_equal(ans.ttl, 60);
	/* wrong id, other question, truncated, not a response */
	assert_int_equal(dns_parse_response(b, n + 16, 8, "example.test", &ans), -1);
	assert_int_equal(dns_parse_response(b, n + 16, 7, "example.tes", &ans), -1);
	b[2] = 0x83;
	assert_int_equal(dns_parse_response(b, n + 16, 7, "example.test", &ans), -1);
	b[2] = 0x01;
	assert_int_equal(dns_parse_response(b, n + 16, 7, "example.test", &ans), -1);
	b[2] = 0x81;
	/* an answer count larger than the data */
	wr_be16(b + 6, 200);
	assert_int_equal(dns_parse_response(b, n + 16, 7, "example.test", &ans), -1);
	wr_be16(b + 6, 1);
	/* RDLENGTH past the end, and an A record that is not 4 bytes */
	b[n + 11] = 40;
	assert_int_equal(dns_parse_response(b, n + 16, 7, "example.test", &ans), -1);
	b[n + 11] = 3;
	assert_int_equal(dns_parse_response(b, n + 16, 7, "example.test", &ans), -1);
	b[n + 11] = 4;
	/* compression loop: a pointer to itself, and a forward pointer */
	b[n] = 0xc0;
	b[n + 1] = (u8)n;
	assert_int_equal(dns_parse_response(b, n + 16, 7, "example.test", &ans), -1);
	assert_int_equal(dns_read_name(b, n + 16, n, name, sizeof(name)), -1);
	b[n + 1] = (u8)(n + 4);
	assert_int_equal(dns_read_name(b, n + 16, n, name, sizeof(name)), -1);
	/* a pointer past the message */
	b[n] = 0xc3;
	b[n + 1] = 0xff;
	assert_int_equal(dns_read_name(b, n + 16, n, name, sizeof(name)), -1);
	/* a chain of pointers longer than DNS_MAX_JUMPS, each one backwards */
	memset(b, 0, sizeof(b));
	b[0] = 0;
	for (int i = 1; i <= DNS_MAX_JUMPS + 2; i++) {
		b[2 * i] = 0xc0;
		b[2 * i + 1] = (u8)(2 * (i - 1));
	}
	assert_int_equal(dns_read_name(b, 2 * (DNS_MAX_JUMPS + 3), 2 * (DNS_MAX_JUMPS + 2), name,
				       sizeof(name)), -1);
	assert_int_equal(dns_read_name(b, 2 * (DNS_MAX_JUMPS + 3), 2 * 3, name, sizeof(name)), 8);
	/* a missing terminator, and 64-byte label types */
	memset(b, 'a', sizeof(b));
	b[0] = 10;
	assert_int_equal(dns_read_name(b, 11, 0, name, sizeof(name)), -1);
	b[0] = 0x40;
	assert_int_equal(dns_read_name(b, 100, 0, name, sizeof(name)), -1);
	/* a name longer than 255 bytes on the wire */
	for (int i = 0; i < 5; i++)
		b[i * 64] = 63;
	b[320] = 0;
	assert_int_equal(dns_read_name(b, 400, 0, name, sizeof(name)), -1);
	/* a name longer than the caller's buffer */
	b[0] = 63;
	b[64] = 0;
	assert_int_equal(dns_read_name(b, 100, 0, name, 32), -1);
	assert_int_equal(dns_read_name(b, 100, 0, name, sizeof(name)), 65);
}

/* ---- DHCP parser ---- */
static void test_dhcp_parser(void **state)
{
	struct dhcp_msg m = { .op = 2, .type = DHCPOFFER, .xid = 1, .lease = 60 }, p;
	u8 b[600];
	size_t n;

	m.server_id = ip("10.0.0.2");
	m.dns[0] = ip("10.0.0.3");
	m.ndns = 1;
	n = dhcp_build(&m, b, sizeof(b));
	assert_int_equal(dhcp_parse(b, n, &p), 0);
	assert_int_equal(p.type, DHCPOFFER);
	assert_int_equal(p.lease, 60);
	assert_int_equal(p.ndns, 1);
	assert_int_equal(dhcp_parse(b, 239, &p), -1);    /* fixed part cut */
	b[236] ^= 1;                                      /* magic cookie */
	assert_int_equal(dhcp_parse(b, n, &p), -1);
	b[236] ^= 1;
	b[241] = 2;                                       /* message type of length 2 */
	assert_int_equal(dhcp_parse(b, n, &p), -1);
	b[241] = 1;
	/* an option whose length runs past the end (and no END): refused */
	b[243] = 51;
	b[244] = 200;
	assert_int_equal(dhcp_parse(b, 250, &p), -1);
	/* a DNS option of 5 bytes */
	n = dhcp_build(&m, b, sizeof(b));
	for (size_t i = 240; i + 1 < n; i += 2u + b[i + 1])
		if (b[i] == 6) {
			b[i + 1] = 5;
			break;
		}
	assert_int_equal(dhcp_parse(b, n, &p), -1);
	/* a message ending without END is read to its end */
	n = dhcp_build(&m, b, sizeof(b));
	assert_int_equal(dhcp_parse(b, 243, &p), 0);
	assert_int_equal(p.type, DHCPOFFER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_arp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_ipv4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_icmp_udp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_dns_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_dhcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv4_lengths_that_lie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragment_attacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragment_flood_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_bad_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arp_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_parser, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dhcp_parser, setup, teardown),
	};
	return cmocka_run_group_tests_name("net_wire", tests, NULL, NULL);
}
