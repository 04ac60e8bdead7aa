/* Virtio console (virtio 1.2 §5.3), port 0 only and output only: a fast way out for the
 * binary trace stream (kernel/trace_stream.c). On COM2 every byte is a port write, one
 * trip into the emulator and one write() by QEMU; here a 4 KiB buffer is one descriptor
 * and one notification, which QEMU handles at once (its virtio-serial writes the buffer
 * to the chardev when notified), so the stream costs a few hundred times fewer exits.
 *
 *   QEMU: -device virtio-serial-pci -device virtconsole,chardev=T -chardev file,id=T,...
 *   trace_stream -> virtio_console_write -> copy into a free buffer, virtqueue_add,
 *   virtqueue_kick -> device writes it out and puts it on the used ring
 *
 * Without VIRTIO_CONSOLE_F_MULTIPORT the device has one port and two queues, receiveq0
 * (0) and transmitq0 (1) (§5.3.2). Nothing is read, so the receive queue gets no
 * buffers. No interrupts: used buffers are collected on the next write, with interrupts
 * off, so the writer may be any context (the trace stream's last chunk is written at
 * power off, from an interrupt). */
#include <drivers/pci.h>
#include <drivers/virtio.h>
#include <drivers/virtio_console.h>
#include <seqos/errno.h>
#include <seqos/spinlock.h>
#include <seqos/printk.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/vm.h>

#define VIRTIO_PCI_DEVICE_CONSOLE_TRANSITIONAL 0x1003
#define VIRTIO_PCI_DEVICE_CONSOLE 0x1043
#define VCON_NBUF 16
#define VCON_BUF PAGE_SIZE

static struct {
	struct virtio_pci_dev vp;
	struct virtqueue rxq, txq;
	u8 *buf[VCON_NBUF];
	u16 free_mask;   /* bit i: buf[i] is ours */
	bool ready;
	u64 bytes, kicks, waits;
} vc;

bool virtio_console_present(void) { return vc.ready; }

static void reclaim(void)
{
	u32 len;
	void *b;

	while ((b = virtqueue_get_buf(&vc.txq, &len)))
		for (int i = 0; i < VCON_NBUF; i++)
			if (vc.buf[i] == b)
				vc.free_mask |= (u16)(1u << i);
}

size_t virtio_console_write(const void *p, size_t n)
{
	unsigned long flags;
	struct vq_buf b;
	int i;

	if (!vc.ready || !n)
		return 0;
	local_irq_save(flags);
	reclaim();
	for (u64 spin = 0; !vc.free_mask; spin++) { /* all in flight: the device catches up */
		if (spin == 0)
			vc.waits++;
		if (spin > 100000000ULL) {
			local_irq_restore(flags);
			return 0;
		}
		__asm__ __volatile__("pause");
		reclaim();
	}
	i = __builtin_ctz(vc.free_mask);
	n = n < VCON_BUF ? n : VCON_BUF;
	memcpy(vc.buf[i], p, n);
	b = (struct vq_buf){ vc.buf[i], (u32)n };
	if (virtqueue_add(&vc.txq, &b, 1, 0, vc.buf[i])) {
		local_irq_restore(flags);
		return 0;
	}
	vc.free_mask &= (u16)~(1u << i);
	virtqueue_kick(&vc.txq);
	vc.kicks++;
	vc.bytes += n;
	local_irq_restore(flags);
	return n;
}

static const struct pci_device_id vcon_pci_tbl[] = {
	{ PCI_DEVICE(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE_CONSOLE_TRANSITIONAL) },
	{ PCI_DEVICE(VIRTIO_PCI_VENDOR_ID, VIRTIO_PCI_DEVICE_CONSOLE) },
	{ 0 }
};

/* §3.1.1: reset, ACKNOWLEDGE, DRIVER, features (VERSION_1 only), FEATURES_OK, queues,
 * DRIVER_OK. */
static int vcon_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	u16 nrx, ntx;
	int err;

	if (vc.ready)
		return -EBUSY; /* one is enough */
	pci_enable_device(pdev);
	pci_set_master(pdev);
	err = vp_probe(&vc.vp, pdev);
	if (err)
		return err;
	vp_reset(&vc.vp);
	vp_add_status(&vc.vp, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	if (!(vp_get_features(&vc.vp) & (1ULL << VIRTIO_F_VERSION_1)) ||
	    vp_finalize_features(&vc.vp, 1ULL << VIRTIO_F_VERSION_1)) {
		vp_add_status(&vc.vp, VIRTIO_CONFIG_S_FAILED);
		return -ENODEV;
	}
	nrx = vp_queue_size(&vc.vp, 0);
	ntx = vp_queue_size(&vc.vp, 1);
	if (!nrx || !ntx)
		return -ENODEV;
	err = virtqueue_init(&vc.rxq, "vcon-rx", 0, MIN(nrx, (u16)VIRTQUEUE_MAX), false);
	if (!err)
		err = virtqueue_init(&vc.txq, "vcon-tx", 1, MIN(ntx, (u16)VIRTQUEUE_MAX), false);
	if (!err)
		err = vp_setup_vq(&vc.vp, &vc.rxq, VIRTIO_MSI_NO_VECTOR);
	if (!err)
		err = vp_setup_vq(&vc.vp, &vc.txq, VIRTIO_MSI_NO_VECTOR);
	for (int i = 0; !err && i < VCON_NBUF; i++)
		if (!(vc.buf[i] = alloc_page_zeroed()))
			err = -ENOMEM;
	if (err) {
		vp_add_status(&vc.vp, VIRTIO_CONFIG_S_FAILED);
		return err;
	}
	virtqueue_disable_cb(&vc.txq); /* polled: no used-buffer notifications wanted */
	vc.free_mask = (u16)((1u << VCON_NBUF) - 1);
	vp_add_status(&vc.vp, VIRTIO_CONFIG_S_DRIVER_OK);
	pdev->name = "hvc0";
	vc.ready = true;
	pr_info("virtio_console: port 0 at %02x:%02x.%u, %u-entry transmit queue (trace stream)\n",
		pdev->bus, pdev->slot, pdev->func, vc.txq.num);
	return 0;
}

static void vcon_show_stats(struct pci_dev *pdev)
{
	kprintf("     bytes: %lu\n     kicks: %lu\n     waits: %lu\n", (unsigned long)vc.bytes,
		(unsigned long)vc.kicks, (unsigned long)vc.waits);
}

static struct pci_driver vcon_driver = {
	.name = "virtio_console",
	.id_table = vcon_pci_tbl,
	.probe = vcon_probe,
	.show_stats = vcon_show_stats,
};

void virtio_console_init(void) { pci_register_driver(&vcon_driver); }
