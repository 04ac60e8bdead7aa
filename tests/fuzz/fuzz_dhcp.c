/* Fuzz target: DHCP replies to a running client. The pure parser sees the raw bytes;
 * then the bytes go to the client on UDP 68 with the client's xid and MAC patched in, in
 * each of its states (selecting, then whatever the message leads to). */
#include "fuzz_common.h"

#include <net/dhcp.h>
#include <net/udp.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fz f;
	struct dhcp_msg m;
	u8 buf[1500], out[600];
	struct sock *srv;
	be32 bcast;

	if (!dhcp_parse(data, size, &m) && dhcp_build(&m, out, sizeof(out)) == 0)
		abort();
	if (size > sizeof(buf))
		size = sizeof(buf);
	fz_begin(&f);
	inet_addr_flush(f.l->a.dev);
	if (dhcp_start(f.l->a.dev))
		abort();
	shim_advance_ns(11ULL * 1000000000ULL); /* DISCOVER sent: SELECTING */
	if (udp_sock_create(&f.net, &srv))
		abort();
	srv->broadcast = true;
	in4_pton("255.255.255.255", &bcast);
	/* the client's xid, from the DISCOVER it sent */
	u8 frame[1600];
	u32 xid = 0;
	int n;
	while ((n = simlink_pop_frame(&f.l->a, frame, sizeof(frame))) > 0)
		if (n > 14 + 20 + 8 + 8 && rd_be16(frame + 14 + 20 + 2) == 67)
			xid = rd_be32(frame + 14 + 20 + 8 + 4);
	for (int round = 0; round < 2; round++) {
		memcpy(buf, data, size);
		if (size >= 34) {
			wr_be32(buf + 4, xid);
			memcpy(buf + 28, f.l->a.dev->dev_addr, 6);
		}
		/* from a fake server in the same namespace, broadcast on the wire */
		struct ip_repr ir = { .ttl = 64, .protocol = IPPROTO_UDP, .id = 7 };
		u8 pkt[1600];
		struct udp_repr ur = { .sport = 67, .dport = 68 };
		in4_pton("10.0.0.2", &ir.saddr);
		ir.daddr = bcast;
		ir.tot_len = (u16)(20 + 8 + size);
		ip_emit(&ir, pkt, sizeof(pkt));
		memcpy(pkt + 28, buf, size);
		udp_emit(&ur, pkt + 20, sizeof(pkt) - 20, size, ir.saddr, ir.daddr);
		u8 eth[1700];
		memset(eth, 0xff, 6);
		memcpy(eth + 6, fz_peer_mac, 6);
		wr_be16(eth + 12, ETH_P_IP);
		memcpy(eth + 14, pkt, 28 + size);
		fz_frame(&f, eth, 14 + 28 + size);
	}
	udp_sock_release(srv);
	dhcp_stop(f.l->a.dev);
	fz_end(&f);
	return 0;
}
