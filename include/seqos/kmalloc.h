/* Kernel heap: size-class allocator over the page allocator (kernel/kmalloc.c). */
#ifndef SEQOS_KMALLOC_H
#define SEQOS_KMALLOC_H

#include <seqos/types.h>

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *kcalloc(size_t n, size_t size);
void kfree(const void *p);

#endif
