/* ARP (RFC 826) and the neighbour cache (Linux include/net/neighbour.h, net/ipv4/arp.c).
 *
 * receive: netif_receive_skb -> arp_rcv -> neigh_update (+ arp_send reply)
 * send:    ip_finish_output2 -> neigh_output -> [neigh_resolve_output: queue, request]
 *          -> dev_queue_xmit; neigh_timer_handler (TIMER softirq) retries and ages
 *          entries; neigh_periodic_work (workqueue) garbage-collects. */
#ifndef NET_ARP_H
#define NET_ARP_H

#include <net/if_ether.h>
#include <net/netdevice.h>
#include <seqos/timer.h>

struct net;

#define ARPHRD_ETHER 1
#define ARPOP_REQUEST 1
#define ARPOP_REPLY 2
#define ARP_ETH_IPV4_LEN 28

struct arp_repr {
	u16 op;
	u8 sha[ETH_ALEN];
	be32 sip;
	u8 tha[ETH_ALEN];
	be32 tip;
};
/* Parses an Ethernet/IPv4 ARP packet; 0, or -1 for anything else or too short. */
int arp_parse(const u8 *buf, size_t len, struct arp_repr *out);
/* Writes the 28-byte packet; returns 28, or 0 if cap is too small. */
size_t arp_emit(const struct arp_repr *r, u8 *buf, size_t cap);

/* Neighbour states (Linux NUD_*). */
#define NUD_INCOMPLETE 0x01
#define NUD_REACHABLE 0x02
#define NUD_STALE 0x04
#define NUD_DELAY 0x08
#define NUD_PROBE 0x10
#define NUD_FAILED 0x20
#define NUD_NOARP 0x40
#define NUD_PERMANENT 0x80
#define NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

struct neighbour {
	struct list_head list;       /* on net->ipv4.neigh_list; under neigh_lock */
	struct net *net;
	struct net_device *dev;
	be32 ip;
	u8 ha[ETH_ALEN];
	u8 nud_state;
	u8 probes;
	u64 confirmed, updated, used; /* jiffies */
	u64 reachable_time;           /* jiffies, randomised per entry */
	struct sk_buff_head arp_queue;/* packets waiting for resolution (<= ARP_QUEUE_LEN) */
	struct timer_list timer;
};

/* Sends skb (IP header at data) to nexthop on dev: with the cached MAC at once, or
 * queued while ARP resolves it. Consumes skb; 0 or -errno. */
int neigh_output(struct net_device *dev, be32 nexthop, struct sk_buff *skb);
/* Sends an ARP packet (dest_hw NULL: broadcast). */
int arp_send(int op, struct net_device *dev, be32 sip, be32 tip, const u8 *dest_hw,
	     const u8 *target_hw);
/* Announces addr on dev (gratuitous ARP request, RFC 5227 2.3). */
void arp_announce(struct net_device *dev, be32 addr);
/* Looks up a resolved MAC; true when found (tests, shell). */
bool neigh_lookup_ha(struct net *net, const struct net_device *dev, be32 ip, u8 *ha,
		     u8 *state);
int neigh_add_permanent(struct net_device *dev, be32 ip, const u8 *ha);
int neigh_delete(struct net *net, be32 ip);
void neigh_flush_dev(struct net *net, struct net_device *dev);
void arp_init(void);

#endif
