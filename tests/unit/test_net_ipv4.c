/* Two hosts in one process (namespaces A and B) over a simulated Ethernet link: ARP
 * resolution and ageing, ping, UDP both ways, port unreachable reaching the socket,
 * fragmentation and reassembly, reassembly timeout, DHCP against a fake server, DNS
 * against a fake server. Every test ends with the buffer pools and heap at baseline. */
#include <nettest.h>

#include <net/arp.h>
#include <net/dhcp.h>
#include <net/dns.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/udp.h>
#include <seqos/errno.h>
#include <seqos/softirq.h>
#include <seqos/time.h>

#include <string.h>

int ping_once(struct net *net, be32 daddr, u16 ident, u16 seq, u32 size, u64 timeout_ns,
	      u64 *rtt_ns, u8 *ttl, be32 *from);

static struct net A, B;
static struct simlink *link_ab;
static struct nettest_baseline base;

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
	assert_int_equal(net_ns_init(&A, "A"), 0);
	assert_int_equal(net_ns_init(&B, "B"), 0);
	link_ab = simlink_create(&A, &B, 0);
	assert_int_equal(inet_addr_add(link_ab->a.dev, ip("10.0.0.1"), 24), 0);
	assert_int_equal(inet_addr_add(link_ab->b.dev, ip("10.0.0.2"), 24), 0);
	shim_run_pending(); /* gratuitous ARPs */
	return 0;
}

static int teardown(void **state)
{
	simlink_destroy(link_ab);
	net_ns_exit(&A);
	net_ns_exit(&B);
	nettest_assert_baseline(&base);
	return 0;
}

static void test_ping_resolves_arp(void **state)
{
	u64 rtt;
	u8 ttl, st;
	be32 from;
	u8 ha[6];

	assert_int_equal(ping_once(&A, ip("10.0.0.2"), 77, 1, 56, NSEC_PER_SEC, &rtt, &ttl, &from), 0);
	assert_true(be32_eq(from, ip("10.0.0.2")));
	assert_int_equal(ttl, IP_DEFAULT_TTL);
	assert_true(neigh_lookup_ha(&A, link_ab->a.dev, ip("10.0.0.2"), ha, &st));
	assert_memory_equal(ha, link_ab->b.dev->dev_addr, 6);
	assert_int_equal(st, NUD_REACHABLE);
	/* B learned A from the request addressed to it */
	assert_true(neigh_lookup_ha(&B, link_ab->b.dev, ip("10.0.0.1"), ha, &st));
	assert_memory_equal(ha, link_ab->a.dev->dev_addr, 6);
	assert_int_equal(B.mib.icmp_in_type[ICMP_ECHO], 1);
	assert_int_equal(B.mib.icmp_out_type[ICMP_ECHOREPLY], 1);
	assert_int_equal(A.mib.icmp_in_type[ICMP_ECHOREPLY], 1);
	assert_int_equal(A.mib.arp[ARP_MIB_OUTREQUESTS] >= 1, 1);
	/* no reply from an address nobody has: the ARP gives up, packets are dropped */
	assert_int_equal(ping_once(&A, ip("10.0.0.99"), 77, 2, 56, NSEC_PER_SEC, &rtt, &ttl, &from),
			 -ETIMEDOUT);
	shim_advance_ms(5000);
	assert_true(neigh_lookup_ha(&A, link_ab->a.dev, ip("10.0.0.99"), NULL, &st));
	assert_int_equal(st, NUD_FAILED);
	assert_int_equal(A.mib.arp[ARP_MIB_RESOLVEFAILED], 1);
	/* the GC work removes the failed entry */
	shim_advance_ms(NEIGH_GC_INTERVAL_MS + 1000);
	assert_false(neigh_lookup_ha(&A, link_ab->a.dev, ip("10.0.0.99"), NULL, &st));
}

static void test_arp_ages_and_reresolves(void **state)
{
	u64 rtt;
	u8 ttl, st;
	be32 from;

	assert_int_equal(ping_once(&A, ip("10.0.0.2"), 1, 1, 8, NSEC_PER_SEC, &rtt, &ttl, &from), 0);
	shim_advance_ms(ARP_REACHABLE_MS * 3 / 2 + 1000);
	assert_true(neigh_lookup_ha(&A, link_ab->a.dev, ip("10.0.0.2"), NULL, &st));
	assert_int_equal(st, NUD_STALE);
	/* used while stale: DELAY, then a unicast probe confirms it */
	u64 req = A.mib.arp[ARP_MIB_OUTREQUESTS];
	assert_int_equal(ping_once(&A, ip("10.0.0.2"), 1, 2, 8, NSEC_PER_SEC, &rtt, &ttl, &from), 0);
	assert_true(neigh_lookup_ha(&A, link_ab->a.dev, ip("10.0.0.2"), NULL, &st));
	assert_int_equal(st, NUD_DELAY);
	shim_advance_ms(ARP_DELAY_PROBE_MS + 2000);
	assert_true(neigh_lookup_ha(&A, link_ab->a.dev, ip("10.0.0.2"), NULL, &st));
	assert_int_equal(st, NUD_REACHABLE);
	assert_int_equal(A.mib.arp[ARP_MIB_OUTREQUESTS], req + 1);
	/* unused stale entries are collected */
	shim_advance_ms(ARP_REACHABLE_MS * 2 + ARP_GC_STALE_MS + NEIGH_GC_INTERVAL_MS * 2);
	assert_false(neigh_lookup_ha(&A, link_ab->a.dev, ip("10.0.0.2"), NULL, &st));
}

static void test_udp_both_ways(void **state)
{
	struct sock *sa, *sb;
	struct udp_rx_info info;
	char buf[64];

	assert_int_equal(udp_sock_create(&A, &sa), 0);
	assert_int_equal(udp_sock_create(&B, &sb), 0);
	assert_int_equal(udp_bind(sb, to_be32(0), 7777), 0);
	assert_int_equal(udp_sendmsg(sa, "hello", 5, ip("10.0.0.2"), 7777), 5);
	assert_int_equal(udp_recvmsg(sb, buf, sizeof(buf), &info, 0, shim_now_ns() + NSEC_PER_SEC), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_true(be32_eq(info.saddr, ip("10.0.0.1")));
	assert_true(info.sport >= INET_PORT_LOW && info.sport <= INET_PORT_HIGH);
	assert_int_equal(udp_sendmsg(sb, "world!", 6, info.saddr, info.sport), 6);
	assert_int_equal(udp_recvmsg(sa, buf, 3, &info, 0, shim_now_ns() + NSEC_PER_SEC), 3);
	assert_true(info.truncated);
	assert_int_equal(B.mib.udp[UDP_MIB_INDATAGRAMS], 1);
	assert_int_equal(A.mib.udp[UDP_MIB_OUTDATAGRAMS], 1);
	/* nothing more: a non-blocking read says so, a blocking one times out */
	assert_int_equal(udp_recvmsg(sa, buf, 3, NULL, MSG_DONTWAIT, 0), -EAGAIN);
	assert_int_equal(udp_recvmsg(sa, buf, 3, NULL, 0, shim_now_ns() + 100 * NSEC_PER_MSEC), -EAGAIN);
	/* the port is taken */
	struct sock *sc;
	assert_int_equal(udp_sock_create(&B, &sc), 0);
	assert_int_equal(udp_bind(sc, to_be32(0), 7777), -EADDRINUSE);
	udp_sock_release(sc);
	/* broadcast needs SO_BROADCAST */
	assert_int_equal(udp_sendmsg(sa, "x", 1, ip("10.0.0.255"), 7777), -EACCES);
	sa->broadcast = true;
	assert_int_equal(udp_sendmsg(sa, "bcast", 5, ip("10.0.0.255"), 7777), 5);
	assert_int_equal(udp_recvmsg(sb, buf, sizeof(buf), &info, 0, shim_now_ns() + NSEC_PER_SEC), 5);
	assert_int_equal(B.mib.ip[IPSTATS_MIB_INBCASTPKTS], 1);
	udp_sock_release(sa);
	udp_sock_release(sb);
}

static void test_udp_port_unreachable_reported(void **state)
{
	struct sock *sa;
	char buf[8];

	assert_int_equal(udp_sock_create(&A, &sa), 0);
	assert_int_equal(udp_connect(sa, ip("10.0.0.2"), 9999), 0);
	assert_int_equal(udp_sendmsg(sa, "knock", 5, to_be32(0), 0), 5);
	assert_int_equal(udp_recvmsg(sa, buf, sizeof(buf), NULL, 0, shim_now_ns() + NSEC_PER_SEC),
			 -ECONNREFUSED);
	assert_int_equal(B.mib.udp[UDP_MIB_NOPORTS], 1);
	assert_int_equal(B.mib.icmp_out_type[ICMP_DEST_UNREACH], 1);
	assert_int_equal(A.mib.icmp_in_type[ICMP_DEST_UNREACH], 1);
	/* reported once */
	assert_int_equal(udp_recvmsg(sa, buf, sizeof(buf), NULL, MSG_DONTWAIT, 0), -EAGAIN);
	udp_sock_release(sa);
}

static void test_fragmentation_both_ways(void **state)
{
	static u8 big[8000], got[9000];
	struct sock *sa, *sb;
	struct udp_rx_info info;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i * 7);
	assert_int_equal(udp_sock_create(&A, &sa), 0);
	assert_int_equal(udp_sock_create(&B, &sb), 0);
	assert_int_equal(udp_bind(sb, to_be32(0), 7), 0);
	assert_int_equal(udp_sendmsg(sa, big, sizeof(big), ip("10.0.0.2"), 7), (int)sizeof(big));
	assert_int_equal(udp_recvmsg(sb, got, sizeof(got), &info, 0, shim_now_ns() + NSEC_PER_SEC),
			 (int)sizeof(big));
	assert_memory_equal(got, big, sizeof(big));
	/* 8008 bytes of UDP over 1480-byte fragment payloads: 6 fragments */
	assert_int_equal(A.mib.ip[IPSTATS_MIB_FRAGCREATES], 6);
	assert_int_equal(A.mib.ip[IPSTATS_MIB_FRAGOKS], 1);
	assert_int_equal(B.mib.ip[IPSTATS_MIB_REASMREQDS], 6);
	assert_int_equal(B.mib.ip[IPSTATS_MIB_REASMOKS], 1);
	/* and back */
	assert_int_equal(udp_sendmsg(sb, big, sizeof(big), info.saddr, info.sport), (int)sizeof(big));
	assert_int_equal(udp_recvmsg(sa, got, sizeof(got), NULL, 0, shim_now_ns() + NSEC_PER_SEC),
			 (int)sizeof(big));
	assert_memory_equal(got, big, sizeof(big));
	/* the largest datagram */
	static u8 huge[65507];
	assert_int_equal(udp_sendmsg(sa, huge, sizeof(huge), ip("10.0.0.2"), 7), (int)sizeof(huge));
	assert_int_equal(udp_recvmsg(sb, got, sizeof(got), NULL, 0, shim_now_ns() + NSEC_PER_SEC),
			 (int)sizeof(got));
	assert_int_equal(udp_sendmsg(sa, huge, sizeof(huge) + 1, ip("10.0.0.2"), 7), -EMSGSIZE);
	udp_sock_release(sa);
	udp_sock_release(sb);
}

/* Drops every fragment but the first (offset 0) going a -> b. */
static bool drop_later_frags(void *arg, int dir, u8 *f, u32 *len)
{
	return dir == 0 && *len > 34 && rd_be16(f + 12) == ETH_P_IP && (rd_be16(f + 20) & IP_OFFSET);
}

static void test_reassembly_timeout(void **state)
{
	static u8 big[3000];
	struct sock *sa, *sb;

	assert_int_equal(udp_sock_create(&A, &sa), 0);
	assert_int_equal(udp_sock_create(&B, &sb), 0);
	assert_int_equal(udp_bind(sb, to_be32(0), 7), 0);
	link_ab->filter = drop_later_frags;
	assert_int_equal(udp_sendmsg(sa, big, sizeof(big), ip("10.0.0.2"), 7), (int)sizeof(big));
	shim_run_pending();
	assert_int_equal(B.ipv4.frag_nqueues, 1);
	shim_advance_ms(IPFRAG_TIME_MS - 100);
	assert_int_equal(B.ipv4.frag_nqueues, 1);
	shim_advance_ms(200);
	assert_int_equal(B.ipv4.frag_nqueues, 0);
	assert_int_equal(B.ipv4.frag_mem, 0);
	assert_int_equal(B.mib.ip[IPSTATS_MIB_REASMTIMEOUT], 1);
	/* "fragment reassembly time exceeded" went back to A (RFC 1122 3.3.2) */
	assert_int_equal(A.mib.icmp_in_type[ICMP_TIME_EXCEEDED], 1);
	link_ab->filter = NULL;
	udp_sock_release(sa);
	udp_sock_release(sb);
}

static void test_icmp_rate_limit(void **state)
{
	struct sock *sa;
	u64 limited = B.mib.icmp[ICMP_MIB_RATELIMITGLOBAL];
	u64 rtt;
	u8 ttl;
	be32 from;

	/* resolve first: an unresolved neighbour queues only ARP_QUEUE_LEN packets */
	assert_int_equal(ping_once(&A, ip("10.0.0.2"), 1, 1, 8, NSEC_PER_SEC, &rtt, &ttl, &from), 0);
	shim_advance_ms(1000);
	assert_int_equal(udp_sock_create(&A, &sa), 0);
	/* a burst of datagrams to a closed port: only ICMP_RATE_BURST replies */
	for (int i = 0; i < ICMP_RATE_BURST + 20; i++)
		assert_int_equal(udp_sendmsg(sa, "x", 1, ip("10.0.0.2"), 9), 1);
	shim_run_pending();
	assert_int_equal(B.mib.icmp_out_type[ICMP_DEST_UNREACH], ICMP_RATE_BURST);
	assert_int_equal(B.mib.icmp[ICMP_MIB_RATELIMITGLOBAL] - limited, 20);
	/* tokens come back with time */
	shim_advance_ms(1000);
	assert_int_equal(udp_sendmsg(sa, "x", 1, ip("10.0.0.2"), 9), 1);
	shim_run_pending();
	assert_int_equal(B.mib.icmp_out_type[ICMP_DEST_UNREACH], ICMP_RATE_BURST + 1);
	udp_sock_release(sa);
}

static void test_forwarding_off(void **state)
{
	/* A sends to an address B does not own, through B as gateway: B drops and counts */
	struct sock *sa;

	assert_int_equal(fib_route_add(&A, ip("192.168.0.0"), 16, ip("10.0.0.2"),
				       link_ab->a.dev->ifindex, 0, RTPROT_STATIC), 0);
	assert_int_equal(udp_sock_create(&A, &sa), 0);
	assert_int_equal(udp_sendmsg(sa, "fw", 2, ip("192.168.1.1"), 53), 2);
	shim_run_pending();
	assert_int_equal(B.mib.ip[IPSTATS_MIB_INADDRERRORS], 1);
	assert_int_equal(B.mib.ip[IPSTATS_MIB_OUTFORWDATAGRAMS], 0);
	/* no route at all */
	assert_int_equal(udp_sendmsg(sa, "x", 1, ip("172.16.0.1"), 53), -ENETUNREACH);
	udp_sock_release(sa);
}

static void test_loopback_delivery(void **state)
{
	struct sock *s1, *s2;
	char buf[16];
	u64 rtt;
	u8 ttl;
	be32 from;

	assert_int_equal(udp_sock_create(&A, &s1), 0);
	assert_int_equal(udp_sock_create(&A, &s2), 0);
	assert_int_equal(udp_bind(s2, ip("127.0.0.1"), 5000), 0);
	assert_int_equal(udp_sendmsg(s1, "lo", 2, ip("127.0.0.1"), 5000), 2);
	assert_int_equal(udp_recvmsg(s2, buf, sizeof(buf), NULL, 0, shim_now_ns() + NSEC_PER_SEC), 2);
	/* our own Ethernet address goes through lo too */
	assert_int_equal(ping_once(&A, ip("10.0.0.1"), 5, 1, 32, NSEC_PER_SEC, &rtt, &ttl, &from), 0);
	assert_int_equal(link_ab->a.dev->stats.tx_packets > 0, 1);
	udp_sock_release(s1);
	udp_sock_release(s2);
}

/* ---- a tiny DHCP server on B (port 67), answering in softirq context ---- */
static int dhcp_offers, dhcp_acks, dhcp_naks;
static bool dhcp_nak_next;
static void fake_dhcp_ready(struct sock *sk)
{
	u8 buf[1500], out[600];
	struct dhcp_msg m, r;
	int n;

	while ((n = udp_recvmsg(sk, buf, sizeof(buf), NULL, MSG_DONTWAIT, 0)) > 0) {
		if (dhcp_parse(buf, (size_t)n, &m) || m.op != 1)
			continue;
		memset(&r, 0, sizeof(r));
		r.op = 2;
		r.xid = m.xid;
		r.flags = m.flags;
		memcpy(r.chaddr, m.chaddr, 6);
		r.yiaddr = ip("10.0.0.50");
		r.server_id = ip("10.0.0.2");
		r.subnet_mask = ip("255.255.255.0");
		r.router = ip("10.0.0.2");
		r.dns[0] = ip("10.0.0.2");
		r.ndns = 1;
		r.lease = 600;
		if (m.type == DHCPDISCOVER) {
			r.type = DHCPOFFER;
			dhcp_offers++;
		} else if (m.type == DHCPREQUEST && dhcp_nak_next) {
			r.type = DHCPNAK;
			r.yiaddr = to_be32(0);
			dhcp_nak_next = false;
			dhcp_naks++;
		} else if (m.type == DHCPREQUEST) {
			r.type = DHCPACK;
			dhcp_acks++;
		} else {
			continue;
		}
		size_t len = dhcp_build(&r, out, sizeof(out));
		/* the client has no address yet: broadcast, as the flag asks (4.1) */
		udp_sendmsg(sk, out, len, m.ciaddr.v ? m.ciaddr : ip("255.255.255.255"), 68);
	}
}

static void test_dhcp_client(void **state)
{
	struct net_device *dev = link_ab->a.dev;
	struct sock *srv;
	struct rtable rt;
	struct flowi4 fl = { .daddr = ip("8.8.8.8") };

	inet_addr_flush(dev);
	dhcp_offers = dhcp_acks = dhcp_naks = 0;
	assert_int_equal(udp_sock_create(&B, &srv), 0);
	srv->broadcast = true;
	srv->sk_data_ready = fake_dhcp_ready;
	assert_int_equal(udp_bind(srv, to_be32(0), 67), 0);

	assert_int_equal(dhcp_start(dev), 0);
	assert_int_equal(dhcp_get_state(dev), DHCP_INIT);
	shim_advance_ms(DHCP_START_DELAY_MS); /* the random start delay, then no waiting */
	assert_int_equal(dhcp_offers, 1);
	assert_int_equal(dhcp_acks, 1);
	assert_int_equal(dhcp_get_state(dev), DHCP_BOUND);
	assert_true(be32_eq(inet_select_addr(dev, ip("10.0.0.2")), ip("10.0.0.50")));
	assert_int_equal(ip_route_output(&A, &fl, &rt), 0); /* default route via the router */
	assert_true(be32_eq(rt.nexthop, ip("10.0.0.2")));
	assert_int_equal(A.dns.nservers, 1);
	/* T1 = 300 s: a unicast renewal, ACKed */
	shim_advance_ms(301 * 1000);
	assert_int_equal(dhcp_acks, 2);
	assert_int_equal(dhcp_get_state(dev), DHCP_BOUND);
	/* the server NAKs the next renewal: back to INIT, address gone, then a new lease */
	dhcp_nak_next = true;
	shim_advance_ms(301 * 1000);
	assert_int_equal(dhcp_naks, 1);
	shim_advance_ms(20000);
	assert_int_equal(dhcp_get_state(dev), DHCP_BOUND);
	assert_int_equal(dhcp_offers, 2);
	dhcp_stop(dev);
	assert_false(inet_dev_has_addr(dev));
	udp_sock_release(srv);
}

/* ---- a tiny DNS server on B (port 53) ---- */
static int dns_served;
static void fake_dns_ready(struct sock *sk)
{
	u8 q[512], r[512];
	struct udp_rx_info info;
	int n;

	while ((n = udp_recvmsg(sk, q, sizeof(q), &info, MSG_DONTWAIT, 0)) > 0) {
		memcpy(r, q, (size_t)n);
		r[2] = 0x81;
		r[3] = 0x80;
		wr_be16(r + 6, 1); /* one answer: a pointer to the question name */
		u8 rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 42 };
		memcpy(r + n, rr, sizeof(rr));
		dns_served++;
		udp_sendmsg(sk, r, (size_t)n + sizeof(rr), info.saddr, info.sport);
	}
}

static void test_dns_resolve(void **state)
{
	struct sock *srv;
	be32 addr, server = ip("10.0.0.2");

	dns_served = 0;
	assert_int_equal(udp_sock_create(&B, &srv), 0);
	srv->sk_data_ready = fake_dns_ready;
	assert_int_equal(udp_bind(srv, to_be32(0), 53), 0);
	assert_int_equal(dns_resolve_net(&A, "example.test", &addr, NSEC_PER_SEC), -ENETUNREACH);
	dns_set_servers(&A, &server, 1);
	assert_int_equal(dns_resolve_net(&A, "example.test", &addr, NSEC_PER_SEC), 0);
	assert_true(be32_eq(addr, ip("10.0.0.42")));
	assert_int_equal(dns_served, 1);
	/* cached for the TTL (60 s) */
	assert_int_equal(dns_resolve_net(&A, "EXAMPLE.test", &addr, NSEC_PER_SEC), 0);
	assert_int_equal(dns_served, 1);
	shim_advance_ms(61000);
	assert_int_equal(dns_resolve_net(&A, "example.test", &addr, NSEC_PER_SEC), 0);
	assert_int_equal(dns_served, 2);
	/* a dotted quad needs no server */
	assert_int_equal(dns_resolve_net(&A, "1.2.3.4", &addr, NSEC_PER_SEC), 0);
	udp_sock_release(srv);
	/* no server listening now: ICMP port unreachable ends the try early, then timeout */
	dns_cache_flush(&A);
	assert_int_equal(dns_resolve_net(&A, "example.test", &addr, 3 * NSEC_PER_SEC), -ETIMEDOUT);
}

/* The point of seqos: each step runs in the context Linux runs it in, and the trace
 * says so. One datagram A -> B, read by a "thread" on B. */
static const struct trace_rec *find_rec(const struct trace_rec *r, size_t n, u16 ev, u64 pkt)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].event == ev && r[i].phase != TRACE_END && (!pkt || r[i].pkt == pkt))
			return &r[i];
	return NULL;
}

static void test_trace_contexts(void **state)
{
	static struct trace_rec recs[1 << 14];
	const struct trace_rec *r;
	struct sock *sa, *sb;
	char buf[16];
	u64 rx_id;
	size_t n;
	u64 rtt;
	u8 ttl;
	be32 from;

	assert_int_equal(ping_once(&A, ip("10.0.0.2"), 1, 1, 8, NSEC_PER_SEC, &rtt, &ttl, &from), 0);
	assert_int_equal(udp_sock_create(&A, &sa), 0);
	assert_int_equal(udp_sock_create(&B, &sb), 0);
	assert_int_equal(udp_bind(sb, to_be32(0), 4000), 0);
	trace_clear();
	assert_int_equal(udp_sendmsg(sa, "ctx", 3, ip("10.0.0.2"), 4000), 3);
	assert_int_equal(udp_recvmsg(sb, buf, sizeof(buf), NULL, 0, shim_now_ns() + NSEC_PER_SEC), 3);
	n = trace_consume(0, recs, ARRAY_SIZE(recs));
	assert_true(n > 10);
	/* send side: all in the sending thread */
	assert_non_null(r = find_rec(recs, n, TR_udp_sendmsg, 0));
	assert_int_equal(r->ctx_kind, CTX_THREAD);
	assert_non_null(r = find_rec(recs, n, TR_ip_queue_xmit, 0));
	assert_int_equal(r->ctx_kind, CTX_THREAD);
	assert_non_null(r = find_rec(recs, n, TR_dev_hard_start_xmit, r->pkt));
	assert_int_equal(r->ctx_kind, CTX_THREAD);
	/* the NIC interrupt hands off to NET_RX */
	assert_non_null(r = find_rec(recs, n, TR_napi_schedule, 0));
	assert_int_equal(r->ctx_kind, CTX_HARDIRQ);
	assert_int_equal(r->a0, TRACE_CTX(CTX_SOFTIRQ, NET_RX_SOFTIRQ));
	/* receive side: the stack up to the socket in NET_RX softirq */
	assert_non_null(r = find_rec(recs, n, TR_udp_rcv, 0));
	assert_int_equal(r->ctx_kind, CTX_SOFTIRQ);
	assert_int_equal(r->ctx_id, NET_RX_SOFTIRQ);
	rx_id = r->pkt;
	static const u16 rx_steps[] = { TR_net_rx_action, TR_napi_poll, TR_netif_receive_skb,
					TR_ip_rcv, TR_ip_rcv_finish, TR_ip_local_deliver,
					TR_udp_queue_rcv_skb, TR_sk_data_ready };
	for (size_t i = 0; i < ARRAY_SIZE(rx_steps); i++) {
		assert_non_null(r = find_rec(recs, n, rx_steps[i], 0));
		assert_int_equal(r->ctx_kind, CTX_SOFTIRQ);
	}
	assert_non_null(find_rec(recs, n, TR_ip_rcv, rx_id)); /* one packet id end to end */
	/* and the thread picks it up */
	assert_non_null(r = find_rec(recs, n, TR_udp_recvmsg, rx_id));
	assert_int_equal(r->ctx_kind, CTX_THREAD);
	udp_sock_release(sa);
	udp_sock_release(sb);
}

static void test_link_flap(void **state)
{
	struct net_device *dev = link_ab->a.dev;
	u64 req;
	u8 st;
	u64 rtt;
	u8 ttl;
	be32 from;

	assert_int_equal(ping_once(&A, ip("10.0.0.2"), 1, 1, 8, NSEC_PER_SEC, &rtt, &ttl, &from), 0);
	netif_carrier_off(dev);
	assert_false(dev->flags & IFF_RUNNING);
	assert_false(neigh_lookup_ha(&A, dev, ip("10.0.0.2"), NULL, &st)); /* flushed */
	req = A.mib.arp[ARP_MIB_OUTREQUESTS];
	netif_carrier_on(dev);
	shim_run_pending();
	assert_int_equal(A.mib.arp[ARP_MIB_OUTREQUESTS], req + 1); /* gratuitous ARP */
	assert_int_equal(ping_once(&A, ip("10.0.0.2"), 1, 2, 8, NSEC_PER_SEC, &rtt, &ttl, &from), 0);
}

static void test_dhcp_rebind_and_expiry(void **state)
{
	struct net_device *dev = link_ab->a.dev;
	struct sock *srv;

	inet_addr_flush(dev);
	dhcp_offers = dhcp_acks = dhcp_naks = 0;
	assert_int_equal(udp_sock_create(&B, &srv), 0);
	srv->broadcast = true;
	srv->sk_data_ready = fake_dhcp_ready;
	assert_int_equal(udp_bind(srv, to_be32(0), 67), 0);
	assert_int_equal(dhcp_start(dev), 0);
	shim_advance_ms(11000);
	assert_int_equal(dhcp_get_state(dev), DHCP_BOUND);
	/* the server goes away: renew fails, then rebind fails, then the lease ends */
	udp_sock_release(srv);
	shim_advance_ms(301 * 1000);
	assert_int_equal(dhcp_get_state(dev), DHCP_RENEWING);
	shim_advance_ms(230 * 1000); /* past T2 = 525 s */
	assert_int_equal(dhcp_get_state(dev), DHCP_REBINDING);
	assert_true(inet_dev_has_addr(dev)); /* still ours until the lease ends */
	shim_advance_ms(80 * 1000);  /* past 600 s */
	assert_false(inet_dev_has_addr(dev));
	assert_int_equal(dhcp_get_state(dev) == DHCP_SELECTING || dhcp_get_state(dev) == DHCP_INIT, 1);
	dhcp_stop(dev);
}

static void test_cmdline_static_config(void **state)
{
	struct simlink *l;
	struct rtable rt;
	struct flowi4 fl = { .daddr = ip("1.1.1.1") };

	assert_int_equal(net_config_from_cmdline("10.9.0.5/16", "bad", NULL), -EINVAL);
	assert_int_equal(net_config_from_cmdline("10.9.0.5/16", "10.9.0.1", "10.9.0.53"), 0);
	l = simlink_create(&init_net, NULL, 0x10); /* the driver registers later */
	assert_true(be32_eq(inet_select_addr(l->a.dev, ip("10.9.1.1")), ip("10.9.0.5")));
	assert_int_equal(ip_route_output(&init_net, &fl, &rt), 0);
	assert_true(be32_eq(rt.nexthop, ip("10.9.0.1")));
	assert_ptr_equal(rt.dev, l->a.dev);
	assert_true(be32_eq(init_net.dns.servers[0], ip("10.9.0.53")));
	simlink_destroy(l);
	/* the device went: so did its address and routes */
	assert_int_equal(ip_route_output(&init_net, &fl, &rt), -ENETUNREACH);
	dns_set_servers(&init_net, NULL, 0);
}

static void test_shell_net_commands(void **state)
{
	extern int net_cmd_netstat(int, char **);
	extern int net_cmd_arp(int, char **);
	extern int net_cmd_route(int, char **);
	char *ns[] = { "netstat", "-s" }, *one[] = { "x" };

	shim_console_clear();
	assert_int_equal(net_cmd_netstat(2, ns), 0);
	assert_non_null(strstr(shim_console(), "InReceives"));
	assert_non_null(strstr(shim_console(), "ReasmOverlaps"));
	assert_non_null(strstr(shim_console(), "NoPorts"));
	assert_int_equal(net_cmd_arp(1, one), 0);
	assert_non_null(strstr(shim_console(), "HWaddress"));
	{ /* arp set: the cache's timeouts, checked, per namespace */
		char *set[] = { "arp", "set", "base_reachable_time_ms", "1500" };
		char *bad[] = { "arp", "set", "base_reachable_time_ms", "0" };
		char *unk[] = { "arp", "set", "nonsense_ms", "10" };

		assert_int_equal(net_cmd_arp(4, set), 0);
		assert_int_equal(init_net.ipv4.neigh_parms.base_reachable_time_ms, 1500);
		assert_int_equal(net_cmd_arp(4, bad), 1);
		assert_int_equal(net_cmd_arp(4, unk), 1);
		assert_int_equal(init_net.ipv4.neigh_parms.base_reachable_time_ms, 1500);
		assert_int_equal(init_net.ipv4.neigh_parms.gc_stale_time_ms, ARP_GC_STALE_MS);
		init_net.ipv4.neigh_parms.base_reachable_time_ms = ARP_REACHABLE_MS;
	}
	assert_int_equal(net_cmd_route(1, one), 0);
	assert_non_null(strstr(shim_console(), "Genmask"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ping_resolves_arp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arp_ages_and_reresolves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_port_unreachable_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragmentation_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassembly_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forwarding_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback_delivery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dhcp_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_contexts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_flap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dhcp_rebind_and_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_static_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_net_commands, setup, teardown),
	};
	return cmocka_run_group_tests_name("net_ipv4", tests, NULL, NULL);
}
