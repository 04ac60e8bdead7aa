/* The loopback device "lo" (Linux drivers/net/loopback.c), one per namespace.
 *
 * transmit: ... ip_finish_output2 -> dev_queue_xmit -> loopback_xmit -> netif_rx()
 * receive:  NET_RX softirq -> process_backlog -> netif_receive_skb -> ip_rcv ...
 * So a packet to ourselves crosses the same softirq boundary as one from a NIC. */
#include <net/ethernet.h>
#include <net/net_namespace.h>
#include <net/netdevice.h>

static int loopback_open(struct net_device *dev) { return 0; }
static int loopback_stop(struct net_device *dev) { return 0; }

static netdev_tx_t loopback_xmit(struct sk_buff *skb, struct net_device *dev)
{
	/* The sender's buffer accounting ends here (Linux skb_orphan): the packet now
	 * belongs to the receive path. */
	if (skb->destructor)
		skb->destructor(skb);
	skb->destructor = NULL;
	skb->sk = NULL;
	skb->protocol = eth_type_trans(skb, dev);
	skb->ip_summed = CHECKSUM_UNNECESSARY; /* it never left memory */
	netif_rx(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops loopback_ops = {
	.ndo_open = loopback_open,
	.ndo_stop = loopback_stop,
	.ndo_start_xmit = loopback_xmit,
};

static void loopback_setup(struct net_device *dev)
{
	dev->hard_header_len = ETH_HLEN;
	dev->addr_len = ETH_ALEN;
	dev->mtu = 65536;
	dev->max_mtu = 65536;
	dev->flags = IFF_LOOPBACK | IFF_NOARP;
	dev->tx_queue_len = NETDEV_MAX_BACKLOG;
	dev->netdev_ops = &loopback_ops;
	dev->features = NETIF_F_RXCSUM;
}

struct net_device *loopback_dev_create(struct net *net)
{
	struct net_device *dev = alloc_netdev(0, "lo", loopback_setup);

	if (!dev)
		return NULL;
	dev->carrier = true;
	if (register_netdev_net(dev, net)) {
		free_netdev(dev);
		return NULL;
	}
	dev_open(dev);
	return dev;
}
