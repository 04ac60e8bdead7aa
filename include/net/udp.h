/* UDP (RFC 768; RFC 1122 4.1; Linux net/ipv4/udp.c) and its small kernel-internal socket
 * API, used by DHCP, DNS, the shell and later the BSD socket layer.
 *
 *   receive: ip_local_deliver -> udp_rcv -> __udp4_lib_lookup -> udp_queue_rcv_skb
 *            -> sk_data_ready (wakes the reader) ... udp_recvmsg (thread)
 *   send:    udp_sendmsg (thread) -> ip_route_output, udp header + checksum
 *            -> ip_queue_xmit
 *
 * Ports in this API are host order; addresses are be32. */
#ifndef NET_UDP_H
#define NET_UDP_H

#include <net/ip.h>
#include <net/sock.h>

struct udphdr {
	be16 source, dest, len, check;
} __attribute__((packed));
_Static_assert(sizeof(struct udphdr) == 8, "RFC 768");

struct udp_repr {
	u16 sport, dport, len, check;
};
/* Checks the length field against len (>= 8, <= len) and, when the checksum field is not
 * zero and verify is set, the checksum with the pseudo header. Returns the UDP length
 * (header included), or -1 (length) / -2 (checksum). */
int udp_parse(const u8 *buf, size_t len, be32 saddr, be32 daddr, bool verify,
	      struct udp_repr *out);
/* Writes the header for payload_len bytes already at buf + 8, with the checksum (0 sent
 * as 0xffff, RFC 768). Returns 8, or 0 if cap is too small. */
size_t udp_emit(const struct udp_repr *r, u8 *buf, size_t cap, size_t payload_len,
		be32 saddr, be32 daddr);

/* Where a received datagram came from (udp_recvmsg). */
struct udp_rx_info {
	be32 saddr, daddr;
	u16 sport;
	int ifindex;
	bool truncated;    /* the buffer was smaller than the datagram */
};

#define MSG_DONTWAIT 0x40

int udp_sock_create(struct net *net, struct sock **skp);
/* Binds to addr:port; port 0 picks a random free ephemeral port (RFC 6056 3.3.1).
 * -EADDRINUSE, -EADDRNOTAVAIL, -EINVAL. */
int udp_bind(struct sock *sk, be32 addr, u16 port);
int udp_connect(struct sock *sk, be32 addr, u16 port);
/* Sends len bytes to daddr:dport (both 0: to the connected peer). Binds an ephemeral
 * port first if needed. Returns len or -errno (-EMSGSIZE over 65507, -EACCES broadcast
 * without sk->broadcast, -ENETUNREACH, a pending ICMP error). */
int udp_sendmsg(struct sock *sk, const void *buf, size_t len, be32 daddr, u16 dport);
/* Receives one datagram into buf; blocks until one arrives, the deadline (ktime ns, 0 =
 * none) passes (-EAGAIN) or an error is pending, unless MSG_DONTWAIT. Returns the bytes
 * copied. Thread context (MSG_DONTWAIT: any context but hard IRQ). */
int udp_recvmsg(struct sock *sk, void *buf, size_t len, struct udp_rx_info *info,
		int flags, u64 deadline_ns);
/* Closes: unhashes, drops what is queued, frees. */
void udp_sock_release(struct sock *sk);

int udp_init(void);
int udp_net_init(struct net *net);
void udp_net_exit(struct net *net);

#endif
