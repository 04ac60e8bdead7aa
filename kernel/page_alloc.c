/* The physical page allocator: a binary buddy allocator over page frame numbers.
 *
 * Blocks of 2^order pages (order 0..MAX_ORDER-1) sit on one free list per order. An
 * allocation splits the smallest block that fits; a free merges the block with its
 * buddy (the block whose pfn differs in bit `order`) for as long as the buddy is free
 * and whole. Metadata is two small arrays indexed by frame, kept outside the pages themselves,
 * so this file never touches page contents and runs unchanged in host tests over frame
 * numbers with no memory behind them. A double free or a free of a frame that was never
 * allocated is caught by the per-frame state and panics with the frame number.
 *
 * Locking: one irqsave spinlock; DMA refills may allocate from softirq context. */
#include <seqos/list.h>
#include <seqos/printk.h>
#include <seqos/spinlock.h>
#include <seqos/string.h>
#include <seqos/vm.h>

enum { PG_RESERVED = 0, PG_FREE_HEAD = 1, PG_FREE_TAIL = 2, PG_ALLOC_HEAD = 3, PG_ALLOC_TAIL = 4 };

struct page {
	struct list_head lru; /* on free_area[order] when PG_FREE_HEAD; else never read */
};

/* Apart from the list heads, so that setup zeroes 2 bytes per frame and not 18 (the
 * 1.5 MiB memset for 256 MiB took 4 ms of boot under emulation). */
struct page_info {
	u8 state;
	u8 order; /* for heads: the block's order */
};

static struct page *pages;
static struct page_info *info;
static u64 max_pfn;
static struct list_head free_area[MAX_ORDER];
static u64 nr_free[MAX_ORDER];
static u64 total_pages, free_count, failures;
static DEFINE_SPINLOCK(zone_lock);

size_t page_alloc_meta_size(u64 npfn)
{
	return npfn * (sizeof(struct page) + sizeof(struct page_info));
}

void page_alloc_setup(void *meta, u64 npfn)
{
	pages = meta;
	info = (struct page_info *)(pages + npfn);
	max_pfn = npfn;
	memset(info, 0, npfn * sizeof(*info)); /* every frame PG_RESERVED */
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		INIT_LIST_HEAD(&free_area[o]);
		nr_free[o] = 0;
	}
	total_pages = free_count = failures = 0;
}

/* Only a block's first frame carries its state: a frame is PG_FREE_HEAD exactly while it
 * heads a block on a free list, and PG_ALLOC_HEAD while it heads an allocated block.
 * Frames inside blocks are never looked at, so they are not written (O(1) per block). */
static void mark_block(u64 pfn, unsigned order, u8 head)
{
	info[pfn].state = head;
	info[pfn].order = (u8)order;
}

static void push_free(u64 pfn, unsigned order)
{
	mark_block(pfn, order, PG_FREE_HEAD);
	list_add(&pages[pfn].lru, &free_area[order]);
	nr_free[order]++;
}

static void pop_free(u64 pfn, unsigned order)
{
	list_del(&pages[pfn].lru);
	nr_free[order]--;
	info[pfn].state = PG_FREE_TAIL; /* no longer a head; push_free may make it one */
}

/* Frees a block, merging with free buddies. Caller holds zone_lock. */
static void merge_free(u64 pfn, unsigned order)
{
	while (order < MAX_ORDER - 1) {
		u64 buddy = pfn ^ (1ULL << order);
		if (buddy + (1ULL << order) > max_pfn || info[buddy].state != PG_FREE_HEAD ||
		    info[buddy].order != order)
			break;
		pop_free(buddy, order);
		pfn &= ~(1ULL << order);
		order++;
	}
	push_free(pfn, order);
}

/* Adds a range of usable frames, in the largest aligned blocks that fit. */
void page_alloc_add_free(u64 pfn, u64 npages)
{
	unsigned long flags;
	u64 end = pfn + npages;

	if (end > max_pfn)
		end = max_pfn;
	spin_lock_irqsave(&zone_lock, flags);
	while (pfn < end) {
		unsigned order = 0;
		while (order + 1 < MAX_ORDER && !(pfn & ((1ULL << (order + 1)) - 1)) &&
		       pfn + (1ULL << (order + 1)) <= end)
			order++;
		merge_free(pfn, order);
		total_pages += 1ULL << order;
		free_count += 1ULL << order;
		pfn += 1ULL << order;
	}
	spin_unlock_irqrestore(&zone_lock, flags);
}

u64 page_alloc_pfn(unsigned order)
{
	unsigned long flags;
	unsigned o;
	u64 pfn;

	if (order >= MAX_ORDER)
		return ~0ULL;
	spin_lock_irqsave(&zone_lock, flags);
	for (o = order; o < MAX_ORDER && list_empty(&free_area[o]); o++)
		;
	if (o == MAX_ORDER) {
		failures++;
		spin_unlock_irqrestore(&zone_lock, flags);
		return ~0ULL;
	}
	pfn = (u64)(list_entry(free_area[o].next, struct page, lru) - pages);
	pop_free(pfn, o);
	while (o > order) { /* split: keep the low half, free the high half */
		o--;
		push_free(pfn + (1ULL << o), o);
	}
	mark_block(pfn, order, PG_ALLOC_HEAD);
	free_count -= 1ULL << order;
	spin_unlock_irqrestore(&zone_lock, flags);
	return pfn;
}

void page_alloc_free_pfn(u64 pfn, unsigned order)
{
	unsigned long flags;

	spin_lock_irqsave(&zone_lock, flags);
	if (pfn >= max_pfn || info[pfn].state != PG_ALLOC_HEAD || info[pfn].order != order) {
		u8 st = pfn < max_pfn ? info[pfn].state : 0xff;
		spin_unlock_irqrestore(&zone_lock, flags);
		panic("free_pages: bad free of pfn %#lx order %u (state %u%s)", (unsigned long)pfn,
		      order, st, st == PG_FREE_HEAD ? ": double free" : "");
	}
	free_count += 1ULL << order;
	merge_free(pfn, order);
	spin_unlock_irqrestore(&zone_lock, flags);
}

void page_alloc_get_stats(struct page_alloc_stats *st)
{
	unsigned long flags;

	spin_lock_irqsave(&zone_lock, flags);
	st->total_pages = total_pages;
	st->free_pages = free_count;
	st->reserved_pages = max_pfn - total_pages;
	st->failures = failures;
	for (unsigned o = 0; o < MAX_ORDER; o++)
		st->free_blocks[o] = nr_free[o];
	spin_unlock_irqrestore(&zone_lock, flags);
}
