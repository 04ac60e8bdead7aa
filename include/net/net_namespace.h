/* Network namespaces: everything one IPv4 host keeps (Linux's struct net).
 *
 * The kernel has one, init_net. Host tests make two or more and join their devices with
 * a simulated link, so ARP, ICMP, UDP, fragmentation and DHCP are tested end to end in
 * one process. Softirqs, NAPI, timers and buffer pools stay global, as on one CPU.
 *
 * Locking: each table has its own lock, taken with bottom halves off (spin_lock_bh):
 * the tables are used from NET_RX/TIMER softirqs and from threads, never from hard IRQ. */
#ifndef NET_NET_NAMESPACE_H
#define NET_NET_NAMESPACE_H

#include <net/net_config.h>
#include <net/snmp.h>
#include <seqos/list.h>
#include <seqos/spinlock.h>
#include <seqos/types.h>
#include <seqos/workqueue.h>

struct net_device;

/* One route (net/ipv4/route.c). */
enum { RTPROT_KERNEL = 2 /* connected */, RTPROT_STATIC = 4, RTPROT_DHCP = 16 };
struct fib_route {
	be32 dst, mask;
	be32 gw;          /* 0 for a connected route */
	be32 prefsrc;     /* preferred source address, 0 = choose */
	int ifindex;
	u32 metric;
	u8 prefixlen;
	u8 protocol;      /* RTPROT_* */
	bool used;
};

struct netns_ipv4 {
	spinlock_t route_lock;
	struct fib_route routes[NET_ROUTE_MAX];

	spinlock_t neigh_lock;         /* ARP cache (net/ipv4/arp.c) */
	struct list_head neigh_list;   /* struct neighbour */
	u32 neigh_count;
	struct delayed_work neigh_gc_work;
	struct neigh_parms {           /* timeouts in ms, net_config.h defaults; `arp set` */
		u32 base_reachable_time_ms, delay_first_probe_time_ms, gc_stale_time_ms;
	} neigh_parms;

	spinlock_t frag_lock;          /* reassembly (net/ipv4/ip_fragment.c) */
	struct list_head frag_queues;  /* struct ipq */
	u32 frag_nqueues;
	u64 frag_mem;                  /* truesize of queued fragments */
	struct delayed_work frag_work; /* ip_expire: drops datagrams past their time */

	spinlock_t udp_lock;           /* UDP sockets (net/ipv4/udp.c) */
	struct list_head udp_socks;
	u32 udp_count;

	spinlock_t icmp_lock;          /* ICMP output token bucket (net/ipv4/icmp.c) */
	u64 icmp_tokens;               /* in units of 1/ICMP_RATE_PER_SEC s, scaled by 1e9 */
	u64 icmp_last_ns;
	struct list_head ping_list;    /* outstanding echo requests (net/ipv4/ping.c) */

	u16 ip_id;                     /* next IP identification */
	bool forwarding;               /* always false: seqos is a host (RFC 1122) */
};

struct netns_tcp; /* include/net/tcp.h */
struct dns_cache_entry;
struct netns_dns {
	spinlock_t lock;
	be32 servers[DNS_MAX_SERVERS];
	u8 nservers;
	struct dns_cache_entry *cache; /* DNS_CACHE_SIZE entries */
	u64 queries, answers, bad_replies, timeouts, cache_hits;
};

struct net {
	const char *name;
	struct list_head list;       /* on the list of all namespaces */
	struct list_head dev_list;   /* devices; changed in thread context only */
	int ifindex_next;
	struct net_device *loopback_dev;
	struct netns_ipv4 ipv4;
	struct netns_dns dns;
	struct netns_tcp *tcp;       /* TCP tables and counters (net/ipv4/tcp_ipv4.c) */
	struct net_mib mib;
};

extern struct net init_net;

/* Sets up a namespace with its loopback device (127.0.0.1/8); thread context. */
int net_ns_init(struct net *net, const char *name);
/* Unregisters and frees all devices, flushes every table; sockets must be closed. */
void net_ns_exit(struct net *net);



/* Per-namespace state of a subsystem (Linux pernet_operations): init runs for every
 * namespace set up after registration, exit in reverse order at teardown. */
struct pernet_operations {
	int (*init)(struct net *net);
	void (*exit)(struct net *net);
	struct list_head list;
};
void register_pernet_subsys(struct pernet_operations *ops);

/* Creates the loopback device of a namespace (net/core/loopback.c). */
struct net_device *loopback_dev_create(struct net *net);

/* Brings up the whole stack once: softnet and softirqs, IPv4 protocols, init_net and its
 * loopback, the DHCP/DNS services. Thread context, before drivers register devices. */
void net_init(void);

#endif
