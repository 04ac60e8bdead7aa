/* The kernel's own page tables (Intel SDM Vol. 3A ch. 4, 4-level paging).
 *
 * paging_init() replaces the loader's temporary tables: RAM is mapped once at
 * DIRECT_MAP (RW, NX, 2 MiB pages where alignment allows); the kernel image by section
 * with W^X (.text RX, .rodata R+NX, .data/.bss RW+NX); the boot stack's guard page is
 * left out. Device registers are mapped on demand by ioremap() uncached, and kernel
 * stacks come from stack_alloc(), each above an unmapped guard page, so an overflow is
 * a page fault with a clear report instead of silent corruption. Nothing is mapped at
 * low addresses: NULL dereferences fault. */
#include <asm/cpu.h>
#include <seqos/printk.h>
#include <seqos/spinlock.h>
#include <seqos/string.h>
#include <seqos/vm.h>

#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_PS (1ULL << 7)
#define PTE_PAT_4K (1ULL << 7)
#define PTE_G (1ULL << 8)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

static u64 *pml4;
static u64 kernel_phys;
static u64 nx_bit;
static DEFINE_SPINLOCK(vm_lock);

static u64 *table_virt(u64 entry) { return phys_to_virt(entry & PTE_ADDR); }

/* Returns the entry for va at the given level (4 = PML4 ... 1 = PT), creating tables on
 * the way when create is set; NULL if absent or if a large page covers va higher up. */
static u64 *walk(u64 va, int level, bool create)
{
	u64 *t = pml4;

	for (int l = 4; l > level; l--) {
		u64 *e = &t[(va >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			u64 *n = alloc_page_zeroed();
			if (!n)
				panic("paging: out of memory for page tables");
			*e = virt_to_phys(n) | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		t = table_virt(*e);
	}
	return &t[(va >> (12 + 9 * (level - 1))) & 511];
}

static void map_range(u64 va, u64 pa, u64 size, u64 flags, bool large_ok)
{
	while (size) {
		if (large_ok && !(va & 0x1fffff) && !(pa & 0x1fffff) && size >= 0x200000) {
			*walk(va, 2, true) = pa | flags | PTE_PS;
			va += 0x200000, pa += 0x200000, size -= 0x200000;
		} else {
			*walk(va, 1, true) = pa | flags;
			va += PAGE_SIZE, pa += PAGE_SIZE, size -= PAGE_SIZE;
		}
	}
}

static void map_kernel_section(char *start, char *end, u64 flags)
{
	u64 va = (u64)start;
	map_range(va, va - KERNEL_VMA + kernel_phys, (u64)(end - start), flags | PTE_G, false);
}

u64 virt_to_phys(const void *p)
{
	u64 va = (u64)p;
	if (va >= DIRECT_MAP && va < IOREMAP_BASE)
		return va - DIRECT_MAP;
	if (va >= KERNEL_VMA)
		return va - KERNEL_VMA + kernel_phys;
	u64 *e = walk(va, 1, false);
	if (e && (*e & PTE_P))
		return (*e & PTE_ADDR) | (va & 0xfff);
	e = walk(va, 2, false);
	if (e && (*e & PTE_P) && (*e & PTE_PS))
		return (*e & PTE_ADDR & ~0x1fffffULL) | (va & 0x1fffff);
	panic("virt_to_phys: %p is not mapped", p);
}

void paging_init(const struct boot_info *bi)
{
	const struct boot_mem_region *r = phys_to_virt(bi->mem_map);
	u64 efer;

	if (!cpu_features.nx)
		panic("paging: the CPU has no NX bit; W^X cannot be enforced");
	efer = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, efer | EFER_NXE);
	nx_bit = PTE_NX;
	kernel_phys = bi->kernel_phys;

	pml4 = alloc_page_zeroed();
	for (u32 i = 0; i < bi->mem_map_count; i++) {
		switch (r[i].type) {
		case BOOT_MEM_USABLE:
		case BOOT_MEM_KERNEL:
		case BOOT_MEM_ACPI_RECLAIM:
		case BOOT_MEM_ACPI_NVS:
		case BOOT_MEM_RUNTIME:
			map_range(DIRECT_MAP + r[i].base, r[i].base, r[i].pages * PAGE_SIZE,
				  PTE_P | PTE_W | PTE_NX | PTE_G, true);
			break;
		default:
			break;
		}
	}
	map_kernel_section(__text_start, __text_end, PTE_P);
	map_kernel_section(__rodata_start, __rodata_end, PTE_P | PTE_NX);
	map_kernel_section(__data_start, __boot_stack_guard, PTE_P | PTE_W | PTE_NX);
	map_kernel_section(__boot_stack_bottom, __kernel_end, PTE_P | PTE_W | PTE_NX);

	write_cr4(read_cr4() | CR4_PGE);
	write_cr0(read_cr0() | CR0_WP); /* ring 0 honours read-only pages too */
	write_cr3(virt_to_phys(pml4));
}

static u64 ioremap_next = IOREMAP_BASE;

static void *ioremap_flags(u64 phys, size_t size, u64 cache)
{
	unsigned long flags;
	u64 off = phys & 0xfff, base = phys - off, len = ALIGN_UP(size + off, PAGE_SIZE), va;

	spin_lock_irqsave(&vm_lock, flags);
	va = ioremap_next;
	ioremap_next += len + PAGE_SIZE; /* an unmapped page between mappings */
	if (ioremap_next > IOREMAP_BASE + IOREMAP_SIZE)
		panic("ioremap: address space exhausted");
	map_range(va, base, len, PTE_P | PTE_W | PTE_NX | cache, false);
	spin_unlock_irqrestore(&vm_lock, flags);
	return (void *)(va + off);
}

void *ioremap(u64 phys, size_t size) { return ioremap_flags(phys, size, PTE_PCD | PTE_PWT); }
/* PAT entry 1 is write-through by default; WC needs a PAT entry we do not program, so
 * framebuffers use write-through, which is fast enough for a text console. */
void *ioremap_wc(u64 phys, size_t size) { return ioremap_flags(phys, size, PTE_PWT); }

bool vm_is_mapped(u64 va)
{
	u64 *e;

	if (!pml4)
		return true; /* before paging_init: the loader's tables map what we touch */
	e = walk(va, 2, false);
	if (e && (*e & PTE_P) && (*e & PTE_PS))
		return true;
	e = walk(va, 1, false);
	return e && (*e & PTE_P);
}

u64 vm_pte_flags(u64 va)
{
	u64 *e = walk(va, 2, false);
	if (e && (*e & PTE_P) && (*e & PTE_PS))
		return *e & ~PTE_ADDR;
	e = walk(va, 1, false);
	return e && (*e & PTE_P) ? *e & ~PTE_ADDR : 0;
}

/* Kernel stacks: one slot of STACK_SLOT bytes each; the slot's first page is the guard. */
static u64 stack_slots_used[STACK_SLOTS / 64];

void *stack_alloc(size_t size)
{
	unsigned long flags;
	u64 va = 0;
	size = ALIGN_UP(size, PAGE_SIZE);

	if (size > STACK_SLOT - PAGE_SIZE)
		return NULL;
	spin_lock_irqsave(&vm_lock, flags);
	for (unsigned i = 0; i < STACK_SLOTS && !va; i++)
		if (!(stack_slots_used[i / 64] & (1ULL << (i % 64)))) {
			stack_slots_used[i / 64] |= 1ULL << (i % 64);
			va = STACKS_BASE + i * STACK_SLOT;
		}
	spin_unlock_irqrestore(&vm_lock, flags);
	if (!va)
		return NULL;
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		u64 pa = alloc_pages_phys(0);
		if (!pa) {
			stack_free((void *)(va + PAGE_SIZE), off);
			return NULL;
		}
		spin_lock_irqsave(&vm_lock, flags);
		*walk(va + PAGE_SIZE + off, 1, true) = pa | PTE_P | PTE_W | PTE_NX;
		spin_unlock_irqrestore(&vm_lock, flags);
	}
	return (void *)(va + PAGE_SIZE);
}

void stack_free(void *stack, size_t size)
{
	unsigned long flags;
	u64 va = (u64)stack, slot = (va - STACKS_BASE) / STACK_SLOT;

	size = ALIGN_UP(size, PAGE_SIZE);
	spin_lock_irqsave(&vm_lock, flags);
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		u64 *e = walk(va + off, 1, false);
		if (e && (*e & PTE_P)) {
			u64 pa = *e & PTE_ADDR;
			*e = 0;
			invlpg(va + off);
			free_pages_phys(pa, 0);
		}
	}
	stack_slots_used[slot / 64] &= ~(1ULL << (slot % 64));
	spin_unlock_irqrestore(&vm_lock, flags);
}

bool vm_is_stack_guard(u64 va)
{
	if (va >= (u64)__boot_stack_guard && va < (u64)__boot_stack_bottom)
		return true;
	return va >= STACKS_BASE && va < STACKS_BASE + STACK_SLOTS * STACK_SLOT &&
	       (va - STACKS_BASE) % STACK_SLOT < PAGE_SIZE;
}
