/* Virtio console, port 0, output only (drivers/virtio_console.c): the trace stream's
 * fast way out of a QEMU machine. */
#ifndef DRIVERS_VIRTIO_CONSOLE_H
#define DRIVERS_VIRTIO_CONSOLE_H

#include <seqos/types.h>

bool virtio_console_present(void);
/* Queues up to one buffer (4 KiB) of p; returns how many bytes went (0: none, or no
 * device). Any context. */
size_t virtio_console_write(const void *p, size_t n);

#endif
