/* ICMP (RFC 792, RFC 1122 3.2.2): echo, errors in and out, and ping (net/ipv4/icmp.c,
 * net/ipv4/ping.c).
 *   ip_local_deliver -> icmp_rcv -> icmp_echo (reply) | ping_rcv | icmp_unreach
 *   -> the protocol's err_handler (udp_err, tcp_v4_err) -> the socket's sk_err. */
#ifndef NET_ICMP_H
#define NET_ICMP_H

#include <net/skbuff.h>
#include <seqos/types.h>

struct net;

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_REDIRECT 5
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMP_TIMESTAMP 13
#define ICMP_TIMESTAMPREPLY 14

/* DEST_UNREACH codes */
#define ICMP_NET_UNREACH 0
#define ICMP_HOST_UNREACH 1
#define ICMP_PROT_UNREACH 2
#define ICMP_PORT_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMP_SR_FAILED 5
/* TIME_EXCEEDED codes */
#define ICMP_EXC_TTL 0
#define ICMP_EXC_FRAGTIME 1

struct icmp_repr {
	u8 type, code;
	u16 ident, seq;   /* echo */
	u32 un;           /* the 4 bytes after the checksum (mtu, pointer, unused) */
};
/* Checks length (>= 8) and checksum over len bytes; 0 or -1 (short) / -2 (checksum). */
int icmp_parse(const u8 *buf, size_t len, struct icmp_repr *out);
/* Writes the 8-byte header and the checksum over header + payload already at buf + 8;
 * returns 8, or 0 if cap < 8 + payload_len. */
size_t icmp_emit(const struct icmp_repr *r, u8 *buf, size_t cap, size_t payload_len);

/* Sends an ICMP error about skb_in (network header set) unless RFC 1122 3.2.2 forbids
 * it (an error about an error, a broadcast, a non-first fragment, a bad source) or the
 * rate limit says no. Any context but hard IRQ. */
void icmp_send(struct sk_buff *skb_in, u8 type, u8 code, u32 info);
/* The output rate limit (token bucket per namespace): true when one may be sent. */
bool icmp_global_allow(struct net *net);

/* ping (net/ipv4/ping.c). A session waits for echo replies to (daddr, ident). */
struct ping_session;
int ping_send(struct net *net, be32 daddr, u16 ident, u16 seq, u32 size);
void ping_rcv(struct sk_buff *skb, const struct icmp_repr *r);

int icmp_init(void);
int icmp_net_init(struct net *net);

#endif
