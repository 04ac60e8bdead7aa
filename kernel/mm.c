/* Memory set-up: the page allocator from the UEFI memory map, and kmalloc on top.
 * Shell `mem` reports both (and the network buffer pools). */
#include <seqos/kmalloc.h>
#include <seqos/kmem.h>
#include <seqos/printk.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/vm.h>

u64 alloc_pages_phys(unsigned order)
{
	u64 pfn = page_alloc_pfn(order);
	return pfn == ~0ULL ? 0 : pfn << PAGE_SHIFT;
}

void free_pages_phys(u64 pa, unsigned order) { page_alloc_free_pfn(pa >> PAGE_SHIFT, order); }

void *alloc_page_zeroed(void)
{
	void *p = alloc_pages_virt(0);
	if (p)
		memset(p, 0, PAGE_SIZE);
	return p;
}

static void *kmem_pages(unsigned order) { return alloc_pages_virt(order); }
static void kmem_free_pages(void *p, unsigned order) { free_pages_phys(virt_to_phys(p), order); }
static const struct kmem_backend kmem_backend = { kmem_pages, kmem_free_pages };

void *kmalloc(size_t size) { return kmem_alloc(size); }
void kfree(const void *p) { kmem_free(p); }
void *kzalloc(size_t size)
{
	void *p = kmem_alloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}
void *kcalloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kzalloc(n * size);
}

static u64 ram_pages;

void mm_init(const struct boot_info *bi)
{
	const struct boot_mem_region *r = phys_to_virt(bi->mem_map);
	u64 top = 0, meta_pa = 0, meta_size;

	for (u32 i = 0; i < bi->mem_map_count; i++) {
		if (r[i].type == BOOT_MEM_USABLE && r[i].base + r[i].pages * PAGE_SIZE > top)
			top = r[i].base + r[i].pages * PAGE_SIZE;
		if (r[i].type != BOOT_MEM_MMIO && r[i].type != BOOT_MEM_RESERVED)
			ram_pages += r[i].pages;
	}
	meta_size = ALIGN_UP(page_alloc_meta_size(top >> PAGE_SHIFT), PAGE_SIZE);
	/* The allocator's metadata goes at the end of the largest usable region above
	 * 1 MiB. */
	u64 best = 0;
	for (u32 i = 0; i < bi->mem_map_count; i++)
		if (r[i].type == BOOT_MEM_USABLE && r[i].base >= 0x100000 &&
		    r[i].pages * PAGE_SIZE >= meta_size && r[i].pages > best) {
			best = r[i].pages;
			meta_pa = r[i].base + r[i].pages * PAGE_SIZE - meta_size;
		}
	if (!meta_pa)
		panic("mm: no room for %lu bytes of page metadata", (unsigned long)meta_size);
	page_alloc_setup(phys_to_virt(meta_pa), top >> PAGE_SHIFT);
	for (u32 i = 0; i < bi->mem_map_count; i++) {
		u64 pfn = r[i].base >> PAGE_SHIFT, n = r[i].pages;
		if (r[i].type != BOOT_MEM_USABLE)
			continue;
		if (meta_pa >= r[i].base && meta_pa < r[i].base + r[i].pages * PAGE_SIZE)
			n -= meta_size >> PAGE_SHIFT; /* the metadata is the region's end */
		if (pfn == 0) { /* physical page 0 stays out: 0 means "no page" */
			pfn++;
			n--;
		}
		if (n)
			page_alloc_add_free(pfn, n);
	}
	kmem_init(&kmem_backend);
}

__attribute__((weak)) void net_mem_report(void) {}

static int cmd_mem(int argc, char **argv)
{
	struct page_alloc_stats ps;
	struct kmem_stats ks;

	page_alloc_get_stats(&ps);
	kmem_get_stats(&ks);
	kprintf("RAM:      %8lu KiB\n", (unsigned long)(ram_pages * 4));
	kprintf("pages:    total %lu  free %lu  used %lu  (4 KiB)  failures %lu\n",
		(unsigned long)ps.total_pages, (unsigned long)ps.free_pages,
		(unsigned long)(ps.total_pages - ps.free_pages), (unsigned long)ps.failures);
	kprintf("free blocks by order:");
	for (unsigned o = 0; o < MAX_ORDER; o++)
		kprintf(" %lu", (unsigned long)ps.free_blocks[o]);
	kprintf("\nkmalloc:  class   in-use     peak    total   allocs    frees\n");
	for (unsigned c = 0; c < KMEM_NR_CLASSES; c++)
		kprintf("          %5u %8lu %8lu %8lu %8lu %8lu\n", ks.cls[c].size,
			(unsigned long)ks.cls[c].in_use, (unsigned long)ks.cls[c].peak,
			(unsigned long)ks.cls[c].total_objects, (unsigned long)ks.cls[c].allocs,
			(unsigned long)ks.cls[c].frees);
	kprintf("          large %lu blocks, %lu KiB; failures %lu\n",
		(unsigned long)ks.large_in_use, (unsigned long)(ks.large_bytes / 1024),
		(unsigned long)ks.failures);
	net_mem_report();
	return 0;
}
SHELL_CMD("mem", "mem - pages free/used, kmalloc per size class, network buffer pools", cmd_mem);
