/* Virtio 1.x: the modern PCI transport (drivers/virtio_pci.c) and split virtqueues
 * (drivers/virtio_ring.c). Section numbers are those of "Virtual I/O Device (VIRTIO)
 * Version 1.2" (OASIS, virtio-v1.2-cs01, "virtio 1.2"). Everything on the wire and in
 * the rings is little-endian, which x86 is, so fields are plain integers here.
 *
 * A device driver (drivers/virtio_net.c):
 *   vp_probe(&vp, pdev)                     find and map the capabilities (§4.1.4)
 *   vp_reset; vp_add_status(ACKNOWLEDGE | DRIVER); features = vp_get_features & wanted;
 *   vp_finalize_features(&vp, features)     FEATURES_OK, checked (§3.1.1 steps 4-6)
 *   virtqueue_init(&vq, ...); vp_setup_vq(&vp, &vq, index, msix_vector)   (§4.1.5.1.3)
 *   vp_add_status(DRIVER_OK)                (§3.1.1 step 8)
 *   virtqueue_add_*() + virtqueue_kick(); virtqueue_get_buf() in the NAPI poll.
 * The transport and the ring never sleep; the driver's own locking applies. */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include <seqos/types.h>

struct pci_dev;

/* ---- device status, virtio 1.2 §2.1 ---- */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1
#define VIRTIO_CONFIG_S_DRIVER 2
#define VIRTIO_CONFIG_S_DRIVER_OK 4
#define VIRTIO_CONFIG_S_FEATURES_OK 8
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40
#define VIRTIO_CONFIG_S_FAILED 0x80

/* ---- reserved feature bits, virtio 1.2 §6 ---- */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33

/* ---- PCI: vendor capability, virtio 1.2 §4.1.4 ---- */
#define VIRTIO_PCI_VENDOR_ID 0x1af4
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG 5
/* struct virtio_pci_cap, byte offsets inside the capability */
#define VIRTIO_PCI_CAP_CFG_TYPE 3
#define VIRTIO_PCI_CAP_BAR 4
#define VIRTIO_PCI_CAP_OFFSET 8
#define VIRTIO_PCI_CAP_LENGTH 12
#define VIRTIO_PCI_NOTIFY_CAP_MULT 16   /* notify_off_multiplier (§4.1.4.4) */
#define VIRTIO_MSI_NO_VECTOR 0xffff

/* Common configuration structure, virtio 1.2 §4.1.4.3 */
struct virtio_pci_common_cfg {
	u32 device_feature_select;
	u32 device_feature;
	u32 driver_feature_select;
	u32 driver_feature;
	u16 config_msix_vector;
	u16 num_queues;
	u8 device_status;
	u8 config_generation;
	u16 queue_select;
	u16 queue_size;
	u16 queue_msix_vector;
	u16 queue_enable;
	u16 queue_notify_off;
	u32 queue_desc_lo, queue_desc_hi;
	u32 queue_driver_lo, queue_driver_hi;
	u32 queue_device_lo, queue_device_hi;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_pci_common_cfg) == 56, "virtio 1.2 §4.1.4.3");

struct virtio_pci_dev {
	struct pci_dev *pdev;
	volatile struct virtio_pci_common_cfg *common;
	volatile u8 *isr;             /* read clears (§4.1.4.5) */
	volatile u8 *device;          /* device-specific configuration (§4.1.4.6) */
	u32 device_len;
	volatile u8 *notify_base;
	u32 notify_off_multiplier;
	u32 notify_len;
	u64 features;                 /* negotiated */
};

/* ---- split virtqueue, virtio 1.2 §2.7 ---- */
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_AVAIL_F_NO_INTERRUPT 1  /* without EVENT_IDX only (§2.7.7) */
#define VRING_USED_F_NO_NOTIFY 1      /* without EVENT_IDX only (§2.7.10) */

struct vring_desc {                    /* §2.7.5 */
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};
struct vring_avail {                   /* §2.7.6; used_event follows ring[num] */
	u16 flags;
	u16 idx;
	u16 ring[];
};
struct vring_used_elem {
	u32 id;                        /* head of the descriptor chain */
	u32 len;                       /* bytes written into the chain's device-writable part */
};
struct vring_used {                    /* §2.7.8; avail_event follows ring[num] */
	u16 flags;
	u16 idx;
	struct vring_used_elem ring[];
};

#define VIRTQUEUE_MAX 256              /* entries we use per queue (QEMU offers 256) */

struct virtqueue {
	const char *name;
	u16 index;                     /* queue number on the device */
	u16 num;                       /* entries, a power of 2 */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	u16 free_head, num_free;       /* free descriptors, chained through next */
	u16 avail_idx;                 /* our copy of avail->idx */
	u16 last_used_idx;             /* next used entry to consume */
	u16 num_added;                 /* buffers added since the last kick */
	bool event_idx;                /* VIRTIO_F_RING_EVENT_IDX negotiated */
	bool cb_disabled;
	volatile u16 *notify;          /* where a kick is written */
	void *data[VIRTQUEUE_MAX];     /* token of each chain, by head index */
	u64 kicks, kicks_suppressed;   /* counters */
	u64 bad_used;                  /* device returned an unknown or free id */
};

/* A buffer in a chain: the driver's virtual address and length. */
struct vq_buf {
	void *addr;
	u32 len;
};

/* virtio_ring.c */
int virtqueue_init(struct virtqueue *vq, const char *name, u16 index, u16 num, bool event_idx);
void virtqueue_free(struct virtqueue *vq);
/* Adds a chain of out device-readable then in device-writable buffers with token data.
 * Returns 0, or -ENOSPC when fewer than out + in descriptors are free. */
int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned out, unsigned in,
		  void *data);
/* Publishes added buffers and notifies the device unless it asked not to be (§2.7.13);
 * returns true when it notified. */
bool virtqueue_kick(struct virtqueue *vq);
/* Takes the next used chain: returns its token and the bytes written (*len), or NULL. */
void *virtqueue_get_buf(struct virtqueue *vq, u32 *len);
/* Takes back every chain not yet used (after a reset): returns a token or NULL. */
void *virtqueue_detach_unused_buf(struct virtqueue *vq);
/* Used-buffer notifications (§2.7.7): off; on, returning an opaque position for
 * virtqueue_poll(); on but only after 3/4 of the pending buffers are used (returns false
 * when buffers are already waiting). */
void virtqueue_disable_cb(struct virtqueue *vq);
u16 virtqueue_enable_cb_prepare(struct virtqueue *vq);
bool virtqueue_poll(struct virtqueue *vq, u16 last_used);
bool virtqueue_enable_cb_delayed(struct virtqueue *vq);
static inline bool virtqueue_more_used(struct virtqueue *vq)
{
	return vq->last_used_idx != *(volatile u16 *)&vq->used->idx;
}

/* ---- virtio_pci.c ---- */
int vp_probe(struct virtio_pci_dev *vp, struct pci_dev *pdev);
void vp_reset(struct virtio_pci_dev *vp);
u8 vp_get_status(struct virtio_pci_dev *vp);
void vp_add_status(struct virtio_pci_dev *vp, u8 bits);
u64 vp_get_features(struct virtio_pci_dev *vp);
/* Writes the driver features and sets FEATURES_OK; -ENODEV when the device refuses. */
int vp_finalize_features(struct virtio_pci_dev *vp, u64 features);
static inline bool vp_has_feature(const struct virtio_pci_dev *vp, unsigned bit)
{
	return vp->features & (1ULL << bit);
}
/* The queue's size on the device (0 = absent). */
u16 vp_queue_size(struct virtio_pci_dev *vp, u16 index);
/* Gives the device the rings of vq, routes its interrupts to MSI-X entry msix_vector
 * (VIRTIO_MSI_NO_VECTOR with INTx) and enables it. 0 or -errno. */
int vp_setup_vq(struct virtio_pci_dev *vp, struct virtqueue *vq, u16 msix_vector);
int vp_set_config_vector(struct virtio_pci_dev *vp, u16 msix_vector);
u8 vp_read_isr(struct virtio_pci_dev *vp);
/* Device configuration reads, retried until config_generation is stable (§2.5.1). */
void vp_read_config(struct virtio_pci_dev *vp, u32 off, void *buf, u32 len);

#endif
