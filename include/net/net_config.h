/* Tunables of the network stack, in one place (STYLE.md 8). Each is #ifndef-guarded so a
 * test or a build can override it with -D; the comment says what the number buys. */
#ifndef NET_NET_CONFIG_H
#define NET_NET_CONFIG_H

/* ---- buffers (net/core/skbuff.c) ---- */
/* Headroom reserved by alloc paths that build packets from the top down: a 12-byte
 * virtio-net header, Ethernet (14), IPv4 with options (60) and TCP with options (60),
 * rounded up to a cache line. */
#ifndef MAX_HEADER
#define MAX_HEADER 160
#endif
/* Headroom drivers get from netdev_alloc_skb(): room to push a header in front of a
 * received frame without copying (Linux's NET_SKB_PAD). */
#ifndef NET_SKB_PAD
#define NET_SKB_PAD 64
#endif
/* Extra offset so the IP header after a 14-byte Ethernet header is 4-byte aligned. */
#ifndef NET_IP_ALIGN
#define NET_IP_ALIGN 2
#endif
/* Data buffer size classes and how many of each may be in use at once. SMALL holds ARP,
 * ACKs and small UDP; STD one MTU-sized frame with headroom; LARGE a reassembled
 * 64 KiB datagram. The limits bound memory under a flood: 2048 x 2 KiB = 4 MiB. */
#ifndef NET_SKB_SMALL_SIZE
#define NET_SKB_SMALL_SIZE 256
#endif
#ifndef NET_SKB_SMALL_MAX
#define NET_SKB_SMALL_MAX 2048
#endif
#ifndef NET_SKB_STD_SIZE
#define NET_SKB_STD_SIZE 2048
#endif
#ifndef NET_SKB_STD_MAX
#define NET_SKB_STD_MAX 2048
#endif
#ifndef NET_SKB_LARGE_SIZE
#define NET_SKB_LARGE_SIZE (65536 + 512)
#endif
#ifndef NET_SKB_LARGE_MAX
#define NET_SKB_LARGE_MAX 32
#endif
/* sk_buff descriptors (clones need one each, not a data buffer). */
#ifndef NET_SKB_HEAD_MAX
#define NET_SKB_HEAD_MAX 8192
#endif
/* Freed objects kept per pool for reuse instead of going back to kmalloc. */
#ifndef NET_POOL_CACHE
#define NET_POOL_CACHE 64
#endif

/* ---- devices and NAPI (net/core/dev.c) ---- */
/* Packets one NAPI instance may process per poll: Linux's NAPI_POLL_WEIGHT. Small enough
 * that two busy NICs alternate every ~64 frames; large enough to amortise the poll. */
#ifndef NAPI_POLL_WEIGHT
#define NAPI_POLL_WEIGHT 64
#endif
/* Packets one net_rx_action run may process across all NAPIs (Linux netdev_budget). 300
 * full frames are ~450 KB, ~3.6 ms of 1 Gb/s line rate: enough to drain a burst, then
 * NET_RX yields so timers, other softirqs and threads run; what is left is re-raised
 * (and under pressure runs in ksoftirqd). */
#ifndef NETDEV_BUDGET
#define NETDEV_BUDGET 300
#endif
/* Wall-time cap of one net_rx_action run (Linux netdev_budget_usecs = 2000). Under QEMU
 * TCG one packet can cost tens of microseconds, so the time cap, not the packet count,
 * is what bounds softirq latency there: 2 ms is half a 4 ms tick (HZ=250). */
#ifndef NETDEV_BUDGET_USECS
#define NETDEV_BUDGET_USECS 2000
#endif
/* Per-CPU backlog for netif_rx() (loopback, non-NAPI drivers): Linux's
 * netdev_max_backlog. Overflow is counted as softnet "dropped". */
#ifndef NETDEV_MAX_BACKLOG
#define NETDEV_MAX_BACKLOG 1000
#endif
/* Default length of a device's software TX queue (Linux txqueuelen is 1000; a smaller
 * queue bounds memory and bufferbloat on a 1-CPU machine). */
#ifndef NET_TX_QUEUE_LEN
#define NET_TX_QUEUE_LEN 256
#endif
/* Packets one qdisc run hands to the driver before yielding to NET_TX (Linux's
 * dev_tx_weight = 64). */
#ifndef NET_TX_WEIGHT
#define NET_TX_WEIGHT 64
#endif
/* IPv4 addresses per device. */
#ifndef NET_IFADDR_MAX
#define NET_IFADDR_MAX 4
#endif

/* ---- ARP / neighbour cache (net/ipv4/arp.c, net/core/neighbour.c) ---- */
/* Entries per namespace; when full, stale or failed entries are evicted first. */
#ifndef NEIGH_TABLE_MAX
#define NEIGH_TABLE_MAX 128
#endif
/* Packets queued per unresolved neighbour (RFC 1122 2.3.2.2 asks for at least one;
 * Linux's unres_qlen is 101). 48 holds every fragment of a 64 KiB datagram at MTU 1500
 * (45), so the first datagram to a new neighbour is not lost to its own fragments. */
#ifndef ARP_QUEUE_LEN
#define ARP_QUEUE_LEN 48
#endif
/* Requests sent before INCOMPLETE or PROBE gives up (Linux mcast/ucast_solicit = 3). */
#ifndef ARP_MAX_PROBES
#define ARP_MAX_PROBES 3
#endif
/* Time between ARP retransmissions, ms (Linux retrans_time = 1 s; RFC 1122 2.3.2.1
 * says at most one per second per destination). */
#ifndef ARP_RETRANS_MS
#define ARP_RETRANS_MS 1000
#endif
/* How long a confirmed entry stays REACHABLE, ms (Linux base_reachable_time = 30 s;
 * randomised to 0.5..1.5x as RFC 4861 6.3.2 does). */
#ifndef ARP_REACHABLE_MS
#define ARP_REACHABLE_MS 30000
#endif
/* DELAY before probing a STALE entry that was used, ms (Linux delay_first_probe 5 s). */
#ifndef ARP_DELAY_PROBE_MS
#define ARP_DELAY_PROBE_MS 5000
#endif
/* Unused STALE entries are garbage-collected after this, ms (Linux gc_stale_time 60 s). */
#ifndef ARP_GC_STALE_MS
#define ARP_GC_STALE_MS 60000
#endif
/* Period of the neighbour GC work item, ms. */
#ifndef NEIGH_GC_INTERVAL_MS
#define NEIGH_GC_INTERVAL_MS 10000
#endif

/* ---- IPv4 (net/ipv4/) ---- */
#ifndef IP_DEFAULT_TTL
#define IP_DEFAULT_TTL 64 /* RFC 1700 recommends 64 */
#endif
#ifndef NET_ROUTE_MAX
#define NET_ROUTE_MAX 32 /* routes per namespace */
#endif
/* Reassembly (net/ipv4/ip_fragment.c). RFC 1122 3.3.2 suggests 60..120 s; Linux uses
 * ipfrag_time = 30 s, as do we. */
#ifndef IPFRAG_TIME_MS
#define IPFRAG_TIME_MS 30000
#endif
/* Bytes of fragments (buffer truesize) held per namespace; new fragments are refused
 * above it (Linux ipfrag_high_thresh = 4 MiB; ours is sized to the buffer pools). */
#ifndef IPFRAG_HIGH_THRESH
#define IPFRAG_HIGH_THRESH (1024 * 1024)
#endif
/* Datagrams being reassembled at once per namespace. */
#ifndef IPFRAG_MAX_QUEUES
#define IPFRAG_MAX_QUEUES 64
#endif
/* Fragments per datagram: a 65535-byte datagram over a 576-byte MTU needs 120. */
#ifndef IPFRAG_MAX_FRAGS
#define IPFRAG_MAX_FRAGS 128
#endif

/* ---- ICMP (net/ipv4/icmp.c) ---- */
/* Token bucket for ICMP output (errors and echo replies): this many per second, with a
 * burst of ICMP_RATE_BURST (Linux icmp_msgs_per_sec = 1000, icmp_msgs_burst = 50). */
#ifndef ICMP_RATE_PER_SEC
#define ICMP_RATE_PER_SEC 1000
#endif
#ifndef ICMP_RATE_BURST
#define ICMP_RATE_BURST 50
#endif

/* ---- UDP (net/ipv4/udp.c) ---- */
/* Bytes of datagrams (truesize) a UDP socket may hold unread. */
#ifndef UDP_RMEM_DEFAULT
#define UDP_RMEM_DEFAULT (128 * 1024)
#endif
/* Datagrams a UDP socket may hold unread, whatever their size. */
#ifndef UDP_RCVQ_MAX
#define UDP_RCVQ_MAX 128
#endif
/* Ephemeral ports (Linux ip_local_port_range default). */
#ifndef INET_PORT_LOW
#define INET_PORT_LOW 32768
#endif
#ifndef INET_PORT_HIGH
#define INET_PORT_HIGH 60999
#endif
/* UDP sockets per namespace. */
#ifndef UDP_SOCK_MAX
#define UDP_SOCK_MAX 256
#endif

/* ---- DHCP client (net/ipv4/dhcp.c) ---- */
/* First retransmission timeout, ms: RFC 2131 4.1 says 4 s, doubling up to 64 s, each
 * randomised by +-1 s. */
#ifndef DHCP_RETRANS_MS
#define DHCP_RETRANS_MS 4000
#endif
#ifndef DHCP_RETRANS_MAX_MS
#define DHCP_RETRANS_MAX_MS 64000
#endif
/* Random delay before the first DISCOVER, ms: uniformly in [0, DHCP_START_DELAY_MS).
 * RFC 2131 4.4.1 suggests 1..10 s to desynchronise clients after a power failure; like
 * systemd-networkd and dhcpcd we do not make every boot wait that long (seqos took ~6 s
 * to get an address under QEMU), and a fraction of a second still spreads the clients. */
#ifndef DHCP_START_DELAY_MS
#define DHCP_START_DELAY_MS 100
#endif
/* Lease used when the server gives none, seconds. */
#ifndef DHCP_DEFAULT_LEASE_S
#define DHCP_DEFAULT_LEASE_S 3600
#endif

/* ---- DNS stub resolver (net/dns.c) ---- */
#ifndef DNS_CACHE_SIZE
#define DNS_CACHE_SIZE 16 /* names cached */
#endif
#ifndef DNS_MAX_TTL
#define DNS_MAX_TTL 3600 /* cap on cached TTL, s */
#endif
#ifndef DNS_TIMEOUT_MS
#define DNS_TIMEOUT_MS 2000 /* per try, per server */
#endif
#ifndef DNS_TRIES
#define DNS_TRIES 2 /* rounds over the server list */
#endif
#ifndef DNS_MAX_SERVERS
#define DNS_MAX_SERVERS 3
#endif
/* Compression pointers followed while reading one name: a name has at most 127 labels,
 * and a loop is cut here whatever the message says. */
#ifndef DNS_MAX_JUMPS
#define DNS_MAX_JUMPS 16
#endif

#endif
