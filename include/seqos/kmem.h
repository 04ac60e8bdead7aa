/* The allocator behind kmalloc (kernel/kmalloc_core.c), portable for host tests.
 *
 * Size classes 16..2048 bytes are carved from pages; larger requests take whole page
 * blocks. Every object carries a 16-byte header (magic, class, state, size). In debug
 * builds the bytes after the requested size up to the class size are a red zone filled
 * with a pattern checked on free, and freed objects are poisoned: overflows and double
 * frees panic at the kfree that finds them, naming the object. */
#ifndef SEQOS_KMEM_H
#define SEQOS_KMEM_H

#include <seqos/types.h>

#define KMEM_NR_CLASSES 8 /* 16 32 64 128 256 512 1024 2048 */

struct kmem_backend {
	void *(*alloc_pages)(unsigned order); /* virtual address, page aligned; NULL on failure */
	void (*free_pages)(void *p, unsigned order);
};

void kmem_init(const struct kmem_backend *b);
void *kmem_alloc(size_t size);
void kmem_free(const void *p);
size_t kmem_usable_size(const void *p);

struct kmem_class_stats {
	u32 size;
	u64 in_use, peak, total_objects, allocs, frees;
};
struct kmem_stats {
	struct kmem_class_stats cls[KMEM_NR_CLASSES];
	u64 large_in_use, large_bytes, failures;
};
void kmem_get_stats(struct kmem_stats *st);

#endif
