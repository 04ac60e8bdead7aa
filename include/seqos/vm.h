/* Physical pages and the kernel's address space.
 *
 *   0xffff800000000000  DIRECT_MAP: all RAM, phys + DIRECT_MAP, RW NX, write-back
 *   0xffffc00000000000  IOREMAP: device registers, uncached (PCD|PWT), RW NX
 *   0xffffe00000000000  STACKS: kernel stacks, each above an unmapped guard page
 *   0xffffffff80000000  KERNEL_VMA: the image, .text RX, .rodata R NX, .data/.bss RW NX
 * Nothing is mapped below the canonical hole, so a NULL dereference faults. */
#ifndef SEQOS_VM_H
#define SEQOS_VM_H

#include <seqos/boot_info.h>
#include <seqos/types.h>

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define IOREMAP_BASE 0xffffc00000000000ULL
#define IOREMAP_SIZE (64ULL << 30)
#define STACKS_BASE 0xffffe00000000000ULL
#define STACK_SLOT (64 * 1024ULL) /* guard page + up to 60 KiB of stack */
#define STACK_SLOTS 4096

static inline void *phys_to_virt(u64 pa) { return (void *)(pa + DIRECT_MAP); }
u64 virt_to_phys(const void *va); /* direct map and kernel image; DMA buffers use these */

/* Page allocator (kernel/page_alloc.c): a buddy allocator over the UEFI memory map. */
#define MAX_ORDER 11 /* blocks of 4 KiB .. 4 MiB */
u64 alloc_pages_phys(unsigned order); /* 0 on failure */
void free_pages_phys(u64 pa, unsigned order);
static inline void *alloc_pages_virt(unsigned order)
{
	u64 pa = alloc_pages_phys(order);
	return pa ? phys_to_virt(pa) : (void *)0;
}
void *alloc_page_zeroed(void);
struct page_alloc_stats {
	u64 total_pages, free_pages, reserved_pages;
	u64 free_blocks[MAX_ORDER];
	u64 failures;
};
void page_alloc_get_stats(struct page_alloc_stats *st);

/* Portable core, also host-tested: a range of page frames [base_pfn, base_pfn+npages)
 * managed with metadata supplied by the caller. */
struct page;
struct page_allocator;
size_t page_alloc_meta_size(u64 npfn);
void page_alloc_setup(void *meta, u64 npfn);
void page_alloc_add_free(u64 pfn, u64 npages);
u64 page_alloc_pfn(unsigned order);          /* ~0ULL on failure */
void page_alloc_free_pfn(u64 pfn, unsigned order);

/* Address space (arch/x86_64/paging.c). */
void paging_init(const struct boot_info *bi);
void *ioremap(u64 phys, size_t size);        /* uncached */
void *ioremap_wc(u64 phys, size_t size);     /* write-combining (framebuffers) */
bool vm_is_mapped(u64 va);
bool vm_is_stack_guard(u64 va);
void *stack_alloc(size_t size);            /* pages above an unmapped guard page */
void stack_free(void *stack, size_t size);
/* PTE bits of a mapped address (for tests of W^X); 0 when not mapped. */
u64 vm_pte_flags(u64 va);

extern char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[],
	__data_start[], __bss_start[], __bss_end[], __boot_stack_guard[], __boot_stack_bottom[],
	__boot_stack_top[], __kernel_end[];

#endif
