/* Unit tests of the buddy page allocator (kernel/page_alloc.c) over frame numbers, and
 * of the kmalloc core (kernel/kmalloc_core.c) over host memory: allocation, merging,
 * alignment, statistics, and the panics for double frees and overflows. */
#include "kunit.h"

#include <seqos/kmem.h>
#include <seqos/vm.h>
#include <stdlib.h>
#include <string.h>

#define NPFN 4096
static void *meta;

static int pa_setup(void **state)
{
	free(meta);
	meta = calloc(1, page_alloc_meta_size(NPFN));
	page_alloc_setup(meta, NPFN);
	page_alloc_add_free(1, NPFN - 1); /* frame 0 stays reserved, as in the kernel */
	return 0;
}

static void test_all_pages_unique_then_merge_back(void **state)
{
	struct page_alloc_stats st;
	static u8 seen[NPFN];
	u64 n = 0, pfn;

	memset(seen, 0, sizeof(seen));
	page_alloc_get_stats(&st);
	assert_int_equal(st.total_pages, NPFN - 1);
	assert_int_equal(st.free_pages, NPFN - 1);
	while ((pfn = page_alloc_pfn(0)) != ~0ULL) {
		assert_true(pfn > 0 && pfn < NPFN);
		assert_int_equal(seen[pfn], 0);
		seen[pfn] = 1;
		n++;
	}
	assert_int_equal(n, NPFN - 1);
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, 0);
	assert_int_equal(st.failures, 1);
	for (pfn = 1; pfn < NPFN; pfn++)
		page_alloc_free_pfn(pfn, 0);
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, NPFN - 1);
	/* Fully merged: frames 2048..4095 are one order-11... capped at MAX_ORDER-1 = 10
	 * (1024 pages): blocks 1024-2047, 2048-3071, 3072-4095 and the pieces below 1024. */
	assert_int_equal(st.free_blocks[MAX_ORDER - 1], 3);
}

static void test_blocks_are_aligned_and_disjoint(void **state)
{
	u64 got[MAX_ORDER];
	for (unsigned o = 0; o < MAX_ORDER - 1; o++) {
		got[o] = page_alloc_pfn(o);
		assert_true(got[o] != ~0ULL);
		assert_int_equal(got[o] & ((1ULL << o) - 1), 0);
		for (unsigned p = 0; p < o; p++)
			assert_true(got[p] + (1ULL << p) <= got[o] || got[o] + (1ULL << o) <= got[p]);
	}
	for (unsigned o = 0; o < MAX_ORDER - 1; o++)
		page_alloc_free_pfn(got[o], o);
	struct page_alloc_stats st;
	page_alloc_get_stats(&st);
	assert_int_equal(st.free_pages, NPFN - 1);
}

static void test_too_large_order_fails(void **state)
{
	assert_true(page_alloc_pfn(MAX_ORDER) == ~0ULL);
	assert_true(page_alloc_pfn(200) == ~0ULL);
}

static void double_free(void *arg)
{
	u64 p = page_alloc_pfn(0);
	page_alloc_free_pfn(p, 0);
	page_alloc_free_pfn(p, 0);
}

static void wrong_order_free(void *arg)
{
	u64 p = page_alloc_pfn(2);
	page_alloc_free_pfn(p, 1);
}

static void free_unallocated(void *arg) { page_alloc_free_pfn(0, 0); }

static void test_bad_frees_panic(void **state)
{
	assert_true(panics(double_free, NULL));
	assert_true(panics(wrong_order_free, NULL));
	assert_true(panics(free_unallocated, NULL));
}

/* ---- kmalloc core ---- */
static int host_pages_out;
static void *host_alloc(unsigned order)
{
	host_pages_out++;
	return aligned_alloc(4096, 4096UL << order);
}
static void host_free(void *p, unsigned order)
{
	host_pages_out--;
	free(p);
}
static const struct kmem_backend host_backend = { host_alloc, host_free };

static int km_setup(void **state)
{
	static bool done;
	if (!done) /* blocks are never returned: initialising again would orphan them */
		kmem_init(&host_backend);
	done = true;
	return 0;
}

static void test_kmem_sizes_classes_and_stats(void **state)
{
	static const size_t sizes[] = { 1, 8, 16, 17, 100, 500, 1000, 2000, 2032, 2033, 5000, 70000 };
	void *p[12];
	struct kmem_stats st;

	for (int i = 0; i < 12; i++) {
		p[i] = kmem_alloc(sizes[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] & 15, 0);
		memset(p[i], 0xab, sizes[i]); /* the whole requested size is usable */
		assert_int_equal(kmem_usable_size(p[i]), sizes[i]);
	}
	kmem_get_stats(&st);
	assert_int_equal(st.large_in_use, 3); /* 2033 (+16 > 2048), 5000 and 70000 */
	u64 in_use = 0;
	for (int c = 0; c < KMEM_NR_CLASSES; c++)
		in_use += st.cls[c].in_use;
	assert_int_equal(in_use, 9);
	for (int i = 0; i < 12; i++)
		kmem_free(p[i]);
	kmem_get_stats(&st);
	for (int c = 0; c < KMEM_NR_CLASSES; c++) {
		assert_int_equal(st.cls[c].in_use, 0);
		assert_true(st.cls[c].peak <= st.cls[c].total_objects);
	}
	assert_int_equal(st.large_in_use, 0);
	kmem_free(NULL);
}

static void test_kmem_reuses_freed_objects(void **state)
{
	void *a = kmem_alloc(40), *b;
	kmem_free(a);
	b = kmem_alloc(40);
	assert_ptr_equal(a, b);
	kmem_free(b);
}

static void overflow(void *arg)
{
	char *p = kmem_alloc(20);
	p[20] = 1; /* one byte past the end: red zone */
	kmem_free(p);
}

static void kmem_double_free(void *arg)
{
	void *p = kmem_alloc(64);
	kmem_free(p);
	kmem_free(p);
}

static void use_after_free(void *arg)
{
	char *p = kmem_alloc(64);
	kmem_free(p);
	p[30] = 1;
	kmem_alloc(64); /* the same slot: its poison is broken */
}

static void not_kmalloc(void *arg)
{
	static char buf[64] __attribute__((aligned(16)));
	kmem_free(buf + 16);
}

static void test_kmem_checks_panic(void **state)
{
	assert_true(panics(overflow, NULL));
	assert_true(panics(kmem_double_free, NULL));
	assert_true(panics(use_after_free, NULL));
	assert_true(panics(not_kmalloc, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_all_pages_unique_then_merge_back, pa_setup),
		cmocka_unit_test_setup(test_blocks_are_aligned_and_disjoint, pa_setup),
		cmocka_unit_test_setup(test_too_large_order_fails, pa_setup),
		cmocka_unit_test_setup(test_bad_frees_panic, pa_setup),
		cmocka_unit_test_setup(test_kmem_sizes_classes_and_stats, km_setup),
		cmocka_unit_test_setup(test_kmem_reuses_freed_objects, km_setup),
		cmocka_unit_test_setup(test_kmem_checks_panic, km_setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(meta);
	return rc;
}
