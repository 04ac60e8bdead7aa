/* Network devices, NAPI and the device-level packet paths (Linux's netdevice.h).
 *
 * The seam between drivers and the stack (STYLE.md 6). A driver:
 *   dev = alloc_etherdev(sizeof(struct my_priv));  fill dev->netdev_ops, dev->dev_addr;
 *   netif_napi_add(dev, &priv->napi, my_poll);     register_netdev(dev);
 *   ndo_open:   set up rings, napi_enable(), unmask interrupts; ndo_stop: the reverse,
 *               napi_disable() before freeing the rings;
 *   hard IRQ:   mask the device's interrupts; napi_schedule(&priv->napi);
 *   my_poll:    for each RX frame: skb->protocol = eth_type_trans(skb, dev);
 *               netif_receive_skb(skb); reclaim TX (napi_consume_skb); if done < budget:
 *               napi_complete_done(napi, done), which calls ndo_irq_enable;
 *   start_xmit: put skb on the ring; when the ring is full netif_stop_queue(dev), and
 *               netif_wake_queue(dev) once completions made room;
 *   link:       netif_carrier_on/off(dev) from a work item.
 * The stack never touches a register; drivers never look past these two headers. */
#ifndef NET_NETDEVICE_H
#define NET_NETDEVICE_H

#include <net/if_ether.h>
#include <net/net_config.h>
#include <net/skbuff.h>
#include <seqos/list.h>
#include <seqos/spinlock.h>
#include <seqos/types.h>

struct net;
struct net_device;
struct napi_struct;

#define IFNAMSIZ 16

typedef enum { NETDEV_TX_OK = 0, NETDEV_TX_BUSY = 1 } netdev_tx_t;

/* Counters of one device (Linux rtnl_link_stats64). The core counts packets and bytes
 * (rx in netif_receive_skb, tx when the driver accepts a packet) and the drops it makes;
 * drivers count their own errors here or report hardware counters in ndo_get_stats. */
struct net_device_stats {
	u64 rx_packets, tx_packets;
	u64 rx_bytes, tx_bytes;
	u64 rx_errors, tx_errors;
	u64 rx_dropped, tx_dropped;   /* stack/queue drops */
	u64 rx_length_errors;         /* driver: bad length from the device */
	u64 rx_crc_errors;
	u64 rx_fifo_errors;           /* driver: RX ring overrun */
	u64 rx_missed_errors;
	u64 tx_fifo_errors;
	u64 rx_nohandler;             /* core: no handler for the ethertype */
	u64 multicast;
	u64 collisions;
	u64 tx_timeouts;
};

struct net_device_ops {
	/* required: bring the device up (rings, interrupts); 0 or -errno. Thread context. */
	int (*ndo_open)(struct net_device *dev);
	/* required: stop DMA and interrupts, free the rings' buffers. Thread context. */
	int (*ndo_stop)(struct net_device *dev);
	/* required: hand one frame to the device. Called with the TX lock held and bottom
	 * halves off. Returns NETDEV_TX_OK once the driver owns skb (it frees it at TX
	 * completion, or at once on error after counting it), or NETDEV_TX_BUSY without
	 * taking it (ring full: the driver should have stopped the queue before). */
	netdev_tx_t (*ndo_start_xmit)(struct sk_buff *skb, struct net_device *dev);
	/* required with NAPI: re-enable the device interrupts that feed napi; called by
	 * napi_complete_done() when polling stops. Any context, interrupts on or off. */
	void (*ndo_irq_enable)(struct net_device *dev, struct napi_struct *napi);
	/* optional: add hardware counters to *st (already filled by the core). */
	void (*ndo_get_stats)(struct net_device *dev, struct net_device_stats *st);
	/* optional: program a new unicast MAC; 0 or -errno. Without it the MAC is fixed. */
	int (*ndo_set_mac_address)(struct net_device *dev, const u8 *mac);
	/* optional: accept a new MTU (68..max_mtu); 0 or -errno. */
	int (*ndo_change_mtu)(struct net_device *dev, u32 mtu);
	/* optional: apply dev->flags IFF_PROMISC/IFF_ALLMULTI. */
	void (*ndo_set_rx_mode)(struct net_device *dev);
	/* optional: the TX queue has been stopped too long; reset the ring. Work context. */
	void (*ndo_tx_timeout)(struct net_device *dev);
};

/* dev->flags (Linux IFF_*). */
#define IFF_UP (1u << 0)
#define IFF_BROADCAST (1u << 1)
#define IFF_LOOPBACK (1u << 3)
#define IFF_RUNNING (1u << 6)   /* up and carrier on */
#define IFF_NOARP (1u << 7)
#define IFF_PROMISC (1u << 8)
#define IFF_ALLMULTI (1u << 9)
#define IFF_MULTICAST (1u << 12)

/* NAPI: a device's RX (and TX-completion) work, polled in NET_RX softirq. */
enum { NAPI_STATE_SCHED, NAPI_STATE_DISABLE, NAPI_STATE_LISTED };
struct napi_struct {
	struct list_head poll_list;  /* on softnet_data.poll_list while scheduled (irq off) */
	unsigned long state;         /* NAPI_STATE_* bits */
	int weight;                  /* packets per poll: NAPI_POLL_WEIGHT */
	int (*poll)(struct napi_struct *napi, int budget); /* returns packets processed */
	struct net_device *dev;
	struct list_head dev_list;   /* on dev->napi_list */
	u32 id;                      /* trace id */
	u64 polls, packets, completes;
};

/* An IPv4 address on a device (Linux struct in_ifaddr). */
struct in_ifaddr {
	be32 local;
	be32 mask;
	be32 broadcast;
	u8 prefixlen;
	u8 used;
};

struct net_device {
	char name[IFNAMSIZ];
	int ifindex;
	struct net *nd_net;           /* namespace the device lives in */
	struct list_head dev_list;    /* on nd_net->dev_list */
	const struct net_device_ops *netdev_ops;
	u32 flags;                    /* IFF_* */
	u32 mtu, min_mtu, max_mtu;
	u16 hard_header_len;          /* ETH_HLEN; loopback too */
	u16 needed_headroom;          /* extra room the driver pushes (virtio-net header) */
	u8 addr_len;
	u8 dev_addr[ETH_ALEN];
	u8 broadcast[ETH_ALEN];
	bool carrier;
	bool registered;
	u32 features;                 /* NETIF_F_* */

	/* TX: a FIFO in front of the driver (Linux's pfifo qdisc). Protected by tx_lock,
	 * taken with bottom halves off; the driver's start_xmit runs under it. */
	spinlock_t tx_lock;
	struct sk_buff_head txq;
	u32 tx_queue_len;
	unsigned long tx_state;       /* __QUEUE_STATE_* bits */
	u64 tx_stopped_at;            /* ktime ns of the last netif_stop_queue */
	struct list_head output_node; /* on softnet_data.output_queue (irq off) */
	bool output_scheduled;

	struct list_head napi_list;
	struct net_device_stats stats;

	/* IPv4 configuration (net/ipv4/devinet.c); protected by the namespace's lock. */
	struct in_ifaddr ifa[NET_IFADDR_MAX];

	void *priv;                   /* driver state: netdev_priv() */
};

/* dev->features */
#define NETIF_F_RXCSUM (1u << 0) /* the device verifies RX checksums */
#define NETIF_F_HW_CSUM (1u << 1) /* the device fills TX checksums (CHECKSUM_PARTIAL) */

enum { __QUEUE_STATE_DRV_XOFF };

static inline void *netdev_priv(const struct net_device *dev) { return dev->priv; }
static inline struct net *dev_net(const struct net_device *dev) { return dev->nd_net; }

/* Allocation and registration. alloc_etherdev() gives an Ethernet device with
 * sizeof_priv bytes of zeroed private area, named "eth%d" at registration. */
struct net_device *alloc_netdev(size_t sizeof_priv, const char *name_fmt,
				void (*setup)(struct net_device *dev));
struct net_device *alloc_etherdev(size_t sizeof_priv);
void ether_setup(struct net_device *dev);
void free_netdev(struct net_device *dev);
int register_netdev(struct net_device *dev);            /* into init_net */
int register_netdev_net(struct net_device *dev, struct net *net);
void unregister_netdev(struct net_device *dev);
int dev_open(struct net_device *dev);
int dev_close(struct net_device *dev);
int dev_set_mac_address(struct net_device *dev, const u8 *mac);
int dev_set_mtu(struct net_device *dev, u32 mtu);
struct net_device *dev_get_by_index(struct net *net, int ifindex);
struct net_device *dev_get_by_name(struct net *net, const char *name);
void dev_get_stats(struct net_device *dev, struct net_device_stats *st);

/* Link state: drivers call these (thread or work context). */
void netif_carrier_on(struct net_device *dev);
void netif_carrier_off(struct net_device *dev);
static inline bool netif_carrier_ok(const struct net_device *dev) { return dev->carrier; }
static inline bool netif_running(const struct net_device *dev) { return dev->flags & IFF_UP; }

/* TX flow control (any context, hard IRQ included). */
void netif_stop_queue(struct net_device *dev);
void netif_wake_queue(struct net_device *dev);  /* clears the stop and raises NET_TX */
static inline bool netif_queue_stopped(const struct net_device *dev)
{
	return dev->tx_state & (1ul << __QUEUE_STATE_DRV_XOFF);
}

/* The stack's transmit entry: queues skb (which must have skb->dev set and its link
 * header pushed) and runs the queue. Returns 0, or -ENOBUFS/-ENETDOWN when the packet
 * was dropped (it is always consumed). Thread or softirq context. */
int dev_queue_xmit(struct sk_buff *skb);
/* Frees a TX-completed buffer from hard IRQ: deferred to NET_TX softirq. */
void dev_kfree_skb_irq(struct sk_buff *skb);
/* Frees a TX-completed buffer from any context. */
void dev_consume_skb_any(struct sk_buff *skb);
/* Frees a TX-completed buffer from a NAPI poll (softirq). */
static inline void napi_consume_skb(struct sk_buff *skb, int budget) { consume_skb(skb); }

/* RX entry points. netif_receive_skb() from a NAPI poll (NET_RX softirq) with
 * skb->protocol set by eth_type_trans(); netif_rx() from anywhere else (loopback, a
 * non-NAPI driver's hard IRQ): it queues to the per-CPU backlog. Both consume skb and
 * return NET_RX_SUCCESS or NET_RX_DROP. */
enum { NET_RX_SUCCESS = 0, NET_RX_DROP = 1 };
int netif_receive_skb(struct sk_buff *skb);
int netif_rx(struct sk_buff *skb);

/* NAPI. */
void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *, int));
void netif_napi_del(struct napi_struct *napi);
void napi_enable(struct napi_struct *napi);
void napi_disable(struct napi_struct *napi);  /* waits until not scheduled; not from poll */
/* From the hard IRQ: schedules napi for NET_RX and raises the softirq. Returns false
 * when it was already scheduled. */
bool napi_schedule(struct napi_struct *napi);
/* From poll, when work_done < budget: stop polling and re-enable interrupts (through
 * ndo_irq_enable). Returns false when polling must go on (napi disabled meanwhile). */
bool napi_complete_done(struct napi_struct *napi, int work_done);

/* Ethernet helpers for drivers (net/ethernet/eth.c). */
be16 eth_type_trans(struct sk_buff *skb, struct net_device *dev);
void eth_hw_addr_random(struct net_device *dev);
/* Pads a frame to the 60-byte Ethernet minimum; 0, or -ENOMEM with skb freed. */
static inline int eth_skb_pad(struct sk_buff *skb)
{
	return skb->len < ETH_ZLEN ? skb_put_padto(skb, ETH_ZLEN) : 0;
}

/* Per-CPU softnet state (Linux's softnet_data). */
struct softnet_data {
	struct list_head poll_list;     /* scheduled NAPIs (interrupts off to touch) */
	struct sk_buff_head input_pkt_queue; /* netif_rx() backlog */
	struct napi_struct backlog;     /* polls input_pkt_queue */
	struct list_head output_queue;  /* devices whose TX queue NET_TX should run */
	struct sk_buff *completion_queue; /* freed by NET_TX (dev_kfree_skb_irq) */
	u64 processed;                  /* packets handed to netif_receive_skb */
	u64 dropped;                    /* backlog full */
	u64 time_squeeze;               /* net_rx_action ran out of budget or time */
	u64 rx_runs, tx_runs;           /* net_rx_action / net_tx_action runs */
	u64 polls;
};
extern struct softnet_data softnet_data; /* one CPU for now */

/* The NET_RX and NET_TX softirq actions (registered by net_dev_init()). */
void net_rx_action(void);
void net_tx_action(void);

/* Ethertype handlers (Linux dev_add_pack): netif_receive_skb() calls func for frames of
 * `type` with data at the network header. func consumes skb. */
struct packet_type {
	u16 type;  /* host order ETH_P_* */
	int (*func)(struct sk_buff *skb, struct net_device *dev);
	struct list_head list;
};
void dev_add_pack(struct packet_type *pt);
void dev_remove_pack(struct packet_type *pt);

/* Device events (Linux netdev notifier): ARP, routes and DHCP react to them. Called in
 * thread or work context. */
enum { NETDEV_REGISTER, NETDEV_UNREGISTER, NETDEV_UP, NETDEV_DOWN, NETDEV_CHANGE,
       NETDEV_CHANGEADDR };
struct notifier_block {
	void (*notifier_call)(struct notifier_block *nb, unsigned long event,
			      struct net_device *dev);
	struct list_head list;
};
void register_netdevice_notifier(struct notifier_block *nb);
void unregister_netdevice_notifier(struct notifier_block *nb);

/* Subsystem init: softnet, softirq actions, the loopback device of init_net. */
void net_dev_init(void);

#endif
