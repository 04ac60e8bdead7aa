/* Virtio network device definitions (virtio 1.2 §5.1), used by drivers/virtio_net.c. */
#ifndef DRIVERS_VIRTIO_NET_H
#define DRIVERS_VIRTIO_NET_H

#include <seqos/types.h>

/* PCI IDs (virtio 1.2 §4.1.2): the transitional device 0x1000, the modern 0x1041 */
#define VIRTIO_PCI_DEVICE_NET_TRANSITIONAL 0x1000
#define VIRTIO_PCI_DEVICE_NET 0x1041
#define VIRTIO_ID_NET 1 /* subsystem device id of the transitional device */

/* Feature bits, §5.1.3 */
#define VIRTIO_NET_F_CSUM 0          /* device completes partial checksums on TX */
#define VIRTIO_NET_F_GUEST_CSUM 1    /* driver handles partial/validated checksums on RX */
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5           /* config space holds the MAC address */
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_HOST_TSO4 11
#define VIRTIO_NET_F_MRG_RXBUF 15    /* a frame may span several RX buffers */
#define VIRTIO_NET_F_STATUS 16       /* config status field: link up */
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_MQ 22

/* Device configuration layout, §5.1.4 */
#define VIRTIO_NET_CFG_MAC 0         /* u8[6] */
#define VIRTIO_NET_CFG_STATUS 6      /* le16, with VIRTIO_NET_F_STATUS */
#define   VIRTIO_NET_S_LINK_UP 1
#define   VIRTIO_NET_S_ANNOUNCE 2

/* Queues, §5.1.2: receiveq1, transmitq1 (one pair: no VIRTIO_NET_F_MQ) */
#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1

/* The header in front of every frame, §5.1.6. With VIRTIO_F_VERSION_1 num_buffers is
 * always there, so it is 12 bytes whether or not MRG_RXBUF was negotiated. */
struct virtio_net_hdr {
	u8 flags;
	u8 gso_type;
	u16 hdr_len;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
	u16 num_buffers;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio 1.2 §5.1.6");
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1 /* checksum at csum_start + csum_offset is partial */
#define VIRTIO_NET_HDR_F_DATA_VALID 2 /* RX: the device verified the checksum */
#define VIRTIO_NET_HDR_GSO_NONE 0

#endif
