/* ping: ICMP echo from the shell (the `ping` command; Linux has this in userspace over
 * net/ipv4/ping.c's sockets).
 *   shell thread: net_cmd_ping -> ping_send -> ip_queue_xmit ... sleeps on the session
 *   NET_RX softirq: icmp_rcv -> ping_rcv -> matches (ident, seq, source), wakes it.
 * Sessions live on net->ipv4.ping_list under icmp_lock (bh off). */
#include <net/dns.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <seqos/errno.h>
#include <seqos/random.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>
#include <seqos/trace.h>

struct ping_session {
	struct list_head list;
	be32 daddr;
	u16 ident, seq;
	bool replied;
	u8 ttl;
	u32 bytes;
	u64 sent_ns, rtt_ns;
	struct wait_queue_head wq;
};

int ping_send(struct net *net, be32 daddr, u16 ident, u16 seq, u32 size)
{
	struct flowi4 fl = { .daddr = daddr, .proto = IPPROTO_ICMP, .flags = FLOWI_F_BROADCAST };
	struct icmp_repr r = { .type = ICMP_ECHO, .ident = ident, .seq = seq };
	struct sk_buff *skb;
	u8 *p;

	if (size > IP_MAX_DATAGRAM - 20 - 8)
		return -EMSGSIZE;
	skb = alloc_skb(MAX_HEADER + 8 + size);
	if (!skb)
		return -ENOBUFS;
	skb_reserve(skb, MAX_HEADER);
	p = skb_put(skb, 8 + size);
	for (u32 i = 0; i < size; i++)
		p[8 + i] = (u8)i;
	if (size >= 8) { /* a timestamp in the payload, as ping(8) does */
		u64 now = ktime_get_ns();
		memcpy(p + 8, &now, 8);
	}
	icmp_emit(&r, p, 8 + size, size);
	ICMP_INC_STATS(net, ICMP_MIB_OUTMSGS);
	net->mib.icmp_out_type[ICMP_ECHO]++;
	return ip_queue_xmit(net, skb, &fl, NULL);
}

void ping_rcv(struct sk_buff *skb, const struct icmp_repr *r)
{
	struct net *net = dev_net(skb->dev);
	const u8 *nh = skb_network_header(skb);
	be32 saddr = to_be32(rd_be32(nh + 12));
	struct ping_session *s;

	trace_event(ping_rcv, skb->id, r->ident, r->seq);
	spin_lock_bh(&net->ipv4.icmp_lock);
	list_for_each_entry(s, &net->ipv4.ping_list, list) {
		if (s->ident != r->ident || s->seq != r->seq || s->replied ||
		    (!ipv4_is_lbcast(s->daddr) && !be32_eq(s->daddr, saddr)))
			continue;
		s->replied = true;
		s->rtt_ns = ktime_get_ns() - s->sent_ns;
		s->ttl = nh[8];
		s->bytes = skb->len;
		s->daddr = saddr;
		wake_up(&s->wq);
		break;
	}
	spin_unlock_bh(&net->ipv4.icmp_lock);
}

/* Sends one echo request and waits up to timeout for its reply. Returns 0 with rtt/ttl
 * filled, -ETIMEDOUT, or the send error. Thread context. */
int ping_once(struct net *net, be32 daddr, u16 ident, u16 seq, u32 size, u64 timeout_ns,
	      u64 *rtt_ns, u8 *ttl, be32 *from)
{
	struct ping_session s = { .daddr = daddr, .ident = ident, .seq = seq };
	int err;

	init_waitqueue_head(&s.wq);
	s.sent_ns = ktime_get_ns();
	spin_lock_bh(&net->ipv4.icmp_lock);
	list_add_tail(&s.list, &net->ipv4.ping_list);
	spin_unlock_bh(&net->ipv4.icmp_lock);
	err = ping_send(net, daddr, ident, seq, size);
	if (!err && !wait_event_deadline(&s.wq, READ_ONCE(s.replied), s.sent_ns + timeout_ns))
		err = -ETIMEDOUT;
	spin_lock_bh(&net->ipv4.icmp_lock);
	list_del(&s.list);
	spin_unlock_bh(&net->ipv4.icmp_lock);
	if (!err) {
		*rtt_ns = s.rtt_ns;
		*ttl = s.ttl;
		*from = s.daddr;
	}
	return err;
}

/* ping HOST [count] [size] */
int net_cmd_ping(int argc, char **argv)
{
	struct net *net = &init_net;
	unsigned long count = 4, size = 56;
	u64 min = ~0ULL, max = 0, sum = 0;
	unsigned received = 0;
	u16 ident = (u16)get_random_u32();
	char a[16];
	be32 dst;

	if (argc < 2 || argc > 4)
		goto usage;
	if (argc > 2)
		count = strtoul(argv[2], NULL, 10);
	if (argc > 3)
		size = strtoul(argv[3], NULL, 10);
	if (!count || count > 100000 || size > 65507)
		goto usage;
	if (in4_pton(argv[1], &dst) && dns_resolve(argv[1], &dst, 5 * NSEC_PER_SEC)) {
		kprintf("ping: %s: cannot resolve\n", argv[1]);
		return 1;
	}
	kprintf("PING %s (%s) %lu data bytes\n", argv[1], in_ntoa(dst, a), size);
	for (unsigned long i = 0; i < count; i++) {
		u64 start = ktime_get_ns(), rtt;
		be32 from;
		u8 ttl;
		int err = ping_once(net, dst, ident, (u16)(i + 1), (u32)size, NSEC_PER_SEC, &rtt,
				    &ttl, &from);
		if (!err) {
			received++;
			sum += rtt;
			min = rtt < min ? rtt : min;
			max = rtt > max ? rtt : max;
			kprintf("%lu bytes from %s: icmp_seq=%lu ttl=%u time=%llu.%03llu ms\n",
				size + 8, in_ntoa(from, a), i + 1, ttl,
				(unsigned long long)(rtt / NSEC_PER_MSEC),
				(unsigned long long)(rtt % NSEC_PER_MSEC / 1000));
		} else if (err != -ETIMEDOUT) {
			kprintf("ping: send: error %d\n", err);
		}
		if (i + 1 < count && ktime_get_ns() - start < NSEC_PER_SEC)
			sleep_ns(NSEC_PER_SEC - (ktime_get_ns() - start));
	}
	kprintf("--- %s ping statistics ---\n%lu packets transmitted, %u received, %lu%% packet loss\n",
		argv[1], count, received, (count - received) * 100 / count);
	if (received)
		kprintf("rtt min/avg/max = %llu/%llu/%llu us\n", (unsigned long long)(min / 1000),
			(unsigned long long)(sum / received / 1000),
			(unsigned long long)(max / 1000));
	return received ? 0 : 1;
usage:
	kprintf("usage: ping HOST [count] [size]\n");
	return 1;
}
SHELL_CMD("ping", "ping HOST [count] [size] - ICMP echo", net_cmd_ping);
