/* Shared set-up for the libFuzzer targets: one namespace per input with a single-ended
 * simulated NIC (10.0.0.1/24, MAC 02:00:00:00:00:01), frames injected as if from the
 * wire, everything run to quiescence, time advanced past every timeout, then torn down.
 * A leak of a buffer or of heap is a crash (abort), so the fuzzer reports it. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <net/ethernet.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/netdevice.h>
#include <seqos/timer.h>
#include <seqos/trace.h>
#include <shim.h>
#include <simlink.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const u8 fz_peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };

struct fz {
	struct net net;
	struct simlink *l;
	u64 pools, heap;
};

static inline void fz_global_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	timers_init();
	trace_init(1 << 12);
	trace_set_mask(TRC_ALL); /* trace code runs too */
	net_init();
}

static inline void fz_begin(struct fz *f)
{
	be32 a;

	fz_global_init();
	shim_run_pending();
	skb_pools_shrink();
	f->pools = skb_pools_in_use();
	f->heap = shim_kmalloc_in_use();
	if (net_ns_init(&f->net, "fuzz"))
		abort();
	f->l = simlink_create(&f->net, NULL, 0);
	in4_pton("10.0.0.1", &a);
	inet_addr_add(f->l->a.dev, a, 24);
	shim_run_pending();
	while (simlink_captured(&f->l->a)) { /* the gratuitous ARP */
		u8 buf[64];
		simlink_pop_frame(&f->l->a, buf, sizeof(buf));
	}
}

/* Delivers one frame (Ethernet header included) and runs what follows. */
static inline void fz_frame(struct fz *f, const u8 *data, size_t len)
{
	u8 buf[2048];

	if (len > sizeof(buf))
		len = sizeof(buf);
	simlink_inject(&f->l->a, data, len);
	shim_run_pending();
	while (simlink_captured(&f->l->a))
		simlink_pop_frame(&f->l->a, buf, sizeof(buf));
}

/* Frames with our MAC as destination, the peer's as source, and the given ethertype. */
static inline void fz_eth(struct fz *f, u16 type, const u8 *payload, size_t len)
{
	u8 buf[2048];

	if (len > sizeof(buf) - ETH_HLEN)
		len = sizeof(buf) - ETH_HLEN;
	memcpy(buf, f->l->a.dev->dev_addr, 6);
	memcpy(buf + 6, fz_peer_mac, 6);
	wr_be16(buf + 12, type);
	memcpy(buf + 14, payload, len);
	fz_frame(f, buf, len + ETH_HLEN);
}

/* An IPv4 datagram from 10.0.0.2 to 10.0.0.1 around payload, valid header checksum. */
static inline void fz_ip(struct fz *f, u8 proto, const u8 *payload, size_t len)
{
	u8 buf[2048];
	struct ip_repr r = { .ttl = 64, .protocol = proto };

	if (len > sizeof(buf) - 20)
		len = sizeof(buf) - 20;
	in4_pton("10.0.0.2", &r.saddr);
	in4_pton("10.0.0.1", &r.daddr);
	r.tot_len = (u16)(20 + len);
	r.id = 1;
	ip_emit(&r, buf, sizeof(buf));
	memcpy(buf + 20, payload, len);
	fz_eth(f, ETH_P_IP, buf, len + 20);
}

static inline void fz_end(struct fz *f)
{
	shim_advance_ns(120ULL * 1000000000ULL); /* past ARP, reassembly, rate limits */
	simlink_destroy(f->l);
	net_ns_exit(&f->net);
	shim_run_pending();
	skb_pools_shrink();
	if (skb_pools_in_use() != f->pools || shim_kmalloc_in_use() != f->heap) {
		fprintf(stderr, "fuzz: leak: pools %llu -> %llu, heap %llu -> %llu\n",
			(unsigned long long)f->pools, (unsigned long long)skb_pools_in_use(),
			(unsigned long long)f->heap, (unsigned long long)shim_kmalloc_in_use());
		abort();
	}
	if (shim_bh_depth() || shim_preempt_depth())
		abort();
}

#endif
