/* Virtio over PCI, the modern (1.x) transport (virtio 1.2 §4.1): finds the vendor
 * capabilities that locate the common, notify, ISR and device configuration structures
 * in the BARs, maps them, and implements the status, feature and queue set-up steps a
 * virtio driver (drivers/virtio_net.c) runs at probe and open.
 *
 *   virtnet_probe -> vp_probe -> vp_reset -> vp_add_status(ACKNOWLEDGE|DRIVER)
 *     -> vp_finalize_features -> vp_setup_vq (per queue) -> vp_add_status(DRIVER_OK)
 *
 * The legacy (0.9.5, I/O BAR) transport is not implemented: every QEMU since 2.7 and
 * every virtio 1.x device offers the modern one, which seqos requires (VERSION_1). */
#include <asm/io.h>
#include <drivers/pci.h>
#include <drivers/virtio.h>
#include <seqos/errno.h>
#include <seqos/printk.h>
#include <seqos/time.h>
#include <seqos/vm.h>

/* §4.1.4: walks the vendor-specific capabilities; the first of each type is used, as
 * §4.1.4.1 asks ("the driver SHOULD use the first instance"). */
int vp_probe(struct virtio_pci_dev *vp, struct pci_dev *pdev)
{
	u8 pos = 0;
	void *maps[6] = { 0 };

	vp->pdev = pdev;
	while ((pos = pci_find_next_capability(pdev, pos, PCI_CAP_ID_VNDR))) {
		u8 type = pci_read_config_byte(pdev, pos + VIRTIO_PCI_CAP_CFG_TYPE);
		u8 bar = pci_read_config_byte(pdev, pos + VIRTIO_PCI_CAP_BAR);
		u32 off = pci_read_config_dword(pdev, pos + VIRTIO_PCI_CAP_OFFSET);
		u32 len = pci_read_config_dword(pdev, pos + VIRTIO_PCI_CAP_LENGTH);
		volatile u8 *p;

		if (bar > 5 || !pdev->bar[bar].size || (pdev->bar[bar].flags & PCI_BAR_IO))
			continue;
		if (type != VIRTIO_PCI_CAP_COMMON_CFG && type != VIRTIO_PCI_CAP_NOTIFY_CFG &&
		    type != VIRTIO_PCI_CAP_ISR_CFG && type != VIRTIO_PCI_CAP_DEVICE_CFG)
			continue;
		/* one mapping per BAR: the structures usually share one */
		if (!maps[bar] && !(maps[bar] = pci_iomap(pdev, bar, 0)))
			continue;
		if ((u64)off + len > pdev->bar[bar].size || !len)
			continue;
		p = (volatile u8 *)maps[bar] + off;
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			if (!vp->common && len >= sizeof(struct virtio_pci_common_cfg))
				vp->common = (volatile struct virtio_pci_common_cfg *)p;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			if (!vp->notify_base) {
				vp->notify_base = p;
				vp->notify_len = len;
				vp->notify_off_multiplier =
					pci_read_config_dword(pdev, pos + VIRTIO_PCI_NOTIFY_CAP_MULT);
			}
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			if (!vp->isr)
				vp->isr = p;
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			if (!vp->device) {
				vp->device = p;
				vp->device_len = len;
			}
			break;
		}
	}
	if (!vp->common || !vp->notify_base || !vp->isr)
		return -ENODEV; /* a legacy-only device */
	return 0;
}

/* §4.1.4.3.2: writing 0 resets; the reset is complete when 0 reads back. */
void vp_reset(struct virtio_pci_dev *vp)
{
	u64 end = ktime_get_ns() + 100 * NSEC_PER_MSEC;

	WRITE_ONCE(vp->common->device_status, 0);
	while (READ_ONCE(vp->common->device_status) && ktime_get_ns() < end)
		__asm__ __volatile__("pause");
}

u8 vp_get_status(struct virtio_pci_dev *vp) { return READ_ONCE(vp->common->device_status); }

void vp_add_status(struct virtio_pci_dev *vp, u8 bits)
{
	WRITE_ONCE(vp->common->device_status, (u8)(vp_get_status(vp) | bits));
}

/* §4.1.4.3: 32 feature bits at a time, selected by device_feature_select. */
u64 vp_get_features(struct virtio_pci_dev *vp)
{
	u64 f;

	WRITE_ONCE(vp->common->device_feature_select, 0);
	f = READ_ONCE(vp->common->device_feature);
	WRITE_ONCE(vp->common->device_feature_select, 1);
	f |= (u64)READ_ONCE(vp->common->device_feature) << 32;
	return f;
}

/* §3.1.1 steps 4-6: write the subset, set FEATURES_OK, re-read it to be sure. */
int vp_finalize_features(struct virtio_pci_dev *vp, u64 features)
{
	WRITE_ONCE(vp->common->driver_feature_select, 0);
	WRITE_ONCE(vp->common->driver_feature, (u32)features);
	WRITE_ONCE(vp->common->driver_feature_select, 1);
	WRITE_ONCE(vp->common->driver_feature, (u32)(features >> 32));
	vp_add_status(vp, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(vp_get_status(vp) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		vp_add_status(vp, VIRTIO_CONFIG_S_FAILED);
		return -ENODEV;
	}
	vp->features = features;
	return 0;
}

u16 vp_queue_size(struct virtio_pci_dev *vp, u16 index)
{
	if (index >= READ_ONCE(vp->common->num_queues))
		return 0;
	WRITE_ONCE(vp->common->queue_select, index);
	return READ_ONCE(vp->common->queue_size);
}

/* §4.1.5.1.2: a vector is accepted when it reads back. */
int vp_set_config_vector(struct virtio_pci_dev *vp, u16 msix_vector)
{
	WRITE_ONCE(vp->common->config_msix_vector, msix_vector);
	if (READ_ONCE(vp->common->config_msix_vector) != msix_vector)
		return -EBUSY;
	return 0;
}

/* §4.1.5.1.3: select, size, ring addresses, MSI-X vector, notify address, enable. */
int vp_setup_vq(struct virtio_pci_dev *vp, struct virtqueue *vq, u16 msix_vector)
{
	volatile struct virtio_pci_common_cfg *c = vp->common;
	u64 desc = virt_to_phys(vq->desc), drv = virt_to_phys(vq->avail),
	    dev = virt_to_phys(vq->used);
	u32 notify_off;

	WRITE_ONCE(c->queue_select, vq->index);
	if (READ_ONCE(c->queue_enable))
		return -EBUSY;
	WRITE_ONCE(c->queue_size, vq->num);
	WRITE_ONCE(c->queue_desc_lo, (u32)desc);
	WRITE_ONCE(c->queue_desc_hi, (u32)(desc >> 32));
	WRITE_ONCE(c->queue_driver_lo, (u32)drv);
	WRITE_ONCE(c->queue_driver_hi, (u32)(drv >> 32));
	WRITE_ONCE(c->queue_device_lo, (u32)dev);
	WRITE_ONCE(c->queue_device_hi, (u32)(dev >> 32));
	WRITE_ONCE(c->queue_msix_vector, msix_vector);
	if (READ_ONCE(c->queue_msix_vector) != msix_vector)
		return -EBUSY;
	/* §4.1.4.4: cap.offset + queue_notify_off * notify_off_multiplier */
	notify_off = (u32)READ_ONCE(c->queue_notify_off) * vp->notify_off_multiplier;
	if (notify_off + 2 > vp->notify_len)
		return -EINVAL;
	vq->notify = (volatile u16 *)(vp->notify_base + notify_off);
	WRITE_ONCE(c->queue_enable, 1);
	return 0;
}

u8 vp_read_isr(struct virtio_pci_dev *vp) { return readb(vp->isr); }

/* §4.1.3.1: fields are read with accesses of their own width (2 and 4 bytes aligned);
 * anything else, like the MAC address, byte by byte. */
void vp_read_config(struct virtio_pci_dev *vp, u32 off, void *buf, u32 len)
{
	u8 *out = buf;
	u8 gen;

	if (!vp->device || off + len > vp->device_len) {
		for (u32 i = 0; i < len; i++)
			out[i] = 0;
		return;
	}
	for (int tries = 0; tries < 10; tries++) {
		gen = READ_ONCE(vp->common->config_generation);
		if (len == 2 && !(off & 1)) {
			u16 v = readw(vp->device + off);
			out[0] = (u8)v;
			out[1] = (u8)(v >> 8);
		} else if (len == 4 && !(off & 3)) {
			u32 v = readl(vp->device + off);
			for (int i = 0; i < 4; i++)
				out[i] = (u8)(v >> (8 * i));
		} else {
			for (u32 i = 0; i < len; i++)
				out[i] = readb(vp->device + off + i);
		}
		if (READ_ONCE(vp->common->config_generation) == gen)
			return;
	}
}
