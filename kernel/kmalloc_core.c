/* kmalloc's allocator: size classes over pages, headers, red zones (include/seqos/kmem.h).
 *
 * Each class keeps a free list threaded through free objects. A class that runs dry
 * takes a fresh 16 KiB block from the backend and cuts it into objects; blocks are not
 * returned (a small OS's working set is steady, and this keeps kfree O(1)). Requests
 * above 2048 bytes get their own page block with the header at its start.
 *
 * Locking: irqsave; drivers allocate in softirq context. */
#include <seqos/kmem.h>
#include <seqos/printk.h>
#include <seqos/spinlock.h>
#include <seqos/string.h>

#define KMEM_MAGIC 0x6b6d656du /* "kmem" */
#define ST_USED 0x55
#define ST_FREE 0xf3
#define CLASS_LARGE 0xff
#define REDZONE_BYTE 0xcc
#define POISON_BYTE 0x6b
#define BLOCK_ORDER 2

struct kmem_hdr {
	u32 magic;
	u8 cls;
	u8 state;
	u8 order;  /* large blocks: page order */
	u8 pad;
	u32 size;  /* bytes requested */
	u32 pad2;
};
_Static_assert(sizeof(struct kmem_hdr) == 16, "objects stay 16-byte aligned");

struct free_obj {
	struct free_obj *next;
};

static const struct kmem_backend *backend;
static struct free_obj *free_list[KMEM_NR_CLASSES];
static struct kmem_stats stats;
static DEFINE_SPINLOCK(kmem_lock);

static u32 class_size(unsigned c) { return 16u << c; }

void kmem_init(const struct kmem_backend *b)
{
	backend = b;
	memset(&stats, 0, sizeof(stats));
	for (unsigned c = 0; c < KMEM_NR_CLASSES; c++) {
		free_list[c] = NULL;
		stats.cls[c].size = class_size(c);
	}
}

/* The class whose slots (header included) fit size, or -1 for a large request. */
static int class_for(size_t size)
{
	for (unsigned c = 0; c < KMEM_NR_CLASSES; c++)
		if (size + sizeof(struct kmem_hdr) <= class_size(c))
			return (int)c;
	return -1;
}

static bool grow(unsigned c)
{
	u8 *block = backend->alloc_pages(BLOCK_ORDER);
	u32 sz = class_size(c), n = (4096u << BLOCK_ORDER) / sz;

	if (!block)
		return false;
	for (u32 i = 0; i < n; i++) {
		struct kmem_hdr *h = (struct kmem_hdr *)(block + i * sz);
		struct free_obj *o = (struct free_obj *)(h + 1);
		h->magic = KMEM_MAGIC;
		h->cls = (u8)c;
		h->state = ST_FREE;
#ifdef CONFIG_DEBUG
		memset(o, POISON_BYTE, sz - sizeof(*h));
#endif
		o->next = free_list[c];
		free_list[c] = o;
	}
	stats.cls[c].total_objects += n;
	return true;
}

void *kmem_alloc(size_t size)
{
	unsigned long flags;
	struct kmem_hdr *h;
	int c = class_for(size);

	if (size == 0)
		size = 1;
	if (size > (1u << 30))
		return NULL;
	spin_lock_irqsave(&kmem_lock, flags);
	if (c < 0) {
		unsigned order = 0;
		while ((4096ULL << order) < size + sizeof(*h))
			order++;
		h = order < 11 ? backend->alloc_pages(order) : NULL;
		if (!h) {
			stats.failures++;
			spin_unlock_irqrestore(&kmem_lock, flags);
			return NULL;
		}
		h->magic = KMEM_MAGIC;
		h->cls = CLASS_LARGE;
		h->order = (u8)order;
		stats.large_in_use++;
		stats.large_bytes += 4096ULL << order;
	} else {
		struct kmem_class_stats *cs = &stats.cls[c];
		if (!free_list[c] && !grow((unsigned)c)) {
			stats.failures++;
			spin_unlock_irqrestore(&kmem_lock, flags);
			return NULL;
		}
		struct free_obj *o = free_list[c];
		free_list[c] = o->next;
		h = (struct kmem_hdr *)o - 1;
		if (h->state != ST_FREE || h->magic != KMEM_MAGIC)
			panic("kmalloc: free list corrupted at %p", (void *)o);
#ifdef CONFIG_DEBUG
		/* A write to a freed object shows as a broken poison pattern. */
		for (u32 i = sizeof(*o); i < class_size((unsigned)c) - sizeof(*h); i++)
			if (((u8 *)o)[i] != POISON_BYTE)
				panic("kmalloc: use after free in object %p (byte %u)", (void *)o, i);
#endif
		cs->in_use++;
		cs->allocs++;
		if (cs->in_use > cs->peak)
			cs->peak = cs->in_use;
	}
	h->state = ST_USED;
	h->size = (u32)size;
#ifdef CONFIG_DEBUG
	if (h->cls != CLASS_LARGE)
		memset((u8 *)(h + 1) + size, REDZONE_BYTE,
		       class_size(h->cls) - sizeof(*h) - size);
#endif
	spin_unlock_irqrestore(&kmem_lock, flags);
	return h + 1;
}

void kmem_free(const void *p)
{
	unsigned long flags;
	struct kmem_hdr *h;

	if (!p)
		return;
	h = (struct kmem_hdr *)p - 1;
	spin_lock_irqsave(&kmem_lock, flags);
	if (h->magic != KMEM_MAGIC) {
		spin_unlock_irqrestore(&kmem_lock, flags);
		panic("kfree: %p is not a kmalloc object (bad magic)", p);
	}
	if (h->state != ST_USED) {
		spin_unlock_irqrestore(&kmem_lock, flags);
		panic("kfree: double free of %p", p);
	}
	if (h->cls == CLASS_LARGE) {
		h->state = ST_FREE;
		stats.large_in_use--;
		stats.large_bytes -= 4096ULL << h->order;
		spin_unlock_irqrestore(&kmem_lock, flags);
		backend->free_pages(h, h->order);
		return;
	}
	if (h->cls >= KMEM_NR_CLASSES) {
		spin_unlock_irqrestore(&kmem_lock, flags);
		panic("kfree: %p has a corrupt header", p);
	}
#ifdef CONFIG_DEBUG
	{
		const u8 *rz = (const u8 *)p + h->size;
		u32 n = class_size(h->cls) - sizeof(*h) - h->size;
		for (u32 i = 0; i < n; i++)
			if (rz[i] != REDZONE_BYTE) {
				spin_unlock_irqrestore(&kmem_lock, flags);
				panic("kfree: buffer overflow: %p (size %u) written at byte %u", p,
				      h->size, h->size + i);
			}
		memset((void *)p, POISON_BYTE, class_size(h->cls) - sizeof(*h));
	}
#endif
	h->state = ST_FREE;
	((struct free_obj *)p)->next = free_list[h->cls];
	free_list[h->cls] = (struct free_obj *)p;
	stats.cls[h->cls].in_use--;
	stats.cls[h->cls].frees++;
	spin_unlock_irqrestore(&kmem_lock, flags);
}

size_t kmem_usable_size(const void *p)
{
	const struct kmem_hdr *h = (const struct kmem_hdr *)p - 1;
	return h->size;
}

void kmem_get_stats(struct kmem_stats *st)
{
	unsigned long flags;

	spin_lock_irqsave(&kmem_lock, flags);
	*st = stats;
	spin_unlock_irqrestore(&kmem_lock, flags);
}
