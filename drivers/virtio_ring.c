/* Split virtqueues (virtio 1.2 §2.7), the driver side: descriptor table, available ring
 * (driver -> device), used ring (device -> driver), and notification suppression both
 * ways with VIRTIO_F_RING_EVENT_IDX (§2.7.7, §2.7.10).
 *
 *   virtio_net start_xmit / try_fill_recv -> virtqueue_add -> virtqueue_kick
 *   device uses a buffer -> used ring + MSI-X -> vring_interrupt (driver's handler)
 *   virtnet_poll -> virtqueue_get_buf ... -> virtqueue_enable_cb_prepare/virtqueue_poll
 *
 * Memory: the descriptor table is one page (16-byte aligned, §2.7.5); the available
 * ring and the used ring share a second page (alignment 2 and 4). Both come from the page
 * allocator, so device addresses are virt_to_phys() of them.
 *
 * Interrupt suppression with EVENT_IDX: the device interrupts when its used index passes
 * used_event (vring_need_event below), once; it does not again until the driver moves
 * used_event. So disabling costs nothing (the interrupt that scheduled the poll was the
 * one crossing), and enabling writes used_event = last_used_idx and re-reads used->idx,
 * closing the race with a buffer used in between (virtqueue_poll).
 *
 * Bad input from the device (an unknown or already free id, a used index running ahead
 * of what was made available) is counted in bad_used and skipped, never followed. */
#include <asm/io.h>
#include <drivers/virtio.h>
#include <seqos/errno.h>
#include <seqos/string.h>
#include <seqos/vm.h>

#define VRING_USED_OFFSET 1024 /* the used ring's place in the rings page (avail <= 518 B) */

static inline u16 *vring_used_event(struct virtqueue *vq) { return &vq->avail->ring[vq->num]; }
static inline volatile u16 *vring_avail_event(struct virtqueue *vq)
{
	return (volatile u16 *)&vq->used->ring[vq->num];
}

/* §2.7.10: notify when new_idx has passed event_idx since old (mod 2^16). */
static inline bool vring_need_event(u16 event_idx, u16 new_idx, u16 old)
{
	return (u16)(new_idx - event_idx - 1) < (u16)(new_idx - old);
}

int virtqueue_init(struct virtqueue *vq, const char *name, u16 index, u16 num, bool event_idx)
{
	u8 *rings;

	if (!num || num > VIRTQUEUE_MAX || (num & (num - 1)))
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	vq->name = name;
	vq->index = index;
	vq->num = num;
	vq->event_idx = event_idx;
	vq->desc = alloc_page_zeroed();
	rings = alloc_page_zeroed();
	if (!vq->desc || !rings) {
		if (rings)
			free_pages_phys(virt_to_phys(rings), 0);
		virtqueue_free(vq);
		return -ENOMEM;
	}
	vq->avail = (struct vring_avail *)rings;
	vq->used = (struct vring_used *)(rings + VRING_USED_OFFSET);
	for (u16 i = 0; i < num; i++)
		vq->desc[i].next = (u16)(i + 1);
	vq->free_head = 0;
	vq->num_free = num;
	return 0;
}

void virtqueue_free(struct virtqueue *vq)
{
	if (vq->desc)
		free_pages_phys(virt_to_phys(vq->desc), 0);
	if (vq->avail)
		free_pages_phys(virt_to_phys(vq->avail), 0);
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
}

/* §2.7.13.1-3: a chain in the descriptor table, its head in the available ring. The
 * index is published by virtqueue_kick(), after a write barrier. */
int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned out, unsigned in,
		  void *data)
{
	unsigned n = out + in;
	u16 head = vq->free_head, i = head;

	if (!n || n > vq->num_free)
		return -ENOSPC;
	for (unsigned k = 0; k < n; k++) {
		struct vring_desc *d = &vq->desc[i];

		d->addr = virt_to_phys(bufs[k].addr);
		d->len = bufs[k].len;
		d->flags = (u16)((k < out ? 0 : VRING_DESC_F_WRITE) | (k + 1 < n ? VRING_DESC_F_NEXT : 0));
		i = d->next;
	}
	vq->free_head = i;
	vq->num_free = (u16)(vq->num_free - n);
	vq->data[head] = data;
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	vq->avail_idx++;
	vq->num_added++;
	return 0;
}

bool virtqueue_kick(struct virtqueue *vq)
{
	u16 old, new_idx;
	bool notify;

	if (!vq->num_added)
		return false;
	new_idx = vq->avail_idx;
	old = (u16)(new_idx - vq->num_added);
	wmb(); /* descriptors and ring entries before the index (§2.7.13.3) */
	WRITE_ONCE(vq->avail->idx, new_idx);
	vq->num_added = 0;
	mb(); /* the index is visible before we read the device's wish (§2.7.13.4) */
	if (vq->event_idx)
		notify = vring_need_event(*vring_avail_event(vq), new_idx, old);
	else
		notify = !(READ_ONCE(vq->used->flags) & VRING_USED_F_NO_NOTIFY);
	if (notify) {
		writew(vq->index, vq->notify); /* §4.1.5.2: the queue's index, 16 bits */
		vq->kicks++;
	} else {
		vq->kicks_suppressed++;
	}
	return notify;
}

/* Returns the chain starting at head to the free list. */
static void detach_buf(struct virtqueue *vq, u16 head)
{
	u16 i = head, n = 1;

	while ((vq->desc[i].flags & VRING_DESC_F_NEXT) && n <= vq->num) {
		i = vq->desc[i].next;
		n++;
	}
	vq->desc[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free = (u16)(vq->num_free + n);
	vq->data[head] = NULL;
}

void *virtqueue_get_buf(struct virtqueue *vq, u32 *len)
{
	for (;;) {
		u16 used_idx = READ_ONCE(vq->used->idx), slot;
		struct vring_used_elem e;
		void *data;

		if (vq->last_used_idx == used_idx)
			return NULL;
		if ((u16)(used_idx - vq->last_used_idx) > vq->num) {
			/* the device claims more than can be outstanding: do not follow */
			vq->bad_used++;
			return NULL;
		}
		dma_rmb(); /* the entry after the index that covers it (§2.7.14) */
		slot = vq->last_used_idx & (vq->num - 1);
		e = vq->used->ring[slot];
		vq->last_used_idx++;
		if (e.id >= vq->num || !(data = vq->data[e.id])) {
			vq->bad_used++;
			continue;
		}
		detach_buf(vq, (u16)e.id);
		*len = e.len;
		return data;
	}
}

void *virtqueue_detach_unused_buf(struct virtqueue *vq)
{
	for (u16 i = 0; i < vq->num; i++) {
		void *data = vq->data[i];
		if (data) {
			detach_buf(vq, i);
			return data;
		}
	}
	return NULL;
}

void virtqueue_disable_cb(struct virtqueue *vq)
{
	if (vq->cb_disabled)
		return;
	vq->cb_disabled = true;
	/* With EVENT_IDX nothing to write: used_event is behind already (see top). */
	if (!vq->event_idx)
		WRITE_ONCE(vq->avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
}

u16 virtqueue_enable_cb_prepare(struct virtqueue *vq)
{
	u16 last = vq->last_used_idx;

	vq->cb_disabled = false;
	if (vq->event_idx)
		WRITE_ONCE(*vring_used_event(vq), last);
	else
		WRITE_ONCE(vq->avail->flags, 0);
	return last;
}

bool virtqueue_poll(struct virtqueue *vq, u16 last_used)
{
	mb(); /* our used_event is visible before we look at the device's used index */
	return last_used != READ_ONCE(vq->used->idx);
}

bool virtqueue_enable_cb_delayed(struct virtqueue *vq)
{
	u16 pending = (u16)(vq->avail_idx - vq->last_used_idx);
	u16 bufs = (u16)(pending * 3 / 4);

	vq->cb_disabled = false;
	if (vq->event_idx)
		WRITE_ONCE(*vring_used_event(vq), (u16)(vq->last_used_idx + bufs));
	else
		WRITE_ONCE(vq->avail->flags, 0);
	mb();
	if ((u16)(READ_ONCE(vq->used->idx) - vq->last_used_idx) > bufs)
		return false;
	return true;
}
