/* IPv4 (RFC 791, RFC 1122): header parse/emit, addresses on devices, routing, and the
 * input and output paths.
 *
 * receive: netif_receive_skb -> ip_rcv -> ip_rcv_finish -> ip_local_deliver [-> ip_defrag]
 *          -> net_protocol.handler (icmp_rcv, udp_rcv, tcp_v4_rcv)
 * send:    ip_queue_xmit -> ip_local_out -> ip_output -> ip_finish_output
 *          [-> ip_fragment] -> ip_finish_output2 -> neigh_output -> dev_queue_xmit */
#ifndef NET_IP_H
#define NET_IP_H

#include <net/inet_common.h>
#include <net/netdevice.h>
#include <net/skbuff.h>
#include <seqos/types.h>

struct net;

struct iphdr {
	u8 ver_ihl;   /* version << 4 | header length in 32-bit words */
	u8 tos;
	be16 tot_len;
	be16 id;
	be16 frag_off; /* flags (DF, MF) and offset in 8-byte units */
	u8 ttl;
	u8 protocol;
	be16 check;
	be32 saddr;
	be32 daddr;
} __attribute__((packed));
_Static_assert(sizeof(struct iphdr) == 20, "RFC 791 header without options");

#define IP_CE 0x8000
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define IP_MAX_DATAGRAM 65535

/* A parsed header (STYLE.md 4). */
struct ip_repr {
	u8 ihl;        /* bytes */
	u8 tos, ttl, protocol;
	u16 tot_len, id, frag_off; /* frag_off with flags, host order */
	be32 saddr, daddr;
	bool has_srr;  /* a source route option (we are a host: dropped) */
};

/* Why ip_parse() refused a header; each maps to a counter in ip_rcv(). */
enum {
	IP_PARSE_TRUNCATED = -1, /* shorter than its header or total length */
	IP_PARSE_HDR = -2,       /* version, IHL, total length or options wrong */
	IP_PARSE_CSUM = -3,
};
/* Checks and parses the header at buf (len bytes available): version 4, IHL >= 5 and
 * within len, total length >= IHL and <= len, options well formed, checksum (unless
 * skip_csum). Returns the header length, or IP_PARSE_*. */
int ip_parse(const u8 *buf, size_t len, bool skip_csum, struct ip_repr *out);
/* Writes a 20-byte header (no options) with its checksum; returns 20, or 0 if cap < 20. */
size_t ip_emit(const struct ip_repr *r, u8 *buf, size_t cap);

/* What the IP layer keeps in skb->cb while it holds a packet. */
struct inet_skb_parm {
	int iif;        /* arrived on (ifindex) */
	u16 flags;      /* IPSKB_* */
	u8 rt_type;     /* RTN_* of the destination */
	be32 nexthop;   /* output: the neighbour to send to */
};
#define IPCB(skb) ((struct inet_skb_parm *)((skb)->cb))
#define IPSKB_BROADCAST 1u   /* destination was a broadcast (no ICMP errors for it) */
#define IPSKB_FRAG_COMPLETE 2u

/* Address types (Linux RTN_*). */
enum { RTN_UNSPEC, RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST, RTN_UNREACHABLE };

/* ---- addresses on devices (net/ipv4/devinet.c) ---- */
/* Adds addr/prefixlen to dev with its connected route, and announces it (gratuitous ARP).
 * 0, -EEXIST, -ENOSPC or -EINVAL. Thread or work context. */
int inet_addr_add(struct net_device *dev, be32 addr, int prefixlen);
int inet_addr_del(struct net_device *dev, be32 addr);
void inet_addr_flush(struct net_device *dev);
/* The primary address of dev (for dst's subnet when it has several), 0 if none. */
be32 inet_select_addr(const struct net_device *dev, be32 dst);
/* RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST or RTN_UNICAST, seen from dev (NULL: any). */
int inet_addr_type_dev(struct net *net, const struct net_device *dev, be32 addr);
bool inet_dev_has_addr(const struct net_device *dev);
struct net_device *inet_dev_by_addr(struct net *net, be32 addr);

/* ---- routing (net/ipv4/route.c) ---- */
/* What ip_route_output() decided. */
struct rtable {
	struct net_device *dev;
	be32 nexthop;  /* gateway, or the destination itself when on-link */
	be32 saddr;
	u8 type;       /* RTN_UNICAST, RTN_LOCAL (via loopback), RTN_BROADCAST */
	u32 mtu;
};
/* The flow being routed (Linux flowi4). saddr 0 = choose; oif 0 = by route. */
struct flowi4 {
	int oif;
	be32 daddr, saddr;
	u8 proto, tos, ttl;  /* ttl 0 = default */
	u8 flags;            /* FLOWI_F_* */
};
#define FLOWI_F_DF 1u        /* set Don't Fragment */
#define FLOWI_F_BROADCAST 2u /* the socket allows broadcast destinations */

/* Longest-prefix match, lowest metric. Fills fl->saddr when 0. 0, -ENETUNREACH,
 * -EACCES (broadcast without FLOWI_F_BROADCAST) or -EINVAL. */
int ip_route_output(struct net *net, struct flowi4 *fl, struct rtable *rt);
int fib_route_add(struct net *net, be32 dst, int prefixlen, be32 gw, int ifindex, u32 metric,
		  u8 protocol);
int fib_route_del(struct net *net, be32 dst, int prefixlen, be32 gw, int ifindex);
void fib_flush_dev(struct net *net, int ifindex);
void fib_flush_proto(struct net *net, int ifindex, u8 protocol);

/* ---- input (net/ipv4/ip_input.c) and protocols ---- */
int ip_rcv(struct sk_buff *skb, struct net_device *dev);

/* An ICMP error about a datagram we sent, as protocols see it (net/ipv4/icmp.c). */
struct icmp_err {
	u8 type, code;
	int err;         /* errno it means (RFC 1122 3.2.2.1) */
	bool fatal;      /* hard error: a connected socket should see it */
	u32 info;        /* next-hop MTU for "fragmentation needed" */
	be32 saddr, daddr; /* of the datagram in error (ours -> theirs) */
	u8 protocol;
	const u8 *l4;    /* its first bytes of transport header */
	u32 l4_len;      /* at least 8 */
};

/* An IP protocol handler (Linux net_protocol). handler() gets skb->data at the transport
 * header, consumes skb and returns 0; err_handler() is told of ICMP errors. */
struct net_protocol {
	int (*handler)(struct sk_buff *skb);
	void (*err_handler)(struct net *net, const struct icmp_err *e);
};
int inet_add_protocol(const struct net_protocol *prot, u8 protocol);
const struct net_protocol *inet_get_protocol(u8 protocol);

/* ---- output (net/ipv4/ip_output.c) ---- */
/* Sends skb (data at the transport header, MAX_HEADER headroom) to fl->daddr: routes
 * (unless rt is given), prepends the IP header and goes down the chain. Consumes skb.
 * 0 or -errno (-ENETUNREACH, -EMSGSIZE, -ENOBUFS). Thread or softirq context. */
int ip_queue_xmit(struct net *net, struct sk_buff *skb, struct flowi4 *fl,
		  const struct rtable *rt);
int ip_local_out(struct net *net, struct sk_buff *skb);
u16 ip_select_ident(struct net *net);

/* ---- reassembly (net/ipv4/ip_fragment.c) ---- */
/* Queues a fragment; returns the whole datagram when it completes, else NULL (skb was
 * queued or dropped). */
struct sk_buff *ip_defrag(struct net *net, struct sk_buff *skb);
void ip_frag_flush(struct net *net);

/* Per-namespace setup of the IPv4 tables (called from af_inet.c). */
int ip_frag_net_init(struct net *net);
void ip_frag_net_exit(struct net *net);
void devinet_init(void);

#endif
